/* End to end in a real browser: tests/browser/toggle.mjs drives Debian's
 * headless Chromium through playwright-core to log in to the toggle page,
 * turn maintenance on with a click, see the site answer 503 (with the
 * built-in page and the message), and turn it off again;
 * tests/browser/bypass.mjs opens bypass links, one from maintenancectl and
 * one made on the status page, each in a browser of its own, while another
 * still gets the maintenance page; tests/browser/pages.mjs looks at the
 * maintenance page and at the toggle page in each state, on a phone, a
 * desktop and in dark mode: no accessibility violation (axe-core), under
 * 16 KiB, nothing asked of another origin, and a screenshot of each in
 * build/screenshots/ for people to look at. */
#include "ctl.h"
#include "fixture.h"
#include "toggle.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SCRIPTS    "tests/browser/"
#define PLAYWRIGHT "tests/browser/node_modules/playwright-core"
#define AXE        "tests/browser/node_modules/axe-core/axe.min.js"
#define SCREENSHOTS "build/screenshots"
#define CHROMIUM   "/usr/bin/chromium"
#define DEADLINE_S 180

/* The README's toggle location; the site's own front page; the module's
 * built-in maintenance page (no template, no ErrorDocument). */
static const char CONF[] = FX_TOGGLE_CONF;

/* What the browser test needs and this machine may lack, or NULL. */
static const char *missing(void)
{
    if (access(PLAYWRIGHT, R_OK) != 0 || access(AXE, R_OK) != 0) {
        return "tests/browser's npm packages (npm ci --prefix tests/browser)";
    }
    if (access(CHROMIUM, X_OK) != 0) {
        return CHROMIUM " (apt-get install chromium)";
    }
    return NULL;
}

/* Run node SCRIPTS/script base user password (alice's) [extra] in its
 * own process group, output into log; its exit status, or -1 if it had to
 * be killed. */
static int run_script(const char *script, const char *base,
                      const char *extra, const char *log)
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
        execlp("node", "node", script, base, TOGGLE_USER, TOGGLE_PASSWORD,
               extra, (char *)NULL);
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

/* Skip the test if this machine cannot run a browser. */
static void need_browser(void)
{
    const char *why = missing();

    if (why) {
        print_message("skipped: the browser test needs %s\n", why);
        skip();
    }
}

static fx *shop(const char *conf)
{
    fx *f = fx_new(conf);

    toggle_add_alice(f);
    fx_write(f, "htdocs/index.html", "<!DOCTYPE html><title>Shop</title>"
             "<p>front page</p>\n");
    return f;
}

/* node SCRIPTS/script against f, failing the test with its output. */
static void browse(fx *f, const char *script, const char *extra)
{
    const char *log = fx_fmt(f, "%s/browser.log", fx_dir(f));
    const char *path = fx_fmt(f, SCRIPTS "%s", script);
    int rc = run_script(path, fx_url(f, ""), extra, log);

    if (rc != 0) {
        FILE *fp = fopen(log, "r");
        char text[16384];
        size_t n = fp ? fread(text, 1, sizeof(text) - 1, fp) : 0;
        if (fp) {
            fclose(fp);
        }
        text[n] = '\0';
        fail_msg("node %s %s (exit %d):\n%s", path, rc < 0 ? "timed out"
                 : "failed", rc, text);
    }
}

static void test_toggle_in_a_browser(void **state)
{
    (void)state;
    need_browser();
    fx *f = shop(CONF);
    fx_start(f);
    browse(f, "toggle.mjs", NULL);
}

static void test_bypass_links_in_a_browser(void **state)
{
    (void)state;
    need_browser();
    fx *f = shop(FX_TOGGLE_CONF
                 "MaintenanceBypassKey ${TESTDIR}/bypass.key\n");
    fx_write(f, "bypass.key", "a key of forty bytes, for the browser!!\n");
    fx_chmod(f, "bypass.key", 0600);
    fx_start(f);
    fx_state(f, "on\n");

    const char *out = ctl_ok(CTL_RUN(f, "bypass", "--key",
                                     fx_fmt(f, "%s/bypass.key", fx_dir(f)),
                                     "--label", "browser"));
    browse(f, "bypass.mjs", fx_fmt(f, "%.*s", (int)strcspn(out, "\n"), out));
}

/* The pages people see, with a refresh and a bypass link form, so that
 * every part of them shows. */
static void test_pages_in_a_browser(void **state)
{
    (void)state;
    need_browser();
    fx *f = shop(FX_TOGGLE_CONF
                 "MaintenanceRefresh 60\n"
                 "<Location /quick>\n  MaintenanceRefresh 2\n</Location>\n"
                 "MaintenanceBypassKey ${TESTDIR}/bypass.key\n");
    fx_write(f, "bypass.key", "a key of forty bytes, for the browser!!\n");
    fx_chmod(f, "bypass.key", 0600);
    fx_start(f);
    browse(f, "pages.mjs", SCREENSHOTS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_toggle_in_a_browser),
        FX_TEST(test_bypass_links_in_a_browser),
        FX_TEST(test_pages_in_a_browser),
    };

    return cmocka_run_group_tests_name("browser", tests, NULL, NULL);
}
