/* The redis: provider: the state under one key of Redis, or of any server
 * speaking its protocol (Valkey, KeyDB), so a fleet of servers shares one
 * switch.
 *
 * hiredis formats the commands (redisFormatCommandArgv) and parses every
 * answer (its redisReader): nothing of the protocol is parsed here. The
 * bytes go over netcall.c's connection, as memcache:'s do, so that a call
 * ends by MaintenanceStateTimeout as a whole, its connect, AUTH and
 * SELECT included, even against a server that answers a byte at a time,
 * and so that a write to a closed connection never raises SIGPIPE: one
 * connection per instance and process, opened on first use; on any error
 * or timeout it is closed, and the next call opens a new one (AUTH and
 * SELECT again), so the state is read again as soon as the server
 * answers.
 *
 * APR_NOTFOUND is a nil answer to GET alone: an outage, an error answer
 * or an unexpected one never reads as "off".
 */
#include <apr_strings.h>

#include <limits.h>

#include <hiredis/hiredis.h>

#include "netcall.h"
#include "provider.h"
#include "secret.h"

#define KEY_MAX       1024
#define PASSWORD_MAX  4096        /* bytes of a password file */
#define QUOTE_MAX     200         /* bytes of an error line quoted */

/* More than this many bytes of an answer not yet whole: a GET's value is
 * larger than MAINTENANCE_STATE_MAX ("$4096\r\n", the value, "\r\n" fit
 * with room to spare), or another answer is not one Redis gives. */
#define ANSWER_MAX    (MAINTENANCE_STATE_MAX + 64)

typedef struct {
    maintenance_net server;
    const char *where;                 /* HOST:PORT, IPv6 in brackets */
    const char *key;
    int db;
    const char *user;                  /* NULL: AUTH with the password alone */
    const char *password;              /* NULL: no AUTH; never logged */
    apr_size_t password_len;
} rd_instance;

/* One call on the connection: its commands and what came of them. */
typedef struct {
    maintenance_net_call net;
    rd_instance *ri;
    apr_pool_t *pool;
    redisReader *reader;      /* the call's answers */
    const char *text;         /* SET's value, NULL: a GET */
    apr_size_t len;
    const char *command;      /* the one under way: AUTH, SELECT 3, GET... */
    const char *detail;       /* the error line, or what was wrong */
    char value[MAINTENANCE_STATE_MAX];
    apr_size_t value_len;
} rd_call;

/* --- configuration --------------------------------------------------- */

static const char *const OPTIONS[] = { "db", "user", "password-file", NULL };

const char *maintenance_redis_password_read(const char *file,
                                            const char **password,
                                            apr_size_t *len, apr_pool_t *p)
{
    const char *err;
    char *text;

    if ((err = maintenance_secret_read(file, PASSWORD_MAX, &text, len, p))) {
        return apr_pstrcat(p, "password-file=", err, NULL);
    }
    if (!*len) {
        return apr_psprintf(p, "password-file=%s: empty, it must hold the "
                            "password", file);
    }
    *password = text;
    return NULL;
}

/* A database number: digits alone, at most INT_MAX. */
static int parse_db(const char *text, int *db)
{
    long n = 0;
    const char *c;

    if (!*text || strlen(text) > 10) {
        return 0;
    }
    for (c = text; *c; c++) {
        if (*c < '0' || *c > '9') {
            return 0;
        }
        n = n * 10 + (*c - '0');
    }
    if (n > INT_MAX) {
        return 0;
    }
    *db = (int)n;
    return 1;
}

static const char *rd_create(void **instance, const char *args,
                             const apr_table_t *options,
                             const maintenance_provider_params *params,
                             apr_pool_t *p)
{
    rd_instance *ri = apr_pcalloc(p, sizeof(*ri));
    char *spec = apr_pstrdup(p, args);
    const char *host, *err, *db, *file;

    if ((err = maintenance_options_check(options, OPTIONS, p)) != NULL) {
        return err;
    }
    if ((err = maintenance_net_key_split(spec, KEY_MAX, &ri->key, p))) {
        return err;
    }
    /* A colon in a host not in brackets: a port that is no number. */
    if (!*spec || maintenance_net_addr_parse(spec, &host, &ri->server.port,
                                             p) != APR_SUCCESS
        || (strchr(host, ':') && *spec != '[')) {
        return apr_psprintf(p, "'%s' is not HOST:PORT[/KEY], like "
                            "127.0.0.1:6379 or [::1]:6379/shop", args);
    }
    if (!ri->server.port) {
        return apr_psprintf(p, "'%s' lacks its port, like %s:6379", spec,
                            spec);
    }
    ri->server.host = host;
    ri->where = apr_psprintf(p, strchr(host, ':') ? "[%s]:%u" : "%s:%u",
                             host, (unsigned)ri->server.port);

    if ((db = apr_table_get(options, "db")) && !parse_db(db, &ri->db)) {
        return apr_psprintf(p, "db=%s is not a database number: give a "
                            "non-negative integer, like db=1", db);
    }
    ri->user = apr_table_get(options, "user");
    if (ri->user && !*ri->user) {
        return "user= is empty: give the ACL user's name, like user=www";
    }
    file = apr_table_get(options, "password-file");
    if (ri->user && !file) {
        return apr_psprintf(p, "user=%s needs password-file=, the file "
                            "holding that user's password", ri->user);
    }
    if (file) {
        if (!*file) {
            return "password-file= names no file";
        }
        /* Read now, at configuration time: as root in httpd, so the file
         * may be root's alone. */
        if ((err = maintenance_redis_password_read(file, &ri->password,
                                                   &ri->password_len, p))) {
            return err;
        }
    }
    ri->server.timeout = params->timeout;
    *instance = ri;
    return NULL;
}

/* --- the calls ---------------------------------------------------------- */

/* No connection is opened here: the first call opens one. */
static apr_status_t rd_child_init(void *instance, apr_pool_t *p,
                                  const char **err)
{
    rd_instance *ri = instance;

    return maintenance_net_child_init(&ri->server, "redis", p, err);
}

/* Printable ASCII, at most QUOTE_MAX bytes: what the server said goes
 * into the error log. */
static const char *quote(const char *text, apr_size_t len, apr_pool_t *p)
{
    apr_size_t n = len > QUOTE_MAX ? QUOTE_MAX : len, i;
    char *q = apr_palloc(p, n + 4);

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        q[i] = c >= 0x20 && c <= 0x7e ? (char)c : '?';
    }
    strcpy(q + n, n < len ? "..." : "");
    return q;
}

/* Read until hiredis's reader has a whole answer. */
static apr_status_t receive(rd_call *c, redisReply **reply,
                            apr_time_t deadline)
{
    char buf[2048];
    apr_status_t rv;

    for (;;) {
        void *got = NULL;
        apr_size_t n = sizeof(buf);

        if (redisReaderGetReply(c->reader, &got) != REDIS_OK) {
            c->detail = quote(c->reader->errstr, strlen(c->reader->errstr),
                              c->pool);
            return APR_EGENERAL;
        }
        if (got) {
            *reply = got;
            return APR_SUCCESS;
        }
        if (c->net.received > ANSWER_MAX) {
            c->detail = "an answer of more than 4 KiB";
            return APR_ENOSPC;
        }
        if ((rv = maintenance_net_recv(&c->ri->server, &c->net, buf, &n,
                                       deadline)) != APR_SUCCESS) {
            return rv;
        }
        if (redisReaderFeed(c->reader, buf, n) != REDIS_OK) {
            return APR_ENOMEM;
        }
    }
}

/* Send one command (argv, with its lengths) and read its answer into
 * *reply (the caller frees it with freeReplyObject). An error answer is
 * MAINTENANCE_ESTORE, with c->detail its line. */
static apr_status_t command(rd_call *c, const char *name, int argc,
                            const char **argv, const size_t *lens,
                            redisReply **reply, apr_time_t deadline)
{
    char *request;
    int len;
    apr_status_t rv;

    *reply = NULL;
    c->command = name;
    if ((len = redisFormatCommandArgv(&request, argc, argv, lens)) < 0) {
        return APR_ENOMEM;
    }
    rv = maintenance_net_send(&c->ri->server, &c->net, request,
                              (apr_size_t)len, deadline);
    redisFreeCommand(request);
    if (rv != APR_SUCCESS
        || (rv = receive(c, reply, deadline)) != APR_SUCCESS) {
        return rv;
    }
    c->net.stage = MAINTENANCE_NET_ANSWER;
    if ((*reply)->type == REDIS_REPLY_ERROR) {
        c->detail = quote((*reply)->str, (*reply)->len, c->pool);
        freeReplyObject(*reply);
        *reply = NULL;
        return MAINTENANCE_ESTORE;
    }
    return APR_SUCCESS;
}

/* A command whose answer must be +OK (AUTH, SELECT, SET). */
static apr_status_t command_ok(rd_call *c, const char *name, int argc,
                               const char **argv, const size_t *lens,
                               apr_time_t deadline)
{
    redisReply *reply;
    apr_status_t rv = command(c, name, argc, argv, lens, &reply, deadline);

    if (rv != APR_SUCCESS) {
        return rv;
    }
    if (reply->type != REDIS_REPLY_STATUS || strcmp(reply->str, "OK")) {
        c->detail = reply->type == REDIS_REPLY_STATUS
                    ? quote(reply->str, reply->len, c->pool) : "not OK";
        rv = APR_EGENERAL;
    }
    freeReplyObject(reply);
    return rv;
}

/* AUTH and SELECT, on a connection just opened. */
static apr_status_t opened(void *baton, apr_time_t deadline)
{
    rd_call *c = baton;
    const rd_instance *ri = c->ri;
    apr_status_t rv;

    if (ri->password) {
        const char *argv[3] = { "AUTH" };
        size_t lens[3] = { 4 };
        int argc = 1;

        if (ri->user) {
            argv[argc] = ri->user;
            lens[argc++] = strlen(ri->user);
        }
        argv[argc] = ri->password;
        lens[argc++] = ri->password_len;
        if ((rv = command_ok(c, "AUTH", argc, argv, lens, deadline))
            != APR_SUCCESS) {
            return rv;
        }
    }
    if (ri->db) {
        const char *db = apr_itoa(c->pool, ri->db);
        const char *argv[2] = { "SELECT", db };
        size_t lens[2] = { 6, strlen(db) };

        if ((rv = command_ok(c, apr_pstrcat(c->pool, "SELECT ", db, NULL), 2,
                             argv, lens, deadline)) != APR_SUCCESS) {
            return rv;
        }
    }
    return APR_SUCCESS;
}

/* The GET or SET itself, on an open connection. */
static apr_status_t exchange(void *baton, apr_time_t deadline)
{
    rd_call *c = baton;
    const char *key = c->ri->key;
    redisReply *reply;
    apr_status_t rv;

    if (c->text) {
        const char *argv[3] = { "SET", key, c->text };
        size_t lens[3] = { 3, strlen(key), c->len };

        return command_ok(c, "SET", 3, argv, lens, deadline);
    }
    else {
        const char *argv[2] = { "GET", key };
        size_t lens[2] = { 3, strlen(key) };

        if ((rv = command(c, "GET", 2, argv, lens, &reply, deadline))
            != APR_SUCCESS) {
            return rv;
        }
    }
    if (reply->type == REDIS_REPLY_NIL) {
        rv = APR_NOTFOUND;
    }
    else if (reply->type != REDIS_REPLY_STRING) {
        c->detail = "not a string";
        rv = APR_EGENERAL;
    }
    else if (reply->len > MAINTENANCE_STATE_MAX) {
        rv = APR_ENOSPC;
    }
    else {
        memcpy(c->value, reply->str, reply->len);
        c->value_len = reply->len;
        rv = APR_SUCCESS;
    }
    freeReplyObject(reply);
    return rv;
}

/* "redis HOST:PORT, key K: what went wrong". Never the password: AUTH is
 * named, not quoted, and the server's own error lines do not repeat it. */
static const char *say(const void *baton, apr_status_t rv, apr_pool_t *p)
{
    const rd_call *c = baton;
    const rd_instance *ri = c->ri;
    const char *what;

    /* Statuses of the reader, not of the socket, while reading. */
    if (c->net.stage == MAINTENANCE_NET_IO
        && (rv == APR_EGENERAL || rv == APR_ENOSPC)) {
        what = rv == APR_ENOSPC && !strcmp(c->command, "GET")
               ? "the value is larger than 4096 bytes"
               : apr_psprintf(p, "the answer to %s was not Redis's (%s)",
                              c->command, c->detail);
    }
    else if (!(what = maintenance_net_say(&ri->server, &c->net, rv, p))) {
        what = rv == APR_ENOSPC ? "the value is larger than 4096 bytes"
               : rv == MAINTENANCE_ESTORE
               ? apr_psprintf(p, "%s was refused: %s", c->command, c->detail)
               : apr_psprintf(p, "the answer to %s was not what Redis "
                              "answers (%s)", c->command,
                              c->detail ? c->detail : "unknown");
    }
    return apr_psprintf(p, "redis %s, key %s: %s", ri->where, ri->key, what);
}

static const maintenance_net_ops RD_OPS = { "redis", opened, exchange, say };

/* Run the call, a GET (c->text NULL) or a SET, on the instance's
 * connection. */
static apr_status_t run(rd_call *c, apr_pool_t *p, const char **err)
{
    apr_status_t rv;

    c->pool = p;
    if (!(c->reader = redisReaderCreate())) {
        *err = "redis: out of memory";
        return APR_ENOMEM;
    }
    rv = maintenance_net_run(&c->ri->server, &c->net, &RD_OPS, c, p, err);
    redisReaderFree(c->reader);
    return rv;
}

static apr_status_t rd_get(void *instance, char *buf, apr_size_t *len,
                           apr_pool_t *p, const char **err)
{
    rd_call *c = apr_pcalloc(p, sizeof(*c));
    apr_status_t rv;

    c->ri = instance;
    if ((rv = run(c, p, err)) == APR_SUCCESS) {
        memcpy(buf, c->value, c->value_len);
        *len = c->value_len;
    }
    return rv;
}

static apr_status_t rd_set(void *instance, const char *text, apr_size_t len,
                           apr_pool_t *p, const char **err)
{
    rd_call *c = apr_pcalloc(p, sizeof(*c));

    if (len > MAINTENANCE_STATE_MAX) {
        return APR_ENOSPC;
    }
    /* A SET without EX or PX: no expiry. */
    c->ri = instance;
    c->text = text;
    c->len = len;
    return run(c, p, err);
}

const maintenance_provider maintenance_redis_provider = {
    rd_create,
    NULL,
    rd_child_init,
    rd_get,
    rd_set
};
