/* The inside of a JSON string, checked and decoded by the harness itself,
 * to hold maintenance_escape_json to what a JSON parser accepts. */
#ifndef MAINTENANCE_FUZZ_JSON_H
#define MAINTENANCE_FUZZ_JSON_H

#include <apr_lib.h>
#include <apr_strings.h>

#include "fuzz.h"

/* The length of the well-formed UTF-8 character at s, or 0. Decoded and
 * judged by its value (no overlong form, no surrogate, nothing past
 * U+10FFFF), not by byte ranges as template.c does, so that the two
 * readings are independent. */
static inline int fuzz_utf8_char(const unsigned char *s)
{
    static const unsigned long least[] = { 0, 0, 0x80, 0x800, 0x10000 };
    unsigned long cp;
    int n, i;

    if (s[0] < 0x80) {
        return 1;
    }
    if ((s[0] & 0xe0) == 0xc0) {
        n = 2, cp = s[0] & 0x1f;
    }
    else if ((s[0] & 0xf0) == 0xe0) {
        n = 3, cp = s[0] & 0x0f;
    }
    else if ((s[0] & 0xf8) == 0xf0) {
        n = 4, cp = s[0] & 0x07;
    }
    else {
        return 0;
    }
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;         /* also stops at the NUL */
        }
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if (cp < least[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        return 0;
    }
    return n;
}

/* cp as UTF-8 at o; the end. Surrogates never come here. */
static inline char *fuzz_put_utf8(char *o, unsigned long cp)
{
    if (cp < 0x80) {
        *o++ = (char)cp;
    }
    else if (cp < 0x800) {
        *o++ = (char)(0xc0 | cp >> 6);
        *o++ = (char)(0x80 | (cp & 0x3f));
    }
    else {
        *o++ = (char)(0xe0 | cp >> 12);
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *o++ = (char)(0x80 | (cp & 0x3f));
    }
    return o;
}

/* The text a JSON parser reads from the inside of a string (RFC 8259,
 * section 7), from p. Anything a parser refuses breaks the property: a
 * raw '"' or control character (DEL too, which the escaper also writes
 * as \u007f), an unknown escape, malformed UTF-8. A \u escape of a
 * surrogate is refused as well: the escaper passes characters beyond
 * ASCII through as UTF-8 and never needs a pair. */
static inline const char *fuzz_json_decode(apr_pool_t *p, const char *json)
{
    static const char escapes[] = "\"\\/bfnrt", meant[] = "\"\\/\b\f\n\r\t";
    const unsigned char *s = (const unsigned char *)json;
    char *out = apr_palloc(p, strlen(json) + 1), *o = out;

    while (*s) {
        if (*s == '\\' && s[1] == 'u') {
            unsigned long cp = 0;
            int i;

            for (i = 2; i < 6; i++) {
                FUZZ_CHECK(apr_isxdigit(s[i]));
                cp = cp * 16 + (unsigned long)(apr_isdigit(s[i])
                                               ? s[i] - '0'
                                               : apr_tolower(s[i]) - 'a' + 10);
            }
            FUZZ_CHECK(cp && (cp < 0xd800 || cp > 0xdfff));
            o = fuzz_put_utf8(o, cp);
            s += 6;
        }
        else if (*s == '\\') {
            const char *e = s[1] ? strchr(escapes, s[1]) : NULL;

            FUZZ_CHECK(e != NULL);
            *o++ = meant[e - escapes];
            s += 2;
        }
        else {
            int n = fuzz_utf8_char(s);

            FUZZ_CHECK(*s != '"' && *s >= 0x20 && *s != 0x7f);
            FUZZ_CHECK(n > 0);
            memcpy(o, s, (size_t)n);
            o += n;
            s += n;
        }
    }
    *o = '\0';
    return out;
}

/* What a JSON parser must read back from s escaped: s, with U+FFFD for
 * each byte that is not part of well-formed UTF-8. */
static inline const char *fuzz_json_expected(apr_pool_t *p, const char *s)
{
    char *out = apr_palloc(p, strlen(s) * 3 + 1), *o = out;
    const unsigned char *c = (const unsigned char *)s;

    while (*c) {
        int n = fuzz_utf8_char(c);

        if (n) {
            memcpy(o, c, (size_t)n);
            o += n;
            c += n;
        }
        else {
            o = fuzz_put_utf8(o, 0xfffd);
            c++;
        }
    }
    *o = '\0';
    return out;
}

#endif
