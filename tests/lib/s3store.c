/* A local S3 store for the s3: provider's tests: see s3store.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* mkdtemp */
#endif
#include "s3store.h"
#include "fixture.h"  /* cmocka's fail_msg, helper processes */

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FRONT        "tests/s3/front.mjs"
#define MODULES      "tests/s3/node_modules"
#define READY_MS     15000
#define STOP_MS      5000
#define LOG_TAIL     4000

struct s3store {
    char dir[64];
    char log[PATH_MAX];
    s3store_opts opts;
    int port;
    pid_t pid;          /* 0: not running */
    s3store *next;
};

static s3store *live;   /* for the exit handler */

const char *s3store_missing(void)
{
    static const char *const needed[] = {
        MODULES "/s3rver", MODULES "/@smithy/signature-v4",
        MODULES "/@smithy/protocol-http", MODULES "/@aws-crypto/sha256-js",
    };

    for (size_t i = 0; i < sizeof(needed) / sizeof(*needed); i++) {
        if (access(needed[i], R_OK) != 0) {
            return "the S3 store's node modules are missing: run "
                   "`npm ci --prefix tests/s3` (from the repository root)";
        }
    }
    return NULL;
}

/* The end of front.log, for failure messages; static, so only one at a
 * time. */
static const char *log_tail(const s3store *s)
{
    static char text[LOG_TAIL + 1];

    return fx_file_tail(s->log, text, sizeof(text));
}

static int log_says_ready(void *s)
{
    return strstr(log_tail(s), "ready\n") != NULL;
}

/* Run the front, its output into front.log. */
static void launch(s3store *s)
{
    const s3store_opts *o = &s->opts;
    char port[16];
    const char *argv[20] = {
        "node", FRONT, "--port", port, "--dir", s->dir,
        "--bucket", o->bucket, "--access-key", o->access_key,
        "--secret", o->secret,
    };
    size_t n = 12;
    /* Emptied here, before the start, so a restart never sees the last
     * run's "ready". */
    int out = open(s->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const char *why;

    if (out < 0) {
        fail_msg("s3store: %s: %s", s->log, strerror(errno));
    }
    close(out);
    snprintf(port, sizeof(port), "%d", s->port);
    if (o->token) {
        argv[n++] = "--token";
        argv[n++] = o->token;
    }
    if (o->region) {
        argv[n++] = "--region";
        argv[n++] = o->region;
    }
    argv[n] = NULL;
    s->pid = fx_spawn(argv, s->log, SIGKILL, NULL);
    if ((why = fx_await_ready(&s->pid, READY_MS, log_says_ready, s))) {
        fail_msg("s3store: node " FRONT " %s:\n%s", why, log_tail(s));
    }
}

static void kill_all(void)
{
    while (live) {
        s3store_free(live);
    }
}

s3store *s3store_start(const s3store_opts *opts)
{
    static int ready;
    const char *why = s3store_missing();
    s3store *s;

    if (why) {
        fail_msg("%s", why);
    }
    if (!ready) {
        atexit(kill_all);
        ready = 1;
    }
    if (!(s = calloc(1, sizeof(*s)))) {
        fail_msg("s3store: out of memory");
    }
    snprintf(s->dir, sizeof(s->dir), "/tmp/mm-s3.XXXXXX");
    if (!mkdtemp(s->dir)) {
        free(s);
        fail_msg("s3store: mkdtemp: %s", strerror(errno));
    }
    snprintf(s->log, sizeof(s->log), "%s/front.log", s->dir);
    s->opts = *opts;
    s->port = fx_free_port();
    s->next = live;
    live = s;
    launch(s);
    return s;
}

void s3store_stop(s3store *s)
{
    fx_stop(&s->pid, SIGTERM, STOP_MS);   /* frozen or not */
}

void s3store_restart(s3store *s)
{
    s3store_stop(s);
    launch(s);
}

void s3store_freeze(s3store *s)
{
    if (s->pid) {
        kill(s->pid, SIGSTOP);
    }
}

void s3store_thaw(s3store *s)
{
    if (s->pid) {
        kill(s->pid, SIGCONT);
    }
}

int s3store_port(const s3store *s)
{
    return s->port;
}

typedef struct {
    char text[1024];
    size_t len;
} small_buf;

static size_t collect(char *data, size_t size, size_t n, void *baton)
{
    small_buf *b = baton;
    size_t len = size * n, room = sizeof(b->text) - 1 - b->len;

    memcpy(b->text + b->len, data, len < room ? len : room);
    b->len += len < room ? len : room;
    b->text[b->len] = '\0';
    return len;
}

/* method path on the store's test hooks (body: NULL for none); the
 * answer's body in b. Fails the test unless it answers 2xx. */
static void call_hook(const s3store *s, const char *method, const char *path,
                      const char *body, small_buf *b)
{
    char url[PATH_MAX];
    CURL *c = curl_easy_init();
    CURLcode rc;
    long status = 0;

    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", s->port, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    }
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
    rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK || status / 100 != 2) {
        fail_msg("s3store: %s %s: %s, HTTP %ld %s\n%s", method, url,
                 curl_easy_strerror(rc), status, b->text, log_tail(s));
    }
}

void s3store_put(const s3store *s, const char *key, const char *text)
{
    char path[PATH_MAX];
    small_buf b = { "", 0 };

    snprintf(path, sizeof(path), "/__objects/%s", key);
    call_hook(s, text ? "PUT" : "DELETE", path, text, &b);
}

void s3store_set_secret(const s3store *s, const char *secret)
{
    small_buf b = { "", 0 };

    call_hook(s, "PUT", "/__secret", secret, &b);
}

long s3store_count(const s3store *s, const char *method)
{
    char key[64];
    small_buf b = { "", 0 };
    const char *at;

    call_hook(s, "GET", "/__stats", NULL, &b);
    /* {"refused":0,"GET":4,"PUT":1}: a method never seen is absent. */
    snprintf(key, sizeof(key), "\"%s\":", method);
    at = strstr(b.text, key);
    return at ? strtol(at + strlen(key), NULL, 10) : 0;
}

void s3store_free(s3store *s)
{
    s3store **p;

    if (!s) {
        return;
    }
    s3store_stop(s);
    for (p = &live; *p && *p != s; p = &(*p)->next) {
    }
    if (*p) {
        *p = s->next;
    }
    fx_remove_dir(s->dir, "s3store");
    free(s);
}
