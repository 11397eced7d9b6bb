/* A site whose state is in a key-value server of the test's own: what
 * it_memcache (memcached.h) and it_redis (redis.h) share, their sites,
 * their helpers and the tests that say the same of either store.
 *
 * A test binary says once which store it runs on, with its
 * configurations, then lists its tests, the shared ones by name:
 *
 *     static const kv_config MEMCACHED = { .port_var = "MCPORT",
 *                                          .start = start_memcached, ... };
 *     kv_init(&MEMCACHED);
 *     const struct CMUnitTest shared_tests[] = {
 *         KV_SHARED_TEST(lost_key_keeps_state),      test_lost_key_...
 *         FX_TEST(test_vhost_keys), ...
 *     };
 *     const struct CMUnitTest own_tests[] = { KV_OWN_TEST(test_x), ... };
 *     return KV_RUN("memcache", shared_tests, own_tests);
 *
 * The shared group's site (kv_shared_setup: its state) has three virtual
 * hosts: the default one on KV_KEY, a.test (KV_HOST_A) on KV_KEY_A, and
 * b.test on KV_KEY_B, in database db_b. A test of the other group makes
 * a site of its own (kv_own_site), whose server kv_test_end frees.
 *
 * Nothing here asserts how fast the module is; where it must not wait on
 * the store, requests are made with a timeout of quick_ms, so that a
 * request stuck behind a dead or stalled server fails the test. */
#ifndef KVSITE_H
#define KVSITE_H

#include "ctl.h"
#include "fixture.h"
#include "memcached.h"
#include "redis.h"

#define KV_KEY      "maintenance_mode_state"   /* the default key */
#define KV_KEY_A    "site_a"
#define KV_KEY_B    "site_b"
#define KV_HOST_A   "Host: a.test"
#define KV_HOST_B   "Host: b.test"

/* A httpd and the server holding its state: m or r, as the store is. */
typedef struct {
    fx *f;
    mcd *m;
    rds *r;
} kv_site;

typedef struct {
    const char *port_var;      /* a site's config names the port ${VAR} */
    const char *shared_conf;   /* the shared group's site */
    int db_b;                  /* b.test's database */
    long quick_ms;             /* the longest a request may take */
    /* The test binary's own: a server started into s, and its spec for
     * maintenancectl, with key (NULL: the default). */
    void (*start)(kv_site *s);
    const char *(*ctl_spec)(fx *f, int port, const char *key);
    /* Files a site needs before httpd starts (password files); NULL. */
    void (*prepare)(fx *f);
} kv_config;

/* The store and the configurations of this test binary. */
void kv_init(const kv_config *config);

/* --- sites --------------------------------------------------------------- */

/* A fixture with a front page whose config may name the port as ${VAR}
 * (not started). */
fx *kv_new_fx(int port, const char *conf);

/* A site with a server of the test's own (httpd not started yet). */
kv_site kv_own_site(const char *conf);

/* The same, started, with text written first: the site answers status. */
kv_site kv_started_site(const char *conf, const char *text, long status);

/* cmocka glue: the shared group's site, and a test's own server, which
 * outlives its httpd (stopped by fx_test_end), the test's black hole
 * too; if that fails the test (and skips the rest), the next test begins
 * by stopping them, and at exit whatever is left is killed. */
int kv_shared_setup(void **state);
int kv_shared_teardown(void **state);
int kv_test_begin(void **state);
int kv_test_end(void **state);
#define KV_OWN_TEST(t) cmocka_unit_test_setup_teardown(t, kv_test_begin, \
                                                       kv_test_end)

/* A test of the shared group that says the same of every store, under its
 * own name: KV_SHARED_TEST(largest_value) runs test_largest_value. */
#define KV_SHARED_TEST(name) \
    { "test_" #name, kv_test_##name, fx_test_begin, fx_test_end, NULL }

/* Run both groups, "NAME, one shared site" and "NAME, a site each": how
 * many tests failed. */
#define KV_RUN(name, shared_tests, own_tests) \
    (cmocka_run_group_tests_name(name ", one shared site", shared_tests, \
                                 kv_shared_setup, kv_shared_teardown) \
     + cmocka_run_group_tests_name(name ", a site each", own_tests, NULL, \
                                   NULL))

/* A black hole on the server's port (the server killed first), stopped
 * when the test ends or by kv_hole_stop. */
void kv_hole_start(kv_site *s);
void kv_hole_stop(void);

int kv_port(const kv_site *s);

typedef enum {
    KV_KILL,        /* SIGKILL: the port stops answering */
    KV_RESTART,     /* again, empty, on the same port (after KV_KILL) */
    KV_PAUSE,       /* SIGSTOP: connections accepted, never answered */
    KV_RESUME       /* SIGCONT after KV_PAUSE */
} kv_action;

/* Do action to s's server. */
void kv_server(kv_site *s, kv_action action);

/* --- the store, from the outside: failures fail the test ----------------- */

void kv_put(const kv_site *s, const char *key, const char *text);
void kv_put_in(const kv_site *s, int db, const char *key, const char *text);
void kv_drop(const kv_site *s, const char *key);

/* What database db holds under key (owned by s->f), NULL when missing. */
const char *kv_get(const kv_site *s, int db, const char *key);

/* --- what a site does -------------------------------------------------- */

/* GET /index.html with header (NULL: none) for ms, each answer with
 * status and within quick_ms: the state in force stays, whatever the
 * store does. */
void kv_hold(fx *f, const char *header, long status, long ms);

/* Wait until the error log has a line with text. */
void kv_await_log(fx *f, const char *text);

/* Refused (see ctl_refused) within limit_ms. */
void kv_refused_within(ctl_res r, const char *needle, long limit_ms);

/* Every key of the shared site off, and seen so. */
void kv_all_off(kv_site *s);

/* A state with message written to the default key is seen (503, the
 * message in the environment and the page), then "off". */
void kv_check_written(kv_site *s, const char *message);

/* Every key off, then a.test's on: a.test follows it (the message
 * "Only a"), b.test and the main server do not. */
void kv_check_only_a(kv_site *s);

/* django-maintenance-mode's own values: "1" is on, "0" off. */
void kv_check_django_values(kv_site *s);

/* After an outage: changes are seen again, both ways. */
void kv_check_recovered(kv_site s);

/* The server down from the start (killed before httpd starts):
 * MaintenanceFailMode decides (status), and says so once; when the
 * server comes, the state decides (a missing key is off). */
void kv_check_never_read(const char *conf, long status);

/* Reads come from the refresher, one per MaintenanceStateTTL (0.5 s in
 * s's config) per process (the fixture runs one), however many requests
 * there are. The bound is twice the expected count plus a few: loose
 * enough for scheduling, far below one read per request. s is started. */
void kv_check_reads_bounded(kv_site s);

/* A stalled server: maintenancectl --timeout 0.5 on spec is refused,
 * saying needle, then works once the server runs again. */
void kv_check_ctl_stalled(kv_site s, const char *needle);

/* After the state "Kept" is read, each of the values of the sizes
 * (0-terminated) written in turn, each for hold_ms: an error logged
 * once, the state kept. */
void kv_check_oversize(kv_site *s, const size_t *sizes, long hold_ms);

/* Threads GET pages (page_threads), whose answers come from the cached
 * state, and the toggle handler's status (status_threads), which reads
 * the store on the request thread, requests times each, while a flipper
 * writes the default key on and off: the status saw both states. */
void kv_hammer(kv_site *s, int page_threads, int status_threads,
               int requests);

/* --- the shared tests (KV_SHARED_TEST) ----------------------------------- */

/* A key that goes after a state was read from it (an eviction, a flush)
 * leaves that state in force, said once, until a state is written. */
void kv_test_lost_key_keeps_state(void **state);

/* The largest state, 4096 bytes, is read. */
void kv_test_largest_value(void **state);

/* What the toggle handler writes, the store holds (with no expiry) and
 * maintenancectl reads. */
void kv_test_toggle_then_ctl(void **state);

/* What maintenancectl writes (with no expiry), the site and its toggle
 * handler read. */
void kv_test_ctl_then_toggle(void **state);

#endif
