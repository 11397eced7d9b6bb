/* Running maintenancectl from the integration tests: see ctl.h. */
#include "ctl.h"
#include "awsenv.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_ARGS 32

/* The variables maintenancectl reads besides the providers' (which
 * awsenv_apply clears). */
static const char *const CLEAN_ENV[] = {
    "SUDO_USER", "APACHE_RUN_USER", "APACHE_RUN_GROUP",
};

/* The maintenancectl under test: $MAINTENANCECTL when set (a build
 * elsewhere than build/, as make test SANITIZE=1's), else
 * build/maintenancectl. */
static const char *ctl_path(void)
{
    const char *path = getenv("MAINTENANCECTL");

    return path && *path ? path : "build/maintenancectl";
}

/* In the child: the environment, the output files, then maintenancectl. */
static void exec_ctl(const char *const *argv, const char *const *env,
                     const char *out, const char *err)
{
    for (size_t i = 0; i < sizeof(CLEAN_ENV) / sizeof(*CLEAN_ENV); i++) {
        unsetenv(CLEAN_ENV[i]);
    }
    /* Never the instance metadata service of the machine the tests run
     * on: a test that wants one gives its own and
     * AWS_EC2_METADATA_DISABLED=false. */
    awsenv_apply(env);
    if (!freopen(out, "w", stdout) || !freopen(err, "w", stderr)) {
        _exit(126);
    }
    execv(argv[0], (char *const *)argv);
    _exit(127);
}

ctl_res ctl_run(fx *f, const char *const *env, const char *const *args)
{
    const char *out = fx_fmt(f, "%s/ctl.out", fx_dir(f));
    const char *err = fx_fmt(f, "%s/ctl.err", fx_dir(f));
    const char *argv[MAX_ARGS + 1] = { ctl_path() };
    const char *line = argv[0];
    size_t n = 1;
    int status;
    long start;
    pid_t pid;
    ctl_res r;

    for (; *args; args++) {
        if (n == MAX_ARGS) {
            fail_msg("more than %d arguments for maintenancectl", MAX_ARGS);
        }
        line = fx_fmt(f, "%s %s", line, *args);
        argv[n++] = *args;
    }
    fflush(NULL);
    start = fx_now_ms();
    if ((pid = fork()) < 0) {
        fail_msg("fork failed");
    }
    if (pid == 0) {
        exec_ctl(argv, env, out, err);
    }
    if (!fx_reap(pid, CTL_LIMIT_MS, &status)) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        fail_msg("%s still running after %d ms", line, CTL_LIMIT_MS);
    }
    r.ms = fx_now_ms() - start;
    r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = fx_read_file(f, out);
    r.err = fx_read_file(f, err);
    return r;
}

const char *ctl_ok(ctl_res r)
{
    if (r.rc != 0 || *r.err) {
        fail_msg("maintenancectl: exit %d\n--- stdout\n%s--- stderr\n%s",
                 r.rc, r.out, r.err);
    }
    return r.out;
}

const char *ctl_status(ctl_res r, int in_force)
{
    if (r.rc != (in_force ? 0 : CTL_NOT_IN_FORCE) || *r.err) {
        fail_msg("maintenancectl status: exit %d, expected %d\n--- stdout\n"
                 "%s--- stderr\n%s", r.rc, in_force ? 0 : CTL_NOT_IN_FORCE,
                 r.out, r.err);
    }
    return r.out;
}

void ctl_refused(ctl_res r, const char *needle)
{
    if (r.rc != 1 || *r.out || !strstr(r.err, needle)) {
        fail_msg("maintenancectl: exit %d, expected 1 with a message naming "
                 "\"%s\"\n--- stdout\n%s--- stderr\n%s", r.rc, needle, r.out,
                 r.err);
    }
}

const char *ctl_first_line(fx *f, const char *out)
{
    return fx_fmt(f, "%.*s", (int)strcspn(out, "\n"), out);
}

const char *ctl_field(fx *f, const char *out, const char *key)
{
    size_t n = strlen(key);

    for (const char *line = out; line && *line; ) {
        if (!strncmp(line, key, n) && !strncmp(line + n, ": ", 2)) {
            return fx_fmt(f, "%.*s", (int)strcspn(line + n + 2, "\n"),
                          line + n + 2);
        }
        line = strchr(line, '\n');
        line += line != NULL;
    }
    return NULL;
}
