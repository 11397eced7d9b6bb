/* mod_maintenance: puts a site, or a fleet of servers, into maintenance mode.
 *
 * This file is the module's glue: directives, configuration records and
 * their merging, and the hooks. The fixups hook decides every request from
 * the state this process last read (httpd/cache.c), the ignore policies
 * (httpd/policy.c) and answers with httpd/response.c.
 */
#include <httpd.h>
#include <http_config.h>
#include <http_core.h>
#include <http_log.h>
#include <http_protocol.h>
#include <http_request.h>
#include <ap_provider.h>
#include <apr_optional.h>
#include <apr_strings.h>

#define MAINTENANCE_WITH_HTTPD_API
#include "mod_maintenance.h"
#include "maintenance_conf.h"
#include "cache.h"
#include "iplist.h"
#include "policy.h"
#include "provider.h"
#include "response.h"
#include "state.h"
#include "template.h"
#include "timefmt.h"
#include "toggle.h"

/* Templates larger than this are surely a wrong file. */
#define TEMPLATE_MAX (1024 * 1024)

/* ---------------------------------------------------------------------- */
/* Configuration records */

static void *create_server_conf(apr_pool_t *p, server_rec *s)
{
    maintenance_server_conf *sc = apr_pcalloc(p, sizeof(*sc));

    (void)s;
    sc->ttl = MAINTENANCE_UNSET;
    sc->timeout = MAINTENANCE_UNSET;
    sc->fail_closed = MAINTENANCE_UNSET;
    return sc;
}

#define MERGE_PTR(field) (add->field ? add->field : base->field)
#define MERGE_VAL(field) \
    (add->field != MAINTENANCE_UNSET ? add->field : base->field)

static void *merge_server_conf(apr_pool_t *p, void *basev, void *addv)
{
    maintenance_server_conf *base = basev, *add = addv;
    maintenance_server_conf *sc = apr_pcalloc(p, sizeof(*sc));

    sc->spec = MERGE_PTR(spec);
    sc->state_where = add->spec ? add->state_where : base->state_where;
    sc->ttl = MERGE_VAL(ttl);
    sc->timeout = MERGE_VAL(timeout);
    sc->fail_closed = MERGE_VAL(fail_closed);
    sc->s3_region = MERGE_PTR(s3_region);
    sc->s3_credentials = MERGE_PTR(s3_credentials);
    sc->s3_profile = add->s3_credentials ? add->s3_profile : base->s3_profile;
    sc->tmpl = MERGE_PTR(tmpl);
    return sc;
}

static void *create_dir_conf(apr_pool_t *p, char *dir)
{
    maintenance_dir_conf *dc = apr_pcalloc(p, sizeof(*dc));

    (void)dir;
    dc->force = MAINTENANCE_UNSET;
    dc->ignore_authenticated = MAINTENANCE_UNSET;
    dc->ignore_anonymous = MAINTENANCE_UNSET;
    dc->status = MAINTENANCE_UNSET;
    dc->retry_after = MAINTENANCE_UNSET;
    dc->toggle_anonymous = MAINTENANCE_UNSET;
    dc->toggle_scope = MAINTENANCE_UNSET;
    return dc;
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

static int dir_conf_is_empty(const maintenance_dir_conf *dc)
{
    return dc->force == MAINTENANCE_UNSET && !dc->ignore_ips
        && !dc->ignore_urls && !dc->ignore_users && !dc->ignore_exprs
        && dc->ignore_authenticated == MAINTENANCE_UNSET
        && dc->ignore_anonymous == MAINTENANCE_UNSET
        && dc->status == MAINTENANCE_UNSET
        && dc->retry_after == MAINTENANCE_UNSET && !dc->redirect
        && dc->toggle_anonymous == MAINTENANCE_UNSET
        && dc->toggle_scope == MAINTENANCE_UNSET;
}

static void *merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    maintenance_dir_conf *base = basev, *add = addv;
    maintenance_dir_conf *dc;
    const maintenance_dir_conf *redirect = add->redirect ? add : base;

    /* httpd merges on every request whose sections differ from the
     * server's; most of them say nothing of maintenance. */
    if (dir_conf_is_empty(add)) {
        return base;
    }
    if (dir_conf_is_empty(base)) {
        return add;
    }
    dc = apr_pcalloc(p, sizeof(*dc));

    dc->force = MERGE_VAL(force);
    dc->ignore_ips = merge_list(p, base->ignore_ips, add->ignore_ips);
    dc->ignore_urls = merge_list(p, base->ignore_urls, add->ignore_urls);
    dc->ignore_users = merge_list(p, base->ignore_users, add->ignore_users);
    dc->ignore_exprs = merge_list(p, base->ignore_exprs, add->ignore_exprs);
    dc->ignore_authenticated = MERGE_VAL(ignore_authenticated);
    dc->ignore_anonymous = MERGE_VAL(ignore_anonymous);
    dc->status = MERGE_VAL(status);
    dc->retry_after = MERGE_VAL(retry_after);
    dc->redirect = redirect->redirect;
    dc->redirect_host = redirect->redirect_host;
    dc->redirect_path = redirect->redirect_path;
    dc->redirect_code = redirect->redirect_code;
    dc->toggle_anonymous = MERGE_VAL(toggle_anonymous);
    dc->toggle_scope = MERGE_VAL(toggle_scope);
    dc->toggle_base = add->toggle_scope != MAINTENANCE_UNSET
                      ? add->toggle_base : base->toggle_base;
    return dc;
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
    const char *err = maintenance_seconds_parse(arg, out);

    if (err || *out <= 0) {
        return bad_value(cmd, arg, "is not a number of seconds above zero, "
                         "like 1 or 0.5");
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

static const char *add_ignore_url(cmd_parms *cmd, void *dcv, const char *arg)
{
    maintenance_dir_conf *dc = dcv;
    ap_regex_t *re = apr_pcalloc(cmd->pool, sizeof(*re));
    int rc = ap_regcomp(re, arg, 0);

    if (rc) {
        char why[256];
        ap_regerror(rc, re, why, sizeof(why));
        return bad_value(cmd, arg, apr_pstrcat(cmd->pool, "is not a valid "
                                               "regular expression: ", why,
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

/* httpd's SetHandler comes here first, then goes on to the core's
 * (DECLINE_CMD): the toggle handler works only where the server's own
 * configuration put it, and serves the URLs below that place. */
static const char *note_set_handler(cmd_parms *cmd, void *dcv,
                                    const char *arg)
{
    const char *err = NULL;

    if (!strcasecmp(arg, MAINTENANCE_TOGGLE_HANDLER)) {
        err = maintenance_toggle_configure(cmd, dcv);
    }
    return err ? err : DECLINE_CMD;
}

#define DIR_CONTEXT (RSRC_CONF | ACCESS_CONF | OR_FILEINFO)

static const command_rec maintenance_cmds[] = {
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
    AP_INIT_TAKE1("MaintenanceTemplate", set_template, NULL, RSRC_CONF,
        "the file whose text is the body of maintenance answers"),
    AP_INIT_TAKE1("MaintenanceForce", set_dir_on_off,
        (void *)APR_OFFSETOF(maintenance_dir_conf, force), DIR_CONTEXT,
        "On or Off: answer as in maintenance, or never, whatever the state"),
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

/* ---------------------------------------------------------------------- */
/* The request */

static void set_env(request_rec *r, const maintenance_state *st, int on,
                    int initial)
{
    /* An initial request's environment cannot hold it yet: appending is
     * cheaper than looking for it, and this runs on every request. */
    if (initial) {
        apr_table_addn(r->subprocess_env, "MAINTENANCE_MODE", on ? "on" : "off");
    }
    else {
        apr_table_setn(r->subprocess_env, "MAINTENANCE_MODE", on ? "on" : "off");
    }
    if (!maintenance_state_pending(st, r->request_time)) {
        return;
    }
    if (st->start) {
        apr_table_setn(r->subprocess_env, "MAINTENANCE_START",
                       maintenance_time_pformat(r->pool, st->start));
    }
    if (st->end) {
        apr_table_setn(r->subprocess_env, "MAINTENANCE_END",
                       maintenance_time_pformat(r->pool, st->end));
    }
    if (st->message) {
        apr_table_setn(r->subprocess_env, "MAINTENANCE_MESSAGE", st->message);
    }
}

static const char *bypass(request_rec *r, const maintenance_dir_conf *dc)
{
    if (maintenance_toggle_here(r, dc)) {
        return "toggle";
    }
    if (maintenance_is_redirect_target(r, dc)) {
        return "redirect";
    }
    return maintenance_policy_bypass(r, dc);
}

static int maintenance_fixups(request_rec *r)
{
    maintenance_server_conf *sc =
        ap_get_module_config(r->server->module_config, &maintenance_module);
    maintenance_dir_conf *dc =
        ap_get_module_config(r->per_dir_config, &maintenance_module);
    int initial = !r->main && !r->prev;     /* ap_is_initial_req() */
    maintenance_state st;
    const char *through;
    int on;

    /* A state never read is all zeros: off, no window. */
    on = maintenance_decision_read(sc->decision, &st)
         ? maintenance_state_in_force(&st, r->request_time)
         : sc->fail_closed == 1;
    st.changed = 0;
    st.by = st.message = NULL;
    /* Only a window running or to come needs the rest. */
    if (maintenance_state_pending(&st, r->request_time)) {
        maintenance_slot_read(sc->slot, &st, r->pool);
    }
    set_env(r, &st, dc->force == MAINTENANCE_UNSET ? on : dc->force, initial);

    /* Subrequests and internal redirects (an ErrorDocument among them)
     * were decided with their initial request. */
    if (!initial) {
        return DECLINED;
    }
    if (dc->force != MAINTENANCE_UNSET) {
        if (!on) {
            /* Forced on: the state's times do not apply. */
            memset(&st, 0, sizeof(st));
        }
        on = dc->force;
    }
    if (!on) {
        return DECLINED;
    }
    if ((through = bypass(r, dc)) != NULL) {
        apr_table_setn(r->subprocess_env, "MAINTENANCE_BYPASS", through);
        return DECLINED;
    }
    ap_log_rerror(APLOG_MARK, APLOG_TRACE1, 0, r, MMLOG(00011)
                  "in maintenance, and no policy lets %s through",
                  r->useragent_ip);
    return maintenance_respond(r, dc, sc, &st);
}

/* ---------------------------------------------------------------------- */
/* The C API */

static apr_status_t maintenance_get_state(server_rec *s, apr_pool_t *p,
                                          maintenance_state **state)
{
    maintenance_server_conf *sc =
        ap_get_module_config(s->module_config, &maintenance_module);

    *state = apr_pcalloc(p, sizeof(**state));
    return maintenance_slot_read(sc->slot, *state, p) ? APR_SUCCESS
                                                       : APR_EINIT;
}

static apr_status_t maintenance_set_state(server_rec *s,
                                          const maintenance_state *state,
                                          apr_pool_t *p)
{
    maintenance_server_conf *sc =
        ap_get_module_config(s->module_config, &maintenance_module);
    const char *err;
    apr_status_t rv = maintenance_slot_write(sc->slot, state, NULL, p,
                                             &err);

    if (rv != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, MMLOG(00007)
                     "maintenance_set_state: %s", err);
    }
    return rv;
}

/* ---------------------------------------------------------------------- */
/* Start-up */

static int maintenance_check_config(apr_pool_t *pconf, apr_pool_t *plog,
                                    apr_pool_t *ptemp, server_rec *s)
{
    const char *err = maintenance_cache_configure(pconf, s);

    (void)plog;
    (void)ptemp;
    if (err) {
        ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_CRIT, 0, s,
                     MMLOG(00012) "%s", err);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

static int maintenance_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                                   apr_pool_t *ptemp, server_rec *s)
{
    (void)plog;
    maintenance_response_init(pconf);
    maintenance_cache_prepare(ptemp, s);
    return OK;
}

static void maintenance_child_init(apr_pool_t *pchild, server_rec *s)
{
    maintenance_cache_child_init(pchild, s);
}

static void register_hooks(apr_pool_t *p)
{
    static const char *const after_env[] = { "mod_env.c", NULL };
    const maintenance_builtin *b;

    for (b = maintenance_builtins; b->name; b++) {
        ap_register_provider(p, MAINTENANCE_PROVIDER_GROUP, b->name,
                             MAINTENANCE_PROVIDER_VERSION, b->provider);
    }
    ap_hook_check_config(maintenance_check_config, NULL, NULL,
                         APR_HOOK_MIDDLE);
    ap_hook_post_config(maintenance_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(maintenance_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    /* After mod_env, so "SetEnv no-maintenance" in a section counts. */
    ap_hook_fixups(maintenance_fixups, after_env, NULL, APR_HOOK_MIDDLE);
    maintenance_response_register_hooks();
    maintenance_toggle_register_hooks();
    APR_REGISTER_OPTIONAL_FN(maintenance_get_state);
    APR_REGISTER_OPTIONAL_FN(maintenance_set_state);
}

AP_DECLARE_MODULE(maintenance) = {
    STANDARD20_MODULE_STUFF,
    create_dir_conf,
    merge_dir_conf,
    create_server_conf,
    merge_server_conf,
    maintenance_cmds,
    register_hooks,
    AP_MODULE_FLAG_NONE
};
