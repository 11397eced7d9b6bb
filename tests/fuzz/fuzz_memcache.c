/* memcached's answers, as any server on the other end of the memcache:
 * provider's connection may send them: arbitrary bytes into
 * maintenance_mc_parse_get (for the default key) and
 * maintenance_mc_parse_set, whole and cut at every length, as they come
 * from a socket in pieces.
 *
 * What each status promises, checked against the bytes: a value is
 * inside the answer and at most MAINTENANCE_STATE_MAX bytes, after a
 * VALUE line for the key and before "\r\nEND\r\n", which ends the input;
 * an error line is the whole input but its CRLF, printable; an incomplete
 * answer is shorter than MAINTENANCE_MC_ANSWER_MAX, so the provider's
 * buffer never fills before the parser decides. And only APR_INCOMPLETE
 * changes as bytes come: the first other status of a prefix is final
 * (more bytes after a whole answer make it garbage). */
#include "fuzz.h"
#include "memcache_proto.h"

#define KEY     "maintenance_mode_state"
#define TRAILER "\r\nEND\r\n"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

static int printable(const char *s, apr_size_t n)
{
    apr_size_t i;

    for (i = 0; i < n; i++) {
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e) {
            return 0;
        }
    }
    return 1;
}

/* The status of len bytes of buf, checked against what it promises. */
static apr_status_t parse(int set, const char *buf, apr_size_t len)
{
    const char *text = NULL;
    apr_size_t n = 0;
    apr_status_t rv = set ? maintenance_mc_parse_set(buf, len, &text, &n)
                          : maintenance_mc_parse_get(buf, len, KEY, &text,
                                                     &n);

    switch (rv) {
    case APR_INCOMPLETE:
        FUZZ_CHECK(len < MAINTENANCE_MC_ANSWER_MAX);
        break;
    case APR_SUCCESS:
        if (set) {
            FUZZ_CHECK(len == 8 && !memcmp(buf, "STORED\r\n", 8));
            break;
        }
        FUZZ_CHECK(n <= MAINTENANCE_STATE_MAX);
        FUZZ_CHECK(text > buf && text + n + strlen(TRAILER) == buf + len);
        FUZZ_CHECK(!memcmp(buf, "VALUE " KEY " ", strlen("VALUE " KEY " ")));
        FUZZ_CHECK(!memcmp(text - 2, "\r\n", 2));
        FUZZ_CHECK(!memcmp(text + n, TRAILER, strlen(TRAILER)));
        break;
    case APR_NOTFOUND:
        FUZZ_CHECK(!set && len == 5 && !memcmp(buf, "END\r\n", 5));
        break;
    case APR_ENOSPC:
        FUZZ_CHECK(!set && !memcmp(buf, "VALUE ", 6));
        break;
    case MAINTENANCE_ESTORE:
        FUZZ_CHECK(text == buf && n + 2 == len && printable(text, n));
        FUZZ_CHECK(!memcmp(buf + n, "\r\n", 2));
        break;
    default:
        FUZZ_CHECK(rv == APR_EGENERAL);
    }
    return rv;
}

static void check(int set, const char *buf, apr_size_t len)
{
    apr_status_t whole = parse(set, buf, len), first = APR_INCOMPLETE;
    apr_size_t cut;

    for (cut = 0; cut < len && first == APR_INCOMPLETE; cut++) {
        first = parse(set, buf, cut);
    }
    if (first == APR_ENOSPC || first == APR_EGENERAL) {
        FUZZ_CHECK(whole == first);
    }
    else if (first != APR_INCOMPLETE) {
        FUZZ_CHECK(whole == APR_EGENERAL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* In a block of its exact size: a read past the answer is caught. */
    const char *buf = fuzz_copy(fuzz_input_pool(), data, size, 0);

    check(0, buf, size);
    check(1, buf, size);
    return 0;
}
