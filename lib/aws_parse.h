/* What the s3: provider reads from AWS's services, parsed strictly: the
 * XML of S3's and STS's answers, the JSON of the container and instance
 * metadata credentials services, and the small texts and rules around
 * them (role names, session names, Retry-After, when to renew, how long
 * to back off). Pure functions of their input, unit-tested
 * (tests/unit/unit_s3.c) and fuzzed (tests/fuzz/fuzz_aws.c).
 *
 * The parsers take a length and never read past it, nor need a NUL. */
#ifndef MAINTENANCE_AWS_PARSE_H
#define MAINTENANCE_AWS_PARSE_H

#include <apr_pools.h>
#include <apr_time.h>

/* The longest of each part of a set of credentials this library keeps. */
#define MAINTENANCE_AWS_ID_MAX     128
#define MAINTENANCE_AWS_SECRET_MAX 256
#define MAINTENANCE_AWS_TOKEN_MAX  8192

/* Deepest nesting either parser takes. */
#define MAINTENANCE_AWS_DEPTH_MAX  32

/* The text of the elements at paths ("Root/Child/Leaf", from the root,
 * names as written), NULL-terminated, into values (one per path; NULL for
 * an element that is absent). The document must be well-formed XML 1.0
 * of the subset services send: an optional declaration, comments,
 * processing instructions, CDATA, the five named entities and character
 * references; a DOCTYPE is refused. A wanted element that has child
 * elements, or that occurs twice, is an error. Returns NULL or what is
 * wrong (no part of the document). */
const char *maintenance_xml_fields(const char *doc, apr_size_t len,
                                   const char *const *paths,
                                   const char **values, apr_pool_t *p);

/* The string members names (NULL-terminated) of the object that is the
 * whole JSON document (RFC 8259, UTF-8; nesting up to
 * MAINTENANCE_AWS_DEPTH_MAX), unescaped, into values (NULL for a member
 * that is absent). A wanted member that is not a string, holds a NUL or
 * occurs twice is an error. Returns NULL or what is wrong (no part of the
 * document). */
const char *maintenance_json_fields(const char *doc, apr_size_t len,
                                    const char *const *names,
                                    const char **values, apr_pool_t *p);

/* A set of credentials: an access key, its secret, an optional session
 * token, and when they expire (0: never). */
typedef struct maintenance_aws_creds {
    const char *id;
    const char *secret;
    const char *token;        /* NULL: none */
    apr_time_t expires;
} maintenance_aws_creds;

/* Whether c can sign requests: an id, a secret and a token of printable
 * ASCII without blanks (and no ':' in the id), each within its maximum.
 * Returns NULL or what is wrong, naming the part, never its value. */
const char *maintenance_aws_creds_check(const maintenance_aws_creds *c);

/* STS's answer to AssumeRoleWithWebIdentity (an
 * AssumeRoleWithWebIdentityResponse) into c, checked. NULL or what is
 * wrong. */
const char *maintenance_aws_sts_creds(const char *doc, apr_size_t len,
                                      maintenance_aws_creds *c,
                                      apr_pool_t *p);

/* The container or instance metadata credentials services' JSON
 * (AccessKeyId, SecretAccessKey, Token, Expiration; a Code other than
 * Success is an error) into c, checked. Without an Expiration, c->expires
 * is 0. NULL or what is wrong. */
const char *maintenance_aws_json_creds(const char *doc, apr_size_t len,
                                       maintenance_aws_creds *c,
                                       apr_pool_t *p);

/* The Code and Message of an AWS error answer: S3's <Error> or STS's
 * <ErrorResponse><Error>, or a JSON object's Code and Message. Each is
 * NULL when absent, else printable ASCII (others as '?'), cut to 200
 * bytes: fit for a log. */
void maintenance_aws_error_of(const char *doc, apr_size_t len,
                              const char **code, const char **message,
                              apr_pool_t *p);

/* The first role the instance metadata service lists
 * (iam/security-credentials/: one name a line), or NULL when the list
 * has no valid role name (1 to 64 of A-Z a-z 0-9 + = , . @ _ -). */
const char *maintenance_aws_imds_role(const char *doc, apr_size_t len,
                                      apr_pool_t *p);

/* Whether name is a valid STS RoleSessionName: 2 to 64 of
 * A-Z a-z 0-9 + = , . @ _ -. */
int maintenance_aws_session_name_valid(const char *name);

/* A valid RoleSessionName made up for this process:
 * mod_maintenance-HOST-PID, HOST's other characters replaced by '-' and
 * the whole cut to 64. */
const char *maintenance_aws_session_name(const char *host, long pid,
                                         apr_pool_t *p);

/* Where the container credentials are: the relative URI on
 * http://169.254.170.2 when relative is set (not empty), else full,
 * which must be https, or http on a loopback address (127.0.0.0/8, ::1,
 * localhost) or one of the container hosts (169.254.170.2,
 * 169.254.170.23, fd00:ec2::23). Returns NULL and *url, or what is
 * wrong. */
const char *maintenance_aws_container_url(const char *full,
                                          const char *relative,
                                          const char **url, apr_pool_t *p);

/* STS's endpoint: endpoint when set (not empty), else the regional one,
 * https://sts.REGION.amazonaws.com (.amazonaws.com.cn in China). */
const char *maintenance_aws_sts_url(const char *endpoint, const char *region,
                                    apr_pool_t *p);

/* A Retry-After value (seconds, or an HTTP date, as from now) as an
 * interval, at least 0; -1 when it is neither. */
apr_interval_time_t maintenance_aws_retry_after(const char *value,
                                                apr_time_t now);

/* The first and longest backoff after a throttling or failing answer. */
#define MAINTENANCE_AWS_BACKOFF_FIRST apr_time_from_sec(1)
#define MAINTENANCE_AWS_BACKOFF_MAX   apr_time_from_sec(60)

/* How long to wait after such an answer: the first backoff after last 0
 * (none), else twice last; at least retry_after (-1: none); at most
 * MAINTENANCE_AWS_BACKOFF_MAX. */
apr_interval_time_t maintenance_aws_backoff(apr_interval_time_t last,
                                            apr_interval_time_t retry_after);

/* When credentials obtained at got and expiring at expires are renewed:
 * once less than a quarter of their life or 5 minutes is left, whichever
 * is shorter. */
apr_time_t maintenance_aws_renew_at(apr_time_t got, apr_time_t expires);

#endif
