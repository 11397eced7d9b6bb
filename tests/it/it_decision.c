/* How each request is decided: the state and its window,
 * MaintenanceForce, the environment variables, and requests the module
 * must leave alone (subrequests, internal redirects). */
#include "fixture.h"

static const char CONF[] =
    FX_ENV_HEADERS
    "SetEnvIf User-Agent ^HealthCheck no-maintenance\n"
    "ErrorDocument 404 /notfound.html\n"
    "<Location /forced-on>\n  MaintenanceForce On\n</Location>\n"
    "<Location /forced-off>\n  MaintenanceForce Off\n</Location>\n"
    "<Location /zone>\n  MaintenanceForce On\n</Location>\n"
    "<Location /zone/open>\n  MaintenanceForce Off\n</Location>\n"
    /* A per-directory rewrite is an internal redirect. */
    "<Directory ${TESTDIR}/htdocs/forced-off>\n"
    "  RewriteEngine On\n  RewriteRule ^fwd$ /target.html\n</Directory>\n";

/* Every page a test asks for, named after itself. */
static const char *const PAGES[] = {
    "index.html", "target.html", "part.html", "notfound.html",
    "forced-on/a.html", "forced-off/a.html", "zone/a.html",
    "zone/open/a.html",
};

/* SSI: what a page sees of the module's variables, and a subrequest. */
static const char SSI_PAGE[] =
    "mode=<!--#echo var=\"MAINTENANCE_MODE\" -->\n"
    "start=<!--#echo var=\"MAINTENANCE_START\" -->\n"
    "message=<!--#echo var=\"MAINTENANCE_MESSAGE\" -->\n"
    "[<!--#include virtual=\"/part.html\" -->]\n";

static int setup(void **state)
{
    fx *f = fx_new(CONF);

    for (size_t i = 0; i < sizeof(PAGES) / sizeof(*PAGES); i++) {
        fx_write(f, fx_fmt(f, "htdocs/%s", PAGES[i]), "page %s\n", PAGES[i]);
    }
    fx_write(f, "htdocs/page.shtml", "%s", SSI_PAGE);
    fx_write(f, "htdocs/forced-off/page.shtml", "%s", SSI_PAGE);
    fx_start(f);
    *state = f;
    return 0;
}

static void test_missing_state_is_off(void **state)
{
    fx *f = *state;

    fx_state_remove(f);
    fx_res *r = fx_get(f, "/index.html");
    FX_ASSERT_SERVED(r);
    FX_ASSERT_BODY(r, "page index.html");
    FX_ASSERT_HEADER(r, "X-Start", NULL);
    FX_ASSERT_HEADER(r, "X-Message", NULL);
}

/* django-maintenance-mode writes 1/0; true/false are read too. */
static void test_off_forms(void **state)
{
    static const char *const forms[] = { "off", "0", "false" };
    fx *f = *state;

    for (size_t i = 0; i < sizeof(forms) / sizeof(*forms); i++) {
        fx_state(f, "%s\n", forms[i]);
        FX_ASSERT_SERVED(fx_get(f, "/index.html"));
    }
}

static void test_on_forms(void **state)
{
    static const char *const forms[] = { "on", "1", "true" };
    fx *f = *state;

    for (size_t i = 0; i < sizeof(forms) / sizeof(*forms); i++) {
        fx_state(f, "%s\n", forms[i]);
        FX_ASSERT_BLOCKED(fx_get(f, "/index.html"), 503);
    }
}

static void test_on_answer(void **state)
{
    fx *f = *state;

    fx_state(f, "on\nchanged=%s\nby=alice\n", fx_iso(f, time(NULL) - 60));
    fx_res *r = fx_get(f, "/index.html");
    FX_ASSERT_BLOCKED(r, 503);
    FX_ASSERT_HEADER(r, "Retry-After", "3600");
    FX_ASSERT_CONTAINS("Cache-Control", fx_header(r, "Cache-Control"),
                       "no-store");
    FX_ASSERT_NO_BODY(r, "page index.html");
}

/* Maintenance answers whatever the method (before any handler says 405). */
static void test_every_method(void **state)
{
    static const char *const methods[] = {
        "HEAD", "POST", "PUT", "DELETE", "OPTIONS",
    };
    fx *f = *state;

    fx_state(f, "on\n");
    for (size_t i = 0; i < sizeof(methods) / sizeof(*methods); i++) {
        fx_req req = { .method = methods[i], .path = "/index.html" };
        if (!strcmp(methods[i], "POST") || !strcmp(methods[i], "PUT")) {
            req.body = "a=1";
        }
        FX_ASSERT_BLOCKED(fx_request(f, &req), 503);
    }
}

/* Unknown keys are ignored. */
/* Read all the same, for newer writers; said once at warn, so that a
 * typo does not go unnoticed. Blanks around keys and values are what
 * someone editing by hand means nothing by. */
static void test_unknown_keys_ignored(void **state)
{
    fx *f = *state;

    fx_expect_log(f, "MM00009");
    fx_state(f, "on\ncolour=blue\nmessage=Back soon\n");
    fx_res *r = fx_get(f, "/index.html");
    FX_ASSERT_BLOCKED(r, 503);
    FX_ASSERT_HEADER(r, "X-Message", "Back soon");
    fx_sleep_ms(FX_SETTLE_MS);
    assert_int_equal(fx_log_count(f, "MM00009"), 1);
    assert_int_equal(fx_log_count(f, "ignored: colour"), 1);
    assert_int_equal(fx_log_count(f, "[maintenance:warn]"), 1);

    fx_state(f, "on\n end = 2099-01-01T00:00:00Z \nmessage = Spaced\n");
    r = fx_get(f, "/index.html");
    FX_ASSERT_BLOCKED(r, 503);
    FX_ASSERT_HEADER(r, "X-Message", "Spaced");
    FX_ASSERT_HEADER(r, "X-End", "2099-01-01T00:00:00Z");
    assert_int_equal(fx_log_count(f, "MM00009"), 1);
}

/* A window scheduled ahead: served normally, and the site can show a
 * banner from MAINTENANCE_START (headers, SSI). */
static void test_window_ahead(void **state)
{
    fx *f = *state;
    time_t now = time(NULL);
    const char *start = fx_iso(f, now + 3600), *end = fx_iso(f, now + 7200);

    fx_state(f, "on\nstart=%s\nend=%s\nmessage=Upgrade tonight\n", start,
             end);
    fx_res *r = fx_get(f, "/index.html");
    FX_ASSERT_SERVED(r);
    FX_ASSERT_HEADER(r, "X-Start", start);
    FX_ASSERT_HEADER(r, "X-End", end);
    FX_ASSERT_HEADER(r, "X-Message", "Upgrade tonight");
    r = FX_ASSERT_STATUS(fx_get(f, "/page.shtml"), 200);
    FX_ASSERT_BODY(r, "mode=off\n");
    FX_ASSERT_BODY(r, fx_fmt(f, "start=%s\n", start));
    FX_ASSERT_BODY(r, "message=Upgrade tonight\n");
}

/* Times may be Unix seconds; the module hands them on in ISO 8601. */
static void test_window_ahead_unix_seconds(void **state)
{
    fx *f = *state;
    time_t start = time(NULL) + 3600;

    fx_state(f, "on\nstart=%lld\n", (long long)start);
    fx_res *r = fx_get(f, "/index.html");
    FX_ASSERT_SERVED(r);
    FX_ASSERT_HEADER(r, "X-Start", fx_iso(f, start));
}

static void test_window_running(void **state)
{
    fx *f = *state;
    time_t now = time(NULL);
    const char *start = fx_iso(f, now - 60), *end = fx_iso(f, now + 600);

    fx_state(f, "on\nstart=%s\nend=%s\nmessage=Now\n", start, end);
    fx_res *r = fx_get(f, "/index.html");
    FX_ASSERT_BLOCKED(r, 503);
    FX_ASSERT_HEADER(r, "X-Start", start);
    FX_ASSERT_HEADER(r, "X-End", end);
    FX_ASSERT_HEADER(r, "X-Message", "Now");
    assert_in_range(fx_header_num(r, "Retry-After"), 590, 600);
}

/* A window that ended is over by itself: off, and no window variables. */
static void test_window_over(void **state)
{
    fx *f = *state;
    time_t now = time(NULL);

    fx_state(f, "on\nstart=%s\nend=%s\nmessage=Done\n",
             fx_iso(f, now - 7200), fx_iso(f, now - 3600));
    fx_res *r = fx_get(f, "/index.html");
    FX_ASSERT_SERVED(r);
    FX_ASSERT_HEADER(r, "X-Start", NULL);
    FX_ASSERT_HEADER(r, "X-End", NULL);
    FX_ASSERT_HEADER(r, "X-Message", NULL);
}

static void test_force_on(void **state)
{
    fx *f = *state;

    fx_state(f, "off\n");
    FX_ASSERT_BLOCKED(fx_get(f, "/forced-on/a.html"), 503);
    FX_ASSERT_SERVED(fx_get(f, "/index.html"));
}

/* Forced on is "as if the state were on": ignore policies still apply. */
static void test_force_on_still_ignores(void **state)
{
    fx *f = *state;

    fx_state(f, "off\n");
    FX_ASSERT_PASSES(fx_get(f, "/forced-on/a.html",
                            "User-Agent: HealthCheck/1.0"), "env");
}

static void test_force_off(void **state)
{
    fx *f = *state;

    fx_state(f, "on\n");
    fx_res *r = fx_get(f, "/forced-off/a.html");
    FX_ASSERT_SERVED(r);
    FX_ASSERT_BODY(r, "page forced-off/a.html");
    FX_ASSERT_BLOCKED(fx_get(f, "/index.html"), 503);
}

/* Inner scopes override outer ones. */
static void test_force_inner_scope_wins(void **state)
{
    fx *f = *state;

    fx_state(f, "off\n");
    FX_ASSERT_BLOCKED(fx_get(f, "/zone/a.html"), 503);
    FX_ASSERT_SERVED(fx_get(f, "/zone/open/a.html"));
    fx_state(f, "on\n");
    FX_ASSERT_SERVED(fx_get(f, "/zone/open/a.html"));
}

/* The page is let through; its SSI include is a subrequest for a URL in
 * maintenance, which the module must leave alone (mod_include would log
 * an error and show "[an error occurred...]" otherwise). */
static void test_subrequest_untouched(void **state)
{
    fx *f = *state;

    fx_state(f, "on\n");
    fx_res *r = FX_ASSERT_STATUS(fx_get(f, "/forced-off/page.shtml"), 200);
    FX_ASSERT_BODY(r, "[page part.html\n]");
    FX_ASSERT_BODY(r, "mode=off\n");
}

/* A let-through request internally redirected (mod_rewrite per-directory)
 * to a URL in maintenance: the redirect is served. */
static void test_internal_redirect_untouched(void **state)
{
    fx *f = *state;

    fx_state(f, "on\n");
    fx_res *r = FX_ASSERT_STATUS(fx_get(f, "/forced-off/fwd"), 200);
    FX_ASSERT_BODY(r, "page target.html");
}

/* A let-through request that fails: its ErrorDocument (an internal
 * redirect to a URL in maintenance) is served with the original status. */
static void test_error_document_of_let_through(void **state)
{
    fx *f = *state;

    fx_state(f, "on\n");
    fx_res *r = FX_ASSERT_STATUS(fx_get(f, "/forced-off/missing.html"), 404);
    FX_ASSERT_BODY(r, "page notfound.html");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_missing_state_is_off),
        FX_TEST(test_off_forms),
        FX_TEST(test_on_forms),
        FX_TEST(test_on_answer),
        FX_TEST(test_every_method),
        FX_TEST(test_unknown_keys_ignored),
        FX_TEST(test_window_ahead),
        FX_TEST(test_window_ahead_unix_seconds),
        FX_TEST(test_window_running),
        FX_TEST(test_window_over),
        FX_TEST(test_force_on),
        FX_TEST(test_force_on_still_ignores),
        FX_TEST(test_force_off),
        FX_TEST(test_force_inner_scope_wins),
        FX_TEST(test_subrequest_untouched),
        FX_TEST(test_internal_redirect_untouched),
        FX_TEST(test_error_document_of_let_through),
    };

    return cmocka_run_group_tests_name("decision", tests, setup,
                                       fx_group_teardown);
}
