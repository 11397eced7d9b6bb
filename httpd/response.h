/* The maintenance answer. */
#ifndef MAINTENANCE_RESPONSE_H
#define MAINTENANCE_RESPONSE_H

#include "maintenance_conf.h"

/* Compile the built-in pages into p (post_config). */
void maintenance_response_init(apr_pool_t *p);

/* Register the body filter and the error filter hook. */
void maintenance_response_register_hooks(void);

/* Parse a MaintenanceRedirect URL into dc. Returns NULL or an error text. */
const char *maintenance_redirect_parse(maintenance_dir_conf *dc,
                                       const char *url, apr_pool_t *p);

/* Whether r asks for the MaintenanceRedirect target itself. */
int maintenance_is_redirect_target(request_rec *r,
                                   const maintenance_dir_conf *dc);

/* Answer r as in maintenance under st; returns the status the fixups hook
 * returns. */
int maintenance_respond(request_rec *r, const maintenance_dir_conf *dc,
                        const maintenance_server_conf *sc,
                        const maintenance_state *st);

/* The page visitors of r's site would get as their front page's answer
 * under st, for a browser: the MaintenanceTemplate or the built-in page.
 * NULL when they would get something else, which *instead then names (a
 * redirect, the site's ErrorDocument, JSON). */
const char *maintenance_response_preview(request_rec *r,
                                         const maintenance_server_conf *sc,
                                         const maintenance_state *st,
                                         const char **instead);

#endif
