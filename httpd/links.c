/* Signed bypass links, as httpd serves them: the key read at start-up, the
 * link that sets the cookie, and the cookie that lets its browser through
 * (the tokens themselves are lib/bypass.c's). */
#include <http_core.h>
#include <http_protocol.h>
#include <http_request.h>
#include <apr_strings.h>
#include <unixd.h>

#include <sys/stat.h>
#include <unistd.h>

#include "bypass.h"
#include "links.h"
#include "template.h"
#include "timefmt.h"

APLOG_USE_MODULE(maintenance);

/* Set by the fixups hook alone, and told by its address: every request
 * passes the handler hook, and no configuration can name it. */
const char maintenance_bypass_handler[] = "maintenance-bypass-link";

/* A cookie's value longer than any token is not looked at. */
#define TOKEN_MAX 256

/* Readable by httpd's User, the key would sign links for whoever takes
 * over a child process; root reads it before the children start. */
static const char *key_exposed(const char *path, apr_pool_t *p)
{
    struct stat sb;
    uid_t uid = ap_unixd_config.user_id;
    gid_t gid = ap_unixd_config.group_id;

    if (geteuid() != 0 || stat(path, &sb) != 0) {
        return NULL;
    }
    if ((sb.st_mode & S_IROTH)
        || (sb.st_uid == uid && (sb.st_mode & S_IRUSR))
        || (sb.st_gid == gid && (sb.st_mode & S_IRGRP))) {
        return apr_psprintf(p, "%s can be read by httpd's User or Group "
                            "(mode %04o, owner %ld:%ld): make it root's, "
                            "mode 0600", path, (unsigned)(sb.st_mode & 07777),
                            (long)sb.st_uid, (long)sb.st_gid);
    }
    return NULL;
}

const char *maintenance_bypass_configure(server_rec *s, apr_pool_t *pconf)
{
    for (; s; s = s->next) {
        maintenance_server_conf *sc =
            ap_get_module_config(s->module_config, &maintenance_module);
        maintenance_bypass_key *key;
        const char *err;

        if (!sc->bypass_key_file) {
            continue;
        }
        key = apr_pcalloc(pconf, sizeof(*key));
        if ((err = maintenance_bypass_key_read(key, sc->bypass_key_file,
                                               pconf)) != NULL
            || (err = key_exposed(sc->bypass_key_file, pconf)) != NULL) {
            return apr_pstrcat(pconf, "MaintenanceBypassKey: ", err, NULL);
        }
        sc->bypass_key = key;
        sc->bypass_path_len = strlen(maintenance_bypass_path(sc));
    }
    return NULL;
}

int maintenance_bypass_link_here(request_rec *r,
                                 const maintenance_server_conf *sc)
{
    if (!sc->bypass_key
        || strncmp(r->uri, maintenance_bypass_path(sc), sc->bypass_path_len)) {
        return 0;
    }
    r->handler = maintenance_bypass_handler;
    return 1;
}

/* The token in the Cookie header(s), or NULL. */
static const char *cookie_token(request_rec *r)
{
    const char *cookies = apr_table_get(r->headers_in, "Cookie"), *c;
    static const char name[] = MAINTENANCE_BYPASS_COOKIE "=";

    for (c = cookies; c && (c = strstr(c, name)) != NULL; c++) {
        if (c == cookies || c[-1] == ' ' || c[-1] == ';') {
            apr_size_t n;

            c += sizeof(name) - 1;
            n = strcspn(c, "; ");
            return n && n <= TOKEN_MAX ? apr_pstrmemdup(r->pool, c, n)
                                       : NULL;
        }
    }
    return NULL;
}

int maintenance_bypass_cookie(request_rec *r,
                              const maintenance_server_conf *sc)
{
    const char *token, *label;
    apr_time_t expires;

    if (!sc->bypass_key || !(token = cookie_token(r))) {
        return 0;
    }
    return maintenance_bypass_verify(sc->bypass_key, token, strlen(token),
                                     r->request_time, &expires, &label,
                                     r->pool)
           == MAINTENANCE_BYPASS_VALID;
}

/* Over https, as httpd knows it (mod_ssl, or an https ServerName), or as
 * the proxy mod_remoteip trusted for this request says. */
static int secure(request_rec *r)
{
    const char *proto = apr_table_get(r->headers_in, "X-Forwarded-Proto");

    return !strcmp(ap_http_scheme(r), "https")
           || (proto && !strcasecmp(proto, "https")
               && strcmp(r->useragent_ip, r->connection->client_ip));
}

static int refuse_link(request_rec *r, const char *why)
{
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, MMLOG(00041)
                  "bypass link refused: %s", why);
    r->status = HTTP_FORBIDDEN;
    ap_set_content_type(r, "text/html; charset=utf-8");
    apr_table_setn(r->headers_out, "Cache-Control", "no-store");
    ap_rputs(maintenance_html_head(r->pool, "Link refused", ""), r);
    ap_rprintf(r, "<h1>Link refused</h1>\n<p>This link is %s. Ask for a new "
               "one.</p>\n</body>\n</html>\n", why);
    return OK;
}

int maintenance_bypass_open(request_rec *r)
{
    const maintenance_server_conf *sc;
    const char *token, *label;
    apr_time_t expires;
    maintenance_bypass_verdict v;

    if (r->method_number != M_GET) {
        return HTTP_METHOD_NOT_ALLOWED;
    }
    sc = ap_get_module_config(r->server->module_config, &maintenance_module);
    token = r->uri + sc->bypass_path_len;
    v = maintenance_bypass_verify(sc->bypass_key, token, strlen(token),
                                  r->request_time, &expires, &label, r->pool);
    if (v != MAINTENANCE_BYPASS_VALID) {
        return refuse_link(r, v == MAINTENANCE_BYPASS_EXPIRED
                              ? "expired" : "not valid");
    }
    ap_log_rerror(APLOG_MARK, APLOG_NOTICE, 0, r, MMLOG(00040)
                  "bypass link \"%s\" used by %s, valid until %s",
                  ap_escape_logitem(r->pool, label), r->useragent_ip,
                  maintenance_time_pformat(r->pool, expires));
    apr_table_addn(r->err_headers_out, "Set-Cookie",
                   apr_psprintf(r->pool, MAINTENANCE_BYPASS_COOKIE "=%s; "
                                "Path=/; Max-Age=%" APR_TIME_T_FMT
                                "; HttpOnly; SameSite=Lax%s", token,
                                apr_time_sec(expires - r->request_time),
                                secure(r) ? "; Secure" : ""));
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    apr_table_setn(r->headers_out, "Location", "/");
    return HTTP_SEE_OTHER;
}

const char *maintenance_bypass_new_link(const maintenance_server_conf *sc,
                                        apr_interval_time_t d,
                                        const char *label, apr_time_t now,
                                        apr_pool_t *p, const char **err)
{
    const char *token;

    if (d <= 0 || d > MAINTENANCE_BYPASS_MAX_FOR) {
        *err = "a bypass link is valid for 30 days at most";
        return NULL;
    }
    token = maintenance_bypass_mint(sc->bypass_key, now + d, label, p, err);
    return token ? apr_pstrcat(p, maintenance_bypass_path(sc), token, NULL)
                 : NULL;
}
