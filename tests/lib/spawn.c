/* Helper processes (httpd, memcached, the S3 store, htpasswd...): started
 * so that they never outlive the test binary, waited for, reaped and
 * stopped; free ports and the clock they are timed by. See fixture.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* execvpe, environ */
#endif
#include "fixture_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

void fx_sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

long fx_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int fx_free_port(void)
{
    struct sockaddr_in sa = { .sin_family = AF_INET };
    socklen_t len = sizeof(sa);
    int s = socket(AF_INET, SOCK_STREAM, 0), port = -1;

    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s >= 0 && bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0
        && getsockname(s, (struct sockaddr *)&sa, &len) == 0) {
        port = ntohs(sa.sin_port);
    }
    if (s >= 0) {
        close(s);
    }
    if (port < 0) {
        fail_msg("cannot find a free port: %s", strerror(errno));
    }
    return port;
}

/* In the child: become pw, if given, and exec argv with deathsig and the
 * environment env (NULL: this process's). */
static void exec_helper(const char *const argv[], char *const env[],
                        const char *log, int deathsig,
                        const struct passwd *pw, pid_t parent)
{
    int out = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    int in = open("/dev/null", O_RDONLY);

    if (out < 0 || in < 0) {
        _exit(126);
    }
    dup2(in, STDIN_FILENO);
    dup2(out, STDOUT_FILENO);
    dup2(out, STDERR_FILENO);
    if (pw && (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0
               || setuid(pw->pw_uid) != 0)) {
        fprintf(stderr, "cannot become %s: %s\n", pw->pw_name,
                strerror(errno));
        _exit(126);
    }
    /* A process group of its own: httpd's prefork MPM stops its children
     * by signalling its whole group, which would be the test's too. */
    setpgid(0, 0);
    /* Never outlive the test binary, even if it crashes. */
    prctl(PR_SET_PDEATHSIG, deathsig);
    if (getppid() != parent) {
        _exit(0);
    }
    execvpe(argv[0], (char *const *)argv, env ? env : environ);
    fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

pid_t fxi_spawn(const char *const argv[], char *const env[], const char *log,
                int deathsig, const char *user)
{
    /* Looked up before the fork: getpwnam is no business of a child. */
    const struct passwd *pw = user && geteuid() == 0 ? getpwnam(user) : NULL;
    pid_t parent = getpid(), pid;

    if (user && geteuid() == 0 && !pw) {
        fail_msg("no user %s to run %s as", user, argv[0]);
    }
    fflush(NULL);
    if ((pid = fork()) < 0) {
        fail_msg("cannot start %s: fork: %s", argv[0], strerror(errno));
    }
    if (pid == 0) {
        exec_helper(argv, env, log, deathsig, pw, parent);
    }
    return pid;
}

pid_t fx_spawn(const char *const argv[], const char *log, int deathsig,
               const char *user)
{
    return fxi_spawn(argv, NULL, log, deathsig, user);
}

const char *fx_await_ready(pid_t *pid, long ms, int (*ready)(void *baton),
                           void *baton)
{
    static char why[64];
    long deadline = fx_now_ms() + ms;

    while (!ready(baton)) {
        if (waitpid(*pid, NULL, WNOHANG) == *pid) {
            *pid = 0;
            return "exited at start-up";
        }
        if (fx_now_ms() > deadline) {
            snprintf(why, sizeof(why), "not ready within %ld s", ms / 1000);
            return why;
        }
        fx_sleep_ms(10);
    }
    return NULL;
}

int fx_reap(pid_t pid, long ms, int *status)
{
    long deadline = fx_now_ms() + ms;

    do {
        if (waitpid(pid, status, WNOHANG) == pid) {
            return 1;
        }
        fx_sleep_ms(5);
    } while (fx_now_ms() < deadline);
    return 0;
}

void fx_stop(pid_t *pid, int sig, long ms)
{
    if (!*pid) {
        return;
    }
    kill(*pid, sig);
    kill(*pid, SIGCONT);
    if (!fx_reap(*pid, ms, NULL)) {
        kill(*pid, SIGKILL);
        waitpid(*pid, NULL, 0);
    }
    *pid = 0;
}

int fxi_run(char *const argv[], char *const env[], char **out)
{
    int pfd[2];
    pid_t pid = -1;
    int status;
    FILE *in;
    char *text = NULL;
    size_t len = 0;

    if (pipe(pfd) == 0) {
        pid = fork();
    }
    if (pid < 0) {
        fail_msg("cannot run %s: %s", argv[0], strerror(errno));
    }
    if (pid == 0) {
        dup2(pfd[1], STDOUT_FILENO);
        dup2(pfd[1], STDERR_FILENO);
        close(pfd[0]);
        close(pfd[1]);
        execve(argv[0], argv, env ? env : environ);
        _exit(127);
    }
    close(pfd[1]);
    in = fdopen(pfd[0], "r");
    if (getdelim(&text, &len, '\0', in) < 0) {
        text = fxi_realloc(text, 1);
        text[0] = '\0';
    }
    fclose(in);
    waitpid(pid, &status, 0);
    *out = text;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
