/* JSON objects, one member at a time; strings go through the one JSON
 * escaping of the module (template.c). */
#include <apr_strings.h>

#include "json.h"
#include "state.h"
#include "template.h"
#include "timefmt.h"

void maintenance_json_begin(maintenance_json *j, apr_pool_t *p)
{
    j->parts = apr_array_make(p, 16, sizeof(const char *));
}

void maintenance_json_raw(maintenance_json *j, const char *name,
                          const char *value)
{
    apr_pool_t *p = j->parts->pool;

    APR_ARRAY_PUSH(j->parts, const char *) =
        apr_pstrcat(p, j->parts->nelts ? "," : "{", "\"",
                    maintenance_escape_json(p, name), "\":", value, NULL);
}

void maintenance_json_str(maintenance_json *j, const char *name,
                          const char *value)
{
    maintenance_json_raw(j, name, value
                         ? apr_pstrcat(j->parts->pool, "\"",
                                       maintenance_escape_json(j->parts->pool,
                                                               value),
                                       "\"", NULL)
                         : "null");
}

void maintenance_json_int(maintenance_json *j, const char *name,
                          apr_int64_t value)
{
    maintenance_json_raw(j, name, apr_psprintf(j->parts->pool,
                                               "%" APR_INT64_T_FMT, value));
}

void maintenance_json_state(maintenance_json *j, const maintenance_state *st,
                            apr_time_t now)
{
    apr_pool_t *p = j->parts->pool;

    maintenance_json_str(j, "state", st->on ? "on" : "off");
    maintenance_json_raw(j, "in_force", maintenance_state_in_force(st, now)
                                        ? "true" : "false");
    maintenance_json_str(j, "start", maintenance_time_pformat(p, st->start));
    maintenance_json_str(j, "end", maintenance_time_pformat(p, st->end));
    maintenance_json_str(j, "changed",
                         maintenance_time_pformat(p, st->changed));
    maintenance_json_str(j, "by", st->by);
    maintenance_json_str(j, "message", st->message);
    maintenance_json_str(j, "mode", st->read_only ? "read-only" : "full");
}

const char *maintenance_json_object(maintenance_json *j)
{
    APR_ARRAY_PUSH(j->parts, const char *) = j->parts->nelts ? "}" : "{}";
    return apr_array_pstrcat(j->parts->pool, j->parts, '\0');
}

const char *maintenance_json_end(maintenance_json *j)
{
    return apr_pstrcat(j->parts->pool, maintenance_json_object(j), "\n",
                       NULL);
}
