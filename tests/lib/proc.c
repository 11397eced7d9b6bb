/* A fixture's httpd as the kernel sees it: see proc.h. */
#include "proc.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* httpd writes its PidFile a moment after it opens its port (which is
 * when fx_start returns), and again on each restart: wait for it. */
#define PIDFILE_WAIT_MS 10000

/* The pid in text, 0 when there is none. */
static pid_t pid_in(const char *text)
{
    char *end;
    long pid = strtol(text, &end, 10);

    return pid > 0 && end != text && (!*end || *end == '\n') ? (pid_t)pid
                                                              : 0;
}

pid_t proc_httpd_pid(fx *f)
{
    long deadline = fx_now_ms() + PIDFILE_WAIT_MS;
    const char *text;
    pid_t pid;

    while (!(pid = pid_in(text = fx_read(f, "run/httpd.pid")))
           && fx_now_ms() < deadline) {
        fx_sleep_ms(10);
    }
    if (!pid) {
        fail_msg("no pid in %s/run/httpd.pid: \"%s\"", fx_dir(f), text);
    }
    if (kill(pid, 0) != 0) {
        fail_msg("httpd's parent %ld: %s", (long)pid, strerror(errno));
    }
    return pid;
}

void proc_graceful(fx *f)
{
    pid_t pid = proc_httpd_pid(f);

    if (kill(pid, SIGUSR1) != 0) {
        fail_msg("SIGUSR1 to httpd %ld: %s", (long)pid, strerror(errno));
    }
}

/* The parent of pid, from /proc/PID/stat ("pid (comm) state ppid ..."),
 * -1 when it is gone. comm may hold spaces and parentheses: the fields
 * start after the last ')'. */
static pid_t parent_of(const char *pid)
{
    char path[64], line[512], *close;
    FILE *fp;
    long ppid = -1;

    snprintf(path, sizeof(path), "/proc/%s/stat", pid);
    if (!(fp = fopen(path, "r"))) {
        return -1;
    }
    if (fgets(line, sizeof(line), fp) && (close = strrchr(line, ')'))
        && sscanf(close + 1, " %*c %ld", &ppid) != 1) {
        ppid = -1;
    }
    fclose(fp);
    return (pid_t)ppid;
}

size_t proc_children(pid_t parent, pid_t *out, size_t max)
{
    DIR *dir = opendir("/proc");
    struct dirent *e;
    size_t n = 0;

    if (!dir) {
        fail_msg("/proc: %s", strerror(errno));
    }
    while ((e = readdir(dir)) != NULL) {
        if (!isdigit((unsigned char)e->d_name[0])
            || parent_of(e->d_name) != parent) {
            continue;
        }
        if (n < max) {
            out[n] = (pid_t)atol(e->d_name);
        }
        n++;
    }
    closedir(dir);
    return n;
}

long proc_rss_kib(pid_t pid)
{
    char path[64], line[256];
    FILE *fp;
    long kib = -1;

    snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
    if (!(fp = fopen(path, "r"))) {
        return -1;
    }
    while (fgets(line, sizeof(line), fp)) {
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1) {
            break;
        }
    }
    fclose(fp);
    return kib;
}
