/* The state record: the small text every provider stores. */
#ifndef MAINTENANCE_STATE_H
#define MAINTENANCE_STATE_H

#include "mod_maintenance.h"

/* Parse len bytes of stored text into st (strings from p). Returns NULL, or
 * a one-line error text. Strict: anything but the documented format (or
 * django-maintenance-mode's JSON schedule) is an error, and so is more
 * than MAINTENANCE_STATE_MAX bytes. Blanks around keys and values do not
 * count. Keys it does not know are skipped; unknown, if not NULL, gets
 * them ("reason, colour"), or NULL. */
const char *maintenance_state_parse(maintenance_state *st, const char *text,
                                    apr_size_t len, const char **unknown,
                                    apr_pool_t *p);

/* A mode as the state, the toggle page's form and maintenancectl spell
 * it: "full" (0) or "read-only" (1), into *read_only. Returns NULL, or
 * what is right. */
const char *maintenance_mode_parse(const char *value, int *read_only);

/* The stored text of st, newline-terminated; "mode=read-only" only in
 * that mode, so a full state reads the same to an older reader. */
char *maintenance_state_format(const maintenance_state *st, apr_pool_t *p);

/* Set st's window from what a user typed, each NULL when not given: start
 * and end as times, or duration ("for") from the start, else from
 * st->changed (now). Returns NULL, or an error naming the field as the
 * user knows it: prefix and start, end or for ("--" for options). */
const char *maintenance_state_window(maintenance_state *st, const char *start,
                                     const char *end, const char *duration,
                                     const char *prefix, apr_pool_t *p);

/* Whether st puts the site in maintenance at now: on, and within
 * [start, end) where they are set. Inline: every request asks. */
static APR_INLINE int maintenance_state_in_force(const maintenance_state *st,
                                                 apr_time_t now)
{
    return st->on && (!st->start || now >= st->start)
                  && (!st->end || now < st->end);
}

/* Whether st has a window that is running or still to come at now (its
 * times and message are then worth telling the site). */
static APR_INLINE int maintenance_state_pending(const maintenance_state *st,
                                                apr_time_t now)
{
    return st->on && (!st->end || now < st->end);
}

/* django-maintenance-mode 0.23's scheduled state, {"start": TIME|null,
 * "end": TIME|null}, NUL-terminated, into st (on, within that window).
 * Returns NULL, or why it is not one (schedule.c). */
const char *maintenance_schedule_parse(maintenance_state *st, const char *text,
                                       apr_pool_t *p);

#endif
