/* The toggle page's form fields: the raw bytes of a body (not a C string:
 * a body has a length, and may hold any byte) into maintenance_form_parse,
 * then, as a POST to /on does, a state from the fields start, end, for
 * and message through maintenance_state_window. A state it accepts is
 * written and must read back the same (roundtrip.h): the message
 * on one line and trimmed, the times to the second. */
#include "form.h"
#include "fuzz.h"
#include "roundtrip.h"
#include "state.h"
#include "timefmt.h"

/* changed: 2026-11-22T10:00:00Z, the "now" a window without a start
 * starts from. */
#define CHANGED apr_time_from_sec(APR_INT64_C(1795341600))

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

/* A field as the toggle takes it: present but empty is not given. */
static const char *field(apr_table_t *fields, const char *name)
{
    const char *v = apr_table_get(fields, name);

    return v && *v ? v : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_input_pool();
    apr_table_t *fields = apr_table_make(p, 4);
    maintenance_state st;
    apr_time_t from;

    if (maintenance_form_parse(fields, (const char *)data, size, p)) {
        return 0;
    }
    memset(&st, 0, sizeof(st));
    st.on = 1;
    st.changed = CHANGED;
    st.by = "fuzz";
    st.message = field(fields, "message");
    if (maintenance_state_window(&st, field(fields, "start"),
                                 field(fields, "end"), field(fields, "for"),
                                 "", p)) {
        return 0;
    }
    /* A window the toggle would store: times a state can hold, an end
     * after where the window starts. */
    from = st.start ? st.start : st.changed;
    FUZZ_CHECK(!st.start || MAINTENANCE_TIME_VALID(st.start));
    FUZZ_CHECK(!st.end || (MAINTENANCE_TIME_VALID(st.end) && st.end > from));
    fuzz_check_round_trip(&st, p);
    return 0;
}
