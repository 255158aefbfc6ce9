/* io.c — waiting on file descriptors with epoll, and thin read/write/accept/
 * connect wrappers for non-blocking descriptors.
 *
 * Interest is level-triggered and updated lazily: a descriptor stays in the
 * epoll set while coroutines keep waiting on it (a read loop costs no
 * epoll_ctl per read); a direction nobody waits on is dropped the first time
 * an event for it arrives. A wait with a timeout also sets a timer; whichever
 * comes first wins, the other is recognised as stale by the wait's sequence
 * number (struct coro.wait_seq). */
#include "coro_int.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

static coro_fdrec *fdrec(coro_sched *s, int fd) {
    if ((size_t)fd >= s->nfds) {
        size_t n = s->nfds ? s->nfds : 64;
        while (n <= (size_t)fd) n *= 2;
        coro_fdrec *r = realloc(s->fds, n * sizeof *r);
        if (!r) return NULL;
        memset(r + s->nfds, 0, (n - s->nfds) * sizeof *r);
        s->fds = r;
        s->nfds = n;
    }
    return &s->fds[fd];
}

static int set_interest(coro_sched *s, int fd, coro_fdrec *r, uint32_t want) {
    if (want == r->registered) return 0;
    struct epoll_event ev = {.events = want, .data.fd = fd};
    int rc;
    if (want == 0) {
        rc = epoll_ctl(s->epfd, EPOLL_CTL_DEL, fd, &ev);
        if (rc != 0 && (errno == ENOENT || errno == EBADF)) rc = 0; /* closed meanwhile */
    } else if (r->registered == 0) {
        rc = epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev);
        if (rc != 0 && errno == EEXIST) rc = epoll_ctl(s->epfd, EPOLL_CTL_MOD, fd, &ev);
    } else {
        rc = epoll_ctl(s->epfd, EPOLL_CTL_MOD, fd, &ev);
        /* The fd was closed (the kernel forgot it) and its number reused. */
        if (rc != 0 && errno == ENOENT) rc = epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev);
    }
    if (rc != 0) return -errno;
    r->registered = want;
    return 0;
}

static int wait_outside(int fd, int events, int64_t timeout_ns) {
    struct pollfd p = {
        .fd = fd,
        .events = (short)((events & CORO_READ ? POLLIN : 0) | (events & CORO_WRITE ? POLLOUT : 0))};
    int ms = timeout_ns < 0 ? -1 : (int)((timeout_ns + 999999) / 1000000);
    int rc;
    while ((rc = poll(&p, 1, ms)) < 0 && errno == EINTR) {
    }
    if (rc < 0) return -errno;
    if (rc == 0) return CORO_ETIMEDOUT;
    int got = 0;
    if (p.revents & (POLLIN | POLLERR | POLLHUP)) got |= CORO_READ & events;
    if (p.revents & (POLLOUT | POLLERR | POLLHUP)) got |= CORO_WRITE & events;
    return got ? got : events;
}

int coro_wait_fd(int fd, int events, int64_t timeout_ns) {
    coro_sched *s = coro_S;
    if (fd < 0 || !(events & (CORO_READ | CORO_WRITE)) || (events & ~(CORO_READ | CORO_WRITE)))
        return CORO_EINVAL;
    if (!s) return wait_outside(fd, events, timeout_ns);
    struct coro *self = s->cur;
    if (s->epfd < 0) {
        s->epfd = epoll_create1(EPOLL_CLOEXEC);
        if (s->epfd < 0) return -errno;
    }
    coro_fdrec *r = fdrec(s, fd);
    if (!r) return CORO_ENOMEM;
    if ((events & CORO_READ && r->rd) || (events & CORO_WRITE && r->wr)) return -EBUSY;
    uint32_t want =
        r->registered | (events & CORO_READ ? EPOLLIN : 0) | (events & CORO_WRITE ? EPOLLOUT : 0);
    int rc = set_interest(s, fd, r, want);
    if (rc) return rc;
    uint64_t seq = self->wait_seq + 1; /* the wait coro__block is about to start */
    if (timeout_ns >= 0) {
        uint64_t now = coro__now_ns();
        if (coro__timer_add(s, now + (uint64_t)timeout_ns, self, seq) != 0) return CORO_ENOMEM;
    }
    if (events & CORO_READ) r->rd = self, r->rd_seq = seq;
    if (events & CORO_WRITE) r->wr = self, r->wr_seq = seq;
    self->io_events = 0;
    s->io_waiters++;
    coro__block(s, self);
    s->io_waiters--;
    r = &s->fds[fd];                 /* the table may have grown meanwhile */
    if (r->rd == self) r->rd = NULL; /* woken by the timer: withdraw */
    if (r->wr == self) r->wr = NULL;
    return self->io_events ? self->io_events : CORO_ETIMEDOUT;
}

static void wake(coro_sched *s, struct coro **slot, uint64_t seq, int ev) {
    struct coro *c = *slot;
    *slot = NULL;
    if (c->state != CORO_WAITING || c->wait_seq != seq) return; /* stale */
    c->io_events |= ev;
    coro__make_ready(s, c);
}

void coro__io_poll(coro_sched *s, int64_t timeout_ns) {
    if (s->epfd < 0) return;
    struct epoll_event evs[256];
    int ms = timeout_ns < 0 ? -1 : (int)((timeout_ns + 999999) / 1000000);
    int n = epoll_wait(s->epfd, evs, 256, ms);
    for (int i = 0; i < n; i++) {
        int fd = evs[i].data.fd;
        uint32_t e = evs[i].events;
        coro_fdrec *r = &s->fds[fd];
        if (r->rd && (e & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP)))
            wake(s, &r->rd, r->rd_seq, CORO_READ);
        if (r->wr && (e & (EPOLLOUT | EPOLLERR | EPOLLHUP))) wake(s, &r->wr, r->wr_seq, CORO_WRITE);
        /* Drop directions nobody waits on any more. */
        uint32_t want = (r->rd ? EPOLLIN : 0) | (r->wr ? EPOLLOUT : 0);
        if ((r->registered & ~want) && (e & r->registered & ~want)) set_interest(s, fd, r, want);
    }
}

void coro__io_free(coro_sched *s) {
    if (s->epfd >= 0) close(s->epfd);
    s->epfd = -1;
    free(s->fds);
    s->fds = NULL;
    s->nfds = 0;
}

ssize_t coro_read(int fd, void *buf, size_t n) {
    for (;;) {
        ssize_t k = read(fd, buf, n);
        if (k >= 0) return k;
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) return -errno;
        int rc = coro_wait_fd(fd, CORO_READ, -1);
        if (rc < 0) return rc;
    }
}

ssize_t coro_write(int fd, const void *buf, size_t n) {
    size_t done = 0;
    while (done < n) {
        ssize_t k = write(fd, (const char *)buf + done, n - done);
        if (k >= 0) {
            done += (size_t)k;
            continue;
        }
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) return -errno;
        int rc = coro_wait_fd(fd, CORO_WRITE, -1);
        if (rc < 0) return rc;
    }
    return (ssize_t)done;
}

int coro_accept(int fd, struct sockaddr *addr, socklen_t *len) {
    for (;;) {
        int c = accept4(fd, addr, len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (c >= 0) return c;
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) return -errno;
        int rc = coro_wait_fd(fd, CORO_READ, -1);
        if (rc < 0) return rc;
    }
}

int coro_connect(int fd, const struct sockaddr *addr, socklen_t len, int64_t timeout_ns) {
    if (connect(fd, addr, len) == 0) return 0;
    if (errno != EINPROGRESS && errno != EINTR) return -errno;
    int rc = coro_wait_fd(fd, CORO_WRITE, timeout_ns);
    if (rc < 0) return rc;
    int err = 0;
    socklen_t el = sizeof err;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0) return -errno;
    return err ? -err : 0;
}
