/* The built-in state providers, and MaintenanceState specs. */
#include <apr_strings.h>

#include "provider.h"

const maintenance_builtin maintenance_builtins[] = {
    { "file", &maintenance_file_provider },
    { NULL, NULL }
};

const char *maintenance_spec_split(const char *spec, const char **name,
                                   const char **args, apr_pool_t *p)
{
    const char *colon = strchr(spec, ':');

    if (!colon || colon == spec) {
        return "not PROVIDER:ARGS, like file:/var/lib/apache2/maintenance/state";
    }
    *name = apr_pstrmemdup(p, spec, colon - spec);
    *args = colon + 1;
    return NULL;
}

const maintenance_provider *maintenance_builtin_find(const char *name)
{
    const maintenance_builtin *b;

    for (b = maintenance_builtins; b->name; b++) {
        if (!strcmp(b->name, name)) {
            return b->provider;
        }
    }
    return NULL;
}
