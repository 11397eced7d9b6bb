/* Running maintenancectl (build/maintenancectl) from the integration tests
 * and reading what it says:
 *
 *     ctl_res r = ctl_run(f, NULL, CTL_ARGS("--state", spec, "status"));
 *     const char *out = ctl_ok(r);
 *     assert_string_equal(ctl_first_line(f, out), "on");
 *     assert_string_equal(ctl_field(f, out, "by"), "alice");
 *
 * A run gets a clean environment: none of the variables maintenancectl
 * reads (SUDO_USER, APACHE_RUN_USER and _GROUP, every AWS_ and
 * MAINTENANCE_ one) is inherited from whoever runs the tests, and
 * AWS_EC2_METADATA_DISABLED is true, so that no run asks a real instance
 * metadata service (awsenv_apply); a test gives those it wants. Its
 * stdout and stderr go through files in the fixture's directory. Strings live until the test ends, as the
 * fixture's do. Tests run from the repository root. */
#ifndef CTL_H
#define CTL_H

#include "fixture.h"

/* A run this long hangs: it is killed, and the test fails. */
#define CTL_LIMIT_MS 15000

typedef struct {
    int rc;              /* exit status, -1 when it did not exit */
    const char *out;     /* stdout */
    const char *err;     /* stderr */
    long ms;             /* how long it ran */
} ctl_res;

/* A NULL-terminated argument list: CTL_ARGS("on", "--message", "x"). */
#define CTL_ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* maintenancectl args..., as given, in the clean environment:
 * CTL_RUN(f, "--timeout", "1", "--state", spec, "status"). */
#define CTL_RUN(f, ...) ctl_run((f), NULL, CTL_ARGS(__VA_ARGS__))

/* maintenancectl --state spec args..., with env (NULL: none) on top of
 * the clean environment: CTL_RUN_ON(f, NULL, spec, "on", "--for", "1h"). */
#define CTL_RUN_ON(f, env, spec, ...) \
    ctl_run((f), (env), CTL_ARGS("--state", (spec), __VA_ARGS__))

/* Run maintenancectl with args (NULL-terminated) and env ("NAME=value"
 * entries, NULL-terminated; NULL for none) on top of a clean
 * environment. */
ctl_res ctl_run(fx *f, const char *const *env, const char *const *args);

/* Exit 0 and nothing on stderr, else fail; the run's stdout. */
const char *ctl_ok(ctl_res r);

/* What maintenancectl status exits with when maintenance is not in force
 * now (scheduled, over, off), as systemctl is-active does. */
#define CTL_NOT_IN_FORCE 3

/* A status run: exit 0 when in_force, CTL_NOT_IN_FORCE when not, and
 * nothing on stderr, else fail; the run's stdout. */
const char *ctl_status(ctl_res r, int in_force);

/* Exit 1, stdout empty, and a message on stderr naming needle, else
 * fail. */
void ctl_refused(ctl_res r, const char *needle);

/* The first line of status output (on, off...). */
const char *ctl_first_line(fx *f, const char *out);

/* The value of "key: value" in status output, NULL when absent. */
const char *ctl_field(fx *f, const char *out, const char *key);

#endif
