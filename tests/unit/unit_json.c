/* JSON objects as the module writes them. */
#include <string.h>

#include "unit.h"
#include "json.h"

static void test_json_members(void **state)
{
    maintenance_json j;

    maintenance_json_begin(&j, *state);
    maintenance_json_str(&j, "title", "Service \"Unavailable\"");
    maintenance_json_int(&j, "status", 503);
    maintenance_json_raw(&j, "maintenance", "true");
    maintenance_json_str(&j, "end", NULL);
    maintenance_json_str(&j, "detail", "caf\xe9\n");
    assert_string_equal(maintenance_json_end(&j),
                        "{\"title\":\"Service \\\"Unavailable\\\"\","
                        "\"status\":503,\"maintenance\":true,\"end\":null,"
                        "\"detail\":\"caf\\ufffd\\n\"}\n");
}

static void test_json_empty(void **state)
{
    maintenance_json j;

    maintenance_json_begin(&j, *state);
    assert_string_equal(maintenance_json_end(&j), "{}\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_json_members),
        UNIT_TEST(test_json_empty),
    };

    return UNIT_RUN("json", tests);
}
