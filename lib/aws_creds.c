/* The AWS credentials of an s3: state: see aws_creds.h.
 *
 * Every request to a credentials service has a libcurl easy handle of its
 * own and is bounded by the caller's deadline; the instance metadata
 * service's, also by 1 s each (two tries at most), as AWS's SDKs do.
 * Requests to the container and instance metadata services never go
 * through a proxy. */
#include <apr_env.h>
#include <apr_file_io.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_thread_mutex.h>
#include <apr_uri.h>
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <unistd.h>

#include "aws_creds.h"
#include "provider.h"

#define ANSWER_MAX        65536
#define TOKEN_FILE_MAX    16384
#define FILE_MAX          65536
#define FILE_CHECK_EVERY  apr_time_from_sec(1)
/* Credentials that say nothing of their expiry are fetched again after
 * this long. */
#define NO_EXPIRY_RENEW   apr_time_from_sec(900)
/* A renewal that failed while the credentials held still work is tried
 * again after this long at most. */
#define RENEW_RETRY       apr_time_from_sec(5)
#define IMDS_DEFAULT      "http://169.254.169.254"
#define IMDS_CALL_MS      1000L
#define IMDS_TRIES        2
#define IMDS_TOKEN_TTL    21600
#define CREDS_PATH        "/latest/meta-data/iam/security-credentials/"

enum source { FROM_FILE, FROM_ENV, FROM_WEB_IDENTITY, FROM_CONTAINER,
              FROM_IMDS };

static const char *const source_names[] = {
    "credentials file", "environment", "web identity",
    "container credentials", "instance metadata"
};

struct maintenance_aws {
    enum source source;
    apr_thread_mutex_t *lock;

    /* The credentials file. */
    const char *file, *profile;
    apr_time_t file_checked, file_mtime;
    apr_off_t file_size;
    apr_ino_t file_inode;
    char note[512];                  /* why its change was not read */

    /* Web identity. */
    const char *role_arn, *token_file, *session_name, *sts_url;

    /* Container credentials. */
    const char *container_url, *container_host, *auth_token, *auth_file;

    /* Instance metadata. */
    const char *imds;
    char imds_token[256];
    apr_time_t imds_token_until;

    /* The credentials held. */
    int have;
    char id[MAINTENANCE_AWS_ID_MAX + 1];
    char secret[MAINTENANCE_AWS_SECRET_MAX + 1];
    char token[MAINTENANCE_AWS_TOKEN_MAX + 1];    /* "": none */
    apr_time_t expires;             /* 0: never */
    apr_time_t renew_at;            /* 0: never */
    apr_time_t next_try;            /* of a renewal that failed */
};

const char *maintenance_aws_source(const maintenance_aws *a)
{
    return source_names[a->source];
}

/* Keep c (checked) as the credentials held, the old ones wiped. */
static void hold(maintenance_aws *a, const maintenance_aws_creds *c,
                 apr_time_t now)
{
    OPENSSL_cleanse(a->secret, sizeof(a->secret));
    OPENSSL_cleanse(a->token, sizeof(a->token));
    apr_cpystrn(a->id, c->id, sizeof(a->id));
    apr_cpystrn(a->secret, c->secret, sizeof(a->secret));
    apr_cpystrn(a->token, c->token ? c->token : "", sizeof(a->token));
    a->have = 1;
    a->expires = c->expires;
    a->renew_at = c->expires ? maintenance_aws_renew_at(now, c->expires)
                  : a->source >= FROM_WEB_IDENTITY ? now + NO_EXPIRY_RENEW
                                                   : 0;
    a->next_try = 0;
}

/* --- the credentials file ------------------------------------------------ */

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

/* The profile's credentials from file into c, and the file's identity
 * into finfo. */
static const char *read_file(const char *file, const char *profile,
                             maintenance_aws_creds *c, apr_finfo_t *finfo,
                             apr_pool_t *p)
{
    apr_table_t *keys = apr_table_make(p, 4);
    const char *bad;
    char *text, buf[120];
    apr_file_t *f;
    apr_status_t rv;

    memset(c, 0, sizeof(*c));
    if ((rv = apr_file_open(&f, file, APR_FOPEN_READ, APR_FPROT_OS_DEFAULT,
                            p)) != APR_SUCCESS
        || (rv = apr_file_info_get(finfo, APR_FINFO_SIZE | APR_FINFO_MTIME
                                   | APR_FINFO_INODE, f)) != APR_SUCCESS) {
        return apr_psprintf(p, "cannot read the credentials file %s: %s",
                            file, apr_strerror(rv, buf, sizeof(buf)));
    }
    if (finfo->size > FILE_MAX) {
        apr_file_close(f);
        return apr_psprintf(p, "the credentials file %s is larger than "
                            "%d bytes", file, FILE_MAX);
    }
    text = apr_pcalloc(p, (apr_size_t)finfo->size + 1);
    rv = apr_file_read_full(f, text, (apr_size_t)finfo->size, NULL);
    apr_file_close(f);
    if (rv != APR_SUCCESS) {
        return apr_psprintf(p, "cannot read the credentials file %s: %s",
                            file, apr_strerror(rv, buf, sizeof(buf)));
    }
    read_profile(text, profile, keys);
    c->id = apr_table_get(keys, "aws_access_key_id");
    c->secret = apr_table_get(keys, "aws_secret_access_key");
    c->token = apr_table_get(keys, "aws_session_token");
    if (c->token && !*c->token) {
        c->token = NULL;
    }
    if (!c->id || !*c->id || !c->secret || !*c->secret) {
        return apr_psprintf(p, "%s has no aws_access_key_id and "
                            "aws_secret_access_key in profile [%s]",
                            file, profile);
    }
    if ((bad = maintenance_aws_creds_check(c)) != NULL) {
        return apr_psprintf(p, "%s, profile [%s]: %s", file, profile, bad);
    }
    return NULL;
}

/* Read the file again if it changed (looked at once a second at most);
 * keep what was held if it cannot be, and say why in the note. */
static void reread_file(maintenance_aws *a, apr_time_t now, apr_pool_t *p)
{
    maintenance_aws_creds c;
    apr_finfo_t st, finfo;
    const char *err;
    char buf[120];
    apr_status_t rv;

    if (now >= a->file_checked && now - a->file_checked < FILE_CHECK_EVERY) {
        return;
    }
    a->file_checked = now;
    rv = apr_stat(&st, a->file, APR_FINFO_SIZE | APR_FINFO_MTIME
                  | APR_FINFO_INODE, p);
    if (rv != APR_SUCCESS) {
        apr_snprintf(a->note, sizeof(a->note), "the credentials file %s "
                     "cannot be read any more (%s): the keys read before are "
                     "used", a->file, apr_strerror(rv, buf, sizeof(buf)));
        return;
    }
    if (st.mtime == a->file_mtime && st.size == a->file_size
        && st.inode == a->file_inode) {
        return;
    }
    a->file_mtime = st.mtime;
    a->file_size = st.size;
    a->file_inode = st.inode;
    if ((err = read_file(a->file, a->profile, &c, &finfo, p)) != NULL) {
        apr_snprintf(a->note, sizeof(a->note), "%s changed, and this "
                     "process cannot use it (%s): the keys read before are "
                     "used; a graceful restart reads it as root", a->file,
                     err);
        return;
    }
    a->note[0] = '\0';
    hold(a, &c, now);
}

/* --- HTTP ---------------------------------------------------------------- */

typedef struct {
    char *buf;
    apr_size_t len;
    int overflow;
} answer;

static size_t collect(char *data, size_t size, size_t n, void *baton)
{
    answer *b = baton;
    size_t len = size * n;

    if (b->len + len > ANSWER_MAX) {
        b->overflow = 1;
        return 0;
    }
    memcpy(b->buf + b->len, data, len);
    b->len += len;
    return len;
}

/* One request: method url, with headers and body (NULL: none), bounded
 * by deadline and, when not 0, by limit_ms. *status and *out (with
 * *out_len) say what came back. what names the service in errors. */
static apr_status_t call(const char *what, const char *method,
                         const char *url, struct curl_slist *headers,
                         const char *body, long limit_ms, int no_proxy,
                         apr_time_t deadline, long *status, char **out,
                         apr_size_t *out_len, apr_pool_t *p,
                         const char **err)
{
    char curl_err[CURL_ERROR_SIZE] = "";
    apr_interval_time_t left = deadline - apr_time_now();
    long ms = (long)apr_time_as_msec(left);
    answer b;
    CURL *curl;
    CURLcode rc;

    *status = 0;
    if (limit_ms && limit_ms < ms) {
        ms = limit_ms;
    }
    if (ms <= 0) {
        *err = apr_psprintf(p, "%s: no time left for it "
                            "(MaintenanceStateTimeout)", what);
        return APR_TIMEUP;
    }
    if (!(curl = curl_easy_init())) {
        *err = apr_psprintf(p, "%s: libcurl could not make a handle", what);
        return APR_ENOMEM;
    }
    b.buf = apr_palloc(p, ANSWER_MAX + 1);
    b.len = 0;
    b.overflow = 0;
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    else if (!strcmp(method, "PUT")) {
        /* A PUT with an empty body: no Expect, no chunking. */
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, 0L);
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, ms);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, ms);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    if (no_proxy) {
        curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
    }
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_err);
    rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
    curl_easy_cleanup(curl);
    if (b.overflow) {
        *err = apr_psprintf(p, "%s: the answer is larger than %d bytes",
                            what, ANSWER_MAX);
        return APR_EGENERAL;
    }
    if (rc != CURLE_OK) {
        *err = apr_psprintf(p, "%s: %s", what, *curl_err ? curl_err
                            : curl_easy_strerror(rc));
        return rc == CURLE_OPERATION_TIMEDOUT ? APR_TIMEUP : APR_EGENERAL;
    }
    b.buf[b.len] = '\0';
    *out = b.buf;
    *out_len = b.len;
    return APR_SUCCESS;
}

/* A service's refusal as an error: APR_EAGAIN for throttling or a
 * failing service, else MAINTENANCE_ESTORE. */
static apr_status_t refused(const char *what, long status, const char *body,
                            apr_size_t len, apr_pool_t *p, const char **err)
{
    static const char *const throttling[] = {
        "Throttling", "ThrottlingException", "RequestLimitExceeded",
        "IDPCommunicationError", NULL
    };
    const char *code, *message;
    int i, again = status == 429 || status >= 500;

    maintenance_aws_error_of(body, len, &code, &message, p);
    for (i = 0; code && throttling[i]; i++) {
        again = again || !strcmp(code, throttling[i]);
    }
    *err = apr_psprintf(p, "%s answered HTTP %ld%s%s%s%s", what, status,
                        code ? " " : "", code ? code : "",
                        message ? ": " : "", message ? message : "");
    return again ? APR_EAGAIN : MAINTENANCE_ESTORE;
}

/* A small file's content, trimmed, as a header value or form field. */
static const char *read_token_file(const char *what, const char *variable,
                                   const char *path, const char **token,
                                   apr_pool_t *p)
{
    apr_finfo_t finfo;
    apr_file_t *f;
    apr_size_t len = 0;
    apr_status_t rv;
    char *text, buf[120];

    if ((rv = apr_file_open(&f, path, APR_FOPEN_READ, APR_FPROT_OS_DEFAULT,
                            p)) != APR_SUCCESS
        || (rv = apr_file_info_get(&finfo, APR_FINFO_SIZE, f))
           != APR_SUCCESS) {
        return apr_psprintf(p, "%s: cannot read %s %s: %s", what, variable,
                            path, apr_strerror(rv, buf, sizeof(buf)));
    }
    if (finfo.size > TOKEN_FILE_MAX) {
        apr_file_close(f);
        return apr_psprintf(p, "%s: %s %s is larger than %d bytes", what,
                            variable, path, TOKEN_FILE_MAX);
    }
    text = apr_pcalloc(p, (apr_size_t)finfo.size + 1);
    rv = apr_file_read_full(f, text, (apr_size_t)finfo.size, &len);
    apr_file_close(f);
    if (rv != APR_SUCCESS && rv != APR_EOF) {
        return apr_psprintf(p, "%s: cannot read %s %s: %s", what, variable,
                            path, apr_strerror(rv, buf, sizeof(buf)));
    }
    text = trim(text);
    for (len = 0; text[len] && (unsigned char)text[len] > 0x20
                  && (unsigned char)text[len] < 0x7f; len++) {
    }
    if (!*text || text[len]) {
        return apr_psprintf(p, "%s: %s %s holds no token", what, variable,
                            path);
    }
    *token = text;
    return NULL;
}

/* --- web identity -------------------------------------------------------- */

static apr_status_t from_web_identity(maintenance_aws *a, apr_time_t deadline,
                                      maintenance_aws_creds *c, apr_pool_t *p,
                                      const char **err)
{
    const char *what = "web identity", *token, *name = a->session_name;
    struct curl_slist *headers = NULL;
    char host[256] = "", *body, *answer_text, *e_arn, *e_name, *e_token;
    apr_size_t len;
    long status;
    apr_status_t rv;
    CURL *esc;

    if ((*err = read_token_file(what, "AWS_WEB_IDENTITY_TOKEN_FILE",
                                a->token_file, &token, p)) != NULL) {
        return APR_EGENERAL;
    }
    if (!name) {
        gethostname(host, sizeof(host) - 1);
        name = maintenance_aws_session_name(host, (long)getpid(), p);
    }
    if (!(esc = curl_easy_init())) {
        *err = "web identity: libcurl could not make a handle";
        return APR_ENOMEM;
    }
    e_arn = curl_easy_escape(esc, a->role_arn, 0);
    e_name = curl_easy_escape(esc, name, 0);
    e_token = curl_easy_escape(esc, token, 0);
    body = apr_pstrcat(p, "Action=AssumeRoleWithWebIdentity"
                       "&Version=2011-06-15&RoleArn=", e_arn ? e_arn : "",
                       "&RoleSessionName=", e_name ? e_name : "",
                       "&WebIdentityToken=", e_token ? e_token : "", NULL);
    curl_free(e_arn);
    curl_free(e_name);
    if (e_token) {
        OPENSSL_cleanse(e_token, strlen(e_token));
    }
    curl_free(e_token);
    curl_easy_cleanup(esc);

    headers = curl_slist_append(headers, "Content-Type: "
                                "application/x-www-form-urlencoded; "
                                "charset=utf-8");
    headers = curl_slist_append(headers, "Accept: application/xml");
    rv = call("web identity: STS", "POST", a->sts_url, headers, body, 0, 0,
              deadline, &status, &answer_text, &len, p, err);
    curl_slist_free_all(headers);
    OPENSSL_cleanse(body, strlen(body));
    if (rv != APR_SUCCESS) {
        return rv;
    }
    if (status != 200) {
        return refused("web identity: STS", status, answer_text, len, p, err);
    }
    if ((*err = maintenance_aws_sts_creds(answer_text, len, c, p)) != NULL) {
        *err = apr_psprintf(p, "web identity: STS's answer: %s", *err);
        return APR_EGENERAL;
    }
    return APR_SUCCESS;
}

/* --- container credentials --------------------------------------------- */

static apr_status_t from_container(maintenance_aws *a, apr_time_t deadline,
                                   maintenance_aws_creds *c, apr_pool_t *p,
                                   const char **err)
{
    const char *what = apr_psprintf(p, "container credentials (%s)",
                                    a->container_host);
    const char *token = a->auth_token;
    struct curl_slist *headers = NULL;
    char *text, *line = NULL;
    apr_size_t len;
    long status;
    apr_status_t rv;

    if (a->auth_file
        && (*err = read_token_file(what, "AWS_CONTAINER_AUTHORIZATION_"
                                   "TOKEN_FILE", a->auth_file, &token, p))
           != NULL) {
        return APR_EGENERAL;
    }
    headers = curl_slist_append(headers, "Accept: application/json");
    if (token) {
        line = apr_pstrcat(p, "Authorization: ", token, NULL);
        headers = curl_slist_append(headers, line);
    }
    rv = call(what, "GET", a->container_url, headers, NULL, 0, 1, deadline,
              &status, &text, &len, p, err);
    curl_slist_free_all(headers);
    if (line) {
        OPENSSL_cleanse(line, strlen(line));
    }
    if (rv != APR_SUCCESS) {
        return rv;
    }
    if (status != 200) {
        return refused(what, status, text, len, p, err);
    }
    if ((*err = maintenance_aws_json_creds(text, len, c, p)) != NULL) {
        *err = apr_psprintf(p, "%s: its answer: %s", what, *err);
        return APR_EGENERAL;
    }
    return APR_SUCCESS;
}

/* --- instance metadata (IMDSv2) ---------------------------------------- */

/* One request to the service, tried twice if it fails to answer or
 * answers 5xx, 1 s each at most. */
static apr_status_t imds_call(maintenance_aws *a, const char *method,
                              const char *path, const char *header,
                              apr_time_t deadline, long *status, char **text,
                              apr_size_t *len, apr_pool_t *p,
                              const char **err)
{
    const char *url = apr_pstrcat(p, a->imds, path, NULL);
    apr_status_t rv = APR_EGENERAL;
    int try;

    for (try = 0; try < IMDS_TRIES; try++) {
        struct curl_slist *headers = curl_slist_append(NULL, header);

        rv = call("instance metadata", method, url, headers, NULL,
                  IMDS_CALL_MS, 1, deadline, status, text, len, p, err);
        curl_slist_free_all(headers);
        if ((rv == APR_SUCCESS && *status < 500)
            || deadline <= apr_time_now()) {
            break;
        }
    }
    return rv;
}

/* The session token, held for its TTL less 5 minutes. */
static apr_status_t imds_token(maintenance_aws *a, apr_time_t deadline,
                               const char **token, apr_pool_t *p,
                               const char **err)
{
    apr_time_t now = apr_time_now();
    apr_size_t len;
    char *text;
    long status;
    apr_status_t rv;

    if (*a->imds_token && now < a->imds_token_until) {
        *token = a->imds_token;
        return APR_SUCCESS;
    }
    rv = imds_call(a, "PUT", "/latest/api/token",
                   "X-aws-ec2-metadata-token-ttl-seconds: "
                   APR_STRINGIFY(IMDS_TOKEN_TTL), deadline, &status, &text,
                   &len, p, err);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    if (status != 200) {
        return refused("instance metadata: PUT /latest/api/token", status,
                       text, len, p, err);
    }
    while (len && apr_isspace(text[len - 1])) {
        text[--len] = '\0';
    }
    if (!len || len >= sizeof(a->imds_token) || strpbrk(text, " \t\r\n")) {
        *err = "instance metadata: PUT /latest/api/token: not a token";
        return APR_EGENERAL;
    }
    OPENSSL_cleanse(a->imds_token, sizeof(a->imds_token));
    memcpy(a->imds_token, text, len + 1);
    a->imds_token_until = now + apr_time_from_sec(IMDS_TOKEN_TTL - 300);
    *token = a->imds_token;
    return APR_SUCCESS;
}

static apr_status_t from_imds_once(maintenance_aws *a, apr_time_t deadline,
                                   maintenance_aws_creds *c, apr_pool_t *p,
                                   const char **err, int *unauthorized)
{
    const char *token = NULL, *role, *header;
    apr_size_t len;
    char *text;
    long status;
    apr_status_t rv;

    *unauthorized = 0;
    if ((rv = imds_token(a, deadline, &token, p, err)) != APR_SUCCESS) {
        return rv;
    }
    header = apr_pstrcat(p, "X-aws-ec2-metadata-token: ", token, NULL);
    rv = imds_call(a, "GET", CREDS_PATH, header, deadline, &status, &text,
                   &len, p, err);
    if (rv == APR_SUCCESS && status == 200) {
        if (!(role = maintenance_aws_imds_role(text, len, p))) {
            *err = "instance metadata: " CREDS_PATH " names no role";
            return APR_EGENERAL;
        }
        rv = imds_call(a, "GET", apr_pstrcat(p, CREDS_PATH, role, NULL),
                       header, deadline, &status, &text, &len, p, err);
    }
    OPENSSL_cleanse((char *)header, strlen(header));
    if (rv != APR_SUCCESS) {
        return rv;
    }
    if (status == 401) {
        *unauthorized = 1;
    }
    if (status == 404) {
        *err = "instance metadata: this instance has no IAM role (attach "
               "an instance profile)";
        return MAINTENANCE_ESTORE;
    }
    if (status != 200) {
        return refused("instance metadata: GET " CREDS_PATH, status, text,
                       len, p, err);
    }
    if ((*err = maintenance_aws_json_creds(text, len, c, p)) != NULL) {
        *err = apr_psprintf(p, "instance metadata: its answer: %s", *err);
        return APR_EGENERAL;
    }
    return APR_SUCCESS;
}

static apr_status_t from_imds(maintenance_aws *a, apr_time_t deadline,
                              maintenance_aws_creds *c, apr_pool_t *p,
                              const char **err)
{
    int unauthorized;
    apr_status_t rv = from_imds_once(a, deadline, c, p, err, &unauthorized);

    /* The session token expired or the service restarted: a new one. */
    if (unauthorized) {
        OPENSSL_cleanse(a->imds_token, sizeof(a->imds_token));
        a->imds_token_until = 0;
        rv = from_imds_once(a, deadline, c, p, err, &unauthorized);
    }
    return rv;
}

/* --- the chain ----------------------------------------------------------- */

static const char *env(const char *name, apr_pool_t *p)
{
    char *value = NULL;

    if (apr_env_get(&value, name, p) != APR_SUCCESS || !value || !*value) {
        return NULL;
    }
    return value;
}

static const char *no_credentials(void)
{
    return "no credentials: no credentials file is named "
           "(MaintenanceS3Credentials for httpd, MAINTENANCE_S3_CREDENTIALS "
           "for maintenancectl), and the environment has neither "
           "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, nor "
           "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN, nor "
           "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI, and "
           "AWS_EC2_METADATA_DISABLED=true turns off the instance metadata "
           "service";
}

static const char *choose(maintenance_aws *a, const char *file,
                          const char *profile, const char *region,
                          apr_pool_t *p)
{
    maintenance_aws_creds c = { 0 };
    const char *id = env("AWS_ACCESS_KEY_ID", p);
    const char *secret = env("AWS_SECRET_ACCESS_KEY", p);
    const char *full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI", p);
    const char *relative = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", p);
    const char *disabled = env("AWS_EC2_METADATA_DISABLED", p);
    const char *err, *name;

    if (file) {
        apr_finfo_t finfo;

        a->source = FROM_FILE;
        a->file = file;
        a->profile = profile ? profile : "default";
        if ((err = read_file(a->file, a->profile, &c, &finfo, p)) != NULL) {
            return err;
        }
        a->file_mtime = finfo.mtime;
        a->file_size = finfo.size;
        a->file_inode = finfo.inode;
        a->file_checked = apr_time_now();
        hold(a, &c, apr_time_now());
        return NULL;
    }
    if (id || secret) {
        a->source = FROM_ENV;
        if (!id || !secret) {
            return apr_psprintf(p, "incomplete credentials in the "
                                "environment: %s is set, %s is not",
                                id ? "AWS_ACCESS_KEY_ID"
                                   : "AWS_SECRET_ACCESS_KEY",
                                id ? "AWS_SECRET_ACCESS_KEY"
                                   : "AWS_ACCESS_KEY_ID");
        }
        c.id = id;
        c.secret = secret;
        c.token = env("AWS_SESSION_TOKEN", p);
        if ((err = maintenance_aws_creds_check(&c)) != NULL) {
            return apr_psprintf(p, "the credentials in the environment "
                                "(AWS_ACCESS_KEY_ID...): %s", err);
        }
        hold(a, &c, apr_time_now());
        return NULL;
    }
    if (env("AWS_WEB_IDENTITY_TOKEN_FILE", p) && env("AWS_ROLE_ARN", p)) {
        const char *endpoint = env("AWS_ENDPOINT_URL_STS", p);
        const char *sts_region = env("AWS_REGION", p);

        a->source = FROM_WEB_IDENTITY;
        a->token_file = env("AWS_WEB_IDENTITY_TOKEN_FILE", p);
        a->role_arn = env("AWS_ROLE_ARN", p);
        if ((name = env("AWS_ROLE_SESSION_NAME", p)) != NULL
            && !maintenance_aws_session_name_valid(name)) {
            return apr_psprintf(p, "AWS_ROLE_SESSION_NAME '%s' is not a role "
                                "session name: 2 to 64 of A-Z a-z 0-9 "
                                "+=,.@_-", name);
        }
        a->session_name = name;
        if (!sts_region) {
            sts_region = env("AWS_DEFAULT_REGION", p);
        }
        if (sts_region && !maintenance_s3_region_valid(sts_region)) {
            return apr_psprintf(p, "AWS_REGION or AWS_DEFAULT_REGION '%s' is "
                                "not a region name like eu-west-1",
                                sts_region);
        }
        if (endpoint && strncasecmp(endpoint, "https://", 8)
            && strncasecmp(endpoint, "http://", 7)) {
            return apr_psprintf(p, "AWS_ENDPOINT_URL_STS '%s' is not an "
                                "http(s) URL", endpoint);
        }
        a->sts_url = maintenance_aws_sts_url(endpoint, sts_region ? sts_region
                                                                  : region, p);
        return NULL;
    }
    if (full || relative) {
        apr_uri_t uri;

        a->source = FROM_CONTAINER;
        if ((err = maintenance_aws_container_url(full, relative,
                                                 &a->container_url, p))
            != NULL) {
            return err;
        }
        apr_uri_parse(p, a->container_url, &uri);
        a->container_host = uri.hostname ? uri.hostname : "?";
        a->auth_file = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", p);
        a->auth_token = env("AWS_CONTAINER_AUTHORIZATION_TOKEN", p);
        if (!a->auth_file && a->auth_token && strpbrk(a->auth_token, "\r\n")) {
            return "AWS_CONTAINER_AUTHORIZATION_TOKEN holds a line break";
        }
        return NULL;
    }
    if (!disabled || strcasecmp(disabled, "true")) {
        const char *endpoint = env("AWS_EC2_METADATA_SERVICE_ENDPOINT", p);
        char *imds = apr_pstrdup(p, endpoint ? endpoint : IMDS_DEFAULT);
        apr_size_t len = strlen(imds);

        a->source = FROM_IMDS;
        if (strncasecmp(imds, "http://", 7) && strncasecmp(imds, "https://",
                                                            8)) {
            return apr_psprintf(p, "AWS_EC2_METADATA_SERVICE_ENDPOINT '%s' is "
                                "not an http(s) URL", imds);
        }
        while (len && imds[len - 1] == '/') {
            imds[--len] = '\0';
        }
        a->imds = imds;
        return NULL;
    }
    return no_credentials();
}

const char *maintenance_aws_create(maintenance_aws **out, const char *file,
                                   const char *profile, const char *region,
                                   apr_pool_t *p)
{
    maintenance_aws *a = apr_pcalloc(p, sizeof(*a));
    const char *err = choose(a, file, profile, region, p);
    apr_status_t rv;

    if (err) {
        return err;
    }
    if ((rv = apr_thread_mutex_create(&a->lock, APR_THREAD_MUTEX_DEFAULT, p))
        != APR_SUCCESS) {
        return "cannot make a mutex for the credentials";
    }
    *out = a;
    return NULL;
}

static apr_status_t fetch(maintenance_aws *a, apr_time_t deadline,
                          maintenance_aws_creds *c, apr_pool_t *p,
                          const char **err)
{
    switch (a->source) {
    case FROM_WEB_IDENTITY:
        return from_web_identity(a, deadline, c, p, err);
    case FROM_CONTAINER:
        return from_container(a, deadline, c, p, err);
    case FROM_IMDS:
        return from_imds(a, deadline, c, p, err);
    default:
        *err = "credentials: nothing to fetch";
        return APR_EGENERAL;
    }
}

apr_status_t maintenance_aws_get(maintenance_aws *a, apr_time_t deadline,
                                 maintenance_aws_creds *c, apr_pool_t *p,
                                 const char **err)
{
    apr_time_t now = apr_time_now();
    apr_status_t rv = APR_SUCCESS;

    apr_thread_mutex_lock(a->lock);
    if (a->source == FROM_FILE) {
        reread_file(a, now, p);
    }
    else if (a->source >= FROM_WEB_IDENTITY) {
        int usable = a->have && (!a->expires || now < a->expires);
        int due = !a->have || (a->renew_at && now >= a->renew_at);

        if (due && (!usable || now >= a->next_try)) {
            maintenance_aws_creds fresh;

            rv = fetch(a, deadline, &fresh, p, err);
            if (rv == APR_SUCCESS) {
                hold(a, &fresh, apr_time_now());
            }
            else if (usable) {
                /* Not renewed yet: the ones held still work. */
                apr_interval_time_t wait = (a->expires - now) / 2;

                a->next_try = now + (wait < RENEW_RETRY ? wait : RENEW_RETRY);
                rv = APR_SUCCESS;
            }
        }
    }
    if (rv == APR_SUCCESS) {
        c->id = apr_pstrdup(p, a->id);
        c->secret = apr_pstrdup(p, a->secret);
        c->token = *a->token ? apr_pstrdup(p, a->token) : NULL;
        c->expires = a->expires;
    }
    apr_thread_mutex_unlock(a->lock);
    return rv;
}

const char *maintenance_aws_note(maintenance_aws *a, apr_pool_t *p)
{
    const char *note;

    apr_thread_mutex_lock(a->lock);
    note = *a->note ? apr_pstrdup(p, a->note) : NULL;
    apr_thread_mutex_unlock(a->lock);
    return note;
}
