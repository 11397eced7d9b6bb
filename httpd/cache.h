/* The state as each process last read it, refreshed off the request path. */
#ifndef MAINTENANCE_CACHE_H
#define MAINTENANCE_CACHE_H

#include "maintenance_conf.h"

/* What a request's decision needs of a slot, published by its writers as a
 * seqlock: they make seq odd while they change the fields, and a reader
 * reads again if seq moved meanwhile. No lock on the request path. */
struct maintenance_decision {
    apr_uint32_t seq;
    int known;                  /* a state was ever read */
    int on;
    apr_time_t start, end;
};

/* The fields are read while a writer may change them. */
#define MAINTENANCE_LOAD(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)

/* Copy d's on, start and end into st; 0 if no state was ever read (st is
 * then off). Inline: every request of every site comes here. */
static APR_INLINE int maintenance_decision_read(const maintenance_decision *d,
                                                maintenance_state *st)
{
    apr_uint32_t before, after;
    int known;

    do {
        before = __atomic_load_n(&d->seq, __ATOMIC_ACQUIRE);
        known = MAINTENANCE_LOAD(d->known);
        st->on = MAINTENANCE_LOAD(d->on);
        st->start = MAINTENANCE_LOAD(d->start);
        st->end = MAINTENANCE_LOAD(d->end);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        after = MAINTENANCE_LOAD(d->seq);
    } while ((before & 1) || before != after);
    return known;
}

/* Configuration time (check_config): give every server a slot, one per
 * distinct MaintenanceState and settings, and create the provider
 * instances. Returns NULL, or an error text naming the directive. */
const char *maintenance_cache_configure(apr_pool_t *pconf, server_rec *s);

/* Start-up, in the parent: let the providers prepare their storage. */
apr_status_t maintenance_cache_prepare(apr_pool_t *ptemp, server_rec *s);

/* In each child: read every slot once, then keep them fresh from a thread
 * of this process, stopped when pchild goes. */
void maintenance_cache_child_init(apr_pool_t *pchild, server_rec *s);

/* The whole state of slot as last read, into st, strings copied into p.
 * Returns 0 if no state was ever read. No I/O, no allocation outside p. */
int maintenance_slot_read(maintenance_slot *slot, maintenance_state *st,
                          apr_pool_t *p);

/* Read the state through the slot's provider now, not from the cache (for
 * the toggle page, never for a request's decision). */
apr_status_t maintenance_slot_fetch(maintenance_slot *slot,
                                    maintenance_state *st, apr_pool_t *p,
                                    const char **err);

/* Store st through the slot's provider, and use it in this process at once.
 * On failure, *err says why. stored, if not NULL, gets the state as a
 * reader parses it back. */
apr_status_t maintenance_slot_write(maintenance_slot *slot,
                                    const maintenance_state *st,
                                    maintenance_state *stored,
                                    apr_pool_t *p, const char **err);

#endif
