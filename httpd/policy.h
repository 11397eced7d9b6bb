/* The ignore policies: who is let through while the site is in maintenance. */
#ifndef MAINTENANCE_POLICY_H
#define MAINTENANCE_POLICY_H

#include "maintenance_conf.h"

/* The name of the first policy of dc that lets r through (it becomes
 * MAINTENANCE_BYPASS), or NULL. */
const char *maintenance_policy_bypass(request_rec *r,
                                      const maintenance_dir_conf *dc);

#endif
