/* What a server's state did, for people and for monitoring: Prometheus
 * text at the toggle handler's /metrics, a member of its JSON, and a
 * section of mod_status's /server-status (with ExtendedStatus On). */
#include <http_protocol.h>
#include <mod_status.h>
#include <scoreboard.h>
#include <apr_strings.h>

#include "report.h"
#include "json.h"
#include "timefmt.h"

APLOG_USE_MODULE(maintenance);

/* Whether the server answers as in maintenance now, for a report. */
static int in_force(const maintenance_report *rep, server_rec *s)
{
    const maintenance_server_conf *sc =
        ap_get_module_config(s->module_config, &maintenance_module);

    return rep->known ? maintenance_state_in_force(&rep->st, apr_time_now())
                      : maintenance_fail_closed(sc);
}

/* Seconds since the last good read, to the millisecond; NaN: never. */
static const char *age(const maintenance_report *rep, apr_pool_t *p)
{
    apr_interval_time_t d = apr_time_now() - rep->last_good;

    if (!rep->last_good) {
        return "NaN";
    }
    return apr_psprintf(p, "%" APR_TIME_T_FMT ".%03" APR_TIME_T_FMT,
                        apr_time_sec(d), apr_time_msec(d) % 1000);
}

static void metric(request_rec *r, const char *name, const char *type,
                   const char *help)
{
    ap_rprintf(r, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

int maintenance_report_metrics(request_rec *r, maintenance_slot *slot)
{
    maintenance_report rep;
    int i;

    maintenance_slot_report(slot, &rep, r->pool);
    ap_set_content_type(r, "text/plain; version=0.0.4; charset=utf-8");
    if (r->header_only) {
        return OK;
    }
    metric(r, "maintenance_answers_total", "counter",
           "Requests answered as in maintenance.");
    ap_rprintf(r, "maintenance_answers_total %" APR_UINT64_T_FMT "\n",
               rep.answers);
    metric(r, "maintenance_bypass_total", "counter",
           "Requests let through during maintenance, by what let them.");
    for (i = 0; i < MAINTENANCE_THROUGH_N; i++) {
        ap_rprintf(r, "maintenance_bypass_total{policy=\"%s\"} %"
                   APR_UINT64_T_FMT "\n", maintenance_through_names[i],
                   rep.through[i]);
    }
    metric(r, "maintenance_store_reads_total", "counter",
           "Reads of the state from its store, by result.");
    ap_rprintf(r, "maintenance_store_reads_total{result=\"ok\"} %"
               APR_UINT64_T_FMT "\n", rep.reads_ok);
    ap_rprintf(r, "maintenance_store_reads_total{result=\"error\"} %"
               APR_UINT64_T_FMT "\n", rep.reads_error);
    metric(r, "maintenance_state_in_force", "gauge",
           "1 while the server answers as in maintenance, else 0.");
    ap_rprintf(r, "maintenance_state_in_force %d\n",
               in_force(&rep, rep.s));
    metric(r, "maintenance_state_age_seconds", "gauge",
           "Seconds since the state was last read from its store.");
    ap_rprintf(r, "maintenance_state_age_seconds %s\n", age(&rep, r->pool));
    return OK;
}

const char *maintenance_report_json(maintenance_slot *slot, apr_pool_t *p)
{
    maintenance_report rep;
    maintenance_json j, through, reads;
    int i;

    maintenance_slot_report(slot, &rep, p);
    maintenance_json_begin(&through, p);
    for (i = 0; i < MAINTENANCE_THROUGH_N; i++) {
        maintenance_json_int(&through, maintenance_through_names[i],
                             (apr_int64_t)rep.through[i]);
    }
    maintenance_json_begin(&reads, p);
    maintenance_json_int(&reads, "ok", (apr_int64_t)rep.reads_ok);
    maintenance_json_int(&reads, "error", (apr_int64_t)rep.reads_error);

    maintenance_json_begin(&j, p);
    maintenance_json_int(&j, "answers", (apr_int64_t)rep.answers);
    maintenance_json_raw(&j, "bypass", maintenance_json_object(&through));
    maintenance_json_raw(&j, "store_reads", maintenance_json_object(&reads));
    maintenance_json_int(&j, "state_in_force",
                         in_force(&rep, rep.s));
    maintenance_json_raw(&j, "state_age_seconds",
                         rep.last_good ? age(&rep, p) : "null");
    maintenance_json_str(&j, "last_error", rep.last_error);
    return maintenance_json_object(&j);
}

/* ---------------------------------------------------------------------- */
/* mod_status */

static const char *state_word(const maintenance_report *rep)
{
    return !rep->known ? "unknown" : rep->st.on ? "on" : "off";
}

static const char *when(apr_time_t t, apr_pool_t *p)
{
    return t ? maintenance_time_pformat(p, t) : "-";
}

static void status_short(request_rec *r, const maintenance_report *rep,
                         int force)
{
    ap_rprintf(r, "MaintenanceStore: %s\n"
               "MaintenanceState: %s\n"
               "MaintenanceInForce: %d\n"
               "MaintenanceStart: %s\n"
               "MaintenanceEnd: %s\n"
               "MaintenanceStateAge: %s\n"
               "MaintenanceLastError: %s\n",
               rep->spec, state_word(rep), force, when(rep->st.start, r->pool),
               when(rep->st.end, r->pool), age(rep, r->pool),
               rep->last_error ? rep->last_error : "-");
}

static void row(request_rec *r, const char *name, const char *value)
{
    ap_rprintf(r, "<dt>%s</dt><dd>%s</dd>\n", name,
               ap_escape_html(r->pool, value));
}

static void status_html(request_rec *r, const maintenance_report *rep,
                        int force)
{
    ap_rputs("<dl>\n", r);
    row(r, "Store", rep->spec);
    row(r, "State", state_word(rep));
    row(r, "In force", force ? "yes" : "no");
    row(r, "Start", when(rep->st.start, r->pool));
    row(r, "End", when(rep->st.end, r->pool));
    row(r, "Seconds since the last good read",
        rep->last_good ? age(rep, r->pool) : "never");
    row(r, "Last error", rep->last_error ? rep->last_error : "none");
    ap_rputs("</dl>\n", r);
}

static int status_hook(request_rec *r, int flags)
{
    const apr_array_header_t *slots = maintenance_cache_slots();
    int i;

    if (!ap_extended_status || !slots) {
        return OK;
    }
    if (!(flags & AP_STATUS_SHORT)) {
        ap_rputs("<hr />\n<h2>Maintenance mode</h2>\n", r);
    }
    for (i = 0; i < slots->nelts; i++) {
        maintenance_slot *slot = APR_ARRAY_IDX(slots, i, maintenance_slot *);
        maintenance_report rep;
        int force;

        maintenance_slot_report(slot, &rep, r->pool);
        force = in_force(&rep, rep.s);
        if (flags & AP_STATUS_SHORT) {
            status_short(r, &rep, force);
        }
        else {
            status_html(r, &rep, force);
        }
    }
    return OK;
}

void maintenance_report_register_hooks(void)
{
    APR_OPTIONAL_HOOK(ap, status_hook, status_hook, NULL, NULL,
                      APR_HOOK_MIDDLE);
}
