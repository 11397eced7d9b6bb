/* Integration-test fixture: a real Apache httpd (the one apxs names, FX_HTTPD
 * below: Debian's apache2; mpm_event) with mod_maintenance loaded, on a free
 * loopback port, driven over HTTP with libcurl and reporting through cmocka.
 *
 * A fixture owns a temporary directory:
 *
 *     /tmp/mm-it.XXXXXX/   httpd.conf, htdocs/, logs/, reports/, run/,
 *                          state/state
 *
 * and its httpd.conf is a fixed base (modules, port, logs, DocumentRoot
 * htdocs, MaintenanceState file:.../state/state, MaintenanceStateTTL 0.05)
 * followed by the test's own snippet. Snippets refer to the directory and
 * the port as ${TESTDIR} and ${TESTPORT} (httpd's Define). A snippet with a
 * MaintenanceState (or MaintenanceStateTTL, or CustomLog) line anywhere
 * gives its own: the base then leaves that directive out. httpd runs one child process,
 * so the module's per-process state cache is a single one.
 *
 * As in httpd's own test framework, every error-log line at warn or worse
 * that the test did not declare with fx_expect_log() fails the test. So
 * does a sanitizer's report: a file that appears in reports/, which
 * httpd's User may write (where ASan's log_path points, see FX_HTTPD_ENV),
 * or UBSan's lines in the error log.
 *
 * Typical use, one server per test group:
 *
 *     static int setup(void **state) {
 *         *state = fx_new(CONF);
 *         fx_start(*state);
 *         return 0;
 *     }
 *     static void test_x(void **state) {
 *         fx *f = *state;
 *         fx_state(f, "on\nmessage=%s\n", "Back soon");
 *         FX_ASSERT_STATUS(fx_get(f, "/"), 503);
 *     }
 *     ... FX_TEST(test_x) ...
 *     cmocka_run_group_tests_name("decision", tests, setup, fx_group_teardown);
 *
 * Environment: MODULE_SO overrides the module's path (default
 * ./.libs/mod_maintenance.so; tests run from the repository root), and
 * MODULE_SO=none leaves the module out (to try the fixture alone).
 * FX_HTTPD_ENV, NAME=VALUE words separated by blanks, is added to the
 * environment of httpd alone (fx_start's and fx_configtest's, not other
 * helpers'), with ${TESTDIR} in it replaced by the fixture's directory:
 * make test SANITIZE=1 preloads the sanitizers' runtimes into httpd so.
 * FX_GRACEFUL_STOP=1 stops httpd with SIGWINCH (graceful-stop) rather
 * than SIGTERM, as sanitized runs need (see stop_httpd in fixture.c).
 * fx_start runs httpd as one process serving the requests itself (-X: no
 * children) with FX_HTTPD_ONE_PROCESS=1, and under the command in
 * FX_HTTPD_WRAPPER (blank-separated words, ${TESTDIR} replaced) when it
 * is set: make bench runs httpd under valgrind so.
 * FX_KEEP=1 keeps the temporary directories for a post-mortem.
 *
 * Build: the Makefile passes FX_HTTPD (httpd's binary: apxs -q SBINDIR and
 * progname), FX_MODULES_DIR (its modules: apxs -q LIBEXECDIR) and
 * FX_HTPASSWD (apxs -q BINDIR's htpasswd), and links libcurl and jansson.
 * fixture_int.h says which file of tests/lib does what.
 */
#ifndef FIXTURE_H
#define FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <cmocka.h>
#include <curl/curl.h>

typedef struct fx fx;

/* One HTTP answer. Owned by its fixture until the test ends: everything
 * the fixture hands a test (answers, fx_fmt and fx_iso strings) is freed
 * by fx_test_end, so a group setup must not keep such pointers. */
typedef struct fx_res {
    long status;
    char *body;           /* NUL-terminated (bodies here are text) */
    size_t body_len;
    char *head;           /* the raw response header block */
    char **fields;        /* internal: name, value, name, value... */
    size_t nfields;       /* internal: how many pairs */
} fx_res;

/* A request; zeroed fields take their defaults. */
typedef struct fx_req {
    const char *method;           /* NULL: GET (POST when body is set) */
    const char *path;             /* "/index.html?x=1" */
    const char *const *headers;   /* NULL-terminated "Name: value" list */
    const char *body;             /* NULL: none */
    const char *userpwd;          /* "user:password": basic auth */
} fx_req;

/* How long the fixture waits after changing the state file: the module's
 * refresher reads it every MaintenanceStateTTL (0.05 s in the base
 * config), so this is six periods. */
#define FX_SETTLE_MS 300

/* --- life cycle ---------------------------------------------------------- */

/* Make the temporary directory and write httpd.conf (base + conf). Does
 * not start httpd, so a test can prepare files first. A fixture made
 * inside a test (between fx_test_begin and fx_test_end) is freed by
 * fx_test_end. */
fx *fx_new(const char *conf);

/* fx_new with the configuration printf makes of fmt: for a snippet that
 * names a port or a path only known at run time. Give a fixed snippet as
 * an argument ("%s"), as its % signs are httpd's. */
fx *fx_new_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* fx_new with a front page, htdocs/index.html ("front page\n"): the page
 * most tests ask for. */
fx *fx_new_site(const char *conf);

/* The MPM fx_new configures: the environment variable FX_MPM (event,
 * worker or prefork), event by default. */
const char *fx_mpm(void);

/* httpd's User and Group when the tests run as root (Debian's): it owns
 * the fixture's state directory, as it would one the module made. */
#define FX_RUN_USER "www-data"

/* Start httpd and wait (at most 10 s, 120 s under FX_HTTPD_WRAPPER) until
 * its port answers; fail the test with httpd's output if it does not.
 * Checks the start-up log. */
void fx_start(fx *f);

/* Stop httpd (if started), check the log, remove the directory. */
void fx_free(fx *f);

/* cmocka glue: per-test setup/teardown (mark and check the logs, free the
 * answers and the fixtures the test made) and a group teardown freeing
 * the group's fixture in *state. */
int fx_test_begin(void **state);
int fx_test_end(void **state);
int fx_group_teardown(void **state);
#define FX_TEST(f) cmocka_unit_test_setup_teardown(f, fx_test_begin, fx_test_end)

/* --- files --------------------------------------------------------------- */

const char *fx_dir(const fx *f);          /* the temporary directory */
int fx_port(const fx *f);

/* Write the file rel (relative to the directory, parents made) atomically:
 * a temporary file renamed over it, mode 0644. printf-style. */
void fx_write(fx *f, const char *rel, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Write the state file (printf-style) and wait FX_SETTLE_MS for httpd to
 * see it; writing what is already there costs nothing. */
void fx_state(fx *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Write text as the state file even when fx_state last wrote the same
 * (the toggle handler and maintenancectl change the file behind the
 * fixture's back), and wait FX_SETTLE_MS. Returns the file's text, to
 * compare with what is there after a refused change. */
const char *fx_state_put(fx *f, const char *text);

/* The whole text of the file rel (relative to the directory), "" when it
 * cannot be read. The string lives until the test ends. */
const char *fx_read(fx *f, const char *rel);

/* The same for any path; a relative one starts from the working
 * directory, the repository root. */
const char *fx_read_file(fx *f, const char *path);

/* Remove the state file (missing = off) and wait FX_SETTLE_MS. */
void fx_state_remove(fx *f);

/* chmod the file rel (e.g. 0 to make the state unreadable), then wait
 * FX_SETTLE_MS. */
void fx_chmod(fx *f, const char *rel, unsigned mode);

/* Add user:password to the htpasswd file rel (created if missing), with
 * httpd's htpasswd(1), FX_HTPASSWD. */
void fx_htpasswd(fx *f, const char *rel, const char *user, const char *pass);

/* A time as the state file and the module write it: 2026-11-22T10:00:00Z.
 * The string lives until the test ends. */
const char *fx_iso(fx *f, time_t t);

/* The time an fx_iso string says (as the module and maintenancectl write
 * them); fails the test on anything else, NULL included. */
time_t fx_iso_time(const char *s);

/* printf into a string that lives until the test ends. */
const char *fx_fmt(fx *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* n x's, filler for texts of a size: a state over 4 KiB, a long body.
 * The string lives until the test ends. */
const char *fx_filler(fx *f, size_t n);

void fx_sleep_ms(long ms);

/* --- HTTP ---------------------------------------------------------------- */

/* Send a request to the fixture's httpd; fails the test if no HTTP answer
 * comes (connection refused, timeout). */
fx_res *fx_request(fx *f, const fx_req *req);

/* GET path as userpwd ("user:password", with basic auth; NULL: nobody),
 * with extra "Name: value" headers:
 * fx_get_as(f, "alice:secret", "/admin/", FX_ACCEPT_JSON). */
fx_res *fx_get_as_(fx *f, const char *userpwd, const char *path, ...);
#define fx_get_as(f, ...) fx_get_as_(f, __VA_ARGS__, (const char *)NULL)

/* GET path as nobody: fx_get(f, "/", "Accept: x"). */
#define fx_get(f, ...) fx_get_as(f, NULL, __VA_ARGS__)

/* POST body (form-encoded; NULL: an empty one) to path as userpwd (NULL:
 * none), with extra headers: fx_post(f, NULL, "/m/on", "for=1h"). */
fx_res *fx_post_(fx *f, const char *userpwd, const char *path,
                 const char *body, ...);
#define fx_post(f, ...) fx_post_(f, __VA_ARGS__, (const char *)NULL)

/* The header of a client that prefers JSON. */
#define FX_ACCEPT_JSON "Accept: application/json"

/* The URL of path on the fixture's httpd: http://127.0.0.1:PORT/path. */
const char *fx_url(fx *f, const char *path);

/* How long fx_await_status keeps asking. */
#define FX_AWAIT_MS 5000

/* GET path (with extra headers, as fx_get) every 50 ms until it answers
 * status: the site sees a change within MaintenanceStateTTL. Gives up
 * after FX_AWAIT_MS and returns the last answer, for the caller's
 * assertion to show: fx_await_status(f, "/", 503, "Host: a.test"). */
fx_res *fx_await_status_(fx *f, const char *path, long status, ...);
#define fx_await_status(f, ...) \
    fx_await_status_(f, __VA_ARGS__, (const char *)NULL)

/* The first response header called name (any case), or NULL. */
const char *fx_header(const fx_res *res, const char *name);

/* The member name of the top-level JSON object in res's body: fx_json_str
 * gives a string member unescaped, fx_json_raw any member's literal text
 * ("503", "true", "null", "\"x\""). NULL when there is no such member (or,
 * for fx_json_str, when it is not a string). Fails the test when the body
 * is not one well-formed JSON object. */
const char *fx_json_str(fx *f, const fx_res *res, const char *name);
const char *fx_json_raw(fx *f, const fx_res *res, const char *name);

/* The first response header called name as a number, -1 when absent or
 * not a number. */
long fx_header_num(const fx_res *res, const char *name);

/* A libcurl handle of a test's own for GET path on the fixture's httpd,
 * for what fx_request does not do: requests from several threads at once
 * (the fixture's calls are not thread-safe), a timeout of timeout_s
 * rather than 20 s, one connection kept for many requests. No proxy, no
 * signals; the body is dropped unless the caller sets its own
 * CURLOPT_WRITEFUNCTION. Any thread may call it; curl_easy_cleanup frees
 * it. */
CURL *fx_curl(const fx *f, const char *path, long timeout_s);

/* The timeout of a request the module must answer at once, whatever its
 * state store does (dead, stalled): a request held up by the store fails
 * the test. */
#define FX_QUICK_S 3L

/* --- configtest ---------------------------------------------------------- */

/* Run `FX_HTTPD -t -f httpd.conf` on the fixture's config. Returns its exit
 * status; *out gets stdout and stderr together (lives until the test
 * ends). */
int fx_configtest(fx *f, const char **out);

/* configtest accepts f's configuration ("Syntax OK"); else fail, showing
 * the test's part of httpd.conf and configtest's output. */
void fx_assert_config_ok(fx *f, const char *file, int line);
#define FX_ASSERT_CONFIG_OK(f) fx_assert_config_ok((f), __FILE__, __LINE__)

/* configtest refuses f's configuration, and its output names each of the
 * arguments: FX_ASSERT_CONFIG_REFUSED(f, "MaintenanceStatus", "450"). */
void fx_assert_config_refused(fx *f, const char *const *needles,
                              const char *file, int line);
#define FX_ASSERT_CONFIG_REFUSED(f, ...) \
    fx_assert_config_refused((f), (const char *const[]){ __VA_ARGS__, NULL }, \
                             __FILE__, __LINE__)

/* --- error log ----------------------------------------------------------- */

/* Declare that a warn-or-worse line containing text is expected in this
 * test (declared before fx_start, it also covers the start-up log). */
void fx_expect_log(fx *f, const char *text);

/* How many error-log lines since the test began contain text. */
int fx_log_count(fx *f, const char *text);

/* Exactly n error-log lines since the test began contain text; else fail,
 * showing the log since then. */
void fx_assert_log_count(fx *f, const char *text, int n, const char *file,
                         int line);
#define FX_ASSERT_LOG_COUNT(f, text, n) \
    fx_assert_log_count((f), (text), (n), __FILE__, __LINE__)

/* What the module logs when a state cannot be read (at error, once per
 * outage and server), and when it can again (at notice). */
#define FX_OUTAGE_LOG   "MM00002"
#define FX_RECOVERY_LOG "MM00003"
#define FX_LOST_LOG     "MM00013"    /* a store lost the state */

/* --- the module's environment, seen through mod_headers ----------------- */

/* Config lines that copy the module's request environment into response
 * headers X-Mode, X-Bypass, X-Start, X-End and X-Message, each absent
 * when its variable is unset. FX_ASSERT_PASSES and FX_ASSERT_BLOCKED
 * need them in the test's config. */
#define FX_ENV_HEADERS \
    "Header always set X-Mode \"%{MAINTENANCE_MODE}e\" env=MAINTENANCE_MODE\n" \
    "Header always set X-Bypass \"%{MAINTENANCE_BYPASS}e\" " \
    "env=MAINTENANCE_BYPASS\n" \
    "Header always set X-Start \"%{MAINTENANCE_START}e\" env=MAINTENANCE_START\n" \
    "Header always set X-End \"%{MAINTENANCE_END}e\" env=MAINTENANCE_END\n" \
    "Header always set X-Message \"%{MAINTENANCE_MESSAGE}e\" " \
    "env=MAINTENANCE_MESSAGE\n"

/* --- the toggle handler -------------------------------------------------- */

/* The README's toggle location (FX_TOGGLE_CONF), its user and the
 * requests a browser makes to it: toggle.h. */

/* --- helper processes: httpd, memcached.c's and s3store.c's servers ----- */

/* A loopback port nobody listens on right now: the kernel's pick. */
int fx_free_port(void);

/* A monotonic clock, in milliseconds. */
long fx_now_ms(void);

/* Start argv (argv[0] found as execvp finds it) as a process that never
 * outlives the test binary: it gets deathsig (SIGTERM, SIGKILL...) when
 * the binary exits or crashes. Its stdin is /dev/null; its stdout and
 * stderr are appended to the file log (created if missing), which also
 * says why when the exec fails. With user, and the tests running as root,
 * it runs as that user (switched before the parent-death signal is set,
 * since a change of user clears it). Fails the test when it cannot start
 * the process; returns its pid. */
pid_t fx_spawn(const char *const argv[], const char *log, int deathsig,
               const char *user);

/* Wait at most ms for a process just spawned to be ready, that is for
 * ready(baton) to say so: NULL when it is, else why not ("exited at
 * start-up", with *pid set to 0 since it is reaped, or "not ready
 * within N s"), for the caller's failure message. */
const char *fx_await_ready(pid_t *pid, long ms, int (*ready)(void *baton),
                           void *baton);

/* Wait at most ms for the child pid to exit: whether it did. When it did,
 * it is reaped, and *status (if status is not NULL) is its wait status. */
int fx_reap(pid_t pid, long ms, int *status);

/* Stop the helper process *pid (nothing when *pid is 0): send it sig,
 * and SIGCONT so that a stopped one gets it too; SIGKILL if it has not
 * exited within ms. It is reaped, and *pid set to 0. */
void fx_stop(pid_t *pid, int sig, long ms);

/* The end of the file at path (its last size - 1 bytes at most) in buf,
 * NUL-terminated and empty when the file cannot be read: a helper's log
 * for a failure message. Returns buf. */
char *fx_file_tail(const char *path, char *buf, size_t size);

/* Remove the directory dir and everything in it; with FX_KEEP set, keep
 * it and say so on stderr ("who: kept dir"). */
void fx_remove_dir(const char *dir, const char *who);

/* --- assertions with useful messages ------------------------------------- */

void fx_assert_status(const fx_res *res, long status, const char *file,
                      int line);
void fx_assert_contains(const char *what, const char *haystack,
                        const char *needle, const char *file, int line);
void fx_assert_lacks(const char *what, const char *haystack,
                     const char *needle, const char *file, int line);
void fx_assert_header(const fx_res *res, const char *name, const char *value,
                      const char *file, int line);

/* In maintenance but let through by the policy bypass: 200, MAINTENANCE_MODE
 * on, MAINTENANCE_BYPASS bypass. */
void fx_assert_passes(const fx_res *res, const char *bypass,
                      const char *file, int line);
/* Answered by the module: status, MAINTENANCE_MODE on, no bypass. */
void fx_assert_blocked(const fx_res *res, long status, const char *file,
                       int line);
/* Served normally, not in maintenance: 200, MAINTENANCE_MODE off, no
 * bypass. */
void fx_assert_served(const fx_res *res, const char *file, int line);

#define FX_ASSERT_PASSES(res, bypass) \
    fx_assert_passes((res), (bypass), __FILE__, __LINE__)
#define FX_ASSERT_BLOCKED(res, status) \
    fx_assert_blocked((res), (status), __FILE__, __LINE__)
#define FX_ASSERT_SERVED(res) fx_assert_served((res), __FILE__, __LINE__)

/* Two times within 5 s of each other: clocks, not timings. */
#define FX_ASSERT_NEAR(t, want) \
    assert_in_range((long long)(t), (long long)(want) - 5, \
                    (long long)(want) + 5)

/* FX_ASSERT_STATUS evaluates to res, so a test can go on with it. */
#define FX_ASSERT_STATUS(res, status) \
    fx_assert_status_ret((res), (status), __FILE__, __LINE__)
#define FX_ASSERT_BODY(res, needle) \
    fx_assert_contains("body", (res)->body, (needle), __FILE__, __LINE__)
#define FX_ASSERT_NO_BODY(res, needle) \
    fx_assert_lacks("body", (res)->body, (needle), __FILE__, __LINE__)
/* value NULL: the header must be absent. */
#define FX_ASSERT_HEADER(res, name, value) \
    fx_assert_header((res), (name), (value), __FILE__, __LINE__)
#define FX_ASSERT_CONTAINS(what, haystack, needle) \
    fx_assert_contains((what), (haystack), (needle), __FILE__, __LINE__)

static inline fx_res *fx_assert_status_ret(fx_res *res, long status,
                                           const char *file, int line)
{
    fx_assert_status(res, status, file, line);
    return res;
}

#endif
