/* The ignore policies: who is let through while the site is in maintenance. */
#ifndef MAINTENANCE_POLICY_H
#define MAINTENANCE_POLICY_H

#include "maintenance_conf.h"
#include "shared.h"

/* The first policy of dc that lets r through (its name becomes
 * MAINTENANCE_BYPASS), or MAINTENANCE_THROUGH_NONE. */
maintenance_through maintenance_policy_bypass(request_rec *r,
                                              const maintenance_dir_conf *dc);

#endif
