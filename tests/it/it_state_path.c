/* The state file's path on a shared server: root (maintenancectl under
 * sudo, httpd's parent at start and graceful restart) writes in
 * directories httpd's User can change, and must never be led by a link
 * that user puts there. A racer running as httpd's User swaps the files
 * and directories root creates for symbolic links to root's own, as fast
 * as inotify tells it; root's files stay root's. And a FIFO or a link at
 * the state path neither blocks nor fools a reader. */
#include "fixture.h"
#include "ctl.h"
#include "proc.h"
#include "toggle.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>


/* Attempts per race: the old code lost the first one. */
#define ROUNDS 25

typedef void (*race_fn)(int inotify, const char *dir, const char *target);

/* Swap every temporary file a writer creates in dir for a link to
 * target. */
static void race_tmp_files(int in, const char *dir, const char *target)
{
    char buf[4096], lnk[PATH_MAX], victim[PATH_MAX];

    snprintf(lnk, sizeof(lnk), "%s/.racer", dir);
    for (;;) {
        ssize_t n = read(in, buf, sizeof(buf));

        for (char *p = buf; n > 0 && p < buf + n;) {
            struct inotify_event *ev = (struct inotify_event *)p;

            if (ev->len && !strncmp(ev->name, "state.", 6)) {
                snprintf(victim, sizeof(victim), "%s/%s", dir, ev->name);
                unlink(lnk);
                if (symlink(target, lnk) == 0) {
                    rename(lnk, victim);
                }
            }
            p += sizeof(*ev) + ev->len;
        }
    }
}

/* Swap the directory "maint" that root creates in dir for a link to
 * target. */
static void race_new_dir(int in, const char *dir, const char *target)
{
    char buf[4096], moved[PATH_MAX], victim[PATH_MAX];
    unsigned k = 0;

    snprintf(victim, sizeof(victim), "%s/maint", dir);
    for (;;) {
        ssize_t n = read(in, buf, sizeof(buf));

        for (char *p = buf; n > 0 && p < buf + n;) {
            struct inotify_event *ev = (struct inotify_event *)p;

            if ((ev->mask & IN_ISDIR) && ev->len
                && !strcmp(ev->name, "maint")) {
                snprintf(moved, sizeof(moved), "%s/moved.%u", dir, k++);
                if (rename(victim, moved) == 0) {
                    symlink(target, victim);
                }
            }
            p += sizeof(*ev) + ev->len;
        }
    }
}

/* Start race as httpd's User, watching dir; its pid once it watches. It
 * dies with the test binary. */
static pid_t start_racer(race_fn race, const char *dir, const char *target)
{
    struct passwd *pw = getpwnam(FX_RUN_USER);
    int ready[2];
    pid_t pid;
    char c;

    assert_non_null(pw);
    assert_int_equal(pipe(ready), 0);
    if ((pid = fork()) == 0) {
        int in;

        close(ready[0]);
        if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0
            || setuid(pw->pw_uid) != 0) {
            _exit(2);
        }
        /* After the change of user, which clears it. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if ((in = inotify_init1(IN_CLOEXEC)) < 0
            || inotify_add_watch(in, dir, IN_CREATE) < 0
            || write(ready[1], "w", 1) != 1) {
            _exit(3);
        }
        close(ready[1]);
        race(in, dir, target);
        _exit(0);
    }
    close(ready[1]);
    assert_true(pid > 0);
    if (read(ready[0], &c, 1) != 1) {
        fail_msg("the racer could not watch %s", dir);
    }
    close(ready[0]);
    return pid;
}

static void stop_racer(pid_t pid)
{
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* A file (or directory) only root may read, to lure root to. */
static const char *root_only(fx *f, const char *rel, int dir)
{
    const char *path = fx_fmt(f, "%s/%s", fx_dir(f), rel);

    if (dir) {
        assert_int_equal(mkdir(path, 0700), 0);
    }
    else {
        fx_write(f, rel, "s3cret\n");
        assert_int_equal(chmod(path, 0600), 0);
    }
    return path;
}

static void assert_root_only(const char *path, mode_t mode)
{
    struct stat sb;

    assert_int_equal(lstat(path, &sb), 0);
    if (sb.st_uid != 0 || sb.st_gid != 0 || (sb.st_mode & 07777) != mode) {
        fail_msg("%s is now %o, owned by %d:%d; it was root's, %o", path,
                 (unsigned)(sb.st_mode & 07777), (int)sb.st_uid,
                 (int)sb.st_gid, (unsigned)mode);
    }
}

/* A directory of the fixture's that httpd's User owns. */
static const char *user_dir(fx *f, const char *rel)
{
    struct passwd *pw = getpwnam(FX_RUN_USER);
    const char *path = fx_fmt(f, "%s/%s", fx_dir(f), rel);

    assert_non_null(pw);
    assert_int_equal(mkdir(path, 0755), 0);
    assert_int_equal(chown(path, pw->pw_uid, pw->pw_gid), 0);
    return path;
}

/* A graceful restart, done when httpd says it serves again. */
static void restart(fx *f)
{
    int before = fx_log_count(f, PROC_RESUMED);
    long until = fx_now_ms() + 10000;

    proc_graceful(f);
    while (fx_log_count(f, PROC_RESUMED) == before && fx_now_ms() < until) {
        fx_sleep_ms(50);
    }
    assert_true(fx_log_count(f, PROC_RESUMED) > before);
}

static int as_root(void)
{
    if (geteuid() != 0) {
        print_message("not root: nothing to race against\n");
        return 0;
    }
    return 1;
}

/* --- root writes the state ----------------------------------------------- */

/* A state root writes belongs to the directory's owner, mode 0644: the
 * toggle page can replace it, every reader can read it. */
static void test_root_writes_as_directory_owner(void **state)
{
    fx *f = fx_new("");
    const char *dir = user_dir(f, "shared");
    const char *spec = fx_fmt(f, "file:%s/state", dir);
    struct passwd *pw = getpwnam(FX_RUN_USER);
    struct stat sb;

    (void)state;
    if (!as_root()) {
        skip();
    }
    ctl_ok(CTL_RUN_ON(f, NULL, spec, "on"));
    assert_int_equal(lstat(fx_fmt(f, "%s/state", dir), &sb), 0);
    assert_true(S_ISREG(sb.st_mode));
    assert_int_equal(sb.st_mode & 07777, 0644);
    assert_int_equal(sb.st_uid, pw->pw_uid);
    assert_int_equal(sb.st_gid, pw->pw_gid);
}

static void test_root_ctl_tmp_file_race(void **state)
{
    fx *f = fx_new("");
    const char *dir = user_dir(f, "shared");
    const char *secret;
    const char *spec = fx_fmt(f, "file:%s/state", dir);
    pid_t racer;

    (void)state;
    if (!as_root()) {
        skip();
    }
    secret = root_only(f, "secret", 0);
    racer = start_racer(race_tmp_files, dir, secret);
    for (int i = 0; i < ROUNDS; i++) {
        ctl_res r = CTL_RUN_ON(f, NULL, spec, "on", "--message", "race");
        assert_true(r.rc == 0 || r.rc == 1);
        assert_root_only(secret, 0600);
    }
    stop_racer(racer);
    assert_string_equal(fx_read(f, "secret"), "s3cret\n");
}

static void test_root_ctl_new_dir_race(void **state)
{
    fx *f = fx_new("");
    const char *dir = user_dir(f, "shared");
    const char *spec = fx_fmt(f, "file:%s/maint/state", dir);
    const char *lure;
    pid_t racer;

    (void)state;
    if (!as_root()) {
        skip();
    }
    lure = root_only(f, "rootdir", 1);
    racer = start_racer(race_new_dir, dir, lure);
    for (int i = 0; i < ROUNDS; i++) {
        ctl_res r;

        /* A new directory each round, for the racer to swap. */
        unlink(fx_fmt(f, "%s/maint", dir));
        rmdir(fx_fmt(f, "%s/maint", dir));
        r = CTL_RUN_ON(f, NULL, spec, "on");
        assert_true(r.rc == 0 || r.rc == 1);
        assert_root_only(lure, 0700);
    }
    stop_racer(racer);
}

/* httpd's parent makes the state directory at every start and graceful
 * restart, as root. */
static void test_httpd_restart_new_dir_race(void **state)
{
    fx *f = fx_new("MaintenanceState file:${TESTDIR}/shared/maint/state\n"
                   "MaintenanceStateTTL 0.05\n");
    const char *dir, *lure;
    pid_t racer;

    (void)state;
    if (!as_root()) {
        skip();
    }
    dir = user_dir(f, "shared");
    lure = root_only(f, "rootdir", 1);
    fx_expect_log(f, "MM00001");
    fx_expect_log(f, FX_OUTAGE_LOG);
    racer = start_racer(race_new_dir, dir, lure);
    fx_start(f);
    assert_root_only(lure, 0700);
    for (int i = 0; i < ROUNDS; i++) {
        unlink(fx_fmt(f, "%s/maint", dir));
        rmdir(fx_fmt(f, "%s/maint", dir));
        restart(f);
        assert_root_only(lure, 0700);
    }
    stop_racer(racer);
    FX_ASSERT_STATUS(fx_get(f, "/"), 404);
}

/* --- what a reader finds at the state path ------------------------------- */

/* A FIFO would block a reader's open: the site keeps the last state, a
 * graceful restart completes, and the tools answer at once. */
static void test_fifo_at_state_path(void **state)
{
    fx *f = toggle_new_site(FX_TOGGLE_CONF);
    const char *path;
    ctl_res r;

    (void)state;
    fx_expect_log(f, FX_OUTAGE_LOG);
    fx_expect_log(f, "MM00024");
    fx_start(f);
    fx_state(f, "on\n");
    FX_ASSERT_STATUS(fx_get(f, "/"), 503);

    path = fx_fmt(f, "%s/state/state", fx_dir(f));
    assert_int_equal(unlink(path), 0);
    assert_int_equal(mkfifo(path, 0644), 0);
    fx_sleep_ms(FX_SETTLE_MS);
    FX_ASSERT_STATUS(fx_get(f, "/"), 503);
    assert_int_equal(fx_log_count(f, "is not a regular file"), 1);

    r = CTL_RUN_ON(f, NULL, fx_fmt(f, "file:%s", path), "status");
    assert_int_equal(r.rc, 1);
    FX_ASSERT_CONTAINS("stderr", r.err, "is not a regular file");
    FX_ASSERT_STATUS(fx_get_as(f, ALICE, TOGGLE "/"), 500);

    restart(f);
    /* The last state read outlives the restart: the server keeps it. */
    FX_ASSERT_STATUS(fx_get(f, "/"), 503);
}

/* The state file is never read through a link: whoever can write the
 * directory could point it anywhere root can read. */
static void test_link_at_state_path(void **state)
{
    fx *f = fx_new("");
    const char *path = fx_fmt(f, "%s/state/state", fx_dir(f));
    ctl_res r;

    (void)state;
    fx_write(f, "elsewhere", "on\nmessage=from elsewhere\n");
    assert_int_equal(symlink(fx_fmt(f, "%s/elsewhere", fx_dir(f)), path), 0);
    r = CTL_RUN_ON(f, NULL, fx_fmt(f, "file:%s", path), "status");
    assert_int_equal(r.rc, 1);
    FX_ASSERT_CONTAINS("stderr", r.err, "symbolic link");
    /* Writing replaces the link itself, never its target. */
    ctl_ok(CTL_RUN_ON(f, NULL, fx_fmt(f, "file:%s", path), "off"));
    assert_string_equal(fx_read(f, "elsewhere"),
                        "on\nmessage=from elsewhere\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_root_writes_as_directory_owner),
        FX_TEST(test_root_ctl_tmp_file_race),
        FX_TEST(test_root_ctl_new_dir_race),
        FX_TEST(test_httpd_restart_new_dir_race),
        FX_TEST(test_fifo_at_state_path),
        FX_TEST(test_link_at_state_path),
    };

    return cmocka_run_group_tests_name("state path", tests, NULL, NULL);
}
