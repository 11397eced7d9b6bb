/* The calls of a network provider (memcache:, redis:) on its one TCP
 * connection per instance and process: what they share, apart from their
 * protocols.
 *
 * The connection is opened on first use, in the process that uses it, so
 * none is ever shared across a fork. One thread at a time uses it: the
 * others wait, each at most until its own call's deadline. Every step of
 * a call (the wait, the name's resolution and connect, each send and each
 * read) ends by that deadline, whatever the server does: a host gone
 * silent without a RST holds a call for MaintenanceStateTimeout, not for
 * the 15 minutes TCP would retry. On any error or timeout the connection
 * is closed, and the next call opens a new one, so the state is read
 * again as soon as the server answers; a call that failed only because
 * the server closed the kept connection while it was idle is tried once
 * more, on a new one.
 *
 *     maintenance_net_addr_parse(spec, &net->host, &net->port, p);
 *     net->timeout = params->timeout;                  (create)
 *     maintenance_net_child_init(net, "memcache", p, err);   (child_init)
 *     maintenance_net_run(net, &call->net, &ops, call, p, err);  (get, set)
 *         ops.exchange: maintenance_net_send(), then maintenance_net_recv()
 *         until the answer is whole
 *         ops.say: the provider's words, or maintenance_net_say()'s
 */
#ifndef MAINTENANCE_NETCALL_H
#define MAINTENANCE_NETCALL_H

#include <apr_network_io.h>
#include <apr_pools.h>
#include <apr_thread_cond.h>
#include <apr_thread_mutex.h>
#include <apr_time.h>

/* One server, and the connection to it of this process. */
typedef struct maintenance_net {
    /* Configuration. */
    const char *host;
    apr_port_t port;
    apr_interval_time_t timeout;       /* of a whole call */

    /* Per process, from maintenance_net_child_init. lock guards busy;
     * the thread that set busy owns the connection until it clears it,
     * without the lock, so that the others can give up waiting at their
     * own deadline. */
    apr_thread_mutex_t *lock;          /* NULL: not initialised here */
    apr_thread_cond_t *idle;
    int busy;
    int fd;                            /* -1: none open */
} maintenance_net;

/* Where a call failed, for its message. */
typedef enum {
    MAINTENANCE_NET_WAIT,       /* behind another thread's call */
    MAINTENANCE_NET_CONNECT,
    MAINTENANCE_NET_IO,         /* sending a request or reading its answer */
    MAINTENANCE_NET_ANSWER      /* the server's answer, whole, says so */
} maintenance_net_stage;

/* One call: where it is, and how much of the answer under way came. A
 * provider's own call record holds one. */
typedef struct maintenance_net_call {
    maintenance_net_stage stage;
    apr_size_t received;
} maintenance_net_call;

/* What a provider does on the connection, each given the provider's
 * own call record (baton). */
typedef struct maintenance_net_ops {
    const char *name;           /* the provider's: "memcache" */
    /* Right after connecting, before the call's request: a handshake
     * (AUTH...). NULL: none. */
    apr_status_t (*opened)(void *baton, apr_time_t deadline);
    /* The request and its answer. */
    apr_status_t (*exchange)(void *baton, apr_time_t deadline);
    /* The message of a failed call (maintenance_net_say says the
     * connection's part). */
    const char *(*say)(const void *baton, apr_status_t rv, apr_pool_t *p);
} maintenance_net_ops;

/* The key of a spec ADDRESS[/KEY] when it names none. */
#define MAINTENANCE_NET_DEFAULT_KEY "maintenance_mode_state"

/* Cut spec (the caller's copy) at its first '/': *key gets what follows,
 * or MAINTENANCE_NET_DEFAULT_KEY when there is no '/'. NULL, or what is
 * wrong with the key: empty, more than max bytes, or with spaces or
 * control characters. */
const char *maintenance_net_key_split(char *spec, apr_size_t max,
                                      const char **key, apr_pool_t *p);

/* HOST:PORT, an IPv6 address in brackets ([::1]:6379), as
 * apr_parse_addr_port reads it: APR_SUCCESS with *host and *port (0 when
 * none is given: the caller says which it expects), APR_EINVAL when there
 * is no host, the port is no number, or a scope id is given. */
apr_status_t maintenance_net_addr_parse(const char *spec, const char **host,
                                        apr_port_t *port, apr_pool_t *p);

/* The lock of net in this process, and no connection: call it in each
 * process (child_init). The connection is closed when p goes. On failure
 * *err says "cannot start a <what> client: ...". */
apr_status_t maintenance_net_child_init(maintenance_net *net,
                                        const char *what, apr_pool_t *p,
                                        const char **err);

/* Run one call on net's connection, opened if need be (its addresses
 * resolved from p), all within net->timeout: APR_TIMEUP when another
 * thread's call held the connection until then, else what ops says, or
 * the socket's status when it failed first (c->stage says which). Only a
 * call that got what it asked for (APR_SUCCESS, APR_NOTFOUND) keeps the
 * connection: after anything else, what the server sends next is
 * unknown, so the next call starts afresh; and on anything else *err
 * says why (ops->say). APR_EINIT before maintenance_net_child_init. */
apr_status_t maintenance_net_run(maintenance_net *net,
                                 maintenance_net_call *c,
                                 const maintenance_net_ops *ops,
                                 void *baton, apr_pool_t *p,
                                 const char **err);

/* Send a request whole, by deadline: c is at MAINTENANCE_NET_IO, and the
 * request's answer has not begun (c->received is 0). Never raises
 * SIGPIPE. */
apr_status_t maintenance_net_send(maintenance_net *net,
                                  maintenance_net_call *c, const char *data,
                                  apr_size_t len, apr_time_t deadline);

/* Read at most *len bytes of the answer into buf, by deadline: *len gets
 * how many came (counted in c->received); APR_EOF when the server closed
 * the connection. */
apr_status_t maintenance_net_recv(maintenance_net *net,
                                  maintenance_net_call *c, char *buf,
                                  apr_size_t *len, apr_time_t deadline);

/* What went wrong with the connection, for a call's message: the
 * timeout, the connect, or the socket's I/O; NULL when the call failed
 * on a whole answer (MAINTENANCE_NET_ANSWER: the provider says why). */
const char *maintenance_net_say(const maintenance_net *net,
                                const maintenance_net_call *c,
                                apr_status_t rv, apr_pool_t *p);

#endif
