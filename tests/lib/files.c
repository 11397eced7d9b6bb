/* Files in a fixture's directory (written atomically, as the module's
 * readers expect), the state file and the wait for httpd to see it, and
 * times as the state file writes them. See fixture.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* strptime, timegm */
#endif
#include "fixture_int.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* --- paths and whole files ----------------------------------------------- */

char *fxi_slurp(const char *path, long from, long *end)
{
    FILE *fp = fopen(path, "rb");
    char *s = NULL;
    size_t n = 0, got;

    if (fp && fseek(fp, from, SEEK_SET) == 0) {
        char chunk[8192];
        while ((got = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
            s = fxi_realloc(s, n + got + 1);
            memcpy(s + n, chunk, got);
            n += got;
        }
    }
    if (fp) {
        fclose(fp);
    }
    s = fxi_realloc(s, n + 1);
    s[n] = '\0';
    if (end) {
        *end = from + (long)n;
    }
    return s;
}

long fxi_file_size(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

void fxi_path_of(const fx *f, const char *rel, char *out)
{
    if (snprintf(out, PATH_MAX, "%s/%s", f->dir, rel) >= PATH_MAX) {
        fail_msg("path too long: %s/%s", f->dir, rel);
    }
}

void fxi_mkdir_p(const char *path, mode_t mode)
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

const char *fx_read_file(fx *f, const char *path)
{
    return fxi_own(f, fxi_slurp(path, 0, NULL));
}

const char *fx_read(fx *f, const char *rel)
{
    char path[PATH_MAX];

    fxi_path_of(f, rel, path);
    return fx_read_file(f, path);
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

/* --- writing ------------------------------------------------------------- */

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

    fxi_path_of(f, rel, path);
    slash = strrchr(path, '/');
    *slash = '\0';
    fxi_mkdir_p(path, 0755);
    *slash = '/';
    write_atomic(path, text);
}

void fx_write(fx *f, const char *rel, const char *fmt, ...)
{
    va_list ap;
    char *text;

    va_start(ap, fmt);
    text = fxi_vformat(fmt, ap);
    va_end(ap);
    write_rel(f, rel, text);
    free(text);
}

void fx_htpasswd(fx *f, const char *rel, const char *user, const char *pass)
{
    char path[PATH_MAX], *out;
    int create;

    fxi_path_of(f, rel, path);
    create = access(path, F_OK) != 0;
    char *const argv[] = { FX_HTPASSWD, create ? "-bc" : "-b", path,
                           (char *)user, (char *)pass, NULL };
    if (fxi_run(argv, NULL, &out) != 0) {
        fxi_own(f, out);
        fail_msg("htpasswd %s %s failed:\n%s", path, user, out);
    }
    free(out);
    chmod(path, 0644);
}

/* --- the state file ------------------------------------------------------ */

/* text is now the state file's (NULL: unknown, as after a change the
 * fixture did not write); give a running httpd's state refresher time to
 * read it. */
static void state_changed(fx *f, char *text)
{
    free(f->last_state);
    f->last_state = text;
    if (f->pid) {
        fx_sleep_ms(FX_SETTLE_MS);
    }
}

void fx_state(fx *f, const char *fmt, ...)
{
    va_list ap;
    char *text;

    va_start(ap, fmt);
    text = fxi_vformat(fmt, ap);
    va_end(ap);
    if (f->last_state && !strcmp(f->last_state, text)) {
        free(text);
        return;
    }
    write_rel(f, "state/state", text);
    state_changed(f, text);
}

const char *fx_state_put(fx *f, const char *text)
{
    write_rel(f, "state/state", text);
    state_changed(f, NULL);
    return fx_read(f, "state/state");
}

void fx_state_remove(fx *f)
{
    char path[PATH_MAX];

    fxi_path_of(f, "state/state", path);
    if (unlink(path) != 0 && errno != ENOENT) {
        fail_msg("unlink %s: %s", path, strerror(errno));
    }
    state_changed(f, NULL);
}

/* The mode of any file may change what httpd reads as the state (0 makes
 * it unreadable). */
void fx_chmod(fx *f, const char *rel, unsigned mode)
{
    char path[PATH_MAX];

    fxi_path_of(f, rel, path);
    if (chmod(path, mode) != 0) {
        fail_msg("chmod %s: %s", path, strerror(errno));
    }
    state_changed(f, NULL);
}

/* --- times --------------------------------------------------------------- */

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
