/* What AWS's services answer the s3: provider, as any server on the other
 * end may send it: arbitrary bytes into the strict XML and JSON
 * extractors (lib/aws_parse.c), the credentials and error readers built on
 * them, the instance metadata role list, Retry-After; and the input as a
 * host name for a made-up session name and as a container credentials
 * URL.
 *
 * What each promises, checked against the bytes: an accepted document's
 * values are UTF-8 with no NUL, and a refused one's are all NULL; an
 * accepted document followed by a second root element, or by "x", is
 * refused; a JSON document's values written again by the module's own
 * JSON writer (lib/json.c) read back the same; accepted credentials pass
 * maintenance_aws_creds_check; an error's code and message are printable
 * ASCII of at most 200 bytes; a role name is 1 to 64 of its characters; a
 * made-up session name is always valid. */
#include "fuzz.h"
#include "json.h"
#include "aws_parse.h"
#include "../../lib/json.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

static const char *const PATHS[] = {
    "AssumeRoleWithWebIdentityResponse/AssumeRoleWithWebIdentityResult/"
    "Credentials/AccessKeyId",
    "AssumeRoleWithWebIdentityResponse/AssumeRoleWithWebIdentityResult/"
    "Credentials/SessionToken",
    "Error/Code", "Error/Message", "a", "a/b", "a/b/c", NULL
};

static const char *const NAMES[] = {
    "AccessKeyId", "SecretAccessKey", "Token", "Expiration", "Code", "a", "",
    NULL
};

#define NPATHS (sizeof(PATHS) / sizeof(*PATHS) - 1)
#define NNAMES (sizeof(NAMES) / sizeof(*NAMES) - 1)

static void check_utf8(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;

    while (*u) {
        int n = fuzz_utf8_char(u);
        FUZZ_CHECK(n > 0);
        u += n;
    }
}

static void check_values(const char *err, const char **values, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (err) {
            FUZZ_CHECK(values[i] == NULL);
        }
        else if (values[i]) {
            check_utf8(values[i]);
        }
    }
}

/* The bytes with more after them. */
static const char *followed(apr_pool_t *p, const uint8_t *data, size_t size,
                            const char *more, size_t *len)
{
    char *c;

    *len = size + strlen(more);
    c = apr_palloc(p, *len);
    if (size) {
        memcpy(c, data, size);
    }
    memcpy(c + size, more, strlen(more));
    return c;
}

static void xml(apr_pool_t *p, const char *doc, size_t size,
                const uint8_t *data)
{
    const char *values[NPATHS + 1], *err, *more;
    size_t len;

    err = maintenance_xml_fields(doc, size, PATHS, values, p);
    check_values(err, values, NPATHS);
    if (!err) {
        more = followed(p, data, size, "<x/>", &len);
        FUZZ_CHECK(maintenance_xml_fields(more, len, PATHS, values, p));
        more = followed(p, data, size, "x", &len);
        FUZZ_CHECK(maintenance_xml_fields(more, len, PATHS, values, p));
    }
}

static void json(apr_pool_t *p, const char *doc, size_t size,
                 const uint8_t *data)
{
    const char *values[NNAMES + 1], *again[NNAMES + 1], *err, *text, *more;
    maintenance_json j;
    size_t i, len;

    err = maintenance_json_fields(doc, size, NAMES, values, p);
    check_values(err, values, NNAMES);
    if (err) {
        return;
    }
    more = followed(p, data, size, "x", &len);
    FUZZ_CHECK(maintenance_json_fields(more, len, NAMES, again, p));
    /* Written again by the module's JSON writer, read back the same. */
    maintenance_json_begin(&j, p);
    for (i = 0; i < NNAMES; i++) {
        if (values[i]) {
            maintenance_json_str(&j, NAMES[i], values[i]);
        }
    }
    text = maintenance_json_end(&j);
    FUZZ_CHECK(!maintenance_json_fields(text, strlen(text), NAMES, again, p));
    for (i = 0; i < NNAMES; i++) {
        FUZZ_CHECK(!values[i] == !again[i]);
        FUZZ_CHECK(!values[i] || !strcmp(values[i], again[i]));
    }
}

static void check_creds(const char *err, const maintenance_aws_creds *c)
{
    if (err) {
        FUZZ_CHECK(!c->id && !c->secret && !c->token && !c->expires);
        return;
    }
    FUZZ_CHECK(maintenance_aws_creds_check(c) == NULL);
    FUZZ_CHECK(c->expires >= 0);
}

static void check_loggable(const char *s)
{
    size_t i;

    if (!s) {
        return;
    }
    FUZZ_CHECK(*s && strlen(s) <= 200);
    for (i = 0; s[i]; i++) {
        FUZZ_CHECK(s[i] >= 0x20 && s[i] < 0x7f);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_input_pool();
    /* In a block of its exact size: a read past the end is caught. */
    const char *doc = fuzz_copy(p, data, size, 0);
    const char *text = fuzz_string(p, data, size);
    const char *code, *message, *role, *name, *url;
    maintenance_aws_creds c;
    apr_interval_time_t after;
    size_t i;

    xml(p, doc, size, data);
    json(p, doc, size, data);
    check_creds(maintenance_aws_sts_creds(doc, size, &c, p), &c);
    check_creds(maintenance_aws_json_creds(doc, size, &c, p), &c);

    maintenance_aws_error_of(doc, size, &code, &message, p);
    check_loggable(code);
    check_loggable(message);

    if ((role = maintenance_aws_imds_role(doc, size, p)) != NULL) {
        FUZZ_CHECK(*role && strlen(role) <= 64);
        FUZZ_CHECK(maintenance_aws_session_name_valid(role)
                   || strlen(role) == 1);
    }

    after = maintenance_aws_retry_after(text, apr_time_from_sec(1700000000));
    FUZZ_CHECK(after >= -1);
    FUZZ_CHECK(maintenance_aws_backoff(0, after)
               <= MAINTENANCE_AWS_BACKOFF_MAX);
    FUZZ_CHECK(maintenance_aws_backoff(0, after)
               >= MAINTENANCE_AWS_BACKOFF_FIRST);

    name = maintenance_aws_session_name(text, (long)size, p);
    FUZZ_CHECK(maintenance_aws_session_name_valid(name));

    if (!maintenance_aws_container_url(text, NULL, &url, p)) {
        FUZZ_CHECK(url == text);
        FUZZ_CHECK(!strncasecmp(url, "http://", 7)
                   || !strncasecmp(url, "https://", 8));
        for (i = 0; url[i]; i++) {
            FUZZ_CHECK(url[i] != ' ' && url[i] != '\r' && url[i] != '\n');
        }
    }
    return 0;
}
