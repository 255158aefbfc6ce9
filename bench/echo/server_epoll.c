/* server_epoll.c — the event-loop floor: one thread, one epoll instance, a
 * small state machine per connection, no coroutines and no threads. It is
 * what a hand-written callback server does with the same buffer (--buf) and
 * the same protocol, so the coroutine servers' requests/s can be read as a
 * fraction of it: the cost of the coroutine abstraction over callbacks.
 *
 * A connection is either reading (EPOLLIN: read what came, write it straight
 * back) or writing (the socket took only part of an echo: EPOLLOUT until the
 * rest is out, then back to reading). Level-triggered, one read per
 * readiness: a read that returns EAGAIN never happens, which is the least a
 * server can do per request (an edge-triggered loop must read until EAGAIN).
 *
 * read and write rather than recv and send: the same work on a socket, and
 * the calls /proc/<pid>/io counts (the report's syscalls per request; SIGPIPE
 * is ignored in the server).
 *
 * Limits are data, as in the other servers: a connection that cannot get its
 * state (out of memory) or a registration is closed and the first such
 * failure reported; out of descriptors, the spare one sheds the connection.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "echo.h"

#define EP_EVENTS 256
#define EP_ACCEPT_BURST 64 /* accepts per wake-up, so serving is not starved */

typedef struct ep_conn {
    int fd;
    uint32_t len, off; /* bytes of buf still to write back: off..len */
    char buf[];
} ep_conn;

typedef struct ep_server {
    const echo_server_cfg *cfg;
    int ep, spare;
    uint64_t accepted;
    int reported; /* a "limit" line was written */
} ep_server;

static void ep_limit(ep_server *s, const char *what, int err) {
    if (s->reported) return;
    char lim[48] = "";
    if (err == -EMFILE) snprintf(lim, sizeof lim, " (RLIMIT_NOFILE %llu)", echo_nofile());
    echo_status(s->cfg->status_fd, "limit %llu %s at connection %llu: %s%s",
                (unsigned long long)s->accepted, what, (unsigned long long)s->accepted,
                echo_strerror(err), lim);
    s->reported = 1;
}

static void ep_close(ep_server *s, ep_conn *c) {
    (void)s;
    close(c->fd); /* closing removes it from the epoll set */
    free(c);
}

static int ep_watch(ep_server *s, ep_conn *c, uint32_t events, int op) {
    struct epoll_event ev = {.events = events, .data.ptr = c};
    return epoll_ctl(s->ep, op, c->fd, &ev);
}

/* Takes one pending connection; 0 taken (or refused as a limit), 1 none pending. */
static int ep_accept_one(ep_server *s) {
    int fd = accept4(s->cfg->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        if (e == EAGAIN || e == EWOULDBLOCK) return 1;
        if (e == EINTR || e == ECONNABORTED) return 0;
        ep_limit(s, "accept failed", -e);
        int shed = echo_shed(s->cfg->lfd, &s->spare);
        if (shed == 1) {
            s->accepted++;
            return 0;
        }
        if (shed < 0) { /* no spare: the listener stays readable, do not spin on it */
            struct timespec ms = {0, 1000000};
            nanosleep(&ms, NULL);
        }
        return 1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ep_conn *c = malloc(sizeof *c + s->cfg->buf);
    if (!c) {
        ep_limit(s, "connection state allocation failed", -ENOMEM);
        close(fd);
    } else {
        c->fd = fd;
        c->len = c->off = 0;
        if (ep_watch(s, c, EPOLLIN, EPOLL_CTL_ADD) != 0) {
            ep_limit(s, "epoll registration failed", -errno);
            ep_close(s, c);
        }
    }
    s->accepted++;
    return 0;
}

/* Writes back what is pending; 0 all out, 1 the socket is full, -1 closed. */
static int ep_flush(ep_conn *c) {
    while (c->off < c->len) {
        ssize_t w = write(c->fd, c->buf + c->off, c->len - c->off);
        if (w > 0) {
            c->off += (uint32_t)w;
        } else if (w < 0 && errno == EINTR) {
            continue;
        } else {
            return w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? 1 : -1;
        }
    }
    c->off = c->len = 0;
    return 0;
}

/* One readiness event of a connection: its state machine's step. */
static void ep_step(ep_server *s, ep_conn *c) {
    int was_writing = c->off < c->len;
    if (!was_writing) {
        ssize_t n = read(c->fd, c->buf, s->cfg->buf);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
        if (n <= 0) {
            ep_close(s, c);
            return;
        }
        c->len = (uint32_t)n;
        c->off = 0;
    }
    int rc = ep_flush(c);
    if (rc < 0) {
        ep_close(s, c);
    } else if ((rc == 1) != was_writing &&
               ep_watch(s, c, rc == 1 ? EPOLLOUT : EPOLLIN, EPOLL_CTL_MOD) != 0) {
        ep_close(s, c); /* cannot change its interest: it could never be served */
    }
}

void echo_serve_epoll(const echo_server_cfg *cfg) {
    ep_server s = {.cfg = cfg, .ep = -1, .spare = -1};
    int flags = fcntl(cfg->lfd, F_GETFL);
    if (flags < 0 || fcntl(cfg->lfd, F_SETFL, flags | O_NONBLOCK) != 0) {
        echo_status(cfg->status_fd, "error making the listening socket non-blocking: %s",
                    echo_strerror(-errno));
        return;
    }
    /* The epoll instance and the spare descriptor come first, before the
     * connections can use up the descriptors. */
    s.ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
    if (s.ep < 0 || epoll_ctl(s.ep, EPOLL_CTL_ADD, cfg->lfd, &lev) != 0) {
        echo_status(cfg->status_fd, "error epoll set-up: %s", echo_strerror(-errno));
        return;
    }
    s.spare = echo_spare_open();
    echo_status(cfg->status_fd, "ready");
    struct epoll_event ev[EP_EVENTS];
    for (;;) {
        int n = epoll_wait(s.ep, ev, EP_EVENTS, -1);
        if (n < 0 && errno != EINTR) {
            echo_status(cfg->status_fd, "error epoll_wait: %s", echo_strerror(-errno));
            return;
        }
        for (int i = 0; i < n; i++) {
            if (ev[i].data.ptr == NULL) {
                for (int k = 0; k < EP_ACCEPT_BURST && ep_accept_one(&s) == 0; k++) {
                }
            } else {
                ep_step(&s, ev[i].data.ptr);
            }
        }
    }
}
