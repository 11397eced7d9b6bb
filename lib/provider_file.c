/* The file: provider: the state in a local file, replaced atomically.
 *
 * Root runs this code too, in directories httpd's User can write: httpd's
 * parent creates the state directory at every start, and maintenancectl
 * may run under sudo. So a path is walked one component at a time from a
 * directory descriptor, a symbolic link is followed only where nobody but
 * root (or this user) could have put it, the state and its temporary file
 * are never opened through a link, and modes and owners are set on open
 * descriptors, never by name. */
#include <apr_strings.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "provider.h"

/* More links than this on one path is a loop, or an attack. */
#define MAX_LINKS 16

/* Tries at a temporary name before giving up: only another writer's
 * leftover or a hostile file can take one. */
#define TMP_TRIES 16

typedef struct {
    const char *path;
    const char *dir;            /* path's directory, "/" at least */
    const char *name;           /* path's last component */
    apr_uid_t uid;
    apr_gid_t gid;
} file_instance;

static const char *say(apr_pool_t *p, const char *what, const char *path,
                       int errnum)
{
    return apr_psprintf(p, "%s %s: %s", what, path, strerror(errnum));
}

static const char *file_create(void **instance, const char *args,
                               const apr_table_t *options,
                               const maintenance_provider_params *params,
                               apr_pool_t *p)
{
    file_instance *fi = apr_pcalloc(p, sizeof(*fi));
    const char *slash, *err;

    if ((err = maintenance_options_check(options, NULL, p)) != NULL) {
        return err;
    }
    fi->path = *args ? args : MAINTENANCE_STATE_FILE;
    if (fi->path[0] != '/') {
        return "the state file must be an absolute path";
    }
    slash = strrchr(fi->path, '/');
    fi->name = slash + 1;
    if (!*fi->name || !strcmp(fi->name, ".") || !strcmp(fi->name, "..")) {
        return "the state file must be a file, not a directory";
    }
    fi->dir = slash == fi->path ? "/"
                                : apr_pstrmemdup(p, fi->path, slash - fi->path);
    fi->uid = params->uid;
    fi->gid = params->gid;
    *instance = fi;
    return NULL;
}

/* Whether a link found in the directory dirfd may be followed: only root,
 * or this process's user, could have made it. */
static int trusted_dir(int dirfd)
{
    struct stat sb;

    return fstat(dirfd, &sb) == 0
        && (sb.st_uid == 0 || sb.st_uid == geteuid())
        && !(sb.st_mode & (S_IWGRP | S_IWOTH));
}

/* A directory just made by root goes to httpd's User; anything else found
 * there (a directory someone swapped in meanwhile) is left alone. */
static int hand_over(int fd, const file_instance *fi)
{
    struct stat sb;

    if (fstat(fd, &sb) != 0) {
        return -1;
    }
    if (geteuid() != 0 || sb.st_uid != 0) {
        return 0;
    }
    /* mkdirat's mode went through the umask; the directory must be
     * searchable by every reader of the state. */
    return fchown(fd, fi->uid, fi->gid) == 0 && fchmod(fd, 0755) == 0
           ? 0 : -1;
}

/* Open the next component c of a walk from the directory fd, making it
 * when create says so. Returns a descriptor, or -1 with errno set (ELOOP:
 * c is a symbolic link). */
static int step(int fd, const char *c, int create, const file_instance *fi)
{
    int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    int next = openat(fd, c, flags);

    if (next >= 0 || errno != ENOENT || !create) {
        return next;
    }
    if (mkdirat(fd, c, 0755) != 0) {
        return errno == EEXIST ? openat(fd, c, flags) : -1;
    }
    if ((next = openat(fd, c, flags)) >= 0 && hand_over(next, fi) != 0) {
        int saved = errno;
        close(next);
        errno = saved;
        return -1;
    }
    return next;
}

/* Open the directory fi->dir, following only trusted links, and with
 * create making its missing components (handed over to httpd's User).
 * Returns a descriptor, or -1 with errno set and the error in err. */
static int open_dir(const file_instance *fi, int create, apr_pool_t *p,
                    const char **err)
{
    char *rest = apr_pstrdup(p, fi->dir), *c;
    const char *where = "/";
    int fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC), links = 0, e = 0;

    if (fd < 0) {
        *err = say(p, "cannot open", where, e = errno);
    }
    while (!e && rest) {
        char target[1024];
        ssize_t n;
        int next;

        c = rest;
        rest = strchr(rest, '/');
        if (rest) {
            *rest++ = '\0';
        }
        if (!*c || !strcmp(c, ".")) {
            continue;
        }
        where = apr_pstrcat(p, where, strcmp(where, "/") ? "/" : "", c, NULL);
        if ((next = step(fd, c, create, fi)) >= 0) {
            close(fd);
            fd = next;
            continue;
        }
        if ((e = errno) != ELOOP && e != ENOTDIR) {
            *err = say(p, create ? "cannot create directory"
                                    : "cannot open", where, e);
        }
        else if ((n = readlinkat(fd, c, target, sizeof(target) - 1)) < 0) {
            *err = say(p, "cannot open", where, e = ENOTDIR);
        }
        else if (!trusted_dir(fd)) {
            e = EPERM;
            *err = apr_psprintf(p, "%s is a symbolic link in a directory "
                                "others can write: not followed", where);
        }
        else if (++links > MAX_LINKS) {
            *err = say(p, "cannot open", where, e = ELOOP);
        }
        else {
            /* The link's target takes its place in what is left. */
            e = 0;
            target[n] = '\0';
            rest = rest ? apr_pstrcat(p, target, "/", rest, NULL)
                        : apr_pstrdup(p, target);
            if (target[0] == '/') {
                close(fd);
                if ((fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
                    *err = say(p, "cannot open", "/", e = errno);
                }
            }
        }
    }
    if (e) {
        if (fd >= 0) {
            close(fd);
        }
        errno = e;
        return -1;
    }
    return fd;
}

static apr_status_t file_prepare(void *instance, apr_pool_t *p,
                                 const char **err)
{
    int fd = open_dir(instance, 1, p, err);

    if (fd < 0) {
        return APR_FROM_OS_ERROR(errno);
    }
    close(fd);
    return APR_SUCCESS;
}

static apr_status_t file_get(void *instance, char *buf, apr_size_t *len,
                             apr_pool_t *p, const char **err)
{
    file_instance *fi = instance;
    struct stat sb;
    apr_size_t got = 0;
    int dfd, fd;

    if ((dfd = open_dir(fi, 0, p, err)) < 0) {
        /* No directory, no state: off. */
        return errno == ENOENT ? APR_NOTFOUND : APR_FROM_OS_ERROR(errno);
    }
    /* Non-blocking: a FIFO put at the path must not stop the reader. */
    fd = openat(dfd, fi->name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    close(dfd);
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT) {
            return APR_NOTFOUND;
        }
        *err = say(p, e == ELOOP ? "not following the symbolic link"
                                    : "cannot open", fi->path, e);
        return APR_FROM_OS_ERROR(e);
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        *err = apr_psprintf(p, "%s is not a regular file", fi->path);
        return APR_EINVAL;
    }
    /* One byte more than allowed tells an oversized state from a full one. */
    while (got < MAINTENANCE_STATE_MAX + 1) {
        ssize_t n = read(fd, buf + got, MAINTENANCE_STATE_MAX + 1 - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            int e = errno;
            close(fd);
            *err = say(p, "cannot read", fi->path, e);
            return APR_FROM_OS_ERROR(e);
        }
        if (n == 0) {
            break;
        }
        got += (apr_size_t)n;
    }
    close(fd);
    *len = got;
    if (got > MAINTENANCE_STATE_MAX) {
        *err = apr_psprintf(p, "%s is larger than %d bytes", fi->path,
                            MAINTENANCE_STATE_MAX);
        return APR_ENOSPC;
    }
    return APR_SUCCESS;
}

/* A new file beside the state, created (never opened through a link) with
 * a name of its own in *tmp. */
static int open_tmp(int dfd, const file_instance *fi, const char **tmp,
                    apr_pool_t *p)
{
    int i, fd = -1;

    for (i = 0; i < TMP_TRIES && fd < 0; i++) {
        unsigned char r[6];

        if (apr_generate_random_bytes(r, sizeof(r)) != APR_SUCCESS) {
            errno = EIO;
            return -1;
        }
        *tmp = apr_psprintf(p, "%s.%02x%02x%02x%02x%02x%02x", fi->name,
                            r[0], r[1], r[2], r[3], r[4], r[5]);
        fd = openat(dfd, *tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW
                    | O_CLOEXEC, 0600);
        if (fd < 0 && errno != EEXIST) {
            return -1;
        }
    }
    return fd;
}

/* Write text whole into fd, readable by all and owned as the directory
 * dfd is, so that whoever may replace the state (the toggle page as
 * httpd's User) keeps the same file as root leaves it. */
static int fill(int fd, int dfd, const char *text, apr_size_t len)
{
    struct stat dir;

    while (len) {
        ssize_t n = write(fd, text, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return -1;
        }
        text += n;
        len -= (apr_size_t)n;
    }
    if (fchmod(fd, 0644) != 0) {
        return -1;
    }
    if (geteuid() == 0
        && (fstat(dfd, &dir) != 0 || fchown(fd, dir.st_uid, dir.st_gid) != 0)) {
        return -1;
    }
    /* A reader sees the old state or the new one: the new one is whole
     * on disk before it takes the old one's name. */
    return fsync(fd);
}

static apr_status_t file_set(void *instance, const char *text, apr_size_t len,
                             apr_pool_t *p, const char **err)
{
    file_instance *fi = instance;
    const char *tmp = NULL;
    int dfd, fd, e = 0;

    if ((dfd = open_dir(fi, 0, p, err)) < 0) {
        return APR_FROM_OS_ERROR(errno);
    }
    if ((fd = open_tmp(dfd, fi, &tmp, p)) < 0) {
        e = errno;
        *err = say(p, "cannot create a file in", fi->dir, e);
        close(dfd);
        return APR_FROM_OS_ERROR(e);
    }
    if (fill(fd, dfd, text, len) != 0) {
        e = errno;
        *err = say(p, "cannot write", apr_pstrcat(p, fi->dir, "/", tmp,
                                                      NULL), e);
    }
    if (close(fd) != 0 && !e) {
        e = errno;
        *err = say(p, "cannot write", fi->path, e);
    }
    if (!e && renameat(dfd, tmp, dfd, fi->name) != 0) {
        e = errno;
        *err = say(p, "cannot replace", fi->path, e);
    }
    if (e) {
        unlinkat(dfd, tmp, 0);
    }
    else {
        /* The new name itself survives a crash. */
        fsync(dfd);
    }
    close(dfd);
    return e ? APR_FROM_OS_ERROR(e) : APR_SUCCESS;
}

const maintenance_provider maintenance_file_provider = {
    file_create,
    file_prepare,
    NULL,
    file_get,
    file_set
};
