/* What every harness shares: libFuzzer's entry points, APR pools, copies
 * of the input that AddressSanitizer can guard, and the way a broken
 * property is reported. */
#ifndef MAINTENANCE_FUZZ_H
#define MAINTENANCE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>

/* Called by libFuzzer, or by regress.c when make test replays a corpus. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken property: say which and abort, so that libFuzzer keeps the
 * input as a crash and the replay in make test fails on it. */
#define FUZZ_CHECK(cond) do { \
    if (!(cond)) { \
        fprintf(stderr, "%s:%d: property broken: %s\n", __FILE__, __LINE__, \
                #cond); \
        abort(); \
    } \
} while (0)

/* fuzz_root lives for the whole run (what LLVMFuzzerInitialize makes);
 * fuzz_scratch is cleared for each input, so memory stays flat over
 * millions of runs. */
static apr_pool_t *fuzz_root;
static apr_pool_t *fuzz_scratch;

static inline void fuzz_init(void)
{
    FUZZ_CHECK(apr_initialize() == APR_SUCCESS);
    /* At exit, before LeakSanitizer looks: the pools' cleanups free the
     * last input's copies. */
    FUZZ_CHECK(atexit(apr_terminate) == 0);
    FUZZ_CHECK(apr_pool_create(&fuzz_root, NULL) == APR_SUCCESS);
    FUZZ_CHECK(apr_pool_create(&fuzz_scratch, fuzz_root) == APR_SUCCESS);
}

/* The pool of one input, empty. */
static inline apr_pool_t *fuzz_input_pool(void)
{
    apr_pool_clear(fuzz_scratch);
    return fuzz_scratch;
}

static inline apr_status_t fuzz_free(void *mem)
{
    free(mem);
    return APR_SUCCESS;
}

/* size bytes of data in a malloc'd block of their own, with a NUL after
 * them if nul: AddressSanitizer guards the end of such a block, not the end
 * of a string inside a pool's, so a parser reading one byte too far is
 * caught. Freed when p is cleared. */
static inline char *fuzz_copy(apr_pool_t *p, const void *data, size_t size,
                              int nul)
{
    char *c = malloc(size + (nul ? 1 : 0));

    FUZZ_CHECK(c != NULL || (size == 0 && !nul));
    if (size) {
        memcpy(c, data, size);
    }
    if (nul) {
        c[size] = '\0';
    }
    apr_pool_cleanup_register(p, c, fuzz_free, apr_pool_cleanup_null);
    return c;
}

/* The input as a C string, as a parser of one is given it: cut at its
 * first NUL, like any C string. */
static inline const char *fuzz_string(apr_pool_t *p, const uint8_t *data,
                                      size_t size)
{
    return fuzz_copy(p, data, size, 1);
}

#endif
