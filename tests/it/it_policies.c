/* The ignore policies: who is let through while the site
 * is in maintenance, how scopes inherit and lists add up, and .htaccess.
 * The state is on in every test here. */
#include "fixture.h"

/* Basic auth against the fixture's htpasswd file. */
#define AUTH \
    "  AuthType Basic\n  AuthName staff\n" \
    "  AuthUserFile ${TESTDIR}/users\n  Require valid-user\n"

static const char CONF[] =
    FX_ENV_HEADERS
    "RemoteIPHeader X-Forwarded-For\n"
    "RemoteIPInternalProxy 127.0.0.1\n"
    "SetEnvIf User-Agent ^HealthCheck no-maintenance\n"
    "MaintenanceIgnoreURL ^/static/ \\.css$\n"
    "<Location /ip>\n"
    "  MaintenanceIgnoreIP 192.0.2.0/24 2001:db8::/32 198.51.100.7\n"
    "</Location>\n"
    "<Location /ip/more>\n  MaintenanceIgnoreIP 203.0.113.9\n</Location>\n"
    "<Location /loopback>\n  MaintenanceIgnoreIP 127.0.0.1\n</Location>\n"
    "<Location /staff>\n" AUTH
    "  MaintenanceIgnoreUser alice carol\n"
    "  MaintenanceIgnoreUser dave\n</Location>\n"
    "<Location /members>\n" AUTH
    "  MaintenanceIgnoreAuthenticated On\n</Location>\n"
    "<Location /members-anon>\n" AUTH
    "  MaintenanceIgnoreAnonymous On\n</Location>\n"
    "<Location /public>\n  MaintenanceIgnoreAnonymous On\n</Location>\n"
    "<Location /public/off>\n  MaintenanceIgnoreAnonymous Off\n</Location>\n"
    "<Location /public-auth>\n"
    "  MaintenanceIgnoreAuthenticated On\n</Location>\n"
    "<Location /expr>\n"
    "  MaintenanceIgnoreExpr \"%{HTTP:X-Let-Me-In} == 'yes'\"\n"
    "  MaintenanceIgnoreExpr \"%{QUERY_STRING} =~ /preview/\"\n"
    "</Location>\n"
    "<Location /envset>\n  SetEnv no-maintenance 1\n</Location>\n"
    "<Directory ${TESTDIR}/htdocs/ht>\n  AllowOverride FileInfo\n</Directory>\n"
    "<Directory ${TESTDIR}/htdocs/ht-auth>\n"
    "  AllowOverride AuthConfig\n</Directory>\n";

static const char *const PAGES[] = {
    "index.html", "static/a.txt", "css/site.css", "ip/a.html", "ip/a.css",
    "ip/more/a.html", "loopback/a.html", "staff/a.html", "members/a.html",
    "members-anon/a.html", "public/a.html", "public/off/a.html",
    "public-auth/a.html", "expr/a.html", "envset/a.html", "ht/open.html",
    "ht/closed.html", "ht-auth/a.html",
};

static const char *const USERS[] = { "alice", "bob", "carol", "dave" };

static int setup(void **state)
{
    fx *f = fx_new(CONF);

    for (size_t i = 0; i < sizeof(PAGES) / sizeof(*PAGES); i++) {
        fx_write(f, fx_fmt(f, "htdocs/%s", PAGES[i]), "page %s\n", PAGES[i]);
    }
    for (size_t i = 0; i < sizeof(USERS) / sizeof(*USERS); i++) {
        fx_htpasswd(f, "users", USERS[i], fx_fmt(f, "%s-pw", USERS[i]));
    }
    fx_state(f, "on\n");
    fx_start(f);
    *state = f;
    return 0;
}

/* GET path as one of USERS (with the password setup gave: user-pw), or
 * anonymously when user is NULL. */
static fx_res *get_as_user(fx *f, const char *path, const char *user)
{
    return fx_get_as(f, user ? fx_fmt(f, "%s:%s-pw", user, user) : NULL,
                     path);
}

/* GET path from a client whose address mod_remoteip takes from
 * X-Forwarded-For (the connection comes from a trusted 127.0.0.1). */
static fx_res *get_from(fx *f, const char *path, const char *ip)
{
    return fx_get(f, path, fx_fmt(f, "X-Forwarded-For: %s", ip));
}

static void test_ignore_url(void **state)
{
    fx *f = *state;

    FX_ASSERT_PASSES(fx_get(f, "/static/a.txt"), "url");
    FX_ASSERT_PASSES(fx_get(f, "/css/site.css"), "url");
    FX_ASSERT_BLOCKED(fx_get(f, "/index.html"), 503);
    /* Searched in the URL-path: anchors hold, the query string is not in. */
    FX_ASSERT_BLOCKED(fx_get(f, "/x/static/a.txt"), 503);
    FX_ASSERT_BLOCKED(fx_get(f, "/index.html?f=a.css"), 503);
}

static void test_ignore_ip_v4(void **state)
{
    fx *f = *state;

    FX_ASSERT_PASSES(get_from(f, "/ip/a.html", "192.0.2.44"), "ip");
    FX_ASSERT_PASSES(get_from(f, "/ip/a.html", "198.51.100.7"), "ip");
    FX_ASSERT_BLOCKED(get_from(f, "/ip/a.html", "198.51.100.8"), 503);
    FX_ASSERT_BLOCKED(get_from(f, "/ip/a.html", "192.0.3.1"), 503);
}

static void test_ignore_ip_v6(void **state)
{
    fx *f = *state;

    FX_ASSERT_PASSES(get_from(f, "/ip/a.html", "2001:db8::5"), "ip");
    FX_ASSERT_PASSES(get_from(f, "/ip/a.html", "2001:db8:ffff::1"), "ip");
    FX_ASSERT_BLOCKED(get_from(f, "/ip/a.html", "2001:db9::5"), 503);
}

/* The address is the client's as mod_remoteip sets it, not the peer's. */
static void test_ignore_ip_follows_remoteip(void **state)
{
    fx *f = *state;

    FX_ASSERT_PASSES(fx_get(f, "/loopback/a.html"), "ip");
    FX_ASSERT_BLOCKED(get_from(f, "/loopback/a.html", "198.51.100.1"), 503);
}

/* An inner <Location> adds to the outer list; several addresses, several
 * directives and server-wide lists all add up. */
static void test_lists_add_up(void **state)
{
    fx *f = *state;

    FX_ASSERT_PASSES(get_from(f, "/ip/more/a.html", "192.0.2.1"), "ip");
    FX_ASSERT_PASSES(get_from(f, "/ip/more/a.html", "203.0.113.9"), "ip");
    FX_ASSERT_BLOCKED(get_from(f, "/ip/more/a.html", "203.0.113.10"), 503);
    FX_ASSERT_PASSES(get_from(f, "/ip/a.css", "203.0.113.10"), "url");
}

static void test_ignore_user(void **state)
{
    fx *f = *state;

    FX_ASSERT_PASSES(get_as_user(f, "/staff/a.html", "alice"), "user");
    FX_ASSERT_PASSES(get_as_user(f, "/staff/a.html", "carol"), "user");
    FX_ASSERT_PASSES(get_as_user(f, "/staff/a.html", "dave"), "user");
    FX_ASSERT_BLOCKED(get_as_user(f, "/staff/a.html", "bob"), 503);
    /* Authentication comes first, as httpd orders it. */
    FX_ASSERT_STATUS(get_as_user(f, "/staff/a.html", NULL), 401);
}

static void test_ignore_authenticated(void **state)
{
    fx *f = *state;

    FX_ASSERT_PASSES(get_as_user(f, "/members/a.html", "bob"),
                     "authenticated");
    FX_ASSERT_PASSES(get_as_user(f, "/members/a.html", "alice"),
                     "authenticated");
    FX_ASSERT_BLOCKED(get_as_user(f, "/public-auth/a.html", NULL), 503);
}

static void test_ignore_anonymous(void **state)
{
    fx *f = *state;

    FX_ASSERT_PASSES(get_as_user(f, "/public/a.html", NULL), "anonymous");
    FX_ASSERT_BLOCKED(get_as_user(f, "/members-anon/a.html", "bob"), 503);
}

static void test_inner_flag_overrides(void **state)
{
    fx *f = *state;

    FX_ASSERT_BLOCKED(get_as_user(f, "/public/off/a.html", NULL), 503);
}

static void test_ignore_expr(void **state)
{
    fx *f = *state;

    FX_ASSERT_PASSES(fx_get(f, "/expr/a.html", "X-Let-Me-In: yes"), "expr");
    FX_ASSERT_BLOCKED(fx_get(f, "/expr/a.html", "X-Let-Me-In: no"), 503);
    FX_ASSERT_BLOCKED(fx_get(f, "/expr/a.html"), 503);
    /* A second MaintenanceIgnoreExpr adds a condition. */
    FX_ASSERT_PASSES(fx_get(f, "/expr/a.html?preview=1"), "expr");
}

/* The health-check recipe from the README. */
static void test_no_maintenance_setenvif(void **state)
{
    fx *f = *state;

    FX_ASSERT_PASSES(fx_get(f, "/index.html", "User-Agent: HealthCheck/2.1"),
                     "env");
    FX_ASSERT_BLOCKED(fx_get(f, "/index.html", "User-Agent: Mozilla/5.0"),
                      503);
}

/* SetEnv (mod_env) sets variables in its own fixups hook: an
 * administrator expects it to work as SetEnvIf does. */
static void test_no_maintenance_setenv(void **state)
{
    fx *f = *state;

    FX_ASSERT_PASSES(fx_get(f, "/envset/a.html"), "env");
}

static void test_htaccess_policy(void **state)
{
    fx *f = *state;

    fx_write(f, "htdocs/ht/.htaccess", "MaintenanceIgnoreURL ^/ht/open\n");
    FX_ASSERT_PASSES(fx_get(f, "/ht/open.html"), "url");
    FX_ASSERT_BLOCKED(fx_get(f, "/ht/closed.html"), 503);
    fx_write(f, "htdocs/ht/.htaccess", "MaintenanceForce Off\n");
    fx_res *r = FX_ASSERT_STATUS(fx_get(f, "/ht/closed.html"), 200);
    FX_ASSERT_HEADER(r, "X-Mode", "off");
}

/* Every per-directory directive is allowed in .htaccess with
 * AllowOverride FileInfo. */
static void test_htaccess_every_directive(void **state)
{
    fx *f = *state;

    fx_write(f, "htdocs/ht/.htaccess",
             "MaintenanceForce On\n"
             "MaintenanceIgnoreIP 192.0.2.1 2001:db8::/48\n"
             "MaintenanceIgnoreURL ^/nothing\n"
             "MaintenanceIgnoreUser nobody\n"
             "MaintenanceIgnoreAuthenticated Off\n"
             "MaintenanceIgnoreAnonymous Off\n"
             "MaintenanceIgnoreExpr \"%%{HTTP:X-Nope} == 'x'\"\n"
             "MaintenanceStatus 502\n"
             "MaintenanceRetryAfter 120\n");
    fx_res *r = fx_get(f, "/ht/closed.html");
    FX_ASSERT_BLOCKED(r, 502);
    FX_ASSERT_HEADER(r, "Retry-After", "120");
    fx_write(f, "htdocs/ht/.htaccess",
             "MaintenanceRedirect /index.html 307\n");
    r = FX_ASSERT_STATUS(fx_get(f, "/ht/closed.html"), 307);
    FX_ASSERT_CONTAINS("Location", fx_header(r, "Location"), "/index.html");
}

/* Without FileInfo the directives are refused (500, logged by core). */
static void test_htaccess_needs_fileinfo(void **state)
{
    fx *f = *state;

    fx_expect_log(f, "MaintenanceForce not allowed here");
    fx_write(f, "htdocs/ht-auth/.htaccess", "MaintenanceForce Off\n");
    FX_ASSERT_STATUS(fx_get(f, "/ht-auth/a.html"), 500);
    assert_int_equal(fx_log_count(f, "MaintenanceForce not allowed here"), 1);
}

/* Server-wide directives are refused in .htaccess. */
static void test_htaccess_refuses_server_directives(void **state)
{
    fx *f = *state;

    fx_expect_log(f, "MaintenanceState not allowed here");
    fx_write(f, "htdocs/ht/.htaccess", "MaintenanceState file:/tmp/x\n");
    FX_ASSERT_STATUS(fx_get(f, "/ht/closed.html"), 500);
    fx_write(f, "htdocs/ht/.htaccess", "# nothing\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_ignore_url),
        FX_TEST(test_ignore_ip_v4),
        FX_TEST(test_ignore_ip_v6),
        FX_TEST(test_ignore_ip_follows_remoteip),
        FX_TEST(test_lists_add_up),
        FX_TEST(test_ignore_user),
        FX_TEST(test_ignore_authenticated),
        FX_TEST(test_ignore_anonymous),
        FX_TEST(test_inner_flag_overrides),
        FX_TEST(test_ignore_expr),
        FX_TEST(test_no_maintenance_setenvif),
        FX_TEST(test_no_maintenance_setenv),
        FX_TEST(test_htaccess_policy),
        FX_TEST(test_htaccess_every_directive),
        FX_TEST(test_htaccess_needs_fileinfo),
        FX_TEST(test_htaccess_refuses_server_directives),
    };

    return cmocka_run_group_tests_name("policies", tests, setup,
                                       fx_group_teardown);
}
