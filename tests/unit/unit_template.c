/* MaintenanceTemplate pages, and HTML and JSON escaping. */
#include <string.h>

#include <apr_strings.h>

#include "unit.h"
#include "template.h"

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
        "Upgrading the database", "3600", "2026-11-22T10:00:00Z",
        "2026-11-22T11:00:00Z"
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
    static const maintenance_template_vars none = { NULL, NULL, NULL, NULL };

    assert_string_equal(render("[{{message}}|{{retry_after}}|{{start}}|"
                               "{{end}}]", &none, *state), "[|||]");
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
        const maintenance_template_vars v = { rows[i].in, rows[i].in,
                                              rows[i].in, rows[i].in };
        const char *got = render("<p title=\"{{message}}\">{{message}}</p>"
                                 "{{retry_after}}{{start}}{{end}}", &v,
                                 *state);
        const char *want = apr_pstrcat(*state, "<p title=\"", rows[i].out,
                                       "\">", rows[i].out, "</p>",
                                       rows[i].out, rows[i].out, rows[i].out,
                                       NULL);

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
    static const maintenance_template_vars v = { "M", NULL, NULL, NULL };
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
    static const maintenance_template_vars v = { "M", NULL, NULL, NULL };
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
        UNIT_TEST(test_compile_honours_len),
        UNIT_TEST(test_compile_rejects),
        UNIT_TEST(test_compile_rejects_nul),
        UNIT_TEST(test_escape_html),
        UNIT_TEST(test_escape_json),
        UNIT_TEST(test_escape_json_all_control),
    };

    return UNIT_RUN("template", tests);
}
