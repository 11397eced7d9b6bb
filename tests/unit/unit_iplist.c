/* MaintenanceIgnoreIP lists: addresses and CIDR ranges, IPv4 and IPv6. */
#include <string.h>

#include <apr_network_io.h>
#include <apr_tables.h>

#include "unit.h"
#include "iplist.h"

static apr_array_header_t *new_list(apr_pool_t *p)
{
    return apr_array_make(p, 4, sizeof(apr_ipsubnet_t *));
}

/* A client address as httpd has it; a v6 literal (v4-mapped too) is
 * AF_INET6, as on a dual-stack listener. */
static apr_sockaddr_t *client(const char *ip, apr_pool_t *p)
{
    apr_sockaddr_t *sa = NULL;
    apr_int32_t family = strchr(ip, ':') ? APR_INET6 : APR_INET;

    assert_int_equal(apr_sockaddr_info_get(&sa, ip, family, 80, 0, p),
                     APR_SUCCESS);
    assert_int_equal(sa->family, family);
    return sa;
}

static void test_add_accepts(void **state)
{
    static const char *const rows[] = {
        "10.0.0.1", "0.0.0.0", "255.255.255.255",
        "192.168.0.0/16", "10.0.0.0/8", "10.0.0.1/32", "172.16.0.0/12",
        "::1", "::", "2001:db8::1", "fe80::1", "2001:DB8::abcd",
        "2001:db8::/32", "fe80::/10", "2001:db8::1/128", "::/1",
    };
    apr_array_header_t *list = new_list(*state);
    size_t i;

    for (i = 0; i < ARRAY_LEN(rows); i++) {
        const char *err = maintenance_iplist_add(list, rows[i], *state);

        EXPECT(!err, "\"%s\": %s", rows[i], unit_str(err));
    }
    EXPECT(list->nelts == (int)ARRAY_LEN(rows), "%d ranges in the list",
           list->nelts);
    EXPECT_ALL();
}

static void test_add_rejects(void **state)
{
    static const char *const rows[] = {
        "", "nonsense", "localhost", "10.1", "10", "10.1.2",
        "1.2.3.",                       /* read as 1.2.3.0/24 by APR */
        "300.1.1.1", "1.2.3.256", "1.2.3.4.5", "1..2.3", "1.2.3.4 ",
        " 1.2.3.4", "1.2.3.4/33", "1.2.3.4/", "1.2.3.4/x", "1.2.3.4/-1",
        "1.2.3.4/8/8", "10.1/16", "2001:db8::/129", "2001:db8:::1",
        "2001:db8::g", "12345::1", "1.2.3.4:80",
    };
    size_t i;

    for (i = 0; i < ARRAY_LEN(rows); i++) {
        apr_array_header_t *list = new_list(*state);
        const char *err = maintenance_iplist_add(list, rows[i], *state);

        EXPECT(err != NULL, "\"%s\": accepted", rows[i]);
        EXPECT(!err || *err, "\"%s\": empty error text", rows[i]);
        EXPECT(list->nelts == 0, "\"%s\": %d ranges added", rows[i],
               list->nelts);
    }
    EXPECT_ALL();
}

static void test_match(void **state)
{
    static const char *const rules[] = {
        "10.0.0.1", "192.168.0.0/16", "2001:db8::/32", "::1",
    };
    static const struct {
        const char *client;
        int match;
    } rows[] = {
        { "10.0.0.1", 1 },
        { "10.0.0.2", 0 },
        { "10.0.0.0", 0 },
        { "192.168.0.0", 1 },
        { "192.168.44.3", 1 },
        { "192.168.255.255", 1 },
        { "192.169.0.1", 0 },
        { "192.167.255.255", 0 },
        { "127.0.0.1", 0 },
        { "2001:db8::1", 1 },
        { "2001:db8:ffff:ffff::5", 1 },
        { "2001:db9::1", 0 },
        { "2001:db7:ffff::1", 0 },
        { "::1", 1 },
        { "::2", 0 },
        { "fe80::1", 0 },
        /* IPv4 clients on an IPv6 listener match the IPv4 rules. */
        { "::ffff:10.0.0.1", 1 },
        { "::ffff:192.168.1.1", 1 },
        { "::ffff:10.0.0.2", 0 },
        { "::ffff:127.0.0.1", 0 },
    };
    apr_array_header_t *list = new_list(*state);
    size_t i;

    for (i = 0; i < ARRAY_LEN(rules); i++) {
        assert_null(maintenance_iplist_add(list, rules[i], *state));
    }
    for (i = 0; i < ARRAY_LEN(rows); i++) {
        int got = maintenance_iplist_match(list, client(rows[i].client,
                                                        *state));

        EXPECT(!got == !rows[i].match, "%s: match %d", rows[i].client, got);
    }
    EXPECT_ALL();
}

static void test_match_empty_list(void **state)
{
    static const char *const clients[] = { "10.0.0.1", "::1",
                                           "::ffff:10.0.0.1" };
    apr_array_header_t *list = new_list(*state);
    size_t i;

    for (i = 0; i < ARRAY_LEN(clients); i++) {
        assert_false(maintenance_iplist_match(list,
                                              client(clients[i], *state)));
    }
}

/* One family's rule never matches the other family's addresses. */
static void test_match_family(void **state)
{
    static const struct {
        const char *rule, *client;
    } rows[] = {
        { "::1", "127.0.0.1" },
        { "::", "0.0.0.0" },
        { "2001:db8::/32", "32.1.13.184" },     /* 0x20010db8 */
        { "32.1.13.184", "2001:db8::" },
        { "127.0.0.1", "::1" },
    };
    size_t i;

    for (i = 0; i < ARRAY_LEN(rows); i++) {
        apr_array_header_t *list = new_list(*state);

        assert_null(maintenance_iplist_add(list, rows[i].rule, *state));
        EXPECT(!maintenance_iplist_match(list, client(rows[i].client,
                                                      *state)),
               "rule %s matches %s", rows[i].rule, rows[i].client);
    }
    EXPECT_ALL();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_add_accepts),
        UNIT_TEST(test_add_rejects),
        UNIT_TEST(test_match),
        UNIT_TEST(test_match_empty_list),
        UNIT_TEST(test_match_family),
    };

    return UNIT_RUN("iplist", tests);
}
