/* One state per server, read by one process and shared by all (cache.c). */
#ifndef MAINTENANCE_CACHE_H
#define MAINTENANCE_CACHE_H

#include "maintenance_conf.h"
#include "shared.h"

/* Configuration time (check_config): give every server a slot, one per
 * distinct MaintenanceState and settings, and create the provider
 * instances. Returns NULL, or an error text naming the directive. */
const char *maintenance_cache_configure(apr_pool_t *pconf, server_rec *s);

/* post_config, in the parent: map the shared records, hand them to the
 * slots, register the reader with mod_watchdog and let the providers
 * prepare their storage. Returns NULL, or why the module cannot run. */
const char *maintenance_cache_start(apr_pool_t *pconf, apr_pool_t *ptemp,
                                    server_rec *s);

/* In each child, before mod_watchdog starts the reader: let the providers
 * open what they need in this process. */
void maintenance_cache_child_init(apr_pool_t *pchild, server_rec *s);

/* maintenance_shared_decide, once a cold start's first read of the store
 * was made, or could have been: a request waits for it at most
 * MaintenanceStateTimeout and a little, and only in a server's first
 * moments. */
int maintenance_slot_first_read(const maintenance_slot *slot,
                                maintenance_state *st);

/* The decision's fields of the server's state, as maintenance_shared_decide
 * gives them; returns 0 if no state is known. Inline: every request. */
static APR_INLINE int maintenance_decide(const maintenance_server_conf *sc,
                                         maintenance_state *st)
{
    /* Once a read was made, a state still unknown stays so until one
     * works: nothing to wait for. */
    return maintenance_shared_decide(sc->shared, st)
           || (!MAINTENANCE_LOAD(sc->shared->attempted)
               && maintenance_slot_first_read(sc->slot, st));
}

/* The whole state of slot as the server has it, into st, strings copied
 * into p. Returns 0 if no state is known. No I/O, no lock. */
int maintenance_slot_read(const maintenance_slot *slot, maintenance_state *st,
                          apr_pool_t *p);

/* Read the state through the slot's provider now, not from the shared
 * copy (for the toggle page, never for a request's decision). A store
 * that lost the state gives the one in force. */
apr_status_t maintenance_slot_fetch(maintenance_slot *slot,
                                    maintenance_state *st, apr_pool_t *p,
                                    const char **err);

/* Store st through the slot's provider, and make every process of the
 * server use it at once. On failure, *err says why. stored, if not NULL,
 * gets the state as a reader parses it back. */
apr_status_t maintenance_slot_write(maintenance_slot *slot,
                                    const maintenance_state *st,
                                    maintenance_state *stored,
                                    apr_pool_t *p, const char **err);

/* What a slot did, for /metrics, the toggle's JSON and mod_status. */
typedef struct {
    const char *spec;
    server_rec *s;                /* the first server reading it */
    int known;
    maintenance_state st;
    int failing;                  /* MAINTENANCE_FAILING_* */
    int lost;                     /* the store lost the state */
    const char *last_error;       /* NULL: none */
    apr_time_t last_good;         /* 0: never */
    apr_uint64_t answers;
    apr_uint64_t through[MAINTENANCE_THROUGH_N];
    apr_uint64_t reads_ok, reads_error;
} maintenance_report;

void maintenance_slot_report(const maintenance_slot *slot,
                             maintenance_report *rep, apr_pool_t *p);

/* Every slot of this configuration (maintenance_slot *). */
const apr_array_header_t *maintenance_cache_slots(void);

#endif
