/* Start-up warnings: settings that configtest cannot refuse, since the
 * server runs as they say, but that do not do what their author meant.
 *
 * - MaintenanceS3Region and MaintenanceS3Credentials stand for options of
 *   an s3: state that does not give them itself: anywhere else they do
 *   nothing (MM00050).
 * - The toggle page writes a file: state as httpd's User, replacing the
 *   file within its directory: a directory that User cannot reach or
 *   write makes every change fail, and only at request time (MM00051).
 *
 * They are said by configtest (check_config, whose lines go to the
 * terminal), and at each start and restart once the error log is open
 * (post_config, after the module has made the state's directory; at the
 * first start, for the second of the two readings of the configuration,
 * the one that serves). */
#include <http_core.h>
#include <apr_hash.h>
#include <apr_strings.h>
#include <unixd.h>

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checks.h"
#include "config.h"
#include "provider.h"

APLOG_USE_MODULE(maintenance);

#define COUNT(table) (sizeof(table) / sizeof(*(table)))

/* Supplementary groups looked at; a User in more is checked with its
 * primary group alone. */
#define GROUPS_MAX 64

static maintenance_server_conf *conf_of(const server_rec *s)
{
    return ap_get_module_config(s->module_config, &maintenance_module);
}

static const char *server_named(const server_rec *s, apr_pool_t *p)
{
    return s->is_virtual
        ? apr_psprintf(p, "the virtual host %s (line %d of %s)",
                       s->server_hostname, s->defn_line_number, s->defn_name)
        : "the main server";
}

/* MaintenanceState as written, without its options: the warnings are
 * about where the state is. */
static const char *state_named(const maintenance_spec *spec, apr_pool_t *p)
{
    return !spec ? "file:" MAINTENANCE_STATE_FILE " (the default)"
         : apr_pstrcat(p, spec->provider, ":", spec->args, NULL);
}

/* ---------------------------------------------------------------------- */
/* MaintenanceS3Region, MaintenanceS3Credentials */

typedef struct {
    const char *directive;
    apr_size_t field;           /* its value in maintenance_server_conf */
    const char *option;         /* the option of the spec it stands for */
} s3_setting;

static const s3_setting s3_settings[] = {
    { "MaintenanceS3Region",
      APR_OFFSETOF(maintenance_server_conf, s3_region),
      MAINTENANCE_S3_REGION },
    { "MaintenanceS3Credentials",
      APR_OFFSETOF(maintenance_server_conf, s3_credentials),
      MAINTENANCE_S3_CREDENTIALS },
};

/* One directive's value, which every server it applies to shares: a
 * virtual host inherits the main server's. */
typedef struct {
    const server_rec *first;    /* the first server it applies to */
    int used;                   /* whether one of them uses it */
} s3_use;

static const char *setting_of(const s3_setting *set,
                              const maintenance_server_conf *sc)
{
    return *(const char *const *)((const char *)sc + set->field);
}

/* Why set does nothing for sc's state, or NULL if it is used there. */
static const char *unused_by(const s3_setting *set,
                             const maintenance_server_conf *sc, apr_pool_t *p)
{
    if (!sc->spec || strcmp(sc->spec->provider, "s3")) {
        return apr_pstrcat(p, "is ", state_named(sc->spec, p), ", not s3:",
                           NULL);
    }
    if (apr_table_get(sc->spec->options, set->option)) {
        return apr_pstrcat(p, "gives ", set->option, "= itself", NULL);
    }
    return NULL;
}

static void check_s3_setting(const s3_setting *set, server_rec *s,
                             apr_pool_t *p)
{
    apr_hash_t *uses = apr_hash_make(p);
    apr_hash_index_t *hi;
    server_rec *vs;

    for (vs = s; vs; vs = vs->next) {
        const maintenance_server_conf *sc = conf_of(vs);
        const char *value = setting_of(set, sc);
        s3_use *use;

        if (!value) {
            continue;
        }
        if (!(use = apr_hash_get(uses, &value, sizeof(value)))) {
            const char **key = apr_pmemdup(p, &value, sizeof(value));
            use = apr_pcalloc(p, sizeof(*use));
            use->first = vs;
            apr_hash_set(uses, key, sizeof(*key), use);
        }
        use->used |= !unused_by(set, sc, p);
    }
    for (hi = apr_hash_first(p, uses); hi; hi = apr_hash_next(hi)) {
        const s3_use *use = apr_hash_this_val(hi);
        const maintenance_server_conf *sc = conf_of(use->first);

        if (!use->used) {
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, use->first,
                         MMLOG(00050) "%s %s does nothing: the "
                         "MaintenanceState of %s %s", set->directive,
                         setting_of(set, sc), server_named(use->first, p),
                         unused_by(set, sc, p));
        }
    }
}

/* ---------------------------------------------------------------------- */
/* The file: state's directory, for the toggle page */

/* Who writes the state for the toggle page: httpd's User when httpd
 * starts as root, else whoever starts it. */
typedef struct {
    const char *name;
    uid_t uid;
    gid_t groups[GROUPS_MAX + 1];   /* and the effective one */
    int ngroups;
} writer;

static void writer_init(writer *w, apr_pool_t *p)
{
    const struct passwd *pw;

    if (geteuid() == 0) {
        w->name = ap_unixd_config.user_name;
        w->uid = ap_unixd_config.user_id;
        w->ngroups = GROUPS_MAX;
        /* httpd's children take the User's supplementary groups too. */
        if (getgrouplist(w->name, ap_unixd_config.group_id, w->groups,
                         &w->ngroups) < 0) {
            w->groups[0] = ap_unixd_config.group_id;
            w->ngroups = 1;
        }
        return;
    }
    w->uid = geteuid();
    pw = getpwuid(w->uid);
    w->name = pw ? apr_pstrdup(p, pw->pw_name)
                 : apr_psprintf(p, "uid %lu", (unsigned long)w->uid);
    w->ngroups = getgroups(GROUPS_MAX, w->groups);
    if (w->ngroups < 0) {
        w->ngroups = 0;
    }
    w->groups[w->ngroups++] = getegid();
}

/* Whether w may do what mode's bits 0-2 say (S_IWOTH | S_IXOTH...) on sb,
 * by its owner, group and mode (an ACL is not looked at). */
static int writer_may(const writer *w, const struct stat *sb, mode_t want)
{
    int i;

    if (sb->st_uid == w->uid) {
        return ((sb->st_mode >> 6) & want) == want;
    }
    for (i = 0; i < w->ngroups; i++) {
        if (sb->st_gid == w->groups[i]) {
            return ((sb->st_mode >> 3) & want) == want;
        }
    }
    return (sb->st_mode & want) == want;
}

/* What stops w from replacing the state file path, or NULL. A directory
 * still missing is not: the module makes it at start-up, for httpd's
 * User. */
static const char *write_blocked(const writer *w, const char *path,
                                 apr_pool_t *p)
{
    const char *slash = strrchr(path, '/');
    const char *dir = slash == path ? "/"
                                    : apr_pstrmemdup(p, path, slash - path);
    const char *at = dir;
    struct stat sb, file;

    /* Every directory on the way must let w through. */
    do {
        const char *part;

        at = strchr(at + 1, '/');
        part = at ? apr_pstrmemdup(p, dir, at - dir) : dir;
        if (stat(part, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
            return NULL;
        }
        if (!writer_may(w, &sb, S_IXOTH)) {
            return apr_psprintf(p, "cannot enter %s", part);
        }
    } while (at);
    if (!writer_may(w, &sb, S_IWOTH | S_IXOTH)) {
        return apr_psprintf(p, "cannot write the directory %s", dir);
    }
    /* In a sticky directory (/tmp), only a file's owner may replace it. */
    if ((sb.st_mode & S_ISVTX) && sb.st_uid != w->uid
        && lstat(path, &file) == 0 && file.st_uid != w->uid) {
        return apr_psprintf(p, "cannot replace %s, another user's file in "
                            "the sticky directory %s", path, dir);
    }
    return NULL;
}

static void check_state_dirs(server_rec *s, apr_pool_t *p)
{
    apr_hash_t *seen = apr_hash_make(p);
    server_rec *vs;
    writer w;

    writer_init(&w, p);
    for (vs = s; vs; vs = vs->next) {
        const maintenance_spec *spec = conf_of(vs)->spec;
        const char *path, *why;

        if (spec && strcmp(spec->provider, "file")) {
            continue;
        }
        path = spec && *spec->args ? spec->args : MAINTENANCE_STATE_FILE;
        if (apr_hash_get(seen, path, APR_HASH_KEY_STRING)) {
            continue;
        }
        apr_hash_set(seen, path, APR_HASH_KEY_STRING, path);
        if ((why = write_blocked(&w, path, p)) != NULL) {
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, vs, MMLOG(00051)
                         "MaintenanceState file:%s: httpd's User %s %s, so "
                         "the toggle page (SetHandler maintenance-toggle) "
                         "cannot change the state: let %s write there, or "
                         "leave MaintenanceState at its default",
                         path, w.name, why, w.name);
        }
    }
}

static void check_all(server_rec *s, apr_pool_t *pconf, apr_pool_t *ptemp)
{
    apr_size_t i;

    for (i = 0; i < COUNT(s3_settings); i++) {
        check_s3_setting(&s3_settings[i], s, ptemp);
    }
    if (maintenance_toggle_configured(pconf)) {
        check_state_dirs(s, ptemp);
    }
}

static int checks_configtest(apr_pool_t *pconf, apr_pool_t *plog,
                             apr_pool_t *ptemp, server_rec *s)
{
    (void)plog;
    if (ap_state_query(AP_SQ_RUN_MODE) == AP_SQ_RM_CONFIG_TEST) {
        check_all(s, pconf, ptemp);
    }
    return OK;
}

static int checks_start(apr_pool_t *pconf, apr_pool_t *plog,
                        apr_pool_t *ptemp, server_rec *s)
{
    (void)plog;
    if (ap_state_query(AP_SQ_MAIN_STATE) != AP_SQ_MS_CREATE_PRE_CONFIG) {
        check_all(s, pconf, ptemp);
    }
    return OK;
}

void maintenance_checks_register_hooks(void)
{
    ap_hook_check_config(checks_configtest, NULL, NULL, APR_HOOK_LAST);
    ap_hook_post_config(checks_start, NULL, NULL, APR_HOOK_LAST);
}
