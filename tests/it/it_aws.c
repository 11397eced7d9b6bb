/* The s3: provider's credential chain, against AWS's credentials services
 * faked on loopback (tests/s3/fake-aws.mjs, driven through fakeaws.h) and
 * the local S3 store, which takes the credentials they hand out until
 * each expires (tests/s3/front.mjs): a web identity token exchanged with
 * STS (EKS), the container credentials service (ECS, EKS Pod Identity)
 * and the instance metadata service, IMDSv2 only (EC2), each with httpd
 * and with maintenancectl; which source wins when several are there;
 * refusals and outages of a source, logged once and by name; temporary
 * credentials renewed before they expire, across several expiries; a
 * changed credentials file read again; and never a secret, a token or a
 * key in the error log.
 *
 * No request here leaves the machine: every test's environment turns the
 * real instance metadata service off (AWS_EC2_METADATA_DISABLED=true)
 * unless it points it at the fake. */
#include "awsenv.h"
#include "ctl.h"
#include "fakeaws.h"
#include "fixture.h"
#include "s3store.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUCKET          "mm-aws"
#define KEY_ID          "AKIDMMAWSCHAIN000001"
#define STRANGER_KEY_ID "AKIDMMAWSNOBODY00000"
/* Distinctive, so that a log line quoting one is found. */
#define SECRET          "mmAwsSecret/4kQ+Zx8Lp2Wv6Tn0Rb3Yc7Jd5Fg9Hs1"
#define WRONG_SECRET    "mmAwsWrong/8uI+Op3As6Df9Gh2Jk5Lz1Xc4Vb7Nm0"
#define ROLE_ARN        "arn:aws:iam::123456789012:role/mm-state-reader"
#define OTHER_ROLE_ARN  "arn:aws:iam::123456789012:role/not-this-one"
#define WEB_TOKEN       "eyJhbGciOiJSUzI1NiJ9.mmWebIdentityToken7f3a.mmSig9c2e"
#define CONTAINER_TOKEN "mmContainerAuthToken-5b8d1e"
#define WRONG_TOKEN     "mmContainerWrongToken-0000"
/* What fake-aws.mjs's session tokens and IMDS tokens start with. */
#define ISSUED_TOKEN    "mmFake/"
#define IMDS_TOKEN      "mmImds"
/* Credentials that live long enough for a test, and ones that expire
 * several times during one. */
#define LIFETIME_S      60
#define SHORT_LIFETIME_S 6
#define SESSION_NAME    "mm-test-session"

static const s3store_opts STORE = { BUCKET, KEY_ID, SECRET, NULL, NULL };

static fakeaws *aws;            /* the group's fake services */
static s3store *store;          /* the group's store, taking what aws issues */
static char token_dir[64];      /* the web identity token file's directory */

/* --- environment --------------------------------------------------------- */

/* An environment being built: NAME=value entries, NULL-terminated. */
typedef struct {
    const char *v[24];
    int n;
} env_list;

static void env_add(env_list *e, const char *entry)
{
    assert_true(e->n < (int)(sizeof(e->v) / sizeof(*e->v)) - 1);
    e->v[e->n++] = entry;
    e->v[e->n] = NULL;
}

static void add_static(fx *f, env_list *e, const char *id)
{
    env_add(e, fx_fmt(f, "AWS_ACCESS_KEY_ID=%s", id));
    env_add(e, "AWS_SECRET_ACCESS_KEY=" SECRET);
}

static void add_web_identity(fx *f, env_list *e, const char *role)
{
    env_add(e, fx_fmt(f, "AWS_WEB_IDENTITY_TOKEN_FILE=%s/token", token_dir));
    env_add(e, fx_fmt(f, "AWS_ROLE_ARN=%s", role));
    env_add(e, fx_fmt(f, "AWS_ENDPOINT_URL_STS=%s", fakeaws_url(aws, "/")));
}

static void add_container(fx *f, env_list *e, const char *token)
{
    env_add(e, fx_fmt(f, "AWS_CONTAINER_CREDENTIALS_FULL_URI=%s",
                      fakeaws_url(aws, "/container/credentials")));
    if (token) {
        env_add(e, fx_fmt(f, "AWS_CONTAINER_AUTHORIZATION_TOKEN=%s", token));
    }
}

static void add_imds(fx *f, env_list *e)
{
    env_add(e, fx_fmt(f, "AWS_EC2_METADATA_SERVICE_ENDPOINT=%s",
                      fakeaws_url(aws, "")));
    env_add(e, "AWS_EC2_METADATA_DISABLED=false");
}

/* --- sites --------------------------------------------------------------- */

/* A site whose state is the object key of the store's bucket. Its reads
 * may take 5 s: on a loaded machine (make test -j, two cores), a read that
 * times out would be an outage no test here is about. */
static fx *new_site(const char *key, const char *conf)
{
    fx *f = fx_new_fmt("MaintenanceState s3:http://127.0.0.1:%d/" BUCKET
                       "/%s\nMaintenanceStateTimeout 5\n%s%s",
                       s3store_port(store), key, FX_ENV_HEADERS, conf);

    fx_write(f, "htdocs/index.html", "front page\n");
    return f;
}

static const char *spec(fx *f, const char *key)
{
    return fx_fmt(f, "s3:http://127.0.0.1:%d/" BUCKET "/%s",
                  s3store_port(store), key);
}

/* GET / every 50 ms until X-Message says message, for at most ms. */
static void await_message(fx *f, const char *message, long ms)
{
    const char *got = NULL;
    long until = fx_now_ms() + ms;

    do {
        fx_res *r = fx_get(f, "/");
        got = fx_header(r, "X-Message");
        if (got && !strcmp(got, message)) {
            return;
        }
        fx_sleep_ms(50);
    } while (fx_now_ms() < until);
    fail_msg("X-Message \"%s\" not seen within %ld ms; last \"%s\"", message,
             ms, got ? got : "(none)");
}

/* The object says on with message; the site, started with env, shows it:
 * it signs with what the chain gave it. */
static void check_site_reads(fx *f, const char *key, const char *message)
{
    s3store_put(store, key, fx_fmt(f, "on\nmessage=%s\n", message));
    await_message(f, message, FX_AWAIT_MS);
}

/* maintenancectl with env turns the object off and reads it back. */
static void check_ctl_works(fx *f, const env_list *e, const char *key)
{
    const char *out;

    ctl_ok(CTL_RUN_ON(f, e->v, spec(f, key), "off"));
    FX_ASSERT_SERVED(fx_await_status(f, "/", 200));
    out = ctl_ok(CTL_RUN_ON(f, e->v, spec(f, key), "on", "--message",
                            "From maintenancectl"));
    assert_string_equal(ctl_field(f, out, "message"), "From maintenancectl");
    await_message(f, "From maintenancectl", FX_AWAIT_MS);
}

/* --- secrets ------------------------------------------------------------- */

/* None of the secrets and tokens of this file, nor any the fake issued,
 * is in text. Returns the first found, or NULL. */
static const char *secret_in(const char *text)
{
    static const char *const fixed[] = {
        SECRET, WRONG_SECRET, WEB_TOKEN, CONTAINER_TOKEN, WRONG_TOKEN,
        ISSUED_TOKEN, IMDS_TOKEN,
    };
    static char found[512];
    json_error_t err;
    json_t *keys, *k;
    size_t i;

    for (i = 0; i < sizeof(fixed) / sizeof(*fixed); i++) {
        if (strstr(text, fixed[i])) {
            return fixed[i];
        }
    }
    if (!(keys = json_load_file(fakeaws_keys_file(aws), 0, &err))) {
        fail_msg("%s: %s", fakeaws_keys_file(aws), err.text);
    }
    json_array_foreach(keys, i, k) {
        const char *secret = json_string_value(json_object_get(k, "secret"));
        if (secret && strstr(text, secret)) {
            snprintf(found, sizeof(found), "%s", secret);
            json_decref(keys);
            return found;
        }
    }
    json_decref(keys);
    return NULL;
}

static void assert_no_secret_logged(fx *f)
{
    const char *log = fx_read(f, "logs/error.log");
    const char *found = secret_in(log);

    if (found) {
        fail_msg("the error log holds a secret (%s):\n%s", found, log);
    }
}

/* maintenancectl refused: exit 1, a message naming needle, no secret. */
static void refused_no_secret(ctl_res r, const char *needle)
{
    if (r.rc != 1 || !strstr(r.err, needle) || secret_in(r.err)
        || secret_in(r.out)) {
        fail_msg("maintenancectl: exit %d, expected 1 with a message naming "
                 "\"%s\" and no secret\n--- stdout\n%s--- stderr\n%s", r.rc,
                 needle, r.out, r.err);
    }
}

/* --- per test and group -------------------------------------------------- */

static int test_end(void **state)
{
    int rc = fx_test_end(state);

    /* A test that failed half-way leaves the fake failing. */
    if (aws) {
        fakeaws_fail(aws, 0);
    }
    return rc;
}

#define AWS_TEST(t) cmocka_unit_test_setup_teardown(t, fx_test_begin, test_end)

/* The fake services, their credentials living lifetime_s, the store that
 * takes them, and the web identity token file (read by httpd's User). */
static int start_services(int lifetime_s)
{
    char path[128];
    FILE *fp;

    snprintf(token_dir, sizeof(token_dir), "/tmp/mm-aws-token.XXXXXX");
    if (!mkdtemp(token_dir) || chmod(token_dir, 0755) != 0) {
        fail_msg("mkdtemp: %s", strerror(errno));
    }
    snprintf(path, sizeof(path), "%s/token", token_dir);
    if (!(fp = fopen(path, "w")) || fputs(WEB_TOKEN "\n", fp) < 0
        || fclose(fp) != 0 || chmod(path, 0644) != 0) {
        fail_msg("%s: %s", path, strerror(errno));
    }
    {
        static char token_file[128];
        fakeaws_opts o = { 0 };

        snprintf(token_file, sizeof(token_file), "%s", path);
        o.lifetime_s = lifetime_s;
        o.role_arn = ROLE_ARN;
        o.web_token_file = token_file;
        o.container_token = CONTAINER_TOKEN;
        aws = fakeaws_start(&o);
    }
    store = s3store_start_with_keys(&STORE, fakeaws_keys_file(aws));
    return 0;
}

static int chain_setup(void **state)
{
    (void)state;
    return start_services(LIFETIME_S);
}

static int short_setup(void **state)
{
    (void)state;
    return start_services(SHORT_LIFETIME_S);
}

static int services_teardown(void **state)
{
    char path[128];

    (void)state;
    s3store_free(store);
    store = NULL;
    fakeaws_free(aws);
    aws = NULL;
    snprintf(path, sizeof(path), "%s/token", token_dir);
    unlink(path);
    rmdir(token_dir);
    return 0;
}

/* --- web identity (EKS) -------------------------------------------------- */

static void test_web_identity(void **state)
{
    (void)state;
    fx *f = new_site("web", "");
    env_list e = { { NULL }, 0 };
    long sts = fakeaws_count(aws, "sts");
    long refused = s3store_count(store, "refused");

    add_web_identity(f, &e, ROLE_ARN);
    awsenv_start(f, e.v);
    check_site_reads(f, "web", "Signed with a web identity");
    assert_true(fakeaws_count(aws, "sts") > sts);
    /* A session name of its own, valid for STS. */
    FX_ASSERT_CONTAINS("RoleSessionName", fakeaws_last(aws, "RoleSessionName"),
                       "mod_maintenance-");
    check_ctl_works(f, &e, "web");
    assert_int_equal(s3store_count(store, "refused") - refused, 0);
    assert_no_secret_logged(f);
}

static void test_web_identity_session_name(void **state)
{
    (void)state;
    fx *f = new_site("web-name", "");
    env_list e = { { NULL }, 0 };

    add_web_identity(f, &e, ROLE_ARN);
    env_add(&e, "AWS_ROLE_SESSION_NAME=" SESSION_NAME);
    awsenv_start(f, e.v);
    check_site_reads(f, "web-name", "Named session");
    assert_string_equal(fakeaws_last(aws, "RoleSessionName"), SESSION_NAME);
}

/* STS refuses the role: the outage names the source and STS's error, once;
 * maintenancectl says the same; no token anywhere. */
static void test_web_identity_refused(void **state)
{
    (void)state;
    fx *f = new_site("web-refused", "MaintenanceFailMode closed\n");
    env_list e = { { NULL }, 0 };

    add_web_identity(f, &e, OTHER_ROLE_ARN);
    s3store_put(store, "web-refused", "off\n");
    fx_expect_log(f, FX_OUTAGE_LOG);
    awsenv_start(f, e.v);
    FX_ASSERT_BLOCKED(fx_get(f, "/"), 503);
    fx_sleep_ms(2 * FX_SETTLE_MS);
    FX_ASSERT_LOG_COUNT(f, FX_OUTAGE_LOG, 1);
    FX_ASSERT_LOG_COUNT(f, "web identity: STS answered HTTP 403 AccessDenied",
                        1);
    refused_no_secret(CTL_RUN_ON(f, e.v, spec(f, "web-refused"), "status"),
                      "AccessDenied");
    assert_no_secret_logged(f);
}

/* --- container credentials (ECS, EKS Pod Identity) ----------------------- */

static void test_container(void **state)
{
    (void)state;
    fx *f = new_site("container", "");
    env_list e = { { NULL }, 0 };
    long asked = fakeaws_count(aws, "container");

    add_container(f, &e, CONTAINER_TOKEN);
    awsenv_start(f, e.v);
    check_site_reads(f, "container", "Signed with container credentials");
    assert_true(fakeaws_count(aws, "container") > asked);
    assert_string_equal(fakeaws_last(aws, "Authorization"), CONTAINER_TOKEN);
    check_ctl_works(f, &e, "container");
    assert_no_secret_logged(f);
}

/* The token file (EKS Pod Identity's) wins over the variable. */
static void test_container_token_file(void **state)
{
    (void)state;
    fx *f = new_site("container-file", "");
    env_list e = { { NULL }, 0 };

    fx_write(f, "pod-identity-token", "%s\n", CONTAINER_TOKEN);
    add_container(f, &e, WRONG_TOKEN);
    env_add(&e, fx_fmt(f, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="
                       "%s/pod-identity-token", fx_dir(f)));
    awsenv_start(f, e.v);
    check_site_reads(f, "container-file", "Token from its file");
    assert_string_equal(fakeaws_last(aws, "Authorization"), CONTAINER_TOKEN);
    assert_no_secret_logged(f);
}

static void test_container_refused(void **state)
{
    (void)state;
    fx *f = new_site("container-refused", "MaintenanceFailMode closed\n");
    env_list e = { { NULL }, 0 };

    add_container(f, &e, WRONG_TOKEN);
    fx_expect_log(f, FX_OUTAGE_LOG);
    awsenv_start(f, e.v);
    FX_ASSERT_BLOCKED(fx_get(f, "/"), 503);
    fx_sleep_ms(2 * FX_SETTLE_MS);
    FX_ASSERT_LOG_COUNT(f, FX_OUTAGE_LOG, 1);
    FX_ASSERT_LOG_COUNT(f, "container credentials (127.0.0.1) answered "
                        "HTTP 401 AccessDenied", 1);
    refused_no_secret(CTL_RUN_ON(f, e.v, spec(f, "container-refused"),
                                 "status"), "HTTP 401");
    assert_no_secret_logged(f);
}

/* The service failing (500): an outage, logged once, with few requests
 * (a backoff); the site reads again once it works. */
static void test_container_outage(void **state)
{
    (void)state;
    fx *f = new_site("container-down", "MaintenanceFailMode closed\n");
    env_list e = { { NULL }, 0 };
    long failed;

    add_container(f, &e, CONTAINER_TOKEN);
    s3store_put(store, "container-down", "on\nmessage=Readable again\n");
    fakeaws_fail(aws, 500);
    fx_expect_log(f, FX_OUTAGE_LOG);
    failed = fakeaws_count(aws, "failed");
    awsenv_start(f, e.v);
    FX_ASSERT_BLOCKED(fx_get(f, "/"), 503);
    fx_sleep_ms(2500);
    /* At TTL 0.05 s, some 50 reads; backed off 1 s, then 2: 2 or 3. */
    assert_in_range(fakeaws_count(aws, "failed") - failed, 1, 4);
    FX_ASSERT_LOG_COUNT(f, FX_OUTAGE_LOG, 1);
    /* The outage's line, not the debug lines of the reads after it. */
    FX_ASSERT_LOG_COUNT(f, "credentials: container credentials (127.0.0.1) "
                        "answered HTTP 500; no request for 1 s", 1);
    fakeaws_fail(aws, 0);
    await_message(f, "Readable again", 10000);
    FX_ASSERT_LOG_COUNT(f, FX_RECOVERY_LOG, 1);
    assert_no_secret_logged(f);
}

/* --- instance metadata (EC2), IMDSv2 ------------------------------------- */

static void test_imds(void **state)
{
    (void)state;
    fx *f = new_site("imds", "");
    env_list e = { { NULL }, 0 };
    long creds = fakeaws_count(aws, "imds-creds");

    add_imds(f, &e);
    awsenv_start(f, e.v);
    check_site_reads(f, "imds", "Signed with the instance's role");
    assert_true(fakeaws_count(aws, "imds-creds") > creds);
    check_ctl_works(f, &e, "imds");
    /* Never a request without the session token (IMDSv1), which the
     * fake refuses with 401; a token asked for with the SDKs' TTL. */
    assert_int_equal(fakeaws_count(aws, "refused:imds-no-token"), 0);
    assert_int_equal(fakeaws_count(aws, "refused:imds-ttl"), 0);
    assert_string_equal(fakeaws_last(aws, "ttl"), "21600");
    assert_no_secret_logged(f);
}

/* AWS_EC2_METADATA_DISABLED=true and no other source: configtest says
 * there are no credentials, and nothing asked the service. */
static void test_imds_disabled(void **state)
{
    (void)state;
    fx *f = new_site("imds-off", "");
    env_list e = { { NULL }, 0 };
    long tokens = fakeaws_count(aws, "imds-token");

    add_imds(f, &e);
    e.v[--e.n] = NULL;
    env_add(&e, "AWS_EC2_METADATA_DISABLED=TRUE");
    awsenv_apply(e.v);
    FX_ASSERT_CONFIG_REFUSED(f, "MaintenanceState", "no credentials",
                             "AWS_EC2_METADATA_DISABLED");
    awsenv_apply(NULL);
    ctl_refused(CTL_RUN_ON(f, e.v, spec(f, "imds-off"), "status"),
                "AWS_WEB_IDENTITY_TOKEN_FILE");
    assert_int_equal(fakeaws_count(aws, "imds-token"), tokens);
}

/* --- which source wins --------------------------------------------------- */

/* What the chain asked of each source since the counts c were taken. */
typedef struct {
    long sts, container, imds, key;
} counts;

static counts now_counts(void)
{
    counts c;

    c.sts = fakeaws_count(aws, "sts");
    c.container = fakeaws_count(aws, "container");
    c.imds = fakeaws_count(aws, "imds-token") + fakeaws_count(aws,
                                                              "imds-list");
    c.key = s3store_count(store, "key:" KEY_ID);
    return c;
}

/* A credentials file beats everything: the environment holds a key the
 * store does not know, and every other source is there too. */
static void test_chain_file_beats_environment(void **state)
{
    (void)state;
    fx *f = new_site("chain-file", "MaintenanceS3Credentials "
                     "${TESTDIR}/aws/credentials\n");
    env_list e = { { NULL }, 0 };
    counts before = now_counts(), after;

    fx_write(f, "aws/credentials", "[default]\naws_access_key_id = " KEY_ID
             "\naws_secret_access_key = " SECRET "\n");
    add_static(f, &e, STRANGER_KEY_ID);
    add_web_identity(f, &e, ROLE_ARN);
    add_container(f, &e, CONTAINER_TOKEN);
    add_imds(f, &e);
    awsenv_start(f, e.v);
    check_site_reads(f, "chain-file", "From the file");
    after = now_counts();
    assert_true(after.key > before.key);
    assert_int_equal(after.sts, before.sts);
    assert_int_equal(after.container, before.container);
    assert_int_equal(after.imds, before.imds);
    assert_int_equal(s3store_count(store, "key:" STRANGER_KEY_ID), 0);
}

static void test_chain_environment_beats_web_identity(void **state)
{
    (void)state;
    fx *f = new_site("chain-env", "");
    env_list e = { { NULL }, 0 };
    counts before = now_counts(), after;

    add_static(f, &e, KEY_ID);
    add_web_identity(f, &e, ROLE_ARN);
    add_container(f, &e, CONTAINER_TOKEN);
    add_imds(f, &e);
    awsenv_start(f, e.v);
    check_site_reads(f, "chain-env", "From the environment");
    check_ctl_works(f, &e, "chain-env");
    after = now_counts();
    assert_true(after.key > before.key);
    assert_int_equal(after.sts, before.sts);
    assert_int_equal(after.container, before.container);
    assert_int_equal(after.imds, before.imds);
}

static void test_chain_web_identity_beats_container(void **state)
{
    (void)state;
    fx *f = new_site("chain-web", "");
    env_list e = { { NULL }, 0 };
    counts before = now_counts(), after;

    add_web_identity(f, &e, ROLE_ARN);
    add_container(f, &e, CONTAINER_TOKEN);
    add_imds(f, &e);
    awsenv_start(f, e.v);
    check_site_reads(f, "chain-web", "From STS");
    after = now_counts();
    assert_true(after.sts > before.sts);
    assert_int_equal(after.container, before.container);
    assert_int_equal(after.imds, before.imds);
    assert_int_equal(after.key, before.key);
}

static void test_chain_container_beats_imds(void **state)
{
    (void)state;
    fx *f = new_site("chain-container", "");
    env_list e = { { NULL }, 0 };
    counts before = now_counts(), after;

    add_container(f, &e, CONTAINER_TOKEN);
    add_imds(f, &e);
    awsenv_start(f, e.v);
    check_site_reads(f, "chain-container", "From the container");
    after = now_counts();
    assert_true(after.container > before.container);
    assert_int_equal(after.imds, before.imds);
    assert_int_equal(after.sts, before.sts);
}

/* --- configtest ---------------------------------------------------------- */

static void check_refused_config(const char *const *env, const char *needle)
{
    fx *f = new_site("config", "");

    awsenv_apply(env);
    FX_ASSERT_CONFIG_REFUSED(f, "MaintenanceState", needle);
    awsenv_apply(NULL);
}

static void test_config_container_uri_not_local(void **state)
{
    (void)state;
    static const char *const env[] = {
        "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://192.0.2.10/credentials",
        NULL
    };

    check_refused_config(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
}

static void test_config_bad_session_name(void **state)
{
    (void)state;
    static const char *const env[] = {
        "AWS_WEB_IDENTITY_TOKEN_FILE=/nonexistent/token",
        "AWS_ROLE_ARN=" ROLE_ARN, "AWS_ROLE_SESSION_NAME=has blanks", NULL
    };

    check_refused_config(env, "AWS_ROLE_SESSION_NAME");
}

static void test_config_incomplete_environment(void **state)
{
    (void)state;
    static const char *const env[] = { "AWS_SECRET_ACCESS_KEY=" SECRET, NULL };
    fx *f = new_site("config", "");
    const char *out;

    awsenv_apply(env);
    assert_int_not_equal(fx_configtest(f, &out), 0);
    awsenv_apply(NULL);
    FX_ASSERT_CONTAINS("configtest", out, "AWS_ACCESS_KEY_ID");
    if (secret_in(out)) {
        fail_msg("configtest quotes a secret:\n%s", out);
    }
}

/* --- renewal ------------------------------------------------------------- */

/* Credentials that live SHORT_LIFETIME_S: the store refuses each set once
 * it expired (ExpiredToken), so a site that still reads its changes after
 * several lifetimes, with nothing refused, renewed them in time. */
static void check_renewal(fx *f, const char *key, const char *counter)
{
    enum { LIFETIMES = 3, STEP_MS = 1500 };
    long issued = fakeaws_count(aws, counter);
    long refused = s3store_count(store, "refused");
    long until = fx_now_ms() + LIFETIMES * SHORT_LIFETIME_S * 1000L + 1000;
    int i;

    for (i = 0; fx_now_ms() < until; i++) {
        check_site_reads(f, key, fx_fmt(f, "Read %d", i));
        fx_sleep_ms(STEP_MS);
    }
    if (fakeaws_count(aws, counter) - issued < LIFETIMES) {
        fail_msg("%ld credentials fetched over %d lifetimes",
                 fakeaws_count(aws, counter) - issued, LIFETIMES);
    }
    assert_int_equal(s3store_count(store, "refused") - refused, 0);
    FX_ASSERT_LOG_COUNT(f, FX_OUTAGE_LOG, 0);
    assert_no_secret_logged(f);
}

static void test_renewal_web_identity(void **state)
{
    (void)state;
    fx *f = new_site("renew-web", "");
    env_list e = { { NULL }, 0 };

    add_web_identity(f, &e, ROLE_ARN);
    awsenv_start(f, e.v);
    check_renewal(f, "renew-web", "sts");
}

static void test_renewal_imds(void **state)
{
    (void)state;
    fx *f = new_site("renew-imds", "");
    env_list e = { { NULL }, 0 };

    add_imds(f, &e);
    awsenv_start(f, e.v);
    check_renewal(f, "renew-imds", "imds-creds");
    /* One session token did for all: it lives 6 hours. */
    assert_int_equal(fakeaws_count(aws, "refused:imds-no-token"), 0);
}

/* --- a credentials file that changes ------------------------------------- */

/* Fixed while the site runs: read again within a few TTLs, without a
 * restart. */
static void test_file_changed_is_read_again(void **state)
{
    (void)state;
    fx *f = new_site("file-changed", "MaintenanceS3Credentials "
                     "${TESTDIR}/aws/credentials\nMaintenanceFailMode closed\n");

    fx_write(f, "aws/credentials", "[default]\naws_access_key_id = " KEY_ID
             "\naws_secret_access_key = " WRONG_SECRET "\n");
    s3store_put(store, "file-changed", "on\nmessage=Read with the new key\n");
    fx_expect_log(f, FX_OUTAGE_LOG);
    awsenv_start(f, NULL);
    FX_ASSERT_BLOCKED(fx_get(f, "/"), 503);
    fx_sleep_ms(FX_SETTLE_MS);
    FX_ASSERT_LOG_COUNT(f, "SignatureDoesNotMatch", 1);
    /* As a secrets manager rotates it: a new file renamed over the old. */
    fx_write(f, "aws/credentials", "[default]\naws_access_key_id = " KEY_ID
             "\naws_secret_access_key = " SECRET "\n");
    await_message(f, "Read with the new key", FX_AWAIT_MS);
    FX_ASSERT_LOG_COUNT(f, FX_RECOVERY_LOG, 1);
    assert_no_secret_logged(f);
}

/* The credentials file aws/credentials with secret, root's alone (0600)
 * from the start: written aside, then renamed over it. */
static void write_root_file(fx *f, const char *secret)
{
    const char *path = fx_fmt(f, "%s/aws/credentials", fx_dir(f));
    const char *aside = fx_fmt(f, "%s.new", path);

    fx_write(f, "aws/credentials.new", "[default]\naws_access_key_id = "
             KEY_ID "\naws_secret_access_key = %s\n", secret);
    if (chmod(aside, 0600) != 0 || rename(aside, path) != 0) {
        fail_msg("%s: %s", path, strerror(errno));
    }
}

/* Changed into one httpd's User cannot read (root's, 0600): the keys read
 * at start-up, as root, stay in use. */
static void test_file_changed_unreadable_keeps_keys(void **state)
{
    (void)state;
    fx *f = new_site("file-root", "MaintenanceS3Credentials "
                     "${TESTDIR}/aws/credentials\n");

    if (geteuid() != 0) {
        skip();
    }
    write_root_file(f, SECRET);
    awsenv_start(f, NULL);
    check_site_reads(f, "file-root", "Before the change");
    write_root_file(f, WRONG_SECRET);
    fx_sleep_ms(1500);
    check_site_reads(f, "file-root", "After the change");
    FX_ASSERT_LOG_COUNT(f, FX_OUTAGE_LOG, 0);
}

int main(void)
{
    const struct CMUnitTest chain[] = {
        AWS_TEST(test_web_identity),
        AWS_TEST(test_web_identity_session_name),
        AWS_TEST(test_web_identity_refused),
        AWS_TEST(test_container),
        AWS_TEST(test_container_token_file),
        AWS_TEST(test_container_refused),
        AWS_TEST(test_container_outage),
        AWS_TEST(test_imds),
        AWS_TEST(test_imds_disabled),
        AWS_TEST(test_chain_file_beats_environment),
        AWS_TEST(test_chain_environment_beats_web_identity),
        AWS_TEST(test_chain_web_identity_beats_container),
        AWS_TEST(test_chain_container_beats_imds),
        AWS_TEST(test_config_container_uri_not_local),
        AWS_TEST(test_config_bad_session_name),
        AWS_TEST(test_config_incomplete_environment),
        AWS_TEST(test_file_changed_is_read_again),
        AWS_TEST(test_file_changed_unreadable_keeps_keys),
    };
    const struct CMUnitTest renewal[] = {
        AWS_TEST(test_renewal_web_identity),
        AWS_TEST(test_renewal_imds),
    };
    const char *missing = s3store_missing();
    int failed = 0;

    if (missing) {
        fprintf(stderr, "it_aws: %s\n", missing);
        return 1;
    }
    awsenv_init();
    failed += cmocka_run_group_tests_name("aws credentials", chain,
                                          chain_setup, services_teardown);
    failed += cmocka_run_group_tests_name("aws credentials, renewed",
                                          renewal, short_setup,
                                          services_teardown);
    return failed;
}
