/* A local S3 store for the s3: provider's tests: see s3store.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* mkdtemp */
#endif
#include "s3store.h"
#include "fixture.h"  /* cmocka's fail_msg, fx_sleep_ms */

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
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

static long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* A port nobody listens on right now: the kernel's pick for port 0. */
static int free_port(void)
{
    struct sockaddr_in sa = { .sin_family = AF_INET };
    socklen_t len = sizeof(sa);
    int s = socket(AF_INET, SOCK_STREAM, 0), port = -1;

    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s >= 0 && bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0
        && getsockname(s, (struct sockaddr *)&sa, &len) == 0) {
        port = ntohs(sa.sin_port);
    }
    if (s >= 0) {
        close(s);
    }
    if (port < 0) {
        fail_msg("s3store: cannot find a free port: %s", strerror(errno));
    }
    return port;
}

/* The end of front.log, for failure messages; static, so only one at a
 * time. */
static const char *log_tail(const s3store *s)
{
    static char text[LOG_TAIL + 1];
    FILE *fp = fopen(s->log, "r");
    size_t n = 0;

    if (fp) {
        if (fseek(fp, -LOG_TAIL, SEEK_END) != 0) {
            rewind(fp);
        }
        n = fread(text, 1, LOG_TAIL, fp);
        fclose(fp);
    }
    text[n] = '\0';
    return text;
}

static int log_says_ready(const s3store *s)
{
    return strstr(log_tail(s), "ready\n") != NULL;
}

/* In the child: run the front, its output into out. */
static void exec_front(const s3store *s, int out)
{
    const s3store_opts *o = &s->opts;
    char port[16];
    const char *argv[20] = {
        "node", FRONT, "--port", port, "--dir", s->dir,
        "--bucket", o->bucket, "--access-key", o->access_key,
        "--secret", o->secret,
    };
    size_t n = 12;
    int in = open("/dev/null", O_RDONLY);

    /* Never outlive the test binary, even if it crashes. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
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
    dup2(in, STDIN_FILENO);
    dup2(out, STDOUT_FILENO);
    dup2(out, STDERR_FILENO);
    execvp("node", (char *const *)argv);
    fprintf(stderr, "cannot run node: %s\n", strerror(errno));
    _exit(127);
}

static void launch(s3store *s)
{
    long deadline = now_ms() + READY_MS;
    /* Emptied here, not in the child, so a restart never sees the last
     * run's "ready". */
    int out = open(s->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int status;

    if (out < 0) {
        fail_msg("s3store: %s: %s", s->log, strerror(errno));
    }
    fflush(NULL);
    if ((s->pid = fork()) < 0) {
        fail_msg("s3store: fork: %s", strerror(errno));
    }
    if (s->pid == 0) {
        exec_front(s, out);
    }
    close(out);
    while (!log_says_ready(s)) {
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            s->pid = 0;
            fail_msg("s3store: node " FRONT " exited at start-up:\n%s",
                     log_tail(s));
        }
        if (now_ms() > deadline) {
            fail_msg("s3store: node " FRONT " not ready within %d s:\n%s",
                     READY_MS / 1000, log_tail(s));
        }
        fx_sleep_ms(20);
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
    s->port = free_port();
    s->next = live;
    live = s;
    launch(s);
    return s;
}

void s3store_stop(s3store *s)
{
    long deadline = now_ms() + STOP_MS;

    if (!s->pid) {
        return;
    }
    kill(s->pid, SIGTERM);
    kill(s->pid, SIGCONT);   /* a frozen store gets the TERM only now */
    while (waitpid(s->pid, NULL, WNOHANG) != s->pid) {
        if (now_ms() > deadline) {
            kill(s->pid, SIGKILL);
            waitpid(s->pid, NULL, 0);
            break;
        }
        fx_sleep_ms(10);
    }
    s->pid = 0;
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

static int rm_entry(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
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
    if (getenv("FX_KEEP")) {
        fprintf(stderr, "s3store: kept %s\n", s->dir);
    } else {
        nftw(s->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    }
    free(s);
}
