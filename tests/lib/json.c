/* The members of a JSON answer (problem documents, the toggle's replies),
 * read with jansson. See fixture.h. */
#include "fixture_int.h"

#include <jansson.h>
#include <stdlib.h>

/* The member name of res's body, which must be one JSON object (the test
 * fails otherwise); NULL when it has no such member. *doc gets the
 * document, for the caller to release with json_decref. */
static json_t *member(const fx_res *res, const char *name, json_t **doc)
{
    json_error_t err;

    /* Without JSON_DISABLE_EOF_CHECK, anything after the object is an
     * error too. */
    if (!(*doc = json_loadb(res->body, res->body_len, 0, &err))) {
        fail_msg("not one JSON object (%s):\n%s", err.text, res->body);
    }
    if (!json_is_object(*doc)) {
        json_decref(*doc);
        fail_msg("not one JSON object:\n%s", res->body);
    }
    return json_object_get(*doc, name);
}

const char *fx_json_raw(fx *f, const fx_res *res, const char *name)
{
    json_t *doc, *value = member(res, name, &doc);
    char *text = value ? json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT)
                       : NULL;

    json_decref(doc);
    return text ? fxi_own(f, text) : NULL;
}

const char *fx_json_str(fx *f, const fx_res *res, const char *name)
{
    json_t *doc, *value = member(res, name, &doc);
    char *text = json_is_string(value) ? fxi_strdup(json_string_value(value))
                                       : NULL;

    json_decref(doc);
    return text ? fxi_own(f, text) : NULL;
}
