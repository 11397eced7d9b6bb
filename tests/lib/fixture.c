/* The fixture's life cycle (see fixture.h): a fixture made, its httpd
 * started and stopped, its logs checked at every test's end, and the
 * memory handed to a test freed with it. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* vasprintf, mkdtemp */
#endif
#include "fixture_int.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#define START_TIMEOUT_MS 10000
#define WRAPPED_START_TIMEOUT_MS 120000
#define STOP_TIMEOUT_MS  15000

static fx *live;          /* every fixture not yet freed */
static int in_test;

/* --- memory -------------------------------------------------------------- */

void *fxi_realloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        abort();
    }
    return p;
}

char *fxi_strdup(const char *s)
{
    return strcpy(fxi_realloc(NULL, strlen(s) + 1), s);
}

char *fxi_vformat(const char *fmt, va_list ap)
{
    char *s;

    if (vasprintf(&s, fmt, ap) < 0) {
        abort();
    }
    return s;
}

void fxi_list_add(plist *l, void *p)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->v = fxi_realloc(l->v, l->cap * sizeof(*l->v));
    }
    l->v[l->n++] = p;
}

void fxi_list_clear(plist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i]);
    }
    l->n = 0;
}

void *fxi_own(fx *f, void *p)
{
    fxi_list_add(&f->owned, p);
    return p;
}

const char *fx_fmt(fx *f, const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = fxi_vformat(fmt, ap);
    va_end(ap);
    return fxi_own(f, s);
}

const char *fx_filler(fx *f, size_t n)
{
    char *s = fxi_own(f, fxi_realloc(NULL, n + 1));

    memset(s, 'x', n);
    s[n] = '\0';
    return s;
}

/* --- a fixture ----------------------------------------------------------- */

static void dispose_all(void);

fx *fx_new(const char *conf)
{
    static int ready;
    fx *f = fxi_realloc(NULL, sizeof(*f));

    memset(f, 0, sizeof(*f));
    if (!ready) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        atexit(dispose_all);
        ready = 1;
    }
    snprintf(f->dir, sizeof(f->dir), "/tmp/mm-it.XXXXXX");
    if (!mkdtemp(f->dir)) {
        fail_msg("mkdtemp: %s", strerror(errno));
    }
    f->made_in_test = in_test;
    f->next = live;
    live = f;
    f->port = fx_free_port();
    fxi_init_logs(f);
    fxi_make_tree(f);
    fxi_write_conf(f, conf ? conf : "");
    return f;
}

fx *fx_new_fmt(const char *fmt, ...)
{
    va_list ap;
    char *conf;
    fx *f;

    va_start(ap, fmt);
    conf = fxi_vformat(fmt, ap);
    va_end(ap);
    f = fx_new(conf);
    free(conf);
    return f;
}

fx *fx_new_site(const char *conf)
{
    fx *f = fx_new(conf);

    fx_write(f, "htdocs/index.html", "front page\n");
    return f;
}

const char *fx_dir(const fx *f)
{
    return f->dir;
}

int fx_port(const fx *f)
{
    return f->port;
}

/* --- httpd --------------------------------------------------------------- */

/* Whether httpd's port (f's) answers. */
static int port_answers(void *f)
{
    struct sockaddr_in sa = { .sin_family = AF_INET };
    int s = socket(AF_INET, SOCK_STREAM, 0), ok;

    sa.sin_port = htons(((fx *)f)->port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok = s >= 0 && connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0;
    if (s >= 0) {
        close(s);
    }
    return ok;
}

static void stop_httpd(fx *f)
{
    /* SIGTERM: httpd stops its children and removes its pid file. With
     * FX_GRACEFUL_STOP, SIGWINCH (apachectl graceful-stop) instead: on an
     * ungraceful stop the event MPM's main thread closes sockets a worker
     * may still be using, which AddressSanitizer reports as httpd's own
     * use after free. */
    fx_stop(&f->pid, getenv("FX_GRACEFUL_STOP") ? SIGWINCH : SIGTERM,
            STOP_TIMEOUT_MS);
}

/* Fail the test with all httpd said: its stderr, its error log and any
 * sanitizer's report, shown here and not again at the test's end. */
static void startup_failed(fx *f, const char *why)
{
    char *err = fxi_own(f, fxi_slurp(f->logs[LOG_STDERR].path, 0, NULL));
    char *log = fxi_log_tail(f), *reports = NULL;
    size_t len = 0;
    FILE *fp;

    stop_httpd(f);
    fxi_skip_logs(f);
    fp = open_memstream(&reports, &len);
    fxi_check_reports(f, fp);
    fclose(fp);
    fxi_own(f, reports);
    fail_msg("httpd in %s %s\n--- stderr\n%s--- error.log\n%s"
             "--- reports\n%s", f->dir, why, err, log, reports);
}

void fx_start(fx *f)
{
    char **argv = fxi_httpd_argv(f), **env = fxi_httpd_env(f);
    const char *wrapper = getenv("FX_HTTPD_WRAPPER"), *why;
    /* A wrapper such as valgrind makes start-up many times slower. */
    long ms = wrapper && *wrapper ? WRAPPED_START_TIMEOUT_MS
                                  : START_TIMEOUT_MS;
    problems p;

    /* SIGTERM when the test binary dies: httpd stops its children. */
    f->pid = fxi_spawn((const char *const *)argv, env,
                       f->logs[LOG_STDERR].path, SIGTERM, NULL);
    fxi_free_env(argv);
    fxi_free_env(env);
    if ((why = fx_await_ready(&f->pid, ms, port_answers, f))) {
        startup_failed(f, why);
    }
    fxi_problems_open(&p);
    fxi_check_logs(f, p.fp);
    fxi_problems_report(&p);
}

/* Stop, check, remove; the problems go to p (none checked: NULL). */
static void dispose(fx *f, FILE *p)
{
    fx **at;

    if (p) {
        fxi_check_logs(f, p);
    }
    stop_httpd(f);
    f->stopped = 1;
    if (p) {
        fxi_check_logs(f, p);
    }
    for (at = &live; *at != f; at = &(*at)->next) {
    }
    *at = f->next;
    fx_remove_dir(f->dir, "fixture");
    fxi_list_clear(&f->expects);
    fxi_list_clear(&f->owned);
    fxi_list_clear(&f->reported);
    free(f->expects.v);
    free(f->owned.v);
    free(f->reported.v);
    free(f->last_state);
    free(f);
}

void fx_free(fx *f)
{
    problems p;

    fxi_problems_open(&p);
    dispose(f, p.fp);
    fxi_problems_report(&p);
}

/* Whatever a failed test left behind: no httpd outlives the binary. */
static void dispose_all(void)
{
    while (live) {
        dispose(live, NULL);
    }
}

/* --- cmocka glue --------------------------------------------------------- */

int fx_test_begin(void **state)
{
    (void)state;
    in_test = 1;
    for (fx *f = live; f; f = f->next) {
        fxi_mark_logs(f);
    }
    return 0;
}

int fx_test_end(void **state)
{
    problems p;
    fx *f = live, *next;

    (void)state;
    in_test = 0;
    fxi_problems_open(&p);
    for (; f; f = next) {
        next = f->next;
        if (f->made_in_test) {
            dispose(f, p.fp);
            continue;
        }
        fxi_check_logs(f, p.fp);
        fxi_list_clear(&f->expects);
        fxi_list_clear(&f->owned);
    }
    fxi_problems_report(&p);
    return 0;
}

int fx_group_teardown(void **state)
{
    if (*state) {
        fx_free(*state);
        *state = NULL;
    }
    return 0;
}
