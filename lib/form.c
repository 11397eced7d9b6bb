/* application/x-www-form-urlencoded, decoded by hand: the toggle handler's
 * fields come from a query string and a body alike, and a decoder of our
 * own can refuse what httpd's would cut short (%00) and be fuzzed alone. */
#include <apr_lib.h>
#include <apr_strings.h>
#include <string.h>

#include "form.h"

static int hex(char c)
{
    return apr_isdigit(c) ? c - '0' : apr_tolower(c) - 'a' + 10;
}

/* Decode s (n bytes) into a new string of p; NULL on a bad escape or a
 * NUL byte. */
static char *decode(const char *s, apr_size_t n, apr_pool_t *p)
{
    char *out = apr_palloc(p, n + 1), *o = out;
    apr_size_t i;

    for (i = 0; i < n; i++) {
        char c = s[i];

        if (c == '+') {
            c = ' ';
        }
        else if (c == '%') {
            if (i + 2 >= n || !apr_isxdigit(s[i + 1])
                || !apr_isxdigit(s[i + 2])) {
                return NULL;
            }
            c = (char)(hex(s[i + 1]) * 16 + hex(s[i + 2]));
            i += 2;
        }
        if (c == '\0') {
            return NULL;
        }
        *o++ = c;
    }
    *o = '\0';
    return out;
}

const char *maintenance_form_parse(apr_table_t *fields, const char *text,
                                   apr_size_t len, apr_pool_t *p)
{
    const char *end = text + len;

    while (text) {
        const char *amp = memchr(text, '&', (apr_size_t)(end - text));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(text, '=', (apr_size_t)(stop - text));
        const char *name_end = eq ? eq : stop;
        char *name, *value = "";

        if (stop > text) {
            name = decode(text, (apr_size_t)(name_end - text), p);
            if (!name) {
                return "a field name has a bad %-escape or a NUL byte";
            }
            if (eq && !(value = decode(eq + 1,
                                       (apr_size_t)(stop - eq - 1), p))) {
                return apr_psprintf(p, "%s: a bad %%-escape or a NUL byte",
                                    name);
            }
            apr_table_set(fields, name, value);
        }
        text = amp ? amp + 1 : NULL;
    }
    return NULL;
}
