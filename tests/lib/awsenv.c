/* The s3: provider's environment, for the tests: see awsenv.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* environ */
#endif
#include "awsenv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Whether the environment entry is a variable of AWS's (the credential
 * chain's) or of the module's own (MAINTENANCE_STATE, MAINTENANCE_S3_). */
static int read_by_provider(const char *entry)
{
    return !strncmp(entry, "AWS_", 4) || !strncmp(entry, "MAINTENANCE_", 12);
}

void awsenv_apply(const char *const *env)
{
    char **e = environ;

    /* unsetenv moves the later entries: the scan starts again. */
    while (*e) {
        if (read_by_provider(*e)) {
            char name[128];

            snprintf(name, sizeof(name), "%.*s",
                     (int)strcspn(*e, "="), *e);
            unsetenv(name);
            e = environ;
        } else {
            e++;
        }
    }
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    for (; env && *env; env++) {
        const char *eq = strchr(*env, '=');
        char name[64];

        snprintf(name, sizeof(name), "%.*s", (int)(eq - *env), *env);
        setenv(name, eq + 1, 1);
    }
}

void awsenv_start(fx *f, const char *const *env)
{
    awsenv_apply(env);
    fx_start(f);
    awsenv_apply(NULL);
}

void awsenv_init(void)
{
    static const char *const proxies[] = {
        "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
        "all_proxy", "ALL_PROXY",
    };

    for (size_t i = 0; i < sizeof(proxies) / sizeof(*proxies); i++) {
        unsetenv(proxies[i]);
    }
    awsenv_apply(NULL);
}
