/* The memory of httpd's child processes over a soak run: each child's
 * resident set size (VmRSS), sampled now and then, and how much it grew
 * over its life.
 *
 *     rss_track *t = rss_new(proc_httpd_pid(f));
 *     ... rss_sample(t, fx_now_ms()) every half second ...
 *     rss_growth g[8];
 *     size_t n = rss_long_lived(t, 30000, g, 8);
 *     rss_free(t);
 */
#ifndef RSS_H
#define RSS_H

#include <stddef.h>
#include <sys/types.h>

typedef struct rss_track rss_track;

/* One child's growth: the median of its first third of samples against
 * the median of its last third. Medians, not single samples, so that a
 * moment's peak (a burst of requests, malloc not yet trimming) does not
 * decide. */
typedef struct {
    pid_t pid;
    long first_kib, last_kib;
    long span_ms;          /* from its first sample to its last */
    size_t samples;
} rss_growth;

rss_track *rss_new(pid_t parent);

/* Sample every live child of the parent; now_ms is the monotonic time. */
void rss_sample(rss_track *t, long now_ms);

/* The children sampled over at least min_span_ms, with their growth (at
 * most max of them in out); how many there are. */
size_t rss_long_lived(const rss_track *t, long min_span_ms, rss_growth *out,
                      size_t max);

/* How many distinct children were seen. */
size_t rss_children_seen(const rss_track *t);

void rss_free(rss_track *t);

#endif
