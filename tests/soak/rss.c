/* The memory of httpd's child processes over a soak run: see rss.h. */
#include "rss.h"

#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "proc.h"

/* More children than httpd runs at once here (prefork's ServerLimit is
 * the fixture's 8; old ones linger during a graceful restart). */
#define MAX_LIVE 64

typedef struct {
    pid_t pid;
    long first_ms, last_ms;
    long *kib;
    size_t n, cap;
} series;

struct rss_track {
    pid_t parent;
    series *s;
    size_t n, cap;
};

static void *grow(void *p, size_t *cap, size_t size)
{
    *cap = *cap ? 2 * *cap : 16;
    if (!(p = realloc(p, *cap * size))) {
        abort();
    }
    return p;
}

rss_track *rss_new(pid_t parent)
{
    rss_track *t = calloc(1, sizeof(*t));

    if (!t) {
        abort();
    }
    t->parent = parent;
    return t;
}

static series *series_of(rss_track *t, pid_t pid)
{
    series *s;

    for (size_t i = 0; i < t->n; i++) {
        if (t->s[i].pid == pid) {
            return &t->s[i];
        }
    }
    if (t->n == t->cap) {
        t->s = grow(t->s, &t->cap, sizeof(*t->s));
    }
    s = &t->s[t->n++];
    memset(s, 0, sizeof(*s));
    s->pid = pid;
    return s;
}

void rss_sample(rss_track *t, long now_ms)
{
    pid_t kids[MAX_LIVE];
    size_t n = proc_children(t->parent, kids, MAX_LIVE);

    if (n > MAX_LIVE) {
        fail_msg("httpd %ld has %zu children, more than %d",
                 (long)t->parent, n, MAX_LIVE);
    }
    for (size_t i = 0; i < n; i++) {
        long kib = proc_rss_kib(kids[i]);
        series *s;

        if (kib <= 0) {      /* gone, or a zombie not yet reaped */
            continue;
        }
        s = series_of(t, kids[i]);
        if (s->n == s->cap) {
            s->kib = grow(s->kib, &s->cap, sizeof(*s->kib));
        }
        if (s->n == 0) {
            s->first_ms = now_ms;
        }
        s->kib[s->n++] = kib;
        s->last_ms = now_ms;
    }
}

static int by_value(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;

    return (x > y) - (x < y);
}

static long median(const long *v, size_t n)
{
    long *copy = malloc(n * sizeof(*copy)), m;

    if (!copy) {
        abort();
    }
    memcpy(copy, v, n * sizeof(*copy));
    qsort(copy, n, sizeof(*copy), by_value);
    m = copy[n / 2];
    free(copy);
    return m;
}

size_t rss_long_lived(const rss_track *t, long min_span_ms, rss_growth *out,
                      size_t max)
{
    size_t found = 0;

    for (size_t i = 0; i < t->n; i++) {
        const series *s = &t->s[i];
        size_t third = s->n / 3;

        if (s->last_ms - s->first_ms < min_span_ms || third == 0) {
            continue;
        }
        if (found < max) {
            out[found].pid = s->pid;
            out[found].first_kib = median(s->kib, third);
            out[found].last_kib = median(s->kib + s->n - third, third);
            out[found].span_ms = s->last_ms - s->first_ms;
            out[found].samples = s->n;
        }
        found++;
    }
    return found;
}

size_t rss_children_seen(const rss_track *t)
{
    return t->n;
}

void rss_free(rss_track *t)
{
    if (!t) {
        return;
    }
    for (size_t i = 0; i < t->n; i++) {
        free(t->s[i].kib);
    }
    free(t->s);
    free(t);
}
