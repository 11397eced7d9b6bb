/* Graceful restarts during a soak run: see restarts.h. */
#include "restarts.h"

#include <limits.h>
#include <stdlib.h>

#include "proc.h"

/* More children than httpd runs at once here (see rss.c). */
#define MAX_LIVE         64
/* The clients' troubles are excused this long after a restart is
 * done (see load_excuse). */
#define GRACE_MS         1000

struct restarts {
    fx *f;
    load *l;
    pid_t parent;
    int sent, done;
    long sent_at;              /* of the restart in progress, 0: none */
    pid_t old[MAX_LIVE];       /* the children when it was sent */
    size_t nold;
};

restarts *restarts_new(fx *f, load *l)
{
    restarts *r = calloc(1, sizeof(*r));

    if (!r) {
        abort();
    }
    r->f = f;
    r->l = l;
    r->parent = proc_httpd_pid(f);
    return r;
}

/* Whether httpd replaced the children it had when the restart went. */
static int replaced(const restarts *r)
{
    pid_t now[MAX_LIVE];
    size_t n = proc_children(r->parent, now, MAX_LIVE);

    if (n == 0 || n > MAX_LIVE) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < r->nold; j++) {
            if (now[i] == r->old[j]) {
                return 0;
            }
        }
    }
    return 1;
}

void restarts_step(restarts *r, long now, int due)
{
    if (r->sent_at) {
        if (!replaced(r)) {
            if (now - r->sent_at > RESTART_LIMIT_MS) {
                fail_msg("graceful restart %d: httpd still has children of "
                         "before it after %d ms", r->sent, RESTART_LIMIT_MS);
            }
            return;
        }
        r->sent_at = 0;
        r->done++;
        load_excuse(r->l, now + GRACE_MS);
    }
    if (due) {
        r->nold = proc_children(r->parent, r->old, MAX_LIVE);
        if (r->nold > MAX_LIVE) {
            fail_msg("httpd has %zu children, more than %d", r->nold,
                     MAX_LIVE);
        }
        load_excuse(r->l, LONG_MAX);
        proc_graceful(r->f);
        r->sent++;
        r->sent_at = now;
    }
}

int restarts_sent(const restarts *r)
{
    return r->sent;
}

int restarts_done(const restarts *r)
{
    return r->done;
}

void restarts_free(restarts *r)
{
    free(r);
}
