/* Packaging: `make install DESTDIR=...` puts the module,
 * maintenancectl, its man page, the header, the README and the a2enmod
 * files where a Debian system wants them, the binaries stripped; the
 * installed pieces work: the header
 * compiles, the CLI runs, `a2enmod maintenance` and `apache2ctl
 * configtest` accept them, and the shipped configuration with its toggle
 * location uncommented runs a site that is switched from the toggle. */
#include "fixture.h"
#include "toggle.h"

#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Where make install puts things: httpd's directories as the Makefile
 * passes them in (its LIBEXECDIR, INCLUDEDIR and SYSCONFDIR, which apxs -q
 * gives), and the Makefile's defaults for PREFIX, the state file's
 * directory and HTTPD_USER, who owns that directory. */
#define LIBEXECDIR INSTALL_LIBEXECDIR
#define INCLUDEDIR INSTALL_INCLUDEDIR
#define SYSCONFDIR INSTALL_SYSCONFDIR
#define PREFIX     "/usr/local"
#define DOCDIR     PREFIX "/share/doc/mod_maintenance"
#define STATE_DIR  "/var/lib/apache2/maintenance"
#define HTTPD_USER "www-data"

/* DESTDIR: <the group's fixture directory>/root. */
static char dest[PATH_MAX];

/* Run cmd with sh; its exit status, and *out (may be NULL) gets stdout
 * and stderr. */
static int sh(fx *f, const char *cmd, const char **out)
{
    int rc = system(fx_fmt(f, "( %s ) >%s/sh.out 2>&1", cmd, fx_dir(f)));

    if (out) {
        *out = fx_read(f, "sh.out");
    }
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static const char *installed(fx *f, const char *path)
{
    return fx_fmt(f, "%s%s", dest, path);
}

static const char *read_installed(fx *f, const char *path)
{
    if (access(installed(f, path), R_OK) != 0) {
        fail_msg("not installed: %s", path);
    }
    return fx_read_file(f, installed(f, path));
}

/* One `make install` for the whole group, into a fixture's directory (the
 * fixture only lends its directory; its httpd is never started). */
static int setup(void **state)
{
    fx *f = fx_new("");
    const char *out;

    snprintf(dest, sizeof(dest), "%s/root", fx_dir(f));
    if (sh(f, fx_fmt(f, "make -s install DESTDIR=%s", dest), &out) != 0) {
        fail_msg("make install DESTDIR=%s failed:\n%s", dest, out);
    }
    *state = f;
    return 0;
}

/* --- what is installed --------------------------------------------------- */

static void assert_installed(fx *f, const char *path, mode_t type,
                             unsigned mode)
{
    struct stat st;

    if (stat(installed(f, path), &st) != 0) {
        fail_msg("not installed: %s", path);
    }
    if ((st.st_mode & S_IFMT) != type) {
        fail_msg("%s is not a %s", path, type == S_IFDIR ? "directory"
                                                          : "file");
    }
    if ((st.st_mode & 07777) != mode) {
        fail_msg("%s has mode %04o, expected %04o", path,
                 (unsigned)(st.st_mode & 07777), mode);
    }
}

static void test_files(void **state)
{
    fx *f = *state;

    assert_installed(f, LIBEXECDIR "/mod_maintenance.so", S_IFREG, 0644);
    assert_installed(f, PREFIX "/bin/maintenancectl", S_IFREG, 0755);
    assert_installed(f, PREFIX "/share/man/man1/maintenancectl.1", S_IFREG,
                     0644);
    assert_installed(f, INCLUDEDIR "/mod_maintenance.h", S_IFREG, 0644);
    assert_installed(f, DOCDIR "/README.md", S_IFREG, 0644);
    assert_installed(f, SYSCONFDIR "/mods-available/maintenance.load",
                     S_IFREG, 0644);
    assert_installed(f, SYSCONFDIR "/mods-available/maintenance.conf",
                     S_IFREG, 0644);
    assert_installed(f, STATE_DIR, S_IFDIR, 0755);
}

/* httpd's User writes the state, so it owns the state's directory. */
static void test_state_directory_owner(void **state)
{
    fx *f = *state;
    struct passwd *pw = getpwnam(HTTPD_USER);
    struct stat st;

    if (geteuid() != 0 || !pw) {
        skip();
    }
    assert_int_equal(stat(installed(f, STATE_DIR), &st), 0);
    assert_int_equal(st.st_uid, pw->pw_uid);
}

static void test_load_file(void **state)
{
    fx *f = *state;

    FX_ASSERT_CONTAINS("maintenance.load",
                       read_installed(f, SYSCONFDIR
                                      "/mods-available/maintenance.load"),
                       "LoadModule maintenance_module " LIBEXECDIR
                       "/mod_maintenance.so");
}

static void test_conf_file(void **state)
{
    fx *f = *state;
    const char *conf = read_installed(f, SYSCONFDIR
                                      "/mods-available/maintenance.conf");

    FX_ASSERT_CONTAINS("maintenance.conf", conf,
                       "MaintenanceState file:" STATE_DIR "/state");
    FX_ASSERT_CONTAINS("maintenance.conf", conf, "#<Location");
    FX_ASSERT_CONTAINS("maintenance.conf", conf,
                       "SetHandler maintenance-toggle");
    FX_ASSERT_CONTAINS("maintenance.conf", conf, "Require valid-user");
    /* Where this install put the README, not the Debian package's. */
    FX_ASSERT_CONTAINS("maintenance.conf", conf, DOCDIR "/README.md");
}

/* Installed stripped: no symbol table, no debug sections. */
static void test_stripped(void **state)
{
    fx *f = *state;
    const char *out;

    for (const char *const *bin = (const char *const[]){
             LIBEXECDIR "/mod_maintenance.so", PREFIX "/bin/maintenancectl",
             NULL }; *bin; bin++) {
        if (sh(f, fx_fmt(f, "readelf -S --wide %s", installed(f, *bin)),
               &out) != 0) {
            fail_msg("readelf %s:\n%s", *bin, out);
        }
        if (strstr(out, " .symtab ") || strstr(out, " .debug_info ")) {
            fail_msg("%s is not stripped:\n%s", *bin, out);
        }
    }
}

/* The installed header compiles alone, for a provider (APR only) and for
 * a module using the optional functions (httpd's headers). */
static void test_header_compiles(void **state)
{
    fx *f = *state;
    const char *src = fx_fmt(f, "%s/use.c", fx_dir(f)), *out;

    fx_write(f, "use.c", "#include <mod_maintenance.h>\n"
             "static maintenance_provider p;\n"
             "int main(void) { return p.get != 0; }\n");
    for (const char *const *def = (const char *const[]){ "",
             "-DMAINTENANCE_WITH_HTTPD_API", NULL }; *def; def++) {
        const char *cmd = fx_fmt(f, "cc -std=c99 -Wall -Wextra -Werror "
                                 "-fsyntax-only %s -I%s -I%s $(apr-1-config "
                                 "--cflags --cppflags --includes) %s", *def,
                                 installed(f, INCLUDEDIR), INCLUDEDIR, src);
        if (sh(f, cmd, &out) != 0) {
            fail_msg("%s\n%s", cmd, out);
        }
    }
}

static void test_ctl_runs(void **state)
{
    fx *f = *state;
    const char *out;

    assert_int_equal(sh(f, fx_fmt(f, "%s --help",
                                  installed(f, PREFIX "/bin/maintenancectl")),
                        &out), 0);
    FX_ASSERT_CONTAINS("maintenancectl --help", out, "usage: maintenancectl");
    FX_ASSERT_CONTAINS("maintenancectl --help", out, "file:" STATE_DIR);
}

/* --- the installed configuration at work --------------------------------- */

/* maintenance.load with the module's path moved into DESTDIR, written
 * into site's directory as rel. */
static void write_load_file(fx *f, fx *site, const char *rel)
{
    const char *load = read_installed(f, SYSCONFDIR
                                      "/mods-available/maintenance.load");
    const char *at = strstr(load, LIBEXECDIR);

    if (!at) {
        fail_msg("maintenance.load does not name " LIBEXECDIR ":\n%s", load);
    }
    fx_write(site, rel, "%.*s%s%s", (int)(at - load), load, dest, at);
}

/* The commented toggle location of maintenance.conf, uncommented as its
 * comment tells, with the password file moved into site's directory. */
static const char *toggle_block(fx *f)
{
    const char *conf = read_installed(f, SYSCONFDIR
                                      "/mods-available/maintenance.conf");
    const char *from = strstr(conf, "#<Location");
    const char *to = from ? strstr(from, "#</Location>") : NULL;
    char *block = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&block, &len);

    if (!to) {
        fclose(out);
        free(block);
        fail_msg("maintenance.conf shows no commented toggle location:\n%s",
                 conf);
    }
    for (const char *line = from; line <= to; ) {
        size_t n = strcspn(line, "\n");
        const char *l = fx_fmt(f, "%.*s", (int)n, line);
        const char *pw = strstr(l, "AuthUserFile ");
        if (pw) {
            fprintf(out, "AuthUserFile ${TESTDIR}/htpasswd\n");
        } else {
            fprintf(out, "%s\n", l + strspn(l, " \t#"));
        }
        line += n + (line[n] == '\n');
    }
    fclose(out);
    const char *copy = fx_fmt(f, "%s", block);
    free(block);
    return copy;
}

/* A fixture without its own LoadModule of the module: the installed
 * maintenance.load loads it. */
static fx *new_bare_site(const char *conf)
{
    const char *was = getenv("MODULE_SO");
    char *saved = was ? strdup(was) : NULL;
    fx *site;

    setenv("MODULE_SO", "none", 1);
    site = fx_new(conf);
    if (saved) {
        setenv("MODULE_SO", saved, 1);
        free(saved);
    } else {
        unsetenv("MODULE_SO");
    }
    return site;
}

/* As the README tells a new user: load the module with the shipped
 * files, uncomment the toggle location, turn maintenance on and off. */
static void test_shipped_config_runs(void **state)
{
    fx *f = *state;
    const char *conf = fx_fmt(f,
        "Include ${TESTDIR}/maintenance.load\n"
        "Include %s\n"
        /* The state is the test's own, not this machine's. */
        "MaintenanceState file:${TESTDIR}/state/state\n"
        "MaintenanceStateTTL 0.05\n"
        "%s", installed(f, SYSCONFDIR "/mods-available/maintenance.conf"),
        toggle_block(f));
    fx *site = new_bare_site(conf);

    write_load_file(f, site, "maintenance.load");
    toggle_add_alice(site);
    fx_write(site, "htdocs/index.html", "front page\n");
    fx_start(site);

    FX_ASSERT_STATUS(fx_get(site, "/index.html"), 200);
    FX_ASSERT_STATUS(fx_post(site, ALICE, TOGGLE "/on", "message=Installed"),
                     303);
    fx_res *r = fx_await_status(site, "/index.html", 503);
    FX_ASSERT_STATUS(r, 503);
    FX_ASSERT_BODY(r, "Installed");
    FX_ASSERT_STATUS(fx_post(site, ALICE, TOGGLE "/off", "message=Installed"),
                     303);
    FX_ASSERT_STATUS(fx_await_status(site, "/index.html", 200), 200);
}

/* `a2enmod maintenance` and `apache2ctl configtest` on a copy of this
 * machine's /etc/apache2 holding the installed files. */
static void test_a2enmod_configtest(void **state)
{
    fx *f = *state;
    const char *confdir = fx_fmt(f, "%s/etc-apache2", fx_dir(f));
    const char *env = fx_fmt(f, "APACHE_CONFDIR=%s APACHE_STATE_DIRECTORY=%s"
                             "/a2state", confdir, fx_dir(f));
    const char *out;

    if (access("/usr/sbin/a2enmod", X_OK) != 0
        || access(SYSCONFDIR "/apache2.conf", R_OK) != 0) {
        skip();
    }
    if (sh(f, fx_fmt(f, "cp -a " SYSCONFDIR " %s && cp %s %s/mods-available/",
                     confdir, installed(f, SYSCONFDIR
                     "/mods-available/maintenance.conf"), confdir), &out)) {
        fail_msg("cannot copy " SYSCONFDIR ":\n%s", out);
    }
    write_load_file(f, f, "etc-apache2/mods-available/maintenance.load");
    if (sh(f, fx_fmt(f, "%s /usr/sbin/a2enmod maintenance", env), &out)) {
        fail_msg("a2enmod maintenance failed:\n%s", out);
    }
    assert_int_equal(access(fx_fmt(f, "%s/mods-enabled/maintenance.load",
                                   confdir), F_OK), 0);
    assert_int_equal(access(fx_fmt(f, "%s/mods-enabled/maintenance.conf",
                                   confdir), F_OK), 0);
    if (sh(f, fx_fmt(f, "%s /usr/sbin/apache2ctl configtest", env), &out)
        || !strstr(out, "Syntax OK")) {
        fail_msg("apache2ctl configtest after a2enmod maintenance:\n%s", out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_files),
        FX_TEST(test_state_directory_owner),
        FX_TEST(test_load_file),
        FX_TEST(test_conf_file),
        FX_TEST(test_stripped),
        FX_TEST(test_header_compiles),
        FX_TEST(test_ctl_runs),
        FX_TEST(test_shipped_config_runs),
        FX_TEST(test_a2enmod_configtest),
    };

    return cmocka_run_group_tests_name("make install", tests, setup,
                                       fx_group_teardown);
}
