/* The toggle handler: SetHandler maintenance-toggle. */
#ifndef MAINTENANCE_TOGGLE_H
#define MAINTENANCE_TOGGLE_H

#include "maintenance_conf.h"

/* Answer r, whose handler is MAINTENANCE_TOGGLE_HANDLER. */
int maintenance_toggle(request_rec *r);

/* SetHandler maintenance-toggle seen at configuration time: note in dc
 * where it is (or that it comes from an .htaccess file). Returns NULL, or
 * an error for a place the handler cannot serve. */
const char *maintenance_toggle_configure(cmd_parms *cmd,
                                         maintenance_dir_conf *dc);

/* Whether r is for a toggle handler the server's configuration put
 * there. */
int maintenance_toggle_here(request_rec *r, const maintenance_dir_conf *dc);

#endif
