/* The memcache: state provider against a real
 * memcached: the default key and a key per virtual host; states written
 * from outside through the memcached protocol, by the toggle handler and
 * by maintenancectl; a missing key and an oversize value; memcached
 * killed, stalled, never there, and a black hole in its place; bad specs;
 * many threads at once; and reads bounded by MaintenanceStateTTL, not by
 * requests.
 *
 * Nothing here asserts how fast the module is; where it must not wait on
 * memcached, requests are made with a timeout of a few seconds, so that a
 * request stuck behind a dead or stalled memcached fails the test. */
#include "ctl.h"
#include "fixture.h"
#include "memcached.h"
#include "toggle.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define KEY          "maintenance_mode_state"   /* the default key */
#define KEY_A        "site_a"
#define KEY_B        "site_b"
#define HOST_A       "Host: a.test"
#define HOST_B       "Host: b.test"

/* A httpd and the memcached holding its state. */
typedef struct {
    fx *f;
    mcd *m;
} site;

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
    "  MaintenanceState memcache:127.0.0.1:${MCPORT}/" KEY_A "\n"
    "</VirtualHost>\n"
    "<VirtualHost 127.0.0.1:${TESTPORT}>\n  ServerName b.test\n"
    "  MaintenanceState memcache:127.0.0.1:${MCPORT}/" KEY_B "\n"
    "</VirtualHost>\n";

/* A site of one state, whose calls give up after 0.2 s. */
#define OWN_CONF \
    FX_ENV_HEADERS \
    "MaintenanceState memcache:127.0.0.1:${MCPORT}\n" \
    "MaintenanceStateTimeout 0.2\n"

static site shared;     /* the first group's */
static mcd *test_mcd;   /* a test's own memcached, stopped when it ends */
static pid_t hole;      /* a test's black hole (black_hole_start), too */

/* --- sites --------------------------------------------------------------- */

/* A fixture whose config may name the memcached port as ${MCPORT}. */
static fx *new_fx(int mcport, const char *conf)
{
    fx *f = fx_new_fmt("Define MCPORT %d\n%s", mcport, conf);

    fx_write(f, "htdocs/index.html", "front page\n");
    return f;
}

/* A site with a memcached of the test's own (httpd not started yet). */
static site own_site(const char *conf)
{
    site s;

    s.m = test_mcd = mcd_start();
    s.f = new_fx(mcd_port(s.m), conf);
    return s;
}

static int shared_setup(void **state)
{
    shared.m = mcd_start();
    shared.f = new_fx(mcd_port(shared.m), SHARED_CONF);
    toggle_add_alice(shared.f);
    fx_start(shared.f);
    *state = &shared;
    return 0;
}

static int shared_teardown(void **state)
{
    /* httpd first: memcached gone under it would be an outage it logs. */
    fx_free(shared.f);
    mcd_free(shared.m);
    *state = NULL;
    return 0;
}

/* A test's own memcached outlives its httpd, which fx_test_end stops; if
 * that fails the test (and skips the rest), the next test begins by
 * stopping it, and at exit whatever is left is killed. */
static int test_begin(void **state)
{
    mcd_free(test_mcd);
    test_mcd = NULL;
    return fx_test_begin(state);
}

static int test_end(void **state)
{
    fx_stop(&hole, SIGKILL, 0);
    fx_test_end(state);
    mcd_free(test_mcd);
    test_mcd = NULL;
    return 0;
}

#define MC_TEST(t) cmocka_unit_test_setup_teardown(t, test_begin, test_end)

/* --- memcached, from the outside ----------------------------------------- */

static void put(const mcd *m, const char *key, const char *text)
{
    const char *err = mcd_set(m, key, text, strlen(text));

    if (err) {
        fail_msg("%s", err);
    }
}

static void drop(const mcd *m, const char *key)
{
    const char *err = mcd_delete(m, key);

    if (err) {
        fail_msg("%s", err);
    }
}

/* What memcached holds under key (owned by f), NULL when missing. */
static const char *in_memcached(fx *f, const mcd *m, const char *key)
{
    char *value;
    const char *err = mcd_get(m, key, &value, NULL), *copy;

    if (err) {
        fail_msg("%s", err);
    }
    copy = value ? fx_fmt(f, "%s", value) : NULL;
    free(value);
    return copy;
}

static long long stat_of(const mcd *m, const char *name)
{
    long long v = 0;
    const char *err = mcd_stat(m, name, &v);

    if (err) {
        fail_msg("%s", err);
    }
    return v;
}

/* "on\nmessage=xxx...\n" of exactly len bytes. */
static const char *state_of_size(fx *f, size_t len)
{
    return fx_fmt(f, "on\nmessage=%s\n",
                  fx_filler(f, len - strlen("on\nmessage=\n")));
}

/* --- HTTP that must not wait on memcached -------------------------------- */

/* GETs on a curl handle of their own, bounded by FX_QUICK_S: the
 * fixture's requests wait 20 s and are not thread-safe. One getter reuses
 * its connection. */
typedef struct {
    CURL *curl;
    struct curl_slist *headers;
    CURLcode rc;
    char body[1024];     /* the start of the last answer's body */
    size_t len;
} getter;

static size_t keep_start(char *data, size_t size, size_t n, void *ud)
{
    getter *g = ud;
    size_t room = sizeof(g->body) - 1 - g->len;
    size_t take = size * n < room ? size * n : room;

    memcpy(g->body + g->len, data, take);
    g->len += take;
    g->body[g->len] = '\0';
    return size * n;
}

/* GET path with one extra header (NULL: none). */
static void getter_init(getter *g, const fx *f, const char *path,
                        const char *header)
{
    g->curl = fx_curl(f, path, FX_QUICK_S);
    g->headers = header ? curl_slist_append(NULL, header) : NULL;
    curl_easy_setopt(g->curl, CURLOPT_HTTPHEADER, g->headers);
    curl_easy_setopt(g->curl, CURLOPT_WRITEFUNCTION, keep_start);
    curl_easy_setopt(g->curl, CURLOPT_WRITEDATA, g);
}

/* The status, or -1 when no answer came (g->rc says why). */
static long getter_run(getter *g)
{
    long status = -1;

    g->len = 0;
    g->body[0] = '\0';
    g->rc = curl_easy_perform(g->curl);
    if (g->rc == CURLE_OK) {
        curl_easy_getinfo(g->curl, CURLINFO_RESPONSE_CODE, &status);
    }
    return status;
}

static void getter_done(getter *g)
{
    curl_easy_cleanup(g->curl);
    curl_slist_free_all(g->headers);
}

/* GET /index.html with host (NULL: none) for ms, each answer quick and
 * with status: the state in force stays, whatever memcached does. */
static void hold(fx *f, const char *host, long status, long ms)
{
    getter g;
    long got;

    getter_init(&g, f, "/index.html", host);
    for (long waited = 0; waited < ms; waited += 50) {
        if ((got = getter_run(&g)) != status) {
            getter_done(&g);
            fail_msg("GET /index.html%s%s: %s, status %ld, expected %ld "
                     "(within %ld s)", host ? " " : "", host ? host : "",
                     curl_easy_strerror(g.rc), got, status, FX_QUICK_S);
        }
        fx_sleep_ms(50);
    }
    getter_done(&g);
}

/* Wait until the error log has a line with text. */
static void await_log(fx *f, const char *text)
{
    for (int waited = 0; fx_log_count(f, text) == 0; waited += 50) {
        if (waited >= FX_AWAIT_MS) {
            fail_msg("no \"%s\" in the error log after %d ms", text,
                     FX_AWAIT_MS);
        }
        fx_sleep_ms(50);
    }
}

/* --- maintenancectl ------------------------------------------------------ */

static const char *spec_of(fx *f, int port, const char *key)
{
    return key ? fx_fmt(f, "memcache:127.0.0.1:%d/%s", port, key)
               : fx_fmt(f, "memcache:127.0.0.1:%d", port);
}

/* Refused (see ctl_refused) within limit_ms. */
static void refused_within(ctl_res r, const char *needle, long limit_ms)
{
    ctl_refused(r, needle);
    if (r.ms > limit_ms) {
        fail_msg("maintenancectl took %ld ms to give up, more than %ld ms",
                 r.ms, limit_ms);
    }
}

/* --- one shared site: states written from outside ----------------------- */

/* Every test of the shared group starts with every key off. */
static void all_off(site *s)
{
    put(s->m, KEY, "off\n");
    put(s->m, KEY_A, "off\n");
    put(s->m, KEY_B, "off\n");
    FX_ASSERT_SERVED(fx_await_status(s->f, "/index.html", 200));
    FX_ASSERT_SERVED(fx_await_status(s->f, "/index.html", 200, HOST_A));
    FX_ASSERT_SERVED(fx_await_status(s->f, "/index.html", 200, HOST_B));
}

static void test_default_key(void **state)
{
    site *s = *state;

    all_off(s);
    put(s->m, KEY, "on\nmessage=From memcached\n");
    fx_res *r = fx_await_status(s->f, "/index.html", 503);
    FX_ASSERT_BLOCKED(r, 503);
    FX_ASSERT_HEADER(r, "X-Message", "From memcached");
    FX_ASSERT_BODY(r, "From memcached");
    put(s->m, KEY, "off\n");
    FX_ASSERT_SERVED(fx_await_status(s->f, "/index.html", 200));
}

/* django-maintenance-mode's own values. */
static void test_django_values(void **state)
{
    site *s = *state;

    all_off(s);
    put(s->m, KEY, "1");
    FX_ASSERT_BLOCKED(fx_await_status(s->f, "/index.html", 503), 503);
    put(s->m, KEY, "0");
    FX_ASSERT_SERVED(fx_await_status(s->f, "/index.html", 200));
}

/* A key that goes after a state was read from it (an eviction, a flush)
 * leaves that state in force, said once, until a state is written. */
static void test_lost_key_keeps_state(void **state)
{
    site *s = *state;
    int before = fx_log_count(s->f, FX_LOST_LOG);

    fx_expect_log(s->f, FX_LOST_LOG);
    all_off(s);
    put(s->m, KEY, "on\n");
    FX_ASSERT_BLOCKED(fx_await_status(s->f, "/index.html", 503), 503);
    drop(s->m, KEY);
    hold(s->f, NULL, 503, FX_SETTLE_MS);    /* more reads of the missing key */
    assert_int_equal(fx_log_count(s->f, FX_LOST_LOG), before + 1);
    assert_int_equal(fx_log_count(s->f, FX_OUTAGE_LOG), 0);
    put(s->m, KEY, "off\n");
    FX_ASSERT_SERVED(fx_await_status(s->f, "/index.html", 200));
}

/* Each virtual host follows its own key, and no other. */
static void test_vhost_keys(void **state)
{
    site *s = *state;

    all_off(s);
    put(s->m, KEY_A, "on\nmessage=Only a\n");
    fx_res *r = fx_await_status(s->f, "/index.html", 503, HOST_A);
    FX_ASSERT_BLOCKED(r, 503);
    FX_ASSERT_HEADER(r, "X-Message", "Only a");
    FX_ASSERT_SERVED(fx_get(s->f, "/index.html", HOST_B));
    FX_ASSERT_SERVED(fx_get(s->f, "/index.html"));

    put(s->m, KEY_A, "off\n");
    put(s->m, KEY_B, "on\nmessage=Only b\n");
    r = fx_await_status(s->f, "/index.html", 503, HOST_B);
    FX_ASSERT_BLOCKED(r, 503);
    FX_ASSERT_HEADER(r, "X-Message", "Only b");
    FX_ASSERT_SERVED(fx_await_status(s->f, "/index.html", 200, HOST_A));
    FX_ASSERT_SERVED(fx_get(s->f, "/index.html"));

    /* The default key is the main server's alone. */
    put(s->m, KEY_B, "off\n");
    put(s->m, KEY, "on\n");
    FX_ASSERT_BLOCKED(fx_await_status(s->f, "/index.html", 503), 503);
    FX_ASSERT_SERVED(fx_await_status(s->f, "/index.html", 200, HOST_B));
    FX_ASSERT_SERVED(fx_get(s->f, "/index.html", HOST_A));
    put(s->m, KEY, "off\n");
}

/* The largest state, 4096 bytes, is read. */
static void test_largest_value(void **state)
{
    site *s = *state;
    const char *text = state_of_size(s->f, 4096);

    all_off(s);
    put(s->m, KEY, text);
    fx_res *r = fx_await_status(s->f, "/index.html", 503);
    FX_ASSERT_BLOCKED(r, 503);
    assert_int_equal(strlen(fx_header(r, "X-Message")), 4096 - 12);
    put(s->m, KEY, "off\n");
    FX_ASSERT_SERVED(fx_await_status(s->f, "/index.html", 200));
}

/* One byte more is an error, logged once; the last state stays. */
static void test_oversize_value(void **state)
{
    site *s = *state;

    fx_expect_log(s->f, FX_OUTAGE_LOG);
    all_off(s);
    put(s->m, KEY, "on\nmessage=Kept\n");
    FX_ASSERT_BLOCKED(fx_await_status(s->f, "/index.html", 503), 503);
    put(s->m, KEY, state_of_size(s->f, 4097));
    await_log(s->f, FX_OUTAGE_LOG);
    hold(s->f, NULL, 503, 500);
    fx_res *r = fx_get(s->f, "/index.html");
    FX_ASSERT_BLOCKED(r, 503);
    FX_ASSERT_HEADER(r, "X-Message", "Kept");
    FX_ASSERT_LOG_COUNT(s->f, FX_OUTAGE_LOG, 1);
    FX_ASSERT_LOG_COUNT(s->f, "larger than 4096 bytes", 1);
    put(s->m, KEY, "off\n");
    FX_ASSERT_SERVED(fx_await_status(s->f, "/index.html", 200));
    await_log(s->f, FX_RECOVERY_LOG);
}

/* --- one shared site: the toggle handler and maintenancectl -------------- */

/* What the toggle handler writes, memcached holds (with no expiry) and
 * maintenancectl reads. */
static void test_toggle_then_ctl(void **state)
{
    site *s = *state;
    const char *spec = spec_of(s->f, mcd_port(s->m), NULL);
    long ttl;

    all_off(s);
    FX_ASSERT_STATUS(fx_post(s->f, ALICE, TOGGLE "/on",
                             "message=From+the+toggle", FX_ACCEPT_JSON), 200);
    const char *value = in_memcached(s->f, s->m, KEY);
    assert_non_null(value);
    assert_int_equal(strncmp(value, "on\n", 3), 0);
    FX_ASSERT_CONTAINS(KEY, value, "\nmessage=From the toggle\n");
    FX_ASSERT_CONTAINS(KEY, value, "\nby=alice\n");
    assert_null(mcd_ttl(s->m, KEY, &ttl));
    assert_int_equal(ttl, -1);
    FX_ASSERT_BLOCKED(fx_await_status(s->f, "/index.html", 503), 503);

    const char *out = ctl_ok(CTL_RUN(s->f, "--state", spec, "status"));
    assert_string_equal(ctl_first_line(s->f, out), "on");
    assert_string_equal(ctl_field(s->f, out, "message"), "From the toggle");
    assert_string_equal(ctl_field(s->f, out, "by"), "alice");

    FX_ASSERT_STATUS(fx_post(s->f, ALICE, TOGGLE "/off", NULL, FX_ACCEPT_JSON),
                     200);
    out = ctl_ok(CTL_RUN(s->f, "--state", spec, "status"));
    assert_string_equal(ctl_first_line(s->f, out), "off");
    FX_ASSERT_SERVED(fx_await_status(s->f, "/index.html", 200));
}

/* What maintenancectl writes, the site and its toggle handler read. */
static void test_ctl_then_toggle(void **state)
{
    site *s = *state;
    const char *spec = spec_of(s->f, mcd_port(s->m), NULL);
    long ttl;

    all_off(s);
    ctl_ok(CTL_RUN(s->f, "--state", spec, "on", "--message", "From the CLI"));
    FX_ASSERT_CONTAINS(KEY, in_memcached(s->f, s->m, KEY),
                       "message=From the CLI\n");
    assert_null(mcd_ttl(s->m, KEY, &ttl));
    assert_int_equal(ttl, -1);
    fx_res *r = fx_await_status(s->f, "/index.html", 503);
    FX_ASSERT_BLOCKED(r, 503);
    FX_ASSERT_BODY(r, "From the CLI");

    r = FX_ASSERT_STATUS(fx_get_as(s->f, ALICE, TOGGLE "/", FX_ACCEPT_JSON),
                         200);
    assert_string_equal(fx_json_str(s->f, r, "state"), "on");
    assert_string_equal(fx_json_str(s->f, r, "message"), "From the CLI");

    ctl_ok(CTL_RUN(s->f, "--state", spec, "off"));
    r = FX_ASSERT_STATUS(fx_get_as(s->f, ALICE, TOGGLE "/", FX_ACCEPT_JSON),
                         200);
    assert_string_equal(fx_json_str(s->f, r, "state"), "off");
    FX_ASSERT_SERVED(fx_await_status(s->f, "/index.html", 200));
}

/* A key per virtual host, through both writers. */
static void test_writers_per_vhost(void **state)
{
    site *s = *state;

    all_off(s);
    ctl_ok(CTL_RUN(s->f, "--state", spec_of(s->f, mcd_port(s->m), KEY_A),
                   "on"));
    FX_ASSERT_BLOCKED(fx_await_status(s->f, "/index.html", 503, HOST_A), 503);
    FX_ASSERT_SERVED(fx_get(s->f, "/index.html", HOST_B));
    FX_ASSERT_SERVED(fx_get(s->f, "/index.html"));
    assert_string_equal(ctl_first_line(s->f, in_memcached(s->f, s->m, KEY)),
                        "off");

    /* b.test's toggle writes b.test's key. */
    FX_ASSERT_STATUS(fx_post(s->f, ALICE, TOGGLE "/on", NULL, FX_ACCEPT_JSON,
                             HOST_B), 200);
    assert_string_equal(ctl_first_line(s->f, in_memcached(s->f, s->m, KEY_B)),
                        "on");
    assert_string_equal(ctl_first_line(s->f, in_memcached(s->f, s->m, KEY)),
                        "off");
    FX_ASSERT_BLOCKED(fx_await_status(s->f, "/index.html", 503, HOST_B), 503);
    const char *out = ctl_ok(CTL_RUN(s->f, "--state",
                                     spec_of(s->f, mcd_port(s->m), KEY_B),
                                     "status"));
    assert_string_equal(ctl_first_line(s->f, out), "on");
    assert_string_equal(ctl_field(s->f, out, "by"), "alice");
    FX_ASSERT_SERVED(fx_get(s->f, "/index.html"));
}

/* --- one shared site: many threads at once ------------------------------- */

/* Sixteen threads: most GET a page, whose answers come from the cached
 * state; some GET the toggle handler's status, which reads memcached on
 * the request thread, so the provider is called from many threads at
 * once (with the refresher's reads and the flipper's writes). */
#define PAGE_THREADS   12
#define STATUS_THREADS 4
#define HAMMERS        (PAGE_THREADS + STATUS_THREADS)
#define REQUESTS       200
#define FLIP_MS        3

typedef struct {
    const fx *f;
    int status_page;     /* the toggle's status, not a page */
    long counts[2];      /* pages: 200s, 503s; status: off, on */
    long bad_status;     /* the first unexpected status, 0: none */
    CURLcode rc;         /* the first connection error */
} hammer_job;

typedef struct {
    const mcd *m;
    pthread_mutex_t lock;
    int stop;
    long flips;
    char error[512];     /* the first failed write */
} flipper_job;

/* Whether one answer is as it must be; if so, count it. */
static int hammer_count(hammer_job *job, long status, const char *body)
{
    if (!job->status_page) {
        if (status != 200 && status != 503) {
            return 0;
        }
        job->counts[status == 503]++;
        return 1;
    }
    /* The toggle's status is never in maintenance, and says the state. */
    if (status != 200) {
        return 0;
    }
    job->counts[strstr(body, "\"state\":\"on\"") != NULL]++;
    return 1;
}

static void *hammer(void *arg)
{
    hammer_job *job = arg;
    getter g;

    if (job->status_page) {
        getter_init(&g, job->f, TOGGLE "/", FX_ACCEPT_JSON);
        curl_easy_setopt(g.curl, CURLOPT_USERPWD, ALICE);
    } else {
        getter_init(&g, job->f, "/index.html", NULL);
    }
    /* A connection each: with every worker busy, mpm_event closes idle
     * keep-alive connections unannounced, and a client reusing one then
     * fails through no fault of the module. */
    curl_easy_setopt(g.curl, CURLOPT_FORBID_REUSE, 1L);
    for (int i = 0; i < REQUESTS; i++) {
        long status = getter_run(&g);

        if (hammer_count(job, status, g.body)) {
            continue;
        }
        if (g.rc != CURLE_OK && job->rc == CURLE_OK) {
            job->rc = g.rc;
        } else if (g.rc == CURLE_OK && !job->bad_status) {
            job->bad_status = status;
        }
    }
    getter_done(&g);
    return NULL;
}

static int should_stop(flipper_job *job)
{
    int stop;

    pthread_mutex_lock(&job->lock);
    stop = job->stop;
    pthread_mutex_unlock(&job->lock);
    return stop;
}

/* Flip the default key on and off every FLIP_MS until told to stop. */
static void *flipper(void *arg)
{
    flipper_job *job = arg;
    char text[64];

    while (!should_stop(job)) {
        const char *err;
        int n = job->flips % 2
                ? snprintf(text, sizeof(text), "off\n")
                : snprintf(text, sizeof(text), "on\nmessage=flip %ld\n",
                           job->flips);

        if ((err = mcd_set(job->m, KEY, text, (size_t)n)) && !*job->error) {
            snprintf(job->error, sizeof(job->error), "%s", err);
        }
        job->flips++;
        fx_sleep_ms(FLIP_MS);
    }
    return NULL;
}

static void stop_flipper(flipper_job *fj, pthread_t thread)
{
    pthread_mutex_lock(&fj->lock);
    fj->stop = 1;
    pthread_mutex_unlock(&fj->lock);
    pthread_join(thread, NULL);
    pthread_mutex_destroy(&fj->lock);
}

static void test_hammer(void **state)
{
    site *s = *state;
    hammer_job jobs[HAMMERS];
    pthread_t threads[HAMMERS], flip;
    flipper_job fj = { .m = s->m };
    long pages[2] = { 0, 0 }, states[2] = { 0, 0 };

    /* As many clients as the fixture has workers: httpd may say it is
     * full, which says nothing about the module. */
    fx_expect_log(s->f, "AH00484");
    all_off(s);
    pthread_mutex_init(&fj.lock, NULL);
    if (pthread_create(&flip, NULL, flipper, &fj) != 0) {
        fail_msg("pthread_create failed");
    }
    for (int i = 0; i < HAMMERS; i++) {
        jobs[i] = (hammer_job){ .f = s->f, .status_page = i >= PAGE_THREADS };
        if (pthread_create(&threads[i], NULL, hammer, &jobs[i]) != 0) {
            fail_msg("pthread_create failed");
        }
    }
    for (int i = 0; i < HAMMERS; i++) {
        pthread_join(threads[i], NULL);
    }
    stop_flipper(&fj, flip);

    for (int i = 0; i < HAMMERS; i++) {
        if (jobs[i].rc != CURLE_OK || jobs[i].bad_status) {
            fail_msg("thread %d (%s): %s, status %ld", i,
                     jobs[i].status_page ? "toggle status" : "page",
                     curl_easy_strerror(jobs[i].rc), jobs[i].bad_status);
        }
        long *sum = jobs[i].status_page ? states : pages;
        sum[0] += jobs[i].counts[0];
        sum[1] += jobs[i].counts[1];
    }
    if (*fj.error) {
        fail_msg("flipping the state: %s", fj.error);
    }
    print_message("pages: %ld answers 200, %ld answers 503; status: %ld off, "
                  "%ld on; %ld flips\n", pages[0], pages[1], states[0],
                  states[1], fj.flips);
    /* The status, read from memcached each time, saw both states: the
     * provider was read while the state changed under it. */
    assert_true(states[0] > 0 && states[1] > 0);
    put(s->m, KEY, "off\n");
    FX_ASSERT_SERVED(fx_await_status(s->f, "/index.html", 200));
}

/* --- a site each: outages ------------------------------------------------ */

typedef struct {
    const char *state;    /* in force when the outage begins */
    long status;          /* ...and so the answer throughout */
    int stall;            /* SIGSTOP, not SIGKILL */
} outage;

/* After an outage: changes are seen again, both ways. */
static void check_recovered(site s)
{
    put(s.m, KEY, "off\n");
    FX_ASSERT_SERVED(fx_await_status(s.f, "/index.html", 200));
    put(s.m, KEY, "on\nmessage=After the outage\n");
    fx_res *r = fx_await_status(s.f, "/index.html", 503);
    FX_ASSERT_BLOCKED(r, 503);
    FX_ASSERT_HEADER(r, "X-Message", "After the outage");
}

/* The state in force when memcached goes stays, every answer comes
 * without waiting on memcached, and the outage is one log line; when
 * memcached is back, so are the reads, said once at notice. */
static void check_outage(const outage *o)
{
    site s = own_site(OWN_CONF);

    fx_expect_log(s.f, FX_OUTAGE_LOG);
    put(s.m, KEY, o->state);
    fx_start(s.f);
    assert_int_equal(fx_await_status(s.f, "/index.html", o->status)->status,
                     o->status);

    if (o->stall) {
        mcd_pause(s.m);
        await_log(s.f, "did not answer within");
    } else {
        mcd_kill(s.m);
        await_log(s.f, FX_OUTAGE_LOG);
    }
    hold(s.f, NULL, o->status, 1000);   /* some twenty reads that fail */
    fx_res *r = fx_get(s.f, "/index.html");
    FX_ASSERT_STATUS(r, o->status);
    FX_ASSERT_HEADER(r, "X-Mode", o->status == 503 ? "on" : "off");
    if (o->status == 503) {
        FX_ASSERT_HEADER(r, "X-Message", "Before the outage");
    }
    FX_ASSERT_LOG_COUNT(s.f, FX_OUTAGE_LOG, 1);
    assert_int_equal(fx_log_count(s.f, FX_RECOVERY_LOG), 0);

    if (o->stall) {
        mcd_resume(s.m);
    } else {
        /* Empty: the key is lost, and the state read stays in force. */
        fx_expect_log(s.f, FX_LOST_LOG);
        mcd_restart(s.m);
    }
    await_log(s.f, FX_RECOVERY_LOG);
    if (!o->stall) {
        await_log(s.f, FX_LOST_LOG);
        hold(s.f, NULL, o->status, FX_SETTLE_MS);
        FX_ASSERT_LOG_COUNT(s.f, FX_LOST_LOG, 1);
    }
    check_recovered(s);
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

/* memcached down from the start (killed before httpd starts):
 * MaintenanceFailMode decides, and says so once; when memcached comes,
 * the state decides (a missing key is off). */
static void check_never_read(const char *conf, long status)
{
    site s = own_site(conf);

    fx_expect_log(s.f, FX_OUTAGE_LOG);
    mcd_kill(s.m);
    fx_start(s.f);
    fx_res *r = fx_get(s.f, "/index.html");
    if (status == 503) {
        FX_ASSERT_BLOCKED(r, 503);
    } else {
        FX_ASSERT_SERVED(r);
    }
    hold(s.f, NULL, status, 500);
    FX_ASSERT_LOG_COUNT(s.f, FX_OUTAGE_LOG, 1);

    mcd_restart(s.m);
    await_log(s.f, FX_RECOVERY_LOG);
    FX_ASSERT_SERVED(fx_await_status(s.f, "/index.html", 200));
    check_recovered(s);
}

static void test_never_read_fail_closed(void **state)
{
    (void)state;
    check_never_read(OWN_CONF "MaintenanceFailMode closed\n", 503);
}

static void test_never_read_fail_open(void **state)
{
    (void)state;
    check_never_read(OWN_CONF, 200);
}

/* Reads come from the refresher, one per MaintenanceStateTTL per process
 * (the fixture runs one), however many requests there are. The bound is
 * twice the expected count plus a few: loose enough for scheduling, far
 * below one read per request. */
static void test_reads_bounded_by_ttl(void **state)
{
    site s = own_site(OWN_CONF "MaintenanceStateTTL 0.5\n");
    long long before, reads;
    long start, elapsed, requests = 0, bound;
    getter g;

    (void)state;
    put(s.m, KEY, "off\n");
    fx_start(s.f);
    FX_ASSERT_SERVED(fx_get(s.f, "/index.html"));
    getter_init(&g, s.f, "/index.html", NULL);
    before = stat_of(s.m, "cmd_get");
    start = fx_now_ms();
    while ((elapsed = fx_now_ms() - start) < 2000) {
        if (getter_run(&g) != 200) {
            getter_done(&g);
            fail_msg("GET /index.html: %s", curl_easy_strerror(g.rc));
        }
        requests++;
    }
    reads = stat_of(s.m, "cmd_get") - before;
    getter_done(&g);
    bound = 2 * (elapsed / 500 + 1) + 2;
    print_message("%ld requests in %ld ms: %lld memcached reads (bound %ld)\n",
                  requests, elapsed, reads, bound);
    if (requests < 10 * bound) {
        fail_msg("only %ld requests: too few to tell reads per request from "
                 "reads per TTL", requests);
    }
    assert_in_range(reads, 1, bound);
}

/* Two servers, one memcached: one maintenancectl switches both (the
 * issue's "done when"). */
static void test_two_servers_one_switch(void **state)
{
    site s = own_site(OWN_CONF);
    fx *other = new_fx(mcd_port(s.m), OWN_CONF);
    const char *spec = spec_of(s.f, mcd_port(s.m), NULL);

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

    refused_within(CTL_RUN(f, "--timeout", "1", "--state", spec, "status"),
                   where, 2000);
    refused_within(CTL_RUN(f, "--timeout", "1", "--state", spec, "on"),
                   where, 2000);
    refused_within(CTL_RUN(f, "--timeout", "1", "--state", spec, "off"),
                   where, 2000);
}

/* A memcached that accepts and never answers: refused within --timeout
 * (and a little for its start and exit), then fine once it answers. */
static void test_ctl_stalled_memcached(void **state)
{
    (void)state;
    site s = own_site("");
    const char *spec = spec_of(s.f, mcd_port(s.m), NULL);

    mcd_pause(s.m);
    refused_within(CTL_RUN(s.f, "--timeout", "0.5", "--state", spec, "status"),
                   "did not answer", 2000);
    refused_within(CTL_RUN(s.f, "--timeout", "0.5", "--state", spec, "on"),
                   "did not answer", 2000);
    mcd_resume(s.m);
    ctl_ok(CTL_RUN(s.f, "--timeout", "0.5", "--state", spec, "on"));
    const char *out = ctl_ok(CTL_RUN(s.f, "--state", spec, "status"));
    assert_string_equal(ctl_first_line(s.f, out), "on");
}

/* A listener on port that accepts connections and never answers, as a
 * host gone silent does (a partition, a dead VM, a firewall's black
 * hole), unlike a stopped memcached, whose kernel answers once it is
 * resumed: a child process, so that killing it closes the port. The port
 * is bound before the fork, so it accepts as soon as this returns. */
static void black_hole_start(int port)
{
    struct sockaddr_in sa = { .sin_family = AF_INET };
    pid_t parent = getpid();
    int one = 1, s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    sa.sin_port = htons((unsigned short)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s < 0
        || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0
        || bind(s, (struct sockaddr *)&sa, sizeof(sa)) != 0
        || listen(s, 64) != 0) {
        fail_msg("a black hole on port %d: %s", port, strerror(errno));
    }
    fflush(NULL);
    if ((hole = fork()) < 0) {
        fail_msg("a black hole on port %d: fork: %s", port, strerror(errno));
    }
    if (hole == 0) {
        /* Never outlive the test binary, even if it crashes. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) {
            _exit(0);
        }
        /* Every connection kept open, never read, never answered. */
        for (;;) {
            accept(s, NULL, NULL);
        }
    }
    close(s);
}

/* A black hole where memcached was, then memcached back on its port:
 * each call is refused within --timeout, saying so, and once memcached
 * answers, the state is current again within 5 s. */
static void test_ctl_black_hole_then_memcached(void **state)
{
    (void)state;
    site s = own_site("");
    const char *spec = spec_of(s.f, mcd_port(s.m), NULL);
    const char *out;
    long back;

    mcd_kill(s.m);
    black_hole_start(mcd_port(s.m));
    refused_within(CTL_RUN(s.f, "--timeout", "0.5", "--state", spec, "status"),
                   "did not answer within 500 ms", 2000);
    refused_within(CTL_RUN(s.f, "--timeout", "0.5", "--state", spec, "on"),
                   "did not answer within 500 ms", 2000);

    back = fx_now_ms();
    fx_stop(&hole, SIGKILL, 0);
    mcd_restart(s.m);
    put(s.m, KEY, "on\nmessage=Back\n");
    out = ctl_ok(CTL_RUN(s.f, "--timeout", "0.5", "--state", spec, "status"));
    assert_string_equal(ctl_first_line(s.f, out), "on");
    assert_string_equal(ctl_field(s.f, out, "message"), "Back");
    ctl_ok(CTL_RUN(s.f, "--timeout", "0.5", "--state", spec, "off"));
    assert_string_equal(ctl_first_line(s.f, in_memcached(s.f, s.m, KEY)),
                        "off");
    if (fx_now_ms() - back > 5000) {
        fail_msg("the state was current again %ld ms after the black hole "
                 "went, more than 5 s", fx_now_ms() - back);
    }
}

/* --- configtest ---------------------------------------------------------- */

/* Specs configtest takes (it connects to nothing). */
static const char *const GOOD_SPECS[] = {
    "memcache:127.0.0.1:11211",
    "memcache:localhost:11211/" KEY_A,
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
        FX_TEST(test_lost_key_keeps_state),
        FX_TEST(test_vhost_keys),
        FX_TEST(test_largest_value),
        FX_TEST(test_oversize_value),
        FX_TEST(test_toggle_then_ctl),
        FX_TEST(test_ctl_then_toggle),
        FX_TEST(test_writers_per_vhost),
        FX_TEST(test_hammer),
    };
    const struct CMUnitTest own_tests[] = {
        MC_TEST(test_killed_while_on),
        MC_TEST(test_killed_while_off),
        MC_TEST(test_stalled_while_on),
        MC_TEST(test_stalled_while_off),
        MC_TEST(test_never_read_fail_closed),
        MC_TEST(test_never_read_fail_open),
        MC_TEST(test_reads_bounded_by_ttl),
        MC_TEST(test_two_servers_one_switch),
        MC_TEST(test_ctl_dead_memcached),
        MC_TEST(test_ctl_stalled_memcached),
        MC_TEST(test_ctl_black_hole_then_memcached),
        MC_TEST(test_good_specs),
        MC_TEST(test_bad_specs),
    };
    int failed = 0;

    failed += cmocka_run_group_tests_name("memcache, one shared site",
                                          shared_tests, shared_setup,
                                          shared_teardown);
    failed += cmocka_run_group_tests_name("memcache, a site each", own_tests,
                                          NULL, NULL);
    return failed;
}
