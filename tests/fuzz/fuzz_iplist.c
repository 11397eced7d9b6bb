/* MaintenanceIgnoreIP arguments: one C string into maintenance_iplist_add;
 * a range it accepts is matched against a few fixed client addresses, and
 * an address given alone matches itself. */
#include "fuzz.h"
#include "iplist.h"

static struct {
    const char *text;
    apr_int32_t family;
    apr_sockaddr_t *sa;
} clients[] = {
    { "127.0.0.1", APR_UNSPEC, NULL },
    { "10.1.2.3", APR_UNSPEC, NULL },
    { "::1", APR_INET6, NULL },
    /* The way an IPv4 client reaches a server listening on IPv6. */
    { "::ffff:10.1.2.3", APR_INET6, NULL },
};
#define NCLIENTS (sizeof(clients) / sizeof(clients[0]))

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    size_t i;

    (void)argc;
    (void)argv;
    fuzz_init();
    for (i = 0; i < NCLIENTS; i++) {
        FUZZ_CHECK(apr_sockaddr_info_get(&clients[i].sa, clients[i].text,
                                         clients[i].family, 80, 0, fuzz_root)
                   == APR_SUCCESS);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_input_pool();
    const char *arg = fuzz_string(p, data, size);
    apr_array_header_t *list = apr_array_make(p, 1, sizeof(apr_ipsubnet_t *));
    size_t i;

    if (maintenance_iplist_add(list, arg, p)) {
        FUZZ_CHECK(list->nelts == 0);
        return 0;
    }
    FUZZ_CHECK(list->nelts == 1);
    for (i = 0; i < NCLIENTS; i++) {
        int match = maintenance_iplist_match(list, clients[i].sa);

        FUZZ_CHECK(match || strcmp(arg, clients[i].text));
    }
    return 0;
}
