/* AWS's credentials services, faked for the s3: provider's credential
 * chain tests: `node tests/s3/fake-aws.mjs` on a free loopback port,
 * serving STS's AssumeRoleWithWebIdentity (POST /), a container
 * credentials service (/container/credentials) and an IMDSv2 instance
 * metadata service (/latest/...). Each request for credentials gets new
 * ones, valid for opts.lifetime_s; the fake writes every set it issued
 * to its keys file (JSON: [{"id", "secret", "token", "expires"}...]),
 * which an s3store started with s3store_start_with_keys(opts,
 * fakeaws_keys_file(a)) accepts until each expires.
 *
 *     fakeaws_opts o = { .lifetime_s = 20, .role_arn = "arn:...",
 *                        .web_token_file = "/path/token" };
 *     fakeaws *a = fakeaws_start(&o);
 *     s3store *s = s3store_start_with_keys(&so, fakeaws_keys_file(a));
 *     ... AWS_ENDPOINT_URL_STS=fakeaws_url(a, "/") ...
 *     fakeaws_free(a);
 *
 * A fake is a server.h server, fakeaws: its temporary directory,
 * /tmp/mm-fakeaws.XXXXXX, holds the keys file and fakeaws.log (node's
 * output, shown when something fails). Failures fail the running cmocka
 * test. Tests run from the repository root. */
#ifndef FAKEAWS_H
#define FAKEAWS_H

typedef struct fakeaws fakeaws;

/* Its strings must outlive the fake. */
typedef struct fakeaws_opts {
    int lifetime_s;               /* of every set of credentials issued */
    const char *role_arn;         /* STS: the one role it lets be assumed */
    const char *web_token_file;   /* STS: the file whose content is the one
                                   * token it takes (read per request) */
    const char *container_token;  /* container: the Authorization it wants
                                   * (NULL: none) */
} fakeaws_opts;

/* Start it; it has answered "ready". */
fakeaws *fakeaws_start(const fakeaws_opts *opts);

int fakeaws_port(const fakeaws *a);

/* http://127.0.0.1:PORT followed by path; lives until fakeaws_free. */
const char *fakeaws_url(fakeaws *a, const char *path);

/* The file the fake writes the valid credentials to, for the store. */
const char *fakeaws_keys_file(const fakeaws *a);

/* A count from its /__stats: "sts", "container", "imds-token",
 * "imds-list", "imds-creds", "issued", "refused", "refused:REASON"
 * ("refused:imds-no-token"...), "failed"; 0 when never counted. */
long fakeaws_count(const fakeaws *a, const char *name);

/* The last STS request's parameter name ("RoleSessionName"), or the last
 * container request's "Authorization", or the last IMDS token request's
 * "ttl"; "" when none. Static: valid until the next call. */
const char *fakeaws_last(const fakeaws *a, const char *name);

/* From now on, every credentials request is answered with status (500,
 * 503, 429...), until fakeaws_fail(a, 0). */
void fakeaws_fail(const fakeaws *a, int status);

/* Stop it and remove its directory. NULL is fine. */
void fakeaws_free(fakeaws *a);

#endif
