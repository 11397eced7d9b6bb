/* The state as each process last read it.
 *
 * Requests never wait on a provider: each child reads every state once in
 * child_init, then a thread of its own reads them again every
 * MaintenanceStateTTL and publishes what it read: the decision's few
 * fields as a seqlock a request reads without a lock (cache.h), the rest
 * under a mutex. */
#include <apr_strings.h>
#include <apr_thread_cond.h>
#include <apr_thread_mutex.h>
#include <apr_thread_proc.h>
#include <ap_provider.h>
#include <unixd.h>

#include "cache.h"
#include "state.h"
#include "provider.h"

APLOG_USE_MODULE(maintenance);

/* What is kept of the last error and unknown keys, to log each once. */
#define REPORTED_MAX 256

/* maintenance_slot.failing */
#define FAILING_NOT        0
#define FAILING_OUTAGE     1   /* no answer */
#define FAILING_ANSWER     2   /* the store answered: a bad state, an error */

struct maintenance_slot {
    const char *spec;                   /* MaintenanceState */
    const maintenance_provider *provider;
    void *instance;
    maintenance_provider_params params;
    apr_interval_time_t ttl;            /* the shortest of its servers' */
    server_rec *s;                      /* the first server using it */

    /* Per process. The refresher alone touches next_read, failing and
     * last_error. Writers change the rest under lock: d for requests (see
     * cache.h), the other fields for whoever reads them under the lock. */
    apr_thread_mutex_t *lock;
    apr_time_t next_read;
    int failing;
    char last_error[REPORTED_MAX];
    char last_unknown[REPORTED_MAX];   /* keys last reported unknown */
    maintenance_decision d;
    apr_time_t changed;
    char by[MAINTENANCE_STATE_MAX + 1];
    char message[MAINTENANCE_STATE_MAX + 1];
};

/* maintenance_slot *, rebuilt with each configuration in pconf. */
static apr_array_header_t *slots;

#define STORE(field, value) __atomic_store_n(&(field), (value), __ATOMIC_RELAXED)

typedef struct {
    apr_thread_mutex_t *lock;
    apr_thread_cond_t *wake;
    int stopping;
    apr_thread_t *thread;
} refresher;

/* The spec as one line, with every option: two servers with the same
 * line and timeout share a slot. */
static const char *spec_line(const maintenance_spec *spec, apr_pool_t *p)
{
    const apr_array_header_t *a = apr_table_elts(spec->options);
    const apr_table_entry_t *e = (const apr_table_entry_t *)a->elts;
    const char *line = apr_pstrcat(p, spec->provider, ":", spec->args, NULL);
    int i;

    for (i = 0; i < a->nelts; i++) {
        line = apr_pstrcat(p, line, " ", e[i].key, "=", e[i].val, NULL);
    }
    return line;
}

/* The server's spec, with what MaintenanceS3Region and
 * MaintenanceS3Credentials stand for when it names S3 and does not say. */
static maintenance_spec server_spec(const maintenance_server_conf *sc,
                                    apr_pool_t *p)
{
    static const char *const file[] = { "file:" };
    maintenance_spec spec = { 0 };

    if (sc->spec) {
        spec = *sc->spec;
        spec.options = apr_table_copy(p, sc->spec->options);
    }
    else {
        maintenance_spec_parse(&spec, 1, file, p);
    }
    if (strcmp(spec.provider, "s3")) {
        return spec;
    }
    if (sc->s3_region && !apr_table_get(spec.options, MAINTENANCE_S3_REGION)) {
        apr_table_set(spec.options, MAINTENANCE_S3_REGION, sc->s3_region);
    }
    if (sc->s3_credentials
        && !apr_table_get(spec.options, MAINTENANCE_S3_CREDENTIALS)) {
        apr_table_set(spec.options, MAINTENANCE_S3_CREDENTIALS,
                      sc->s3_credentials);
        apr_table_set(spec.options, MAINTENANCE_S3_PROFILE, sc->s3_profile);
    }
    return spec;
}

static const char *new_slot(maintenance_slot **out,
                            const maintenance_spec *spec, const char *line,
                            const maintenance_provider_params *pp,
                            apr_pool_t *pconf)
{
    maintenance_slot *slot = apr_pcalloc(pconf, sizeof(*slot));
    const char *err;

    slot->provider = ap_lookup_provider(MAINTENANCE_PROVIDER_GROUP,
                                        spec->provider,
                                        MAINTENANCE_PROVIDER_VERSION);
    if (!slot->provider) {
        return ap_lookup_provider(MAINTENANCE_PROVIDER_GROUP, spec->provider,
                                  "1")
               ? apr_psprintf(pconf, "the module providing '%s' was built "
                              "for an older mod_maintenance (provider "
                              "version 1): rebuild it against this "
                              "mod_maintenance.h", spec->provider)
               : apr_psprintf(pconf, "no state provider '%s': use file:, "
                              "or load the module that provides it",
                              spec->provider);
    }
    slot->spec = line;
    slot->params = *pp;
    err = slot->provider->create(&slot->instance, spec->args, spec->options,
                                 &slot->params, pconf);
    if (err) {
        return err;
    }
    *out = slot;
    return NULL;
}

static maintenance_slot *find_slot(const char *line,
                                   const maintenance_provider_params *pp)
{
    int i;

    for (i = 0; i < slots->nelts; i++) {
        maintenance_slot *slot = APR_ARRAY_IDX(slots, i, maintenance_slot *);
        if (!strcmp(slot->spec, line) && slot->params.timeout == pp->timeout) {
            return slot;
        }
    }
    return NULL;
}

const char *maintenance_cache_configure(apr_pool_t *pconf, server_rec *s)
{
    slots = apr_array_make(pconf, 2, sizeof(maintenance_slot *));

    for (; s; s = s->next) {
        maintenance_server_conf *sc =
            ap_get_module_config(s->module_config, &maintenance_module);
        maintenance_provider_params pp = { 0 };
        maintenance_spec spec = server_spec(sc, pconf);
        const char *line = spec_line(&spec, pconf);
        apr_interval_time_t ttl = maintenance_ttl(sc);

        pp.timeout = maintenance_timeout(sc);
        pp.uid = ap_unixd_config.user_id;
        pp.gid = ap_unixd_config.group_id;

        if (!(sc->slot = find_slot(line, &pp))) {
            const char *err = new_slot(&sc->slot, &spec, line, &pp, pconf);
            if (err) {
                return apr_psprintf(pconf, "MaintenanceState '%s'%s%s: %s",
                                    line, sc->state_where ? " on " : "",
                                    sc->state_where ? sc->state_where : "",
                                    err);
            }
            sc->slot->ttl = ttl;
            sc->slot->s = s;
            APR_ARRAY_PUSH(slots, maintenance_slot *) = sc->slot;
        }
        else if (ttl < sc->slot->ttl) {
            sc->slot->ttl = ttl;
        }
        sc->decision = &sc->slot->d;
    }
    return NULL;
}

apr_status_t maintenance_cache_prepare(apr_pool_t *ptemp, server_rec *s)
{
    int i;

    for (i = 0; i < slots->nelts; i++) {
        maintenance_slot *slot = APR_ARRAY_IDX(slots, i, maintenance_slot *);
        const char *err = NULL;
        apr_status_t rv;

        if (!slot->provider->prepare) {
            continue;
        }
        rv = slot->provider->prepare(slot->instance, ptemp, &err);
        if (rv != APR_SUCCESS) {
            /* Not fatal: the state can still be read, and the toggle page
             * says why it cannot write. */
            ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, MMLOG(00001)
                         "MaintenanceState %s: %s", slot->spec,
                         err ? err : "cannot prepare the storage");
        }
    }
    return APR_SUCCESS;
}

static void publish(maintenance_slot *slot, const maintenance_state *st)
{
    apr_thread_mutex_lock(slot->lock);
    STORE(slot->d.seq, slot->d.seq + 1);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    STORE(slot->d.known, 1);
    STORE(slot->d.on, st->on);
    STORE(slot->d.start, st->start);
    STORE(slot->d.end, st->end);
    slot->changed = st->changed;
    apr_cpystrn(slot->by, st->by ? st->by : "", sizeof(slot->by));
    apr_cpystrn(slot->message, st->message ? st->message : "",
                sizeof(slot->message));
    __atomic_store_n(&slot->d.seq, slot->d.seq + 1, __ATOMIC_RELEASE);
    apr_thread_mutex_unlock(slot->lock);
}

/* A read failed. An outage is logged once, whatever its errors say as it
 * goes on; a bad state or an error the store answered with, once per
 * content: an admin fixing a typo or a key sees whether the next try is
 * right. */
static void refresh_failed(maintenance_slot *slot, apr_status_t rv,
                           const char *problem)
{
    int failing = rv == MAINTENANCE_EBADSTATE || rv == APR_ENOSPC
                  || rv == MAINTENANCE_ESTORE ? FAILING_ANSWER
                                              : FAILING_OUTAGE;
    int same = slot->failing == failing
               && !strcmp(slot->last_error, problem);
    int again = slot->failing == FAILING_OUTAGE && failing == FAILING_OUTAGE;

    if (same) {
        return;
    }
    apr_cpystrn(slot->last_error, problem, sizeof(slot->last_error));
    slot->failing = failing;
    if (again) {
        ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, slot->s, MMLOG(00008)
                     "still cannot read the state from %s: %s", slot->spec,
                     problem);
        return;
    }
    ap_log_error(APLOG_MARK, APLOG_ERR, MMSTATUS(rv), slot->s, MMLOG(00002)
                 "cannot read the state from %s: %s; %s", slot->spec,
                 problem, MAINTENANCE_LOAD(slot->d.known)
                          ? "the last state read stays in force"
                 : "none was read yet, so MaintenanceFailMode applies");
}

/* A state with keys this module does not know is read all the same (a
 * newer writer may add some), but a typo should not go unnoticed: said
 * once for each set of keys. */
static void report_unknown(maintenance_slot *slot, const char *unknown)
{
    if (!strcmp(slot->last_unknown, unknown ? unknown : "")) {
        return;
    }
    apr_cpystrn(slot->last_unknown, unknown ? unknown : "",
                sizeof(slot->last_unknown));
    if (unknown) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, slot->s, MMLOG(00009)
                     "the state from %s has keys this module does not know, "
                     "ignored: %s", slot->spec, unknown);
    }
}

static void refresh(maintenance_slot *slot, apr_pool_t *p)
{
    maintenance_state st;
    const char *problem = NULL, *unknown;
    int was_on = MAINTENANCE_LOAD(slot->d.on);
    int was_known = MAINTENANCE_LOAD(slot->d.known);
    apr_status_t rv;

    rv = maintenance_provider_read(slot->provider, slot->instance, &st, p,
                                   &problem, &unknown);
    slot->next_read = apr_time_now() + slot->ttl;
    if (rv != APR_SUCCESS) {
        refresh_failed(slot, rv, problem);
        return;
    }
    report_unknown(slot, unknown);
    publish(slot, &st);
    if (slot->failing) {
        slot->failing = FAILING_NOT;
        ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, slot->s, MMLOG(00003)
                     "the state from %s is readable again", slot->spec);
    }
    if (!was_known || was_on != st.on) {
        ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, slot->s, MMLOG(00004)
                     "state from %s: %s", slot->spec, st.on ? "on" : "off");
    }
}

static void *APR_THREAD_FUNC refresh_loop(apr_thread_t *thread, void *data)
{
    refresher *rf = data;
    apr_pool_t *scratch;
    int stopping = 0;

    apr_pool_create(&scratch, apr_thread_pool_get(thread));
    while (!stopping) {
        apr_time_t now = apr_time_now(), next = now + apr_time_from_sec(60);
        int i;

        for (i = 0; i < slots->nelts; i++) {
            maintenance_slot *slot = APR_ARRAY_IDX(slots, i,
                                                   maintenance_slot *);
            if (slot->next_read <= now) {
                refresh(slot, scratch);
                apr_pool_clear(scratch);
            }
            if (slot->next_read < next) {
                next = slot->next_read;
            }
        }
        apr_thread_mutex_lock(rf->lock);
        now = apr_time_now();
        if (!rf->stopping && next > now) {
            apr_thread_cond_timedwait(rf->wake, rf->lock, next - now);
        }
        stopping = rf->stopping;
        apr_thread_mutex_unlock(rf->lock);
    }
    return NULL;
}

static apr_status_t stop_refresher(void *data)
{
    refresher *rf = data;
    apr_status_t rv;

    apr_thread_mutex_lock(rf->lock);
    rf->stopping = 1;
    apr_thread_cond_signal(rf->wake);
    apr_thread_mutex_unlock(rf->lock);
    apr_thread_join(&rv, rf->thread);
    return APR_SUCCESS;
}

void maintenance_cache_child_init(apr_pool_t *pchild, server_rec *s)
{
    refresher *rf = apr_pcalloc(pchild, sizeof(*rf));
    apr_pool_t *scratch;
    apr_status_t rv;
    int i;

    apr_pool_create(&scratch, pchild);
    for (i = 0; i < slots->nelts; i++) {
        maintenance_slot *slot = APR_ARRAY_IDX(slots, i, maintenance_slot *);

        const char *err = NULL;

        apr_thread_mutex_create(&slot->lock, APR_THREAD_MUTEX_DEFAULT, pchild);
        if (slot->provider->child_init
            && (rv = slot->provider->child_init(slot->instance, pchild, &err))
               != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_ERR, rv, slot->s, MMLOG(00005)
                         "cannot set up %s in this process%s%s", slot->spec,
                         err ? ": " : "", err ? err : "");
        }
        refresh(slot, scratch);
        apr_pool_clear(scratch);
    }
    apr_pool_destroy(scratch);

    apr_thread_mutex_create(&rf->lock, APR_THREAD_MUTEX_DEFAULT, pchild);
    apr_thread_cond_create(&rf->wake, pchild);
    rv = apr_thread_create(&rf->thread, NULL, refresh_loop, rf, pchild);
    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, MMLOG(00006)
                     "cannot start the state refresher: the state read at "
                     "start-up stays in force in this process");
        return;
    }
    /* Before pchild's subpools and the mutexes go. */
    apr_pool_pre_cleanup_register(pchild, rf, stop_refresher);
}

int maintenance_slot_read(maintenance_slot *slot, maintenance_state *st,
                          apr_pool_t *p)
{
    int known;

    memset(st, 0, sizeof(*st));
    if (!slot->lock) {          /* not in a child process */
        return 0;
    }
    apr_thread_mutex_lock(slot->lock);
    known = slot->d.known;
    st->on = slot->d.on;
    st->start = slot->d.start;
    st->end = slot->d.end;
    st->changed = slot->changed;
    st->by = *slot->by ? apr_pstrdup(p, slot->by) : NULL;
    st->message = *slot->message ? apr_pstrdup(p, slot->message) : NULL;
    apr_thread_mutex_unlock(slot->lock);
    return known;
}

apr_status_t maintenance_slot_fetch(maintenance_slot *slot,
                                    maintenance_state *st, apr_pool_t *p,
                                    const char **err)
{
    return maintenance_provider_read(slot->provider, slot->instance, st, p,
                                     err, NULL);
}

apr_status_t maintenance_slot_write(maintenance_slot *slot,
                                    const maintenance_state *st,
                                    maintenance_state *stored,
                                    apr_pool_t *p, const char **err)
{
    maintenance_state back;
    apr_status_t rv;

    rv = maintenance_provider_write(slot->provider, slot->instance, st,
                                    &back, p, err);
    /* What a reader will parse, not what was asked: the same in every
     * process. */
    if (rv == APR_SUCCESS && slot->lock) {
        publish(slot, &back);
    }
    if (rv == APR_SUCCESS && stored) {
        *stored = back;
    }
    return rv;
}
