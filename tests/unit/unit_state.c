/* The state record: parse, format, in_force, pending. */
#include <string.h>

#include <apr_strings.h>

#include "unit.h"
#include "state.h"

/* 2026-11-22T10:00:00Z and the times around it, in seconds. */
#define T0 APR_INT64_C(1795341600)
#define SEC(s) apr_time_from_sec(s)

/* The example of the README. */
static const char spec_example[] =
    "on\n"
    "start=2026-11-22T10:00:00Z\n"
    "end=2026-11-22T11:00:00Z\n"
    "changed=2026-11-22T09:12:44Z\n"
    "by=alice\n"
    "message=Upgrading the database\n";

static const char *parse(maintenance_state *st, const char *text,
                         apr_pool_t *p)
{
    return maintenance_state_parse(st, text, strlen(text), NULL, p);
}

static void test_spec_example(void **state)
{
    maintenance_state st;

    assert_null(parse(&st, spec_example, *state));
    assert_int_equal(st.on, 1);
    assert_true(st.start == SEC(T0));
    assert_true(st.end == SEC(T0 + 3600));
    assert_true(st.changed == SEC(T0 - 2836));
    assert_string_equal(st.by, "alice");
    assert_string_equal(st.message, "Upgrading the database");
}

/* The first line alone, in every spelling SPEC 3 reads. */
static void test_first_line_words(void **state)
{
    static const struct {
        const char *word;
        int on;
    } rows[] = {
        { "on", 1 }, { "off", 0 }, { "1", 1 }, { "0", 0 },
        { "true", 1 }, { "false", 0 },
    };
    static const char *const endings[] = { "", "\n", "\r\n" };
    size_t i, j;

    for (i = 0; i < ARRAY_LEN(rows); i++) {
        for (j = 0; j < ARRAY_LEN(endings); j++) {
            const char *text = apr_pstrcat(*state, rows[i].word, endings[j],
                                           NULL);
            maintenance_state st;
            const char *err = parse(&st, text, *state);

            EXPECT(!err, "\"%s\" + ending %zu: error %s", rows[i].word, j,
                   unit_str(err));
            EXPECT(err || st.on == rows[i].on, "\"%s\": on is %d",
                   rows[i].word, st.on);
            EXPECT(err || (!st.start && !st.end && !st.changed && !st.by
                           && !st.message),
                   "\"%s\": fields set that were not given", rows[i].word);
        }
    }
    EXPECT_ALL();
}

static void test_crlf_and_blank_lines(void **state)
{
    static const char text[] =
        "on\r\n"
        "\r\n"
        "start=2026-11-22T10:00:00Z\r\n"
        "\n"
        "by=bob\r\n"
        "\r\n"
        "message=Back soon\r\n"
        "\r\n";
    maintenance_state st;

    assert_null(parse(&st, text, *state));
    assert_int_equal(st.on, 1);
    assert_true(st.start == SEC(T0));
    assert_string_equal(st.by, "bob");
    assert_string_equal(st.message, "Back soon");
}

static void test_unknown_keys_ignored(void **state)
{
    static const char text[] =
        "off\n"
        "reason=none of your business\n"
        "by=carol\n"
        "version=2\n"
        "x-future=\n";
    maintenance_state st;

    assert_null(parse(&st, text, *state));
    assert_int_equal(st.on, 0);
    assert_string_equal(st.by, "carol");
    assert_null(st.message);
}

static void test_message_keeps_equals_signs(void **state)
{
    maintenance_state st;

    assert_null(parse(&st, "on\nmessage=a=b, c==d\n", *state));
    assert_string_equal(st.message, "a=b, c==d");
}

/* start, end and changed, as ISO 8601 and as Unix seconds. */
static void test_time_fields(void **state)
{
    static const struct {
        const char *line;
        size_t field;      /* offsetof the apr_time_t */
        apr_int64_t secs;
    } rows[] = {
        { "start=2026-11-22T10:00:00Z", offsetof(maintenance_state, start), T0 },
        { "start=1795341600", offsetof(maintenance_state, start), T0 },
        { "start=2026-11-22T11:30:00+01:30", offsetof(maintenance_state, start), T0 },
        { "end=2026-11-22T11:00:00Z", offsetof(maintenance_state, end), T0 + 3600 },
        { "end=1795345200", offsetof(maintenance_state, end), T0 + 3600 },
        { "end=2026-11-22T06:00:00-05:00", offsetof(maintenance_state, end), T0 + 3600 },
        { "changed=2026-11-22T09:12:44Z", offsetof(maintenance_state, changed), T0 - 2836 },
        { "changed=1795338764", offsetof(maintenance_state, changed), T0 - 2836 },
    };
    size_t i;

    for (i = 0; i < ARRAY_LEN(rows); i++) {
        maintenance_state st;
        const char *text = apr_pstrcat(*state, "on\n", rows[i].line, "\n",
                                       NULL);
        const char *err = parse(&st, text, *state);
        apr_time_t got = err ? 0
                       : *(apr_time_t *)((char *)&st + rows[i].field);

        EXPECT(!err, "%s: error %s", rows[i].line, unit_str(err));
        EXPECT(err || got == SEC(rows[i].secs),
               "%s: got %" APR_INT64_T_FMT " s, expected %" APR_INT64_T_FMT,
               rows[i].line, apr_time_sec(got), rows[i].secs);
    }
    EXPECT_ALL();
}

static void test_garbage_rejected(void **state)
{
    static const struct {
        const char *why;
        const char *text;
        size_t len;        /* 0: strlen(text) */
    } rows[] = {
        { "empty", "", 0 },
        { "only a newline", "\n", 0 },
        { "first line not on/off", "maintenance\n", 0 },
        { "first line yes", "yes\n", 0 },
        { "first line two words", "on off\n", 0 },
        { "first line is a field", "start=2026-11-22T10:00:00Z\non\n", 0 },
        { "line without =", "on\nby alice\n", 0 },
        { "key without =", "on\nstart\n", 0 },
        { "start not a time", "on\nstart=tomorrow\n", 0 },
        { "end month 13", "on\nend=2026-13-01T00:00:00Z\n", 0 },
        { "changed time only", "off\nchanged=09:12:44\n", 0 },
        { "start Unix zero", "on\nstart=0\n", 0 },
        { "end empty", "on\nend=\n", 0 },
        { "NUL byte in the first line", "o\0n\n", 4 },
        { "NUL byte in a value", "on\nby=al\0ice\n", 13 },
        { "end equal to start",
          "on\nstart=2026-11-22T10:00:00Z\nend=2026-11-22T10:00:00Z\n", 0 },
        { "end before start",
          "on\nstart=2026-11-22T11:00:00Z\nend=2026-11-22T10:00:00Z\n", 0 },
        { "end before start, Unix",
          "on\nstart=1795345200\nend=1795341600\n", 0 },
    };
    size_t i;

    for (i = 0; i < ARRAY_LEN(rows); i++) {
        maintenance_state st;
        size_t len = rows[i].len ? rows[i].len : strlen(rows[i].text);
        const char *err = maintenance_state_parse(&st, rows[i].text, len,
                                                  NULL, *state);

        EXPECT(err != NULL, "%s: accepted", rows[i].why);
        EXPECT(!err || (*err && !strchr(err, '\n')),
               "%s: error is not one line: \"%s\"", rows[i].why, err);
    }
    EXPECT_ALL();
}

/* A state of exactly len bytes: "on\nmessage=xxx...\n". */
static char *state_of_size(apr_size_t len, apr_pool_t *p)
{
    static const char head[] = "on\nmessage=";
    char *text = apr_palloc(p, len + 1);

    memcpy(text, head, sizeof(head) - 1);
    memset(text + sizeof(head) - 1, 'x', len - sizeof(head));
    text[len - 1] = '\n';
    text[len] = '\0';
    return text;
}

static void test_size_limit(void **state)
{
    maintenance_state st;
    char *text = state_of_size(MAINTENANCE_STATE_MAX, *state);

    assert_null(maintenance_state_parse(&st, text, MAINTENANCE_STATE_MAX,
                                        NULL, *state));
    assert_int_equal(strlen(st.message),
                     MAINTENANCE_STATE_MAX - strlen("on\nmessage=\n"));

    text = state_of_size(MAINTENANCE_STATE_MAX + 1, *state);
    assert_non_null(maintenance_state_parse(&st, text,
                                            MAINTENANCE_STATE_MAX + 1,
                                            NULL, *state));
}

static void test_format_spec_example(void **state)
{
    maintenance_state st = {
        1, SEC(T0), SEC(T0 + 3600), SEC(T0 - 2836), "alice",
        "Upgrading the database", 0
    };

    assert_string_equal(maintenance_state_format(&st, *state), spec_example);
}

static void test_format_leaves_out_unset(void **state)
{
    maintenance_state off = { 0, 0, 0, 0, NULL, NULL, 0 };
    maintenance_state on = { 1, 0, SEC(T0), 0, "", NULL, 0 };

    assert_string_equal(maintenance_state_format(&off, *state), "off\n");
    assert_string_equal(maintenance_state_format(&on, *state),
                        "on\nend=2026-11-22T10:00:00Z\n");
}

/* mode=read-only comes right after the first line, and only in that mode
 * (test_format_leaves_out_unset: a full state has no mode line). */
static void test_format_read_only(void **state)
{
    maintenance_state st = { 1, 0, SEC(T0), 0, NULL, "Forms are off", 1 };

    assert_string_equal(maintenance_state_format(&st, *state),
                        "on\nmode=read-only\nend=2026-11-22T10:00:00Z\n"
                        "message=Forms are off\n");
}

/* read-only, or full (the default, said explicitly); anything else is a
 * bad state, not a full one: a typo must not take the whole site down. */
static void test_mode_field(void **state)
{
    static const struct {
        const char *text;
        int read_only;     /* -1: refused */
    } rows[] = {
        { "on\nmode=read-only\n", 1 },
        { "on\nmode = read-only \n", 1 },
        { "on\r\nmode=read-only\r\n", 1 },
        { "on\nmode=full\n", 0 },
        { "on\n", 0 },
        { "off\nmode=read-only\n", 1 },
        { "on\nmode=readonly\n", -1 },
        { "on\nmode=Read-Only\n", -1 },
        { "on\nmode=\n", -1 },
        { "on\nmode=read-only, full\n", -1 },
    };
    size_t i;

    for (i = 0; i < ARRAY_LEN(rows); i++) {
        maintenance_state st;
        const char *unknown;
        const char *err = maintenance_state_parse(&st, rows[i].text,
                                                  strlen(rows[i].text),
                                                  &unknown, *state);

        if (rows[i].read_only < 0) {
            EXPECT(err && strstr(err, "mode"), "\"%s\": error %s",
                   rows[i].text, unit_str(err));
            continue;
        }
        EXPECT(!err, "\"%s\": error %s", rows[i].text, unit_str(err));
        EXPECT(err || st.read_only == rows[i].read_only,
               "\"%s\": read_only %d", rows[i].text, st.read_only);
        EXPECT(err || !unknown, "\"%s\": unknown %s", rows[i].text,
               unit_str(unknown));
    }
    EXPECT_ALL();
}

static int same_string(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

/* format, then parse: the same state (line breaks in values become
 * spaces, so a value stays on its line). */
static void test_format_parse_round_trip(void **state)
{
    static const struct {
        maintenance_state in;
        const char *message_out;
    } rows[] = {
        { { 0, 0, 0, 0, NULL, NULL, 0 }, NULL },
        { { 1, 0, 0, 0, NULL, NULL, 0 }, NULL },
        { { 1, SEC(T0), SEC(T0 + 3600), SEC(T0 - 2836), "alice",
            "Upgrading the database", 0 }, "Upgrading the database" },
        { { 0, 0, 0, SEC(T0), "deploy-bot", NULL, 0 }, NULL },
        { { 1, SEC(T0), 0, 0, NULL, "<b>&\"quoted\"</b> = ok", 0 },
          "<b>&\"quoted\"</b> = ok" },
        { { 1, 0, SEC(T0), 0, NULL, "two\nlines\r\nhere", 0 },
          "two lines  here" },
        { { 1, 0, 0, 0, NULL, NULL, 1 }, NULL },
        { { 1, SEC(T0), SEC(T0 + 3600), SEC(T0 - 2836), "alice",
            "Read-only while we migrate", 1 }, "Read-only while we migrate" },
    };
    size_t i;

    for (i = 0; i < ARRAY_LEN(rows); i++) {
        const maintenance_state *in = &rows[i].in;
        char *text = maintenance_state_format(in, *state);
        maintenance_state out;
        const char *err = parse(&out, text, *state);

        EXPECT(text[strlen(text) - 1] == '\n', "row %zu: no final newline",
               i);
        EXPECT(!err, "row %zu: \"%s\" does not parse: %s", i, text,
               unit_str(err));
        if (err) {
            continue;
        }
        EXPECT(out.on == in->on && out.start == in->start
               && out.end == in->end && out.changed == in->changed
               && out.read_only == in->read_only,
               "row %zu: \"%s\" reads back differently", i, text);
        EXPECT(same_string(out.by, in->by), "row %zu: by %s", i,
               unit_str(out.by));
        EXPECT(same_string(out.message, rows[i].message_out),
               "row %zu: message %s", i, unit_str(out.message));
    }
    EXPECT_ALL();
}

static void test_in_force_and_pending(void **state)
{
    static const struct {
        const char *why;
        int on;
        apr_int64_t start, end, now;  /* seconds; 0: unset */
        int in_force, pending;
    } rows[] = {
        { "off", 0, 0, 0, T0, 0, 0 },
        { "off, inside a window", 0, T0 - 60, T0 + 60, T0, 0, 0 },
        { "on, no window", 1, 0, 0, T0, 1, 1 },
        { "window not yet open", 1, T0 + 60, T0 + 3600, T0, 0, 1 },
        { "window opening now", 1, T0, T0 + 3600, T0, 1, 1 },
        { "window open", 1, T0 - 60, T0 + 60, T0, 1, 1 },
        { "window closing now", 1, T0 - 3600, T0, T0, 0, 0 },
        { "window closed", 1, T0 - 3600, T0 - 60, T0, 0, 0 },
        { "start only, not yet", 1, T0 + 60, 0, T0, 0, 1 },
        { "start only, passed", 1, T0 - 60, 0, T0, 1, 1 },
        { "end only, not yet", 1, 0, T0 + 60, T0, 1, 1 },
        { "end only, passed", 1, 0, T0 - 60, T0, 0, 0 },
    };
    size_t i;

    (void)state;
    for (i = 0; i < ARRAY_LEN(rows); i++) {
        maintenance_state st = { rows[i].on, SEC(rows[i].start),
                                 SEC(rows[i].end), 0, NULL, NULL, 0 };
        int in_force = maintenance_state_in_force(&st, SEC(rows[i].now));
        int pending = maintenance_state_pending(&st, SEC(rows[i].now));

        EXPECT(!in_force == !rows[i].in_force, "%s: in_force %d",
               rows[i].why, in_force);
        EXPECT(!pending == !rows[i].pending, "%s: pending %d",
               rows[i].why, pending);
    }
    EXPECT_ALL();
}

/* What the toggle form and maintenancectl's options make of a window. */
static void test_window_from_fields(void **state)
{
    apr_pool_t *p = *state;
    const apr_time_t now = apr_time_from_sec(1800000000);
    maintenance_state st;

    memset(&st, 0, sizeof(st));
    st.changed = now;
    assert_null(maintenance_state_window(&st, NULL, NULL, "30m", "", p));
    assert_true(st.start == 0 && st.end == now + apr_time_from_sec(1800));

    memset(&st, 0, sizeof(st));
    st.changed = now;
    assert_null(maintenance_state_window(&st, "2030-01-01T00:00:00Z", NULL,
                                         "1h", "", p));
    assert_true(st.end - st.start == apr_time_from_sec(3600));

    memset(&st, 0, sizeof(st));
    st.changed = now;
    assert_null(maintenance_state_window(&st, NULL, "2030-01-01T00:00:00Z",
                                         NULL, "", p));
    assert_true(st.start == 0 && st.end > now);

    /* Each error names its field and value. */
    assert_non_null(strstr(maintenance_state_window(&st, "soon", NULL, NULL,
                                                    "--", p),
                           "--start 'soon'"));
    assert_non_null(strstr(maintenance_state_window(&st, NULL, NULL, "3x", "",
                                                    p), "for '3x'"));
    assert_non_null(maintenance_state_window(&st, NULL, "2030-01-01T00:00:00Z",
                                             "1h", "", p));
    memset(&st, 0, sizeof(st));
    st.changed = now;
    assert_non_null(maintenance_state_window(&st, NULL, "2020-01-01T00:00:00Z",
                                             NULL, "", p));
}

/* What django-maintenance-mode 0.23 writes for a scheduled state:
 * json.dumps({"start": start.isoformat(), "end": ...}), byte for byte. */
static void test_django_schedule(void **state)
{
    apr_pool_t *p = *state;
    maintenance_state st;

    assert_null(parse(&st, "{\"start\": \"2026-11-22T10:00:00+00:00\", "
                      "\"end\": \"2026-11-22T11:00:00+00:00\"}", p));
    assert_int_equal(st.on, 1);
    assert_true(st.start == SEC(T0));
    assert_true(st.end == SEC(T0 + 3600));

    /* Microseconds and another zone, as isoformat() gives them. */
    assert_null(parse(&st, "{\"start\": \"2026-11-22T11:00:00.250000+01:00\", "
                      "\"end\": null}", p));
    assert_true(st.start == SEC(T0));
    assert_true(st.end == 0);

    assert_null(parse(&st, "{\"start\": null, \"end\": "
                      "\"2026-11-22T11:00:00+00:00\"}\n", p));
    assert_int_equal(st.on, 1);
    assert_true(st.start == 0);
    assert_true(st.end == SEC(T0 + 3600));

    /* Compact, and its members either way round. */
    assert_null(parse(&st, "{\"end\":\"2026-11-22T11:00:00Z\"}", p));
    assert_true(st.end == SEC(T0 + 3600));
}

/* Django refuses these too: another key, no time at all, an end before
 * the start; and JSON that is not the schedule's shape. */
static void test_django_schedule_rejected(void **state)
{
    static const char *const bad[] = {
        "{}",
        "{\"start\": null, \"end\": null}",
        "{\"start\": \"2026-11-22T10:00:00Z\", \"mode\": \"x\"}",
        "{\"start\": \"2026-11-22T10:00:00Z\", \"start\": null}",
        "{\"start\": \"2026-11-22T11:00:00Z\", "
        "\"end\": \"2026-11-22T10:00:00Z\"}",
        "{\"start\": \"tomorrow\"}",
        "{\"start\": 1795341600}",
        "{\"start\": \"2026-11-22T10:00:00Z\"",
        "{\"start\": \"2026-11-22T10:00:00Z\"} x",
        "{\"start\": \"2026-11-22T10:00:00Z\",}",
        "{\"st\\u0061rt\": \"2026-11-22T10:00:00Z\"}",
        "[\"2026-11-22T10:00:00Z\"]",
        "{\"start\": nul}",
    };
    maintenance_state st;
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        if (!parse(&st, bad[i], *state)) {
            fail_msg("accepted: %s", bad[i]);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_spec_example),
        UNIT_TEST(test_first_line_words),
        UNIT_TEST(test_crlf_and_blank_lines),
        UNIT_TEST(test_unknown_keys_ignored),
        UNIT_TEST(test_message_keeps_equals_signs),
        UNIT_TEST(test_time_fields),
        UNIT_TEST(test_garbage_rejected),
        UNIT_TEST(test_size_limit),
        UNIT_TEST(test_format_spec_example),
        UNIT_TEST(test_format_leaves_out_unset),
        UNIT_TEST(test_format_read_only),
        UNIT_TEST(test_mode_field),
        UNIT_TEST(test_format_parse_round_trip),
        UNIT_TEST(test_in_force_and_pending),
        UNIT_TEST(test_window_from_fields),
        UNIT_TEST(test_django_schedule),
        UNIT_TEST(test_django_schedule_rejected),
    };

    return UNIT_RUN("state", tests);
}
