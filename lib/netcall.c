/* The calls of a network provider on its one connection: see netcall.h.
 *
 * The I/O is a non-blocking socket of this file's own, each wait a poll()
 * bounded by the call's deadline, rather than apr_socket's timeouts: a
 * deadline is what bounds a call as a whole, and send() with MSG_NOSIGNAL
 * is what keeps a write to a closed connection from raising SIGPIPE in a
 * process (maintenancectl) that does not ignore it. */
#include <apr_strings.h>

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#if defined(__linux__)
#include <netinet/in.h>
#include <netinet/tcp.h>
#endif

#include "netcall.h"

const char *maintenance_net_key_split(char *spec, apr_size_t max,
                                      const char **key, apr_pool_t *p)
{
    char *slash = strchr(spec, '/');
    const char *c;

    *key = MAINTENANCE_NET_DEFAULT_KEY;
    if (!slash) {
        return NULL;
    }
    *slash = '\0';
    *key = slash + 1;
    if (!**key || strlen(*key) > max) {
        return apr_psprintf(p, "the key must have 1 to %" APR_SIZE_T_FMT
                            " characters", max);
    }
    for (c = *key; *c; c++) {
        if ((unsigned char)*c <= ' ' || *c == 0x7f) {
            return "the key must not contain spaces or control characters";
        }
    }
    return NULL;
}

apr_status_t maintenance_net_addr_parse(const char *spec, const char **host,
                                        apr_port_t *port, apr_pool_t *p)
{
    char *h, *scope;

    if (apr_parse_addr_port(&h, &scope, port, spec, p) != APR_SUCCESS
        || !h || scope) {
        return APR_EINVAL;
    }
    *host = h;
    return APR_SUCCESS;
}

static void close_conn(maintenance_net *net)
{
    if (net->fd >= 0) {
        close(net->fd);
        net->fd = -1;
    }
}

static apr_status_t close_client(void *data)
{
    maintenance_net *net = data;

    close_conn(net);
    net->lock = NULL;
    return APR_SUCCESS;
}

apr_status_t maintenance_net_child_init(maintenance_net *net,
                                        const char *what, apr_pool_t *p,
                                        const char **err)
{
    char buf[120];
    apr_status_t rv;

    if ((rv = apr_thread_mutex_create(&net->lock, APR_THREAD_MUTEX_DEFAULT,
                                      p)) != APR_SUCCESS
        || (rv = apr_thread_cond_create(&net->idle, p)) != APR_SUCCESS) {
        net->lock = NULL;
        *err = apr_psprintf(p, "cannot start a %s client: %s", what,
                            apr_strerror(rv, buf, sizeof(buf)));
        return rv;
    }
    /* No connection yet: the first call opens one, in this process. */
    net->busy = 0;
    net->fd = -1;
    apr_pool_cleanup_register(p, net, close_client, apr_pool_cleanup_null);
    return APR_SUCCESS;
}

/* Take the connection, waiting for another thread's call at most until
 * deadline. */
static int take(maintenance_net *net, apr_time_t deadline)
{
    apr_time_t now;
    int taken;

    apr_thread_mutex_lock(net->lock);
    while (net->busy && (now = apr_time_now()) < deadline) {
        apr_thread_cond_timedwait(net->idle, net->lock, deadline - now);
    }
    if ((taken = !net->busy)) {
        net->busy = 1;
    }
    apr_thread_mutex_unlock(net->lock);
    return taken;
}

static void give_back(maintenance_net *net)
{
    apr_thread_mutex_lock(net->lock);
    net->busy = 0;
    /* Every waiter: one whose wait is timing out may not take it. */
    apr_thread_cond_broadcast(net->idle);
    apr_thread_mutex_unlock(net->lock);
}

/* Wait until fd is ready for events, at most until deadline. */
static apr_status_t await_fd(int fd, short events, apr_time_t deadline)
{
    for (;;) {
        apr_time_t left = deadline - apr_time_now();
        struct pollfd pfd = { fd, events, 0 };
        int n;

        if (left <= 0) {
            return APR_TIMEUP;
        }
        n = poll(&pfd, 1, (int)((left + 999) / 1000));
        if (n > 0) {
            return APR_SUCCESS;    /* an error or hang-up: the I/O says */
        }
        if (n < 0 && errno != EINTR) {
            return APR_FROM_OS_ERROR(errno);
        }
    }
}

/* Whether a failed send or recv may be tried again: nothing went wrong
 * but a signal or a socket not yet ready. */
static int again(void)
{
    return errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK;
}

/* Extra safety, best effort, as the deadline is what bounds a call:
 * keep-alive probes a kept connection while it is idle, and Linux drops
 * one whose data stays unacknowledged past the timeout, rather than
 * retrying for 15 minutes. */
static void set_tcp_options(const maintenance_net *net, int fd)
{
    int on = 1;
#if defined(__linux__) && defined(TCP_USER_TIMEOUT)
    unsigned int ms = (unsigned int)apr_time_as_msec(net->timeout);

    setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms, sizeof(ms));
#else
    (void)net;
#endif
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
}

/* Connect to one address by deadline: the socket, or -1 with *rv. */
static int connect_to(const maintenance_net *net, const apr_sockaddr_t *sa,
                      apr_time_t deadline, apr_status_t *rv)
{
    int fd = socket(sa->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    0), err = 0;
    socklen_t len = sizeof(err);

    if (fd < 0) {
        *rv = APR_FROM_OS_ERROR(errno);
        return -1;
    }
    if (connect(fd, (const struct sockaddr *)&sa->sa, sa->salen) != 0) {
        /* Under way, non-blocking: it is done when the socket can be
         * written to, and SO_ERROR says how. */
        if (errno != EINPROGRESS && errno != EINTR) {
            err = errno;
        }
        else if ((*rv = await_fd(fd, POLLOUT, deadline)) != APR_SUCCESS) {
            close(fd);
            return -1;
        }
        else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
            err = errno;
        }
    }
    if (err) {
        *rv = APR_FROM_OS_ERROR(err);
        close(fd);
        return -1;
    }
    set_tcp_options(net, fd);
    *rv = APR_SUCCESS;
    return fd;
}

/* Connect to the server, trying its addresses in turn until deadline. The
 * name is resolved again on each connect, so a server that moves is
 * followed. */
static apr_status_t open_conn(maintenance_net *net, apr_time_t deadline,
                              apr_pool_t *p)
{
    apr_sockaddr_t *sa;
    apr_status_t rv;

    rv = apr_sockaddr_info_get(&sa, net->host, APR_UNSPEC, net->port, 0, p);
    for (; rv == APR_SUCCESS && sa; sa = sa->next) {
        if ((net->fd = connect_to(net, sa, deadline, &rv)) >= 0
            || APR_STATUS_IS_TIMEUP(rv)) {
            break;
        }
    }
    return rv;
}

/* Whether a call failed only because the server closed the kept
 * connection while it was idle (a restart, an idle timeout): it is then
 * tried once more, on a new one, rather than reported as an outage. */
static int closed_while_idle(const maintenance_net_call *c, apr_status_t rv)
{
    return c->stage == MAINTENANCE_NET_IO && c->received == 0
           && (rv == APR_EOF || APR_STATUS_IS_ECONNRESET(rv)
               || APR_STATUS_IS_EPIPE(rv));
}

apr_status_t maintenance_net_run(maintenance_net *net,
                                 maintenance_net_call *c,
                                 const maintenance_net_ops *ops,
                                 void *baton, apr_pool_t *p,
                                 const char **err)
{
    apr_time_t deadline = apr_time_now() + net->timeout;
    apr_status_t rv;
    int kept;

    if (!net->lock) {
        *err = apr_pstrcat(p, ops->name, ": not initialised in this process",
                           NULL);
        return APR_EINIT;
    }
    c->stage = MAINTENANCE_NET_WAIT;
    if (!take(net, deadline)) {
        *err = ops->say(baton, APR_TIMEUP, p);
        return APR_TIMEUP;
    }
    do {
        kept = net->fd >= 0;
        c->stage = MAINTENANCE_NET_CONNECT;
        if (kept || ((rv = open_conn(net, deadline, p)) == APR_SUCCESS
                     && (!ops->opened
                         || (rv = ops->opened(baton, deadline))
                            == APR_SUCCESS))) {
            rv = ops->exchange(baton, deadline);
        }
        if (rv != APR_SUCCESS && rv != APR_NOTFOUND) {
            close_conn(net);
        }
    } while (kept && closed_while_idle(c, rv));
    give_back(net);
    if (rv != APR_SUCCESS && rv != APR_NOTFOUND) {
        *err = ops->say(baton, rv, p);
    }
    return rv;
}

apr_status_t maintenance_net_send(maintenance_net *net,
                                  maintenance_net_call *c, const char *data,
                                  apr_size_t len, apr_time_t deadline)
{
    apr_status_t rv;

    c->stage = MAINTENANCE_NET_IO;
    c->received = 0;
    while (len) {
        ssize_t n;

        if ((rv = await_fd(net->fd, POLLOUT, deadline)) != APR_SUCCESS) {
            return rv;
        }
        n = send(net->fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (again()) {
                continue;
            }
            return APR_FROM_OS_ERROR(errno);
        }
        data += n;
        len -= (apr_size_t)n;
    }
    return APR_SUCCESS;
}

apr_status_t maintenance_net_recv(maintenance_net *net,
                                  maintenance_net_call *c, char *buf,
                                  apr_size_t *len, apr_time_t deadline)
{
    apr_status_t rv;

    for (;;) {
        ssize_t n;

        if ((rv = await_fd(net->fd, POLLIN, deadline)) != APR_SUCCESS) {
            return rv;
        }
        n = recv(net->fd, buf, *len, MSG_DONTWAIT);
        if (n == 0) {
            return APR_EOF;
        }
        if (n > 0) {
            *len = (apr_size_t)n;
            c->received += *len;
            return APR_SUCCESS;
        }
        if (!again()) {
            return APR_FROM_OS_ERROR(errno);
        }
    }
}

const char *maintenance_net_say(const maintenance_net *net,
                                const maintenance_net_call *c,
                                apr_status_t rv, apr_pool_t *p)
{
    char buf[120];

    if (APR_STATUS_IS_TIMEUP(rv)) {
        return apr_psprintf(p, "did not answer within %" APR_TIME_T_FMT
                            " ms%s", apr_time_as_msec(net->timeout),
                            c->stage == MAINTENANCE_NET_WAIT
                            ? " (an earlier call is still waiting)" : "");
    }
    if (c->stage == MAINTENANCE_NET_CONNECT) {
        return apr_pstrcat(p, "cannot connect: ",
                           apr_strerror(rv, buf, sizeof(buf)), NULL);
    }
    if (c->stage == MAINTENANCE_NET_IO) {
        return rv == APR_EOF ? "it closed the connection"
               : apr_pstrcat(p, "the connection broke: ",
                             apr_strerror(rv, buf, sizeof(buf)), NULL);
    }
    return NULL;
}
