/* The write-then-read property of the state record, for the harnesses
 * that make states: what maintenance_state_format writes,
 * maintenance_state_parse reads back as the same state. */
#ifndef MAINTENANCE_FUZZ_ROUNDTRIP_H
#define MAINTENANCE_FUZZ_ROUNDTRIP_H

#include <apr_lib.h>
#include <apr_strings.h>

#include "fuzz.h"
#include "state.h"

/* What a reader gets back of a by or message value: nothing for NULL or
 * "" (the writer leaves the line out); otherwise the value on one line
 * (the writer turns '\n' and '\r' into spaces) without the blanks around
 * it (the parser trims every value, with apr_isspace as here). */
static inline const char *fuzz_read_back(apr_pool_t *p, const char *v)
{
    char *s, *c, *end;

    if (!v || !*v) {
        return NULL;
    }
    s = apr_pstrdup(p, v);
    for (c = s; *c; c++) {
        if (*c == '\n' || *c == '\r') {
            *c = ' ';
        }
    }
    while (apr_isspace(*s)) {
        s++;
    }
    for (end = s + strlen(s); end > s && apr_isspace(end[-1]); end--) {
    }
    *end = '\0';
    return s;
}

/* Exactly equal: NULL is not "". */
static inline int fuzz_same_str(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

/* st, written and parsed again, is st: on and the mode, the times to the
 * second (the writer writes no fraction), by and message as
 * fuzz_read_back says. A
 * text over MAINTENANCE_STATE_MAX is left out: maintenance_provider_write
 * refuses to store it, as the parser refuses to read it. */
static inline void fuzz_check_round_trip(const maintenance_state *st,
                                         apr_pool_t *p)
{
    const char *text = maintenance_state_format(st, p), *unknown, *err;
    apr_size_t len = strlen(text);
    maintenance_state back;

    if (len > MAINTENANCE_STATE_MAX) {
        return;
    }
    err = maintenance_state_parse(&back, text, len, &unknown, p);
    if (err) {
        fprintf(stderr, "%s, reading back:\n%s", err, text);
    }
    FUZZ_CHECK(!err);
    FUZZ_CHECK(!unknown);          /* the writer writes only known keys */
    FUZZ_CHECK(back.on == !!st->on);
    FUZZ_CHECK(back.read_only == !!st->read_only);
    FUZZ_CHECK(apr_time_sec(back.start) == apr_time_sec(st->start));
    FUZZ_CHECK(apr_time_sec(back.end) == apr_time_sec(st->end));
    FUZZ_CHECK(apr_time_sec(back.changed) == apr_time_sec(st->changed));
    FUZZ_CHECK(fuzz_same_str(back.by, fuzz_read_back(p, st->by)));
    FUZZ_CHECK(fuzz_same_str(back.message, fuzz_read_back(p, st->message)));
}

#endif
