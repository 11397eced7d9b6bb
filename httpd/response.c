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

static const maintenance_template *builtin_page;
static const maintenance_template *builtin_page_end;

void maintenance_response_init(apr_pool_t *p)
{
    maintenance_template *t;
    const char *head = apr_pstrcat(p, maintenance_html_head(p,
                                   "Down for maintenance", ""),
                                   "<h1>Down for maintenance</h1>\n"
                                   "<p>{{message}}</p>\n", NULL);
    const char *page = apr_pstrcat(p, head, "</body>\n</html>\n", NULL);
    const char *page_end = apr_pstrcat(p, head,
                                       "<p>Expected back by {{end}}.</p>\n"
                                       "</body>\n</html>\n", NULL);

    maintenance_template_compile(&t, page, strlen(page), p);
    builtin_page = t;
    maintenance_template_compile(&t, page_end, strlen(page_end), p);
    builtin_page_end = t;
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
                             apr_int64_t retry, const char *end)
{
    maintenance_json j;

    maintenance_json_begin(&j, r->pool);
    maintenance_json_str(&j, "type", "about:blank");
    maintenance_json_str(&j, "title", ap_get_status_line(status) + 4);
    maintenance_json_int(&j, "status", status);
    maintenance_json_str(&j, "detail", message);
    maintenance_json_raw(&j, "maintenance", "true");
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

int maintenance_respond(request_rec *r, const maintenance_dir_conf *dc,
                        const maintenance_server_conf *sc,
                        const maintenance_state *st)
{
    int status = maintenance_status(dc);
    apr_int64_t retry = retry_after(dc, st, r->request_time);
    const char *message = st->message ? st->message
                                      : MAINTENANCE_DEFAULT_MESSAGE;
    const char *end = maintenance_time_pformat(r->pool, st->end);
    int json;
    answer *a;

    if (dc->redirect) {
        return redirect(r, dc);
    }
    if (retry >= 0) {
        apr_table_setn(r->err_headers_out, "Retry-After",
                       apr_psprintf(r->pool, "%" APR_INT64_T_FMT, retry));
    }
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    apr_table_mergen(r->err_headers_out, "Vary", "Accept");

    json = maintenance_accept_prefers_json(apr_table_get(r->headers_in,
                                                         "Accept"));
    if (!json && !sc->tmpl
        && ap_response_code_string(r, ap_index_of_response(status))) {
        return status;          /* the site's ErrorDocument */
    }
    a = apr_pcalloc(r->pool, sizeof(*a));
    if (json) {
        a->type = "application/problem+json";
        a->body = json_body(r, status, message, retry, end);
    }
    else {
        maintenance_template_vars v;

        v.message = message;
        v.retry_after = retry < 0 ? NULL
                        : apr_psprintf(r->pool, "%" APR_INT64_T_FMT, retry);
        v.start = maintenance_time_pformat(r->pool, st->start);
        v.end = end;
        a->type = "text/html; charset=utf-8";
        a->body = maintenance_template_render(sc->tmpl ? sc->tmpl
                                              : end ? builtin_page_end
                                              : builtin_page, &v, r->pool);
    }
    /* Keeps ap_die from following an ErrorDocument: the body is ours. */
    ap_custom_response(r, status, "maintenance");
    ap_set_module_config(r->request_config, &maintenance_module, a);
    return status;
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
