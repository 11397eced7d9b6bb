/* The Debian package, on this machine: `make deb` builds
 * libapache2-mod-maintenance and its -dbgsym, lintian finds no error,
 * apt-get installs them, the module is enabled and `apache2ctl configtest`
 * accepts the system's configuration, an apache2 started with that
 * configuration (a copy, on a loopback port, so a running system apache2
 * is left alone) loads the module and answers as it says, the installed
 * maintenancectl runs, and `apt-get purge` leaves nothing of it.
 *
 * As root only, with dpkg-buildpackage and apt-get; the steps run in
 * order, each a test, and a step whose package is missing is skipped. */
#include "fixture.h"

#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mod_maintenance.h"

#define PACKAGE   "libapache2-mod-maintenance"
#define DEB_DIR   "build/deb"
#define DEB       DEB_DIR "/" PACKAGE "_" MAINTENANCE_VERSION "_*.deb"
#define DBGSYM    DEB_DIR "/" PACKAGE "-dbgsym_" MAINTENANCE_VERSION "_*.deb"
#define STATE_DIR "/var/lib/apache2/maintenance"
#define CONFDIR   "/etc/apache2"

/* Why the package tests cannot run here ("": they can), and what the
 * steps leave for the next ones and for the teardown. */
static char why_not[256];
static char deb[PATH_MAX], dbgsym[PATH_MAX];
static char work[PATH_MAX];             /* this test's scratch directory */
static int installed;                   /* apt-get installed the package */
static int apache_started;              /* the copy's apache2 runs */
static char **listed;                   /* dpkg -L of both packages */
static size_t nlisted;

/* ---------------------------------------------------------------------- */

/* Run the command printf makes of fmt with sh, its standard output and
 * error into *out (malloc'd, NUL-terminated; out may be NULL to drop
 * them). Its exit status, -1 if it did not exit. */
static int sh(char **out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int sh(char **out, const char *fmt, ...)
{
    char *cmd, *text, buf[4096];
    size_t len = 0, n;
    va_list ap;
    FILE *p;
    int rc;

    va_start(ap, fmt);
    if (vasprintf(&text, fmt, ap) < 0 || asprintf(&cmd, "( %s ) 2>&1",
                                                  text) < 0) {
        fail_msg("out of memory");
    }
    va_end(ap);
    free(text);
    text = malloc(1);
    if (!(p = popen(cmd, "r")) || !text) {
        fail_msg("cannot run %s", cmd);
    }
    while ((n = fread(buf, 1, sizeof(buf), p)) > 0) {
        char *more = realloc(text, len + n + 1);
        if (!more) {
            fail_msg("out of memory");
        }
        text = more;
        memcpy(text + len, buf, n);
        len += n;
    }
    text[len] = '\0';
    rc = pclose(p);
    free(cmd);
    if (out) {
        *out = text;
    }
    else {
        free(text);
    }
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* The one file glob pattern names into path, or 0. */
static int one_file(const char *pattern, char *path, size_t size)
{
    glob_t g;
    int ok = glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc == 1;

    if (ok) {
        snprintf(path, size, "%s", g.gl_pathv[0]);
    }
    globfree(&g);
    return ok;
}

static int package_installed(const char *name)
{
    char *out;
    int rc = sh(&out, "dpkg-query -W -f='${Status}' %s 2>/dev/null", name);
    int yes = rc == 0 && strstr(out, " installed") != NULL;

    free(out);
    return yes;
}

static void need(void)
{
    if (*why_not) {
        print_message("skipped: %s\n", why_not);
        skip();
    }
}

static const char *in_work(const char *rel)
{
    static char path[PATH_MAX + 64];

    snprintf(path, sizeof(path), "%s/%s", work, rel);
    return path;
}

/* The copy of the system's configuration that test_serves runs, with its
 * own envvars. */
#define APACHE(cmd) \
    ". %s/etc-apache2/envvars && /usr/sbin/apache2 -d %s/etc-apache2 -k " cmd

static void stop_apache(void)
{
    if (!apache_started) {
        return;
    }
    sh(NULL, APACHE("stop"), work, work);
    for (int i = 0; i < 100 && access(in_work("run/apache2.pid"), F_OK) == 0;
         i++) {
        fx_sleep_ms(100);
    }
    apache_started = 0;
}

static int setup(void **state)
{
    (void)state;
    if (geteuid() != 0) {
        snprintf(why_not, sizeof(why_not), "not root: apt-get cannot "
                 "install the package");
    }
    else if (access("/usr/bin/dpkg-buildpackage", X_OK) != 0
             || access("/usr/bin/apt-get", X_OK) != 0) {
        snprintf(why_not, sizeof(why_not), "no dpkg-buildpackage or apt-get "
                 "(make deps installs them)");
    }
    else if (package_installed(PACKAGE)) {
        snprintf(why_not, sizeof(why_not), PACKAGE " is installed already: "
                 "this test installs and purges it (apt-get purge it first)");
    }
    strcpy(work, "/tmp/mm-deb.XXXXXX");
    if (!mkdtemp(work) || chmod(work, 0755) != 0) {
        print_error("mkdtemp: %s\n", strerror(errno));
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    stop_apache();
    if (installed) {
        sh(NULL, "DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "
           PACKAGE " " PACKAGE "-dbgsym");
    }
    for (size_t i = 0; i < nlisted; i++) {
        free(listed[i]);
    }
    free(listed);
    fx_remove_dir(work, "it_deb");
    return 0;
}

/* ---------------------------------------------------------------------- */

static void test_make_deb(void **state)
{
    char *out;

    (void)state;
    need();
    if (sh(&out, "make -s deb") != 0) {
        snprintf(why_not, sizeof(why_not), "make deb failed");
        fail_msg("make deb:\n%s", out);
    }
    free(out);
    /* Named with the module's own version (MAINTENANCE_VERSION). */
    if (!one_file(DEB, deb, sizeof(deb))
        || !one_file(DBGSYM, dbgsym, sizeof(dbgsym))) {
        snprintf(why_not, sizeof(why_not), "make deb made no package");
        fail_msg("make deb made no %s and %s", DEB, DBGSYM);
    }
}

static void test_lintian(void **state)
{
    char *out;
    int rc;

    (void)state;
    need();
    rc = sh(&out, "lintian --fail-on error " DEB_DIR "/*.changes");
    if (rc != 0 || strstr(out, "\nE: ") || !strncmp(out, "E: ", 3)) {
        fail_msg("lintian (exit %d):\n%s", rc, out);
    }
    free(out);
}

/* The files a binary section lists, which a stripped binary has not. */
static void assert_stripped(const char *path)
{
    char *out;

    if (sh(&out, "readelf -S --wide %s", path) != 0) {
        fail_msg("readelf %s:\n%s", path, out);
    }
    if (strstr(out, " .symtab ") || strstr(out, " .debug_info ")) {
        fail_msg("%s is not stripped:\n%s", path, out);
    }
    free(out);
}

static void test_contents(void **state)
{
    static const char *const files[] = {
        "./usr/lib/apache2/modules/mod_maintenance.so",
        "./usr/bin/maintenancectl",
        "./usr/share/man/man1/maintenancectl.1.gz",
        "./usr/include/apache2/mod_maintenance.h",
        "./usr/share/doc/" PACKAGE "/README.md.gz",
        "./usr/share/doc/" PACKAGE "/copyright",
        "./etc/apache2/mods-available/maintenance.load",
        "./etc/apache2/mods-available/maintenance.conf",
    };
    char *list, *debug, root[PATH_MAX + 16];

    (void)state;
    need();
    assert_int_equal(sh(&list, "dpkg-deb -c %s", deb), 0);
    for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
        FX_ASSERT_CONTAINS("the package", list, files[i]);
    }
    free(list);
    /* The symbols are in -dbgsym, a file per binary (and dwz's common
     * part). */
    assert_int_equal(sh(&debug, "dpkg-deb -c %s | grep -c "
                        "'/\\.build-id/.*\\.debug$'", dbgsym), 0);
    assert_int_equal(atoi(debug), 2);
    free(debug);
    snprintf(root, sizeof(root), "%s/root", work);
    assert_int_equal(sh(NULL, "dpkg-deb -x %s %s", deb, root), 0);
    assert_stripped(in_work("root/usr/lib/apache2/modules/mod_maintenance.so"));
    assert_stripped(in_work("root/usr/bin/maintenancectl"));
}

/* Install both packages; record what dpkg says they hold. */
static void test_install(void **state)
{
    struct passwd *pw = getpwnam("www-data");
    struct stat st;
    char *out, *line, *next;

    (void)state;
    need();
    installed = 1;
    if (sh(&out, "DEBIAN_FRONTEND=noninteractive apt-get install -y -q "
           "./%s ./%s", deb, dbgsym) != 0) {
        snprintf(why_not, sizeof(why_not), "apt-get install failed");
        fail_msg("apt-get install:\n%s", out);
    }
    free(out);
    assert_int_equal(sh(&out, "dpkg -L " PACKAGE " " PACKAGE "-dbgsym"), 0);
    for (line = out; *line; line = next) {
        next = line + strcspn(line, "\n");
        if (*next) {
            *next++ = '\0';
        }
        if (*line == '/' && strcmp(line, "/.")) {
            listed = realloc(listed, (nlisted + 1) * sizeof(*listed));
            listed[nlisted++] = strdup(line);
        }
    }
    free(out);
    assert_true(nlisted > 10);

    /* The postinst's state directory, and the module enabled. */
    assert_int_equal(stat(STATE_DIR, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_non_null(pw);
    assert_int_equal(st.st_uid, pw->pw_uid);
    assert_int_equal(access(CONFDIR "/mods-enabled/maintenance.load", F_OK),
                     0);
    assert_int_equal(access(CONFDIR "/mods-enabled/maintenance.conf", F_OK),
                     0);
}

static void test_configtest(void **state)
{
    char *out;
    int rc;

    (void)state;
    need();
    rc = sh(&out, "/usr/sbin/apache2ctl configtest");
    if (rc != 0 || !strstr(out, "Syntax OK")) {
        fail_msg("apache2ctl configtest (exit %d):\n%s", rc, out);
    }
    free(out);
}

static long get_status(int port)
{
    CURL *c = curl_easy_init();
    char url[64];
    long status = -1;

    snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (curl_easy_perform(c) == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    }
    curl_easy_cleanup(c);
    return status;
}

/* The system's configuration as the package left it (module enabled), in
 * a copy whose apache2 listens on a loopback port, keeps its pid, logs
 * and locks apart, and reads a state of the test's own: whatever the
 * system's apache2 does, it is left alone. */
static void test_serves(void **state)
{
    int port = fx_free_port();
    long deadline, status = -1;
    char *out;

    (void)state;
    need();
    if (sh(&out, "W=%s P=%d; cp -a " CONFDIR " $W/etc-apache2 && "
           "mkdir -p $W/run $W/lock $W/log $W/state && "
           "chown www-data:www-data $W/state && "
           "echo \"Listen 127.0.0.1:$P\" > $W/etc-apache2/ports.conf && "
           "printf 'ServerName 127.0.0.1\\nMaintenanceState file:%%s\\n' "
           "$W/state/state > $W/etc-apache2/conf-enabled/zz-it-deb.conf && "
           "echo \"export APACHE_RUN_DIR=$W/run APACHE_PID_FILE=$W/run/"
           "apache2.pid APACHE_LOCK_DIR=$W/lock APACHE_LOG_DIR=$W/log\" "
           ">> $W/etc-apache2/envvars", work, port) != 0) {
        fail_msg("cannot copy " CONFDIR ":\n%s", out);
    }
    free(out);
    if (sh(&out, APACHE("start"), work, work) != 0) {
        fail_msg("apache2 -k start:\n%s", out);
    }
    free(out);
    apache_started = 1;
    for (deadline = fx_now_ms() + 10000;
         (status = get_status(port)) < 0 && fx_now_ms() < deadline; ) {
        fx_sleep_ms(100);
    }
    if (status < 0 || status == 503) {
        sh(&out, "cat %s/log/error.log", work);
        fail_msg("apache2 answered %ld:\n%s", status, out);
    }
    /* The installed module reads the state, and answers as it says. */
    assert_int_equal(sh(NULL, "/usr/bin/maintenancectl --state file:%s/"
                        "state/state on >/dev/null", work), 0);
    for (deadline = fx_now_ms() + FX_AWAIT_MS;
         (status = get_status(port)) != 503 && fx_now_ms() < deadline; ) {
        fx_sleep_ms(100);
    }
    assert_int_equal(status, 503);
    stop_apache();
}

static void test_ctl_version(void **state)
{
    char *out;

    (void)state;
    need();
    assert_int_equal(sh(&out, "/usr/bin/maintenancectl --version"), 0);
    FX_ASSERT_CONTAINS("maintenancectl --version", out, MAINTENANCE_VERSION);
    free(out);
    /* Its man page. */
    assert_int_equal(sh(NULL, "man -w maintenancectl >/dev/null 2>&1 || "
                        "test -e /usr/share/man/man1/maintenancectl.1.gz"),
                     0);
}

/* Nothing of the package is left: its files, the directories that were
 * its alone, the state, the a2enmod links. */
static void test_purge(void **state)
{
    glob_t g;
    char *out;

    (void)state;
    need();
    if (sh(&out, "DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "
           PACKAGE " " PACKAGE "-dbgsym") != 0) {
        fail_msg("apt-get purge:\n%s", out);
    }
    free(out);
    installed = 0;
    assert_false(package_installed(PACKAGE));
    for (size_t i = 0; i < nlisted; i++) {
        struct stat st;

        if (lstat(listed[i], &st) != 0) {
            continue;
        }
        /* A directory another package shares stays. */
        if (!S_ISDIR(st.st_mode)
            || sh(NULL, "dpkg -S '%s' >/dev/null", listed[i]) != 0) {
            fail_msg("purged, but %s is still there", listed[i]);
        }
    }
    if (access(STATE_DIR, F_OK) == 0) {
        fail_msg("purged, but " STATE_DIR " is still there");
    }
    if (glob(CONFDIR "/mods-*/maintenance.*", 0, NULL, &g) == 0) {
        fail_msg("purged, but %s is still there", g.gl_pathv[0]);
    }
    globfree(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_make_deb),
        cmocka_unit_test(test_lintian),
        cmocka_unit_test(test_contents),
        cmocka_unit_test(test_install),
        cmocka_unit_test(test_configtest),
        cmocka_unit_test(test_serves),
        cmocka_unit_test(test_ctl_version),
        cmocka_unit_test(test_purge),
    };

    return cmocka_run_group_tests_name("make deb", tests, setup, teardown);
}
