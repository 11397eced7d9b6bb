/* Signed bypass links, httpd's side (links.c). */
#ifndef MAINTENANCE_LINKS_H
#define MAINTENANCE_LINKS_H

#include "maintenance_conf.h"

/* check_config: read each server's MaintenanceBypassKey, refusing one that
 * is too short or that httpd's User could read. Returns NULL or an error
 * naming the directive. */
const char *maintenance_bypass_configure(server_rec *s, apr_pool_t *pconf);

/* Whether r opens a bypass link (MaintenanceBypassPath TOKEN); if so, the
 * link's handler will answer it. */
int maintenance_bypass_link_here(request_rec *r,
                                 const maintenance_server_conf *sc);

/* Whether r carries a valid bypass cookie. */
int maintenance_bypass_cookie(request_rec *r,
                              const maintenance_server_conf *sc);

/* A new link's URL-path for label, valid for d (MAINTENANCE_BYPASS_MAX_FOR
 * at most), or NULL with *err. */
const char *maintenance_bypass_new_link(const maintenance_server_conf *sc,
                                        apr_interval_time_t d,
                                        const char *label, apr_time_t now,
                                        apr_pool_t *p, const char **err);

/* The handler maintenance_bypass_link_here gives a link's request, told
 * by its address; maintenance_bypass_open answers such a request. */
extern const char maintenance_bypass_handler[];
int maintenance_bypass_open(request_rec *r);

#endif
