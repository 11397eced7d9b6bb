/* The memcache: provider: the state under one key of memcached, through
 * apr_memcache, so a fleet of servers shares one switch.
 *
 * apr_memcache has three traps, each handled here:
 * - It sets no read timeout on its sockets: a stalled memcached blocks the
 *   caller forever. Every call therefore runs on a worker thread of this
 *   instance, and the caller waits for it at most MaintenanceStateTimeout.
 *   While a call has not returned, the next ones wait for the worker as
 *   long, then fail; it returns when memcached answers or the connection
 *   breaks (for a host gone silent, when TCP gives up).
 * - With every server dead, a get answers APR_NOTFOUND, as for a missing
 *   key, which would read an outage as "off".
 * - A dead server makes keys hash to the next one, which may hold an old
 *   state. Both are avoided by a server hook that always names the key's
 *   own server, dead or alive: a dead one gives an error, never a stand-in.
 */
#include <apr_memcache.h>
#include <apr_strings.h>
#include <apr_thread_cond.h>
#include <apr_thread_mutex.h>
#include <apr_thread_proc.h>

#include "provider.h"

#define DEFAULT_KEY  "maintenance_mode_state"
#define MAX_SERVERS  64
#define KEY_MAX      250              /* memcached's own limit */
#define CONN_TTL     apr_time_from_sec(60)

typedef struct {
    const char *host;
    apr_port_t port;
} server_addr;

typedef enum { CALL_NONE, CALL_GET, CALL_SET } call_op;

typedef struct {
    /* Configuration. */
    apr_array_header_t *servers;          /* server_addr */
    const char *key;
    apr_interval_time_t timeout;

    /* Per process, from child_init. lock guards everything below it. */
    apr_pool_t *mc_pool;                  /* the client's: see stop_worker */
    apr_memcache_t *mc;
    apr_pool_t *scratch;                  /* the worker's alone */
    apr_thread_mutex_t *lock;
    apr_thread_cond_t *changed;
    int busy;                             /* a call is posted or running */
    int posted;                           /* the worker has yet to take it */
    int done;                             /* its result is in */
    int abandoned;                        /* its caller gave up waiting */
    int stopping;                         /* the process is going */
    int stopped;                          /* the worker is gone */
    call_op op;
    char data[MAINTENANCE_STATE_MAX + 1]; /* set: in; get: out */
    apr_size_t len;
    apr_status_t rv;
} mc_instance;

static const char *parse_server(mc_instance *mi, const char *spec,
                                apr_pool_t *p)
{
    server_addr *sa = apr_array_push(mi->servers);
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
    mi->servers = apr_array_make(p, 2, sizeof(server_addr));
    for (spec = apr_strtok(list, ",", &last); spec;
         spec = apr_strtok(NULL, ",", &last)) {
        if ((err = parse_server(mi, spec, p))) {
            return err;
        }
    }
    if (!mi->servers->nelts) {
        return "no server: give HOST:PORT[,HOST:PORT...][/KEY]";
    }
    if (mi->servers->nelts > MAX_SERVERS) {
        return "more than 64 servers";
    }
    mi->timeout = params->timeout;
    *instance = mi;
    return NULL;
}

/* The key's own server, never another one standing in for it. */
static apr_memcache_server_t *home_server(void *baton, apr_memcache_t *mc,
                                          const apr_uint32_t hash)
{
    (void)baton;
    return mc->ntotal ? mc->live_servers[hash % mc->ntotal] : NULL;
}

static apr_status_t run_call(mc_instance *mi)
{
    char *value;
    apr_size_t len;
    apr_status_t rv;

    apr_pool_clear(mi->scratch);
    if (mi->op == CALL_SET) {
        return apr_memcache_set(mi->mc, mi->key, mi->data, mi->len, 0, 0);
    }
    rv = apr_memcache_getp(mi->mc, mi->scratch, mi->key, &value, &len, NULL);
    if (rv == APR_SUCCESS) {
        if (len > MAINTENANCE_STATE_MAX) {
            return APR_ENOSPC;
        }
        memcpy(mi->data, value, len);
        mi->len = len;
    }
    return rv;
}

static void *APR_THREAD_FUNC worker(apr_thread_t *thread, void *data)
{
    mc_instance *mi = data;

    (void)thread;
    apr_thread_mutex_lock(mi->lock);
    for (;;) {
        while (!mi->posted && !mi->stopping) {
            apr_thread_cond_wait(mi->changed, mi->lock);
        }
        if (mi->stopping) {
            break;
        }
        mi->posted = 0;
        /* The caller waits on done, so the call's fields are ours. */
        apr_thread_mutex_unlock(mi->lock);
        mi->rv = run_call(mi);
        apr_thread_mutex_lock(mi->lock);
        mi->done = 1;
        if (mi->abandoned) {
            mi->busy = mi->done = mi->abandoned = 0;
        }
        apr_thread_cond_broadcast(mi->changed);
    }
    mi->stopped = 1;
    apr_thread_cond_broadcast(mi->changed);
    apr_thread_mutex_unlock(mi->lock);
    return NULL;
}

/* Wait on the instance's condition until deadline; 0 when it passed. */
static int wait_until(mc_instance *mi, apr_time_t deadline)
{
    apr_time_t now = apr_time_now();

    if (now >= deadline) {
        return 0;
    }
    apr_thread_cond_timedwait(mi->changed, mi->lock, deadline - now);
    return 1;
}

/* Before the pool takes the lock and the memcache client: let the worker
 * go, waiting for a call in flight at most the timeout. A worker stuck
 * longer is left behind; the process is ending. */
static apr_status_t stop_worker(void *data)
{
    mc_instance *mi = data;
    apr_time_t deadline = apr_time_now() + mi->timeout;

    apr_thread_mutex_lock(mi->lock);
    mi->stopping = 1;
    apr_thread_cond_broadcast(mi->changed);
    while (!mi->stopped && wait_until(mi, deadline))
        ;
    apr_thread_mutex_unlock(mi->lock);
    /* A stuck worker still holds a connection: destroying the client
     * under it would fail apr_reslist's checks. */
    if (mi->stopped) {
        apr_pool_destroy(mi->mc_pool);
    }
    return APR_SUCCESS;
}

/* The memcache client and its worker thread, or the status that stopped
 * them. */
static apr_status_t start_client(mc_instance *mi, apr_pool_t *p)
{
    apr_threadattr_t *attr;
    apr_thread_t *thread;
    apr_status_t rv;
    int i;

    /* min 0: no connection is made before it is needed, so none is ever
     * shared across a fork. One connection: one worker uses it. The client
     * has a pool of its own, destroyed only once the worker is gone. */
    if ((rv = apr_pool_create_unmanaged_ex(&mi->mc_pool, NULL, NULL))
           != APR_SUCCESS
        || (rv = apr_memcache_create(mi->mc_pool,
                                     (apr_uint16_t)mi->servers->nelts, 0,
                                     &mi->mc)) != APR_SUCCESS) {
        return rv;
    }
    for (i = 0; i < mi->servers->nelts; i++) {
        server_addr *sa = &APR_ARRAY_IDX(mi->servers, i, server_addr);
        apr_memcache_server_t *ms;

        if ((rv = apr_memcache_server_create(mi->mc_pool, sa->host, sa->port,
                                             0, 1, 1,
                                             CONN_TTL, &ms)) != APR_SUCCESS
            || (rv = apr_memcache_add_server(mi->mc, ms)) != APR_SUCCESS) {
            return rv;
        }
    }
    mi->mc->server_func = home_server;
    mi->mc->server_baton = mi;

    if ((rv = apr_pool_create(&mi->scratch, mi->mc_pool)) != APR_SUCCESS
        || (rv = apr_thread_mutex_create(&mi->lock, APR_THREAD_MUTEX_DEFAULT,
                                         p)) != APR_SUCCESS
        || (rv = apr_thread_cond_create(&mi->changed, p)) != APR_SUCCESS
        || (rv = apr_threadattr_create(&attr, p)) != APR_SUCCESS) {
        return rv;
    }
    /* Never joined: a call stuck on a stalled server must not hold up the
     * process's exit. */
    apr_threadattr_detach_set(attr, 1);
    if ((rv = apr_thread_create(&thread, attr, worker, mi, p)) != APR_SUCCESS) {
        return rv;
    }
    apr_pool_pre_cleanup_register(p, mi, stop_worker);
    return APR_SUCCESS;
}

static apr_status_t mc_child_init(void *instance, apr_pool_t *p,
                                  const char **err)
{
    char buf[120];
    apr_status_t rv = start_client(instance, p);

    if (rv != APR_SUCCESS) {
        *err = apr_psprintf(p, "cannot start a memcache client: %s",
                            apr_strerror(rv, buf, sizeof(buf)));
    }
    return rv;
}

/* Post op to the worker and wait at most the timeout for its result. */
static apr_status_t call(mc_instance *mi, call_op op, const char *in,
                         apr_size_t in_len, char *out, apr_size_t *out_len,
                         apr_pool_t *p, const char **err)
{
    apr_time_t deadline = apr_time_now() + mi->timeout;
    apr_status_t rv;

    if (!mi->lock) {
        *err = "memcache: not initialised in this process";
        return APR_EINIT;
    }
    apr_thread_mutex_lock(mi->lock);
    while (mi->busy && wait_until(mi, deadline))
        ;
    if (mi->busy) {
        apr_thread_mutex_unlock(mi->lock);
        *err = apr_psprintf(p, "memcached did not answer within %"
                            APR_TIME_T_FMT " ms (an earlier call is still "
                            "waiting)", apr_time_as_msec(mi->timeout));
        return APR_TIMEUP;
    }
    mi->busy = mi->posted = 1;
    mi->op = op;
    if (op == CALL_SET) {
        memcpy(mi->data, in, in_len);
        mi->len = in_len;
    }
    apr_thread_cond_broadcast(mi->changed);
    while (!mi->done && wait_until(mi, deadline))
        ;
    if (!mi->done) {
        mi->abandoned = 1;
        apr_thread_mutex_unlock(mi->lock);
        *err = apr_psprintf(p, "memcached did not answer within %"
                            APR_TIME_T_FMT " ms",
                            apr_time_as_msec(mi->timeout));
        return APR_TIMEUP;
    }
    rv = mi->rv;
    if (rv == APR_SUCCESS && out) {
        memcpy(out, mi->data, mi->len);
        *out_len = mi->len;
    }
    mi->busy = mi->done = 0;
    apr_thread_cond_broadcast(mi->changed);
    apr_thread_mutex_unlock(mi->lock);
    return rv;
}

static const char *say(mc_instance *mi, apr_status_t rv, apr_pool_t *p)
{
    apr_uint32_t hash = apr_memcache_hash(mi->mc, mi->key, strlen(mi->key));
    server_addr *sa = &APR_ARRAY_IDX(mi->servers, hash % mi->servers->nelts,
                                     server_addr);
    char buf[120];

    return apr_psprintf(p, "memcached %s:%u, key %s: %s", sa->host,
                 (unsigned)sa->port, mi->key,
                 rv == APR_ENOSPC ? "the value is larger than 4096 bytes"
                 /* apr_memcache's word for a broken or garbled answer */
                 : rv == APR_EGENERAL ? "the connection broke, or the "
                                        "answer was not memcached's"
                 : apr_strerror(rv, buf, sizeof(buf)));
}

static apr_status_t mc_get(void *instance, char *buf, apr_size_t *len,
                           apr_pool_t *p, const char **err)
{
    mc_instance *mi = instance;
    apr_status_t rv = call(mi, CALL_GET, NULL, 0, buf, len, p, err);

    if (rv != APR_SUCCESS && rv != APR_NOTFOUND && !*err) {
        *err = say(mi, rv, p);
    }
    return rv;
}

static apr_status_t mc_set(void *instance, const char *text, apr_size_t len,
                           apr_pool_t *p, const char **err)
{
    mc_instance *mi = instance;
    apr_status_t rv;

    if (len > MAINTENANCE_STATE_MAX) {
        return APR_ENOSPC;
    }
    rv = call(mi, CALL_SET, text, len, NULL, NULL, p, err);
    if (rv != APR_SUCCESS && !*err) {
        *err = say(mi, rv, p);
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
