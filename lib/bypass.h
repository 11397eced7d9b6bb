/* Signed bypass links: a token that lets its holder through the
 * maintenance answer until it expires.
 *
 *     EXPIRES.LABEL.MAC
 *
 * EXPIRES is the Unix time it ends, LABEL who it is for (base64url, so any
 * text fits a URL and a cookie), MAC the HMAC-SHA256 of both under the
 * server's key (base64url). Nothing else is trusted: a token is checked
 * whole, its MAC compared in constant time. */
#ifndef MAINTENANCE_BYPASS_H
#define MAINTENANCE_BYPASS_H

#include <apr_pools.h>
#include <apr_time.h>

#define MAINTENANCE_BYPASS_KEY_MIN     32          /* bytes */
#define MAINTENANCE_BYPASS_KEY_MAX     4096
#define MAINTENANCE_BYPASS_LABEL_MAX   64          /* bytes */
#define MAINTENANCE_BYPASS_DEFAULT_FOR apr_time_from_sec(12 * 3600)
#define MAINTENANCE_BYPASS_MAX_FOR     apr_time_from_sec(30 * 86400)
#define MAINTENANCE_BYPASS_COOKIE      "maintenance_bypass"
#define MAINTENANCE_BYPASS_DEFAULT_PATH "/.maintenance/bypass/"

typedef struct maintenance_bypass_key {
    const unsigned char *bytes;
    apr_size_t len;
} maintenance_bypass_key;

/* Read the key in path: a regular file, not through a link, of at least
 * MAINTENANCE_BYPASS_KEY_MIN bytes (a trailing newline does not count).
 * Returns NULL, or why not; the error never holds the key. */
const char *maintenance_bypass_key_read(maintenance_bypass_key *key,
                                        const char *path, apr_pool_t *p);

/* A new token for label (at most MAINTENANCE_BYPASS_LABEL_MAX bytes, no
 * control characters), valid until expires (whole seconds). Returns NULL,
 * with *err, for a bad label. */
const char *maintenance_bypass_mint(const maintenance_bypass_key *key,
                                    apr_time_t expires, const char *label,
                                    apr_pool_t *p, const char **err);

/* What maintenance_bypass_verify says of a token. */
typedef enum {
    MAINTENANCE_BYPASS_VALID,
    MAINTENANCE_BYPASS_EXPIRED,     /* genuine, but over */
    MAINTENANCE_BYPASS_FORGED       /* garbled, altered, or another key's */
} maintenance_bypass_verdict;

/* Check len bytes of token at now; for a valid or expired one, *expires
 * and *label (from p) say what it was made for. */
maintenance_bypass_verdict maintenance_bypass_verify(
    const maintenance_bypass_key *key, const char *token, apr_size_t len,
    apr_time_t now, apr_time_t *expires, const char **label, apr_pool_t *p);

#endif
