/* A fixture's httpd as the kernel sees it: its parent process, the child
 * processes that serve, their memory, and graceful restarts.
 *
 *     pid_t parent = proc_httpd_pid(f);
 *     pid_t kids[16];
 *     size_t n = proc_children(parent, kids, 16);
 *     long kib = proc_rss_kib(kids[0]);
 *     int before = fx_log_count(f, PROC_RESUMED);
 *     proc_graceful(f);
 *     ... until fx_log_count(f, PROC_RESUMED) > before ...
 *
 * Linux only (/proc). */
#ifndef PROC_H
#define PROC_H

#include <stddef.h>
#include <sys/types.h>

#include "fixture.h"

/* What httpd logs (at notice) when it has started or restarted and
 * serves again: count it with fx_log_count. */
#define PROC_RESUMED "resuming normal operations"

/* httpd's parent process, as its PidFile (run/httpd.pid) says: the one
 * that takes httpd's signals and forks the children. Fails the test when
 * there is no such file or no such process. */
pid_t proc_httpd_pid(fx *f);

/* A graceful restart, as `apache2 -k graceful` asks for one: SIGUSR1 to
 * the parent. Returns at once, so that clients keep going while httpd
 * re-reads its configuration and replaces its children; the restart is
 * done when the error log gains a PROC_RESUMED line. */
void proc_graceful(fx *f);

/* The live children of parent (at most max of them, in out); how many
 * there are, which may exceed max. */
size_t proc_children(pid_t parent, pid_t *out, size_t max);

/* The resident set size of pid in KiB (VmRSS), -1 when it is gone. */
long proc_rss_kib(pid_t pid);

#endif
