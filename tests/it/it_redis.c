/* The redis: state provider against a real redis-server: the default key,
 * a key and an ACL user per virtual host, a database other than 0; states
 * written from outside with SET, by the toggle handler and by
 * maintenancectl; a missing key, an oversize value and a key of the wrong
 * type; a wrong password, a missing one and a user without rights, each
 * an error logged once, and never a password in a log; redis-server
 * killed, stalled, never there; configtest on bad options; many threads
 * at once; and reads bounded by MaintenanceStateTTL, not by requests.
 *
 * Nothing here asserts how fast the module is; where it must not wait on
 * Redis, requests are made with a timeout of 2 s, so that a request stuck
 * behind a dead or stalled server fails the test. */
#include "ctl.h"
#include "fixture.h"
#include "kvsite.h"
#include "redis.h"
#include "toggle.h"

#define DB_B         3

/* The default user's password, an ACL user with every right and one who
 * may touch other:* keys alone. Distinctive, so that a log holding one
 * is found. */
#define PASSWORD     "pw-Zebra-4711-default"
#define WWW_USER     "www"
#define WWW_PASSWORD "pw-Okapi-0815-www"
#define NOPE_USER    "nope"
#define NOPE_PASSWORD "pw-Lemur-2323-nope"
#define WRONG_PASSWORD "pw-Walrus-9999-wrong"
#define ACL_CONF \
    "user " WWW_USER " on >" WWW_PASSWORD " ~* +@all\n" \
    "user " NOPE_USER " on >" NOPE_PASSWORD " ~other:* +@all\n"

/* The password files, written before httpd starts: each with the line
 * break an editor leaves, which is not part of the password. */
static void write_password_files(fx *f)
{
    fx_write(f, "redis.pw", "%s\n", PASSWORD);
    fx_write(f, "www.pw", "%s\n", WWW_PASSWORD);
    fx_write(f, "nope.pw", "%s\n", NOPE_PASSWORD);
    fx_write(f, "wrong.pw", "%s\n", WRONG_PASSWORD);
}

/* The shared site: 127.0.0.1 on the default key as the default user,
 * a.test on a key of its own as the ACL user www, b.test on a key of its
 * own in database DB_B, all on one redis-server (${RPORT}). The first
 * virtual host is the default one, so requests without a Host of a.test
 * or b.test land there. */
#define SPEC_MAIN  "redis:127.0.0.1:${RPORT} password-file=${TESTDIR}/redis.pw"
#define SPEC_A     "redis:127.0.0.1:${RPORT}/" KV_KEY_A " user=" WWW_USER \
                   " password-file=${TESTDIR}/www.pw"
#define SPEC_B     "redis:127.0.0.1:${RPORT}/" KV_KEY_B " db=3 " \
                   "password-file=${TESTDIR}/redis.pw"

static const char SHARED_CONF[] =
    FX_ENV_HEADERS
    FX_TOGGLE_CONF
    "MaintenanceState " SPEC_MAIN "\n"
    "<VirtualHost 127.0.0.1:${TESTPORT}>\n  ServerName 127.0.0.1\n"
    "</VirtualHost>\n"
    "<VirtualHost 127.0.0.1:${TESTPORT}>\n  ServerName a.test\n"
    "  MaintenanceState " SPEC_A "\n"
    "</VirtualHost>\n"
    "<VirtualHost 127.0.0.1:${TESTPORT}>\n  ServerName b.test\n"
    "  MaintenanceState " SPEC_B "\n"
    "</VirtualHost>\n";

/* A site of one state, whose calls give up after 0.2 s. */
#define OWN_CONF \
    FX_ENV_HEADERS \
    "MaintenanceState " SPEC_MAIN "\n" \
    "MaintenanceStateTimeout 0.2\n"

static void start_redis(kv_site *s)
{
    s->r = rds_start(PASSWORD, ACL_CONF);
}

static long long calls_of(const rds *r, const char *command)
{
    long long n = 0;
    const char *err = rds_calls(r, command, &n);

    if (err) {
        fail_msg("%s", err);
    }
    return n;
}

/* No password, right or wrong, anywhere in the error log. */
static void assert_no_password(fx *f)
{
    static const char *const secrets[] = { PASSWORD, WWW_PASSWORD,
                                           NOPE_PASSWORD, WRONG_PASSWORD };
    const char *log = fx_read(f, "logs/error.log");

    for (size_t i = 0; i < sizeof(secrets) / sizeof(*secrets); i++) {
        fx_assert_lacks("the error log", log, secrets[i], __FILE__,
                        __LINE__);
    }
}

/* --- maintenancectl ------------------------------------------------------ */

/* The spec maintenancectl gets: "redis:127.0.0.1:PORT[/KEY] OPTIONS",
 * the fixture's password files named as options says (${TESTDIR}). */
static const char *spec_with(fx *f, int port, const char *key,
                             const char *options)
{
    const char *spec = key ? fx_fmt(f, "redis:127.0.0.1:%d/%s", port, key)
                           : fx_fmt(f, "redis:127.0.0.1:%d", port);

    if (!options) {
        return spec;
    }
    return fx_fmt(f, "%s %s", spec, options);
}

static const char *pw_option(fx *f, const char *file)
{
    return fx_fmt(f, "password-file=%s/%s", fx_dir(f), file);
}

/* The default user's spec, with its password file. */
static const char *spec_of(fx *f, int port, const char *key)
{
    return spec_with(f, port, key, pw_option(f, "redis.pw"));
}

/* The sites' store: requests answered within 2 s. */
static const kv_config REDIS = {
    .port_var = "RPORT", .shared_conf = SHARED_CONF, .db_b = DB_B,
    .quick_ms = 2000, .start = start_redis, .ctl_spec = spec_of,
    .prepare = write_password_files,
};

/* --- one shared site: states written from outside ----------------------- */

/* A state written with SET, through AUTH with the password file's
 * password (its final line break left out); django-maintenance-mode's
 * own values too. */
static void test_default_key(void **state)
{
    kv_site *s = *state;

    kv_all_off(s);
    kv_check_written(s, "From redis");
    kv_check_django_values(s);
    assert_no_password(s->f);
}

/* a.test reads its key as the ACL user www (AUTH user password). */
static void test_acl_user(void **state)
{
    kv_site *s = *state;

    kv_check_only_a(s);
    kv_put(s, KV_KEY_A, "off\n");
    FX_ASSERT_SERVED(fx_await_status(s->f, "/index.html", 200, KV_HOST_A));
}

/* b.test reads database 3 (db=3), and no other. */
static void test_db(void **state)
{
    kv_site *s = *state;

    kv_all_off(s);
    kv_put_in(s, 0, KV_KEY_B, "on\nmessage=Database 0\n");
    kv_hold(s->f, KV_HOST_B, 200, FX_SETTLE_MS);
    kv_put_in(s, DB_B, KV_KEY_B, "on\nmessage=Database 3\n");
    fx_res *r = fx_await_status(s->f, "/index.html", 503, KV_HOST_B);
    FX_ASSERT_BLOCKED(r, 503);
    FX_ASSERT_HEADER(r, "X-Message", "Database 3");
    kv_put_in(s, DB_B, KV_KEY_B, "off\n");
    FX_ASSERT_SERVED(fx_await_status(s->f, "/index.html", 200, KV_HOST_B));
    kv_drop(s, KV_KEY_B);
}

/* One byte more, or a megabyte, is an error, logged once; the last state
 * stays. */
static void test_oversize_value(void **state)
{
    static const size_t sizes[] = { 4097, 1 << 20, 0 };

    kv_check_oversize(*state, sizes, 300);
}

/* A key of another type is Redis's error answer, quoted once. */
static void test_wrong_type(void **state)
{
    kv_site *s = *state;
    const char *err;

    fx_expect_log(s->f, FX_OUTAGE_LOG);
    kv_all_off(s);
    kv_drop(s, KV_KEY);
    if ((err = rds_run(s->r, 0, (const char *const[]){ "LPUSH", KV_KEY, "on",
                                                       NULL }))) {
        fail_msg("%s", err);
    }
    kv_await_log(s->f, "WRONGTYPE");
    kv_hold(s->f, NULL, 200, 300);
    FX_ASSERT_LOG_COUNT(s->f, FX_OUTAGE_LOG, 1);
    FX_ASSERT_LOG_COUNT(s->f, "GET was refused: WRONGTYPE", 1);
    kv_put(s, KV_KEY, "on\n");             /* SET replaces the list */
    FX_ASSERT_BLOCKED(fx_await_status(s->f, "/index.html", 503), 503);
    kv_await_log(s->f, FX_RECOVERY_LOG);
    kv_put(s, KV_KEY, "off\n");
    FX_ASSERT_SERVED(fx_await_status(s->f, "/index.html", 200));
}

/* --- one shared site: the toggle handler and maintenancectl -------------- */

/* What maintenancectl writes, the site reads (kv_test_ctl_then_toggle);
 * with user= and db=, it writes where the virtual hosts read. */
static void test_ctl_then_site(void **state)
{
    kv_site *s = *state;
    int port = kv_port(s);

    kv_test_ctl_then_toggle(state);

    /* a.test's key as www. */
    const char *spec_a = spec_with(s->f, port, KV_KEY_A,
                                   fx_fmt(s->f, "user=" WWW_USER " %s",
                                          pw_option(s->f, "www.pw")));
    ctl_ok(CTL_RUN(s->f, "--state", spec_a, "on"));
    FX_ASSERT_BLOCKED(fx_await_status(s->f, "/index.html", 503, KV_HOST_A),
                      503);
    FX_ASSERT_SERVED(fx_get(s->f, "/index.html"));
    ctl_ok(CTL_RUN(s->f, "--state", spec_a, "off"));
    FX_ASSERT_SERVED(fx_await_status(s->f, "/index.html", 200, KV_HOST_A));

    /* b.test's key in database 3, and not in 0. */
    const char *spec_b = spec_with(s->f, port, KV_KEY_B,
                                   fx_fmt(s->f, "db=3 %s",
                                          pw_option(s->f, "redis.pw")));
    ctl_ok(CTL_RUN(s->f, "--state", spec_b, "on", "--message", "In 3"));
    FX_ASSERT_BLOCKED(fx_await_status(s->f, "/index.html", 503, KV_HOST_B),
                      503);
    assert_null(kv_get(s, 0, KV_KEY_B));
    FX_ASSERT_CONTAINS(KV_KEY_B, kv_get(s, DB_B, KV_KEY_B), "message=In 3\n");
    ctl_ok(CTL_RUN(s->f, "--state", spec_b, "off"));
    FX_ASSERT_SERVED(fx_await_status(s->f, "/index.html", 200, KV_HOST_B));
}

/* maintenancectl with a wrong password, none, or a user without rights:
 * Redis's own answer, at once, and never a password. */
static void test_ctl_refused_by_redis(void **state)
{
    kv_site *s = *state;
    int port = kv_port(s);
    ctl_res r;

    r = CTL_RUN(s->f, "--state", spec_with(s->f, port, NULL,
                                           pw_option(s->f, "wrong.pw")),
                "status");
    kv_refused_within(r, "AUTH was refused: WRONGPASS", 2000);
    fx_assert_lacks("stderr", r.err, WRONG_PASSWORD, __FILE__, __LINE__);
    kv_refused_within(CTL_RUN(s->f, "--state",
                              spec_with(s->f, port, NULL, NULL), "on"),
                      "NOAUTH", 2000);
    r = CTL_RUN(s->f, "--state",
                spec_with(s->f, port, NULL,
                          fx_fmt(s->f, "user=" NOPE_USER " %s",
                                 pw_option(s->f, "nope.pw"))), "status");
    kv_refused_within(r, "NOPERM", 2000);
    fx_assert_lacks("stderr", r.err, NOPE_PASSWORD, __FILE__, __LINE__);
    kv_refused_within(CTL_RUN(s->f, "--state",
                              spec_with(s->f, port, NULL,
                                        fx_fmt(s->f, "user=" WWW_USER)),
                              "status"),
                      "password-file=", 2000);
}

/* --- one shared site: many threads at once ------------------------------- */

/* Threads GET the toggle handler's status, which reads Redis on the
 * request thread, so the provider's one connection is asked for by many
 * threads at once (with the refresher's reads), while a flipper writes. */
static void test_threads(void **state)
{
    kv_hammer(*state, 0, 6, 100);
}

/* --- a site each: refusals ----------------------------------------------- */

/* A site whose spec Redis refuses (AUTH, or the GET): Redis's words,
 * logged once however many reads fail; the site served
 * (MaintenanceFailMode open); no password in the log. */
static void check_refused(const char *spec, const char *words)
{
    char conf[2048];
    kv_site s;

    snprintf(conf, sizeof(conf), "%sMaintenanceState %s\n", FX_ENV_HEADERS,
             spec);
    s = kv_own_site(conf);
    fx_expect_log(s.f, FX_OUTAGE_LOG);
    kv_put(&s, KV_KEY, "on\n");
    fx_start(s.f);
    kv_await_log(s.f, words);
    kv_hold(s.f, NULL, 200, 500);          /* some ten reads refused */
    FX_ASSERT_LOG_COUNT(s.f, FX_OUTAGE_LOG, 1);
    FX_ASSERT_LOG_COUNT(s.f, words, 1);
    assert_int_equal(fx_log_count(s.f, FX_RECOVERY_LOG), 0);
    assert_no_password(s.f);
}

static void test_wrong_password(void **state)
{
    (void)state;
    check_refused("redis:127.0.0.1:${RPORT} password-file=${TESTDIR}/wrong.pw",
                  "AUTH was refused: WRONGPASS");
}

static void test_no_password(void **state)
{
    (void)state;
    check_refused("redis:127.0.0.1:${RPORT}", "GET was refused: NOAUTH");
}

static void test_wrong_user_password(void **state)
{
    (void)state;
    check_refused("redis:127.0.0.1:${RPORT} user=" WWW_USER
                  " password-file=${TESTDIR}/wrong.pw",
                  "AUTH was refused: WRONGPASS");
}

static void test_user_without_rights(void **state)
{
    (void)state;
    check_refused("redis:127.0.0.1:${RPORT} user=" NOPE_USER
                  " password-file=${TESTDIR}/nope.pw",
                  "GET was refused: NOPERM");
}

static void test_db_out_of_range(void **state)
{
    (void)state;
    check_refused("redis:127.0.0.1:${RPORT} db=99 "
                  "password-file=${TESTDIR}/redis.pw",
                  "SELECT 99 was refused: ERR DB index is out of range");
}

/* --- a site each: outages ------------------------------------------------ */

/* redis-server killed while on: the site stays in maintenance, every
 * answer quick, one MM00002; back empty (no persistence): the state read
 * stays (one MM00013) until maintenancectl turns it off. The connection
 * opened again AUTHs again. */
static void test_killed_while_on(void **state)
{
    kv_site s = kv_started_site(OWN_CONF, "on\nmessage=Before the outage\n",
                                503);
    const char *spec = spec_of(s.f, kv_port(&s), NULL);

    (void)state;
    FX_ASSERT_BLOCKED(fx_get(s.f, "/index.html"), 503);
    kv_server(&s, KV_KILL);
    kv_await_log(s.f, FX_OUTAGE_LOG);
    kv_hold(s.f, NULL, 503, 1000);         /* some twenty reads that fail */
    fx_res *r = fx_get(s.f, "/index.html");
    FX_ASSERT_BLOCKED(r, 503);
    FX_ASSERT_HEADER(r, "X-Message", "Before the outage");
    FX_ASSERT_LOG_COUNT(s.f, FX_OUTAGE_LOG, 1);
    FX_ASSERT_LOG_COUNT(s.f, "cannot connect: Connection refused", 1);
    assert_int_equal(fx_log_count(s.f, FX_RECOVERY_LOG), 0);

    fx_expect_log(s.f, FX_LOST_LOG);
    kv_server(&s, KV_RESTART);
    kv_await_log(s.f, FX_RECOVERY_LOG);
    kv_await_log(s.f, FX_LOST_LOG);
    kv_hold(s.f, NULL, 503, FX_SETTLE_MS);
    FX_ASSERT_LOG_COUNT(s.f, FX_LOST_LOG, 1);

    ctl_ok(CTL_RUN(s.f, "--state", spec, "off"));
    FX_ASSERT_SERVED(fx_await_status(s.f, "/index.html", 200));
    kv_check_recovered(s);
    FX_ASSERT_LOG_COUNT(s.f, FX_OUTAGE_LOG, 1);
    FX_ASSERT_LOG_COUNT(s.f, FX_RECOVERY_LOG, 1);
    assert_no_password(s.f);
}

/* A stalled redis-server (SIGSTOP: the kernel accepts connections, nobody
 * answers): every request answered within 2 s with the state in force,
 * the timeout logged once; once it runs again, the state is current
 * within 5 s. */
static void check_stalled(const char *text, long status)
{
    kv_site s = kv_started_site(OWN_CONF, text, status);
    long back, took;

    kv_server(&s, KV_PAUSE);
    kv_await_log(s.f, "did not answer within 200 ms");
    kv_hold(s.f, NULL, status, 1000);
    FX_ASSERT_LOG_COUNT(s.f, FX_OUTAGE_LOG, 1);

    kv_server(&s, KV_RESUME);
    back = fx_now_ms();
    kv_put(&s, KV_KEY, status == 503 ? "off\n" : "on\n");
    fx_res *r = fx_await_status(s.f, "/index.html", status == 503 ? 200 : 503);
    took = fx_now_ms() - back;
    FX_ASSERT_STATUS(r, status == 503 ? 200 : 503);
    if (took > 5000) {
        fail_msg("the state was current again %ld ms after redis-server "
                 "resumed, more than 5 s", took);
    }
    kv_await_log(s.f, FX_RECOVERY_LOG);
    kv_check_recovered(s);
    FX_ASSERT_LOG_COUNT(s.f, FX_OUTAGE_LOG, 1);
    FX_ASSERT_LOG_COUNT(s.f, FX_RECOVERY_LOG, 1);
}

static void test_stalled_while_on(void **state)
{
    (void)state;
    check_stalled("on\nmessage=Before the outage\n", 503);
}

static void test_stalled_while_off(void **state)
{
    (void)state;
    check_stalled("off\n", 200);
}

static void test_never_read_fail_closed(void **state)
{
    (void)state;
    kv_check_never_read(OWN_CONF "MaintenanceFailMode closed\n", 503);
}

/* The connection is kept: no AUTH for all the reads (the test's own
 * client AUTHs on each of its calls: three since auths was counted). */
static void test_reads_bounded_by_ttl(void **state)
{
    kv_site s = kv_own_site(OWN_CONF "MaintenanceStateTTL 0.5\n");
    long long auths;

    (void)state;
    kv_put(&s, KV_KEY, "off\n");
    fx_start(s.f);
    FX_ASSERT_SERVED(fx_get(s.f, "/index.html"));
    auths = calls_of(s.r, "auth");
    kv_check_reads_bounded(s);
    assert_int_equal(calls_of(s.r, "auth") - auths, 3);
}

/* --- maintenancectl on its own ------------------------------------------- */

/* Nothing listens: a clear refusal, at once. */
static void test_ctl_dead_redis(void **state)
{
    (void)state;
    fx *f = fx_new("");
    int port = fx_free_port();
    const char *spec = spec_with(f, port, NULL, NULL);
    const char *where = fx_fmt(f, "redis 127.0.0.1:%d", port);

    kv_refused_within(CTL_RUN(f, "--timeout", "1", "--state", spec, "status"),
                      where, 2000);
    kv_refused_within(CTL_RUN(f, "--timeout", "1", "--state", spec, "on"),
                      "cannot connect: Connection refused", 2000);
}

/* A stalled server: refused within --timeout, then fine once it runs. */
static void test_ctl_stalled_redis(void **state)
{
    (void)state;
    kv_check_ctl_stalled(kv_own_site(""), "did not answer within 500 ms");
}

/* --- configtest ---------------------------------------------------------- */

/* configtest of a server whose MaintenanceState is spec, with the
 * password files: refused, naming each needle, never a password. */
static void check_config_refused(const char *spec, const char *needle1,
                                 const char *needle2)
{
    fx *f = fx_new_fmt("MaintenanceState %s\n", spec);
    const char *out;

    write_password_files(f);
    fx_write(f, "empty.pw", "\n");
    fx_write(f, "huge.pw", "%s%s\n", PASSWORD, fx_filler(f, 5000));
    if (needle2) {
        FX_ASSERT_CONFIG_REFUSED(f, "MaintenanceState", needle1, needle2);
    } else {
        FX_ASSERT_CONFIG_REFUSED(f, "MaintenanceState", needle1);
    }
    fx_configtest(f, &out);
    fx_assert_lacks("configtest's output", out, PASSWORD, __FILE__, __LINE__);
}

static void test_config_good(void **state)
{
    static const char *const good[] = {
        "redis:127.0.0.1:6379",
        "redis:localhost:6379/" KV_KEY_A,
        "redis:[::1]:6379/shop db=15",
        "redis:127.0.0.1:6379 password-file=${TESTDIR}/redis.pw",
        "redis:127.0.0.1:6379 user=" WWW_USER " password-file=${TESTDIR}/www.pw"
        " db=0",
    };

    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
        fx *f = fx_new_fmt("MaintenanceState %s\n", good[i]);
        write_password_files(f);
        FX_ASSERT_CONFIG_OK(f);
    }
}

static void test_config_bad_db(void **state)
{
    (void)state;
    check_config_refused("redis:127.0.0.1:6379 db=x", "db=x", NULL);
    check_config_refused("redis:127.0.0.1:6379 db=-1", "db=-1", NULL);
    check_config_refused("redis:127.0.0.1:6379 db=", "db=", NULL);
    check_config_refused("redis:127.0.0.1:6379 db=99999999999", "db=99999999999",
                         NULL);
}

static void test_config_unknown_option(void **state)
{
    (void)state;
    /* A password never goes in httpd.conf: there is no option for it. */
    check_config_refused("redis:127.0.0.1:6379 password=inline",
                         "unknown option password=", NULL);
    check_config_refused("redis:127.0.0.1:6379 colour=blue",
                         "unknown option colour=", "password-file=");
}

static void test_config_user_without_password(void **state)
{
    (void)state;
    check_config_refused("redis:127.0.0.1:6379 user=" WWW_USER,
                         "user=" WWW_USER, "password-file=");
}

static void test_config_password_file(void **state)
{
    (void)state;
    check_config_refused("redis:127.0.0.1:6379 "
                         "password-file=${TESTDIR}/no-such.pw",
                         "password-file=", "no-such.pw");
    check_config_refused("redis:127.0.0.1:6379 "
                         "password-file=${TESTDIR}/empty.pw",
                         "password-file=", "empty.pw");
    check_config_refused("redis:127.0.0.1:6379 "
                         "password-file=${TESTDIR}/huge.pw",
                         "password-file=", "huge.pw");
    check_config_refused("redis:127.0.0.1:6379 password-file=${TESTDIR}",
                         "password-file=", "not a regular file");
}

static void test_config_bad_address(void **state)
{
    (void)state;
    check_config_refused("redis:", "redis:", NULL);
    check_config_refused("redis:127.0.0.1", "127.0.0.1", NULL);
    check_config_refused("redis:127.0.0.1:6379/bad\\ key", "key", NULL);
    check_config_refused("redis:127.0.0.1:6379/", "key", NULL);
    check_config_refused("redis:127.0.0.1:99999", "127.0.0.1:99999", NULL);
    check_config_refused("redis:host:notaport", "host:notaport", NULL);
}

int main(void)
{
    const struct CMUnitTest shared_tests[] = {
        FX_TEST(test_default_key),
        FX_TEST(test_acl_user),
        FX_TEST(test_db),
        KV_SHARED_TEST(lost_key_keeps_state),
        KV_SHARED_TEST(largest_value),
        FX_TEST(test_oversize_value),
        FX_TEST(test_wrong_type),
        KV_SHARED_TEST(toggle_then_ctl),
        FX_TEST(test_ctl_then_site),
        FX_TEST(test_ctl_refused_by_redis),
        FX_TEST(test_threads),
    };
    const struct CMUnitTest own_tests[] = {
        KV_OWN_TEST(test_wrong_password),
        KV_OWN_TEST(test_no_password),
        KV_OWN_TEST(test_wrong_user_password),
        KV_OWN_TEST(test_user_without_rights),
        KV_OWN_TEST(test_db_out_of_range),
        KV_OWN_TEST(test_killed_while_on),
        KV_OWN_TEST(test_stalled_while_on),
        KV_OWN_TEST(test_stalled_while_off),
        KV_OWN_TEST(test_never_read_fail_closed),
        KV_OWN_TEST(test_reads_bounded_by_ttl),
        KV_OWN_TEST(test_ctl_dead_redis),
        KV_OWN_TEST(test_ctl_stalled_redis),
        KV_OWN_TEST(test_config_good),
        KV_OWN_TEST(test_config_bad_db),
        KV_OWN_TEST(test_config_unknown_option),
        KV_OWN_TEST(test_config_user_without_password),
        KV_OWN_TEST(test_config_password_file),
        KV_OWN_TEST(test_config_bad_address),
    };

    kv_init(&REDIS);
    return KV_RUN("redis", shared_tests, own_tests);
}
