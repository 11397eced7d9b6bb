/* The S3 provider's pure parts: the region of a host, the checks of its
 * URL and of a credentials file. Its requests, credentials and backoff
 * are tested against a small server in tests/unit/unit_aws.c, and against
 * a real store in tests/it/it_s3.c and it_aws.c. */
#include <apr_file_io.h>
#include <apr_strings.h>
#include <stdio.h>
#include <stdlib.h>

#include "unit.h"
#include "provider.h"

typedef struct {
    const char *host;
    const char *region;   /* NULL: none (us-east-1) */
} region_row;

static void test_region_of_host(void **state)
{
    static const region_row rows[] = {
        { "s3.eu-west-1.amazonaws.com", "eu-west-1" },
        { "bucket.s3.eu-west-1.amazonaws.com", "eu-west-1" },
        { "s3-eu-west-1.amazonaws.com", "eu-west-1" },
        { "bucket.s3-ap-southeast-2.amazonaws.com", "ap-southeast-2" },
        { "s3.dualstack.us-west-2.amazonaws.com", "us-west-2" },
        { "s3.amazonaws.com", NULL },
        { "bucket.s3.amazonaws.com", NULL },
        /* Buckets whose names look like endpoints. */
        { "s3-backups.s3.eu-central-1.amazonaws.com", "eu-central-1" },
        { "s3.example.com.s3.eu-north-1.amazonaws.com", "eu-north-1" },
        { "127.0.0.1", NULL },
        { "minio.example.com", NULL },
        /* No region at all is none, not an empty one. */
        { "bucket.s3-.amazonaws.com", NULL },
        { ".amazonaws.com", NULL },
    };
    apr_pool_t *p = *state;
    size_t i;

    for (i = 0; i < ARRAY_LEN(rows); i++) {
        const char *got = maintenance_s3_region_of(rows[i].host, p);

        EXPECT((!got && !rows[i].region)
               || (got && rows[i].region && !strcmp(got, rows[i].region)),
               "%s: region %s, expected %s", rows[i].host, unit_str(got),
               unit_str(rows[i].region));
    }
    EXPECT_ALL();
}

/* What create says of "s3:" followed by line (the URL and options), with
 * credentials at hand. */
static const char *create(const char *line, apr_pool_t *p)
{
    const maintenance_provider *pv = maintenance_builtin_find("s3");
    maintenance_provider_params pp = { 0 };
    maintenance_spec spec;
    void *instance;
    const char *err = maintenance_spec_parse_line(
        &spec, apr_pstrcat(p, "s3:", line, NULL), p);

    pp.timeout = apr_time_from_sec(1);
    setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "not-a-secret", 1);
    return err ? err
               : pv->create(&instance, spec.args, spec.options, &pp, p);
}

static void test_object_urls(void **state)
{
    static const char *const good[] = {
        "https://s3.eu-west-1.amazonaws.com/bucket/key",
        "https://bucket.s3.eu-west-1.amazonaws.com/key",
        "http://127.0.0.1:9000/bucket/dir/key",
        "http://[::1]:9000/bucket/key",
        "http://127.0.0.1:9000/bucket/key region=eu-west-1",
        "https://s3.dualstack.eu-west-1.amazonaws.com/bucket/key",
        "https://s3-eu-west-1.amazonaws.com/bucket/key",
        "http://localhost:9000/bucket/key",
        /* Buckets whose names look like the endpoint's. */
        "https://s3-logs.s3.amazonaws.com/key",
        "https://s3.logs.s3.eu-west-1.amazonaws.com/key",
    };
    static const char *const bad[] = {
        "ftp://127.0.0.1/bucket/key",
        "http://127.0.0.1:9000",
        "http://127.0.0.1:9000/bucket",
        "http://127.0.0.1:9000/bucket/",
        "http://127.0.0.1:9000/bucket/dir/",
        "https://bucket.s3.amazonaws.com/",
        /* A bucket and no key, on an endpoint that is no bucket's. */
        "https://s3.eu-west-1.amazonaws.com/bucket",
        "https://s3.amazonaws.com/bucket/",
        "https://s3-eu-west-1.amazonaws.com/bucket",
        "https://s3.dualstack.eu-west-1.amazonaws.com/bucket",
        "http://localhost:9000/bucket",
        "https://s3.amazonaws.com/bucket/key?versionId=1",
        "not a url",
        /* Options it does not take, or takes otherwise. */
        "http://127.0.0.1:9000/bucket/key colour=blue",
        "http://127.0.0.1:9000/bucket/key region=EU/WEST",
        "http://127.0.0.1:9000/bucket/key profile=ops",
        "http://127.0.0.1:9000/bucket/key region=a region=b",
        "http://127.0.0.1:9000/bucket/key region",
    };
    apr_pool_t *p = *state;
    size_t i;

    for (i = 0; i < ARRAY_LEN(good); i++) {
        const char *err = create(good[i], p);
        EXPECT(!err, "%s refused: %s", good[i], unit_str(err));
    }
    for (i = 0; i < ARRAY_LEN(bad); i++) {
        EXPECT(create(bad[i], p), "%s accepted", bad[i]);
    }
    EXPECT_ALL();
}

static const char *write_credentials(apr_pool_t *p, const char *text)
{
    char *path = apr_pstrdup(p, "/tmp/mm-unit-s3.XXXXXX");
    apr_file_t *f;

    assert_int_equal(apr_file_mktemp(&f, path, APR_FOPEN_CREATE | APR_FOPEN_WRITE
                                     | APR_FOPEN_EXCL, p), APR_SUCCESS);
    assert_int_equal(apr_file_write_full(f, text, strlen(text), NULL),
                     APR_SUCCESS);
    apr_file_close(f);
    return path;
}

static void test_credentials_file(void **state)
{
    apr_pool_t *p = *state;
    const char *path = write_credentials(p,
        "# comment\n"
        "[default]\n"
        "aws_access_key_id = AKIDDEFAULT\n"
        "aws_secret_access_key = secret-default\n"
        "\n"
        "[profile ops]\n"
        "aws_access_key_id=AKIDOPS\n"
        "aws_secret_access_key=secret-ops\n"
        "aws_session_token = token\n"
        "[half]\n"
        "aws_access_key_id = AKIDHALF\n");
    const char *err;

    assert_null(maintenance_s3_credentials_check(path, "default", p));
    assert_null(maintenance_s3_credentials_check(path, "ops", p));
    err = maintenance_s3_credentials_check(path, "half", p);
    assert_non_null(err);
    assert_non_null(strstr(err, "[half]"));
    err = maintenance_s3_credentials_check(path, "nosuch", p);
    assert_non_null(err);
    /* Never a secret in what may reach a log. */
    assert_null(strstr(err, "secret-"));
    assert_non_null(maintenance_s3_credentials_check("/nonexistent/creds",
                                                     "default", p));
    apr_file_remove(path, p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_region_of_host),
        UNIT_TEST(test_object_urls),
        UNIT_TEST(test_credentials_file),
    };
    return UNIT_RUN("s3", tests);
}
