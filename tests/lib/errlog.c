/* The error-log police: as in httpd's own test framework, every line at
 * warn or worse that the test did not declare fails it, and so does a
 * sanitizer's report (a file in reports/, or UBSan's lines in the log).
 * Also the counting of log lines tests assert on. See fixture.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* open_memstream */
#endif
#include "fixture_int.h"

#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>

/* Log lines at warn or worse that every start or stop of this test
 * server may write and that say nothing about the module. Kept tight:
 * add a line only with the reason it is harmless. */
static const char *const HARMLESS[] = {
    NULL,
};

/* Lines httpd itself may write while it stops, whatever the module does:
 * mpm_event's listener can close its pollset under a worker that is just
 * putting a keep-alive connection (AH03093) or one it closes lingeringly
 * (AH03092) back into it: "Bad file descriptor". */
static const char *const STOPPING[] = {
    "AH03092",
    "AH03093",
    NULL,
};

static const char *const BAD_LEVELS[] = {
    ":warn]", ":error]", ":crit]", ":alert]", ":emerg]",
};

/* --- problems, reported at once ------------------------------------------ */

void fxi_problems_open(problems *p)
{
    p->text = NULL;
    p->len = 0;
    p->fp = open_memstream(&p->text, &p->len);
}

/* text in pieces: cmocka cuts a message at 1 KiB, and a sanitizer's
 * report or a log is longer. */
static void print_long(const char *text, size_t len)
{
    for (size_t at = 0; at < len; at += 512) {
        print_error("%.512s", text + at);
    }
}

void fxi_problems_report(problems *p)
{
    fclose(p->fp);
    if (p->len) {
        char *msg = p->text;
        print_error("ERROR: unexpected error-log lines (declare expected "
                    "ones with fx_expect_log) or reports:\n");
        print_long(msg, p->len);
        free(msg);
        fail();
    }
    free(p->text);
}

/* --- the logs ------------------------------------------------------------ */

void fxi_init_logs(fx *f)
{
    fxi_path_of(f, "logs/error.log", f->logs[LOG_ERROR].path);
    fxi_path_of(f, "logs/stderr.log", f->logs[LOG_STDERR].path);
    f->logs[LOG_STDERR].any_line = 1;
}

void fxi_mark_logs(fx *f)
{
    for (int i = 0; i < NLOGS; i++) {
        f->logs[i].test_mark = fxi_file_size(f->logs[i].path);
    }
}

void fxi_skip_logs(fx *f)
{
    for (int i = 0; i < NLOGS; i++) {
        f->logs[i].checked = fxi_file_size(f->logs[i].path);
    }
}

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

/* Append to p every unexcused bad line lf gained since its last check;
 * only whole lines are checked, a partial one waits. */
static void check_logfile(const fx *f, logfile *lf, FILE *p)
{
    long end;
    char *text = fxi_slurp(lf->path, lf->checked, &end);
    char *line = text, *nl;

    while ((nl = strchr(line, '\n')) != NULL) {
        *nl = '\0';
        if (is_bad_line(lf, line) && !is_excused(f, line)) {
            fprintf(p, "  %s: %s\n", lf->path, line);
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

/* Whatever wrote a file in reports/ (a sanitizer's log_path, see
 * FX_HTTPD_ENV) found something wrong. */
void fxi_check_reports(fx *f, FILE *p)
{
    char dir[PATH_MAX], path[PATH_MAX + NAME_MAX + 1];
    struct dirent *e;
    DIR *d;

    fxi_path_of(f, "reports", dir);
    if (!(d = opendir(dir))) {
        return;
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || was_reported(f, e->d_name)) {
            continue;
        }
        fxi_list_add(&f->reported, fxi_strdup(e->d_name));
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        char *text = fxi_slurp(path, 0, NULL);
        fprintf(p, "  %s:\n%s", path, text);
        free(text);
    }
    closedir(d);
}

void fxi_check_logs(fx *f, FILE *p)
{
    for (int i = 0; i < NLOGS; i++) {
        check_logfile(f, &f->logs[i], p);
    }
    fxi_check_reports(f, p);
}

char *fxi_log_tail(fx *f)
{
    long size = fxi_file_size(f->logs[LOG_ERROR].path);

    return fxi_own(f, fxi_slurp(f->logs[LOG_ERROR].path,
                                size > 3000 ? size - 3000 : 0, NULL));
}

/* --- what tests ask of the log ------------------------------------------- */

void fx_expect_log(fx *f, const char *text)
{
    fxi_list_add(&f->expects, fxi_strdup(text));
}

int fx_log_count(fx *f, const char *text)
{
    const logfile *lf = &f->logs[LOG_ERROR];
    char *all = fxi_slurp(lf->path, lf->test_mark, NULL);
    int n = 0;

    for (char *line = strtok(all, "\n"); line; line = strtok(NULL, "\n")) {
        n += strstr(line, text) != NULL;
    }
    free(all);
    return n;
}

void fx_assert_log_count(fx *f, const char *text, int n, const char *file,
                         int line)
{
    const logfile *lf = &f->logs[LOG_ERROR];
    int got = fx_log_count(f, text);
    char *log;

    if (got == n) {
        return;
    }
    log = fxi_slurp(lf->path, lf->test_mark, NULL);
    print_error("ERROR: %d error-log lines since the test began contain "
                "\"%s\", expected %d:\n", got, text, n);
    print_long(log, strlen(log));
    free(log);
    _fail(file, line);
}
