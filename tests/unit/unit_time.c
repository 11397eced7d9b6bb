/* Times (ISO 8601, Unix seconds), durations and seconds. */
#include <string.h>

#include "unit.h"
#include "timefmt.h"

/* 2026-11-22T10:00:00Z */
#define T0 APR_INT64_C(1795341600)

typedef struct {
    const char *in;
    apr_int64_t usecs;
} valid_row;

/* apr_time_t and apr_interval_time_t are both apr_int64_t, so the three
 * parsers share a type. */
typedef const char *(*parse_fn)(const char *s, apr_int64_t *out);

/* Every row parses to its value (in microseconds). */
static void expect_valid(parse_fn parse, const valid_row *rows, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        apr_int64_t got = -12345;
        const char *err = parse(rows[i].in, &got);

        EXPECT(!err, "\"%s\": error %s", rows[i].in, unit_str(err));
        EXPECT(err || got == rows[i].usecs,
               "\"%s\": got %" APR_INT64_T_FMT " us, expected %"
               APR_INT64_T_FMT, rows[i].in, got, rows[i].usecs);
    }
    EXPECT_ALL();
}

/* Every row is an error, with a text, and leaves the output alone. */
static void expect_invalid(parse_fn parse, const char *const *rows, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        apr_int64_t got = -12345;
        const char *err = parse(rows[i], &got);

        EXPECT(err != NULL, "\"%s\": accepted as %" APR_INT64_T_FMT " us",
               rows[i], got);
        EXPECT(!err || *err, "\"%s\": empty error text", rows[i]);
    }
    EXPECT_ALL();
}

#define S(secs) apr_time_from_sec(secs)

static void test_time_valid(void **state)
{
    static const valid_row rows[] = {
        { "2026-11-22T10:00:00Z", S(T0) },
        { "2026-11-22T10:00Z", S(T0) },
        { "2026-11-22T10:00:00", S(T0) },           /* no zone: UTC */
        { "2026-11-22T10:00", S(T0) },
        { "2026-11-22T10:00:59Z", S(T0 + 59) },
        { "2026-11-22t10:00:00z", S(T0) },
        { "2026-11-22 10:00:00Z", S(T0) },
        { "2026-11-22T10:00:00.999Z", S(T0) },      /* to the second */
        { "2026-11-22T10:00:00.5", S(T0) },
        { "2026-11-22T11:00:00+01:00", S(T0) },
        { "2026-11-22T11:00:00+0100", S(T0) },
        { "2026-11-22T11:00:00+01", S(T0) },
        { "2026-11-22T11:00:00.25+01:00", S(T0) },
        { "2026-11-22T05:00:00-05:00", S(T0) },
        { "2026-11-22T05:30:00-04:30", S(T0) },
        { "2026-11-22T15:45:00+05:45", S(T0) },
        { "2026-11-23T00:00:00+14:00", S(T0) },     /* the day after */
        { "2026-11-21T23:00:00-11:00", S(T0) },     /* the day before */
        { "2026-11-22T10:00:00+00:00", S(T0) },
        { "2026-11-22T10:00:00-00:00", S(T0) },
        { "2028-02-29T00:00:00Z", S(1835395200) },  /* leap day */
        { "2026-12-31T23:59:59Z", S(1798761599) },
        { "1970-01-01T00:00:01Z", S(1) },
        { "9999-12-31T23:59:59Z", S(APR_INT64_C(253402300799)) },
        { "2026-06-30T23:59:60Z", S(APR_INT64_C(1782864000)) }, /* leap */
        { "253402300799", S(APR_INT64_C(253402300799)) },
        { "9999-12-31T23:59:59-00:00", S(APR_INT64_C(253402300799)) },
        { "1795341600", S(T0) },                    /* Unix seconds */
        { "1", S(1) },
    };

    (void)state;
    expect_valid(maintenance_time_parse, rows, ARRAY_LEN(rows));
}

static void test_time_invalid(void **state)
{
    static const char *const rows[] = {
        "", "now", "yesterday", "T", "Z",
        "2026-11-22",                   /* a date without a time */
        "2026-11-22T10",
        "2026-11-22T10:",
        "2026-11-22T10:00:",
        "2026-11-22T10:00:0Z",
        "2026-11-22T1:00:00Z",
        "2026-11-2T10:00:00Z",
        "26-11-22T10:00:00Z",
        "2026/11/22T10:00:00Z",
        "2026-11-22X10:00:00Z",
        "2026-11-22T10:00:00ZZ",
        "2026-11-22T10:00:00Z ",
        " 2026-11-22T10:00:00Z",
        "2026-11-22T10:00:00 UTC",
        "2026-11-22T10:00:00+1",
        "2026-11-22T10:00:00+01:0",
        "2026-11-22T10:00:00+",
        "2026-11-22T10:00:00+01:00:00",
        "2026-13-01T00:00:00Z",
        "2026-00-10T00:00:00Z",
        "2026-11-32T00:00:00Z",
        "2026-11-00T00:00:00Z",
        "2026-11-22T24:00:00Z",
        "2026-11-22T10:60:00Z",
        "2026-11-22T10:00:61Z",
        "1969-12-31T23:59:59Z",
        "0", "-1", "+1795341600", "1795341600.5", "1795341600s",
        "12345678901234",               /* Unix time out of range */
        /* A state holds four-digit years, from 1970: */
        "253402300800", "999999999999",
        "9999-12-31T23:59:59-01:00",
        "1970-01-01T00:30:00+01:00",
    };

    (void)state;
    expect_invalid(maintenance_time_parse, rows, ARRAY_LEN(rows));
}

/* Dates and offsets that look right digit by digit but do not exist. */
static void test_time_invalid_calendar(void **state)
{
    static const char *const rows[] = {
        "2026-02-29T00:00:00Z",         /* 2026 is not a leap year */
        "2026-02-30T00:00:00Z",
        "2026-04-31T00:00:00Z",
        "2026-11-22T10:00:00+24:00",    /* offsets: -23:59 to +23:59 */
        "2026-11-22T10:00:00+01:60",
        "2026-11-22T10:00:00-99:99",
    };

    (void)state;
    expect_invalid(maintenance_time_parse, rows, ARRAY_LEN(rows));
}

static void test_time_format(void **state)
{
    static const struct {
        apr_time_t t;
        const char *out;
    } rows[] = {
        { S(T0), "2026-11-22T10:00:00Z" },
        { S(T0) + 999999, "2026-11-22T10:00:00Z" },
        { S(T0 - 2836), "2026-11-22T09:12:44Z" },
        { S(1835395200), "2028-02-29T00:00:00Z" },
        { S(1798761599), "2026-12-31T23:59:59Z" },
        { 0, "1970-01-01T00:00:00Z" },
    };
    size_t i;

    (void)state;
    for (i = 0; i < ARRAY_LEN(rows); i++) {
        char buf[MAINTENANCE_TIME_LEN + 8];

        memset(buf, '#', sizeof(buf));
        maintenance_time_format(buf, rows[i].t);
        EXPECT(!strcmp(buf, rows[i].out), "%" APR_TIME_T_FMT ": got \"%.*s\"",
               rows[i].t, MAINTENANCE_TIME_LEN, buf);
        EXPECT(buf[MAINTENANCE_TIME_LEN] == '#',
               "%" APR_TIME_T_FMT ": wrote past MAINTENANCE_TIME_LEN",
               rows[i].t);
    }
    EXPECT_ALL();
}

/* format, then parse: the same second. */
static void test_time_round_trip(void **state)
{
    static const apr_int64_t secs[] = { 1, 86399, T0, T0 - 2836, 1835395200,
                                        4102444799 /* 2099-12-31 */ };
    size_t i;

    (void)state;
    for (i = 0; i < ARRAY_LEN(secs); i++) {
        char buf[MAINTENANCE_TIME_LEN];
        apr_time_t back = 0;
        const char *err;

        maintenance_time_format(buf, S(secs[i]));
        err = maintenance_time_parse(buf, &back);
        EXPECT(!err && back == S(secs[i]),
               "%" APR_INT64_T_FMT " -> \"%s\" -> %s %" APR_TIME_T_FMT,
               secs[i], buf, unit_str(err), back);
    }
    EXPECT_ALL();
}

static void test_duration_valid(void **state)
{
    static const valid_row rows[] = {
        { "90", S(90) },
        { "1", S(1) },
        { "45s", S(45) },
        { "30m", S(1800) },
        { "2h", S(7200) },
        { "1h30m", S(5400) },
        { "1d", S(86400) },
        { "1d2h3m4s", S(93784) },
        { "2h0m", S(7200) },
        { "0h5m", S(300) },
        { "90m", S(5400) },
        { "3650d", S(3650 * APR_INT64_C(86400)) },
    };

    (void)state;
    expect_valid(maintenance_duration_parse, rows, ARRAY_LEN(rows));
}

static void test_duration_invalid(void **state)
{
    static const char *const rows[] = {
        "", "0", "0s", "0m", "0h0m", "00",
        "1h30",                         /* 30 what? */
        "x", "h", "m30", "1x", "1 h", "1h 30m", " 30m", "30m ",
        "-1", "-30m", "+30m", "1.5h", "30min", "1w",
        "3651d",                        /* over ten years */
        "99999999999999999999999999",   /* would overflow */
        "999999999999999d",
    };

    (void)state;
    expect_invalid(maintenance_duration_parse, rows, ARRAY_LEN(rows));
}

static void test_seconds_valid(void **state)
{
    static const valid_row rows[] = {
        { "1", 1000000 },
        { "0", 0 },
        { "0.5", 500000 },
        { "0.25", 250000 },
        { "2.000", 2000000 },
        { "10", 10000000 },
        { "0.000001", 1 },
        { "1.5", 1500000 },
    };

    (void)state;
    expect_valid(maintenance_seconds_parse, rows, ARRAY_LEN(rows));
}

static void test_seconds_invalid(void **state)
{
    static const char *const rows[] = {
        "", "abc", "-1", "-0.5", "+1", ".", "1s", "1 ", " 1", "1,5",
        "1.2.3", "nan", "inf",
    };

    (void)state;
    expect_invalid(maintenance_seconds_parse, rows, ARRAY_LEN(rows));
}

/* "Seconds with an optional fraction": not C's other number notations. */
static void test_seconds_only_decimal(void **state)
{
    static const char *const rows[] = { "0x10", "1e3", "5E-1" };

    (void)state;
    expect_invalid(maintenance_seconds_parse, rows, ARRAY_LEN(rows));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_time_valid),
        UNIT_TEST(test_time_invalid),
        UNIT_TEST(test_time_invalid_calendar),
        UNIT_TEST(test_time_format),
        UNIT_TEST(test_time_round_trip),
        UNIT_TEST(test_duration_valid),
        UNIT_TEST(test_duration_invalid),
        UNIT_TEST(test_seconds_valid),
        UNIT_TEST(test_seconds_invalid),
        UNIT_TEST(test_seconds_only_decimal),
    };

    return UNIT_RUN("time", tests);
}
