/* MaintenanceTemplate pages, the words pages say times in, and the
 * escaping of anything put into a body. */
#ifndef MAINTENANCE_TEMPLATE_H
#define MAINTENANCE_TEMPLATE_H

#include <apr_pools.h>
#include <apr_time.h>

typedef struct maintenance_template maintenance_template;

/* What a template's placeholders stand for; NULL (or "") is none: the
 * placeholder is empty, a {{#name}} section hidden and a {{^name}}
 * section shown. */
typedef struct maintenance_template_vars {
    const char *message;      /* {{message}} */
    const char *retry_after;  /* {{retry_after}}: seconds */
    const char *start;        /* {{start}}: ISO 8601, UTC */
    const char *start_utc;    /* {{start_utc}}: "22 Nov 2026, 10:00 UTC" */
    const char *start_human;  /* {{start_human}}: "about 5 minutes ago" */
    const char *end;          /* {{end}} */
    const char *end_utc;      /* {{end_utc}} */
    const char *end_human;    /* {{end_human}}: "in about 45 minutes" */
    const char *refresh;      /* {{refresh}}: MaintenanceRefresh's seconds */
} maintenance_template_vars;

/* Every placeholder's value, in words, from the state's: start and end
 * 0, retry_after below 0 and refresh 0 are none. */
void maintenance_template_vars_set(maintenance_template_vars *v,
                                   const char *message,
                                   apr_int64_t retry_after, apr_time_t start,
                                   apr_time_t end, int refresh,
                                   apr_time_t now, apr_pool_t *p);

/* Split text into literal parts, placeholders and sections once, at
 * start-up. An unknown {{name}}, or a section not closed in order, is an
 * error; returns NULL or an error text. */
const char *maintenance_template_compile(maintenance_template **t,
                                         const char *text, apr_size_t len,
                                         apr_pool_t *p);

/* The page, with every value HTML-escaped. */
char *maintenance_template_render(const maintenance_template *t,
                                  const maintenance_template_vars *v,
                                  apr_pool_t *p);

/* t as people read it, in UTC, to the minute: "22 Nov 2026, 10:00 UTC". */
const char *maintenance_time_utc(apr_pool_t *p, apr_time_t t);

/* How far t is from now, in words: "in about 45 minutes", "about 2 hours
 * ago", "in less than a minute". */
const char *maintenance_time_words(apr_pool_t *p, apr_time_t t,
                                   apr_time_t now);

/* The start of every page the module writes, up to and with <body>: the
 * document head with title (escaped) and the shared style, then style. */
char *maintenance_html_head(apr_pool_t *p, const char *title,
                            const char *style);

/* The same with more elements in the head, written as they are. */
char *maintenance_html_head_with(apr_pool_t *p, const char *title,
                                 const char *elements, const char *style);

/* The few lines of script the module's pages have, element included:
 * each <time datetime> gets the reader's own time after it (unless the
 * reader is on UTC), and a [data-refresh="N"] element counts down the N
 * seconds to the page's reload, with a button after it that stops the
 * reload. Without it the pages say the same in UTC. */
extern const char maintenance_page_script[];

/* s escaped for HTML text and quoted attributes (& < > " '). */
const char *maintenance_escape_html(apr_pool_t *p, const char *s);

/* s as the inside of a JSON string; a byte that is not part of well-formed
 * UTF-8 becomes U+FFFD, so the document stays valid JSON. */
const char *maintenance_escape_json(apr_pool_t *p, const char *s);

#endif
