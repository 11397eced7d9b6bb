/* Integration-test fixture: see fixture.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* vasprintf, open_memstream, mkdtemp, strptime,
                         timegm */
#endif
#include "fixture.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define APACHE2          "/usr/sbin/apache2"
#define HTPASSWD         "/usr/bin/htpasswd"
#define MODULES_DIR      "/usr/lib/apache2/modules"
#define RUN_USER         "www-data"
#define START_TIMEOUT_MS 10000
#define STOP_TIMEOUT_MS  15000
#define MAX_HEADERS      16

/* The modules every test server loads: enough for auth, SSI, rewrites,
 * remoteip and mod_headers, so one base config serves every test.
 * log_config is built into Debian's apache2, so it is not loaded. */
static const char *const MODULES[] = {
    "authz_core", "authn_core", "authn_file", "auth_basic",
    "authz_user", "authz_host", "setenvif", "env", "headers", "mime",
    "dir", "alias", "include", "remoteip", "rewrite",
};

/* Log lines at warn or worse that every start or stop of this test
 * server may write and that say nothing about the module. Kept tight:
 * add a line only with the reason it is harmless. */
static const char *const HARMLESS[] = {
    NULL,
};

/* Lines httpd itself may write while it stops, whatever the module does:
 * mpm_event's listener can close its pollset under a worker that is just
 * putting a keep-alive connection back into it. */
static const char *const STOPPING[] = {
    "AH03093",
    NULL,
};

static const char *const BAD_LEVELS[] = {
    ":warn]", ":error]", ":crit]", ":alert]", ":emerg]",
};

typedef struct {
    void **v;
    size_t n, cap;
} plist;

typedef struct {
    char path[PATH_MAX];
    long checked;        /* bytes already checked for bad lines */
    long test_mark;      /* size when the current test began */
    int any_line;        /* every line is suspect (stderr before ErrorLog) */
} logfile;

enum { LOG_ERROR, LOG_STDERR, NLOGS };

struct fx {
    char dir[64];
    int port;
    pid_t pid;            /* httpd's parent, 0: not running */
    int stopped;          /* the log now holds httpd's shutdown too */
    int made_in_test;     /* fx_test_end frees it */
    char *last_state;     /* what fx_state last wrote, NULL: unknown */
    logfile logs[NLOGS];
    plist expects;        /* char *: fx_expect_log, until the test ends */
    plist owned;          /* memory handed to the test, until it ends */
    plist reported;       /* char *: the files of reports/ already shown */
    fx *next;
};

static fx *live;          /* every fixture not yet freed */
static int in_test;

static void dispose_all(void);

/* --- small utilities ----------------------------------------------------- */

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        abort();
    }
    return p;
}

static char *xstrdup(const char *s)
{
    return strcpy(xrealloc(NULL, strlen(s) + 1), s);
}

static char *vformat(const char *fmt, va_list ap)
{
    char *s;

    if (vasprintf(&s, fmt, ap) < 0) {
        abort();
    }
    return s;
}

static void plist_add(plist *l, void *p)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
    }
    l->v[l->n++] = p;
}

static void plist_clear(plist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i]);
    }
    l->n = 0;
}

/* Hand p to the test: freed when the test ends. */
static void *own(fx *f, void *p)
{
    plist_add(&f->owned, p);
    return p;
}

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

/* The text of path from byte from on (empty if missing); *end gets the
 * file's size. */
static char *slurp(const char *path, long from, long *end)
{
    FILE *fp = fopen(path, "rb");
    char *s = NULL;
    size_t n = 0, got;

    if (fp && fseek(fp, from, SEEK_SET) == 0) {
        char chunk[8192];
        while ((got = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
            s = xrealloc(s, n + got + 1);
            memcpy(s + n, chunk, got);
            n += got;
        }
    }
    if (fp) {
        fclose(fp);
    }
    s = xrealloc(s, n + 1);
    s[n] = '\0';
    if (end) {
        *end = from + (long)n;
    }
    return s;
}

static long file_size(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

static void path_of(const fx *f, const char *rel, char *out)
{
    if (snprintf(out, PATH_MAX, "%s/%s", f->dir, rel) >= PATH_MAX) {
        fail_msg("path too long: %s/%s", f->dir, rel);
    }
}

static void mkdir_p(const char *path, mode_t mode)
{
    char tmp[PATH_MAX];

    snprintf(tmp, sizeof(tmp), "%s", path);
    for (char *s = tmp + 1; *s; s++) {
        if (*s == '/') {
            *s = '\0';
            mkdir(tmp, mode);
            *s = '/';
        }
    }
    if (mkdir(tmp, mode) != 0 && errno != EEXIST) {
        fail_msg("mkdir %s: %s", tmp, strerror(errno));
    }
    chmod(tmp, mode);   /* whatever the umask */
}

/* Run argv (full path in argv[0]) with the environment env (NULL: this
 * process's) and return its exit status; *out, if given, gets its stdout
 * and stderr. */
static int run_cmd(char *const argv[], char *const env[], char **out)
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
        text = xrealloc(text, 1);
        text[0] = '\0';
    }
    fclose(in);
    waitpid(pid, &status, 0);
    if (out) {
        *out = text;
    } else {
        free(text);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
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

/* Whether httpd's port (f's) answers. */
static int port_answers(void *f)
{
    struct sockaddr_in sa = { .sin_family = AF_INET };
    int s = socket(AF_INET, SOCK_STREAM, 0), ok;

    sa.sin_port = htons(((fx *)f)->port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok = s >= 0 && connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0;
    if (s >= 0) {
        close(s);
    }
    return ok;
}

/* --- helper processes --------------------------------------------------- */

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

/* fx_spawn, with the environment env (NULL: this process's). */
static pid_t spawn(const char *const argv[], char *const env[],
                   const char *log, int deathsig, const char *user)
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
    return spawn(argv, NULL, log, deathsig, user);
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

char *fx_file_tail(const char *path, char *buf, size_t size)
{
    FILE *fp = fopen(path, "r");
    size_t n = 0;

    if (fp) {
        if (fseek(fp, -(long)(size - 1), SEEK_END) != 0) {
            rewind(fp);
        }
        n = fread(buf, 1, size - 1, fp);
        fclose(fp);
    }
    buf[n] = '\0';
    return buf;
}

static int rm_entry(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void fx_remove_dir(const char *dir, const char *who)
{
    if (getenv("FX_KEEP")) {
        fprintf(stderr, "%s: kept %s\n", who, dir);
    } else {
        nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    }
}

/* --- the configuration --------------------------------------------------- */

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

static void write_base(FILE *fp, const fx *f)
{
    fprintf(fp, "Define TESTDIR %s\nDefine TESTPORT %d\n", f->dir, f->port);
    fputs("ServerRoot ${TESTDIR}\n"
          "DefaultRuntimeDir ${TESTDIR}/run\n"
          "PidFile ${TESTDIR}/run/httpd.pid\n"
          "Mutex file:${TESTDIR}/run default\n", fp);
    fprintf(fp, "LoadModule mpm_%s_module %s/mod_mpm_%s.so\n", fx_mpm(),
            MODULES_DIR, fx_mpm());
    for (size_t i = 0; i < sizeof(MODULES) / sizeof(*MODULES); i++) {
        fprintf(fp, "LoadModule %s_module %s/mod_%s.so\n", MODULES[i],
                MODULES_DIR, MODULES[i]);
    }
    if (geteuid() == 0) {
        fputs("User " RUN_USER "\nGroup " RUN_USER "\n", fp);
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
          "CustomLog ${TESTDIR}/logs/access.log common\n"
          "TypesConfig /etc/mime.types\n"
          "AddType text/html .shtml\n"
          "AddOutputFilter INCLUDES .shtml\n"
          "DirectoryIndex index.html\n"
          "DocumentRoot ${TESTDIR}/htdocs\n"
          "<Directory />\n  AllowOverride None\n  Require all denied\n"
          "</Directory>\n"
          "<Directory ${TESTDIR}/htdocs>\n  Options +Includes\n"
          "  AllowOverride None\n  Require all granted\n</Directory>\n", fp);
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

static void write_conf(fx *f, const char *conf)
{
    char path[PATH_MAX];
    const char *so = module_path();
    FILE *fp;

    path_of(f, "httpd.conf", path);
    if (!(fp = fopen(path, "w"))) {
        fail_msg("%s: %s", path, strerror(errno));
    }
    write_base(fp, f);
    write_module_base(fp, so, conf);
    fputs("# --- the test's own configuration\n", fp);
    fputs(conf, fp);
    fputc('\n', fp);
    fclose(fp);
}

/* The directory tree; when root, httpd's User must read htdocs, own the
 * state directory (as the module would make it) and write its reports,
 * so the tree is world-readable and state/ and reports/ are given to the
 * user. */
static void make_tree(fx *f)
{
    static const char *const dirs[] = { "htdocs", "logs", "reports", "run",
                                        "state" };
    static const char *const users[] = { "reports", "state" };
    char path[PATH_MAX];

    chmod(f->dir, 0755);
    for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
        path_of(f, dirs[i], path);
        mkdir_p(path, 0755);
    }
    if (geteuid() == 0) {
        struct passwd *pw = getpwnam(RUN_USER);
        if (!pw) {
            fail_msg("no user " RUN_USER " to run httpd as");
        }
        for (size_t i = 0; i < sizeof(users) / sizeof(*users); i++) {
            path_of(f, users[i], path);
            if (chown(path, pw->pw_uid, pw->pw_gid) != 0) {
                fail_msg("chown %s: %s", path, strerror(errno));
            }
        }
    }
}

static void init_logs(fx *f)
{
    path_of(f, "logs/error.log", f->logs[LOG_ERROR].path);
    path_of(f, "logs/stderr.log", f->logs[LOG_STDERR].path);
    f->logs[LOG_STDERR].any_line = 1;
}

const char *fx_mpm(void)
{
    const char *mpm = getenv("FX_MPM");
    return mpm && *mpm ? mpm : "event";
}

fx *fx_new(const char *conf)
{
    static int ready;
    fx *f = xrealloc(NULL, sizeof(*f));

    memset(f, 0, sizeof(*f));
    if (!ready) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        atexit(dispose_all);
        ready = 1;
    }
    snprintf(f->dir, sizeof(f->dir), "/tmp/mm-it.XXXXXX");
    if (!mkdtemp(f->dir)) {
        fail_msg("mkdtemp: %s", strerror(errno));
    }
    f->made_in_test = in_test;
    f->next = live;
    live = f;
    f->port = fx_free_port();
    init_logs(f);
    make_tree(f);
    write_conf(f, conf ? conf : "");
    return f;
}

const char *fx_dir(const fx *f)
{
    return f->dir;
}

int fx_port(const fx *f)
{
    return f->port;
}

/* --- the error log ------------------------------------------------------- */

/* What a sanitizer writes to the error log, a child's stderr, whatever
 * its log_path (UBSan does so): a report's first line and the frames of
 * the stack under it. */
static int is_sanitizer_line(const char *line)
{
    return strstr(line, ": runtime error: ")
           || (!strncmp(line, "    #", 5) && isdigit((unsigned char)line[5]));
}

static int is_bad_line(const logfile *lf, const char *line)
{
    if (lf->any_line) {
        return *line != '\0';
    }
    if (is_sanitizer_line(line)) {
        return 1;
    }
    for (size_t i = 0; i < sizeof(BAD_LEVELS) / sizeof(*BAD_LEVELS); i++) {
        if (strstr(line, BAD_LEVELS[i])) {
            return 1;
        }
    }
    return 0;
}

static int is_excused(const fx *f, const char *line)
{
    for (size_t i = 0; HARMLESS[i]; i++) {
        if (strstr(line, HARMLESS[i])) {
            return 1;
        }
    }
    for (size_t i = 0; f->stopped && STOPPING[i]; i++) {
        if (strstr(line, STOPPING[i])) {
            return 1;
        }
    }
    for (size_t i = 0; i < f->expects.n; i++) {
        if (strstr(line, f->expects.v[i])) {
            return 1;
        }
    }
    return 0;
}

/* Append to problems every unexcused bad line lf gained since its last
 * check; only whole lines are checked, a partial one waits. */
static void check_logfile(const fx *f, logfile *lf, FILE *problems)
{
    long end;
    char *text = slurp(lf->path, lf->checked, &end);
    char *line = text, *nl;

    while ((nl = strchr(line, '\n')) != NULL) {
        *nl = '\0';
        if (is_bad_line(lf, line) && !is_excused(f, line)) {
            fprintf(problems, "  %s: %s\n", lf->path, line);
        }
        lf->checked += (long)(nl - line) + 1;
        line = nl + 1;
    }
    free(text);
}

static int was_reported(const fx *f, const char *name)
{
    for (size_t i = 0; i < f->reported.n; i++) {
        if (!strcmp(f->reported.v[i], name)) {
            return 1;
        }
    }
    return 0;
}

/* Append to problems the text of every file reports/ gained since its
 * last check: whatever wrote one there (a sanitizer's log_path, see
 * FX_HTTPD_ENV) found something wrong. */
static void check_reports(fx *f, FILE *problems)
{
    char dir[PATH_MAX], path[PATH_MAX + NAME_MAX + 1];
    struct dirent *e;
    DIR *d;

    path_of(f, "reports", dir);
    if (!(d = opendir(dir))) {
        return;
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || was_reported(f, e->d_name)) {
            continue;
        }
        plist_add(&f->reported, xstrdup(e->d_name));
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        char *text = slurp(path, 0, NULL);
        fprintf(problems, "  %s:\n%s", path, text);
        free(text);
    }
    closedir(d);
}

static void check_logs(fx *f, FILE *problems)
{
    for (int i = 0; i < NLOGS; i++) {
        check_logfile(f, &f->logs[i], problems);
    }
    check_reports(f, problems);
}

/* The last lines of the error log, for failure messages. */
static char *log_tail(fx *f)
{
    long size = file_size(f->logs[LOG_ERROR].path);
    char *text = slurp(f->logs[LOG_ERROR].path, size > 3000 ? size - 3000 : 0,
                       NULL);

    return own(f, text);
}

void fx_expect_log(fx *f, const char *text)
{
    plist_add(&f->expects, xstrdup(text));
}

int fx_log_count(fx *f, const char *text)
{
    const logfile *lf = &f->logs[LOG_ERROR];
    char *all = slurp(lf->path, lf->test_mark, NULL);
    int n = 0;

    for (char *line = strtok(all, "\n"); line; line = strtok(NULL, "\n")) {
        n += strstr(line, text) != NULL;
    }
    free(all);
    return n;
}

/* Fail the test with problems' text, if any. Takes the stream. */
static void report(FILE *problems, char **text, size_t *len)
{
    fclose(problems);
    if (*len) {
        char *msg = *text;
        *text = NULL;
        print_error("ERROR: unexpected error-log lines (declare expected "
                    "ones with fx_expect_log) or reports:\n");
        /* In pieces: cmocka cuts a message at 1 KiB, and a sanitizer's
         * report is longer. */
        for (size_t at = 0; at < *len; at += 512) {
            print_error("%.512s", msg + at);
        }
        free(msg);
        fail();
    }
    free(*text);
}

/* --- httpd --------------------------------------------------------------- */

static void stop_httpd(fx *f)
{
    /* SIGTERM: httpd stops its children and removes its pid file. With
     * FX_GRACEFUL_STOP, SIGWINCH (apachectl graceful-stop) instead: on an
     * ungraceful stop the event MPM's main thread closes sockets a worker
     * may still be using, which AddressSanitizer reports as httpd's own
     * use after free. */
    fx_stop(&f->pid, getenv("FX_GRACEFUL_STOP") ? SIGWINCH : SIGTERM,
            STOP_TIMEOUT_MS);
}

static void startup_failed(fx *f, const char *why)
{
    char *err = slurp(f->logs[LOG_STDERR].path, 0, NULL);
    char *log = log_tail(f);
    char *reports = NULL;
    size_t len = 0;
    FILE *fp;

    own(f, err);
    stop_httpd(f);
    for (int i = 0; i < NLOGS; i++) {      /* reported here, not again */
        f->logs[i].checked = file_size(f->logs[i].path);
    }
    fp = open_memstream(&reports, &len);
    check_reports(f, fp);
    fclose(fp);
    own(f, reports);
    fail_msg("httpd in %s %s\n--- stderr\n%s--- error.log\n%s"
             "--- reports\n%s", f->dir, why, err, log, reports);
}

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

static void free_env(char **env)
{
    for (char **e = env; e && *e; e++) {
        free(*e);
    }
    free(env);
}

/* httpd's environment: this process's with the NAME=VALUE words of
 * FX_HTTPD_ENV set in it, ${TESTDIR} in them replaced by f's directory;
 * NULL, this process's as it is, without them. */
static char **httpd_env(const fx *f)
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
    env = xrealloc(NULL, (n + strlen(value) / 2 + 2) * sizeof(*env));
    for (i = 0; i < n; i++) {
        env[i] = xstrdup(environ[i]);
    }
    env[n] = NULL;
    words = xstrdup(value);
    for (word = strtok_r(words, " \t\n", &save); word;
         word = strtok_r(NULL, " \t\n", &save)) {
        char *set = with_testdir(f, word);
        size_t name = strcspn(set, "=");
        if (!name || !set[name]) {
            free(set);
            free(words);
            free_env(env);
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

void fx_start(fx *f)
{
    char conf[PATH_MAX];
    const char *const argv[] = { APACHE2, "-f", conf, "-DFOREGROUND", NULL };
    const char *why;
    char **env, *text = NULL;
    size_t len = 0;
    FILE *problems;

    path_of(f, "httpd.conf", conf);
    env = httpd_env(f);
    /* SIGTERM when the test binary dies: httpd stops its children. */
    f->pid = spawn(argv, env, f->logs[LOG_STDERR].path, SIGTERM, NULL);
    free_env(env);
    if ((why = fx_await_ready(&f->pid, START_TIMEOUT_MS, port_answers, f))) {
        startup_failed(f, why);
    }
    problems = open_memstream(&text, &len);
    check_logs(f, problems);
    report(problems, &text, &len);
}

/* Stop, check, remove; the problems go to problems. */
static void dispose(fx *f, FILE *problems)
{
    fx **p;

    if (problems) {
        check_logs(f, problems);
    }
    stop_httpd(f);
    f->stopped = 1;
    if (problems) {
        check_logs(f, problems);
    }
    for (p = &live; *p != f; p = &(*p)->next) {
    }
    *p = f->next;
    fx_remove_dir(f->dir, "fixture");
    plist_clear(&f->expects);
    plist_clear(&f->owned);
    plist_clear(&f->reported);
    free(f->expects.v);
    free(f->owned.v);
    free(f->reported.v);
    free(f->last_state);
    free(f);
}

void fx_free(fx *f)
{
    char *text = NULL;
    size_t len = 0;
    FILE *problems = open_memstream(&text, &len);

    dispose(f, problems);
    report(problems, &text, &len);
}

/* Whatever a failed test left behind: no httpd outlives the binary. */
static void dispose_all(void)
{
    while (live) {
        dispose(live, NULL);
    }
}

int fx_test_begin(void **state)
{
    (void)state;
    in_test = 1;
    for (fx *f = live; f; f = f->next) {
        for (int i = 0; i < NLOGS; i++) {
            f->logs[i].test_mark = file_size(f->logs[i].path);
        }
    }
    return 0;
}

int fx_test_end(void **state)
{
    char *text = NULL;
    size_t len = 0;
    FILE *problems = open_memstream(&text, &len);
    fx *f = live, *next;

    (void)state;
    in_test = 0;
    for (; f; f = next) {
        next = f->next;
        if (f->made_in_test) {
            dispose(f, problems);
            continue;
        }
        check_logs(f, problems);
        plist_clear(&f->expects);
        plist_clear(&f->owned);
    }
    report(problems, &text, &len);
    return 0;
}

int fx_group_teardown(void **state)
{
    if (*state) {
        fx_free(*state);
        *state = NULL;
    }
    return 0;
}

/* --- files --------------------------------------------------------------- */

static void write_atomic(const char *path, const char *text)
{
    char tmp[PATH_MAX + 8];
    size_t len = strlen(text);
    int fd;

    snprintf(tmp, sizeof(tmp), "%s.fxtmp", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, text, len) != (ssize_t)len
        || fchmod(fd, 0644) != 0 || close(fd) != 0
        || rename(tmp, path) != 0) {
        fail_msg("cannot write %s: %s", path, strerror(errno));
    }
}

static void write_rel(fx *f, const char *rel, const char *text)
{
    char path[PATH_MAX], *slash;

    path_of(f, rel, path);
    slash = strrchr(path, '/');
    *slash = '\0';
    mkdir_p(path, 0755);
    *slash = '/';
    write_atomic(path, text);
}

void fx_write(fx *f, const char *rel, const char *fmt, ...)
{
    va_list ap;
    char *text;

    va_start(ap, fmt);
    text = vformat(fmt, ap);
    va_end(ap);
    write_rel(f, rel, text);
    free(text);
}

/* Give a running httpd's state refresher time to read the change. */
static void settle(fx *f)
{
    if (f->pid) {
        fx_sleep_ms(FX_SETTLE_MS);
    }
}

void fx_state(fx *f, const char *fmt, ...)
{
    va_list ap;
    char *text;

    va_start(ap, fmt);
    text = vformat(fmt, ap);
    va_end(ap);
    if (f->last_state && !strcmp(f->last_state, text)) {
        free(text);
        return;
    }
    write_rel(f, "state/state", text);
    free(f->last_state);
    f->last_state = text;
    settle(f);
}

void fx_state_remove(fx *f)
{
    char path[PATH_MAX];

    path_of(f, "state/state", path);
    if (unlink(path) != 0 && errno != ENOENT) {
        fail_msg("unlink %s: %s", path, strerror(errno));
    }
    free(f->last_state);
    f->last_state = NULL;
    settle(f);
}

void fx_chmod(fx *f, const char *rel, unsigned mode)
{
    char path[PATH_MAX];

    path_of(f, rel, path);
    if (chmod(path, mode) != 0) {
        fail_msg("chmod %s: %s", path, strerror(errno));
    }
    free(f->last_state);
    f->last_state = NULL;
    settle(f);
}

void fx_htpasswd(fx *f, const char *rel, const char *user, const char *pass)
{
    char path[PATH_MAX], *out;
    int create;

    path_of(f, rel, path);
    create = access(path, F_OK) != 0;
    char *const argv[] = { HTPASSWD, create ? "-bc" : "-b", path,
                           (char *)user, (char *)pass, NULL };
    if (run_cmd(argv, NULL, &out) != 0) {
        own(f, out);
        fail_msg("htpasswd %s %s failed:\n%s", path, user, out);
    }
    free(out);
    chmod(path, 0644);
}

const char *fx_fmt(fx *f, const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = vformat(fmt, ap);
    va_end(ap);
    return own(f, s);
}

const char *fx_read_file(fx *f, const char *path)
{
    return own(f, slurp(path, 0, NULL));
}

const char *fx_read(fx *f, const char *rel)
{
    char path[PATH_MAX];

    path_of(f, rel, path);
    return fx_read_file(f, path);
}

time_t fx_iso_time(const char *s)
{
    struct tm tm = { 0 };
    const char *end = s ? strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm) : NULL;

    if (!end || *end) {
        fail_msg("not an ISO 8601 UTC time: %s", s ? s : "(null)");
    }
    return timegm(&tm);
}

const char *fx_iso(fx *f, time_t t)
{
    struct tm tm;
    char buf[32];

    gmtime_r(&t, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return fx_fmt(f, "%s", buf);
}

int fx_configtest(fx *f, const char **out)
{
    char conf[PATH_MAX], *text;
    char *const argv[] = { APACHE2, "-t", "-f", conf, NULL };
    char **env = httpd_env(f);
    int rc;

    path_of(f, "httpd.conf", conf);
    rc = run_cmd(argv, env, &text);
    free_env(env);
    *out = own(f, text);
    return rc;
}

/* --- HTTP ---------------------------------------------------------------- */

typedef struct {
    char *p;
    size_t len;
} buf;

static void buf_add(buf *b, const char *data, size_t n)
{
    b->p = xrealloc(b->p, b->len + n + 1);
    memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static size_t on_body(char *data, size_t size, size_t n, void *b)
{
    buf_add(b, data, size * n);
    return size * n;
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
    buf *b = ud;

    /* A status line starts a new header block (after a 100 Continue). */
    if (size * n >= 5 && !strncmp(data, "HTTP/", 5)) {
        b->len = 0;
    }
    buf_add(b, data, size * n);
    return size * n;
}

static char *trim(char *s)
{
    char *e;

    s += strspn(s, " \t");
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) {
        *--e = '\0';
    }
    return s;
}

/* Split a copy of the header block into name/value pairs. */
static void parse_head(fx *f, fx_res *res)
{
    char *copy = own(f, xstrdup(res->head ? res->head : ""));
    char *line, *save = NULL, *colon;
    size_t cap = 0;

    strtok_r(copy, "\n", &save);   /* the status line */
    while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
        if (!(colon = strchr(line, ':'))) {
            continue;
        }
        *colon = '\0';
        if (res->nfields == cap) {
            cap = cap ? 2 * cap : 16;
            res->fields = xrealloc(res->fields, 2 * cap * sizeof(char *));
        }
        res->fields[2 * res->nfields] = trim(line);
        res->fields[2 * res->nfields + 1] = trim(colon + 1);
        res->nfields++;
    }
    own(f, res->fields);
}

static struct curl_slist *header_list(const fx_req *req)
{
    struct curl_slist *list = NULL;

    for (size_t i = 0; req->headers && req->headers[i]; i++) {
        list = curl_slist_append(list, req->headers[i]);
    }
    return list;
}

static void set_method(CURL *c, const fx_req *req)
{
    if (req->body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(req->body));
    }
    if (req->method && !strcmp(req->method, "HEAD")) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (req->method) {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
    }
}

static void set_options(CURL *c, const char *url, struct curl_slist *hdrs,
                        buf *head, buf *body)
{
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "mm-it");
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, head);
}

fx_res *fx_request(fx *f, const fx_req *req)
{
    fx_res *res = own(f, xrealloc(NULL, sizeof(*res)));
    const char *url = fx_fmt(f, "http://127.0.0.1:%d%s", f->port, req->path);
    struct curl_slist *hdrs = header_list(req);
    buf head = { NULL, 0 }, body = { NULL, 0 };
    CURL *c = curl_easy_init();
    CURLcode rc;

    memset(res, 0, sizeof(*res));
    set_options(c, url, hdrs, &head, &body);
    set_method(c, req);
    if (req->userpwd) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERPWD, req->userpwd);
    }
    rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res->status);
    curl_easy_cleanup(c);
    curl_slist_free_all(hdrs);
    res->head = own(f, head.p ? head.p : xstrdup(""));
    res->body = own(f, body.p ? body.p : xstrdup(""));
    res->body_len = body.len;
    if (rc != CURLE_OK) {
        fail_msg("%s %s: %s\n--- error.log\n%s", req->method ? req->method
                 : "GET", url, curl_easy_strerror(rc), log_tail(f));
    }
    parse_head(f, res);
    return res;
}

/* The NULL-terminated header arguments of fx_get and fx_await_status
 * into headers (MAX_HEADERS + 1 entries). */
static void header_args(const char **headers, va_list ap)
{
    size_t n = 0;

    while (n < MAX_HEADERS && (headers[n] = va_arg(ap, const char *))) {
        n++;
    }
    headers[n] = NULL;
}

fx_res *fx_get_(fx *f, const char *path, ...)
{
    const char *headers[MAX_HEADERS + 1];
    va_list ap;
    fx_req req = { .path = path, .headers = headers };

    va_start(ap, path);
    header_args(headers, ap);
    va_end(ap);
    return fx_request(f, &req);
}

fx_res *fx_await_status_(fx *f, const char *path, long status, ...)
{
    const char *headers[MAX_HEADERS + 1];
    va_list ap;
    fx_req req = { .path = path, .headers = headers };
    fx_res *r;

    va_start(ap, status);
    header_args(headers, ap);
    va_end(ap);
    r = fx_request(f, &req);
    for (int waited = 0; waited < FX_AWAIT_MS && r->status != status;
         waited += 50) {
        fx_sleep_ms(50);
        r = fx_request(f, &req);
    }
    return r;
}

const char *fx_header(const fx_res *res, const char *name)
{
    for (size_t i = 0; i < res->nfields; i++) {
        if (!strcasecmp(res->fields[2 * i], name)) {
            return res->fields[2 * i + 1];
        }
    }
    return NULL;
}

/* --- a small JSON reader: enough to check problem documents -------------- */

static void jws(const char **p)
{
    *p += strspn(*p, " \t\r\n");
}

static int hex4(const char *p, unsigned *cp)
{
    char digits[5];
    char *end;

    if (strspn(p, "0123456789abcdefABCDEF") < 4) {
        return -1;
    }
    memcpy(digits, p, 4);
    digits[4] = '\0';
    *cp = (unsigned)strtoul(digits, &end, 16);
    return 0;
}

static void put_utf8(FILE *out, unsigned cp)
{
    if (cp < 0x80) {
        fputc((int)cp, out);
    } else if (cp < 0x800) {
        fputc(0xC0 | (cp >> 6), out);
        fputc(0x80 | (cp & 0x3F), out);
    } else if (cp < 0x10000) {
        fputc(0xE0 | (cp >> 12), out);
        fputc(0x80 | ((cp >> 6) & 0x3F), out);
        fputc(0x80 | (cp & 0x3F), out);
    } else {
        fputc(0xF0 | (cp >> 18), out);
        fputc(0x80 | ((cp >> 12) & 0x3F), out);
        fputc(0x80 | ((cp >> 6) & 0x3F), out);
        fputc(0x80 | (cp & 0x3F), out);
    }
}

/* \uXXXX, combining a surrogate pair. */
static int junicode(const char **pp, FILE *out)
{
    const char *p = *pp;
    unsigned cp, lo;

    if (hex4(p, &cp)) {
        return -1;
    }
    p += 4;
    if (cp >= 0xD800 && cp < 0xDC00 && p[0] == '\\' && p[1] == 'u'
        && !hex4(p + 2, &lo) && lo >= 0xDC00 && lo < 0xE000) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        p += 6;
    }
    if (out) {
        put_utf8(out, cp);
    }
    *pp = p;
    return 0;
}

static int jescape(const char **pp, FILE *out)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    char c = *(*pp)++;
    const char *hit = c ? strchr(from, c) : NULL;

    if (hit) {
        if (out) {
            fputc(to[hit - from], out);
        }
        return 0;
    }
    return c == 'u' ? junicode(pp, out) : -1;
}

/* A string, unescaped into out (may be NULL). */
static int jstring(const char **pp, FILE *out)
{
    const char *p = *pp;

    if (*p++ != '"') {
        return -1;
    }
    while (*p != '"') {
        if ((unsigned char)*p < 0x20) {
            return -1;
        }
        if (*p != '\\') {
            if (out) {
                fputc(*p, out);
            }
            p++;
        } else if (p++, jescape(&p, out)) {
            return -1;
        }
    }
    *pp = p + 1;
    return 0;
}

static int jdigits(const char **p)
{
    size_t n = strspn(*p, "0123456789");

    *p += n;
    return n ? 0 : -1;
}

static int jnumber(const char **p)
{
    *p += **p == '-';
    if (**p == '0') {
        (*p)++;
    } else if (jdigits(p)) {
        return -1;
    }
    if (**p == '.' && (++*p, jdigits(p))) {
        return -1;
    }
    if (**p == 'e' || **p == 'E') {
        ++*p;
        *p += **p == '+' || **p == '-';
        return jdigits(p);
    }
    return 0;
}

static int jliteral(const char **p, const char *lit)
{
    size_t n = strlen(lit);

    if (strncmp(*p, lit, n)) {
        return -1;
    }
    *p += n;
    return 0;
}

static int jobject(const char **p, int depth, const char *name,
                   const char **vs, const char **ve);

static int jarray(const char **p, int depth);

static int jvalue(const char **p, int depth)
{
    if (depth > 32) {
        return -1;
    }
    jws(p);
    switch (**p) {
    case '"': return jstring(p, NULL);
    case '{': return jobject(p, depth + 1, NULL, NULL, NULL);
    case '[': return jarray(p, depth + 1);
    case 't': return jliteral(p, "true");
    case 'f': return jliteral(p, "false");
    case 'n': return jliteral(p, "null");
    default:  return jnumber(p);
    }
}

static int jarray(const char **p, int depth)
{
    ++*p;
    jws(p);
    if (**p == ']') {
        ++*p;
        return 0;
    }
    for (;;) {
        if (jvalue(p, depth)) {
            return -1;
        }
        jws(p);
        if (**p != ',') {
            break;
        }
        ++*p;
    }
    return *(*p)++ == ']' ? 0 : -1;
}

/* One member; when its key is name, *vs and *ve bound its value. */
static int jmember(const char **p, int depth, const char *name,
                   const char **vs, const char **ve)
{
    char *key = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&key, &len);
    int rc, match;

    jws(p);
    rc = jstring(p, out);
    fclose(out);
    match = !rc && name && !strcmp(key, name);
    free(key);
    jws(p);
    if (rc || *(*p)++ != ':') {
        return -1;
    }
    jws(p);
    if (match) {
        *vs = *p;
    }
    rc = jvalue(p, depth);
    if (match) {
        *ve = *p;
    }
    return rc;
}

static int jobject(const char **p, int depth, const char *name,
                   const char **vs, const char **ve)
{
    ++*p;
    jws(p);
    if (**p == '}') {
        ++*p;
        return 0;
    }
    for (;;) {
        if (jmember(p, depth, name, vs, ve)) {
            return -1;
        }
        jws(p);
        if (**p != ',') {
            break;
        }
        ++*p;
    }
    return *(*p)++ == '}' ? 0 : -1;
}

/* The raw text of member name of res's top-level object, or NULL. */
static const char *json_member(fx *f, const fx_res *res, const char *name)
{
    const char *p = res->body, *vs = NULL, *ve = NULL;

    jws(&p);
    if (*p != '{' || jobject(&p, 0, name, &vs, &ve) || (jws(&p), *p)) {
        fail_msg("not one JSON object:\n%s", res->body);
    }
    return vs ? fx_fmt(f, "%.*s", (int)(ve - vs), vs) : NULL;
}

const char *fx_json_raw(fx *f, const fx_res *res, const char *name)
{
    return json_member(f, res, name);
}

const char *fx_json_str(fx *f, const fx_res *res, const char *name)
{
    const char *raw = json_member(f, res, name);
    char *text = NULL;
    size_t len = 0;
    FILE *out;

    if (!raw || *raw != '"') {
        return NULL;
    }
    out = open_memstream(&text, &len);
    jstring(&raw, out);
    fclose(out);
    return own(f, text);
}

/* --- assertions ---------------------------------------------------------- */

void fx_assert_status(const fx_res *res, long status, const char *file,
                      int line)
{
    if (res->status != status) {
        print_error("ERROR: status %ld, expected %ld\n--- headers\n%s"
                    "--- body\n%.2000s\n", res->status, status, res->head,
                    res->body);
        _fail(file, line);
    }
}

void fx_assert_contains(const char *what, const char *haystack,
                        const char *needle, const char *file, int line)
{
    if (!haystack || !strstr(haystack, needle)) {
        print_error("ERROR: %s lacks \"%s\":\n%.3000s\n", what, needle,
                    haystack ? haystack : "(null)");
        _fail(file, line);
    }
}

void fx_assert_lacks(const char *what, const char *haystack,
                     const char *needle, const char *file, int line)
{
    if (haystack && strstr(haystack, needle)) {
        print_error("ERROR: %s has \"%s\":\n%.3000s\n", what, needle,
                    haystack);
        _fail(file, line);
    }
}

void fx_assert_header(const fx_res *res, const char *name, const char *value,
                      const char *file, int line)
{
    const char *got = fx_header(res, name);

    if (value ? !got || strcmp(got, value) : got != NULL) {
        print_error("ERROR: header %s: \"%s\", expected %s%s%s\n"
                    "--- headers\n%s", name, got ? got : "(absent)",
                    value ? "\"" : "", value ? value : "(absent)",
                    value ? "\"" : "", res->head);
        _fail(file, line);
    }
}

long fx_header_num(const fx_res *res, const char *name)
{
    const char *v = fx_header(res, name);
    char *end;
    long n;

    if (!v || !*v) {
        return -1;
    }
    n = strtol(v, &end, 10);
    return *end ? -1 : n;
}

void fx_assert_passes(const fx_res *res, const char *bypass,
                      const char *file, int line)
{
    fx_assert_status(res, 200, file, line);
    fx_assert_header(res, "X-Mode", "on", file, line);
    fx_assert_header(res, "X-Bypass", bypass, file, line);
}

void fx_assert_blocked(const fx_res *res, long status, const char *file,
                       int line)
{
    fx_assert_status(res, status, file, line);
    fx_assert_header(res, "X-Mode", "on", file, line);
    fx_assert_header(res, "X-Bypass", NULL, file, line);
}

void fx_assert_served(const fx_res *res, const char *file, int line)
{
    fx_assert_status(res, 200, file, line);
    fx_assert_header(res, "X-Mode", "off", file, line);
    fx_assert_header(res, "X-Bypass", NULL, file, line);
}
