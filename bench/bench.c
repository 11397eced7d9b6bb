/* make bench: what mod_maintenance costs a real httpd, against the same
 * httpd without it. Every server is one the integration tests' fixture
 * (tests/lib) writes and starts: its base httpd.conf, mpm_event, and each
 * configuration's few lines below, serving the 1 KiB page /index.html.
 *
 *   throughput     wrk rounds against the servers running side by side:
 *                  each configuration alternates with plain httpd (ABBA,
 *                  so that a drift of the machine's speed hits both
 *                  alike); its ratio to plain is the median of the rounds';
 *   instructions   apache2 -X under callgrind, counting only inside
 *                  ap_process_async_request: one run of WARMUP keep-alive
 *                  requests and one of WARMUP + REQUESTS, the difference
 *                  divided by REQUESTS, so that start-up and the first
 *                  requests (lazy binding, the first state read) cancel
 *                  out; the median of CALLGRIND_PAIRS such pairs;
 *   syscalls       strace -c attached to apache2 -X's threads after WARMUP
 *                  requests, for REQUESTS more; the module's state reader's
 *                  thread apart, per second;
 *   store reads    memcached's own count of gets while prefork with
 *                  PREFORK_CHILDREN children serves wrk for READS_SECONDS:
 *                  one server should read once per TTL, whatever its
 *                  processes.
 *
 * Throughput on a shared machine is noisy; the counts are the numbers to
 * trust for small differences. Knobs, from the environment: BENCH_ROUNDS
 * (wrk rounds per configuration, 5), BENCH_SECONDS (one round's length,
 * 2), BENCH_REQUESTS (the requests counted under callgrind and strace,
 * 1000). Everything runs on 127.0.0.1, every command within a deadline,
 * and whatever the bench started stops when it exits. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* vasprintf, mkdtemp */
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"
#include "memcached.h"
#include "proc.h"
#include "redis.h"
#include "s3store.h"

#define PAGE          "/index.html"
#define WARMUP        50
#define WRK_THREADS   "2"
#define WRK_CONNS     "32"
#define MAX_ROUNDS    50
#define AB_MS         300000   /* REQUESTS under callgrind take seconds */
#define STRACE_MS     15000
/* The names of the fixture's temporary directories change hash chains
 * and the alignment of strings by a few instructions from run to run. */
#define CALLGRIND_PAIRS 3
#define PREFORK_CHILDREN 20
#define READS_SECONDS 10
#define READS_CONNS   "10"     /* fewer than the children: none waits */

/* The local S3 store's bucket and its one key: made up. */
#define S3_BUCKET     "bench"
#define S3_KEY_ID     "BENCHACCESSKEY"
#define S3_SECRET     "bench-secret-key"

/* Added to every configuration. One connection carries all the requests
 * counted, where httpd's default closes it every 100. The fixture's
 * LogLevel maintenance:debug, which logs every request's decision, gives
 * way to a site's usual warn. The fixture's access
 * log gives way to one that logs nothing (no request has the variable it
 * asks for, which mod_log_config checks before any other work): writing
 * it would add about 1,900 instructions and a write to every
 * configuration alike, and a 503's, logged once httpd has closed the
 * connection, would fall outside callgrind's count. */
#define COMMON_CONF \
    "MaxKeepAliveRequests 0\nLogLevel warn\n" \
    "CustomLog ${TESTDIR}/logs/access.log common env=bench-logs-none\n"

/* Added for the wrk rounds: a worker for every connection and as many
 * spare, where the fixture's 16 make httpd log that it reached
 * MaxRequestWorkers, which fails the fixture's log check. */
#define WRK_CONF \
    "ThreadsPerChild 64\nMaxRequestWorkers 64\nMaxSpareThreads 64\n"

/* The module as a site would have it: the state read once a second (the
 * fixture's 0.05 s would have strace count twenty reads a second as the
 * requests' syscalls), and a few ignore policies, none matching
 * 127.0.0.1, which a request runs through only in maintenance. */
#define MODULE_CONF \
    "MaintenanceStateTTL 1\n" \
    "MaintenanceIgnoreURL ^/admin ^/health\n" \
    "MaintenanceIgnoreURL ^/status/\n" \
    "MaintenanceIgnoreIP 10.0.0.0/8 192.168.1.1\n" \
    "MaintenanceIgnoreIP 172.16.0.0/12 2001:db8::/32\n"

/* The usual hand-made switch: 503 while a flag file exists. The flag is
 * absent, so this is the cost of the check alone. */
#define REWRITE_CONF \
    "RewriteEngine On\n" \
    "RewriteCond ${TESTDIR}/maintenance.flag -f\n" \
    "RewriteRule ^ - [R=503,L]\n"

enum store { NO_STORE, MEMCACHE, S3, REDIS, NSTORES };

typedef struct config {
    const char *label;
    int module;             /* loads mod_maintenance */
    const char *conf;       /* printf format; %d: the store's port */
    enum store store;
    int on;                 /* the state file says on */
    int counted;            /* measured under callgrind and strace too */
    int skipped;            /* its store cannot run here */
    double rps[MAX_ROUNDS], ratio[MAX_ROUNDS];
    double instr, syscalls, background;
} config;

static config configs[] = {
    { .label = "plain", .conf = "", .counted = 1 },
    { .label = "module off", .module = 1, .conf = MODULE_CONF,
      .counted = 1 },
    { .label = "module on (503)", .module = 1, .conf = MODULE_CONF, .on = 1,
      .counted = 1 },
    { .label = "off via memcache", .module = 1, .store = MEMCACHE,
      .conf = "MaintenanceState memcache:127.0.0.1:%d\n" MODULE_CONF },
    { .label = "off via redis", .module = 1, .store = REDIS,
      .conf = "MaintenanceState redis:127.0.0.1:%d\n" MODULE_CONF },
    { .label = "off via s3", .module = 1, .store = S3,
      .conf = "MaintenanceState s3:http://127.0.0.1:%d/" S3_BUCKET "/state\n"
              MODULE_CONF },
    { .label = "rewrite recipe", .conf = REWRITE_CONF, .counted = 1 },
};
#define NCONFIGS (sizeof(configs) / sizeof(*configs))
#define PLAIN (&configs[0])
#define MODULE_OFF (&configs[1])

/* Plain's rounds, each run next to another configuration's. */
static double plain_rps[MAX_ROUNDS * NCONFIGS];
static int plain_rounds;

static int rounds, seconds, requests;
static char workdir[64];        /* the bench's outputs and logs */
static char *module_so;         /* MODULE_SO as the bench was given it */
static int store_port[NSTORES];
static mcd *store_mcd;
static double reads_per_ttl;

/* --- small utilities ----------------------------------------------------- */

static void die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;

    fputs("bench: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static char *format(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static char *format(const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0) {
        abort();
    }
    va_end(ap);
    return s;
}

/* The end of a command's output, for a failure message: the bench's
 * directory goes when it exits. */
static const char *tail_of(const char *log)
{
    static char buf[2048];

    return fx_file_tail(log, buf, sizeof(buf));
}

static int knob(const char *name, int fallback, int max)
{
    const char *value = getenv(name);
    int n = value && *value ? atoi(value) : fallback;

    if (n < 1 || n > max) {
        die("%s must be a number from 1 to %d", name, max);
    }
    return n;
}

/* A file of the bench's directory. */
static char *work(const char *name)
{
    return format("%s/%s", workdir, name);
}

/* The whole text of path, "" when it cannot be read; the caller frees. */
static char *slurp(const char *path)
{
    char *text = NULL;
    size_t len = 0;
    FILE *fp = fopen(path, "r");

    if (!fp || getdelim(&text, &len, '\0', fp) < 0) {
        free(text);
        text = format("%s", "");
    }
    if (fp) {
        fclose(fp);
    }
    return text;
}

/* The number after the first label in path's text. */
static int find_number(const char *path, const char *label, double *out)
{
    char *text = slurp(path), *at = strstr(text, label);
    int found = at && sscanf(at + strlen(label), "%lf", out) == 1;

    free(text);
    return found;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static double median(const double *v, int n)
{
    double s[MAX_ROUNDS * NCONFIGS];

    memcpy(s, v, n * sizeof(*v));
    qsort(s, n, sizeof(*s), by_value);
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* Run argv (found in PATH) with its output in the file log, for at most
 * ms: its exit status. Past the deadline it is killed, and the bench
 * stops. */
static int run(const char *const argv[], const char *log, long ms)
{
    pid_t pid;
    int status;

    unlink(log);
    pid = fx_spawn(argv, log, SIGKILL, NULL);
    if (!fx_reap(pid, ms, &status)) {
        fx_stop(&pid, SIGKILL, 1000);
        die("%s took more than %ld s:\n%s", argv[0], ms / 1000,
            tail_of(log));
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* --- servers ------------------------------------------------------------- */

/* A fixture for c, not started: its httpd.conf (with extra), the page,
 * the state. */
static fx *site(const config *c, const char *extra)
{
    static const char head[] =
        "<!DOCTYPE html>\n<html><head><title>bench</title></head><body>\n"
        "<p>mod_maintenance bench page</p>\n<!-- ";
    static const char tail[] = " -->\n</body></html>\n";
    char *conf = format(c->conf, store_port[c->store]), *snippet;
    char page[1025];
    fx *f;

    snippet = format("%s%s%s", COMMON_CONF, extra, conf);
    /* The fixture reads MODULE_SO when it writes httpd.conf. */
    if (!c->module) {
        setenv("MODULE_SO", "none", 1);
    } else if (module_so) {
        setenv("MODULE_SO", module_so, 1);
    } else {
        unsetenv("MODULE_SO");
    }
    f = fx_new(snippet);
    free(snippet);
    free(conf);
    /* Exactly 1 KiB, so that what is measured is httpd's work per
     * request, not copying. */
    memset(page, 'x', sizeof(page));
    memcpy(page, head, strlen(head));
    memcpy(page + 1024 - strlen(tail), tail, sizeof(tail));
    fx_write(f, "htdocs/index.html", "%s", page);
    if (c->on) {
        fx_state(f, "on\n");
    }
    return f;
}

/* fx_start as one process, apache2 -X, under wrapper unless it is NULL:
 * the fixture's knobs set for this start alone. */
static void start_single(fx *f, const char *wrapper)
{
    setenv("FX_HTTPD_ONE_PROCESS", "1", 1);
    if (wrapper) {
        setenv("FX_HTTPD_WRAPPER", wrapper, 1);
    }
    fx_start(f);
    unsetenv("FX_HTTPD_ONE_PROCESS");
    unsetenv("FX_HTTPD_WRAPPER");
}

/* The measures mean nothing unless each server answers as it should. */
static void check_answer(fx *f, const config *c)
{
    long want = c->on ? 503 : 200;
    long got = fx_get(f, PAGE)->status;

    if (got != want) {
        die("%s answered %ld to " PAGE ", not %ld", c->label, got, want);
    }
}

static char *url(const fx *f)
{
    return format("http://127.0.0.1:%d" PAGE, fx_port(f));
}

/* count keep-alive requests on one connection (ab reconnects only when
 * httpd closes it, as it does after a 503). */
static void drive(const fx *f, int count, const char *log)
{
    char *n = format("%d", count), *u = url(f);
    const char *const argv[] = { "ab", "-k", "-q", "-n", n, "-c", "1",
                                 "-s", "60", u, NULL };
    double done = 0;

    if (run(argv, log, AB_MS) != 0
        || !find_number(log, "Complete requests:", &done) || done != count) {
        die("ab did not complete %d requests:\n%s", count, tail_of(log));
    }
    free(n);
    free(u);
}

/* --- throughput ---------------------------------------------------------- */

static double wrk_round(const fx *f, const char *log)
{
    char *d = format("%ds", seconds), *u = url(f);
    const char *const argv[] = { "wrk", "-t" WRK_THREADS, "-c" WRK_CONNS,
                                 "-d", d, u, NULL };
    double rps = 0;

    if (run(argv, log, seconds * 1000L + 30000) != 0
        || !find_number(log, "Requests/sec:", &rps)) {
        die("wrk failed:\n%s", tail_of(log));
    }
    free(d);
    free(u);
    return rps;
}

static void throughput(void)
{
    fx *sites[NCONFIGS];
    char *log = work("wrk.log");
    size_t i;

    printf("\nthroughput: wrk -t" WRK_THREADS " -c" WRK_CONNS " -d%ds; "
           "each round's ratio to plain, %d rounds\n", seconds, rounds);
    for (i = 0; i < NCONFIGS; i++) {
        if (!configs[i].skipped) {
            sites[i] = site(&configs[i], WRK_CONF);
            fx_start(sites[i]);
            check_answer(sites[i], &configs[i]);
        }
    }
    for (i = 1; i < NCONFIGS; i++) {
        config *c = &configs[i];
        if (c->skipped) {
            continue;
        }
        /* Not counted: the first requests page in files and fill caches. */
        wrk_round(sites[0], log);
        wrk_round(sites[i], log);
        printf("  %-18s", c->label);
        for (int r = 0; r < rounds; r++) {
            double plain, other;
            if (r % 2) {
                other = wrk_round(sites[i], log);
                plain = wrk_round(sites[0], log);
            } else {
                plain = wrk_round(sites[0], log);
                other = wrk_round(sites[i], log);
            }
            plain_rps[plain_rounds++] = plain;
            c->rps[r] = other;
            c->ratio[r] = other / plain;
            printf(" %.3f", c->ratio[r]);
            fflush(stdout);
        }
        printf("\n");
    }
    for (i = 0; i < NCONFIGS; i++) {
        if (!configs[i].skipped) {
            fx_free(sites[i]);
        }
    }
    free(log);
}

/* --- instructions -------------------------------------------------------- */

/* The instructions callgrind counts in apache2 -X for c, serving WARMUP +
 * count requests. */
static double callgrind_run(const config *c, int count)
{
    char *out = work("callgrind.out"), *log = work("ab.log"), *wrapper;
    double total = 0;
    fx *f = site(c, "");
    int fd;

    /* httpd becomes its User before callgrind writes its counts, at exit,
     * to the file it opened at start-up: the User must be able to. */
    fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0 || fchmod(fd, 0666) != 0 || close(fd) != 0) {
        die("%s: %s", out, strerror(errno));
    }
    /* mpm_event serves a request in ap_process_async_request (a sync
     * MPM's ap_process_request calls it, and two toggles would stop the
     * count inside). valgrind's own messages go to a file: the fixture
     * takes any line on httpd's stderr for a problem. */
    wrapper = format("valgrind --tool=callgrind --vgdb=no "
                     "--toggle-collect=ap_process_async_request "
                     "--callgrind-out-file=%s "
                     "--log-file=${TESTDIR}/logs/valgrind.log", out);
    start_single(f, wrapper);
    drive(f, WARMUP, log);
    if (count) {
        drive(f, count, log);
    }
    fx_free(f);     /* httpd exits: callgrind writes the counts */
    /* "totals:" sums all threads; older callgrinds write only "summary:". */
    if (!find_number(out, "\ntotals:", &total)
        && !find_number(out, "\nsummary:", &total)) {
        die("no totals in callgrind's output:\n%s", tail_of(out));
    }
    free(wrapper);
    free(log);
    free(out);
    return total;
}

static void instructions(void)
{
    printf("\ninstructions per request: callgrind on apache2 -X, inside "
           "ap_process_async_request;\n  runs of %d and %d + %d keep-alive "
           "requests, the difference divided by %d;\n  the median of %d "
           "such pairs\n", WARMUP, WARMUP, requests, requests,
           CALLGRIND_PAIRS);
    for (size_t i = 0; i < NCONFIGS; i++) {
        config *c = &configs[i];
        double instr[CALLGRIND_PAIRS];
        if (!c->counted) {
            continue;
        }
        for (int k = 0; k < CALLGRIND_PAIRS; k++) {
            double base = callgrind_run(c, 0);
            instr[k] = (callgrind_run(c, requests) - base) / requests;
        }
        c->instr = median(instr, CALLGRIND_PAIRS);
        printf("  %-18s %9.0f\n", c->label, c->instr);
    }
}

/* --- syscalls ------------------------------------------------------------ */

/* The name of the module's state reader's thread (httpd/cache.c). */
#define READER_THREAD "maintenance"

/* The threads of pid: the module's reader's into readers, the others into
 * rest; each array ends with 0. */
static void threads(pid_t pid, pid_t *readers, pid_t *rest, size_t max)
{
    char *dir = format("/proc/%ld/task", (long)pid);
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t nr = 0, no = 0;

    if (!d) {
        die("%s: %s", dir, strerror(errno));
    }
    while ((e = readdir(d)) != NULL) {
        char *comm, *name;
        if (e->d_name[0] == '.') {
            continue;
        }
        comm = format("%s/%s/comm", dir, e->d_name);
        name = slurp(comm);
        if (nr + 1 >= max || no + 1 >= max) {
            die("httpd has more than %zu threads", max);
        }
        if (!strcmp(name, READER_THREAD "\n")) {
            readers[nr++] = atol(e->d_name);
        } else {
            rest[no++] = atol(e->d_name);
        }
        free(name);
        free(comm);
    }
    readers[nr] = rest[no] = 0;
    closedir(d);
    free(dir);
}

/* Whether every thread in tids has a tracer. */
static int all_traced(const pid_t *tids)
{
    int all = 1;

    for (; all && *tids; tids++) {
        char *status = format("/proc/%ld/status", (long)*tids);
        double tracer = 0;
        all = find_number(status, "TracerPid:", &tracer) && tracer != 0;
        free(status);
    }
    return all;
}

/* The calls on the total line of strace -c's table, "100.00 SECONDS
 * USECS/CALL CALLS [ERRORS] total"; 0 when there is none (no call). */
static double strace_total(const char *path)
{
    char *text = slurp(path), *line, *save = NULL;
    double calls = 0;

    for (line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        size_t len = strlen(line);
        if (len > 6 && !strcmp(line + len - 6, " total")) {
            sscanf(line, "%*s %*s %*s %lf", &calls);
        }
    }
    free(text);
    return calls;
}

#define MAX_THREADS 256

/* strace -c of the threads tids, into out: its pid. */
static pid_t strace_threads(const pid_t *tids, const char *out,
                            const char *log)
{
    const char *argv[4 + 2 * MAX_THREADS + 1] = { "strace", "-c", "-o", out };
    size_t n = 4;
    pid_t tracer;

    for (; *tids; tids++) {
        argv[n++] = "-p";
        argv[n++] = format("%ld", (long)*tids);
    }
    argv[n] = NULL;
    unlink(out);
    /* SIGTERM if the bench dies: strace detaches. */
    tracer = fx_spawn(argv, log, SIGTERM, NULL);
    for (size_t i = 5; i < n; i += 2) {
        free((char *)argv[i]);
    }
    return tracer;
}

static double strace_stop(pid_t tracer, const char *out, const char *log)
{
    kill(tracer, SIGINT);      /* it detaches and writes its table */
    if (!fx_reap(tracer, STRACE_MS, NULL)) {
        die("strace did not stop:\n%s", tail_of(log));
    }
    if (access(out, F_OK) != 0) {
        die("strace wrote no table:\n%s", tail_of(log));
    }
    return strace_total(out);
}

/* Syscalls per request of apache2 -X for c, in the threads that serve
 * requests, and in c->background those of the module's state reader per
 * second: strace attaches to each after start-up and the warm-up, and
 * counts while the requests are served. */
static double strace_run(config *c)
{
    char *out = work("strace.txt"), *log = work("strace.log");
    char *rout = work("strace-reader.txt"), *rlog = work("strace-reader.log");
    char *ab = work("ab.log");
    fx *f = site(c, "");
    pid_t readers[MAX_THREADS], rest[MAX_THREADS], tracer, rtracer = 0;
    long deadline, began;
    double calls;

    start_single(f, NULL);
    drive(f, WARMUP, ab);
    threads(proc_httpd_pid(f), readers, rest, MAX_THREADS);
    tracer = strace_threads(rest, out, log);
    if (readers[0]) {
        rtracer = strace_threads(readers, rout, rlog);
    }
    for (deadline = fx_now_ms() + STRACE_MS;
         !all_traced(rest) || !all_traced(readers);) {
        if (fx_now_ms() > deadline) {
            die("strace did not attach to httpd:\n%s", tail_of(log));
        }
        fx_sleep_ms(20);
    }
    began = fx_now_ms();
    drive(f, requests, ab);
    calls = strace_stop(tracer, out, log);
    c->background = rtracer ? strace_stop(rtracer, rout, rlog) * 1000.0
                              / (double)(fx_now_ms() - began) : 0;
    fx_free(f);
    free(ab);
    free(rlog);
    free(rout);
    free(log);
    free(out);
    return calls / requests;
}

static void syscalls(void)
{
    printf("\nsyscalls per request: strace -c on apache2 -X's threads, %d "
           "keep-alive requests\n  after %d; reader: the module's state "
           "reader's thread, per second\n", requests, WARMUP);
    for (size_t i = 0; i < NCONFIGS; i++) {
        config *c = &configs[i];
        if (c->counted) {
            c->syscalls = strace_run(c);
            printf("  %-18s %9.2f", c->label, c->syscalls);
            if (c->module) {
                printf("   reader %5.1f/s", c->background);
            }
            printf("\n");
        }
    }
}

/* --- store reads --------------------------------------------------------- */

/* All twenty start and stay; a MinSpareServers of 20 would have httpd
 * log that it reached MaxRequestWorkers as soon as one is busy. */
#define PREFORK_CONF \
    "StartServers 20\nMinSpareServers 1\nMaxSpareServers 20\n" \
    "ServerLimit 20\nMaxRequestWorkers 20\n"

static long long gets(void)
{
    long long n = 0;
    const char *why = mcd_stat(store_mcd, "cmd_get", &n);

    if (why) {
        die("memcached stats: %s", why);
    }
    return n;
}

static void store_reads(void)
{
    const config *c = &configs[3];          /* off via memcache, TTL 1 */
    char *d = format("%ds", READS_SECONDS), *log = work("reads.log"), *u;
    long long before, reads;
    fx *f;

    setenv("FX_MPM", "prefork", 1);
    f = site(c, PREFORK_CONF);
    fx_start(f);
    check_answer(f, c);
    u = url(f);
    before = gets();
    {
        const char *const argv[] = { "wrk", "-t" WRK_THREADS,
                                     "-c" READS_CONNS, "-d", d, u, NULL };
        if (run(argv, log, READS_SECONDS * 1000L + 30000) != 0) {
            die("wrk failed:\n%s", tail_of(log));
        }
    }
    reads = gets() - before;
    reads_per_ttl = (double)reads / READS_SECONDS;
    printf("\nstore reads: prefork, %d children, MaintenanceStateTTL 1, wrk "
           "-c" READS_CONNS " for %d s:\n  %lld reads of memcached, %.2f "
           "per server per TTL\n", PREFORK_CHILDREN, READS_SECONDS, reads,
           reads_per_ttl);
    fx_free(f);
    setenv("FX_MPM", "event", 1);
    free(u);
    free(d);
    free(log);
}

/* --- the stores ---------------------------------------------------------- */

/* memcached and redis-server holding "off", and, where node and
 * tests/s3's packages are installed, an S3 store without the object,
 * which is off too. */
static void start_stores(void)
{
    static const s3store_opts opts = { .bucket = S3_BUCKET,
                                       .access_key = S3_KEY_ID,
                                       .secret = S3_SECRET };
    const char *missing = s3store_missing(), *why;
    mcd *m = store_mcd = mcd_start();

    store_port[MEMCACHE] = mcd_port(m);
    /* As the module writes it: every read is a hit. */
    if ((why = mcd_set(m, "maintenance_mode_state", "off\n", 4)) != NULL) {
        die("memcached: %s", why);
    }
    {
        rds *r = rds_start(NULL, NULL);

        store_port[REDIS] = rds_port(r);
        if ((why = rds_set(r, 0, "maintenance_mode_state", "off\n", 4))) {
            die("redis: %s", why);
        }
    }
    if (missing) {
        for (size_t i = 0; i < NCONFIGS; i++) {
            if (configs[i].store == S3) {
                configs[i].skipped = 1;
                printf("%s skipped: %s\n", configs[i].label, missing);
            }
        }
        return;
    }
    store_port[S3] = s3store_port(s3store_start(&opts));
    /* httpd reads its S3 credentials from its environment. */
    setenv("AWS_ACCESS_KEY_ID", S3_KEY_ID, 1);
    setenv("AWS_SECRET_ACCESS_KEY", S3_SECRET, 1);
    unsetenv("AWS_SESSION_TOKEN");
}

/* --- the report ---------------------------------------------------------- */

static void header(void)
{
    const char *const argv[] = { FX_HTTPD, "-v", NULL };
    char *log = work("version.log"), *text, *version, *eol;
    double load = 0;

    run(argv, log, 10000);
    text = slurp(log);
    version = strstr(text, "Server version: ");
    version = version ? version + 16 : text;
    if ((eol = strchr(version, '\n')) != NULL) {
        *eol = '\0';
    }
    find_number("/proc/loadavg", "", &load);
    printf("mod_maintenance bench: %s, mpm_event, %ld CPUs, load average "
           "%.2f\n", version, sysconf(_SC_NPROCESSORS_ONLN), load);
    printf("module: %s; GET " PAGE " (1 KiB); httpd.conf: the test "
           "fixture's\n", module_so ? module_so : ".libs/mod_maintenance.so");
    free(text);
    free(log);
}

static void table(void)
{
    printf("\n%-18s %8s %8s   %9s %15s   %12s %6s\n", "", "req/s",
           "vs plain", "instr/req", "delta", "syscalls/req", "delta");
    for (size_t i = 0; i < NCONFIGS; i++) {
        const config *c = &configs[i];
        if (c->skipped) {
            continue;
        }
        if (c == PLAIN) {
            printf("%-18s %8.0f %8s", c->label,
                   median(plain_rps, plain_rounds), "");
        } else {
            printf("%-18s %8.0f %8.3f", c->label, median(c->rps, rounds),
                   median(c->ratio, rounds));
        }
        if (c == PLAIN) {
            printf("   %9.0f %15s   %12.2f\n", c->instr, "", c->syscalls);
        } else if (c->counted) {
            printf("   %9.0f %+6.0f (%+5.1f %%)   %12.2f %+6.2f\n", c->instr,
                   c->instr - PLAIN->instr,
                   100 * (c->instr - PLAIN->instr) / PLAIN->instr,
                   c->syscalls, c->syscalls - PLAIN->syscalls);
        } else {
            printf("   %9s %15s   %12s\n", "-", "", "-");
        }
    }
    printf("\nreq/s: the median of the rounds; vs plain: the median of each "
           "round's ratio to\nthe plain round next to it. httpd closes the "
           "connection after a 503, so module\non's throughput is "
           "informative only. instr/req repeats within about ten\n"
           "instructions, syscalls/req within a hundredth.\n");
    printf("module off: its state reader's thread makes %.1f syscalls a "
           "second, whatever\nthe load (mod_watchdog wakes it ten times a "
           "second; it reads the state once).\n", MODULE_OFF->background);
    printf("store reads per server per TTL (prefork, %d children): %.2f\n",
           PREFORK_CHILDREN, reads_per_ttl);
}

static void cleanup(void)
{
    fx_remove_dir(workdir, "bench");
}

int main(void)
{
    const char *so = getenv("MODULE_SO");

    rounds = knob("BENCH_ROUNDS", 5, MAX_ROUNDS);
    seconds = knob("BENCH_SECONDS", 2, 60);
    requests = knob("BENCH_REQUESTS", 1000, 100000);
    module_so = so && *so ? format("%s", so) : NULL;
    /* The numbers are mpm_event's, as Debian runs httpd. Under prefork
     * each 503's lingering close holds a process, and wrk's reconnections
     * exhaust any reasonable MaxRequestWorkers. */
    setenv("FX_MPM", "event", 1);
    /* Every server is on 127.0.0.1: a proxy from the environment must not
     * carry the module's S3 reads (libcurl honours these). */
    setenv("NO_PROXY", "127.0.0.1", 1);
    setenv("no_proxy", "127.0.0.1", 1);
    snprintf(workdir, sizeof(workdir), "/tmp/mm-bench.XXXXXX");
    /* httpd's User reaches callgrind's output in it. */
    if (!mkdtemp(workdir) || chmod(workdir, 0755) != 0) {
        die("mkdtemp: %s", strerror(errno));
    }
    atexit(cleanup);
    setvbuf(stdout, NULL, _IOLBF, 0);

    header();
    start_stores();
    throughput();
    instructions();
    syscalls();
    store_reads();
    table();
    return 0;
}
