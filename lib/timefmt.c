/* Times and durations as users write them. */
#include <apr_lib.h>
#include <apr_strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timefmt.h"

/* Exactly n digits from *s, advancing it. */
static int take_digits(const char **s, int n, int *out)
{
    int v = 0;
    while (n--) {
        if (!apr_isdigit(**s)) {
            return 0;
        }
        v = v * 10 + (*(*s)++ - '0');
    }
    *out = v;
    return 1;
}

static int take_char(const char **s, char c)
{
    if (**s != c) {
        return 0;
    }
    (*s)++;
    return 1;
}

static const char *parse_iso8601(const char *s, apr_time_t *t)
{
    apr_time_exp_t tm = { 0 }, back;
    apr_time_t when;
    int year, mon, offset = 0, leap;

    if (!take_digits(&s, 4, &year) || !take_char(&s, '-')
        || !take_digits(&s, 2, &mon) || !take_char(&s, '-')
        || !take_digits(&s, 2, &tm.tm_mday)
        || !(take_char(&s, 'T') || take_char(&s, 't') || take_char(&s, ' '))
        || !take_digits(&s, 2, &tm.tm_hour) || !take_char(&s, ':')
        || !take_digits(&s, 2, &tm.tm_min)) {
        return "not a time like 2026-11-22T10:00:00Z";
    }
    if (take_char(&s, ':') && !take_digits(&s, 2, &tm.tm_sec)) {
        return "bad seconds";
    }
    if (take_char(&s, '.')) {
        while (apr_isdigit(*s)) {
            s++;          /* fractions of a second are dropped */
        }
    }
    if (take_char(&s, 'Z') || take_char(&s, 'z')) {
        /* UTC */
    }
    else if (*s == '+' || *s == '-') {
        int sign = *s++ == '-' ? -1 : 1, oh, om = 0;
        if (!take_digits(&s, 2, &oh)) {
            return "bad time zone offset";
        }
        take_char(&s, ':');
        if (*s && !take_digits(&s, 2, &om)) {
            return "bad time zone offset";
        }
        if (oh > 23 || om > 59) {
            return "bad time zone offset";
        }
        offset = sign * (oh * 3600 + om * 60);
    }
    if (*s) {
        return "trailing characters after the time";
    }
    if (year < 1970 || mon < 1 || mon > 12 || tm.tm_mday < 1
        || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59
        || tm.tm_sec > 60) {
        return "time out of range";
    }
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    /* A leap second (23:59:60, maybe a month's last) is the next second:
     * counted from :59, so the day stays the one written. */
    leap = tm.tm_sec == 60;
    tm.tm_sec -= leap;
    if (apr_time_exp_gmt_get(&when, &tm) != APR_SUCCESS || when <= 0) {
        return "time out of range";
    }
    /* APR rolls 2026-02-30 over into March: a day the month lacks is
     * a typo, not a date. */
    apr_time_exp_gmt(&back, when);
    if (back.tm_mday != tm.tm_mday) {
        return "no such day in that month";
    }
    when += apr_time_from_sec(leap) - apr_time_from_sec(offset);
    if (!MAINTENANCE_TIME_VALID(when)) {
        return "time out of range";
    }
    *t = when;
    return NULL;
}

const char *maintenance_time_parse(const char *s, apr_time_t *t)
{
    const char *p = s;

    while (apr_isdigit(*p)) {
        p++;
    }
    if (p != s && !*p) {
        apr_int64_t secs = apr_atoi64(s);
        if (p - s > 12 || !MAINTENANCE_TIME_VALID(apr_time_from_sec(secs))) {
            return "Unix time out of range";
        }
        *t = apr_time_from_sec(secs);
        return NULL;
    }
    return parse_iso8601(s, t);
}

void maintenance_time_format(char *buf, apr_time_t t)
{
    apr_time_exp_t tm;

    apr_time_exp_gmt(&tm, t);
    apr_snprintf(buf, MAINTENANCE_TIME_LEN, "%04d-%02d-%02dT%02d:%02d:%02dZ",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                 tm.tm_hour, tm.tm_min, tm.tm_sec);
}

const char *maintenance_time_pformat(apr_pool_t *p, apr_time_t t)
{
    char *buf;

    if (!t) {
        return NULL;
    }
    buf = apr_palloc(p, MAINTENANCE_TIME_LEN);
    maintenance_time_format(buf, t);
    return buf;
}

const char *maintenance_duration_parse(const char *s, apr_interval_time_t *d)
{
    apr_int64_t total = 0;
    const char *p = s;

    if (!*p) {
        return "empty duration";
    }
    while (*p) {
        apr_int64_t n = 0;
        const char *digits = p;
        while (apr_isdigit(*p)) {
            n = n * 10 + (*p++ - '0');
            if (n > 10 * 365 * 86400) {
                return "duration too long";
            }
        }
        if (p == digits) {
            return "not a duration like 90, 30m, 2h or 1h30m";
        }
        switch (*p) {
        case 'd': n *= 86400; p++; break;
        case 'h': n *= 3600; p++; break;
        case 'm': n *= 60; p++; break;
        case 's': p++; break;
        case '\0':
            if (digits != s) {   /* "1h30" is ambiguous */
                return "not a duration like 90, 30m, 2h or 1h30m";
            }
            break;
        default:
            return "not a duration like 90, 30m, 2h or 1h30m";
        }
        total += n;
    }
    if (total <= 0) {
        return "a duration must be more than zero";
    }
    if (total > 10 * 365 * 86400) {
        return "duration too long";
    }
    *d = apr_time_from_sec(total);
    return NULL;
}

const char *maintenance_seconds_parse(const char *s, apr_interval_time_t *d)
{
    apr_size_t digits = strspn(s, "0123456789");
    const char *frac = s + digits;
    double v;

    /* Plain decimals only: strtod would take 0x10, 1e3 and inf too. */
    if (*frac == '.') {
        frac++;
        if (strspn(frac, "0123456789") != strlen(frac)
            || (!digits && !*frac)) {
            return "not a number of seconds like 1 or 0.5";
        }
    }
    else if (*frac || !digits) {
        return "not a number of seconds like 1 or 0.5";
    }
    v = strtod(s, NULL);
    if (v > 86400) {
        return "more than a day";
    }
    *d = (apr_interval_time_t)(v * APR_USEC_PER_SEC + 0.5);
    return NULL;
}
