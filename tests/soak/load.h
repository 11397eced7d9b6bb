/* The soak test's clients: a fixed number of GETs of one URL always in
 * flight on one libcurl multi handle, over keep-alive connections, each
 * started again as soon as it ends, and every outcome counted.
 *
 *     load *l = load_new(url, 6, page_len, max_transfers);
 *     while (...) load_pump(l, fx_now_ms() + 100);   between other work
 *     load_finish(l, 15000);
 *     ... load_counts_of(l)->by_status[503] ...
 *     load_free(l);
 *
 * Single-threaded: the caller's loop does its other work (state changes,
 * restarts, samples) between pumps, so nothing here needs a lock. */
#ifndef LOAD_H
#define LOAD_H

#include <stddef.h>

#define LOAD_MAX_STATUS   600
#define LOAD_MAX_FAILURES 5

typedef struct {
    long by_status[LOAD_MAX_STATUS]; /* answers, by status code */
    long answers;         /* transfers that got a whole answer */
    long failed;          /* failures: transfers without a whole answer,
                           * 200s of the wrong length, and the refused
                           * and resent below outside load_excuse */
    long refused;         /* connects refused: tried again */
    long resent;          /* requests whose keep-alive connection closed
                           * before any answer: libcurl sends them again
                           * on a new one */
    long unknown_status;  /* answers with a status outside 0..599 */
    char failures[LOAD_MAX_FAILURES][256]; /* the first failures, told */
} load_counts;

typedef struct load load;

/* clients transfers in flight from now on, at most max_transfers in all;
 * a 200 must carry page_len bytes. Fails the test when libcurl cannot
 * be set up. */
load *load_new(const char *url, int clients, size_t page_len,
               long max_transfers);

/* Drive the transfers until the monotonic clock (fx_now_ms) reaches
 * until_ms, starting new ones as others end. */
void load_pump(load *l, long until_ms);

/* Until until_ms, httpd is restarting: it may refuse a connect, or
 * close a keep-alive connection as a request goes out on it (as it does
 * every idle one). Neither is a failure then, as any HTTP client tries
 * such a GET again; at any other time, each is. */
void load_excuse(load *l, long until_ms);

/* Start no more transfers; drive those in flight until they end or
 * drain_ms have passed, then count the rest as failures. */
void load_finish(load *l, long drain_ms);

const load_counts *load_counts_of(const load *l);

void load_free(load *l);

#endif
