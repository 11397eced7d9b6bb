/* Client address lists: MaintenanceIgnoreIP. */
#include <apr_lib.h>
#include <apr_strings.h>

#include "iplist.h"

/* apr_ipsubnet_create also takes "10.1" as 10.1.0.0/16; only whole
 * addresses are accepted, so a typo is never read as a range. */
static int whole_ipv4(const char *ip)
{
    int parts = 0;

    while (parts < 4) {
        apr_size_t n = strspn(ip, "0123456789");
        if (n == 0 || n > 3) {
            return 0;
        }
        ip += n;
        parts++;
        if (*ip != '.') {
            break;
        }
        ip++;
    }
    return parts == 4 && !*ip;
}

const char *maintenance_iplist_add(apr_array_header_t *list, const char *arg,
                                   apr_pool_t *p)
{
    char *ip = apr_pstrdup(p, arg);
    char *mask = strchr(ip, '/');
    apr_ipsubnet_t *sub;
    apr_status_t rv;

    if (mask) {
        *mask++ = '\0';
    }
    if (!strchr(ip, ':') && !whole_ipv4(ip)) {
        return "not an IPv4 or IPv6 address";
    }
    rv = apr_ipsubnet_create(&sub, ip, mask, p);
    if (rv != APR_SUCCESS) {
        return mask ? "not an address/prefix (CIDR) range"
                    : "not an IPv4 or IPv6 address";
    }
    APR_ARRAY_PUSH(list, apr_ipsubnet_t *) = sub;
    return NULL;
}

int maintenance_iplist_match(const apr_array_header_t *list,
                             apr_sockaddr_t *addr)
{
    int i;

    for (i = 0; i < list->nelts; i++) {
        if (apr_ipsubnet_test(APR_ARRAY_IDX(list, i, apr_ipsubnet_t *), addr)) {
            return 1;
        }
    }
    return 0;
}
