/* Signed bypass links (bypass.h). HMAC-SHA256 and the constant-time
 * comparison are libcrypto's; the MAC covers the token's own text, so an
 * altered byte anywhere fails it, whatever the decoders would make of it. */
#include <apr_encode.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "bypass.h"
#include "secret.h"

/* What the MAC signs besides the token's text: a token of this module,
 * this version, and nothing else the key might sign one day. */
#define MAC_CONTEXT "mod_maintenance bypass 1:"

#define EXPIRES_DIGITS_MAX 12   /* Unix seconds until 9999-12-31 */

const char *maintenance_bypass_key_read(maintenance_bypass_key *key,
                                        const char *path, apr_pool_t *p)
{
    const char *err;
    char *text;
    apr_size_t n;

    if ((err = maintenance_secret_read(path, MAINTENANCE_BYPASS_KEY_MAX,
                                       &text, &n, p)) != NULL) {
        return err;
    }
    if (n < MAINTENANCE_BYPASS_KEY_MIN) {
        return apr_psprintf(p, "%s holds %lu bytes: a key needs at least %d "
                            "(head -c 32 /dev/urandom | base64 > %s)", path,
                            (unsigned long)n, MAINTENANCE_BYPASS_KEY_MIN,
                            path);
    }
    key->bytes = (const unsigned char *)text;
    key->len = n;
    return NULL;
}

/* The base64url MAC of len bytes of text, from p. */
static const char *mac_of(const maintenance_bypass_key *key, const char *text,
                          apr_size_t len, apr_pool_t *p)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    const char *data = apr_pstrcat(p, MAC_CONTEXT,
                                   apr_pstrmemdup(p, text, len), NULL);

    if (!HMAC(EVP_sha256(), key->bytes, (int)key->len,
              (const unsigned char *)data, strlen(data), md, &md_len)) {
        return NULL;
    }
    return apr_pencode_base64_binary(p, md, md_len,
                                     APR_ENCODE_BASE64URL
                                     | APR_ENCODE_NOPADDING, NULL);
}

static int label_ok(const char *label)
{
    const unsigned char *c;

    if (strlen(label) > MAINTENANCE_BYPASS_LABEL_MAX) {
        return 0;
    }
    for (c = (const unsigned char *)label; *c; c++) {
        if (*c < 0x20 || *c == 0x7f) {
            return 0;
        }
    }
    return 1;
}

const char *maintenance_bypass_mint(const maintenance_bypass_key *key,
                                    apr_time_t expires, const char *label,
                                    apr_pool_t *p, const char **err)
{
    const char *signed_part, *mac;

    if (!label_ok(label)) {
        *err = apr_psprintf(p, "a label is at most %d bytes, without "
                            "control characters",
                            MAINTENANCE_BYPASS_LABEL_MAX);
        return NULL;
    }
    signed_part = apr_psprintf(p, "%" APR_TIME_T_FMT ".%s",
                               apr_time_sec(expires),
                               apr_pencode_base64(p, label,
                                                  APR_ENCODE_STRING,
                                                  APR_ENCODE_BASE64URL
                                                  | APR_ENCODE_NOPADDING,
                                                  NULL));
    if (!(mac = mac_of(key, signed_part, strlen(signed_part), p))) {
        *err = "libcrypto could not compute the HMAC";
        return NULL;
    }
    return apr_pstrcat(p, signed_part, ".", mac, NULL);
}

/* EXPIRES: digits only, no more than a time can have. */
static int parse_expires(const char *s, apr_size_t n, apr_time_t *t)
{
    apr_int64_t v = 0;
    apr_size_t i;

    if (!n || n > EXPIRES_DIGITS_MAX) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        if (!apr_isdigit(s[i])) {
            return 0;
        }
        v = v * 10 + (s[i] - '0');
    }
    *t = apr_time_from_sec(v);
    return 1;
}

maintenance_bypass_verdict maintenance_bypass_verify(
    const maintenance_bypass_key *key, const char *token, apr_size_t len,
    apr_time_t now, apr_time_t *expires, const char **label, apr_pool_t *p)
{
    const char *dot1 = memchr(token, '.', len), *dot2, *mac, *want;
    apr_size_t signed_len, mac_len;

    if (!dot1 || !(dot2 = memchr(dot1 + 1, '.', len - (apr_size_t)(dot1 + 1
                                                                  - token)))) {
        return MAINTENANCE_BYPASS_FORGED;
    }
    signed_len = (apr_size_t)(dot2 - token);
    mac = dot2 + 1;
    mac_len = len - signed_len - 1;
    want = mac_of(key, token, signed_len, p);
    if (!want || mac_len != strlen(want)
        || CRYPTO_memcmp(want, mac, mac_len)) {
        return MAINTENANCE_BYPASS_FORGED;
    }
    /* Genuine: what it says can be believed. */
    if (!parse_expires(token, (apr_size_t)(dot1 - token), expires)) {
        return MAINTENANCE_BYPASS_FORGED;
    }
    *label = apr_pdecode_base64(p, dot1 + 1, (apr_ssize_t)(dot2 - dot1 - 1),
                                APR_ENCODE_BASE64URL | APR_ENCODE_NOPADDING,
                                NULL);
    if (!*label || !label_ok(*label)) {
        return MAINTENANCE_BYPASS_FORGED;
    }
    return now < *expires ? MAINTENANCE_BYPASS_VALID
                          : MAINTENANCE_BYPASS_EXPIRED;
}
