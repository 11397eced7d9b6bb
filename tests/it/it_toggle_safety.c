/* The toggle handler against a hostile web: only its own sub-paths exist,
 * every URL it writes is its location's, URL-escaped; an .htaccess author
 * cannot install it; "same origin" means one of the server's own names,
 * never the request's Host (DNS rebinding); a refused change leaves the
 * stored state byte for byte as it was; OPTIONS is answered; a JSON reply
 * shows what was stored. */
#include "fixture.h"

#define TOGGLE "/maintenance-mode"
#define ALICE  "alice:secret"
#define JSON   "Accept: application/json"

/* The documented toggle, one below a path with a space and a quote, one
 * in a <Directory>, and a directory whose .htaccess authors may use
 * FileInfo and AuthConfig, as shared hosts allow. */
static const char CONF[] =
    FX_ENV_HEADERS
    FX_TOGGLE_CONF
    "<Location \"/ops tools/m'aint\">\n"
    "  SetHandler maintenance-toggle\n"
    "  Require ip 127.0.0.1\n"
    "  MaintenanceToggleAnonymous On\n"
    "</Location>\n"
    "<Directory \"${TESTDIR}/htdocs/ops\">\n"
    "  SetHandler maintenance-toggle\n"
    "  Require ip 127.0.0.1\n"
    "  MaintenanceToggleAnonymous On\n"
    "</Directory>\n"
    "<Directory \"${TESTDIR}/htdocs/users\">\n"
    "  AllowOverride FileInfo AuthConfig\n"
    "</Directory>\n";

static int setup(void **state)
{
    fx *f = fx_new(CONF);

    fx_htpasswd(f, "htpasswd", "alice", "secret");
    fx_write(f, "htdocs/index.html", "front page\n");
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

/* A request with a method, a body and up to three headers. */
static fx_res *ask(fx *f, const char *method, const char *userpwd,
                   const char *path, const char *body, const char *h1,
                   const char *h2)
{
    const char *headers[] = { h1, h2, NULL };
    fx_req req = { .method = method, .path = path, .headers = headers,
                   .body = body, .userpwd = userpwd };

    return fx_request(f, &req);
}

static fx_res *post(fx *f, const char *path, const char *body, const char *h1,
                    const char *h2)
{
    return ask(f, "POST", ALICE, path, body ? body : "", h1, h2);
}

/* Write the state, let httpd see it, and return its text to compare. */
static const char *put_state(fx *f, const char *text)
{
    fx_write(f, "state/state", "%s", text);
    fx_sleep_ms(FX_SETTLE_MS);
    return fx_read(f, "state/state");
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
    const char *before = put_state(f, "off\n");

    for (size_t i = 0; i < sizeof(paths) / sizeof(*paths); i++) {
        fx_res *r = ask(f, "GET", ALICE, paths[i], NULL, NULL, NULL);
        if (r->status != 404) {
            fail_msg("GET %s: %ld, expected 404", paths[i], r->status);
        }
        r = post(f, paths[i], "message=pwned", NULL, NULL);
        if (r->status != 404) {
            fail_msg("POST %s: %ld, expected 404", paths[i], r->status);
        }
    }
    assert_string_equal(fx_read(f, "state/state"), before);
    FX_ASSERT_STATUS(ask(f, "GET", ALICE, TOGGLE, NULL, NULL, NULL), 200);
    FX_ASSERT_STATUS(ask(f, "GET", ALICE, TOGGLE "/", NULL, NULL, NULL), 200);
    FX_ASSERT_STATUS(ask(f, "GET", ALICE, TOGGLE "/on", NULL, NULL, NULL),
                     200);
}

/* Every URL on the pages and in Location is the location's, escaped. */
static void test_urls_escaped(void **state)
{
    fx *f = *state;
    const char *base = "/ops%20tools/m'aint";
    fx_res *r;

    put_state(f, "off\n");
    r = FX_ASSERT_STATUS(fx_get(f, "/ops%20tools/m%27aint/"), 200);
    FX_ASSERT_BODY(r, "action=\"/ops%20tools/m&#39;aint/on\"");
    FX_ASSERT_BODY(r, "action=\"/ops%20tools/m&#39;aint/off\"");
    FX_ASSERT_NO_BODY(r, "ops tools");
    r = FX_ASSERT_STATUS(post(f, fx_fmt(f, "%s/on", base), "message=x",
                              NULL, NULL), 303);
    FX_ASSERT_HEADER(r, "Location",
                     fx_fmt(f, "http://127.0.0.1:%d/ops%%20tools/m'aint/",
                            fx_port(f)));
}

/* In a <Directory>, the URL-path is what maps to it. */
static void test_directory_toggle(void **state)
{
    fx *f = *state;
    fx_res *r;

    put_state(f, "off\n");
    r = FX_ASSERT_STATUS(fx_get(f, "/ops/"), 200);
    FX_ASSERT_BODY(r, "action=\"/ops/on\"");
    FX_ASSERT_STATUS(fx_get(f, "/ops/on%3Fx=/off"), 404);
    r = FX_ASSERT_STATUS(post(f, "/ops/on", "message=dir", NULL, NULL), 303);
    FX_ASSERT_HEADER(r, "Location",
                     fx_fmt(f, "http://127.0.0.1:%d/ops/", fx_port(f)));
    FX_ASSERT_CONTAINS("state", fx_read(f, "state/state"), "message=dir\n");
}

/* --- .htaccess ------------------------------------------------------------ */

static void test_htaccess_toggle_refused(void **state)
{
    fx *f = *state;
    const char *before = put_state(f, "off\n");

    fx_expect_log(f, "MM00025");
    FX_ASSERT_STATUS(ask(f, "POST", "bob:bob", "/users/bob/on", "for=1d",
                         NULL, NULL), 404);
    FX_ASSERT_STATUS(ask(f, "GET", "bob:bob", "/users/bob/", NULL, NULL,
                         NULL), 404);
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
        fx *g = fx_new(confs[i]);
        const char *out;

        assert_int_not_equal(fx_configtest(g, &out), 0);
        FX_ASSERT_CONTAINS("configtest", out,
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
        "    SetHandler maintenance-toggle\n"
        "    Require ip 127.0.0.1\n"
        "    MaintenanceToggleAnonymous On\n"
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
        fx_res *r = ask(g, "POST", NULL, "/m/off", "",
                        "Host: www.shop.test",
                        fx_fmt(g, "Origin: http://%s:%d", ok[i], port));
        if (r->status != 303) {
            fail_msg("Origin %s: %ld, expected 303", ok[i], r->status);
        }
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        /* A rebinding page: its Host and Origin agree, on our port. */
        fx_res *r = ask(g, "POST", NULL, "/m/on", "",
                        fx_fmt(g, "Host: %s:%d", bad[i], port),
                        fx_fmt(g, "Origin: http://%s:%d", bad[i], port));
        if (r->status != 403 && r->status != 404) {
            fail_msg("Origin %s: %ld, expected a refusal", bad[i],
                     r->status);
        }
        r = ask(g, "POST", NULL, "/m/on", "", "Host: www.shop.test",
                fx_fmt(g, "Origin: http://%s:%d", bad[i], port));
        if (r->status != 403) {
            fail_msg("Origin %s to shop.test: %ld, expected 403", bad[i],
                     r->status);
        }
    }
    /* Another port of the same name is another origin. */
    FX_ASSERT_STATUS(ask(g, "POST", NULL, "/m/on", "", "Host: www.shop.test",
                         fx_fmt(g, "Origin: http://shop.test:%d", port + 1)),
                     403);
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
    const char *before = put_state(f, "on\nmessage=Before\n");

    for (size_t i = 0; i < sizeof(bodies) / sizeof(*bodies); i++) {
        fx_res *r = post(f, TOGGLE "/on", bodies[i], NULL, NULL);
        if (r->status != 400) {
            fail_msg("POST %s: %ld, expected 400", bodies[i], r->status);
        }
        assert_string_equal(fx_read(f, "state/state"), before);
    }
    FX_ASSERT_STATUS(fx_get(f, "/"), 503);
    FX_ASSERT_STATUS(ask(f, "GET", ALICE, TOGGLE "/", NULL, NULL, NULL), 200);
}

/* --- small things --------------------------------------------------------- */

static void test_options(void **state)
{
    fx *f = *state;
    fx_res *r = FX_ASSERT_STATUS(ask(f, "OPTIONS", ALICE, TOGGLE "/", NULL,
                                     NULL, NULL), 200);
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

    put_state(f, "off\n");
    r = FX_ASSERT_STATUS(post(f, TOGGLE "/on", "message=two%0Alines"
                              "&start=2030-01-01T10:00:00.75Z&for=1h",
                              JSON, NULL), 200);
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
