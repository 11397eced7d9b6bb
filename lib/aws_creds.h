/* The AWS credentials of an s3: state, from the first source that has
 * them, in the order of AWS's own SDKs:
 *
 *   1. a shared-credentials file and profile (credentials=, profile=),
 *      read at configuration time and again when it changes;
 *   2. the environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
 *      AWS_SESSION_TOKEN;
 *   3. a web identity token (AWS_WEB_IDENTITY_TOKEN_FILE and
 *      AWS_ROLE_ARN: EKS's IAM roles for service accounts), exchanged
 *      with STS's AssumeRoleWithWebIdentity;
 *   4. the container credentials service
 *      (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI: ECS, EKS
 *      Pod Identity);
 *   5. the EC2 instance metadata service, IMDSv2 only, unless
 *      AWS_EC2_METADATA_DISABLED=true.
 *
 * The source is chosen once, at configuration time, from the file and the
 * environment, with no request: what it hands out is fetched when first
 * needed, in the process that needs it, and renewed ahead of its expiry.
 * An instance is shared by the threads of a process under a mutex. No
 * error text holds a secret, a token or a key. */
#ifndef MAINTENANCE_AWS_CREDS_H
#define MAINTENANCE_AWS_CREDS_H

#include <apr_pools.h>
#include <apr_time.h>

#include "aws_parse.h"

typedef struct maintenance_aws maintenance_aws;

/* Choose the source: file (NULL: none) and its profile ("default" when
 * NULL), else the environment as above. region is the S3 state's signing
 * region, STS's when AWS_REGION and AWS_DEFAULT_REGION are unset.
 * Reads the file, if any, and nothing else. Returns NULL and *out, or
 * what is wrong (no credentials at all, a file without the profile's
 * keys, an incomplete environment). */
const char *maintenance_aws_create(maintenance_aws **out, const char *file,
                                   const char *profile, const char *region,
                                   apr_pool_t *p);

/* What the source is called in messages: "credentials file",
 * "environment", "web identity", "container credentials", "instance
 * metadata". */
const char *maintenance_aws_source(const maintenance_aws *a);

/* The credentials to sign with now, copied into p: fetched or renewed
 * first when due (bounded by deadline), the credentials file read again
 * if it changed. On failure *err says why, naming the source:
 * APR_EAGAIN when a service answered that it is throttling or failing
 * (429, 5xx), MAINTENANCE_ESTORE for another refusal, else the status
 * of the failed call (APR_TIMEUP...). */
apr_status_t maintenance_aws_get(maintenance_aws *a, apr_time_t deadline,
                                 maintenance_aws_creds *c, apr_pool_t *p,
                                 const char **err);

/* When the store refused the credentials: a word about why that may be
 * (a changed credentials file that could not be read), or NULL. */
const char *maintenance_aws_note(maintenance_aws *a, apr_pool_t *p);

#endif
