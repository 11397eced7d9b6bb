/* A real Redis (Debian's /usr/bin/redis-server) for the integration tests,
 * on a free loopback port, and a small client for it (hiredis).
 *
 *     rds *r = rds_start("s3cret", "user alice on >alicepw ~* +@all\n");
 *     ... "MaintenanceState redis:127.0.0.1:%d", rds_port(r) ...
 *     rds_set(r, 0, "maintenance_mode_state", "on\n", 3);
 *     rds_kill(r);  rds_restart(r);     an outage, then recovery (empty)
 *     rds_pause(r); rds_resume(r);      a stalled server
 *     rds_free(r);
 *
 * It starts from a configuration file in a temporary directory of its
 * own, /tmp/mm-redis.XXXXXX (redis.conf and redis.log): port, bind
 * 127.0.0.1, no snapshots (save ""), no append-only file, the default
 * user's password (requirepass) and whatever lines the test adds (ACL
 * users). It runs as nobody when the tests run as root, never outlives the
 * test binary (parent-death signal), and whatever is still running at exit
 * is killed.
 *
 * Starting, stopping and signalling fail the current cmocka test, so call
 * them from the test's own thread. The client calls never fail a test:
 * they return NULL on success or why they failed, so any thread may use
 * them. Each opens its own connection, authenticates as the default user
 * with the requirepass password, SELECTs db and waits at most 2 s for an
 * answer, so a stalled server cannot hang a test. */
#ifndef REDIS_H
#define REDIS_H

#include <stddef.h>

typedef struct rds rds;

/* --- the server ---------------------------------------------------------- */

/* Start redis-server on a free port and wait (at most 10 s) until it
 * answers. password: the default user's (requirepass), NULL for none;
 * conf: more lines for redis.conf, NULL for none. */
rds *rds_start(const char *password, const char *conf);

/* SIGKILL it and reap it: the port stops answering. */
void rds_kill(rds *r);

/* Start it again, empty, on the same port (after rds_kill). */
void rds_restart(rds *r);

/* SIGSTOP: connections are still accepted by the kernel, never answered. */
void rds_pause(rds *r);

/* SIGCONT after rds_pause. */
void rds_resume(rds *r);

/* Kill it (whatever its state), remove its directory and forget it. NULL
 * is allowed. */
void rds_free(rds *r);

int rds_port(const rds *r);

/* --- the client ---------------------------------------------------------- */

/* SET KEY VALUE in database db: stored with no expiry. */
const char *rds_set(const rds *r, int db, const char *key, const char *value,
                    size_t len);

/* DEL KEY; a key already missing is not an error. */
const char *rds_del(const rds *r, int db, const char *key);

/* GET KEY: *value gets a malloc'd, NUL-terminated copy (the caller frees
 * it), or NULL when the key is missing; *len its length (may be NULL). */
const char *rds_get(const rds *r, int db, const char *key, char **value,
                    size_t *len);

/* TTL KEY: -1 for "never expires", -2 when the key is missing. */
const char *rds_ttl(const rds *r, int db, const char *key, long long *ttl);

/* Any command (argv NULL-terminated) whose answer is not an error:
 * rds_run(r, 0, (const char *[]){ "LPUSH", "k", "x", NULL }). */
const char *rds_run(const rds *r, int db, const char *const *argv);

/* How many times the server ran command ("get", "set", "auth"...) since
 * it started (INFO commandstats); 0 when never. */
const char *rds_calls(const rds *r, const char *command, long long *calls);

#endif
