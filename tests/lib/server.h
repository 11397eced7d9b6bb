/* A server process of the tests' own on a loopback port: what memcached.h,
 * redis.h, s3store.h and fakeaws.h share. Each of those holds a srv and
 * says what to run and how to tell it is ready:
 *
 *     srv_init(&m->s, "memcached", fx_free_port());
 *     srv_spawn(&m->s, argv, "nobody", 10000, srv_port_open, &m->s);
 *     srv_stop(&m->s, SIGKILL, 0);  srv_spawn(...);    an outage, a restart
 *     srv_pause(&m->s);  srv_resume(&m->s);           a stalled server
 *     srv_free(&m->s);
 *
 * A server owns a temporary directory, /tmp/mm-NAME.XXXXXX, holding its
 * log (its stdout and stderr: NAME.log) and whatever else it keeps. It
 * never outlives the test binary: it dies with it (parent-death signal),
 * and whatever is still running at exit is killed and its directory
 * removed.
 *
 * Starting, stopping and signalling fail the current cmocka test, so call
 * them from the test's own thread. srv_dial and srv_why never fail a
 * test: any thread may use them. */
#ifndef SERVER_H
#define SERVER_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct srv {
    const char *name;      /* memcached, redis, s3store...: in messages */
    char dir[64];          /* its temporary directory */
    char log[PATH_MAX];    /* its stdout and stderr */
    int port;
    pid_t pid;             /* 0: not running */
    struct srv *next;
} srv;

/* Make s's directory, for name's server on port (not started). Its strings
 * must outlive s. */
void srv_init(srv *s, const char *name, int port);

/* Start argv (argv[0] found as execvp finds it) as user (NULL: as this
 * process runs), its log emptied first, so that a restart never shows
 * the last run's lines; wait at most ms for ready(baton) to say so, else
 * fail the test with the end of its log. */
void srv_spawn(srv *s, const char *const argv[], const char *user, long ms,
               int (*ready)(void *baton), void *baton);

/* Add "name value" to the NULL-terminated argument list argv (*n
 * arguments so far, room for two more) when value is not NULL. */
void srv_option(const char **argv, size_t *n, const char *name,
                const char *value);

/* srv_spawn's ready for a server that writes "ready" to its log once it
 * serves (tests/s3's node programs); baton is the srv. */
int srv_log_ready(void *baton);

/* srv_spawn's ready for a server that serves once its port accepts a
 * connection; baton is the srv. */
int srv_port_open(void *baton);

/* The end of s's log, for a failure message; valid until the next call. */
const char *srv_log_tail(const srv *s);

/* Send sig (and SIGCONT, for a stopped one), reap it, SIGKILL after ms:
 * the port stops answering. Nothing when it is not running. */
void srv_stop(srv *s, int sig, long ms);

/* SIGSTOP, and SIGCONT after it, each waited for until the kernel says it
 * took effect: connections are still accepted by the kernel, never
 * answered, until srv_resume. */
void srv_pause(srv *s);
void srv_resume(srv *s);

/* Stop it (SIGTERM, whatever its state), remove its directory, forget
 * it. */
void srv_free(srv *s);

/* A connection to the loopback port whose reads and writes give up after
 * timeout_s, or -1 (errno says why). A stopped server still completes
 * the handshake (the kernel does), so the timeouts are what bound a
 * call. */
int srv_dial(int port, int timeout_s);

/* printf into this thread's reason buffer: what a client call that
 * failed returns. strerror's text of errno is srv_strerror's. */
const char *srv_why(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
const char *srv_strerror(int err);

/* --- the HTTP test hooks of tests/s3's programs -------------------------- */

/* An answer's body as it comes, the start of it kept, NUL-terminated:
 * text points to size bytes. */
typedef struct {
    char *text;
    size_t size;
    size_t len;
} srv_body;

/* A libcurl write function (CURLOPT_WRITEDATA: a srv_body). */
size_t srv_body_write(char *data, size_t size, size_t n, void *baton);

/* method path (body: NULL for none) on s's test hooks; the answer's body
 * in out. Fails the test unless it answers 2xx. */
void srv_hook(const srv *s, const char *method, const char *path,
              const char *body, srv_body *out);

/* The count name in s's GET /__stats ({"GET":4,"refused":0...}), 0 when
 * it is absent. */
long srv_stat(const srv *s, const char *name);

#endif
