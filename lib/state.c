/* The state record: parse and write the text every provider stores. */
#include <apr_lib.h>
#include <apr_strings.h>
#include <string.h>

#include "state.h"
#include "timefmt.h"

static const char *parse_onoff(const char *word, int *on)
{
    static const char *const on_words[] = { "on", "1", "true", NULL };
    static const char *const off_words[] = { "off", "0", "false", NULL };
    int i;

    for (i = 0; on_words[i]; i++) {
        if (!strcasecmp(word, on_words[i])) {
            *on = 1;
            return NULL;
        }
        if (!strcasecmp(word, off_words[i])) {
            *on = 0;
            return NULL;
        }
    }
    return "the first line must be on or off";
}

static const char *parse_time_field(const char *key, const char *value,
                                    apr_time_t *t, apr_pool_t *p)
{
    const char *err = maintenance_time_parse(value, t);
    return err ? apr_psprintf(p, "%s=%s: %s", key, value, err) : NULL;
}

const char *maintenance_mode_parse(const char *value, int *read_only)
{
    if (!strcmp(value, "read-only")) {
        *read_only = 1;
    }
    else if (!strcmp(value, "full")) {
        *read_only = 0;
    }
    else {
        return "the mode is full or read-only";
    }
    return NULL;
}

/* The keys a state may have; any other is kept for newer writers, and
 * reported. */
static const char *parse_field(maintenance_state *st, const char *key,
                               const char *value, int *known, apr_pool_t *p)
{
    *known = 1;
    if (!strcmp(key, "start")) {
        return parse_time_field(key, value, &st->start, p);
    }
    if (!strcmp(key, "end")) {
        return parse_time_field(key, value, &st->end, p);
    }
    if (!strcmp(key, "changed")) {
        return parse_time_field(key, value, &st->changed, p);
    }
    if (!strcmp(key, "mode")) {
        const char *err = maintenance_mode_parse(value, &st->read_only);
        return err ? apr_psprintf(p, "mode=%s: %s", value, err) : NULL;
    }
    if (!strcmp(key, "by")) {
        st->by = value;
    }
    else if (!strcmp(key, "message")) {
        st->message = value;
    }
    else {
        *known = 0;
    }
    return NULL;
}

/* s without the blanks around it, cut in place: "end = x" is what a
 * person editing the file by hand means by "end=x". */
static char *trim(char *s)
{
    apr_size_t n;

    while (apr_isspace(*s)) {
        s++;
    }
    n = strlen(s);
    while (n && apr_isspace(s[n - 1])) {
        s[--n] = '\0';
    }
    return s;
}

static const char *window_check(const maintenance_state *st)
{
    return st->start && st->end && st->end <= st->start
           ? "end is not after start" : NULL;
}

const char *maintenance_state_parse(maintenance_state *st, const char *text,
                                    apr_size_t len, const char **unknown,
                                    apr_pool_t *p)
{
    char *copy, *line, *next;
    const char *err;
    int lineno = 0;

    memset(st, 0, sizeof(*st));
    if (unknown) {
        *unknown = NULL;
    }
    if (len > MAINTENANCE_STATE_MAX) {
        return apr_psprintf(p, "state is larger than %d bytes",
                            MAINTENANCE_STATE_MAX);
    }
    if (memchr(text, '\0', len)) {
        return "state contains a NUL byte";
    }
    copy = apr_pstrmemdup(p, text, len);
    if (copy[strspn(copy, " \t\r\n")] == '{') {
        return (err = maintenance_schedule_parse(st, copy, p)) != NULL ? err
               : window_check(st);
    }

    for (line = copy; line; line = next) {
        char *eq, *key;
        int known;

        if ((next = strchr(line, '\n')) != NULL) {
            *next++ = '\0';
        }
        line = trim(line);
        if (!lineno++) {
            if ((err = parse_onoff(line, &st->on)) != NULL) {
                return err;
            }
            continue;
        }
        if (!*line) {
            continue;
        }
        if (!(eq = strchr(line, '='))) {
            return apr_psprintf(p, "line %d is not key=value", lineno);
        }
        *eq = '\0';
        key = trim(line);
        if ((err = parse_field(st, key, trim(eq + 1), &known, p)) != NULL) {
            return err;
        }
        if (!known && unknown) {
            *unknown = *unknown ? apr_pstrcat(p, *unknown, ", ", key, NULL)
                                : key;
        }
    }
    return window_check(st);
}

static char *time_line(const char *key, apr_time_t t, apr_pool_t *p)
{
    char buf[MAINTENANCE_TIME_LEN];

    if (!t) {
        return "";
    }
    maintenance_time_format(buf, t);
    return apr_pstrcat(p, key, "=", buf, "\n", NULL);
}

/* A value must stay on its line: line breaks become spaces. */
static char *text_line(const char *key, const char *value, apr_pool_t *p)
{
    char *v, *c;

    if (!value || !*value) {
        return "";
    }
    v = apr_pstrdup(p, value);
    for (c = v; *c; c++) {
        if (*c == '\n' || *c == '\r') {
            *c = ' ';
        }
    }
    return apr_pstrcat(p, key, "=", v, "\n", NULL);
}

char *maintenance_state_format(const maintenance_state *st, apr_pool_t *p)
{
    return apr_pstrcat(p, st->on ? "on\n" : "off\n",
                       st->read_only ? "mode=read-only\n" : "",
                       time_line("start", st->start, p),
                       time_line("end", st->end, p),
                       time_line("changed", st->changed, p),
                       text_line("by", st->by, p),
                       text_line("message", st->message, p), NULL);
}

/* The time a window's field gives, within what a state can hold. */
static const char *window_time(const char *prefix, const char *name,
                               const char *value, apr_time_t *t,
                               apr_pool_t *p)
{
    const char *err = maintenance_time_parse(value, t);

    return err ? apr_psprintf(p, "%s%s '%s': %s", prefix, name, value, err)
               : NULL;
}

const char *maintenance_state_window(maintenance_state *st, const char *start,
                                     const char *end, const char *duration,
                                     const char *prefix, apr_pool_t *p)
{
    apr_interval_time_t d = 0;
    apr_time_t from;
    const char *err;

    if (start && (err = window_time(prefix, "start", start, &st->start, p))) {
        return err;
    }
    if (end && (err = window_time(prefix, "end", end, &st->end, p))) {
        return err;
    }
    if (duration && (err = maintenance_duration_parse(duration, &d))) {
        return apr_psprintf(p, "%sfor '%s': %s", prefix, duration, err);
    }
    if (duration && end) {
        return apr_psprintf(p, "give %send or %sfor, not both", prefix,
                            prefix);
    }
    from = st->start ? st->start : st->changed;
    if (duration) {
        if (d > MAINTENANCE_TIME_MAX - from) {
            return apr_psprintf(p, "%sfor '%s': the end would be after "
                                "9999-12-31T23:59:59Z", prefix, duration);
        }
        st->end = from + d;
    }
    if (st->end && st->end <= from) {
        return "the end is not after the start";
    }
    return NULL;
}
