/* The toggle handler: SetHandler maintenance-toggle. */
#ifndef MAINTENANCE_TOGGLE_H
#define MAINTENANCE_TOGGLE_H

#include "maintenance_conf.h"

void maintenance_toggle_register_hooks(void);

#endif
