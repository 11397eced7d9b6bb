/* `apachectl configtest` on every directive: good values
 * pass, and each bad value stops it with a message that names the
 * directive and the value. One cmocka test per case, named after it. */
#include "fixture.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    const char *conf;       /* the configuration under test */
    const char *directive;  /* bad: the message names it (NULL: good) */
    const char *value;      /* bad: ...and this value (NULL: none to name) */
    const char *name;       /* the test's name (NULL: conf) */
} config_case;

#define IN_LOCATION(lines) "<Location /x>\n" lines "</Location>\n"

/* A state in S3, which MaintenanceS3Region and MaintenanceS3Credentials
 * are for. */
#define S3_STATE "MaintenanceState s3:http://127.0.0.1:9/bucket/key\n"

/* The README's toggle location, without its password file: configtest
 * does not read it. */
#define TOGGLE_LOCATION \
    "<Location /maintenance-mode>\nSetHandler maintenance-toggle\n" \
    "AuthType Basic\nAuthName Maintenance\n" \
    "AuthUserFile ${TESTDIR}/htpasswd\nRequire valid-user\n</Location>\n"

static const char TEMPLATE[] =
    "<p>{{message}} {{retry_after}} {{start}} {{end}}</p>\n";
static const char BAD_TEMPLATE[] = "<p>{{message}} {{nope}}</p>\n";
static const char CREDENTIALS[] =
    "[default]\naws_access_key_id = AKIDEXAMPLE\n"
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n"
    "[ci]\naws_access_key_id = AKIDEXAMPLE2\n"
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n";

static const config_case GOOD[] = {
    { "MaintenanceState file:${TESTDIR}/elsewhere/state", 0, 0, 0 },
    { "MaintenanceState file:", 0, 0, 0 },
    { "MaintenanceStateTTL 2", 0, 0, 0 },
    { "MaintenanceStateTTL 0.25", 0, 0, 0 },
    { "MaintenanceStateTimeout 0.5", 0, 0, 0 },
    { "MaintenanceStateTimeout 3", 0, 0, 0 },
    { "MaintenanceStateTTL 500ms", 0, 0, 0 },
    { "MaintenanceStateTimeout 2s", 0, 0, 0 },
    { "MaintenanceStateTTL 1mi", 0, 0, 0 },
    { "MaintenanceFailMode open", 0, 0, 0 },
    { "MaintenanceFailMode closed", 0, 0, 0 },
    { S3_STATE "MaintenanceS3Region eu-west-1", 0, 0,
      "MaintenanceS3Region eu-west-1" },
    { S3_STATE "MaintenanceS3Region us-gov-west-1", 0, 0,
      "MaintenanceS3Region us-gov-west-1" },
    { S3_STATE "MaintenanceS3Credentials ${TESTDIR}/aws.ini", 0, 0,
      "MaintenanceS3Credentials FILE" },
    { S3_STATE "MaintenanceS3Credentials ${TESTDIR}/aws.ini ci", 0, 0,
      "MaintenanceS3Credentials FILE PROFILE" },
    /* The main server's setting is used by the virtual host that reads
     * S3, and inherits it. */
    { "MaintenanceS3Region eu-west-1\n"
      "<VirtualHost 127.0.0.1:${TESTPORT}>\nServerName v.test\n"
      S3_STATE "</VirtualHost>", 0, 0,
      "MaintenanceS3Region used by a virtual host" },
    /* The S3 settings as options of the spec. */
    { "MaintenanceState s3:http://127.0.0.1:9/bucket/key region=eu-west-1 "
      "credentials=${TESTDIR}/aws.ini profile=ci", 0, 0,
      "MaintenanceState s3: with options" },
    { "MaintenanceState \"file:${TESTDIR}/state/state\"", 0, 0,
      "MaintenanceState quoted" },
    { "MaintenanceState redis:127.0.0.1:6379/shop db=2", 0, 0,
      "MaintenanceState redis: with db=" },
    { "MaintenanceTemplate ${TESTDIR}/page.tmpl", 0, 0, 0 },
    { "MaintenanceForce On", 0, 0, 0 },
    { "MaintenanceForce ReadOnly", 0, 0, 0 },
    { IN_LOCATION("MaintenanceForce readonly\n"), 0, 0,
      "<Location> MaintenanceForce readonly" },
    { "MaintenanceSafeMethods GET HEAD OPTIONS PROPFIND REPORT", 0, 0, 0 },
    { IN_LOCATION("MaintenanceSafeMethods POST\n"), 0, 0,
      "<Location> MaintenanceSafeMethods POST" },
    /* httpd does not know it: registered, as <Limit> does. */
    { "MaintenanceSafeMethods GET QUERY", 0, 0, 0 },
    { "MaintenanceResponseType auto", 0, 0, 0 },
    { "MaintenanceResponseType JSON", 0, 0, 0 },
    { IN_LOCATION("MaintenanceResponseType html\n"), 0, 0,
      "<Location> MaintenanceResponseType html" },
    { "MaintenanceRefresh 30", 0, 0, 0 },
    { "MaintenanceRefresh 86400", 0, 0, 0 },
    { "MaintenanceRefresh Off", 0, 0, 0 },
    { IN_LOCATION("MaintenanceForce Off\n"), 0, 0, "<Location> MaintenanceForce Off" },
    { "<Directory ${TESTDIR}/htdocs>\nMaintenanceForce on\n</Directory>", 0, 0,
      "<Directory> MaintenanceForce on" },
    { "MaintenanceIgnoreIP 10.0.0.0/8 192.0.2.1 ::1 2001:db8::/32 fe80::1/64",
      0, 0, 0 },
    { "MaintenanceIgnoreURL ^/static/ \\.css$ ^/api/v[0-9]+/health$", 0, 0, 0 },
    { "MaintenanceIgnoreUser alice bob", 0, 0, 0 },
    { "MaintenanceIgnoreAuthenticated On", 0, 0, 0 },
    { "MaintenanceIgnoreAuthenticated off", 0, 0, 0 },
    { "MaintenanceIgnoreAnonymous Off", 0, 0, 0 },
    { "MaintenanceIgnoreExpr \"%{REMOTE_ADDR} -ipmatch '10.0.0.0/8'\"", 0, 0, 0 },
    { "MaintenanceStatus 400", 0, 0, 0 },
    { "MaintenanceStatus 511", 0, 0, 0 },
    { "MaintenanceStatus 429", 0, 0, 0 },
    { "MaintenanceRetryAfter 120", 0, 0, 0 },
    { "MaintenanceRetryAfter Off", 0, 0, 0 },
    { "MaintenanceRedirect /maintenance.html", 0, 0, 0 },
    { "MaintenanceRedirect https://status.example.com/ 307", 0, 0, 0 },
    { "MaintenanceRedirect /down.html 301", 0, 0, 0 },
    { "MaintenanceRedirect /down.html 303", 0, 0, 0 },
    { "MaintenanceRedirect /down.html 308", 0, 0, 0 },
    { "MaintenanceRedirect /maint%20page.html", 0, 0, 0 },
    /* A toggle page and a state its User can write (or that the module
     * makes for it); a state no toggle page writes. */
    { TOGGLE_LOCATION, 0, 0, "toggle page, state directory of its User" },
    { TOGGLE_LOCATION "MaintenanceState file:${TESTDIR}/new/dir/state", 0,
      0, "toggle page, state directory made at start-up" },
    { "MaintenanceState file:${TESTDIR}/rootdir/state", 0, 0,
      "state directory of root's, no toggle page" },
    { "<VirtualHost 127.0.0.1:${TESTPORT}>\nServerName v.test\n"
      "MaintenanceState s3:http://127.0.0.1:9/b/k\nMaintenanceStateTTL 0.5\n"
      "MaintenanceStateTimeout 2\nMaintenanceFailMode closed\n"
      "MaintenanceS3Region eu-west-1\n"
      "MaintenanceTemplate ${TESTDIR}/page.tmpl\n"
      "MaintenanceForce Off\nMaintenanceStatus 502\n</VirtualHost>", 0, 0,
      "<VirtualHost> with the server directives" },
};

static const config_case BAD[] = {
    { "MaintenanceState nosuch:x", "MaintenanceState", "nosuch:x", 0 },
    { "MaintenanceState justtext", "MaintenanceState", "justtext", 0 },
    { "MaintenanceState file:relative/state", "MaintenanceState",
      "file:relative/state", 0 },
    { "MaintenanceState file:/tmp/dir/", "MaintenanceState", "file:/tmp/dir/",
      0 },
    { "MaintenanceState file:${TESTDIR}/s colour=blue", "MaintenanceState",
      "colour", "MaintenanceState with an unknown option" },
    { "MaintenanceState file:${TESTDIR}/s region", "MaintenanceState",
      "region", "MaintenanceState with a word that is no option" },
    { "MaintenanceState s3:http://127.0.0.1:9/b/k region=EU", "MaintenanceState",
      "region=EU", "MaintenanceState s3: with a bad region" },
    { "MaintenanceState s3:http://127.0.0.1:9/b/k "
      "credentials=${TESTDIR}/aws.ini profile=nosuch", "MaintenanceState",
      "nosuch", "MaintenanceState s3: with a missing profile" },
    { "MaintenanceState s3:http://127.0.0.1:9/b/k region=a region=b",
      "MaintenanceState", "region", "MaintenanceState with an option twice" },
    /* A bucket is not an object. */
    { "MaintenanceState s3:https://s3.eu-west-1.amazonaws.com/ops-bucket",
      "MaintenanceState", "s3:https://s3.eu-west-1.amazonaws.com/ops-bucket",
      "MaintenanceState s3: a bucket without a key" },
    { "MaintenanceState redis:127.0.0.1:6379 db=x", "MaintenanceState",
      "db=x", "MaintenanceState redis: with a bad db" },
    { "MaintenanceState redis:127.0.0.1:6379 colour=blue", "MaintenanceState",
      "colour", "MaintenanceState redis: with an unknown option" },
    { "MaintenanceState redis:127.0.0.1:6379 user=www", "MaintenanceState",
      "password-file=", "MaintenanceState redis: user= without password-file=" },
    { "MaintenanceState redis:127.0.0.1:6379 "
      "password-file=${TESTDIR}/no-such-password", "MaintenanceState",
      "no-such-password", "MaintenanceState redis: a missing password file" },
    { "MaintenanceStateTTL 0", "MaintenanceStateTTL", "0", 0 },
    { "MaintenanceStateTTL -1", "MaintenanceStateTTL", "-1", 0 },
    { "MaintenanceStateTTL soon", "MaintenanceStateTTL", "soon", 0 },
    { "MaintenanceStateTTL 5sec", "MaintenanceStateTTL", "5sec", 0 },
    { "MaintenanceStateTTL 25h", "MaintenanceStateTTL", "25h", 0 },
    { "MaintenanceStateTimeout 0", "MaintenanceStateTimeout", "0", 0 },
    { "MaintenanceStateTimeout fast", "MaintenanceStateTimeout", "fast", 0 },
    { "MaintenanceFailMode sometimes", "MaintenanceFailMode", "sometimes", 0 },
    { "MaintenanceS3Region EU/WEST", "MaintenanceS3Region", "EU/WEST", 0 },
    { "MaintenanceS3Credentials ${TESTDIR}/no-such-credentials",
      "MaintenanceS3Credentials", "no-such-credentials", 0 },
    { "MaintenanceTemplate ${TESTDIR}/no-such-template.html",
      "MaintenanceTemplate", "no-such-template.html", 0 },
    { "MaintenanceTemplate ${TESTDIR}/bad.tmpl", "MaintenanceTemplate",
      "nope", "MaintenanceTemplate with {{nope}}" },
    { "MaintenanceForce Maybe", "MaintenanceForce", "Maybe", 0 },
    { "MaintenanceForce Read-Only", "MaintenanceForce", "Read-Only", 0 },
    { "MaintenanceSafeMethods", "MaintenanceSafeMethods", NULL,
      "MaintenanceSafeMethods without a method" },
    /* Methods are case-sensitive: a lower-case one is a typo. */
    { "MaintenanceSafeMethods get", "MaintenanceSafeMethods", "get", 0 },
    { "MaintenanceSafeMethods GET, HEAD", "MaintenanceSafeMethods", "GET,",
      0 },
    { "MaintenanceSafeMethods \"GET HEAD\"", "MaintenanceSafeMethods",
      "GET HEAD", "MaintenanceSafeMethods one quoted word" },
    { "MaintenanceResponseType xml", "MaintenanceResponseType", "xml", 0 },
    { "MaintenanceRefresh 0", "MaintenanceRefresh", "0", 0 },
    { "MaintenanceRefresh 86401", "MaintenanceRefresh", "86401", 0 },
    { "MaintenanceRefresh soon", "MaintenanceRefresh", "soon", 0 },
    { "MaintenanceRefresh -5", "MaintenanceRefresh", "-5", 0 },
    { "MaintenanceIgnoreIP 300.1.2.3", "MaintenanceIgnoreIP", "300.1.2.3", 0 },
    { "MaintenanceIgnoreIP 10.0.0.0/33", "MaintenanceIgnoreIP", "10.0.0.0/33",
      0 },
    { "MaintenanceIgnoreIP 192.0.2.1 fe80::zz", "MaintenanceIgnoreIP",
      "fe80::zz", 0 },
    { "MaintenanceIgnoreIP localhost", "MaintenanceIgnoreIP", "localhost", 0 },
    { "MaintenanceIgnoreURL (unclosed", "MaintenanceIgnoreURL", "(unclosed",
      0 },
    /* What is wrong, in PCRE2's words, and the upper bound. */
    { "MaintenanceIgnoreURL a(b", "MaintenanceIgnoreURL",
      "missing closing parenthesis", "MaintenanceIgnoreURL in PCRE2's words" },
    { "MaintenanceStateTTL 100000", "MaintenanceStateTTL", "86400",
      "MaintenanceStateTTL above a day" },
    { "MaintenanceIgnoreUser", "MaintenanceIgnoreUser", NULL,
      "MaintenanceIgnoreUser without a name" },
    { "MaintenanceIgnoreAuthenticated Yes", "MaintenanceIgnoreAuthenticated",
      "Yes", 0 },
    { "MaintenanceIgnoreAnonymous Sometimes", "MaintenanceIgnoreAnonymous",
      "Sometimes", 0 },
    { "MaintenanceIgnoreExpr \"%{FOO\"", "MaintenanceIgnoreExpr", "%{FOO", 0 },
    { "MaintenanceStatus 200", "MaintenanceStatus", "200", 0 },
    { "MaintenanceStatus 600", "MaintenanceStatus", "600", 0 },
    { "MaintenanceStatus busy", "MaintenanceStatus", "busy", 0 },
    /* httpd would send these as 500: it knows no reason phrase. */
    { "MaintenanceStatus 450", "MaintenanceStatus", "450", 0 },
    { "MaintenanceStatus 599", "MaintenanceStatus", "599", 0 },
    { "MaintenanceStatus 503x", "MaintenanceStatus", "503x", 0 },
    { "MaintenanceRetryAfter -5", "MaintenanceRetryAfter", "-5", 0 },
    { "MaintenanceRetryAfter later", "MaintenanceRetryAfter", "later", 0 },
    { "MaintenanceRedirect /down.html 404", "MaintenanceRedirect", "404", 0 },
    /* Not a redirect a browser follows. */
    { "MaintenanceRedirect /down.html 300", "MaintenanceRedirect", "300", 0 },
    { "MaintenanceRedirect /down.html 304", "MaintenanceRedirect", "304", 0 },
    { "MaintenanceRedirect /down.html 305", "MaintenanceRedirect", "305", 0 },
    { "MaintenanceRedirect /maint%2Fpage.html", "MaintenanceRedirect",
      "/maint%2Fpage.html", 0 },
    { "MaintenanceRedirect /down.html moved", "MaintenanceRedirect", "moved",
      0 },
    { "MaintenanceRedirect relative/page.html", "MaintenanceRedirect",
      "relative/page.html", 0 },
    /* Server-wide directives are refused in directory scopes. */
    { IN_LOCATION("MaintenanceState file:/tmp/x\n"), "MaintenanceState", NULL,
      "<Location> MaintenanceState" },
    { IN_LOCATION("MaintenanceStateTTL 2\n"), "MaintenanceStateTTL", NULL,
      "<Location> MaintenanceStateTTL" },
    { IN_LOCATION("MaintenanceFailMode closed\n"), "MaintenanceFailMode", NULL,
      "<Location> MaintenanceFailMode" },
    { "<Directory /tmp>\nMaintenanceTemplate ${TESTDIR}/page.tmpl\n"
      "</Directory>", "MaintenanceTemplate", NULL,
      "<Directory> MaintenanceTemplate" },
};

/* Accepted, with a start-up warning: directive is its log tag, value what
 * it names. Those on a state directory are httpd's User's view, which
 * only a test run as root (httpd's User www-data) has. */
static const config_case WARNED[] = {
    { "MaintenanceS3Region eu-west-1", "MM00050", "MaintenanceS3Region",
      "MaintenanceS3Region with a file: state" },
    { "MaintenanceS3Credentials ${TESTDIR}/aws.ini ci", "MM00050",
      "MaintenanceS3Credentials",
      "MaintenanceS3Credentials with a file: state" },
    { "MaintenanceState s3:http://127.0.0.1:9/b/k region=us-east-1\n"
      "MaintenanceS3Region eu-west-1", "MM00050", "region=",
      "MaintenanceS3Region with a state that gives region=" },
    { "MaintenanceS3Region eu-west-1\n"
      "<VirtualHost 127.0.0.1:${TESTPORT}>\nServerName v.test\n"
      "MaintenanceState file:${TESTDIR}/v/state\n</VirtualHost>", "MM00050",
      "MaintenanceS3Region",
      "MaintenanceS3Region in a server and a virtual host without S3" },
    { TOGGLE_LOCATION "MaintenanceState file:${TESTDIR}/rootdir/state",
      "MM00051", "rootdir", "toggle page, state directory of root's" },
    { "<VirtualHost 127.0.0.1:${TESTPORT}>\nServerName v.test\n"
      TOGGLE_LOCATION "</VirtualHost>\n"
      "MaintenanceState file:${TESTDIR}/private/inner/state", "MM00051",
      "private", "toggle page, state behind a directory of root's alone" },
    { TOGGLE_LOCATION "MaintenanceState file:${TESTDIR}/sticky/state",
      "MM00051", "sticky",
      "toggle page, state of root's in a sticky directory" },
};

/* A fixture whose config is the case's, with the files and directories
 * cases refer to. */
static fx *case_fixture(const config_case *c)
{
    fx *f = fx_new(c->conf);

    fx_write(f, "page.tmpl", "%s", TEMPLATE);
    fx_write(f, "bad.tmpl", "%s", BAD_TEMPLATE);
    fx_write(f, "aws.ini", "%s", CREDENTIALS);
    /* The test's own: root's when the tests run as root. */
    fx_write(f, "rootdir/README", "root's\n");
    fx_write(f, "private/inner/README", "root's\n");
    fx_write(f, "sticky/state", "off\n");
    if (chmod(fx_fmt(f, "%s/private", fx_dir(f)), 0700) != 0
        || chmod(fx_fmt(f, "%s/private/inner", fx_dir(f)), 0777) != 0
        || chmod(fx_fmt(f, "%s/sticky", fx_dir(f)), 01777) != 0) {
        fail_msg("chmod in %s: %s", fx_dir(f), strerror(errno));
    }
    return f;
}

/* Whether text holds word with no letter or digit right before or after
 * it (so "0" is not found in "line 60"). */
static int has_word(const char *text, const char *word)
{
    size_t n = strlen(word);

    for (const char *p = text; (p = strstr(p, word)) != NULL; p++) {
        int before = p > text && isalnum((unsigned char)p[-1]);
        int after = isalnum((unsigned char)p[n]);
        if (!before && !after) {
            return 1;
        }
    }
    return 0;
}

/* configtest's output for an accepted configuration. */
static const char *accepted(const config_case *c)
{
    const char *out;
    int rc = fx_configtest(case_fixture(c), &out);

    if (rc != 0 || !strstr(out, "Syntax OK")) {
        fail_msg("configtest refused (exit %d):\n%s", rc, out);
    }
    return out;
}

/* Accepted, without a word of the module's. */
static void test_good(void **state)
{
    const char *out = accepted(*state);

    if (strstr(out, "[maintenance:")) {
        fail_msg("configtest warned:\n%s", out);
    }
}

static void test_warned(void **state)
{
    const config_case *c = *state;
    const char *out;

    if (!strcmp(c->directive, "MM00051") && geteuid() != 0) {
        skip();
    }
    out = accepted(c);
    if (!strstr(out, c->directive)) {
        fail_msg("configtest did not warn %s:\n%s", c->directive, out);
    }
    if (!strstr(out, c->value)) {
        fail_msg("the warning does not name %s:\n%s", c->value, out);
    }
}

static void test_bad(void **state)
{
    const config_case *c = *state;
    const char *out;
    int rc = fx_configtest(case_fixture(c), &out);

    if (rc == 0) {
        fail_msg("configtest accepted a bad value:\n%s", out);
    }
    if (!strstr(out, c->directive)) {
        fail_msg("the message does not name %s:\n%s", c->directive, out);
    }
    if (c->value && !has_word(out, c->value)) {
        fail_msg("the message does not name the value \"%s\":\n%s", c->value,
                 out);
    }
}

/* A started server says a warning once, in its error log: at the first
 * start, httpd reads its configuration twice. */
static void test_said_once_at_start(void **state)
{
    fx *f = fx_new_site("MaintenanceS3Region eu-west-1\n");

    (void)state;
    fx_expect_log(f, "MM00050");
    fx_start(f);
    /* Its port takes connections from the first reading on: an answer
     * comes once the second is done. */
    FX_ASSERT_STATUS(fx_get(f, "/"), 200);
    FX_ASSERT_LOG_COUNT(f, "MM00050", 1);
}

/* One cmocka test per case. */
static int run_cases(const char *group, const config_case *cases, size_t n,
                     CMUnitTestFunction fn)
{
    struct CMUnitTest tests[128];

    if (n > sizeof(tests) / sizeof(*tests)) {
        abort();
    }
    for (size_t i = 0; i < n; i++) {
        tests[i] = (struct CMUnitTest){
            .name = cases[i].name ? cases[i].name : cases[i].conf,
            .test_func = fn,
            .setup_func = fx_test_begin,
            .teardown_func = fx_test_end,
            .initial_state = (void *)&cases[i],
        };
    }
    return _cmocka_run_group_tests(group, tests, n, NULL, NULL);
}

int main(void)
{
    int failed = 0;

    failed += run_cases("configtest: good values", GOOD,
                        sizeof(GOOD) / sizeof(*GOOD), test_good);
    failed += run_cases("configtest: bad values", BAD,
                        sizeof(BAD) / sizeof(*BAD), test_bad);
    failed += run_cases("configtest: warnings", WARNED,
                        sizeof(WARNED) / sizeof(*WARNED), test_warned);
    {
        const struct CMUnitTest start[] = {
            FX_TEST(test_said_once_at_start),
        };
        failed += cmocka_run_group_tests_name("start-up warnings", start,
                                              NULL, NULL);
    }
    return failed;
}
