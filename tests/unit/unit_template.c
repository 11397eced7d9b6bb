/* MaintenanceTemplate pages and their sections, times in words, and HTML
 * and JSON escaping. */
#include <string.h>

#include <apr_strings.h>

#include "unit.h"
#include "template.h"
#include "timefmt.h"

typedef struct {
    const char *in, *out;
} text_row;

/* Compile text, or fail the test. */
static maintenance_template *compile(const char *text, apr_pool_t *p)
{
    maintenance_template *t = NULL;
    const char *err = maintenance_template_compile(&t, text, strlen(text), p);

    if (err) {
        fail_msg("\"%s\" does not compile: %s", text, err);
    }
    assert_non_null(t);
    return t;
}

static const char *render(const char *text,
                          const maintenance_template_vars *v, apr_pool_t *p)
{
    return maintenance_template_render(compile(text, p), v, p);
}

static void test_placeholders_replaced(void **state)
{
    static const maintenance_template_vars v = {
        .message = "Upgrading the database", .retry_after = "3600",
        .start = "2026-11-22T10:00:00Z", .end = "2026-11-22T11:00:00Z"
    };

    assert_string_equal(
        render("<h1>Maintenance</h1><p>{{message}}</p>"
               "<p>From {{start}} to {{end}}; retry in {{retry_after}} s.</p>",
               &v, *state),
        "<h1>Maintenance</h1><p>Upgrading the database</p>"
        "<p>From 2026-11-22T10:00:00Z to 2026-11-22T11:00:00Z; "
        "retry in 3600 s.</p>");
    assert_string_equal(render("{{end}}{{end}} {{message}}", &v, *state),
                        "2026-11-22T11:00:00Z2026-11-22T11:00:00Z "
                        "Upgrading the database");
    assert_string_equal(render("{{retry_after}}", &v, *state), "3600");
}

static void test_missing_values_are_empty(void **state)
{
    static const maintenance_template_vars none = { 0 };

    assert_string_equal(render("[{{message}}|{{retry_after}}|{{start}}|"
                               "{{start_utc}}|{{start_human}}|{{end}}|"
                               "{{end_utc}}|{{end_human}}|{{refresh}}]",
                               &none, *state), "[||||||||]");
}

/* What a section holds shows only when its value is there (not NULL, not
 * empty); an inverted one, only when it is not. */
static void test_sections(void **state)
{
    static const char text[] =
        "{{#end}}back {{end_human}}, by {{end_utc}}{{/end}}"
        "{{^end}}back soon{{/end}}";
    static const struct {
        const char *end_human, *end_utc, *out;
    } rows[] = {
        { "in about 45 minutes", "22 Nov 2026, 11:00 UTC",
          "back in about 45 minutes, by 22 Nov 2026, 11:00 UTC" },
        { NULL, NULL, "back soon" },
        { "", "", "back soon" },
    };
    size_t i;

    for (i = 0; i < ARRAY_LEN(rows); i++) {
        maintenance_template_vars v = { 0 };
        const char *got;

        v.end = rows[i].end_human;
        v.end_human = rows[i].end_human;
        v.end_utc = rows[i].end_utc;
        got = render(text, &v, *state);
        EXPECT(!strcmp(got, rows[i].out), "row %zu: got \"%s\"", i, got);
    }
    EXPECT_ALL();
}

/* Sections nest, repeat, and hold escaped values like the rest. */
static void test_sections_nest(void **state)
{
    static const char text[] =
        "[{{#message}}M{{#end}}E{{^start}}!s{{/start}}{{/end}}"
        "{{^refresh}}!r{{/refresh}}{{/message}}]"
        "{{#message}}({{message}}){{/message}}";
    static const maintenance_template_vars all = {
        .message = "<b>", .start = "S", .end = "E", .refresh = "30"
    };
    static const maintenance_template_vars some = {
        .message = "m", .end = "E"
    };
    static const maintenance_template_vars none = { 0 };

    assert_string_equal(render(text, &all, *state), "[ME](&lt;b&gt;)");
    assert_string_equal(render(text, &some, *state), "[ME!s!r](m)");
    assert_string_equal(render(text, &none, *state), "[]");
}

/* The words and times behind the placeholders. */
static void test_vars_set(void **state)
{
    apr_time_t now, start, end;
    maintenance_template_vars v;

    assert_null(maintenance_time_parse("2026-11-22T10:15:00Z", &now));
    assert_null(maintenance_time_parse("2026-11-22T10:00:00Z", &start));
    assert_null(maintenance_time_parse("2026-11-22T11:00:00Z", &end));
    maintenance_template_vars_set(&v, "M", 2700, start, end, 30, now, *state);
    assert_string_equal(v.message, "M");
    assert_string_equal(v.retry_after, "2700");
    assert_string_equal(v.start, "2026-11-22T10:00:00Z");
    assert_string_equal(v.start_utc, "22 Nov 2026, 10:00 UTC");
    assert_string_equal(v.start_human, "about 15 minutes ago");
    assert_string_equal(v.end, "2026-11-22T11:00:00Z");
    assert_string_equal(v.end_utc, "22 Nov 2026, 11:00 UTC");
    assert_string_equal(v.end_human, "in about 45 minutes");
    assert_string_equal(v.refresh, "30");

    maintenance_template_vars_set(&v, NULL, -1, 0, 0, 0, now, *state);
    assert_null(v.message);
    assert_null(v.retry_after);
    assert_null(v.start);
    assert_null(v.start_utc);
    assert_null(v.start_human);
    assert_null(v.end);
    assert_null(v.end_utc);
    assert_null(v.end_human);
    assert_null(v.refresh);
}

static void test_time_words(void **state)
{
    static const struct {
        long long seconds;     /* from now */
        const char *words;
    } rows[] = {
        { 0, "less than a minute ago" },
        { 30, "in less than a minute" },
        { 59, "in less than a minute" },
        { 60, "in about a minute" },
        { 89, "in about a minute" },
        { 90, "in about 2 minutes" },
        { 45 * 60, "in about 45 minutes" },
        { 59 * 60 + 29, "in about 59 minutes" },
        { 59 * 60 + 30, "in about an hour" },
        { 89 * 60, "in about an hour" },
        { 90 * 60, "in about 2 hours" },
        { 23 * 3600 + 29 * 60, "in about 23 hours" },
        { 23 * 3600 + 30 * 60, "in about a day" },
        { 36 * 3600, "in about 2 days" },
        { 400 * 86400LL, "in about 400 days" },
        { -30, "less than a minute ago" },
        { -5 * 60, "about 5 minutes ago" },
        { -2 * 3600, "about 2 hours ago" },
        { -86400, "about a day ago" },
    };
    apr_time_t now = apr_time_from_sec(1795000000);
    size_t i;

    for (i = 0; i < ARRAY_LEN(rows); i++) {
        const char *got = maintenance_time_words(
            *state, now + apr_time_from_sec(rows[i].seconds), now);

        EXPECT(!strcmp(got, rows[i].words), "%lld s: got \"%s\"",
               rows[i].seconds, got);
    }
    EXPECT_ALL();
}

static void test_time_utc(void **state)
{
    static const text_row rows[] = {
        { "2026-11-22T11:00:00Z", "22 Nov 2026, 11:00 UTC" },
        { "2026-01-05T09:07:59Z", "5 Jan 2026, 09:07 UTC" },
        { "2026-06-30T23:30:00+02:00", "30 Jun 2026, 21:30 UTC" },
        { "1970-01-01T00:00:01Z", "1 Jan 1970, 00:00 UTC" },
        { "9999-12-31T23:59:59Z", "31 Dec 9999, 23:59 UTC" },
    };
    size_t i;

    for (i = 0; i < ARRAY_LEN(rows); i++) {
        apr_time_t t;
        const char *got;

        assert_null(maintenance_time_parse(rows[i].in, &t));
        got = maintenance_time_utc(*state, t);
        EXPECT(!strcmp(got, rows[i].out), "%s: got \"%s\"", rows[i].in, got);
    }
    EXPECT_ALL();
}

/* Values are escaped wherever they go, text or quoted attribute. */
static void test_values_escaped(void **state)
{
    static const text_row rows[] = {
        { "<script>alert(1)</script>",
          "&lt;script&gt;alert(1)&lt;/script&gt;" },
        { "Tom & Jerry", "Tom &amp; Jerry" },
        { "say \"hi\"", "say &quot;hi&quot;" },
        { "it's", "it&#39;s" },
        { "&amp;", "&amp;amp;" },
        { "\" onmouseover='x'", "&quot; onmouseover=&#39;x&#39;" },
    };
    size_t i;

    for (i = 0; i < ARRAY_LEN(rows); i++) {
        /* The same value in every placeholder. */
        const char *in = rows[i].in, *out = rows[i].out;
        const maintenance_template_vars v = { in, in, in, in, in, in, in,
                                              in, in };
        const char *got = render("<p title=\"{{message}}\">{{message}}</p>"
                                 "{{retry_after}}{{start}}{{start_utc}}"
                                 "{{start_human}}{{end}}{{end_utc}}"
                                 "{{end_human}}{{#refresh}}{{refresh}}"
                                 "{{/refresh}}", &v, *state);
        const char *want = apr_pstrcat(*state, "<p title=\"", out, "\">", out,
                                       "</p>", out, out, out, out, out, out,
                                       out, out, NULL);

        EXPECT(!strcmp(got, want), "%s: got %s", rows[i].in, got);
    }
    EXPECT_ALL();
}

/* The template's own text is the author's HTML: left as it is. */
static void test_text_unchanged(void **state)
{
    static const text_row rows[] = {
        { "", "" },
        { "plain text", "plain text" },
        { "<html><body><b>&amp; \"'</b></body></html>\n",
          "<html><body><b>&amp; \"'</b></body></html>\n" },
        { "a } b }} c { d", "a } b }} c { d" },
        { "}}{{message}}{", "}}M{" },
    };
    static const maintenance_template_vars v = { .message = "M" };
    size_t i;

    for (i = 0; i < ARRAY_LEN(rows); i++) {
        const char *got = render(rows[i].in, &v, *state);

        EXPECT(!strcmp(got, rows[i].out), "\"%s\": got \"%s\"", rows[i].in,
               got);
    }
    EXPECT_ALL();
}

/* Only the length given is the template. */
static void test_compile_honours_len(void **state)
{
    static const char text[] = "<p>{{message}}</p>{{bogus}}";
    static const maintenance_template_vars v = { .message = "M" };
    maintenance_template *t = NULL;

    assert_null(maintenance_template_compile(&t, text,
                                             strlen("<p>{{message}}</p>"),
                                             *state));
    assert_string_equal(maintenance_template_render(t, &v, *state),
                        "<p>M</p>");
}

/* A NUL would end the page there, silently. */
static void test_compile_rejects_nul(void **state)
{
    static const char text[] = "<p>{{message}}</p>\0<p>more</p>";
    maintenance_template *t = NULL;
    const char *err = maintenance_template_compile(&t, text, sizeof(text) - 1,
                                                   *state);

    assert_non_null(err);
    assert_non_null(strstr(err, "NUL"));
}

static void test_compile_rejects(void **state)
{
    static const struct {
        const char *text;
        const char *named;    /* what the error text names, or NULL */
    } rows[] = {
        { "{{foo}}", "foo" },
        { "<p>{{messages}}</p>", "messages" },
        { "{{Message}}", "Message" },
        { "{{retry-after}}", "retry-after" },
        { "{{}}", NULL },
        { "Hello {{message", NULL },
        { "Hello {{message}", NULL },
        { "{{message}} and {{", NULL },
        { "{{message}} {{end}} {{start", NULL },
        { "{{#nope}}x{{/nope}}", "nope" },
        { "{{#}}x{{/}}", NULL },
        { "{{#end}}back", "{{/end}}" },
        { "{{^end}}soon", "{{/end}}" },
        { "back{{/end}}", "{{/end}}" },
        { "{{#end}}{{#start}}x{{/end}}{{/start}}", "{{/start}}" },
        { "{{#end}}{{/start}}", "{{/end}}" },
        { "{{#end}}x{{/end}}{{/end}}", "ends no section" },
        { "{{#End}}x{{/End}}", "End" },
        { "{{# end}}x{{/ end}}", " end" },
    };
    size_t i;

    for (i = 0; i < ARRAY_LEN(rows); i++) {
        maintenance_template *t = NULL;
        const char *err = maintenance_template_compile(
            &t, rows[i].text, strlen(rows[i].text), *state);

        EXPECT(err != NULL, "\"%s\": compiled", rows[i].text);
        EXPECT(!err || !rows[i].named || strstr(err, rows[i].named),
               "\"%s\": error does not name %s: %s", rows[i].text,
               rows[i].named, err);
    }
    EXPECT_ALL();
}

static void test_escape_html(void **state)
{
    static const text_row rows[] = {
        { "", "" },
        { "plain", "plain" },
        { "<>&\"'", "&lt;&gt;&amp;&quot;&#39;" },
        { "<<<", "&lt;&lt;&lt;" },
        { "caf\xc3\xa9 \xe2\x9c\x93", "caf\xc3\xa9 \xe2\x9c\x93" },
        { "a\nb\tc", "a\nb\tc" },
    };
    size_t i;

    for (i = 0; i < ARRAY_LEN(rows); i++) {
        const char *got = maintenance_escape_html(*state, rows[i].in);

        EXPECT(!strcmp(got, rows[i].out), "\"%s\": got \"%s\"", rows[i].in,
               got);
    }
    EXPECT_ALL();
}

static void test_escape_json(void **state)
{
    static const text_row rows[] = {
        { "", "" },
        { "plain text", "plain text" },
        { "say \"hi\"", "say \\\"hi\\\"" },
        { "C:\\path\\", "C:\\\\path\\\\" },
        { "\\\"", "\\\\\\\"" },
        { "a\nb\rc\td", "a\\nb\\rc\\td" },
        { "\x01", "\\u0001" },
        { "\x08\x0c", "\\u0008\\u000c" },
        { "\x1f|\x7f", "\\u001f|\\u007f" },
        { "</script>", "</script>" },
        { "caf\xc3\xa9 \xe2\x9c\x93", "caf\xc3\xa9 \xe2\x9c\x93" },
        { "\xf0\x9f\x9b\xa0 tools", "\xf0\x9f\x9b\xa0 tools" },
        /* Not UTF-8: each bad byte is U+FFFD, the document stays valid. */
        { "caf\xe9", "caf\\ufffd" },
        { "\xc3", "\\ufffd" },
        { "\xc0\xaf", "\\ufffd\\ufffd" },               /* overlong */
        { "\xed\xa0\x80", "\\ufffd\\ufffd\\ufffd" },     /* surrogate */
        { "\xf4\x90\x80\x80", "\\ufffd\\ufffd\\ufffd\\ufffd" },
        { "\xe2\x9c", "\\ufffd\\ufffd" },                 /* cut short */
        { "\xff\"", "\\ufffd\\\"" },
    };
    size_t i;

    for (i = 0; i < ARRAY_LEN(rows); i++) {
        const char *got = maintenance_escape_json(*state, rows[i].in);

        EXPECT(!strcmp(got, rows[i].out), "row %zu: got \"%s\"", i, got);
    }
    EXPECT_ALL();
}

/* The worst case: every byte grows to six. */
static void test_escape_json_all_control(void **state)
{
    enum { N = 1000 };
    char *in = apr_palloc(*state, N + 1);
    const char *got;
    size_t i;

    memset(in, '\x02', N);
    in[N] = '\0';
    got = maintenance_escape_json(*state, in);
    assert_int_equal(strlen(got), 6 * N);
    for (i = 0; i < N; i++) {
        assert_memory_equal(got + 6 * i, "\\u0002", 6);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_placeholders_replaced),
        UNIT_TEST(test_missing_values_are_empty),
        UNIT_TEST(test_values_escaped),
        UNIT_TEST(test_text_unchanged),
        UNIT_TEST(test_sections),
        UNIT_TEST(test_sections_nest),
        UNIT_TEST(test_vars_set),
        UNIT_TEST(test_time_words),
        UNIT_TEST(test_time_utc),
        UNIT_TEST(test_compile_honours_len),
        UNIT_TEST(test_compile_rejects),
        UNIT_TEST(test_compile_rejects_nul),
        UNIT_TEST(test_escape_html),
        UNIT_TEST(test_escape_json),
        UNIT_TEST(test_escape_json_all_control),
    };

    return UNIT_RUN("template", tests);
}
