/* What a fixture's httpd is given: its directory tree, its httpd.conf (a
 * fixed base, then the test's snippet), its environment; and configtest
 * on that configuration. See fixture.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* open_memstream, environ */
#endif
#include "fixture_int.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* The modules every test server loads: enough for auth, SSI, rewrites,
 * remoteip and mod_headers, so one base config serves every test.
 * log_config is built into Debian's apache2, so it is not loaded. */
static const char *const MODULES[] = {
    "authz_core", "authn_core", "authn_file", "auth_basic",
    "authz_user", "authz_host", "setenvif", "env", "headers", "mime",
    "dir", "alias", "include", "remoteip", "rewrite",
};

const char *fx_mpm(void)
{
    const char *mpm = getenv("FX_MPM");
    return mpm && *mpm ? mpm : "event";
}

/* Where httpd.conf's base ends and the test's snippet begins. */
#define TEST_PART "# --- the test's own configuration\n"

/* --- the directory tree -------------------------------------------------- */

/* When root, httpd's User must read htdocs, own the state directory (as
 * the module would make it) and write its reports, so the tree is
 * world-readable and state/ and reports/ are given to the user. */
void fxi_make_tree(fx *f)
{
    static const char *const dirs[] = { "htdocs", "logs", "reports", "run",
                                        "state" };
    static const char *const users[] = { "reports", "state" };
    char path[PATH_MAX];

    chmod(f->dir, 0755);
    for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
        fxi_path_of(f, dirs[i], path);
        fxi_mkdir_p(path, 0755);
    }
    if (geteuid() == 0) {
        struct passwd *pw = getpwnam(FX_RUN_USER);
        if (!pw) {
            fail_msg("no user " FX_RUN_USER " to run httpd as");
        }
        for (size_t i = 0; i < sizeof(users) / sizeof(*users); i++) {
            fxi_path_of(f, users[i], path);
            if (chown(path, pw->pw_uid, pw->pw_gid) != 0) {
                fail_msg("chown %s: %s", path, strerror(errno));
            }
        }
    }
}

/* --- httpd.conf ---------------------------------------------------------- */

/* Whether conf has a line starting with directive (any case), so the base
 * config leaves that directive to the test. */
static int has_directive(const char *conf, const char *directive)
{
    size_t n = strlen(directive);

    for (const char *line = conf; line; line = strchr(line, '\n')) {
        line += *line == '\n';
        line += strspn(line, " \t");
        if (!strncasecmp(line, directive, n)
            && (line[n] == ' ' || line[n] == '\t')) {
            return 1;
        }
    }
    return 0;
}

/* The module to load, or NULL when MODULE_SO=none. */
static const char *module_path(void)
{
    static char path[PATH_MAX];
    const char *env = getenv("MODULE_SO");

    if (env && !strcmp(env, "none")) {
        return NULL;
    }
    if (env && *env) {
        snprintf(path, sizeof(path), "%s", env);
    } else if (getcwd(path, sizeof(path) - 32)) {
        strcat(path, "/.libs/mod_maintenance.so");
    }
    if (access(path, R_OK) != 0) {
        fail_msg("%s: %s (build the module with make; tests run from the "
                 "repository root)", path, strerror(errno));
    }
    return path;
}

static void write_base(FILE *fp, const fx *f, const char *conf)
{
    fprintf(fp, "Define TESTDIR %s\nDefine TESTPORT %d\n", f->dir, f->port);
    fputs("ServerRoot ${TESTDIR}\n"
          "DefaultRuntimeDir ${TESTDIR}/run\n"
          "PidFile ${TESTDIR}/run/httpd.pid\n"
          "Mutex file:${TESTDIR}/run default\n", fp);
    fprintf(fp, "LoadModule mpm_%s_module %s/mod_mpm_%s.so\n", fx_mpm(),
            FX_MODULES_DIR, fx_mpm());
    for (size_t i = 0; i < sizeof(MODULES) / sizeof(*MODULES); i++) {
        fprintf(fp, "LoadModule %s_module %s/mod_%s.so\n", MODULES[i],
                FX_MODULES_DIR, MODULES[i]);
    }
    if (geteuid() == 0) {
        fputs("User " FX_RUN_USER "\nGroup " FX_RUN_USER "\n", fp);
    }
    /* Children that stay dumpable once they are User: a sanitizer starting
     * in one (UBSan does, at its first report) can read its options in
     * /proc/self/environ then; a core, if any, is a report. */
    fputs("CoreDumpDirectory ${TESTDIR}/reports\n", fp);
    /* One child process: the module caches the state per process, so one
     * process makes "logged once" and "still cached" well defined. Under
     * prefork, a process is a worker: there are several. */
    fputs("Listen 127.0.0.1:${TESTPORT}\n"
          "ServerName 127.0.0.1\n"
          "<IfModule !mpm_prefork_module>\n"
          "  StartServers 1\n  ServerLimit 1\n  ThreadsPerChild 16\n"
          "  MaxRequestWorkers 16\n  MinSpareThreads 1\n"
          "  MaxSpareThreads 16\n"
          "</IfModule>\n"
          "<IfModule mpm_prefork_module>\n"
          "  StartServers 4\n  MinSpareServers 4\n  MaxSpareServers 8\n"
          "  ServerLimit 8\n  MaxRequestWorkers 8\n"
          "</IfModule>\n"
          "Timeout 20\n"
          "GracefulShutdownTimeout 5\n"
          "ErrorLog ${TESTDIR}/logs/error.log\n"
          "LogFormat \"%h %u %t \\\"%r\\\" %>s %b\" common\n"
          "TypesConfig /etc/mime.types\n"
          "AddType text/html .shtml\n"
          "AddOutputFilter INCLUDES .shtml\n"
          "DirectoryIndex index.html\n"
          "DocumentRoot ${TESTDIR}/htdocs\n"
          "<Directory />\n  AllowOverride None\n  Require all denied\n"
          "</Directory>\n"
          "<Directory ${TESTDIR}/htdocs>\n  Options +Includes\n"
          "  AllowOverride None\n  Require all granted\n</Directory>\n", fp);
    /* A snippet's own access log replaces this one: httpd would write
     * both. */
    if (!has_directive(conf, "CustomLog")) {
        fputs("CustomLog ${TESTDIR}/logs/access.log common\n", fp);
    }
}

static void write_module_base(FILE *fp, const char *so, const char *conf)
{
    if (!so) {
        fputs("LogLevel warn\n", fp);
        return;
    }
    fprintf(fp, "LoadModule maintenance_module %s\n", so);
    fputs("LogLevel warn maintenance:debug\n", fp);
    /* A test that names these gives all of them itself. */
    if (!has_directive(conf, "MaintenanceState")) {
        fputs("MaintenanceState file:${TESTDIR}/state/state\n", fp);
    }
    if (!has_directive(conf, "MaintenanceStateTTL")) {
        fputs("MaintenanceStateTTL 0.05\n", fp);
    }
}

void fxi_write_conf(fx *f, const char *conf)
{
    char path[PATH_MAX];
    const char *so = module_path();
    FILE *fp;

    fxi_path_of(f, "httpd.conf", path);
    if (!(fp = fopen(path, "w"))) {
        fail_msg("%s: %s", path, strerror(errno));
    }
    write_base(fp, f, conf);
    write_module_base(fp, so, conf);
    fputs(TEST_PART, fp);
    fputs(conf, fp);
    fputc('\n', fp);
    fclose(fp);
}

/* --- httpd's command line and environment ------------------------------- */

/* With ${TESTDIR} in word replaced by f's directory. */
static char *with_testdir(const fx *f, const char *word)
{
    static const char var[] = "${TESTDIR}";
    const char *hit;
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);

    while ((hit = strstr(word, var)) != NULL) {
        fprintf(fp, "%.*s%s", (int)(hit - word), word, f->dir);
        word = hit + sizeof(var) - 1;
    }
    fputs(word, fp);
    fclose(fp);
    return text;
}

void fxi_free_env(char **env)
{
    for (char **e = env; e && *e; e++) {
        free(*e);
    }
    free(env);
}

char **fxi_httpd_argv(const fx *f)
{
    const char *wrapper = getenv("FX_HTTPD_WRAPPER");
    char *words = fxi_strdup(wrapper ? wrapper : ""), *word, *save = NULL;
    char conf[PATH_MAX];
    /* Room for every word (two characters at least, with its blank),
     * httpd's four, -X and the end. */
    char **argv = fxi_realloc(NULL, (strlen(words) / 2 + 7) * sizeof(*argv));
    size_t n = 0;

    for (word = strtok_r(words, " \t\n", &save); word;
         word = strtok_r(NULL, " \t\n", &save)) {
        argv[n++] = with_testdir(f, word);
    }
    free(words);
    fxi_path_of(f, "httpd.conf", conf);
    argv[n++] = fxi_strdup(FX_HTTPD);
    argv[n++] = fxi_strdup("-f");
    argv[n++] = fxi_strdup(conf);
    argv[n++] = fxi_strdup("-DFOREGROUND");
    if (getenv("FX_HTTPD_ONE_PROCESS")) {
        argv[n++] = fxi_strdup("-X");
    }
    argv[n] = NULL;
    return argv;
}

/* The NAME=VALUE words of FX_HTTPD_ENV, ${TESTDIR} in them replaced by
 * f's directory, set in this process's environment. */
char **fxi_httpd_env(const fx *f)
{
    const char *value = getenv("FX_HTTPD_ENV");
    size_t n = 0, i;
    char **env, *words, *word, *save = NULL;

    if (!value || !*value) {
        return NULL;
    }
    while (environ[n]) {
        n++;
    }
    /* Room for an entry per word: a word is two characters at least. */
    env = fxi_realloc(NULL, (n + strlen(value) / 2 + 2) * sizeof(*env));
    for (i = 0; i < n; i++) {
        env[i] = fxi_strdup(environ[i]);
    }
    env[n] = NULL;
    words = fxi_strdup(value);
    for (word = strtok_r(words, " \t\n", &save); word;
         word = strtok_r(NULL, " \t\n", &save)) {
        char *set = with_testdir(f, word);
        size_t name = strcspn(set, "=");
        if (!name || !set[name]) {
            free(set);
            free(words);
            fxi_free_env(env);
            fail_msg("FX_HTTPD_ENV: not NAME=VALUE words: %s", value);
        }
        for (i = 0; i < n && strncmp(env[i], set, name + 1); i++) {
        }
        if (i < n) {
            free(env[i]);
        } else {
            env[++n] = NULL;
        }
        env[i] = set;
    }
    free(words);
    return env;
}

/* --- configtest ---------------------------------------------------------- */

int fx_configtest(fx *f, const char **out)
{
    char conf[PATH_MAX], *text;
    char *const argv[] = { FX_HTTPD, "-t", "-f", conf, NULL };
    char **env = fxi_httpd_env(f);
    int rc;

    fxi_path_of(f, "httpd.conf", conf);
    rc = fxi_run(argv, env, &text);
    fxi_free_env(env);
    *out = fxi_own(f, text);
    return rc;
}

/* The test's snippet in f's httpd.conf, for failure messages. */
static const char *test_part(fx *f)
{
    const char *conf = fx_read(f, "httpd.conf");
    const char *part = strstr(conf, TEST_PART);

    return part ? part + strlen(TEST_PART) : conf;
}

void fx_assert_config_ok(fx *f, const char *file, int line)
{
    const char *out;
    int rc = fx_configtest(f, &out);

    if (rc != 0 || !strstr(out, "Syntax OK")) {
        print_error("ERROR: configtest refused (exit %d):\n%s--- output\n%s",
                    rc, test_part(f), out);
        _fail(file, line);
    }
}

void fx_assert_config_refused(fx *f, const char *const *needles,
                              const char *file, int line)
{
    const char *out;

    if (fx_configtest(f, &out) == 0) {
        print_error("ERROR: configtest accepted:\n%s--- output\n%s",
                    test_part(f), out);
        _fail(file, line);
    }
    for (; *needles; needles++) {
        if (!strstr(out, *needles)) {
            print_error("ERROR: configtest's output does not name \"%s\":\n"
                        "%s--- output\n%s", *needles, test_part(f), out);
            _fail(file, line);
        }
    }
}
