/* The same module under mpm_worker (threads, like mpm_event) and
 * mpm_prefork (several single-threaded processes, each with its own
 * cached state and refresher): decisions, the toggle page, and requests
 * from many clients while the state flips. */
#include <pthread.h>
#include <stdlib.h>

#include "fixture.h"
#include "toggle.h"

static const char CONF[] = FX_TOGGLE_CONF;

#define CLIENTS   8
#define REQUESTS  100

static int setup_mpm(void **state, const char *mpm)
{
    fx *f;

    setenv("FX_MPM", mpm, 1);
    f = toggle_new_site(CONF);
    unsetenv("FX_MPM");
    fx_start(f);
    *state = f;
    return 0;
}

static int setup_worker(void **state)
{
    return setup_mpm(state, "worker");
}

static int setup_prefork(void **state)
{
    return setup_mpm(state, "prefork");
}

/* Every process reads the state on its own: the first answer comes from
 * one of them, the others follow within the TTL, so the test waits as
 * long again as the fixture's settling time before it asks them all. */
static void test_state_decides(void **state)
{
    fx *f = *state;

    fx_write(f, "state/state", "on\nmessage=Back at noon\n");
    FX_ASSERT_STATUS(fx_await_status(f, "/index.html", 503), 503);
    fx_sleep_ms(FX_SETTLE_MS);
    for (int i = 0; i < 20; i++) {
        FX_ASSERT_BODY(FX_ASSERT_STATUS(fx_get(f, "/index.html"), 503),
                       "Back at noon");
    }
    fx_write(f, "state/state", "off\n");
    FX_ASSERT_STATUS(fx_await_status(f, "/index.html", 200), 200);
    fx_sleep_ms(FX_SETTLE_MS);
    for (int i = 0; i < 20; i++) {
        FX_ASSERT_STATUS(fx_get(f, "/index.html"), 200);
    }
}

/* The page's own form for action (on or off), as a browser posts it. */
static fx_res *post_form(fx *f, const char *action)
{
    return fx_post(f, ALICE, fx_fmt(f, TOGGLE "/%s", action),
                   "message=From+the+page", toggle_origin(f));
}

/* The handler runs as httpd's User in whichever process takes it. */
static void test_toggle_page(void **state)
{
    fx *f = *state;

    FX_ASSERT_STATUS(post_form(f, "on"), 303);
    FX_ASSERT_BODY(FX_ASSERT_STATUS(fx_await_status(f, "/index.html", 503),
                                    503), "From the page");
    FX_ASSERT_STATUS(post_form(f, "off"), 303);
    FX_ASSERT_STATUS(fx_await_status(f, "/index.html", 200), 200);
}

typedef struct {
    const fx *f;
    long answers[2];     /* 200s, 503s */
    long other;          /* the first other status, or -1 */
    CURLcode rc;         /* the first transfer error */
} client_job;

static void *client(void *arg)
{
    client_job *job = arg;
    CURL *curl = fx_curl(job->f, "/index.html", 10L);

    for (int i = 0; i < REQUESTS; i++) {
        long status = 0;
        CURLcode rc = curl_easy_perform(curl);

        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        if (rc != CURLE_OK) {
            if (job->rc == CURLE_OK) {
                job->rc = rc;
            }
        } else if (status == 200 || status == 503) {
            job->answers[status == 503]++;
        } else if (job->other < 0) {
            job->other = status;
        }
    }
    curl_easy_cleanup(curl);
    return NULL;
}

/* Many clients while the state flips: every answer is the site or the
 * maintenance page, and the error log stays clean. */
static void test_clients_while_flipping(void **state)
{
    fx *f = *state;
    client_job jobs[CLIENTS];
    pthread_t threads[CLIENTS];
    long answers[2] = { 0, 0 };

    /* More clients than some MPMs' workers: httpd may say so. */
    fx_expect_log(f, "AH00484");
    fx_expect_log(f, "AH00161");
    for (int i = 0; i < CLIENTS; i++) {
        memset(&jobs[i], 0, sizeof(jobs[i]));
        jobs[i].f = f;
        jobs[i].other = -1;
        assert_int_equal(pthread_create(&threads[i], NULL, client, &jobs[i]),
                         0);
    }
    for (int flip = 0; flip < 30; flip++) {
        fx_write(f, "state/state", flip % 2 ? "off\n" : "on\n");
        fx_sleep_ms(20);
    }
    for (int i = 0; i < CLIENTS; i++) {
        pthread_join(threads[i], NULL);
        if (jobs[i].rc != CURLE_OK) {
            fail_msg("client %d: %s", i, curl_easy_strerror(jobs[i].rc));
        }
        if (jobs[i].other >= 0) {
            fail_msg("client %d: status %ld", i, jobs[i].other);
        }
        answers[0] += jobs[i].answers[0];
        answers[1] += jobs[i].answers[1];
    }
    assert_int_equal(answers[0] + answers[1], CLIENTS * REQUESTS);
    fx_write(f, "state/state", "off\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_state_decides),
        FX_TEST(test_toggle_page),
        FX_TEST(test_clients_while_flipping),
    };
    int failed = cmocka_run_group_tests_name("mpm_worker", tests,
                                             setup_worker, fx_group_teardown);

    return failed + cmocka_run_group_tests_name("mpm_prefork", tests,
                                                setup_prefork,
                                                fx_group_teardown);
}
