/* The fixture's HTTP client, over libcurl: requests to its httpd, the
 * answers' headers, and curl handles for tests that need their own. See
 * fixture.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* asprintf */
#endif
#include "fixture_int.h"

#include <stdlib.h>
#include <strings.h>

#define MAX_HEADERS       16
#define REQUEST_TIMEOUT_S 20L

/* --- handles ------------------------------------------------------------- */

static size_t discard(char *data, size_t size, size_t n, void *baton)
{
    (void)data;
    (void)baton;
    return size * n;
}

/* path's URL on f's httpd, malloc'd: any thread may ask. */
static char *url_of(const fx *f, const char *path)
{
    char *url;

    if (asprintf(&url, "http://127.0.0.1:%d%s", f->port, path) < 0) {
        abort();
    }
    return url;
}

CURL *fx_curl(const fx *f, const char *path, long timeout_s)
{
    char *url = url_of(f, path);
    CURL *c = curl_easy_init();

    if (!c) {
        abort();
    }
    curl_easy_setopt(c, CURLOPT_URL, url);   /* libcurl keeps a copy */
    free(url);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "mm-it");
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_s);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    return c;
}

const char *fx_url(fx *f, const char *path)
{
    return fxi_own(f, url_of(f, path));
}

/* --- one request --------------------------------------------------------- */

typedef struct {
    char *p;
    size_t len;
} buf;

static void buf_add(buf *b, const char *data, size_t n)
{
    b->p = fxi_realloc(b->p, b->len + n + 1);
    memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static size_t on_body(char *data, size_t size, size_t n, void *b)
{
    buf_add(b, data, size * n);
    return size * n;
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
    buf *b = ud;

    /* A status line starts a new header block (after a 100 Continue). */
    if (size * n >= 5 && !strncmp(data, "HTTP/", 5)) {
        b->len = 0;
    }
    buf_add(b, data, size * n);
    return size * n;
}

static char *trim(char *s)
{
    char *e;

    s += strspn(s, " \t");
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) {
        *--e = '\0';
    }
    return s;
}

/* Split a copy of the header block into name/value pairs. */
static void parse_head(fx *f, fx_res *res)
{
    char *copy = fxi_own(f, fxi_strdup(res->head));
    char *line, *save = NULL, *colon;
    size_t cap = 0;

    strtok_r(copy, "\n", &save);   /* the status line */
    while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
        if (!(colon = strchr(line, ':'))) {
            continue;
        }
        *colon = '\0';
        if (res->nfields == cap) {
            cap = cap ? 2 * cap : 16;
            res->fields = fxi_realloc(res->fields, 2 * cap * sizeof(char *));
        }
        res->fields[2 * res->nfields] = trim(line);
        res->fields[2 * res->nfields + 1] = trim(colon + 1);
        res->nfields++;
    }
    fxi_own(f, res->fields);
}

static struct curl_slist *header_list(const fx_req *req)
{
    struct curl_slist *list = NULL;

    for (size_t i = 0; req->headers && req->headers[i]; i++) {
        list = curl_slist_append(list, req->headers[i]);
    }
    return list;
}

static void set_request(CURL *c, const fx_req *req)
{
    if (req->body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(req->body));
    }
    if (req->method && !strcmp(req->method, "HEAD")) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (req->method) {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
    }
    if (req->userpwd) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERPWD, req->userpwd);
    }
}

fx_res *fx_request(fx *f, const fx_req *req)
{
    fx_res *res = fxi_own(f, fxi_realloc(NULL, sizeof(*res)));
    struct curl_slist *hdrs = header_list(req);
    buf head = { NULL, 0 }, body = { NULL, 0 };
    CURL *c = fx_curl(f, req->path, REQUEST_TIMEOUT_S);
    CURLcode rc;

    memset(res, 0, sizeof(*res));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &head);
    set_request(c, req);
    rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res->status);
    curl_easy_cleanup(c);
    curl_slist_free_all(hdrs);
    res->head = fxi_own(f, head.p ? head.p : fxi_strdup(""));
    res->body = fxi_own(f, body.p ? body.p : fxi_strdup(""));
    res->body_len = body.len;
    if (rc != CURLE_OK) {
        fail_msg("%s %s: %s\n--- error.log\n%s", req->method ? req->method
                 : "GET", fx_url(f, req->path), curl_easy_strerror(rc),
                 fxi_log_tail(f));
    }
    parse_head(f, res);
    return res;
}

/* --- the shorthands ------------------------------------------------------ */

/* The NULL-terminated "Name: value" arguments of the shorthands into
 * headers (MAX_HEADERS + 1 entries). */
static void header_args(const char **headers, va_list ap)
{
    size_t n = 0;

    while (n < MAX_HEADERS && (headers[n] = va_arg(ap, const char *))) {
        n++;
    }
    headers[n] = NULL;
}

/* A request with the headers in ap. */
static fx_res *send_v(fx *f, const char *method, const char *userpwd,
                      const char *path, const char *body, va_list ap)
{
    const char *headers[MAX_HEADERS + 1];
    fx_req req = { .method = method, .path = path, .headers = headers,
                   .body = body, .userpwd = userpwd };

    header_args(headers, ap);
    return fx_request(f, &req);
}

fx_res *fx_get_as_(fx *f, const char *userpwd, const char *path, ...)
{
    va_list ap;
    fx_res *r;

    va_start(ap, path);
    r = send_v(f, NULL, userpwd, path, NULL, ap);
    va_end(ap);
    return r;
}

fx_res *fx_post_(fx *f, const char *userpwd, const char *path,
                 const char *body, ...)
{
    va_list ap;
    fx_res *r;

    va_start(ap, body);
    r = send_v(f, "POST", userpwd, path, body ? body : "", ap);
    va_end(ap);
    return r;
}

fx_res *fx_await_status_(fx *f, const char *path, long status, ...)
{
    const char *headers[MAX_HEADERS + 1];
    va_list ap;
    fx_req req = { .path = path, .headers = headers };
    fx_res *r;

    va_start(ap, status);
    header_args(headers, ap);
    va_end(ap);
    r = fx_request(f, &req);
    for (int waited = 0; waited < FX_AWAIT_MS && r->status != status;
         waited += 50) {
        fx_sleep_ms(50);
        r = fx_request(f, &req);
    }
    return r;
}

/* --- an answer's headers ------------------------------------------------- */

const char *fx_header(const fx_res *res, const char *name)
{
    for (size_t i = 0; i < res->nfields; i++) {
        if (!strcasecmp(res->fields[2 * i], name)) {
            return res->fields[2 * i + 1];
        }
    }
    return NULL;
}

long fx_header_num(const fx_res *res, const char *name)
{
    const char *v = fx_header(res, name);
    char *end;
    long n;

    if (!v || !*v) {
        return -1;
    }
    n = strtol(v, &end, 10);
    return *end ? -1 : n;
}
