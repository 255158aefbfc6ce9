/* server_thr.c — thread-per-connection echo server: the main thread accepts
 * (blocking) and starts one thread per socket (thr_spawn_ex, --stack bytes of
 * stack), which reads and writes back with blocking calls: read and write,
 * not recv and send, because /proc/<pid>/io counts only the former (the
 * report's syscalls per request); SIGPIPE is ignored in the server.
 *
 * Where this design stops working is the point of the benchmark: when a
 * thread cannot be created (address space, thread limit), the connection is
 * closed and the first failure reported on the status pipe. Threads are never
 * joined: the parent SIGKILLs the whole process at the end of the run.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "echo.h"
#include "thr.h"

static size_t buf_bytes; /* --buf */

static void conn(void *arg) {
    int fd = (int)(intptr_t)arg;
    char buf[buf_bytes]; /* on this connection's stack, as a fixed array would be */
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        ssize_t done = 0;
        while (done < n) {
            ssize_t w = write(fd, buf + done, (size_t)(n - done));
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) goto out;
            done += w;
        }
    }
out:
    close(fd);
}

void echo_serve_threads(const echo_server_cfg *cfg) {
    thr_spawn_opts so;
    thr_spawn_opts_init(&so);
    so.stack_size = cfg->stack;
    buf_bytes = cfg->buf;
    int spare = echo_spare_open();
    echo_status(cfg->status_fd, "ready");
    uint64_t accepted = 0;
    int reported = 0, accept_reported = 0;
    for (;;) {
        int fd = accept4(cfg->lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            int e = errno;
            if (e == EINTR || e == ECONNABORTED) continue;
            if (!accept_reported) {
                char lim[48] = "";
                if (e == EMFILE) snprintf(lim, sizeof lim, " (RLIMIT_NOFILE %llu)", echo_nofile());
                echo_status(cfg->status_fd, "limit %llu accept failed at connection %llu: %s%s",
                            (unsigned long long)accepted, (unsigned long long)accepted,
                            thr_strerror(-e), lim);
            }
            accept_reported = 1;
            /* The blocking accept in echo_shed waits for the next client. */
            if (echo_shed(cfg->lfd, &spare) == 1) {
                accepted++;
            } else {
                struct timespec ms = {0, 1000000};
                nanosleep(&ms, NULL);
            }
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        int err = 0;
        if (!thr_spawn_ex(conn, (void *)(intptr_t)fd, &so, &err)) {
            if (!reported)
                echo_status(cfg->status_fd,
                            "limit %llu thread creation failed at connection "
                            "%llu: %s",
                            (unsigned long long)accepted, (unsigned long long)accepted,
                            thr_strerror(err ? err : THR_EAGAIN));
            reported = 1;
            close(fd);
        }
        accepted++;
    }
}
