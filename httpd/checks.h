/* Start-up warnings about settings that configtest cannot refuse but that
 * do not do what their author meant (checks.c). */
#ifndef MAINTENANCE_CHECKS_H
#define MAINTENANCE_CHECKS_H

#include "maintenance_conf.h"

/* Warn (MM00050, MM00051) of a MaintenanceS3Region or
 * MaintenanceS3Credentials that no s3: state uses, and of a file: state
 * whose directory httpd's User cannot write while a toggle handler is
 * configured: in configtest's output, and in the error log once per start
 * or restart. */
void maintenance_checks_register_hooks(void);

#endif
