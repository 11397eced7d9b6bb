/* Assertions whose failure message shows what was there: the answer's
 * status, headers and body, or the text searched. See fixture.h. */
#include "fixture.h"

void fx_assert_status(const fx_res *res, long status, const char *file,
                      int line)
{
    if (res->status != status) {
        print_error("ERROR: status %ld, expected %ld\n--- headers\n%s"
                    "--- body\n%.2000s\n", res->status, status, res->head,
                    res->body);
        _fail(file, line);
    }
}

void fx_assert_contains(const char *what, const char *haystack,
                        const char *needle, const char *file, int line)
{
    if (!haystack || !strstr(haystack, needle)) {
        print_error("ERROR: %s lacks \"%s\":\n%.3000s\n", what, needle,
                    haystack ? haystack : "(null)");
        _fail(file, line);
    }
}

void fx_assert_lacks(const char *what, const char *haystack,
                     const char *needle, const char *file, int line)
{
    if (haystack && strstr(haystack, needle)) {
        print_error("ERROR: %s has \"%s\":\n%.3000s\n", what, needle,
                    haystack);
        _fail(file, line);
    }
}

void fx_assert_header(const fx_res *res, const char *name, const char *value,
                      const char *file, int line)
{
    const char *got = fx_header(res, name);

    if (value ? !got || strcmp(got, value) : got != NULL) {
        print_error("ERROR: header %s: \"%s\", expected %s%s%s\n"
                    "--- headers\n%s", name, got ? got : "(absent)",
                    value ? "\"" : "", value ? value : "(absent)",
                    value ? "\"" : "", res->head);
        _fail(file, line);
    }
}

void fx_assert_passes(const fx_res *res, const char *bypass,
                      const char *file, int line)
{
    fx_assert_status(res, 200, file, line);
    fx_assert_header(res, "X-Mode", "on", file, line);
    fx_assert_header(res, "X-Bypass", bypass, file, line);
}

void fx_assert_blocked(const fx_res *res, long status, const char *file,
                       int line)
{
    fx_assert_status(res, status, file, line);
    fx_assert_header(res, "X-Mode", "on", file, line);
    fx_assert_header(res, "X-Bypass", NULL, file, line);
}

void fx_assert_served(const fx_res *res, const char *file, int line)
{
    fx_assert_status(res, 200, file, line);
    fx_assert_header(res, "X-Mode", "off", file, line);
    fx_assert_header(res, "X-Bypass", NULL, file, line);
}
