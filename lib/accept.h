/* Content negotiation between the HTML page and the JSON problem document. */
#ifndef MAINTENANCE_ACCEPT_H
#define MAINTENANCE_ACCEPT_H

/* Whether an Accept header (or NULL) prefers JSON to HTML: a JSON type
 * (application/json, application/problem+json, any +json) is named with
 * a higher quality than text/html (or an equal one, named first). Wildcards
 * favour neither, so "*" "/" "*" and a missing header get HTML. */
int maintenance_accept_prefers_json(const char *accept);

#endif
