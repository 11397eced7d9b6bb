/* Read-only maintenance: the state's mode=read-only and MaintenanceForce
 * ReadOnly serve the methods of MaintenanceSafeMethods (GET, HEAD and
 * OPTIONS by default) with MAINTENANCE_MODE=read-only, and answer the
 * others as in maintenance; the ignore policies still let those through;
 * an inner scope's list replaces the outer one; .htaccess. */
#include "fixture.h"

#define MESSAGE "Read-only while we migrate"

static const char CONF[] =
    FX_ENV_HEADERS
    "SetEnvIf User-Agent ^HealthCheck no-maintenance\n"
    "<Location /api>\n  MaintenanceSafeMethods POST\n</Location>\n"
    "<Location /query>\n  MaintenanceSafeMethods GET QUERY\n</Location>\n"
    "<Location /forced-read-only>\n  MaintenanceForce ReadOnly\n</Location>\n"
    "<Location /forced-on>\n  MaintenanceForce On\n</Location>\n"
    "<Directory ${TESTDIR}/htdocs/ht>\n  AllowOverride FileInfo\n</Directory>\n";

static const char *const PAGES[] = {
    "index.html", "api/a.html", "query/a.html", "forced-read-only/a.html",
    "forced-on/a.html", "ht/a.html",
};

static int setup(void **state)
{
    fx *f = fx_new(CONF);

    for (size_t i = 0; i < sizeof(PAGES) / sizeof(*PAGES); i++) {
        fx_write(f, fx_fmt(f, "htdocs/%s", PAGES[i]), "page %s\n", PAGES[i]);
    }
    fx_start(f);
    *state = f;
    return 0;
}

/* A request with method to path, with a form body for the methods that
 * send one, and headers (NULL-terminated, or NULL). */
static fx_res *request(fx *f, const char *method, const char *path,
                       const char *const *headers)
{
    fx_req req = { .method = method, .path = path, .headers = headers };

    if (!strcmp(method, "POST") || !strcmp(method, "PUT")) {
        req.body = "a=1";
    }
    return fx_request(f, &req);
}

/* Served in read-only mode: no maintenance answer, no bypass. The status
 * is httpd's own for the method (a 405 for a PUT of a page, say). */
static void assert_served_read_only(const fx_res *r, const char *what)
{
    if (r->status == 503) {
        fail_msg("%s got the maintenance answer:\n%s", what, r->head);
    }
    FX_ASSERT_HEADER(r, "X-Mode", "read-only");
    FX_ASSERT_HEADER(r, "X-Bypass", NULL);
}

/* Answered as in read-only maintenance. */
static void assert_refused_read_only(fx_res *r)
{
    FX_ASSERT_STATUS(r, 503);
    FX_ASSERT_HEADER(r, "X-Mode", "read-only");
    FX_ASSERT_HEADER(r, "X-Bypass", NULL);
}

static void read_only_state(fx *f)
{
    fx_state(f, "on\nmode=read-only\nmessage=%s\n", MESSAGE);
}

/* --- the state's mode ---------------------------------------------------- */

static void test_read_only_serves_get_head_options(void **state)
{
    static const char *const safe[] = { "GET", "HEAD", "OPTIONS" };
    fx *f = *state;

    read_only_state(f);
    for (size_t i = 0; i < sizeof(safe) / sizeof(*safe); i++) {
        fx_res *r = request(f, safe[i], "/index.html", NULL);
        FX_ASSERT_STATUS(r, 200);
        assert_served_read_only(r, safe[i]);
    }
    FX_ASSERT_BODY(fx_get(f, "/index.html"), "page index.html");
    /* The window's variables, for the application's banner. */
    FX_ASSERT_HEADER(fx_get(f, "/index.html"), "X-Message", MESSAGE);
}

static void test_read_only_refuses_post_put_delete(void **state)
{
    static const char *const unsafe[] = { "POST", "PUT", "DELETE" };
    fx *f = *state;

    read_only_state(f);
    for (size_t i = 0; i < sizeof(unsafe) / sizeof(*unsafe); i++) {
        fx_res *r = request(f, unsafe[i], "/index.html", NULL);
        assert_refused_read_only(r);
        FX_ASSERT_HEADER(r, "Retry-After", "3600");
        FX_ASSERT_BODY(r, MESSAGE);
        FX_ASSERT_BODY(r, "Read-only for maintenance");
        FX_ASSERT_NO_BODY(r, "page index.html");
    }
}

static void test_read_only_default_message(void **state)
{
    fx *f = *state;

    fx_state(f, "on\nmode=read-only\n");
    fx_res *r = request(f, "POST", "/index.html", NULL);
    assert_refused_read_only(r);
    FX_ASSERT_BODY(r, "This site is read-only for maintenance");
}

static void test_read_only_json_answer(void **state)
{
    fx *f = *state;

    read_only_state(f);
    fx_res *r = request(f, "POST", "/index.html",
                        (const char *const[]){ FX_ACCEPT_JSON, NULL });
    assert_refused_read_only(r);
    assert_string_equal(fx_json_raw(f, r, "read_only"), "true");
    assert_string_equal(fx_json_raw(f, r, "maintenance"), "true");
    assert_string_equal(fx_json_str(f, r, "detail"), MESSAGE);
}

static void test_full_json_answer_is_not_read_only(void **state)
{
    fx *f = *state;

    fx_state(f, "on\nmode=full\n");
    fx_res *r = FX_ASSERT_STATUS(fx_get(f, "/index.html", FX_ACCEPT_JSON),
                                 503);
    FX_ASSERT_HEADER(r, "X-Mode", "on");
    assert_string_equal(fx_json_raw(f, r, "read_only"), "false");
}

/* The ignore policies apply to what read-only mode answers. */
static void test_read_only_bypass_still_applies(void **state)
{
    fx *f = *state;

    read_only_state(f);
    fx_res *r = request(f, "POST", "/index.html",
                        (const char *const[]){ "User-Agent: HealthCheck/1",
                                               NULL });
    FX_ASSERT_STATUS(r, 200);
    FX_ASSERT_HEADER(r, "X-Mode", "read-only");
    FX_ASSERT_HEADER(r, "X-Bypass", "env");
}

/* A read-only window to come is not in force yet. */
static void test_read_only_window_ahead(void **state)
{
    fx *f = *state;

    fx_state(f, "on\nmode=read-only\nstart=%s\n",
             fx_iso(f, time(NULL) + 3600));
    FX_ASSERT_SERVED(request(f, "POST", "/index.html", NULL));
}

/* LogLevel maintenance:debug says why a request was served. */
static void test_read_only_explained(void **state)
{
    fx *f = *state;

    read_only_state(f);
    fx_get(f, "/index.html");
    FX_ASSERT_LOG_COUNT(f, "MM00011: served: state on, read-only, and GET "
                        "is one of MaintenanceSafeMethods", 1);
    request(f, "DELETE", "/index.html", NULL);
    FX_ASSERT_LOG_COUNT(f, "MM00011: maintenance answer: state on, "
                        "read-only, and no policy", 1);
}

/* --- MaintenanceSafeMethods ---------------------------------------------- */

/* /api says POST alone: POST is served there, GET is not. */
static void test_safe_methods_inner_scope_replaces(void **state)
{
    fx *f = *state;

    read_only_state(f);
    assert_served_read_only(request(f, "POST", "/api/a.html", NULL), "POST");
    assert_refused_read_only(fx_get(f, "/api/a.html"));
    assert_refused_read_only(request(f, "OPTIONS", "/api/a.html", NULL));
}

/* A method httpd does not know is registered from httpd.conf; one that
 * is named nowhere gets the maintenance answer. GET brings HEAD along, as
 * httpd numbers them alike. */
static void test_safe_methods_extension_method(void **state)
{
    fx *f = *state;

    read_only_state(f);
    assert_served_read_only(request(f, "QUERY", "/query/a.html", NULL),
                            "QUERY");
    assert_served_read_only(request(f, "HEAD", "/query/a.html", NULL),
                            "HEAD");
    assert_refused_read_only(request(f, "BREW", "/query/a.html", NULL));
    assert_refused_read_only(request(f, "OPTIONS", "/query/a.html", NULL));
}

/* In .htaccess with AllowOverride FileInfo; a method httpd does not know
 * cannot be registered from there. */
static void test_safe_methods_htaccess(void **state)
{
    fx *f = *state;

    read_only_state(f);
    fx_write(f, "htdocs/ht/.htaccess", "MaintenanceSafeMethods DELETE\n");
    assert_served_read_only(request(f, "DELETE", "/ht/a.html", NULL),
                            "DELETE");
    assert_refused_read_only(fx_get(f, "/ht/a.html"));

    fx_expect_log(f, "MaintenanceSafeMethods: 'BREW'");
    fx_write(f, "htdocs/ht/.htaccess", "MaintenanceSafeMethods GET BREW\n");
    FX_ASSERT_STATUS(fx_get(f, "/ht/a.html"), 500);
    FX_ASSERT_LOG_COUNT(f, "not in an .htaccess file", 1);
    fx_write(f, "htdocs/ht/.htaccess", "# nothing\n");
}

/* --- MaintenanceForce ---------------------------------------------------- */

static void test_force_read_only(void **state)
{
    fx *f = *state;

    fx_state(f, "off\n");
    assert_served_read_only(fx_get(f, "/forced-read-only/a.html"), "GET");
    fx_res *r = request(f, "POST", "/forced-read-only/a.html",
                        (const char *const[]){ FX_ACCEPT_JSON, NULL });
    assert_refused_read_only(r);
    assert_string_equal(fx_json_raw(f, r, "read_only"), "true");
    FX_ASSERT_SERVED(fx_get(f, "/index.html"));
}

/* MaintenanceForce On is full maintenance, whatever the state's mode. */
static void test_force_on_over_read_only_state(void **state)
{
    fx *f = *state;

    read_only_state(f);
    fx_res *r = fx_get(f, "/forced-on/a.html", FX_ACCEPT_JSON);
    FX_ASSERT_BLOCKED(r, 503);
    assert_string_equal(fx_json_raw(f, r, "read_only"), "false");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_read_only_serves_get_head_options),
        FX_TEST(test_read_only_refuses_post_put_delete),
        FX_TEST(test_read_only_default_message),
        FX_TEST(test_read_only_json_answer),
        FX_TEST(test_full_json_answer_is_not_read_only),
        FX_TEST(test_read_only_bypass_still_applies),
        FX_TEST(test_read_only_window_ahead),
        FX_TEST(test_read_only_explained),
        FX_TEST(test_safe_methods_inner_scope_replaces),
        FX_TEST(test_safe_methods_extension_method),
        FX_TEST(test_safe_methods_htaccess),
        FX_TEST(test_force_read_only),
        FX_TEST(test_force_on_over_read_only_state),
    };

    return cmocka_run_group_tests_name("read-only", tests, setup,
                                       fx_group_teardown);
}
