/* The memcache: provider: the state under one key of memcached, so a fleet
 * of servers shares one switch.
 *
 * The client is written here, memcached's text protocol over apr_socket,
 * because apr_memcache cannot be made to keep the provider's promises:
 * - It sets no read timeout on its sockets: a host gone silent without a
 *   RST (a partition, a dead VM, a black hole that accepts connections
 *   and never answers) holds a call until TCP gives up, some 15 minutes,
 *   and every later call behind it.
 * - With every server dead, a get answers APR_NOTFOUND, as for a missing
 *   key, which would read an outage as "off".
 * - A dead server makes keys hash to the next one, which may hold an old
 *   state.
 * So here every call, its wait for the connection included, ends by
 * MaintenanceStateTimeout; on any error or timeout the connection is
 * closed and the next call opens a new one, so the state is read again as
 * soon as memcached answers; the key's own server is always the one asked
 * (chosen as apr_memcache chose it), and a dead one is an error, never a
 * stand-in; APR_NOTFOUND is memcached's own "END" alone. The answers are
 * parsed by memcache_proto.c, apart from the I/O.
 */
#include <apr_memcache.h>
#include <apr_network_io.h>
#include <apr_portable.h>
#include <apr_strings.h>
#include <apr_thread_cond.h>
#include <apr_thread_mutex.h>

#if defined(__linux__)
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#endif

#include "memcache_proto.h"
#include "provider.h"

#define DEFAULT_KEY  "maintenance_mode_state"
#define MAX_SERVERS  64
#define KEY_MAX      250              /* memcached's own limit */

typedef struct {
    const char *host;
    apr_port_t port;
} server_addr;

typedef struct {
    /* Configuration. */
    const server_addr *home;              /* the key's own server */
    const char *key;
    apr_interval_time_t timeout;

    /* Per process, from child_init. lock guards busy; the thread that set
     * busy owns the connection until it clears it, without the lock, so
     * that the others can give up waiting at their own deadline. */
    apr_thread_mutex_t *lock;
    apr_thread_cond_t *idle;
    int busy;
    apr_pool_t *conn_pool;                /* the connection's alone */
    apr_socket_t *sock;                   /* NULL: none open */
} mc_instance;

/* Where a call failed, for its message. */
typedef enum {
    AT_WAIT,        /* behind another thread's call */
    AT_CONNECT,
    AT_IO,          /* sending the request or reading the answer */
    AT_ANSWER       /* memcached's answer, whole, says so */
} mc_stage;

/* One get or set on the connection. */
typedef struct {
    int set;
    const char *request;
    apr_size_t request_len;
    char *answer;                         /* MAINTENANCE_MC_ANSWER_MAX */
    apr_size_t answer_len;
    const char *text;                     /* the value, or the error line */
    apr_size_t text_len;
    mc_stage stage;
} mc_call;

static const char *parse_server(apr_array_header_t *servers,
                                const char *spec, apr_pool_t *p)
{
    server_addr *sa = apr_array_push(servers);
    char *scope;

    if (apr_parse_addr_port((char **)&sa->host, &scope, &sa->port, spec, p)
        != APR_SUCCESS || !sa->host || scope) {
        return apr_psprintf(p, "'%s' is not HOST:PORT", spec);
    }
    if (!sa->port) {
        return apr_psprintf(p, "'%s' lacks its port, like %s:11211", spec,
                            sa->host);
    }
    return NULL;
}

static const char *check_key(const char *key)
{
    const char *c;

    if (!*key || strlen(key) > KEY_MAX) {
        return "the key must have 1 to 250 characters";
    }
    for (c = key; *c; c++) {
        if ((unsigned char)*c <= ' ' || *c == 0x7f) {
            return "the key must not contain spaces or control characters";
        }
    }
    return NULL;
}

static const char *mc_create(void **instance, const char *args,
                             const apr_table_t *options,
                             const maintenance_provider_params *params,
                             apr_pool_t *p)
{
    mc_instance *mi = apr_pcalloc(p, sizeof(*mi));
    char *list = apr_pstrdup(p, args), *slash = strchr(list, '/');
    char *spec, *last;
    const char *err;
    apr_array_header_t *servers;
    apr_uint32_t hash;

    if ((err = maintenance_options_check(options, NULL, p)) != NULL) {
        return err;
    }
    mi->key = DEFAULT_KEY;
    if (slash) {
        *slash = '\0';
        mi->key = slash + 1;
        if ((err = check_key(mi->key))) {
            return err;
        }
    }
    servers = apr_array_make(p, 2, sizeof(server_addr));
    for (spec = apr_strtok(list, ",", &last); spec;
         spec = apr_strtok(NULL, ",", &last)) {
        if ((err = parse_server(servers, spec, p))) {
            return err;
        }
    }
    if (!servers->nelts) {
        return "no server: give HOST:PORT[,HOST:PORT...][/KEY]";
    }
    if (servers->nelts > MAX_SERVERS) {
        return "more than 64 servers";
    }
    /* apr_memcache's default hash over the servers in their order, so the
     * key stays on the server other clients of it use. */
    hash = apr_memcache_hash_default(NULL, mi->key, strlen(mi->key));
    mi->home = &APR_ARRAY_IDX(servers, hash % servers->nelts, server_addr);
    mi->timeout = params->timeout;
    *instance = mi;
    return NULL;
}

static apr_status_t close_client(void *data)
{
    mc_instance *mi = data;

    apr_pool_destroy(mi->conn_pool);
    mi->conn_pool = NULL;
    mi->sock = NULL;
    mi->lock = NULL;
    return APR_SUCCESS;
}

/* No connection is opened here: one is made on first use, in the process
 * that uses it, so none is ever shared across a fork. */
static apr_status_t mc_child_init(void *instance, apr_pool_t *p,
                                  const char **err)
{
    mc_instance *mi = instance;
    char buf[120];
    apr_status_t rv;

    /* The connection's pool has an allocator of its own: it is used by
     * whichever thread holds the connection, while others allocate from
     * p's. */
    if ((rv = apr_thread_mutex_create(&mi->lock, APR_THREAD_MUTEX_DEFAULT,
                                      p)) != APR_SUCCESS
        || (rv = apr_thread_cond_create(&mi->idle, p)) != APR_SUCCESS
        || (rv = apr_pool_create_unmanaged_ex(&mi->conn_pool, NULL, NULL))
           != APR_SUCCESS) {
        mi->lock = NULL;
        *err = apr_psprintf(p, "cannot start a memcache client: %s",
                            apr_strerror(rv, buf, sizeof(buf)));
        return rv;
    }
    apr_pool_cleanup_register(p, mi, close_client, apr_pool_cleanup_null);
    return APR_SUCCESS;
}

/* Take the connection, waiting for another thread's call at most until
 * deadline. */
static int take(mc_instance *mi, apr_time_t deadline)
{
    apr_time_t now;
    int taken;

    apr_thread_mutex_lock(mi->lock);
    while (mi->busy && (now = apr_time_now()) < deadline) {
        apr_thread_cond_timedwait(mi->idle, mi->lock, deadline - now);
    }
    if ((taken = !mi->busy)) {
        mi->busy = 1;
    }
    apr_thread_mutex_unlock(mi->lock);
    return taken;
}

static void give_back(mc_instance *mi)
{
    apr_thread_mutex_lock(mi->lock);
    mi->busy = 0;
    /* Every waiter: one whose wait is timing out may not take it. */
    apr_thread_cond_broadcast(mi->idle);
    apr_thread_mutex_unlock(mi->lock);
}

static void close_conn(mc_instance *mi)
{
    apr_pool_clear(mi->conn_pool);    /* closes the socket */
    mi->sock = NULL;
}

/* The socket's timeout for its next step: what is left until deadline. */
static apr_status_t time_left(apr_socket_t *sock, apr_time_t deadline)
{
    apr_time_t left = deadline - apr_time_now();

    return left > 0 ? apr_socket_timeout_set(sock, left) : APR_TIMEUP;
}

/* Extra safety, best effort, as the deadline is what bounds a call:
 * keep-alive probes a kept connection while it is idle, and Linux drops
 * one whose data stays unacknowledged past the timeout, rather than
 * retrying for 15 minutes. */
static void set_tcp_options(mc_instance *mi, apr_socket_t *sock)
{
#if defined(__linux__) && defined(TCP_USER_TIMEOUT)
    apr_os_sock_t fd;
    unsigned int ms = (unsigned int)apr_time_as_msec(mi->timeout);

    if (apr_os_sock_get(&fd, sock) == APR_SUCCESS) {
        setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms, sizeof(ms));
    }
#else
    (void)mi;
#endif
    apr_socket_opt_set(sock, APR_SO_KEEPALIVE, 1);
}

/* Connect to the key's server, trying its addresses in turn until
 * deadline. The name is resolved again on each connect, as apr_memcache
 * did, so a server that moves is followed. */
static apr_status_t open_conn(mc_instance *mi, apr_time_t deadline)
{
    apr_sockaddr_t *sa;
    apr_socket_t *sock;
    apr_status_t rv;

    rv = apr_sockaddr_info_get(&sa, mi->home->host, APR_UNSPEC,
                               mi->home->port, 0, mi->conn_pool);
    for (; rv == APR_SUCCESS && sa; sa = sa->next) {
        if ((rv = apr_socket_create(&sock, sa->family, SOCK_STREAM,
                                    APR_PROTO_TCP, mi->conn_pool))
            != APR_SUCCESS) {
            continue;
        }
        /* A timeout makes the connect non-blocking, bounded by it. */
        if ((rv = time_left(sock, deadline)) == APR_SUCCESS
            && (rv = apr_socket_connect(sock, sa)) == APR_SUCCESS) {
            set_tcp_options(mi, sock);
            mi->sock = sock;
            return APR_SUCCESS;
        }
        apr_socket_close(sock);
    }
    close_conn(mi);
    return rv;
}

static apr_status_t send_all(apr_socket_t *sock, const char *data,
                             apr_size_t len, apr_time_t deadline)
{
    apr_status_t rv;

    while (len) {
        apr_size_t n = len;

        if ((rv = time_left(sock, deadline)) != APR_SUCCESS
            || (rv = apr_socket_send(sock, data, &n)) != APR_SUCCESS) {
            return rv;
        }
        data += n;
        len -= n;
    }
    return APR_SUCCESS;
}

static apr_status_t parse(const mc_instance *mi, mc_call *c)
{
    return c->set
           ? maintenance_mc_parse_set(c->answer, c->answer_len, &c->text,
                                      &c->text_len)
           : maintenance_mc_parse_get(c->answer, c->answer_len, mi->key,
                                      &c->text, &c->text_len);
}

/* Send the request and read until the answer is whole. The answer's
 * status, or the socket's when it failed first (c->stage says which). */
static apr_status_t exchange(mc_instance *mi, mc_call *c, apr_time_t deadline)
{
    apr_status_t rv;

    c->stage = AT_IO;
    c->answer_len = 0;
    if ((rv = send_all(mi->sock, c->request, c->request_len, deadline))
        != APR_SUCCESS) {
        return rv;
    }
    do {
        /* The parser says APR_INCOMPLETE only for fewer bytes than the
         * buffer holds, so there is always room. */
        apr_size_t n = MAINTENANCE_MC_ANSWER_MAX - c->answer_len;

        if ((rv = time_left(mi->sock, deadline)) != APR_SUCCESS
            || (rv = apr_socket_recv(mi->sock, c->answer + c->answer_len,
                                     &n)) != APR_SUCCESS) {
            return rv;
        }
        c->answer_len += n;
    } while ((rv = parse(mi, c)) == APR_INCOMPLETE);
    c->stage = AT_ANSWER;
    return rv;
}

/* Whether a call failed only because memcached closed the kept
 * connection while it was idle (a restart, an idle timeout): it is then
 * tried once more, on a new one, rather than reported as an outage. */
static int closed_while_idle(const mc_call *c, apr_status_t rv)
{
    return c->stage == AT_IO && c->answer_len == 0
           && (rv == APR_EOF || APR_STATUS_IS_ECONNRESET(rv)
               || APR_STATUS_IS_EPIPE(rv));
}

/* Run the call on the instance's connection, opened if need be, all by
 * deadline. Only a call that got what it asked for keeps the connection:
 * after anything else, what memcached sends next is unknown, so the next
 * call starts afresh. */
static apr_status_t run_call(mc_instance *mi, mc_call *c, apr_time_t deadline)
{
    apr_status_t rv;
    int kept;

    c->stage = AT_WAIT;
    if (!take(mi, deadline)) {
        return APR_TIMEUP;
    }
    do {
        kept = mi->sock != NULL;
        c->stage = AT_CONNECT;
        if (!kept && (rv = open_conn(mi, deadline)) != APR_SUCCESS) {
            break;
        }
        rv = exchange(mi, c, deadline);
        if (rv != APR_SUCCESS && rv != APR_NOTFOUND) {
            close_conn(mi);
        }
    } while (kept && closed_while_idle(c, rv));
    give_back(mi);
    return rv;
}

/* "memcached HOST:PORT, key K: what went wrong". */
static const char *say(const mc_instance *mi, const mc_call *c,
                       apr_status_t rv, apr_pool_t *p)
{
    char buf[120];
    const char *what;

    if (APR_STATUS_IS_TIMEUP(rv)) {
        what = apr_psprintf(p, "did not answer within %"
                            APR_TIME_T_FMT " ms%s",
                            apr_time_as_msec(mi->timeout),
                            c->stage == AT_WAIT ? " (an earlier call is "
                                                  "still waiting)" : "");
    }
    else if (c->stage == AT_CONNECT) {
        what = apr_pstrcat(p, "cannot connect: ",
                           apr_strerror(rv, buf, sizeof(buf)), NULL);
    }
    else if (c->stage == AT_IO) {
        what = rv == APR_EOF ? "it closed the connection"
               : apr_pstrcat(p, "the connection broke: ",
                             apr_strerror(rv, buf, sizeof(buf)), NULL);
    }
    else if (rv == APR_ENOSPC) {
        what = "the value is larger than 4096 bytes";
    }
    else if (rv == MAINTENANCE_ESTORE) {
        what = apr_psprintf(p, "it answered %.*s", (int)c->text_len,
                            c->text);
    }
    else {
        what = "the answer was not memcached's";
    }
    return apr_psprintf(p, "memcached %s:%u, key %s: %s", mi->home->host,
                        (unsigned)mi->home->port, mi->key, what);
}

static apr_status_t not_ready(const char **err)
{
    *err = "memcache: not initialised in this process";
    return APR_EINIT;
}

static apr_status_t mc_get(void *instance, char *buf, apr_size_t *len,
                           apr_pool_t *p, const char **err)
{
    mc_instance *mi = instance;
    apr_time_t deadline = apr_time_now() + mi->timeout;
    mc_call c = { 0 };
    apr_status_t rv;

    if (!mi->lock) {
        return not_ready(err);
    }
    c.request = apr_pstrcat(p, "get ", mi->key, "\r\n", NULL);
    c.request_len = strlen(c.request);
    c.answer = apr_palloc(p, MAINTENANCE_MC_ANSWER_MAX);
    rv = run_call(mi, &c, deadline);
    if (rv == APR_SUCCESS) {
        memcpy(buf, c.text, c.text_len);
        *len = c.text_len;
    }
    else if (rv != APR_NOTFOUND) {
        *err = say(mi, &c, rv, p);
    }
    return rv;
}

static apr_status_t mc_set(void *instance, const char *text, apr_size_t len,
                           apr_pool_t *p, const char **err)
{
    mc_instance *mi = instance;
    apr_time_t deadline = apr_time_now() + mi->timeout;
    mc_call c = { 0 };
    char *head, *request;
    apr_size_t head_len;
    apr_status_t rv;

    if (len > MAINTENANCE_STATE_MAX) {
        return APR_ENOSPC;
    }
    if (!mi->lock) {
        return not_ready(err);
    }
    /* Flags 0, no expiry; one buffer, so one write for small states. */
    head = apr_psprintf(p, "set %s 0 0 %" APR_SIZE_T_FMT "\r\n", mi->key,
                        len);
    head_len = strlen(head);
    request = apr_palloc(p, head_len + len + 2);
    memcpy(request, head, head_len);
    memcpy(request + head_len, text, len);
    memcpy(request + head_len + len, "\r\n", 2);
    c.set = 1;
    c.request = request;
    c.request_len = head_len + len + 2;
    c.answer = apr_palloc(p, MAINTENANCE_MC_ANSWER_MAX);
    rv = run_call(mi, &c, deadline);
    if (rv != APR_SUCCESS) {
        *err = say(mi, &c, rv, p);
    }
    return rv;
}

const maintenance_provider maintenance_memcache_provider = {
    mc_create,
    NULL,
    mc_child_init,
    mc_get,
    mc_set
};
