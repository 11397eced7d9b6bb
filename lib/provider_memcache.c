/* The memcache: provider: the state under one key of memcached, so a fleet
 * of servers shares one switch.
 *
 * The client is written here, memcached's text protocol on netcall.c's
 * connection, because apr_memcache cannot be made to keep the provider's
 * promises:
 * - It sets no read timeout on its sockets: a host gone silent without a
 *   RST (a partition, a dead VM, a black hole that accepts connections
 *   and never answers) holds a call until TCP gives up, some 15 minutes,
 *   and every later call behind it.
 * - With every server dead, a get answers APR_NOTFOUND, as for a missing
 *   key, which would read an outage as "off".
 * - A dead server makes keys hash to the next one, which may hold an old
 *   state.
 * So here every call, its wait for the connection included, ends by
 * MaintenanceStateTimeout, on one connection per process that is closed
 * on any error or timeout, so the state is read again as soon as
 * memcached answers (netcall.c); the key's own server is always the one
 * asked (chosen as apr_memcache chose it), and a dead one is an error,
 * never a stand-in; APR_NOTFOUND is memcached's own "END" alone. The
 * answers are parsed by memcache_proto.c, apart from the I/O.
 */
#include <apr_memcache.h>
#include <apr_strings.h>

#include "memcache_proto.h"
#include "netcall.h"
#include "provider.h"

#define MAX_SERVERS  64
#define KEY_MAX      250              /* memcached's own limit */

typedef struct {
    const char *host;
    apr_port_t port;
} server_addr;

typedef struct {
    maintenance_net home;                 /* the key's own server */
    const char *key;
} mc_instance;

/* One get or set on the connection. */
typedef struct {
    maintenance_net_call net;             /* net.received: the answer's */
    mc_instance *mi;
    int set;
    const char *request;
    apr_size_t request_len;
    char *answer;                         /* MAINTENANCE_MC_ANSWER_MAX */
    const char *text;                     /* the value, or the error line */
    apr_size_t text_len;
} mc_call;

static const char *parse_server(apr_array_header_t *servers,
                                const char *spec, apr_pool_t *p)
{
    server_addr *sa = apr_array_push(servers);

    if (maintenance_net_addr_parse(spec, &sa->host, &sa->port, p)
        != APR_SUCCESS) {
        return apr_psprintf(p, "'%s' is not HOST:PORT", spec);
    }
    if (!sa->port) {
        return apr_psprintf(p, "'%s' lacks its port, like %s:11211", spec,
                            sa->host);
    }
    return NULL;
}

static const char *mc_create(void **instance, const char *args,
                             const apr_table_t *options,
                             const maintenance_provider_params *params,
                             apr_pool_t *p)
{
    mc_instance *mi = apr_pcalloc(p, sizeof(*mi));
    char *list = apr_pstrdup(p, args);
    char *spec, *last;
    const char *err;
    apr_array_header_t *servers;
    const server_addr *home;
    apr_uint32_t hash;

    if ((err = maintenance_options_check(options, NULL, p)) != NULL) {
        return err;
    }
    if ((err = maintenance_net_key_split(list, KEY_MAX, &mi->key, p))) {
        return err;
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
    home = &APR_ARRAY_IDX(servers, hash % servers->nelts, server_addr);
    mi->home.host = home->host;
    mi->home.port = home->port;
    mi->home.timeout = params->timeout;
    *instance = mi;
    return NULL;
}

/* No connection is opened here: the first call opens one. */
static apr_status_t mc_child_init(void *instance, apr_pool_t *p,
                                  const char **err)
{
    mc_instance *mi = instance;

    return maintenance_net_child_init(&mi->home, "memcache", p, err);
}

static apr_status_t parse(mc_call *c)
{
    return c->set
           ? maintenance_mc_parse_set(c->answer, c->net.received, &c->text,
                                      &c->text_len)
           : maintenance_mc_parse_get(c->answer, c->net.received, c->mi->key,
                                      &c->text, &c->text_len);
}

/* Send the request and read until the answer is whole: the answer's
 * status, or the socket's when it failed first. */
static apr_status_t exchange(void *baton, apr_time_t deadline)
{
    mc_call *c = baton;
    maintenance_net *home = &c->mi->home;
    apr_status_t rv;

    if ((rv = maintenance_net_send(home, &c->net, c->request, c->request_len,
                                   deadline)) != APR_SUCCESS) {
        return rv;
    }
    do {
        /* The parser says APR_INCOMPLETE only for fewer bytes than the
         * buffer holds, so there is always room. */
        apr_size_t n = MAINTENANCE_MC_ANSWER_MAX - c->net.received;

        if ((rv = maintenance_net_recv(home, &c->net,
                                       c->answer + c->net.received, &n,
                                       deadline)) != APR_SUCCESS) {
            return rv;
        }
    } while ((rv = parse(c)) == APR_INCOMPLETE);
    c->net.stage = MAINTENANCE_NET_ANSWER;
    return rv;
}

/* "memcached HOST:PORT, key K: what went wrong". */
static const char *say(const void *baton, apr_status_t rv, apr_pool_t *p)
{
    const mc_call *c = baton;
    const mc_instance *mi = c->mi;
    const char *what = maintenance_net_say(&mi->home, &c->net, rv, p);

    if (!what) {
        what = rv == APR_ENOSPC ? "the value is larger than 4096 bytes"
               : rv == MAINTENANCE_ESTORE
               ? apr_psprintf(p, "it answered %.*s", (int)c->text_len,
                              c->text)
               : "the answer was not memcached's";
    }
    return apr_psprintf(p, "memcached %s:%u, key %s: %s", mi->home.host,
                        (unsigned)mi->home.port, mi->key, what);
}

static const maintenance_net_ops MC_OPS = { "memcache", NULL, exchange, say };

/* Run the call, its request set, on the instance's connection. */
static apr_status_t run(mc_instance *mi, mc_call *c, apr_pool_t *p,
                        const char **err)
{
    c->mi = mi;
    c->answer = apr_palloc(p, MAINTENANCE_MC_ANSWER_MAX);
    return maintenance_net_run(&mi->home, &c->net, &MC_OPS, c, p, err);
}

static apr_status_t mc_get(void *instance, char *buf, apr_size_t *len,
                           apr_pool_t *p, const char **err)
{
    mc_instance *mi = instance;
    mc_call c = { 0 };
    apr_status_t rv;

    c.request = apr_pstrcat(p, "get ", mi->key, "\r\n", NULL);
    c.request_len = strlen(c.request);
    if ((rv = run(mi, &c, p, err)) == APR_SUCCESS) {
        memcpy(buf, c.text, c.text_len);
        *len = c.text_len;
    }
    return rv;
}

static apr_status_t mc_set(void *instance, const char *text, apr_size_t len,
                           apr_pool_t *p, const char **err)
{
    mc_instance *mi = instance;
    mc_call c = { 0 };
    char *head, *request;
    apr_size_t head_len;

    if (len > MAINTENANCE_STATE_MAX) {
        return APR_ENOSPC;
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
    return run(mi, &c, p, err);
}

const maintenance_provider maintenance_memcache_provider = {
    mc_create,
    NULL,
    mc_child_init,
    mc_get,
    mc_set
};
