/* Signed bypass links on a real httpd: a link made by maintenancectl or on
 * the toggle page sets a cookie that lets its browser through while every
 * other one gets the maintenance answer; altered, expired and foreign
 * tokens are refused; the key is checked at configtest. */
#include "ctl.h"
#include "fixture.h"
#include "toggle.h"

#include <stdlib.h>
#include <string.h>

#define KEY_FILE   "bypass.key"
#define KEY        "correct horse battery staple, twice over"  /* 40 bytes */
#define OTHER_KEY  "another horse, another battery, same length"
#define CONF \
    FX_ENV_HEADERS FX_TOGGLE_CONF \
    "MaintenanceBypassKey ${TESTDIR}/" KEY_FILE "\n" \
    "RemoteIPHeader X-Forwarded-For\nRemoteIPInternalProxy 127.0.0.1\n"
#define LINK_PREFIX "/.maintenance/bypass/"

static fx *site(void)
{
    fx *f = toggle_new_site(CONF);

    fx_write(f, KEY_FILE, "%s\n", KEY);
    fx_chmod(f, KEY_FILE, 0600);
    fx_write(f, "other.key", "%s\n", OTHER_KEY);
    fx_chmod(f, "other.key", 0600);
    fx_start(f);
    fx_state(f, "on\nmessage=Closed\n");
    return f;
}

/* A link's path, made by maintenancectl with key_file (in the fixture's
 * directory) and its other arguments. */
static const char *ctl_link(fx *f, const char *key_file, const char *dur,
                            const char *label)
{
    const char *out = ctl_ok(CTL_RUN(f, "bypass", "--key",
                                     fx_fmt(f, "%s/%s", fx_dir(f), key_file),
                                     "--for", dur, "--label", label));
    size_t n = strcspn(out, "\n");

    assert_int_equal(strncmp(out, LINK_PREFIX, strlen(LINK_PREFIX)), 0);
    return fx_fmt(f, "%.*s", (int)n, out);
}

static const char *token_of(fx *f, const char *link)
{
    return fx_fmt(f, "%s", link + strlen(LINK_PREFIX));
}

static fx_res *get_with_cookie(fx *f, const char *token)
{
    return fx_get(f, "/index.html",
                  fx_fmt(f, "Cookie: a=b; maintenance_bypass=%s; c=d", token));
}

static void test_link_lets_its_browser_through(void **state)
{
    fx *f = site();
    const char *link = ctl_link(f, KEY_FILE, "1h", "alice (QA)");
    const char *cookie;
    fx_res *r;

    (void)state;
    r = fx_get(f, link);
    FX_ASSERT_STATUS(r, 303);
    FX_ASSERT_HEADER(r, "Location", "/");
    FX_ASSERT_HEADER(r, "Cache-Control", "no-store");
    cookie = fx_header(r, "Set-Cookie");
    assert_non_null(cookie);
    FX_ASSERT_CONTAINS("Set-Cookie", cookie,
                       fx_fmt(f, "maintenance_bypass=%s;", token_of(f, link)));
    FX_ASSERT_CONTAINS("Set-Cookie", cookie, "; Path=/");
    FX_ASSERT_CONTAINS("Set-Cookie", cookie, "; HttpOnly");
    FX_ASSERT_CONTAINS("Set-Cookie", cookie, "; SameSite=Lax");
    fx_assert_lacks("Set-Cookie", cookie, "Secure", __FILE__, __LINE__);
    {
        long age = atol(strstr(cookie, "Max-Age=") + 8);
        assert_true(age > 3500 && age <= 3600);
    }
    assert_int_equal(fx_log_count(f, "MM00040"), 1);
    assert_int_equal(fx_log_count(f, "\"alice (QA)\" used by 127.0.0.1"), 1);

    r = get_with_cookie(f, token_of(f, link));
    FX_ASSERT_PASSES(r, "cookie");
    FX_ASSERT_BLOCKED(fx_get(f, "/index.html"), 503);
}

/* Only in maintenance is the cookie looked at, and a link works either
 * way: it can be handed out before the window opens. */
static void test_link_before_maintenance(void **state)
{
    fx *f = site();
    const char *link = ctl_link(f, KEY_FILE, "10m", "early");
    fx_res *r;

    (void)state;
    fx_state(f, "off\n");
    FX_ASSERT_STATUS(fx_get(f, link), 303);
    r = get_with_cookie(f, token_of(f, link));
    FX_ASSERT_SERVED(r);
    assert_null(fx_header(r, "X-Bypass"));
}

static void test_altered_foreign_and_expired_refused(void **state)
{
    fx *f = site();
    const char *link = ctl_link(f, KEY_FILE, "1h", "bob");
    const char *foreign = ctl_link(f, "other.key", "1h", "bob");
    const char *expired = ctl_link(f, KEY_FILE, "1s", "bob");
    char *altered = (char *)fx_fmt(f, "%s", link);
    size_t n = strlen(altered);
    fx_res *r;

    (void)state;
    altered[n - 1] = altered[n - 1] == 'A' ? 'B' : 'A';
    fx_sleep_ms(2100);        /* expired's second is over */
    for (const char *const *l = (const char *const[]){ altered, foreign,
                                                       expired, NULL };
         *l; l++) {
        r = fx_get(f, *l);
        FX_ASSERT_STATUS(r, 403);
        assert_null(fx_header(r, "Set-Cookie"));
        FX_ASSERT_BLOCKED(get_with_cookie(f, token_of(f, *l)), 503);
    }
    FX_ASSERT_CONTAINS("body", fx_get(f, expired)->body, "expired");
    /* A cookie too long to be a token is not even checked. */
    FX_ASSERT_BLOCKED(get_with_cookie(f, fx_filler(f, 5000)), 503);
    assert_int_equal(fx_log_count(f, "MM00040"), 0);
}

/* Secure when the browser's connection is https, as the proxy that
 * mod_remoteip trusts says; never on the word of a client alone. */
static void test_secure_behind_a_proxy(void **state)
{
    fx *f = site();
    const char *link = ctl_link(f, KEY_FILE, "1h", "carol");
    fx_res *r;

    (void)state;
    r = fx_get(f, link, "X-Forwarded-For: 192.0.2.7",
               "X-Forwarded-Proto: https");
    FX_ASSERT_STATUS(r, 303);
    FX_ASSERT_CONTAINS("Set-Cookie", fx_header(r, "Set-Cookie"), "; Secure");
    assert_int_equal(fx_log_count(f, "used by 192.0.2.7"), 1);

    r = fx_get(f, link, "X-Forwarded-Proto: https");
    fx_assert_lacks("Set-Cookie", fx_header(r, "Set-Cookie"), "Secure",
                    __FILE__, __LINE__);
}

/* The status page makes links too, for the authenticated user only. */
static void test_toggle_page_makes_links(void **state)
{
    fx *f = site();
    const char *link, *json_link;
    fx_res *r;

    (void)state;
    FX_ASSERT_CONTAINS("status page", fx_get_as(f, ALICE, TOGGLE "/")->body,
                       "name=\"label\"");
    r = fx_post(f, ALICE, TOGGLE "/bypass", "label=dave&for=2h");
    FX_ASSERT_STATUS(r, 200);
    link = strstr(r->body, LINK_PREFIX);
    assert_non_null(link);
    link = fx_fmt(f, "%.*s", (int)strcspn(link, "<\" "), link);
    FX_ASSERT_STATUS(fx_get(f, link), 303);
    FX_ASSERT_PASSES(get_with_cookie(f, token_of(f, link)), "cookie");

    r = fx_post(f, ALICE, TOGGLE "/bypass", "label=erin", FX_ACCEPT_JSON);
    FX_ASSERT_STATUS(r, 200);
    json_link = fx_json_str(f, r, "link");
    assert_non_null(strstr(json_link, LINK_PREFIX));
    assert_non_null(fx_json_str(f, r, "expires"));

    /* The location's Require valid-user asks for one first. */
    FX_ASSERT_STATUS(fx_post(f, NULL, TOGGLE "/bypass", "label=mallory"),
                     401);
    FX_ASSERT_STATUS(fx_get_as(f, ALICE, TOGGLE "/bypass"), 405);
    FX_ASSERT_STATUS(fx_post(f, ALICE, TOGGLE "/bypass", "for=31d"), 400);
}

static void test_cookie_counted(void **state)
{
    fx *f = site();
    const char *link = ctl_link(f, KEY_FILE, "1h", "frank");
    const char *metrics;

    (void)state;
    for (int i = 0; i < 3; i++) {
        FX_ASSERT_PASSES(get_with_cookie(f, token_of(f, link)), "cookie");
    }
    metrics = fx_get_as(f, ALICE, TOGGLE "/metrics")->body;
    FX_ASSERT_CONTAINS("metrics", metrics,
                       "maintenance_bypass_total{policy=\"cookie\"} 3\n");
}

static void test_key_checked_at_configtest(void **state)
{
    fx *f = toggle_new_site(CONF);

    (void)state;
    fx_write(f, KEY_FILE, "%.31s\n", KEY);
    fx_chmod(f, KEY_FILE, 0600);
    FX_ASSERT_CONFIG_REFUSED(f, "MaintenanceBypassKey", "at least 32");

    fx_write(f, KEY_FILE, "%s\n", KEY);
    fx_chmod(f, KEY_FILE, 0644);
    FX_ASSERT_CONFIG_REFUSED(f, "MaintenanceBypassKey",
                             "can be read by httpd's User");

    fx_chmod(f, KEY_FILE, 0600);
    FX_ASSERT_CONFIG_OK(f);
}

static void test_ctl_bypass_refusals(void **state)
{
    fx *f = site();

    (void)state;
    ctl_refused(CTL_RUN(f, "bypass", "--for", "1h"), "--key");
    ctl_refused(CTL_RUN(f, "bypass", "--key",
                        fx_fmt(f, "%s/%s", fx_dir(f), KEY_FILE),
                        "--for", "31d"), "30 days");
    ctl_refused(CTL_RUN(f, "bypass", "--key",
                        fx_fmt(f, "%s/nothing", fx_dir(f))), "nothing");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_link_lets_its_browser_through),
        FX_TEST(test_link_before_maintenance),
        FX_TEST(test_altered_foreign_and_expired_refused),
        FX_TEST(test_secure_behind_a_proxy),
        FX_TEST(test_toggle_page_makes_links),
        FX_TEST(test_cookie_counted),
        FX_TEST(test_key_checked_at_configtest),
        FX_TEST(test_ctl_bypass_refusals),
    };

    return cmocka_run_group_tests_name("bypass links", tests, NULL,
                                       fx_group_teardown);
}
