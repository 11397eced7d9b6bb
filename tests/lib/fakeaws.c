/* AWS's credentials services, faked: see fakeaws.h. */
#include "fakeaws.h"
#include "fixture.h"  /* cmocka's fail_msg, helper processes */

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define FAKE      "tests/s3/fake-aws.mjs"
#define READY_MS  15000
#define ANSWER    8192

struct fakeaws {
    srv server;             /* its directory holds the keys file */
    char keys[PATH_MAX];
    char url[PATH_MAX];
};

fakeaws *fakeaws_start(const fakeaws_opts *o)
{
    char port[16], lifetime[16];
    const char *argv[20] = { "node", FAKE, "--port", port, "--keys", NULL,
                             "--lifetime", lifetime };
    size_t n = 8;
    fakeaws *a;

    if (!(a = calloc(1, sizeof(*a)))) {
        fail_msg("fakeaws: out of memory");
    }
    srv_init(&a->server, "fakeaws", fx_free_port());
    snprintf(a->keys, sizeof(a->keys), "%s/keys.json", a->server.dir);
    snprintf(port, sizeof(port), "%d", a->server.port);
    snprintf(lifetime, sizeof(lifetime), "%d", o->lifetime_s);
    argv[5] = a->keys;
    srv_option(argv, &n, "--role-arn", o->role_arn);
    srv_option(argv, &n, "--web-token-file", o->web_token_file);
    srv_option(argv, &n, "--container-token", o->container_token);
    srv_spawn(&a->server, argv, NULL, READY_MS, srv_log_ready, &a->server);
    return a;
}

int fakeaws_port(const fakeaws *a)
{
    return a->server.port;
}

const char *fakeaws_url(fakeaws *a, const char *path)
{
    snprintf(a->url, sizeof(a->url), "http://127.0.0.1:%d%s", a->server.port,
             path);
    return a->url;
}

const char *fakeaws_keys_file(const fakeaws *a)
{
    return a->keys;
}

long fakeaws_count(const fakeaws *a, const char *name)
{
    return srv_stat(&a->server, name);
}

const char *fakeaws_last(const fakeaws *a, const char *name)
{
    static char text[ANSWER];
    srv_body b = { text, sizeof(text), 0 };
    char path[256];

    snprintf(path, sizeof(path), "/__last/%s", name);
    srv_hook(&a->server, "GET", path, NULL, &b);
    return text;
}

void fakeaws_fail(const fakeaws *a, int status)
{
    char word[16], text[1024];
    srv_body b = { text, sizeof(text), 0 };

    if (status) {
        snprintf(word, sizeof(word), "%d", status);
    }
    else {
        snprintf(word, sizeof(word), "off");
    }
    srv_hook(&a->server, "PUT", "/__fail", word, &b);
}

void fakeaws_free(fakeaws *a)
{
    if (a) {
        srv_free(&a->server);
        free(a);
    }
}
