/* The state as each process last read it, refreshed off the request path. */
#ifndef MAINTENANCE_CACHE_H
#define MAINTENANCE_CACHE_H

#include "maintenance_conf.h"

/* Configuration time (check_config): give every server a slot, one per
 * distinct MaintenanceState and settings, and create the provider
 * instances. Returns NULL, or an error text naming the directive. */
const char *maintenance_cache_configure(apr_pool_t *pconf, server_rec *s);

/* Start-up, in the parent: let the providers prepare their storage. */
apr_status_t maintenance_cache_prepare(apr_pool_t *ptemp, server_rec *s);

/* In each child: read every slot once, then keep them fresh from a thread
 * of this process, stopped when pchild goes. */
void maintenance_cache_child_init(apr_pool_t *pchild, server_rec *s);

/* The state of slot as last read, into st. Strings are copied into p, and
 * only when the state has a window running or to come at now (full:
 * always). Returns 0 if no state was ever read. No I/O, no allocation
 * outside p: this is the request path. */
int maintenance_slot_read(maintenance_slot *slot, maintenance_state *st,
                          apr_time_t now, int full, apr_pool_t *p);

/* Read the state through the slot's provider now, not from the cache (for
 * the toggle page, never for a request's decision). */
apr_status_t maintenance_slot_fetch(maintenance_slot *slot,
                                    maintenance_state *st, apr_pool_t *p,
                                    const char **err);

/* Store st through the slot's provider, and use it in this process at once.
 * On failure, *err says why. */
apr_status_t maintenance_slot_write(maintenance_slot *slot,
                                    const maintenance_state *st,
                                    apr_pool_t *p, const char **err);

#endif
