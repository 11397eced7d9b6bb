/* The toggle handler against a hostile web: only its own sub-paths exist,
 * every URL it writes is its location's, URL-escaped; an .htaccess author
 * cannot install it; "same origin" means one of the server's own names,
 * never the request's Host (DNS rebinding); a refused change leaves the
 * stored state byte for byte as it was; OPTIONS is answered; a JSON reply
 * shows what was stored. */
#include "fixture.h"
#include "toggle.h"

/* The documented toggle, one below a path with a space and a quote, one
 * in a <Directory>, and a directory whose .htaccess authors may use
 * FileInfo and AuthConfig, as shared hosts allow. */
static const char CONF[] =
    FX_ENV_HEADERS
    FX_TOGGLE_CONF
    "<Location \"/ops tools/m'aint\">\n"
    TOGGLE_LOOPBACK
    "</Location>\n"
    "<Directory \"${TESTDIR}/htdocs/ops\">\n"
    TOGGLE_LOOPBACK
    "</Directory>\n"
    "<Directory \"${TESTDIR}/htdocs/users\">\n"
    "  AllowOverride FileInfo AuthConfig\n"
    "</Directory>\n";

static int setup(void **state)
{
    fx *f = toggle_new_site(CONF);

    fx_write(f, "htdocs/ops/.keep", "\n");
    /* bob's own toggle, and his own password file. */
    fx_write(f, "htdocs/users/bob/.htaccess",
             "SetHandler maintenance-toggle\n"
             "AuthType Basic\nAuthName bob\n"
             "AuthUserFile %s/htdocs/users/bob/.htpasswd\n"
             "Require valid-user\n", fx_dir(f));
    fx_htpasswd(f, "htdocs/users/bob/.htpasswd", "bob", "bob");
    fx_start(f);
    *state = f;
    return 0;
}

/* --- only the handler's own sub-paths exist ----------------------------- */

static void test_crafted_paths_not_found(void **state)
{
    static const char *const paths[] = {
        /* "Turn off?" on a page whose form would turn it on. */
        TOGGLE "/on%3Fmessage=pwned%26for=10d%26x=/off",
        TOGGLE "/%0d%0aX:1/off",
        TOGGLE "/on/",
        TOGGLE "/off/x",
        TOGGLE "/status",
        TOGGLE "/on;x",
        TOGGLE "x/on",
    };
    fx *f = *state;
    const char *before = fx_state_put(f, "off\n");

    for (size_t i = 0; i < sizeof(paths) / sizeof(*paths); i++) {
        fx_res *r = fx_get_as(f, ALICE, paths[i]);
        if (r->status != 404) {
            fail_msg("GET %s: %ld, expected 404", paths[i], r->status);
        }
        r = fx_post(f, ALICE, paths[i], "message=pwned");
        if (r->status != 404) {
            fail_msg("POST %s: %ld, expected 404", paths[i], r->status);
        }
    }
    assert_string_equal(fx_read(f, "state/state"), before);
    FX_ASSERT_STATUS(fx_get_as(f, ALICE, TOGGLE), 200);
    FX_ASSERT_STATUS(fx_get_as(f, ALICE, TOGGLE "/"), 200);
    FX_ASSERT_STATUS(fx_get_as(f, ALICE, TOGGLE "/on"), 200);
}

/* Every URL on the pages and in Location is the location's, escaped. */
static void test_urls_escaped(void **state)
{
    fx *f = *state;
    const char *base = "/ops%20tools/m'aint";
    fx_res *r;

    /* On: the page then has a form for each action, and the preview. */
    fx_state_put(f, "on\n");
    r = FX_ASSERT_STATUS(fx_get(f, "/ops%20tools/m%27aint/"), 200);
    FX_ASSERT_BODY(r, "action=\"/ops%20tools/m&#39;aint/on\"");
    FX_ASSERT_BODY(r, "action=\"/ops%20tools/m&#39;aint/off\"");
    FX_ASSERT_BODY(r, "href=\"/ops%20tools/m&#39;aint/preview\"");
    FX_ASSERT_NO_BODY(r, "ops tools");
    r = FX_ASSERT_STATUS(fx_post(f, ALICE, fx_fmt(f, "%s/on", base),
                                 "message=x"), 303);
    FX_ASSERT_HEADER(r, "Location", fx_url(f, "/ops%20tools/m'aint/"));
}

/* In a <Directory>, the URL-path is what maps to it. */
static void test_directory_toggle(void **state)
{
    fx *f = *state;
    fx_res *r;

    fx_state_put(f, "off\n");
    r = FX_ASSERT_STATUS(fx_get(f, "/ops/"), 200);
    FX_ASSERT_BODY(r, "action=\"/ops/on\"");
    FX_ASSERT_STATUS(fx_get(f, "/ops/on%3Fx=/off"), 404);
    r = FX_ASSERT_STATUS(fx_post(f, ALICE, "/ops/on", "message=dir"), 303);
    FX_ASSERT_HEADER(r, "Location", fx_url(f, "/ops/"));
    FX_ASSERT_CONTAINS("state", fx_read(f, "state/state"), "message=dir\n");
}

/* --- .htaccess ------------------------------------------------------------ */

static void test_htaccess_toggle_refused(void **state)
{
    fx *f = *state;
    const char *before = fx_state_put(f, "off\n");

    fx_expect_log(f, "MM00025");
    FX_ASSERT_STATUS(fx_post(f, "bob:bob", "/users/bob/on", "for=1d"), 404);
    FX_ASSERT_STATUS(fx_get_as(f, "bob:bob", "/users/bob/"), 404);
    assert_string_equal(fx_read(f, "state/state"), before);
    assert_int_equal(fx_log_count(f, "MM00025"), 2);
    assert_int_equal(fx_log_count(f, "from an .htaccess file"), 2);
}

/* A place the handler cannot know its URL in stops configtest. */
static void test_unplaceable_toggle_refused(void **state)
{
    static const char *const confs[] = {
        "<Location \"/m\">\n  <If \"true\">\n"
        "    SetHandler maintenance-toggle\n  </If>\n</Location>\n",
        "<LocationMatch \"^/m\">\n  SetHandler maintenance-toggle\n"
        "</LocationMatch>\n",
        "<Files \"m\">\n  SetHandler maintenance-toggle\n</Files>\n",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(confs) / sizeof(*confs); i++) {
        FX_ASSERT_CONFIG_REFUSED(fx_new(confs[i]),
                                 "SetHandler maintenance-toggle: put it in a "
                                 "<Location> or <Directory>");
    }
}

/* --- same origin ---------------------------------------------------------- */

/* Name-based virtual hosts: the server's names are what count. */
static void test_origin_is_a_server_name(void **state)
{
    static const char CONF_VHOSTS[] =
        "<VirtualHost 127.0.0.1:${TESTPORT}>\n"
        "  ServerName 127.0.0.1\n"
        "</VirtualHost>\n"
        "<VirtualHost 127.0.0.1:${TESTPORT}>\n"
        "  ServerName shop.test\n"
        "  ServerAlias www.shop.test *.shop.example\n"
        "  <Location \"/m\">\n"
        TOGGLE_LOOPBACK
        "  </Location>\n"
        "</VirtualHost>\n";
    fx *g = fx_new(CONF_VHOSTS);
    int port = fx_port(g);
    const char *ok[] = { "shop.test", "www.shop.test", "a.shop.example",
                         "127.0.0.1", "localhost" };
    const char *bad[] = { "evil.test", "shop.test.evil.test",
                          "shop.example" };

    (void)state;
    fx_start(g);
    for (size_t i = 0; i < sizeof(ok) / sizeof(*ok); i++) {
        fx_res *r = fx_post(g, NULL, "/m/off", "", "Host: www.shop.test",
                            fx_fmt(g, "Origin: http://%s:%d", ok[i], port));
        if (r->status != 303) {
            fail_msg("Origin %s: %ld, expected 303", ok[i], r->status);
        }
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        /* A rebinding page: its Host and Origin agree, on our port. */
        fx_res *r = fx_post(g, NULL, "/m/on", "",
                            fx_fmt(g, "Host: %s:%d", bad[i], port),
                            fx_fmt(g, "Origin: http://%s:%d", bad[i], port));
        if (r->status != 403 && r->status != 404) {
            fail_msg("Origin %s: %ld, expected a refusal", bad[i],
                     r->status);
        }
        r = fx_post(g, NULL, "/m/on", "", "Host: www.shop.test",
                    fx_fmt(g, "Origin: http://%s:%d", bad[i], port));
        if (r->status != 403) {
            fail_msg("Origin %s to shop.test: %ld, expected 403", bad[i],
                     r->status);
        }
    }
    /* Another port of the same name is another origin. */
    FX_ASSERT_STATUS(fx_post(g, NULL, "/m/on", "", "Host: www.shop.test",
                             fx_fmt(g, "Origin: http://shop.test:%d",
                                    port + 1)), 403);
    FX_ASSERT_CONTAINS("state", fx_read(g, "state/state"), "off\n");
}

/* --- refused writes change nothing --------------------------------------- */

static void test_unreadable_times_refused(void **state)
{
    static const char *const bodies[] = {
        "start=999999999999",
        "end=999999999999",
        "start=9999-12-31T00:00:00Z&for=2d",
        "end=9999-12-31T23:59:59-01:00",
        "start=1970-01-01T00:30:00%2B01:00",
        "message=a%00b",
        "message=ok&message=%zz",
    };
    fx *f = *state;
    const char *before = fx_state_put(f, "on\nmessage=Before\n");

    for (size_t i = 0; i < sizeof(bodies) / sizeof(*bodies); i++) {
        fx_res *r = fx_post(f, ALICE, TOGGLE "/on", bodies[i]);
        if (r->status != 400) {
            fail_msg("POST %s: %ld, expected 400", bodies[i], r->status);
        }
        assert_string_equal(fx_read(f, "state/state"), before);
    }
    FX_ASSERT_STATUS(fx_get(f, "/"), 503);
    FX_ASSERT_STATUS(fx_get_as(f, ALICE, TOGGLE "/"), 200);
}

/* --- small things --------------------------------------------------------- */

static void test_options(void **state)
{
    fx *f = *state;
    fx_req options = { .method = "OPTIONS", .path = TOGGLE "/",
                       .userpwd = ALICE };
    fx_res *r = FX_ASSERT_STATUS(fx_request(f, &options), 200);
    const char *allow = fx_header(r, "Allow");

    FX_ASSERT_CONTAINS("Allow", allow, "GET");
    FX_ASSERT_CONTAINS("Allow", allow, "POST");
    FX_ASSERT_CONTAINS("Allow", allow, "OPTIONS");
}

/* The reply says what a reader gets: a line break is a space there, and
 * times are to the second. */
static void test_json_reply_is_stored_state(void **state)
{
    fx *f = *state;
    fx_res *r;

    fx_state_put(f, "off\n");
    r = FX_ASSERT_STATUS(fx_post(f, ALICE, TOGGLE "/on", "message=two%0Alines"
                                 "&start=2030-01-01T10:00:00.75Z&for=1h",
                                 FX_ACCEPT_JSON), 200);
    assert_string_equal(fx_json_str(f, r, "message"), "two lines");
    assert_string_equal(fx_json_str(f, r, "start"), "2030-01-01T10:00:00Z");
    assert_string_equal(fx_json_str(f, r, "end"), "2030-01-01T11:00:00Z");
    FX_ASSERT_CONTAINS("state", fx_read(f, "state/state"),
                       "message=two lines\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_crafted_paths_not_found),
        FX_TEST(test_urls_escaped),
        FX_TEST(test_directory_toggle),
        FX_TEST(test_htaccess_toggle_refused),
        FX_TEST(test_unplaceable_toggle_refused),
        FX_TEST(test_origin_is_a_server_name),
        FX_TEST(test_unreadable_times_refused),
        FX_TEST(test_options),
        FX_TEST(test_json_reply_is_stored_state),
    };

    return cmocka_run_group_tests_name("toggle safety", tests, setup,
                                       fx_group_teardown);
}
