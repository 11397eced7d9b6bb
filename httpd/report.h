/* What a server's state did: /metrics, the toggle's JSON, mod_status. */
#ifndef MAINTENANCE_REPORT_H
#define MAINTENANCE_REPORT_H

#include "cache.h"

/* Answer r with slot's counters in the Prometheus text format. */
int maintenance_report_metrics(request_rec *r, maintenance_slot *slot);

/* The same as a JSON object, to be a member of the toggle's JSON. */
const char *maintenance_report_json(maintenance_slot *slot, apr_pool_t *p);

/* mod_status's hook, with ExtendedStatus On. */
void maintenance_report_register_hooks(void);

#endif
