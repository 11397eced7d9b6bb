/* maintenancectl on the file provider: on, off and
 * status, --state and MAINTENANCE_STATE, its errors, its man page, and
 * working hand in hand with a running httpd and its toggle handler —
 * including a state written by root that httpd's User must still change. */
#include "ctl.h"
#include "fixture.h"
#include "mod_maintenance.h"
#include "toggle.h"

#include <pwd.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAN_PAGE "ctl/maintenancectl.1"

static const char CONF[] = FX_ENV_HEADERS FX_TOGGLE_CONF;

static int setup(void **state)
{
    fx *f = toggle_new_site(CONF);

    fx_start(f);
    *state = f;
    return 0;
}

/* --- running maintenancectl ---------------------------------------------- */

static const char *state_spec(fx *f)
{
    return fx_fmt(f, "file:%s/state/state", fx_dir(f));
}

/* maintenancectl --state <the fixture's state file> args... */
#define CTL_RUN_HERE(f, ...) CTL_RUN_ON((f), NULL, state_spec(f), __VA_ARGS__)

static const char *state_file(fx *f)
{
    return fx_read(f, "state/state");
}

static uid_t run_user_uid(void)
{
    struct passwd *pw = getpwnam(FX_RUN_USER);

    if (!pw) {
        fail_msg("no user " FX_RUN_USER);
    }
    return pw->pw_uid;
}

static uid_t owner(fx *f, const char *rel)
{
    struct stat st;
    const char *path = fx_fmt(f, "%s/%s", fx_dir(f), rel);

    if (stat(path, &st) != 0) {
        fail_msg("%s does not exist", path);
    }
    return st.st_uid;
}

/* --- usage --------------------------------------------------------------- */

static void test_help(void **state)
{
    fx *f = *state;
    const char *out = ctl_ok(CTL_RUN(f, "--help"));

    FX_ASSERT_CONTAINS("--help", out, "usage: maintenancectl");
    for (const char *const *word = (const char *const[]){ "on", "off",
             "status", "--state", "--start", "--end", "--for", "--message",
             "--read-only", "--json", "--version", "MAINTENANCE_STATE",
             "file:/var/lib/apache2/maintenance/state", NULL }; *word;
         word++) {
        FX_ASSERT_CONTAINS("--help", out, *word);
    }
}

/* No command: the usage, on stderr, and exit 1. */
static void test_no_command(void **state)
{
    fx *f = *state;

    ctl_res r = ctl_run(f, NULL, (const char *const[]){ NULL });
    assert_int_equal(r.rc, 1);
    FX_ASSERT_CONTAINS("stderr", r.err, "usage: maintenancectl");
}

static void test_man_page(void **state)
{
    fx *f = *state;
    const char *man = fx_read_file(f, MAN_PAGE);

    FX_ASSERT_CONTAINS(MAN_PAGE, man, ".TH");
    for (const char *const *word = (const char *const[]){ "maintenancectl",
             "status", "state", "start", "end", "for", "message",
             "read\\-only", "json", "version", "MAINTENANCE_STATE", NULL };
         *word; word++) {
        FX_ASSERT_CONTAINS(MAN_PAGE, man, *word);
    }
    /* It renders without a groff warning (when groff is there to say). */
    if (access("/usr/bin/groff", X_OK) == 0) {
        const char *cmd = fx_fmt(f, "/usr/bin/groff -man -ww -z " MAN_PAGE
                                 " 2>%s/groff.err", fx_dir(f));
        assert_int_equal(system(cmd), 0);
        assert_string_equal(fx_read(f, "groff.err"), "");
    }
}

static void test_version(void **state)
{
    fx *f = *state;

    assert_string_equal(ctl_ok(CTL_RUN(f, "--version")),
                        "maintenancectl " MAINTENANCE_VERSION "\n");
}

/* --- on, off, status ----------------------------------------------------- */

static void test_status_missing_is_off(void **state)
{
    fx *f = *state;

    fx_state_remove(f);
    const char *out = ctl_status(CTL_RUN_HERE(f, "status"), 0);
    assert_string_equal(ctl_first_line(f, out), "off");
    assert_string_equal(ctl_field(f, out, "state"), "off");
}

static void test_status_of_a_file(void **state)
{
    fx *f = *state;
    time_t now = time(NULL);

    fx_state_put(f, fx_fmt(f, "on\nstart=%s\nend=%s\nchanged=%s\nby=carol\n"
                           "message=Moving racks\n", fx_iso(f, now - 60),
                           fx_iso(f, now + 600), fx_iso(f, now - 120)));
    const char *out = ctl_status(CTL_RUN_HERE(f, "status"), 1);
    assert_string_equal(ctl_first_line(f, out), "on");
    assert_string_equal(ctl_field(f, out, "state"), "on");
    assert_string_equal(ctl_field(f, out, "start"), fx_iso(f, now - 60));
    assert_string_equal(ctl_field(f, out, "end"), fx_iso(f, now + 600));
    assert_string_equal(ctl_field(f, out, "changed"), fx_iso(f, now - 120));
    assert_string_equal(ctl_field(f, out, "by"), "carol");
    assert_string_equal(ctl_field(f, out, "message"), "Moving racks");
}

static void test_on(void **state)
{
    fx *f = *state;
    time_t now = time(NULL);

    fx_state_put(f, "off\n");
    const char *out = ctl_ok(CTL_RUN_HERE(f, "on", "--message",
                                          "Upgrading the database"));
    /* on prints the status it wrote. */
    assert_string_equal(ctl_first_line(f, out), "on");
    assert_string_equal(ctl_field(f, out, "message"),
                        "Upgrading the database");
    assert_non_null(ctl_field(f, out, "by"));
    FX_ASSERT_NEAR(fx_iso_time(ctl_field(f, out, "changed")), now);
    assert_null(ctl_field(f, out, "end"));
    FX_ASSERT_CONTAINS("state file", state_file(f), "on\n");

    out = ctl_status(CTL_RUN_HERE(f, "status"), 1);
    assert_string_equal(ctl_first_line(f, out), "on");
    assert_string_equal(ctl_field(f, out, "message"),
                        "Upgrading the database");
}

/* The simplest use: on, with no option after it. */
static void test_plain_on(void **state)
{
    fx *f = *state;

    fx_state_put(f, "off\n");
    const char *out = ctl_ok(CTL_RUN_HERE(f, "on"));
    assert_string_equal(ctl_first_line(f, out), "on");
    assert_null(ctl_field(f, out, "message"));
    assert_int_equal(strncmp(state_file(f), "on\n", 3), 0);
}

static void test_off(void **state)
{
    fx *f = *state;

    fx_state_put(f, "on\nmessage=Down\n");
    const char *out = ctl_ok(CTL_RUN_HERE(f, "off"));
    assert_string_equal(ctl_first_line(f, out), "off");
    assert_string_equal(ctl_field(f, out, "state"), "off");
    assert_null(ctl_field(f, out, "message"));
    assert_int_equal(strncmp(state_file(f), "off\n", 4), 0);
}

/* The user behind sudo is the one recorded, not root. */
static void test_by_is_sudo_user(void **state)
{
    fx *f = *state;

    const char *out = ctl_ok(CTL_RUN_ON(f, CTL_ARGS("SUDO_USER=carol"),
                                        state_spec(f), "off"));
    assert_string_equal(ctl_field(f, out, "by"), "carol");
    FX_ASSERT_CONTAINS("state file", state_file(f), "by=carol\n");
}

static void test_window_ahead(void **state)
{
    fx *f = *state;
    time_t start = time(NULL) + 3600;

    const char *out = ctl_ok(CTL_RUN_HERE(f, "on", "--start", fx_iso(f, start),
                                          "--end", fx_iso(f, start + 1800)));
    assert_string_equal(ctl_first_line(f, out), "off (maintenance scheduled)");
    assert_string_equal(ctl_field(f, out, "state"), "on");
    assert_string_equal(ctl_field(f, out, "start"), fx_iso(f, start));
    assert_string_equal(ctl_field(f, out, "end"), fx_iso(f, start + 1800));
    fx_sleep_ms(FX_SETTLE_MS);
    fx_res *r = FX_ASSERT_STATUS(fx_get(f, "/index.html"), 200);
    FX_ASSERT_HEADER(r, "X-Start", fx_iso(f, start));
}

/* --for counts from --start when there is one. */
static void test_for_after_start(void **state)
{
    fx *f = *state;
    time_t start = time(NULL) + 3600;

    const char *out = ctl_ok(CTL_RUN_HERE(f, "on", "--start",
                                          fx_fmt(f, "%lld", (long long)start),
                                          "--for", "1h30m"));
    assert_string_equal(ctl_field(f, out, "start"), fx_iso(f, start));
    assert_string_equal(ctl_field(f, out, "end"), fx_iso(f, start + 5400));
}

static void test_on_read_only(void **state)
{
    fx *f = *state;

    fx_state_put(f, "off\n");
    const char *out = ctl_ok(CTL_RUN_HERE(f, "on", "--read-only", "--message",
                                          "Forms are off"));
    assert_string_equal(ctl_first_line(f, out), "on (read-only)");
    assert_string_equal(ctl_field(f, out, "mode"), "read-only");
    FX_ASSERT_CONTAINS("state file", state_file(f), "\nmode=read-only\n");
    fx_sleep_ms(FX_SETTLE_MS);
    fx_res *r = FX_ASSERT_STATUS(fx_get(f, "/index.html"), 200);
    FX_ASSERT_HEADER(r, "X-Mode", "read-only");
    r = FX_ASSERT_STATUS(fx_post(f, NULL, "/index.html", "a=1"), 503);
    FX_ASSERT_BODY(r, "Forms are off");

    /* on without it is full maintenance. */
    out = ctl_ok(CTL_RUN_HERE(f, "on"));
    assert_null(ctl_field(f, out, "mode"));
    FX_ASSERT_BLOCKED(fx_await_status(f, "/index.html", 503), 503);
}

/* As systemctl is-active: 0 while maintenance is in force, 3 while it is
 * not (scheduled, over, off), 1 when the state cannot be read. */
static void test_status_exit_codes(void **state)
{
    fx *f = *state;
    time_t now = time(NULL);
    const char *garbage = fx_fmt(f, "file:%s/garbage", fx_dir(f));

    fx_state_put(f, "on\n");
    assert_string_equal(ctl_first_line(f, ctl_status(CTL_RUN_HERE(f,
                        "status"), 1)), "on");
    fx_state_put(f, "on\nmode=read-only\n");
    assert_string_equal(ctl_first_line(f, ctl_status(CTL_RUN_HERE(f,
                        "status"), 1)), "on (read-only)");
    fx_state_put(f, fx_fmt(f, "on\nstart=%s\n", fx_iso(f, now + 3600)));
    assert_string_equal(ctl_first_line(f, ctl_status(CTL_RUN_HERE(f,
                        "status"), 0)), "off (maintenance scheduled)");
    fx_state_put(f, fx_fmt(f, "on\nend=%s\n", fx_iso(f, now - 60)));
    assert_string_equal(ctl_first_line(f, ctl_status(CTL_RUN_HERE(f,
                        "status"), 0)), "off (the maintenance window has ended)");
    fx_state_put(f, "off\n");
    assert_string_equal(ctl_first_line(f, ctl_status(CTL_RUN_HERE(f,
                        "status"), 0)), "off");

    fx_write(f, "garbage", "maybe\n");
    ctl_refused(CTL_RUN_ON(f, NULL, garbage, "status"), "garbage");
    /* on and off say whether they worked, whatever the state. */
    ctl_ok(CTL_RUN_HERE(f, "on", "--start", fx_iso(f, now + 3600)));
    ctl_ok(CTL_RUN_HERE(f, "off"));
}

/* maintenancectl's JSON, to be read as an answer's (fx_json_str...). */
static fx_res as_answer(const char *out)
{
    return (fx_res){ .body = (char *)out, .body_len = strlen(out) };
}

/* The toggle handler's members, with the same values. */
static void test_status_json(void **state)
{
    static const char *const members[] = {
        "state", "in_force", "start", "end", "changed", "by", "message",
        "mode",
    };
    fx *f = *state;
    time_t now = time(NULL);

    fx_state_put(f, fx_fmt(f, "on\nmode=read-only\nend=%s\nchanged=%s\n"
                           "by=carol\nmessage=Say \"hi\"\n",
                           fx_iso(f, now + 600), fx_iso(f, now)));
    fx_res out = as_answer(ctl_status(CTL_RUN_HERE(f, "status", "--json"),
                                      1));
    assert_string_equal(fx_json_str(f, &out, "state"), "on");
    assert_string_equal(fx_json_raw(f, &out, "in_force"), "true");
    assert_string_equal(fx_json_raw(f, &out, "start"), "null");
    assert_string_equal(fx_json_str(f, &out, "end"), fx_iso(f, now + 600));
    assert_string_equal(fx_json_str(f, &out, "by"), "carol");
    assert_string_equal(fx_json_str(f, &out, "message"), "Say \"hi\"");
    assert_string_equal(fx_json_str(f, &out, "mode"), "read-only");
    fx_res *toggle = FX_ASSERT_STATUS(fx_get_as(f, ALICE, TOGGLE "/",
                                                FX_ACCEPT_JSON), 200);
    for (size_t i = 0; i < sizeof(members) / sizeof(*members); i++) {
        assert_string_equal(fx_json_raw(f, &out, members[i]),
                            fx_json_raw(f, toggle, members[i]));
    }

    fx_state_put(f, "off\n");
    out = as_answer(ctl_status(CTL_RUN_HERE(f, "status", "--json"), 0));
    assert_string_equal(fx_json_str(f, &out, "state"), "off");
    assert_string_equal(fx_json_raw(f, &out, "in_force"), "false");
    assert_string_equal(fx_json_str(f, &out, "mode"), "full");
    /* on and off print what they wrote the same way. */
    out = as_answer(ctl_ok(CTL_RUN_HERE(f, "on", "--json", "--for", "1h")));
    assert_string_equal(fx_json_str(f, &out, "state"), "on");
}

/* --- the store: --state, MAINTENANCE_STATE ------------------------------- */

static void test_environment_names_the_state(void **state)
{
    fx *f = *state;
    const char *env_state = fx_fmt(f, "MAINTENANCE_STATE=file:%s/env/state",
                                   fx_dir(f));
    const char *const env[] = { env_state, NULL };

    fx_state_put(f, "off\n");
    ctl_ok(ctl_run(f, env, CTL_ARGS("on", "--message", "env")));
    FX_ASSERT_CONTAINS("env/state", fx_read(f, "env/state"), "message=env\n");
    assert_string_equal(state_file(f), "off\n");

    /* --state wins over the environment. */
    ctl_ok(CTL_RUN_ON(f, env, state_spec(f), "on", "--message", "flag"));
    FX_ASSERT_CONTAINS("state file", state_file(f), "message=flag\n");
    FX_ASSERT_CONTAINS("env/state", fx_read(f, "env/state"), "message=env\n");
}

typedef struct {
    const char *args[8];
    const char *needle;    /* what the message must name */
} bad_run;

static void test_errors(void **state)
{
    fx *f = *state;
    const char *spec = state_spec(f);
    const char *later = fx_iso(f, time(NULL) + 3600);
    const char *sooner = fx_iso(f, time(NULL) + 600);
    const bad_run runs[] = {
        { { "--state", "bogus", "status" }, "bogus" },
        { { "--state", "nope:x", "status" }, "nope" },
        { { "--state", "file:relative/state", "status" }, "relative" },
        { { "--state", spec, "frobnicate" }, "frobnicate" },
        { { "--state", spec, "on", "--for", "3x" }, "3x" },
        { { "--state", spec, "on", "--start", "yesterday" }, "yesterday" },
        { { "--state", spec, "on", "--end", "soon" }, "soon" },
        { { "--state", spec, "on", "--end", later, "--for", "30m" }, "--for" },
        { { "--state", spec, "on", "--start", later, "--end", sooner },
          "end" },
        { { "--state", spec, "on", "--colour", "red" }, "colour" },
        { { "--state", spec, "off", "now" }, "now" },
        { { "--state", spec, "off", "--read-only" }, "--read-only" },
        { { "--state", spec, "status", "--read-only" }, "--read-only" },
        { { "--state", spec, "status", "please" }, "please" },
        { { "--timeout", "0", "--state", spec, "status" }, "--timeout" },
        /* Said, so not the default file. */
        { { "--state", "", "status" }, "--state" },
        /* Times a state cannot hold: nothing is written. */
        { { "--state", spec, "on", "--start", "999999999999" },
          "999999999999" },
        { { "--state", spec, "on", "--end", "9999-12-31T23:59:59-01:00" },
          "out of range" },
        { { "--state", spec, "on", "--start", "9999-12-31T00:00:00Z", "--for",
            "2d" }, "9999-12-31T23:59:59Z" },
        { { "--state", spec, "on", "--start", "1970-01-01T00:30:00+01:00" },
          "out of range" },
    };

    fx_state_put(f, "off\nmessage=before\n");
    for (size_t i = 0; i < sizeof(runs) / sizeof(*runs); i++) {
        ctl_refused(ctl_run(f, NULL, runs[i].args), runs[i].needle);
        assert_string_equal(state_file(f), "off\nmessage=before\n");
    }
}

/* A message that would make the state larger than its 4 KiB limit is
 * refused before anything is written: such a state could not be read by
 * httpd nor by maintenancectl. */
static void test_state_too_large(void **state)
{
    fx *f = *state;

    fx_state_put(f, "off\nmessage=before\n");
    ctl_res r = CTL_RUN_HERE(f, "on", "--message", fx_filler(f, 5000));
    const char *after = state_file(f);
    /* Whatever happened, the next tests start clean. */
    fx_state_put(f, "off\n");
    ctl_refused(r, "");
    if (strcmp(after, "off\nmessage=before\n")) {
        fail_msg("the state was changed (%zu bytes):\n%.200s...",
                 strlen(after), after);
    }
}

/* A store that cannot be reached or read: exit 1, naming it. */
static void test_unusable_store(void **state)
{
    fx *f = *state;
    const char *blocked = fx_fmt(f, "file:%s/blocker/state", fx_dir(f));
    const char *isdir = fx_fmt(f, "file:%s/htdocs", fx_dir(f));
    const char *garbage = fx_fmt(f, "file:%s/garbage", fx_dir(f));

    fx_write(f, "blocker", "a file where a directory should be\n");
    fx_write(f, "garbage", "maybe\nstart=yesterday\n");
    ctl_refused(CTL_RUN_ON(f, NULL, blocked, "off"), "blocker");
    ctl_refused(CTL_RUN_ON(f, NULL, isdir, "status"), "htdocs");
    ctl_refused(CTL_RUN_ON(f, NULL, garbage, "status"), "garbage");
}

/* --- with httpd ---------------------------------------------------------- */

static void test_on_takes_the_site_down(void **state)
{
    fx *f = *state;

    fx_state_put(f, "off\n");
    FX_ASSERT_SERVED(fx_get(f, "/index.html"));
    ctl_ok(CTL_RUN_HERE(f, "on", "--message", "From the CLI"));
    fx_res *r = fx_await_status(f, "/index.html", 503);
    FX_ASSERT_BLOCKED(r, 503);
    FX_ASSERT_BODY(r, "From the CLI");
    ctl_ok(CTL_RUN_HERE(f, "off"));
    FX_ASSERT_SERVED(fx_await_status(f, "/index.html", 200));
}

static void test_on_for_seen_by_the_toggle(void **state)
{
    fx *f = *state;
    time_t now = time(NULL);

    ctl_ok(CTL_RUN_HERE(f, "on", "--for", "30m", "--message", "x"));
    fx_res *r = FX_ASSERT_STATUS(fx_get_as(f, ALICE, TOGGLE "/",
                                           FX_ACCEPT_JSON), 200);
    assert_string_equal(fx_json_str(f, r, "state"), "on");
    assert_string_equal(fx_json_raw(f, r, "in_force"), "true");
    assert_string_equal(fx_json_str(f, r, "message"), "x");
    FX_ASSERT_NEAR(fx_iso_time(fx_json_str(f, r, "end")), now + 1800);
}

/* The CLI (as root, when the tests run as root) writes the state; the
 * toggle handler, running as httpd's User, replaces it; the CLI reads
 * what the handler wrote. */
static void test_toggle_after_cli(void **state)
{
    fx *f = *state;

    ctl_ok(CTL_RUN_HERE(f, "on", "--message", "CLI"));
    FX_ASSERT_STATUS(fx_post(f, ALICE, TOGGLE "/off", NULL, FX_ACCEPT_JSON),
                     200);
    const char *out = ctl_status(CTL_RUN_HERE(f, "status"), 0);
    assert_string_equal(ctl_first_line(f, out), "off");
    assert_string_equal(ctl_field(f, out, "by"), "alice");
    if (geteuid() == 0) {
        assert_int_equal(owner(f, "state/state"), run_user_uid());
    }
    FX_ASSERT_SERVED(fx_await_status(f, "/index.html", 200));
}

/* As root, the CLI makes a missing state directory for httpd's User, so
 * that httpd started afterwards can change the state. */
static void test_root_makes_the_directory_for_httpd(void **state)
{
    (void)state;
    if (geteuid() != 0) {
        skip();
    }
    fx *f = toggle_new_site("MaintenanceState "
                            "file:${TESTDIR}/var/maint/state\n"
                            FX_TOGGLE_CONF);
    const char *spec = fx_fmt(f, "file:%s/var/maint/state", fx_dir(f));

    ctl_ok(CTL_RUN_ON(f, NULL, spec, "on", "--message", "root"));
    assert_int_equal(owner(f, "var/maint"), run_user_uid());
    fx_start(f);
    fx_res *r = FX_ASSERT_STATUS(fx_post(f, ALICE, TOGGLE "/off", NULL,
                                         FX_ACCEPT_JSON), 200);
    assert_string_equal(fx_json_str(f, r, "state"), "off");
    const char *out = ctl_status(CTL_RUN_ON(f, NULL, spec, "status"), 0);
    assert_string_equal(ctl_first_line(f, out), "off");
    assert_string_equal(ctl_field(f, out, "by"), "alice");
}

/* APACHE_RUN_USER and APACHE_RUN_GROUP (Debian's envvars) name the owner. */
static void test_root_directory_owner_from_env(void **state)
{
    fx *f = *state;
    struct passwd *pw = getpwnam("daemon");

    if (geteuid() != 0 || !pw) {
        skip();
    }
    const char *const env[] = { "APACHE_RUN_USER=daemon",
                                "APACHE_RUN_GROUP=daemon", NULL };
    ctl_ok(CTL_RUN_ON(f, env, fx_fmt(f, "file:%s/daemon/state", fx_dir(f)),
                      "off"));
    assert_int_equal(owner(f, "daemon"), pw->pw_uid);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_help),
        FX_TEST(test_no_command),
        FX_TEST(test_man_page),
        FX_TEST(test_version),
        FX_TEST(test_status_missing_is_off),
        FX_TEST(test_status_of_a_file),
        FX_TEST(test_on),
        FX_TEST(test_plain_on),
        FX_TEST(test_off),
        FX_TEST(test_on_read_only),
        FX_TEST(test_status_exit_codes),
        FX_TEST(test_status_json),
        FX_TEST(test_by_is_sudo_user),
        FX_TEST(test_window_ahead),
        FX_TEST(test_for_after_start),
        FX_TEST(test_environment_names_the_state),
        FX_TEST(test_errors),
        FX_TEST(test_state_too_large),
        FX_TEST(test_unusable_store),
        FX_TEST(test_on_takes_the_site_down),
        FX_TEST(test_on_for_seen_by_the_toggle),
        FX_TEST(test_toggle_after_cli),
        FX_TEST(test_root_makes_the_directory_for_httpd),
        FX_TEST(test_root_directory_owner_from_env),
    };

    return cmocka_run_group_tests_name("maintenancectl", tests, setup,
                                       fx_group_teardown);
}
