/* The state record as read from a store: arbitrary bytes into
 * maintenance_state_parse, and a state it accepts written and read again.
 *
 * What the round trip may change, and nothing else: a value was parsed
 * from one line, so it has no '\n' and no blanks around it, but it may
 * hold a '\r', which the writer turns into a space; an empty value ("by=")
 * is left out by the writer and reads back as none; a time spelled as
 * Unix seconds or with an offset is written as ISO 8601 UTC, the same
 * second. fuzz_read_back (roundtrip.h) says exactly that. */
#include "fuzz.h"
#include "roundtrip.h"
#include "state.h"
#include "timefmt.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

/* Two parses of one text give one state. */
static int same_state(const maintenance_state *a, const maintenance_state *b)
{
    return a->on == b->on && a->read_only == b->read_only
           && a->start == b->start && a->end == b->end
           && a->changed == b->changed && fuzz_same_str(a->by, b->by)
           && fuzz_same_str(a->message, b->message);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_input_pool();
    const char *text = (const char *)data, *unknown, *err;
    maintenance_state st, plain;

    /* Asking for the unknown keys changes nothing else. */
    err = maintenance_state_parse(&st, text, size, &unknown, p);
    FUZZ_CHECK(!maintenance_state_parse(&plain, text, size, NULL, p) == !err);
    if (err) {
        return 0;
    }
    FUZZ_CHECK(same_state(&st, &plain));
    FUZZ_CHECK(!unknown || !strchr(unknown, '\n'));
    FUZZ_CHECK(st.on == 0 || st.on == 1);
    FUZZ_CHECK(st.read_only == 0 || st.read_only == 1);
    FUZZ_CHECK(!st.start || MAINTENANCE_TIME_VALID(st.start));
    FUZZ_CHECK(!st.end || MAINTENANCE_TIME_VALID(st.end));
    FUZZ_CHECK(!st.changed || MAINTENANCE_TIME_VALID(st.changed));
    FUZZ_CHECK(!st.start || !st.end || st.end > st.start);
    fuzz_check_round_trip(&st, p);
    return 0;
}
