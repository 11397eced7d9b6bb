/* memcached's answers as the memcache: provider parses them
 * (memcache_proto.c), and the provider's client against a fake memcached
 * on a loopback port, run by a thread of this test: one connection kept
 * across calls, every call bounded by the timeout, a silent server (one
 * that accepts and never answers) failing the call and closing the
 * connection so the next call reads again, the key's own server and no
 * other. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <apr_memcache.h>
#include <apr_strings.h>
#include <apr_time.h>

#include "unit.h"
#include "memcache_proto.h"
#include "provider.h"

#define KEY "maintenance_mode_state"

/* --- the parsers --------------------------------------------------------- */

typedef struct {
    const char *answer;
    apr_size_t len;          /* 0: strlen(answer) */
    apr_status_t rv;
    const char *text;        /* the value or the error line, when rv says */
} answer_row;

static const char *status_name(apr_status_t rv)
{
    switch (rv) {
    case APR_SUCCESS:        return "APR_SUCCESS";
    case APR_INCOMPLETE:     return "APR_INCOMPLETE";
    case APR_NOTFOUND:       return "APR_NOTFOUND";
    case APR_ENOSPC:         return "APR_ENOSPC";
    case APR_EGENERAL:       return "APR_EGENERAL";
    case MAINTENANCE_ESTORE: return "MAINTENANCE_ESTORE";
    default:                 return "another status";
    }
}

/* Each row through the get parser (set: the set parser). */
static void expect_answers(const answer_row *rows, size_t n, int set)
{
    size_t i;

    for (i = 0; i < n; i++) {
        apr_size_t len = rows[i].len ? rows[i].len : strlen(rows[i].answer);
        const char *text = NULL;
        apr_size_t text_len = 0;
        apr_status_t rv = set
            ? maintenance_mc_parse_set(rows[i].answer, len, &text, &text_len)
            : maintenance_mc_parse_get(rows[i].answer, len, KEY, &text,
                                       &text_len);

        EXPECT(rv == rows[i].rv, "\"%s\": %s, expected %s", rows[i].answer,
               status_name(rv), status_name(rows[i].rv));
        if (rv == rows[i].rv && rows[i].text) {
            EXPECT(text && text_len == strlen(rows[i].text)
                   && !memcmp(text, rows[i].text, text_len),
                   "\"%s\": text \"%.*s\", expected \"%s\"", rows[i].answer,
                   (int)text_len, text ? text : "", rows[i].text);
        }
    }
    EXPECT_ALL();
}

static void test_get_answers(void **state)
{
    static const answer_row rows[] = {
        { "VALUE " KEY " 0 3\r\non\n\r\nEND\r\n", 0, APR_SUCCESS, "on\n" },
        { "VALUE " KEY " 0 0\r\n\r\nEND\r\n", 0, APR_SUCCESS, "" },
        /* Any flags (another client's), a CAS (gets), CRLF in the data. */
        { "VALUE " KEY " 4294967295 4\r\n1\r\n0\r\nEND\r\n", 0, APR_SUCCESS,
          "1\r\n0" },
        { "VALUE " KEY " 2 1 18446744073709551615\r\n1\r\nEND\r\n", 0,
          APR_SUCCESS, "1" },
        { "VALUE " KEY " 0 5\r\nEND\r\n\r\nEND\r\n", 0, APR_SUCCESS,
          "END\r\n" },
        { "END\r\n", 0, APR_NOTFOUND, NULL },
        { "VALUE " KEY " 0 4096\r\n", 0, APR_INCOMPLETE, NULL },
        { "VALUE " KEY " 0 4097\r\n", 0, APR_ENOSPC, NULL },
        { "VALUE " KEY " 0 99999999999999999999999999\r\n", 0, APR_ENOSPC,
          NULL },
        { "SERVER_ERROR out of memory\r\n", 0, MAINTENANCE_ESTORE,
          "SERVER_ERROR out of memory" },
        { "CLIENT_ERROR bad command line format\r\n", 0, MAINTENANCE_ESTORE,
          "CLIENT_ERROR bad command line format" },
        { "ERROR\r\n", 0, MAINTENANCE_ESTORE, "ERROR" },
        { "SERVER_ERROR\r\n", 0, MAINTENANCE_ESTORE, "SERVER_ERROR" },
    };

    (void)state;
    expect_answers(rows, ARRAY_LEN(rows), 0);
}

/* Garbage: what memcached does not send for this get. */
static void test_get_garbage(void **state)
{
    static const answer_row rows[] = {
        { "VALUE other_key 0 3\r\non\n\r\nEND\r\n", 0, APR_EGENERAL, NULL },
        { "VALUE " KEY "x 0 3\r\non\n\r\nEND\r\n", 0, APR_EGENERAL, NULL },
        { "VALUE " KEY " 0 x\r\n", 0, APR_EGENERAL, NULL },
        { "VALUE " KEY " 0 -3\r\n", 0, APR_EGENERAL, NULL },
        { "VALUE " KEY " 0 +3\r\n", 0, APR_EGENERAL, NULL },
        { "VALUE " KEY " 0 \r\n", 0, APR_EGENERAL, NULL },
        { "VALUE " KEY " 0\r\n", 0, APR_EGENERAL, NULL },
        { "VALUE " KEY " x 3\r\n", 0, APR_EGENERAL, NULL },
        { "VALUE " KEY " 4294967296 3\r\n", 0, APR_EGENERAL, NULL },
        { "VALUE " KEY " 0 3 x\r\n", 0, APR_EGENERAL, NULL },
        { "VALUE " KEY " 0 3 123456789012345678901\r\n", 0, APR_EGENERAL,
          NULL },
        { "VALUE " KEY " 0 3 1 2\r\n", 0, APR_EGENERAL, NULL },
        { "VALUE  " KEY " 0 3\r\n", 0, APR_EGENERAL, NULL },
        { "VALUE " KEY " 0 3 \r\n", 0, APR_EGENERAL, NULL },
        { "value " KEY " 0 3\r\n", 0, APR_EGENERAL, NULL },
        { "VALUE " KEY " 0 3\n", 0, APR_EGENERAL, NULL },
        /* No CRLF after the data, anything before END, anything after. */
        { "VALUE " KEY " 0 3\r\non\nX\r\nEND\r\n", 0, APR_EGENERAL, NULL },
        { "VALUE " KEY " 0 3\r\non\n\nEND\r\n", 0, APR_EGENERAL, NULL },
        { "VALUE " KEY " 0 3\r\non\n\r\nVALUE", 0, APR_EGENERAL, NULL },
        { "VALUE " KEY " 0 3\r\non\n\r\nEND\r\nX", 0, APR_EGENERAL, NULL },
        { "VALUE " KEY " 0 3\r\non\n\r\nEND\n", 0, APR_EGENERAL, NULL },
        { "END\r\nEND\r\n", 0, APR_EGENERAL, NULL },
        { "END \r\n", 0, APR_EGENERAL, NULL },
        { "\r\n", 0, APR_EGENERAL, NULL },
        { "STORED\r\n", 0, APR_EGENERAL, NULL },
        { "ERROR \r\n", 0, APR_EGENERAL, NULL },
        { "SERVER_ERRORS\r\n", 0, APR_EGENERAL, NULL },
        { "SERVER_ERROR \x1b[31m\r\n", 0, APR_EGENERAL, NULL },
        { "SERVER_ERROR \xc3\xa9\r\n", 0, APR_EGENERAL, NULL },
        { "SERVER_ERROR x\r\nEND\r\n", 0, APR_EGENERAL, NULL },
        { "HTTP/1.1 400 Bad Request\r\n", 0, APR_EGENERAL, NULL },
        { "END\0\r\n", 6, APR_EGENERAL, NULL },
    };

    (void)state;
    expect_answers(rows, ARRAY_LEN(rows), 0);
}

static void test_set_answers(void **state)
{
    static const answer_row rows[] = {
        { "STORED\r\n", 0, APR_SUCCESS, NULL },
        { "STORED", 0, APR_INCOMPLETE, NULL },
        { "STORED\r", 0, APR_INCOMPLETE, NULL },
        { "NOT_STORED\r\n", 0, MAINTENANCE_ESTORE, "NOT_STORED" },
        { "SERVER_ERROR object too large for cache\r\n", 0,
          MAINTENANCE_ESTORE, "SERVER_ERROR object too large for cache" },
        { "ERROR\r\n", 0, MAINTENANCE_ESTORE, "ERROR" },
        { "STORED\r\nSTORED\r\n", 0, APR_EGENERAL, NULL },
        { "STORED \r\n", 0, APR_EGENERAL, NULL },
        { "END\r\n", 0, APR_EGENERAL, NULL },
        { "EXISTS\r\n", 0, APR_EGENERAL, NULL },
        { "STORED\n", 0, APR_EGENERAL, NULL },
    };

    (void)state;
    expect_answers(rows, ARRAY_LEN(rows), 1);
}

/* Every proper prefix of a whole answer asks for more, as it comes in
 * pieces from the socket; the largest value fits the buffer. */
static void test_prefixes(void **state)
{
    apr_pool_t *p = *state;
    char *data = apr_palloc(p, MAINTENANCE_STATE_MAX + 1);
    const char *answers[3], *text;
    apr_size_t text_len, i, len;
    size_t a;

    memset(data, 'x', MAINTENANCE_STATE_MAX);
    data[MAINTENANCE_STATE_MAX] = '\0';
    answers[0] = apr_pstrcat(p, "VALUE " KEY " 4294967295 4096 "
                             "18446744073709551615\r\n", data, "\r\nEND\r\n",
                             NULL);
    answers[1] = "END\r\n";
    answers[2] = "SERVER_ERROR busy\r\n";
    for (a = 0; a < ARRAY_LEN(answers); a++) {
        len = strlen(answers[a]);
        assert_true(len <= MAINTENANCE_MC_ANSWER_MAX);
        for (i = 0; i < len; i++) {
            apr_status_t rv = maintenance_mc_parse_get(answers[a], i, KEY,
                                                       &text, &text_len);

            EXPECT(rv == APR_INCOMPLETE, "answer %zu cut at %zu: %s", a,
                   (size_t)i, status_name(rv));
        }
    }
    assert_int_equal(maintenance_mc_parse_get(answers[0], strlen(answers[0]),
                                              KEY, &text, &text_len),
                     APR_SUCCESS);
    assert_int_equal(text_len, MAINTENANCE_STATE_MAX);
    EXPECT_ALL();
}

/* A first line that never ends is garbage once it is longer than any
 * memcached sends, not a reason to wait for the timeout. */
static void test_endless_line(void **state)
{
    char *buf = apr_palloc(*state, MAINTENANCE_MC_LINE_MAX);
    const char *text;
    apr_size_t text_len;

    memset(buf, 'V', MAINTENANCE_MC_LINE_MAX);
    assert_int_equal(maintenance_mc_parse_get(buf, MAINTENANCE_MC_LINE_MAX - 1,
                                              KEY, &text, &text_len),
                     APR_INCOMPLETE);
    assert_int_equal(maintenance_mc_parse_get(buf, MAINTENANCE_MC_LINE_MAX,
                                              KEY, &text, &text_len),
                     APR_EGENERAL);
    assert_int_equal(maintenance_mc_parse_set(buf, MAINTENANCE_MC_LINE_MAX,
                                              &text, &text_len),
                     APR_EGENERAL);
}

/* --- a fake memcached ---------------------------------------------------- */

typedef enum {
    FAKE_ANSWER,        /* answer each request, keep the connection */
    FAKE_ANSWER_CLOSE,  /* answer the request, then close */
    FAKE_SILENT         /* read requests, never answer: a host gone away */
} fake_mode;

typedef struct {
    int listener;
    int port;
    pthread_t thread;
    pthread_mutex_t lock;    /* guards everything below */
    int stop;
    fake_mode mode;          /* what to do with the next request */
    char answer[8192];
    size_t answer_len;
    int accepted;            /* connections so far */
    char request[8192];      /* the last whole request */
    size_t request_len;
} fake_mcd;

/* The length of the whole request at the start of buf (NUL-terminated),
 * 0 while it is incomplete: a line, and for a set its data and CRLF. */
static size_t whole_request(const char *buf, size_t len)
{
    const char *eol = strstr(buf, "\r\n");
    unsigned long bytes;
    size_t head;

    if (!eol) {
        return 0;
    }
    head = (size_t)(eol - buf) + 2;
    if (sscanf(buf, "set %*s %*u %*d %lu", &bytes) != 1) {
        return head;
    }
    return len >= head + bytes + 2 ? head + bytes + 2 : 0;
}

static int fake_stopping(fake_mcd *fm)
{
    int stop;

    pthread_mutex_lock(&fm->lock);
    stop = fm->stop;
    pthread_mutex_unlock(&fm->lock);
    return stop;
}

/* Whether fd has something to read within 50 ms. */
static int readable(int fd)
{
    struct pollfd pfd = { fd, POLLIN, 0 };

    return poll(&pfd, 1, 50) > 0;
}

/* One connection, until the client closes it (or the fake stops). */
static void fake_serve(fake_mcd *fm, int c)
{
    char buf[8192];
    size_t len = 0, whole;
    ssize_t r;

    while (!fake_stopping(fm)) {
        fake_mode mode;

        if (!readable(c)) {
            continue;
        }
        if (len == sizeof(buf) - 1
            || (r = recv(c, buf + len, sizeof(buf) - 1 - len, 0)) <= 0) {
            return;
        }
        len += (size_t)r;
        buf[len] = '\0';
        while ((whole = whole_request(buf, len)) != 0) {
            pthread_mutex_lock(&fm->lock);
            memcpy(fm->request, buf, whole);
            fm->request_len = whole;
            mode = fm->mode;
            r = mode == FAKE_SILENT ? 0 : send(c, fm->answer, fm->answer_len,
                                               MSG_NOSIGNAL);
            pthread_mutex_unlock(&fm->lock);
            if (r < 0 || mode == FAKE_ANSWER_CLOSE) {
                return;
            }
            memmove(buf, buf + whole, len - whole + 1);
            len -= whole;
        }
    }
}

static void *fake_run(void *arg)
{
    fake_mcd *fm = arg;

    while (!fake_stopping(fm)) {
        int c;

        if (!readable(fm->listener)
            || (c = accept(fm->listener, NULL, NULL)) < 0) {
            continue;
        }
        pthread_mutex_lock(&fm->lock);
        fm->accepted++;
        pthread_mutex_unlock(&fm->lock);
        fake_serve(fm, c);
        close(c);
    }
    return NULL;
}

/* A fake memcached on a free loopback port, running. */
static fake_mcd *fake_start(fake_mode mode, const char *answer)
{
    fake_mcd *fm = calloc(1, sizeof(*fm));
    struct sockaddr_in sa = { .sin_family = AF_INET };
    socklen_t sa_len = sizeof(sa);

    assert_non_null(fm);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    fm->listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fm->listener >= 0);
    assert_int_equal(bind(fm->listener, (struct sockaddr *)&sa, sizeof(sa)),
                     0);
    assert_int_equal(listen(fm->listener, 16), 0);
    assert_int_equal(getsockname(fm->listener, (struct sockaddr *)&sa,
                                 &sa_len), 0);
    fm->port = ntohs(sa.sin_port);
    fm->mode = mode;
    fm->answer_len = strlen(answer);
    memcpy(fm->answer, answer, fm->answer_len);
    pthread_mutex_init(&fm->lock, NULL);
    assert_int_equal(pthread_create(&fm->thread, NULL, fake_run, fm), 0);
    return fm;
}

/* What the fake does with the requests from now on. */
static void fake_set(fake_mcd *fm, fake_mode mode, const char *answer)
{
    pthread_mutex_lock(&fm->lock);
    fm->mode = mode;
    fm->answer_len = strlen(answer);
    memcpy(fm->answer, answer, fm->answer_len);
    pthread_mutex_unlock(&fm->lock);
}

static int fake_accepted(fake_mcd *fm)
{
    int n;

    pthread_mutex_lock(&fm->lock);
    n = fm->accepted;
    pthread_mutex_unlock(&fm->lock);
    return n;
}

/* The last whole request, NUL-terminated, from p. */
static const char *fake_request(fake_mcd *fm, apr_pool_t *p)
{
    const char *req;

    pthread_mutex_lock(&fm->lock);
    req = apr_pstrmemdup(p, fm->request, fm->request_len);
    pthread_mutex_unlock(&fm->lock);
    return req;
}

/* Stop it and close its port: nothing listens there any more. */
static void fake_stop(fake_mcd *fm)
{
    pthread_mutex_lock(&fm->lock);
    fm->stop = 1;
    pthread_mutex_unlock(&fm->lock);
    pthread_join(fm->thread, NULL);
    close(fm->listener);
    pthread_mutex_destroy(&fm->lock);
    free(fm);
}

/* --- the provider against it -------------------------------------------- */

#define TIMEOUT_MS 300

/* How much longer than the timeout a call may take to fail: a bound for
 * a loaded machine, far below TCP's own give-up. */
#define SLACK_MS   2000

typedef struct {
    void *inst;
    apr_pool_t *p;
    const char *err;
    char value[MAINTENANCE_STATE_MAX + 1];
    apr_size_t len;
    long ms;                 /* how long the last call took */
} client;

/* A memcache: instance for args ("127.0.0.1:PORT[/KEY]"), ready for
 * calls, with a timeout of TIMEOUT_MS. */
static client *client_new(apr_pool_t *p, const char *args)
{
    client *cl = apr_pcalloc(p, sizeof(*cl));
    maintenance_provider_params params = { 0 };
    const char *err;

    params.timeout = apr_time_from_msec(TIMEOUT_MS);
    cl->p = p;
    err = maintenance_memcache_provider.create(&cl->inst, args,
                                               apr_table_make(p, 1), &params,
                                               p);
    if (err) {
        fail_msg("create(\"%s\"): %s", args, err);
    }
    if (maintenance_memcache_provider.child_init(cl->inst, p, &err)
        != APR_SUCCESS) {
        fail_msg("child_init: %s", err);
    }
    return cl;
}

static client *client_on(apr_pool_t *p, const fake_mcd *fm)
{
    return client_new(p, apr_psprintf(p, "127.0.0.1:%d", fm->port));
}

static apr_status_t get(client *cl)
{
    apr_time_t start = apr_time_now();
    apr_status_t rv;

    cl->err = NULL;
    cl->len = 0;
    rv = maintenance_memcache_provider.get(cl->inst, cl->value, &cl->len,
                                           cl->p, &cl->err);
    cl->ms = (long)apr_time_as_msec(apr_time_now() - start);
    cl->value[cl->len] = '\0';
    return rv;
}

static apr_status_t set(client *cl, const char *text)
{
    cl->err = NULL;
    return maintenance_memcache_provider.set(cl->inst, text, strlen(text),
                                             cl->p, &cl->err);
}

static void assert_err_says(const client *cl, const char *needle)
{
    if (!cl->err || !strstr(cl->err, needle)) {
        fail_msg("error \"%s\" does not say \"%s\"", unit_str(cl->err),
                 needle);
    }
}

/* Calls share one connection, and say what memcached expects. */
static void test_one_connection(void **state)
{
    fake_mcd *fm = fake_start(FAKE_ANSWER, "VALUE " KEY " 0 3\r\non\n\r\n"
                                           "END\r\n");
    client *cl = client_on(*state, fm);

    assert_int_equal(get(cl), APR_SUCCESS);
    assert_string_equal(cl->value, "on\n");
    assert_string_equal(fake_request(fm, *state), "get " KEY "\r\n");
    fake_set(fm, FAKE_ANSWER, "STORED\r\n");
    assert_int_equal(set(cl, "off\n"), APR_SUCCESS);
    assert_string_equal(fake_request(fm, *state),
                        "set " KEY " 0 0 4\r\noff\n\r\n");
    fake_set(fm, FAKE_ANSWER, "END\r\n");
    assert_int_equal(get(cl), APR_NOTFOUND);
    assert_null(cl->err);
    assert_int_equal(fake_accepted(fm), 1);
    fake_stop(fm);
}

/* memcached's own errors, a value too large and garbage: each fails the
 * call with its status, and the next call opens a new connection. */
static void test_bad_answers(void **state)
{
    static const struct {
        const char *answer;
        apr_status_t rv;
        const char *says;
    } rows[] = {
        { "SERVER_ERROR out of memory\r\n", MAINTENANCE_ESTORE,
          "answered SERVER_ERROR out of memory" },
        { "VALUE " KEY " 0 4097\r\n", APR_ENOSPC, "larger than 4096" },
        { "VALUE other 0 3\r\non\n\r\nEND\r\n", APR_EGENERAL,
          "not memcached's" },
        { "END\r\nEND\r\n", APR_EGENERAL, "not memcached's" },
    };
    fake_mcd *fm = fake_start(FAKE_ANSWER, "");
    client *cl = client_on(*state, fm);
    const char *where = apr_psprintf(*state, "memcached 127.0.0.1:%d, key "
                                     KEY ": ", fm->port);
    size_t i;

    for (i = 0; i < ARRAY_LEN(rows); i++) {
        apr_status_t rv;

        fake_set(fm, FAKE_ANSWER, rows[i].answer);
        rv = get(cl);
        EXPECT(rv == rows[i].rv, "%s: %s", rows[i].answer, status_name(rv));
        EXPECT(cl->err && strstr(cl->err, where)
               && strstr(cl->err, rows[i].says),
               "%s: error \"%s\"", rows[i].answer, unit_str(cl->err));
        EXPECT(fake_accepted(fm) == (int)i + 1, "%s: %d connections",
               rows[i].answer, fake_accepted(fm));
    }
    fake_set(fm, FAKE_ANSWER, "NOT_STORED\r\n");
    assert_int_equal(set(cl, "on\n"), MAINTENANCE_ESTORE);
    assert_err_says(cl, "answered NOT_STORED");
    EXPECT_ALL();
    fake_stop(fm);
}

/* A server that goes silent, on the kept connection and on new ones
 * (they are accepted, never answered): each call fails within the
 * timeout, saying so; once the server answers again, so does the next
 * call, on a new connection. */
static void test_silent_server(void **state)
{
    fake_mcd *fm = fake_start(FAKE_ANSWER, "END\r\n");
    client *cl = client_on(*state, fm);

    assert_int_equal(get(cl), APR_NOTFOUND);
    fake_set(fm, FAKE_SILENT, "");
    assert_int_equal(get(cl), APR_TIMEUP);
    assert_err_says(cl, apr_psprintf(*state, "did not answer within %d ms",
                                     TIMEOUT_MS));
    assert_in_range(cl->ms, TIMEOUT_MS - 10, TIMEOUT_MS + SLACK_MS);
    assert_int_equal(set(cl, "on\n"), APR_TIMEUP);
    assert_err_says(cl, "did not answer within");

    fake_set(fm, FAKE_ANSWER, "VALUE " KEY " 0 4\r\noff\n\r\nEND\r\n");
    assert_int_equal(get(cl), APR_SUCCESS);
    assert_string_equal(cl->value, "off\n");
    assert_int_equal(fake_accepted(fm), 3);
    fake_stop(fm);
}

/* memcached closed the kept connection while it was idle (a restart):
 * the call is tried once more on a new one, not failed. */
static void test_closed_while_idle(void **state)
{
    fake_mcd *fm = fake_start(FAKE_ANSWER_CLOSE, "VALUE " KEY " 0 1\r\n1\r\n"
                                                 "END\r\n");
    client *cl = client_on(*state, fm);

    assert_int_equal(get(cl), APR_SUCCESS);
    assert_int_equal(get(cl), APR_SUCCESS);
    assert_null(cl->err);
    assert_string_equal(cl->value, "1");
    assert_int_equal(fake_accepted(fm), 2);
    fake_stop(fm);
}

/* Nothing listens: a clear error at once. */
static void test_refused(void **state)
{
    fake_mcd *fm = fake_start(FAKE_ANSWER, "");
    client *cl = client_on(*state, fm);

    fake_stop(fm);
    assert_true(get(cl) != APR_SUCCESS);
    assert_err_says(cl, "cannot connect: ");
    assert_true(set(cl, "on\n") != APR_SUCCESS);
    assert_err_says(cl, "cannot connect: ");
}

/* With several servers, the key's own is asked, as apr_memcache chose
 * it; dead, it is an error, never another server standing in. */
static void test_home_server(void **state)
{
    apr_pool_t *p = *state;
    fake_mcd *fm[2];
    client *cl;
    int home, home_port;

    fm[0] = fake_start(FAKE_ANSWER, "VALUE " KEY " 0 1\r\n0\r\nEND\r\n");
    fm[1] = fake_start(FAKE_ANSWER, "VALUE " KEY " 0 1\r\n1\r\nEND\r\n");
    home = (int)(apr_memcache_hash_default(NULL, KEY, strlen(KEY)) % 2);
    cl = client_new(p, apr_psprintf(p, "127.0.0.1:%d,127.0.0.1:%d/" KEY,
                                    fm[0]->port, fm[1]->port));
    assert_int_equal(get(cl), APR_SUCCESS);
    assert_int_equal(cl->value[0], '0' + home);
    assert_int_equal(fake_accepted(fm[!home]), 0);

    home_port = fm[home]->port;
    fake_stop(fm[home]);
    assert_true(get(cl) != APR_SUCCESS);
    assert_err_says(cl, apr_psprintf(p, "memcached 127.0.0.1:%d, key " KEY
                                     ": cannot connect", home_port));
    assert_int_equal(fake_accepted(fm[!home]), 0);
    fake_stop(fm[!home]);
}

/* Threads calling at once behind a silent server: each gives up by its
 * own deadline, the ones that waited for another's call included. */
#define WAITERS 4

typedef struct {
    client *cl;
    apr_status_t rv;
    long ms;
} waiter;

static void *wait_get(void *arg)
{
    waiter *w = arg;
    apr_time_t start = apr_time_now();
    const char *err = NULL;
    char buf[MAINTENANCE_STATE_MAX + 1];
    apr_size_t len;
    apr_pool_t *p;

    apr_pool_create_unmanaged_ex(&p, NULL, NULL);
    w->rv = maintenance_memcache_provider.get(w->cl->inst, buf, &len, p,
                                              &err);
    w->ms = (long)apr_time_as_msec(apr_time_now() - start);
    apr_pool_destroy(p);
    return NULL;
}

static void test_waiters_bounded(void **state)
{
    fake_mcd *fm = fake_start(FAKE_SILENT, "");
    client *cl = client_on(*state, fm);
    pthread_t threads[WAITERS];
    waiter w[WAITERS];
    int i;

    for (i = 0; i < WAITERS; i++) {
        w[i] = (waiter){ cl, APR_SUCCESS, 0 };
        assert_int_equal(pthread_create(&threads[i], NULL, wait_get, &w[i]),
                         0);
    }
    for (i = 0; i < WAITERS; i++) {
        pthread_join(threads[i], NULL);
    }
    for (i = 0; i < WAITERS; i++) {
        EXPECT(w[i].rv == APR_TIMEUP, "thread %d: status %d", i, w[i].rv);
        EXPECT(w[i].ms <= TIMEOUT_MS + SLACK_MS, "thread %d: %ld ms", i,
               w[i].ms);
    }
    EXPECT_ALL();
    fake_stop(fm);
}

/* A call before child_init (httpd's parent) is refused, not crashed. */
static void test_not_initialised(void **state)
{
    apr_pool_t *p = *state;
    maintenance_provider_params params = { 0 };
    const char *err = NULL;
    char buf[MAINTENANCE_STATE_MAX + 1];
    apr_size_t len;
    void *inst;

    params.timeout = apr_time_from_msec(TIMEOUT_MS);
    assert_null(maintenance_memcache_provider.create(&inst, "127.0.0.1:1",
                                                     apr_table_make(p, 1),
                                                     &params, p));
    assert_int_equal(maintenance_memcache_provider.get(inst, buf, &len, p,
                                                       &err), APR_EINIT);
    assert_non_null(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UNIT_TEST(test_get_answers),
        UNIT_TEST(test_get_garbage),
        UNIT_TEST(test_set_answers),
        UNIT_TEST(test_prefixes),
        UNIT_TEST(test_endless_line),
        UNIT_TEST(test_one_connection),
        UNIT_TEST(test_bad_answers),
        UNIT_TEST(test_silent_server),
        UNIT_TEST(test_closed_while_idle),
        UNIT_TEST(test_refused),
        UNIT_TEST(test_home_server),
        UNIT_TEST(test_waiters_bounded),
        UNIT_TEST(test_not_initialised),
    };

    return UNIT_RUN("memcache", tests);
}
