/* MaintenanceTemplate pages, and the escaping of anything put into a body. */
#ifndef MAINTENANCE_TEMPLATE_H
#define MAINTENANCE_TEMPLATE_H

#include <apr_pools.h>

typedef struct maintenance_template maintenance_template;

/* What a template's placeholders stand for; NULL is empty. */
typedef struct maintenance_template_vars {
    const char *message;      /* {{message}} */
    const char *retry_after;  /* {{retry_after}} */
    const char *start;        /* {{start}} */
    const char *end;          /* {{end}} */
} maintenance_template_vars;

/* Split text into literal parts and placeholders once, at start-up. An
 * unknown {{name}} is an error; returns NULL or an error text. */
const char *maintenance_template_compile(maintenance_template **t,
                                         const char *text, apr_size_t len,
                                         apr_pool_t *p);

/* The page, with every value HTML-escaped. */
char *maintenance_template_render(const maintenance_template *t,
                                  const maintenance_template_vars *v,
                                  apr_pool_t *p);

/* The start of every page the module writes, up to and with <body>: the
 * document head with title (escaped) and the shared style, then style. */
char *maintenance_html_head(apr_pool_t *p, const char *title,
                            const char *style);

/* s escaped for HTML text and quoted attributes (& < > " '). */
const char *maintenance_escape_html(apr_pool_t *p, const char *s);

/* s as the inside of a JSON string; a byte that is not part of well-formed
 * UTF-8 becomes U+FFFD, so the document stays valid JSON. */
const char *maintenance_escape_json(apr_pool_t *p, const char *s);

#endif
