/* The module's configuration records, shared by its httpd-side files. */
#ifndef MAINTENANCE_CONF_H
#define MAINTENANCE_CONF_H

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>
#include <ap_expr.h>
#include <ap_regex.h>

#include "mod_maintenance.h"
#include "bypass.h"
#include "provider.h"
#include "template.h"

/* The module's own log tags: MMLOG(00001) gives "MM00001: ". */
#define MMLOG(n) "MM" #n ": "

/* The status to give ap_log_*: an APR or system error prints its reason;
 * the module's own codes (from APR_OS_START_USERERR), and APR_ENOSPC,
 * which providers answer for a state too large rather than a disk full,
 * have no text there: their message says it. */
#define MMSTATUS(rv) \
    ((rv) < APR_OS_START_USERERR && (rv) != APR_ENOSPC ? (rv) : 0)

#define MAINTENANCE_UNSET      (-1)
#define MAINTENANCE_RETRY_OFF  (-2)   /* MaintenanceRetryAfter Off */

/* How a request is in maintenance: what MaintenanceForce says, and what
 * the fixups hook makes of the state. MAINTENANCE_MODE names them. */
#define MAINTENANCE_MODE_OFF        0
#define MAINTENANCE_MODE_ON         1
#define MAINTENANCE_MODE_READ_ONLY  2

/* MaintenanceForce's words for them, by mode, NULL-terminated (config.c). */
extern const char *const maintenance_force_names[];

/* MaintenanceResponseType */
#define MAINTENANCE_RESPONSE_AUTO   0   /* by the request's Accept */
#define MAINTENANCE_RESPONSE_HTML   1
#define MAINTENANCE_RESPONSE_JSON   2

typedef struct maintenance_slot maintenance_slot;
typedef struct maintenance_shared maintenance_shared;

/* Per server: where the state is and how it is read. */
typedef struct {
    const maintenance_spec *spec;      /* MaintenanceState, NULL: unset */
    const char *state_where;           /* "line N of FILE", for errors */
    apr_interval_time_t ttl;           /* MAINTENANCE_UNSET: unset */
    apr_interval_time_t timeout;       /* MAINTENANCE_UNSET: unset */
    int fail_closed;                   /* MAINTENANCE_UNSET: unset */
    const char *s3_region;             /* NULL: unset */
    const char *s3_credentials;        /* NULL: unset */
    const char *s3_profile;
    const maintenance_template *tmpl;  /* MaintenanceTemplate, NULL: unset */
    const char *bypass_key_file;       /* MaintenanceBypassKey, NULL: unset */
    const char *bypass_path;           /* MaintenanceBypassPath, NULL: unset */
    const maintenance_bypass_key *bypass_key;  /* read at check_config */
    apr_size_t bypass_path_len;        /* with bypass_key: its path's */
    maintenance_slot *slot;            /* set at check_config */
    maintenance_shared *shared;        /* the slot's, from post_config */
} maintenance_server_conf;

/* Per directory: whom it applies to and how it answers. The lists are
 * NULL when empty, so a request pays nothing for a policy not in use. */
typedef struct {
    int force;                         /* MAINTENANCE_UNSET or
                                        * MAINTENANCE_MODE_* */
    const char *force_where;           /* "line N of FILE" */
    apr_int64_t safe_methods;          /* MaintenanceSafeMethods: bit
                                        * AP_METHOD_BIT << method number,
                                        * or MAINTENANCE_UNSET */
    apr_array_header_t *ignore_ips;    /* apr_ipsubnet_t * */
    apr_array_header_t *ignore_urls;   /* ap_regex_t * */
    apr_array_header_t *ignore_users;  /* const char * */
    apr_array_header_t *ignore_exprs;  /* ap_expr_info_t * */
    int ignore_authenticated;          /* MAINTENANCE_UNSET, 0, 1 */
    int ignore_anonymous;              /* MAINTENANCE_UNSET, 0, 1 */
    int status;                        /* MAINTENANCE_UNSET or 400-599 */
    int retry_after;                   /* seconds, MAINTENANCE_RETRY_OFF
                                        * or MAINTENANCE_UNSET */
    int response_type;                 /* MAINTENANCE_UNSET or
                                        * MAINTENANCE_RESPONSE_* */
    int refresh;                       /* MaintenanceRefresh: seconds, 0
                                        * for Off, or MAINTENANCE_UNSET */
    const char *redirect;              /* MaintenanceRedirect, NULL: unset */
    const char *redirect_host;         /* its host, NULL: this site */
    const char *redirect_path;         /* its path, never answered by it */
    int redirect_code;
    int toggle_anonymous;              /* MAINTENANCE_UNSET, 0, 1 */
    int toggle_scope;                  /* MAINTENANCE_UNSET, or where
                                        * SetHandler maintenance-toggle
                                        * was: MAINTENANCE_TOGGLE_* */
    const char *toggle_base;           /* its URL-path or directory, no
                                        * final slash */
} maintenance_dir_conf;

/* maintenance_dir_conf.toggle_scope */
#define MAINTENANCE_TOGGLE_URL       1  /* <Location>, or a whole server */
#define MAINTENANCE_TOGGLE_DIR       2  /* <Directory> */
#define MAINTENANCE_TOGGLE_HTACCESS  3  /* refused */

/* The one symbol httpd looks up: the module is built with hidden
 * visibility (apxs.mk). */
extern module __attribute__((visibility("default"))) AP_MODULE_DECLARE_DATA
    maintenance_module;

/* The defaults, all here: the values in force are read through the
 * accessors below, never from the records' fields directly. */
#define MAINTENANCE_DEFAULT_TTL          apr_time_from_sec(1)
#define MAINTENANCE_DEFAULT_TIMEOUT      apr_time_from_sec(1)
#define MAINTENANCE_DEFAULT_STATUS       HTTP_SERVICE_UNAVAILABLE
#define MAINTENANCE_DEFAULT_RETRY_AFTER  3600
/* GET (and so HEAD, which httpd numbers as GET) and OPTIONS. */
#define MAINTENANCE_DEFAULT_SAFE_METHODS \
    ((AP_METHOD_BIT << M_GET) | (AP_METHOD_BIT << M_OPTIONS))

/* A field's value, else its default. */
#define MAINTENANCE_OR(rec, field, dflt) \
    ((rec)->field == MAINTENANCE_UNSET ? (dflt) : (rec)->field)

#define maintenance_ttl(sc) \
    MAINTENANCE_OR(sc, ttl, MAINTENANCE_DEFAULT_TTL)
#define maintenance_timeout(sc) \
    MAINTENANCE_OR(sc, timeout, MAINTENANCE_DEFAULT_TIMEOUT)
#define maintenance_fail_closed(sc)       MAINTENANCE_OR(sc, fail_closed, 0)
#define maintenance_bypass_path(sc) \
    ((sc)->bypass_path ? (sc)->bypass_path : MAINTENANCE_BYPASS_DEFAULT_PATH)
#define maintenance_status(dc) \
    MAINTENANCE_OR(dc, status, MAINTENANCE_DEFAULT_STATUS)
/* Seconds, or MAINTENANCE_RETRY_OFF. */
#define maintenance_retry_after(dc) \
    MAINTENANCE_OR(dc, retry_after, MAINTENANCE_DEFAULT_RETRY_AFTER)
#define maintenance_ignore_authenticated(dc) \
    MAINTENANCE_OR(dc, ignore_authenticated, 0)
#define maintenance_ignore_anonymous(dc) MAINTENANCE_OR(dc, ignore_anonymous, 0)
#define maintenance_toggle_anonymous(dc) MAINTENANCE_OR(dc, toggle_anonymous, 0)
#define maintenance_safe_methods(dc) \
    MAINTENANCE_OR(dc, safe_methods, MAINTENANCE_DEFAULT_SAFE_METHODS)
#define maintenance_response_type(dc) \
    MAINTENANCE_OR(dc, response_type, MAINTENANCE_RESPONSE_AUTO)
/* Seconds, or 0 for none. */
#define maintenance_refresh(dc)          MAINTENANCE_OR(dc, refresh, 0)
#define MAINTENANCE_TOGGLE_HANDLER       "maintenance-toggle"
#define MAINTENANCE_DEFAULT_MESSAGE      "This site is down for maintenance."
#define MAINTENANCE_READ_ONLY_MESSAGE \
    "This site is read-only for maintenance: it can be read, not changed."

#endif
