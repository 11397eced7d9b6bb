/* The fixture's inside, shared by the files that implement fixture.h and
 * seen by no test:
 *
 *     fixture.c   the life cycle: fx_new, fx_start, fx_free, the per-test
 *                 and group glue, and the memory handed to tests
 *     spawn.c     helper processes: starting, waiting, reaping, stopping;
 *                 free ports and the clock
 *     conf.c      what httpd is given: its directory tree, httpd.conf, its
 *                 command line and environment; configtest
 *     errlog.c    the error-log police and the sanitizers' reports
 *     http.c      the HTTP client (libcurl) and the answers' headers
 *     json.c      the JSON members of an answer (jansson)
 *     files.c     files, the state file, times as the state writes them
 *     assert.c    assertions with messages that show the answer
 *
 * Functions here start with fxi_ so that they never meet a test's own
 * names when the test binary is linked. */
#ifndef FIXTURE_INT_H
#define FIXTURE_INT_H

#include <limits.h>
#include <stdio.h>

#include "fixture.h"

/* The Makefile says where httpd is (apxs -q SBINDIR and progname), where
 * its modules are (apxs -q LIBEXECDIR) and its htpasswd (apxs -q BINDIR). */
#if !defined(FX_HTTPD) || !defined(FX_MODULES_DIR) || !defined(FX_HTPASSWD)
#error "FX_HTTPD, FX_MODULES_DIR and FX_HTPASSWD come from the Makefile"
#endif

/* A growing list of malloc'd pointers, freed together. */
typedef struct {
    void **v;
    size_t n, cap;
} plist;

/* A log the fixture polices: error.log, or httpd's stderr. */
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

/* --- memory (fixture.c): out of memory aborts ---------------------------- */

void *fxi_realloc(void *p, size_t n);
char *fxi_strdup(const char *s);
char *fxi_vformat(const char *fmt, va_list ap);
void fxi_list_add(plist *l, void *p);
/* Free every pointer of l and empty it (its array stays for reuse). */
void fxi_list_clear(plist *l);
/* Hand p to the test: freed when the test ends. Returns p. */
void *fxi_own(fx *f, void *p);

/* --- files (files.c) ----------------------------------------------------- */

/* The text of path from byte from on (empty if missing); *end (if end is
 * not NULL) gets the file's size. */
char *fxi_slurp(const char *path, long from, long *end);
long fxi_file_size(const char *path);
/* f's directory / rel into out (PATH_MAX bytes); fails the test when too
 * long. */
void fxi_path_of(const fx *f, const char *rel, char *out);
/* mkdir -p, then chmod mode whatever the umask. */
void fxi_mkdir_p(const char *path, mode_t mode);

/* --- processes (spawn.c) ------------------------------------------------- */

/* fx_spawn, with the environment env (NULL: this process's). */
pid_t fxi_spawn(const char *const argv[], char *const env[], const char *log,
                int deathsig, const char *user);

/* Run argv (full path in argv[0]) with the environment env (NULL: this
 * process's) and return its exit status; *out gets its stdout and stderr
 * (malloc'd). */
int fxi_run(char *const argv[], char *const env[], char **out);

/* --- httpd's configuration and environment (conf.c) ---------------------- */

/* The directory tree httpd needs, owned as httpd's User needs it. */
void fxi_make_tree(fx *f);

/* httpd.conf: the base, then conf. */
void fxi_write_conf(fx *f, const char *conf);

/* httpd's command line: FX_HTTPD -f httpd.conf -DFOREGROUND, then -X
 * with FX_HTTPD_ONE_PROCESS set, after FX_HTTPD_WRAPPER's words. Free it
 * with fxi_free_env. */
char **fxi_httpd_argv(const fx *f);

/* httpd's environment: this process's with FX_HTTPD_ENV's words set in
 * it; NULL, this process's as it is, when there are none. Free it with
 * fxi_free_env. */
char **fxi_httpd_env(const fx *f);
void fxi_free_env(char **env);

/* --- the error log (errlog.c) -------------------------------------------- */

/* Problems found in the logs, collected to fail the test with at once. */
typedef struct {
    FILE *fp;
    char *text;
    size_t len;
} problems;

void fxi_problems_open(problems *p);
/* Close p and fail the test with its text, if any. */
void fxi_problems_report(problems *p);

/* Where f's logs are; their marks start at 0. */
void fxi_init_logs(fx *f);
/* The test begins: fx_log_count counts from here. */
void fxi_mark_logs(fx *f);
/* Every line written so far counts as checked (its problems were shown
 * another way). */
void fxi_skip_logs(fx *f);
/* Append to p every unexcused bad line the logs gained since their last
 * check, and every new report. */
void fxi_check_logs(fx *f, FILE *p);
/* Append to p the text of every file reports/ gained since its last
 * check. */
void fxi_check_reports(fx *f, FILE *p);
/* The last lines of the error log, for failure messages (owned by f). */
char *fxi_log_tail(fx *f);

#endif
