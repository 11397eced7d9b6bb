/* A third-party module as the C API's users would write one, for the tests:
 *
 *   MaintenanceState memtest:on|off   a provider keeping the state in this
 *                                     process's memory
 *   SetHandler maintenance-api-test   GET: the state through
 *                                     maintenance_get_state; ?set=on|off
 *                                     [&message=...]: maintenance_set_state
 */
#include <httpd.h>
#include <http_config.h>
#include <http_protocol.h>
#include <ap_provider.h>
#include <apr_optional.h>
#include <apr_strings.h>
#include <apr_thread_mutex.h>
#include <util_script.h>

#define MAINTENANCE_WITH_HTTPD_API
#include "mod_maintenance.h"

typedef struct {
    apr_thread_mutex_t *lock;
    char text[MAINTENANCE_STATE_MAX + 1];
    apr_size_t len;
} memstate;

static const char *mem_create(void **instance, const char *args,
                              const apr_table_t *options,
                              const maintenance_provider_params *params,
                              apr_pool_t *p)
{
    memstate *m = apr_pcalloc(p, sizeof(*m));

    (void)params;
    if (strcmp(args, "on") && strcmp(args, "off")) {
        return "memtest: takes on or off";
    }
    if (!apr_is_empty_table(options)) {
        return "memtest: takes no options";
    }
    m->len = apr_snprintf(m->text, sizeof(m->text), "%s\n", args);
    *instance = m;
    return NULL;
}

static apr_status_t mem_child_init(void *instance, apr_pool_t *p,
                                   const char **err)
{
    memstate *m = instance;

    (void)err;
    return apr_thread_mutex_create(&m->lock, APR_THREAD_MUTEX_DEFAULT, p);
}

static apr_status_t mem_get(void *instance, char *buf, apr_size_t *len,
                            apr_pool_t *p, const char **err)
{
    memstate *m = instance;

    (void)p, (void)err;
    apr_thread_mutex_lock(m->lock);
    memcpy(buf, m->text, m->len);
    *len = m->len;
    apr_thread_mutex_unlock(m->lock);
    return APR_SUCCESS;
}

static apr_status_t mem_set(void *instance, const char *text, apr_size_t len,
                            apr_pool_t *p, const char **err)
{
    memstate *m = instance;

    (void)p;
    if (len > MAINTENANCE_STATE_MAX) {
        *err = "too large";
        return APR_ENOSPC;
    }
    apr_thread_mutex_lock(m->lock);
    memcpy(m->text, text, len);
    m->len = len;
    apr_thread_mutex_unlock(m->lock);
    return APR_SUCCESS;
}

static const maintenance_provider mem_provider = {
    mem_create, NULL, mem_child_init, mem_get, mem_set
};

static int api_handler(request_rec *r)
{
    APR_OPTIONAL_FN_TYPE(maintenance_get_state) *get_state =
        APR_RETRIEVE_OPTIONAL_FN(maintenance_get_state);
    APR_OPTIONAL_FN_TYPE(maintenance_set_state) *set_state =
        APR_RETRIEVE_OPTIONAL_FN(maintenance_set_state);
    maintenance_state *st;
    apr_table_t *args;
    const char *set;

    if (strcmp(r->handler, "maintenance-api-test")) {
        return DECLINED;
    }
    if (!get_state || !set_state) {
        return HTTP_NOT_IMPLEMENTED;
    }
    ap_args_to_table(r, &args);
    if ((set = apr_table_get(args, "set")) != NULL) {
        maintenance_state want = { 0 };
        want.on = !strcmp(set, "on");
        want.message = apr_table_get(args, "message");
        want.by = "api-test";
        want.changed = apr_time_now();
        if (set_state(r->server, &want, r->pool) != APR_SUCCESS) {
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    if (get_state(r->server, r->pool, &st) != APR_SUCCESS) {
        return HTTP_SERVICE_UNAVAILABLE;
    }
    ap_set_content_type(r, "text/plain");
    ap_rprintf(r, "%s\n%s\n%s\n", st->on ? "on" : "off",
               st->message ? st->message : "", st->by ? st->by : "");
    return OK;
}

static void register_hooks(apr_pool_t *p)
{
    ap_register_provider(p, MAINTENANCE_PROVIDER_GROUP, "memtest",
                         MAINTENANCE_PROVIDER_VERSION, &mem_provider);
    ap_hook_handler(api_handler, NULL, NULL, APR_HOOK_MIDDLE);
}

AP_DECLARE_MODULE(maintenance_test) = {
    STANDARD20_MODULE_STUFF,
    NULL, NULL, NULL, NULL, NULL,
    register_hooks,
    AP_MODULE_FLAG_NONE
};
