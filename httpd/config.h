/* The module's configuration records and directives (config.c). */
#ifndef MAINTENANCE_CONFIG_H
#define MAINTENANCE_CONFIG_H

#include "maintenance_conf.h"

void *maintenance_create_server_conf(apr_pool_t *p, server_rec *s);
void *maintenance_merge_server_conf(apr_pool_t *p, void *base, void *add);
void *maintenance_create_dir_conf(apr_pool_t *p, char *dir);
void *maintenance_merge_dir_conf(apr_pool_t *p, void *base, void *add);

extern const command_rec maintenance_cmds[];

/* Whether the configuration read into pconf puts the toggle handler
 * (SetHandler maintenance-toggle) anywhere but in an .htaccess file. */
int maintenance_toggle_configured(apr_pool_t *pconf);

#endif
