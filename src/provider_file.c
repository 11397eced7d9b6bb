/* The file: provider: the state in a local file, replaced atomically. */
#include <apr_file_io.h>
#include <apr_file_info.h>
#include <apr_strings.h>
#include <unistd.h>

#include "provider.h"

typedef struct {
    const char *path;
    apr_uid_t uid;
    apr_gid_t gid;
} file_instance;

static void say(char *err, apr_size_t errlen, const char *what,
                const char *path, apr_status_t rv)
{
    char buf[128];
    apr_snprintf(err, errlen, "%s %s: %s", what, path,
                 apr_strerror(rv, buf, sizeof(buf)));
}

static const char *file_create(void **instance, const char *args,
                               const maintenance_provider_params *params,
                               apr_pool_t *p)
{
    file_instance *fi = apr_pcalloc(p, sizeof(*fi));

    fi->path = *args ? args : MAINTENANCE_STATE_FILE;
    if (fi->path[0] != '/') {
        return "the state file must be an absolute path";
    }
    if (fi->path[strlen(fi->path) - 1] == '/') {
        return "the state file must be a file, not a directory";
    }
    fi->uid = params->uid;
    fi->gid = params->gid;
    *instance = fi;
    return NULL;
}

/* Create dir and its missing parents. Only the directories made here are
 * given to httpd's User: an existing one (say /etc/apache2) is never
 * touched, whoever owns it. */
static apr_status_t make_dir(const file_instance *fi, const char *dir,
                             apr_pool_t *p, char *err, apr_size_t errlen)
{
    apr_finfo_t finfo;
    apr_status_t rv;
    char *parent;

    if (apr_stat(&finfo, dir, APR_FINFO_TYPE, p) == APR_SUCCESS) {
        return APR_SUCCESS;
    }
    parent = apr_pstrdup(p, dir);
    *strrchr(parent, '/') = '\0';
    if (*parent && (rv = make_dir(fi, parent, p, err, errlen)) != APR_SUCCESS) {
        return rv;
    }
    rv = apr_dir_make(dir, APR_FPROT_UREAD | APR_FPROT_UWRITE
                      | APR_FPROT_UEXECUTE | APR_FPROT_GREAD
                      | APR_FPROT_GEXECUTE | APR_FPROT_WREAD
                      | APR_FPROT_WEXECUTE, p);
    if (rv != APR_SUCCESS && !APR_STATUS_IS_EEXIST(rv)) {
        say(err, errlen, "cannot create directory", dir, rv);
        return rv;
    }
    if (geteuid() == 0 && chown(dir, fi->uid, fi->gid) != 0) {
        rv = apr_get_os_error();
        say(err, errlen, "cannot hand over directory", dir, rv);
        return rv;
    }
    return APR_SUCCESS;
}

static apr_status_t file_prepare(void *instance, apr_pool_t *p,
                                 char *err, apr_size_t errlen)
{
    file_instance *fi = instance;
    char *dir = apr_pstrdup(p, fi->path);

    *strrchr(dir, '/') = '\0';
    return *dir ? make_dir(fi, dir, p, err, errlen) : APR_SUCCESS;
}

static apr_status_t file_get(void *instance, char *buf, apr_size_t *len,
                             apr_pool_t *p, char *err, apr_size_t errlen)
{
    file_instance *fi = instance;
    apr_file_t *f;
    apr_status_t rv;

    rv = apr_file_open(&f, fi->path, APR_FOPEN_READ, APR_FPROT_OS_DEFAULT, p);
    if (APR_STATUS_IS_ENOENT(rv)) {
        return APR_NOTFOUND;
    }
    if (rv != APR_SUCCESS) {
        say(err, errlen, "cannot open", fi->path, rv);
        return rv;
    }
    /* One byte more than allowed tells an oversized state from a full one. */
    *len = MAINTENANCE_STATE_MAX + 1;
    rv = apr_file_read_full(f, buf, *len, len);
    apr_file_close(f);
    if (rv != APR_SUCCESS && !APR_STATUS_IS_EOF(rv)) {
        say(err, errlen, "cannot read", fi->path, rv);
        return rv;
    }
    if (*len > MAINTENANCE_STATE_MAX) {
        apr_snprintf(err, errlen, "%s is larger than %d bytes", fi->path,
                     MAINTENANCE_STATE_MAX);
        return APR_ENOSPC;
    }
    return APR_SUCCESS;
}

static apr_status_t file_set(void *instance, const char *text, apr_size_t len,
                             apr_pool_t *p, char *err, apr_size_t errlen)
{
    file_instance *fi = instance;
    char *tmp = apr_pstrcat(p, fi->path, ".XXXXXX", NULL);
    apr_file_t *f;
    apr_status_t rv;

    rv = apr_file_mktemp(&f, tmp, APR_FOPEN_CREATE | APR_FOPEN_WRITE
                         | APR_FOPEN_EXCL, p);
    if (rv != APR_SUCCESS) {
        say(err, errlen, "cannot create", tmp, rv);
        return rv;
    }
    /* A reader sees the old state or the new one: the new one is whole
     * on disk before it takes the old one's name. */
    if ((rv = apr_file_write_full(f, text, len, NULL)) != APR_SUCCESS
        || (rv = apr_file_sync(f)) != APR_SUCCESS) {
        say(err, errlen, "cannot write", tmp, rv);
    }
    apr_file_close(f);
    if (rv == APR_SUCCESS
        && (rv = apr_file_perms_set(tmp, APR_FPROT_UREAD | APR_FPROT_UWRITE
                                    | APR_FPROT_GREAD | APR_FPROT_WREAD))
           != APR_SUCCESS) {
        say(err, errlen, "cannot make readable", tmp, rv);
    }
    if (rv == APR_SUCCESS
        && (rv = apr_file_rename(tmp, fi->path, p)) != APR_SUCCESS) {
        say(err, errlen, "cannot replace", fi->path, rv);
    }
    if (rv != APR_SUCCESS) {
        apr_file_remove(tmp, p);
    }
    return rv;
}

const maintenance_provider maintenance_file_provider = {
    file_create,
    file_prepare,
    NULL,
    file_get,
    file_set
};
