/* The soak test's clients: see load.h. */
#include "load.h"

#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

/* A transfer this long hangs: it is a failure, never a wait forever. */
#define TRANSFER_TIMEOUT_MS 10000L
/* How long a client waits after a refused connect before it tries again,
 * so that a closed port costs little CPU. */
#define RETRY_MS            10
/* The longest a pump sleeps in poll: its caller has timers to keep. */
#define POLL_MS             10

typedef struct {
    CURL *easy;
    int id;
    int active;           /* in the multi handle */
    long retry_at;        /* not started again before this time */
    size_t body_len;
    int resent;           /* libcurl sent the request again */
    char error[CURL_ERROR_SIZE];
} client;

struct load {
    CURLM *multi;
    client *clients;
    int nclients;
    size_t page_len;
    long started, max_transfers;
    int stopping;
    long t0, excused_until;
    load_counts counts;
};

static size_t on_body(char *data, size_t size, size_t n, void *baton)
{
    (void)data;
    ((client *)baton)->body_len += size * n;
    return size * n;
}

/* libcurl says so when it sends a request again because its keep-alive
 * connection closed before any answer: there is no counter for it. */
static int on_debug(CURL *easy, curl_infotype type, char *text, size_t len,
                    void *baton)
{
    static const char RESENT[] = "Connection died, retrying";

    (void)easy;
    if (type == CURLINFO_TEXT && len >= sizeof(RESENT) - 1
        && !memcmp(text, RESENT, sizeof(RESENT) - 1)) {
        ((client *)baton)->resent++;
    }
    return 0;
}

static void failure(load *l, const client *c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Count a failure, and tell the first few. */
static void failure(load *l, const client *c, const char *fmt, ...)
{
    long n = l->counts.failed++;
    va_list ap;
    int len;

    if (n >= LOAD_MAX_FAILURES) {
        return;
    }
    len = snprintf(l->counts.failures[n], sizeof(l->counts.failures[n]),
                   "client %d at +%ld ms: ", c->id, fx_now_ms() - l->t0);
    va_start(ap, fmt);
    vsnprintf(l->counts.failures[n] + len,
              sizeof(l->counts.failures[n]) - (size_t)len, fmt, ap);
    va_end(ap);
}

static void setup_client(client *c, const char *url, int id)
{
    c->id = id;
    if (!(c->easy = curl_easy_init())) {
        fail_msg("curl_easy_init failed");
    }
    curl_easy_setopt(c->easy, CURLOPT_URL, url);
    curl_easy_setopt(c->easy, CURLOPT_USERAGENT, "mm-soak");
    curl_easy_setopt(c->easy, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->easy, CURLOPT_TIMEOUT_MS, TRANSFER_TIMEOUT_MS);
    curl_easy_setopt(c->easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(c->easy, CURLOPT_ERRORBUFFER, c->error);
    curl_easy_setopt(c->easy, CURLOPT_PRIVATE, c);
    curl_easy_setopt(c->easy, CURLOPT_DEBUGFUNCTION, on_debug);
    curl_easy_setopt(c->easy, CURLOPT_DEBUGDATA, c);
    curl_easy_setopt(c->easy, CURLOPT_VERBOSE, 1L);
}

load *load_new(const char *url, int clients, size_t page_len,
               long max_transfers)
{
    load *l = calloc(1, sizeof(*l));

    if (!l || !(l->clients = calloc((size_t)clients, sizeof(client)))
        || !(l->multi = curl_multi_init())) {
        fail_msg("cannot set up %d clients", clients);
    }
    l->nclients = clients;
    l->page_len = page_len;
    l->max_transfers = max_transfers;
    l->t0 = fx_now_ms();
    for (int i = 0; i < clients; i++) {
        setup_client(&l->clients[i], url, i);
    }
    return l;
}

/* Start every idle client whose time has come, within the bound. */
static void start_idle(load *l, long now)
{
    for (int i = 0; i < l->nclients; i++) {
        client *c = &l->clients[i];

        if (c->active || c->retry_at > now || l->stopping
            || l->started >= l->max_transfers) {
            continue;
        }
        c->body_len = 0;
        c->resent = 0;
        c->error[0] = '\0';
        curl_multi_add_handle(l->multi, c->easy);
        c->active = 1;
        l->started++;
    }
}

static void answered(load *l, client *c)
{
    long status = 0;

    curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &status);
    if (status < 0 || status >= LOAD_MAX_STATUS) {
        l->counts.unknown_status++;
    } else {
        l->counts.by_status[status]++;
    }
    l->counts.answers++;
    if (status == 200 && c->body_len != l->page_len) {
        failure(l, c, "200 with %zu bytes, not %zu", c->body_len,
                l->page_len);
    }
}

/* One transfer ended with rc: count it, and say when to start again. */
static void ended(load *l, client *c, CURLcode rc, long now)
{
    curl_multi_remove_handle(l->multi, c->easy);
    c->active = 0;
    c->retry_at = now;
    if (c->resent) {
        l->counts.resent += c->resent;
        if (now > l->excused_until) {
            failure(l, c, "httpd closed the connection under the request, "
                    "without an answer (libcurl sent it again)");
        }
    }
    if (rc == CURLE_OK) {
        answered(l, c);
    } else if (rc == CURLE_COULDNT_CONNECT) {
        /* Nothing was sent: trying again is what any client would do. */
        l->counts.refused++;
        c->retry_at = now + RETRY_MS;
        if (now > l->excused_until) {
            failure(l, c, "connect refused: %s", c->error);
        }
    } else {
        /* Sent and never (wholly) answered. */
        failure(l, c, "%s: %s", curl_easy_strerror(rc), c->error);
    }
}

static void reap_ended(load *l)
{
    CURLMsg *msg;
    int left;
    long now = fx_now_ms();

    while ((msg = curl_multi_info_read(l->multi, &left)) != NULL) {
        client *c;

        if (msg->msg != CURLMSG_DONE) {
            continue;
        }
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&c);
        ended(l, c, msg->data.result, now);
    }
}

void load_pump(load *l, long until_ms)
{
    long now;

    while ((now = fx_now_ms()) < until_ms) {
        int running;
        long wait = until_ms - now < POLL_MS ? until_ms - now : POLL_MS;

        start_idle(l, now);
        curl_multi_perform(l->multi, &running);
        reap_ended(l);
        curl_multi_poll(l->multi, NULL, 0, (int)wait, NULL);
    }
}

void load_excuse(load *l, long until_ms)
{
    l->excused_until = until_ms;
}

static int in_flight(const load *l)
{
    int n = 0;

    for (int i = 0; i < l->nclients; i++) {
        n += l->clients[i].active;
    }
    return n;
}

void load_finish(load *l, long drain_ms)
{
    long deadline = fx_now_ms() + drain_ms;

    l->stopping = 1;
    while (in_flight(l) && fx_now_ms() < deadline) {
        load_pump(l, fx_now_ms() + POLL_MS);
    }
    for (int i = 0; i < l->nclients; i++) {
        client *c = &l->clients[i];

        if (c->active) {
            failure(l, c, "still unanswered %ld ms after the end", drain_ms);
            curl_multi_remove_handle(l->multi, c->easy);
            c->active = 0;
        }
    }
}

const load_counts *load_counts_of(const load *l)
{
    return &l->counts;
}

void load_free(load *l)
{
    if (!l) {
        return;
    }
    for (int i = 0; i < l->nclients; i++) {
        if (l->clients[i].active) {
            curl_multi_remove_handle(l->multi, l->clients[i].easy);
        }
        curl_easy_cleanup(l->clients[i].easy);
    }
    curl_multi_cleanup(l->multi);
    free(l->clients);
    free(l);
}
