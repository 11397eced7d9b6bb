/* The toggle handler, SetHandler maintenance-toggle: Django's
 * maintenance_mode.urls.
 *
 *   GET  .../         the state, and forms to change it (JSON if preferred)
 *   GET  .../on|off   a page that asks to confirm: a GET never changes it
 *   POST .../on|off   change it, then 303 to the status page (or JSON)
 *   GET  .../metrics  the server's counters, as Prometheus text
 *   GET  .../preview  the page visitors get in maintenance, status 200
 *   POST .../bypass   a new bypass link (with MaintenanceBypassKey)
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
#include "links.h"
#include "report.h"
#include "response.h"
#include "state.h"
#include "template.h"
#include "timefmt.h"

APLOG_USE_MODULE(maintenance);

#define FORM_MAX 8192

typedef enum {
    SHOW_STATUS, SHOW_METRICS, SHOW_PREVIEW, TURN_ON, TURN_OFF, MAKE_LINK
} action;

typedef struct {
    request_rec *r;
    const maintenance_server_conf *sc;
    const char *base;          /* the location's URL-path, no final slash,
                                * URL-escaped: every URL written starts so */
    action act;
    int json;
    apr_table_t *form;         /* query and body fields */
} toggle_req;

/* The toggle page's style, after the shared one: a banner whose colour
 * and words say what visitors get, buttons and fields of 44 px. */
static const char page_style[] =
    "h2{font-size:1.25rem;margin:0 0 .75rem}\n"
    "section{margin:0 0 2rem}\n"
    ".banner{border:2px solid var(--b);border-left-width:.75rem;"
    "border-radius:.5rem;padding:1rem;margin:0 0 .75rem;"
    "background:var(--bb)}\n"
    ".banner h2{font-size:1.5rem;margin:0 0 .25rem}\n"
    ".banner p{margin:0}\n"
    ".st-on{--b:#b3261e;--bb:#fdecea}.st-ro{--b:#a15c00;--bb:#fff3dc}\n"
    ".st-sched{--b:#1a56c4;--bb:#e7effd}.st-off{--b:#1e7b34;--bb:#e6f4e9}\n"
    "@media (prefers-color-scheme:dark){"
    ".st-on{--b:#f28b82;--bb:#3b1714}.st-ro{--b:#fdd663;--bb:#3a2a05}"
    ".st-sched{--b:#8ab4f8;--bb:#14233f}.st-off{--b:#81c995;--bb:#10291a}}\n"
    ".now,.hint,.local,.ago{color:var(--muted)}\n"
    "h2 .local{font-size:1rem;font-weight:400}\n"
    "fieldset p.hint{margin:0 0 1rem}\n"
    ".now{margin:0 0 2rem;font-size:.9375rem}\n"
    ".buttons{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center;"
    "margin:0 0 1.25rem}\n"
    ".buttons form{margin:0}\n"
    "button,.button{display:inline-flex;align-items:center;min-height:44px;"
    "padding:.5rem 1.25rem;font:inherit;font-weight:600;border-radius:.5rem;"
    "border:2px solid var(--link);background:var(--link);color:var(--card);"
    "cursor:pointer;text-decoration:none}\n"
    "button.secondary,.button{background:transparent;color:var(--link)}\n"
    "fieldset{border:1px solid var(--line);border-radius:.5rem;"
    "padding:1rem;margin:0 0 1.25rem;background:var(--card)}\n"
    "legend{font-weight:600;padding:0 .25rem}\n"
    "label{display:block;margin:0 0 1rem}\n"
    "input[type=text]{display:block;width:100%;"
    "min-height:44px;margin-top:.25rem;padding:.5rem;font:inherit;"
    "color:inherit;background:var(--bg);border:1px solid var(--muted);"
    "border-radius:.375rem}\n"
    "label.check{display:flex;gap:.75rem;align-items:flex-start;"
    "min-height:44px}\n"
    "input[type=checkbox]{width:1.5rem;height:1.5rem;margin:.125rem 0 0;"
    "flex:none}\n"
    "table{border-collapse:collapse;width:100%}\n"
    "th,td{text-align:left;vertical-align:top;padding:.5rem .75rem .5rem 0;"
    "border-bottom:1px solid var(--line)}\n"
    "th{width:6.5rem}\n";

static const char *page_head(request_rec *r)
{
    return maintenance_html_head(r->pool, "Maintenance mode", page_style);
}

/* The end of every page: a link back to the status page (but on it),
 * and the script that adds the reader's own time to the UTC ones. */
static void page_end(const toggle_req *t, int back)
{
    if (back) {
        ap_rprintf(t->r, "<p><a href=\"%s/\">Back to the status page</a>"
                   "</p>\n", maintenance_escape_html(t->r->pool, t->base));
    }
    ap_rputs("</main>\n", t->r);
    ap_rputs(maintenance_page_script, t->r);
    ap_rputs("</body>\n</html>\n", t->r);
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
    else if (!strcmp(sub, "/preview")) {
        t->act = SHOW_PREVIEW;
    }
    else if (!strcmp(sub, "/bypass") && t->sc->bypass_key) {
        t->act = MAKE_LINK;
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
        maintenance_json_state(&j, st, apr_time_now());
        maintenance_json_raw(&j, "metrics",
                             maintenance_report_json(slot, p));
    }
    ap_rputs(maintenance_json_end(&j), r);
    return OK;
}

/* t as a <time> element: its words in UTC, and ISO 8601 in its datetime
 * for the script. Both are the module's own text: nothing to escape. */
static const char *time_element(apr_pool_t *p, apr_time_t t)
{
    return apr_pstrcat(p, "<time datetime=\"", maintenance_time_pformat(p, t),
                       "\">", maintenance_time_utc(p, t), "</time>", NULL);
}

/* How far t is from now, then t: "in about 45 minutes, at <time>". */
static const char *words_and_time(apr_pool_t *p, apr_time_t t,
                                  apr_time_t now)
{
    return apr_pstrcat(p, maintenance_time_words(p, t, now), ", at ",
                       time_element(p, t), NULL);
}

/* t as a time field's value, to the minute: UTC without a zone, as the
 * field's label says and as the handler takes a time without one; NULL
 * for none. A plain text field: a browser's date picker would show it in
 * the visitor's own format under a label that says UTC. */
static const char *field_time(apr_pool_t *p, apr_time_t t)
{
    return t ? apr_pstrndup(p, maintenance_time_pformat(p, t),
                            sizeof("2026-11-22T10:00") - 1) : NULL;
}

/* s escaped for an attribute, "" for none. */
static const char *attr(apr_pool_t *p, const char *s)
{
    return s ? maintenance_escape_html(p, s) : "";
}

static void hidden(request_rec *r, const char *name, const char *value)
{
    ap_rprintf(r, "<input type=\"hidden\" name=\"%s\" value=\"%s\">\n", name,
               maintenance_escape_html(r->pool, value));
}

/* What visitors get now, in words and in colour: the first thing read. */
static void banner(request_rec *r, const maintenance_state *st,
                   apr_time_t now)
{
    apr_pool_t *p = r->pool;
    const char *class, *title, *what;

    if (maintenance_state_in_force(st, now)) {
        class = st->read_only ? "st-ro" : "st-on";
        title = st->read_only ? "Read-only" : "In maintenance";
        what = apr_pstrcat(p, st->read_only
                           ? "Visitors can read the site; a change (a POST, "
                             "a PUT...) gets the maintenance page"
                           : "Visitors get the maintenance page (status 503)",
                           st->end ? apr_pstrcat(p, ". It ends ",
                                                 words_and_time(p, st->end,
                                                                now), NULL)
                           : " until it is turned off", ".", NULL);
    }
    else if (maintenance_state_pending(st, now)) {
        class = "st-sched";
        title = apr_pstrcat(p, "Scheduled from ", time_element(p, st->start),
                            NULL);
        what = apr_pstrcat(p, st->read_only ? "Read-only maintenance"
                           : "Maintenance", " starts ",
                           maintenance_time_words(p, st->start, now),
                           st->end ? apr_pstrcat(p, " and ends at ",
                                                 time_element(p, st->end),
                                                 NULL)
                           : " and lasts until it is turned off",
                           ". Until then, visitors get the site as usual.",
                           NULL);
    }
    else {
        class = "st-off";
        title = "Off (site is up)";
        what = st->on ? apr_pstrcat(p, "Visitors get the site as usual: the "
                                    "last window ended ",
                                    words_and_time(p, st->end, now), ".",
                                    NULL)
               : "Visitors get the site as usual.";
    }
    ap_rprintf(r, "<section class=\"banner %s\" aria-labelledby=\"state\">\n"
               "<h2 id=\"state\">%s</h2>\n<p>%s</p>\n</section>\n"
               "<p class=\"now\">Times are UTC. It is now %s.</p>\n",
               class, title, what, time_element(p, now));
}

/* What the form that turns maintenance on, or changes its window, shows:
 * values as typed or stored, NULL for empty. */
typedef struct {
    const char *legend, *button;
    const char *message, *start, *dur, *end;
    int read_only;
    int change;               /* a window set: no "for", which would clash
                               * with its end, and no start once begun */
} on_fields;

static void on_form(const toggle_req *t, const on_fields *f)
{
    request_rec *r = t->r;
    apr_pool_t *p = r->pool;
    const char *base = maintenance_escape_html(p, t->base);

    ap_rprintf(r, "<form method=\"post\" action=\"%s/on\"><fieldset>\n"
               "<legend>%s</legend>\n"
               "<label>Message for visitors <span class=\"hint\">(empty: "
               "the default one)</span>\n"
               "<input type=\"text\" name=\"message\" value=\"%s\"></label>\n",
               base, f->legend, attr(p, f->message));
    if (!f->change || f->start) {
        ap_rprintf(r, "<label>Start, UTC <span class=\"hint\">(empty: now)"
                   "</span>\n<input type=\"text\" placeholder=\"2026-11-22T22:00\" "
                   "name=\"start\" value=\"%s\"></label>\n",
                   attr(p, f->start));
    }
    if (!f->change) {
        ap_rprintf(r, "<label>For <span class=\"hint\">(like 30m or 2h; "
                   "empty: until turned off)</span>\n<input type=\"text\" "
                   "name=\"for\" value=\"%s\" size=\"8\"></label>\n",
                   attr(p, f->dur));
    }
    ap_rprintf(r, "<label>%s, UTC <span class=\"hint\">(empty: until turned "
               "off)</span>\n<input type=\"text\" placeholder=\"2026-11-22T22:00\" "
               "name=\"end\" value=\"%s\"></label>\n"
               "<label class=\"check\"><input type=\"checkbox\" name=\"mode\" "
               "value=\"read-only\"%s>\n<span>Read-only: visitors can still "
               "read the site; only changes (a POST, a PUT...) get the "
               "maintenance page</span></label>\n"
               "<div class=\"buttons\"><button type=\"submit\">%s</button>\n"
               "<button type=\"submit\" class=\"secondary\" formaction=\"%s/"
               "preview\" formmethod=\"get\" formnovalidate>%s</button>"
               "</div>\n</fieldset></form>\n",
               f->change ? "Until" : "Or until", attr(p, f->end),
               f->read_only ? " checked" : "", f->button, base,
               f->change ? "Preview with these changes" : "Preview the page");
}

/* A button that stores the window as it is, with an end d later. */
static void extend_form(const toggle_req *t, const maintenance_state *st,
                        apr_interval_time_t d, const char *button)
{
    request_rec *r = t->r;

    ap_rprintf(r, "<form method=\"post\" action=\"%s/on\">\n",
               maintenance_escape_html(r->pool, t->base));
    if (st->message) {
        hidden(r, "message", st->message);
    }
    if (st->start) {
        hidden(r, "start", maintenance_time_pformat(r->pool, st->start));
    }
    hidden(r, "end", maintenance_time_pformat(r->pool, st->end + d));
    if (st->read_only) {
        hidden(r, "mode", "read-only");
    }
    ap_rprintf(r, "<button type=\"submit\" class=\"secondary\">%s</button>\n"
               "</form>\n", button);
}

static void off_form(const toggle_req *t)
{
    ap_rprintf(t->r,
        "<form method=\"post\" action=\"%s/off\"><fieldset>\n"
        "<legend>Turn maintenance off</legend>\n"
        "<div class=\"buttons\"><button type=\"submit\">Turn off</button>"
        "</div>\n</fieldset></form>\n",
        maintenance_escape_html(t->r->pool, t->base));
}

static void bypass_form(const toggle_req *t)
{
    ap_rprintf(t->r,
        "<form method=\"post\" action=\"%s/bypass\"><fieldset>\n"
        "<legend>Bypass link</legend>\n"
        "<p class=\"hint\">A link that lets one person see the site during "
        "maintenance.</p>\n"
        "<label>For whom <input type=\"text\" name=\"label\" "
        "maxlength=\"%d\"></label>\n"
        "<label>Valid for <span class=\"hint\">(like 12h or 2d; 30d at "
        "most)</span>\n<input type=\"text\" name=\"for\" value=\"12h\">"
        "</label>\n"
        "<div class=\"buttons\"><button type=\"submit\">Make a link</button>"
        "</div>\n</fieldset></form>\n",
        maintenance_escape_html(t->r->pool, t->base),
        MAINTENANCE_BYPASS_LABEL_MAX);
}

/* A time of the stored state: when, then how far from now. */
static const char *time_cell(apr_pool_t *p, apr_time_t t, apr_time_t now)
{
    return t ? apr_pstrcat(p, time_element(p, t), "<br>\n<span class=\"ago\">",
                           maintenance_time_words(p, t, now), "</span>", NULL)
             : NULL;
}

/* A row of the stored state, html already escaped; none without it. */
static void row(request_rec *r, const char *name, const char *html)
{
    if (html) {
        ap_rprintf(r, "<tr><th scope=\"row\">%s</th><td>%s</td></tr>\n", name,
                   html);
    }
}

static void details(request_rec *r, const maintenance_state *st,
                    apr_time_t now)
{
    apr_pool_t *p = r->pool;

    ap_rputs("<section aria-labelledby=\"details\">\n"
             "<h2 id=\"details\">The stored state</h2>\n<table>\n", r);
    row(r, "State", st->on ? "on" : "off");
    row(r, "Mode", st->on ? (st->read_only ? "read-only" : "full") : NULL);
    row(r, "Start", time_cell(p, st->start, now));
    row(r, "End", time_cell(p, st->end, now));
    row(r, "Changed", time_cell(p, st->changed, now));
    row(r, "By", st->by ? maintenance_escape_html(p, st->by) : NULL);
    row(r, "Message", st->message ? maintenance_escape_html(p, st->message)
                                  : NULL);
    ap_rputs("</table>\n</section>\n", r);
}

/* The status page: what visitors get, then only what makes sense from
 * there: turn on when off; turn off, extend or change when on; cancel or
 * change a window ahead. */
static void status_page(const toggle_req *t, const maintenance_state *st)
{
    request_rec *r = t->r;
    apr_pool_t *p = r->pool;
    apr_time_t now = apr_time_now();
    int in_force = maintenance_state_in_force(st, now);
    const char *base = maintenance_escape_html(p, t->base);
    on_fields f = { 0 };

    banner(r, st, now);
    ap_rputs("<section aria-labelledby=\"actions\">\n"
             "<h2 id=\"actions\">Actions</h2>\n", r);
    if (maintenance_state_pending(st, now)) {
        ap_rprintf(r, "<div class=\"buttons\">\n<form method=\"post\" "
                   "action=\"%s/off\"><button type=\"submit\">%s</button>"
                   "</form>\n", base,
                   in_force ? "Turn off" : "Cancel the schedule");
        if (in_force && st->end) {
            extend_form(t, st, apr_time_from_sec(15 * 60), "Extend by 15 min");
            extend_form(t, st, apr_time_from_sec(60 * 60), "Extend by 1 hour");
        }
        ap_rprintf(r, "<a class=\"button\" href=\"%s/preview\">Preview the "
                   "maintenance page</a>\n</div>\n", base);
        f.legend = in_force ? "Change the message or the end"
                            : "Change the schedule";
        f.button = "Save the changes";
        f.start = in_force ? NULL : field_time(p, st->start);
        f.end = field_time(p, st->end);
        f.read_only = st->read_only;
        f.change = 1;
    }
    else {
        f.legend = "Turn maintenance on";
        f.button = "Turn on";
    }
    f.message = st->message;
    on_form(t, &f);
    ap_rputs("</section>\n", r);
    if (t->sc->bypass_key) {
        bypass_form(t);
    }
    details(r, st, now);
}

/* The confirmation page of a GET on: the link's fields, kept. */
static void confirm_on(const toggle_req *t)
{
    const char *mode = field(t, "mode");
    on_fields f = { 0 };

    f.legend = "Turn maintenance on";
    f.button = "Yes, turn on";
    f.message = field(t, "message");
    f.start = field(t, "start");
    f.dur = field(t, "for");
    f.end = field(t, "end");
    f.read_only = mode && !strcmp(mode, "read-only");
    ap_rputs("<p>Turn maintenance on? Visitors will get the maintenance "
             "page.</p>\n", t->r);
    on_form(t, &f);
}

static int send_page(const toggle_req *t, const maintenance_state *st)
{
    request_rec *r = t->r;

    ap_set_content_type(r, "text/html; charset=utf-8");
    if (r->header_only) {
        return OK;
    }
    ap_rputs(page_head(r), r);
    ap_rputs("<main>\n<h1>Maintenance mode</h1>\n", r);
    if (t->act == SHOW_STATUS) {
        status_page(t, st);
    }
    else if (t->act == TURN_ON) {
        confirm_on(t);
    }
    else {
        ap_rputs("<p>Turn maintenance off? The site will be served "
                 "normally.</p>\n", r);
        off_form(t);
    }
    page_end(t, t->act != SHOW_STATUS);
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
    ap_rprintf(r, "%s<main>\n<h1>%s</h1>\n<p>%s</p>\n", page_head(r),
               ap_get_status_line(status) + 4,
               maintenance_escape_html(r->pool, why));
    page_end(t, 1);
    return OK;
}

/* The state the fields ask for, on or off, or an error text. */
static const char *requested_state(const toggle_req *t, int on,
                                   maintenance_state *st)
{
    const char *mode = field(t, "mode"), *err;

    memset(st, 0, sizeof(*st));
    st->on = on;
    st->changed = apr_time_now();
    st->by = t->r->user;
    if (!st->on) {
        return NULL;
    }
    st->message = field(t, "message");
    if (mode && (err = maintenance_mode_parse(mode, &st->read_only))) {
        return apr_psprintf(t->r->pool, "mode '%s': %s", mode, err);
    }
    return maintenance_state_window(st, field(t, "start"), field(t, "end"),
                                    field(t, "for"), "", t->r->pool);
}

/* Why a POST may not act, or NULL: it must come from this site, and from
 * an authenticated user (unless MaintenanceToggleAnonymous allows anyone). */
static const char *post_refused(const toggle_req *t)
{
    request_rec *r = t->r;
    const maintenance_dir_conf *dc =
        ap_get_module_config(r->per_dir_config, &maintenance_module);

    if (!same_origin(r)) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, MMLOG(00021)
                      "refused a cross-site POST to the toggle handler");
        return "This request comes from another site: maintenance mode is "
               "changed from this page only.";
    }
    if (!r->user && !maintenance_toggle_anonymous(dc)) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, MMLOG(00022)
                      "refused a POST to the toggle handler without an "
                      "authenticated user");
        return "Changing maintenance mode needs an authenticated user.";
    }
    return NULL;
}

static int change_state(const toggle_req *t, maintenance_slot *slot)
{
    request_rec *r = t->r;
    maintenance_state old, st, stored;
    const char *err;
    apr_status_t rv;

    if ((err = post_refused(t)) != NULL) {
        return refuse(t, HTTP_FORBIDDEN, err);
    }
    if ((err = requested_state(t, t->act == TURN_ON, &st))) {
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
                  "maintenance turned %s%s by %s from %s (was %s)%s%s",
                  st.on ? "on" : "off", st.read_only ? " (read-only)" : "",
                  r->user ? r->user : "(anonymous)",
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

/* A new bypass link, shown whole so that it can be copied. */
static int make_link(const toggle_req *t)
{
    request_rec *r = t->r;
    const char *dur = field(t, "for"), *label = field(t, "label");
    apr_interval_time_t d = MAINTENANCE_BYPASS_DEFAULT_FOR;
    const char *err = NULL, *path, *link, *expires;

    if ((err = post_refused(t)) != NULL) {
        return refuse(t, HTTP_FORBIDDEN, err);
    }
    if (dur && *dur && (err = maintenance_duration_parse(dur, &d)) != NULL) {
        return refuse(t, HTTP_BAD_REQUEST,
                      apr_psprintf(r->pool, "for '%s': %s", dur, err));
    }
    path = maintenance_bypass_new_link(t->sc, d, label ? label : "",
                                       r->request_time, r->pool, &err);
    if (!path) {
        return refuse(t, HTTP_BAD_REQUEST, err);
    }
    link = ap_construct_url(r->pool, path, r);
    expires = maintenance_time_pformat(r->pool, r->request_time + d);
    ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r, MMLOG(00042)
                  "bypass link \"%s\" made by %s, valid until %s",
                  ap_escape_logitem(r->pool, label ? label : ""),
                  r->user ? r->user : "(anonymous)", expires);
    if (t->json) {
        maintenance_json j;

        ap_set_content_type(r, "application/json");
        maintenance_json_begin(&j, r->pool);
        maintenance_json_str(&j, "link", link);
        maintenance_json_str(&j, "expires", expires);
        ap_rputs(maintenance_json_end(&j), r);
        return OK;
    }
    ap_set_content_type(r, "text/html; charset=utf-8");
    ap_rputs(page_head(r), r);
    ap_rprintf(r, "<main>\n<h1>Bypass link</h1>\n<p>Valid until %s. Whoever "
               "opens it sees the site during maintenance:</p>\n"
               "<p><input type=\"text\" readonly value=\"%s\" "
               "aria-label=\"Bypass link\"></p>\n",
               time_element(r->pool, r->request_time + d),
               maintenance_escape_html(r->pool, link));
    page_end(t, 1);
    return OK;
}

/* Whether the query describes a window: the status page's "Preview"
 * button sends every field of its form, empty or not. */
static int window_asked(const toggle_req *t)
{
    static const char *const names[] = { "message", "start", "for", "end",
                                         "mode" };
    apr_size_t i;

    for (i = 0; i < sizeof(names) / sizeof(*names); i++) {
        if (apr_table_get(t->form, names[i])) {
            return 1;
        }
    }
    return 0;
}

/* The page visitors get, as the front page's configuration answers it,
 * with status 200 and kept out of search engines: for the window the
 * query describes, else the stored one while it runs or is ahead, else a
 * window without an end. */
static int preview(const toggle_req *t, const maintenance_state *stored)
{
    request_rec *r = t->r;
    maintenance_state st;
    const char *err, *page, *instead;

    if (window_asked(t)) {
        if ((err = requested_state(t, 1, &st)) != NULL) {
            return refuse(t, HTTP_BAD_REQUEST, err);
        }
    }
    else if (maintenance_state_pending(stored, r->request_time)) {
        st = *stored;
    }
    else {
        memset(&st, 0, sizeof(st));
        st.on = 1;
    }
    page = maintenance_response_preview(r, t->sc, &st, &instead);
    apr_table_setn(r->headers_out, "X-Robots-Tag", "noindex");
    ap_set_content_type(r, "text/html; charset=utf-8");
    if (r->header_only) {
        return OK;
    }
    if (page) {
        ap_rputs(page, r);
        return OK;
    }
    ap_rprintf(r, "%s<main>\n<h1>Preview</h1>\n<p>Visitors get %s, not a "
               "page of this module's.</p>\n", page_head(r),
               maintenance_escape_html(r->pool, instead));
    page_end(t, 1);
    return OK;
}

int maintenance_toggle(request_rec *r)
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
    t.sc = sc;
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
        if (t.act == SHOW_STATUS || t.act == SHOW_METRICS
            || t.act == SHOW_PREVIEW) {
            return HTTP_METHOD_NOT_ALLOWED;
        }
        return t.act == MAKE_LINK ? make_link(&t) : change_state(&t, sc->slot);
    }
    if (t.act == MAKE_LINK) {
        return HTTP_METHOD_NOT_ALLOWED;
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
    if (t.act == SHOW_PREVIEW) {
        return preview(&t, &st);
    }
    return t.json ? send_json(r, HTTP_OK, &st, sc->slot, NULL)
                  : send_page(&t, &st);
}
