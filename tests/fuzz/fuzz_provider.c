/* Where the state is, as MaintenanceState and maintenancectl --state take
 * it: one C string split into PROVIDER:ARGS, then parsed as a whole line
 * with its NAME=VALUE options, and ARGS and the options given to the
 * built-in provider's create() (a path, memcached servers and a key, an
 * S3 object URL, a Redis server, key and database), which checks them
 * without I/O (but for an S3 credentials file, which is left out here,
 * and a Redis password file, which is always the harness's own); and the
 * string as a host name whose S3 region is looked for. */
#include <unistd.h>

#include "fuzz.h"
#include "provider.h"

static maintenance_provider_params params;
static char password_file[] = "/tmp/mm-fuzz-redis.XXXXXX";

static void remove_password_file(void)
{
    unlink(password_file);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    params.timeout = apr_time_from_sec(1);
    /* Keys of our own, so that s3's create() gets past the credentials
     * whatever the environment holds, and never sees a real one. */
    FUZZ_CHECK(!setenv("AWS_ACCESS_KEY_ID", "fuzz", 1));
    FUZZ_CHECK(!setenv("AWS_SECRET_ACCESS_KEY", "fuzz", 1));
    FUZZ_CHECK(!unsetenv("AWS_SESSION_TOKEN"));
    /* A redis: spec's password-file= is this one, not a path from the
     * input. */
    int fd = mkstemp(password_file);
    FUZZ_CHECK(fd >= 0 && write(fd, "fuzz\n", 5) == 5 && close(fd) == 0);
    FUZZ_CHECK(atexit(remove_password_file) == 0);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_input_pool();
    const char *where = fuzz_string(p, data, size), *name, *args, *region;
    const maintenance_provider *pv;
    maintenance_spec spec;

    /* A region is one label of the host name. */
    region = maintenance_s3_region_of(where, p);
    FUZZ_CHECK(!region || (!strchr(region, '.') && strstr(where, region)));

    if (maintenance_spec_split(where, &name, &args, p)) {
        return 0;
    }
    FUZZ_CHECK(*name && !strchr(name, ':') && args == strchr(where, ':') + 1);
    if (maintenance_spec_parse_line(&spec, where, p)) {
        return 0;
    }
    FUZZ_CHECK(*spec.provider && !strchr(spec.provider, ':'));
    if ((pv = maintenance_builtin_find(spec.provider)) != NULL) {
        void *instance = NULL;

        apr_table_unset(spec.options, MAINTENANCE_S3_CREDENTIALS);
        if (apr_table_get(spec.options, "password-file")) {
            apr_table_set(spec.options, "password-file", password_file);
        }
        FUZZ_CHECK(pv->create(&instance, spec.args, spec.options, &params, p)
                   || instance);
    }
    return 0;
}
