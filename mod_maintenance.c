/* mod_maintenance: puts a site, or a fleet of servers, into maintenance mode.
 *
 * This file is the module record and its hooks; the configuration is in
 * httpd/config.c. The fixups hook decides every request from
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
#include <util_cfgtree.h>
#include <apr_optional.h>
#include <apr_strings.h>

#define MAINTENANCE_WITH_HTTPD_API
#include "mod_maintenance.h"
#include "config.h"
#include "cache.h"
#include "checks.h"
#include "links.h"
#include "policy.h"
#include "provider.h"
#include "report.h"
#include "response.h"
#include "state.h"
#include "timefmt.h"
#include "toggle.h"

/* ---------------------------------------------------------------------- */
/* The request */

/* MAINTENANCE_MODE, by MAINTENANCE_MODE_*. */
static const char *const mode_names[] = { "off", "on", "read-only" };

static void set_mode(request_rec *r, int mode, int initial)
{
    /* An initial request's environment cannot hold it yet: appending is
     * cheaper than looking for it, and this runs on every request. */
    if (initial) {
        apr_table_addn(r->subprocess_env, "MAINTENANCE_MODE",
                       mode_names[mode]);
    }
    else {
        apr_table_setn(r->subprocess_env, "MAINTENANCE_MODE",
                       mode_names[mode]);
    }
}

/* A window running or to come: its times and message, for the site. */
static void set_window(request_rec *r, const maintenance_state *st)
{
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

/* Whether read-only maintenance serves r: its method is one of
 * MaintenanceSafeMethods (a HEAD is numbered as a GET). */
static int safe_method(const request_rec *r, const maintenance_dir_conf *dc)
{
    return ((AP_METHOD_BIT << r->method_number)
            & maintenance_safe_methods(dc)) != 0;
}

static maintenance_through bypass(request_rec *r,
                                  const maintenance_server_conf *sc,
                                  const maintenance_dir_conf *dc)
{
    maintenance_through through;

    if (maintenance_toggle_here(r, dc)) {
        return MAINTENANCE_THROUGH_TOGGLE;
    }
    if (maintenance_is_redirect_target(r, dc)) {
        return MAINTENANCE_THROUGH_REDIRECT;
    }
    through = maintenance_policy_bypass(r, dc);
    /* An HMAC costs more than every policy: last. */
    if (through == MAINTENANCE_THROUGH_NONE
        && maintenance_bypass_cookie(r, sc)) {
        through = MAINTENANCE_THROUGH_COOKIE;
    }
    return through;
}

/* LogLevel maintenance:debug: why this answer. mode is the request's,
 * answer whether a maintenance answer was due before the policies. */
static void explain(request_rec *r, const maintenance_dir_conf *dc,
                    const maintenance_state *st, int known, int mode,
                    int answer, maintenance_through through)
{
    const char *state =
        dc->force != MAINTENANCE_UNSET
            ? apr_psprintf(r->pool, "MaintenanceForce %s (%s)",
                           maintenance_force_names[dc->force],
                           dc->force_where)
        : !known ? apr_psprintf(r->pool, "no state read yet, "
                                "MaintenanceFailMode %s",
                                mode ? "closed" : "open")
        : !st->on ? "state off"
        : !mode ? (st->start > r->request_time ? "state on, window not begun"
                                               : "state on, window over")
        : mode == MAINTENANCE_MODE_READ_ONLY ? "state on, read-only"
        : "state on";

    if (!mode) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, MMLOG(00011)
                      "served: %s", state);
    }
    else if (!answer) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, MMLOG(00011)
                      "served: %s, and %s is one of MaintenanceSafeMethods",
                      state, r->method);
    }
    else if (through != MAINTENANCE_THROUGH_NONE) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, MMLOG(00011)
                      "let through: %s, policy %s lets %s through", state,
                      maintenance_through_names[through], r->useragent_ip);
    }
    else {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, MMLOG(00011)
                      "maintenance answer: %s, and no policy lets %s "
                      "through", state, r->useragent_ip);
    }
}

/* APLOGrdebug costs every request some 25 instructions: it is asked only
 * where a LogLevel could make it true (set at post_config). */
static int debug_possible;

/* Every case but the common one (maintenance_fixups). Out of line, so
 * that the common case does not pay for this one's registers and stack. */
static __attribute__((noinline))
int decide(request_rec *r, const maintenance_server_conf *sc,
           const maintenance_dir_conf *dc, int initial)
{
    maintenance_through through = MAINTENANCE_THROUGH_NONE;
    maintenance_state st;
    int known, mode, answer;

    /* A state never read is all zeros: off, no window. */
    known = maintenance_decide(sc, &st);
    mode = (known ? maintenance_state_in_force(&st, r->request_time)
                  : maintenance_fail_closed(sc))
           ? MAINTENANCE_MODE_ON + st.read_only : MAINTENANCE_MODE_OFF;
    set_mode(r, dc->force == MAINTENANCE_UNSET ? mode : dc->force, initial);
    st.changed = 0;
    st.by = st.message = NULL;
    if (maintenance_state_pending(&st, r->request_time)) {
        maintenance_slot_read(sc->slot, &st, r->pool);
        set_window(r, &st);
    }

    /* Subrequests and internal redirects (an ErrorDocument among them)
     * were decided with their initial request. A bypass link opens
     * whatever the state (one sent ahead of a window works when it
     * begins): its request is the link handler's. */
    if (!initial || (sc->bypass_key && maintenance_bypass_link_here(r, sc))) {
        return DECLINED;
    }
    if (dc->force != MAINTENANCE_UNSET) {
        if (!mode) {
            /* Forced on: the state's times do not apply. */
            memset(&st, 0, sizeof(st));
        }
        mode = dc->force;
    }
    /* Read-only maintenance answers only the methods that change things. */
    answer = mode && (mode != MAINTENANCE_MODE_READ_ONLY
                      || !safe_method(r, dc));
    if (answer && (through = bypass(r, sc, dc)) != MAINTENANCE_THROUGH_NONE) {
        MAINTENANCE_COUNT(sc->shared->through[through]);
        apr_table_setn(r->subprocess_env, "MAINTENANCE_BYPASS",
                       maintenance_through_names[through]);
    }
    if (debug_possible && APLOGrdebug(r)) {
        explain(r, dc, &st, known, mode, answer, through);
    }
    if (!answer || through != MAINTENANCE_THROUGH_NONE) {
        return DECLINED;
    }
    MAINTENANCE_COUNT(sc->shared->answers);
    /* The answer says the mode of this request, a MaintenanceForce's. */
    st.read_only = mode == MAINTENANCE_MODE_READ_ONLY;
    return maintenance_respond(r, dc, sc, &st);
}

static int maintenance_fixups(request_rec *r)
{
    const maintenance_server_conf *sc =
        ap_get_module_config(r->server->module_config, &maintenance_module);
    const maintenance_dir_conf *dc =
        ap_get_module_config(r->per_dir_config, &maintenance_module);
    int initial = !r->main && !r->prev;     /* ap_is_initial_req() */

    /* Nearly every request of every site: a state known to be off,
     * nothing forced, no bypass link to look for, no reason to log. It
     * needs no copy of the state. */
    if (dc->force == MAINTENANCE_UNSET && !sc->bypass_key && !debug_possible
        && maintenance_shared_off(sc->shared)) {
        set_mode(r, MAINTENANCE_MODE_OFF, initial);
        return DECLINED;
    }
    return decide(r, sc, dc, initial);
}

/* The module's two handlers behind one hook: every request of every site
 * passes here, and most leave at the first letter. */
static int maintenance_handler(request_rec *r)
{
    if (!r->handler || r->handler[0] != 'm') {
        return DECLINED;
    }
    if (r->handler == maintenance_bypass_handler) {
        return maintenance_bypass_open(r);
    }
    return strcmp(r->handler, MAINTENANCE_TOGGLE_HANDLER)
           ? DECLINED : maintenance_toggle(r);
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

    if (!err) {
        err = maintenance_bypass_configure(s, pconf);
    }
    (void)plog;
    (void)ptemp;
    if (err) {
        ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_CRIT, 0, s,
                     MMLOG(00012) "%s", err);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

/* Whether a LogLevel sits in a section (<Directory>, <Location>...), where
 * it may set this module's level for some requests. */
static int nested_loglevel(const ap_directive_t *d, int nested)
{
    for (; d; d = d->next) {
        if ((nested && !strcasecmp(d->directive, "LogLevel"))
            || nested_loglevel(d->first_child, 1)) {
            return 1;
        }
    }
    return 0;
}

static int maintenance_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                                   apr_pool_t *ptemp, server_rec *s)
{
    server_rec *vs;
    const char *err;

    (void)plog;
    debug_possible = nested_loglevel(ap_conftree, 0);
    for (vs = s; vs && !debug_possible; vs = vs->next) {
        debug_possible = APLOG_IS_LEVEL(vs, APLOG_DEBUG);
    }
    /* In the Server header (ServerTokens Full) and in the start-up line
     * of the error log, as httpd's own modules do. */
    ap_add_version_component(pconf, "mod_maintenance/" MAINTENANCE_VERSION);
    maintenance_response_init(pconf);
    if ((err = maintenance_cache_start(pconf, ptemp, s)) != NULL) {
        ap_log_error(APLOG_MARK, APLOG_STARTUP | APLOG_CRIT, 0, s,
                     MMLOG(00014) "%s", err);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return OK;
}

static void maintenance_child_init(apr_pool_t *pchild, server_rec *s)
{
    maintenance_cache_child_init(pchild, s);
}

static void register_hooks(apr_pool_t *p)
{
    static const char *const after_env[] = { "mod_env.c", NULL };
    static const char *const before_watchdog[] = { "mod_watchdog.c", NULL };
    const maintenance_builtin *b;

    for (b = maintenance_builtins; b->name; b++) {
        ap_register_provider(p, MAINTENANCE_PROVIDER_GROUP, b->name,
                             MAINTENANCE_PROVIDER_VERSION, b->provider);
    }
    ap_hook_check_config(maintenance_check_config, NULL, NULL,
                         APR_HOOK_MIDDLE);
    ap_hook_post_config(maintenance_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    /* The providers open what they need before mod_watchdog starts the
     * reader. */
    ap_hook_child_init(maintenance_child_init, NULL, before_watchdog,
                       APR_HOOK_MIDDLE);
    /* After mod_env, so "SetEnv no-maintenance" in a section counts. */
    ap_hook_fixups(maintenance_fixups, after_env, NULL, APR_HOOK_MIDDLE);
    maintenance_response_register_hooks();
    maintenance_report_register_hooks();
    ap_hook_handler(maintenance_handler, NULL, NULL, APR_HOOK_MIDDLE);
    maintenance_checks_register_hooks();
    APR_REGISTER_OPTIONAL_FN(maintenance_get_state);
    APR_REGISTER_OPTIONAL_FN(maintenance_set_state);
}

AP_DECLARE_MODULE(maintenance) = {
    STANDARD20_MODULE_STUFF,
    maintenance_create_dir_conf,
    maintenance_merge_dir_conf,
    maintenance_create_server_conf,
    maintenance_merge_server_conf,
    maintenance_cmds,
    register_hooks,
    AP_MODULE_FLAG_NONE
};
