/* The s3: provider: the state in an object of S3, or of any S3-compatible
 * store, read and written through libcurl and signed with AWS Signature V4
 * by libcurl itself (CURLOPT_AWS_SIGV4), with credentials from the chain
 * of aws_creds.h.
 *
 * Every call has an easy handle of its own, so calls from several threads
 * never share one, and is bounded by MaintenanceStateTimeout, fetching
 * credentials included. A PUT's payload is signed with its SHA-256
 * (x-amz-content-sha256), and its Content-MD5 is sent too, so the store
 * refuses a body changed on the way.
 *
 * An answer that says the store is throttling or failing (503 SlowDown,
 * 429, any 5xx) starts a backoff: reads during it return the same error
 * at once, without a request, for 1 s, then 2, 4... up to 60 s (at least
 * what a Retry-After asks), until a read works again. */
#include <apr_base64.h>
#include <apr_lib.h>
#include <apr_md5.h>
#include <apr_strings.h>
#include <apr_thread_mutex.h>
#include <apr_uri.h>
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "aws_creds.h"
#include "provider.h"

/* SHA-256 of the empty body of a GET. */
#define EMPTY_SHA256 \
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define ERROR_BODY_MAX 2048

typedef struct {
    const char *url;
    const char *sigv4;          /* "aws:amz:REGION:s3" */
    maintenance_aws *aws;       /* the credentials */
    apr_interval_time_t timeout;

    /* The backoff after a throttling or failing answer, per process. */
    apr_thread_mutex_t *lock;
    apr_interval_time_t backoff;        /* 0: none since the last success */
    apr_time_t backoff_until;
    apr_status_t backoff_rv;
    char backoff_err[1024];
} s3_instance;

typedef struct {
    char *buf;
    apr_size_t len;
    apr_size_t max;             /* what is kept; the rest is counted */
    apr_size_t total;
    char retry_after[64];       /* the Retry-After header, "" if none */
} body;

/* The region of an AWS endpoint: s3.REGION.amazonaws.com,
 * BUCKET.s3.REGION.amazonaws.com, s3.dualstack.REGION..., s3-REGION... */
const char *maintenance_s3_region_of(const char *host, apr_pool_t *p)
{
    const char *aws = strstr(host, ".amazonaws.com"), *label;
    apr_size_t len;

    if (!aws) {
        return NULL;
    }
    /* The label before .amazonaws.com, read from the right so that a
     * bucket named s3-logs or s3.example.com is not taken for it: s3 (the
     * global endpoint), s3-REGION, or REGION after s3. or s3.dualstack. */
    for (label = aws; label > host && label[-1] != '.'; label--) {
    }
    len = aws - label;
    if (len >= 3 && !strncmp(label, "s3-", 3)) {
        label += 3;
        len -= 3;
    }
    /* s3 is the global endpoint; nothing is no region at all. */
    if (!len || (len == 2 && !strncmp(label, "s3", 2))) {
        return NULL;
    }
    return apr_pstrmemdup(p, label, len);
}

int maintenance_s3_region_valid(const char *region)
{
    return *region && strspn(region, "abcdefghijklmnopqrstuvwxyz0123456789-")
                      == strlen(region);
}

/* Whether host is AWS's S3 endpoint itself, with no bucket before it
 * (s3.amazonaws.com, s3.REGION..., s3-REGION..., s3.dualstack.REGION...):
 * its URLs are path-style. */
static int aws_endpoint(const char *host)
{
    const char *aws = strstr(host, ".amazonaws.com");

    if (!aws || strncmp(host, "s3", 2) || (host[2] != '.' && host[2] != '-')) {
        return 0;
    }
    /* The labels after s3 name a region (s3-REGION, s3.REGION,
     * s3.dualstack.REGION): one at most, two with dualstack. */
    host += 3;
    if (!strncmp(host, "dualstack.", 10)) {
        host += 10;
    }
    return host >= aws || !memchr(host, '.', aws - host);
}

/* Whether uri names an object, not a bucket alone. A host that is an
 * address, localhost or AWS's endpoint itself is no bucket's, so its path
 * must be /BUCKET/KEY; any path must end in a key, not in a slash. */
static int has_key(const apr_uri_t *uri)
{
    const char *key = uri->path + 1;
    const char *host = uri->hostname;

    if (strchr(host, ':') || strspn(host, "0123456789.") == strlen(host)
        || !strcasecmp(host, "localhost") || aws_endpoint(host)) {
        key = strchr(key, '/');
        key = key ? key + 1 : "";
    }
    return *key && key[strlen(key) - 1] != '/';
}

/* url with its path as S3 signs it: each byte but A-Z a-z 0-9 - . _ ~
 * and / percent-encoded, a %XX kept (in capitals). libcurl signs the path
 * as it is given, S3 as it reads it: decoded, then encoded once. */
static const char *signable_url(const char *url, apr_pool_t *p)
{
    const char *path = strchr(strstr(url, "://") + 3, '/');
    char *out = apr_palloc(p, strlen(url) * 3 + 1), *o;

    o = out + (path - url);
    memcpy(out, url, path - url);
    for (; *path; path++) {
        unsigned char c = (unsigned char)*path;
        if (apr_isalnum(c) || strchr("-._~/", c)) {
            *o++ = c;
        }
        else if (c == '%' && apr_isxdigit(path[1]) && apr_isxdigit(path[2])) {
            *o++ = '%';
            *o++ = apr_toupper(path[1]);
            *o++ = apr_toupper(path[2]);
            path += 2;
        }
        else {
            o += apr_snprintf(o, 4, "%%%02X", c);
        }
    }
    *o = '\0';
    return out;
}

const char *maintenance_s3_credentials_check(const char *file,
                                             const char *profile,
                                             apr_pool_t *p)
{
    maintenance_aws *a;

    return maintenance_aws_create(&a, file, profile, "us-east-1", p);
}

static const char *s3_create(void **instance, const char *args,
                             const apr_table_t *options,
                             const maintenance_provider_params *pp,
                             apr_pool_t *p)
{
    static const char *const names[] = {
        MAINTENANCE_S3_REGION, MAINTENANCE_S3_CREDENTIALS,
        MAINTENANCE_S3_PROFILE, NULL
    };
    static int curl_ready;
    s3_instance *si = apr_pcalloc(p, sizeof(*si));
    const char *region = apr_table_get(options, MAINTENANCE_S3_REGION);
    const char *file = apr_table_get(options, MAINTENANCE_S3_CREDENTIALS);
    const char *profile = apr_table_get(options, MAINTENANCE_S3_PROFILE);
    const char *err;
    apr_uri_t uri;

    if ((err = maintenance_options_check(options, names, p)) != NULL) {
        return err;
    }
    if (region && !maintenance_s3_region_valid(region)) {
        return apr_psprintf(p, "region=%s is not a region name like "
                            "eu-west-1", region);
    }
    if (profile && !file) {
        return "profile= goes with credentials=FILE";
    }
    if (apr_uri_parse(p, args, &uri) != APR_SUCCESS || !uri.scheme
        || (strcasecmp(uri.scheme, "https") && strcasecmp(uri.scheme, "http"))
        || !uri.hostname || !uri.path || strlen(uri.path) < 2
        || uri.query || uri.fragment) {
        return "not an object URL like https://s3.eu-west-1.amazonaws.com/"
               "BUCKET/KEY or http://127.0.0.1:9000/BUCKET/KEY";
    }
    if (!has_key(&uri)) {
        return "names no object: path-style URLs are "
               "http(s)://HOST/BUCKET/KEY, virtual-hosted ones "
               "https://BUCKET.s3.REGION.amazonaws.com/KEY";
    }
    /* Configuration time comes before any thread: the one safe moment. */
    if (!curl_ready) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            return "libcurl cannot be initialised";
        }
        curl_ready = 1;
    }
    if (!region) {
        region = maintenance_s3_region_of(uri.hostname, p);
    }
    if (!region) {
        region = "us-east-1";
    }
    si->url = signable_url(args, p);
    si->sigv4 = apr_pstrcat(p, "aws:amz:", region, ":s3", NULL);
    si->timeout = pp->timeout;
    if ((err = maintenance_aws_create(&si->aws, file, profile, region, p))
        != NULL) {
        return err;
    }
    if (apr_thread_mutex_create(&si->lock, APR_THREAD_MUTEX_DEFAULT, p)
        != APR_SUCCESS) {
        return "cannot make a mutex";
    }
    *instance = si;
    return NULL;
}

static size_t collect(char *data, size_t size, size_t n, void *baton)
{
    body *b = baton;
    size_t len = size * n;
    size_t keep = len;

    if (b->len + keep > b->max) {
        keep = b->max - b->len;
    }
    memcpy(b->buf + b->len, data, keep);
    b->len += keep;
    b->total += len;
    return len;
}

/* Keeps the Retry-After header. */
static size_t on_header(char *data, size_t size, size_t n, void *baton)
{
    static const char name[] = "retry-after:";
    body *b = baton;
    size_t len = size * n;

    if (len > sizeof(name) - 1 && !strncasecmp(data, name, sizeof(name) - 1)) {
        size_t vlen = len - (sizeof(name) - 1);

        if (vlen >= sizeof(b->retry_after)) {
            vlen = sizeof(b->retry_after) - 1;
        }
        memcpy(b->retry_after, data + sizeof(name) - 1, vlen);
        b->retry_after[vlen] = '\0';
        b->retry_after[strcspn(b->retry_after, "\r\n")] = '\0';
    }
    return len;
}

/* The lowercase hex SHA-256 of len bytes of data. */
static const char *sha256_hex(const char *data, apr_size_t len,
                              apr_pool_t *p)
{
    unsigned char digest[SHA256_DIGEST_LENGTH];
    char *hex = apr_palloc(p, 2 * sizeof(digest) + 1);
    apr_size_t i;

    SHA256((const unsigned char *)data, len, digest);
    for (i = 0; i < sizeof(digest); i++) {
        apr_snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    }
    return hex;
}

/* One request, signed with c, bounded by deadline; the answer's status
 * and body (kept up to b->max). */
static apr_status_t request(const s3_instance *si,
                            const maintenance_aws_creds *c,
                            apr_time_t deadline, const char *method,
                            const char *data, apr_size_t len, long *status,
                            body *b, apr_pool_t *p, const char **err)
{
    char curl_err[CURL_ERROR_SIZE] = "";
    struct curl_slist *headers = NULL;
    long ms = (long)apr_time_as_msec(deadline - apr_time_now());
    char *userpwd, *token = NULL;
    CURL *curl;
    CURLcode rc;

    if (ms <= 0) {
        *err = apr_psprintf(p, "S3 %s %s: no time left for it after "
                            "fetching credentials (MaintenanceStateTimeout)",
                            method, si->url);
        return APR_TIMEUP;
    }
    if (!(curl = curl_easy_init())) {
        *err = "s3: libcurl could not make a handle";
        return APR_ENOMEM;
    }
    if (data) {
        unsigned char md5[APR_MD5_DIGESTSIZE];
        char *md5_b64 = apr_palloc(p, apr_base64_encode_len(sizeof(md5)));

        apr_md5(md5, data, len);
        apr_base64_encode(md5_b64, (const char *)md5, sizeof(md5));
        headers = curl_slist_append(headers, "Content-Type: text/plain");
        headers = curl_slist_append(headers, apr_pstrcat(p, "Content-MD5: ",
                                                         md5_b64, NULL));
        headers = curl_slist_append(headers,
                                    apr_pstrcat(p, "x-amz-content-sha256: ",
                                                sha256_hex(data, len, p),
                                                NULL));
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, data);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)len);
    }
    else {
        headers = curl_slist_append(headers,
                                    "x-amz-content-sha256: " EMPTY_SHA256);
    }
    if (c->token) {
        token = apr_pstrcat(p, "x-amz-security-token: ", c->token, NULL);
        headers = curl_slist_append(headers, token);
    }
    userpwd = apr_pstrcat(p, c->id, ":", c->secret, NULL);
    curl_easy_setopt(curl, CURLOPT_URL, si->url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, si->sigv4);
    curl_easy_setopt(curl, CURLOPT_USERPWD, userpwd);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, ms);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, ms);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, b);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, b);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_err);

    rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
    curl_easy_cleanup(curl);
    curl_slist_free_all(headers);
    OPENSSL_cleanse(userpwd, strlen(userpwd));
    if (token) {
        OPENSSL_cleanse(token, strlen(token));
    }
    if (rc != CURLE_OK) {
        *err = apr_psprintf(p, "S3 %s %s: %s", method, si->url,
                            *curl_err ? curl_err : curl_easy_strerror(rc));
        return rc == CURLE_OPERATION_TIMEDOUT ? APR_TIMEUP : APR_EGENERAL;
    }
    return APR_SUCCESS;
}

/* The store refused: what it said, and what it means. Throttling or a
 * failing store is APR_EAGAIN (an outage, backed off); a refusal of the
 * credentials says what may be wrong with them. */
static apr_status_t refusal(s3_instance *si, const char *method,
                            long status, const body *b, apr_pool_t *p,
                            const char **err)
{
    const char *code, *message, *note = NULL;
    int again = status == 429 || status >= 500;

    maintenance_aws_error_of(b->buf, b->len, &code, &message, p);
    again = again || (code && !strcmp(code, "SlowDown"));
    if (status == 400 || status == 403) {
        note = maintenance_aws_note(si->aws, p);
    }
    *err = apr_psprintf(p, "S3 %s %s: HTTP %ld%s%s (credentials from the "
                        "%s)%s%s", method, si->url, status, code ? " " : "",
                        code ? code : "", maintenance_aws_source(si->aws),
                        note ? ": " : "", note ? note : "");
    return again ? APR_EAGAIN : MAINTENANCE_ESTORE;
}

/* The credentials and one request; a throttling or failing answer (of
 * the store or of a credentials service) is APR_EAGAIN. */
static apr_status_t signed_request(s3_instance *si, const char *method,
                                   const char *data, apr_size_t len,
                                   long *status, body *b, apr_pool_t *p,
                                   const char **err)
{
    apr_time_t deadline = apr_time_now() + si->timeout;
    maintenance_aws_creds c;
    apr_status_t rv;

    if ((rv = maintenance_aws_get(si->aws, deadline, &c, p, err))
        != APR_SUCCESS) {
        *err = apr_psprintf(p, "S3 %s %s: credentials: %s", method, si->url,
                            *err);
        return rv;
    }
    rv = request(si, &c, deadline, method, data, len, status, b, p, err);
    OPENSSL_cleanse((char *)c.secret, strlen(c.secret));
    return rv;
}

/* During a backoff: its error, at once. */
static int backing_off(s3_instance *si, apr_status_t *rv, apr_pool_t *p,
                       const char **err)
{
    int wait;

    apr_thread_mutex_lock(si->lock);
    if ((wait = apr_time_now() < si->backoff_until)) {
        *rv = si->backoff_rv;
        *err = apr_pstrdup(p, si->backoff_err);
    }
    apr_thread_mutex_unlock(si->lock);
    return wait;
}

/* After a read: a success ends the backoff, a throttling or failing
 * answer starts or lengthens it (*err says for how long). */
static void back_off(s3_instance *si, apr_status_t rv, const body *b,
                     apr_pool_t *p, const char **err)
{
    apr_time_t now = apr_time_now();

    apr_thread_mutex_lock(si->lock);
    if (rv == APR_SUCCESS || rv == APR_NOTFOUND || rv == APR_ENOSPC) {
        si->backoff = 0;
        si->backoff_until = 0;
    }
    else if (rv == APR_EAGAIN) {
        si->backoff = maintenance_aws_backoff(
            si->backoff, maintenance_aws_retry_after(
                *b->retry_after ? b->retry_after : NULL, now));
        si->backoff_until = now + si->backoff;
        si->backoff_rv = rv;
        *err = apr_psprintf(p, "%s; no request for %" APR_TIME_T_FMT " s",
                            *err, apr_time_sec(si->backoff));
        apr_cpystrn(si->backoff_err, *err, sizeof(si->backoff_err));
    }
    apr_thread_mutex_unlock(si->lock);
}

static apr_status_t s3_get(void *instance, char *buf, apr_size_t *len,
                           apr_pool_t *p, const char **err)
{
    s3_instance *si = instance;
    body b = { 0 };
    long status = 0;
    apr_status_t rv;

    if (backing_off(si, &rv, p, err)) {
        return rv;
    }
    b.buf = buf;
    b.max = MAINTENANCE_STATE_MAX + 1;
    rv = signed_request(si, "GET", NULL, 0, &status, &b, p, err);
    if (rv == APR_SUCCESS) {
        if (status == 200) {
            if (b.total > MAINTENANCE_STATE_MAX) {
                *err = apr_psprintf(p, "S3 object %s is larger than %d bytes",
                                    si->url, MAINTENANCE_STATE_MAX);
                rv = APR_ENOSPC;
            }
            *len = b.len;
        }
        else if (status == 404) {
            /* A missing object is off; a missing bucket is a mistake. */
            const char *code, *message;

            maintenance_aws_error_of(b.buf, b.len, &code, &message, p);
            rv = !code || !strcmp(code, "NoSuchKey")
                 ? APR_NOTFOUND : refusal(si, "GET", status, &b, p, err);
        }
        else {
            rv = refusal(si, "GET", status, &b, p, err);
        }
    }
    back_off(si, rv, &b, p, err);
    return rv;
}

static apr_status_t s3_set(void *instance, const char *text, apr_size_t len,
                           apr_pool_t *p, const char **err)
{
    s3_instance *si = instance;
    body b = { 0 };
    long status = 0;
    apr_status_t rv;

    b.buf = apr_palloc(p, ERROR_BODY_MAX);
    b.max = ERROR_BODY_MAX;
    if ((rv = signed_request(si, "PUT", text, len, &status, &b, p, err))
        != APR_SUCCESS) {
        return rv;
    }
    if (status / 100 != 2) {
        return refusal(si, "PUT", status, &b, p, err);
    }
    return APR_SUCCESS;
}

const maintenance_provider maintenance_s3_provider = {
    s3_create,
    NULL,
    NULL,
    s3_get,
    s3_set
};
