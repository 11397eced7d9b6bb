/* mod_maintenance: maintenance mode for Apache httpd 2.4.
 *
 * The public interface: the state record, the state provider interface and
 * the optional functions other modules call to read and set the state.
 *
 * Everything in the provider interface uses APR types only, so a provider
 * builds and runs without httpd (maintenancectl and the unit tests link the
 * built-in ones directly).
 */
#ifndef MOD_MAINTENANCE_H
#define MOD_MAINTENANCE_H

#include <apr_errno.h>
#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_time.h>
#include <apr_user.h>

#ifdef __cplusplus
extern "C" {
#endif

/* This release of mod_maintenance and maintenancectl. */
#define MAINTENANCE_VERSION "1.0.0"

/* A stored state larger than this is an error, never read partly. */
#define MAINTENANCE_STATE_MAX 4096

/* The on/off state, as stored by every provider (see README, "State").
 * Fields are only ever added at the end: zero a whole record (= { 0 } or
 * apr_pcalloc) before setting the fields you mean, so that a field added
 * later keeps its default when you rebuild. */
typedef struct maintenance_state {
    int on;
    apr_time_t start;        /* 0: from the moment it is set */
    apr_time_t end;          /* 0: until it is turned off */
    apr_time_t changed;      /* 0: unknown */
    const char *by;          /* NULL: unknown */
    const char *message;     /* NULL: none */
    int read_only;           /* 0: full maintenance; 1: read-only
                              * (stored as mode=read-only): the methods of
                              * MaintenanceSafeMethods are served */
} maintenance_state;

/* The ap_register_provider() group and version of state providers:
 *   ap_register_provider(p, MAINTENANCE_PROVIDER_GROUP, "name",
 *                        MAINTENANCE_PROVIDER_VERSION, &my_provider);
 * and users write "MaintenanceState name:ARGS [NAME=VALUE ...]". Version 2
 * passes the options and returns errors as strings from a pool. */
#define MAINTENANCE_PROVIDER_GROUP   "maintenance_state"
#define MAINTENANCE_PROVIDER_VERSION "2"

/* What every provider instance is given besides its ARGS and options. */
typedef struct maintenance_provider_params {
    apr_interval_time_t timeout;  /* MaintenanceStateTimeout: bound every call */
    apr_uid_t uid;                /* httpd's User and Group: the owner of */
    apr_gid_t gid;                /* anything prepare() creates */
} maintenance_provider_params;

/* What get() and set() return when the store answered, but with an error
 * (access denied, a bad signature...): unlike an outage, each different
 * such answer is logged, as an admin can fix it. */
#define MAINTENANCE_ESTORE (APR_OS_START_USERERR + 10)

/* A state provider. Calls on one instance may come from several threads at
 * once; get() and set() must be thread-safe and must return within
 * params->timeout. On failure, *err says why, allocated from the call's
 * pool p; it ends up in the error log: never put a secret in it. */
typedef struct maintenance_provider {
    /* Configuration time, in httpd's parent (or maintenancectl): check ARGS
     * and the options (the NAME=VALUE words after the spec, never NULL;
     * refuse a name you do not take) and make an instance from p. Returns
     * NULL, or an error text saying what is wrong. */
    const char *(*create)(void **instance, const char *args,
                          const apr_table_t *options,
                          const maintenance_provider_params *params,
                          apr_pool_t *p);

    /* Optional. Start-up, in httpd's parent, before it drops root:
     * prepare the storage (create a directory owned by params->uid...). */
    apr_status_t (*prepare)(void *instance, apr_pool_t *p, const char **err);

    /* Optional. Once in each child process (or in maintenancectl), before
     * the first get() or set(): open per-process resources from p. */
    apr_status_t (*child_init)(void *instance, apr_pool_t *p,
                               const char **err);

    /* Read the stored text into buf (MAINTENANCE_STATE_MAX + 1 bytes) and
     * set *len. APR_NOTFOUND: nothing is stored (the state is off).
     * APR_ENOSPC: more than MAINTENANCE_STATE_MAX bytes are stored.
     * p is a scratch pool, cleared after the call. */
    apr_status_t (*get)(void *instance, char *buf, apr_size_t *len,
                        apr_pool_t *p, const char **err);

    /* Store text (len bytes) as a whole: a reader sees the old text or the
     * new one, never a mix. */
    apr_status_t (*set)(void *instance, const char *text, apr_size_t len,
                        apr_pool_t *p, const char **err);
} maintenance_provider;

#ifdef MAINTENANCE_WITH_HTTPD_API
/* Only for modules built against httpd: define MAINTENANCE_WITH_HTTPD_API
 * before including this header. */
#include <httpd.h>
#include <apr_optional.h>

/* The state server s has (read at most MaintenanceStateTTL ago, or set
 * since), copied into p. APR_EINIT: none was read yet. */
APR_DECLARE_OPTIONAL_FN(apr_status_t, maintenance_get_state,
                        (server_rec *s, apr_pool_t *p,
                         maintenance_state **state));

/* Store state for server s through its provider; every process of the
 * server uses it at once, other servers within their MaintenanceStateTTL. */
APR_DECLARE_OPTIONAL_FN(apr_status_t, maintenance_set_state,
                        (server_rec *s, const maintenance_state *state,
                         apr_pool_t *p));
#endif

#ifdef __cplusplus
}
#endif

#endif /* MOD_MAINTENANCE_H */
