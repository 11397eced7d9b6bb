/* The ignore policies, in the order the README lists them: the first that
 * matches lets the request through and names itself. Everything was parsed
 * at configuration time. */
#include <http_request.h>

#include "policy.h"
#include "iplist.h"

APLOG_USE_MODULE(maintenance);

static int url_matches(request_rec *r, const apr_array_header_t *urls)
{
    int i;

    for (i = 0; i < urls->nelts; i++) {
        if (!ap_regexec(APR_ARRAY_IDX(urls, i, ap_regex_t *), r->uri,
                        0, NULL, 0)) {
            return 1;
        }
    }
    return 0;
}

static int user_matches(request_rec *r, const apr_array_header_t *users)
{
    int i;

    for (i = 0; r->user && i < users->nelts; i++) {
        if (!strcmp(r->user, APR_ARRAY_IDX(users, i, const char *))) {
            return 1;
        }
    }
    return 0;
}

static int expr_matches(request_rec *r, const apr_array_header_t *exprs)
{
    int i;

    for (i = 0; i < exprs->nelts; i++) {
        const char *err = NULL;
        int rc = ap_expr_exec(r, APR_ARRAY_IDX(exprs, i, ap_expr_info_t *),
                              &err);
        if (err) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, MMLOG(00010)
                          "MaintenanceIgnoreExpr: %s", err);
        }
        else if (rc > 0) {
            return 1;
        }
    }
    return 0;
}

maintenance_through maintenance_policy_bypass(request_rec *r,
                                              const maintenance_dir_conf *dc)
{
    if (apr_table_get(r->subprocess_env, "no-maintenance")) {
        return MAINTENANCE_THROUGH_ENV;
    }
    if (dc->ignore_ips
        && maintenance_iplist_match(dc->ignore_ips, r->useragent_addr)) {
        return MAINTENANCE_THROUGH_IP;
    }
    if (dc->ignore_urls && url_matches(r, dc->ignore_urls)) {
        return MAINTENANCE_THROUGH_URL;
    }
    if (dc->ignore_users && user_matches(r, dc->ignore_users)) {
        return MAINTENANCE_THROUGH_USER;
    }
    if (maintenance_ignore_authenticated(dc) && r->user) {
        return MAINTENANCE_THROUGH_AUTHENTICATED;
    }
    if (maintenance_ignore_anonymous(dc) && !r->user) {
        return MAINTENANCE_THROUGH_ANONYMOUS;
    }
    if (dc->ignore_exprs && expr_matches(r, dc->ignore_exprs)) {
        return MAINTENANCE_THROUGH_EXPR;
    }
    return MAINTENANCE_THROUGH_NONE;
}
