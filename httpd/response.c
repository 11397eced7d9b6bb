/* The maintenance answer: a redirect, or the status with a page.
 *
 * The fixups hook returns the status, so httpd answers it as any error:
 * ErrorDocument, "Header always" and the access log all work as usual. When
 * the module has a body of its own (template, built-in page, JSON), an
 * error filter swaps it for the one httpd would write. */
#include <http_protocol.h>
#include <http_request.h>
#include <http_core.h>
#include <mod_core.h>
#include <apr_strings.h>
#include <util_filter.h>

#include "response.h"
#include "accept.h"
#include "json.h"
#include "template.h"
#include "timefmt.h"

APLOG_USE_MODULE(maintenance);

#define BODY_FILTER "MAINTENANCE_BODY"

typedef struct {
    const char *type;
    const char *body;
    int sent;
} answer;

/* The built-in page in each mode (full, read-only). */
static const struct {
    const char *title;
    const char *tag;          /* the word over the title */
    const char *main;         /* its <main>, whose class sets colours */
    const char *message;      /* when the state has none */
    const char *back;         /* before "in about 45 minutes" */
    const char *no_end;       /* when the window has no end */
} builtin[] = {
    { "Down for maintenance", "Maintenance", "<main>",
      MAINTENANCE_DEFAULT_MESSAGE, "Expected back",
      "We will be back as soon as we can." },
    { "Read-only for maintenance", "Read-only", "<main class=\"ro\">",
      MAINTENANCE_READ_ONLY_MESSAGE, "Changes expected to be possible again",
      "You can still read the site; changes will be possible again as soon "
      "as we can." },
};

/* The built-in page's own style: one card, centred; the whole screen on
 * a phone. Its colours say the mode, and its words say it too. */
static const char builtin_style[] =
    "body{min-height:100vh;display:flex;flex-direction:column;"
    "justify-content:center}\n"
    "main{--accent:#c2410c;--tag:#9a3412;--tag-bg:#ffedd5;"
    "background:var(--card);border:1px solid var(--line);"
    "border-top:.5rem solid var(--accent);border-radius:.75rem;"
    "padding:2rem 1.5rem;box-shadow:0 .25rem 1rem rgba(0,0,0,.06)}\n"
    "main.ro{--accent:#1d4ed8;--tag:#1e3a8a;--tag-bg:#dbeafe}\n"
    "@media (prefers-color-scheme:dark){"
    "main{--accent:#fb923c;--tag:#fed7aa;--tag-bg:#431407}"
    "main.ro{--accent:#60a5fa;--tag:#bfdbfe;--tag-bg:#172554}}\n"
    ".tag{display:inline-block;margin:0 0 .75rem;padding:.125rem .75rem;"
    "border-radius:1rem;background:var(--tag-bg);color:var(--tag);"
    "font-size:.875rem;font-weight:600;letter-spacing:.04em;"
    "text-transform:uppercase}\n"
    ".message{font-size:1.25rem;margin:0 0 1.5rem}\n"
    ".when{margin:0 0 1rem;padding:1rem;border-radius:.5rem;"
    "background:var(--bg)}\n"
    ".when strong{font-size:1.125rem}\n"
    ".local,.refresh{color:var(--muted)}\n"
    ".refresh{margin:0;font-size:.9375rem}\n"
    ".refresh button{min-height:44px;margin:.25rem 0 0;padding:.25rem 1rem;"
    "font:inherit;color:var(--fg);background:var(--card);"
    "border:1px solid var(--muted);border-radius:.5rem;cursor:pointer}\n"
    "@media (max-width:30rem){body{padding:0}main{min-height:100vh;"
    "border-radius:0;border-width:.5rem 0 0;padding:2rem 1rem}}\n";

static const maintenance_template *builtin_page[2];

void maintenance_response_init(apr_pool_t *p)
{
    int ro;

    for (ro = 0; ro < 2; ro++) {
        maintenance_template *t;
        const char *page = apr_pstrcat(p,
            maintenance_html_head_with(p, builtin[ro].title,
                "{{#refresh}}<meta http-equiv=\"refresh\" "
                "content=\"{{refresh}}\">\n{{/refresh}}", builtin_style),
            builtin[ro].main, "\n<p class=\"tag\">", builtin[ro].tag, "</p>\n"
            "<h1>", builtin[ro].title, "</h1>\n"
            "<p class=\"message\">{{message}}</p>\n"
            "{{#end}}<p class=\"when\">", builtin[ro].back,
            " <strong>{{end_human}}</strong>,<br>\nby <time datetime=\""
            "{{end}}\">{{end_utc}}</time>.</p>\n{{/end}}"
            "{{^end}}<p class=\"when\">", builtin[ro].no_end, "</p>\n{{/end}}"
            "{{#refresh}}<p class=\"refresh\">This page reloads itself "
            "<span data-refresh=\"{{refresh}}\">every {{refresh}} seconds"
            "</span>.</p>\n{{/refresh}}"
            "</main>\n", maintenance_page_script, "</body>\n</html>\n", NULL);

        maintenance_template_compile(&t, page, strlen(page), p);
        builtin_page[ro] = t;
    }
}

const char *maintenance_redirect_parse(maintenance_dir_conf *dc,
                                       const char *url, apr_pool_t *p)
{
    apr_uri_t uri;
    char *path;

    if (url[0] == '/') {
        dc->redirect_host = NULL;
        path = apr_pstrndup(p, url, strcspn(url, "?#"));
    }
    else if (apr_uri_parse(p, url, &uri) == APR_SUCCESS && uri.scheme
             && uri.hostname) {
        dc->redirect_host = uri.hostname;
        path = apr_pstrdup(p, uri.path ? uri.path : "/");
    }
    else {
        return "not an absolute URL (https://host/path) nor a /path";
    }
    /* Compared with r->uri, which httpd has decoded. */
    if (ap_unescape_url(path) != OK) {
        return "not a URL whose path decodes (no %2F, %00 or bad %-escape)";
    }
    dc->redirect_path = path;
    dc->redirect = url;
    return NULL;
}

int maintenance_is_redirect_target(request_rec *r,
                                   const maintenance_dir_conf *dc)
{
    return dc->redirect && !strcmp(dc->redirect_path, r->uri)
        && (!dc->redirect_host
            || (r->hostname && !strcasecmp(dc->redirect_host, r->hostname)));
}

/* Seconds the client should wait: until the end of the window if there is
 * one, else MaintenanceRetryAfter; -1 for none. */
static apr_int64_t retry_after(const maintenance_dir_conf *dc,
                               const maintenance_state *st, apr_time_t now)
{
    int configured = maintenance_retry_after(dc);

    if (configured == MAINTENANCE_RETRY_OFF) {
        return -1;
    }
    if (st->end > now) {
        return (st->end - now + APR_USEC_PER_SEC - 1) / APR_USEC_PER_SEC;
    }
    return configured;
}

/* RFC 9457's problem document, with the maintenance members. */
static const char *json_body(request_rec *r, int status, const char *message,
                             int read_only, apr_int64_t retry, const char *end)
{
    maintenance_json j;

    maintenance_json_begin(&j, r->pool);
    maintenance_json_str(&j, "type", "about:blank");
    maintenance_json_str(&j, "title", ap_get_status_line(status) + 4);
    maintenance_json_int(&j, "status", status);
    maintenance_json_str(&j, "detail", message);
    maintenance_json_raw(&j, "maintenance", "true");
    maintenance_json_raw(&j, "read_only", read_only ? "true" : "false");
    if (retry < 0) {
        maintenance_json_raw(&j, "retry_after", "null");
    }
    else {
        maintenance_json_int(&j, "retry_after", retry);
    }
    maintenance_json_str(&j, "end", end);
    return maintenance_json_end(&j);
}

static int redirect(request_rec *r, const maintenance_dir_conf *dc)
{
    apr_table_setn(r->headers_out, "Location", dc->redirect);
    /* A browser must not remember a 301 to the maintenance page. */
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    return dc->redirect_code;
}

/* The message visitors read under st. */
static const char *message_of(const maintenance_state *st)
{
    return st->message ? st->message : builtin[st->read_only].message;
}

/* The HTML page under st: the MaintenanceTemplate, else the built-in
 * page. */
static const char *html_page(request_rec *r, const maintenance_dir_conf *dc,
                             const maintenance_server_conf *sc,
                             const maintenance_state *st, apr_int64_t retry)
{
    maintenance_template_vars v;

    maintenance_template_vars_set(&v, message_of(st), retry, st->start,
                                  st->end, maintenance_refresh(dc),
                                  r->request_time, r->pool);
    return maintenance_template_render(sc->tmpl ? sc->tmpl
                                       : builtin_page[st->read_only], &v,
                                       r->pool);
}

int maintenance_respond(request_rec *r, const maintenance_dir_conf *dc,
                        const maintenance_server_conf *sc,
                        const maintenance_state *st)
{
    int status = maintenance_status(dc);
    int type = maintenance_response_type(dc);
    int refresh = maintenance_refresh(dc);
    apr_int64_t retry = retry_after(dc, st, r->request_time);
    int json;
    answer *a;

    if (dc->redirect) {
        return redirect(r, dc);
    }
    if (retry >= 0) {
        apr_table_setn(r->err_headers_out, "Retry-After",
                       apr_psprintf(r->pool, "%" APR_INT64_T_FMT, retry));
    }
    if (refresh) {
        apr_table_setn(r->err_headers_out, "Refresh",
                       apr_psprintf(r->pool, "%d", refresh));
    }
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    if (type == MAINTENANCE_RESPONSE_AUTO) {
        apr_table_mergen(r->err_headers_out, "Vary", "Accept");
        json = maintenance_accept_prefers_json(apr_table_get(r->headers_in,
                                                             "Accept"));
    }
    else {
        json = type == MAINTENANCE_RESPONSE_JSON;
    }
    if (!json && !sc->tmpl
        && ap_response_code_string(r, ap_index_of_response(status))) {
        return status;          /* the site's ErrorDocument */
    }
    a = apr_pcalloc(r->pool, sizeof(*a));
    if (json) {
        a->type = "application/problem+json";
        a->body = json_body(r, status, message_of(st), st->read_only, retry,
                            maintenance_time_pformat(r->pool, st->end));
    }
    else {
        a->type = "text/html; charset=utf-8";
        a->body = html_page(r, dc, sc, st, retry);
    }
    /* Keeps ap_die from following an ErrorDocument: the body is ours. */
    ap_custom_response(r, status, "maintenance");
    ap_set_module_config(r->request_config, &maintenance_module, a);
    return status;
}

const char *maintenance_response_preview(request_rec *r,
                                         const maintenance_server_conf *sc,
                                         const maintenance_state *st,
                                         const char **instead)
{
    /* The front page's configuration: a MaintenanceRefresh, a
     * MaintenanceRedirect or an ErrorDocument of the site's, not the
     * toggle location's. */
    request_rec *rr = ap_sub_req_lookup_uri("/", r, NULL);
    const maintenance_dir_conf *dc =
        ap_get_module_config(rr->per_dir_config, &maintenance_module);
    const char *page = NULL, *doc;

    *instead = NULL;
    /* Copied: an .htaccess file's values live in the subrequest's pool. */
    if (dc->redirect) {
        *instead = apr_pstrcat(r->pool, "a redirect to ", dc->redirect, NULL);
    }
    else if (maintenance_response_type(dc) == MAINTENANCE_RESPONSE_JSON) {
        *instead = "the problem document (MaintenanceResponseType json)";
    }
    else if (!sc->tmpl
             && (doc = ap_response_code_string(rr, ap_index_of_response(
                     maintenance_status(dc)))) != NULL) {
        *instead = apr_pstrcat(r->pool, "the site's own ErrorDocument, ", doc,
                               NULL);
    }
    else {
        page = html_page(r, dc, sc, st, retry_after(dc, st, r->request_time));
    }
    ap_destroy_sub_req(rr);
    return page;
}

static void insert_error_filter(request_rec *r)
{
    answer *a = ap_get_module_config(r->request_config, &maintenance_module);

    if (a) {
        ap_add_output_filter(BODY_FILTER, a, r, r->connection);
    }
}

/* Sends the answer's body in place of httpd's error text, once. */
static apr_status_t body_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    answer *a = f->ctx;
    apr_bucket_alloc_t *ba = f->c->bucket_alloc;

    apr_brigade_cleanup(bb);
    if (a->sent) {
        return APR_SUCCESS;
    }
    a->sent = 1;
    ap_set_content_type(f->r, a->type);
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_pool_create(a->body,
                                                       strlen(a->body),
                                                       f->r->pool, ba));
    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(ba));
    return ap_pass_brigade(f->next, bb);
}

void maintenance_response_register_hooks(void)
{
    ap_register_output_filter(BODY_FILTER, body_filter, NULL,
                              AP_FTYPE_CONTENT_SET);
    ap_hook_insert_error_filter(insert_error_filter, NULL, NULL,
                                APR_HOOK_MIDDLE);
}
