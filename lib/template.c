/* MaintenanceTemplate pages, the words pages say times in, and escaping
 * for HTML and JSON bodies. */
#include <apr_strings.h>
#include <apr_tables.h>
#include <stddef.h>
#include <string.h>

#include "template.h"
#include "timefmt.h"

typedef enum {
    PART_TEXT,
    PART_VALUE,
    PART_SECTION,         /* {{#name}}: what follows, if name has a value */
    PART_INVERTED,        /* {{^name}}: what follows, if it has none */
    PART_SECTION_END      /* {{/name}} */
} part_kind;

typedef struct {
    part_kind kind;
    int value;            /* all but PART_TEXT: an index into values[] */
    int end;              /* PART_SECTION, PART_INVERTED: the index of
                           * the part that closes it */
    const char *text;     /* PART_TEXT */
} part;

struct maintenance_template {
    apr_array_header_t *parts;
};

/* The placeholders, and where maintenance_template_vars holds each. */
static const struct {
    const char *name;
    apr_size_t offset;
} values[] = {
#define VALUE(name) { #name, offsetof(maintenance_template_vars, name) }
    VALUE(message),
    VALUE(retry_after),
    VALUE(start),
    VALUE(start_utc),
    VALUE(start_human),
    VALUE(end),
    VALUE(end_utc),
    VALUE(end_human),
    VALUE(refresh),
#undef VALUE
};
#define NVALUES ((int)(sizeof(values) / sizeof(values[0])))

static const char *value_of(const maintenance_template_vars *v, int i)
{
    return *(const char *const *)((const char *)v + values[i].offset);
}

void maintenance_template_vars_set(maintenance_template_vars *v,
                                   const char *message,
                                   apr_int64_t retry_after, apr_time_t start,
                                   apr_time_t end, int refresh,
                                   apr_time_t now, apr_pool_t *p)
{
    v->message = message;
    v->retry_after = retry_after < 0 ? NULL
                     : apr_psprintf(p, "%" APR_INT64_T_FMT, retry_after);
    v->start = maintenance_time_pformat(p, start);
    v->start_utc = start ? maintenance_time_utc(p, start) : NULL;
    v->start_human = start ? maintenance_time_words(p, start, now) : NULL;
    v->end = maintenance_time_pformat(p, end);
    v->end_utc = end ? maintenance_time_utc(p, end) : NULL;
    v->end_human = end ? maintenance_time_words(p, end, now) : NULL;
    v->refresh = refresh > 0 ? apr_itoa(p, refresh) : NULL;
}

static part *add_part(maintenance_template *t, part_kind kind,
                      const char *text)
{
    part *pt = apr_array_push(t->parts);

    pt->kind = kind;
    pt->value = -1;
    pt->end = -1;
    pt->text = text;
    return pt;
}

/* The list of names, for an error: "{{message}}, ... or {{refresh}}". */
static const char *known_names(apr_pool_t *p)
{
    const char *list = "";
    int i;

    for (i = 0; i < NVALUES; i++) {
        list = apr_pstrcat(p, list, i == 0 ? "" : i < NVALUES - 1 ? ", "
                           : " or ", "{{", values[i].name, "}}", NULL);
    }
    return list;
}

/* The tag between {{ and }}, len bytes: a placeholder, or a section's
 * start or end. open holds the sections not yet closed (part indices). */
static const char *add_tag(maintenance_template *t, apr_array_header_t *open,
                           const char *tag, apr_size_t len, apr_pool_t *p)
{
    part_kind kind = PART_VALUE;
    apr_size_t sigil = 0;
    part *pt;
    int i;

    if (len && (*tag == '#' || *tag == '^' || *tag == '/')) {
        kind = *tag == '#' ? PART_SECTION : *tag == '^' ? PART_INVERTED
               : PART_SECTION_END;
        sigil = 1;
    }
    for (i = 0; i < NVALUES; i++) {
        if (strlen(values[i].name) == len - sigil
            && !strncmp(values[i].name, tag + sigil, len - sigil)) {
            break;
        }
    }
    if (i == NVALUES) {
        return apr_psprintf(p, "unknown placeholder {{%.*s}}: use %s, or "
                            "{{#name}}...{{/name}} for what shows only when "
                            "name has a value ({{^name}}: only when it has "
                            "none)", (int)len, tag, known_names(p));
    }
    if (kind == PART_SECTION_END) {
        const part *start;
        int at;

        if (apr_is_empty_array(open)) {
            return apr_psprintf(p, "{{/%s}} ends no section", values[i].name);
        }
        at = *(int *)apr_array_pop(open);
        start = &APR_ARRAY_IDX(t->parts, at, part);
        if (start->value != i) {
            return apr_psprintf(p, "{{/%s}} where {{/%s}} was due: sections "
                                "end in the order they start", values[i].name,
                                values[start->value].name);
        }
        APR_ARRAY_IDX(t->parts, at, part).end = t->parts->nelts;
    }
    else if (kind != PART_VALUE) {
        APR_ARRAY_PUSH(open, int) = t->parts->nelts;
    }
    pt = add_part(t, kind, NULL);
    pt->value = i;
    return NULL;
}

const char *maintenance_template_compile(maintenance_template **out,
                                         const char *text, apr_size_t len,
                                         apr_pool_t *p)
{
    maintenance_template *t = apr_palloc(p, sizeof(*t));
    apr_array_header_t *open = apr_array_make(p, 4, sizeof(int));
    const char *s = apr_pstrmemdup(p, text, len), *brace;

    /* The page would silently end there. */
    if (memchr(text, '\0', len)) {
        return "contains a NUL byte";
    }
    t->parts = apr_array_make(p, 16, sizeof(part));
    while ((brace = strstr(s, "{{")) != NULL) {
        const char *close = strstr(brace + 2, "}}");
        const char *err;

        if (!close) {
            return "a {{ without its }}";
        }
        if (brace > s) {
            add_part(t, PART_TEXT, apr_pstrmemdup(p, s, brace - s));
        }
        err = add_tag(t, open, brace + 2, close - brace - 2, p);
        if (err) {
            return err;
        }
        s = close + 2;
    }
    if (!apr_is_empty_array(open)) {
        const part *start = &APR_ARRAY_IDX(t->parts,
                                           *(int *)apr_array_pop(open), part);

        return apr_psprintf(p, "{{%c%s}} without its {{/%s}}",
                            start->kind == PART_SECTION ? '#' : '^',
                            values[start->value].name,
                            values[start->value].name);
    }
    if (*s) {
        add_part(t, PART_TEXT, s);
    }
    *out = t;
    return NULL;
}

char *maintenance_template_render(const maintenance_template *t,
                                  const maintenance_template_vars *v,
                                  apr_pool_t *p)
{
    struct iovec *vec = apr_palloc(p, t->parts->nelts * sizeof(*vec) + 1);
    apr_size_t len;
    int i, n = 0;

    for (i = 0; i < t->parts->nelts; i++) {
        const part *pt = &APR_ARRAY_IDX(t->parts, i, part);
        const char *s = pt->value < 0 ? NULL : value_of(v, pt->value);
        int has = s && *s;

        switch (pt->kind) {
        case PART_TEXT:
            s = pt->text;
            break;
        case PART_VALUE:
            if (!has) {
                continue;
            }
            s = maintenance_escape_html(p, s);
            break;
        case PART_SECTION:
        case PART_INVERTED:
            if (has != (pt->kind == PART_SECTION)) {
                i = pt->end;    /* skipped, with its end */
            }
            continue;
        default:
            continue;
        }
        vec[n].iov_base = (void *)s;
        vec[n++].iov_len = strlen(s);
    }
    return apr_pstrcatv(p, vec, n, &len);
}

static const char *const months[] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

const char *maintenance_time_utc(apr_pool_t *p, apr_time_t t)
{
    apr_time_exp_t x;

    apr_time_exp_gmt(&x, t);
    return apr_psprintf(p, "%d %s %d, %02d:%02d UTC", x.tm_mday,
                        months[x.tm_mon], x.tm_year + 1900, x.tm_hour,
                        x.tm_min);
}

/* n of a unit, in words: "a minute", "an hour", "3 days". */
static const char *count_of(apr_pool_t *p, apr_int64_t n, const char *one,
                            const char *unit)
{
    return n == 1 ? one : apr_psprintf(p, "%" APR_INT64_T_FMT " %ss", n,
                                       unit);
}

const char *maintenance_time_words(apr_pool_t *p, apr_time_t t,
                                   apr_time_t now)
{
    apr_int64_t s = apr_time_sec(t > now ? t - now : now - t);
    apr_int64_t minutes = (s + 30) / 60, hours = (s + 1800) / 3600;
    const char *span;

    if (s < 60) {
        span = "less than a minute";
    }
    else if (minutes < 60) {
        span = apr_pstrcat(p, "about ", count_of(p, minutes, "a minute",
                                                 "minute"), NULL);
    }
    else if (hours < 24) {
        span = apr_pstrcat(p, "about ", count_of(p, hours, "an hour",
                                                 "hour"), NULL);
    }
    else {
        span = apr_pstrcat(p, "about ", count_of(p, (s + 43200) / 86400,
                                                 "a day", "day"), NULL);
    }
    return t > now ? apr_pstrcat(p, "in ", span, NULL)
                   : apr_pstrcat(p, span, " ago", NULL);
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
    return maintenance_html_head_with(p, title, "", style);
}

/* What every page of the module shares: light and dark colours, a
 * column readable from 320 px up, visible focus. */
static const char shared_style[] =
    ":root{color-scheme:light dark;--fg:#1f2328;--muted:#555d66;"
    "--bg:#f4f5f7;--card:#fff;--line:#c9ced6;--link:#0b57d0;"
    "--focus:#0b57d0}\n"
    "@media (prefers-color-scheme:dark){:root{--fg:#e8eaed;--muted:#a9b0b8;"
    "--bg:#121417;--card:#1c1f24;--line:#3c424a;--link:#8ab4f8;"
    "--focus:#8ab4f8}}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0 auto;max-width:44rem;padding:1.5rem 1rem;"
    "background:var(--bg);color:var(--fg);font:1rem/1.5 system-ui,"
    "-apple-system,\"Segoe UI\",Roboto,sans-serif;overflow-wrap:anywhere}\n"
    "h1{font-size:1.75rem;line-height:1.2;margin:0 0 1rem}\n"
    "a{color:var(--link)}\n"
    ":focus-visible{outline:3px solid var(--focus);outline-offset:2px}\n";

char *maintenance_html_head_with(apr_pool_t *p, const char *title,
                                 const char *elements, const char *style)
{
    /* The empty icon keeps the browser from asking the site for a
     * favicon, which in maintenance is one more maintenance answer. */
    return apr_pstrcat(p,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, "
        "initial-scale=1\">\n", elements, "<title>",
        maintenance_escape_html(p, title), "</title>\n"
        "<link rel=\"icon\" href=\"data:,\">\n<style>\n", shared_style, style,
        "</style>\n</head>\n<body>\n", NULL);
}

/* No "{{" in it: the built-in page is a template. */
const char maintenance_page_script[] =
    "<script>\n"
    "(function () {\n"
    "  var f = {weekday: 'short', day: 'numeric', month: 'short',\n"
    "           hour: '2-digit', minute: '2-digit', timeZoneName: 'short'};\n"
    "  document.querySelectorAll('time[datetime]').forEach(function (t) {\n"
    "    var d = new Date(t.dateTime), s = document.createElement('span');\n"
    "    if (isNaN(d) || !d.getTimezoneOffset()) return;\n"
    "    s.className = 'local';\n"
    "    s.textContent = ' (your time: ' + d.toLocaleString([], f) + ')';\n"
    "    t.after(s);\n"
    "  });\n"
    "  var r = document.querySelector('[data-refresh]'), p, b, timer;\n"
    "  var n = r && +r.getAttribute('data-refresh');\n"
    "  function tick() {\n"
    "    r.textContent = 'in ' + n + (n === 1 ? ' second' : ' seconds');\n"
    "    if (n-- > 0) timer = setTimeout(tick, 1000);\n"
    "  }\n"
    "  if (!r) return;\n"
    /* A reload the reader cannot stop is a time limit (WCAG 2.2.1): the
     * button stops it, header and meta alike, as the browser's own stop
     * button would. */
    "  p = r.parentNode;\n"
    "  b = document.createElement('button');\n"
    "  b.type = 'button';\n"
    "  b.textContent = 'Stop reloading';\n"
    "  b.onclick = function () {\n"
    "    window.stop();\n"
    "    clearTimeout(timer);\n"
    "    p.textContent = 'This page no longer reloads itself: reload it to '\n"
    "                    + 'check again.';\n"
    "    p.tabIndex = -1;\n"
    "    p.focus();\n"
    "  };\n"
    "  p.append(' ', b);\n"
    "  tick();\n"
    "})();\n"
    "</script>\n";

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
