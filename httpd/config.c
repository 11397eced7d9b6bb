/* The module's configuration: its records, how scopes merge, and the
 * directives that fill them. Every value is checked here, once, at
 * configuration time; a bad one stops configtest with a message naming
 * the directive and the value. */
#include <http_core.h>
#include <http_protocol.h>
#include <apr_strings.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "config.h"
#include "iplist.h"
#include "provider.h"
#include "response.h"
#include "timefmt.h"
#include "toggle.h"

/* Templates larger than this are surely a wrong file. */
#define TEMPLATE_MAX (1024 * 1024)

/* ---------------------------------------------------------------------- */
/* Configuration records: each field once, in a table that says how it
 * starts, whether it is set, and how an inner scope merges over an outer
 * one. */

typedef enum {
    FIELD_INT,      /* int, MAINTENANCE_UNSET until set */
    FIELD_INT64,    /* apr_int64_t (a time, a method mask),
                     * MAINTENANCE_UNSET until set */
    FIELD_PTR,      /* a pointer, NULL until set */
    FIELD_LIST      /* an array, NULL while empty: outer, then inner */
} field_kind;

typedef struct {
    field_kind kind;
    apr_size_t offset;
    apr_size_t leader;      /* the field whose scope it is taken from */
} field;

#define FIELD(type, kind, name, leader) \
    { kind, APR_OFFSETOF(type, name), APR_OFFSETOF(type, leader) }
#define SERVER(kind, name, leader) \
    FIELD(maintenance_server_conf, kind, name, leader)
#define DIR(kind, name, leader) FIELD(maintenance_dir_conf, kind, name, leader)
#define COUNT(table) (sizeof(table) / sizeof(*(table)))

static const field server_fields[] = {
    SERVER(FIELD_PTR, spec, spec),
    SERVER(FIELD_PTR, state_where, spec),
    SERVER(FIELD_INT64, ttl, ttl),
    SERVER(FIELD_INT64, timeout, timeout),
    SERVER(FIELD_INT, fail_closed, fail_closed),
    SERVER(FIELD_PTR, s3_region, s3_region),
    SERVER(FIELD_PTR, s3_credentials, s3_credentials),
    SERVER(FIELD_PTR, s3_profile, s3_credentials),
    SERVER(FIELD_PTR, tmpl, tmpl),
    SERVER(FIELD_PTR, bypass_key_file, bypass_key_file),
    SERVER(FIELD_PTR, bypass_path, bypass_path),
};

static const field dir_fields[] = {
    DIR(FIELD_INT, force, force),
    DIR(FIELD_PTR, force_where, force),
    DIR(FIELD_INT64, safe_methods, safe_methods),
    DIR(FIELD_LIST, ignore_ips, ignore_ips),
    DIR(FIELD_LIST, ignore_urls, ignore_urls),
    DIR(FIELD_LIST, ignore_users, ignore_users),
    DIR(FIELD_LIST, ignore_exprs, ignore_exprs),
    DIR(FIELD_INT, ignore_authenticated, ignore_authenticated),
    DIR(FIELD_INT, ignore_anonymous, ignore_anonymous),
    DIR(FIELD_INT, status, status),
    DIR(FIELD_INT, retry_after, retry_after),
    DIR(FIELD_INT, response_type, response_type),
    DIR(FIELD_INT, refresh, refresh),
    DIR(FIELD_PTR, redirect, redirect),
    DIR(FIELD_PTR, redirect_host, redirect),
    DIR(FIELD_PTR, redirect_path, redirect),
    DIR(FIELD_INT, redirect_code, redirect),
    DIR(FIELD_INT, toggle_anonymous, toggle_anonymous),
    DIR(FIELD_INT, toggle_scope, toggle_scope),
    DIR(FIELD_PTR, toggle_base, toggle_scope),
};

static void *at(const void *rec, apr_size_t offset)
{
    return (char *)rec + offset;
}

static apr_size_t field_size(field_kind kind)
{
    return kind == FIELD_INT ? sizeof(int)
         : kind == FIELD_INT64 ? sizeof(apr_int64_t)
         : sizeof(void *);
}

static int is_set(const field *f, const void *rec)
{
    switch (f->kind) {
    case FIELD_INT:
        return *(int *)at(rec, f->offset) != MAINTENANCE_UNSET;
    case FIELD_INT64:
        return *(apr_int64_t *)at(rec, f->offset) != MAINTENANCE_UNSET;
    default:
        return *(void **)at(rec, f->offset) != NULL;
    }
}

/* The field f is taken with: itself, or the one that leads it (a leader
 * comes first in its table). */
static const field *leader_of(const field *table, const field *f)
{
    while (table->offset != f->leader) {
        table++;
    }
    return table;
}

static void *create_record(apr_pool_t *p, apr_size_t size, const field *table,
                           apr_size_t n)
{
    void *rec = apr_pcalloc(p, size);
    apr_size_t i;

    for (i = 0; i < n; i++) {
        if (table[i].kind == FIELD_INT) {
            *(int *)at(rec, table[i].offset) = MAINTENANCE_UNSET;
        }
        else if (table[i].kind == FIELD_INT64) {
            *(apr_int64_t *)at(rec, table[i].offset) = MAINTENANCE_UNSET;
        }
    }
    return rec;
}

static int record_is_empty(const field *table, apr_size_t n, const void *rec)
{
    apr_size_t i;

    for (i = 0; i < n; i++) {
        if (is_set(&table[i], rec)) {
            return 0;
        }
    }
    return 1;
}

/* Lists add up from the outer scope to the inner one. */
static apr_array_header_t *merge_list(apr_pool_t *p, apr_array_header_t *base,
                                      apr_array_header_t *add)
{
    if (!base || !add) {
        return add ? add : base;
    }
    return apr_array_append(p, base, add);
}

static void *merge_record(apr_pool_t *p, apr_size_t size, const field *table,
                          apr_size_t n, const void *base, const void *add)
{
    void *rec = apr_pcalloc(p, size);
    apr_size_t i;

    for (i = 0; i < n; i++) {
        const field *f = &table[i];

        if (f->kind == FIELD_LIST) {
            *(apr_array_header_t **)at(rec, f->offset) =
                merge_list(p, *(apr_array_header_t **)at(base, f->offset),
                           *(apr_array_header_t **)at(add, f->offset));
            continue;
        }
        memcpy(at(rec, f->offset),
               at(is_set(leader_of(table, f), add) ? add : base, f->offset),
               field_size(f->kind));
    }
    return rec;
}

void *maintenance_create_server_conf(apr_pool_t *p, server_rec *s)
{
    (void)s;
    return create_record(p, sizeof(maintenance_server_conf), server_fields,
                         COUNT(server_fields));
}

/* Always a record of its own: each server's gets its slot at start-up. */
void *maintenance_merge_server_conf(apr_pool_t *p, void *base, void *add)
{
    return merge_record(p, sizeof(maintenance_server_conf), server_fields,
                        COUNT(server_fields), base, add);
}

void *maintenance_create_dir_conf(apr_pool_t *p, char *dir)
{
    (void)dir;
    return create_record(p, sizeof(maintenance_dir_conf), dir_fields,
                         COUNT(dir_fields));
}

void *maintenance_merge_dir_conf(apr_pool_t *p, void *base, void *add)
{
    /* httpd merges on every request whose sections differ from the
     * server's; most of them say nothing of maintenance. */
    if (record_is_empty(dir_fields, COUNT(dir_fields), add)) {
        return base;
    }
    if (record_is_empty(dir_fields, COUNT(dir_fields), base)) {
        return add;
    }
    return merge_record(p, sizeof(maintenance_dir_conf), dir_fields,
                        COUNT(dir_fields), base, add);
}

/* ---------------------------------------------------------------------- */
/* Directives */

static maintenance_server_conf *server_conf(cmd_parms *cmd)
{
    return ap_get_module_config(cmd->server->module_config,
                                &maintenance_module);
}

/* Every error names the directive and the value, and says what is right. */
static const char *bad_value(cmd_parms *cmd, const char *value,
                             const char *why)
{
    return apr_psprintf(cmd->pool, "%s: '%s' %s", cmd->cmd->name, value, why);
}

static const char *parse_on_off(cmd_parms *cmd, const char *arg, int *out)
{
    if (!strcasecmp(arg, "on")) {
        *out = 1;
    }
    else if (!strcasecmp(arg, "off")) {
        *out = 0;
    }
    else {
        return bad_value(cmd, arg, "is neither On nor Off");
    }
    return NULL;
}

/* On|Off into the int of the per-directory record at cmd->info. */
static const char *set_dir_on_off(cmd_parms *cmd, void *dcv, const char *arg)
{
    return parse_on_off(cmd, arg, (int *)((char *)dcv + (apr_size_t)cmd->info));
}

const char *const maintenance_force_names[] = {
    "Off", "On", "ReadOnly", NULL
};

/* The index of arg (any case) in the NULL-terminated words, or -1. */
static int one_of(const char *arg, const char *const *words)
{
    int i;

    for (i = 0; words[i]; i++) {
        if (!strcasecmp(arg, words[i])) {
            return i;
        }
    }
    return -1;
}

/* Where it was said, for the debug log's "why this answer". */
static const char *set_force(cmd_parms *cmd, void *dcv, const char *arg)
{
    maintenance_dir_conf *dc = dcv;

    dc->force_where = cmd->directive
        ? apr_psprintf(cmd->pool, "line %d of %s", cmd->directive->line_num,
                       cmd->directive->filename)
        : "the server's configuration";
    if ((dc->force = one_of(arg, maintenance_force_names)) < 0) {
        return bad_value(cmd, arg, "is neither On, Off nor ReadOnly");
    }
    return NULL;
}

/* The number httpd gives requests of method name, or M_INVALID and *err.
 * A method it does not know is registered, as httpd's own <Limit> does,
 * but only from the server's configuration: the registry lives as long as
 * it, and an .htaccess file's pool only as long as one request. */
static int method_number(cmd_parms *cmd, const char *name, const char **err)
{
    static const char token[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
    int m;

    /* Methods are case-sensitive: "get" would be a method of its own, and
     * never the GET a typo meant. */
    if (!*name || name[strspn(name, token)]) {
        *err = bad_value(cmd, name, "is not an HTTP method: give upper-case "
                         "names like GET HEAD OPTIONS");
    }
    else if ((m = ap_method_number_of(name)) != M_INVALID) {
        return m;
    }
    else if (cmd->pool == cmd->temp_pool) {
        *err = bad_value(cmd, name, "is a method httpd does not know: name "
                         "it in the server's configuration, not in an "
                         ".htaccess file");
    }
    else if ((m = ap_method_register(cmd->pool, name)) != M_INVALID) {
        return m;
    }
    else {
        *err = bad_value(cmd, name, "cannot be registered: httpd knows as "
                         "many methods as it can");
    }
    return M_INVALID;
}

/* Into a mask, so that a request's check is a bit test. httpd numbers
 * HEAD as GET: either name lets both through, as in <Limit> and Require
 * method. An inner scope's list replaces the outer one. */
static const char *set_safe_methods(cmd_parms *cmd, void *dcv, int argc,
                                    char *const argv[])
{
    maintenance_dir_conf *dc = dcv;
    apr_int64_t mask = 0;
    const char *err;
    int i, m;

    if (!argc) {
        return apr_pstrcat(cmd->pool, cmd->cmd->name, ": give one or more "
                           "methods, like GET HEAD OPTIONS", NULL);
    }
    for (i = 0; i < argc; i++) {
        if ((m = method_number(cmd, argv[i], &err)) == M_INVALID) {
            return err;
        }
        mask |= AP_METHOD_BIT << m;
    }
    dc->safe_methods = mask;
    return NULL;
}

static const char *set_bypass_key(cmd_parms *cmd, void *dummy,
                                  const char *arg)
{
    (void)dummy;
    /* Read at check_config, once httpd's User is known. */
    server_conf(cmd)->bypass_key_file = ap_server_root_relative(cmd->pool,
                                                                arg);
    return NULL;
}

static const char *set_bypass_path(cmd_parms *cmd, void *dummy,
                                   const char *arg)
{
    apr_size_t n = strlen(arg);

    (void)dummy;
    if (arg[0] != '/' || strpbrk(arg, "?#")) {
        return bad_value(cmd, arg, "is not a URL-path (like "
                         MAINTENANCE_BYPASS_DEFAULT_PATH ")");
    }
    /* The links are the path and a token: a token is never a sibling. */
    server_conf(cmd)->bypass_path = arg[n - 1] == '/'
                                    ? arg
                                    : apr_pstrcat(cmd->pool, arg, "/", NULL);
    return NULL;
}

static const char *set_state(cmd_parms *cmd, void *dummy, int argc,
                             char *const argv[])
{
    maintenance_server_conf *sc = server_conf(cmd);
    maintenance_spec *spec = apr_pcalloc(cmd->pool, sizeof(*spec));
    const char *err = maintenance_spec_parse(spec, argc,
                                             (const char *const *)argv,
                                             cmd->pool);

    (void)dummy;
    if (err) {
        return bad_value(cmd, argc ? argv[0] : "", err);
    }
    sc->spec = spec;
    if (cmd->directive) {
        sc->state_where = apr_psprintf(cmd->pool, "line %d of %s",
                                       cmd->directive->line_num,
                                       cmd->directive->filename);
    }
    return NULL;
}

static const char *set_seconds(cmd_parms *cmd, const char *arg,
                               apr_interval_time_t *out)
{
    const char *unit = arg + strspn(arg, "0123456789");
    /* With a unit, as httpd's own timeouts take them (ProxyTimeout 500ms),
     * but only those: httpd reads "5sec" as 5s. */
    int units = unit > arg && (!strcasecmp(unit, "ms") || !strcasecmp(unit, "s")
                               || !strcasecmp(unit, "mi")
                               || !strcasecmp(unit, "h"));
    int bad = units ? ap_timeout_parameter_parse(arg, out, "s") != APR_SUCCESS
                      || *out > apr_time_from_sec(86400)
                    : maintenance_seconds_parse(arg, out) != NULL;

    if (bad || *out <= 0) {
        return bad_value(cmd, arg, "is not a time above zero and at most a "
                         "day (86400 s): seconds like 1 or 0.5, or with a "
                         "unit like 500ms, 2s, 1mi");
    }
    return NULL;
}

static const char *set_ttl(cmd_parms *cmd, void *dummy, const char *arg)
{
    (void)dummy;
    return set_seconds(cmd, arg, &server_conf(cmd)->ttl);
}

static const char *set_timeout(cmd_parms *cmd, void *dummy, const char *arg)
{
    (void)dummy;
    return set_seconds(cmd, arg, &server_conf(cmd)->timeout);
}

static const char *set_fail_mode(cmd_parms *cmd, void *dummy, const char *arg)
{
    maintenance_server_conf *sc = server_conf(cmd);

    (void)dummy;
    if (!strcasecmp(arg, "open")) {
        sc->fail_closed = 0;
    }
    else if (!strcasecmp(arg, "closed")) {
        sc->fail_closed = 1;
    }
    else {
        return bad_value(cmd, arg, "is neither open nor closed");
    }
    return NULL;
}

static const char *set_s3_region(cmd_parms *cmd, void *dummy, const char *arg)
{
    (void)dummy;
    if (!maintenance_s3_region_valid(arg)) {
        return bad_value(cmd, arg, "is not a region name like eu-west-1");
    }
    server_conf(cmd)->s3_region = arg;
    return NULL;
}

static const char *set_s3_credentials(cmd_parms *cmd, void *dummy,
                                      const char *file, const char *profile)
{
    maintenance_server_conf *sc = server_conf(cmd);
    const char *path = ap_server_root_relative(cmd->pool, file);
    const char *err;

    (void)dummy;
    if (!profile) {
        profile = "default";
    }
    /* Read as root at start-up, so the file can be root's alone. */
    if (!path
        || (err = maintenance_s3_credentials_check(path, profile,
                                                   cmd->temp_pool))) {
        return bad_value(cmd, apr_pstrcat(cmd->pool, file, " ", profile,
                                          NULL),
                         path ? err : "is not a valid path");
    }
    sc->s3_credentials = path;
    sc->s3_profile = profile;
    return NULL;
}

static const char *set_template(cmd_parms *cmd, void *dummy, const char *arg)
{
    const char *path = ap_server_root_relative(cmd->pool, arg);
    maintenance_template *t;
    apr_file_t *f;
    apr_finfo_t finfo;
    char *text;
    const char *err;

    (void)dummy;
    if (!path || apr_file_open(&f, path, APR_FOPEN_READ, APR_FPROT_OS_DEFAULT,
                               cmd->temp_pool) != APR_SUCCESS
        || apr_file_info_get(&finfo, APR_FINFO_SIZE, f) != APR_SUCCESS) {
        return bad_value(cmd, arg, "cannot be read: give a readable file");
    }
    if (finfo.size > TEMPLATE_MAX) {
        return bad_value(cmd, arg, "is larger than 1 MiB");
    }
    text = apr_palloc(cmd->temp_pool, (apr_size_t)finfo.size + 1);
    if (apr_file_read_full(f, text, (apr_size_t)finfo.size, NULL)
        != APR_SUCCESS) {
        return bad_value(cmd, arg, "cannot be read: give a readable file");
    }
    err = maintenance_template_compile(&t, text, (apr_size_t)finfo.size,
                                       cmd->pool);
    if (err) {
        return bad_value(cmd, arg, err);
    }
    server_conf(cmd)->tmpl = t;
    return NULL;
}

static apr_array_header_t *list(apr_array_header_t **l, apr_pool_t *p)
{
    if (!*l) {
        *l = apr_array_make(p, 4, sizeof(void *));
    }
    return *l;
}

static const char *add_ignore_ip(cmd_parms *cmd, void *dcv, const char *arg)
{
    maintenance_dir_conf *dc = dcv;
    const char *err = maintenance_iplist_add(list(&dc->ignore_ips, cmd->pool),
                                             arg, cmd->pool);

    return err ? bad_value(cmd, arg, apr_pstrcat(cmd->pool, "is ", err,
                                                 ": give an address or "
                                                 "a CIDR range like "
                                                 "10.0.0.0/8 or 2001:db8::/32",
                                                 NULL))
               : NULL;
}

static apr_status_t free_regex(void *re)
{
    ap_regfree(re);
    return APR_SUCCESS;
}

/* PCRE2's own words for what is wrong with re, and where: ap_regerror
 * only says "bad argument". */
static const char *regex_error(const char *re, apr_pool_t *p)
{
    PCRE2_UCHAR why[256];
    PCRE2_SIZE offset = 0;
    int code = 0;
    pcre2_code *compiled = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED,
                                         0, &code, &offset, NULL);

    if (compiled) {
        /* httpd's options refused it; PCRE2 alone would take it. */
        pcre2_code_free(compiled);
        return "refused by httpd's regular expression options";
    }
    pcre2_get_error_message(code, why, sizeof(why));
    return apr_psprintf(p, "%s at offset %lu", (const char *)why,
                        (unsigned long)offset);
}

static const char *add_ignore_url(cmd_parms *cmd, void *dcv, const char *arg)
{
    maintenance_dir_conf *dc = dcv;
    ap_regex_t *re = apr_pcalloc(cmd->pool, sizeof(*re));
    int rc = ap_regcomp(re, arg, 0);

    if (rc) {
        return bad_value(cmd, arg, apr_pstrcat(cmd->pool, "is not a valid "
                                               "regular expression: ",
                                               regex_error(arg, cmd->pool),
                                               NULL));
    }
    apr_pool_cleanup_register(cmd->pool, re, free_regex,
                              apr_pool_cleanup_null);
    APR_ARRAY_PUSH(list(&dc->ignore_urls, cmd->pool), ap_regex_t *) = re;
    return NULL;
}

static const char *add_ignore_user(cmd_parms *cmd, void *dcv, const char *arg)
{
    maintenance_dir_conf *dc = dcv;

    APR_ARRAY_PUSH(list(&dc->ignore_users, cmd->pool), const char *) = arg;
    return NULL;
}

static const char *add_ignore_expr(cmd_parms *cmd, void *dcv, const char *arg)
{
    maintenance_dir_conf *dc = dcv;
    const char *err = NULL;
    ap_expr_info_t *expr = ap_expr_parse_cmd(cmd, arg, 0, &err, NULL);

    if (err) {
        return bad_value(cmd, arg, apr_pstrcat(cmd->pool, "is not a valid "
                                               "expression: ", err, NULL));
    }
    APR_ARRAY_PUSH(list(&dc->ignore_exprs, cmd->pool), ap_expr_info_t *) = expr;
    return NULL;
}

/* A whole number from lo to hi, or -1. */
static int parse_int(const char *arg, int lo, int hi)
{
    char *end;
    long v = strtol(arg, &end, 10);

    return (*arg && !*end && v >= lo && v <= hi) ? (int)v : -1;
}

static const char *set_status(cmd_parms *cmd, void *dcv, const char *arg)
{
    maintenance_dir_conf *dc = dcv;
    int status = parse_int(arg, 400, 599);

    /* httpd sends a status it has no reason phrase for as 500. */
    if (status < 0
        || strncmp(ap_get_status_line(status), arg, strlen(arg))) {
        return bad_value(cmd, arg, "is not an HTTP error status httpd "
                         "knows, from 400 to 599, like 503");
    }
    dc->status = status;
    return NULL;
}

static const char *set_retry_after(cmd_parms *cmd, void *dcv, const char *arg)
{
    maintenance_dir_conf *dc = dcv;

    if (!strcasecmp(arg, "off")) {
        dc->retry_after = MAINTENANCE_RETRY_OFF;
    }
    else if ((dc->retry_after = parse_int(arg, 0, 31536000)) < 0) {
        return bad_value(cmd, arg, "is neither a number of seconds "
                         "(0 to 31536000) nor Off");
    }
    return NULL;
}

static const char *set_response_type(cmd_parms *cmd, void *dcv,
                                     const char *arg)
{
    /* By MAINTENANCE_RESPONSE_*. */
    static const char *const types[] = { "auto", "html", "json", NULL };
    maintenance_dir_conf *dc = dcv;

    if ((dc->response_type = one_of(arg, types)) < 0) {
        return bad_value(cmd, arg, "is neither auto, html nor json");
    }
    return NULL;
}

/* Not 0: a page that reloads at once would hammer the site it waits for. */
static const char *set_refresh(cmd_parms *cmd, void *dcv, const char *arg)
{
    maintenance_dir_conf *dc = dcv;

    if (!strcasecmp(arg, "off")) {
        dc->refresh = 0;
    }
    else if ((dc->refresh = parse_int(arg, 1, 86400)) < 0) {
        return bad_value(cmd, arg, "is neither a number of seconds "
                         "(1 to 86400) nor Off");
    }
    return NULL;
}

static const char *set_redirect(cmd_parms *cmd, void *dcv, const char *url,
                                const char *code)
{
    maintenance_dir_conf *dc = dcv;
    const char *err = maintenance_redirect_parse(dc, url, cmd->pool);

    if (err) {
        return bad_value(cmd, url, apr_pstrcat(cmd->pool, "is ", err, NULL));
    }
    dc->redirect_code = code ? parse_int(code, 301, 308)
                             : HTTP_MOVED_TEMPORARILY;
    /* The statuses that send a browser to Location: not 300, 304, 305. */
    if (dc->redirect_code < 0 || dc->redirect_code == HTTP_NOT_MODIFIED
        || dc->redirect_code == HTTP_USE_PROXY || dc->redirect_code == 306) {
        return bad_value(cmd, code, "is not a redirect status: give 301, "
                         "302, 303, 307 or 308");
    }
    return NULL;
}

/* A note in the configuration's pool, so that each reading of the
 * configuration starts without it. */
#define TOGGLE_NOTE "maintenance-toggle-configured"

int maintenance_toggle_configured(apr_pool_t *pconf)
{
    void *note = NULL;

    apr_pool_userdata_get(&note, TOGGLE_NOTE, pconf);
    return note != NULL;
}

/* httpd's SetHandler comes here first, then goes on to the core's
 * (DECLINE_CMD): the toggle handler works only where the server's own
 * configuration put it, and serves the URLs below that place. */
static const char *note_set_handler(cmd_parms *cmd, void *dcv,
                                    const char *arg)
{
    maintenance_dir_conf *dc = dcv;
    const char *err = NULL;

    if (!strcasecmp(arg, MAINTENANCE_TOGGLE_HANDLER)) {
        err = maintenance_toggle_configure(cmd, dc);
        /* An .htaccess file's handler is refused: it writes nothing. */
        if (!err && dc->toggle_scope != MAINTENANCE_TOGGLE_HTACCESS) {
            apr_pool_userdata_setn(TOGGLE_NOTE, TOGGLE_NOTE, NULL, cmd->pool);
        }
    }
    return err ? err : DECLINE_CMD;
}

#define DIR_CONTEXT (RSRC_CONF | ACCESS_CONF | OR_FILEINFO)

const command_rec maintenance_cmds[] = {
    AP_INIT_TAKE_ARGV("MaintenanceState", set_state, NULL, RSRC_CONF,
        "where the state is: file:/path, memcache:HOST:PORT[/KEY] or s3:URL, "
        "then NAME=VALUE options"),
    AP_INIT_TAKE1("MaintenanceStateTTL", set_ttl, NULL, RSRC_CONF,
        "seconds a state read is reused (default 1)"),
    AP_INIT_TAKE1("MaintenanceStateTimeout", set_timeout, NULL, RSRC_CONF,
        "the longest a state read or write may take, in seconds (default 1)"),
    AP_INIT_TAKE1("MaintenanceFailMode", set_fail_mode, NULL, RSRC_CONF,
        "open or closed: the answer while no state could ever be read"),
    AP_INIT_TAKE1("MaintenanceS3Region", set_s3_region, NULL, RSRC_CONF,
        "the signing region of an s3: state"),
    AP_INIT_TAKE12("MaintenanceS3Credentials", set_s3_credentials, NULL,
        RSRC_CONF, "an AWS shared credentials file and profile"),
    AP_INIT_TAKE1("MaintenanceBypassKey", set_bypass_key, NULL, RSRC_CONF,
        "the file holding the secret that signs bypass links"),
    AP_INIT_TAKE1("MaintenanceBypassPath", set_bypass_path, NULL, RSRC_CONF,
        "where bypass links point (default "
        MAINTENANCE_BYPASS_DEFAULT_PATH ")"),
    AP_INIT_TAKE1("MaintenanceTemplate", set_template, NULL, RSRC_CONF,
        "the file whose text is the body of maintenance answers"),
    AP_INIT_TAKE1("MaintenanceForce", set_force, NULL, DIR_CONTEXT,
        "On, Off or ReadOnly: answer as in maintenance, never, or as in "
        "read-only maintenance, whatever the state"),
    AP_INIT_TAKE_ARGV("MaintenanceSafeMethods", set_safe_methods, NULL,
        DIR_CONTEXT, "the methods served in read-only mode (default GET "
        "HEAD OPTIONS)"),
    AP_INIT_ITERATE("MaintenanceIgnoreIP", add_ignore_ip, NULL, DIR_CONTEXT,
        "client addresses or CIDR ranges let through"),
    AP_INIT_ITERATE("MaintenanceIgnoreURL", add_ignore_url, NULL, DIR_CONTEXT,
        "regular expressions: URL-paths let through"),
    AP_INIT_ITERATE("MaintenanceIgnoreUser", add_ignore_user, NULL,
        DIR_CONTEXT, "authenticated users let through"),
    AP_INIT_TAKE1("MaintenanceIgnoreAuthenticated", set_dir_on_off,
        (void *)APR_OFFSETOF(maintenance_dir_conf, ignore_authenticated),
        DIR_CONTEXT, "On or Off: let every authenticated user through"),
    AP_INIT_TAKE1("MaintenanceIgnoreAnonymous", set_dir_on_off,
        (void *)APR_OFFSETOF(maintenance_dir_conf, ignore_anonymous),
        DIR_CONTEXT, "On or Off: let requests without a user through"),
    AP_INIT_TAKE1("MaintenanceIgnoreExpr", add_ignore_expr, NULL, DIR_CONTEXT,
        "an expression (as in <If>): requests for which it is true pass"),
    AP_INIT_TAKE1("MaintenanceStatus", set_status, NULL, DIR_CONTEXT,
        "the status of maintenance answers (default 503)"),
    AP_INIT_TAKE1("MaintenanceRetryAfter", set_retry_after, NULL, DIR_CONTEXT,
        "seconds for Retry-After (default 3600), or Off"),
    AP_INIT_TAKE1("MaintenanceResponseType", set_response_type, NULL,
        DIR_CONTEXT, "auto, html or json: the body of maintenance answers "
        "(default auto: by the request's Accept)"),
    AP_INIT_TAKE1("MaintenanceRefresh", set_refresh, NULL, DIR_CONTEXT,
        "seconds after which a maintenance page reloads itself, or Off "
        "(the default)"),
    AP_INIT_TAKE12("MaintenanceRedirect", set_redirect, NULL, DIR_CONTEXT,
        "a URL to redirect to instead, and the status (default 302)"),
    AP_INIT_TAKE1("MaintenanceToggleAnonymous", set_dir_on_off,
        (void *)APR_OFFSETOF(maintenance_dir_conf, toggle_anonymous),
        ACCESS_CONF, "On or Off: let the toggle handler take unauthenticated "
        "changes"),
    AP_INIT_TAKE1("SetHandler", note_set_handler, NULL, OR_FILEINFO,
        "(seen by mod_maintenance for its toggle handler, then by the core)"),
    { NULL }
};

