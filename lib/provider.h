/* The built-in state providers and MaintenanceState specs. */
#ifndef MAINTENANCE_PROVIDER_H
#define MAINTENANCE_PROVIDER_H

#include "mod_maintenance.h"

/* MAINTENANCE_STATE_FILE: the state file both the module and maintenancectl
 * use when told nothing, fixed at build time (make STATE_FILE=...). */
#include "maintenance_build.h"

typedef struct maintenance_builtin {
    const char *name;
    const maintenance_provider *provider;
} maintenance_builtin;

/* NULL-terminated. */
extern const maintenance_builtin maintenance_builtins[];

extern const maintenance_provider maintenance_file_provider;
extern const maintenance_provider maintenance_memcache_provider;
extern const maintenance_provider maintenance_s3_provider;
extern const maintenance_provider maintenance_redis_provider;

/* The password of a redis: spec's password-file=: the file's content
 * without the line breaks that end it, in *password (NUL-terminated) and
 * *len. NULL, or what is wrong, naming the option and the file but never
 * the content (unreadable, not a regular file, empty, over 4 KiB). */
const char *maintenance_redis_password_read(const char *file,
                                            const char **password,
                                            apr_size_t *len, apr_pool_t *p);

/* The region of an AWS S3 host name (s3.REGION.amazonaws.com,
 * BUCKET.s3.REGION.amazonaws.com, s3-REGION..., s3.dualstack.REGION...),
 * or NULL (the global endpoint, or not AWS). */
const char *maintenance_s3_region_of(const char *host, apr_pool_t *p);

/* Whether region looks like one (eu-west-1): lower-case letters, digits
 * and dashes. */
int maintenance_s3_region_valid(const char *region);

/* Whether an AWS shared-credentials file has keys in profile: NULL, or
 * what is wrong (never a secret). */
const char *maintenance_s3_credentials_check(const char *file,
                                             const char *profile,
                                             apr_pool_t *p);

/* The options an s3: spec takes. */
#define MAINTENANCE_S3_REGION       "region"
#define MAINTENANCE_S3_CREDENTIALS  "credentials"
#define MAINTENANCE_S3_PROFILE      "profile"

/* Split "NAME:ARGS". Returns NULL or an error text. */
const char *maintenance_spec_split(const char *spec, const char **name,
                                   const char **args, apr_pool_t *p);

/* A store as MaintenanceState and maintenancectl --state name it:
 * "PROVIDER:ARGS [NAME=VALUE ...]". */
typedef struct maintenance_spec {
    const char *provider;
    const char *args;
    apr_table_t *options;       /* NAME=VALUE, in the order given */
} maintenance_spec;

/* Parse a spec from its words: argv[0] is PROVIDER:ARGS, the others
 * NAME=VALUE, each name once. Returns NULL or an error text. */
const char *maintenance_spec_parse(maintenance_spec *spec, int argc,
                                   const char *const *argv, apr_pool_t *p);

/* The same from one line, split into words as a shell does (quotes). */
const char *maintenance_spec_parse_line(maintenance_spec *spec,
                                        const char *line, apr_pool_t *p);

/* NULL when every option's name is one of names (NULL-terminated, or
 * NULL for none), else an error naming it and what is taken. */
const char *maintenance_options_check(const apr_table_t *options,
                                      const char *const *names,
                                      apr_pool_t *p);

/* The built-in provider called name, or NULL. */
const maintenance_provider *maintenance_builtin_find(const char *name);

/* What maintenance_provider_read returns for a stored text that is not a
 * state: the store works, its content does not. */
#define MAINTENANCE_EBADSTATE (APR_OS_START_USERERR + 1)

/* Read the state through a provider into st (strings from p). APR_NOTFOUND:
 * nothing is stored, and st is off (a caller may know better: a network
 * store that lost the state it had). On failure *err says why, without secrets; the status is
 * MAINTENANCE_EBADSTATE or APR_ENOSPC for a bad state, else the
 * provider's (an outage). unknown, if not NULL, gets the keys the state
 * has that this reader does not know (see maintenance_state_parse). */
apr_status_t maintenance_provider_read(const maintenance_provider *pv,
                                       void *instance, maintenance_state *st,
                                       apr_pool_t *p, const char **err,
                                       const char **unknown);

/* Store st through a provider, after checking that a reader will parse it
 * back: a state that would not read back (APR_EINVAL) or is too large
 * (APR_ENOSPC) is refused and the stored one left as it was. On failure
 * *err says why. stored, if not NULL, gets what a reader will parse back
 * (a line break in the message is a space there, times are to the
 * second). */
apr_status_t maintenance_provider_write(const maintenance_provider *pv,
                                        void *instance,
                                        const maintenance_state *st,
                                        maintenance_state *stored,
                                        apr_pool_t *p, const char **err);

#endif
