/* A real Redis for the integration tests: see redis.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* strndup */
#endif
#include "redis.h"
#include "fixture.h"  /* cmocka's fail_msg, helper processes */

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "server.h"

#define REDIS_SERVER     "/usr/bin/redis-server"
#define RUN_USER         "nobody"
#define START_TIMEOUT_MS 10000
#define IO_TIMEOUT_S     2

struct rds {
    srv server;            /* its directory holds redis.conf too */
    char conf[PATH_MAX];
    char *password;        /* NULL: none */
};

/* A connection whose reads and writes give up after IO_TIMEOUT_S, or
 * NULL with *err saying why. */
static redisContext *dial(int port, const char **err)
{
    int fd = srv_dial(port, IO_TIMEOUT_S);
    redisContext *c;

    if (fd < 0) {
        *err = srv_why("redis on port %d: cannot connect: %s", port,
                       srv_strerror(errno));
        return NULL;
    }
    if (!(c = redisConnectFd(fd))) {
        abort();
    }
    return c;
}

/* Send argv (NULL-terminated) and read its answer. The request goes out
 * with MSG_NOSIGNAL, so a server gone meanwhile is an error, not a
 * SIGPIPE that ends the test binary; hiredis parses the answer. NULL, or
 * why not; an error answer is not a failure here (*reply says). */
static const char *call(redisContext *c, int port, const char *const *argv,
                        redisReply **reply)
{
    size_t lens[16];
    int argc = 0, len;
    char *request;
    void *got = NULL;

    *reply = NULL;
    for (; argv[argc]; argc++) {
        if (argc == 16) {
            abort();
        }
        lens[argc] = strlen(argv[argc]);
    }
    if ((len = redisFormatCommandArgv(&request, argc, (const char **)argv,
                                      lens)) < 0) {
        abort();
    }
    for (int sent = 0; sent < len; ) {
        ssize_t n = send(c->fd, request + sent, (size_t)(len - sent),
                         MSG_NOSIGNAL);
        if (n <= 0) {
            redisFreeCommand(request);
            return srv_why("redis on port %d: %s: cannot send: %s", port,
                           argv[0], strerror(errno));
        }
        sent += (int)n;
    }
    redisFreeCommand(request);
    if (redisGetReply(c, &got) != REDIS_OK) {
        return srv_why("redis on port %d: %s: %s", port, argv[0], c->errstr);
    }
    *reply = got;
    return NULL;
}

/* Connect, AUTH as the default user, SELECT db, run argv: NULL and
 * *reply (the caller frees it), or why not (an error answer included). */
static const char *command(const rds *r, int db, const char *const *argv,
                           redisReply **reply)
{
    const char *err = NULL;
    redisContext *c = dial(r->server.port, &err);
    char number[16];

    *reply = NULL;
    if (!c) {
        return err;
    }
    snprintf(number, sizeof(number), "%d", db);
    const char *const auth[] = { "AUTH", r->password, NULL };
    const char *const select[] = { "SELECT", number, NULL };
    const char *const *steps[] = { r->password ? auth : NULL,
                                   db ? select : NULL, argv };
    for (int i = 0; i < 3 && !err; i++) {
        if (!steps[i]) {
            continue;
        }
        if (*reply) {
            freeReplyObject(*reply);
        }
        if ((err = call(c, r->server.port, steps[i], reply)) == NULL
            && (*reply)->type == REDIS_REPLY_ERROR) {
            err = srv_why("redis on port %d: %s answered %s", r->server.port,
                          steps[i][0], (*reply)->str);
        }
    }
    if (err && *reply) {
        freeReplyObject(*reply);
        *reply = NULL;
    }
    redisFree(c);
    return err;
}

/* --- the server ---------------------------------------------------------- */

/* Whether r's port answers a PING, with PONG or NOAUTH alike. */
static int answers(void *baton)
{
    const rds *r = baton;
    const char *err = NULL;
    redisContext *c = dial(r->server.port, &err);
    const char *const ping[] = { "PING", NULL };
    redisReply *reply;
    int ok;

    if (!c) {
        return 0;
    }
    ok = !call(c, r->server.port, ping, &reply)
         && (reply->type == REDIS_REPLY_STATUS
             || (reply->type == REDIS_REPLY_ERROR
                 && !strncmp(reply->str, "NOAUTH", 6)));
    if (reply) {
        freeReplyObject(reply);
    }
    redisFree(c);
    return ok;
}

static void spawn(rds *r)
{
    const char *const argv[] = { REDIS_SERVER, r->conf, NULL };

    /* As RUN_USER through srv_spawn, so that it gets the parent-death
     * signal after the change of user. */
    srv_spawn(&r->server, argv, RUN_USER, START_TIMEOUT_MS, answers, r);
}

/* redis.conf: readable by RUN_USER. */
static void write_conf(rds *r, const char *password, const char *conf)
{
    FILE *f;

    if (!(f = fopen(r->conf, "w"))) {
        fail_msg("redis: %s: %s", r->conf, strerror(errno));
    }
    fprintf(f, "port %d\nbind 127.0.0.1\nprotected-mode no\n"
            "daemonize no\nlogfile \"\"\ndir %s\nsave \"\"\n"
            "appendonly no\n", r->server.port, r->server.dir);
    if (password) {
        fprintf(f, "requirepass \"%s\"\n", password);
    }
    if (conf) {
        fprintf(f, "%s\n", conf);
    }
    if (fclose(f) != 0 || chmod(r->conf, 0644) != 0) {
        fail_msg("redis: %s: %s", r->conf, strerror(errno));
    }
}

rds *rds_start(const char *password, const char *conf)
{
    rds *r = calloc(1, sizeof(*r));

    if (!r) {
        abort();
    }
    srv_init(&r->server, "redis", fx_free_port());
    snprintf(r->conf, sizeof(r->conf), "%s/redis.conf", r->server.dir);
    r->password = password ? strdup(password) : NULL;
    write_conf(r, password, conf);
    spawn(r);
    return r;
}

void rds_kill(rds *r)
{
    srv_stop(&r->server, SIGKILL, 0);
}

void rds_restart(rds *r)
{
    rds_kill(r);
    spawn(r);
}

void rds_pause(rds *r)
{
    srv_pause(&r->server);
}

void rds_resume(rds *r)
{
    srv_resume(&r->server);
}

void rds_free(rds *r)
{
    if (r) {
        srv_free(&r->server);
        free(r->password);
        free(r);
    }
}

int rds_port(const rds *r)
{
    return r->server.port;
}

/* --- the client ---------------------------------------------------------- */

const char *rds_run(const rds *r, int db, const char *const *argv)
{
    redisReply *reply;
    const char *err = command(r, db, argv, &reply);

    if (!err) {
        freeReplyObject(reply);
    }
    return err;
}

const char *rds_set(const rds *r, int db, const char *key, const char *value,
                    size_t len)
{
    char *copy = strndup(value, len);
    const char *err;

    if (!copy) {
        abort();
    }
    if (strlen(copy) != len) {
        free(copy);
        return srv_why("rds_set: a value with a NUL byte");
    }
    err = rds_run(r, db, (const char *const[]){ "SET", key, copy, NULL });
    free(copy);
    return err;
}

const char *rds_del(const rds *r, int db, const char *key)
{
    return rds_run(r, db, (const char *const[]){ "DEL", key, NULL });
}

const char *rds_get(const rds *r, int db, const char *key, char **value,
                    size_t *len)
{
    redisReply *reply;
    const char *err = command(r, db, (const char *const[]){ "GET", key, NULL },
                              &reply);

    *value = NULL;
    if (err) {
        return err;
    }
    if (reply->type == REDIS_REPLY_STRING) {
        if (!(*value = malloc(reply->len + 1))) {
            abort();
        }
        memcpy(*value, reply->str, reply->len);
        (*value)[reply->len] = '\0';
        if (len) {
            *len = reply->len;
        }
    } else if (reply->type != REDIS_REPLY_NIL) {
        err = srv_why("redis on port %d: GET %s answered type %d",
                      r->server.port, key, reply->type);
    }
    freeReplyObject(reply);
    return err;
}

const char *rds_ttl(const rds *r, int db, const char *key, long long *ttl)
{
    redisReply *reply;
    const char *err = command(r, db, (const char *const[]){ "TTL", key, NULL },
                              &reply);

    if (err) {
        return err;
    }
    if (reply->type == REDIS_REPLY_INTEGER) {
        *ttl = reply->integer;
    } else {
        err = srv_why("redis on port %d: TTL %s answered type %d",
                      r->server.port, key, reply->type);
    }
    freeReplyObject(reply);
    return err;
}

const char *rds_calls(const rds *r, const char *name, long long *calls)
{
    redisReply *reply;
    const char *err = command(r, 0, (const char *const[]){ "INFO",
                                                           "commandstats",
                                                           NULL }, &reply);
    char needle[64];
    const char *at;

    if (err) {
        return err;
    }
    *calls = 0;
    snprintf(needle, sizeof(needle), "cmdstat_%s:calls=", name);
    if (reply->type != REDIS_REPLY_STRING
        && reply->type != REDIS_REPLY_STATUS) {
        err = srv_why("redis on port %d: INFO answered type %d",
                      r->server.port, reply->type);
    } else if ((at = strstr(reply->str, needle)) != NULL) {
        *calls = strtoll(at + strlen(needle), NULL, 10);
    }
    freeReplyObject(reply);
    return err;
}
