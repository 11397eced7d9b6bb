/* The built-in state providers, and MaintenanceState specs. */
#include <apr_strings.h>

#include "provider.h"
#include "state.h"

#define ERR_LEN 256

const maintenance_builtin maintenance_builtins[] = {
    { "file", &maintenance_file_provider },
    { "memcache", &maintenance_memcache_provider },
    { "s3", &maintenance_s3_provider },
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

apr_status_t maintenance_provider_read(const maintenance_provider *pv,
                                       void *instance, maintenance_state *st,
                                       apr_pool_t *p, const char **err,
                                       const char **unknown)
{
    char *buf = apr_palloc(p, MAINTENANCE_STATE_MAX + 1);
    char *why = apr_pcalloc(p, ERR_LEN);
    apr_size_t len = 0;
    apr_status_t rv;

    memset(st, 0, sizeof(*st));
    if (unknown) {
        *unknown = NULL;
    }
    rv = pv->get(instance, buf, &len, p, why, ERR_LEN);
    if (rv == APR_NOTFOUND) {
        return APR_SUCCESS;
    }
    if (rv != APR_SUCCESS) {
        *err = *why ? why : "the provider failed";
        return rv;
    }
    if ((*err = maintenance_state_parse(st, buf, len, unknown, p)) != NULL) {
        return MAINTENANCE_EBADSTATE;
    }
    return APR_SUCCESS;
}

apr_status_t maintenance_provider_write(const maintenance_provider *pv,
                                        void *instance,
                                        const maintenance_state *st,
                                        maintenance_state *stored,
                                        apr_pool_t *p, const char **err)
{
    const char *text = maintenance_state_format(st, p);
    apr_size_t len = strlen(text);
    char *why = apr_pcalloc(p, ERR_LEN);
    maintenance_state back;
    const char *bad;
    apr_status_t rv;

    /* Nothing would read it back: refuse it before the old one is gone. */
    if (len > MAINTENANCE_STATE_MAX) {
        *err = apr_psprintf(p, "the state would be larger than %d bytes: "
                            "shorten the message", MAINTENANCE_STATE_MAX);
        return APR_ENOSPC;
    }
    if ((bad = maintenance_state_parse(&back, text, len, NULL, p)) != NULL) {
        *err = apr_psprintf(p, "the state would not read back (%s): nothing "
                            "was written", bad);
        return APR_EINVAL;
    }
    rv = pv->set(instance, text, len, p, why, ERR_LEN);
    if (rv != APR_SUCCESS) {
        *err = *why ? why : "the provider failed";
        return rv;
    }
    if (stored) {
        *stored = back;
    }
    return APR_SUCCESS;
}
