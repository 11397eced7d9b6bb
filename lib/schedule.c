/* The scheduled state django-maintenance-mode 0.23 writes: a JSON object
 * with "start" and "end", each an ISO 8601 time (an offset, often
 * microseconds) or null, at least one of them a time:
 *
 *     {"start": "2026-11-22T10:00:00+00:00", "end": null}
 *
 * Only that shape is read; anything else in JSON is a bad state, as it is
 * for Django. Written by hand: two members do not need a JSON library, and
 * a short strict grammar is easy to fuzz (tests/fuzz, the state harness). */
#include <apr_lib.h>
#include <apr_strings.h>

#include "state.h"
#include "timefmt.h"

typedef struct {
    const char *s;
    apr_pool_t *p;
} cursor;

static void blanks(cursor *c)
{
    while (*c->s == ' ' || *c->s == '\t' || *c->s == '\r' || *c->s == '\n') {
        c->s++;
    }
}

static int take(cursor *c, char ch)
{
    blanks(c);
    if (*c->s != ch) {
        return 0;
    }
    c->s++;
    return 1;
}

/* A string without escapes (times and the two names need none), or NULL
 * for JSON's null. *bad is set for anything else. */
static const char *string_or_null(cursor *c, int *bad)
{
    const char *from;

    blanks(c);
    if (!strncmp(c->s, "null", 4)) {
        c->s += 4;
        return NULL;
    }
    if (*c->s != '"') {
        *bad = 1;
        return NULL;
    }
    from = ++c->s;
    while (*c->s && *c->s != '"' && *c->s != '\\'
           && (unsigned char)*c->s >= 0x20) {
        c->s++;
    }
    if (*c->s != '"') {
        *bad = 1;
        return NULL;
    }
    return apr_pstrmemdup(c->p, from, (apr_size_t)(c->s++ - from));
}

static const char *member(cursor *c, maintenance_state *st, int *seen)
{
    int bad = 0, which;
    const char *name = string_or_null(c, &bad), *value;
    apr_time_t *t;
    const char *err;

    if (bad || !name || !take(c, ':')) {
        return "a JSON state must be {\"start\": TIME|null, \"end\": "
               "TIME|null}";
    }
    which = !strcmp(name, "start") ? 1 : !strcmp(name, "end") ? 2 : 0;
    if (!which) {
        return apr_psprintf(c->p, "a JSON state has only \"start\" and "
                            "\"end\", not \"%s\"", name);
    }
    if (*seen & which) {
        return apr_psprintf(c->p, "a JSON state has \"%s\" twice", name);
    }
    *seen |= which;
    value = string_or_null(c, &bad);
    if (bad) {
        return apr_psprintf(c->p, "\"%s\" must be a time or null", name);
    }
    t = which == 1 ? &st->start : &st->end;
    if (value && (err = maintenance_time_parse(value, t)) != NULL) {
        return apr_psprintf(c->p, "\"%s\": \"%s\": %s", name, value, err);
    }
    return NULL;
}

const char *maintenance_schedule_parse(maintenance_state *st, const char *text,
                                       apr_pool_t *p)
{
    cursor c = { text, p };
    const char *err;
    int seen = 0;

    if (!take(&c, '{')) {
        return "a JSON state must be an object";
    }
    if (!take(&c, '}')) {
        do {
            if ((err = member(&c, st, &seen)) != NULL) {
                return err;
            }
        } while (take(&c, ','));
        if (!take(&c, '}')) {
            return "a JSON state must be {\"start\": TIME|null, \"end\": "
                   "TIME|null}";
        }
    }
    blanks(&c);
    if (*c.s) {
        return "a JSON state has something after its object";
    }
    if (!st->start && !st->end) {
        return "a JSON state needs a start or an end";
    }
    st->on = 1;
    return NULL;
}
