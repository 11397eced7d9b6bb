/* A local S3 store for the s3: provider's tests: `node tests/s3/front.mjs`,
 * s3rver behind a front on 127.0.0.1 that checks every request's AWS
 * Signature V4 with AWS's own signer and refuses it as S3 would
 * (SignatureDoesNotMatch, InvalidAccessKeyId, InvalidToken...).
 *
 * A store is a server.h server, s3store: its temporary directory,
 * /tmp/mm-s3store.XXXXXX, holds its objects and s3store.log (node's
 * output, shown when something fails). It lives until s3store_free, or
 * until the test binary exits.
 *
 *     s3store_opts o = { .bucket = "b", .access_key = "AK", .secret = "S" };
 *     s3store *s = s3store_start(&o);
 *     ... s3:http://127.0.0.1:<s3store_port(s)>/b/KEY ...
 *     s3store_free(s);
 *
 * Failures (node missing, the front not ready within 15 s) fail the
 * running cmocka test. Tests run from the repository root. */
#ifndef S3STORE_H
#define S3STORE_H

typedef struct s3store s3store;

/* Its strings must outlive the store. */
typedef struct s3store_opts {
    const char *bucket;         /* created at start */
    const char *access_key;     /* the one key the store knows */
    const char *secret;
    const char *token;          /* NULL: requests must carry none */
    const char *region;         /* NULL: any signing region */
} s3store_opts;

/* NULL when the store can run here, else what to do about it. */
const char *s3store_missing(void);

/* Start a store on a free loopback port; it has answered "ready". */
s3store *s3store_start(const s3store_opts *opts);

/* The same, taking as well the credentials a fakeaws.h service issues
 * (keys_file: fakeaws_keys_file), each with its token and until it
 * expires (then refused with ExpiredToken). */
s3store *s3store_start_with_keys(const s3store_opts *opts,
                                 const char *keys_file);

/* Stop it (the objects stay), and start it again on the same port. */
void s3store_stop(s3store *s);
void s3store_restart(s3store *s);

/* Freeze it (SIGSTOP: connections are accepted, never answered) and
 * thaw it. */
void s3store_freeze(s3store *s);
void s3store_thaw(s3store *s);

int s3store_port(const s3store *s);

/* How many requests with method (GET, PUT...) reached the store since it
 * last started, signed or not; "refused" counts the refusals,
 * "slowdown" the SlowDown answers, and "key:AKID..." the requests signed
 * with that access key. */
long s3store_count(const s3store *s, const char *method);

/* Write (text) or remove (text NULL) the object key of the bucket
 * directly, bypassing signatures: a state no module client would write.
 * Not counted by s3store_count. */
void s3store_put(const s3store *s, const char *key, const char *text);

/* From now on, the access key's secret is secret (a key rotated under
 * its clients), until the store restarts. */
void s3store_set_secret(const s3store *s, const char *secret);

/* From now on, every S3 request is answered 503 SlowDown (with
 * Retry-After: retry_after seconds when it is above 0), as S3 answers a
 * prefix that gets too many; until s3store_slowdown_off. */
void s3store_slowdown(const s3store *s, int retry_after);
void s3store_slowdown_off(const s3store *s);

/* Stop it and remove its directory. NULL is fine. */
void s3store_free(s3store *s);

#endif
