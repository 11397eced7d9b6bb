/* End to end in a real browser: tests/browser/toggle.mjs drives Debian's
 * headless Chromium through playwright-core to log in to the toggle page,
 * turn maintenance on with a click, see the site answer 503 (with the
 * built-in page and the message), and turn it off again. */
#include "fixture.h"
#include "toggle.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define SCRIPT     "tests/browser/toggle.mjs"
#define PLAYWRIGHT "tests/browser/node_modules/playwright-core"
#define CHROMIUM   "/usr/bin/chromium"
#define DEADLINE_S 180

/* The README's toggle location; the site's own front page; the module's
 * built-in maintenance page (no template, no ErrorDocument). */
static const char CONF[] = FX_TOGGLE_CONF;

/* What the browser test needs and this machine may lack, or NULL. */
static const char *missing(void)
{
    if (access(PLAYWRIGHT, R_OK) != 0) {
        return PLAYWRIGHT " (npm install --prefix tests/browser)";
    }
    if (access(CHROMIUM, X_OK) != 0) {
        return CHROMIUM " (apt-get install chromium)";
    }
    return NULL;
}

/* Run node SCRIPT base user password (alice's) in its own process group,
 * output into log; its exit status, or -1 if it had to be killed. */
static int run_script(const char *base, const char *log)
{
    pid_t pid;
    int status;

    fflush(NULL);
    if ((pid = fork()) < 0) {
        fail_msg("fork: %s", strerror(errno));
    }
    if (pid == 0) {
        setpgid(0, 0);   /* so that Chromium goes with it on a timeout */
        if (!freopen(log, "w", stdout) || dup2(fileno(stdout), 2) < 0) {
            _exit(126);
        }
        execlp("node", "node", SCRIPT, base, TOGGLE_USER, TOGGLE_PASSWORD,
               (char *)NULL);
        fprintf(stderr, "cannot run node: %s\n", strerror(errno));
        _exit(127);
    }
    for (int waited = 0; waitpid(pid, &status, WNOHANG) == 0; waited++) {
        if (waited == DEADLINE_S * 10) {
            kill(-pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -1;
        }
        fx_sleep_ms(100);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_toggle_in_a_browser(void **state)
{
    const char *why = missing();
    (void)state;

    if (why) {
        print_message("skipped: the browser test needs %s\n", why);
        skip();
    }
    fx *f = fx_new(CONF);
    toggle_add_alice(f);
    fx_write(f, "htdocs/index.html", "<!DOCTYPE html><title>Shop</title>"
             "<p>front page</p>\n");
    fx_start(f);

    const char *log = fx_fmt(f, "%s/browser.log", fx_dir(f));
    int rc = run_script(fx_url(f, ""), log);
    if (rc != 0) {
        FILE *fp = fopen(log, "r");
        char text[16384];
        size_t n = fp ? fread(text, 1, sizeof(text) - 1, fp) : 0;
        if (fp) {
            fclose(fp);
        }
        text[n] = '\0';
        fail_msg("node " SCRIPT " %s (exit %d):\n%s", rc < 0 ? "timed out"
                 : "failed", rc, text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_toggle_in_a_browser),
    };

    return cmocka_run_group_tests_name("browser", tests, NULL, NULL);
}
