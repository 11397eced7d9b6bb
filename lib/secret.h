/* Small secret files read at start-up, often by root: a bypass key, a
 * Redis password. */
#ifndef MAINTENANCE_SECRET_H
#define MAINTENANCE_SECRET_H

#include <apr_pools.h>

/* Read path, at most max bytes, into *text (NUL-terminated, from p) and
 * *len, without the line breaks an editor or echo leaves at its end. Only
 * a regular file, never opened through a link at its last component nor
 * waited on (a FIFO is refused). Returns NULL, or "PATH: why", which never
 * holds the content. */
const char *maintenance_secret_read(const char *path, apr_size_t max,
                                    char **text, apr_size_t *len,
                                    apr_pool_t *p);

#endif
