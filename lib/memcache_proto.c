/* memcached's answers to get and set, parsed strictly: whatever is not
 * exactly what memcached sends for this request is garbage, and the
 * provider then closes the connection rather than guess where the next
 * answer starts. */
#include <string.h>

#include "memcache_proto.h"

#define TRAILER     "\r\nEND\r\n"
#define TRAILER_LEN (sizeof(TRAILER) - 1)
#define FLAGS_MAX   APR_UINT64_C(0xffffffff)   /* memcached's flags: 32 bits */
#define CAS_DIGITS  20                         /* a 64-bit number */

typedef struct {
    const char *s;
    apr_size_t n;
} word;

static int word_is(const char *s, apr_size_t n, const char *text)
{
    return n == strlen(text) && !memcmp(s, text, n);
}

/* The length of buf's first line, without its CRLF, in *n: APR_INCOMPLETE
 * while no line feed has come, APR_EGENERAL for a line longer than
 * MAINTENANCE_MC_LINE_MAX or ending in a bare line feed. */
static apr_status_t first_line(const char *buf, apr_size_t len,
                               apr_size_t *n)
{
    const char *lf = memchr(buf, '\n', len < MAINTENANCE_MC_LINE_MAX
                                       ? len : MAINTENANCE_MC_LINE_MAX);

    if (!lf) {
        return len < MAINTENANCE_MC_LINE_MAX ? APR_INCOMPLETE : APR_EGENERAL;
    }
    if (lf == buf || lf[-1] != '\r') {
        return APR_EGENERAL;
    }
    *n = (apr_size_t)(lf - buf) - 1;
    return APR_SUCCESS;
}

/* An answer of one line (n bytes and CRLF) is whole only if nothing came
 * after it. */
static apr_status_t one_line(apr_size_t len, apr_size_t n, apr_status_t rv)
{
    return len == n + 2 ? rv : APR_EGENERAL;
}

/* ERROR, or CLIENT_ERROR or SERVER_ERROR and a text, all printable: the
 * line goes into the error log as it is. */
static int error_line(const char *line, apr_size_t n)
{
    apr_size_t i;

    if (!word_is(line, n, "ERROR")
        && !((n >= 12 && (!memcmp(line, "CLIENT_ERROR", 12)
                          || !memcmp(line, "SERVER_ERROR", 12)))
             && (n == 12 || line[12] == ' '))) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)line[i];

        if (c < 0x20 || c > 0x7e) {
            return 0;
        }
    }
    return 1;
}

/* Split line at single spaces into at most max words: how many, or 0 for
 * more than max or an empty word (two spaces, one at either end). */
static int split(const char *line, apr_size_t n, word *w, int max)
{
    const char *end = line + n;
    int count = 0;

    for (;;) {
        const char *sp = memchr(line, ' ', (apr_size_t)(end - line));
        const char *stop = sp ? sp : end;

        if (stop == line || count == max) {
            return 0;
        }
        w[count].s = line;
        w[count].n = (apr_size_t)(stop - line);
        count++;
        if (!sp) {
            return count;
        }
        line = sp + 1;
    }
}

/* Whether w is digits alone, at least one. */
static int digits(const word *w)
{
    apr_size_t i;

    for (i = 0; i < w->n; i++) {
        if (w->s[i] < '0' || w->s[i] > '9') {
            return 0;
        }
    }
    return w->n > 0;
}

/* Whether w is a decimal number; *value is what it says, or max + 1 when
 * that is larger (max is far below 2^64). */
static int number(const word *w, apr_uint64_t max, apr_uint64_t *value)
{
    apr_size_t i;

    if (!digits(w)) {
        return 0;
    }
    *value = 0;
    for (i = 0; i < w->n && *value <= max; i++) {
        *value = *value * 10 + (apr_uint64_t)(w->s[i] - '0');
    }
    if (*value > max) {
        *value = max + 1;
    }
    return 1;
}

apr_status_t maintenance_mc_parse_get(const char *buf, apr_size_t len,
                                      const char *key, const char **text,
                                      apr_size_t *text_len)
{
    apr_uint64_t flags, bytes;
    apr_size_t n, data, after, check;
    word w[5];
    int count;
    apr_status_t rv = first_line(buf, len, &n);

    if (rv != APR_SUCCESS) {
        return rv;
    }
    if (word_is(buf, n, "END")) {
        return one_line(len, n, APR_NOTFOUND);
    }
    if (error_line(buf, n)) {
        *text = buf;
        *text_len = n;
        return one_line(len, n, MAINTENANCE_ESTORE);
    }
    count = split(buf, n, w, 5);
    if (count < 4 || !word_is(w[0].s, w[0].n, "VALUE")
        || !word_is(w[1].s, w[1].n, key)
        || !number(&w[2], FLAGS_MAX, &flags) || flags > FLAGS_MAX
        || !number(&w[3], MAINTENANCE_STATE_MAX, &bytes)
        || (count == 5 && (w[4].n > CAS_DIGITS || !digits(&w[4])))) {
        return APR_EGENERAL;
    }
    if (bytes > MAINTENANCE_STATE_MAX) {
        return APR_ENOSPC;
    }
    /* Whatever came of the CRLF and END after the data must be theirs. */
    data = n + 2;
    after = data + (apr_size_t)bytes;
    if (len > after) {
        check = len - after < TRAILER_LEN ? len - after : TRAILER_LEN;
        if (memcmp(buf + after, TRAILER, check)) {
            return APR_EGENERAL;
        }
    }
    if (len < after + TRAILER_LEN) {
        return APR_INCOMPLETE;
    }
    if (len > after + TRAILER_LEN) {
        return APR_EGENERAL;
    }
    *text = buf + data;
    *text_len = (apr_size_t)bytes;
    return APR_SUCCESS;
}

apr_status_t maintenance_mc_parse_set(const char *buf, apr_size_t len,
                                      const char **text,
                                      apr_size_t *text_len)
{
    apr_size_t n;
    apr_status_t rv = first_line(buf, len, &n);

    if (rv != APR_SUCCESS) {
        return rv;
    }
    if (word_is(buf, n, "STORED")) {
        return one_line(len, n, APR_SUCCESS);
    }
    if (word_is(buf, n, "NOT_STORED") || error_line(buf, n)) {
        *text = buf;
        *text_len = n;
        return one_line(len, n, MAINTENANCE_ESTORE);
    }
    return APR_EGENERAL;
}
