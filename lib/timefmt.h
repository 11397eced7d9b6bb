/* Times and durations as users write them in states, forms and directives. */
#ifndef MAINTENANCE_TIMEFMT_H
#define MAINTENANCE_TIMEFMT_H

#include <apr_pools.h>
#include <apr_time.h>

/* "2026-11-22T10:00:00Z" plus the terminating NUL. */
#define MAINTENANCE_TIME_LEN 21

/* The last second a state can hold, 9999-12-31T23:59:59Z: four-digit
 * years, so every time written reads back. */
#define MAINTENANCE_TIME_MAX apr_time_from_sec(APR_INT64_C(253402300799))

/* Whether t can be stored: after the epoch, by MAINTENANCE_TIME_MAX. */
#define MAINTENANCE_TIME_VALID(t) ((t) > 0 && (t) <= MAINTENANCE_TIME_MAX)

/* ISO 8601 (YYYY-MM-DDTHH:MM[:SS[.frac]] with Z or +HH:MM/-HH:MM; a time
 * without a zone is UTC) or Unix seconds, within MAINTENANCE_TIME_VALID.
 * Returns NULL or an error text. */
const char *maintenance_time_parse(const char *s, apr_time_t *t);

/* t as ISO 8601 UTC, to the second. */
void maintenance_time_format(char *buf, apr_time_t t);

/* The same from p; NULL when t is 0 (unset). */
const char *maintenance_time_pformat(apr_pool_t *p, apr_time_t t);

/* A duration: plain seconds ("90") or units s, m, h, d, possibly combined
 * ("30m", "2h", "1h30m"). Must be more than zero. */
const char *maintenance_duration_parse(const char *s, apr_interval_time_t *d);

/* Seconds with an optional fraction ("1", "0.25"), at least zero. */
const char *maintenance_seconds_parse(const char *s, apr_interval_time_t *d);

#endif
