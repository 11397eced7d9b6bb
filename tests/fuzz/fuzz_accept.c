/* The Accept header, as any client sends it: one C string into
 * maintenance_accept_prefers_json, which must answer (no crash, no hang)
 * with a yes or a no. */
#include "accept.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    /* A request without the header gets HTML. */
    FUZZ_CHECK(maintenance_accept_prefers_json(NULL) == 0);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_input_pool();
    int json = maintenance_accept_prefers_json(fuzz_string(p, data, size));

    FUZZ_CHECK(json == 0 || json == 1);
    return 0;
}
