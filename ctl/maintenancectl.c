/* maintenancectl: turn maintenance on and off, and show the state, through
 * the same providers as the module (Django's manage.py maintenance_mode). */
#include <apr_general.h>
#include <apr_getopt.h>
#include <apr_env.h>
#include <apr_strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <pwd.h>
#include <grp.h>
#include <unistd.h>

#include "mod_maintenance.h"
#include "bypass.h"
#include "json.h"
#include "provider.h"
#include "state.h"
#include "timefmt.h"

static const char usage[] =
    "usage: maintenancectl [--state SPEC] [--timeout SECONDS] [--json] COMMAND\n"
    "       maintenancectl --version\n"
    "\n"
    "  on [--start TIME] [--end TIME | --for DURATION] [--message TEXT]\n"
    "     [--read-only]\n"
    "                 turn maintenance on, now or from TIME; read-only: the\n"
    "                 site is still served to GET, HEAD and OPTIONS\n"
    "  off            turn maintenance off\n"
    "  status         print the state: on or off first; exit 0 when\n"
    "                 maintenance is in force, 3 when it is not\n"
    "  bypass [--key FILE] [--for DURATION] [--label TEXT]\n"
    "                 print the URL-path of a new bypass link (12h by\n"
    "                 default, 30 days at most), signed with the key of\n"
    "                 MaintenanceBypassKey (default: $MAINTENANCE_BYPASS_KEY)\n"
    "\n"
    "--json prints the state as the toggle page's JSON.\n"
    "SPEC is what MaintenanceState takes (file:/path, memcache:HOST:PORT/KEY,\n"
    "redis:HOST:PORT/KEY, s3:URL); default: $MAINTENANCE_STATE, else file:" MAINTENANCE_STATE_FILE "\n"
    "TIME is ISO 8601 (2026-11-22T10:00:00Z; no zone means UTC) or Unix\n"
    "seconds; DURATION is like 90, 30m, 2h or 1h30m.\n";

typedef struct {
    apr_pool_t *pool;
    const maintenance_provider *provider;
    void *instance;
    const char *spec;
} store;

static int fail(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "maintenancectl: ");
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
    return 1;
}

/* Who is asking: the user behind sudo, else the login. */
static const char *who(void)
{
    const char *name = getenv("SUDO_USER");
    struct passwd *pw;

    if (name && *name) {
        return name;
    }
    pw = getpwuid(getuid());
    return pw ? pw->pw_name : "unknown";
}

/* The directory a root maintenancectl creates must stay writable by httpd,
 * whose User Debian's envvars names. */
static void httpd_user(maintenance_provider_params *pp)
{
    const char *user = getenv("APACHE_RUN_USER");
    const char *group = getenv("APACHE_RUN_GROUP");
    struct passwd *pw = getpwnam(user ? user : "www-data");
    struct group *gr = getgrnam(group ? group : "www-data");

    pp->uid = pw ? pw->pw_uid : getuid();
    pp->gid = gr ? gr->gr_gid : getgid();
}

/* An option of an s3: spec the environment gives when the spec does not. */
static void s3_default(apr_table_t *options, const char *name,
                       const char *variable)
{
    const char *value = getenv(variable);

    if (value && *value && !apr_table_get(options, name)) {
        apr_table_set(options, name, value);
    }
}

static int open_store(store *st, const char *line, apr_interval_time_t timeout)
{
    maintenance_provider_params pp = { 0 };
    maintenance_spec spec;
    const char *err = NULL;
    apr_status_t rv;

    pp.timeout = timeout;
    httpd_user(&pp);

    st->spec = line;
    if ((err = maintenance_spec_parse_line(&spec, line, st->pool))) {
        return fail("--state '%s': %s", line, err);
    }
    if (!(st->provider = maintenance_builtin_find(spec.provider))) {
        return fail("--state '%s': no state provider '%s'", line,
                    spec.provider);
    }
    if (!strcmp(spec.provider, "s3")) {
        s3_default(spec.options, MAINTENANCE_S3_REGION,
                   "MAINTENANCE_S3_REGION");
        s3_default(spec.options, MAINTENANCE_S3_CREDENTIALS,
                   "MAINTENANCE_S3_CREDENTIALS");
        s3_default(spec.options, MAINTENANCE_S3_PROFILE,
                   "MAINTENANCE_S3_PROFILE");
    }
    if ((err = st->provider->create(&st->instance, spec.args, spec.options,
                                    &pp, st->pool))) {
        return fail("--state '%s': %s", line, err);
    }
    if (st->provider->child_init
        && (rv = st->provider->child_init(st->instance, st->pool, &err))
           != APR_SUCCESS) {
        char buf[120];
        return fail("%s: cannot connect: %s", line,
                    err ? err : apr_strerror(rv, buf, sizeof(buf)));
    }
    return 0;
}

static int read_state(store *st, maintenance_state *state)
{
    const char *err, *unknown;
    apr_status_t rv = maintenance_provider_read(st->provider, st->instance,
                                                state, st->pool, &err,
                                                &unknown);

    /* Nothing stored is off. */
    if (rv != APR_SUCCESS && rv != APR_NOTFOUND) {
        return fail("%s: %s", st->spec, err);
    }
    if (unknown) {
        fprintf(stderr, "maintenancectl: %s: keys not known, ignored: %s\n",
                st->spec, unknown);
    }
    return 0;
}

static int write_state(store *st, const maintenance_state *state)
{
    const char *err = NULL;

    if (st->provider->prepare
        && st->provider->prepare(st->instance, st->pool, &err)
           != APR_SUCCESS) {
        return fail("%s: %s", st->spec, err ? err : "cannot prepare the "
                    "storage");
    }
    if (maintenance_provider_write(st->provider, st->instance, state, NULL,
                                   st->pool, &err) != APR_SUCCESS) {
        return fail("%s: %s", st->spec, err);
    }
    return 0;
}

static void print_field(const char *key, const char *value)
{
    if (value) {
        printf("%s: %s\n", key, value);
    }
}

/* What status prints, and it alone exits with. */
#define EXIT_NOT_IN_FORCE 3

/* Print the stored state, as text or JSON; whether maintenance is in
 * force now, or -1 on an error. */
static int show_state(store *st, int json)
{
    maintenance_state state;
    apr_time_t now = apr_time_now();
    int in_force;
    const char *note = "";

    if (read_state(st, &state)) {
        return -1;
    }
    in_force = maintenance_state_in_force(&state, now);
    if (json) {
        maintenance_json j;

        maintenance_json_begin(&j, st->pool);
        maintenance_json_state(&j, &state, now);
        fputs(maintenance_json_end(&j), stdout);
        return in_force;
    }
    if (in_force && state.read_only) {
        note = " (read-only)";
    }
    else if (state.on && state.start && now < state.start) {
        note = " (maintenance scheduled)";
    }
    else if (state.on && state.end && now >= state.end) {
        note = " (the maintenance window has ended)";
    }
    printf("%s%s\n", in_force ? "on" : "off", note);
    print_field("state", state.on ? "on" : "off");
    print_field("mode", state.read_only ? "read-only" : NULL);
    print_field("start", maintenance_time_pformat(st->pool, state.start));
    print_field("end", maintenance_time_pformat(st->pool, state.end));
    print_field("changed", maintenance_time_pformat(st->pool, state.changed));
    print_field("by", state.by);
    print_field("message", state.message);
    return in_force;
}

/* What the command line asks for. */
typedef struct {
    const char *spec;
    apr_interval_time_t timeout;
    const char *start, *end, *duration, *message;  /* on's own */
    int read_only;                                 /* on's too */
    const char *key, *label;                       /* bypass's own */
    int json;
    const char *command;
} request;

static int parse_args(request *rq, apr_getopt_t *opt)
{
    static const apr_getopt_option_t options[] = {
        { "state", 'S', 1, "where the state is" },
        { "timeout", 't', 1, "seconds a provider call may take" },
        { "help", 'h', 0, "this text" },
        { "start", 's', 1, "from TIME" },
        { "end", 'e', 1, "until TIME" },
        { "for", 'f', 1, "for DURATION" },
        { "message", 'm', 1, "shown to visitors" },
        { "read-only", 'r', 0, "serve GET, HEAD and OPTIONS" },
        { "json", 'j', 0, "print the state as JSON" },
        { "version", 'V', 0, "print the version" },
        { "key", 'k', 1, "the bypass links' key file" },
        { "label", 'l', 1, "who a bypass link is for" },
        { NULL, 0, 0, NULL }
    };
    const char *arg;
    apr_status_t rv;
    int c;

    /* Options may come before or after the command. */
    opt->interleave = 1;
    while ((rv = apr_getopt_long(opt, options, &c, &arg)) == APR_SUCCESS) {
        switch (c) {
        case 'S':
            if (!*arg) {
                return fail("--state '': give a state, like file:%s%s",
                            MAINTENANCE_STATE_FILE, "");
            }
            rq->spec = arg;
            break;
        case 's': rq->start = arg; break;
        case 'e': rq->end = arg; break;
        case 'f': rq->duration = arg; break;
        case 'm': rq->message = arg; break;
        case 'r': rq->read_only = 1; break;
        case 'j': rq->json = 1; break;
        case 'k': rq->key = arg; break;
        case 'l': rq->label = arg; break;
        case 'h':
            fputs(usage, stdout);
            exit(0);
        case 'V':
            puts("maintenancectl " MAINTENANCE_VERSION);
            exit(0);
        case 't':
            if (maintenance_seconds_parse(arg, &rq->timeout)
                || rq->timeout <= 0) {
                return fail("--timeout '%s': %s", arg,
                            "not a number of seconds above zero");
            }
            break;
        }
    }
    if (rv != APR_EOF || opt->ind != opt->argc - 1) {
        if (opt->ind < opt->argc - 1) {
            return fail("unexpected '%s'%s", opt->argv[opt->ind + 1], "");
        }
        fputs(usage, stderr);
        return 1;
    }
    rq->command = opt->argv[opt->ind];
    if (strcmp(rq->command, "on") && strcmp(rq->command, "off")
        && strcmp(rq->command, "status") && strcmp(rq->command, "bypass")) {
        return fail("unknown command '%s': use on, off, status or bypass",
                    rq->command, "");
    }
    if (strcmp(rq->command, "on")
        && (rq->start || rq->end || rq->message || rq->read_only
            || (rq->duration && strcmp(rq->command, "bypass")))) {
        return fail("--start, --end, --for, --message and --read-only go "
                    "with on, not with %s%s", rq->command, "");
    }
    if (strcmp(rq->command, "bypass") && (rq->key || rq->label)) {
        return fail("--key and --label go with bypass, not with %s%s",
                    rq->command, "");
    }
    return 0;
}

/* The state "on" asks for. */
static int on_state(const request *rq, maintenance_state *state,
                    apr_pool_t *p)
{
    const char *err = maintenance_state_window(state, rq->start, rq->end,
                                               rq->duration, "--", p);

    state->message = rq->message;
    state->read_only = rq->read_only;
    return err ? fail("%s%s", err, "") : 0;
}

/* bypass: a new link's path on stdout. */
static int make_link(const request *rq, apr_pool_t *p)
{
    const char *file = rq->key ? rq->key : getenv("MAINTENANCE_BYPASS_KEY");
    const char *path = getenv("MAINTENANCE_BYPASS_PATH"), *err, *token;
    apr_interval_time_t d = MAINTENANCE_BYPASS_DEFAULT_FOR;
    maintenance_bypass_key key;

    if (!file || !*file) {
        return fail("bypass: give the key file with --key FILE (the "
                    "server's MaintenanceBypassKey)%s%s", "", "");
    }
    if (rq->duration && (err = maintenance_duration_parse(rq->duration, &d))) {
        return fail("--for '%s': %s", rq->duration, err);
    }
    if (d > MAINTENANCE_BYPASS_MAX_FOR) {
        return fail("--for '%s': a bypass link is valid for 30 days at "
                    "most%s", rq->duration, "");
    }
    if ((err = maintenance_bypass_key_read(&key, file, p)) != NULL) {
        return fail("--key: %s%s", err, "");
    }
    token = maintenance_bypass_mint(&key, apr_time_now() + d,
                                    rq->label ? rq->label : "", p, &err);
    if (!token) {
        return fail("--label: %s%s", err, "");
    }
    if (!path || !*path) {
        path = MAINTENANCE_BYPASS_DEFAULT_PATH;
    }
    printf("%s%s%s\n", path, path[strlen(path) - 1] == '/' ? "" : "/",
           token);
    return 0;
}

int main(int argc, const char *const *argv)
{
    request rq = { 0 };
    maintenance_state state = { 0 };
    apr_getopt_t *opt;
    store st = { 0 };
    int in_force;

    apr_app_initialize(&argc, &argv, NULL);
    atexit(apr_terminate);
    apr_pool_create(&st.pool, NULL);
    apr_getopt_init(&opt, st.pool, argc, argv);

    rq.spec = getenv("MAINTENANCE_STATE");
    rq.timeout = apr_time_from_sec(5);
    if (parse_args(&rq, opt)) {
        return 1;
    }
    if (!strcmp(rq.command, "bypass")) {
        return make_link(&rq, st.pool);
    }
    state.on = !strcmp(rq.command, "on");
    state.changed = apr_time_now();
    state.by = who();
    if ((state.on && on_state(&rq, &state, st.pool))
        || open_store(&st, rq.spec && *rq.spec ? rq.spec : "file:",
                      rq.timeout)) {
        return 1;
    }
    if (strcmp(rq.command, "status")) {
        return write_state(&st, &state) || show_state(&st, rq.json) < 0;
    }
    /* As systemctl is-active: a script asks "if maintenancectl status". */
    in_force = show_state(&st, rq.json);
    return in_force < 0 ? 1 : in_force ? 0 : EXIT_NOT_IN_FORCE;
}
