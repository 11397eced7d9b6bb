/* A host gone silent, for the integration tests: a listener on a loopback
 * port that accepts connections and never says a word, as a partition, a
 * dead VM or a firewall's black hole does (unlike a stopped server, whose
 * kernel answers once it is resumed).
 *
 *     int port = 0;
 *     pid_t hole = blackhole_start(&port);     a free port, or *port
 *     ... "MaintenanceState memcache:127.0.0.1:%d" ...
 *     fx_stop(&hole, SIGKILL, 0);              the port is closed
 *
 * It is a child process, bound before the fork so it accepts as soon as
 * this returns, and it dies with the test binary. Failures fail the
 * running cmocka test. */
#ifndef BLACKHOLE_H
#define BLACKHOLE_H

#include <sys/types.h>

/* Listen on *port (0: a free one, written back) and never answer. */
pid_t blackhole_start(int *port);

#endif
