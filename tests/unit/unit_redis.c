/* The redis: provider's checks at configuration time: HOST:PORT[/KEY],
 * its options, and the password file. The calls themselves are tested
 * against a real redis-server in tests/it/it_redis.c. */
#include <apr_file_io.h>
#include <apr_strings.h>
#include <stdio.h>
#include <stdlib.h>

#include "unit.h"
#include "provider.h"

#define SECRET "pw-Secret-Unit-42"

/* A file holding text, removed with the test's pool. */
static const char *write_file(apr_pool_t *p, const char *text, apr_size_t len)
{
    char *path = apr_pstrdup(p, "/tmp/mm-unit-redis.XXXXXX");
    apr_file_t *f;

    assert_int_equal(apr_file_mktemp(&f, path, APR_FOPEN_CREATE
                                     | APR_FOPEN_WRITE | APR_FOPEN_EXCL, p),
                     APR_SUCCESS);
    assert_int_equal(apr_file_write_full(f, text, len, NULL), APR_SUCCESS);
    apr_file_close(f);
    return path;
}

static apr_status_t remove_file(void *path)
{
    remove(path);
    return APR_SUCCESS;
}

static const char *temp_file(apr_pool_t *p, const char *text)
{
    const char *path = write_file(p, text, strlen(text));

    apr_pool_cleanup_register(p, path, remove_file, apr_pool_cleanup_null);
    return path;
}

/* What create says of "redis:" followed by line (HOST:PORT[/KEY] and
 * options); ${PW} in line is a password file's path. */
static const char *create(const char *line, const char *pw, apr_pool_t *p)
{
    const maintenance_provider *pv = maintenance_builtin_find("redis");
    maintenance_provider_params pp = { 0 };
    maintenance_spec spec;
    void *instance = NULL;
    const char *at = strstr(line, "${PW}"), *err;

    assert_non_null(pv);
    if (at) {
        line = apr_pstrcat(p, apr_pstrmemdup(p, line, at - line), pw,
                           at + 5, NULL);
    }
    if ((err = maintenance_spec_parse_line(
             &spec, apr_pstrcat(p, "redis:", line, NULL), p))) {
        return err;
    }
    pp.timeout = apr_time_from_sec(1);
    err = pv->create(&instance, spec.args, spec.options, &pp, p);
    assert_true(err || instance);
    return err;
}

typedef struct {
    const char *line;
    const char *says;    /* NULL: taken; else in the error */
} spec_row;

static void test_specs(void **state)
{
    static const spec_row rows[] = {
        { "127.0.0.1:6379", NULL },
        { "localhost:6379/shop_state", NULL },
        { "[::1]:6379", NULL },
        { "[2001:db8::5]:6380/k", NULL },
        { "redis.example.com:6379", NULL },
        { "127.0.0.1:6379 db=0", NULL },
        { "127.0.0.1:6379 db=15", NULL },
        { "127.0.0.1:6379 db=2147483647", NULL },
        { "127.0.0.1:6379 password-file=${PW}", NULL },
        { "127.0.0.1:6379 user=www password-file=${PW} db=1", NULL },
        /* HOST:PORT[/KEY] */
        { "", "HOST:PORT" },
        { "127.0.0.1", "lacks its port" },
        { "127.0.0.1:", "HOST:PORT" },
        { "127.0.0.1:http", "HOST:PORT" },
        { "127.0.0.1:99999", "HOST:PORT" },
        { "[::1]", "lacks its port" },
        { "[fe80::1%eth0]:6379", "HOST:PORT" },
        { "/key", "HOST:PORT" },
        { "127.0.0.1:6379/", "1 to 1024" },
        { "127.0.0.1:6379/a\001b", "control" },
        /* db= */
        { "127.0.0.1:6379 db=x", "db=x" },
        { "127.0.0.1:6379 db=-1", "db=-1" },
        { "127.0.0.1:6379 db=+1", "db=+1" },
        { "127.0.0.1:6379 db=1.5", "db=1.5" },
        { "127.0.0.1:6379 db=", "db=" },
        { "127.0.0.1:6379 db=2147483648", "db=2147483648" },
        { "127.0.0.1:6379 db=99999999999", "db=99999999999" },
        /* user=, password-file=, and what it does not take */
        { "127.0.0.1:6379 user=www", "needs password-file=" },
        { "127.0.0.1:6379 user= password-file=${PW}", "user=" },
        { "127.0.0.1:6379 password-file=", "password-file=" },
        { "127.0.0.1:6379 password-file=/nonexistent/pw",
          "password-file=/nonexistent/pw" },
        { "127.0.0.1:6379 password-file=/tmp", "not a regular file" },
        { "127.0.0.1:6379 password=" SECRET, "unknown option password=" },
        { "127.0.0.1:6379 colour=blue", "db=, user=, password-file=" },
        { "127.0.0.1:6379 db=1 db=2", "twice" },
    };
    apr_pool_t *p = *state;
    const char *pw = temp_file(p, SECRET "\n");
    size_t i;

    for (i = 0; i < ARRAY_LEN(rows); i++) {
        const char *err = create(rows[i].line, pw, p);

        if (!rows[i].says) {
            EXPECT(!err, "%s refused: %s", rows[i].line, unit_str(err));
        } else {
            EXPECT(err && strstr(err, rows[i].says),
                   "%s: %s, expected an error saying \"%s\"", rows[i].line,
                   unit_str(err), rows[i].says);
        }
    }
    EXPECT_ALL();
}

typedef struct {
    const char *text;
    apr_size_t len;
    const char *password;   /* NULL: refused */
} pw_row;

static void test_password_file(void **state)
{
    static const pw_row rows[] = {
        { SECRET, sizeof(SECRET) - 1, SECRET },
        { SECRET "\n", sizeof(SECRET), SECRET },
        { SECRET "\r\n", sizeof(SECRET) + 1, SECRET },
        { SECRET "\n\n", sizeof(SECRET) + 1, SECRET },
        /* Blanks are the password's: only line breaks end it. */
        { " " SECRET " \n", sizeof(SECRET) + 2, " " SECRET " " },
        { "a\nb\n", 4, "a\nb" },
        { "", 0, NULL },
        { "\n", 1, NULL },
        { "\r\n\n", 3, NULL },
    };
    apr_pool_t *p = *state;
    size_t i;

    for (i = 0; i < ARRAY_LEN(rows); i++) {
        const char *path = write_file(p, rows[i].text, rows[i].len);
        const char *password = NULL, *err;
        apr_size_t len = 0;

        err = maintenance_redis_password_read(path, &password, &len, p);
        if (rows[i].password) {
            EXPECT(!err && len == strlen(rows[i].password)
                   && !strcmp(password, rows[i].password),
                   "row %zu: %s, password '%s'", i, unit_str(err),
                   unit_str(password));
        } else {
            EXPECT(err && strstr(err, path) && strstr(err, "password-file=")
                   && strstr(err, "empty"), "row %zu: %s", i,
                   unit_str(err));
        }
        remove(path);
    }
    EXPECT_ALL();
}

/* A file too large, missing, or no file: the error names the option and
 * the file, never the content. */
static void test_password_file_errors(void **state)
{
    apr_pool_t *p = *state;
    char *big = apr_pstrcat(p, SECRET, "\n", NULL);
    const char *path, *password, *err;
    apr_size_t len;

    while (strlen(big) <= 4096) {
        big = apr_pstrcat(p, big, SECRET, NULL);
    }
    path = temp_file(p, big);
    err = maintenance_redis_password_read(path, &password, &len, p);
    assert_non_null(err);
    assert_non_null(strstr(err, "password-file="));
    assert_non_null(strstr(err, path));
    assert_null(strstr(err, SECRET));

    err = maintenance_redis_password_read("/nonexistent/pw", &password, &len,
                                          p);
    assert_non_null(err);
    assert_non_null(strstr(err, "password-file=/nonexistent/pw"));

    err = maintenance_redis_password_read("/tmp", &password, &len, p);
    assert_non_null(err);
    assert_non_null(strstr(err, "password-file=/tmp"));
}

/* Before child_init, get and set say so rather than connect. */
static void test_not_initialised(void **state)
{
    apr_pool_t *p = *state;
    const maintenance_provider *pv = maintenance_builtin_find("redis");
    maintenance_provider_params pp = { 0 };
    maintenance_spec spec;
    void *instance = NULL;
    char buf[MAINTENANCE_STATE_MAX + 1];
    apr_size_t len = 0;
    const char *err = NULL;

    assert_null(maintenance_spec_parse_line(&spec, "redis:127.0.0.1:1", p));
    pp.timeout = apr_time_from_sec(1);
    assert_null(pv->create(&instance, spec.args, spec.options, &pp, p));
    assert_int_equal(pv->get(instance, buf, &len, p, &err), APR_EINIT);
    assert_non_null(err);
    err = NULL;
    assert_int_equal(pv->set(instance, "off\n", 4, p, &err), APR_EINIT);
    assert_non_null(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_specs),
        UNIT_TEST(test_password_file),
        UNIT_TEST(test_password_file_errors),
        UNIT_TEST(test_not_initialised),
    };
    return UNIT_RUN("redis", tests);
}
