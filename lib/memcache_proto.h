/* The answers of memcached's text protocol that the memcache: provider
 * reads, parsed from a buffer alone: no I/O, so they are unit-tested and
 * fuzzed apart from the sockets. The caller reads into one buffer and
 * parses all of it again after each read, until the answer is whole. */
#ifndef MAINTENANCE_MEMCACHE_PROTO_H
#define MAINTENANCE_MEMCACHE_PROTO_H

#include <apr_errno.h>

#include "mod_maintenance.h"

/* The longest first line taken, CRLF included: "VALUE", a key of 250
 * bytes, FLAGS, BYTES and CAS fit with room to spare. */
#define MAINTENANCE_MC_LINE_MAX 512

/* A buffer of this many bytes holds any answer the parsers accept: while
 * they say APR_INCOMPLETE, fewer bytes than this have come. */
#define MAINTENANCE_MC_ANSWER_MAX \
    (MAINTENANCE_MC_LINE_MAX + MAINTENANCE_STATE_MAX \
     + sizeof("\r\nEND\r\n") - 1)

/* The answer to "get KEY\r\n", as far as the len bytes of buf go:
 *
 *   APR_INCOMPLETE      the start of an answer: read on
 *   APR_SUCCESS         "VALUE KEY FLAGS BYTES[ CAS]\r\n", the data,
 *                       "\r\nEND\r\n": *text and *text_len are the data,
 *                       inside buf
 *   APR_NOTFOUND        "END\r\n": nothing is stored under the key
 *   APR_ENOSPC          a VALUE line of more than MAINTENANCE_STATE_MAX
 *                       bytes (said before the data comes)
 *   MAINTENANCE_ESTORE  "ERROR", "CLIENT_ERROR ..." or "SERVER_ERROR
 *                       ...": *text and *text_len are that line, without
 *                       its CRLF, printable ASCII only
 *   APR_EGENERAL        anything else: another key, a malformed number,
 *                       no CRLF after the data, anything before END, or
 *                       a byte after the answer
 *
 * Only APR_INCOMPLETE ever changes as more bytes come, so the first other
 * status is final: once whole, an answer followed by more bytes is
 * APR_EGENERAL, and APR_EGENERAL stays so. */
apr_status_t maintenance_mc_parse_get(const char *buf, apr_size_t len,
                                      const char *key, const char **text,
                                      apr_size_t *text_len);

/* The answer to "set KEY 0 0 LEN\r\n...": APR_INCOMPLETE, APR_SUCCESS for
 * "STORED\r\n", MAINTENANCE_ESTORE for "NOT_STORED\r\n" or an error line
 * (*text and *text_len as for a get), APR_EGENERAL for anything else, as
 * maintenance_mc_parse_get. */
apr_status_t maintenance_mc_parse_set(const char *buf, apr_size_t len,
                                      const char **text,
                                      apr_size_t *text_len);

#endif
