/* server_coro.c — coroutine-per-connection echo server: one acceptor
 * coroutine spawns a coroutine per accepted socket; with --workers above 1
 * they run M:N (coro_run_ex). Every wait is coro_read/coro_write/coro_accept,
 * so an idle connection costs a parked coroutine, no kernel thread.
 *
 * A connection that cannot get a coroutine (out of memory) is closed and the
 * first such failure reported: a limit, never a crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "coro.h"
#include "echo.h"

static size_t buf_bytes; /* --buf */

static void conn(void *arg) {
    int fd = (int)(intptr_t)arg;
    char buf[buf_bytes]; /* on this connection's stack, as a fixed array would be */
    ssize_t n;
    while ((n = coro_read(fd, buf, sizeof buf)) > 0)
        if (coro_write(fd, buf, (size_t)n) != n) break;
    coro_close(fd);
}

static void acceptor(void *arg) {
    const echo_server_cfg *cfg = arg;
    coro_spawn_opts so;
    coro_spawn_opts_init(&so);
    so.stack_size = cfg->stack;
    int flags = fcntl(cfg->lfd, F_GETFL);
    if (flags < 0 || fcntl(cfg->lfd, F_SETFL, flags | O_NONBLOCK) != 0) {
        echo_status(cfg->status_fd, "error making the listening socket non-blocking: %s",
                    echo_strerror(-errno));
        return;
    }
    int spare = echo_spare_open();
    /* The runtime creates its epoll instance at the first wait. Make that
     * happen now: when every pending connection is accepted before the first
     * wait, the descriptors can run out first and every wait then fails. */
    coro_wait_fd(cfg->lfd, CORO_READ, 0);
    echo_status(cfg->status_fd, "ready");
    uint64_t accepted = 0;
    int reported = 0, accept_reported = 0;
    for (;;) {
        int fd = coro_accept(cfg->lfd, NULL, NULL);
        if (fd < 0) {
            if (!accept_reported) {
                char lim[48] = "";
                if (fd == -EMFILE)
                    snprintf(lim, sizeof lim, " (RLIMIT_NOFILE %llu)", echo_nofile());
                echo_status(cfg->status_fd, "limit %llu accept failed at connection %llu: %s%s",
                            (unsigned long long)accepted, (unsigned long long)accepted,
                            echo_strerror(fd), lim);
            }
            accept_reported = 1;
            int shed = echo_shed(cfg->lfd, &spare);
            if (shed == 1)
                accepted++;
            else if (shed < 0 || coro_wait_fd(cfg->lfd, CORO_READ, -1) < 0)
                coro_sleep_ns(1000000); /* no spare, or cannot wait: let the others run */
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (!coro_spawn_ex(conn, (void *)(intptr_t)fd, &so)) {
            if (!reported)
                echo_status(cfg->status_fd,
                            "limit %llu coroutine creation failed at connection "
                            "%llu: %s",
                            (unsigned long long)accepted, (unsigned long long)accepted,
                            coro_strerror(coro_last_error()));
            reported = 1;
            close(fd);
        }
        accepted++;
    }
}

void echo_serve_coro(const echo_server_cfg *cfg) {
    coro_run_opts o;
    coro_run_opts_init(&o);
    o.workers = cfg->workers;
    /* Placement is --pin's business (the whole server process, or nothing):
     * the runtime's own pinning, one worker per CPU, keeps the load generator
     * off the workers' cores, so the closed loop measures a starved load
     * generator (bench/echo/README.md, "Placement"). */
    o.pin = 0;
    buf_bytes = cfg->buf;
    int rc = coro_run_ex(acceptor, (void *)cfg, &o);
    echo_status(cfg->status_fd, "error coroutine server (%u worker%s) ended: %s", cfg->workers,
                cfg->workers == 1 ? "" : "s", rc ? echo_strerror(rc) : "acceptor returned");
}
