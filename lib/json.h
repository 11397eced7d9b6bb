/* JSON objects as the module writes them: the problem document of a
 * maintenance answer, the toggle handler's replies. */
#ifndef MAINTENANCE_JSON_H
#define MAINTENANCE_JSON_H

#include <apr_pools.h>
#include <apr_tables.h>

#include "mod_maintenance.h"

/* One object, member by member, from its pool. */
typedef struct maintenance_json {
    apr_array_header_t *parts;
} maintenance_json;

void maintenance_json_begin(maintenance_json *j, apr_pool_t *p);

/* A string member, escaped; NULL is null. */
void maintenance_json_str(maintenance_json *j, const char *name,
                          const char *value);

/* A number member. */
void maintenance_json_int(maintenance_json *j, const char *name,
                          apr_int64_t value);

/* A member whose value is written as it is: true, false, null. */
void maintenance_json_raw(maintenance_json *j, const char *name,
                          const char *value);

/* The members of state st at now, as the toggle handler and maintenancectl
 * status --json give them: state, in_force, start, end, changed, by,
 * message, mode. */
void maintenance_json_state(maintenance_json *j, const maintenance_state *st,
                            apr_time_t now);

/* The object's text, to be the value of another's member. */
const char *maintenance_json_object(maintenance_json *j);

/* The object's text, newline-terminated. */
const char *maintenance_json_end(maintenance_json *j);

#endif
