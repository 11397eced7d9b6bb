/* The built-in state providers, and MaintenanceState specs. */
#include <apr_strings.h>

#include "provider.h"
#include "state.h"

const maintenance_builtin maintenance_builtins[] = {
    { "file", &maintenance_file_provider },
    { "memcache", &maintenance_memcache_provider },
    { "s3", &maintenance_s3_provider },
    { "redis", &maintenance_redis_provider },
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

const char *maintenance_spec_parse(maintenance_spec *spec, int argc,
                                   const char *const *argv, apr_pool_t *p)
{
    const char *err;
    int i;

    if (argc < 1) {
        return "no state given: PROVIDER:ARGS, like "
               "file:/var/lib/apache2/maintenance/state";
    }
    if ((err = maintenance_spec_split(argv[0], &spec->provider, &spec->args,
                                      p)) != NULL) {
        return err;
    }
    spec->options = apr_table_make(p, argc);
    for (i = 1; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        const char *name = eq ? apr_pstrmemdup(p, argv[i], eq - argv[i]) : "";

        if (!*name) {
            return apr_psprintf(p, "'%s' is not an option NAME=VALUE",
                                argv[i]);
        }
        if (apr_table_get(spec->options, name)) {
            return apr_psprintf(p, "option %s given twice", name);
        }
        apr_table_set(spec->options, name, eq + 1);
    }
    return NULL;
}

const char *maintenance_spec_parse_line(maintenance_spec *spec,
                                        const char *line, apr_pool_t *p)
{
    char **argv;
    int argc = 0;

    if (apr_tokenize_to_argv(line, &argv, p) != APR_SUCCESS) {
        return "cannot split into words";
    }
    while (argv[argc]) {
        argc++;
    }
    return maintenance_spec_parse(spec, argc, (const char *const *)argv, p);
}

const char *maintenance_options_check(const apr_table_t *options,
                                      const char *const *names,
                                      apr_pool_t *p)
{
    const apr_array_header_t *a = apr_table_elts(options);
    const apr_table_entry_t *e = (const apr_table_entry_t *)a->elts;
    int i, j;

    for (i = 0; i < a->nelts; i++) {
        const char *taken = NULL;

        for (j = 0; names && names[j]; j++) {
            if (!strcmp(e[i].key, names[j])) {
                break;
            }
            taken = taken ? apr_pstrcat(p, taken, ", ", names[j], "=", NULL)
                          : apr_pstrcat(p, names[j], "=", NULL);
        }
        if (!names || !names[j]) {
            return taken ? apr_psprintf(p, "unknown option %s= (it takes %s)",
                                        e[i].key, taken)
                         : apr_psprintf(p, "unknown option %s= (it takes "
                                        "none)", e[i].key);
        }
    }
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
    apr_size_t len = 0;
    apr_status_t rv;

    memset(st, 0, sizeof(*st));
    *err = NULL;
    if (unknown) {
        *unknown = NULL;
    }
    rv = pv->get(instance, buf, &len, p, err);
    if (rv == APR_NOTFOUND) {
        return rv;
    }
    if (rv != APR_SUCCESS) {
        if (!*err) {
            *err = "the provider failed";
        }
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
    maintenance_state back;
    const char *bad;
    apr_status_t rv;

    *err = NULL;
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
    rv = pv->set(instance, text, len, p, err);
    if (rv != APR_SUCCESS) {
        if (!*err) {
            *err = "the provider failed";
        }
        return rv;
    }
    if (stored) {
        *stored = back;
    }
    return APR_SUCCESS;
}
