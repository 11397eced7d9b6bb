/* A server process of the tests' own: see server.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* mkdtemp, GNU strerror_r */
#endif
#include "server.h"
#include "fixture.h"  /* cmocka's fail_msg, helper processes */

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#define STOP_MS   5000
#define LOG_TAIL  4000
#define HOOK_S    10L

static srv *live;          /* every server not yet freed */

/* At exit, whatever is still running. */
static void kill_all(void)
{
    for (; live; live = live->next) {
        fx_stop(&live->pid, SIGKILL, 0);
        fx_remove_dir(live->dir, live->name);
    }
}

void srv_init(srv *s, const char *name, int port)
{
    static int ready;

    if (!ready) {
        atexit(kill_all);
        ready = 1;
    }
    memset(s, 0, sizeof(*s));
    s->name = name;
    s->port = port;
    snprintf(s->dir, sizeof(s->dir), "/tmp/mm-%s.XXXXXX", name);
    /* Open to a server that runs as another user (nobody). */
    if (!mkdtemp(s->dir) || chmod(s->dir, 0755) != 0) {
        fail_msg("%s: %s: %s", name, s->dir, strerror(errno));
    }
    snprintf(s->log, sizeof(s->log), "%s/%s.log", s->dir, name);
    s->next = live;
    live = s;
}

void srv_spawn(srv *s, const char *const argv[], const char *user, long ms,
               int (*ready)(void *baton), void *baton)
{
    int out = open(s->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const char *why;

    if (out < 0) {
        fail_msg("%s: %s: %s", s->name, s->log, strerror(errno));
    }
    close(out);
    s->pid = fx_spawn(argv, s->log, SIGKILL, user);
    if ((why = fx_await_ready(&s->pid, ms, ready, baton))) {
        fail_msg("%s on port %d %s:\n%s", s->name, s->port, why,
                 srv_log_tail(s));
    }
}

void srv_option(const char **argv, size_t *n, const char *name,
                const char *value)
{
    if (value) {
        argv[(*n)++] = name;
        argv[(*n)++] = value;
        argv[*n] = NULL;
    }
}

int srv_log_ready(void *baton)
{
    return strstr(srv_log_tail(baton), "ready\n") != NULL;
}

int srv_port_open(void *baton)
{
    int fd = srv_dial(((srv *)baton)->port, 2);

    if (fd < 0) {
        return 0;
    }
    close(fd);
    return 1;
}

const char *srv_log_tail(const srv *s)
{
    static char text[LOG_TAIL + 1];

    return fx_file_tail(s->log, text, sizeof(text));
}

void srv_stop(srv *s, int sig, long ms)
{
    fx_stop(&s->pid, sig, ms);
}

/* Send sig and wait until the kernel says it took effect (flag: WUNTRACED
 * or WCONTINUED), so the caller knows the server is stopped or running. */
static void signal_and_wait(srv *s, int sig, int flag)
{
    int status;

    if (!s->pid) {
        fail_msg("%s on port %d is not running", s->name, s->port);
    }
    kill(s->pid, sig);
    if (waitpid(s->pid, &status, flag) != s->pid) {
        fail_msg("%s on port %d: waitpid: %s", s->name, s->port,
                 strerror(errno));
    }
}

void srv_pause(srv *s)
{
    signal_and_wait(s, SIGSTOP, WUNTRACED);
}

void srv_resume(srv *s)
{
    signal_and_wait(s, SIGCONT, WCONTINUED);
}

void srv_free(srv *s)
{
    srv **p;

    srv_stop(s, SIGTERM, STOP_MS);
    for (p = &live; *p && *p != s; p = &(*p)->next) {
    }
    if (*p) {
        *p = s->next;
    }
    fx_remove_dir(s->dir, s->name);
}

int srv_dial(int port, int timeout_s)
{
    struct sockaddr_in sa = { .sin_family = AF_INET };
    struct timeval tv = { timeout_s, 0 };
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (s < 0) {
        return -1;
    }
    sa.sin_port = htons((unsigned short)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0
        || setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0
        || connect(s, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        int err = errno;
        close(s);
        errno = err;
        return -1;
    }
    return s;
}

const char *srv_why(const char *fmt, ...)
{
    static __thread char why[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    return why;
}

const char *srv_strerror(int err)
{
    static __thread char buf[128];

    return strerror_r(err, buf, sizeof(buf));
}

/* --- the HTTP test hooks of tests/s3's programs -------------------------- */

size_t srv_body_write(char *data, size_t size, size_t n, void *baton)
{
    srv_body *b = baton;
    size_t len = size * n, room = b->size - 1 - b->len;
    size_t take = len < room ? len : room;

    memcpy(b->text + b->len, data, take);
    b->len += take;
    b->text[b->len] = '\0';
    return len;
}

void srv_hook(const srv *s, const char *method, const char *path,
              const char *body, srv_body *out)
{
    char url[PATH_MAX];
    CURL *c = curl_easy_init();
    CURLcode rc;
    long status = 0;

    out->len = 0;
    out->text[0] = '\0';
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", s->port, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    }
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, HOOK_S);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, srv_body_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK || status / 100 != 2) {
        fail_msg("%s: %s %s: %s, HTTP %ld %s\n%s", s->name, method, url,
                 curl_easy_strerror(rc), status, out->text,
                 srv_log_tail(s));
    }
}

long srv_stat(const srv *s, const char *name)
{
    char text[16384], key[128];    /* /__stats may name every key it saw */
    srv_body b = { text, sizeof(text), 0 };
    const char *at;

    srv_hook(s, "GET", "/__stats", NULL, &b);
    snprintf(key, sizeof(key), "\"%s\":", name);
    at = strstr(text, key);
    return at ? strtol(at + strlen(key), NULL, 10) : 0;
}
