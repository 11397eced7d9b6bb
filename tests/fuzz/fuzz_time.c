/* Times and durations as users write them (states, forms, maintenancectl,
 * directives): the input as one C string into each parser. A time
 * accepted can be stored and reads back as the same second; a duration
 * or a number of seconds accepted is within its documented range. */
#include <apr_strings.h>

#include "fuzz.h"
#include "timefmt.h"

/* The longest duration maintenance_duration_parse takes: ten years. */
#define DURATION_MAX apr_time_from_sec(APR_INT64_C(10) * 365 * 86400)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

static void check_time(const char *s)
{
    char buf[MAINTENANCE_TIME_LEN];
    apr_time_t t, back;

    if (maintenance_time_parse(s, &t)) {
        return;
    }
    FUZZ_CHECK(MAINTENANCE_TIME_VALID(t));
    maintenance_time_format(buf, t);
    FUZZ_CHECK(strlen(buf) == MAINTENANCE_TIME_LEN - 1);
    FUZZ_CHECK(!maintenance_time_parse(buf, &back));
    FUZZ_CHECK(apr_time_sec(back) == apr_time_sec(t));
}

static void check_duration(const char *s, apr_pool_t *p)
{
    apr_interval_time_t d, back;

    if (maintenance_duration_parse(s, &d)) {
        return;
    }
    FUZZ_CHECK(d > 0 && d <= DURATION_MAX);
    FUZZ_CHECK(d % APR_USEC_PER_SEC == 0);
    /* Plain seconds are a duration too: the same one. */
    FUZZ_CHECK(!maintenance_duration_parse(
        apr_psprintf(p, "%" APR_INT64_T_FMT, apr_time_sec(d)), &back));
    FUZZ_CHECK(back == d);
}

static void check_seconds(const char *s)
{
    apr_interval_time_t d;

    if (maintenance_seconds_parse(s, &d)) {
        return;
    }
    FUZZ_CHECK(d >= 0 && d <= apr_time_from_sec(86400));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_input_pool();
    const char *s = fuzz_string(p, data, size);

    check_time(s);
    check_duration(s, p);
    check_seconds(s);
    return 0;
}
