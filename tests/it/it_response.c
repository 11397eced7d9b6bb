/* The module's answers: status, Retry-After,
 * Cache-Control, redirects, and the body: MaintenanceTemplate, else the
 * site's ErrorDocument, else the built-in page; problem+json for clients
 * that prefer JSON; and the toggle page's preview of each. Three servers:
 * built-in page, ErrorDocument, template. */
#include "fixture.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_MESSAGE "This site is down for maintenance."
#define NASTY_MESSAGE   "<script>alert(\"x\")</script> & co"

/* A toggle on each server, for its preview (a GET needs no user). */
#define PREVIEW "/toggle/preview"
#define TOGGLE_CONF \
    "<Location /toggle>\n  SetHandler maintenance-toggle\n" \
    "  Require ip 127.0.0.1\n</Location>\n"

static const char BUILTIN_CONF[] =
    FX_ENV_HEADERS
    TOGGLE_CONF
    "<Location /status502>\n  MaintenanceStatus 502\n</Location>\n"
    "<Location /retry120>\n  MaintenanceRetryAfter 120\n</Location>\n"
    "<Location /noretry>\n  MaintenanceRetryAfter Off\n</Location>\n"
    "<Location /moved>\n  MaintenanceRedirect /index.html\n</Location>\n"
    "<Location /moved307>\n"
    "  MaintenanceRedirect https://status.example.com/page 307\n"
    "</Location>\n"
    "<Location /selfrel>\n"
    "  MaintenanceRedirect /selfrel/target.html 301\n</Location>\n"
    "<Location /selfabs>\n"
    "  MaintenanceRedirect http://127.0.0.1:${TESTPORT}/selfabs/target.html\n"
    "</Location>\n"
    "<Location /selfenc>\n"
    "  MaintenanceRedirect \"/selfenc/maint%20page.html\"\n</Location>\n"
    "<Location /always-json>\n  MaintenanceResponseType json\n</Location>\n"
    "<Location /always-html>\n  MaintenanceResponseType html\n</Location>\n"
    "<Location /refresh30>\n  MaintenanceRefresh 30\n</Location>\n";

static const char ERRDOC_CONF[] =
    FX_ENV_HEADERS
    TOGGLE_CONF
    "ErrorDocument 503 /maintenance.html\n"
    "<Location /status502>\n  MaintenanceStatus 502\n</Location>\n"
    "<Location /ssi>\n  ErrorDocument 503 /maintenance.shtml\n</Location>\n"
    "<Location /refresh30>\n  MaintenanceRefresh 30\n</Location>\n";

/* The template wins over the ErrorDocument. */
static const char TEMPLATE_CONF[] =
    FX_ENV_HEADERS
    TOGGLE_CONF
    "MaintenanceTemplate ${TESTDIR}/maintenance.tmpl\n"
    "ErrorDocument 503 /maintenance.html\n";

static const char TEMPLATE[] =
    "<title>Down</title>\n<p id=m>{{message}}</p>\n"
    "<p id=r>{{retry_after}}</p>\n<p id=s>{{start}}</p>\n<p id=e>{{end}}</p>\n"
    "{{#end}}<p id=w>back {{end_human}}, by {{end_utc}}</p>\n{{/end}}"
    "{{^end}}<p id=w>back soon</p>\n{{/end}}";

static const char *const PAGES[] = {
    "index.html", "a.html", "status502/a.html", "retry120/a.html",
    "noretry/a.html", "moved/a.html", "selfrel/target.html",
    "selfabs/target.html", "selfenc/maint page.html", "ssi/a.html",
    "always-json/a.html", "always-html/a.html", "refresh30/a.html",
};

/* What a browser asks for a page. */
#define BROWSER_ACCEPT \
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

static fx *start_with(const char *conf)
{
    fx *f = fx_new(conf);

    for (size_t i = 0; i < sizeof(PAGES) / sizeof(*PAGES); i++) {
        fx_write(f, fx_fmt(f, "htdocs/%s", PAGES[i]), "page %s\n", PAGES[i]);
    }
    fx_write(f, "htdocs/maintenance.html", "<h1>We will be back</h1>\n");
    fx_write(f, "htdocs/maintenance.shtml",
             "<p>SSI: <!--#echo var=\"REDIRECT_MAINTENANCE_MESSAGE\" --></p>\n");
    fx_write(f, "maintenance.tmpl", "%s", TEMPLATE);
    fx_state(f, "on\n");
    fx_start(f);
    return f;
}

static int setup_builtin(void **state)
{
    *state = start_with(BUILTIN_CONF);
    return 0;
}

static int setup_errdoc(void **state)
{
    *state = start_with(ERRDOC_CONF);
    return 0;
}

static int setup_template(void **state)
{
    *state = start_with(TEMPLATE_CONF);
    return 0;
}

/* Every status answer: Retry-After as given (NULL: absent) and no-store. */
static void assert_status_answer(fx_res *r, long status, const char *retry)
{
    FX_ASSERT_BLOCKED(r, status);
    FX_ASSERT_HEADER(r, "Retry-After", retry);
    FX_ASSERT_CONTAINS("Cache-Control", fx_header(r, "Cache-Control"),
                       "no-store");
}

/* The answer while the state's message is NASTY_MESSAGE, which never
 * comes out as markup (the built-in page has a script of its own). */
static fx_res *nasty_answer(fx *f)
{
    fx_res *r;

    fx_state(f, "on\nmessage=%s\n", NASTY_MESSAGE);
    r = FX_ASSERT_STATUS(fx_get(f, "/a.html"), 503);
    FX_ASSERT_NO_BODY(r, "<script>alert");
    return r;
}

/* t as the pages write it for people: "22 Nov 2026, 11:00 UTC". */
static const char *utc_words(fx *f, time_t t)
{
    char buf[64];

    strftime(buf, sizeof(buf), "%d %b %Y, %H:%M UTC", gmtime(&t));
    return fx_fmt(f, "%s", buf[0] == '0' ? buf + 1 : buf);
}

/* The toggle's preview, while the state is what visitors get now: the
 * same page, with status 200 and kept out of search engines. */
static void assert_preview_is_the_answer(fx *f)
{
    fx_res *visitor = FX_ASSERT_STATUS(fx_get(f, "/a.html"), 503);
    fx_res *r = FX_ASSERT_STATUS(fx_get(f, PREVIEW), 200);

    FX_ASSERT_HEADER(r, "X-Robots-Tag", "noindex");
    FX_ASSERT_HEADER(r, "Content-Type", "text/html; charset=utf-8");
    FX_ASSERT_HEADER(r, "Cache-Control", "no-store");
    assert_string_equal(r->body, visitor->body);
}

/* The state on, with an end in 600 s and message. */
static void state_ending_soon(fx *f, const char *message)
{
    fx_state(f, "on\nend=%s\nmessage=%s\n", fx_iso(f, time(NULL) + 600),
             message);
}

/* --- the built-in page --------------------------------------------------- */

/* GET path with accept (NULL: none) while the state is on, without a
 * message: a 503 status answer, the built-in page. */
static fx_res *builtin_answer(fx *f, const char *path, const char *accept)
{
    fx_state(f, "on\n");
    fx_res *r = fx_get(f, path, accept);
    assert_status_answer(r, 503, "3600");
    FX_ASSERT_HEADER(r, "Content-Type", "text/html; charset=utf-8");
    FX_ASSERT_BODY(r, DEFAULT_MESSAGE);
    return r;
}

static void test_builtin_page(void **state)
{
    builtin_answer(*state, "/a.html", NULL);
}

static void test_builtin_page_message(void **state)
{
    fx *f = *state;

    fx_state(f, "on\nmessage=Upgrading the database\n");
    fx_res *r = fx_get(f, "/a.html");
    assert_status_answer(r, 503, "3600");
    FX_ASSERT_BODY(r, "Upgrading the database");
    FX_ASSERT_NO_BODY(r, DEFAULT_MESSAGE);
}

static void test_builtin_page_escapes(void **state)
{
    fx_res *r = nasty_answer(*state);

    FX_ASSERT_BODY(r, "&lt;script&gt;");
    FX_ASSERT_BODY(r, "&amp; co");
}

/* A page to show customers: the message first, in English, self-contained
 * (no address to fetch anything from), small, for every screen. */
static void test_builtin_page_design(void **state)
{
    fx *f = *state;

    fx_state(f, "on\nmessage=Upgrading the database\n");
    fx_res *r = FX_ASSERT_STATUS(fx_get(f, "/a.html"), 503);
    FX_ASSERT_BODY(r, "<html lang=\"en\">");
    FX_ASSERT_BODY(r, "<h1>Down for maintenance</h1>\n"
                   "<p class=\"message\">Upgrading the database</p>");
    FX_ASSERT_BODY(r, "name=\"viewport\"");
    FX_ASSERT_BODY(r, "prefers-color-scheme:dark");
    FX_ASSERT_NO_BODY(r, "://");
    FX_ASSERT_NO_BODY(r, "src=");
    assert_true(strlen(r->body) < 16 * 1024);
}

/* When it will be back, in words, and when exactly, in UTC (the page's
 * script adds the reader's own time). */
static void test_builtin_page_end(void **state)
{
    fx *f = *state;
    time_t end = time(NULL) + 45 * 60;

    fx_state(f, "on\nend=%s\n", fx_iso(f, end));
    fx_res *r = FX_ASSERT_STATUS(fx_get(f, "/a.html"), 503);
    FX_ASSERT_BODY(r, "Expected back <strong>in about 45 minutes</strong>");
    FX_ASSERT_BODY(r, fx_fmt(f, "<time datetime=\"%s\">%s</time>",
                             fx_iso(f, end), utc_words(f, end)));
    FX_ASSERT_NO_BODY(r, "as soon as we can");
}

/* No end: no time, and no empty words where it would be. */
static void test_builtin_page_no_end(void **state)
{
    fx_res *r = builtin_answer(*state, "/a.html", NULL);

    FX_ASSERT_BODY(r, "We will be back as soon as we can.");
    FX_ASSERT_NO_BODY(r, "Expected back");
    FX_ASSERT_NO_BODY(r, "<time");
}

static void test_builtin_preview(void **state)
{
    fx *f = *state;

    fx_state(f, "on\nmessage=%s\n", NASTY_MESSAGE);
    assert_preview_is_the_answer(f);
    /* The preview of a window the query describes. */
    fx_res *r = FX_ASSERT_STATUS(fx_get(f, PREVIEW "?message=Hi+there"
                                        "&for=2h&mode=read-only"), 200);
    FX_ASSERT_BODY(r, "<h1>Read-only for maintenance</h1>");
    FX_ASSERT_BODY(r, "Hi there");
    FX_ASSERT_BODY(r, "in about 2 hours");
    /* The site is not in maintenance: still what a visitor would get. */
    fx_state(f, "off\n");
    r = FX_ASSERT_STATUS(fx_get(f, PREVIEW), 200);
    FX_ASSERT_BODY(r, DEFAULT_MESSAGE);
    FX_ASSERT_SERVED(fx_get(f, "/a.html"));
    FX_ASSERT_STATUS(fx_get(f, PREVIEW "?for=3x"), 400);
    FX_ASSERT_STATUS(fx_post(f, NULL, PREVIEW, "message=x"), 405);
}

static void test_status(void **state)
{
    fx *f = *state;

    fx_state(f, "on\n");
    fx_res *r = fx_get(f, "/status502/a.html");
    assert_status_answer(r, 502, "3600");
    FX_ASSERT_BODY(r, DEFAULT_MESSAGE);
}

static void test_retry_after(void **state)
{
    fx *f = *state;

    fx_state(f, "on\n");
    assert_status_answer(fx_get(f, "/retry120/a.html"), 503, "120");
    assert_status_answer(fx_get(f, "/noretry/a.html"), 503, NULL);
}

/* With an end, Retry-After is the time left, whatever the directive says
 * (unless Off). */
static void test_retry_after_from_end(void **state)
{
    fx *f = *state;

    state_ending_soon(f, "Soon");
    assert_in_range(fx_header_num(fx_get(f, "/a.html"), "Retry-After"),
                    590, 600);
    assert_in_range(fx_header_num(fx_get(f, "/retry120/a.html"),
                                  "Retry-After"), 590, 600);
    assert_status_answer(fx_get(f, "/noretry/a.html"), 503, NULL);
    fx_state(f, "on\nend=%lld\n", (long long)time(NULL) + 600);
    assert_in_range(fx_header_num(fx_get(f, "/a.html"), "Retry-After"),
                    590, 600);
}

/* --- problem+json -------------------------------------------------------- */

/* A 503 status answer whose body is the problem document of the state
 * "on", without a message. */
static void assert_problem_answer(fx *f, fx_res *r)
{
    assert_status_answer(r, 503, "3600");
    FX_ASSERT_CONTAINS("Content-Type", fx_header(r, "Content-Type"),
                       "application/problem+json");
    assert_string_equal(fx_json_str(f, r, "detail"), DEFAULT_MESSAGE);
}

static void test_json(void **state)
{
    fx *f = *state;

    fx_state(f, "on\n");
    fx_res *r = fx_get(f, "/a.html", FX_ACCEPT_JSON);
    assert_problem_answer(f, r);
    assert_non_null(fx_json_str(f, r, "title"));
    assert_string_equal(fx_json_raw(f, r, "status"), "503");
    assert_string_equal(fx_json_raw(f, r, "maintenance"), "true");
    assert_string_equal(fx_json_raw(f, r, "read_only"), "false");
    assert_string_equal(fx_json_raw(f, r, "retry_after"), "3600");
    assert_string_equal(fx_json_raw(f, r, "end"), "null");
    FX_ASSERT_HEADER(r, "Vary", "Accept");
}

/* The message comes out as a JSON string, whatever it holds. */
static void test_json_message_and_end(void **state)
{
    fx *f = *state;
    time_t end = time(NULL) + 600;
    const char *message = "He said \"hi\" \\ <b>&</b> caf\xc3\xa9";

    fx_state(f, "on\nend=%s\nmessage=%s\n", fx_iso(f, end), message);
    fx_res *r = FX_ASSERT_STATUS(fx_get(f, "/a.html", FX_ACCEPT_JSON), 503);
    assert_string_equal(fx_json_str(f, r, "detail"), message);
    assert_string_equal(fx_json_str(f, r, "end"), fx_iso(f, end));
    assert_in_range(atol(fx_json_raw(f, r, "retry_after")), 590, 600);
}

/* A message that is not UTF-8 still makes a valid document: each bad
 * byte stands for U+FFFD. */
static void test_json_message_not_utf8(void **state)
{
    fx *f = *state;

    fx_state(f, "on\nmessage=caf\xe9 \xc3\xa9 \xed\xa0\x80 end\xc3\n");
    fx_res *r = FX_ASSERT_STATUS(fx_get(f, "/a.html", FX_ACCEPT_JSON), 503);
    assert_string_equal(fx_json_str(f, r, "detail"),
                        "caf\xef\xbf\xbd \xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd"
                        "\xef\xbf\xbd end\xef\xbf\xbd");
    FX_ASSERT_NO_BODY(r, "\xe9");
}

static void test_json_status_and_no_retry(void **state)
{
    fx *f = *state;

    fx_state(f, "on\n");
    fx_res *r = fx_get(f, "/status502/a.html", FX_ACCEPT_JSON);
    FX_ASSERT_STATUS(r, 502);
    assert_string_equal(fx_json_raw(f, r, "status"), "502");
    r = FX_ASSERT_STATUS(fx_get(f, "/noretry/a.html", FX_ACCEPT_JSON), 503);
    assert_string_equal(fx_json_raw(f, r, "retry_after"), "null");
}

/* JSON only for a client that prefers it. */
static void test_accept_negotiation(void **state)
{
    static const struct { const char *accept; int json; } cases[] = {
        { "Accept: application/problem+json", 1 },
        { "Accept: application/json;q=0.9, text/html;q=0.5", 1 },
        { "Accept: text/html;q=0.5, application/json", 1 },
        { "Accept: text/html,application/json;q=0.9", 0 },
        { "Accept: text/html,application/xhtml+xml,*/*;q=0.8", 0 },
        { "Accept: */*", 0 },
        { "Accept:", 0 },
    };
    fx *f = *state;

    fx_state(f, "on\n");
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        fx_res *r = FX_ASSERT_STATUS(fx_get(f, "/a.html", cases[i].accept),
                                     503);
        FX_ASSERT_CONTAINS(cases[i].accept, fx_header(r, "Content-Type"),
                           cases[i].json ? "application/problem+json"
                                         : "text/html");
    }
}

/* --- MaintenanceResponseType -------------------------------------------- */

static void test_response_type_json_answers_a_browser(void **state)
{
    fx *f = *state;

    fx_state(f, "on\n");
    fx_res *r = fx_get(f, "/always-json/a.html", BROWSER_ACCEPT);
    assert_problem_answer(f, r);
    /* The same answer whatever the Accept: nothing for a cache to tell. */
    FX_ASSERT_HEADER(r, "Vary", NULL);
}

static void test_response_type_html_answers_json_clients(void **state)
{
    fx_res *r = builtin_answer(*state, "/always-html/a.html", FX_ACCEPT_JSON);

    FX_ASSERT_HEADER(r, "Vary", NULL);
}

/* --- MaintenanceRefresh -------------------------------------------------- */

static void test_refresh(void **state)
{
    fx *f = *state;
    fx_res *r = builtin_answer(f, "/refresh30/a.html", NULL);

    FX_ASSERT_HEADER(r, "Refresh", "30");
    FX_ASSERT_BODY(r, "<meta http-equiv=\"refresh\" content=\"30\">");
    /* The countdown the page's script runs. */
    FX_ASSERT_BODY(r, "<span data-refresh=\"30\">every 30 seconds</span>");
    FX_ASSERT_HEADER(fx_get(f, "/refresh30/a.html", FX_ACCEPT_JSON),
                     "Refresh", "30");
}

static void test_no_refresh_by_default(void **state)
{
    fx_res *r = builtin_answer(*state, "/a.html", NULL);

    FX_ASSERT_HEADER(r, "Refresh", NULL);
    FX_ASSERT_NO_BODY(r, "http-equiv");
    FX_ASSERT_NO_BODY(r, "<span data-refresh");
}

/* --- MaintenanceRedirect ------------------------------------------------- */

static void assert_redirect(fx_res *r, long status, const char *location)
{
    FX_ASSERT_BLOCKED(r, status);
    FX_ASSERT_CONTAINS("Location", fx_header(r, "Location"), location);
    FX_ASSERT_CONTAINS("Cache-Control", fx_header(r, "Cache-Control"),
                       "no-store");
}

static void test_redirect(void **state)
{
    fx *f = *state;

    fx_state(f, "on\n");
    fx_res *r = fx_get(f, "/moved/a.html");
    assert_redirect(r, 302, "/index.html");
    assert_redirect(fx_get(f, "/moved307/a.html"), 307,
                    "https://status.example.com/page");
    fx_state(f, "off\n");
    FX_ASSERT_SERVED(fx_get(f, "/moved/a.html"));
}

/* The target itself is never redirected (it would loop), by path or by
 * absolute URL; it is served with MAINTENANCE_BYPASS=redirect. */
static void test_redirect_never_to_itself(void **state)
{
    fx *f = *state;

    fx_state(f, "on\n");
    assert_redirect(fx_get(f, "/selfrel/other.html"), 301,
                    "/selfrel/target.html");
    FX_ASSERT_PASSES(fx_get(f, "/selfrel/target.html"), "redirect");
    assert_redirect(fx_get(f, "/selfabs/other.html"), 302,
                    fx_url(f, "/selfabs/target.html"));
    FX_ASSERT_PASSES(fx_get(f, "/selfabs/target.html"), "redirect");
    /* A target written %-encoded is the same decoded path. */
    assert_redirect(fx_get(f, "/selfenc/other.html"), 302,
                    "/selfenc/maint%20page.html");
    FX_ASSERT_PASSES(fx_get(f, "/selfenc/maint%20page.html"), "redirect");
}

/* --- ErrorDocument on the same site -------------------------------------- */

/* GET path while the state is on: the site's maintenance.html, with 503. */
static fx_res *error_document_answer(fx *f, const char *path)
{
    fx_state(f, "on\n");
    fx_res *r = FX_ASSERT_STATUS(fx_get(f, path), 503);
    FX_ASSERT_BODY(r, "<h1>We will be back</h1>");
    return r;
}

/* Served with 503 and its own body, not looped (httpd would log AH00124)
 * and not answered by the module again. */
static void test_error_document(void **state)
{
    fx *f = *state;
    fx_res *r = error_document_answer(f, "/a.html");

    FX_ASSERT_HEADER(r, "Retry-After", "3600");
    FX_ASSERT_CONTAINS("Cache-Control", fx_header(r, "Cache-Control"),
                       "no-store");
    error_document_answer(f, "/maintenance.html");
}

/* The ErrorDocument sees the module's variables (REDIRECT_ prefixed, as
 * httpd hands them to an internal redirect). */
static void test_error_document_ssi(void **state)
{
    fx *f = *state;

    fx_state(f, "on\nmessage=Back at noon\n");
    fx_res *r = FX_ASSERT_STATUS(fx_get(f, "/ssi/a.html"), 503);
    FX_ASSERT_BODY(r, "<p>SSI: Back at noon</p>");
}

/* No ErrorDocument for that status: the built-in page. */
static void test_error_document_other_status(void **state)
{
    fx *f = *state;

    fx_state(f, "on\n");
    fx_res *r = FX_ASSERT_STATUS(fx_get(f, "/status502/a.html"), 502);
    FX_ASSERT_BODY(r, DEFAULT_MESSAGE);
}

/* The site's page gets the header; its body is its own. */
static void test_error_document_refresh(void **state)
{
    FX_ASSERT_HEADER(error_document_answer(*state, "/refresh30/a.html"),
                     "Refresh", "30");
}

/* The preview cannot show another page: it says which. */
static void test_error_document_preview(void **state)
{
    fx *f = *state;

    fx_state(f, "on\n");
    fx_res *r = FX_ASSERT_STATUS(fx_get(f, PREVIEW), 200);
    FX_ASSERT_BODY(r, "the site&#39;s own ErrorDocument, /maintenance.html");
}

static void test_error_document_json(void **state)
{
    fx *f = *state;

    fx_state(f, "on\n");
    fx_res *r = FX_ASSERT_STATUS(fx_get(f, "/a.html", FX_ACCEPT_JSON), 503);
    assert_string_equal(fx_json_str(f, r, "detail"), DEFAULT_MESSAGE);
}

/* --- MaintenanceTemplate ------------------------------------------------- */

static void test_template(void **state)
{
    fx *f = *state;

    fx_state(f, "on\nmessage=Back at 11\n");
    fx_res *r = fx_get(f, "/a.html");
    assert_status_answer(r, 503, "3600");
    FX_ASSERT_CONTAINS("Content-Type", fx_header(r, "Content-Type"),
                       "text/html");
    FX_ASSERT_BODY(r, "<title>Down</title>\n<p id=m>Back at 11</p>\n"
                   "<p id=r>3600</p>\n<p id=s></p>\n<p id=e></p>\n"
                   "<p id=w>back soon</p>\n");
    FX_ASSERT_NO_BODY(r, "We will be back");
}

static void test_template_escapes(void **state)
{
    fx_res *r = nasty_answer(*state);

    FX_ASSERT_BODY(r, "<p id=m>&lt;script&gt;alert(");
    FX_ASSERT_BODY(r, "&lt;/script&gt; &amp; co</p>");
    FX_ASSERT_NO_BODY(r, "alert(\"x\")");
}

static void test_template_window(void **state)
{
    fx *f = *state;
    time_t now = time(NULL);
    const char *start = fx_iso(f, now - 60), *end = fx_iso(f, now + 600);

    fx_state(f, "on\nstart=%s\nend=%s\n", start, end);
    fx_res *r = FX_ASSERT_STATUS(fx_get(f, "/a.html"), 503);
    FX_ASSERT_BODY(r, fx_fmt(f, "<p id=s>%s</p>\n<p id=e>%s</p>\n"
                             "<p id=w>back in about 10 minutes, by %s</p>\n",
                             start, end, utc_words(f, now + 600)));
    FX_ASSERT_NO_BODY(r, "back soon");
    const char *retry = strstr(r->body, "<p id=r>");
    assert_non_null(retry);
    assert_in_range(atol(retry + strlen("<p id=r>")), 590, 600);
}

static void test_template_preview(void **state)
{
    fx *f = *state;

    fx_state(f, "on\nmessage=Back at 11\n");
    assert_preview_is_the_answer(f);
}

static void test_template_json(void **state)
{
    fx *f = *state;

    fx_state(f, "on\n");
    fx_res *r = FX_ASSERT_STATUS(fx_get(f, "/a.html", FX_ACCEPT_JSON), 503);
    assert_string_equal(fx_json_raw(f, r, "maintenance"), "true");
}

int main(void)
{
    const struct CMUnitTest builtin[] = {
        FX_TEST(test_builtin_page),
        FX_TEST(test_builtin_page_message),
        FX_TEST(test_builtin_page_escapes),
        FX_TEST(test_builtin_page_design),
        FX_TEST(test_builtin_page_end),
        FX_TEST(test_builtin_page_no_end),
        FX_TEST(test_builtin_preview),
        FX_TEST(test_status),
        FX_TEST(test_retry_after),
        FX_TEST(test_retry_after_from_end),
        FX_TEST(test_json),
        FX_TEST(test_json_message_and_end),
        FX_TEST(test_json_message_not_utf8),
        FX_TEST(test_json_status_and_no_retry),
        FX_TEST(test_accept_negotiation),
        FX_TEST(test_response_type_json_answers_a_browser),
        FX_TEST(test_response_type_html_answers_json_clients),
        FX_TEST(test_refresh),
        FX_TEST(test_no_refresh_by_default),
        FX_TEST(test_redirect),
        FX_TEST(test_redirect_never_to_itself),
    };
    const struct CMUnitTest errdoc[] = {
        FX_TEST(test_error_document),
        FX_TEST(test_error_document_ssi),
        FX_TEST(test_error_document_other_status),
        FX_TEST(test_error_document_refresh),
        FX_TEST(test_error_document_preview),
        FX_TEST(test_error_document_json),
    };
    const struct CMUnitTest tmpl[] = {
        FX_TEST(test_template),
        FX_TEST(test_template_escapes),
        FX_TEST(test_template_window),
        FX_TEST(test_template_preview),
        FX_TEST(test_template_json),
    };
    int failed = 0;

    failed += cmocka_run_group_tests_name("builtin page", builtin,
                                          setup_builtin, fx_group_teardown);
    failed += cmocka_run_group_tests_name("ErrorDocument", errdoc,
                                          setup_errdoc, fx_group_teardown);
    failed += cmocka_run_group_tests_name("template", tmpl, setup_template,
                                          fx_group_teardown);
    return failed;
}
