/* The C API, through tests/modules/mod_maintenance_test.c,
 * a third-party module as its users would write one: its provider
 * (MaintenanceState memtest:on|off, the state in the child's memory)
 * decides the site, its handler reads and sets the state through the
 * optional functions, and configtest checks what providers are named. */
#include "fixture.h"
#include "toggle.h"

#include <limits.h>
#include <unistd.h>

#define TEST_MODULE "tests/modules/.libs/mod_maintenance_test.so"

/* The memtest state lives in one process's memory, and the fixture's
 * base config runs exactly one child process, so every request sees the
 * state the API set. /api is the API handler, let through by URL; the
 * toggle location takes anonymous changes from this address. */
static const char SITE[] =
    FX_ENV_HEADERS
    "MaintenanceState memtest:on\n"
    "MaintenanceIgnoreURL ^/api\n"
    "<Location \"/api\">\n  SetHandler maintenance-api-test\n</Location>\n"
    "<Location \"/toggle\">\n"
    TOGGLE_LOOPBACK
    "</Location>\n";

/* "LoadModule maintenance_test_module /abs/path" and then conf. */
static fx *new_with_module(const char *conf)
{
    char cwd[PATH_MAX];

    if (!getcwd(cwd, sizeof(cwd))
        || access(TEST_MODULE, R_OK) != 0) {
        fail_msg(TEST_MODULE " is missing (make builds it; tests run from "
                 "the repository root)");
    }
    return fx_new_fmt("LoadModule maintenance_test_module %s/%s\n%s", cwd,
                      TEST_MODULE, conf);
}

static int setup(void **state)
{
    fx *f = new_with_module(SITE);

    fx_write(f, "htdocs/index.html", "front page\n");
    fx_start(f);
    *state = f;
    return 0;
}

/* The API handler's answer: state, message and by, a line each. */
static fx_res *api(fx *f, const char *query)
{
    return FX_ASSERT_STATUS(fx_get(f, fx_fmt(f, "/api%s", query)), 200);
}

/* Runs first: the state the configuration gave. */
static void test_provider_puts_site_in_maintenance(void **state)
{
    fx *f = *state;

    FX_ASSERT_BLOCKED(fx_get(f, "/index.html"), 503);
    fx_res *r = api(f, "");
    assert_string_equal(r->body, "on\n\n\n");
    FX_ASSERT_HEADER(r, "X-Bypass", "url");
}

static void test_set_through_the_api(void **state)
{
    fx *f = *state;

    assert_string_equal(api(f, "?set=off")->body, "off\n\napi-test\n");
    FX_ASSERT_SERVED(fx_await_status(f, "/index.html", 200));

    assert_string_equal(api(f, "?set=on&message=Hello%20API")->body,
                        "on\nHello API\napi-test\n");
    fx_res *r = fx_await_status(f, "/index.html", 503);
    FX_ASSERT_BLOCKED(r, 503);
    FX_ASSERT_HEADER(r, "X-Message", "Hello API");
    FX_ASSERT_BODY(r, "Hello API");
}

/* The toggle handler goes through the same provider both ways. */
static void test_toggle_uses_the_provider(void **state)
{
    fx *f = *state;

    api(f, "?set=on&message=Set%20by%20the%20API");
    fx_res *r = FX_ASSERT_STATUS(fx_get(f, "/toggle/", FX_ACCEPT_JSON), 200);
    assert_string_equal(fx_json_str(f, r, "state"), "on");
    assert_string_equal(fx_json_str(f, r, "by"), "api-test");
    assert_string_equal(fx_json_str(f, r, "message"), "Set by the API");

    FX_ASSERT_STATUS(fx_post(f, NULL, "/toggle/off", NULL, FX_ACCEPT_JSON),
                     200);
    assert_string_equal(api(f, "")->body, "off\n\n\n");
    FX_ASSERT_SERVED(fx_await_status(f, "/index.html", 200));
}

/* --- configtest ---------------------------------------------------------- */

static void test_provider_args_checked(void **state)
{
    fx *f = new_with_module("MaintenanceState memtest:bogus\n");

    (void)state;
    /* The provider's own words reach the admin. */
    FX_ASSERT_CONFIG_REFUSED(f, "MaintenanceState", "memtest",
                             "takes on or off");
}

static void test_unknown_provider(void **state)
{
    (void)state;
    FX_ASSERT_CONFIG_REFUSED(new_with_module("MaintenanceState nope:x\n"),
                             "MaintenanceState", "nope");
}

static void test_good_provider_config(void **state)
{
    (void)state;
    FX_ASSERT_CONFIG_OK(new_with_module("MaintenanceState memtest:off\n"));
}

/* A virtual host may name its own provider; memtest:off there serves
 * the host while the main server's memtest:on keeps it down. */
static void test_virtual_host_provider(void **state)
{
    fx *f = new_with_module(
        FX_ENV_HEADERS
        "MaintenanceState memtest:on\n"
        "<VirtualHost 127.0.0.1:${TESTPORT}>\n  ServerName main.test\n"
        "</VirtualHost>\n"
        "<VirtualHost 127.0.0.1:${TESTPORT}>\n  ServerName up.test\n"
        "  MaintenanceState memtest:off\n</VirtualHost>\n");

    (void)state;
    fx_write(f, "htdocs/index.html", "front page\n");
    fx_start(f);
    FX_ASSERT_BLOCKED(fx_get(f, "/index.html", "Host: main.test"), 503);
    FX_ASSERT_SERVED(fx_get(f, "/index.html", "Host: up.test"));
}

int main(void)
{
    const struct CMUnitTest site[] = {
        FX_TEST(test_provider_puts_site_in_maintenance),
        FX_TEST(test_set_through_the_api),
        FX_TEST(test_toggle_uses_the_provider),
    };
    const struct CMUnitTest configs[] = {
        FX_TEST(test_provider_args_checked),
        FX_TEST(test_unknown_provider),
        FX_TEST(test_good_provider_config),
        FX_TEST(test_virtual_host_provider),
    };
    int failed = 0;

    failed += cmocka_run_group_tests_name("C API: a provider and the optional "
                                          "functions", site, setup,
                                          fx_group_teardown);
    failed += cmocka_run_group_tests_name("C API: configuration", configs,
                                          NULL, NULL);
    return failed;
}
