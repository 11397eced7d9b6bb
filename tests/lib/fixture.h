/* Integration-test fixture: a real Apache httpd (the Debian apache2 binary,
 * mpm_event) with mod_maintenance loaded, on a free loopback port, driven
 * over HTTP with libcurl and reporting through cmocka.
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
 * MaintenanceState (or MaintenanceStateTTL) line anywhere gives its own:
 * the base then leaves that directive out. httpd runs one child process,
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
 * FX_KEEP=1 keeps the temporary directories for a post-mortem.
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

/* The MPM fx_new configures: the environment variable FX_MPM (event,
 * worker or prefork), event by default. */
const char *fx_mpm(void);

/* Start httpd and wait (at most 10 s) until its port answers; fail the
 * test with httpd's output if it does not. Checks the start-up log. */
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
 * htpasswd(1) from apache2-utils. */
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

void fx_sleep_ms(long ms);

/* --- HTTP ---------------------------------------------------------------- */

/* Send a request to the fixture's httpd; fails the test if no HTTP answer
 * comes (connection refused, timeout). */
fx_res *fx_request(fx *f, const fx_req *req);

/* GET path with extra "Name: value" headers: fx_get(f, "/", "Accept: x"). */
fx_res *fx_get_(fx *f, const char *path, ...);
#define fx_get(f, ...) fx_get_(f, __VA_ARGS__, (const char *)NULL)

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

/* --- configtest ---------------------------------------------------------- */

/* Run `apache2 -t -f httpd.conf` on the fixture's config. Returns its exit
 * status; *out gets stdout and stderr together (lives until the test
 * ends). */
int fx_configtest(fx *f, const char **out);

/* --- error log ----------------------------------------------------------- */

/* Declare that a warn-or-worse line containing text is expected in this
 * test (declared before fx_start, it also covers the start-up log). */
void fx_expect_log(fx *f, const char *text);

/* How many error-log lines since the test began contain text. */
int fx_log_count(fx *f, const char *text);

/* The first response header called name as a number, -1 when absent or
 * not a number. */
long fx_header_num(const fx_res *res, const char *name);

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

/* The README's toggle location: /maintenance-mode, basic auth against
 * ${TESTDIR}/htpasswd (see fx_htpasswd), any valid user. */
#define FX_TOGGLE_CONF \
    "<Location \"/maintenance-mode\">\n" \
    "  SetHandler maintenance-toggle\n" \
    "  AuthType Basic\n  AuthName \"Maintenance\"\n" \
    "  AuthUserFile ${TESTDIR}/htpasswd\n" \
    "  Require valid-user\n" \
    "</Location>\n"

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
