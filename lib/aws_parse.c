/* What the s3: provider reads from AWS's services: see aws_parse.h. */
#include <apr_date.h>
#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_uri.h>

#include "aws_parse.h"
#include "timefmt.h"

/* The longest element name and path the XML parser follows. */
#define XML_NAME_MAX 256
#define XML_PATH_MAX ((XML_NAME_MAX + 1) * (MAINTENANCE_AWS_DEPTH_MAX + 1))

/* --- UTF-8 --------------------------------------------------------------- */

/* The length of the valid UTF-8 sequence at s (n bytes left), its code
 * point in *cp; 0 when it is not one (overlong, a surrogate, past
 * U+10FFFF, cut short). */
static apr_size_t utf8_seq(const unsigned char *s, apr_size_t n,
                           unsigned long *cp)
{
    unsigned long c;
    apr_size_t len, i;

    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        len = 2;
        c = s[0] & 0x1f;
    }
    else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        len = 3;
        c = s[0] & 0x0f;
    }
    else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        len = 4;
        c = s[0] & 0x07;
    }
    else {
        return 0;
    }
    if (n < len) {
        return 0;
    }
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
        c = (c << 6) | (s[i] & 0x3f);
    }
    if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000)
        || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
        return 0;
    }
    *cp = c;
    return len;
}

/* cp as UTF-8 at out; its length. */
static apr_size_t utf8_put(char *out, unsigned long cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* --- XML ----------------------------------------------------------------- */

typedef struct {
    apr_size_t path_len;    /* the path's length with this element */
    int wanted;             /* index in paths, or -1 */
    int children;           /* it has child elements */
} xml_frame;

typedef struct {
    const char *s, *end;
    const char *const *paths;
    const char **values;
    apr_pool_t *p;
    char *path;             /* names joined by '/' */
    xml_frame stack[MAINTENANCE_AWS_DEPTH_MAX + 1];
    int depth;
    char *text;             /* the innermost element's text, decoded */
    apr_size_t text_len;
} xml_doc;

/* An XML 1.0 Char. */
static int xml_char(unsigned long c)
{
    return c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 && c <= 0xd7ff)
           || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

static int has(const xml_doc *x, const char *lit)
{
    apr_size_t n = strlen(lit);

    return (apr_size_t)(x->end - x->s) >= n && !memcmp(x->s, lit, n);
}

/* The character at x->s, which must be an XML Char: skipped, and copied
 * to the text when keep. */
static const char *xml_take(xml_doc *x, int keep)
{
    unsigned long cp;
    apr_size_t len = utf8_seq((const unsigned char *)x->s, x->end - x->s,
                              &cp);

    if (!len || !xml_char(cp)) {
        return "a character XML does not allow";
    }
    if (keep) {
        memcpy(x->text + x->text_len, x->s, len);
        x->text_len += len;
    }
    x->s += len;
    return NULL;
}

static void xml_ws(xml_doc *x)
{
    while (x->s < x->end && strchr(" \t\r\n", *x->s) && *x->s) {
        x->s++;
    }
}

/* Characters up to the literal stop (not included: the caller skips it),
 * each an XML Char; copied to the text when keep. */
static const char *xml_until(xml_doc *x, const char *stop, int keep)
{
    apr_size_t n = strlen(stop);

    while (!has(x, stop)) {
        const char *err;

        if (x->s >= x->end) {
            return "the document ends inside markup";
        }
        if ((err = xml_take(x, keep)) != NULL) {
            return err;
        }
    }
    x->s += n;
    return NULL;
}

static int name_start(unsigned char c)
{
    return apr_isalpha(c) || c == '_' || c == ':' || c >= 0x80;
}

static int name_char(unsigned char c)
{
    return name_start(c) || apr_isdigit(c) || c == '.' || c == '-';
}

/* A Name; *name and *len say where it is. */
static const char *xml_name(xml_doc *x, const char **name, apr_size_t *len)
{
    const char *start = x->s;

    if (x->s >= x->end || !name_start((unsigned char)*x->s)) {
        return "a name was expected";
    }
    while (x->s < x->end && name_char((unsigned char)*x->s)) {
        const char *err = xml_take(x, 0);

        if (err) {
            return err;
        }
    }
    if (x->s - start > XML_NAME_MAX) {
        return "a name is too long";
    }
    *name = start;
    *len = x->s - start;
    return NULL;
}

/* A reference after '&', decoded into the text when keep. */
static const char *xml_ref(xml_doc *x, int keep)
{
    static const struct { const char *name; char c; } named[] = {
        { "lt;", '<' }, { "gt;", '>' }, { "amp;", '&' }, { "quot;", '"' },
        { "apos;", '\'' },
    };
    unsigned long cp = 0;
    apr_size_t i;

    x->s++;
    for (i = 0; i < sizeof(named) / sizeof(*named); i++) {
        if (has(x, named[i].name)) {
            x->s += strlen(named[i].name);
            if (keep) {
                x->text[x->text_len++] = named[i].c;
            }
            return NULL;
        }
    }
    if (!has(x, "#")) {
        return "an unknown entity";
    }
    x->s++;
    if (has(x, "x")) {
        x->s++;
        for (i = 0; x->s < x->end && apr_isxdigit(*x->s) && i < 7; i++) {
            cp = cp * 16 + (apr_isdigit(*x->s) ? *x->s - '0'
                            : (apr_tolower(*x->s) - 'a' + 10));
            x->s++;
        }
    }
    else {
        for (i = 0; x->s < x->end && apr_isdigit(*x->s) && i < 8; i++) {
            cp = cp * 10 + (*x->s - '0');
            x->s++;
        }
    }
    if (!i || !has(x, ";") || !xml_char(cp)
        || (cp >= 0xd800 && cp <= 0xdfff)) {
        return "a bad character reference";
    }
    x->s++;
    if (keep) {
        x->text_len += utf8_put(x->text + x->text_len, cp);
    }
    return NULL;
}

/* Character data up to the next '<', or an attribute's value up to
 * quote; decoded into the text when keep. */
static const char *xml_chars(xml_doc *x, char quote, int keep)
{
    while (x->s < x->end && *x->s != (quote ? quote : '<')) {
        const char *err;

        if (*x->s == '&') {
            err = xml_ref(x, keep);
        }
        else if (quote && *x->s == '<') {
            return "a '<' in an attribute";
        }
        else {
            err = xml_take(x, keep);
        }
        if (err) {
            return err;
        }
    }
    return NULL;
}

/* One comment or processing instruction, x->s at its "<!--" or "<?". */
static const char *xml_comment_or_pi(xml_doc *x)
{
    const char *err;

    if (has(x, "<?")) {
        x->s += 2;
        return xml_until(x, "?>", 0);
    }
    x->s += 4;
    if ((err = xml_until(x, "--", 0)) != NULL) {
        return err;
    }
    if (!has(x, ">")) {
        return "'--' inside a comment";
    }
    x->s++;
    return NULL;
}

/* Comments, processing instructions and blanks, before or after the
 * root (up to a '<' or the end); a DOCTYPE is refused. */
static const char *xml_misc(xml_doc *x)
{
    const char *err;

    for (;;) {
        xml_ws(x);
        if (has(x, "<!--") || has(x, "<?")) {
            if ((err = xml_comment_or_pi(x)) != NULL) {
                return err;
            }
        }
        else if (has(x, "<!")) {
            return "a DOCTYPE or declaration, which is refused";
        }
        else {
            return NULL;
        }
    }
}

/* A start tag, x->s after its '<': the element is opened, and closed at
 * once when empty (<Name/>). */
static const char *xml_end_element(xml_doc *x);

static const char *xml_start_tag(xml_doc *x)
{
    xml_frame *parent = x->depth ? &x->stack[x->depth - 1] : NULL;
    xml_frame *f;
    const char *name, *err;
    apr_size_t len, at;
    int i;

    if ((err = xml_name(x, &name, &len)) != NULL) {
        return err;
    }
    if (x->depth >= MAINTENANCE_AWS_DEPTH_MAX) {
        return "elements nested too deep";
    }
    if (parent) {
        if (parent->wanted >= 0) {
            return apr_psprintf(x->p, "%s has child elements",
                                x->paths[parent->wanted]);
        }
        parent->children = 1;
    }
    at = parent ? parent->path_len : 0;
    if (parent) {
        x->path[at++] = '/';
    }
    memcpy(x->path + at, name, len);
    at += len;
    x->path[at] = '\0';
    f = &x->stack[x->depth++];
    f->path_len = at;
    f->children = 0;
    f->wanted = -1;
    for (i = 0; x->paths[i]; i++) {
        if (!strcmp(x->paths[i], x->path)) {
            if (x->values[i]) {
                return apr_psprintf(x->p, "%s is there twice", x->paths[i]);
            }
            f->wanted = i;
        }
    }
    /* Attributes: checked, not kept. */
    for (;;) {
        const char *before = x->s;
        char quote;

        xml_ws(x);
        if (has(x, "/>")) {
            x->s += 2;
            x->text_len = 0;
            return xml_end_element(x);
        }
        if (has(x, ">")) {
            x->s++;
            x->text_len = 0;
            return NULL;
        }
        if (x->s == before) {
            return "a bad start tag";
        }
        if ((err = xml_name(x, &name, &len)) != NULL) {
            return err;
        }
        xml_ws(x);
        if (!has(x, "=")) {
            return "an attribute without a value";
        }
        x->s++;
        xml_ws(x);
        if (x->s >= x->end || (*x->s != '"' && *x->s != '\'')) {
            return "an attribute value without quotes";
        }
        quote = *x->s++;
        if ((err = xml_chars(x, quote, 0)) != NULL) {
            return err;
        }
        if (x->s >= x->end) {
            return "the document ends inside a start tag";
        }
        x->s++;
    }
}

/* The innermost element ends: its text is a value if it is wanted. */
static const char *xml_end_element(xml_doc *x)
{
    xml_frame *f = &x->stack[--x->depth];

    if (f->wanted >= 0) {
        x->values[f->wanted] = apr_pstrmemdup(x->p, x->text, x->text_len);
    }
    x->path[x->depth ? x->stack[x->depth - 1].path_len : 0] = '\0';
    return NULL;
}

/* An end tag, x->s after its "</". */
static const char *xml_end_tag(xml_doc *x)
{
    xml_frame *f = &x->stack[x->depth - 1];
    apr_size_t start = x->depth > 1 ? x->stack[x->depth - 2].path_len + 1 : 0;
    const char *name, *err;
    apr_size_t len;

    if ((err = xml_name(x, &name, &len)) != NULL) {
        return err;
    }
    if (len != f->path_len - start || memcmp(name, x->path + start, len)) {
        return "an end tag that does not match its start tag";
    }
    xml_ws(x);
    if (!has(x, ">")) {
        return "a bad end tag";
    }
    x->s++;
    return xml_end_element(x);
}

/* The root element and everything in it, x->s at its '<'. */
static const char *xml_root(xml_doc *x)
{
    const char *err;

    if (!has(x, "<")) {
        return "no root element";
    }
    x->s++;
    if ((err = xml_start_tag(x)) != NULL) {
        return err;
    }
    while (x->depth) {
        int keep = x->stack[x->depth - 1].wanted >= 0;

        if (x->s >= x->end) {
            return "the document ends inside an element";
        }
        if (*x->s != '<') {
            err = xml_chars(x, 0, keep);
        }
        else if (has(x, "</")) {
            x->s += 2;
            err = xml_end_tag(x);
        }
        else if (has(x, "<![CDATA[")) {
            x->s += 9;
            err = xml_until(x, "]]>", keep);
        }
        else if (has(x, "<!--") || has(x, "<?")) {
            err = xml_comment_or_pi(x);
        }
        else if (has(x, "<!")) {
            err = "a declaration inside an element";
        }
        else {
            x->s++;
            err = xml_start_tag(x);
        }
        if (err) {
            return err;
        }
    }
    return NULL;
}

const char *maintenance_xml_fields(const char *doc, apr_size_t len,
                                   const char *const *paths,
                                   const char **values, apr_pool_t *p)
{
    xml_doc x;
    const char *err;
    int i;

    memset(&x, 0, sizeof(x));
    x.s = doc;
    x.end = doc + len;
    x.paths = paths;
    x.values = values;
    x.p = p;
    x.path = apr_palloc(p, XML_PATH_MAX + 1);
    x.path[0] = '\0';
    /* Decoded text is never longer than its source. */
    x.text = apr_palloc(p, len + 1);
    for (i = 0; paths[i]; i++) {
        values[i] = NULL;
    }
    if (has(&x, "\xef\xbb\xbf")) {
        x.s += 3;
    }
    if (has(&x, "<?xml") && x.end - x.s > 5
        && strchr(" \t\r\n?", x.s[5]) && x.s[5]) {
        x.s += 5;
        if ((err = xml_until(&x, "?>", 0)) != NULL) {
            goto bad;
        }
    }
    if ((err = xml_misc(&x)) != NULL || (err = xml_root(&x)) != NULL
        || (err = xml_misc(&x)) != NULL) {
        goto bad;
    }
    if (x.s != x.end) {
        err = "more after the root element";
        goto bad;
    }
    return NULL;

bad:
    for (i = 0; paths[i]; i++) {
        values[i] = NULL;
    }
    return apr_psprintf(p, "not the XML expected: %s", err);
}

/* --- JSON ---------------------------------------------------------------- */

typedef struct {
    const char *s, *end;
    apr_pool_t *p;
} json_doc;

static void json_ws(json_doc *j)
{
    while (j->s < j->end && (*j->s == ' ' || *j->s == '\t' || *j->s == '\n'
                             || *j->s == '\r')) {
        j->s++;
    }
}

static int json_has(const json_doc *j, const char *lit)
{
    apr_size_t n = strlen(lit);

    return (apr_size_t)(j->end - j->s) >= n && !memcmp(j->s, lit, n);
}

static int hex4(const char *s, unsigned long *v)
{
    int i;

    *v = 0;
    for (i = 0; i < 4; i++) {
        if (!apr_isxdigit(s[i])) {
            return 0;
        }
        *v = *v * 16 + (apr_isdigit(s[i]) ? s[i] - '0'
                        : (apr_tolower(s[i]) - 'a' + 10));
    }
    return 1;
}

/* A string, j->s at its quote; decoded into *out (with *out_len) when
 * out is not NULL. */
static const char *json_string(json_doc *j, char **out, apr_size_t *out_len)
{
    const char *start = j->s, *err;
    char *o = NULL;

    if (out) {
        /* Checked first, for its length: decoded, a string is never
         * longer than its source. */
        if ((err = json_string(j, NULL, NULL)) != NULL) {
            return err;
        }
        o = *out = apr_palloc(j->p, j->s - start);
        j->s = start;
    }
    j->s++;
    for (;;) {
        unsigned long cp;
        apr_size_t len;

        if (j->s >= j->end) {
            return "a string without its end";
        }
        if (*j->s == '"') {
            j->s++;
            break;
        }
        if (*j->s == '\\') {
            const char *esc;
            static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";

            if (j->end - j->s < 2) {
                return "a string without its end";
            }
            if ((esc = strchr(from, j->s[1])) != NULL && j->s[1]) {
                if (o) {
                    *o++ = to[esc - from];
                }
                j->s += 2;
                continue;
            }
            if (j->s[1] != 'u' || j->end - j->s < 6 || !hex4(j->s + 2, &cp)) {
                return "a bad escape in a string";
            }
            j->s += 6;
            if (cp >= 0xdc00 && cp <= 0xdfff) {
                return "a lone surrogate in a string";
            }
            if (cp >= 0xd800 && cp <= 0xdbff) {
                unsigned long lo;

                if (j->end - j->s < 6 || j->s[0] != '\\' || j->s[1] != 'u'
                    || !hex4(j->s + 2, &lo) || lo < 0xdc00 || lo > 0xdfff) {
                    return "a lone surrogate in a string";
                }
                j->s += 6;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            }
            if (o) {
                o += utf8_put(o, cp);
            }
            continue;
        }
        if ((unsigned char)*j->s < 0x20) {
            return "a control character in a string";
        }
        len = utf8_seq((const unsigned char *)j->s, j->end - j->s, &cp);
        if (!len) {
            return "a string that is not UTF-8";
        }
        if (o) {
            memcpy(o, j->s, len);
            o += len;
        }
        j->s += len;
    }
    if (o) {
        *o = '\0';
        *out_len = o - *out;
    }
    return NULL;
}

static const char *json_number(json_doc *j)
{
    if (json_has(j, "-")) {
        j->s++;
    }
    if (json_has(j, "0")) {
        j->s++;
    }
    else if (j->s < j->end && *j->s >= '1' && *j->s <= '9') {
        while (j->s < j->end && apr_isdigit(*j->s)) {
            j->s++;
        }
    }
    else {
        return "a bad number";
    }
    if (json_has(j, ".")) {
        j->s++;
        if (j->s >= j->end || !apr_isdigit(*j->s)) {
            return "a bad number";
        }
        while (j->s < j->end && apr_isdigit(*j->s)) {
            j->s++;
        }
    }
    if (j->s < j->end && (*j->s == 'e' || *j->s == 'E')) {
        j->s++;
        if (j->s < j->end && (*j->s == '+' || *j->s == '-')) {
            j->s++;
        }
        if (j->s >= j->end || !apr_isdigit(*j->s)) {
            return "a bad number";
        }
        while (j->s < j->end && apr_isdigit(*j->s)) {
            j->s++;
        }
    }
    return NULL;
}

static const char *json_value(json_doc *j, int depth);

/* An object or an array, j->s at its bracket. */
static const char *json_container(json_doc *j, int depth)
{
    int object = *j->s == '{';
    char close = object ? '}' : ']';
    const char *err;

    if (depth >= MAINTENANCE_AWS_DEPTH_MAX) {
        return "nested too deep";
    }
    j->s++;
    json_ws(j);
    if (json_has(j, object ? "}" : "]")) {
        j->s++;
        return NULL;
    }
    for (;;) {
        json_ws(j);
        if (object) {
            if (!json_has(j, "\"")) {
                return "a member without a name";
            }
            if ((err = json_string(j, NULL, NULL)) != NULL) {
                return err;
            }
            json_ws(j);
            if (!json_has(j, ":")) {
                return "a member without ':'";
            }
            j->s++;
        }
        if ((err = json_value(j, depth + 1)) != NULL) {
            return err;
        }
        json_ws(j);
        if (j->s < j->end && *j->s == ',') {
            j->s++;
            continue;
        }
        if (j->s < j->end && *j->s == close) {
            j->s++;
            return NULL;
        }
        return object ? "a bad object" : "a bad array";
    }
}

static const char *json_value(json_doc *j, int depth)
{
    json_ws(j);
    if (j->s >= j->end) {
        return "a value was expected";
    }
    switch (*j->s) {
    case '{':
    case '[':
        return json_container(j, depth);
    case '"':
        return json_string(j, NULL, NULL);
    case 't':
    case 'f':
    case 'n':
        if (json_has(j, "true") || json_has(j, "null")) {
            j->s += 4;
            return NULL;
        }
        if (json_has(j, "false")) {
            j->s += 5;
            return NULL;
        }
        return "a bad literal";
    default:
        return json_number(j);
    }
}

/* The top-level object, keeping the wanted members. */
static const char *json_top(json_doc *j, const char *const *names,
                            const char **values)
{
    const char *err;

    json_ws(j);
    if (!json_has(j, "{")) {
        return "not an object";
    }
    j->s++;
    json_ws(j);
    if (json_has(j, "}")) {
        j->s++;
        return NULL;
    }
    for (;;) {
        char *name;
        apr_size_t name_len;
        int i, wanted = -1;

        json_ws(j);
        if (!json_has(j, "\"")) {
            return "a member without a name";
        }
        if ((err = json_string(j, &name, &name_len)) != NULL) {
            return err;
        }
        for (i = 0; names[i]; i++) {
            if (strlen(names[i]) == name_len && !strcmp(names[i], name)) {
                wanted = i;
            }
        }
        json_ws(j);
        if (!json_has(j, ":")) {
            return "a member without ':'";
        }
        j->s++;
        json_ws(j);
        if (wanted >= 0) {
            char *value;
            apr_size_t value_len;

            if (values[wanted]) {
                return apr_psprintf(j->p, "%s is there twice", names[wanted]);
            }
            if (!json_has(j, "\"")) {
                return apr_psprintf(j->p, "%s is not a string",
                                    names[wanted]);
            }
            if ((err = json_string(j, &value, &value_len)) != NULL) {
                return err;
            }
            if (strlen(value) != value_len) {
                return apr_psprintf(j->p, "%s holds a NUL", names[wanted]);
            }
            values[wanted] = value;
        }
        else if ((err = json_value(j, 1)) != NULL) {
            return err;
        }
        json_ws(j);
        if (json_has(j, ",")) {
            j->s++;
            continue;
        }
        if (json_has(j, "}")) {
            j->s++;
            return NULL;
        }
        return "a bad object";
    }
}

const char *maintenance_json_fields(const char *doc, apr_size_t len,
                                    const char *const *names,
                                    const char **values, apr_pool_t *p)
{
    json_doc j;
    const char *err;
    int i;

    j.s = doc;
    j.end = doc + len;
    j.p = p;
    for (i = 0; names[i]; i++) {
        values[i] = NULL;
    }
    if ((err = json_top(&j, names, values)) == NULL) {
        json_ws(&j);
        if (j.s != j.end) {
            err = "more after the object";
        }
    }
    if (err) {
        for (i = 0; names[i]; i++) {
            values[i] = NULL;
        }
        return apr_psprintf(p, "not the JSON expected: %s", err);
    }
    return NULL;
}

/* s, fit for a log: printable ASCII, cut to 200 bytes. */
static const char *loggable(const char *s, apr_pool_t *p)
{
    char *out;
    apr_size_t i;

    if (!s) {
        return NULL;
    }
    out = apr_pstrndup(p, s, 200);
    for (i = 0; out[i]; i++) {
        if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] >= 0x7f) {
            out[i] = '?';
        }
    }
    return out;
}

/* --- credentials --------------------------------------------------------- */

/* Printable ASCII without blanks, 1 to max bytes. */
static int graphic(const char *s, apr_size_t max)
{
    apr_size_t i;

    for (i = 0; s[i]; i++) {
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f) {
            return 0;
        }
    }
    return i >= 1 && i <= max;
}

const char *maintenance_aws_creds_check(const maintenance_aws_creds *c)
{
    /* S3-compatible stores make other keys than AWS's letters and
     * digits; a ':' would end it in libcurl's ID:SECRET. */
    if (!c->id || !graphic(c->id, MAINTENANCE_AWS_ID_MAX)
        || strchr(c->id, ':')) {
        return "no access key id, or one with blanks, control characters "
               "or ':', or too long";
    }
    if (!c->secret || !graphic(c->secret, MAINTENANCE_AWS_SECRET_MAX)) {
        return "no secret access key, or one with blanks or control "
               "characters, or too long";
    }
    if (c->token && !graphic(c->token, MAINTENANCE_AWS_TOKEN_MAX)) {
        return "a session token with blanks or control characters, or too "
               "long";
    }
    return NULL;
}

static const char *expiration(const char *text, apr_time_t *t)
{
    if (!text) {
        *t = 0;
        return NULL;
    }
    if (maintenance_time_parse(text, t) != NULL || *t <= 0) {
        return "an Expiration that is not a time";
    }
    return NULL;
}

/* c from an answer's fields: v holds the access key id, the secret, the
 * token and the expiration (each NULL when absent). Checked; on an error,
 * c is left empty. */
static const char *creds_from(const char *const *v, maintenance_aws_creds *c)
{
    const char *err;

    c->id = v[0];
    c->secret = v[1];
    c->token = v[2];
    if ((err = expiration(v[3], &c->expires)) != NULL
        || (err = maintenance_aws_creds_check(c)) != NULL) {
        memset(c, 0, sizeof(*c));
    }
    return err;
}

const char *maintenance_aws_sts_creds(const char *doc, apr_size_t len,
                                      maintenance_aws_creds *c,
                                      apr_pool_t *p)
{
#define STS_CREDS "AssumeRoleWithWebIdentityResponse/" \
                  "AssumeRoleWithWebIdentityResult/Credentials/"
    static const char *const paths[] = {
        STS_CREDS "AccessKeyId", STS_CREDS "SecretAccessKey",
        STS_CREDS "SessionToken", STS_CREDS "Expiration", NULL
    };
    const char *v[5], *err;

    memset(c, 0, sizeof(*c));
    if ((err = maintenance_xml_fields(doc, len, paths, v, p)) != NULL) {
        return err;
    }
    if (!v[0] || !v[1] || !v[2] || !v[3]) {
        return "no AccessKeyId, SecretAccessKey, SessionToken and "
               "Expiration in the answer";
    }
    return creds_from(v, c);
}

const char *maintenance_aws_json_creds(const char *doc, apr_size_t len,
                                       maintenance_aws_creds *c,
                                       apr_pool_t *p)
{
    static const char *const names[] = {
        "AccessKeyId", "SecretAccessKey", "Token", "Expiration", "Code", NULL
    };
    const char *v[6], *err;

    memset(c, 0, sizeof(*c));
    if ((err = maintenance_json_fields(doc, len, names, v, p)) != NULL) {
        return err;
    }
    if (v[4] && strcmp(v[4], "Success")) {
        return apr_psprintf(p, "the answer's Code is %s", loggable(v[4], p));
    }
    if (!v[0] || !v[1]) {
        return "no AccessKeyId and SecretAccessKey in the answer";
    }
    return creds_from(v, c);
}

void maintenance_aws_error_of(const char *doc, apr_size_t len,
                              const char **code, const char **message,
                              apr_pool_t *p)
{
    static const char *const paths[] = {
        "Error/Code", "Error/Message", "ErrorResponse/Error/Code",
        "ErrorResponse/Error/Message", NULL
    };
    static const char *const names[] = {
        "Code", "Message", "code", "message", NULL
    };
    const char *v[5];

    *code = *message = NULL;
    if (!maintenance_xml_fields(doc, len, paths, v, p)) {
        *code = v[0] ? v[0] : v[2];
        *message = v[1] ? v[1] : v[3];
    }
    else if (!maintenance_json_fields(doc, len, names, v, p)) {
        *code = v[0] ? v[0] : v[2];
        *message = v[1] ? v[1] : v[3];
    }
    *code = *code && **code ? loggable(*code, p) : NULL;
    *message = *message && **message ? loggable(*message, p) : NULL;
}

/* --- names, places and times --------------------------------------------- */

/* A-Z a-z 0-9 and the ones of extra. */
static apr_size_t span_of(const char *s, apr_size_t len, const char *extra)
{
    apr_size_t i;

    for (i = 0; i < len; i++) {
        if (!apr_isalnum(s[i]) || (unsigned char)s[i] >= 0x80) {
            if (!s[i] || !strchr(extra, s[i])) {
                break;
            }
        }
    }
    return i;
}

#define ROLE_CHARS "+=,.@_-"

const char *maintenance_aws_imds_role(const char *doc, apr_size_t len,
                                      apr_pool_t *p)
{
    apr_size_t line = 0, n;

    while (line < len && doc[line] != '\n') {
        line++;
    }
    n = line;
    if (n && doc[n - 1] == '\r') {
        n--;
    }
    if (!n || n > 64 || span_of(doc, n, ROLE_CHARS) != n) {
        return NULL;
    }
    return apr_pstrmemdup(p, doc, n);
}

int maintenance_aws_session_name_valid(const char *name)
{
    apr_size_t len = strlen(name);

    return len >= 2 && len <= 64 && span_of(name, len, ROLE_CHARS) == len;
}

const char *maintenance_aws_session_name(const char *host, long pid,
                                         apr_pool_t *p)
{
    const char *prefix = "mod_maintenance-";
    char tail[32];
    char *name, *h;
    apr_size_t room, i;

    apr_snprintf(tail, sizeof(tail), "-%ld", pid < 0 ? -pid : pid);
    room = 64 - strlen(prefix) - strlen(tail);
    h = apr_pstrndup(p, host ? host : "", room);
    for (i = 0; h[i]; i++) {
        if (span_of(h + i, 1, ROLE_CHARS) != 1) {
            h[i] = '-';
        }
    }
    name = apr_pstrcat(p, prefix, h, *h ? tail : tail + 1, NULL);
    return name;
}

/* Whether host is loopback, or one of the container credentials hosts. */
static int container_host(const char *host)
{
    static const char *const hosts[] = {
        "localhost", "::1", "169.254.170.2", "169.254.170.23",
        "fd00:ec2::23", NULL
    };
    unsigned a, b, c, d;
    char extra;
    int i;

    for (i = 0; hosts[i]; i++) {
        if (!strcasecmp(host, hosts[i])) {
            return 1;
        }
    }
    return sscanf(host, "%u.%u.%u.%u%c", &a, &b, &c, &d, &extra) == 4
           && a == 127 && b < 256 && c < 256 && d < 256
           && strspn(host, "0123456789.") == strlen(host);
}

const char *maintenance_aws_container_url(const char *full,
                                          const char *relative,
                                          const char **url, apr_pool_t *p)
{
    apr_uri_t uri;
    apr_size_t i;

    if (relative && *relative) {
        for (i = 0; relative[i]; i++) {
            if ((unsigned char)relative[i] <= 0x20
                || (unsigned char)relative[i] >= 0x7f) {
                break;
            }
        }
        if (relative[0] != '/' || relative[i]) {
            return "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is not a path";
        }
        *url = apr_pstrcat(p, "http://169.254.170.2", relative, NULL);
        return NULL;
    }
    if (!full || !*full) {
        return "neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor "
               "AWS_CONTAINER_CREDENTIALS_FULL_URI is set";
    }
    if (strpbrk(full, " \t\r\n") || apr_uri_parse(p, full, &uri) != APR_SUCCESS
        || !uri.scheme || !uri.hostname || !*uri.hostname) {
        return "AWS_CONTAINER_CREDENTIALS_FULL_URI is not a URL";
    }
    if (!strcasecmp(uri.scheme, "https")
        || (!strcasecmp(uri.scheme, "http") && container_host(uri.hostname))) {
        *url = full;
        return NULL;
    }
    return "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http on a "
           "loopback address or a container credentials host "
           "(169.254.170.2, 169.254.170.23, fd00:ec2::23)";
}

const char *maintenance_aws_sts_url(const char *endpoint, const char *region,
                                    apr_pool_t *p)
{
    if (endpoint && *endpoint) {
        return endpoint;
    }
    return apr_pstrcat(p, "https://sts.", region, ".amazonaws.com",
                       strncmp(region, "cn-", 3) ? "" : ".cn", "/", NULL);
}

apr_interval_time_t maintenance_aws_retry_after(const char *value,
                                                apr_time_t now)
{
    apr_size_t digits;
    apr_time_t at;

    if (!value) {
        return -1;
    }
    while (apr_isspace(*value)) {
        value++;
    }
    digits = strspn(value, "0123456789");
    if (digits && digits <= 9) {
        const char *rest = value + digits;
        while (apr_isspace(*rest)) {
            rest++;
        }
        if (!*rest) {
            return apr_time_from_sec(apr_atoi64(value));
        }
        return -1;
    }
    if (digits || !*value) {
        return -1;
    }
    at = apr_date_parse_http(value);
    if (at <= 0) {
        return -1;
    }
    return at > now ? at - now : 0;
}

apr_interval_time_t maintenance_aws_backoff(apr_interval_time_t last,
                                            apr_interval_time_t retry_after)
{
    apr_interval_time_t next = last > 0 ? last * 2
                                        : MAINTENANCE_AWS_BACKOFF_FIRST;

    if (next > MAINTENANCE_AWS_BACKOFF_MAX) {
        next = MAINTENANCE_AWS_BACKOFF_MAX;
    }
    if (retry_after > next) {
        next = retry_after;
    }
    if (next > MAINTENANCE_AWS_BACKOFF_MAX) {
        next = MAINTENANCE_AWS_BACKOFF_MAX;
    }
    return next;
}

apr_time_t maintenance_aws_renew_at(apr_time_t got, apr_time_t expires)
{
    apr_interval_time_t life, margin;

    if (!expires) {
        return 0;
    }
    life = expires > got ? expires - got : 0;
    margin = life / 4;
    if (margin > apr_time_from_sec(300)) {
        margin = apr_time_from_sec(300);
    }
    return expires - margin;
}
