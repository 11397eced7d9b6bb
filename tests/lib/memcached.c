/* A real memcached for the integration tests: see memcached.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* memmem */
#endif
#include "memcached.h"
#include "fixture.h"  /* cmocka's fail_msg, helper processes */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server.h"

#define MEMCACHED        "/usr/bin/memcached"
#define RUN_USER         "nobody"
#define START_TIMEOUT_MS 10000
#define IO_TIMEOUT_S     2

struct mcd {
    srv server;
};

/* --- the server ---------------------------------------------------------- */

static void spawn(mcd *m)
{
    char port[16];
    const char *const argv[] = { MEMCACHED, "-l", "127.0.0.1", "-p", port,
                                 "-U", "0", "-t", "2", "-m", "16", NULL };

    snprintf(port, sizeof(port), "%d", m->server.port);
    /* As RUN_USER through srv_spawn rather than memcached's -u, which
     * would clear the parent-death signal. */
    srv_spawn(&m->server, argv, RUN_USER, START_TIMEOUT_MS, srv_port_open,
              &m->server);
}

mcd *mcd_start(void)
{
    return mcd_start_on(fx_free_port());
}

mcd *mcd_start_on(int port)
{
    mcd *m = calloc(1, sizeof(*m));

    if (!m) {
        abort();
    }
    srv_init(&m->server, "memcached", port);
    spawn(m);
    return m;
}

void mcd_kill(mcd *m)
{
    srv_stop(&m->server, SIGKILL, 0);
}

void mcd_restart(mcd *m)
{
    mcd_kill(m);
    spawn(m);
}

void mcd_pause(mcd *m)
{
    srv_pause(&m->server);
}

void mcd_resume(mcd *m)
{
    srv_resume(&m->server);
}

void mcd_free(mcd *m)
{
    if (m) {
        srv_free(&m->server);
        free(m);
    }
}

int mcd_port(const mcd *m)
{
    return m->server.port;
}

/* --- the text protocol --------------------------------------------------- */

typedef enum {
    ONE_LINE,      /* STORED, DELETED, HD ... */
    GET_REPLY,     /* VALUE key flags bytes, the data, END; or END */
    LIST_REPLY     /* STAT lines up to END */
} reply_kind;

static int is_error_line(const char *buf)
{
    return !strncmp(buf, "ERROR", 5) || !strncmp(buf, "CLIENT_ERROR", 12)
        || !strncmp(buf, "SERVER_ERROR", 12);
}

/* Whether the len bytes of buf are a whole reply of kind. */
static int is_whole(const char *buf, size_t len, reply_kind kind)
{
    const char *eol = memmem(buf, len, "\r\n", 2);
    unsigned long bytes;

    if (!eol) {
        return 0;
    }
    if (kind == ONE_LINE || is_error_line(buf) || !strncmp(buf, "END\r\n", 5)) {
        return 1;
    }
    if (kind == LIST_REPLY) {
        return len >= 7 && !memcmp(buf + len - 7, "\r\nEND\r\n", 7);
    }
    if (sscanf(buf, "VALUE %*s %*u %lu", &bytes) != 1) {
        return 1;  /* not what a get answers: the caller says so */
    }
    return len >= (size_t)(eol - buf) + 2 + bytes + 2 + 5;
}

/* Send request to memcached and read a whole reply of kind into a malloc'd,
 * NUL-terminated *reply. NULL on success, or why not. */
static const char *exchange(const mcd *m, const char *request, size_t len,
                            reply_kind kind, char **reply, size_t *reply_len)
{
    int s = srv_dial(m->server.port, IO_TIMEOUT_S);
    char *buf = NULL;
    size_t n = 0, cap = 0;
    const char *err = NULL;

    *reply = NULL;
    if (s < 0) {
        return srv_why("memcached on port %d: cannot connect: %s",
                       m->server.port, srv_strerror(errno));
    }
    for (size_t sent = 0; sent < len; ) {
        ssize_t w = send(s, request + sent, len - sent, MSG_NOSIGNAL);
        if (w <= 0) {
            err = srv_why("memcached on port %d: cannot send: %s",
                          m->server.port, srv_strerror(errno));
            goto done;
        }
        sent += (size_t)w;
    }
    while (!n || !is_whole(buf, n, kind)) {
        ssize_t r;

        if (cap - n < 1024) {
            cap = cap ? 2 * cap : 8192;
            if (!(buf = realloc(buf, cap))) {
                abort();
            }
        }
        r = recv(s, buf + n, cap - n - 1, 0);
        if (r <= 0) {
            err = srv_why("memcached on port %d: %s after %zu bytes",
                          m->server.port,
                          r ? srv_strerror(errno) : "connection closed", n);
            goto done;
        }
        n += (size_t)r;
        buf[n] = '\0';
    }
    *reply = buf;
    *reply_len = n;
    buf = NULL;
done:
    free(buf);
    close(s);
    return err;
}

/* Send request; NULL when its one-line reply is one of the NULL-terminated
 * accepted lines ("STORED\r\n"...). */
static const char *command(const mcd *m, const char *request, size_t len,
                           const char *const *accepted)
{
    char *reply;
    size_t n;
    const char *err = exchange(m, request, len, ONE_LINE, &reply, &n);

    if (err) {
        return err;
    }
    for (; *accepted; accepted++) {
        if (!strcmp(reply, *accepted)) {
            free(reply);
            return NULL;
        }
    }
    err = srv_why("memcached on port %d: %.40s... answered %s",
                  m->server.port, request, reply);
    free(reply);
    return err;
}

const char *mcd_set(const mcd *m, const char *key, const char *value,
                    size_t len)
{
    static const char *const stored[] = { "STORED\r\n", NULL };
    char *request;
    int head;
    const char *err;

    if ((head = asprintf(&request, "set %s 0 0 %zu\r\n", key, len)) < 0
        || !(request = realloc(request, (size_t)head + len + 2))) {
        abort();
    }
    memcpy(request + head, value, len);
    memcpy(request + head + len, "\r\n", 2);
    err = command(m, request, (size_t)head + len + 2, stored);
    free(request);
    return err;
}

const char *mcd_delete(const mcd *m, const char *key)
{
    static const char *const gone[] = { "DELETED\r\n", "NOT_FOUND\r\n", NULL };
    char request[300];
    int n = snprintf(request, sizeof(request), "delete %s\r\n", key);

    return command(m, request, (size_t)n, gone);
}

const char *mcd_get(const mcd *m, const char *key, char **value, size_t *len)
{
    char request[300], *reply, *eol;
    size_t n, head;
    unsigned long bytes;
    const char *err;

    *value = NULL;
    snprintf(request, sizeof(request), "get %s\r\n", key);
    if ((err = exchange(m, request, strlen(request), GET_REPLY, &reply, &n))) {
        return err;
    }
    if (!strcmp(reply, "END\r\n")) {
        free(reply);
        return NULL;
    }
    eol = strstr(reply, "\r\n");
    if (sscanf(reply, "VALUE %*s %*u %lu", &bytes) != 1
        || n != (size_t)(eol - reply) + 2 + bytes + 7) {
        err = srv_why("memcached on port %d: get %s answered %.200s",
                      m->server.port, key, reply);
        free(reply);
        return err;
    }
    head = (size_t)(eol - reply) + 2;
    memmove(reply, reply + head, bytes);
    reply[bytes] = '\0';
    *value = reply;
    if (len) {
        *len = bytes;
    }
    return NULL;
}

const char *mcd_ttl(const mcd *m, const char *key, long *ttl)
{
    char request[300], *reply;
    size_t n;
    const char *err;

    snprintf(request, sizeof(request), "mg %s t\r\n", key);
    if ((err = exchange(m, request, strlen(request), ONE_LINE, &reply, &n))) {
        return err;
    }
    if (!strcmp(reply, "EN\r\n")) {
        *ttl = -2;
    } else if (sscanf(reply, "HD t%ld\r\n", ttl) != 1) {
        err = srv_why("memcached on port %d: mg %s t answered %s",
                      m->server.port, key, reply);
    }
    free(reply);
    return err;
}

const char *mcd_stat(const mcd *m, const char *name, long long *value)
{
    static const char request[] = "stats\r\n";
    char *reply, *line, *save = NULL, word[64];
    size_t n;
    long long v;
    const char *err;

    if ((err = exchange(m, request, sizeof(request) - 1, LIST_REPLY, &reply,
                        &n))) {
        return err;
    }
    err = srv_why("memcached on port %d: stats has no %s", m->server.port,
                  name);
    for (line = strtok_r(reply, "\r\n", &save); line;
         line = strtok_r(NULL, "\r\n", &save)) {
        if (sscanf(line, "STAT %63s %lld", word, &v) == 2
            && !strcmp(word, name)) {
            *value = v;
            err = NULL;
            break;
        }
    }
    free(reply);
    return err;
}
