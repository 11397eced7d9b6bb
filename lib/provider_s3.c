/* The s3: provider: the state in an object of S3, or of any S3-compatible
 * store, read and written through libcurl and signed with AWS Signature V4
 * by libcurl itself (CURLOPT_AWS_SIGV4).
 *
 * Every call has an easy handle of its own, so calls from several threads
 * never share one, and is bounded by MaintenanceStateTimeout. The payload
 * of a PUT is sent as UNSIGNED-PAYLOAD (APR has no SHA-256) but its
 * Content-MD5 is signed, so the store refuses a body changed on the way. */
#include <apr_base64.h>
#include <apr_env.h>
#include <apr_file_io.h>
#include <apr_lib.h>
#include <apr_md5.h>
#include <apr_strings.h>
#include <apr_uri.h>
#include <curl/curl.h>

#include "provider.h"

/* SHA-256 of the empty body of a GET. */
#define EMPTY_SHA256 \
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define ERROR_BODY_MAX 2048

typedef struct {
    const char *url;
    const char *sigv4;          /* "aws:amz:REGION:s3" */
    const char *userpwd;        /* "ACCESS:SECRET": never logged */
    const char *token_header;   /* "x-amz-security-token: ...", or NULL */
    long timeout_ms;
} s3_instance;

typedef struct {
    char *buf;
    apr_size_t len;
    apr_size_t max;             /* what is kept; the rest is counted */
    apr_size_t total;
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

/* Whether uri names an object, not a bucket: a host that is an address
 * cannot be a bucket's, so its path must be /BUCKET/KEY; any path must
 * end in a key, not in a slash. */
static int has_key(const apr_uri_t *uri)
{
    const char *key = uri->path + 1;
    const char *host = uri->hostname;

    if (strchr(host, ':') || strspn(host, "0123456789.") == strlen(host)) {
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

static char *trim(char *s)
{
    char *end;

    while (apr_isspace(*s)) {
        s++;
    }
    end = s + strlen(s);
    while (end > s && apr_isspace(end[-1])) {
        *--end = '\0';
    }
    return s;
}

/* The keys of one profile of an AWS shared-credentials file (INI):
 * [NAME] or [profile NAME] sections of key = value lines. */
static void read_profile(char *text, const char *profile, apr_table_t *keys)
{
    char *line, *last;
    int in_profile = 0;

    for (line = apr_strtok(text, "\r\n", &last); line;
         line = apr_strtok(NULL, "\r\n", &last)) {
        char *l = trim(line), *eq;

        if (*l == '[' && l[strlen(l) - 1] == ']') {
            l[strlen(l) - 1] = '\0';
            l = trim(l + 1);
            if (!strncmp(l, "profile ", 8)) {
                l = trim(l + 8);
            }
            in_profile = !strcmp(l, profile);
        }
        else if (in_profile && *l != '#' && *l != ';'
                 && (eq = strchr(l, '=')) != NULL) {
            *eq = '\0';
            apr_table_set(keys, trim(l), trim(eq + 1));
        }
    }
}

static const char *credentials_from_file(s3_instance *si, const char *file,
                                         const char *profile, apr_pool_t *p)
{
    apr_table_t *keys = apr_table_make(p, 4);
    const char *id, *secret, *token;
    char *text;
    apr_file_t *f;
    apr_finfo_t finfo;

    if (apr_file_open(&f, file, APR_FOPEN_READ,
                      APR_FPROT_OS_DEFAULT, p) != APR_SUCCESS
        || apr_file_info_get(&finfo, APR_FINFO_SIZE, f) != APR_SUCCESS
        || finfo.size > 65536) {
        return apr_psprintf(p, "cannot read the credentials file %s", file);
    }
    text = apr_pcalloc(p, (apr_size_t)finfo.size + 1);
    apr_file_read_full(f, text, (apr_size_t)finfo.size, NULL);
    apr_file_close(f);
    read_profile(text, profile, keys);

    id = apr_table_get(keys, "aws_access_key_id");
    secret = apr_table_get(keys, "aws_secret_access_key");
    token = apr_table_get(keys, "aws_session_token");
    if (!id || !*id || !secret || !*secret) {
        return apr_psprintf(p, "%s has no aws_access_key_id and "
                            "aws_secret_access_key in profile [%s]",
                            file, profile);
    }
    si->userpwd = apr_pstrcat(p, id, ":", secret, NULL);
    if (token && *token) {
        si->token_header = apr_pstrcat(p, "x-amz-security-token: ", token,
                                       NULL);
    }
    return NULL;
}

const char *maintenance_s3_credentials_check(const char *file,
                                             const char *profile,
                                             apr_pool_t *p)
{
    s3_instance si = { 0 };

    return credentials_from_file(&si, file, profile, p);
}

static const char *credentials_from_env(s3_instance *si, apr_pool_t *p)
{
    char *id = NULL, *secret = NULL, *token = NULL;

    apr_env_get(&id, "AWS_ACCESS_KEY_ID", p);
    apr_env_get(&secret, "AWS_SECRET_ACCESS_KEY", p);
    apr_env_get(&token, "AWS_SESSION_TOKEN", p);
    if (!id || !*id || !secret || !*secret) {
        return "no credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
               "are not in the environment, and no credentials file is "
               "named (MaintenanceS3Credentials for httpd, "
               "MAINTENANCE_S3_CREDENTIALS for maintenancectl)";
    }
    si->userpwd = apr_pstrcat(p, id, ":", secret, NULL);
    if (token && *token) {
        si->token_header = apr_pstrcat(p, "x-amz-security-token: ", token,
                                       NULL);
    }
    return NULL;
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
    si->url = signable_url(args, p);
    si->sigv4 = apr_pstrcat(p, "aws:amz:", region ? region : "us-east-1",
                            ":s3", NULL);
    si->timeout_ms = (long)apr_time_as_msec(pp->timeout);
    err = file ? credentials_from_file(si, file, profile ? profile
                                                         : "default", p)
               : credentials_from_env(si, p);
    if (err) {
        return err;
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

/* S3's error code from its XML answer, like SignatureDoesNotMatch. */
static const char *error_code(const body *b, apr_pool_t *p)
{
    char *text = apr_pstrmemdup(p, b->buf, b->len);
    char *start = strstr(text, "<Code>"), *end;

    if (!start || !(end = strstr(start, "</Code>"))) {
        return NULL;
    }
    start += 6;
    return apr_pstrmemdup(p, start, end - start);
}

/* One request; the answer's status and body (kept up to b->max). */
static apr_status_t request(const s3_instance *si, const char *method,
                            const char *data, apr_size_t len, long *status,
                            body *b, apr_pool_t *p, const char **err)
{
    char curl_err[CURL_ERROR_SIZE] = "";
    struct curl_slist *headers = NULL;
    CURL *curl = curl_easy_init();
    CURLcode rc;

    if (!curl) {
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
                                    "x-amz-content-sha256: UNSIGNED-PAYLOAD");
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, data);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)len);
    }
    else {
        headers = curl_slist_append(headers,
                                    "x-amz-content-sha256: " EMPTY_SHA256);
    }
    if (si->token_header) {
        headers = curl_slist_append(headers, si->token_header);
    }
    curl_easy_setopt(curl, CURLOPT_URL, si->url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, si->sigv4);
    curl_easy_setopt(curl, CURLOPT_USERPWD, si->userpwd);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, si->timeout_ms);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, si->timeout_ms);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, b);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_err);

    rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
    curl_easy_cleanup(curl);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK) {
        *err = apr_psprintf(p, "S3 %s %s: %s", method, si->url,
                            *curl_err ? curl_err : curl_easy_strerror(rc));
        return rc == CURLE_OPERATION_TIMEDOUT ? APR_TIMEUP : APR_EGENERAL;
    }
    return APR_SUCCESS;
}

static const char *say_status(const s3_instance *si, const char *method,
                              long status, const body *b, apr_pool_t *p)
{
    const char *code = error_code(b, p);

    return apr_psprintf(p, "S3 %s %s: HTTP %ld%s%s", method, si->url,
                        status, code ? " " : "", code ? code : "");
}

static apr_status_t s3_get(void *instance, char *buf, apr_size_t *len,
                           apr_pool_t *p, const char **err)
{
    s3_instance *si = instance;
    body b = { 0 };
    long status = 0;
    apr_status_t rv;

    b.buf = buf;
    b.max = MAINTENANCE_STATE_MAX + 1;
    if ((rv = request(si, "GET", NULL, 0, &status, &b, p, err))
        != APR_SUCCESS) {
        return rv;
    }
    if (status == 200) {
        if (b.total > MAINTENANCE_STATE_MAX) {
            *err = apr_psprintf(p, "S3 object %s is larger than %d bytes",
                                si->url, MAINTENANCE_STATE_MAX);
            return APR_ENOSPC;
        }
        *len = b.len;
        return APR_SUCCESS;
    }
    /* A missing object is off; a missing bucket is a mistake. */
    if (status == 404) {
        const char *code = error_code(&b, p);
        if (!code || !strcmp(code, "NoSuchKey")) {
            return APR_NOTFOUND;
        }
    }
    *err = say_status(si, "GET", status, &b, p);
    return MAINTENANCE_ESTORE;
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
    if ((rv = request(si, "PUT", text, len, &status, &b, p, err))
        != APR_SUCCESS) {
        return rv;
    }
    if (status / 100 != 2) {
        *err = say_status(si, "PUT", status, &b, p);
        return MAINTENANCE_ESTORE;
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
