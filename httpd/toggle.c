/* The toggle handler, SetHandler maintenance-toggle: Django's
 * maintenance_mode.urls.
 *
 *   GET  .../         the state, and forms to change it (JSON if preferred)
 *   GET  .../on|off   a page that asks to confirm: a GET never changes it
 *   POST .../on|off   change it, then 303 to the status page (or JSON)
 *   GET  .../metrics  the server's counters, as Prometheus text
 *
 * A POST must come from this site and, unless MaintenanceToggleAnonymous
 * says otherwise, from an authenticated user. */
#include <http_core.h>
#include <http_protocol.h>
#include <http_request.h>
#include <mod_core.h>
#include <apr_strings.h>
#include <apr_uri.h>

#include "toggle.h"
#include "accept.h"
#include "cache.h"
#include "form.h"
#include "json.h"
#include "report.h"
#include "state.h"
#include "template.h"
#include "timefmt.h"

APLOG_USE_MODULE(maintenance);

#define FORM_MAX 8192

typedef enum { SHOW_STATUS, SHOW_METRICS, TURN_ON, TURN_OFF } action;

typedef struct {
    request_rec *r;
    const char *base;          /* the location's URL-path, no final slash,
                                * URL-escaped: every URL written starts so */
    action act;
    int json;
    apr_table_t *form;         /* query and body fields */
} toggle_req;

/* The toggle page's style, after the shared one. */
static const char page_style[] =
    "table{border-collapse:collapse}th,td{text-align:left;padding:.2em 1em .2em 0}\n"
    "fieldset{margin:1em 0;border:1px solid #ccc}label{display:block;margin:.4em 0}\n"
    "input[type=text]{width:100%;box-sizing:border-box}\n"
    "button{font-size:1em;padding:.4em 1.2em}.on{color:#b00}.off{color:#070}\n";

static const char *page_head(request_rec *r)
{
    return maintenance_html_head(r->pool, "Maintenance mode", page_style);
}

/* Sections SetHandler may sit in without changing the place it applies
 * to: the ones httpd reads at start-up (<IfModule>, <IfDefine>...). */
static int transparent(const char *section)
{
    return !strncasecmp(section, "<If", 3) && strcasecmp(section, "<If");
}

const char *maintenance_toggle_configure(cmd_parms *cmd,
                                         maintenance_dir_conf *dc)
{
    const ap_directive_t *d = cmd->directive ? cmd->directive->parent : NULL;
    const char *path = cmd->path;
    apr_size_t n;

    /* httpd's own test for .htaccess (ap_check_cmd_context): whoever may
     * write one must not get a switch for every site of the server. */
    if (cmd->pool == cmd->temp_pool) {
        dc->toggle_scope = MAINTENANCE_TOGGLE_HTACCESS;
        dc->toggle_base = NULL;
        return NULL;
    }
    while (d && transparent(d->directive)) {
        d = d->parent;
    }
    if (!d || !strcasecmp(d->directive, "<VirtualHost")) {
        dc->toggle_scope = MAINTENANCE_TOGGLE_URL;
        path = "";
    }
    else if (!strcasecmp(d->directive, "<Location") && d->args[0] != '~') {
        dc->toggle_scope = MAINTENANCE_TOGGLE_URL;
    }
    else if (!strcasecmp(d->directive, "<Directory") && d->args[0] != '~') {
        dc->toggle_scope = MAINTENANCE_TOGGLE_DIR;
    }
    else {
        return apr_psprintf(cmd->pool, "SetHandler %s: put it in a "
                            "<Location> or <Directory> with a plain path, not "
                            "in %s>", MAINTENANCE_TOGGLE_HANDLER,
                            d->directive);
    }
    n = strlen(path);
    while (n && path[n - 1] == '/') {
        n--;
    }
    dc->toggle_base = apr_pstrmemdup(cmd->pool, path, n);
    return NULL;
}

int maintenance_toggle_here(request_rec *r, const maintenance_dir_conf *dc)
{
    return r->handler && r->handler[0] == MAINTENANCE_TOGGLE_HANDLER[0]
        && !strcmp(r->handler, MAINTENANCE_TOGGLE_HANDLER)
        && (dc->toggle_scope == MAINTENANCE_TOGGLE_URL
            || dc->toggle_scope == MAINTENANCE_TOGGLE_DIR);
}

/* The request's path below the toggle's place and, in *base, the URL-path
 * of that place; NULL when the request is not below it. */
static const char *sub_path(request_rec *r, const maintenance_dir_conf *dc,
                            const char **base)
{
    apr_size_t n = strlen(dc->toggle_base), ulen, slen;
    const char *sub;

    if (dc->toggle_scope == MAINTENANCE_TOGGLE_URL) {
        *base = dc->toggle_base;
        return strncmp(r->uri, dc->toggle_base, n) ? NULL : r->uri + n;
    }
    /* A directory: the file path below it, which the URL ends with. */
    sub = apr_pstrcat(r->pool, r->filename ? r->filename : "",
                      r->path_info, NULL);
    if (strncmp(sub, dc->toggle_base, n)) {
        return NULL;
    }
    sub += n;
    ulen = strlen(r->uri);
    slen = strlen(sub);
    if (slen > ulen || strcmp(r->uri + ulen - slen, sub)) {
        return NULL;
    }
    *base = apr_pstrmemdup(r->pool, r->uri, ulen - slen);
    return sub;
}

/* What the request asks of the toggle: its sub-path says, and only its
 * own sub-paths exist. Returns OK, or the status to answer with. */
static int parse_path(toggle_req *t, const maintenance_dir_conf *dc)
{
    const char *base, *sub = sub_path(t->r, dc, &base);

    if (!sub) {
        return HTTP_NOT_FOUND;
    }
    if (!*sub || !strcmp(sub, "/")) {
        t->act = SHOW_STATUS;
    }
    else if (!strcmp(sub, "/on")) {
        t->act = TURN_ON;
    }
    else if (!strcmp(sub, "/off")) {
        t->act = TURN_OFF;
    }
    else if (!strcmp(sub, "/metrics")) {
        t->act = SHOW_METRICS;
    }
    else {
        return HTTP_NOT_FOUND;
    }
    t->base = ap_escape_uri(t->r->pool, base);
    return OK;
}

/* The body of a form POST: at most FORM_MAX bytes, NUL-terminated. A body
 * of another type has no fields. Returns OK or the status to refuse the
 * request with. */
static int read_body(request_rec *r, char **text, apr_size_t *len)
{
    const char *type = apr_table_get(r->headers_in, "Content-Type");
    apr_off_t n = 0;
    long got;
    int rc;

    *text = "";
    *len = 0;
    if (!type || strncasecmp(type, "application/x-www-form-urlencoded", 33)) {
        return ap_discard_request_body(r);
    }
    if ((rc = ap_setup_client_block(r, REQUEST_CHUNKED_DECHUNK)) != OK
        || !ap_should_client_block(r)) {
        return rc;
    }
    if (r->remaining > FORM_MAX) {
        return HTTP_REQUEST_ENTITY_TOO_LARGE;
    }
    *text = apr_palloc(r->pool, FORM_MAX + 1);
    while ((got = ap_get_client_block(r, *text + n, FORM_MAX + 1 - n)) > 0) {
        if ((n += got) > FORM_MAX) {
            return HTTP_REQUEST_ENTITY_TOO_LARGE;
        }
    }
    if (got < 0) {
        return HTTP_BAD_REQUEST;
    }
    (*text)[n] = '\0';
    *len = (apr_size_t)n;
    return OK;
}

/* The query's fields, then the body's. Returns NULL or why they cannot be
 * read; *status is then the status to refuse the request with. */
static const char *read_form(toggle_req *t, int *status)
{
    request_rec *r = t->r;
    const char *err = NULL;
    char *body;
    apr_size_t len;

    t->form = apr_table_make(r->pool, 8);
    *status = HTTP_BAD_REQUEST;
    if (r->args) {
        err = maintenance_form_parse(t->form, r->args, strlen(r->args),
                                     r->pool);
    }
    if (err || r->method_number != M_POST) {
        return err;
    }
    if ((*status = read_body(r, &body, &len)) != OK) {
        return *status == HTTP_REQUEST_ENTITY_TOO_LARGE
               ? "The form is larger than 8 KiB." : "The form could not be "
               "read.";
    }
    *status = HTTP_BAD_REQUEST;
    return maintenance_form_parse(t->form, body, len, r->pool);
}

static const char *field(const toggle_req *t, const char *name)
{
    const char *v = apr_table_get(t->form, name);
    return v && *v ? v : NULL;
}

/* Whether host names server s: its ServerName, a ServerAlias, the
 * address the request came in on, or localhost on a loopback address. Never the request's own Host: a page
 * whose name an attacker points at this server (DNS rebinding) sends a
 * Host and an Origin that match each other. */
static int our_host(request_rec *r, const char *host)
{
    server_rec *s = r->server;
    int i;

    if (!strcasecmp(host, s->server_hostname)
        || !strcmp(host, r->connection->local_ip)) {
        return 1;
    }
    /* Only this machine can serve a page as localhost to a browser that
     * reached us on a loopback address. */
    if (!strcasecmp(host, "localhost")
        && (!strncmp(r->connection->local_ip, "127.", 4)
            || !strcmp(r->connection->local_ip, "::1"))) {
        return 1;
    }
    for (i = 0; s->names && i < s->names->nelts; i++) {
        if (!strcasecmp(host, APR_ARRAY_IDX(s->names, i, const char *))) {
            return 1;
        }
    }
    for (i = 0; s->wild_names && i < s->wild_names->nelts; i++) {
        if (!ap_strcasecmp_match(host,
                                 APR_ARRAY_IDX(s->wild_names, i, const char *))) {
            return 1;
        }
    }
    return 0;
}

/* Whether origin ("scheme://host[:port]") is this site: the scheme httpd
 * knows it by (ServerName https://... behind a proxy), one of its names,
 * and the port of ServerName or, without one, the port the request came
 * in on. */
static int our_origin(request_rec *r, const char *origin)
{
    const char *scheme = ap_http_scheme(r);
    apr_port_t port = r->server->port ? r->server->port
                      : r->server->server_scheme ? ap_default_port(r)
                      : r->connection->local_addr->port;
    apr_uri_t uri;

    if (apr_uri_parse(r->pool, origin, &uri) != APR_SUCCESS || !uri.scheme
        || !uri.hostname || (uri.path && *uri.path) || uri.query
        || uri.user || strcasecmp(uri.scheme, scheme)) {
        return 0;
    }
    if (!uri.port) {
        uri.port = apr_uri_port_of_scheme(uri.scheme);
    }
    return uri.port == port && our_host(r, uri.hostname);
}

/* A browser says where a POST comes from; other clients say nothing. */
static int same_origin(request_rec *r)
{
    const char *origin = apr_table_get(r->headers_in, "Origin");
    const char *site = apr_table_get(r->headers_in, "Sec-Fetch-Site");

    if (site && strcasecmp(site, "same-origin") && strcasecmp(site, "none")) {
        return 0;
    }
    return !origin || our_origin(r, origin);
}

static int send_json(request_rec *r, int status, const maintenance_state *st,
                     maintenance_slot *slot, const char *error)
{
    apr_pool_t *p = r->pool;
    maintenance_json j;

    r->status = status;
    ap_set_content_type(r, "application/json");
    maintenance_json_begin(&j, p);
    if (error) {
        maintenance_json_str(&j, "error", error);
    }
    else {
        maintenance_json_str(&j, "state", st->on ? "on" : "off");
        maintenance_json_raw(&j, "in_force",
                             maintenance_state_in_force(st, apr_time_now())
                             ? "true" : "false");
        maintenance_json_str(&j, "start",
                             maintenance_time_pformat(p, st->start));
        maintenance_json_str(&j, "end", maintenance_time_pformat(p, st->end));
        maintenance_json_str(&j, "changed",
                             maintenance_time_pformat(p, st->changed));
        maintenance_json_str(&j, "by", st->by);
        maintenance_json_str(&j, "message", st->message);
        maintenance_json_raw(&j, "metrics",
                             maintenance_report_json(slot, p));
    }
    ap_rputs(maintenance_json_end(&j), r);
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
    ap_rputs(page_head(r), r);
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
        return send_json(r, status, NULL, NULL, why);
    }
    r->status = status;
    ap_set_content_type(r, "text/html; charset=utf-8");
    ap_rprintf(r, "%s<h1>%s</h1>\n<p>%s</p>\n<p><a href=\"%s/\">Status</a>"
               "</p>\n</body>\n</html>\n", page_head(r),
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
    maintenance_state old, st, stored;
    const char *err;
    apr_status_t rv;

    if (!same_origin(r)) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, MMLOG(00021)
                      "refused a cross-site POST to the toggle handler");
        return refuse(t, HTTP_FORBIDDEN, "This request comes from another "
                      "site: maintenance mode is changed from this page only.");
    }
    if (!r->user && !maintenance_toggle_anonymous(dc)) {
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
    rv = maintenance_slot_write(slot, &st, &stored, r->pool, &err);
    if (rv == APR_ENOSPC || rv == APR_EINVAL) {
        return refuse(t, HTTP_BAD_REQUEST, err);
    }
    if (rv != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, MMSTATUS(rv), r, MMLOG(00023)
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
        /* What the store holds now, as every reader will see it. */
        if (maintenance_slot_fetch(slot, &st, r->pool, &err) != APR_SUCCESS) {
            st = stored;
        }
        return send_json(r, HTTP_OK, &st, slot, NULL);
    }
    apr_table_setn(r->headers_out, "Location",
                   ap_construct_url(r->pool, apr_pstrcat(r->pool, t->base,
                                                         "/", NULL), r));
    return HTTP_SEE_OTHER;
}

static int __attribute__((noinline)) toggle(request_rec *r)
{
    const maintenance_server_conf *sc;
    const maintenance_dir_conf *dc;
    toggle_req t = { 0 };
    maintenance_state st;
    const char *err;
    apr_status_t rv;
    int rc;

    dc = ap_get_module_config(r->per_dir_config, &maintenance_module);
    if (dc->toggle_scope != MAINTENANCE_TOGGLE_URL
        && dc->toggle_scope != MAINTENANCE_TOGGLE_DIR) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, MMLOG(00025)
                      "refused the toggle handler for %s: it works only "
                      "where SetHandler %s in the server's configuration "
                      "puts it (%s)", r->uri, MAINTENANCE_TOGGLE_HANDLER,
                      dc->toggle_scope == MAINTENANCE_TOGGLE_HTACCESS
                      ? "this one is from an .htaccess file"
                      : "this one was set otherwise");
        return HTTP_NOT_FOUND;
    }
    sc = ap_get_module_config(r->server->module_config, &maintenance_module);
    t.r = r;
    t.json = maintenance_accept_prefers_json(apr_table_get(r->headers_in,
                                                           "Accept"));
    if ((rc = parse_path(&t, dc)) != OK) {
        return rc;
    }
    ap_allow_standard_methods(r, REPLACE_ALLOW, M_GET, M_POST, M_OPTIONS, -1);
    if (r->method_number == M_OPTIONS) {
        return ap_send_http_options(r);
    }
    if (r->method_number != M_GET && r->method_number != M_POST) {
        return HTTP_METHOD_NOT_ALLOWED;
    }
    /* A page that changes the site must not be cached nor framed; in the
     * error headers, so that the 303 keeps them too. */
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    apr_table_setn(r->err_headers_out, "X-Frame-Options", "DENY");
    if ((err = read_form(&t, &rc)) != NULL) {
        return refuse(&t, rc, err);
    }

    if (r->method_number == M_POST) {
        if (t.act == SHOW_STATUS || t.act == SHOW_METRICS) {
            return HTTP_METHOD_NOT_ALLOWED;
        }
        return change_state(&t, sc->slot);
    }
    if (t.act == SHOW_METRICS) {
        return maintenance_report_metrics(r, sc->slot);
    }
    if ((rv = maintenance_slot_fetch(sc->slot, &st, r->pool, &err))
        != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, MMSTATUS(rv), r, MMLOG(00024)
                      "cannot read the state: %s", err);
        return refuse(&t, HTTP_INTERNAL_SERVER_ERROR, apr_pstrcat(r->pool,
                      "The state could not be read: ", err, NULL));
    }
    return t.json ? send_json(r, HTTP_OK, &st, sc->slot, NULL)
                  : send_page(&t, &st);
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
