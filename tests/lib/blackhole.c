/* A listener that never answers (blackhole.h). */
#include "blackhole.h"
#include "fixture.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

pid_t blackhole_start(int *port)
{
    struct sockaddr_in sa = { .sin_family = AF_INET };
    socklen_t len = sizeof(sa);
    pid_t parent = getpid(), pid;
    int one = 1, s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    sa.sin_port = htons((unsigned short)*port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s < 0
        || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0
        || bind(s, (struct sockaddr *)&sa, sizeof(sa)) != 0
        || listen(s, 128) != 0
        || getsockname(s, (struct sockaddr *)&sa, &len) != 0) {
        fail_msg("a black hole on port %d: %s", *port, strerror(errno));
    }
    fflush(NULL);
    if ((pid = fork()) < 0) {
        fail_msg("a black hole: fork: %s", strerror(errno));
    }
    if (pid == 0) {
        /* Never outlive the test binary, even if it crashes. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) {
            _exit(0);
        }
        /* Every connection kept open, never read, never answered. */
        for (;;) {
            accept(s, NULL, NULL);
        }
    }
    close(s);
    *port = ntohs(sa.sin_port);
    return pid;
}
