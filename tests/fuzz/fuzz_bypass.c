/* Bypass tokens as a browser hands them back (a cookie, a URL path): any
 * bytes. Only a token this key minted is valid or expired, and it says
 * what it was minted with. */
#include <apr_strings.h>

#include "fuzz.h"
#include "bypass.h"

static const maintenance_bypass_key KEY = {
    (const unsigned char *)"fuzzing-key-fuzzing-key-fuzzing-key!", 36
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_input_pool();
    const char *token = fuzz_copy(p, data, size, 0), *label, *err, *again;
    apr_time_t now = apr_time_from_sec(APR_INT64_C(1795341600)), expires;
    maintenance_bypass_verdict v;

    v = maintenance_bypass_verify(&KEY, token, size, now, &expires, &label,
                                  p);
    if (v == MAINTENANCE_BYPASS_FORGED) {
        return 0;
    }
    /* Genuine: minting what it says gives it back, byte for byte. */
    FUZZ_CHECK((v == MAINTENANCE_BYPASS_VALID) == (now < expires));
    again = maintenance_bypass_mint(&KEY, expires, label, p, &err);
    FUZZ_CHECK(again && strlen(again) == size
               && !memcmp(again, token, size));
    return 0;
}
