/* The s3: provider's AWS parts without S3 or AWS: the strict XML and JSON
 * extractors and what is built on them (lib/aws_parse.c), the choice of a
 * credentials source from the environment, and the credentials services'
 * and S3's requests and answers (lib/aws_creds.c, lib/provider_s3.c)
 * against a small HTTP server of this file's own on loopback, which
 * answers what each test tells it and keeps what it was asked: the
 * IMDSv2 token dance, STS's form, the container's Authorization, renewal
 * ahead of expiry, a failed renewal while the credentials still work,
 * payloads signed with their SHA-256, and the backoff after 503
 * SlowDown. */
#include <apr_env.h>
#include <apr_file_io.h>
#include <apr_strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "unit.h"
#include "aws_creds.h"
#include "aws_parse.h"
#include "provider.h"
#include "timefmt.h"

#define TOKEN    "mmUnitWebIdentityToken.payload.signature"
#define SECRET   "mmUnitSecret/xQ7+Lr3Tz0pW7yKc2Nh5"
#define ID       "ASIAUNITTEST00000001"
#define ID2      "ASIAUNITTEST00000002"
/* sha256("on\nmessage=x\n") */
#define SHA_ON_X "2ae06dd3471c8f618e2ad31e8e56f39ba9e1a58e054ada78cf4caddb1cb851b4"

/* --- XML ----------------------------------------------------------------- */

static const char STS_OK[] =
    "<?xml version=\"1.0\"?>\n"
    "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/"
    "doc/2011-06-15/\">\n"
    " <AssumeRoleWithWebIdentityResult>\n"
    "  <AssumedRoleUser><Arn>arn:aws:sts::1:assumed-role/r/s</Arn>"
    "</AssumedRoleUser>\n"
    "  <Credentials>\n"
    "   <SessionToken>tok/en+==</SessionToken>\n"
    "   <SecretAccessKey>" SECRET "</SecretAccessKey>\n"
    "   <Expiration>2026-11-22T11:00:00Z</Expiration>\n"
    "   <AccessKeyId>" ID "</AccessKeyId>\n"
    "  </Credentials>\n"
    " </AssumeRoleWithWebIdentityResult>\n"
    " <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>\n"
    "</AssumeRoleWithWebIdentityResponse>\n";

static const char *xml1(const char *doc, const char *path, apr_pool_t *p,
                        const char **err)
{
    const char *paths[] = { path, NULL }, *values[2];

    *err = maintenance_xml_fields(doc, strlen(doc), paths, values, p);
    return values[0];
}

typedef struct {
    const char *doc;
    const char *path;
    const char *value;   /* NULL: absent (or refused, with bad) */
    int bad;             /* the document is refused */
} xml_row;

static void test_xml_fields(void **state)
{
    static const xml_row rows[] = {
        { "<a><b>x</b></a>", "a/b", "x", 0 },
        { "<a><b>x</b></a>", "a/c", NULL, 0 },
        { "<a><b/></a>", "a/b", "", 0 },
        { "\xef\xbb\xbf<?xml version='1.0'?><!-- c --><a>1</a><!-- e -->\n",
          "a", "1", 0 },
        { "<a>&lt;&gt;&amp;&quot;&apos;&#65;&#x42;&#xe9;</a>", "a",
          "<>&\"'AB\xc3\xa9", 0 },
        { "<a>x<![CDATA[<y>&amp;]]>z</a>", "a", "x<y>&amp;z", 0 },
        { "<a>x<!-- no -->y<?pi?>z</a>", "a", "xyz", 0 },
        { "<a k=\"v\" j='w &amp;'><b>1</b></a>", "a/b", "1", 0 },
        { "<a>\xc3\xa9</a>", "a", "\xc3\xa9", 0 },
        /* Refused. */
        { "<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>", "a", NULL, 1 },
        { "<a>&x;</a>", "a", NULL, 1 },
        { "<a>&#0;</a>", "a", NULL, 1 },
        { "<a>&#xd800;</a>", "a", NULL, 1 },
        { "<a><b>x</c></a>", "a/b", NULL, 1 },
        { "<a><b>x</b>", "a/b", NULL, 1 },
        { "<a>x</a><b/>", "a", NULL, 1 },
        { "<a>x</a>junk", "a", NULL, 1 },
        { "<a><b>1</b><b>2</b></a>", "a/b", NULL, 1 },
        { "<a><b>1</b></a>", "a", NULL, 1 },   /* wanted, with a child */
        { "<a>\x01</a>", "a", NULL, 1 },
        { "<a>\xc3</a>", "a", NULL, 1 },
        { "<a>\xed\xa0\x80</a>", "a", NULL, 1 },  /* a surrogate */
        { "<a k=v/>", "a", NULL, 1 },
        { "<a k=\"<\"/>", "a", NULL, 1 },
        { "<a><!-- x -- y --></a>", "a", NULL, 1 },
        { "", "a", NULL, 1 },
        { "text", "a", NULL, 1 },
        { "<1a/>", "1a", NULL, 1 },
    };
    apr_pool_t *p = *state;
    const char *err, *got;
    char deep[2048] = "";
    size_t i;

    for (i = 0; i < ARRAY_LEN(rows); i++) {
        got = xml1(rows[i].doc, rows[i].path, p, &err);
        EXPECT(!err == !rows[i].bad, "%s: %s", rows[i].doc, unit_str(err));
        EXPECT((!got && !rows[i].value)
               || (got && rows[i].value && !strcmp(got, rows[i].value)),
               "%s: %s, expected %s", rows[i].doc, unit_str(got),
               unit_str(rows[i].value));
    }
    /* Nesting: 32 deep is fine, 33 is not. */
    for (i = 0; i < 32; i++) {
        strcat(deep, "<a>");
    }
    for (i = 0; i < 32; i++) {
        strcat(deep, "</a>");
    }
    xml1(deep, "x", p, &err);
    EXPECT(!err, "32 deep: %s", unit_str(err));
    memmove(deep + 3, deep, strlen(deep) + 1);
    memcpy(deep, "<a>", 3);
    strcat(deep, "</a>");
    xml1(deep, "x", p, &err);
    EXPECT(err != NULL, "33 deep accepted");
    EXPECT_ALL();
}

/* Every cut of a good document is refused, and never read past. */
static void test_xml_cut(void **state)
{
    apr_pool_t *p = *state;
    const char *paths[] = { "AssumeRoleWithWebIdentityResponse/"
                            "AssumeRoleWithWebIdentityResult/Credentials/"
                            "AccessKeyId", NULL }, *values[2];
    size_t len = strlen(STS_OK), cut;

    /* The last byte is a newline after the root: dropping it is fine. */
    for (cut = 0; cut < len - 1; cut++) {
        char *copy = malloc(cut ? cut : 1);

        memcpy(copy, STS_OK, cut);
        assert_non_null(maintenance_xml_fields(copy, cut, paths, values, p));
        assert_null(values[0]);
        free(copy);
    }
    assert_null(maintenance_xml_fields(STS_OK, len, paths, values, p));
    assert_string_equal(values[0], ID);
}

/* --- JSON ---------------------------------------------------------------- */

typedef struct {
    const char *doc;
    const char *value;   /* member "a" */
    int bad;
} json_row;

static void test_json_fields(void **state)
{
    static const json_row rows[] = {
        { "{\"a\":\"x\"}", "x", 0 },
        { " { \"b\" : [1, -0.5e+3, true, false, null, {\"c\":{}}],"
          " \"a\" : \"y\" } \n", "y", 0 },
        { "{}", NULL, 0 },
        { "{\"b\":\"x\"}", NULL, 0 },
        { "{\"a\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}", "\"\\/\b\f\n\r\t", 0 },
        { "{\"a\":\"\\u00e9\\ud83d\\ude00\"}", "\xc3\xa9\xf0\x9f\x98\x80", 0 },
        { "{\"a\":\"\xc3\xa9\"}", "\xc3\xa9", 0 },
        { "{\"b\":\"a\",\"a\":\"\"}", "", 0 },
        /* Refused. */
        { "{\"a\":\"x\",\"a\":\"y\"}", NULL, 1 },
        { "{\"a\":1}", NULL, 1 },
        { "{\"a\":null}", NULL, 1 },
        { "{\"a\":\"\\u0000\"}", NULL, 1 },
        { "{\"a\":\"\\ud800\"}", NULL, 1 },
        { "{\"a\":\"\\udc00\"}", NULL, 1 },
        { "{\"a\":\"\\x\"}", NULL, 1 },
        { "{\"a\":\"\x01\"}", NULL, 1 },
        { "{\"a\":\"\xc0\xaf\"}", NULL, 1 },
        { "{\"a\":\"x\"} x", NULL, 1 },
        { "{\"a\":\"x\",}", NULL, 1 },
        { "{\"b\":01}", NULL, 1 },
        { "{\"b\":1.}", NULL, 1 },
        { "{\"b\":-}", NULL, 1 },
        { "{\"b\":tru}", NULL, 1 },
        { "{\"b\":[1,]}", NULL, 1 },
        { "[\"a\"]", NULL, 1 },
        { "\"a\"", NULL, 1 },
        { "", NULL, 1 },
        { "{\"a\":\"x\"", NULL, 1 },
        { "{a:\"x\"}", NULL, 1 },
    };
    static const char *const names[] = { "a", NULL };
    apr_pool_t *p = *state;
    const char *values[2], *err;
    char deep[256] = "{\"b\":";
    size_t i;

    for (i = 0; i < ARRAY_LEN(rows); i++) {
        err = maintenance_json_fields(rows[i].doc, strlen(rows[i].doc), names,
                                      values, p);
        EXPECT(!err == !rows[i].bad, "%s: %s", rows[i].doc, unit_str(err));
        EXPECT((!values[0] && !rows[i].value)
               || (values[0] && rows[i].value
                   && !strcmp(values[0], rows[i].value)),
               "%s: %s, expected %s", rows[i].doc, unit_str(values[0]),
               unit_str(rows[i].value));
    }
    /* Nesting is bounded, not a stack overflow. */
    for (i = 0; i < 100; i++) {
        strcat(deep, "[");
    }
    EXPECT(maintenance_json_fields(deep, strlen(deep), names, values, p),
           "100 deep accepted");
    EXPECT_ALL();
}

/* --- credentials answers ------------------------------------------------- */

static void test_sts_creds(void **state)
{
    apr_pool_t *p = *state;
    maintenance_aws_creds c;
    apr_time_t want;

    assert_null(maintenance_aws_sts_creds(STS_OK, strlen(STS_OK), &c, p));
    assert_string_equal(c.id, ID);
    assert_string_equal(c.secret, SECRET);
    assert_string_equal(c.token, "tok/en+==");
    assert_null(maintenance_time_parse("2026-11-22T11:00:00Z", &want));
    assert_true(c.expires == want);
    /* Without an Expiration, or with a key that is not one. */
    assert_non_null(maintenance_aws_sts_creds("<a/>", 4, &c, p));
    assert_null(c.id);
}

static void test_json_creds(void **state)
{
    static const char *const bad[] = {
        "{\"AccessKeyId\":\"" ID "\"}",
        "{\"Code\":\"Failure\",\"AccessKeyId\":\"" ID "\","
        "\"SecretAccessKey\":\"s\"}",
        "{\"AccessKeyId\":\"AS:IA\",\"SecretAccessKey\":\"s\"}",
        "{\"AccessKeyId\":\"" ID "\",\"SecretAccessKey\":\"s s\"}",
        "{\"AccessKeyId\":\"" ID "\",\"SecretAccessKey\":\"s\","
        "\"Token\":\"a\\nb\"}",
        "{\"AccessKeyId\":\"" ID "\",\"SecretAccessKey\":\"s\","
        "\"Expiration\":\"soon\"}",
    };
    static const char ok[] =
        "{\"Code\":\"Success\",\"Type\":\"AWS-HMAC\",\"AccessKeyId\":\"" ID
        "\",\"SecretAccessKey\":\"" SECRET "\",\"Token\":\"t\","
        "\"Expiration\":\"2026-11-22T11:00:00Z\"}";
    apr_pool_t *p = *state;
    maintenance_aws_creds c;
    const char *err;
    size_t i;

    assert_null(maintenance_aws_json_creds(ok, strlen(ok), &c, p));
    assert_string_equal(c.id, ID);
    assert_string_equal(c.token, "t");
    assert_true(c.expires > 0);
    for (i = 0; i < ARRAY_LEN(bad); i++) {
        err = maintenance_aws_json_creds(bad[i], strlen(bad[i]), &c, p);
        EXPECT(err, "%s accepted", bad[i]);
        EXPECT(!err || !strstr(err, SECRET), "%s", err);
        EXPECT(!c.id && !c.secret, "%s: credentials left", bad[i]);
    }
    EXPECT_ALL();
}

static void test_error_of(void **state)
{
    static const struct {
        const char *doc, *code, *message;
    } rows[] = {
        { "<Error><Code>SlowDown</Code><Message>Please reduce your request "
          "rate.</Message></Error>", "SlowDown",
          "Please reduce your request rate." },
        { "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
          "<Message>Not authorized</Message></Error></ErrorResponse>",
          "AccessDenied", "Not authorized" },
        { "{\"code\":\"InvalidIdentifier\",\"message\":\"m\\u0001\"}",
          "InvalidIdentifier", "m?" },
        { "{\"Code\":\"X\"}", "X", NULL },
        { "<html>503</html>", NULL, NULL },
        { "Service Unavailable", NULL, NULL },
        { "<Error><Code></Code></Error>", NULL, NULL },
    };
    apr_pool_t *p = *state;
    const char *code, *message;
    char *long_doc;
    size_t i;

    for (i = 0; i < ARRAY_LEN(rows); i++) {
        maintenance_aws_error_of(rows[i].doc, strlen(rows[i].doc), &code,
                                 &message, p);
        EXPECT((!code && !rows[i].code)
               || (code && rows[i].code && !strcmp(code, rows[i].code)),
               "%s: code %s", rows[i].doc, unit_str(code));
        EXPECT((!message && !rows[i].message)
               || (message && rows[i].message
                   && !strcmp(message, rows[i].message)),
               "%s: message %s", rows[i].doc, unit_str(message));
    }
    /* Cut for a log. */
    long_doc = apr_psprintf(p, "<Error><Code>C</Code><Message>%0500d"
                            "</Message></Error>", 0);
    maintenance_aws_error_of(long_doc, strlen(long_doc), &code, &message, p);
    EXPECT(message && strlen(message) == 200, "not cut: %s",
           unit_str(message));
    EXPECT_ALL();
}

/* --- names, places, times ------------------------------------------------ */

static void test_names(void **state)
{
    apr_pool_t *p = *state;
    const char *name;

    assert_string_equal(maintenance_aws_imds_role("mm-role\n", 8, p),
                        "mm-role");
    assert_string_equal(maintenance_aws_imds_role("a\r\nb\n", 5, p), "a");
    assert_null(maintenance_aws_imds_role("", 0, p));
    assert_null(maintenance_aws_imds_role("bad role\n", 9, p));
    assert_null(maintenance_aws_imds_role("../x", 4, p));

    assert_true(maintenance_aws_session_name_valid("ab"));
    assert_true(maintenance_aws_session_name_valid("a+=,.@_-9"));
    assert_false(maintenance_aws_session_name_valid("a"));
    assert_false(maintenance_aws_session_name_valid("has blank"));
    assert_false(maintenance_aws_session_name_valid("x/y"));
    assert_false(maintenance_aws_session_name_valid(
        apr_psprintf(p, "%065d", 0)));

    name = maintenance_aws_session_name("web-1.example.com", 4242, p);
    assert_string_equal(name, "mod_maintenance-web-1.example.com-4242");
    name = maintenance_aws_session_name("h\xc3\xa9st/x y", 7, p);
    assert_string_equal(name, "mod_maintenance-h--st-x-y-7");
    name = maintenance_aws_session_name("", 7, p);
    assert_string_equal(name, "mod_maintenance-7");
    name = maintenance_aws_session_name(apr_psprintf(p, "%0100d", 0),
                                        2147483647L, p);
    assert_int_equal(strlen(name), 64);
    assert_true(maintenance_aws_session_name_valid(name));
    assert_non_null(strstr(name, "-2147483647"));
}

static void test_places(void **state)
{
    static const char *const local[] = {
        "http://127.0.0.1:8080/creds", "http://127.1.2.3/x",
        "http://localhost/x", "http://[::1]:80/x", "http://169.254.170.2/v2",
        "http://169.254.170.23/v1/credentials",
        "http://[fd00:ec2::23]/v1/credentials", "https://creds.example.com/x",
    };
    static const char *const remote[] = {
        "http://192.0.2.1/creds", "http://127.0.0.1.example.com/x",
        "http://169.254.169.254/latest", "ftp://127.0.0.1/x", "not a url",
        "http://127.0.0.1/x y",
    };
    apr_pool_t *p = *state;
    const char *url;
    size_t i;

    for (i = 0; i < ARRAY_LEN(local); i++) {
        EXPECT(!maintenance_aws_container_url(local[i], NULL, &url, p)
               && !strcmp(url, local[i]), "%s refused", local[i]);
    }
    for (i = 0; i < ARRAY_LEN(remote); i++) {
        EXPECT(maintenance_aws_container_url(remote[i], NULL, &url, p),
               "%s accepted", remote[i]);
    }
    /* The relative URI wins, on the container host. */
    EXPECT(!maintenance_aws_container_url("http://192.0.2.1/", "/v2/abc",
                                          &url, p)
           && !strcmp(url, "http://169.254.170.2/v2/abc"), "relative");
    EXPECT(maintenance_aws_container_url(NULL, "v2", &url, p), "not a path");
    EXPECT(maintenance_aws_container_url(NULL, "/v2\n", &url, p), "a newline");

    EXPECT(!strcmp(maintenance_aws_sts_url(NULL, "eu-west-1", p),
                   "https://sts.eu-west-1.amazonaws.com/"), "regional");
    EXPECT(!strcmp(maintenance_aws_sts_url("", "cn-north-1", p),
                   "https://sts.cn-north-1.amazonaws.com.cn/"), "China");
    EXPECT(!strcmp(maintenance_aws_sts_url("http://127.0.0.1:1/", "x", p),
                   "http://127.0.0.1:1/"), "AWS_ENDPOINT_URL_STS");
    EXPECT_ALL();
}

static void test_times(void **state)
{
    apr_time_t now = apr_time_from_sec(1445412480);  /* 2015-10-21T07:28:00Z */
    apr_interval_time_t d = 0;
    int i;

    (void)state;
    assert_true(maintenance_aws_retry_after("5", now) == apr_time_from_sec(5));
    assert_true(maintenance_aws_retry_after(" 0 ", now) == 0);
    assert_true(maintenance_aws_retry_after("Wed, 21 Oct 2015 07:28:30 GMT",
                                            now) == apr_time_from_sec(30));
    assert_true(maintenance_aws_retry_after("Wed, 21 Oct 2015 07:27:00 GMT",
                                            now) == 0);
    assert_true(maintenance_aws_retry_after(NULL, now) == -1);
    assert_true(maintenance_aws_retry_after("", now) == -1);
    assert_true(maintenance_aws_retry_after("-1", now) == -1);
    assert_true(maintenance_aws_retry_after("1e3", now) == -1);
    assert_true(maintenance_aws_retry_after("soon", now) == -1);
    assert_true(maintenance_aws_retry_after("99999999999", now) == -1);

    /* 1, 2, 4... 32, 60, 60. */
    for (i = 0; i < 8; i++) {
        apr_interval_time_t want = apr_time_from_sec(i < 6 ? 1 << i : 60);
        d = maintenance_aws_backoff(d, -1);
        assert_true(d == want);
    }
    assert_true(maintenance_aws_backoff(0, apr_time_from_sec(30))
                == apr_time_from_sec(30));
    assert_true(maintenance_aws_backoff(0, apr_time_from_sec(3600))
                == MAINTENANCE_AWS_BACKOFF_MAX);
    assert_true(maintenance_aws_backoff(apr_time_from_sec(8), 0)
                == apr_time_from_sec(16));

    /* A quarter of the life, or 5 minutes, whichever is shorter. */
    assert_true(maintenance_aws_renew_at(now, now + apr_time_from_sec(60))
                == now + apr_time_from_sec(45));
    assert_true(maintenance_aws_renew_at(now, now + apr_time_from_sec(3600))
                == now + apr_time_from_sec(3300));
    assert_true(maintenance_aws_renew_at(now, 0) == 0);
    assert_true(maintenance_aws_renew_at(now, now - 1) == now - 1);
}

/* --- the choice of a source ---------------------------------------------- */

static const char *const CHAIN_ENV[] = {
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
    "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
    "AWS_ENDPOINT_URL_STS", "AWS_REGION", "AWS_DEFAULT_REGION",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_DISABLED", NULL
};

/* The environment: nothing of the chain's, then "NAME=value" entries of
 * env (a blank-separated string, or NULL). */
static void set_env(const char *env, apr_pool_t *p)
{
    char *words, *word, *last;
    int i;

    for (i = 0; CHAIN_ENV[i]; i++) {
        unsetenv(CHAIN_ENV[i]);
    }
    if (!env) {
        return;
    }
    words = apr_pstrdup(p, env);
    for (word = apr_strtok(words, " ", &last); word;
         word = apr_strtok(NULL, " ", &last)) {
        char *eq = strchr(word, '=');
        *eq = '\0';
        setenv(word, eq + 1, 1);
    }
}

static const char *write_file(apr_pool_t *p, const char *text)
{
    char *path = apr_pstrdup(p, "/tmp/mm-unit-aws.XXXXXX");
    apr_file_t *f;

    assert_int_equal(apr_file_mktemp(&f, path, APR_FOPEN_CREATE
                                     | APR_FOPEN_WRITE | APR_FOPEN_EXCL, p),
                     APR_SUCCESS);
    assert_int_equal(apr_file_write_full(f, text, strlen(text), NULL),
                     APR_SUCCESS);
    apr_file_close(f);
    return path;
}

typedef struct {
    int file;             /* with a credentials file */
    const char *env;
    const char *source;   /* NULL: refused, naming error */
    const char *error;
} chain_row;

static void test_chain_choice(void **state)
{
    static const chain_row rows[] = {
        { 1, "AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY=" SECRET
          " AWS_WEB_IDENTITY_TOKEN_FILE=/t AWS_ROLE_ARN=r",
          "credentials file", NULL },
        { 0, "AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY=" SECRET
          " AWS_WEB_IDENTITY_TOKEN_FILE=/t AWS_ROLE_ARN=r",
          "environment", NULL },
        { 0, "AWS_WEB_IDENTITY_TOKEN_FILE=/t AWS_ROLE_ARN=r "
          "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/x", "web identity",
          NULL },
        /* Half a web identity is none. */
        { 0, "AWS_ROLE_ARN=r AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/x",
          "container credentials", NULL },
        { 0, "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1/x "
          "AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:1",
          "container credentials", NULL },
        { 0, "AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:1/",
          "instance metadata", NULL },
        { 0, NULL, "instance metadata", NULL },
        { 0, "AWS_EC2_METADATA_DISABLED=false", "instance metadata", NULL },
        { 0, "AWS_EC2_METADATA_DISABLED=true", NULL,
          "AWS_EC2_METADATA_DISABLED" },
        { 0, "AWS_EC2_METADATA_DISABLED=True", NULL, "no credentials" },
        { 0, "AWS_ACCESS_KEY_ID=AKIDENV", NULL, "AWS_SECRET_ACCESS_KEY" },
        { 0, "AWS_SECRET_ACCESS_KEY=" SECRET, NULL, "AWS_ACCESS_KEY_ID" },
        { 0, "AWS_ACCESS_KEY_ID=AK:ID AWS_SECRET_ACCESS_KEY=" SECRET, NULL,
          "access key id" },
        { 0, "AWS_ACCESS_KEY_ID=minio_user-1 AWS_SECRET_ACCESS_KEY=" SECRET,
          "environment", NULL },
        { 0, "AWS_WEB_IDENTITY_TOKEN_FILE=/t AWS_ROLE_ARN=r "
          "AWS_ROLE_SESSION_NAME=x", NULL, "AWS_ROLE_SESSION_NAME" },
        { 0, "AWS_WEB_IDENTITY_TOKEN_FILE=/t AWS_ROLE_ARN=r "
          "AWS_REGION=EU", NULL, "AWS_REGION" },
        { 0, "AWS_WEB_IDENTITY_TOKEN_FILE=/t AWS_ROLE_ARN=r "
          "AWS_ENDPOINT_URL_STS=sts.example.com", NULL,
          "AWS_ENDPOINT_URL_STS" },
        { 0, "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://192.0.2.1/", NULL,
          "AWS_CONTAINER_CREDENTIALS_FULL_URI" },
        { 0, "AWS_EC2_METADATA_SERVICE_ENDPOINT=169.254.169.254", NULL,
          "AWS_EC2_METADATA_SERVICE_ENDPOINT" },
    };
    apr_pool_t *p = *state;
    const char *file = write_file(p, "[default]\naws_access_key_id = AKIDF\n"
                                  "aws_secret_access_key = " SECRET "\n");
    size_t i;

    for (i = 0; i < ARRAY_LEN(rows); i++) {
        maintenance_aws *a = NULL;
        const char *err;

        set_env(rows[i].env, p);
        err = maintenance_aws_create(&a, rows[i].file ? file : NULL, NULL,
                                     "eu-west-1", p);
        if (rows[i].source) {
            EXPECT(!err && !strcmp(maintenance_aws_source(a),
                                   rows[i].source),
                   "%s: %s, expected %s", unit_str(rows[i].env),
                   err ? err : maintenance_aws_source(a), rows[i].source);
        }
        else {
            EXPECT(err && strstr(err, rows[i].error), "%s: %s, expected "
                   "an error naming %s", unit_str(rows[i].env),
                   unit_str(err), rows[i].error);
        }
        EXPECT(!err || !strstr(err, SECRET), "%s", err);
    }
    set_env(NULL, p);
    apr_file_remove(file, p);
    EXPECT_ALL();
}

/* A changed file is read again (looked at once a second); one this process
 * cannot use leaves the keys it had, and says so in the note. */
static void test_file_read_again(void **state)
{
    apr_pool_t *p = *state;
    const char *file = write_file(p, "[default]\naws_access_key_id = " ID "\n"
                                  "aws_secret_access_key = " SECRET "\n");
    maintenance_aws *a;
    maintenance_aws_creds c;
    const char *err = NULL;
    FILE *fp;

    set_env(NULL, p);
    assert_null(maintenance_aws_create(&a, file, NULL, "us-east-1", p));
    assert_int_equal(maintenance_aws_get(a, apr_time_now() + 1000000, &c, p,
                                         &err), APR_SUCCESS);
    assert_string_equal(c.id, ID);
    assert_null(c.token);

    assert_non_null(fp = fopen(file, "w"));
    fputs("[default]\naws_access_key_id = " ID2 "\n"
          "aws_secret_access_key = other\naws_session_token = tok\n", fp);
    fclose(fp);
    apr_sleep(apr_time_from_msec(1100));
    assert_int_equal(maintenance_aws_get(a, apr_time_now() + 1000000, &c, p,
                                         &err), APR_SUCCESS);
    assert_string_equal(c.id, ID2);
    assert_string_equal(c.token, "tok");
    assert_null(maintenance_aws_note(a, p));

    assert_non_null(fp = fopen(file, "w"));
    fputs("[other]\naws_access_key_id = AKIDX\n", fp);
    fclose(fp);
    apr_sleep(apr_time_from_msec(1100));
    assert_int_equal(maintenance_aws_get(a, apr_time_now() + 1000000, &c, p,
                                         &err), APR_SUCCESS);
    assert_string_equal(c.id, ID2);
    assert_non_null(strstr(maintenance_aws_note(a, p), "cannot use it"));
    apr_file_remove(file, p);
}

/* --- a small HTTP server ------------------------------------------------- */

#define MAX_ANSWERS  8
#define KEPT         8

typedef struct {
    int fd, port;
    pthread_t thread;
    pthread_mutex_t lock;
    const char *answers[MAX_ANSWERS];   /* raw HTTP answers, in turn; the */
    int nanswers, next;                 /* last one again and again */
    int requests;
    char asked[KEPT][4096];             /* the last requests, head and body */
} fake_http;

static fake_http server;

/* One request at a time: its head and body, then an answer, then close. */
static void *serve(void *baton)
{
    fake_http *s = baton;

    for (;;) {
        char req[4096];
        size_t len = 0;
        long body = -1;
        const char *answer;
        int c = accept(s->fd, NULL, NULL);

        if (c < 0) {
            return NULL;
        }
        while (len < sizeof(req) - 1) {
            char *end, *cl;
            ssize_t n = read(c, req + len, sizeof(req) - 1 - len);

            if (n <= 0) {
                break;
            }
            len += (size_t)n;
            req[len] = '\0';
            if (body < 0 && (end = strstr(req, "\r\n\r\n")) != NULL) {
                cl = strcasestr(req, "\r\nContent-Length:");
                body = (end - req) + 4 + (cl && cl < end ? atol(cl + 17) : 0);
            }
            if (body >= 0 && (long)len >= body) {
                break;
            }
        }
        req[len] = '\0';
        pthread_mutex_lock(&s->lock);
        snprintf(s->asked[s->requests % KEPT], sizeof(s->asked[0]), "%s",
                 req);
        s->requests++;
        answer = s->answers[s->next < s->nanswers ? s->next
                                                  : s->nanswers - 1];
        s->next++;
        pthread_mutex_unlock(&s->lock);
        if (write(c, answer, strlen(answer)) < 0) {
            /* the client gave up */
        }
        close(c);
    }
}

static int server_setup(void **state)
{
    struct sockaddr_in sin;
    socklen_t slen = sizeof(sin);
    int one = 1;

    if (unit_setup(state) != 0) {
        return -1;
    }
    memset(&server, 0, sizeof(server));
    pthread_mutex_init(&server.lock, NULL);
    server.fd = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(server.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(server.fd, (struct sockaddr *)&sin, sizeof(sin)) != 0
        || listen(server.fd, 16) != 0
        || getsockname(server.fd, (struct sockaddr *)&sin, &slen) != 0) {
        return -1;
    }
    server.port = ntohs(sin.sin_port);
    return pthread_create(&server.thread, NULL, serve, &server);
}

static int server_teardown(void **state)
{
    shutdown(server.fd, SHUT_RDWR);
    close(server.fd);
    pthread_join(server.thread, NULL);
    pthread_mutex_destroy(&server.lock);
    set_env(NULL, *state);
    return unit_teardown(state);
}

/* From now on, answer these (NULL-terminated), in turn. */
static void answer(const char *const *answers)
{
    pthread_mutex_lock(&server.lock);
    for (server.nanswers = 0; answers[server.nanswers]; server.nanswers++) {
        server.answers[server.nanswers] = answers[server.nanswers];
    }
    server.next = 0;
    pthread_mutex_unlock(&server.lock);
}

static int requests(void)
{
    int n;

    pthread_mutex_lock(&server.lock);
    n = server.requests;
    pthread_mutex_unlock(&server.lock);
    return n;
}

/* The i-th request the server got (from 0). */
static const char *asked(int i)
{
    assert_true(i < requests() && requests() - i <= KEPT);
    return server.asked[i % KEPT];
}

static const char *url(apr_pool_t *p, const char *path)
{
    return apr_psprintf(p, "http://127.0.0.1:%d%s", server.port, path);
}

static const char *http(apr_pool_t *p, int status, const char *headers,
                        const char *body)
{
    return apr_psprintf(p, "HTTP/1.1 %d X\r\nContent-Length: %d\r\n"
                        "Connection: close\r\n%s\r\n%s", status,
                        (int)strlen(body), headers, body);
}

/* JSON credentials for id, expiring at t. */
static const char *json_answer(apr_pool_t *p, const char *id, apr_time_t t)
{
    char when[MAINTENANCE_TIME_LEN];

    maintenance_time_format(when, t);
    return http(p, 200, "", apr_psprintf(p,
        "{\"Code\":\"Success\",\"AccessKeyId\":\"%s\",\"SecretAccessKey\":"
        "\"" SECRET "\",\"Token\":\"tok-%s\",\"Expiration\":\"%s\"}", id, id,
        when));
}

static apr_status_t get_creds(maintenance_aws *a, maintenance_aws_creds *c,
                              const char **err, apr_pool_t *p)
{
    *err = NULL;
    return maintenance_aws_get(a, apr_time_now() + apr_time_from_sec(5), c,
                               p, err);
}

/* --- the services -------------------------------------------------------- */

/* Fetched once, with the Authorization; kept; renewed ahead of expiry; a
 * renewal that fails while they still work keeps them (and is not tried
 * at once again); once expired, the failure is the caller's. */
static void test_container_renewal(void **state)
{
    apr_pool_t *p = *state;
    apr_time_t now = apr_time_now();
    /* A whole second 4 to 5 s away: renewed in its last second or more. */
    apr_time_t expires = apr_time_from_sec(apr_time_sec(now) + 5);
    const char *good[] = { json_answer(p, ID, expires), NULL };
    const char *failing[] = { http(p, 500, "", "down"), NULL };
    const char *denied[] = { http(p, 403, "Content-Type: application/json\r\n",
                                  "{\"code\":\"AccessDenied\",\"message\":"
                                  "\"no\"}"), NULL };
    maintenance_aws *a;
    maintenance_aws_creds c;
    const char *err;

    set_env(apr_psprintf(p, "AWS_CONTAINER_CREDENTIALS_FULL_URI=%s "
                         "AWS_CONTAINER_AUTHORIZATION_TOKEN=" TOKEN,
                         url(p, "/creds")), p);
    assert_null(maintenance_aws_create(&a, NULL, NULL, "us-east-1", p));
    answer(good);
    assert_int_equal(get_creds(a, &c, &err, p), APR_SUCCESS);
    assert_string_equal(c.id, ID);
    assert_string_equal(c.token, "tok-" ID);
    assert_int_equal(requests(), 1);
    assert_non_null(strstr(asked(0), "GET /creds HTTP/1.1\r\n"));
    assert_non_null(strstr(asked(0), "\r\nAuthorization: " TOKEN "\r\n"));
    assert_int_equal(get_creds(a, &c, &err, p), APR_SUCCESS);
    assert_int_equal(requests(), 1);

    /* In their last half second: renewed, but the service fails. */
    answer(failing);
    apr_sleep(expires - apr_time_from_msec(500) - apr_time_now());
    assert_int_equal(get_creds(a, &c, &err, p), APR_SUCCESS);
    assert_string_equal(c.id, ID);
    assert_int_equal(requests(), 2);
    assert_int_equal(get_creds(a, &c, &err, p), APR_SUCCESS);
    assert_int_equal(requests(), 2);

    /* Expired: the failure, which names the source, not the token. */
    apr_sleep(expires + apr_time_from_msec(100) - apr_time_now());
    assert_int_equal(get_creds(a, &c, &err, p), APR_EAGAIN);
    assert_non_null(strstr(err, "container credentials (127.0.0.1) answered "
                           "HTTP 500"));
    answer(denied);
    assert_int_equal(get_creds(a, &c, &err, p), MAINTENANCE_ESTORE);
    assert_non_null(strstr(err, "HTTP 403 AccessDenied: no"));
    assert_null(strstr(err, TOKEN));
    good[0] = json_answer(p, ID2, apr_time_now() + apr_time_from_sec(3600));
    answer(good);
    assert_int_equal(get_creds(a, &c, &err, p), APR_SUCCESS);
    assert_string_equal(c.id, ID2);
}

/* IMDSv2: a session token first (PUT, with its TTL), then the role and
 * its credentials, each with the token; a 401 (the token expired, the
 * service restarted) gets a new token once. */
static void test_imds_requests(void **state)
{
    apr_pool_t *p = *state;
    const char *creds = json_answer(p, ID, apr_time_now()
                                           + apr_time_from_sec(3600));
    const char *flow[] = {
        http(p, 200, "", "token-one"), http(p, 200, "", "mm-role\n"), creds,
        NULL
    };
    maintenance_aws *a;
    maintenance_aws_creds c;
    const char *err;

    set_env(apr_psprintf(p, "AWS_EC2_METADATA_SERVICE_ENDPOINT=%s",
                         url(p, "/")), p);
    assert_null(maintenance_aws_create(&a, NULL, NULL, "us-east-1", p));
    assert_string_equal(maintenance_aws_source(a), "instance metadata");
    answer(flow);
    assert_int_equal(get_creds(a, &c, &err, p), APR_SUCCESS);
    assert_string_equal(c.id, ID);
    assert_int_equal(requests(), 3);
    assert_non_null(strstr(asked(0), "PUT /latest/api/token HTTP/1.1\r\n"));
    assert_non_null(strstr(asked(0), "\r\nX-aws-ec2-metadata-token-ttl-"
                           "seconds: 21600\r\n"));
    assert_non_null(strstr(asked(1), "GET /latest/meta-data/iam/security-"
                           "credentials/ HTTP/1.1\r\n"));
    assert_non_null(strstr(asked(1), "\r\nX-aws-ec2-metadata-token: "
                           "token-one\r\n"));
    assert_non_null(strstr(asked(2), "GET /latest/meta-data/iam/security-"
                           "credentials/mm-role HTTP/1.1\r\n"));
    assert_non_null(strstr(asked(2), "token-one"));

}

/* The session token is kept for the next credentials; a 401 on it (it
 * expired, the service restarted) gets a new one, once. */
static void test_imds_stale_token(void **state)
{
    apr_pool_t *p = *state;
    apr_time_t soon = apr_time_from_sec(apr_time_sec(apr_time_now()) + 2);
    const char *first[] = {
        http(p, 200, "", "token-one"), http(p, 200, "", "mm-role\n"),
        json_answer(p, ID, soon), NULL
    };
    const char *stale[] = {
        http(p, 401, "", ""), http(p, 200, "", "token-two"),
        http(p, 200, "", "mm-role\n"),
        json_answer(p, ID2, apr_time_now() + apr_time_from_sec(3600)), NULL
    };
    maintenance_aws *a;
    maintenance_aws_creds c;
    const char *err;
    int before;

    set_env(apr_psprintf(p, "AWS_EC2_METADATA_SERVICE_ENDPOINT=%s",
                         url(p, "")), p);
    assert_null(maintenance_aws_create(&a, NULL, NULL, "us-east-1", p));
    answer(first);
    assert_int_equal(get_creds(a, &c, &err, p), APR_SUCCESS);
    before = requests();
    apr_sleep(soon + apr_time_from_msec(50) - apr_time_now());
    answer(stale);
    assert_int_equal(get_creds(a, &c, &err, p), APR_SUCCESS);
    assert_string_equal(c.id, ID2);
    assert_int_equal(requests() - before, 4);
    /* The held token first, refused; then a new one. */
    assert_non_null(strstr(asked(before), "token-one"));
    assert_non_null(strstr(asked(before + 1), "PUT /latest/api/token"));
    assert_non_null(strstr(asked(before + 3), "token-two"));
}

/* STS: a form POST with the role, a session name of its own and the token
 * read from its file; an error answer names STS's code and message, never
 * the token. */
static void test_web_identity_request(void **state)
{
    apr_pool_t *p = *state;
    const char *file = write_file(p, TOKEN "\n");
    const char *ok[] = { http(p, 200, "", STS_OK), NULL };
    const char *denied[] = { http(p, 403, "", "<ErrorResponse><Error><Code>"
                                  "AccessDenied</Code><Message>Not authorized"
                                  "</Message></Error></ErrorResponse>"),
                             NULL };
    const char *throttled[] = { http(p, 400, "", "<ErrorResponse><Error>"
                                     "<Code>Throttling</Code></Error>"
                                     "</ErrorResponse>"), NULL };
    maintenance_aws *a;
    maintenance_aws_creds c;
    const char *err, *req;
    char *pid;

    set_env(apr_psprintf(p, "AWS_WEB_IDENTITY_TOKEN_FILE=%s "
                         "AWS_ROLE_ARN=arn:aws:iam::1:role/r "
                         "AWS_ENDPOINT_URL_STS=%s", file, url(p, "/")), p);
    assert_null(maintenance_aws_create(&a, NULL, NULL, "us-east-1", p));
    answer(ok);
    assert_int_equal(get_creds(a, &c, &err, p), APR_SUCCESS);
    assert_string_equal(c.id, ID);
    req = asked(requests() - 1);
    assert_non_null(strstr(req, "POST / HTTP/1.1\r\n"));
    assert_non_null(strstr(req, "application/x-www-form-urlencoded"));
    assert_non_null(strstr(req, "Action=AssumeRoleWithWebIdentity"
                           "&Version=2011-06-15"
                           "&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr"
                           "&RoleSessionName=mod_maintenance-"));
    pid = apr_psprintf(p, "-%ld&WebIdentityToken=" TOKEN, (long)getpid());
    assert_non_null(strstr(req, pid));

    assert_null(maintenance_aws_create(&a, NULL, NULL, "us-east-1", p));
    answer(denied);
    assert_int_equal(get_creds(a, &c, &err, p), MAINTENANCE_ESTORE);
    assert_non_null(strstr(err, "web identity: STS answered HTTP 403 "
                           "AccessDenied: Not authorized"));
    assert_null(strstr(err, TOKEN));
    answer(throttled);
    assert_int_equal(get_creds(a, &c, &err, p), APR_EAGAIN);
    apr_file_remove(file, p);
}

/* --- S3 ------------------------------------------------------------------ */

static void *s3_instance(apr_pool_t *p, const char *key)
{
    const maintenance_provider *pv = maintenance_builtin_find("s3");
    maintenance_provider_params pp = { 0 };
    apr_table_t *options = apr_table_make(p, 1);
    void *instance = NULL;

    set_env("AWS_ACCESS_KEY_ID=AKIDUNIT AWS_SECRET_ACCESS_KEY=" SECRET, p);
    pp.timeout = apr_time_from_sec(5);
    assert_null(pv->create(&instance, url(p, apr_pstrcat(p, "/bucket/", key,
                                                          NULL)),
                           options, &pp, p));
    return instance;
}

/* A PUT says its body's SHA-256, and signs it; a GET the empty body's. */
static void test_s3_signed_payload(void **state)
{
    apr_pool_t *p = *state;
    const maintenance_provider *pv = maintenance_builtin_find("s3");
    const char *ok[] = { http(p, 200, "", ""), NULL };
    const char *found[] = { http(p, 200, "", "on\n"), NULL };
    void *s3 = s3_instance(p, "state");
    char buf[MAINTENANCE_STATE_MAX + 1];
    apr_size_t len;
    const char *err = NULL, *req;

    answer(ok);
    assert_int_equal(pv->set(s3, "on\nmessage=x\n", 13, p, &err),
                     APR_SUCCESS);
    req = asked(requests() - 1);
    assert_non_null(strstr(req, "PUT /bucket/state HTTP/1.1\r\n"));
    assert_non_null(strstr(req, "\r\nx-amz-content-sha256: " SHA_ON_X
                           "\r\n"));
    assert_non_null(strstr(req, "x-amz-content-sha256;"));
    assert_null(strstr(req, "UNSIGNED-PAYLOAD"));
    assert_null(strstr(req, SECRET));
    answer(found);
    assert_int_equal(pv->get(s3, buf, &len, p, &err), APR_SUCCESS);
    req = asked(requests() - 1);
    assert_non_null(strstr(req, "x-amz-content-sha256: e3b0c44298fc1c149afbf"
                           "4c8996fb92427ae41e4649b934ca495991b7852b855"));
}

/* 503 SlowDown: reads return the same error at once, without a request,
 * for 1 s, then 2...; a success starts over; a Retry-After is waited for;
 * a refusal (403) is no backoff. */
static void test_s3_backoff(void **state)
{
    apr_pool_t *p = *state;
    const maintenance_provider *pv = maintenance_builtin_find("s3");
    const char *slow_body = "<Error><Code>SlowDown</Code><Message>Please "
                            "reduce your request rate.</Message></Error>";
    const char *slow[] = { http(p, 503, "", slow_body), NULL };
    const char *slow_retry[] = { http(p, 503, "Retry-After: 3\r\n",
                                      slow_body), NULL };
    const char *failing[] = { http(p, 500, "", ""), NULL };
    const char *found[] = { http(p, 200, "", "on\n"), NULL };
    const char *denied[] = { http(p, 403, "", "<Error><Code>AccessDenied"
                                  "</Code></Error>"), NULL };
    void *s3 = s3_instance(p, "slow");
    char buf[MAINTENANCE_STATE_MAX + 1];
    apr_size_t len;
    const char *err = NULL, *first;
    int before;

    answer(slow);
    assert_int_equal(pv->get(s3, buf, &len, p, &err), APR_EAGAIN);
    assert_non_null(strstr(err, "HTTP 503 SlowDown"));
    assert_non_null(strstr(err, "no request for 1 s"));
    first = err;
    before = requests();
    assert_int_equal(pv->get(s3, buf, &len, p, &err), APR_EAGAIN);
    assert_string_equal(err, first);
    assert_int_equal(requests(), before);
    apr_sleep(apr_time_from_msec(1100));
    assert_int_equal(pv->get(s3, buf, &len, p, &err), APR_EAGAIN);
    assert_non_null(strstr(err, "no request for 2 s"));
    assert_int_equal(requests(), before + 1);

    /* A 500 too, and a success starts over. */
    apr_sleep(apr_time_from_msec(2100));
    answer(found);
    assert_int_equal(pv->get(s3, buf, &len, p, &err), APR_SUCCESS);
    answer(failing);
    assert_int_equal(pv->get(s3, buf, &len, p, &err), APR_EAGAIN);
    assert_non_null(strstr(err, "HTTP 500 (credentials from the environment)"
                           "; no request for 1 s"));

    /* Retry-After. */
    s3 = s3_instance(p, "retry");
    answer(slow_retry);
    assert_int_equal(pv->get(s3, buf, &len, p, &err), APR_EAGAIN);
    assert_non_null(strstr(err, "no request for 3 s"));

    /* A refusal is logged, and the next read asks again. */
    s3 = s3_instance(p, "denied");
    answer(denied);
    before = requests();
    assert_int_equal(pv->get(s3, buf, &len, p, &err), MAINTENANCE_ESTORE);
    assert_int_equal(pv->get(s3, buf, &len, p, &err), MAINTENANCE_ESTORE);
    assert_int_equal(requests(), before + 2);
    assert_non_null(strstr(err, "HTTP 403 AccessDenied (credentials from the "
                           "environment)"));
}

#define SERVER_TEST(f) \
    cmocka_unit_test_setup_teardown(f, server_setup, server_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_xml_fields),
        UNIT_TEST(test_xml_cut),
        UNIT_TEST(test_json_fields),
        UNIT_TEST(test_sts_creds),
        UNIT_TEST(test_json_creds),
        UNIT_TEST(test_error_of),
        UNIT_TEST(test_names),
        UNIT_TEST(test_places),
        UNIT_TEST(test_times),
        UNIT_TEST(test_chain_choice),
        UNIT_TEST(test_file_read_again),
        SERVER_TEST(test_container_renewal),
        SERVER_TEST(test_imds_requests),
        SERVER_TEST(test_imds_stale_token),
        SERVER_TEST(test_web_identity_request),
        SERVER_TEST(test_s3_signed_payload),
        SERVER_TEST(test_s3_backoff),
    };
    static const char *const proxies[] = {
        "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
        "all_proxy", "ALL_PROXY",
    };
    size_t i;

    for (i = 0; i < ARRAY_LEN(proxies); i++) {
        unsetenv(proxies[i]);
    }
    return UNIT_RUN("aws", tests);
}
