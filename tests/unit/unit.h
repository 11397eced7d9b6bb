/* What every unit test program shares: cmocka, an APR pool, and checks
 * for table-driven tests that report every failing row before failing. */
#ifndef MAINTENANCE_UNIT_H
#define MAINTENANCE_UNIT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <apr_general.h>
#include <apr_pools.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The pool of the running group: each test gets a fresh subpool of it. */
static apr_pool_t *unit_root;

/* Rows of the running test that failed so far. */
static int unit_failures;

static inline int unit_group_setup(void **state)
{
    (void)state;
    if (apr_initialize() != APR_SUCCESS
        || apr_pool_create(&unit_root, NULL) != APR_SUCCESS) {
        return -1;
    }
    return 0;
}

static inline int unit_group_teardown(void **state)
{
    (void)state;
    apr_pool_destroy(unit_root);
    apr_terminate();
    return 0;
}

/* Per test: *state is an apr_pool_t * of its own. */
static inline int unit_setup(void **state)
{
    apr_pool_t *p;

    if (apr_pool_create(&p, unit_root) != APR_SUCCESS) {
        return -1;
    }
    unit_failures = 0;
    *state = p;
    return 0;
}

static inline int unit_teardown(void **state)
{
    apr_pool_destroy(*state);
    return 0;
}

#define UNIT_TEST(f) cmocka_unit_test_setup_teardown(f, unit_setup, unit_teardown)

#define UNIT_RUN(name, tests) \
    cmocka_run_group_tests_name(name, tests, unit_group_setup, \
                                unit_group_teardown)

/* In a table-driven test: note a failing row (printf-style description)
 * and go on with the next one. */
#define EXPECT(cond, ...) do { \
    if (!(cond)) { \
        print_error("%s:%d: ", __FILE__, __LINE__); \
        print_error(__VA_ARGS__); \
        print_error("\n"); \
        unit_failures++; \
    } \
} while (0)

/* At the end of a table-driven test: fail if any row did. */
#define EXPECT_ALL() do { \
    if (unit_failures) { \
        fail_msg("%d row(s) failed", unit_failures); \
    } \
} while (0)

/* A string for messages: "(null)" for NULL. */
static inline const char *unit_str(const char *s)
{
    return s ? s : "(null)";
}

#endif
