/* Does the client want the JSON problem document or the HTML page? */
#include <apr_lib.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "accept.h"

typedef enum { TYPE_OTHER, TYPE_HTML, TYPE_JSON } media_kind;

static int span_is(const char *s, apr_size_t n, const char *word)
{
    return strlen(word) == n && !strncasecmp(s, word, n);
}

static media_kind classify(const char *type, apr_size_t n)
{
    if (span_is(type, n, "text/html")
        || span_is(type, n, "application/xhtml+xml")) {
        return TYPE_HTML;
    }
    if (span_is(type, n, "application/json")
        || (n > 5 && !strncasecmp(type + n - 5, "+json", 5))) {
        return TYPE_JSON;
    }
    return TYPE_OTHER;
}

/* The q parameter of one media range's parameters (from after the type to
 * the end of the range), 1 when absent. */
static double quality(const char *params, const char *end)
{
    const char *q = params;

    while ((q = memchr(q, ';', end - q)) != NULL) {
        q++;
        while (q < end && apr_isspace(*q)) {
            q++;
        }
        if (end - q > 2 && (q[0] == 'q' || q[0] == 'Q') && q[1] == '=') {
            return atof(q + 2);
        }
    }
    return 1.0;
}

int maintenance_accept_prefers_json(const char *accept)
{
    double best[3] = { 0, 0, 0 };
    const char *s = accept;

    if (!accept) {
        return 0;
    }
    while (*s) {
        const char *end = strchr(s, ','), *type_end;
        media_kind kind;
        double q;

        if (!end) {
            end = s + strlen(s);
        }
        while (s < end && apr_isspace(*s)) {
            s++;
        }
        for (type_end = s; type_end < end && *type_end != ';'
                           && !apr_isspace(*type_end); type_end++)
            ;
        kind = classify(s, type_end - s);
        q = quality(type_end, end);
        /* Strictly more: on a tie the type named first wins. */
        if (kind != TYPE_OTHER && q > best[kind]
            && !(best[TYPE_HTML + TYPE_JSON - kind] >= q)) {
            best[kind] = q;
        }
        s = *end ? end + 1 : end;
    }
    return best[TYPE_JSON] > best[TYPE_HTML];
}
