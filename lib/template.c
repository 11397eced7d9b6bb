/* MaintenanceTemplate pages, and escaping for HTML and JSON bodies. */
#include <apr_strings.h>
#include <apr_tables.h>
#include <string.h>

#include "template.h"

typedef enum {
    PART_TEXT, PART_MESSAGE, PART_RETRY_AFTER, PART_START, PART_END
} part_kind;

typedef struct {
    part_kind kind;
    const char *text;     /* PART_TEXT only */
} part;

struct maintenance_template {
    apr_array_header_t *parts;
};

static const struct {
    const char *name;
    part_kind kind;
} placeholders[] = {
    { "message", PART_MESSAGE },
    { "retry_after", PART_RETRY_AFTER },
    { "start", PART_START },
    { "end", PART_END },
    { NULL, PART_TEXT }
};

static void add_part(maintenance_template *t, part_kind kind,
                     const char *text)
{
    part *pt = apr_array_push(t->parts);
    pt->kind = kind;
    pt->text = text;
}

static const char *add_placeholder(maintenance_template *t, const char *name,
                                   apr_size_t len, apr_pool_t *p)
{
    int i;

    for (i = 0; placeholders[i].name; i++) {
        if (strlen(placeholders[i].name) == len
            && !strncmp(placeholders[i].name, name, len)) {
            add_part(t, placeholders[i].kind, NULL);
            return NULL;
        }
    }
    return apr_psprintf(p, "unknown placeholder {{%.*s}}: use {{message}}, "
                        "{{retry_after}}, {{start}} or {{end}}",
                        (int)len, name);
}

const char *maintenance_template_compile(maintenance_template **out,
                                         const char *text, apr_size_t len,
                                         apr_pool_t *p)
{
    maintenance_template *t = apr_palloc(p, sizeof(*t));
    const char *s = apr_pstrmemdup(p, text, len), *open;

    /* The page would silently end there. */
    if (memchr(text, '\0', len)) {
        return "contains a NUL byte";
    }
    t->parts = apr_array_make(p, 9, sizeof(part));
    while ((open = strstr(s, "{{")) != NULL) {
        const char *close = strstr(open + 2, "}}");
        const char *err;

        if (!close) {
            return "a {{ without its }}";
        }
        if (open > s) {
            add_part(t, PART_TEXT, apr_pstrmemdup(p, s, open - s));
        }
        err = add_placeholder(t, open + 2, close - open - 2, p);
        if (err) {
            return err;
        }
        s = close + 2;
    }
    if (*s) {
        add_part(t, PART_TEXT, s);
    }
    *out = t;
    return NULL;
}

static const char *part_value(const part *pt,
                              const maintenance_template_vars *v)
{
    switch (pt->kind) {
    case PART_MESSAGE:     return v->message;
    case PART_RETRY_AFTER: return v->retry_after;
    case PART_START:       return v->start;
    case PART_END:         return v->end;
    default:               return pt->text;
    }
}

char *maintenance_template_render(const maintenance_template *t,
                                  const maintenance_template_vars *v,
                                  apr_pool_t *p)
{
    struct iovec *vec = apr_palloc(p, t->parts->nelts * sizeof(*vec) + 1);
    apr_size_t len;
    int i;

    for (i = 0; i < t->parts->nelts; i++) {
        const part *pt = &APR_ARRAY_IDX(t->parts, i, part);
        const char *s = part_value(pt, v);

        if (!s) {
            s = "";
        }
        else if (pt->kind != PART_TEXT) {
            s = maintenance_escape_html(p, s);
        }
        vec[i].iov_base = (void *)s;
        vec[i].iov_len = strlen(s);
    }
    return apr_pstrcatv(p, vec, t->parts->nelts, &len);
}

static const char *html_entity(char c)
{
    switch (c) {
    case '&':  return "&amp;";
    case '<':  return "&lt;";
    case '>':  return "&gt;";
    case '"':  return "&quot;";
    case '\'': return "&#39;";
    default:   return NULL;
    }
}

char *maintenance_html_head(apr_pool_t *p, const char *title,
                            const char *style)
{
    return apr_pstrcat(p,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, "
        "initial-scale=1\">\n<title>", maintenance_escape_html(p, title),
        "</title>\n<style>\nbody{font-family:system-ui,sans-serif;"
        "max-width:40em;margin:2em auto;padding:0 1em;color:#222;"
        "line-height:1.5}\n", style, "</style>\n</head>\n<body>\n", NULL);
}

const char *maintenance_escape_html(apr_pool_t *p, const char *s)
{
    apr_size_t len = 0;
    const char *c, *e;
    char *out, *o;

    for (c = s; *c; c++) {
        len += (e = html_entity(*c)) ? strlen(e) : 1;
    }
    o = out = apr_palloc(p, len + 1);
    for (c = s; *c; c++) {
        if ((e = html_entity(*c)) != NULL) {
            o = apr_cpystrn(o, e, len + 1 - (o - out));
        }
        else {
            *o++ = *c;
        }
    }
    *o = '\0';
    return out;
}

/* The length of the well-formed UTF-8 sequence at s (RFC 3629: no
 * overlong form, no surrogate, nothing past U+10FFFF), or 0. */
static int utf8_len(const unsigned char *s)
{
    unsigned char lo = 0x80, hi = 0xbf;
    int n, i;

    if (*s < 0x80) {
        return 1;
    }
    if (*s >= 0xc2 && *s <= 0xdf) {
        n = 2;
    }
    else if (*s >= 0xe0 && *s <= 0xef) {
        n = 3;
        lo = *s == 0xe0 ? 0xa0 : 0x80;
        hi = *s == 0xed ? 0x9f : 0xbf;
    }
    else if (*s >= 0xf0 && *s <= 0xf4) {
        n = 4;
        lo = *s == 0xf0 ? 0x90 : 0x80;
        hi = *s == 0xf4 ? 0x8f : 0xbf;
    }
    else {
        return 0;
    }
    for (i = 1; i < n; i++, lo = 0x80, hi = 0xbf) {
        if (s[i] < lo || s[i] > hi) {
            return 0;
        }
    }
    return n;
}

const char *maintenance_escape_json(apr_pool_t *p, const char *s)
{
    /* Every byte becomes at most six ("\u001f", "\ufffd"). */
    char *out = apr_palloc(p, strlen(s) * 6 + 1), *o = out;

    while (*s) {
        unsigned char c = (unsigned char)*s;
        int n = utf8_len((const unsigned char *)s);

        if (n > 1) {
            memcpy(o, s, (apr_size_t)n);
            o += n;
            s += n;
            continue;
        }
        s++;
        switch (c) {
        case '"':  *o++ = '\\'; *o++ = '"'; break;
        case '\\': *o++ = '\\'; *o++ = '\\'; break;
        case '\n': *o++ = '\\'; *o++ = 'n'; break;
        case '\r': *o++ = '\\'; *o++ = 'r'; break;
        case '\t': *o++ = '\\'; *o++ = 't'; break;
        default:
            /* A byte that is not UTF-8 would make the whole document
             * invalid JSON: it stands for U+FFFD, as decoders do. */
            if (!n) {
                memcpy(o, "\\ufffd", 6);
                o += 6;
            }
            else if (c < 0x20 || c == 0x7f) {
                o += apr_snprintf(o, 7, "\\u%04x", c);
            }
            else {
                *o++ = (char)c;
            }
        }
    }
    *o = '\0';
    return out;
}
