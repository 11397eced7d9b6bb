/* The memcache: state provider against a real
 * memcached: the default key and a key per virtual host; states written
 * from outside through the memcached protocol, by the toggle handler and
 * by maintenancectl; a missing key and an oversize value; memcached
 * killed, stalled, never there, and a black hole in its place; bad specs;
 * many threads at once; and reads bounded by MaintenanceStateTTL, not by
 * requests. The sites and what it_redis says the same of are kvsite.h's.
 *
 * Nothing here asserts how fast the module is; where it must not wait on
 * memcached, requests are made with a timeout of a few seconds, so that a
 * request stuck behind a dead or stalled memcached fails the test. */
#include "ctl.h"
#include "fixture.h"
#include "kvsite.h"
#include "toggle.h"

/* The shared site: 127.0.0.1 on the default key, a.test and b.test on
 * keys of their own, all on one memcached (${MCPORT}). The first virtual
 * host is the default one, so requests without a Host of a.test or b.test
 * land there. */
static const char SHARED_CONF[] =
    FX_ENV_HEADERS
    FX_TOGGLE_CONF
    "MaintenanceState memcache:127.0.0.1:${MCPORT}\n"
    "<VirtualHost 127.0.0.1:${TESTPORT}>\n  ServerName 127.0.0.1\n"
    "</VirtualHost>\n"
    "<VirtualHost 127.0.0.1:${TESTPORT}>\n  ServerName a.test\n"
    "  MaintenanceState memcache:127.0.0.1:${MCPORT}/" KV_KEY_A "\n"
    "</VirtualHost>\n"
    "<VirtualHost 127.0.0.1:${TESTPORT}>\n  ServerName b.test\n"
    "  MaintenanceState memcache:127.0.0.1:${MCPORT}/" KV_KEY_B "\n"
    "</VirtualHost>\n";

/* A site of one state, whose calls give up after 0.2 s. */
#define OWN_CONF \
    FX_ENV_HEADERS \
    "MaintenanceState memcache:127.0.0.1:${MCPORT}\n" \
    "MaintenanceStateTimeout 0.2\n"

static void start_memcached(kv_site *s)
{
    s->m = mcd_start();
}

static const char *spec_of(fx *f, int port, const char *key)
{
    return key ? fx_fmt(f, "memcache:127.0.0.1:%d/%s", port, key)
               : fx_fmt(f, "memcache:127.0.0.1:%d", port);
}

/* The sites' store: requests answered within FX_QUICK_S. */
static const kv_config MEMCACHED = {
    .port_var = "MCPORT", .shared_conf = SHARED_CONF, .db_b = 0,
    .quick_ms = FX_QUICK_S * 1000, .start = start_memcached,
    .ctl_spec = spec_of,
};

/* --- one shared site: states written from outside ----------------------- */

static void test_default_key(void **state)
{
    kv_site *s = *state;

    kv_all_off(s);
    kv_check_written(s, "From memcached");
}

/* django-maintenance-mode's own values. */
static void test_django_values(void **state)
{
    kv_site *s = *state;

    kv_all_off(s);
    kv_check_django_values(s);
}

/* Each virtual host follows its own key, and no other. */
static void test_vhost_keys(void **state)
{
    kv_site *s = *state;
    fx_res *r;

    kv_check_only_a(s);
    kv_put(s, KV_KEY_A, "off\n");
    kv_put(s, KV_KEY_B, "on\nmessage=Only b\n");
    r = fx_await_status(s->f, "/index.html", 503, KV_HOST_B);
    FX_ASSERT_BLOCKED(r, 503);
    FX_ASSERT_HEADER(r, "X-Message", "Only b");
    FX_ASSERT_SERVED(fx_await_status(s->f, "/index.html", 200, KV_HOST_A));
    FX_ASSERT_SERVED(fx_get(s->f, "/index.html"));

    /* The default key is the main server's alone. */
    kv_put(s, KV_KEY_B, "off\n");
    kv_put(s, KV_KEY, "on\n");
    FX_ASSERT_BLOCKED(fx_await_status(s->f, "/index.html", 503), 503);
    FX_ASSERT_SERVED(fx_await_status(s->f, "/index.html", 200, KV_HOST_B));
    FX_ASSERT_SERVED(fx_get(s->f, "/index.html", KV_HOST_A));
    kv_put(s, KV_KEY, "off\n");
}

/* One byte more is an error, logged once; the last state stays. */
static void test_oversize_value(void **state)
{
    static const size_t sizes[] = { 4097, 0 };

    kv_check_oversize(*state, sizes, 500);
}

/* --- one shared site: the toggle handler and maintenancectl -------------- */

/* A key per virtual host, through both writers. */
static void test_writers_per_vhost(void **state)
{
    kv_site *s = *state;

    kv_all_off(s);
    ctl_ok(CTL_RUN(s->f, "--state", spec_of(s->f, kv_port(s), KV_KEY_A),
                   "on"));
    FX_ASSERT_BLOCKED(fx_await_status(s->f, "/index.html", 503, KV_HOST_A),
                      503);
    FX_ASSERT_SERVED(fx_get(s->f, "/index.html", KV_HOST_B));
    FX_ASSERT_SERVED(fx_get(s->f, "/index.html"));
    assert_string_equal(ctl_first_line(s->f, kv_get(s, 0, KV_KEY)), "off");

    /* b.test's toggle writes b.test's key. */
    FX_ASSERT_STATUS(fx_post(s->f, ALICE, TOGGLE "/on", NULL, FX_ACCEPT_JSON,
                             KV_HOST_B), 200);
    assert_string_equal(ctl_first_line(s->f, kv_get(s, 0, KV_KEY_B)), "on");
    assert_string_equal(ctl_first_line(s->f, kv_get(s, 0, KV_KEY)), "off");
    FX_ASSERT_BLOCKED(fx_await_status(s->f, "/index.html", 503, KV_HOST_B),
                      503);
    const char *out = ctl_status(CTL_RUN(s->f, "--state",
                                         spec_of(s->f, kv_port(s), KV_KEY_B),
                                         "status"), 1);
    assert_string_equal(ctl_first_line(s->f, out), "on");
    assert_string_equal(ctl_field(s->f, out, "by"), "alice");
    FX_ASSERT_SERVED(fx_get(s->f, "/index.html"));
}

/* --- one shared site: many threads at once ------------------------------- */

/* Sixteen threads: most GET a page, some GET the toggle handler's
 * status, so the provider is called from many threads at once (with the
 * refresher's reads and the flipper's writes). */
static void test_hammer(void **state)
{
    kv_site *s = *state;

    /* As many clients as the fixture has workers: httpd may say it is
     * full, which says nothing about the module. */
    fx_expect_log(s->f, "AH00484");
    kv_hammer(s, 12, 4, 200);
}

/* --- a site each: outages ------------------------------------------------ */

typedef struct {
    const char *state;    /* in force when the outage begins */
    long status;          /* ...and so the answer throughout */
    int stall;            /* SIGSTOP, not SIGKILL */
} outage;

/* The state in force when memcached goes stays, every answer comes
 * without waiting on memcached, and the outage is one log line; when
 * memcached is back, so are the reads, said once at notice. */
static void check_outage(const outage *o)
{
    kv_site s = kv_started_site(OWN_CONF, o->state, o->status);

    if (o->stall) {
        kv_server(&s, KV_PAUSE);
        kv_await_log(s.f, "did not answer within");
    } else {
        kv_server(&s, KV_KILL);
        kv_await_log(s.f, FX_OUTAGE_LOG);
    }
    kv_hold(s.f, NULL, o->status, 1000);   /* some twenty reads that fail */
    fx_res *r = fx_get(s.f, "/index.html");
    FX_ASSERT_STATUS(r, o->status);
    FX_ASSERT_HEADER(r, "X-Mode", o->status == 503 ? "on" : "off");
    if (o->status == 503) {
        FX_ASSERT_HEADER(r, "X-Message", "Before the outage");
    }
    FX_ASSERT_LOG_COUNT(s.f, FX_OUTAGE_LOG, 1);
    assert_int_equal(fx_log_count(s.f, FX_RECOVERY_LOG), 0);

    if (o->stall) {
        kv_server(&s, KV_RESUME);
    } else {
        /* Empty: the key is lost, and the state read stays in force. */
        fx_expect_log(s.f, FX_LOST_LOG);
        kv_server(&s, KV_RESTART);
    }
    kv_await_log(s.f, FX_RECOVERY_LOG);
    if (!o->stall) {
        kv_await_log(s.f, FX_LOST_LOG);
        kv_hold(s.f, NULL, o->status, FX_SETTLE_MS);
        FX_ASSERT_LOG_COUNT(s.f, FX_LOST_LOG, 1);
    }
    kv_check_recovered(s);
    FX_ASSERT_LOG_COUNT(s.f, FX_OUTAGE_LOG, 1);
    FX_ASSERT_LOG_COUNT(s.f, FX_RECOVERY_LOG, 1);
}

static void test_killed_while_on(void **state)
{
    (void)state;
    check_outage(&(outage){ "on\nmessage=Before the outage\n", 503, 0 });
}

static void test_killed_while_off(void **state)
{
    (void)state;
    check_outage(&(outage){ "off\n", 200, 0 });
}

static void test_stalled_while_on(void **state)
{
    (void)state;
    check_outage(&(outage){ "on\nmessage=Before the outage\n", 503, 1 });
}

static void test_stalled_while_off(void **state)
{
    (void)state;
    check_outage(&(outage){ "off\n", 200, 1 });
}

static void test_never_read_fail_closed(void **state)
{
    (void)state;
    kv_check_never_read(OWN_CONF "MaintenanceFailMode closed\n", 503);
}

static void test_never_read_fail_open(void **state)
{
    (void)state;
    kv_check_never_read(OWN_CONF, 200);
}

static void test_reads_bounded_by_ttl(void **state)
{
    kv_site s = kv_own_site(OWN_CONF "MaintenanceStateTTL 0.5\n");

    (void)state;
    kv_put(&s, KV_KEY, "off\n");
    fx_start(s.f);
    FX_ASSERT_SERVED(fx_get(s.f, "/index.html"));
    kv_check_reads_bounded(s);
}

/* Two servers, one memcached: one maintenancectl switches both (the
 * issue's "done when"). */
static void test_two_servers_one_switch(void **state)
{
    kv_site s = kv_own_site(OWN_CONF);
    fx *other = kv_new_fx(kv_port(&s), OWN_CONF);
    const char *spec = spec_of(s.f, kv_port(&s), NULL);

    (void)state;
    fx_start(s.f);
    fx_start(other);
    FX_ASSERT_SERVED(fx_get(s.f, "/index.html"));
    FX_ASSERT_SERVED(fx_get(other, "/index.html"));
    ctl_ok(CTL_RUN(s.f, "--state", spec, "on", "--message", "Both"));
    FX_ASSERT_BLOCKED(fx_await_status(s.f, "/index.html", 503), 503);
    FX_ASSERT_BLOCKED(fx_await_status(other, "/index.html", 503), 503);
    ctl_ok(CTL_RUN(s.f, "--state", spec, "off"));
    FX_ASSERT_SERVED(fx_await_status(s.f, "/index.html", 200));
    FX_ASSERT_SERVED(fx_await_status(other, "/index.html", 200));
}

/* --- maintenancectl on its own ------------------------------------------- */

/* Nothing listens: a clear refusal, at once. */
static void test_ctl_dead_memcached(void **state)
{
    (void)state;
    fx *f = fx_new("");
    int port = fx_free_port();
    const char *spec = spec_of(f, port, NULL);
    const char *where = fx_fmt(f, "127.0.0.1:%d", port);

    kv_refused_within(CTL_RUN(f, "--timeout", "1", "--state", spec, "status"),
                      where, 2000);
    kv_refused_within(CTL_RUN(f, "--timeout", "1", "--state", spec, "on"),
                      where, 2000);
    kv_refused_within(CTL_RUN(f, "--timeout", "1", "--state", spec, "off"),
                      where, 2000);
}

/* A memcached that accepts and never answers: refused within --timeout
 * (and a little for its start and exit), then fine once it answers. */
static void test_ctl_stalled_memcached(void **state)
{
    (void)state;
    kv_check_ctl_stalled(kv_own_site(""), "did not answer");
}

/* A black hole where memcached was, then memcached back on its port:
 * each call is refused within --timeout, saying so, and once memcached
 * answers, the state is current again within 5 s. */
static void test_ctl_black_hole_then_memcached(void **state)
{
    (void)state;
    kv_site s = kv_own_site("");
    const char *spec = spec_of(s.f, kv_port(&s), NULL);
    const char *out;
    long back;

    kv_hole_start(&s);
    kv_refused_within(CTL_RUN(s.f, "--timeout", "0.5", "--state", spec,
                              "status"), "did not answer within 500 ms", 2000);
    kv_refused_within(CTL_RUN(s.f, "--timeout", "0.5", "--state", spec, "on"),
                      "did not answer within 500 ms", 2000);

    back = fx_now_ms();
    kv_hole_stop();
    kv_server(&s, KV_RESTART);
    kv_put(&s, KV_KEY, "on\nmessage=Back\n");
    out = ctl_status(CTL_RUN(s.f, "--timeout", "0.5", "--state", spec,
                             "status"), 1);
    assert_string_equal(ctl_first_line(s.f, out), "on");
    assert_string_equal(ctl_field(s.f, out, "message"), "Back");
    ctl_ok(CTL_RUN(s.f, "--timeout", "0.5", "--state", spec, "off"));
    assert_string_equal(ctl_first_line(s.f, kv_get(&s, 0, KV_KEY)), "off");
    if (fx_now_ms() - back > 5000) {
        fail_msg("the state was current again %ld ms after the black hole "
                 "went, more than 5 s", fx_now_ms() - back);
    }
}

/* --- configtest ---------------------------------------------------------- */

/* Specs configtest takes (it connects to nothing). */
static const char *const GOOD_SPECS[] = {
    "memcache:127.0.0.1:11211",
    "memcache:localhost:11211/" KV_KEY_A,
    "memcache:127.0.0.1:11211,127.0.0.2:11212/site_state",
};

/* Specs configtest refuses, naming MaintenanceState and the spec. */
static const char *const BAD_SPECS[] = {
    "memcache:",
    "memcache:127.0.0.1",
    "memcache:127.0.0.1:11211/bad key",
    "memcache:host:notaport",
    "memcache:127.0.0.1:11211/",
    "memcache:127.0.0.1:99999",
};

/* A server whose MaintenanceState is spec, for configtest. */
static fx *spec_site(const char *spec)
{
    return fx_new_fmt("MaintenanceState \"%s\"\n", spec);
}

static void test_good_specs(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(GOOD_SPECS) / sizeof(*GOOD_SPECS); i++) {
        FX_ASSERT_CONFIG_OK(spec_site(GOOD_SPECS[i]));
    }
}

static void test_bad_specs(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(BAD_SPECS) / sizeof(*BAD_SPECS); i++) {
        FX_ASSERT_CONFIG_REFUSED(spec_site(BAD_SPECS[i]), "MaintenanceState",
                                 BAD_SPECS[i]);
    }
}

int main(void)
{
    const struct CMUnitTest shared_tests[] = {
        FX_TEST(test_default_key),
        FX_TEST(test_django_values),
        KV_SHARED_TEST(lost_key_keeps_state),
        FX_TEST(test_vhost_keys),
        KV_SHARED_TEST(largest_value),
        FX_TEST(test_oversize_value),
        KV_SHARED_TEST(toggle_then_ctl),
        KV_SHARED_TEST(ctl_then_toggle),
        FX_TEST(test_writers_per_vhost),
        FX_TEST(test_hammer),
    };
    const struct CMUnitTest own_tests[] = {
        KV_OWN_TEST(test_killed_while_on),
        KV_OWN_TEST(test_killed_while_off),
        KV_OWN_TEST(test_stalled_while_on),
        KV_OWN_TEST(test_stalled_while_off),
        KV_OWN_TEST(test_never_read_fail_closed),
        KV_OWN_TEST(test_never_read_fail_open),
        KV_OWN_TEST(test_reads_bounded_by_ttl),
        KV_OWN_TEST(test_two_servers_one_switch),
        KV_OWN_TEST(test_ctl_dead_memcached),
        KV_OWN_TEST(test_ctl_stalled_memcached),
        KV_OWN_TEST(test_ctl_black_hole_then_memcached),
        KV_OWN_TEST(test_good_specs),
        KV_OWN_TEST(test_bad_specs),
    };

    kv_init(&MEMCACHED);
    return KV_RUN("memcache", shared_tests, own_tests);
}
