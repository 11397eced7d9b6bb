/* Small secret files (secret.h): read as root at start-up, so a link or a
 * FIFO swapped in by a lesser user is refused rather than followed or
 * waited on. */
#include <apr_strings.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secret.h"

const char *maintenance_secret_read(const char *path, apr_size_t max,
                                    char **text, apr_size_t *len,
                                    apr_pool_t *p)
{
    char *buf = apr_palloc(p, max + 1);
    struct stat sb;
    ssize_t n;
    int fd;

    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        return apr_psprintf(p, "%s: cannot open it: %s", path,
                            strerror(errno));
    }
    if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
        close(fd);
        return apr_psprintf(p, "%s: not a regular file", path);
    }
    n = read(fd, buf, max + 1);
    close(fd);
    if (n < 0) {
        return apr_psprintf(p, "%s: cannot read it: %s", path,
                            strerror(errno));
    }
    if ((apr_size_t)n > max) {
        return apr_psprintf(p, "%s: larger than %lu bytes", path,
                            (unsigned long)max);
    }
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) {
        n--;
    }
    buf[n] = '\0';
    *text = buf;
    *len = (apr_size_t)n;
    return NULL;
}
