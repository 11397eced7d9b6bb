/* Graceful restarts during a soak run, one at a time and each at its
 * time, while the caller's loop keeps the clients going:
 *
 *     restarts *r = restarts_new(f, l);
 *     ... restarts_step(r, now, due) in the loop ...
 *     ... restarts_done(r) ...
 *     restarts_free(r);
 *
 * A restart is done when httpd has replaced its children: none of those
 * it had when the signal went is left, and a new one runs. (httpd logs
 * that it resumes as soon as it has re-read its configuration, before
 * the old children have finished.) Until then, and for a second after,
 * the clients' refused connects and closed keep-alive connections are
 * excused (see load_excuse). */
#ifndef RESTARTS_H
#define RESTARTS_H

#include "fixture.h"
#include "load.h"

/* How long a restart may take: the old children finish the requests in
 * hand (a few milliseconds each here) and httpd forks new ones. */
#define RESTART_LIMIT_MS 15000

typedef struct restarts restarts;

restarts *restarts_new(fx *f, load *l);

/* Called often: check whether the restart in progress is done (fail the
 * test after RESTART_LIMIT_MS), and when there is none and due says so,
 * send the next one. */
void restarts_step(restarts *r, long now, int due);

/* How many restarts were sent, and how many of them are done. */
int restarts_sent(const restarts *r);
int restarts_done(const restarts *r);

void restarts_free(restarts *r);

#endif
