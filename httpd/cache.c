/* One state per server: each store's state is read by one process of the
 * server, once per MaintenanceStateTTL, and every process answers from the
 * copy it shares (shared.h).
 *
 * The reader is a singleton mod_watchdog callback: it runs in one child at
 * a time, as httpd's User, never in the root parent, and moves to another
 * child when that one exits. The shared records live in memory the parent
 * maps once, in the process pool, before the first fork: a graceful
 * restart keeps them, so the state, the reader's account and the counters
 * carry over to the new generation, which needs no read to start. */
#include <apr_shm.h>
#include <apr_strings.h>
#include <ap_provider.h>
#include <mod_watchdog.h>
#include <unixd.h>

#include <errno.h>
#include <signal.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "cache.h"
#include "state.h"
#include "provider.h"

APLOG_USE_MODULE(maintenance);

/* How many distinct stores one httpd may read. */
#define RECORDS_MAX 32

/* Before its first read, a store's state is unknown. In a server's first
 * moments (until the reader could have started and read it once), a
 * request waits for that read a little: the reader starts with the first
 * child, so a file is read by then; a store that is slow to answer costs
 * a request this at most. */
#define FIRST_READ_SLACK apr_time_from_sec(2)
#define FIRST_READ_WAIT  apr_time_from_msec(50)

/* One watchdog, so one thread, per store: a store that hangs delays no
 * other's reads. */
#define WATCHDOG_NAME "_maintenance_state_%d_"

struct maintenance_slot {
    const char *spec;                   /* MaintenanceState, as one line */
    const char *provider_name;
    const maintenance_provider *provider;
    void *instance;
    maintenance_provider_params params;
    apr_interval_time_t ttl;            /* the shortest of its servers' */
    server_rec *s;                      /* the first server using it */
    const char *key;                    /* its shared record's */
    maintenance_shared *sh;             /* from post_config */
};

/* maintenance_slot *, rebuilt with each configuration in pconf. */
static apr_array_header_t *slots;

/* The shared records, and the parent's own account of whose each is: the
 * parent never reads what the children write. */
typedef struct {
    maintenance_shared *rec;
    unsigned int generation;
    char *key[RECORDS_MAX];
    unsigned int claimed[RECORDS_MAX];  /* the last generation using it */
} segment;

static APR_OPTIONAL_FN_TYPE(ap_watchdog_get_instance) *wd_get_instance;
static APR_OPTIONAL_FN_TYPE(ap_watchdog_register_callback) *wd_register;

const char *const maintenance_through_names[MAINTENANCE_THROUGH_N] = {
    "env", "ip", "url", "user", "authenticated", "anonymous", "expr",
    "toggle", "redirect", "cookie"
};

/* ---------------------------------------------------------------------- */
/* Configuration */

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
    apr_ssize_t whole = APR_HASH_KEY_STRING;
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
    slot->provider_name = spec->provider;
    slot->params = *pp;
    /* The record's key: a long line is cut, and told apart by its hash. */
    slot->key = apr_psprintf(pconf, "%" APR_TIME_T_FMT " %.900s %x",
                             pp->timeout, line,
                             apr_hashfunc_default(line, &whole));
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
    }
    if (slots->nelts > RECORDS_MAX) {
        return apr_psprintf(pconf, "MaintenanceState: %d different stores "
                            "(with their options and timeouts); at most %d "
                            "are read by one httpd", slots->nelts,
                            RECORDS_MAX);
    }
    return NULL;
}

/* ---------------------------------------------------------------------- */
/* Start-up, in the parent */

static apr_status_t map_segment(segment **out, server_rec *s)
{
    static const char tag[] = "maintenance_shared";
    apr_pool_t *pproc = s->process->pool;
    segment *seg = NULL;
    apr_shm_t *shm;
    apr_status_t rv;

    apr_pool_userdata_get((void **)&seg, tag, pproc);
    if (!seg) {
        /* Anonymous: inherited by the children, gone with the last. */
        rv = apr_shm_create(&shm, RECORDS_MAX * sizeof(maintenance_shared),
                            NULL, pproc);
        if (rv != APR_SUCCESS) {
            return rv;
        }
        seg = apr_pcalloc(pproc, sizeof(*seg));
        seg->rec = apr_shm_baseaddr_get(shm);
        memset(seg->rec, 0, RECORDS_MAX * sizeof(maintenance_shared));
        apr_pool_userdata_set(seg, tag, apr_pool_cleanup_null, pproc);
    }
    *out = seg;
    return APR_SUCCESS;
}

/* Give each slot its record: the one it had in the last generation, else
 * one no slot of this generation uses, made new. */
static void hand_out(segment *seg, apr_pool_t *pproc)
{
    int i, r;

    seg->generation++;
    for (i = 0; i < slots->nelts; i++) {
        maintenance_slot *slot = APR_ARRAY_IDX(slots, i, maintenance_slot *);

        slot->sh = NULL;
        for (r = 0; r < RECORDS_MAX; r++) {
            if (seg->key[r] && !strcmp(seg->key[r], slot->key)) {
                seg->claimed[r] = seg->generation;
                slot->sh = &seg->rec[r];
                break;
            }
        }
    }
    for (i = 0; i < slots->nelts; i++) {
        maintenance_slot *slot = APR_ARRAY_IDX(slots, i, maintenance_slot *);

        for (r = 0; !slot->sh && r < RECORDS_MAX; r++) {
            if (seg->claimed[r] != seg->generation) {
                maintenance_shared *sh = &seg->rec[r];

                memset(sh, 0, sizeof(*sh));
                sh->since = apr_time_now();
                apr_cpystrn(sh->key, slot->key, sizeof(sh->key));
                seg->key[r] = apr_pstrdup(pproc, slot->key);
                seg->claimed[r] = seg->generation;
                slot->sh = sh;
            }
        }
    }
}

static apr_status_t read_store(int state, void *data, apr_pool_t *p);

const char *maintenance_cache_start(apr_pool_t *pconf, apr_pool_t *ptemp,
                                    server_rec *s)
{
    segment *seg;
    apr_status_t rv;
    int i;

    wd_get_instance = APR_RETRIEVE_OPTIONAL_FN(ap_watchdog_get_instance);
    wd_register = APR_RETRIEVE_OPTIONAL_FN(ap_watchdog_register_callback);
    if (!wd_get_instance || !wd_register) {
        return "mod_watchdog is not loaded: it runs the one reader of the "
               "state (a2enmod watchdog, or LoadModule watchdog_module)";
    }
    if ((rv = map_segment(&seg, s)) != APR_SUCCESS) {
        return apr_psprintf(ptemp, "cannot map the shared state: %pm", &rv);
    }
    hand_out(seg, s->process->pool);
    for (i = 0; i < slots->nelts; i++) {
        maintenance_slot *slot = APR_ARRAY_IDX(slots, i, maintenance_slot *);
        const char *err = NULL;
        ap_watchdog_t *wd;

        if ((rv = wd_get_instance(&wd, apr_psprintf(pconf, WATCHDOG_NAME, i),
                                  0, 1, pconf)) != APR_SUCCESS) {
            return apr_psprintf(ptemp, "cannot get a watchdog: %pm", &rv);
        }
        if ((rv = wd_register(wd, slot->ttl, slot, read_store))
            != APR_SUCCESS) {
            return apr_psprintf(ptemp, "cannot register with the watchdog: "
                                "%pm", &rv);
        }
        if (slot->provider->prepare
            && (rv = slot->provider->prepare(slot->instance, ptemp, &err))
               != APR_SUCCESS) {
            /* Not fatal: the state can still be read, and the toggle page
             * says why it cannot write. */
            ap_log_error(APLOG_MARK, APLOG_ERR, rv, slot->s, MMLOG(00001)
                         "MaintenanceState %s: %s", slot->spec,
                         err ? err : "cannot prepare the storage");
        }
    }
    for (; s; s = s->next) {
        maintenance_server_conf *sc =
            ap_get_module_config(s->module_config, &maintenance_module);
        sc->shared = sc->slot->sh;
    }
    return NULL;
}

void maintenance_cache_child_init(apr_pool_t *pchild, server_rec *s)
{
    int i;

    (void)s;
    for (i = 0; i < slots->nelts; i++) {
        maintenance_slot *slot = APR_ARRAY_IDX(slots, i, maintenance_slot *);
        const char *err = NULL;
        apr_status_t rv;

        if (slot->provider->child_init
            && (rv = slot->provider->child_init(slot->instance, pchild, &err))
               != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_ERR, rv, slot->s, MMLOG(00005)
                         "cannot set up %s in this process%s%s", slot->spec,
                         err ? ": " : "", err ? err : "");
        }
    }
}

/* ---------------------------------------------------------------------- */
/* Writing the shared record */

/* The writers' lock. Writers are few and quick; one that died holding it
 * (a crash) leaves its pid, which the next takes over. */
static void lock_record(maintenance_shared *sh)
{
    apr_uint32_t me = (apr_uint32_t)getpid();

    for (;;) {
        apr_uint32_t holder = 0;

        if (__atomic_compare_exchange_n(&sh->writer, &holder, me, 0,
                                        __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
            return;
        }
        if (holder != me && kill((pid_t)holder, 0) && errno == ESRCH
            && __atomic_compare_exchange_n(&sh->writer, &holder, me, 0,
                                           __ATOMIC_ACQUIRE,
                                           __ATOMIC_RELAXED)) {
            return;
        }
        apr_sleep(100);
    }
}

static void unlock_record(maintenance_shared *sh)
{
    __atomic_store_n(&sh->writer, 0, __ATOMIC_RELEASE);
}

/* Whether the record is still the slot's: after a graceful restart, a
 * process of the old generation may outlive its store's record. */
static int lock_own_record(maintenance_slot *slot)
{
    lock_record(slot->sh);
    if (strncmp(slot->sh->key, slot->key, sizeof(slot->sh->key) - 1)) {
        unlock_record(slot->sh);
        return 0;
    }
    return 1;
}

#define STORE(field, value) __atomic_store_n(&(field), (value), __ATOMIC_RELAXED)

static void store_text(char *to, const char *from, apr_size_t size)
{
    apr_size_t i;

    for (i = 0; i + 1 < size && from && from[i]; i++) {
        STORE(to[i], from[i]);
    }
    STORE(to[i], '\0');
}

/* Under the writers' lock. A writer that died half-way left seq odd: it
 * stays odd until this one is done. */
static void publish(maintenance_shared *sh, const maintenance_state *st)
{
    apr_uint32_t seq = sh->seq | 1;

    STORE(sh->seq, seq);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    STORE(sh->known, 1);
    STORE(sh->on, st->on ? 1 : 0);
    STORE(sh->read_only, st->read_only ? 1 : 0);
    STORE(sh->start, st->start);
    STORE(sh->end, st->end);
    STORE(sh->changed, st->changed);
    store_text(sh->by, st->by, sizeof(sh->by));
    store_text(sh->message, st->message, sizeof(sh->message));
    __atomic_store_n(&sh->seq, seq + 1, __ATOMIC_RELEASE);
}

/* ---------------------------------------------------------------------- */
/* Reading the store: the watchdog's callback */

/* A store answering "no such key" after a state was read from it was most
 * likely restarted or flushed: the state read stays in force. A local file
 * that is gone is off, as it always was. */
static int lost_not_off(const maintenance_slot *slot)
{
    return strcmp(slot->provider_name, "file") && slot->sh->from_store;
}

static apr_status_t store_read(maintenance_slot *slot, maintenance_state *st,
                               apr_pool_t *p, const char **problem,
                               const char **unknown)
{
    apr_status_t rv = maintenance_provider_read(slot->provider,
                                                slot->instance, st, p,
                                                problem, unknown);

    if (rv == APR_SUCCESS || rv == APR_NOTFOUND) {
        MAINTENANCE_COUNT(slot->sh->reads_ok);
    }
    else {
        MAINTENANCE_COUNT(slot->sh->reads_error);
    }
    return rv;
}

/* What a read changed, to be logged once the lock is let go. */
typedef struct {
    int outage_began;       /* MM00002 */
    int outage_goes_on;     /* MM00008 */
    int recovered;          /* MM00003 */
    int lost;               /* MM00013 */
    int changed;            /* MM00004 */
    const char *unknown;    /* MM00009 */
} read_news;

/* A read failed. An outage is logged once, whatever its errors say as it
 * goes on; a bad state or an error the store answered with, once per
 * content: an admin fixing a typo or a key sees whether the next try is
 * right. */
static void read_failed(maintenance_shared *sh, apr_status_t rv,
                        const char *problem, read_news *news)
{
    apr_uint32_t failing = rv == MAINTENANCE_EBADSTATE || rv == APR_ENOSPC
                  || rv == MAINTENANCE_ESTORE ? MAINTENANCE_FAILING_ANSWER
                                              : MAINTENANCE_FAILING_OUTAGE;

    if (sh->failing == failing && !strcmp(sh->last_error, problem)) {
        return;
    }
    if (sh->failing == MAINTENANCE_FAILING_OUTAGE
        && failing == MAINTENANCE_FAILING_OUTAGE) {
        news->outage_goes_on = 1;
    }
    else {
        news->outage_began = 1;
    }
    apr_cpystrn(sh->last_error, problem, sizeof(sh->last_error));
    sh->failing = failing;
}

static void read_worked(maintenance_shared *sh, const maintenance_state *st,
                        int stored, const char *unknown, read_news *news)
{
    news->changed = !sh->known || sh->on != (apr_uint32_t)(st->on != 0)
                    || sh->read_only != (apr_uint32_t)(st->read_only != 0);
    publish(sh, st);
    sh->from_store = stored;
    sh->lost = 0;
    /* A state with keys this module does not know is read all the same (a
     * newer writer may add some), but a typo should not go unnoticed: said
     * once for each set of keys. */
    if (strcmp(sh->last_unknown, unknown ? unknown : "")) {
        apr_cpystrn(sh->last_unknown, unknown ? unknown : "",
                    sizeof(sh->last_unknown));
        news->unknown = unknown;
    }
}

static void tell(const maintenance_slot *slot, apr_status_t rv,
                 const char *problem, const read_news *news, int known)
{
    server_rec *s = slot->s;

    if (news->outage_began) {
        ap_log_error(APLOG_MARK, APLOG_ERR, MMSTATUS(rv), s, MMLOG(00002)
                     "cannot read the state from %s: %s; %s", slot->spec,
                     problem, known ? "the last state read stays in force"
                     : "none was read yet, so MaintenanceFailMode applies");
    }
    if (news->outage_goes_on) {
        ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, s, MMLOG(00008)
                     "still cannot read the state from %s: %s", slot->spec,
                     problem);
    }
    if (news->recovered) {
        ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, s, MMLOG(00003)
                     "the state from %s is readable again", slot->spec);
    }
    if (news->lost) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, MMLOG(00013)
                     "%s has no state any more (restarted, flushed or "
                     "evicted?): the last state read stays in force until "
                     "one is written", slot->spec);
    }
    if (news->unknown) {
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, MMLOG(00009)
                     "the state from %s has keys this module does not know, "
                     "ignored: %s", slot->spec, news->unknown);
    }
    if (news->changed) {
        ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, s, MMLOG(00004)
                     "state from %s: %s", slot->spec,
                     !MAINTENANCE_LOAD(slot->sh->on) ? "off"
                     : MAINTENANCE_LOAD(slot->sh->read_only) ? "on, read-only"
                     : "on");
    }
}

static void refresh(maintenance_slot *slot, apr_pool_t *p)
{
    maintenance_shared *sh = slot->sh;
    maintenance_state st;
    const char *problem = NULL, *unknown = NULL;
    read_news news = { 0 };
    apr_status_t rv;
    int known;

    rv = store_read(slot, &st, p, &problem, &unknown);
    if (!lock_own_record(slot)) {
        return;
    }
    sh->attempted = 1;
    known = sh->known;
    if (rv == APR_SUCCESS || rv == APR_NOTFOUND) {
        news.recovered = sh->failing != MAINTENANCE_FAILING_NOT;
        sh->failing = MAINTENANCE_FAILING_NOT;
        sh->last_error[0] = '\0';
        sh->last_good = apr_time_now();
        if (rv == APR_NOTFOUND && lost_not_off(slot)) {
            news.lost = !sh->lost;
            sh->lost = 1;
        }
        else {
            read_worked(sh, &st, rv == APR_SUCCESS, unknown, &news);
        }
    }
    else {
        read_failed(sh, rv, problem, &news);
    }
    unlock_record(sh);
    tell(slot, rv, problem, &news, known);
}

/* The name of the reader's thread in ps -T and top -H, where httpd's other
 * threads are all "apache2": a reader stuck in a store is told apart. */
#define THREAD_NAME "maintenance"

static apr_status_t read_store(int state, void *data, apr_pool_t *p)
{
#ifdef __linux__
    if (state == AP_WATCHDOG_STATE_STARTING) {
        prctl(PR_SET_NAME, THREAD_NAME, 0, 0, 0);
    }
#endif
    if (state != AP_WATCHDOG_STATE_STOPPING) {
        refresh(data, p);
    }
    /* Anything else would stop the watchdog calling again. */
    return APR_SUCCESS;
}

/* ---------------------------------------------------------------------- */
/* For requests, the toggle handler and the C API */

int maintenance_shared_decide_again(const maintenance_shared *sh,
                                    maintenance_state *st)
{
    int tries;

    for (tries = 0; tries < MAINTENANCE_SEQ_TRIES; tries++) {
        apr_uint32_t before = maintenance_seq_begin(sh);
        int known = maintenance_shared_fields(sh, st);

        if (maintenance_seq_whole(sh, before)) {
            return known;
        }
    }
    st->on = st->read_only = 0;
    st->start = st->end = 0;
    return 0;
}

int maintenance_slot_first_read(const maintenance_slot *slot,
                                maintenance_state *st)
{
    const maintenance_shared *sh = slot->sh;
    apr_time_t now = apr_time_now();
    apr_time_t deadline = MAINTENANCE_LOAD(sh->since) + slot->params.timeout
                          + FIRST_READ_SLACK;

    if (deadline > now + FIRST_READ_WAIT) {
        deadline = now + FIRST_READ_WAIT;
    }
    while (!MAINTENANCE_LOAD(sh->attempted) && apr_time_now() < deadline) {
        apr_sleep(apr_time_from_msec(2));
    }
    return maintenance_shared_decide(sh, st);
}

static const char *load_text(const char *from, char *to, apr_size_t size)
{
    apr_size_t i;

    for (i = 0; i + 1 < size && (to[i] = MAINTENANCE_LOAD(from[i])); i++)
        ;
    to[i] = '\0';
    return to;
}

int maintenance_slot_read(const maintenance_slot *slot, maintenance_state *st,
                          apr_pool_t *p)
{
    const maintenance_shared *sh = slot->sh;
    /* Copied here while a writer may change them, then only their length
     * from p: a request in maintenance takes bytes, not kilobytes. */
    char by[sizeof(sh->by)], message[sizeof(sh->message)];
    int tries;

    memset(st, 0, sizeof(*st));
    if (!sh) {                  /* before post_config */
        return 0;
    }
    for (tries = 0; tries < MAINTENANCE_SEQ_TRIES; tries++) {
        apr_uint32_t before = maintenance_seq_begin(sh);
        int known = maintenance_shared_fields(sh, st);

        st->changed = MAINTENANCE_LOAD(sh->changed);
        load_text(sh->by, by, sizeof(sh->by));
        load_text(sh->message, message, sizeof(sh->message));
        if (maintenance_seq_whole(sh, before)) {
            st->by = *by ? apr_pstrdup(p, by) : NULL;
            st->message = *message ? apr_pstrdup(p, message) : NULL;
            return known;
        }
    }
    memset(st, 0, sizeof(*st));
    return 0;
}

apr_status_t maintenance_slot_fetch(maintenance_slot *slot,
                                    maintenance_state *st, apr_pool_t *p,
                                    const char **err)
{
    apr_status_t rv = store_read(slot, st, p, err, NULL);

    if (rv != APR_NOTFOUND) {
        return rv;
    }
    if (lost_not_off(slot)) {
        maintenance_slot_read(slot, st, p);
    }
    return APR_SUCCESS;
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
    if (rv != APR_SUCCESS) {
        return rv;
    }
    /* What a reader will parse, not what was asked: every process of the
     * server answers from it at once. */
    if (slot->sh && lock_own_record(slot)) {
        publish(slot->sh, &back);
        slot->sh->from_store = 1;
        slot->sh->lost = 0;
        unlock_record(slot->sh);
    }
    if (stored) {
        *stored = back;
    }
    return APR_SUCCESS;
}

/* ---------------------------------------------------------------------- */
/* What it did */

void maintenance_slot_report(const maintenance_slot *slot,
                             maintenance_report *rep, apr_pool_t *p)
{
    maintenance_shared *sh = slot->sh;
    int i;

    memset(rep, 0, sizeof(*rep));
    rep->spec = slot->spec;
    rep->s = slot->s;
    rep->known = maintenance_slot_read(slot, &rep->st, p);
    lock_record(sh);
    rep->failing = sh->failing;
    rep->last_error = *sh->last_error ? apr_pstrdup(p, sh->last_error) : NULL;
    rep->last_good = sh->last_good;
    rep->lost = sh->lost;
    unlock_record(sh);
    rep->answers = MAINTENANCE_LOAD(sh->answers);
    for (i = 0; i < MAINTENANCE_THROUGH_N; i++) {
        rep->through[i] = MAINTENANCE_LOAD(sh->through[i]);
    }
    rep->reads_ok = MAINTENANCE_LOAD(sh->reads_ok);
    rep->reads_error = MAINTENANCE_LOAD(sh->reads_error);
}

const apr_array_header_t *maintenance_cache_slots(void)
{
    return slots;
}
