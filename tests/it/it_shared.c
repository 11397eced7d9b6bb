/* One state per server, shared by all its processes: one reader of the
 * store per server (memcache: and s3: reads counted by the stores
 * themselves, under prefork with twenty children), an outage logged once
 * per server, a store that lost the state (memcached restarted) keeping the
 * last one in force, a memcached that accepts and never answers, the
 * counters (/metrics, checked by promtool, and the toggle's JSON), the
 * mod_status section, the reader's own named thread, a toggle seen at once
 * by every process, a graceful
 * restart, and the debug log's account of each decision.
 *
 * Nothing here asserts how fast the module is, beyond the bounds the
 * behaviour itself gives: reads per TTL, and requests that must not wait
 * on a store (made with a timeout of a few seconds). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "awsenv.h"
#include "blackhole.h"
#include "ctl.h"
#include "fixture.h"
#include "memcached.h"
#include "proc.h"
#include "s3store.h"
#include "toggle.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define KEY        "maintenance_mode_state"   /* memcache:'s default key */
#define BUCKET     "mm-shared"
#define OBJECT     "state"
#define KEY_ID     "AKIDMMSHARED00000001"
#define SECRET     "mmShared/4xQv+Lr3Tz0pW7yKc2Nh5Ub8Jd1Fe4Gs"

/* What the reads are counted over, and the clients making requests
 * meanwhile. */
#define WINDOW_MS  10000
#define CLIENTS    6

static mcd *test_mcd;          /* a test's memcached, freed when it ends */
static s3store *test_s3;       /* a test's S3 store, likewise */
static pid_t black_hole;       /* a test's black hole, likewise */

/* --- helpers' life cycle -------------------------------------------------- */

static void stop_black_hole(void)
{
    if (black_hole > 0) {
        kill(black_hole, SIGKILL);
        waitpid(black_hole, NULL, 0);
    }
    black_hole = 0;
}

static void free_helpers(void)
{
    mcd_free(test_mcd);
    test_mcd = NULL;
    s3store_free(test_s3);
    test_s3 = NULL;
    stop_black_hole();
}

/* httpd first (fx_test_end), then its stores: a store gone under a
 * running httpd would be an outage it logs. */
static int test_begin(void **state)
{
    free_helpers();
    return fx_test_begin(state);
}

static int test_end(void **state)
{
    int rc = fx_test_end(state);

    free_helpers();
    return rc;
}

#define SH_TEST(t) cmocka_unit_test_setup_teardown(t, test_begin, test_end)

/* --- sites ---------------------------------------------------------------- */

/* A site under mpm (NULL: the fixture's, FX_MPM or event) whose
 * configuration is FX_TOGGLE_CONF and what printf makes of fmt, with a
 * front page and alice for the toggle. Under prefork, n children, all
 * started at once and kept (StartServers, MaxSpareServers, ServerLimit
 * and MaxRequestWorkers n); n 0: fmt says. */
static fx *new_site(const char *mpm, int n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static fx *new_site(const char *mpm, int n, const char *fmt, ...)
{
    const char *was = getenv("FX_MPM");
    char *saved = was ? strdup(was) : NULL;
    char *conf = NULL, *text = NULL;
    va_list ap;
    fx *f;

    va_start(ap, fmt);
    if (vasprintf(&conf, fmt, ap) < 0) {
        abort();
    }
    va_end(ap);
    if (mpm && !strcmp(mpm, "prefork") && n > 0) {
        /* MinSpareServers 1: with as many spares wanted as children,
         * one busy child would have the parent say it reached
         * MaxRequestWorkers (AH00161). MaxSpareServers n keeps all n. */
        if (asprintf(&text, "StartServers %d\nMinSpareServers 1\n"
                     "MaxSpareServers %d\nServerLimit %d\n"
                     "MaxRequestWorkers %d\n%s%s", n, n, n, n,
                     FX_TOGGLE_CONF, conf) < 0) {
            abort();
        }
    } else if (asprintf(&text, "%s%s", FX_TOGGLE_CONF, conf) < 0) {
        abort();
    }
    free(conf);
    if (mpm) {
        setenv("FX_MPM", mpm, 1);
    }
    f = toggle_new_site(text);
    free(text);
    if (saved) {
        setenv("FX_MPM", saved, 1);
        free(saved);
    } else {
        unsetenv("FX_MPM");
    }
    return f;
}

/* A memcached of the test's own, holding text (NULL: nothing) under KEY. */
static mcd *own_memcached(const char *text)
{
    test_mcd = mcd_start();
    if (text) {
        const char *err = mcd_set(test_mcd, KEY, text, strlen(text));
        if (err) {
            fail_msg("%s", err);
        }
    }
    return test_mcd;
}

static void put(const mcd *m, const char *text)
{
    const char *err = mcd_set(m, KEY, text, strlen(text));

    if (err) {
        fail_msg("%s", err);
    }
}

static long long gets_of(const mcd *m)
{
    long long v = 0;
    const char *err = mcd_stat(m, "cmd_get", &v);

    if (err) {
        fail_msg("%s", err);
    }
    return v;
}

static const char *mc_spec(fx *f, int port)
{
    return fx_fmt(f, "memcache:127.0.0.1:%d", port);
}

/* Wait until the error log has a line with text. */
static void await_log(fx *f, const char *text, long ms)
{
    long until = fx_now_ms() + ms;

    while (fx_log_count(f, text) == 0) {
        if (fx_now_ms() > until) {
            fail_msg("no \"%s\" in the error log after %ld ms", text, ms);
        }
        fx_sleep_ms(50);
    }
}

/* --- requests that must not wait on the store ----------------------------- */

/* GET path on a fresh connection, given at most timeout_s: the status, or
 * -1 when no answer came (*rc says why); *ms how long it took. */
static long quick_get(const fx *f, const char *path, long timeout_s,
                      CURLcode *rc, long *ms)
{
    CURL *c = fx_curl(f, path, timeout_s);
    long status = -1, t0 = fx_now_ms();

    curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
    *rc = curl_easy_perform(c);
    if (*rc == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    }
    curl_easy_cleanup(c);
    if (ms) {
        *ms = fx_now_ms() - t0;
    }
    return status;
}

/* For ms, GET /index.html on fresh connections every 50 ms: each answer
 * comes within FX_QUICK_S and is status. */
static void hold(fx *f, long status, long ms)
{
    long until = fx_now_ms() + ms;

    do {
        CURLcode rc;
        long got = quick_get(f, "/index.html", FX_QUICK_S, &rc, NULL);
        if (got != status) {
            fail_msg("GET /index.html: %s, status %ld, expected %ld (within "
                     "%ld s)", curl_easy_strerror(rc), got, status,
                     FX_QUICK_S);
        }
        fx_sleep_ms(50);
    } while (fx_now_ms() < until);
}

/* n GETs of /index.html, each on a fresh connection (so that prefork
 * spreads them over its children), made at once: every one answers
 * status. */
static void all_answer(fx *f, int n, long status)
{
    for (int i = 0; i < n; i++) {
        CURLcode rc;
        long got = quick_get(f, "/index.html", FX_QUICK_S, &rc, NULL);
        if (got != status) {
            fail_msg("request %d of %d: %s, status %ld, expected %ld", i + 1,
                     n, curl_easy_strerror(rc), got, status);
        }
    }
}

/* --- load: clients on several threads --------------------------------- */

typedef struct {
    const fx *f;
    long until;          /* fx_now_ms() to stop at */
    long want;           /* the status every answer must have */
    long requests;
    long bad_status;     /* the first other status, 0: none */
    CURLcode rc;         /* the first transfer error */
} load_job;

static void *load(void *arg)
{
    load_job *job = arg;
    CURL *c = fx_curl(job->f, "/index.html", FX_QUICK_S);

    /* A connection per request: prefork hands them to its children. */
    curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
    while (fx_now_ms() < job->until) {
        long status = 0;
        CURLcode rc = curl_easy_perform(c);

        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        job->requests++;
        if (rc != CURLE_OK) {
            if (job->rc == CURLE_OK) {
                job->rc = rc;
            }
        } else if (status != job->want && !job->bad_status) {
            job->bad_status = status;
        }
        fx_sleep_ms(5);
    }
    curl_easy_cleanup(c);
    return NULL;
}

/* CLIENTS threads GET /index.html for ms, every answer want; the number
 * of requests made. */
static long load_for(fx *f, long want, long ms)
{
    load_job jobs[CLIENTS];
    pthread_t threads[CLIENTS];
    long until = fx_now_ms() + ms, total = 0;

    for (int i = 0; i < CLIENTS; i++) {
        jobs[i] = (load_job){ .f = f, .until = until, .want = want };
        if (pthread_create(&threads[i], NULL, load, &jobs[i]) != 0) {
            fail_msg("pthread_create failed");
        }
    }
    for (int i = 0; i < CLIENTS; i++) {
        pthread_join(threads[i], NULL);
    }
    for (int i = 0; i < CLIENTS; i++) {
        if (jobs[i].rc != CURLE_OK || jobs[i].bad_status) {
            fail_msg("client %d: %s, status %ld (expected %ld)", i,
                     curl_easy_strerror(jobs[i].rc), jobs[i].bad_status,
                     want);
        }
        total += jobs[i].requests;
    }
    return total;
}

/* At most one read per TTL (1 s) for the server, whatever its children
 * and requests: 10 s hold 11 reads at most (one at each end). */
static void check_reads(const char *store, long long reads, long elapsed,
                        long requests)
{
    long bound = elapsed / 1000 + 1;

    print_message("%s: %ld requests in %ld ms from %d clients, 20 children: "
                  "%lld store reads (at most %ld)\n", store, requests,
                  elapsed, CLIENTS, reads, bound);
    if (requests < 100) {
        fail_msg("only %ld requests: too few to tell reads per request from "
                 "reads per TTL", requests);
    }
    if (reads > bound || reads < bound / 2) {
        fail_msg("%lld reads of the %s store in %ld ms at MaintenanceStateTTL "
                 "1, by a server of 20 processes: expected %ld to %ld (one "
                 "reader per server)", reads, store, elapsed, bound / 2,
                 bound);
    }
}

/* --- the black hole ------------------------------------------------------- */

static int start_black_hole(void)
{
    int port = 0;

    black_hole = blackhole_start(&port);
    return port;
}

/* --- 1, 2. one reader per server ----------------------------------------- */

/* Twenty prefork children, the state on memcached, TTL 1: memcached's own
 * count of gets (stats cmd_get) over 10 s of requests from several
 * clients says one reader for the whole server, once per TTL. */
static void test_memcache_one_reader_per_server(void **state)
{
    mcd *m = own_memcached("on\n");
    fx *f = new_site("prefork", 20, "MaintenanceState memcache:127.0.0.1:%d\n"
                     "MaintenanceStateTTL 1\n", mcd_port(m));
    long long before;
    long t0, requests;

    (void)state;
    fx_start(f);
    FX_ASSERT_STATUS(fx_await_status(f, "/index.html", 503), 503);
    before = gets_of(m);
    t0 = fx_now_ms();
    requests = load_for(f, 503, WINDOW_MS);
    check_reads("memcached", gets_of(m) - before, fx_now_ms() - t0,
                requests);
}

/* The threads named name (as /proc writes it, with its line break) in
 * the children of parent. */
static int threads_named(pid_t parent, const char *name)
{
    pid_t kids[16];
    size_t n = proc_children(parent, kids, 16);
    int named = 0;

    for (size_t i = 0; i < n && i < 16; i++) {
        char dir[64], path[384], comm[32];     /* d_name: 256 at most */
        DIR *d;
        struct dirent *e;

        snprintf(dir, sizeof(dir), "/proc/%ld/task", (long)kids[i]);
        if ((d = opendir(dir)) == NULL) {
            continue;       /* gone meanwhile */
        }
        while ((e = readdir(d)) != NULL) {
            FILE *fp;
            snprintf(path, sizeof(path), "%s/%s/comm", dir, e->d_name);
            if (e->d_name[0] != '.' && (fp = fopen(path, "r")) != NULL) {
                named += fgets(comm, sizeof(comm), fp) && !strcmp(comm, name);
                fclose(fp);
            }
        }
        closedir(d);
    }
    return named;
}

/* The reader runs in a thread of its own in one child of the server's,
 * named so that ps -T and top -H tell it from httpd's "apache2" threads. */
static void test_reader_thread_named(void **state)
{
    fx *f = new_site("prefork", 4, "MaintenanceStateTTL 1\n");
    pid_t parent;
    long deadline;
    int named = 0;

    (void)state;
    fx_start(f);
    FX_ASSERT_STATUS(fx_await_status(f, "/index.html", 200), 200);
    parent = proc_httpd_pid(f);
    for (deadline = fx_now_ms() + 5000;
         (named = threads_named(parent, "maintenance\n")) == 0
         && fx_now_ms() < deadline;) {
        fx_sleep_ms(50);
    }
    assert_int_equal(named, 1);
}

static const s3store_opts S3_OPTS = { BUCKET, KEY_ID, SECRET, NULL, NULL };

/* The credentials httpd reads from its environment at start-up, for the
 * local S3 store. */
static const char *const S3_ENV[] = {
    "AWS_ACCESS_KEY_ID=" KEY_ID, "AWS_SECRET_ACCESS_KEY=" SECRET, NULL
};

/* The same with the state in S3: the store's front counts the GETs (the
 * state object is the only thing read from it). */
static void test_s3_one_reader_per_server(void **state)
{
    const char *missing = s3store_missing();
    fx *f;
    long before, t0, requests;

    (void)state;
    if (missing) {
        fail_msg("%s", missing);
    }
    test_s3 = s3store_start(&S3_OPTS);
    s3store_put(test_s3, OBJECT, "on\n");
    f = new_site("prefork", 20, "MaintenanceState s3:http://127.0.0.1:%d/"
                 BUCKET "/" OBJECT "\nMaintenanceStateTTL 1\n",
                 s3store_port(test_s3));
    awsenv_start(f, S3_ENV);
    FX_ASSERT_STATUS(fx_await_status(f, "/index.html", 503), 503);
    before = s3store_count(test_s3, "GET");
    t0 = fx_now_ms();
    requests = load_for(f, 503, WINDOW_MS);
    check_reads("S3", s3store_count(test_s3, "GET") - before,
                fx_now_ms() - t0, requests);
    assert_int_equal(s3store_count(test_s3, "refused"), 0);
}

/* --- 3. an outage is logged once per server ------------------------------ */

/* Eight prefork children, TTL 0.2: memcached gone for 3 s is one MM00002
 * line for the server (not one per process), and its return one MM00003. */
static void test_outage_logged_once_per_server(void **state)
{
    mcd *m = own_memcached("on\n");
    fx *f = new_site("prefork", 8, "MaintenanceState memcache:127.0.0.1:%d\n"
                     "MaintenanceStateTTL 0.2\n"
                     "MaintenanceStateTimeout 0.5\n", mcd_port(m));

    (void)state;
    fx_expect_log(f, FX_OUTAGE_LOG);
    fx_expect_log(f, FX_LOST_LOG);    /* memcached comes back empty */
    fx_start(f);
    FX_ASSERT_STATUS(fx_await_status(f, "/index.html", 503), 503);

    mcd_kill(m);
    hold(f, 503, 3000);     /* fifteen TTLs; requests over the children */
    FX_ASSERT_LOG_COUNT(f, FX_OUTAGE_LOG, 1);
    FX_ASSERT_LOG_COUNT(f, FX_RECOVERY_LOG, 0);

    mcd_restart(m);
    await_log(f, FX_RECOVERY_LOG, FX_AWAIT_MS);
    put(m, "off\n");
    FX_ASSERT_STATUS(fx_await_status(f, "/index.html", 200), 200);
    fx_sleep_ms(1000);      /* five more TTLs of good reads */
    FX_ASSERT_LOG_COUNT(f, FX_RECOVERY_LOG, 1);
    FX_ASSERT_LOG_COUNT(f, FX_OUTAGE_LOG, 1);
}

/* --- 4. a restarted memcached keeps the site in maintenance -------------- */

/* memcached restarted (empty) while the state is on: the state read stays
 * in force, said once (MM00013), until one is written again. */
static void test_memcached_restart_keeps_state(void **state)
{
    mcd *m = own_memcached(NULL);
    fx *f = new_site(NULL, 0, "%sMaintenanceState memcache:127.0.0.1:%d\n"
                     "MaintenanceStateTTL 0.2\n"
                     "MaintenanceStateTimeout 0.5\n", FX_ENV_HEADERS,
                     mcd_port(m));
    const char *spec = mc_spec(f, mcd_port(m));
    fx_res *r;
    long t0, took;

    (void)state;
    /* The restart may be seen as a short outage, too. */
    fx_expect_log(f, FX_OUTAGE_LOG);
    fx_expect_log(f, FX_LOST_LOG);
    fx_start(f);
    FX_ASSERT_SERVED(fx_get(f, "/index.html"));   /* no key yet: off */
    ctl_ok(CTL_RUN(f, "--state", spec, "on", "--message", "Before"));
    FX_ASSERT_BLOCKED(fx_await_status(f, "/index.html", 503), 503);

    mcd_restart(m);
    await_log(f, FX_LOST_LOG, FX_AWAIT_MS);
    hold(f, 503, 1000);     /* five TTLs, each a read of the missing key */
    r = fx_get(f, "/index.html");
    FX_ASSERT_BLOCKED(r, 503);
    FX_ASSERT_HEADER(r, "X-Message", "Before");
    FX_ASSERT_LOG_COUNT(f, FX_LOST_LOG, 1);

    /* A state written again is followed, both ways. */
    ctl_ok(CTL_RUN(f, "--state", spec, "off"));
    t0 = fx_now_ms();
    FX_ASSERT_SERVED(fx_await_status(f, "/index.html", 200));
    took = fx_now_ms() - t0;
    if (took > 2000) {
        fail_msg("served %ld ms after maintenancectl off, more than ten "
                 "TTLs of 0.2 s", took);
    }
    ctl_ok(CTL_RUN(f, "--state", spec, "on", "--message", "After"));
    r = fx_await_status(f, "/index.html", 503);
    FX_ASSERT_BLOCKED(r, 503);
    FX_ASSERT_HEADER(r, "X-Message", "After");
    FX_ASSERT_LOG_COUNT(f, FX_LOST_LOG, 1);
}

/* --- 5. a memcached that accepts and never answers ----------------------- */

/* GET /index.html on a fresh connection: status, within 2 s. */
static void answers_quickly(fx *f, long status, long *worst)
{
    CURLcode rc;
    long ms, got = quick_get(f, "/index.html", FX_QUICK_S, &rc, &ms);

    if (got != status || ms >= 2000) {
        fail_msg("GET /index.html: %s, status %ld after %ld ms; expected "
                 "%ld within 2 s\n--- error.log\n%s", curl_easy_strerror(rc),
                 got, ms, status, fx_read(f, "logs/error.log"));
    }
    if (ms > *worst) {
        *worst = ms;
    }
}

/* A black hole where memcached should be: requests answer at once, per
 * MaintenanceFailMode (open: served); once a real memcached holding "on"
 * takes the port, the site is in maintenance within 5 s. */
static void test_black_hole_then_restored(void **state)
{
    int port = start_black_hole();
    fx *f = new_site(NULL, 0, "%sMaintenanceState memcache:127.0.0.1:%d\n"
                     "MaintenanceStateTTL 0.2\n"
                     "MaintenanceStateTimeout 0.5\n", FX_ENV_HEADERS, port);
    long worst = 0, t0, until;

    (void)state;
    fx_expect_log(f, FX_OUTAGE_LOG);
    fx_start(f);
    until = fx_now_ms() + 2000;
    while (fx_now_ms() < until) {
        answers_quickly(f, 200, &worst);
        fx_sleep_ms(50);
    }
    await_log(f, FX_OUTAGE_LOG, FX_AWAIT_MS);
    FX_ASSERT_LOG_COUNT(f, FX_OUTAGE_LOG, 1);

    stop_black_hole();
    test_mcd = mcd_start_on(port);
    put(test_mcd, "on\n");
    t0 = fx_now_ms();
    for (;;) {
        CURLcode rc;
        long ms, got = quick_get(f, "/index.html", FX_QUICK_S, &rc, &ms);

        if (got == 503) {
            break;
        }
        if (got != 200 || ms >= 2000) {
            fail_msg("GET /index.html: %s, status %ld after %ld ms\n"
                     "--- error.log\n%s", curl_easy_strerror(rc), got, ms,
                     fx_read(f, "logs/error.log"));
        }
        if (fx_now_ms() - t0 > 5000) {
            fail_msg("still served 5 s after a real memcached holding \"on\" "
                     "took the black hole's port (the provider never "
                     "reconnected?)\n--- error.log\n%s",
                     fx_read(f, "logs/error.log"));
        }
        fx_sleep_ms(50);
    }
    print_message("slowest answer during the black hole: %ld ms; in "
                  "maintenance %ld ms after memcached came\n", worst,
                  fx_now_ms() - t0);
    await_log(f, FX_RECOVERY_LOG, FX_AWAIT_MS);
    FX_ASSERT_LOG_COUNT(f, FX_RECOVERY_LOG, 1);
    FX_ASSERT_LOG_COUNT(f, FX_OUTAGE_LOG, 1);
}

/* --- 6. /metrics and the JSON's counters --------------------------------- */

/* The value of the sample called name ("a_total{policy=\"ip\"}") in
 * Prometheus text. */
static double sample(const char *text, const char *name)
{
    size_t n = strlen(name);

    for (const char *line = text; *line; ) {
        const char *eol = strchr(line, '\n');
        if (!strncmp(line, name, n) && line[n] == ' ') {
            return strtod(line + n + 1, NULL);
        }
        if (!eol) {
            break;
        }
        line = eol + 1;
    }
    fail_msg("no sample %s in:\n%s", name, text);
    return NAN;
}

static double bypass_sample(fx *f, const char *text, const char *policy)
{
    return sample(text, fx_fmt(f, "maintenance_bypass_total{policy=\"%s\"}",
                               policy));
}

/* promtool check metrics takes text: exit 0, and no lint problem said. */
static void promtool_ok(fx *f, const char *text)
{
    const char *cmd;
    const char *out;
    int rc;

    fx_write(f, "metrics.txt", "%s", text);
    cmd = fx_fmt(f, "promtool check metrics < %s/metrics.txt "
                 "> %s/promtool.out 2>&1", fx_dir(f), fx_dir(f));
    rc = system(cmd);
    out = fx_read(f, "promtool.out");
    if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc) != 0 || *out) {
        fail_msg("promtool check metrics: exit %d%s\n%s--- the text\n%s",
                 rc == -1 || !WIFEXITED(rc) ? -1 : WEXITSTATUS(rc),
                 rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 127
                     ? " (no promtool: run tools/deps.sh)" : "",
                 out, text);
    }
}

static const char *const POLICIES[] = {
    "env", "ip", "url", "user", "authenticated", "anonymous", "expr",
    "toggle", "redirect",
};

static json_int_t json_int_at(json_t *obj, const char *path0,
                              const char *path1, const char *raw)
{
    json_t *v = json_object_get(obj, path0);

    if (path1) {
        v = json_object_get(v, path1);
    }
    if (!json_is_integer(v)) {
        fail_msg("metrics.%s%s%s is not an integer in %s", path0,
                 path1 ? "." : "", path1 ? path1 : "", raw);
    }
    return json_integer_value(v);
}

/* Three maintenance answers and two requests let through by
 * MaintenanceIgnoreIP, on a server just started: the counters say
 * exactly that, in Prometheus text promtool finds no fault with, and in
 * the toggle's JSON. The toggle's own requests are let through by the
 * toggle policy, and counted so. */
static void test_metrics(void **state)
{
    fx *f = new_site(NULL, 0, "%s<Location /open>\n"
                     "  MaintenanceIgnoreIP 127.0.0.1\n</Location>\n",
                     FX_ENV_HEADERS);
    fx_res *r;
    const char *text, *raw;
    json_t *m;
    json_error_t err;
    double age;

    (void)state;
    fx_write(f, "htdocs/open/index.html", "open\n");
    fx_write(f, "state/state", "on\n");
    fx_start(f);
    for (int i = 0; i < 3; i++) {
        FX_ASSERT_BLOCKED(fx_get(f, "/index.html"), 503);
    }
    for (int i = 0; i < 2; i++) {
        FX_ASSERT_PASSES(fx_get(f, "/open/"), "ip");
    }

    r = FX_ASSERT_STATUS(fx_get_as(f, ALICE, TOGGLE "/metrics"), 200);
    FX_ASSERT_HEADER(r, "Content-Type",
                     "text/plain; version=0.0.4; charset=utf-8");
    text = r->body;
    for (size_t i = 0; i < 5; i++) {
        static const char *const types[] = {
            "maintenance_answers_total counter",
            "maintenance_bypass_total counter",
            "maintenance_store_reads_total counter",
            "maintenance_state_in_force gauge",
            "maintenance_state_age_seconds gauge",
        };
        char name[64];

        FX_ASSERT_BODY(r, fx_fmt(f, "\n# TYPE %s\n", types[i]));
        sscanf(types[i], "%63s", name);
        FX_ASSERT_BODY(r, fx_fmt(f, "# HELP %s ", name));
    }
    assert_int_equal((long)sample(text, "maintenance_answers_total"), 3);
    for (size_t i = 0; i < sizeof(POLICIES) / sizeof(*POLICIES); i++) {
        long want = !strcmp(POLICIES[i], "ip") ? 2
                  : !strcmp(POLICIES[i], "toggle") ? 1 : 0;
        long got = (long)bypass_sample(f, text, POLICIES[i]);
        if (got != want) {
            fail_msg("maintenance_bypass_total{policy=\"%s\"} is %ld, "
                     "expected %ld", POLICIES[i], got, want);
        }
    }
    assert_true(sample(text, "maintenance_store_reads_total{result=\"ok\"}")
                >= 1);
    assert_int_equal(
        (long)sample(text, "maintenance_store_reads_total{result=\"error\"}"),
        0);
    assert_int_equal((long)sample(text, "maintenance_state_in_force"), 1);
    age = sample(text, "maintenance_state_age_seconds");
    if (!isfinite(age) || age < 0 || age > 10) {
        fail_msg("maintenance_state_age_seconds %g at MaintenanceStateTTL "
                 "0.05", age);
    }
    promtool_ok(f, text);

    /* The toggle's JSON: one more toggle request. */
    r = FX_ASSERT_STATUS(fx_get_as(f, ALICE, TOGGLE "/", FX_ACCEPT_JSON), 200);
    raw = fx_json_raw(f, r, "metrics");
    if (!raw) {
        fail_msg("no member \"metrics\" in %s", r->body);
    }
    if (!(m = json_loads(raw, 0, &err)) || !json_is_object(m)) {
        fail_msg("metrics is not an object: %s", raw);
    }
    assert_int_equal(json_int_at(m, "answers", NULL, raw), 3);
    for (size_t i = 0; i < sizeof(POLICIES) / sizeof(*POLICIES); i++) {
        json_int_t want = !strcmp(POLICIES[i], "ip") ? 2
                        : !strcmp(POLICIES[i], "toggle") ? 2 : 0;
        if (json_int_at(m, "bypass", POLICIES[i], raw) != want) {
            json_decref(m);
            fail_msg("metrics.bypass.%s: expected %lld in %s", POLICIES[i],
                     (long long)want, raw);
        }
    }
    assert_true(json_int_at(m, "store_reads", "ok", raw) >= 1);
    assert_int_equal(json_int_at(m, "store_reads", "error", raw), 0);
    assert_int_equal(json_int_at(m, "state_in_force", NULL, raw), 1);
    if (!json_is_number(json_object_get(m, "state_age_seconds"))
        || !json_is_null(json_object_get(m, "last_error"))) {
        json_decref(m);
        fail_msg("state_age_seconds not a number, or last_error not null: "
                 "%s", raw);
    }
    json_decref(m);
}

/* --- 7. mod_status ------------------------------------------------------- */

#define STATUS_CONF \
    "LoadModule status_module " FX_MODULES_DIR "/mod_status.so\n" \
    "ExtendedStatus On\n" \
    "<Location /server-status>\n" \
    "  SetHandler server-status\n" \
    "  Require ip 127.0.0.1\n" \
    "  MaintenanceForce Off\n" \
    "</Location>\n"

/* The value of "name: value" in /server-status?auto, NULL when absent. */
static const char *status_field(fx *f, const char *text, const char *name)
{
    const char *key = fx_fmt(f, "\n%s: ", name), *at = strstr(text, key);

    if (!at) {
        return NULL;
    }
    at += strlen(key);
    return fx_fmt(f, "%.*s", (int)strcspn(at, "\n"), at);
}

static void assert_field(fx *f, const char *text, const char *name,
                         const char *want)
{
    const char *got = status_field(f, text, name);

    if (!got || strcmp(got, want)) {
        fail_msg("/server-status?auto: %s is %s, expected %s\n%s", name,
                 got ? got : "absent", want, text);
    }
}

static const char *status_auto(fx *f)
{
    return FX_ASSERT_STATUS(fx_get(f, "/server-status?auto"), 200)->body;
}

/* /server-status?auto's section until name's value is want (5 s). */
static const char *await_field(fx *f, const char *name, const char *want)
{
    long until = fx_now_ms() + FX_AWAIT_MS;
    const char *text, *got;

    for (;;) {
        text = status_auto(f);
        got = status_field(f, text, name);
        if (got && !strcmp(got, want)) {
            return text;
        }
        if (fx_now_ms() > until) {
            fail_msg("/server-status?auto: %s still %s, expected %s\n%s",
                     name, got ? got : "absent", want, text);
        }
        fx_sleep_ms(50);
    }
}

/* With ExtendedStatus On, mod_status shows the server's state: on and in
 * force, in the short form and the HTML one; a store error (the file made
 * unreadable) as the last error, the state read staying on; then off. */
static void test_server_status(void **state)
{
    fx *f = new_site(NULL, 0, "%s", STATUS_CONF);
    const char *text, *age;
    fx_res *r;

    (void)state;
    fx_expect_log(f, FX_OUTAGE_LOG);
    fx_write(f, "state/state", "on\n");
    fx_start(f);
    FX_ASSERT_STATUS(fx_get(f, "/index.html"), 503);

    text = status_auto(f);
    assert_field(f, text, "MaintenanceStore",
                 fx_fmt(f, "file:%s/state/state", fx_dir(f)));
    assert_field(f, text, "MaintenanceState", "on");
    assert_field(f, text, "MaintenanceInForce", "1");
    assert_field(f, text, "MaintenanceStart", "-");
    assert_field(f, text, "MaintenanceEnd", "-");
    assert_field(f, text, "MaintenanceLastError", "-");
    age = status_field(f, text, "MaintenanceStateAge");
    if (!age || strtod(age, NULL) < 0 || strtod(age, NULL) > 10) {
        fail_msg("MaintenanceStateAge: %s\n%s", age ? age : "absent", text);
    }

    r = FX_ASSERT_STATUS(fx_get(f, "/server-status"), 200);
    FX_ASSERT_BODY(r, "<h2>Maintenance mode</h2>");
    FX_ASSERT_BODY(r, fx_fmt(f, "<dt>Store</dt><dd>file:%s/state/state</dd>",
                             fx_dir(f)));
    FX_ASSERT_BODY(r, "<dt>State</dt><dd>on</dd>");
    FX_ASSERT_BODY(r, "<dt>In force</dt><dd>yes</dd>");
    FX_ASSERT_BODY(r, "<dt>Start</dt>");
    FX_ASSERT_BODY(r, "<dt>End</dt>");
    FX_ASSERT_BODY(r, "<dt>Seconds since the last good read</dt>");
    FX_ASSERT_BODY(r, "<dt>Last error</dt><dd>none</dd>");

    /* A store error: said, and the state read stays in force. */
    fx_chmod(f, "state/state", 0);
    await_log(f, FX_OUTAGE_LOG, FX_AWAIT_MS);
    text = status_auto(f);
    {
        const char *last = status_field(f, text, "MaintenanceLastError");
        if (!last || !*last || !strcmp(last, "-")) {
            fail_msg("MaintenanceLastError: %s after the state file was "
                     "made unreadable\n%s", last ? last : "absent", text);
        }
        print_message("MaintenanceLastError: %s\n", last);
    }
    assert_field(f, text, "MaintenanceState", "on");
    assert_field(f, text, "MaintenanceInForce", "1");
    r = FX_ASSERT_STATUS(fx_get(f, "/server-status"), 200);
    FX_ASSERT_NO_BODY(r, "<dt>Last error</dt><dd>none</dd>");

    fx_chmod(f, "state/state", 0644);
    fx_state(f, "off\n");
    text = await_field(f, "MaintenanceState", "off");
    assert_field(f, text, "MaintenanceInForce", "0");
    assert_field(f, text, "MaintenanceLastError", "-");
}

/* --- 8. a toggle is seen at once by every process ------------------------ */

/* Eight prefork children, TTL 60 (no re-read comes to help): the toggle's
 * change reaches every child before its answer does. */
static void test_toggle_seen_at_once(void **state)
{
    fx *f = new_site("prefork", 8, "MaintenanceStateTTL 60\n");

    (void)state;
    fx_start(f);
    all_answer(f, 20, 200);
    FX_ASSERT_STATUS(fx_post(f, ALICE, TOGGLE "/on", "message=Everyone",
                             toggle_origin(f)), 303);
    all_answer(f, 20, 503);
    FX_ASSERT_STATUS(fx_post(f, ALICE, TOGGLE "/off", NULL,
                             toggle_origin(f)), 303);
    all_answer(f, 20, 200);
}

/* --- 9. graceful restarts ------------------------------------------------ */

/* A graceful restart, done when httpd says it resumed. */
static void restart(fx *f)
{
    int before = fx_log_count(f, PROC_RESUMED);
    long until = fx_now_ms() + 10000;

    proc_graceful(f);
    while (fx_log_count(f, PROC_RESUMED) == before) {
        if (fx_now_ms() > until) {
            fail_msg("no \"" PROC_RESUMED "\" within 10 s of SIGUSR1");
        }
        fx_sleep_ms(20);
    }
}

/* TTL 60, the state file changed to off behind the module's back, then a
 * graceful restart: every request meanwhile answers 503 or 200 (never an
 * error), and the new generation's first read makes it off within 2 s of
 * the restart's end. */
static void test_graceful_restart_answers(void **state)
{
    fx *f = new_site(NULL, 0, "MaintenanceStateTTL 60\n");
    int before;
    long t0, resumed = 0;

    (void)state;
    fx_write(f, "state/state", "on\n");
    fx_start(f);
    FX_ASSERT_STATUS(fx_get(f, "/index.html"), 503);
    fx_write(f, "state/state", "off\n");
    fx_sleep_ms(200);
    FX_ASSERT_STATUS(fx_get(f, "/index.html"), 503);   /* not read yet */

    before = fx_log_count(f, PROC_RESUMED);
    proc_graceful(f);
    t0 = fx_now_ms();
    for (;;) {
        CURLcode rc;
        long got = quick_get(f, "/index.html", FX_QUICK_S, &rc, NULL);

        if (got != 200 && got != 503) {
            fail_msg("GET /index.html during a graceful restart: %s, "
                     "status %ld", curl_easy_strerror(rc), got);
        }
        if (!resumed && fx_log_count(f, PROC_RESUMED) > before) {
            resumed = fx_now_ms();
        }
        if (got == 200) {
            break;
        }
        if (resumed && fx_now_ms() - resumed > 2000) {
            fail_msg("still 503 2 s after the graceful restart");
        }
        if (fx_now_ms() - t0 > 10000) {
            fail_msg("no \"" PROC_RESUMED "\" within 10 s of SIGUSR1");
        }
        fx_sleep_ms(20);
    }
    all_answer(f, 10, 200);
}

/* The shared state carries over a graceful restart: TTL 60, state on,
 * then the file made unreadable and httpd restarted. The new generation's
 * first read fails (MM00002), yet the site stays in maintenance with its
 * message, where MaintenanceFailMode (open) would serve it. */
static void test_graceful_restart_carries_state(void **state)
{
    fx *f = new_site(NULL, 0, "%sMaintenanceStateTTL 60\n", FX_ENV_HEADERS);
    fx_res *r;

    (void)state;
    fx_expect_log(f, FX_OUTAGE_LOG);
    fx_write(f, "state/state", "on\nmessage=Carried over\n");
    fx_start(f);
    FX_ASSERT_BLOCKED(fx_get(f, "/index.html"), 503);
    fx_chmod(f, "state/state", 0);
    assert_int_equal(fx_log_count(f, FX_OUTAGE_LOG), 0);

    restart(f);
    await_log(f, FX_OUTAGE_LOG, FX_AWAIT_MS);
    hold(f, 503, 1000);
    r = fx_get(f, "/index.html");
    FX_ASSERT_BLOCKED(r, 503);
    FX_ASSERT_HEADER(r, "X-Message", "Carried over");
    FX_ASSERT_LOG_COUNT(f, FX_OUTAGE_LOG, 1);
}

/* --- 10. no process waits for its first state ---------------------------- */

/* Prefork with room to grow: two children at first, up to twenty-four. */
#define GROWING_PREFORK \
    "StartServers 2\nMinSpareServers 1\nMaxSpareServers 24\n" \
    "ServerLimit 24\nMaxRequestWorkers 24\n"

/* The state read before the store went stays in force for the server: for
 * the generation a graceful restart starts and for the children a burst
 * makes prefork spawn, none of which could ever read it. The outage is
 * still one line. spec: the store's MaintenanceState; stop: takes it
 * away. */
static void check_new_processes_keep_state(const char *spec,
                                           const char *const *env,
                                           void (*stop)(void))
{
    fx *f = new_site("prefork", 0, GROWING_PREFORK
                     "MaintenanceState %s\nMaintenanceStateTTL 0.2\n"
                     "MaintenanceStateTimeout 0.5\n", spec);
    long requests;

    fx_expect_log(f, FX_OUTAGE_LOG);
    awsenv_start(f, env);
    FX_ASSERT_STATUS(fx_await_status(f, "/index.html", 503), 503);
    stop();
    await_log(f, FX_OUTAGE_LOG, FX_AWAIT_MS);
    restart(f);
    requests = load_for(f, 503, 3000);
    print_message("%ld requests after the restart, every one 503\n",
                  requests);
    FX_ASSERT_LOG_COUNT(f, FX_OUTAGE_LOG, 1);
}

static void kill_memcached(void)
{
    mcd_kill(test_mcd);
}

static void stop_s3(void)
{
    s3store_stop(test_s3);
}

static void test_new_processes_keep_last_state(void **state)
{
    mcd *m = own_memcached("on\n");
    char spec[64];

    (void)state;
    snprintf(spec, sizeof(spec), "memcache:127.0.0.1:%d", mcd_port(m));
    check_new_processes_keep_state(spec, NULL, kill_memcached);
}

static void test_new_processes_keep_last_state_s3(void **state)
{
    const char *missing = s3store_missing();
    char spec[128];

    (void)state;
    if (missing) {
        fail_msg("%s", missing);
    }
    test_s3 = s3store_start(&S3_OPTS);
    s3store_put(test_s3, OBJECT, "on\n");
    snprintf(spec, sizeof(spec), "s3:http://127.0.0.1:%d/" BUCKET "/" OBJECT,
             s3store_port(test_s3));
    check_new_processes_keep_state(spec, S3_ENV, stop_s3);
}

/* With a store that never answers, nobody waits for it: the first request
 * after a cold start and after a graceful restart answers far within
 * MaintenanceStateTimeout (5 s), as MaintenanceFailMode says. An old
 * child exits once its read gives up, so the new generation needs room
 * beside it (the fixture's ServerLimit is 1 under mpm_event). */
static void test_first_request_never_waits(void **state)
{
    int port = start_black_hole();
    fx *f = new_site(NULL, 0, "ServerLimit 16\n"
                     "MaintenanceState memcache:127.0.0.1:%d\n"
                     "MaintenanceStateTimeout 5\nMaintenanceStateTTL 0.2\n",
                     port);
    CURLcode rc;
    long ms;

    (void)state;
    fx_expect_log(f, FX_OUTAGE_LOG);
    fx_start(f);
    assert_int_equal(quick_get(f, "/index.html", 10, &rc, &ms), 200);
    if (ms >= 2000) {
        fail_msg("the first request took %ld ms: it waited on the store", ms);
    }
    restart(f);
    assert_int_equal(quick_get(f, "/index.html", 10, &rc, &ms), 200);
    if (ms >= 2000) {
        fail_msg("the first request after a graceful restart took %ld ms",
                 ms);
    }
}

/* One virtual host's store hangs (a black hole, calls of 3 s); another's
 * state, a file, still switches within a few of its TTLs (0.05 s). */
static void test_slow_store_delays_no_other(void **state)
{
    int port = start_black_hole();
    fx *f = new_site(NULL, 0,
                     "MaintenanceState file:${TESTDIR}/state/state\n"
                     "<VirtualHost 127.0.0.1:${TESTPORT}>\n"
                     "  ServerName 127.0.0.1\n</VirtualHost>\n"
                     "<VirtualHost 127.0.0.1:${TESTPORT}>\n"
                     "  ServerName hole.test\n"
                     "  MaintenanceState memcache:127.0.0.1:%d\n"
                     "  MaintenanceStateTimeout 3\n</VirtualHost>\n",
                     port);
    long until;

    (void)state;
    fx_expect_log(f, FX_OUTAGE_LOG);
    fx_start(f);
    FX_ASSERT_STATUS(fx_get(f, "/index.html"), 200);
    fx_sleep_ms(500);           /* the black hole's reader is stuck by now */
    fx_write(f, "state/state", "on\n");
    until = fx_now_ms() + 1000;
    while (fx_get(f, "/index.html")->status != 503) {
        if (fx_now_ms() > until) {
            fail_msg("the file's state took over 1 s to be read while "
                     "another store hung");
        }
        fx_sleep_ms(20);
    }
}

/* --- 11. the debug log says why ------------------------------------------ */

/* The number of the line of f's httpd.conf that starts with text. */
static int conf_line(fx *f, const char *text)
{
    const char *conf = fx_read(f, "httpd.conf");
    const char *at = strstr(conf, text);
    int n = 1;

    if (!at) {
        fail_msg("no \"%s\" in httpd.conf", text);
    }
    for (const char *p = conf; p < at; p++) {
        n += *p == '\n';
    }
    return n;
}

/* LogLevel maintenance:debug (the fixture's): one MM00011 line per
 * request, with the decision and its reason. */
static void test_debug_log_says_why(void **state)
{
    fx *f = new_site(NULL, 0, "%s<Location /open>\n"
                     "  MaintenanceIgnoreIP 127.0.0.1\n</Location>\n"
                     "<Location /forced>\n  MaintenanceForce Off\n"
                     "</Location>\n", FX_ENV_HEADERS);
    const char *forced;

    (void)state;
    fx_write(f, "htdocs/open/index.html", "open\n");
    fx_write(f, "htdocs/forced/index.html", "forced\n");
    fx_write(f, "state/state", "on\n");
    fx_start(f);
    FX_ASSERT_PASSES(fx_get(f, "/open/"), "ip");
    FX_ASSERT_BLOCKED(fx_get(f, "/index.html"), 503);
    FX_ASSERT_STATUS(fx_get(f, "/forced/"), 200);
    fx_state(f, "off\n");
    FX_ASSERT_SERVED(fx_get(f, "/index.html"));

    FX_ASSERT_LOG_COUNT(f, "MM00011: let through: state on, policy ip lets "
                        "127.0.0.1 through", 1);
    FX_ASSERT_LOG_COUNT(f, "MM00011: maintenance answer: state on, and no "
                        "policy lets 127.0.0.1 through", 1);
    forced = fx_fmt(f, "MM00011: served: MaintenanceForce Off (line %d of "
                    "%s/httpd.conf)", conf_line(f, "  MaintenanceForce Off"),
                    fx_dir(f));
    FX_ASSERT_LOG_COUNT(f, forced, 1);
    FX_ASSERT_LOG_COUNT(f, "MM00011: served: state off", 1);
    FX_ASSERT_LOG_COUNT(f, "MM00011", 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        SH_TEST(test_memcache_one_reader_per_server),
        SH_TEST(test_s3_one_reader_per_server),
        SH_TEST(test_reader_thread_named),
        SH_TEST(test_outage_logged_once_per_server),
        SH_TEST(test_memcached_restart_keeps_state),
        SH_TEST(test_black_hole_then_restored),
        SH_TEST(test_metrics),
        SH_TEST(test_server_status),
        SH_TEST(test_toggle_seen_at_once),
        SH_TEST(test_graceful_restart_answers),
        SH_TEST(test_graceful_restart_carries_state),
        SH_TEST(test_new_processes_keep_last_state),
        SH_TEST(test_new_processes_keep_last_state_s3),
        SH_TEST(test_first_request_never_waits),
        SH_TEST(test_slow_store_delays_no_other),
        SH_TEST(test_debug_log_says_why),
    };

    return cmocka_run_group_tests_name("shared", tests, NULL, NULL);
}
