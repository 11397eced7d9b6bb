/* Content negotiation: does an Accept header prefer JSON to HTML? */
#include "unit.h"
#include "accept.h"

typedef struct {
    const char *accept;   /* NULL: no header */
    int json;
} accept_row;

static void expect_rows(const accept_row *rows, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        int got = maintenance_accept_prefers_json(rows[i].accept);

        EXPECT(!got == !rows[i].json, "Accept: %s: prefers JSON %d",
               unit_str(rows[i].accept), got);
    }
    EXPECT_ALL();
}

/* Nothing said, wildcards only, or HTML: the page. */
static void test_html(void **state)
{
    static const accept_row rows[] = {
        { NULL, 0 },
        { "", 0 },
        { "*/*", 0 },
        { "*/*;q=0.8", 0 },
        { "text/*", 0 },
        { "text/plain", 0 },
        { "application/xml", 0 },
        { "text/html", 0 },
        { "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
          0 },
        /* Close to JSON, but not JSON. */
        { "application/jsonp", 0 },
        { "text/json-ish", 0 },
        { "application/json;q=0", 0 },
    };

    (void)state;
    expect_rows(rows, ARRAY_LEN(rows));
}

/* A JSON type, and no HTML above it. */
static void test_json(void **state)
{
    static const accept_row rows[] = {
        { "application/json", 1 },
        { "application/problem+json", 1 },
        { "application/vnd.api+json", 1 },
        { "APPLICATION/JSON", 1 },
        { "application/json; charset=utf-8", 1 },
        { "application/json, text/plain, */*", 1 },
        { "*/*;q=0.1, application/json", 1 },
        { "text/plain, application/json;q=0.1", 1 },
        { "text/*, application/json;q=0.5", 1 },
        { " , ,application/json,", 1 },
    };

    (void)state;
    expect_rows(rows, ARRAY_LEN(rows));
}

static void test_qualities(void **state)
{
    static const accept_row rows[] = {
        { "text/html;q=0.5, application/json", 1 },
        { "application/json;q=0.5, text/html", 0 },
        { "application/json;q=0.5, text/html;q=0.4", 1 },
        { "text/html;q=0.4, application/json;q=0.5", 1 },
        { "application/json ; q=0.3 , text/html ; q=0.2", 1 },
        { "application/json;charset=utf-8;q=0.3, text/html;q=0.4", 0 },
        { "text/html;level=1;q=0.9, application/json;q=0.95", 1 },
        { "text/html;q=0, application/json;q=0.1", 1 },
        { "application/problem+json;q=0.9, text/html;q=0.8", 1 },
        { "text/html;q=0.8, application/json;q=0.9, text/html;q=1", 0 },
    };

    (void)state;
    expect_rows(rows, ARRAY_LEN(rows));
}

/* Equal qualities: the type named first wins. */
static void test_ties(void **state)
{
    static const accept_row rows[] = {
        { "application/json, text/html", 1 },
        { "text/html, application/json", 0 },
        { "application/json;q=0.8, text/html;q=0.8", 1 },
        { "text/html;q=0.8, application/json;q=0.8", 0 },
        { "application/json;q=0.5,text/html;q=0.5,application/json;q=0.5", 1 },
        { "text/html;q=0.5,application/json;q=0.5,text/html;q=0.5", 0 },
    };

    (void)state;
    expect_rows(rows, ARRAY_LEN(rows));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_html),
        UNIT_TEST(test_json),
        UNIT_TEST(test_qualities),
        UNIT_TEST(test_ties),
    };

    return UNIT_RUN("accept", tests);
}
