/* Form fields as a browser sends them: a query string or a form's body. */
#ifndef MAINTENANCE_FORM_H
#define MAINTENANCE_FORM_H

#include <apr_pools.h>
#include <apr_tables.h>

/* Add the fields of len bytes of application/x-www-form-urlencoded text
 * (name=value&...; '+' is a space, %XX a byte) to fields; a name given
 * again replaces the earlier value. Returns NULL, or an error naming the
 * field: a bad %-escape, or a NUL byte, which a C string would silently
 * cut. */
const char *maintenance_form_parse(apr_table_t *fields, const char *text,
                                   apr_size_t len, apr_pool_t *p);

#endif
