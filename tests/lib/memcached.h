/* A real memcached (Debian's /usr/bin/memcached) for the integration
 * tests, on a free loopback port, and a client for its text protocol.
 *
 *     mcd *m = mcd_start();
 *     ... "MaintenanceState memcache:127.0.0.1:%d", mcd_port(m) ...
 *     mcd_set(m, "maintenance_mode_state", "on\n", 3);
 *     mcd_kill(m);  mcd_restart(m);     an outage, then recovery
 *     mcd_pause(m); mcd_resume(m);      a stalled server
 *     mcd_free(m);
 *
 * memcached listens on 127.0.0.1 only, without UDP, and runs as nobody
 * when the tests run as root. It never outlives the test binary: it dies
 * with it (parent-death signal), and whatever is still running at exit is
 * killed.
 *
 * Starting, stopping and signalling fail the current cmocka test, so call
 * them from the test's own thread. The protocol calls never fail a test:
 * they return NULL on success or why they failed, so any thread may use
 * them. Each opens its own connection and waits at most 2 s for an answer,
 * so a stalled memcached cannot hang a test. */
#ifndef MEMCACHED_H
#define MEMCACHED_H

#include <stddef.h>

typedef struct mcd mcd;

/* --- the server ---------------------------------------------------------- */

/* Start memcached on a free port and wait (at most 10 s) until it answers. */
mcd *mcd_start(void);

/* The same on port (one a test freed, or a stand-in listened on). */
mcd *mcd_start_on(int port);

/* SIGKILL it and reap it: the port stops answering. */
void mcd_kill(mcd *m);

/* Start it again, empty, on the same port (after mcd_kill). */
void mcd_restart(mcd *m);

/* SIGSTOP: connections are still accepted by the kernel, never answered. */
void mcd_pause(mcd *m);

/* SIGCONT after mcd_pause. */
void mcd_resume(mcd *m);

/* Kill it (whatever its state) and forget it. NULL is allowed. */
void mcd_free(mcd *m);

int mcd_port(const mcd *m);

/* --- the text protocol --------------------------------------------------- */

/* set KEY 0 0 LEN: stored with no expiry. */
const char *mcd_set(const mcd *m, const char *key, const char *value,
                    size_t len);

/* delete KEY; a key already missing is not an error. */
const char *mcd_delete(const mcd *m, const char *key);

/* get KEY: *value gets a malloc'd, NUL-terminated copy (the caller frees
 * it), or NULL when the key is missing; *len its length (may be NULL). */
const char *mcd_get(const mcd *m, const char *key, char **value,
                    size_t *len);

/* The remaining lifetime of KEY in seconds, -1 for "never expires" (the
 * meta command mg KEY t); *ttl is -2 when the key is missing. */
const char *mcd_ttl(const mcd *m, const char *key, long *ttl);

/* The counter name of `stats` (cmd_get, get_hits, curr_connections...). */
const char *mcd_stat(const mcd *m, const char *name, long long *value);

#endif
