/* Signed bypass links: minting, checking, and reading the key. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <apr_strings.h>

#include "unit.h"
#include "bypass.h"

#define NOW apr_time_from_sec(APR_INT64_C(1795341600))   /* 2026-11-22 */
#define HOUR apr_time_from_sec(3600)

static const maintenance_bypass_key KEY = {
    (const unsigned char *)"0123456789abcdef0123456789abcdef", 32
};
static const maintenance_bypass_key OTHER_KEY = {
    (const unsigned char *)"0123456789abcdef0123456789abcdeF", 32
};

static maintenance_bypass_verdict check(const maintenance_bypass_key *key,
                                        const char *token, apr_time_t now,
                                        apr_time_t *expires,
                                        const char **label, apr_pool_t *p)
{
    return maintenance_bypass_verify(key, token, strlen(token), now, expires,
                                     label, p);
}

static void test_valid_until_expiry(void **state)
{
    apr_pool_t *p = *state;
    const char *err = NULL, *label;
    const char *token = maintenance_bypass_mint(&KEY, NOW + HOUR,
                                                "alice (QA) é", p, &err);
    apr_time_t expires;

    assert_non_null(token);
    /* It travels in a URL path and a cookie as it is. */
    assert_int_equal(strspn(token, "abcdefghijklmnopqrstuvwxyz"
                                   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_."),
                     strlen(token));
    assert_int_equal(check(&KEY, token, NOW, &expires, &label, p),
                     MAINTENANCE_BYPASS_VALID);
    assert_true(expires == NOW + HOUR);
    assert_string_equal(label, "alice (QA) é");
    assert_int_equal(check(&KEY, token, NOW + HOUR - 1, &expires, &label, p),
                     MAINTENANCE_BYPASS_VALID);
    assert_int_equal(check(&KEY, token, NOW + HOUR, &expires, &label, p),
                     MAINTENANCE_BYPASS_EXPIRED);
}

/* Any byte changed, cut or added, and another key's token: forged. */
static void test_altered_tokens_refused(void **state)
{
    apr_pool_t *p = *state;
    const char *err = NULL, *label;
    const char *token = maintenance_bypass_mint(&KEY, NOW + HOUR, "bob", p,
                                                &err);
    apr_size_t i, n = strlen(token);
    apr_time_t expires;

    for (i = 0; i < n; i++) {
        char *t = apr_pstrdup(p, token);
        t[i] = t[i] == 'A' ? 'B' : 'A';
        EXPECT(check(&KEY, t, NOW, &expires, &label, p)
               == MAINTENANCE_BYPASS_FORGED, "byte %zu altered", i);
        EXPECT(maintenance_bypass_verify(&KEY, token, i, NOW, &expires,
                                         &label, p)
               == MAINTENANCE_BYPASS_FORGED, "cut at %zu", i);
    }
    EXPECT(check(&KEY, apr_pstrcat(p, token, "A", NULL), NOW, &expires,
                 &label, p) == MAINTENANCE_BYPASS_FORGED, "one more byte");
    EXPECT(check(&OTHER_KEY, token, NOW, &expires, &label, p)
           == MAINTENANCE_BYPASS_FORGED, "another key");
    EXPECT(check(&KEY, "", NOW, &expires, &label, p)
           == MAINTENANCE_BYPASS_FORGED, "empty");
    EXPECT(check(&KEY, "..", NOW, &expires, &label, p)
           == MAINTENANCE_BYPASS_FORGED, "dots");
    EXPECT_ALL();
}

static void test_labels(void **state)
{
    apr_pool_t *p = *state;
    const char *err = NULL, *label;
    char longest[MAINTENANCE_BYPASS_LABEL_MAX + 2];
    apr_time_t expires;
    const char *token;

    assert_non_null(token = maintenance_bypass_mint(&KEY, NOW + HOUR, "", p,
                                                    &err));
    assert_int_equal(check(&KEY, token, NOW, &expires, &label, p),
                     MAINTENANCE_BYPASS_VALID);
    assert_string_equal(label, "");

    memset(longest, 'x', sizeof(longest) - 1);
    longest[MAINTENANCE_BYPASS_LABEL_MAX] = '\0';
    assert_non_null(maintenance_bypass_mint(&KEY, NOW, longest, p, &err));
    longest[MAINTENANCE_BYPASS_LABEL_MAX] = 'x';
    longest[MAINTENANCE_BYPASS_LABEL_MAX + 1] = '\0';
    assert_null(maintenance_bypass_mint(&KEY, NOW, longest, p, &err));
    assert_non_null(strstr(err, "at most"));
    assert_null(maintenance_bypass_mint(&KEY, NOW, "a\nb", p, &err));
}

static const char *write_key(apr_pool_t *p, const char *content)
{
    char *path = apr_psprintf(p, "/tmp/mm-unit-key.%ld", (long)getpid());
    FILE *fp = fopen(path, "w");

    assert_non_null(fp);
    fputs(content, fp);
    fclose(fp);
    return path;
}

static void test_key_file(void **state)
{
    apr_pool_t *p = *state;
    maintenance_bypass_key key;
    const char *path, *err, *link_path;

    path = write_key(p, "0123456789abcdef0123456789abcdef\n");
    assert_null(maintenance_bypass_key_read(&key, path, p));
    assert_int_equal(key.len, 32);     /* the newline is not the key's */
    assert_memory_equal(key.bytes, KEY.bytes, 32);

    path = write_key(p, "0123456789abcdef0123456789abcde\n");
    assert_non_null(err = maintenance_bypass_key_read(&key, path, p));
    assert_non_null(strstr(err, "at least 32"));
    assert_null(strstr(err, "0123456789"));     /* never the key */

    link_path = apr_pstrcat(p, path, ".link", NULL);
    unlink(link_path);
    assert_int_equal(symlink(path, link_path), 0);
    assert_non_null(maintenance_bypass_key_read(&key, link_path, p));
    unlink(link_path);
    unlink(path);
    assert_non_null(maintenance_bypass_key_read(&key, path, p));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_valid_until_expiry),
        UNIT_TEST(test_altered_tokens_refused),
        UNIT_TEST(test_labels),
        UNIT_TEST(test_key_file),
    };

    return UNIT_RUN("bypass", tests);
}
