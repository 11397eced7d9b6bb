/* Client address lists: MaintenanceIgnoreIP. */
#ifndef MAINTENANCE_IPLIST_H
#define MAINTENANCE_IPLIST_H

#include <apr_network_io.h>
#include <apr_tables.h>

/* Add an address or CIDR range (IPv4 or IPv6) to list, an array of
 * apr_ipsubnet_t *. Returns NULL or an error text. */
const char *maintenance_iplist_add(apr_array_header_t *list, const char *arg,
                                   apr_pool_t *p);

/* Whether addr is in one of the ranges of list. */
int maintenance_iplist_match(const apr_array_header_t *list,
                             apr_sockaddr_t *addr);

#endif
