/* Replays a harness's committed corpus without libFuzzer, one cmocka test
 * per file, for make test: every input that once mattered (a seed, or one
 * that broke a property) is checked again on each run, and a failure
 * names its file. Built once per harness with FUZZ_NAME set to its name;
 * run from the top of the tree, as tools/run-tests.sh does. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "fuzz.h"

#define CORPUS "tests/fuzz/corpus/" FUZZ_NAME

/* tools/run-tests.sh runs each test under stdbuf, which preloads a
 * library of its own before AddressSanitizer's: harmless (it replaces no
 * allocator), but ASan would refuse to start. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "verify_asan_link_order=0";
}

/* *state is the file's path. The bytes go in a block of their exact
 * size, as libFuzzer passes them, so that AddressSanitizer sees a read
 * past the end. */
static void replay(void **state)
{
    const char *path = *state;
    FILE *f = fopen(path, "rb");
    uint8_t *data;
    long size;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    assert_true((size = ftell(f)) >= 0);
    rewind(f);
    data = malloc(size ? (size_t)size : 1);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    LLVMFuzzerTestOneInput(data, (size_t)size);
    free(data);
}

static int visible(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

int main(int argc, char **argv)
{
    struct dirent **names;
    struct CMUnitTest *tests;
    int n, i, failed;

    if ((n = scandir(CORPUS, &names, visible, alphasort)) <= 0) {
        fprintf(stderr, "no corpus in %s (run from the top of the tree)\n",
                CORPUS);
        return 1;
    }
    tests = calloc((size_t)n, sizeof(*tests));
    if (!tests) {
        return 1;
    }
    for (i = 0; i < n; i++) {
        size_t len = strlen(CORPUS) + strlen(names[i]->d_name) + 2;
        char *path = malloc(len);

        if (!path) {
            return 1;
        }
        snprintf(path, len, "%s/%s", CORPUS, names[i]->d_name);
        tests[i].name = path;
        tests[i].test_func = replay;
        tests[i].initial_state = path;
        free(names[i]);
    }
    free(names);
    LLVMFuzzerInitialize(&argc, &argv);
    failed = _cmocka_run_group_tests("fuzz_" FUZZ_NAME, tests, (size_t)n,
                                     NULL, NULL);
    /* Freed, so that LeakSanitizer has nothing to say at exit. */
    for (i = 0; i < n; i++) {
        free(tests[i].initial_state);
    }
    free(tests);
    return failed;
}
