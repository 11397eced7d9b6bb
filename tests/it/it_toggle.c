/* The toggle handler: the status page (what visitors get, in words, and
 * only the actions that make sense) and its JSON, GETs that never change
 * anything, POSTs that do (303 or JSON, `by` and `changed`, bad fields),
 * the refusals (cross-site, anonymous, methods), the exemption of the
 * toggle location itself, the log, and dozens of toggles at once. */
#include "fixture.h"
#include "toggle.h"

#include <dirent.h>
#include <pthread.h>
#include <time.h>

#define BOB "bob:hunter2"

/* Toggle locations: the documented one (basic auth), one guarded by
 * address alone that takes anonymous changes, one with neither auth nor
 * the directive, whose POSTs have no user and must be refused, and one
 * in a forced scope. */
static const char CONF[] =
    FX_ENV_HEADERS
    FX_TOGGLE_CONF
    "<Location \"/open-toggle\">\n"
    TOGGLE_LOOPBACK
    "</Location>\n"
    "<Location \"/bare-toggle\">\n"
    "  SetHandler maintenance-toggle\n"
    "  Require all granted\n"
    "</Location>\n"
    /* A toggle inside a scope forced into maintenance, with a redirect:
     * neither applies to the toggle itself. */
    "<Location \"/forced-toggle\">\n"
    "  SetHandler maintenance-toggle\n"
    "  Require ip 127.0.0.1\n"
    "  MaintenanceForce On\n"
    "  MaintenanceRedirect /down.html\n"
    "</Location>\n";

static int setup(void **state)
{
    fx *f = toggle_new_site(CONF);

    fx_htpasswd(f, "htpasswd", "bob", "hunter2");
    fx_start(f);
    *state = f;
    return 0;
}

/* --- helpers ------------------------------------------------------------- */

/* The value of key= in the state file, NULL when it has no such line. */
static const char *state_value(fx *f, const char *key)
{
    const char *text = fx_read(f, "state/state");
    size_t n = strlen(key);

    for (const char *line = text; *line; line = strchr(line, '\n') + 1) {
        if (!strncmp(line, key, n) && line[n] == '=') {
            return fx_fmt(f, "%.*s", (int)strcspn(line + n + 1, "\n"),
                          line + n + 1);
        }
        if (!strchr(line, '\n')) {
            break;
        }
    }
    return NULL;
}

/* The state file's first line: on or off. */
static const char *state_word(fx *f)
{
    const char *text = fx_read(f, "state/state");

    return fx_fmt(f, "%.*s", (int)strcspn(text, "\n"), text);
}

/* The status page of the toggle at base: where its 303s send a browser. */
static const char *status_url(fx *f, const char *base)
{
    return fx_url(f, fx_fmt(f, "%s/", base));
}

/* Every error-log line holding code is at level ("[maintenance:notice]"). */
static void assert_logged_at(fx *f, const char *code, const char *level)
{
    const char *log = fx_read(f, "logs/error.log");   /* all of it */

    for (const char *line = log; *line; ) {
        size_t n = strcspn(line, "\n");
        const char *l = fx_fmt(f, "%.*s", (int)n, line);
        if (strstr(l, code) && !strstr(l, level)) {
            fail_msg("%s logged at another level than %s:\n%s", code, level,
                     l);
        }
        line += n + (line[n] == '\n');
    }
}

/* --- the status page ----------------------------------------------------- */

/* The banner: what visitors get now, in words (the colour is its class). */
#define BANNER(class, words) \
    "<section class=\"banner " class "\" aria-labelledby=\"state\">\n" \
    "<h2 id=\"state\">" words

/* The buttons of a window that is set, and their forms. */
#define TURN_OFF   "<form method=\"post\" action=\"" TOGGLE "/off\">" \
                   "<button type=\"submit\">Turn off</button>"
#define CANCEL     "<form method=\"post\" action=\"" TOGGLE "/off\">" \
                   "<button type=\"submit\">Cancel the schedule</button>"
#define PREVIEW_LINK "<a class=\"button\" href=\"" TOGGLE "/preview\">"

static void test_status_page(void **state)
{
    fx *f = *state;

    fx_state_put(f, "off\n");
    fx_res *r = FX_ASSERT_STATUS(fx_get_as(f, ALICE, TOGGLE "/"), 200);
    FX_ASSERT_HEADER(r, "Content-Type", "text/html; charset=utf-8");
    FX_ASSERT_HEADER(r, "Cache-Control", "no-store");
    FX_ASSERT_HEADER(r, "X-Frame-Options", "DENY");
    FX_ASSERT_BODY(r, "<h1>Maintenance mode</h1>");
    FX_ASSERT_BODY(r, BANNER("st-off", "Off (site is up)</h2>"));
    /* Off: the form to turn it on, with every field a POST takes; nothing
     * to turn off. */
    FX_ASSERT_BODY(r, "<legend>Turn maintenance on</legend>");
    FX_ASSERT_BODY(r, "action=\"" TOGGLE "/on\"");
    FX_ASSERT_NO_BODY(r, "action=\"" TOGGLE "/off\"");
    for (const char *const *name = (const char *const[]){ "message", "start",
             "for", "end", "mode", NULL }; *name; name++) {
        FX_ASSERT_BODY(r, fx_fmt(f, "name=\"%s\"", *name));
    }
    /* Read-only mode, next to full maintenance. */
    FX_ASSERT_BODY(r, "<input type=\"checkbox\" name=\"mode\" "
                   "value=\"read-only\">");
    /* The same fields, to see the page they would make. */
    FX_ASSERT_BODY(r, "formaction=\"" TOGGLE "/preview\" formmethod=\"get\"");
    /* Readable on a phone, in the dark, by a screen reader. */
    FX_ASSERT_BODY(r, "name=\"viewport\"");
    FX_ASSERT_BODY(r, "prefers-color-scheme:dark");
    FX_ASSERT_BODY(r, "<html lang=\"en\">");
    FX_ASSERT_NO_BODY(r, "://");
}

static void test_status_page_without_slash(void **state)
{
    fx *f = *state;

    fx_state_put(f, "off\n");
    fx_res *r = FX_ASSERT_STATUS(fx_get_as(f, ALICE, TOGGLE), 200);
    FX_ASSERT_BODY(r, "<h1>Maintenance mode</h1>");
    FX_ASSERT_BODY(r, "action=\"" TOGGLE "/on\"");
}

static void test_status_page_shows_state(void **state)
{
    fx *f = *state;
    time_t now = time(NULL);
    const char *start = fx_iso(f, now - 60), *end = fx_iso(f, now + 3600);
    const char *changed = fx_iso(f, now - 120);

    fx_state_put(f, fx_fmt(f, "on\nstart=%s\nend=%s\nchanged=%s\nby=carol\n"
                           "message=Moving <b>racks</b> & \"cables\"\n",
                           start, end, changed));
    fx_res *r = FX_ASSERT_STATUS(fx_get_as(f, ALICE, TOGGLE "/"), 200);
    FX_ASSERT_BODY(r, BANNER("st-on", "In maintenance</h2>"));
    FX_ASSERT_BODY(r, fx_fmt(f, "Visitors get the maintenance page (status "
                             "503). It ends in about an hour, at <time "
                             "datetime=\"%s\">", end));
    FX_ASSERT_BODY(r, start);
    FX_ASSERT_BODY(r, end);
    FX_ASSERT_BODY(r, changed);
    FX_ASSERT_BODY(r, "carol");
    FX_ASSERT_BODY(r, "Moving &lt;b&gt;racks&lt;/b&gt; &amp;");
    FX_ASSERT_NO_BODY(r, "<b>racks");
    /* On: off, extend, change (its message and end filled in), preview;
     * no form to turn it on as if it were off. */
    FX_ASSERT_BODY(r, TURN_OFF);
    FX_ASSERT_BODY(r, "Extend by 15 min");
    FX_ASSERT_BODY(r, "Extend by 1 hour");
    FX_ASSERT_BODY(r, PREVIEW_LINK);
    FX_ASSERT_BODY(r, "<legend>Change the message or the end</legend>");
    FX_ASSERT_BODY(r, "name=\"message\" value=\"Moving "
                   "&lt;b&gt;racks&lt;/b&gt; &amp; &quot;cables&quot;\"");
    /* To the minute: the field shows no seconds. */
    FX_ASSERT_BODY(r, fx_fmt(f, "name=\"end\" value=\"%.16s\"", end));
    FX_ASSERT_NO_BODY(r, "<legend>Turn maintenance on</legend>");
    FX_ASSERT_NO_BODY(r, "name=\"for\"");
}

/* A window ahead is set but not in force: the page says from when, and
 * offers to cancel or change it. */
static void test_status_page_scheduled(void **state)
{
    fx *f = *state;
    const char *start = fx_iso(f, time(NULL) + 3 * 3600);

    fx_state_put(f, fx_fmt(f, "on\nstart=%s\n", start));
    fx_res *r = FX_ASSERT_STATUS(fx_get_as(f, ALICE, TOGGLE "/"), 200);
    FX_ASSERT_BODY(r, fx_fmt(f, BANNER("st-sched", "Scheduled from <time "
                                       "datetime=\"%s\">"), start));
    FX_ASSERT_BODY(r, "Maintenance starts in about 3 hours and lasts until "
                   "it is turned off. Until then, visitors get the site as "
                   "usual.");
    FX_ASSERT_BODY(r, CANCEL);
    FX_ASSERT_BODY(r, "<legend>Change the schedule</legend>");
    FX_ASSERT_BODY(r, fx_fmt(f, "name=\"start\" value=\"%.16s\"", start));
    FX_ASSERT_NO_BODY(r, "Extend by");
    FX_ASSERT_NO_BODY(r, TURN_OFF);
}

/* A window that ended is off: the page says so, and when it ended. */
static void test_status_page_ended(void **state)
{
    fx *f = *state;

    fx_state_put(f, fx_fmt(f, "on\nend=%s\n", fx_iso(f, time(NULL) - 600)));
    fx_res *r = FX_ASSERT_STATUS(fx_get_as(f, ALICE, TOGGLE "/"), 200);
    FX_ASSERT_BODY(r, BANNER("st-off", "Off (site is up)</h2>"));
    FX_ASSERT_BODY(r, "the last window ended about 10 minutes ago, at <time "
                   "datetime=");
    FX_ASSERT_BODY(r, "<legend>Turn maintenance on</legend>");
}

/* The value of the hidden field name in the form around the button
 * labelled button, or fail. */
static const char *hidden_field(fx *f, const fx_res *r, const char *button,
                                const char *name)
{
    const char *b = strstr(r->body, button), *form = NULL, *s;
    const char *want = fx_fmt(f, "<input type=\"hidden\" name=\"%s\" "
                              "value=\"", name);

    assert_non_null(b);
    for (s = r->body; (s = strstr(s, "<form")) && s < b; s++) {
        form = s;
    }
    assert_non_null(form);
    s = strstr(form, want);
    if (!s || s > b) {
        return NULL;
    }
    s += strlen(want);
    return fx_fmt(f, "%.*s", (int)strcspn(s, "\""), s);
}

/* "Extend by 15 min" stores the same window, with its end 15 minutes
 * later: the same message, start and mode. */
static void test_status_page_extend(void **state)
{
    fx *f = *state;
    time_t now = time(NULL);
    const char *start = fx_iso(f, now - 60), *end = fx_iso(f, now + 600);

    fx_state_put(f, fx_fmt(f, "on\nstart=%s\nend=%s\nmode=read-only\n"
                           "message=Moving racks\n", start, end));
    fx_res *r = FX_ASSERT_STATUS(fx_get_as(f, ALICE, TOGGLE "/"), 200);
    FX_ASSERT_BODY(r, BANNER("st-ro", "Read-only</h2>"));
    const char *message = hidden_field(f, r, "Extend by 15 min", "message");
    const char *hstart = hidden_field(f, r, "Extend by 15 min", "start");
    const char *hend = hidden_field(f, r, "Extend by 15 min", "end");
    const char *mode = hidden_field(f, r, "Extend by 15 min", "mode");
    assert_string_equal(message, "Moving racks");
    assert_string_equal(hstart, start);
    assert_string_equal(hend, fx_iso(f, now + 600 + 900));
    assert_string_equal(mode, "read-only");
    assert_string_equal(hidden_field(f, r, "Extend by 1 hour", "end"),
                        fx_iso(f, now + 600 + 3600));

    FX_ASSERT_STATUS(fx_post(f, ALICE, TOGGLE "/on",
                             fx_fmt(f, "message=Moving+racks&start=%s&end=%s"
                                    "&mode=%s", hstart, hend, mode)), 303);
    assert_string_equal(state_value(f, "message"), "Moving racks");
    assert_string_equal(state_value(f, "start"), start);
    assert_string_equal(state_value(f, "end"), fx_iso(f, now + 1500));
    assert_string_equal(state_value(f, "mode"), "read-only");
}

/* The status page's JSON while the stored state is text. */
static fx_res *status_json(fx *f, const char *text)
{
    fx_state_put(f, text);
    return FX_ASSERT_STATUS(fx_get_as(f, ALICE, TOGGLE "/", FX_ACCEPT_JSON),
                            200);
}

static void test_status_json(void **state)
{
    fx *f = *state;
    time_t now = time(NULL);

    fx_res *r = status_json(f, fx_fmt(f, "on\nend=%s\nchanged=%s\nby=carol\n"
                                      "message=Say \"hi\"\n",
                                      fx_iso(f, now + 600), fx_iso(f, now)));
    FX_ASSERT_CONTAINS("Content-Type", fx_header(r, "Content-Type"),
                       "application/json");
    FX_ASSERT_HEADER(r, "Cache-Control", "no-store");
    assert_string_equal(fx_json_str(f, r, "state"), "on");
    assert_string_equal(fx_json_raw(f, r, "in_force"), "true");
    assert_string_equal(fx_json_raw(f, r, "start"), "null");
    assert_string_equal(fx_json_str(f, r, "end"), fx_iso(f, now + 600));
    assert_string_equal(fx_json_str(f, r, "changed"), fx_iso(f, now));
    assert_string_equal(fx_json_str(f, r, "by"), "carol");
    assert_string_equal(fx_json_str(f, r, "message"), "Say \"hi\"");
    assert_string_equal(fx_json_str(f, r, "mode"), "full");
}

static void test_status_json_read_only(void **state)
{
    fx *f = *state;

    fx_res *r = status_json(f, "on\nmode=read-only\n");
    assert_string_equal(fx_json_str(f, r, "state"), "on");
    assert_string_equal(fx_json_str(f, r, "mode"), "read-only");
    assert_non_null(fx_json_raw(f, r, "metrics"));
    r = FX_ASSERT_STATUS(fx_get_as(f, ALICE, TOGGLE "/"), 200);
    FX_ASSERT_BODY(r, BANNER("st-ro", "Read-only</h2>"));
    FX_ASSERT_BODY(r, "Visitors can read the site; a change (a POST, a "
                   "PUT...) gets the maintenance page until it is turned "
                   "off.");
}

static void test_status_json_off(void **state)
{
    fx *f = *state;

    fx_res *r = status_json(f, "off\n");
    assert_string_equal(fx_json_str(f, r, "state"), "off");
    assert_string_equal(fx_json_raw(f, r, "in_force"), "false");
    assert_string_equal(fx_json_str(f, r, "mode"), "full");
    for (const char *const *k = (const char *const[]){ "start", "end",
             "changed", "by", "message", NULL }; *k; k++) {
        assert_string_equal(fx_json_raw(f, r, *k), "null");
    }
}

static void test_status_json_scheduled(void **state)
{
    fx *f = *state;
    time_t start = time(NULL) + 3600;

    fx_res *r = status_json(f, fx_fmt(f, "on\nstart=%s\n", fx_iso(f, start)));
    assert_string_equal(fx_json_str(f, r, "state"), "on");
    assert_string_equal(fx_json_raw(f, r, "in_force"), "false");
    assert_string_equal(fx_json_str(f, r, "start"), fx_iso(f, start));
}

/* The page reads the provider when asked, not the copy the site uses
 * (which is up to MaintenanceStateTTL old): no waiting here. */
static void test_status_reads_state_now(void **state)
{
    fx *f = *state;

    fx_state_put(f, "off\n");
    for (int i = 0; i < 3; i++) {
        const char *message = fx_fmt(f, "fresh %d", i);
        fx_write(f, "state/state", "on\nmessage=%s\n", message);
        fx_res *r = FX_ASSERT_STATUS(fx_get_as(f, ALICE, TOGGLE "/",
                                               FX_ACCEPT_JSON), 200);
        assert_string_equal(fx_json_str(f, r, "message"), message);
    }
}

/* --- authentication ------------------------------------------------------ */

static void test_needs_credentials(void **state)
{
    fx *f = *state;

    fx_state_put(f, "off\n");
    FX_ASSERT_STATUS(fx_get_as(f, NULL, TOGGLE "/"), 401);
    FX_ASSERT_STATUS(fx_post(f, NULL, TOGGLE "/on", "message=x"), 401);
    assert_string_equal(fx_read(f, "state/state"), "off\n");
}

static void test_wrong_password(void **state)
{
    fx *f = *state;

    fx_expect_log(f, "Password Mismatch");
    fx_state_put(f, "off\n");
    FX_ASSERT_STATUS(fx_post(f, "alice:guess", TOGGLE "/on", "message=x"),
                     401);
    assert_string_equal(fx_read(f, "state/state"), "off\n");
}

/* --- GET never changes anything ------------------------------------------ */

/* A GET of action, with the fields and headers a hostile <img src> or a
 * link could bring, shows a page and leaves the state as it was. */
static void check_get_is_safe(fx *f, const char *action, const char *before,
                              const char *button)
{
    static const char *const hostile[] = {
        NULL, "Origin: http://evil.example", "Sec-Fetch-Site: cross-site",
        "Sec-Fetch-Site: same-origin",
    };
    const char *path = fx_fmt(f, TOGGLE "/%s?message=pwned&for=1h", action);

    fx_state_put(f, before);
    for (size_t i = 0; i < sizeof(hostile) / sizeof(*hostile); i++) {
        fx_res *r = FX_ASSERT_STATUS(fx_get_as(f, ALICE, path, hostile[i]),
                                     200);
        FX_ASSERT_BODY(r, fx_fmt(f, "<form method=\"post\" action=\""
                                 TOGGLE "/%s\">", action));
        FX_ASSERT_BODY(r, button);
        FX_ASSERT_HEADER(r, "Cache-Control", "no-store");
        FX_ASSERT_HEADER(r, "X-Frame-Options", "DENY");
        assert_string_equal(fx_read(f, "state/state"), before);
    }
}

static void test_get_on_is_safe(void **state)
{
    fx *f = *state;

    check_get_is_safe(f, "on", "off\nmessage=untouched\n", "Yes, turn on");
    FX_ASSERT_SERVED(fx_get(f, "/index.html"));
}

static void test_get_off_is_safe(void **state)
{
    fx *f = *state;

    check_get_is_safe(f, "off", "on\nmessage=untouched\n", "Turn off");
    FX_ASSERT_BLOCKED(fx_get(f, "/index.html"), 503);
}

/* The confirmation page carries the link's fields into its form,
 * escaped, so a crafted link cannot inject markup. */
static void test_get_on_prefills_escaped(void **state)
{
    fx *f = *state;

    fx_state_put(f, "off\n");
    fx_res *r = FX_ASSERT_STATUS(fx_get_as(f, ALICE, TOGGLE "/on?message="
                                           "%22%3E%3Cscript%3Ex%3C%2Fscript%3E"
                                           "&for=30m"), 200);
    FX_ASSERT_BODY(r, "&quot;&gt;&lt;script&gt;");
    FX_ASSERT_NO_BODY(r, "<script>x");
    FX_ASSERT_BODY(r, "value=\"30m\"");
    assert_string_equal(fx_read(f, "state/state"), "off\n");
}

/* The confirmation page keeps the status page's read-only choice. */
static void test_get_on_keeps_read_only(void **state)
{
    fx *f = *state;

    fx_state_put(f, "off\n");
    fx_res *r = FX_ASSERT_STATUS(fx_get_as(f, ALICE, TOGGLE "/on?mode="
                                           "read-only"), 200);
    FX_ASSERT_BODY(r, "value=\"read-only\" checked>");
    assert_string_equal(fx_read(f, "state/state"), "off\n");
}

/* --- POST changes the state ---------------------------------------------- */

static void test_post_on(void **state)
{
    fx *f = *state;
    time_t now = time(NULL);

    fx_state_put(f, "off\n");
    fx_res *r = FX_ASSERT_STATUS(fx_post(f, ALICE, TOGGLE "/on",
                                         "message=Back+soon&for=30m",
                                         toggle_origin(f),
                                         "Sec-Fetch-Site: same-origin"), 303);
    FX_ASSERT_HEADER(r, "Location", status_url(f, TOGGLE));
    assert_string_equal(state_word(f), "on");
    assert_string_equal(state_value(f, "by"), "alice");
    assert_string_equal(state_value(f, "message"), "Back soon");
    assert_null(state_value(f, "start"));
    FX_ASSERT_NEAR(fx_iso_time(state_value(f, "changed")), now);
    FX_ASSERT_NEAR(fx_iso_time(state_value(f, "end")), now + 1800);

    FX_ASSERT_BLOCKED(fx_await_status(f, "/index.html", 503), 503);
    FX_ASSERT_BODY(fx_get(f, "/index.html"), "Back soon");
}

static void test_post_on_read_only(void **state)
{
    fx *f = *state;

    fx_state_put(f, "off\n");
    FX_ASSERT_STATUS(fx_post(f, ALICE, TOGGLE "/on",
                             "message=Forms+are+off&mode=read-only",
                             toggle_origin(f), "Sec-Fetch-Site: same-origin"),
                     303);
    assert_string_equal(state_word(f), "on");
    assert_string_equal(state_value(f, "mode"), "read-only");

    /* In force at once: the toggle wrote the shared state too. */
    fx_res *r = FX_ASSERT_STATUS(fx_get(f, "/index.html"), 200);
    FX_ASSERT_HEADER(r, "X-Mode", "read-only");
    r = FX_ASSERT_STATUS(fx_post(f, NULL, "/index.html", "a=1"), 503);
    FX_ASSERT_BODY(r, "Forms are off");
    /* The toggle itself is always let through: a POST turns it off. */
    r = FX_ASSERT_STATUS(fx_post(f, ALICE, TOGGLE "/off", NULL), 303);
    FX_ASSERT_HEADER(r, "X-Bypass", "toggle");
    assert_string_equal(state_word(f), "off");
    assert_null(state_value(f, "mode"));
}

/* mode=full is the default said aloud; anything else is a bad field. */
static void test_post_mode_field(void **state)
{
    fx *f = *state;

    fx_state_put(f, "off\n");
    FX_ASSERT_STATUS(fx_post(f, ALICE, TOGGLE "/on", "mode=full"), 303);
    assert_string_equal(state_word(f), "on");
    assert_null(state_value(f, "mode"));

    fx_state_put(f, "off\nmessage=before\n");
    fx_res *r = FX_ASSERT_STATUS(fx_post(f, ALICE, TOGGLE "/on",
                                         "mode=readonly", FX_ACCEPT_JSON),
                                 400);
    FX_ASSERT_CONTAINS("error", fx_json_str(f, r, "error"), "mode");
    FX_ASSERT_CONTAINS("error", fx_json_str(f, r, "error"), "readonly");
    assert_string_equal(fx_read(f, "state/state"), "off\nmessage=before\n");
}

static void test_post_off(void **state)
{
    fx *f = *state;

    fx_state_put(f, "on\nmessage=Down\nby=carol\n");
    FX_ASSERT_BLOCKED(fx_get(f, "/index.html"), 503);
    fx_res *r = FX_ASSERT_STATUS(fx_post(f, BOB, TOGGLE "/off", NULL), 303);
    FX_ASSERT_HEADER(r, "Location", status_url(f, TOGGLE));
    assert_string_equal(state_word(f), "off");
    assert_string_equal(state_value(f, "by"), "bob");
    assert_null(state_value(f, "message"));
    assert_non_null(state_value(f, "changed"));
    FX_ASSERT_SERVED(fx_await_status(f, "/index.html", 200));
}

/* The fields may come in the query string instead of the body. */
static void test_post_query_fields(void **state)
{
    fx *f = *state;
    const char *end = fx_iso(f, time(NULL) + 7200);

    fx_state_put(f, "off\n");
    FX_ASSERT_STATUS(fx_post(f, ALICE, fx_fmt(f, TOGGLE "/on?message=From"
                                              "+the+query&end=%s", end),
                             NULL), 303);
    assert_string_equal(state_word(f), "on");
    assert_string_equal(state_value(f, "end"), end);
    /* Query strings are form-encoded too: '+' is a space. */
    assert_string_equal(state_value(f, "message"), "From the query");
}

/* A window ahead: stored, but the site is served until it starts. */
static void test_post_scheduled(void **state)
{
    fx *f = *state;
    time_t start = time(NULL) + 3600;

    fx_state_put(f, "off\n");
    FX_ASSERT_STATUS(fx_post(f, ALICE, TOGGLE "/on",
                             fx_fmt(f, "start=%s&for=2h&message=Tonight",
                                    fx_iso(f, start))), 303);
    assert_string_equal(state_word(f), "on");
    assert_string_equal(state_value(f, "start"), fx_iso(f, start));
    assert_string_equal(state_value(f, "end"), fx_iso(f, start + 7200));
    fx_sleep_ms(FX_SETTLE_MS);
    fx_res *r = FX_ASSERT_STATUS(fx_get(f, "/index.html"), 200);
    FX_ASSERT_HEADER(r, "X-Mode", "off");
    FX_ASSERT_HEADER(r, "X-Start", fx_iso(f, start));
    FX_ASSERT_HEADER(r, "X-Message", "Tonight");
}

/* Unix seconds are a time too. */
static void test_post_unix_seconds(void **state)
{
    fx *f = *state;
    time_t end = time(NULL) + 900;

    fx_state_put(f, "off\n");
    FX_ASSERT_STATUS(fx_post(f, ALICE, TOGGLE "/on",
                             fx_fmt(f, "end=%lld", (long long)end)), 303);
    assert_string_equal(state_value(f, "end"), fx_iso(f, end));
}

static void test_post_json(void **state)
{
    fx *f = *state;
    time_t now = time(NULL);

    fx_state_put(f, "off\n");
    fx_res *r = FX_ASSERT_STATUS(fx_post(f, ALICE, TOGGLE "/on",
                                         "message=Via+JSON&for=1h",
                                         FX_ACCEPT_JSON), 200);
    FX_ASSERT_CONTAINS("Content-Type", fx_header(r, "Content-Type"),
                       "application/json");
    FX_ASSERT_HEADER(r, "Location", NULL);
    assert_string_equal(fx_json_str(f, r, "state"), "on");
    assert_string_equal(fx_json_raw(f, r, "in_force"), "true");
    assert_string_equal(fx_json_str(f, r, "by"), "alice");
    assert_string_equal(fx_json_str(f, r, "message"), "Via JSON");
    FX_ASSERT_NEAR(fx_iso_time(fx_json_str(f, r, "end")), now + 3600);
    FX_ASSERT_NEAR(fx_iso_time(fx_json_str(f, r, "changed")), now);
    assert_string_equal(state_value(f, "message"), "Via JSON");

    r = FX_ASSERT_STATUS(fx_post(f, ALICE, TOGGLE "/off", NULL,
                                 FX_ACCEPT_JSON), 200);
    assert_string_equal(fx_json_str(f, r, "state"), "off");
    assert_string_equal(fx_json_raw(f, r, "in_force"), "false");
    assert_string_equal(state_word(f), "off");
}

/* A message cannot smuggle lines into the state file. */
static void test_post_message_stays_one_line(void **state)
{
    fx *f = *state;

    fx_state_put(f, "off\n");
    FX_ASSERT_STATUS(fx_post(f, ALICE, TOGGLE "/on",
                             "message=a%0Aend%3D2000-01-01T00%3A00%3A00Z"
                             "%0D%0Aoff"), 303);
    assert_string_equal(state_word(f), "on");
    assert_null(state_value(f, "end"));
    FX_ASSERT_CONTAINS("message", state_value(f, "message"), "a end=2000");
    FX_ASSERT_BLOCKED(fx_await_status(f, "/index.html", 503), 503);
}

static void test_post_bad_fields(void **state)
{
    fx *f = *state;
    time_t now = time(NULL);
    const char *bodies[] = {
        "start=yesterday",
        "end=soon",
        "for=3x",
        "for=-1h",
        fx_fmt(f, "end=%s&for=30m", fx_iso(f, now + 3600)),
        fx_fmt(f, "start=%s&end=%s", fx_iso(f, now + 7200),
               fx_iso(f, now + 3600)),
        fx_fmt(f, "start=%s&end=%s", fx_iso(f, now + 3600),
               fx_iso(f, now + 3600)),
        fx_fmt(f, "end=%s", fx_iso(f, now - 3600)),
    };

    fx_state_put(f, "off\nmessage=before\n");
    for (size_t i = 0; i < sizeof(bodies) / sizeof(*bodies); i++) {
        fx_res *r = fx_post(f, ALICE, TOGGLE "/on", bodies[i]);
        if (r->status != 400) {
            fail_msg("POST on with %s: status %ld, expected 400\n%s",
                     bodies[i], r->status, r->body);
        }
        assert_string_equal(fx_read(f, "state/state"),
                            "off\nmessage=before\n");
    }
    /* The JSON client gets the reason as JSON. */
    fx_res *r = FX_ASSERT_STATUS(fx_post(f, ALICE, TOGGLE "/on", "for=3x",
                                         FX_ACCEPT_JSON), 400);
    FX_ASSERT_CONTAINS("error", fx_json_str(f, r, "error"), "3x");
}

/* POST on with body, then put the state back to what it was before
 * asserting, so that a state this POST broke cannot spill into the next
 * tests; the answer must be a client error with nothing changed. */
static void check_refused_body(fx *f, const char *body)
{
    static const char before[] = "off\nmessage=before\n";

    fx_state_put(f, before);
    fx_res *r = fx_post(f, ALICE, TOGGLE "/on", body);
    const char *after = fx_read(f, "state/state");
    fx_state_put(f, before);
    if (r->status < 400 || r->status > 499) {
        fail_msg("a POST of %zu bytes: status %ld, expected a 4xx\n"
                 "--- state file afterwards\n%.300s", strlen(body),
                 r->status, after);
    }
    assert_string_equal(after, before);
}

/* A body too large to read is refused, not taken as a POST without
 * fields (which would turn maintenance on with no end). */
static void test_post_body_too_large(void **state)
{
    fx *f = *state;

    check_refused_body(f, fx_fmt(f, "for=30m&message=%s",
                                 fx_filler(f, 9000)));
}

/* A message that would make the state larger than its 4 KiB limit is
 * refused before anything is written: such a state could not be read. */
static void test_post_state_too_large(void **state)
{
    fx *f = *state;

    check_refused_body(f, fx_fmt(f, "for=30m&message=%s",
                                 fx_filler(f, 4500)));
    FX_ASSERT_STATUS(fx_get_as(f, ALICE, TOGGLE "/"), 200);
}

static void test_other_methods(void **state)
{
    static const char *const methods[] = { "PUT", "DELETE", "PATCH" };
    fx *f = *state;

    fx_state_put(f, "off\n");
    for (size_t i = 0; i < sizeof(methods) / sizeof(*methods); i++) {
        fx_req req = { .method = methods[i], .path = TOGGLE "/on",
                       .userpwd = ALICE };
        fx_res *r = FX_ASSERT_STATUS(fx_request(f, &req), 405);
        FX_ASSERT_CONTAINS("Allow", fx_header(r, "Allow"), "POST");
    }
    /* The status page itself is not an action. */
    FX_ASSERT_STATUS(fx_post(f, ALICE, TOGGLE "/", "message=x"), 405);
    assert_string_equal(fx_read(f, "state/state"), "off\n");
}

/* --- refusals ------------------------------------------------------------ */

static void test_cross_site_refused(void **state)
{
    fx *f = *state;
    const char *headers[][2] = {
        { "Origin: http://evil.example", NULL },
        { "Origin: null", NULL },
        { fx_fmt(f, "Origin: http://127.0.0.1:%d", fx_port(f) + 1), NULL },
        { fx_fmt(f, "Origin: https://127.0.0.1:%d", fx_port(f)), NULL },
        { fx_fmt(f, "Origin: http://127.0.0.1:%d.evil.example", fx_port(f)),
          NULL },
        { "Sec-Fetch-Site: cross-site", NULL },
        { "Sec-Fetch-Site: same-site", NULL },
        { toggle_origin(f), "Sec-Fetch-Site: cross-site" },
        /* DNS rebinding: a name the attacker points at this server sends
         * a Host and an Origin that agree, but name no site of ours. */
        { "Host: shop.example", "Origin: http://shop.example" },
        { fx_fmt(f, "Host: rebind.example:%d", fx_port(f)),
          fx_fmt(f, "Origin: http://rebind.example:%d", fx_port(f)) },
    };
    size_t n = sizeof(headers) / sizeof(*headers);

    fx_state_put(f, "off\n");
    for (size_t i = 0; i < n; i++) {
        for (const char *const *action = (const char *const[]){ "/on", "/off",
                 NULL }; *action; action++) {
            fx_res *r = fx_post(f, ALICE, fx_fmt(f, TOGGLE "%s", *action),
                                "message=pwned", headers[i][0], headers[i][1]);
            if (r->status != 403) {
                fail_msg("POST %s with %s%s%s: status %ld, expected 403",
                         *action, headers[i][0], headers[i][1] ? ", " : "",
                         headers[i][1] ? headers[i][1] : "", r->status);
            }
            assert_string_equal(fx_read(f, "state/state"), "off\n");
        }
    }
    assert_int_equal(fx_log_count(f, "MM00021"), 2 * n);
    assert_logged_at(f, "MM00021", "[maintenance:info]");
}

/* What a browser sends from the page itself, and what curl sends. */
static void test_same_origin_accepted(void **state)
{
    fx *f = *state;
    const char *headers[][2] = {
        { NULL, NULL },
        { toggle_origin(f), NULL },
        { toggle_origin(f), "Sec-Fetch-Site: same-origin" },
        { "Sec-Fetch-Site: same-origin", NULL },
        { "Sec-Fetch-Site: none", NULL },
        /* The page came from this server, whatever the Host says. */
        { "Host: shop.example", toggle_origin(f) },
    };

    for (size_t i = 0; i < sizeof(headers) / sizeof(*headers); i++) {
        fx_state_put(f, "off\n");
        FX_ASSERT_STATUS(fx_post(f, ALICE, TOGGLE "/on", "message=ok",
                                 headers[i][0], headers[i][1]), 303);
        assert_string_equal(state_word(f), "on");
    }
}

static void test_anonymous_refused(void **state)
{
    fx *f = *state;

    fx_state_put(f, "off\n");
    fx_res *r = FX_ASSERT_STATUS(fx_post(f, NULL, "/bare-toggle/on",
                                         "message=x"), 403);
    FX_ASSERT_HEADER(r, "Location", NULL);
    FX_ASSERT_STATUS(fx_post(f, NULL, "/bare-toggle/off", NULL), 403);
    assert_string_equal(fx_read(f, "state/state"), "off\n");
    assert_int_equal(fx_log_count(f, "MM00022"), 2);
    assert_logged_at(f, "MM00022", "[maintenance:info]");
}

static void test_anonymous_allowed(void **state)
{
    fx *f = *state;

    fx_state_put(f, "off\n");
    fx_res *r = FX_ASSERT_STATUS(fx_post(f, NULL, "/open-toggle/on",
                                         "message=From+ops"), 303);
    FX_ASSERT_HEADER(r, "Location", status_url(f, "/open-toggle"));
    assert_string_equal(state_word(f), "on");
    assert_string_equal(state_value(f, "message"), "From ops");
    assert_null(state_value(f, "by"));
    assert_int_equal(fx_log_count(f, "maintenance turned on by"), 1);
    /* The directive lets anonymous changes in, not cross-site ones. */
    FX_ASSERT_STATUS(fx_post(f, NULL, "/open-toggle/off", NULL,
                             "Origin: http://evil.example"), 403);
    assert_string_equal(state_word(f), "on");
}

/* --- the toggle location is never in maintenance ------------------------- */

static void test_toggle_exempt(void **state)
{
    fx *f = *state;

    fx_state_put(f, "on\nmessage=Down\n");
    FX_ASSERT_BLOCKED(fx_get(f, "/index.html"), 503);
    FX_ASSERT_PASSES(fx_get_as(f, ALICE, TOGGLE "/"), "toggle");
    FX_ASSERT_PASSES(fx_get_as(f, ALICE, TOGGLE "/off"), "toggle");
    FX_ASSERT_PASSES(fx_get_as(f, NULL, "/open-toggle/", FX_ACCEPT_JSON),
                     "toggle");
    FX_ASSERT_PASSES(fx_get_as(f, NULL, "/forced-toggle/"), "toggle");
    fx_res *r = FX_ASSERT_STATUS(fx_post(f, ALICE, TOGGLE "/off", NULL), 303);
    FX_ASSERT_HEADER(r, "X-Bypass", "toggle");
    FX_ASSERT_SERVED(fx_await_status(f, "/index.html", 200));
}

/* --- the log ------------------------------------------------------------- */

static void test_changes_logged(void **state)
{
    fx *f = *state;

    fx_state_put(f, "off\n");
    FX_ASSERT_STATUS(fx_post(f, ALICE, TOGGLE "/on", "for=1h"), 303);
    const char *end = state_value(f, "end");
    assert_int_equal(fx_log_count(f, fx_fmt(f, "MM00020: maintenance turned "
                                            "on by alice from 127.0.0.1 "
                                            "(was off), until %s", end)), 1);
    FX_ASSERT_STATUS(fx_post(f, BOB, TOGGLE "/off", NULL), 303);
    assert_int_equal(fx_log_count(f, "MM00020: maintenance turned off by bob "
                                  "from 127.0.0.1 (was on)"), 1);
    assert_logged_at(f, "MM00020", "[maintenance:notice]");
    /* A refused or bad POST changes nothing, so logs no change. */
    FX_ASSERT_STATUS(fx_post(f, ALICE, TOGGLE "/on", "for=3x"), 400);
    FX_ASSERT_STATUS(fx_post(f, ALICE, TOGGLE "/on", NULL,
                             "Sec-Fetch-Site: cross-site"), 403);
    assert_int_equal(fx_log_count(f, "MM00020"), 2);
}

/* --- dozens of toggles at once ------------------------------------------- */

#define RACERS 48

typedef struct {
    const fx *f;
    const char *path;
    char body[64];
    long status;
    CURLcode rc;
} race_job;

/* One POST on its own curl handle: the fixture's requests are not
 * thread-safe. */
static void *race(void *arg)
{
    race_job *job = arg;
    CURL *c = fx_curl(job->f, job->path, 30L);

    curl_easy_setopt(c, CURLOPT_POSTFIELDS, job->body);
    curl_easy_setopt(c, CURLOPT_USERPWD, ALICE);
    job->rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &job->status);
    curl_easy_cleanup(c);
    return NULL;
}

/* The state file is whole: on or off, then key=value lines of known keys,
 * each ended by a newline; and an "on" is one racer's own message. */
static void assert_whole_state(fx *f)
{
    static const char *const keys[] = { "start=", "end=", "changed=", "by=",
                                        "message=" };
    const char *text = fx_read(f, "state/state"), *line = strchr(text, '\n');

    if (!line || (strcmp(state_word(f), "on") && strcmp(state_word(f), "off"))
        || text[strlen(text) - 1] != '\n') {
        fail_msg("the state file is not whole:\n%s", text);
    }
    for (line++; *line; line = strchr(line, '\n') + 1) {
        size_t k = 0;
        while (k < sizeof(keys) / sizeof(*keys)
               && strncmp(line, keys[k], strlen(keys[k]))) {
            k++;
        }
        if (k == sizeof(keys) / sizeof(*keys)) {
            fail_msg("the state file has a stray line:\n%s", text);
        }
    }
    assert_string_equal(state_value(f, "by"), "alice");
    if (!strcmp(state_word(f), "on")) {
        FX_ASSERT_CONTAINS("message", state_value(f, "message"), "racer ");
    }
}

/* Nothing but the state itself is left in its directory (a writer's
 * temporary file would be state.XXXXXX). */
static void assert_no_leftovers(fx *f)
{
    DIR *d = opendir(fx_fmt(f, "%s/state", fx_dir(f)));
    struct dirent *e;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")
            && strcmp(e->d_name, "state")) {
            closedir(d);
            fail_msg("left in the state directory: %s", e->d_name);
        }
    }
    closedir(d);
}

static void test_concurrent_toggles(void **state)
{
    fx *f = *state;
    race_job jobs[RACERS];
    pthread_t threads[RACERS];

    /* More racers than the fixture's 16 workers: httpd may say so. */
    fx_expect_log(f, "AH00484");
    fx_state_put(f, "off\n");
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < RACERS; i++) {
            jobs[i].f = f;
            jobs[i].path = i % 2 ? TOGGLE "/off" : TOGGLE "/on";
            snprintf(jobs[i].body, sizeof(jobs[i].body),
                     "message=racer+%d+of+round+%d", i, round);
            if (pthread_create(&threads[i], NULL, race, &jobs[i]) != 0) {
                fail_msg("pthread_create failed");
            }
        }
        for (int i = 0; i < RACERS; i++) {
            pthread_join(threads[i], NULL);
        }
        for (int i = 0; i < RACERS; i++) {
            if (jobs[i].rc != CURLE_OK || jobs[i].status != 303) {
                fail_msg("racer %d: %s, status %ld", i,
                         curl_easy_strerror(jobs[i].rc), jobs[i].status);
            }
        }
        assert_whole_state(f);
        assert_no_leftovers(f);
    }
    assert_int_equal(fx_log_count(f, "MM00020"), 3 * RACERS);
    /* And the site follows the last one. */
    fx_res *r = fx_await_status(f, "/index.html",
                                strcmp(state_word(f), "on") ? 200 : 503);
    FX_ASSERT_HEADER(r, "X-Mode", state_word(f));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_status_page),
        FX_TEST(test_status_page_without_slash),
        FX_TEST(test_status_page_shows_state),
        FX_TEST(test_status_page_scheduled),
        FX_TEST(test_status_page_ended),
        FX_TEST(test_status_page_extend),
        FX_TEST(test_status_json),
        FX_TEST(test_status_json_off),
        FX_TEST(test_status_json_read_only),
        FX_TEST(test_status_json_scheduled),
        FX_TEST(test_status_reads_state_now),
        FX_TEST(test_needs_credentials),
        FX_TEST(test_wrong_password),
        FX_TEST(test_get_on_is_safe),
        FX_TEST(test_get_off_is_safe),
        FX_TEST(test_get_on_prefills_escaped),
        FX_TEST(test_get_on_keeps_read_only),
        FX_TEST(test_post_on),
        FX_TEST(test_post_on_read_only),
        FX_TEST(test_post_mode_field),
        FX_TEST(test_post_off),
        FX_TEST(test_post_query_fields),
        FX_TEST(test_post_scheduled),
        FX_TEST(test_post_unix_seconds),
        FX_TEST(test_post_json),
        FX_TEST(test_post_message_stays_one_line),
        FX_TEST(test_post_bad_fields),
        FX_TEST(test_post_body_too_large),
        FX_TEST(test_post_state_too_large),
        FX_TEST(test_other_methods),
        FX_TEST(test_cross_site_refused),
        FX_TEST(test_same_origin_accepted),
        FX_TEST(test_anonymous_refused),
        FX_TEST(test_anonymous_allowed),
        FX_TEST(test_toggle_exempt),
        FX_TEST(test_changes_logged),
        FX_TEST(test_concurrent_toggles),
    };

    return cmocka_run_group_tests_name("toggle", tests, setup,
                                       fx_group_teardown);
}
