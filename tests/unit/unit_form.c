/* Form fields as the toggle handler reads them: a query string or a
 * form's body, application/x-www-form-urlencoded. */
#include <apr_strings.h>
#include <string.h>

#include "unit.h"
#include "form.h"

typedef struct {
    const char *in;
    const char *fields;     /* "name=value;..." in table order, decoded */
} form_row;

/* The fields of t as "name=value;..." */
static const char *dump(apr_table_t *t, apr_pool_t *p)
{
    const apr_array_header_t *a = apr_table_elts(t);
    const apr_table_entry_t *e = (const apr_table_entry_t *)a->elts;
    const char *out = "";
    int i;

    for (i = 0; i < a->nelts; i++) {
        out = apr_pstrcat(p, out, e[i].key, "=", e[i].val, ";", NULL);
    }
    return out;
}

static void test_form_valid(void **state)
{
    static const form_row rows[] = {
        { "", "" },
        { "message=Back+soon", "message=Back soon;" },
        { "message=Back%20soon&for=30m", "message=Back soon;for=30m;" },
        { "a=1&&b=2&", "a=1;b=2;" },
        { "flag", "flag=;" },
        { "empty=", "empty=;" },
        { "m=caf%C3%A9+%26+co", "m=caf\xc3\xa9 & co;" },
        { "m=%3Cb%3E%22", "m=<b>\";" },
        { "m=a%0d%0ab", "m=a\r\nb;" },
        { "m=1&m=2", "m=2;" },               /* the last one counts */
        { "x%41y=z", "xAy=z;" },
        { "m=100%25", "m=100%;" },
    };
    apr_pool_t *p = *state;
    size_t i;

    for (i = 0; i < ARRAY_LEN(rows); i++) {
        apr_table_t *t = apr_table_make(p, 4);
        const char *err = maintenance_form_parse(t, rows[i].in,
                                                 strlen(rows[i].in), p);
        const char *got = dump(t, p);

        EXPECT(!err, "\"%s\": error %s", rows[i].in, unit_str(err));
        EXPECT(err || !strcmp(got, rows[i].fields), "\"%s\": got \"%s\"",
               rows[i].in, got);
    }
    EXPECT_ALL();
}

/* A NUL would silently cut a C string; a bad escape is a bad form. */
static void test_form_invalid(void **state)
{
    static const struct { const char *in; const char *names; } rows[] = {
        { "message=a%00b", "message" },
        { "message=%", "message" },
        { "message=%4", "message" },
        { "message=%zz", "message" },
        { "for=1h&message=50%", "message" },
        { "%00=x", "field name" },
        { "na%g0me=x", "field name" },
    };
    apr_pool_t *p = *state;
    size_t i;

    for (i = 0; i < ARRAY_LEN(rows); i++) {
        apr_table_t *t = apr_table_make(p, 4);
        const char *err = maintenance_form_parse(t, rows[i].in,
                                                 strlen(rows[i].in), p);

        EXPECT(err && strstr(err, rows[i].names),
               "\"%s\": error %s, expected one naming %s", rows[i].in,
               unit_str(err), rows[i].names);
    }
    EXPECT_ALL();
}

/* The text is a length, not a C string: nothing past it is read. */
static void test_form_length(void **state)
{
    apr_pool_t *p = *state;
    apr_table_t *t = apr_table_make(p, 4);

    assert_null(maintenance_form_parse(t, "a=12&b=3", 3, p));
    assert_string_equal(dump(t, p), "a=1;");
    t = apr_table_make(p, 4);
    assert_null(maintenance_form_parse(t, "a=%41\0b=2", 5, p));
    assert_string_equal(dump(t, p), "a=A;");
    /* An escape cut by the length is a bad one. */
    assert_non_null(maintenance_form_parse(t, "a=%41", 4, p));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_form_valid),
        UNIT_TEST(test_form_invalid),
        UNIT_TEST(test_form_length),
    };

    return UNIT_RUN("form fields", tests);
}
