/* The file: state provider as a site sees it (and the state
 * directives): missing and bad states, what stays in
 * force when the state turns bad, MaintenanceFailMode, MaintenanceStateTTL
 * and one state per virtual host. */
#include "fixture.h"

#include <string.h>
#include <time.h>

/* How the module logs a bad state: at error, once per distinct problem. */
#define BAD_STATE_LOG "[maintenance:error]"

static const char GARBAGE[] = "maybe\nstart=yesterday\n";

static int setup(void **state)
{
    fx *f = fx_new_site(FX_ENV_HEADERS);

    fx_start(f);
    *state = f;
    return 0;
}

/* A state over 4 KiB. */
static const char *oversize(fx *f)
{
    return fx_fmt(f, "on\nmessage=%s\n", fx_filler(f, 4999));
}

/* --- one server: a state that turns bad ---------------------------------- */

static void test_missing_is_off_and_quiet(void **state)
{
    fx *f = *state;

    fx_state(f, "on\n");
    FX_ASSERT_BLOCKED(fx_get(f, "/index.html"), 503);
    fx_state_remove(f);
    FX_ASSERT_SERVED(fx_get(f, "/index.html"));
    assert_int_equal(fx_log_count(f, BAD_STATE_LOG), 0);
}

/* A time as Python's datetime.isoformat() writes an aware UTC one. */
static const char *py_iso(fx *f, time_t t)
{
    char buf[32];

    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S+00:00", gmtime(&t));
    return fx_fmt(f, "%s", buf);
}

/* What django-maintenance-mode 0.23 writes for a scheduled window
 * (json.dumps of its two times), byte for byte, read as on within it. */
static void test_django_schedule(void **state)
{
    fx *f = *state;
    time_t now = time(NULL);
    fx_res *r;

    fx_state(f, "{\"start\": \"%s\", \"end\": \"%s\"}",
             py_iso(f, now - 60), py_iso(f, now + 3600));
    r = fx_get(f, "/index.html");
    FX_ASSERT_BLOCKED(r, 503);
    assert_true(fx_iso_time(fx_header(r, "X-End")) == now + 3600);

    fx_state(f, "{\"start\": \"%s\", \"end\": null}",
             py_iso(f, now + 3600));
    r = fx_get(f, "/index.html");
    FX_ASSERT_SERVED(r);
    assert_true(fx_iso_time(fx_header(r, "X-Start")) == now + 3600);

    fx_state(f, "0");
    FX_ASSERT_SERVED(fx_get(f, "/index.html"));
}

/* Once read, a state stays in force while the file is bad; the problem
 * is logged once, not per request (nor per read). */
static void check_bad_after_good(fx *f, const char *bad)
{
    fx_expect_log(f, BAD_STATE_LOG);
    fx_state(f, "on\nmessage=Kept\n");
    FX_ASSERT_BLOCKED(fx_get(f, "/index.html"), 503);
    fx_state(f, "%s", bad);
    for (int i = 0; i < 3; i++) {
        fx_res *r = fx_get(f, "/index.html");
        FX_ASSERT_BLOCKED(r, 503);
        FX_ASSERT_HEADER(r, "X-Message", "Kept");
    }
    fx_sleep_ms(FX_SETTLE_MS);   /* several more reads of the bad file */
    assert_int_equal(fx_log_count(f, BAD_STATE_LOG), 1);
    fx_state(f, "off\n");
    FX_ASSERT_SERVED(fx_get(f, "/index.html"));
}

static void test_garbage_after_good(void **state)
{
    check_bad_after_good(*state, GARBAGE);
}

static void test_oversize_after_good(void **state)
{
    fx *f = *state;

    check_bad_after_good(f, oversize(f));
}

static void test_empty_after_good(void **state)
{
    check_bad_after_good(*state, "");
}

static void test_unreadable_after_good(void **state)
{
    fx *f = *state;

    fx_expect_log(f, BAD_STATE_LOG);
    fx_state(f, "off\n");
    FX_ASSERT_SERVED(fx_get(f, "/index.html"));
    fx_chmod(f, "state/state", 0);
    FX_ASSERT_SERVED(fx_get(f, "/index.html"));
    assert_int_equal(fx_log_count(f, BAD_STATE_LOG), 1);
    fx_chmod(f, "state/state", 0644);
    fx_state(f, "on\n");
    FX_ASSERT_BLOCKED(fx_get(f, "/index.html"), 503);
}

/* Two different problems in a row are two log lines. */
static void test_each_problem_logged(void **state)
{
    fx *f = *state;

    fx_expect_log(f, BAD_STATE_LOG);
    fx_state(f, "off\n");
    fx_state(f, "%s", GARBAGE);
    fx_state(f, "%s", oversize(f));
    assert_int_equal(fx_log_count(f, BAD_STATE_LOG), 2);
    fx_state(f, "off\n");
}

/* --- a server per test: states never readable ---------------------------- */

/* A site whose state file holds text before httpd starts, or is
 * unreadable when text is NULL. */
static fx *start_with_state(const char *conf, const char *text)
{
    fx *f = fx_new_site(conf);

    fx_expect_log(f, BAD_STATE_LOG);
    fx_state(f, "%s", text ? text : "off\n");
    if (!text) {
        fx_chmod(f, "state/state", 0);
    }
    fx_start(f);
    return f;
}

#define FAIL_CLOSED FX_ENV_HEADERS "MaintenanceFailMode closed\n"
#define FAIL_OPEN   FX_ENV_HEADERS "MaintenanceFailMode open\n"

static void test_fail_open_by_default(void **state)
{
    (void)state;
    fx *f = start_with_state(FX_ENV_HEADERS, GARBAGE);

    FX_ASSERT_SERVED(fx_get(f, "/index.html"));
    FX_ASSERT_SERVED(fx_get(f, "/index.html"));
    assert_int_equal(fx_log_count(f, BAD_STATE_LOG), 1);
}

static void test_fail_open(void **state)
{
    (void)state;
    fx *f = start_with_state(FAIL_OPEN, NULL);

    FX_ASSERT_SERVED(fx_get(f, "/index.html"));
}

static void test_fail_closed_garbage(void **state)
{
    (void)state;
    fx *f = start_with_state(FAIL_CLOSED, GARBAGE);

    fx_res *r = fx_get(f, "/index.html");
    FX_ASSERT_BLOCKED(r, 503);
    FX_ASSERT_CONTAINS("Cache-Control", fx_header(r, "Cache-Control"),
                       "no-store");
    /* Readable again: the state decides. */
    fx_state(f, "off\n");
    FX_ASSERT_SERVED(fx_get(f, "/index.html"));
}

static void test_fail_closed_unreadable(void **state)
{
    (void)state;
    fx *f = start_with_state(FAIL_CLOSED, NULL);

    FX_ASSERT_BLOCKED(fx_get(f, "/index.html"), 503);
    FX_ASSERT_BLOCKED(fx_get(f, "/index.html"), 503);
    assert_int_equal(fx_log_count(f, BAD_STATE_LOG), 1);
}

/* Ignore policies still let requests through a closed failure. */
static void test_fail_closed_still_ignores(void **state)
{
    (void)state;
    fx *f = start_with_state(FAIL_CLOSED
                             "MaintenanceIgnoreURL ^/index\\.html$\n",
                             GARBAGE);

    FX_ASSERT_PASSES(fx_get(f, "/index.html"), "url");
}

/* A missing file is a readable "off", not a failure. */
static void test_fail_closed_missing_is_off(void **state)
{
    (void)state;
    fx *f = fx_new_site(FAIL_CLOSED);

    fx_start(f);
    FX_ASSERT_SERVED(fx_get(f, "/index.html"));
}

/* Closed applies only while no state was ever read. */
static void test_fail_closed_after_good(void **state)
{
    (void)state;
    fx *f = fx_new_site(FAIL_CLOSED);

    fx_expect_log(f, BAD_STATE_LOG);
    fx_state(f, "off\n");
    fx_start(f);
    FX_ASSERT_SERVED(fx_get(f, "/index.html"));
    fx_state(f, "%s", GARBAGE);
    FX_ASSERT_SERVED(fx_get(f, "/index.html"));
}

/* A read is reused for MaintenanceStateTTL: with an hour, a change is not
 * seen (this asserts the reuse, not a duration). */
static void test_ttl_reuses_state(void **state)
{
    (void)state;
    fx *f = fx_new_site(FX_ENV_HEADERS "MaintenanceStateTTL 3600\n");

    fx_state(f, "off\n");
    fx_start(f);
    FX_ASSERT_SERVED(fx_get(f, "/index.html"));
    fx_state(f, "on\n");
    FX_ASSERT_SERVED(fx_get(f, "/index.html"));
}

/* Each virtual host has its own state; the server-wide settings are
 * inherited (TTL) or overridden (FailMode). */
static const char VHOSTS[] =
    FX_ENV_HEADERS
    "MaintenanceState file:${TESTDIR}/state/state\n"
    "MaintenanceStateTimeout 0.5\n"
    "<VirtualHost 127.0.0.1:${TESTPORT}>\n  ServerName a.test\n"
    "  MaintenanceState file:${TESTDIR}/state/a\n</VirtualHost>\n"
    "<VirtualHost 127.0.0.1:${TESTPORT}>\n  ServerName b.test\n"
    "  MaintenanceState file:${TESTDIR}/state/b\n"
    "  MaintenanceFailMode closed\n</VirtualHost>\n";

static void test_vhost_states(void **state)
{
    (void)state;
    fx *f = fx_new_site(VHOSTS);

    fx_start(f);
    FX_ASSERT_SERVED(fx_get(f, "/index.html", "Host: a.test"));
    FX_ASSERT_SERVED(fx_get(f, "/index.html", "Host: b.test"));
    fx_write(f, "state/a", "on\n");
    fx_sleep_ms(FX_SETTLE_MS);
    FX_ASSERT_BLOCKED(fx_get(f, "/index.html", "Host: a.test"), 503);
    FX_ASSERT_SERVED(fx_get(f, "/index.html", "Host: b.test"));
}

static void test_vhost_fail_mode(void **state)
{
    (void)state;
    fx *f = fx_new_site(VHOSTS);

    fx_expect_log(f, BAD_STATE_LOG);
    fx_write(f, "state/a", "%s", GARBAGE);
    fx_write(f, "state/b", "%s", GARBAGE);
    fx_start(f);
    FX_ASSERT_SERVED(fx_get(f, "/index.html", "Host: a.test"));
    FX_ASSERT_BLOCKED(fx_get(f, "/index.html", "Host: b.test"), 503);
}

int main(void)
{
    const struct CMUnitTest shared[] = {
        FX_TEST(test_missing_is_off_and_quiet),
        FX_TEST(test_django_schedule),
        FX_TEST(test_garbage_after_good),
        FX_TEST(test_oversize_after_good),
        FX_TEST(test_empty_after_good),
        FX_TEST(test_unreadable_after_good),
        FX_TEST(test_each_problem_logged),
    };
    const struct CMUnitTest own[] = {
        FX_TEST(test_fail_open_by_default),
        FX_TEST(test_fail_open),
        FX_TEST(test_fail_closed_garbage),
        FX_TEST(test_fail_closed_unreadable),
        FX_TEST(test_fail_closed_still_ignores),
        FX_TEST(test_fail_closed_missing_is_off),
        FX_TEST(test_fail_closed_after_good),
        FX_TEST(test_ttl_reuses_state),
        FX_TEST(test_vhost_states),
        FX_TEST(test_vhost_fail_mode),
    };
    int failed = 0;

    failed += cmocka_run_group_tests_name("state, one server", shared, setup,
                                          fx_group_teardown);
    failed += cmocka_run_group_tests_name("state, a server each", own, NULL,
                                          NULL);
    return failed;
}
