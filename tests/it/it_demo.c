/* make demo as a newcomer runs it: from a fresh copy of the tree in a
 * 0700 directory (a clone in root's home), which httpd's User cannot
 * enter. The demo serves its page and its toggle page, the maintenancectl
 * line it prints turns maintenance on, Ctrl-C stops it and leaves nothing
 * behind; and on a port already taken it fails at once, naming the port
 * and DEMO_PORT=, before it prints a password. */
#include "fixture.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* A first make demo builds the module and maintenancectl. */
#define BUILD_MS (5 * 60 * 1000L)
/* Refusing a taken port builds nothing. */
#define REFUSE_MS (30 * 1000L)
/* What the demo prints once httpd listens. */
#define BANNER "mod_maintenance demo: http://127.0.0.1:"
#define CTL_LINE "build/maintenancectl --state file:"
/* Where the demo keeps what httpd reads (tools/demo.sh). */
#define DEMO_GLOB "/tmp/mod_maintenance-demo.*"

/* The copy of the tree, and why there is none ("": there is one). */
static char clone_dir[PATH_MAX];
static char no_clone[256];

/* The output of a make demo, in the copy's directory. */
static char log_path[PATH_MAX + 16];
static char out[1 << 18];

static int run(const char *cmd)
{
    int rc = system(cmd);

    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* The files git knows of (tracked, or new and not ignored), as they are in
 * the work tree: a clone with this work's changes, and no build. */
static int setup(void **state)
{
    char cmd[2 * PATH_MAX];

    (void)state;
    strcpy(clone_dir, "/tmp/mm-demo-clone.XXXXXX");
    if (!mkdtemp(clone_dir)) {
        print_error("mkdtemp: %s\n", strerror(errno));
        return -1;
    }
    snprintf(log_path, sizeof(log_path), "%s/demo.log", clone_dir);
    if (run("git rev-parse --is-inside-work-tree >/dev/null 2>&1") != 0) {
        snprintf(no_clone, sizeof(no_clone), "not in a git work tree: "
                 "nothing says which files a clone has");
        return 0;
    }
    snprintf(cmd, sizeof(cmd), "git ls-files -z -co --exclude-standard "
             "| tar --null -T - --ignore-failed-read -cf - 2>/dev/null "
             "| tar -xf - -C '%s'", clone_dir);
    if (run(cmd) != 0) {
        print_error("cannot copy the tree: %s\n", cmd);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fx_remove_dir(clone_dir, "it_demo");
    return 0;
}

static void need_clone(void)
{
    if (*no_clone) {
        print_message("skipped: %s\n", no_clone);
        skip();
    }
}

/* make demo DEMO_PORT=port in the copy, as the leader of a process group
 * of its own (as a shell's job is: Ctrl-C reaches the whole group), its
 * output into log_path. */
static pid_t start_demo(int port)
{
    pid_t pid = fork();

    if (pid < 0) {
        fail_msg("fork: %s", strerror(errno));
    }
    if (pid == 0) {
        char arg[32];
        int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int null = open("/dev/null", O_RDONLY);

        setpgid(0, 0);
        if (fd < 0 || null < 0 || chdir(clone_dir) != 0) {
            _exit(126);
        }
        dup2(null, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        /* As from a shell, not as a make test's child (make test
         * SANITIZE=1 exports SANITIZE). */
        unsetenv("MAKEFLAGS");
        unsetenv("MFLAGS");
        unsetenv("MAKELEVEL");
        unsetenv("SANITIZE");
        unsetenv("TMPDIR");
        snprintf(arg, sizeof(arg), "DEMO_PORT=%d", port);
        execlp("make", "make", "--no-print-directory", "demo", arg,
               (char *)NULL);
        _exit(127);
    }
    setpgid(pid, pid);
    return pid;
}

static const char *demo_output(void)
{
    return fx_file_tail(log_path, out, sizeof(out));
}

/* The copy of the line after what in text, NULL when there is none. */
static char *line_after(const char *text, const char *what)
{
    const char *at = strstr(text, what);

    return at ? strndup(at + strlen(what), strcspn(at + strlen(what), "\n"))
              : NULL;
}

static size_t discard(char *data, size_t size, size_t n, void *baton)
{
    (void)data;
    (void)baton;
    return size * n;
}

/* The status of GET path on 127.0.0.1:port (as user:password, or
 * nobody), -1 when nothing answers. */
static long get(int port, const char *path, const char *userpwd)
{
    CURL *c = curl_easy_init();
    char url[128];
    long status = -1;

    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    if (userpwd) {
        curl_easy_setopt(c, CURLOPT_USERPWD, userpwd);
    }
    if (curl_easy_perform(c) == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    }
    curl_easy_cleanup(c);
    return status;
}

static long await_status(int port, long status)
{
    long deadline = fx_now_ms() + FX_AWAIT_MS, got;

    while ((got = get(port, "/", NULL)) != status && fx_now_ms() < deadline) {
        fx_sleep_ms(50);
    }
    return got;
}

static size_t demo_dirs(void)
{
    glob_t g;
    size_t n;

    n = glob(DEMO_GLOB, 0, NULL, &g) == 0 ? g.gl_pathc : 0;
    globfree(&g);
    return n;
}

static void test_serves_and_stops(void **state)
{
    int port = fx_free_port();
    long deadline = fx_now_ms() + BUILD_MS, httpd = 0;
    char *on, *dir, *password, *end, cmd[2 * PATH_MAX], path[PATH_MAX + 32];
    char userpwd[64];
    int status;
    pid_t make;
    FILE *pidfile;

    (void)state;
    need_clone();
    make = start_demo(port);
    while (!strstr(demo_output(), BANNER)) {
        if (fx_reap(make, 100, &status)) {
            fail_msg("make demo exited before it served:\n%s", out);
        }
        if (fx_now_ms() > deadline) {
            kill(-make, SIGKILL);
            fail_msg("make demo did not serve within %ld s:\n%s",
                     BUILD_MS / 1000, out);
        }
    }
    on = line_after(out, CTL_LINE);
    password = line_after(out, "password ");
    if (!on || !strstr(on, " on ") || !password) {
        kill(-make, SIGINT);
        fail_msg("no maintenancectl on line or password:\n%s", out);
    }
    dir = strdup(on);
    if ((end = strstr(dir, "/state/state")) != NULL) {
        *end = '\0';
    }
    password[strcspn(password, " ")] = '\0';
    snprintf(path, sizeof(path), "%s/logs/httpd.pid", dir);
    if ((pidfile = fopen(path, "r")) != NULL) {
        if (fscanf(pidfile, "%ld", &httpd) != 1) {
            httpd = 0;
        }
        fclose(pidfile);
    }

    /* Outside the copy, which httpd's User cannot enter. */
    if (!strncmp(dir, clone_dir, strlen(clone_dir)) || httpd <= 0) {
        kill(-make, SIGINT);
        fail_msg("the demo's files are not apart (%s, httpd %ld):\n%s", dir,
                 httpd, out);
    }
    assert_int_equal(get(port, "/", NULL), 200);
    /* The password file is httpd's User's to read. */
    snprintf(userpwd, sizeof(userpwd), "demo:%s", password);
    assert_int_equal(get(port, "/maintenance-mode/", userpwd), 200);
    snprintf(cmd, sizeof(cmd), "cd '%s' && build/maintenancectl --state "
             "file:%s >/dev/null", clone_dir, on);
    assert_int_equal(run(cmd), 0);
    assert_int_equal(await_status(port, 503), 503);

    /* Ctrl-C: the whole job gets SIGINT. */
    kill(-make, SIGINT);
    if (!fx_reap(make, 30000, &status)) {
        kill(-make, SIGKILL);
        fail_msg("make demo did not stop on SIGINT:\n%s", demo_output());
    }
    if (access(dir, F_OK) == 0 || errno != ENOENT) {
        fail_msg("the demo left %s behind", dir);
    }
    if (kill((pid_t)httpd, 0) == 0 || errno != ESRCH) {
        fail_msg("the demo's httpd (pid %ld) still runs", httpd);
    }
    assert_int_equal(get(port, "/", NULL), -1);
    free(on);
    free(dir);
    free(password);
}

static void test_busy_port(void **state)
{
    struct sockaddr_in sa = { .sin_family = AF_INET };
    socklen_t len = sizeof(sa);
    int s = socket(AF_INET, SOCK_STREAM, 0), status;
    size_t dirs = demo_dirs();
    char port[16];
    pid_t make;

    (void)state;
    need_clone();
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) != 0
        || listen(s, 1) != 0
        || getsockname(s, (struct sockaddr *)&sa, &len) != 0) {
        fail_msg("cannot take a port: %s", strerror(errno));
    }
    snprintf(port, sizeof(port), "%d", ntohs(sa.sin_port));
    make = start_demo(ntohs(sa.sin_port));
    if (!fx_reap(make, REFUSE_MS, &status)) {
        kill(-make, SIGKILL);
        waitpid(make, NULL, 0);
        close(s);
        fail_msg("make demo on a taken port did not fail within %ld s:\n%s",
                 REFUSE_MS / 1000, demo_output());
    }
    close(s);
    demo_output();
    if (!WIFEXITED(status) || WEXITSTATUS(status) == 0) {
        fail_msg("make demo on a taken port did not fail:\n%s", out);
    }
    FX_ASSERT_CONTAINS("make demo's output", out, port);
    FX_ASSERT_CONTAINS("make demo's output", out, "DEMO_PORT=");
    fx_assert_lacks("make demo's output", out, "password", __FILE__,
                    __LINE__);
    fx_assert_lacks("make demo's output", out, BANNER, __FILE__, __LINE__);
    assert_int_equal(demo_dirs(), dirs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_serves_and_stops),
        cmocka_unit_test(test_busy_port),
    };

    return cmocka_run_group_tests_name("make demo", tests, setup, teardown);
}
