/* The toggle handler, SetHandler maintenance-toggle: Django's
 * maintenance_mode.urls.
 *
 *   GET  .../         the state, and forms to change it (JSON if preferred)
 *   GET  .../on|off   a page that asks to confirm: a GET never changes it
 *   POST .../on|off   change it, then 303 to the status page (or JSON)
 *
 * A POST must come from this site and, unless MaintenanceToggleAnonymous
 * says otherwise, from an authenticated user. */
#include <http_core.h>
#include <http_protocol.h>
#include <http_request.h>
#include <util_script.h>
#include <apr_strings.h>

#include "toggle.h"
#include "accept.h"
#include "cache.h"
#include "state.h"
#include "template.h"
#include "timefmt.h"

APLOG_USE_MODULE(maintenance);

#define FORM_MAX 8192

typedef enum { SHOW_STATUS, TURN_ON, TURN_OFF } action;

typedef struct {
    request_rec *r;
    const char *base;          /* the location's URL-path, no final slash */
    action act;
    int json;
    apr_table_t *form;         /* query and body fields */
} toggle_req;

static const char page_head[] =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<title>Maintenance mode</title>\n<style>\n"
    "body{font-family:system-ui,sans-serif;max-width:40em;margin:2em auto;"
    "padding:0 1em;color:#222;line-height:1.5}\n"
    "table{border-collapse:collapse}th,td{text-align:left;padding:.2em 1em .2em 0}\n"
    "fieldset{margin:1em 0;border:1px solid #ccc}label{display:block;margin:.4em 0}\n"
    "input[type=text]{width:100%;box-sizing:border-box}\n"
    "button{font-size:1em;padding:.4em 1.2em}.on{color:#b00}.off{color:#070}\n"
    "</style>\n</head>\n<body>\n";

/* The last segment says what to do; what comes before is the location. */
static void parse_path(toggle_req *t)
{
    char *uri = apr_pstrdup(t->r->pool, t->r->uri);
    apr_size_t n = strlen(uri);
    char *slash;

    while (n > 1 && uri[n - 1] == '/') {
        uri[--n] = '\0';
    }
    slash = strrchr(uri, '/');
    t->act = SHOW_STATUS;
    if (slash && (!strcmp(slash + 1, "on") || !strcmp(slash + 1, "off"))) {
        t->act = slash[2] == 'n' ? TURN_ON : TURN_OFF;
        *slash = '\0';
    }
    t->base = uri[1] ? uri : "";
}

/* name=value&... as a form sends it: '+' is a space, %XX a byte. */
static void add_fields(apr_table_t *form, char *args)
{
    char *pair, *last;

    for (pair = apr_strtok(args, "&", &last); pair;
         pair = apr_strtok(NULL, "&", &last)) {
        char *eq = strchr(pair, '=');

        if (eq) {
            *eq++ = '\0';
        }
        if (ap_unescape_urlencoded(pair) == OK
            && (!eq || ap_unescape_urlencoded(eq) == OK)) {
            apr_table_set(form, pair, eq ? eq : "");
        }
    }
}

/* The query's fields, then the body's. Returns OK or the status to refuse
 * the request with. */
static int read_form(toggle_req *t)
{
    request_rec *r = t->r;
    apr_array_header_t *pairs = NULL;
    int i, rc;

    t->form = apr_table_make(r->pool, 8);
    if (r->args) {
        add_fields(t->form, apr_pstrdup(r->pool, r->args));
    }
    if (r->method_number != M_POST) {
        return OK;
    }
    if ((rc = ap_parse_form_data(r, NULL, &pairs, -1, FORM_MAX)) != OK) {
        return rc;
    }
    for (i = 0; pairs && i < pairs->nelts; i++) {
        ap_form_pair_t *pair = &APR_ARRAY_IDX(pairs, i, ap_form_pair_t);
        apr_off_t len;
        apr_size_t size;
        char *value;

        apr_brigade_length(pair->value, 1, &len);
        size = (apr_size_t)len;
        value = apr_palloc(r->pool, size + 1);
        apr_brigade_flatten(pair->value, value, &size);
        value[size] = '\0';
        apr_table_set(t->form, pair->name, value);
    }
    return OK;
}

static const char *field(const toggle_req *t, const char *name)
{
    const char *v = apr_table_get(t->form, name);
    return v && *v ? v : NULL;
}

/* A browser says where a POST comes from; other clients say nothing. */
static int same_origin(request_rec *r)
{
    const char *origin = apr_table_get(r->headers_in, "Origin");
    const char *site = apr_table_get(r->headers_in, "Sec-Fetch-Site");
    const char *host = apr_table_get(r->headers_in, "Host");

    if (site && strcasecmp(site, "same-origin") && strcasecmp(site, "none")) {
        return 0;
    }
    if (origin) {
        const char *ours = apr_pstrcat(r->pool, ap_http_scheme(r), "://",
                                       host ? host : r->hostname, NULL);
        return host && !strcasecmp(origin, ours);
    }
    return 1;
}

static const char *json_string(apr_pool_t *p, const char *s)
{
    return s ? apr_pstrcat(p, "\"", maintenance_escape_json(p, s), "\"", NULL)
             : "null";
}

static int send_json(request_rec *r, int status, const maintenance_state *st,
                     const char *error)
{
    apr_pool_t *p = r->pool;

    r->status = status;
    ap_set_content_type(r, "application/json");
    if (error) {
        ap_rprintf(r, "{\"error\":%s}\n", json_string(p, error));
        return OK;
    }
    ap_rprintf(r, "{\"state\":\"%s\",\"in_force\":%s,\"start\":%s,\"end\":%s,"
               "\"changed\":%s,\"by\":%s,\"message\":%s}\n",
               st->on ? "on" : "off",
               maintenance_state_in_force(st, apr_time_now()) ? "true" : "false",
               json_string(p, maintenance_time_pformat(p, st->start)),
               json_string(p, maintenance_time_pformat(p, st->end)),
               json_string(p, maintenance_time_pformat(p, st->changed)),
               json_string(p, st->by), json_string(p, st->message));
    return OK;
}

static void row(request_rec *r, const char *name, const char *value)
{
    if (value) {
        ap_rprintf(r, "<tr><th>%s</th><td>%s</td></tr>\n", name,
                   maintenance_escape_html(r->pool, value));
    }
}

static const char *html_attr(const toggle_req *t, const char *name)
{
    const char *v = field(t, name);
    return v ? maintenance_escape_html(t->r->pool, v) : "";
}

static void on_form(const toggle_req *t, const char *button)
{
    ap_rprintf(t->r,
        "<form method=\"post\" action=\"%s/on\"><fieldset>\n"
        "<legend>Turn maintenance on</legend>\n"
        "<label>Message for visitors <input type=\"text\" name=\"message\" "
        "value=\"%s\"></label>\n"
        "<label>Start (UTC, empty: now) <input type=\"datetime-local\" "
        "name=\"start\" value=\"%s\"></label>\n"
        "<label>For (like 30m or 2h; empty: until turned off) "
        "<input type=\"text\" name=\"for\" value=\"%s\" size=\"8\"></label>\n"
        "<label>or until (UTC) <input type=\"datetime-local\" name=\"end\" "
        "value=\"%s\"></label>\n"
        "<button type=\"submit\">%s</button>\n</fieldset></form>\n",
        maintenance_escape_html(t->r->pool, t->base), html_attr(t, "message"),
        html_attr(t, "start"), html_attr(t, "for"), html_attr(t, "end"),
        button);
}

static void off_form(const toggle_req *t)
{
    ap_rprintf(t->r,
        "<form method=\"post\" action=\"%s/off\"><fieldset>\n"
        "<legend>Turn maintenance off</legend>\n"
        "<button type=\"submit\">Turn off</button>\n</fieldset></form>\n",
        maintenance_escape_html(t->r->pool, t->base));
}

static void state_table(request_rec *r, const maintenance_state *st)
{
    int in_force = maintenance_state_in_force(st, apr_time_now());

    ap_rprintf(r, "<p>Maintenance is <strong class=\"%s\">%s</strong>%s.</p>\n",
               in_force ? "on" : "off", in_force ? "on" : "off",
               st->on && !in_force ? " (a window is set: see its times)" : "");
    ap_rputs("<table>\n", r);
    row(r, "State", st->on ? "on" : "off");
    row(r, "Start", maintenance_time_pformat(r->pool, st->start));
    row(r, "End", maintenance_time_pformat(r->pool, st->end));
    row(r, "Changed", maintenance_time_pformat(r->pool, st->changed));
    row(r, "By", st->by);
    row(r, "Message", st->message);
    ap_rputs("</table>\n", r);
}

static int send_page(const toggle_req *t, const maintenance_state *st)
{
    request_rec *r = t->r;

    ap_set_content_type(r, "text/html; charset=utf-8");
    if (r->header_only) {
        return OK;
    }
    ap_rputs(page_head, r);
    ap_rputs("<h1>Maintenance mode</h1>\n", r);
    if (t->act == SHOW_STATUS) {
        state_table(r, st);
        on_form(t, "Turn on");
        off_form(t);
    }
    else if (t->act == TURN_ON) {
        ap_rputs("<p>Turn maintenance on? Visitors will get the "
                 "maintenance page.</p>\n", r);
        on_form(t, "Yes, turn on");
    }
    else {
        ap_rputs("<p>Turn maintenance off? The site will be served "
                 "normally.</p>\n", r);
        off_form(t);
    }
    ap_rprintf(r, "<p><a href=\"%s/\">Status</a></p>\n</body>\n</html>\n",
               maintenance_escape_html(r->pool, t->base));
    return OK;
}

static int refuse(const toggle_req *t, int status, const char *why)
{
    request_rec *r = t->r;

    if (t->json) {
        return send_json(r, status, NULL, why);
    }
    r->status = status;
    ap_set_content_type(r, "text/html; charset=utf-8");
    ap_rprintf(r, "%s<h1>%s</h1>\n<p>%s</p>\n<p><a href=\"%s/\">Status</a>"
               "</p>\n</body>\n</html>\n", page_head,
               ap_get_status_line(status) + 4,
               maintenance_escape_html(r->pool, why),
               maintenance_escape_html(r->pool, t->base));
    return OK;
}

/* The state a POST asks for, or an error text. */
static const char *requested_state(const toggle_req *t, maintenance_state *st)
{
    memset(st, 0, sizeof(*st));
    st->on = t->act == TURN_ON;
    st->changed = apr_time_now();
    st->by = t->r->user;
    if (!st->on) {
        return NULL;
    }
    st->message = field(t, "message");
    return maintenance_state_window(st, field(t, "start"), field(t, "end"),
                                    field(t, "for"), "", t->r->pool);
}

static int change_state(const toggle_req *t, maintenance_slot *slot)
{
    request_rec *r = t->r;
    const maintenance_dir_conf *dc =
        ap_get_module_config(r->per_dir_config, &maintenance_module);
    maintenance_state old, st;
    const char *err;
    apr_status_t rv;

    if (!same_origin(r)) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, MMLOG(00021)
                      "refused a cross-site POST to the toggle handler");
        return refuse(t, HTTP_FORBIDDEN, "This request comes from another "
                      "site: maintenance mode is changed from this page only.");
    }
    if (!r->user && dc->toggle_anonymous != 1) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, MMLOG(00022)
                      "refused a POST to the toggle handler without an "
                      "authenticated user");
        return refuse(t, HTTP_FORBIDDEN, "Changing maintenance mode needs an "
                      "authenticated user.");
    }
    if ((err = requested_state(t, &st))) {
        return refuse(t, HTTP_BAD_REQUEST, err);
    }
    if (maintenance_slot_fetch(slot, &old, r->pool, &err) != APR_SUCCESS) {
        old.on = -1;            /* unknown: logged as such */
    }
    if ((rv = maintenance_slot_write(slot, &st, r->pool, &err)) == APR_ENOSPC) {
        return refuse(t, HTTP_BAD_REQUEST, err);
    }
    if (rv != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, MMLOG(00023)
                      "cannot change the state: %s", err);
        return refuse(t, HTTP_INTERNAL_SERVER_ERROR, apr_pstrcat(r->pool,
                      "The state could not be written: ", err, NULL));
    }
    ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r, MMLOG(00020)
                  "maintenance turned %s by %s from %s (was %s)%s%s",
                  st.on ? "on" : "off", r->user ? r->user : "(anonymous)",
                  r->useragent_ip,
                  old.on < 0 ? "unreadable" : old.on ? "on" : "off",
                  st.end ? ", until " : "",
                  st.end ? maintenance_time_pformat(r->pool, st.end) : "");
    if (t->json) {
        return send_json(r, HTTP_OK, &st, NULL);
    }
    apr_table_setn(r->headers_out, "Location",
                   ap_construct_url(r->pool, apr_pstrcat(r->pool, t->base,
                                                         "/", NULL), r));
    return HTTP_SEE_OTHER;
}

static int __attribute__((noinline)) toggle(request_rec *r)
{
    const maintenance_server_conf *sc;
    toggle_req t = { 0 };
    maintenance_state st;
    const char *err;
    int rc;

    ap_allow_standard_methods(r, REPLACE_ALLOW, M_GET, M_POST, -1);
    if (r->method_number != M_GET && r->method_number != M_POST) {
        return HTTP_METHOD_NOT_ALLOWED;
    }
    sc = ap_get_module_config(r->server->module_config, &maintenance_module);
    t.r = r;
    t.json = maintenance_accept_prefers_json(apr_table_get(r->headers_in,
                                                           "Accept"));
    parse_path(&t);
    /* A page that changes the site must not be cached nor framed; in the
     * error headers, so that the 303 keeps them too. */
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    apr_table_setn(r->err_headers_out, "X-Frame-Options", "DENY");
    if ((rc = read_form(&t)) != OK) {
        return refuse(&t, rc, rc == HTTP_REQUEST_ENTITY_TOO_LARGE
                      ? "The form is larger than 8 KiB." : "The form could "
                      "not be read.");
    }

    if (r->method_number == M_POST) {
        if (t.act == SHOW_STATUS) {
            return HTTP_METHOD_NOT_ALLOWED;
        }
        return change_state(&t, sc->slot);
    }
    if (maintenance_slot_fetch(sc->slot, &st, r->pool, &err) != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, MMLOG(00024)
                      "cannot read the state: %s", err);
        return refuse(&t, HTTP_INTERNAL_SERVER_ERROR, apr_pstrcat(r->pool,
                      "The state could not be read: ", err, NULL));
    }
    return t.json ? send_json(r, HTTP_OK, &st, NULL) : send_page(&t, &st);
}

/* Every request of every site passes here: decline before toggle() sets
 * up its frame. */
static int toggle_handler(request_rec *r)
{
    if (!r->handler || r->handler[0] != MAINTENANCE_TOGGLE_HANDLER[0]
        || strcmp(r->handler, MAINTENANCE_TOGGLE_HANDLER)) {
        return DECLINED;
    }
    return toggle(r);
}

void maintenance_toggle_register_hooks(void)
{
    ap_hook_handler(toggle_handler, NULL, NULL, APR_HOOK_MIDDLE);
}
