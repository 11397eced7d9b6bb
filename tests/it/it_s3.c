/* The s3: state provider and its directives against a local
 * S3 store that checks every request's Signature V4 with AWS's own signer
 * (tests/s3/front.mjs, driven through s3store.h): a missing object; states
 * written by maintenancectl and by the toggle handler; path-style and
 * virtual-hosted URLs; credentials from the environment and from a
 * shared-credentials file and its profiles; session tokens; the signing
 * region; wrong keys (refused, logged once without the secret, the last
 * state or MaintenanceFailMode in force); the store killed, frozen, and
 * back; the store throttling (503 SlowDown), backed off; signed payloads
 * (a PUT whose body does not match its signed SHA-256, or is not signed,
 * refused); bad specs at configtest; and store reads bounded by
 * MaintenanceStateTTL, not by requests. The credential chain beyond the
 * file and the environment is it_aws.c's.
 *
 * Nothing here asserts how fast the module is; where it must not wait on
 * the store, pages are fetched with a timeout of a few seconds, so that a
 * page stuck behind a dead or frozen store fails the test. */
#include "awsenv.h"
#include "ctl.h"
#include "fixture.h"
#include "s3store.h"
#include "server.h"
#include "toggle.h"

#include <stdlib.h>
#include <sys/stat.h>

#define BUCKET       "mm-state"
#define KEY_ID       "AKIDMMTEST7Q2W4E6R8T"
#define OTHER_KEY_ID "AKIDMMNOBODY00000000"
/* Secrets as AWS makes them, with '/' and '+'; distinctive, so that a
 * log line quoting one is found. */
#define SECRET       "mmSecret/9xQv+Lr3Tz0pW7yKc2Nh5Ub8Jd1Fe4Gs"
#define WRONG_SECRET "mmWrong/3aZx+Qw8Er5Ty2Ui7Op0As4Df6Gh9JkLm"
#define TOKEN        "mmToken//AbCdEfGhIjKlMnOpQrStUvWxYz0123456789=="
#define REGION       "eu-west-1"
#define NESTED_KEY   "shop/eu/maintenance%20state"
#define RESERVED_KEY "shop,eu/state=live+1"
/* Long enough for the refresher to read the state many times over at the
 * fixture's MaintenanceStateTTL of 0.05 s. */
#define MANY_READS_MS (2 * FX_SETTLE_MS)

static const s3store_opts PLAIN = { BUCKET, KEY_ID, SECRET, NULL, NULL };
static const s3store_opts WITH_TOKEN = { BUCKET, KEY_ID, SECRET, TOKEN,
                                         NULL };
static const s3store_opts IN_REGION = { BUCKET, KEY_ID, SECRET, NULL,
                                        REGION };

/* Environments, for httpd (read at its start-up) and for maintenancectl:
 * NAME=value lists on top of one with no AWS or maintenancectl variables. */
#define OWNER_ENV "AWS_ACCESS_KEY_ID=" KEY_ID, "AWS_SECRET_ACCESS_KEY=" SECRET
static const char *const OWNER[] = { OWNER_ENV, NULL };
static const char *const OWNER_WITH_TOKEN[] = {
    OWNER_ENV, "AWS_SESSION_TOKEN=" TOKEN, NULL };
static const char *const OWNER_IN_REGION[] = {
    OWNER_ENV, "MAINTENANCE_S3_REGION=" REGION, NULL };
static const char *const WRONG[] = {
    "AWS_ACCESS_KEY_ID=" KEY_ID, "AWS_SECRET_ACCESS_KEY=" WRONG_SECRET, NULL };
static const char *const STRANGER[] = {
    "AWS_ACCESS_KEY_ID=" OTHER_KEY_ID, "AWS_SECRET_ACCESS_KEY=" SECRET, NULL };
static const char *const NOBODY[] = { NULL };

static s3store *group_store;   /* the group's, from its setup */
static s3store *test_store;    /* a test's own, freed when it ends */

/* --- sites --------------------------------------------------------------- */

/* A fixture whose config may name the store's port as ${S3PORT}; with a
 * key, its state is that object of the store's bucket, path-style. */
static fx *new_site(const s3store *s, const char *key, const char *conf)
{
    char state[256] = "";
    fx *f;

    if (key) {
        snprintf(state, sizeof(state), "MaintenanceState "
                 "s3:http://127.0.0.1:${S3PORT}/" BUCKET "/%s\n", key);
    }
    f = fx_new_fmt("Define S3PORT %d\n%s%s", s3store_port(s), state, conf);
    fx_write(f, "htdocs/index.html", "front page\n");
    return f;
}

/* The spec of the object key in the store's bucket, path-style. */
static const char *spec(fx *f, const s3store *s, const char *key)
{
    return fx_fmt(f, "s3:http://127.0.0.1:%d/" BUCKET "/%s",
                  s3store_port(s), key);
}

/* What a page fetched within FX_QUICK_S says. */
typedef struct {
    long status;
    char mode[8];        /* X-Mode: MAINTENANCE_MODE */
    char message[64];    /* X-Message: MAINTENANCE_MESSAGE */
} quick_res;

/* If the header line is name's, its value into out. */
static void header_value(const char *line, size_t len, const char *name,
                         char *out, size_t outlen)
{
    size_t n = strlen(name);

    if (len > n && !strncasecmp(line, name, n)) {
        size_t vlen = strcspn(line + n, "\r\n");
        snprintf(out, outlen, "%.*s", (int)vlen, line + n);
    }
}

static size_t on_quick_header(char *data, size_t size, size_t n, void *baton)
{
    quick_res *q = baton;

    header_value(data, size * n, "X-Mode: ", q->mode, sizeof(q->mode));
    header_value(data, size * n, "X-Message: ", q->message,
                 sizeof(q->message));
    return size * n;
}

/* GET / with a timeout of FX_QUICK_S: a page held up by the store fails. */
static quick_res quick_get(fx *f)
{
    quick_res q = { 0, "", "" };
    CURL *c = fx_curl(f, "/", FX_QUICK_S);
    CURLcode rc;

    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_quick_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &q);
    rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &q.status);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK) {
        fail_msg("GET %s within %ld s: %s", fx_url(f, "/"), FX_QUICK_S,
                 curl_easy_strerror(rc));
    }
    return q;
}

/* A page fetched within FX_QUICK_S answers as in maintenance, with message
 * ("": none). */
static void assert_quick_blocked(fx *f, const char *message)
{
    quick_res q = quick_get(f);

    if (q.status != 503 || strcmp(q.mode, "on")
        || strcmp(q.message, message)) {
        fail_msg("expected 503, X-Mode on, X-Message \"%s\"; got %ld, "
                 "\"%s\", \"%s\"", message, q.status, q.mode, q.message);
    }
}

/* The error log holds neither secret, whatever went wrong. */
static void assert_no_secret_logged(fx *f)
{
    FX_ASSERT_LOG_COUNT(f, SECRET, 0);
    FX_ASSERT_LOG_COUNT(f, WRONG_SECRET, 0);
}

/* After many reads of a failing store: exactly one outage line, naming
 * what the store said, and no secret. */
static void assert_outage_logged_once(fx *f, const char *s3_code)
{
    fx_sleep_ms(MANY_READS_MS);
    FX_ASSERT_LOG_COUNT(f, FX_OUTAGE_LOG, 1);
    FX_ASSERT_LOG_COUNT(f, s3_code, 1);
    assert_no_secret_logged(f);
}

/* --- maintenancectl ------------------------------------------------------ */

/* Exit 1, a message on stderr naming needle, and no secret anywhere. */
static void refused_no_secret(ctl_res r, const char *needle)
{
    if (r.rc != 1 || !strstr(r.err, needle) || strstr(r.err, SECRET)
        || strstr(r.err, WRONG_SECRET) || strstr(r.out, SECRET)
        || strstr(r.out, WRONG_SECRET)) {
        fail_msg("maintenancectl: exit %d, expected 1 with a message naming "
                 "\"%s\" and no secret\n--- stdout\n%s--- stderr\n%s", r.rc,
                 needle, r.out, r.err);
    }
}

/* maintenancectl status worked: exit 0 (in force) or 3 (not), nothing
 * on stderr; its stdout. */
static const char *status_ok(ctl_res r)
{
    if ((r.rc != 0 && r.rc != 3) || *r.err) {
        fail_msg("maintenancectl status: exit %d\n--- stdout\n%s--- stderr"
                 "\n%s", r.rc, r.out, r.err);
    }
    return r.out;
}

/* The state word the store holds for key, as maintenancectl reads it. */
static const char *state_via_ctl(fx *f, const s3store *s, const char *key)
{
    const char *out = status_ok(CTL_RUN_ON(f, OWNER, spec(f, s, key),
                                           "status"));

    return ctl_field(f, out, "state");
}

/* --- credentials files --------------------------------------------------- */

/* One profile of a shared-credentials file; header is "default",
 * "profile other"... */
static const char *profile(fx *f, const char *header, const char *secret)
{
    return fx_fmt(f, "[%s]\naws_access_key_id = %s\n"
                  "aws_secret_access_key = %s\n\n", header, KEY_ID, secret);
}

/* Write the credentials file aws/credentials, readable by root alone as
 * a secrets file should be: httpd reads it at start-up, before it gives up
 * root. */
static void write_credentials(fx *f, const char *text)
{
    fx_write(f, "aws/credentials", "# written by it_s3\n%s", text);
    if (chmod(fx_fmt(f, "%s/aws/credentials", fx_dir(f)), 0600) != 0) {
        fail_msg("chmod aws/credentials failed");
    }
}

/* --- per test ------------------------------------------------------------ */

static int test_begin(void **state)
{
    /* A store a failed test could not free. */
    s3store_free(test_store);
    test_store = NULL;
    return fx_test_begin(state);
}

/* httpd goes first: a store gone under it would be an outage it logs. */
static int test_end(void **state)
{
    int rc = fx_test_end(state);

    s3store_free(test_store);
    test_store = NULL;
    return rc;
}

#define S3_TEST(t) cmocka_unit_test_setup_teardown(t, test_begin, test_end)

static int start_store(const s3store_opts *opts)
{
    group_store = s3store_start(opts);
    return 0;
}

static int plain_setup(void **state)
{
    (void)state;
    return start_store(&PLAIN);
}

static int token_setup(void **state)
{
    (void)state;
    return start_store(&WITH_TOKEN);
}

static int region_setup(void **state)
{
    (void)state;
    return start_store(&IN_REGION);
}

static int store_teardown(void **state)
{
    (void)state;
    s3store_free(group_store);
    group_store = NULL;
    return 0;
}

/* --- reading and writing the object -------------------------------------- */

/* A missing object is a readable "off", not a failure: even a site that
 * fails closed is served, and nothing is logged. */
static void test_missing_object_is_off(void **state)
{
    (void)state;
    fx *f = new_site(group_store, "missing",
                     FX_ENV_HEADERS "MaintenanceFailMode closed\n");

    awsenv_start(f, OWNER);
    FX_ASSERT_SERVED(fx_get(f, "/"));
    fx_sleep_ms(MANY_READS_MS);
    FX_ASSERT_SERVED(fx_get(f, "/"));
    FX_ASSERT_LOG_COUNT(f, FX_OUTAGE_LOG, 0);
    assert_string_equal(state_via_ctl(f, group_store, "missing"), "off");
}

/* maintenancectl writes the object; the site sees it within the TTL,
 * with the message, and Retry-After from the end. */
static void test_cli_turns_site_on_and_off(void **state)
{
    (void)state;
    fx *f = new_site(group_store, "cli", FX_ENV_HEADERS);
    const char *s = spec(f, group_store, "cli");

    awsenv_start(f, OWNER);
    FX_ASSERT_SERVED(fx_get(f, "/"));

    const char *out = ctl_ok(CTL_RUN_ON(f, OWNER, s, "on", "--message",
                                        "Back at noon", "--for", "1h"));
    assert_string_equal(ctl_field(f, out, "message"), "Back at noon");
    fx_res *r = fx_await_status(f, "/", 503);
    FX_ASSERT_BLOCKED(r, 503);
    FX_ASSERT_HEADER(r, "X-Message", "Back at noon");
    FX_ASSERT_BODY(r, "Back at noon");
    assert_in_range(fx_header_num(r, "Retry-After"), 3600 - 60, 3600);

    out = status_ok(CTL_RUN_ON(f, OWNER, s, "status"));
    assert_string_equal(ctl_field(f, out, "state"), "on");
    assert_string_equal(ctl_field(f, out, "message"), "Back at noon");

    ctl_ok(CTL_RUN_ON(f, OWNER, s, "off"));
    FX_ASSERT_SERVED(fx_await_status(f, "/", 200));
    assert_string_equal(state_via_ctl(f, group_store, "cli"), "off");
}

/* The toggle handler writes the object through the same provider, and
 * maintenancectl reads what it wrote. */
static void test_toggle_writes_what_cli_reads(void **state)
{
    (void)state;
    fx *f = new_site(group_store, "toggle", FX_ENV_HEADERS FX_TOGGLE_CONF);

    toggle_add_alice(f);
    awsenv_start(f, OWNER);
    FX_ASSERT_STATUS(fx_post(f, ALICE, TOGGLE "/on",
                             "message=Deploying&for=30m"), 303);

    const char *out = status_ok(CTL_RUN_ON(f, OWNER,
                                           spec(f, group_store, "toggle"),
                                           "status"));
    assert_string_equal(ctl_field(f, out, "state"), "on");
    assert_string_equal(ctl_field(f, out, "by"), "alice");
    assert_string_equal(ctl_field(f, out, "message"), "Deploying");
    assert_non_null(ctl_field(f, out, "end"));
    FX_ASSERT_BLOCKED(fx_await_status(f, "/", 503), 503);

    FX_ASSERT_STATUS(fx_post(f, ALICE, TOGGLE "/off", NULL), 303);
    assert_string_equal(state_via_ctl(f, group_store, "toggle"), "off");
    FX_ASSERT_SERVED(fx_await_status(f, "/", 200));
}

/* http://BUCKET.localhost:PORT/KEY is the same object as the path-style
 * http://127.0.0.1:PORT/BUCKET/KEY (curl resolves *.localhost to
 * loopback; the store routes on the Host). */
static void test_virtual_hosted_url(void **state)
{
    (void)state;
    fx *f = new_site(group_store, NULL, FX_ENV_HEADERS
                     "MaintenanceState s3:http://" BUCKET
                     ".localhost:${S3PORT}/vhost\n");
    const char *vhost = fx_fmt(f, "s3:http://" BUCKET ".localhost:%d/vhost",
                               s3store_port(group_store));

    awsenv_start(f, OWNER);
    FX_ASSERT_SERVED(fx_get(f, "/"));
    ctl_ok(CTL_RUN_ON(f, OWNER, spec(f, group_store, "vhost"), "on",
                      "--message", "Seen through the bucket's host"));
    FX_ASSERT_HEADER(fx_await_status(f, "/", 503), "X-Message",
                     "Seen through the bucket's host");
    ctl_ok(CTL_RUN_ON(f, OWNER, vhost, "off"));
    FX_ASSERT_SERVED(fx_await_status(f, "/", 200));
    assert_string_equal(state_via_ctl(f, group_store, "vhost"), "off");
}

/* A key with folders and an escaped space: the module signs it as S3
 * reads it (the store checks the canonical, once-encoded path). */
static void test_nested_escaped_key(void **state)
{
    (void)state;
    fx *f = new_site(group_store, NESTED_KEY, FX_ENV_HEADERS);

    s3store_put(group_store, NESTED_KEY, "on\nmessage=Nested\n");
    awsenv_start(f, OWNER);
    FX_ASSERT_HEADER(fx_await_status(f, "/", 503), "X-Message", "Nested");
    ctl_ok(CTL_RUN_ON(f, OWNER, spec(f, group_store, NESTED_KEY), "off"));
    FX_ASSERT_SERVED(fx_await_status(f, "/", 200));
}

/* Characters a URL may hold raw in its path but S3 signs encoded
 * (sub-delimiters): the provider must sign the key as S3 reads it. */
static void test_reserved_characters_in_key(void **state)
{
    (void)state;
    fx *f = new_site(group_store, RESERVED_KEY, FX_ENV_HEADERS);

    awsenv_start(f, OWNER);
    ctl_ok(CTL_RUN_ON(f, OWNER, spec(f, group_store, RESERVED_KEY), "on",
                      "--message", "Reserved"));
    FX_ASSERT_HEADER(fx_await_status(f, "/", 503), "X-Message", "Reserved");
}

/* --- states written from outside ----------------------------------------- */

/* django-maintenance-mode's S3 backends write 1 and 0. An object removed
 * after a state was read keeps that state in force (said once), until one
 * is written again. */
static void test_django_values(void **state)
{
    (void)state;
    fx *f = new_site(group_store, "django", FX_ENV_HEADERS);

    awsenv_start(f, OWNER);
    s3store_put(group_store, "django", "1");
    FX_ASSERT_BLOCKED(fx_await_status(f, "/", 503), 503);
    s3store_put(group_store, "django", "0");
    FX_ASSERT_SERVED(fx_await_status(f, "/", 200));
    s3store_put(group_store, "django", "true\n");
    FX_ASSERT_BLOCKED(fx_await_status(f, "/", 503), 503);
    fx_expect_log(f, FX_LOST_LOG);
    s3store_put(group_store, "django", NULL);
    fx_sleep_ms(FX_SETTLE_MS);
    FX_ASSERT_BLOCKED(fx_get(f, "/"), 503);
    assert_int_equal(fx_log_count(f, "has no state any more"), 1);
    s3store_put(group_store, "django", "0");
    FX_ASSERT_SERVED(fx_await_status(f, "/", 200));
}

/* A bad object after a good one: the good one stays in force, each
 * problem is logged once, and a good object is read again. */
static void test_bad_object_keeps_last_state(void **state)
{
    (void)state;
    fx *f = new_site(group_store, "bad", FX_ENV_HEADERS);

    fx_expect_log(f, FX_OUTAGE_LOG);
    s3store_put(group_store, "bad", "on\nmessage=Kept\n");
    awsenv_start(f, OWNER);
    FX_ASSERT_HEADER(fx_await_status(f, "/", 503), "X-Message", "Kept");

    s3store_put(group_store, "bad", "maybe\n");
    fx_sleep_ms(MANY_READS_MS);
    assert_quick_blocked(f, "Kept");
    s3store_put(group_store, "bad",
                fx_fmt(f, "on\nmessage=%s\n", fx_filler(f, 4999)));
    fx_sleep_ms(MANY_READS_MS);
    assert_quick_blocked(f, "Kept");
    FX_ASSERT_LOG_COUNT(f, FX_OUTAGE_LOG, 2);

    s3store_put(group_store, "bad", "off\n");
    FX_ASSERT_SERVED(fx_await_status(f, "/", 200));
    FX_ASSERT_LOG_COUNT(f, FX_RECOVERY_LOG, 1);
}

/* --- credentials --------------------------------------------------------- */

/* f (a site on key, with MaintenanceS3Credentials) sees the state on only
 * when it signs with the file's profile: httpd's environment holds a
 * wrong secret, which must not be used. */
static void check_file_credentials(fx *f, const char *key, const char *text)
{
    write_credentials(f, text);
    ctl_ok(CTL_RUN_ON(f, OWNER, spec(f, group_store, key), "on", "--message",
                      "Signed from the file"));
    awsenv_start(f, WRONG);
    fx_res *r = fx_await_status(f, "/", 503);
    FX_ASSERT_BLOCKED(r, 503);
    FX_ASSERT_HEADER(r, "X-Message", "Signed from the file");
    FX_ASSERT_LOG_COUNT(f, FX_OUTAGE_LOG, 0);
}

static void test_credentials_file_default_profile(void **state)
{
    (void)state;
    fx *f = new_site(group_store, "file-default", FX_ENV_HEADERS
                     "MaintenanceS3Credentials ${TESTDIR}/aws/credentials\n");

    check_file_credentials(f, "file-default",
                           fx_fmt(f, "%s%s", profile(f, "other", WRONG_SECRET),
                                  profile(f, "default", SECRET)));
}

/* A named profile, not the first in the file nor the default; and
 * maintenancectl using the same file and profile. */
static void test_credentials_file_named_profile(void **state)
{
    (void)state;
    fx *f = new_site(group_store, "file-other", FX_ENV_HEADERS
                     "MaintenanceS3Credentials ${TESTDIR}/aws/credentials "
                     "other\n");
    const char *const file_env[] = {
        fx_fmt(f, "MAINTENANCE_S3_CREDENTIALS=%s/aws/credentials", fx_dir(f)),
        "MAINTENANCE_S3_PROFILE=other", NULL };

    check_file_credentials(f, "file-other",
                           fx_fmt(f, "%s%s%s",
                                  profile(f, "default", WRONG_SECRET),
                                  profile(f, "other", SECRET),
                                  profile(f, "third", WRONG_SECRET)));
    ctl_ok(CTL_RUN_ON(f, file_env, spec(f, group_store, "file-other"), "off"));
    FX_ASSERT_SERVED(fx_await_status(f, "/", 200));
}

/* The ~/.aws/config spelling of a section, [profile NAME]. */
static void test_credentials_file_profile_section(void **state)
{
    (void)state;
    fx *f = new_site(group_store, "file-section", FX_ENV_HEADERS
                     "MaintenanceS3Credentials ${TESTDIR}/aws/credentials "
                     "other\n");

    check_file_credentials(f, "file-section",
                           fx_fmt(f, "%s%s",
                                  profile(f, "default", WRONG_SECRET),
                                  profile(f, "profile other", SECRET)));
}

/* --- refused reads ------------------------------------------------------- */

/* A site on key, whose object says on, started with env: credentials the
 * store refuses. */
static fx *refused_site(const char *key, const char *conf,
                        const char *const *env)
{
    fx *f = new_site(group_store, key, conf);

    fx_expect_log(f, FX_OUTAGE_LOG);
    ctl_ok(CTL_RUN_ON(f, OWNER, spec(f, group_store, key), "on", "--message",
                      "Never read"));
    awsenv_start(f, env);
    return f;
}

/* Nothing was ever read: MaintenanceFailMode open serves the site. */
static void test_wrong_secret_fail_open(void **state)
{
    (void)state;
    fx *f = refused_site("refused-open",
                         FX_ENV_HEADERS "MaintenanceFailMode open\n", WRONG);

    FX_ASSERT_SERVED(fx_get(f, "/"));
    assert_outage_logged_once(f, "SignatureDoesNotMatch");
    FX_ASSERT_SERVED(fx_get(f, "/"));
}

/* ...and closed answers as in maintenance, without the unread message. */
static void test_wrong_secret_fail_closed(void **state)
{
    (void)state;
    fx *f = refused_site("refused-closed",
                         FX_ENV_HEADERS "MaintenanceFailMode closed\n", WRONG);

    fx_res *r = fx_get(f, "/");
    FX_ASSERT_BLOCKED(r, 503);
    FX_ASSERT_HEADER(r, "X-Message", NULL);
    assert_outage_logged_once(f, "SignatureDoesNotMatch");
    FX_ASSERT_BLOCKED(fx_get(f, "/"), 503);
}

static void test_unknown_key_id(void **state)
{
    (void)state;
    fx *f = refused_site("refused-key",
                         FX_ENV_HEADERS "MaintenanceFailMode closed\n",
                         STRANGER);

    FX_ASSERT_BLOCKED(fx_get(f, "/"), 503);
    assert_outage_logged_once(f, "InvalidAccessKeyId");
}

/* A missing object is off, but a missing bucket is a mistake. */
static void test_missing_bucket_is_an_error(void **state)
{
    (void)state;
    fx *f = new_site(group_store, NULL, FX_ENV_HEADERS
                     "MaintenanceState s3:http://127.0.0.1:${S3PORT}/"
                     "no-such-bucket/state\n"
                     "MaintenanceFailMode closed\n");

    fx_expect_log(f, FX_OUTAGE_LOG);
    awsenv_start(f, OWNER);
    FX_ASSERT_BLOCKED(fx_get(f, "/"), 503);
    assert_outage_logged_once(f, "NoSuchBucket");
}

/* maintenancectl refused: exit 1, the S3 error code, no secret, and the
 * object unchanged. */
static void test_cli_refused(void **state)
{
    (void)state;
    fx *f = new_site(group_store, "cli-refused", "");
    const char *s = spec(f, group_store, "cli-refused");

    ctl_ok(CTL_RUN_ON(f, OWNER, s, "on", "--message", "Before"));
    refused_no_secret(CTL_RUN_ON(f, WRONG, s, "status"),
                      "SignatureDoesNotMatch");
    refused_no_secret(CTL_RUN_ON(f, WRONG, s, "off"), "SignatureDoesNotMatch");
    refused_no_secret(CTL_RUN_ON(f, STRANGER, s, "off"),
                      "InvalidAccessKeyId");
    assert_string_equal(state_via_ctl(f, group_store, "cli-refused"), "on");
}

/* maintenancectl without credentials says how to give it some: its
 * environment or MAINTENANCE_S3_CREDENTIALS, not httpd's directive. */
static void test_cli_without_credentials(void **state)
{
    (void)state;
    fx *f = new_site(group_store, "cli-nobody", "");
    ctl_res r = CTL_RUN_ON(f, NOBODY, spec(f, group_store, "cli-nobody"),
                           "status");

    refused_no_secret(r, "AWS_SECRET_ACCESS_KEY");
    refused_no_secret(r, "MAINTENANCE_S3_CREDENTIALS");
}

/* --- load ---------------------------------------------------------------- */

/* Pages never read the store; the refresher does, once per TTL. One child
 * process (the fixture's), so ~4 reads in ~2 s: the bound is generous. */
static void test_reads_bounded_by_ttl(void **state)
{
    (void)state;
    fx *f = new_site(group_store, "load",
                     FX_ENV_HEADERS "MaintenanceStateTTL 0.5\n");
    enum { PAGES = 100, PAUSE_MS = 20, MAX_READS = 10 };

    awsenv_start(f, OWNER);
    long before = s3store_count(group_store, "GET");
    for (int i = 0; i < PAGES; i++) {
        FX_ASSERT_SERVED(fx_get(f, "/"));
        fx_sleep_ms(PAUSE_MS);
    }
    long reads = s3store_count(group_store, "GET") - before;
    if (reads < 1 || reads > MAX_READS) {
        fail_msg("%d pages over about %d ms made %ld store reads; expected "
                 "1 to %d at MaintenanceStateTTL 0.5", PAGES,
                 PAGES * PAUSE_MS, reads, MAX_READS);
    }
}

/* --- signed payloads ---------------------------------------------------- */

#define SIGNED_BODY   "on\nmessage=Signed payload\n"
#define SIGNED_SHA256 \
    "fb215b94b2ca19c43c0c49cc2e6ecf0d9eec4789ca4f57d24075a498f040d439"
#define OFF_SHA256 \
    "b470b84cf0cd3189e10615bffea7d5cbd9f61134ba1c2cfd513ddd45b776a5f6"

/* PUT SIGNED_BODY as the object key, signed by libcurl with the store's
 * key and with x-amz-content-sha256: declared; the answer's status, its
 * body in a. */
static long signed_put(const s3store *st, const char *key,
                       const char *declared, srv_body *a)
{
    char url[256], header[128];
    struct curl_slist *headers = NULL;
    CURL *c = curl_easy_init();
    long status = 0;
    CURLcode rc;

    snprintf(url, sizeof(url), "http://127.0.0.1:%d/" BUCKET "/%s",
             s3store_port(st), key);
    snprintf(header, sizeof(header), "x-amz-content-sha256: %s", declared);
    headers = curl_slist_append(headers, header);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT");
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, SIGNED_BODY);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_AWS_SIGV4, "aws:amz:us-east-1:s3");
    curl_easy_setopt(c, CURLOPT_USERPWD, KEY_ID ":" SECRET);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    a->len = 0;
    a->text[0] = '\0';
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, srv_body_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
    rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK) {
        fail_msg("PUT %s: %s", url, curl_easy_strerror(rc));
    }
    return status;
}

/* The store takes a body whose SHA-256 is the one signed, and refuses one
 * whose signed SHA-256 is another's, as S3 does: what was signed must be
 * what came. */
static void test_payload_hash_checked(void **state)
{
    (void)state;
    fx *f = new_site(group_store, "payload", "");
    char text[2048];
    srv_body a = { text, sizeof(text), 0 };

    assert_int_equal(signed_put(group_store, "payload", SIGNED_SHA256, &a),
                     200);
    assert_string_equal(state_via_ctl(f, group_store, "payload"), "on");
    assert_int_equal(signed_put(group_store, "payload", OFF_SHA256, &a), 400);
    FX_ASSERT_CONTAINS("the store's answer", a.text,
                       "XAmzContentSHA256Mismatch");
}

/* An unsigned payload is refused (stricter than S3, on purpose): every
 * PUT the module and maintenancectl make in these tests is signed with
 * its body's SHA-256. */
static void test_payload_must_be_signed(void **state)
{
    (void)state;
    char text[2048];
    srv_body a = { text, sizeof(text), 0 };

    assert_int_equal(signed_put(group_store, "unsigned", "UNSIGNED-PAYLOAD",
                                &a), 403);
    FX_ASSERT_CONTAINS("the store's answer", a.text, "must be signed");
}

/* --- session tokens (the group's store wants TOKEN) ---------------------- */

static void test_token_from_environment(void **state)
{
    (void)state;
    fx *f = new_site(group_store, "token-env", FX_ENV_HEADERS);

    ctl_ok(CTL_RUN_ON(f, OWNER_WITH_TOKEN, spec(f, group_store, "token-env"),
                      "on", "--message", "Temporary credentials"));
    awsenv_start(f, OWNER_WITH_TOKEN);
    FX_ASSERT_HEADER(fx_await_status(f, "/", 503), "X-Message",
                     "Temporary credentials");
}

static void test_token_from_file(void **state)
{
    (void)state;
    fx *f = new_site(group_store, "token-file", FX_ENV_HEADERS
                     "MaintenanceS3Credentials ${TESTDIR}/aws/credentials\n");

    write_credentials(f, fx_fmt(f, "%saws_session_token = " TOKEN "\n",
                                profile(f, "default", SECRET)));
    ctl_ok(CTL_RUN_ON(f, OWNER_WITH_TOKEN, spec(f, group_store, "token-file"),
                      "on", "--message", "Token from the file"));
    awsenv_start(f, NOBODY);
    FX_ASSERT_HEADER(fx_await_status(f, "/", 503), "X-Message",
                     "Token from the file");
}

static void test_token_missing(void **state)
{
    (void)state;
    fx *f = new_site(group_store, "token-missing",
                     FX_ENV_HEADERS "MaintenanceFailMode closed\n");
    const char *s = spec(f, group_store, "token-missing");

    fx_expect_log(f, FX_OUTAGE_LOG);
    ctl_ok(CTL_RUN_ON(f, OWNER_WITH_TOKEN, s, "on", "--message",
                      "Never read"));
    refused_no_secret(CTL_RUN_ON(f, OWNER, s, "status"), "InvalidToken");
    awsenv_start(f, OWNER);
    FX_ASSERT_BLOCKED(fx_get(f, "/"), 503);
    assert_outage_logged_once(f, "InvalidToken");
}

/* --- the signing region (the group's store wants REGION) ----------------- */

static void test_region_directive(void **state)
{
    (void)state;
    fx *f = new_site(group_store, "region", FX_ENV_HEADERS
                     "MaintenanceS3Region " REGION "\n");
    const char *s = spec(f, group_store, "region");

    awsenv_start(f, OWNER);
    ctl_ok(CTL_RUN_ON(f, OWNER_IN_REGION, s, "on", "--message", "Signed for "
                      REGION));
    FX_ASSERT_HEADER(fx_await_status(f, "/", 503), "X-Message",
                     "Signed for " REGION);
    ctl_ok(CTL_RUN_ON(f, OWNER_IN_REGION, s, "off"));
    FX_ASSERT_SERVED(fx_await_status(f, "/", 200));
}

/* The same as an option of the spec, in httpd.conf and on the command
 * line alike; and a credentials file and profile the same way. */
static void test_region_and_credentials_options(void **state)
{
    (void)state;
    fx *f = new_site(group_store, NULL, FX_ENV_HEADERS
                     "MaintenanceState s3:http://127.0.0.1:${S3PORT}/" BUCKET
                     "/region-option region=" REGION "\n");
    const char *s = fx_fmt(f, "%s region=%s", spec(f, group_store,
                                                   "region-option"), REGION);
    const char *file = fx_fmt(f, "%s credentials=%s/aws/credentials "
                              "profile=other", s, fx_dir(f));

    awsenv_start(f, OWNER);
    ctl_ok(CTL_RUN_ON(f, OWNER, s, "on", "--message", "Region as an option"));
    FX_ASSERT_HEADER(fx_await_status(f, "/", 503), "X-Message",
                     "Region as an option");
    write_credentials(f, fx_fmt(f, "%s%s", profile(f, "default", WRONG_SECRET),
                                profile(f, "other", SECRET)));
    ctl_ok(CTL_RUN_ON(f, NULL, file, "off"));
    FX_ASSERT_SERVED(fx_await_status(f, "/", 200));
    ctl_refused(CTL_RUN_ON(f, NULL, fx_fmt(f, "%s colour=blue", s), "status"),
                "colour");
}

/* Without it, a loopback host means us-east-1, which this store refuses. */
static void test_region_default_refused(void **state)
{
    (void)state;
    fx *f = new_site(group_store, "region-default", FX_ENV_HEADERS);
    const char *s = spec(f, group_store, "region-default");

    fx_expect_log(f, FX_OUTAGE_LOG);
    ctl_ok(CTL_RUN_ON(f, OWNER_IN_REGION, s, "on", "--message", "Never read"));
    refused_no_secret(CTL_RUN_ON(f, OWNER, s, "status"),
                      "AuthorizationHeaderMalformed");
    awsenv_start(f, OWNER);
    FX_ASSERT_SERVED(fx_get(f, "/"));
    assert_outage_logged_once(f, "AuthorizationHeaderMalformed");
}

/* --- a store of the test's own: outages ---------------------------------- */

/* A site on the test's own store, whose object says on with message
 * "Kept", read once; conf says when its calls give up. */
static fx *kept_site_with(const char *conf)
{
    fx *f;

    test_store = s3store_start(&PLAIN);
    f = new_site(test_store, "state", conf);
    fx_expect_log(f, FX_OUTAGE_LOG);
    ctl_ok(CTL_RUN_ON(f, OWNER, spec(f, test_store, "state"), "on",
                      "--message", "Kept"));
    awsenv_start(f, OWNER);
    FX_ASSERT_HEADER(fx_await_status(f, "/", 503), "X-Message", "Kept");
    return f;
}

/* ...whose calls give up after 0.2 s. */
static fx *kept_site(void)
{
    return kept_site_with(FX_ENV_HEADERS "MaintenanceStateTimeout 0.2\n");
}

/* Back from an outage: readable again (logged once), and changes seen. */
static void check_recovery(fx *f)
{
    ctl_ok(CTL_RUN_ON(f, OWNER, spec(f, test_store, "state"), "off"));
    FX_ASSERT_SERVED(fx_await_status(f, "/", 200));
    FX_ASSERT_LOG_COUNT(f, FX_RECOVERY_LOG, 1);
}

static void test_store_goes_away_and_comes_back(void **state)
{
    (void)state;
    fx *f = kept_site();

    s3store_stop(test_store);
    for (int i = 0; i < 5; i++) {
        assert_quick_blocked(f, "Kept");
    }
    fx_sleep_ms(MANY_READS_MS);
    assert_quick_blocked(f, "Kept");
    FX_ASSERT_LOG_COUNT(f, FX_OUTAGE_LOG, 1);
    assert_no_secret_logged(f);

    s3store_restart(test_store);
    check_recovery(f);
    FX_ASSERT_LOG_COUNT(f, FX_OUTAGE_LOG, 1);
}

/* A store that accepts connections and never answers: every read times
 * out after MaintenanceStateTimeout, and no page waits for one. */
static void test_store_frozen(void **state)
{
    (void)state;
    fx *f = kept_site();

    s3store_freeze(test_store);
    for (int i = 0; i < 5; i++) {
        assert_quick_blocked(f, "Kept");
    }
    fx_sleep_ms(2 * MANY_READS_MS);   /* several timed-out reads */
    assert_quick_blocked(f, "Kept");
    FX_ASSERT_LOG_COUNT(f, FX_OUTAGE_LOG, 1);

    s3store_thaw(test_store);
    check_recovery(f);
    FX_ASSERT_LOG_COUNT(f, FX_OUTAGE_LOG, 1);
}

/* The key's secret is rotated under a running site: the last state stays
 * in force, the refusal is logged once; with the site's secret good
 * again, the state is read again. */
static void test_key_rotated_keeps_last_state(void **state)
{
    (void)state;
    fx *f = kept_site();

    s3store_set_secret(test_store, WRONG_SECRET);
    for (int i = 0; i < 3; i++) {
        assert_quick_blocked(f, "Kept");
    }
    assert_outage_logged_once(f, "SignatureDoesNotMatch");
    assert_quick_blocked(f, "Kept");

    s3store_set_secret(test_store, SECRET);
    check_recovery(f);
    FX_ASSERT_LOG_COUNT(f, FX_OUTAGE_LOG, 1);
}

/* No store when httpd starts: MaintenanceFailMode closed, logged once;
 * then the store comes up and its (missing: off) state is read. */
static void test_store_down_at_start(void **state)
{
    (void)state;
    fx *f;

    /* The store's port is taken while httpd's is chosen, so they differ. */
    test_store = s3store_start(&PLAIN);
    f = new_site(test_store, "state", FX_ENV_HEADERS
                 "MaintenanceStateTimeout 0.2\nMaintenanceFailMode closed\n");
    s3store_stop(test_store);
    fx_expect_log(f, FX_OUTAGE_LOG);
    awsenv_start(f, OWNER);
    assert_quick_blocked(f, "");
    fx_sleep_ms(MANY_READS_MS);
    FX_ASSERT_LOG_COUNT(f, FX_OUTAGE_LOG, 1);

    s3store_restart(test_store);
    FX_ASSERT_SERVED(fx_await_status(f, "/", 200));
    FX_ASSERT_LOG_COUNT(f, FX_RECOVERY_LOG, 1);
}

/* --- a store that throttles: 503 SlowDown -------------------------------- */

/* ...whose reads may take 5 s (never timing out on a loaded machine), so
 * that what it logs is the store's answer alone. */
static fx *patient_kept_site(void)
{
    return kept_site_with(FX_ENV_HEADERS "MaintenanceStateTimeout 5\n");
}

/* Pages within FX_QUICK_S, answering as in maintenance with "Kept", for
 * ms. */
static void keep_blocked(fx *f, long ms)
{
    long until = fx_now_ms() + ms;

    while (fx_now_ms() < until) {
        assert_quick_blocked(f, "Kept");
        fx_sleep_ms(250);
    }
}

/* After the store stops throttling: the site reads it again, within the
 * backoff (at most 60 s; a few here). */
static void check_recovers_from_slowdown(fx *f)
{
    s3store_slowdown_off(test_store);
    ctl_ok(CTL_RUN_ON(f, OWNER, spec(f, test_store, "state"), "off"));
    for (int i = 0; i < 4 && fx_get(f, "/")->status != 200; i++) {
        fx_await_status(f, "/", 200);
    }
    FX_ASSERT_SERVED(fx_get(f, "/"));
    FX_ASSERT_LOG_COUNT(f, FX_OUTAGE_LOG, 1);
    FX_ASSERT_LOG_COUNT(f, FX_RECOVERY_LOG, 1);
    assert_no_secret_logged(f);
}

/* The store answering 503 SlowDown (with Retry-After: retry_after, 0:
 * none) for 4 s: the site rides it out on its last state, within
 * FX_QUICK_S, reading the store 1 to max_reads times, and says once,
 * with says, that it waits; then check_recovers_from_slowdown. */
static void check_slowdown(int retry_after, long max_reads, const char *says)
{
    fx *f = patient_kept_site();

    s3store_slowdown(test_store, retry_after);
    keep_blocked(f, 4000);
    assert_in_range(s3store_count(test_store, "slowdown"), 1, max_reads);
    FX_ASSERT_LOG_COUNT(f, FX_OUTAGE_LOG, 1);
    FX_ASSERT_LOG_COUNT(f, says, 1);
    check_recovers_from_slowdown(f);
}

/* S3 throttles a prefix past ~5,500 GETs a second with 503 SlowDown: an
 * outage the site rides out on its last state, logged once, backing off
 * (1 s, 2 s, 4 s...) rather than reading every TTL, until a read works:
 * at MaintenanceStateTTL 0.05, some 80 reads; backed off, 3. The line is
 * the outage's, not the debug lines of the reads after it. */
static void test_slowdown_backs_off(void **state)
{
    (void)state;
    check_slowdown(0, 4, "HTTP 503 SlowDown (credentials from the "
                   "environment); no request for 1 s");
}

/* A Retry-After beyond the backoff is waited for: 1 s, then 2 s would
 * make 3 reads in 4 s; 5 s makes 1. */
static void test_slowdown_retry_after(void **state)
{
    (void)state;
    check_slowdown(5, 2, "no request for 5 s");
}

/* --- configtest ---------------------------------------------------------- */

/* configtest of conf, with env, fails naming each of needles
 * (NULL-terminated). */
static void check_refused_config(const char *conf, const char *const *env,
                                 const char *const *needles)
{
    fx *f = fx_new(conf);

    /* For the cases that name it. */
    write_credentials(f, profile(f, "default", SECRET));
    awsenv_apply(env);
    fx_assert_config_refused(f, needles, __FILE__, __LINE__);
    awsenv_apply(NULL);
}

#define REFUSED_CONFIG(conf, env, ...) \
    check_refused_config((conf), (env), (const char *const[]){ __VA_ARGS__, \
                                                               NULL })

/* The counterpart of the refusals: a good spec with credentials passes. */
static void test_config_good(void **state)
{
    (void)state;
    fx *f = fx_new("MaintenanceState s3:http://127.0.0.1:9/" BUCKET "/k\n");

    awsenv_apply(OWNER);
    FX_ASSERT_CONFIG_OK(f);
    awsenv_apply(NULL);
}

static void test_config_not_http(void **state)
{
    (void)state;
    REFUSED_CONFIG("MaintenanceState s3:ftp://x/b/k\n", OWNER,
                   "MaintenanceState", "s3:ftp://x/b/k");
}

static void test_config_no_bucket(void **state)
{
    (void)state;
    REFUSED_CONFIG("MaintenanceState s3:http://127.0.0.1:1\n", OWNER,
                   "MaintenanceState", "s3:http://127.0.0.1:1");
}

/* On an address, the URL cannot be virtual-hosted: /BUCKET alone has no
 * key, and /BUCKET/ an empty one. */
static void test_config_no_key(void **state)
{
    (void)state;
    REFUSED_CONFIG("MaintenanceState s3:http://127.0.0.1:9/" BUCKET "\n",
                   OWNER, "MaintenanceState", "s3:http://127.0.0.1:9/" BUCKET);
}

static void test_config_empty_key(void **state)
{
    (void)state;
    REFUSED_CONFIG("MaintenanceState s3:http://127.0.0.1:9/" BUCKET "/\n",
                   OWNER, "MaintenanceState");
}

static void test_config_no_credentials(void **state)
{
    (void)state;
    static const char *const half[] = { "AWS_ACCESS_KEY_ID=" KEY_ID, NULL };

    REFUSED_CONFIG("MaintenanceState s3:http://127.0.0.1:9/" BUCKET "/k\n",
                   NOBODY, "MaintenanceState", "credentials");
    REFUSED_CONFIG("MaintenanceState s3:http://127.0.0.1:9/" BUCKET "/k\n",
                   half, "MaintenanceState", "credentials");
}

static void test_config_credentials_file_missing(void **state)
{
    (void)state;
    REFUSED_CONFIG("MaintenanceState s3:http://127.0.0.1:9/" BUCKET "/k\n"
                   "MaintenanceS3Credentials /nonexistent/aws-credentials\n",
                   OWNER, "MaintenanceS3Credentials",
                   "/nonexistent/aws-credentials");
}

/* A profile the file lacks is a bad value of MaintenanceS3Credentials. */
static void test_config_profile_missing(void **state)
{
    (void)state;
    REFUSED_CONFIG("MaintenanceState s3:http://127.0.0.1:9/" BUCKET "/k\n"
                   "MaintenanceS3Credentials ${TESTDIR}/aws/credentials "
                   "nosuch\n", OWNER, "MaintenanceS3Credentials", "nosuch");
}

int main(void)
{
    const struct CMUnitTest plain[] = {
        S3_TEST(test_missing_object_is_off),
        S3_TEST(test_cli_turns_site_on_and_off),
        S3_TEST(test_toggle_writes_what_cli_reads),
        S3_TEST(test_virtual_hosted_url),
        S3_TEST(test_nested_escaped_key),
        S3_TEST(test_reserved_characters_in_key),
        S3_TEST(test_django_values),
        S3_TEST(test_bad_object_keeps_last_state),
        S3_TEST(test_credentials_file_default_profile),
        S3_TEST(test_credentials_file_named_profile),
        S3_TEST(test_credentials_file_profile_section),
        S3_TEST(test_wrong_secret_fail_open),
        S3_TEST(test_wrong_secret_fail_closed),
        S3_TEST(test_unknown_key_id),
        S3_TEST(test_missing_bucket_is_an_error),
        S3_TEST(test_cli_refused),
        S3_TEST(test_cli_without_credentials),
        S3_TEST(test_reads_bounded_by_ttl),
        S3_TEST(test_payload_hash_checked),
        S3_TEST(test_payload_must_be_signed),
    };
    const struct CMUnitTest token[] = {
        S3_TEST(test_token_from_environment),
        S3_TEST(test_token_from_file),
        S3_TEST(test_token_missing),
    };
    const struct CMUnitTest region[] = {
        S3_TEST(test_region_directive),
        S3_TEST(test_region_and_credentials_options),
        S3_TEST(test_region_default_refused),
    };
    const struct CMUnitTest own[] = {
        S3_TEST(test_store_goes_away_and_comes_back),
        S3_TEST(test_store_frozen),
        S3_TEST(test_key_rotated_keeps_last_state),
        S3_TEST(test_store_down_at_start),
        S3_TEST(test_slowdown_backs_off),
        S3_TEST(test_slowdown_retry_after),
    };
    const struct CMUnitTest config[] = {
        S3_TEST(test_config_good),
        S3_TEST(test_config_not_http),
        S3_TEST(test_config_no_bucket),
        S3_TEST(test_config_no_key),
        S3_TEST(test_config_empty_key),
        S3_TEST(test_config_no_credentials),
        S3_TEST(test_config_credentials_file_missing),
        S3_TEST(test_config_profile_missing),
    };
    int failed = 0;

    awsenv_init();
    failed += cmocka_run_group_tests_name("s3", plain, plain_setup,
                                          store_teardown);
    failed += cmocka_run_group_tests_name("s3, session token", token,
                                          token_setup, store_teardown);
    failed += cmocka_run_group_tests_name("s3, signing region", region,
                                          region_setup, store_teardown);
    failed += cmocka_run_group_tests_name("s3, a store each", own, NULL,
                                          NULL);
    failed += cmocka_run_group_tests_name("s3, configtest", config, NULL,
                                          NULL);
    return failed;
}
