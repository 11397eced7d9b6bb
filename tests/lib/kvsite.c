/* A site whose state is in a key-value server of the test's own: see
 * kvsite.h. */
#include "kvsite.h"
#include "blackhole.h"
#include "toggle.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

static kv_config config;     /* kv_init's */
static kv_site shared;       /* the shared group's */
static kv_site own;          /* a test's own server, freed when it ends */
static pid_t hole;           /* a test's black hole */

void kv_init(const kv_config *c)
{
    config = *c;
}

/* --- sites --------------------------------------------------------------- */

fx *kv_new_fx(int port, const char *conf)
{
    fx *f = fx_new_fmt("Define %s %d\n%s", config.port_var, port, conf);

    fx_write(f, "htdocs/index.html", "front page\n");
    if (config.prepare) {
        config.prepare(f);
    }
    return f;
}

kv_site kv_own_site(const char *conf)
{
    kv_site s = { NULL, NULL, NULL };

    config.start(&s);
    own = s;
    s.f = kv_new_fx(kv_port(&s), conf);
    return s;
}

kv_site kv_started_site(const char *conf, const char *text, long status)
{
    kv_site s = kv_own_site(conf);

    fx_expect_log(s.f, FX_OUTAGE_LOG);
    kv_put(&s, KV_KEY, text);
    fx_start(s.f);
    assert_int_equal(fx_await_status(s.f, "/index.html", status)->status,
                     status);
    return s;
}

/* Free s's server, if any: after its httpd, under which a server gone
 * would be an outage it logs. */
static void free_server(kv_site *s)
{
    mcd_free(s->m);
    rds_free(s->r);
    s->m = NULL;
    s->r = NULL;
}

int kv_shared_setup(void **state)
{
    config.start(&shared);
    shared.f = kv_new_fx(kv_port(&shared), config.shared_conf);
    toggle_add_alice(shared.f);
    fx_start(shared.f);
    *state = &shared;
    return 0;
}

int kv_shared_teardown(void **state)
{
    fx_free(shared.f);
    free_server(&shared);
    *state = NULL;
    return 0;
}

int kv_test_begin(void **state)
{
    fx_stop(&hole, SIGKILL, 0);
    free_server(&own);
    return fx_test_begin(state);
}

int kv_test_end(void **state)
{
    fx_stop(&hole, SIGKILL, 0);
    fx_test_end(state);
    free_server(&own);
    return 0;
}

void kv_hole_start(kv_site *s)
{
    int port = kv_port(s);

    kv_server(s, KV_KILL);
    hole = blackhole_start(&port);
}

void kv_hole_stop(void)
{
    fx_stop(&hole, SIGKILL, 0);
}

int kv_port(const kv_site *s)
{
    return s->m ? mcd_port(s->m) : rds_port(s->r);
}

void kv_server(kv_site *s, kv_action action)
{
    static void (*const mc[])(mcd *) = {
        mcd_kill, mcd_restart, mcd_pause, mcd_resume
    };
    static void (*const rd[])(rds *) = {
        rds_kill, rds_restart, rds_pause, rds_resume
    };

    if (s->m) {
        mc[action](s->m);
    } else {
        rd[action](s->r);
    }
}

/* --- the store, from the outside ----------------------------------------- */

/* A client call's failure fails the test. */
static void must(const char *err)
{
    if (err) {
        fail_msg("%s", err);
    }
}

void kv_put(const kv_site *s, const char *key, const char *text)
{
    kv_put_in(s, 0, key, text);
}

void kv_put_in(const kv_site *s, int db, const char *key, const char *text)
{
    size_t len = strlen(text);

    must(s->m ? mcd_set(s->m, key, text, len)
              : rds_set(s->r, db, key, text, len));
}

void kv_drop(const kv_site *s, const char *key)
{
    must(s->m ? mcd_delete(s->m, key) : rds_del(s->r, 0, key));
}

const char *kv_get(const kv_site *s, int db, const char *key)
{
    char *value;
    const char *copy;

    must(s->m ? mcd_get(s->m, key, &value, NULL)
              : rds_get(s->r, db, key, &value, NULL));
    copy = value ? fx_fmt(s->f, "%s", value) : NULL;
    free(value);
    return copy;
}

/* The remaining lifetime of key in seconds, -1 for "never expires". */
static long long kv_ttl(const kv_site *s, const char *key)
{
    long long ttl = 0;
    long mc_ttl = 0;

    if (s->m) {
        must(mcd_ttl(s->m, key, &mc_ttl));
        return mc_ttl;
    }
    must(rds_ttl(s->r, 0, key, &ttl));
    return ttl;
}

/* How many reads the server has had since it started. */
static long long kv_reads(const kv_site *s)
{
    long long n = 0;

    must(s->m ? mcd_stat(s->m, "cmd_get", &n) : rds_calls(s->r, "get", &n));
    return n;
}

/* "on\nmessage=xxx...\n" of exactly len bytes. */
static const char *kv_state_of_size(fx *f, size_t len)
{
    return fx_fmt(f, "on\nmessage=%s\n",
                  fx_filler(f, len - strlen("on\nmessage=\n")));
}

/* --- HTTP that must not wait on the store -------------------------------- */

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

void kv_hold(fx *f, const char *header, long status, long ms)
{
    getter g;
    long got, start, took;

    getter_init(&g, f, "/index.html", header);
    curl_easy_setopt(g.curl, CURLOPT_TIMEOUT_MS, config.quick_ms);
    for (long waited = 0; waited < ms; waited += 50) {
        start = fx_now_ms();
        got = getter_run(&g);
        took = fx_now_ms() - start;
        if (got != status || took >= config.quick_ms) {
            getter_done(&g);
            fail_msg("GET /index.html%s%s: %s, status %ld after %ld ms, "
                     "expected %ld within %ld ms", header ? " " : "",
                     header ? header : "", curl_easy_strerror(g.rc), got,
                     took, status, config.quick_ms);
        }
        fx_sleep_ms(50);
    }
    getter_done(&g);
}

void kv_await_log(fx *f, const char *text)
{
    for (int waited = 0; fx_log_count(f, text) == 0; waited += 50) {
        if (waited >= FX_AWAIT_MS) {
            fail_msg("no \"%s\" in the error log after %d ms", text,
                     FX_AWAIT_MS);
        }
        fx_sleep_ms(50);
    }
}

void kv_refused_within(ctl_res r, const char *needle, long limit_ms)
{
    ctl_refused(r, needle);
    if (r.ms > limit_ms) {
        fail_msg("maintenancectl took %ld ms to give up, more than %ld ms",
                 r.ms, limit_ms);
    }
}

/* --- what a site does ---------------------------------------------------- */

void kv_all_off(kv_site *s)
{
    kv_put(s, KV_KEY, "off\n");
    kv_put(s, KV_KEY_A, "off\n");
    kv_put_in(s, config.db_b, KV_KEY_B, "off\n");
    FX_ASSERT_SERVED(fx_await_status(s->f, "/index.html", 200));
    FX_ASSERT_SERVED(fx_await_status(s->f, "/index.html", 200, KV_HOST_A));
    FX_ASSERT_SERVED(fx_await_status(s->f, "/index.html", 200, KV_HOST_B));
}

void kv_check_written(kv_site *s, const char *message)
{
    kv_put(s, KV_KEY, fx_fmt(s->f, "on\nmessage=%s\n", message));
    fx_res *r = fx_await_status(s->f, "/index.html", 503);
    FX_ASSERT_BLOCKED(r, 503);
    FX_ASSERT_HEADER(r, "X-Message", message);
    FX_ASSERT_BODY(r, message);
    kv_put(s, KV_KEY, "off\n");
    FX_ASSERT_SERVED(fx_await_status(s->f, "/index.html", 200));
}

void kv_check_only_a(kv_site *s)
{
    kv_all_off(s);
    kv_put(s, KV_KEY_A, "on\nmessage=Only a\n");
    fx_res *r = fx_await_status(s->f, "/index.html", 503, KV_HOST_A);
    FX_ASSERT_BLOCKED(r, 503);
    FX_ASSERT_HEADER(r, "X-Message", "Only a");
    FX_ASSERT_SERVED(fx_get(s->f, "/index.html", KV_HOST_B));
    FX_ASSERT_SERVED(fx_get(s->f, "/index.html"));
}

void kv_check_django_values(kv_site *s)
{
    kv_put(s, KV_KEY, "1");
    FX_ASSERT_BLOCKED(fx_await_status(s->f, "/index.html", 503), 503);
    kv_put(s, KV_KEY, "0");
    FX_ASSERT_SERVED(fx_await_status(s->f, "/index.html", 200));
}

void kv_check_recovered(kv_site s)
{
    kv_put(&s, KV_KEY, "off\n");
    FX_ASSERT_SERVED(fx_await_status(s.f, "/index.html", 200));
    kv_put(&s, KV_KEY, "on\nmessage=After the outage\n");
    fx_res *r = fx_await_status(s.f, "/index.html", 503);
    FX_ASSERT_BLOCKED(r, 503);
    FX_ASSERT_HEADER(r, "X-Message", "After the outage");
}

void kv_check_never_read(const char *conf, long status)
{
    kv_site s = kv_own_site(conf);

    fx_expect_log(s.f, FX_OUTAGE_LOG);
    kv_server(&s, KV_KILL);
    fx_start(s.f);
    fx_res *r = fx_get(s.f, "/index.html");
    if (status == 503) {
        FX_ASSERT_BLOCKED(r, 503);
    } else {
        FX_ASSERT_SERVED(r);
    }
    kv_hold(s.f, NULL, status, 500);
    FX_ASSERT_LOG_COUNT(s.f, FX_OUTAGE_LOG, 1);

    kv_server(&s, KV_RESTART);
    kv_await_log(s.f, FX_RECOVERY_LOG);
    FX_ASSERT_SERVED(fx_await_status(s.f, "/index.html", 200));
    kv_check_recovered(s);
}

void kv_check_reads_bounded(kv_site s)
{
    long long before, reads;
    long start, elapsed, requests = 0, bound;
    getter g;

    getter_init(&g, s.f, "/index.html", NULL);
    before = kv_reads(&s);
    start = fx_now_ms();
    while ((elapsed = fx_now_ms() - start) < 2000) {
        if (getter_run(&g) != 200) {
            getter_done(&g);
            fail_msg("GET /index.html: %s", curl_easy_strerror(g.rc));
        }
        requests++;
    }
    reads = kv_reads(&s) - before;
    getter_done(&g);
    bound = 2 * (elapsed / 500 + 1) + 2;
    print_message("%ld requests in %ld ms: %lld %s reads (bound %ld)\n",
                  requests, elapsed, reads, s.m ? "memcached" : "redis",
                  bound);
    if (requests < 10 * bound) {
        fail_msg("only %ld requests: too few to tell reads per request from "
                 "reads per TTL", requests);
    }
    assert_in_range(reads, 1, bound);
}

void kv_check_ctl_stalled(kv_site s, const char *needle)
{
    const char *spec = config.ctl_spec(s.f, kv_port(&s), NULL);

    kv_server(&s, KV_PAUSE);
    kv_refused_within(CTL_RUN(s.f, "--timeout", "0.5", "--state", spec,
                              "status"), needle, 2000);
    kv_refused_within(CTL_RUN(s.f, "--timeout", "0.5", "--state", spec,
                              "on"), needle, 2000);
    kv_server(&s, KV_RESUME);
    ctl_ok(CTL_RUN(s.f, "--timeout", "0.5", "--state", spec, "on"));
    const char *out = ctl_status(CTL_RUN(s.f, "--state", spec, "status"), 1);
    assert_string_equal(ctl_first_line(s.f, out), "on");
}

void kv_check_oversize(kv_site *s, const size_t *sizes, long hold_ms)
{
    fx_expect_log(s->f, FX_OUTAGE_LOG);
    kv_all_off(s);
    kv_put(s, KV_KEY, "on\nmessage=Kept\n");
    FX_ASSERT_BLOCKED(fx_await_status(s->f, "/index.html", 503), 503);
    for (const size_t *size = sizes; *size; size++) {
        kv_put(s, KV_KEY, kv_state_of_size(s->f, *size));
        if (size == sizes) {
            kv_await_log(s->f, FX_OUTAGE_LOG);
        }
        kv_hold(s->f, NULL, 503, hold_ms);
    }
    fx_res *r = fx_get(s->f, "/index.html");
    FX_ASSERT_BLOCKED(r, 503);
    FX_ASSERT_HEADER(r, "X-Message", "Kept");
    FX_ASSERT_LOG_COUNT(s->f, FX_OUTAGE_LOG, 1);
    FX_ASSERT_LOG_COUNT(s->f, "larger than 4096 bytes", 1);
    kv_put(s, KV_KEY, "off\n");
    FX_ASSERT_SERVED(fx_await_status(s->f, "/index.html", 200));
    kv_await_log(s->f, FX_RECOVERY_LOG);
}

/* --- many threads at once ------------------------------------------------ */

#define MAX_HAMMERS 16
#define FLIP_MS     3

typedef struct {
    const fx *f;
    int status_page;     /* the toggle's status, not a page */
    int requests;
    long counts[2];      /* pages: 200s, 503s; status: off, on */
    long bad_status;     /* the first unexpected status, 0: none */
    CURLcode rc;         /* the first connection error */
} hammer_job;

typedef struct {
    const kv_site *s;
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
    for (int i = 0; i < job->requests; i++) {
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
    const kv_site *s = job->s;
    char text[64];

    while (!should_stop(job)) {
        const char *err;
        size_t n = (size_t)(job->flips % 2
                            ? snprintf(text, sizeof(text), "off\n")
                            : snprintf(text, sizeof(text),
                                       "on\nmessage=flip %ld\n", job->flips));

        err = s->m ? mcd_set(s->m, KV_KEY, text, n)
                   : rds_set(s->r, 0, KV_KEY, text, n);
        if (err && !*job->error) {
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

void kv_hammer(kv_site *s, int page_threads, int status_threads,
               int requests)
{
    int n = page_threads + status_threads;
    hammer_job jobs[MAX_HAMMERS];
    pthread_t threads[MAX_HAMMERS], flip;
    flipper_job fj = { .s = s };
    long pages[2] = { 0, 0 }, states[2] = { 0, 0 };

    assert_true(n <= MAX_HAMMERS);
    kv_all_off(s);
    pthread_mutex_init(&fj.lock, NULL);
    if (pthread_create(&flip, NULL, flipper, &fj) != 0) {
        fail_msg("pthread_create failed");
    }
    for (int i = 0; i < n; i++) {
        jobs[i] = (hammer_job){ .f = s->f, .status_page = i >= page_threads,
                                .requests = requests };
        if (pthread_create(&threads[i], NULL, hammer, &jobs[i]) != 0) {
            fail_msg("pthread_create failed");
        }
    }
    for (int i = 0; i < n; i++) {
        pthread_join(threads[i], NULL);
    }
    stop_flipper(&fj, flip);

    for (int i = 0; i < n; i++) {
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
    /* The status, read from the store each time, saw both states: the
     * provider was read while the state changed under it. */
    assert_true(states[0] > 0 && states[1] > 0);
    kv_put(s, KV_KEY, "off\n");
    FX_ASSERT_SERVED(fx_await_status(s->f, "/index.html", 200));
}

/* --- the shared tests ---------------------------------------------------- */

void kv_test_lost_key_keeps_state(void **state)
{
    kv_site *s = *state;
    int before = fx_log_count(s->f, FX_LOST_LOG);

    fx_expect_log(s->f, FX_LOST_LOG);
    kv_all_off(s);
    kv_put(s, KV_KEY, "on\n");
    FX_ASSERT_BLOCKED(fx_await_status(s->f, "/index.html", 503), 503);
    kv_drop(s, KV_KEY);
    kv_hold(s->f, NULL, 503, FX_SETTLE_MS);     /* reads of the missing key */
    assert_int_equal(fx_log_count(s->f, FX_LOST_LOG), before + 1);
    assert_int_equal(fx_log_count(s->f, FX_OUTAGE_LOG), 0);
    kv_put(s, KV_KEY, "off\n");
    FX_ASSERT_SERVED(fx_await_status(s->f, "/index.html", 200));
}

void kv_test_largest_value(void **state)
{
    kv_site *s = *state;

    kv_all_off(s);
    kv_put(s, KV_KEY, kv_state_of_size(s->f, 4096));
    fx_res *r = fx_await_status(s->f, "/index.html", 503);
    FX_ASSERT_BLOCKED(r, 503);
    assert_int_equal(strlen(fx_header(r, "X-Message")), 4096 - 12);
    kv_put(s, KV_KEY, "off\n");
    FX_ASSERT_SERVED(fx_await_status(s->f, "/index.html", 200));
}

void kv_test_toggle_then_ctl(void **state)
{
    kv_site *s = *state;
    const char *spec = config.ctl_spec(s->f, kv_port(s), NULL);

    kv_all_off(s);
    FX_ASSERT_STATUS(fx_post(s->f, ALICE, TOGGLE "/on",
                             "message=From+the+toggle", FX_ACCEPT_JSON), 200);
    const char *value = kv_get(s, 0, KV_KEY);
    assert_non_null(value);
    assert_int_equal(strncmp(value, "on\n", 3), 0);
    FX_ASSERT_CONTAINS(KV_KEY, value, "\nmessage=From the toggle\n");
    FX_ASSERT_CONTAINS(KV_KEY, value, "\nby=alice\n");
    assert_int_equal(kv_ttl(s, KV_KEY), -1);
    FX_ASSERT_BLOCKED(fx_await_status(s->f, "/index.html", 503), 503);

    const char *out = ctl_status(CTL_RUN(s->f, "--state", spec, "status"), 1);
    assert_string_equal(ctl_first_line(s->f, out), "on");
    assert_string_equal(ctl_field(s->f, out, "message"), "From the toggle");
    assert_string_equal(ctl_field(s->f, out, "by"), "alice");

    FX_ASSERT_STATUS(fx_post(s->f, ALICE, TOGGLE "/off", NULL, FX_ACCEPT_JSON),
                     200);
    out = ctl_status(CTL_RUN(s->f, "--state", spec, "status"), 0);
    assert_string_equal(ctl_first_line(s->f, out), "off");
    FX_ASSERT_SERVED(fx_await_status(s->f, "/index.html", 200));
}

void kv_test_ctl_then_toggle(void **state)
{
    kv_site *s = *state;
    const char *spec = config.ctl_spec(s->f, kv_port(s), NULL);

    kv_all_off(s);
    ctl_ok(CTL_RUN(s->f, "--state", spec, "on", "--message", "From the CLI"));
    FX_ASSERT_CONTAINS(KV_KEY, kv_get(s, 0, KV_KEY),
                       "message=From the CLI\n");
    assert_int_equal(kv_ttl(s, KV_KEY), -1);
    fx_res *r = fx_await_status(s->f, "/index.html", 503);
    FX_ASSERT_BLOCKED(r, 503);
    FX_ASSERT_BODY(r, "From the CLI");

    r = FX_ASSERT_STATUS(fx_get_as(s->f, ALICE, TOGGLE "/", FX_ACCEPT_JSON),
                         200);
    assert_string_equal(fx_json_str(s->f, r, "state"), "on");
    assert_string_equal(fx_json_str(s->f, r, "message"), "From the CLI");

    const char *out = ctl_ok(CTL_RUN(s->f, "--state", spec, "off"));
    assert_string_equal(ctl_first_line(s->f, out), "off");
    r = FX_ASSERT_STATUS(fx_get_as(s->f, ALICE, TOGGLE "/", FX_ACCEPT_JSON),
                         200);
    assert_string_equal(fx_json_str(s->f, r, "state"), "off");
    FX_ASSERT_SERVED(fx_await_status(s->f, "/index.html", 200));
}
