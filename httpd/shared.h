/* The record every process of a server shares for one store: the state in
 * force, the reader's account of the store, and the counters.
 *
 * It lives in shared memory the parent maps before it forks. Requests only
 * read it, without a lock: the state is published as a seqlock (writers
 * make seq odd while they change it, and a reader whose seq moved reads
 * again). Writers (the one reader of the store, a toggle, the C API) take
 * a lock of their own, a word holding the writing process's pid. */
#ifndef MAINTENANCE_SHARED_H
#define MAINTENANCE_SHARED_H

#include "maintenance_conf.h"
#include "state.h"

/* The policies that let a request through, as MAINTENANCE_BYPASS names
 * them (policy.c) and the counters count them. */
typedef enum {
    MAINTENANCE_THROUGH_ENV,
    MAINTENANCE_THROUGH_IP,
    MAINTENANCE_THROUGH_URL,
    MAINTENANCE_THROUGH_USER,
    MAINTENANCE_THROUGH_AUTHENTICATED,
    MAINTENANCE_THROUGH_ANONYMOUS,
    MAINTENANCE_THROUGH_EXPR,
    MAINTENANCE_THROUGH_TOGGLE,
    MAINTENANCE_THROUGH_REDIRECT,
    MAINTENANCE_THROUGH_COOKIE,         /* a signed bypass link's */
    MAINTENANCE_THROUGH_N,
    MAINTENANCE_THROUGH_NONE = -1
} maintenance_through;

extern const char *const maintenance_through_names[MAINTENANCE_THROUGH_N];

#define MAINTENANCE_SHARED_ERROR_MAX 256
#define MAINTENANCE_SHARED_KEY_MAX   1024

struct maintenance_shared {
    /* The state in force: seqlock, below. */
    apr_uint32_t seq;
    apr_uint32_t known;             /* a state was read or written */
    apr_uint32_t on;
    apr_uint32_t read_only;         /* where on's padding was: a record
                                     * kept over a restart reads as full */
    apr_time_t start, end, changed;
    char by[MAINTENANCE_STATE_MAX + 1];
    char message[MAINTENANCE_STATE_MAX + 1];

    /* The writers' lock: the pid of the process holding it, or 0. */
    apr_uint32_t writer;

    /* The reader's account, changed and read under the writers' lock. */
    apr_uint32_t attempted;         /* a read was made */
    apr_uint32_t from_store;        /* a stored state was read or written */
    apr_uint32_t failing;           /* MAINTENANCE_FAILING_* */
    apr_uint32_t lost;              /* the store lost it: logged */
    apr_time_t last_good;           /* the last read that worked, or 0 */
    char last_error[MAINTENANCE_SHARED_ERROR_MAX];
    char last_unknown[MAINTENANCE_SHARED_ERROR_MAX];

    /* Counters: atomic adds from any process, summed by nobody. */
    apr_uint64_t answers;
    apr_uint64_t through[MAINTENANCE_THROUGH_N];
    apr_uint64_t reads_ok, reads_error;

    /* Whose it is: set by the parent when it hands the record out. */
    apr_time_t since;               /* when it was handed out */
    char key[MAINTENANCE_SHARED_KEY_MAX];
};

/* maintenance_shared.failing */
#define MAINTENANCE_FAILING_NOT     0
#define MAINTENANCE_FAILING_OUTAGE  1   /* no answer */
#define MAINTENANCE_FAILING_ANSWER  2   /* a bad state, an error answered */

/* The fields are read while a writer may change them. */
#define MAINTENANCE_LOAD(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)
#define MAINTENANCE_COUNT(field) \
    ((void)__atomic_fetch_add(&(field), 1, __ATOMIC_RELAXED))

/* A writer that died half-way leaves seq odd until the next write: a
 * reader gives up after this many tries rather than spin. */
#define MAINTENANCE_SEQ_TRIES 4096

/* A seqlock read: take the sequence number, read, and keep what was read
 * only if it is whole (the number was even and has not moved).
 *
 * Correct on weakly ordered CPUs too (ARM): the acquire load of seq keeps
 * the field loads after it, the acquire fence keeps them before the second
 * load of seq, and the writers' release fence and release store order
 * their side the same way; on x86 these cost no instruction. */
static APR_INLINE apr_uint32_t maintenance_seq_begin(const maintenance_shared *sh)
{
    return __atomic_load_n(&sh->seq, __ATOMIC_ACQUIRE);
}

static APR_INLINE int maintenance_seq_whole(const maintenance_shared *sh,
                                            apr_uint32_t before)
{
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return !(before & 1) && before == MAINTENANCE_LOAD(sh->seq);
}

/* The fields a decision needs, into st; whether a state is known. */
static APR_INLINE int maintenance_shared_fields(const maintenance_shared *sh,
                                                maintenance_state *st)
{
    st->on = MAINTENANCE_LOAD(sh->on);
    st->read_only = MAINTENANCE_LOAD(sh->read_only);
    st->start = MAINTENANCE_LOAD(sh->start);
    st->end = MAINTENANCE_LOAD(sh->end);
    return MAINTENANCE_LOAD(sh->known);
}

/* maintenance_shared_decide when a writer was busy: tries again, a few
 * thousand times at most (cache.c). */
int maintenance_shared_decide_again(const maintenance_shared *sh,
                                    maintenance_state *st);

/* Copy sh's on, read_only, start and end into st. Returns 0 if no state
 * is known (st is then off). Inline, and the retry out of line: every
 * request of every site comes here. */
static APR_INLINE int maintenance_shared_decide(const maintenance_shared *sh,
                                                maintenance_state *st)
{
    apr_uint32_t before = maintenance_seq_begin(sh);
    int known = maintenance_shared_fields(sh, st);

    return maintenance_seq_whole(sh, before)
           ? known : maintenance_shared_decide_again(sh, st);
}

/* Whether sh holds a known state that is off: the common case, settled
 * with a few loads and no copy of the record. */
static APR_INLINE int maintenance_shared_off(const maintenance_shared *sh)
{
    apr_uint32_t before = maintenance_seq_begin(sh);
    int off = MAINTENANCE_LOAD(sh->known) && !MAINTENANCE_LOAD(sh->on);

    return off && maintenance_seq_whole(sh, before);
}

#endif
