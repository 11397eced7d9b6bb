/* A local S3 store for the s3: provider's tests: see s3store.h. */
#include "s3store.h"
#include "fixture.h"  /* cmocka's fail_msg, helper processes */

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server.h"

#define FRONT        "tests/s3/front.mjs"
#define MODULES      "tests/s3/node_modules"
#define READY_MS     15000
#define STOP_MS      5000

struct s3store {
    srv server;                 /* its directory holds the objects */
    s3store_opts opts;
    const char *keys_file;      /* NULL: none */
};

const char *s3store_missing(void)
{
    static const char *const needed[] = {
        MODULES "/s3rver", MODULES "/@smithy/signature-v4",
        MODULES "/@smithy/protocol-http", MODULES "/@aws-crypto/sha256-js",
    };

    for (size_t i = 0; i < sizeof(needed) / sizeof(*needed); i++) {
        if (access(needed[i], R_OK) != 0) {
            return "the S3 store's node modules are missing: run "
                   "`npm ci --prefix tests/s3` (from the repository root)";
        }
    }
    return NULL;
}

/* Run the front, its output into its log. */
static void launch(s3store *s)
{
    const s3store_opts *o = &s->opts;
    char port[16];
    const char *argv[20] = {
        "node", FRONT, "--port", port, "--dir", s->server.dir,
        "--bucket", o->bucket, "--access-key", o->access_key,
        "--secret", o->secret,
    };
    size_t n = 12;

    snprintf(port, sizeof(port), "%d", s->server.port);
    srv_option(argv, &n, "--token", o->token);
    srv_option(argv, &n, "--region", o->region);
    srv_option(argv, &n, "--keys", s->keys_file);
    srv_spawn(&s->server, argv, NULL, READY_MS, srv_log_ready, &s->server);
}

s3store *s3store_start(const s3store_opts *opts)
{
    return s3store_start_with_keys(opts, NULL);
}

s3store *s3store_start_with_keys(const s3store_opts *opts,
                                 const char *keys_file)
{
    const char *why = s3store_missing();
    s3store *s;

    if (why) {
        fail_msg("%s", why);
    }
    if (!(s = calloc(1, sizeof(*s)))) {
        fail_msg("s3store: out of memory");
    }
    srv_init(&s->server, "s3store", fx_free_port());
    s->opts = *opts;
    s->keys_file = keys_file;
    launch(s);
    return s;
}

void s3store_stop(s3store *s)
{
    srv_stop(&s->server, SIGTERM, STOP_MS);   /* frozen or not */
}

void s3store_restart(s3store *s)
{
    s3store_stop(s);
    launch(s);
}

void s3store_freeze(s3store *s)
{
    srv_pause(&s->server);
}

void s3store_thaw(s3store *s)
{
    srv_resume(&s->server);
}

int s3store_port(const s3store *s)
{
    return s->server.port;
}

/* method path (body: NULL for none) on the store's test hooks. */
static void call_hook(const s3store *s, const char *method, const char *path,
                      const char *body)
{
    char text[1024];
    srv_body b = { text, sizeof(text), 0 };

    srv_hook(&s->server, method, path, body, &b);
}

void s3store_put(const s3store *s, const char *key, const char *text)
{
    char path[PATH_MAX];

    snprintf(path, sizeof(path), "/__objects/%s", key);
    call_hook(s, text ? "PUT" : "DELETE", path, text);
}

void s3store_set_secret(const s3store *s, const char *secret)
{
    call_hook(s, "PUT", "/__secret", secret);
}

void s3store_slowdown(const s3store *s, int retry_after)
{
    char word[32];

    if (retry_after > 0) {
        snprintf(word, sizeof(word), "on %d", retry_after);
    }
    else {
        snprintf(word, sizeof(word), "on");
    }
    call_hook(s, "PUT", "/__slowdown", word);
}

void s3store_slowdown_off(const s3store *s)
{
    call_hook(s, "PUT", "/__slowdown", "off");
}

/* {"refused":0,"GET":4,"PUT":1}: a method never seen is absent. */
long s3store_count(const s3store *s, const char *method)
{
    return srv_stat(&s->server, method);
}

void s3store_free(s3store *s)
{
    if (s) {
        srv_free(&s->server);
        free(s);
    }
}
