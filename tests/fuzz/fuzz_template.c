/* MaintenanceTemplate pages with hostile values, and the escaping of
 * every value put into a body. The input is a template and up to nine
 * values ({{message}}, {{retry_after}}, {{start}}, {{end}}, then
 * {{start_utc}}, {{start_human}}, {{end_utc}}, {{end_human}} and
 * {{refresh}}), separated by NUL bytes: a value is a C string, so a NUL
 * is the one byte none can hold; a missing value is none.
 *
 * Properties: maintenance_escape_html leaves no character that ends text
 * or an attribute, and its entities decode back to the value; a rendered
 * page holds exactly as many of those characters as the same template
 * rendered with a harmless stand-in for each value there is (so that the
 * same {{#sections}} show), whatever the values; maintenance_escape_json
 * gives what a JSON parser reads back as the value (json.h). */
#include "fuzz.h"
#include "json.h"
#include "template.h"

#define NVALUES 9

/* What HTML escaping must never let through raw, and how each is
 * written instead. */
static const char specials[] = "&<>\"'";
static const char *const entities[] = {
    "&amp;", "&lt;", "&gt;", "&quot;", "&#39;"
};
#define NENTITIES ((int)(sizeof(entities) / sizeof(entities[0])))

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

/* s escaped for HTML: no raw < > " ', and each & starts an entity that
 * stands for the next character of s. */
static void check_html(apr_pool_t *p, const char *s)
{
    const char *e = maintenance_escape_html(p, s);

    while (*e) {
        if (*e == '&') {
            int i = 0;

            while (i < NENTITIES && strncmp(e, entities[i], strlen(entities[i]))) {
                i++;
            }
            FUZZ_CHECK(i < NENTITIES && *s == specials[i]);
            e += strlen(entities[i]);
        }
        else {
            FUZZ_CHECK(!strchr(specials, *e) && *e == *s);
            e++;
        }
        s++;
    }
    FUZZ_CHECK(!*s);
}

static void check_json(apr_pool_t *p, const char *s)
{
    const char *json = maintenance_escape_json(p, s);

    FUZZ_CHECK(!strcmp(fuzz_json_decode(p, json), fuzz_json_expected(p, s)));
}

/* A value that shows the same sections as v and holds nothing to
 * escape. */
static const char *stand_in(const char *v)
{
    return v && *v ? "x" : v;
}

static apr_size_t count(const char *s, char c)
{
    apr_size_t n = 0;

    for (; *s; s++) {
        n += *s == c;
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_input_pool();
    const uint8_t *end = data + size, *nul = memchr(data, '\0', size), *part;
    const char *value[NVALUES] = { NULL }, *text, *page, *bare;
    maintenance_template_vars vars, harmless;
    maintenance_template *t;
    apr_size_t len = nul ? (apr_size_t)(nul - data) : size;
    int i;

    /* The template, in a block of its own: it is given with its length. */
    text = fuzz_copy(p, data, len, 0);
    for (i = 0, part = nul; part && i < NVALUES; i++) {
        part++;
        nul = memchr(part, '\0', (size_t)(end - part));
        value[i] = fuzz_copy(p, part, (size_t)((nul ? nul : end) - part), 1);
        check_html(p, value[i]);
        check_json(p, value[i]);
        part = nul;
    }

    if (maintenance_template_compile(&t, text, len, p)) {
        return 0;
    }
    vars.message = value[0];
    vars.retry_after = value[1];
    vars.start = value[2];
    vars.end = value[3];
    vars.start_utc = value[4];
    vars.start_human = value[5];
    vars.end_utc = value[6];
    vars.end_human = value[7];
    vars.refresh = value[8];
    harmless.message = stand_in(vars.message);
    harmless.retry_after = stand_in(vars.retry_after);
    harmless.start = stand_in(vars.start);
    harmless.end = stand_in(vars.end);
    harmless.start_utc = stand_in(vars.start_utc);
    harmless.start_human = stand_in(vars.start_human);
    harmless.end_utc = stand_in(vars.end_utc);
    harmless.end_human = stand_in(vars.end_human);
    harmless.refresh = stand_in(vars.refresh);
    page = maintenance_template_render(t, &vars, p);
    bare = maintenance_template_render(t, &harmless, p);
    /* Every < > " ' of the page is the template's own (an & may come
     * from an entity). */
    for (i = 1; specials[i]; i++) {
        FUZZ_CHECK(count(page, specials[i]) == count(bare, specials[i]));
    }
    return 0;
}
