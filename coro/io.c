/* io.c — waiting on file descriptors with epoll, and thin read/write/accept/
 * connect wrappers for non-blocking descriptors.
 *
 * Interest is one-shot (EPOLLONESHOT): each wait arms the descriptor with one
 * epoll_ctl (MOD, or ADD the first time), an event disarms it, and the poll
 * re-arms it only for a direction someone still waits on. One system call
 * per wait, nothing to withdraw when a waiter leaves (a later event fires
 * once into nobody), and safe when the program close()s a descriptor and the
 * number comes back: the kernel forgot the old one, MOD says ENOENT, we ADD.
 * (The earlier level-triggered design cost an ADD and a DEL per wait: the
 * echo workload showed 4 epoll_ctl calls per request.)
 *
 * A wait with a timeout also sets a timer; whichever comes first wins, the
 * other is recognised as stale by the wait's sequence number
 * (struct coro.wait_seq) and the CAS in coro__claim().
 *
 * With several workers the descriptor table and epoll set are the world's,
 * under one lock that a waiter keeps across its switch out; any worker polls
 * at its round boundary, and a parked one blocks in epoll_wait (an eventfd in
 * the set lets the others interrupt it). errno is read through a function the
 * compiler cannot inline: a coroutine may resume on another thread, and a
 * cached address of the old thread's errno would read someone else's. */
#include "coro_int.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

__attribute__((noinline)) static int err_now(void) {
    int e = errno;
    __asm__ volatile("" ::: "memory");
    return e;
}

static coro_fdrec *fdrec(coro_io *io, int fd) {
    if ((size_t)fd >= io->nfds) {
        size_t n = io->nfds ? io->nfds : 64;
        while (n <= (size_t)fd) n *= 2;
        coro_fdrec *r = realloc(io->fds, n * sizeof *r);
        if (!r) return NULL;
        memset(r + io->nfds, 0, (n - io->nfds) * sizeof *r);
        io->fds = r;
        io->nfds = n;
    }
    return &io->fds[fd];
}

int coro__io_init(coro_io *io) {
    if (io->epfd >= 0) return 0;
    io->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (io->epfd < 0) return -errno;
    return 0;
}

/* Arms fd, one shot, for `want` (EPOLLIN/EPOLLOUT): the directions that
 * coroutines wait on now. */
static int arm(coro_io *io, int fd, coro_fdrec *r, uint32_t want) {
    struct epoll_event ev = {.events = want | EPOLLONESHOT, .data.fd = fd};
    int rc;
    if (r->in_set) {
        rc = epoll_ctl(io->epfd, EPOLL_CTL_MOD, fd, &ev);
        /* The fd was closed (the kernel forgot it) and its number reused. */
        if (rc != 0 && errno == ENOENT) rc = epoll_ctl(io->epfd, EPOLL_CTL_ADD, fd, &ev);
    } else {
        rc = epoll_ctl(io->epfd, EPOLL_CTL_ADD, fd, &ev);
        if (rc != 0 && errno == EEXIST) rc = epoll_ctl(io->epfd, EPOLL_CTL_MOD, fd, &ev);
    }
    if (rc != 0) return -errno;
    r->in_set = 1;
    return 0;
}

static uint32_t waited(const coro_fdrec *r) {
    return (r->rd ? EPOLLIN : 0) | (r->wr ? EPOLLOUT : 0);
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
    coro_io *io = s->io;
    int *held = s->world ? &io->lock : NULL;
    if (held) coro__lock(held);
    int rc = coro__io_init(io);
    coro_fdrec *r = rc ? NULL : fdrec(io, fd);
    if (!rc && !r) rc = CORO_ENOMEM;
    if (!rc && ((events & CORO_READ && r->rd) || (events & CORO_WRITE && r->wr))) rc = -EBUSY;
    if (!rc)
        rc = arm(io, fd, r,
                 waited(r) | (events & CORO_READ ? EPOLLIN : 0) |
                     (events & CORO_WRITE ? EPOLLOUT : 0));
    uint64_t seq = self->wait_seq + 1; /* the wait coro__block is about to start */
    if (!rc && timeout_ns >= 0) {
        uint64_t now = coro__now_ns();
        if (coro__timer_add(s, now + (uint64_t)timeout_ns, self, seq) != 0) rc = CORO_ENOMEM;
    }
    if (rc) {
        if (held) coro__unlock(held);
        return rc;
    }
    if (events & CORO_READ) r->rd = self, r->rd_seq = seq;
    if (events & CORO_WRITE) r->wr = self, r->wr_seq = seq;
    self->io_events = 0;
    __atomic_add_fetch(&io->waiters, 1, __ATOMIC_RELAXED);
    s = coro__block(s, self, held);
    if (held) coro__lock(held);
    __atomic_sub_fetch(&io->waiters, 1, __ATOMIC_RELAXED);
    r = &io->fds[fd];                /* the table may have grown meanwhile */
    if (r->rd == self) r->rd = NULL; /* woken by the timer: withdraw */
    if (r->wr == self) r->wr = NULL;
    int got = self->io_events;
    if (held) coro__unlock(held);
    return got ? got : CORO_ETIMEDOUT;
}

static void wake(coro_sched *s, struct coro **slot, uint64_t seq, int ev) {
    struct coro *c = *slot;
    *slot = NULL;
    if (!coro__claim(c, seq)) return; /* its timer won */
    c->io_events |= ev;
    coro__make_ready(s, c);
}

size_t coro__io_poll(coro_sched *s, int64_t timeout_ns) {
    coro_io *io = s->io;
    if (io->epfd < 0) return 0;
    struct epoll_event evs[256];
    int ms = timeout_ns < 0 ? -1 : (int)((timeout_ns + 999999) / 1000000);
    int *held = s->world ? &io->lock : NULL;
    /* A non-blocking poll (at a round boundary) may run while this very
     * worker holds the lock: the coroutine switching out of coro_wait_fd
     * keeps it until it is saved. Events are level-triggered and come back
     * on the next poll, so when the lock is busy, skip this one. */
    if (held && timeout_ns == 0 && !coro__trylock(held)) return 0;
    int n = epoll_wait(io->epfd, evs, 256, ms);
    if (n <= 0) {
        if (held && timeout_ns == 0) coro__unlock(held);
        return 0;
    }
    size_t woken = 0;
    if (held && timeout_ns != 0) coro__lock(held);
    for (int i = 0; i < n; i++) {
        int fd = evs[i].data.fd;
        uint32_t e = evs[i].events;
        if (fd == io->wakefd) {
            uint64_t v;
            ssize_t k = read(fd, &v, sizeof v); /* a notify from another worker */
            (void)k;
            continue;
        }
        coro_fdrec *r = &io->fds[fd];
        if (r->rd && (e & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP)))
            wake(s, &r->rd, r->rd_seq, CORO_READ), woken++;
        if (r->wr && (e & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
            wake(s, &r->wr, r->wr_seq, CORO_WRITE), woken++;
        /* The event disarmed fd: re-arm it for a direction still waited on
         * (a writer, when only the reader was woken). On failure the waiter
         * stays until its timeout, as if no event came. */
        if (r->rd || r->wr) (void)arm(io, fd, r, waited(r));
    }
    if (held) coro__unlock(held);
    return woken;
}

/* M:N: the eventfd that lets notify() interrupt a parked poller. */
int coro__io_init_wake(coro_io *io) {
    int rc = coro__io_init(io);
    if (rc) return rc;
    io->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (io->wakefd < 0) return -errno;
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = io->wakefd};
    if (epoll_ctl(io->epfd, EPOLL_CTL_ADD, io->wakefd, &ev) != 0) return -errno;
    return 0;
}

void coro__io_free(coro_io *io) {
    if (io->epfd >= 0) close(io->epfd);
    if (io->wakefd >= 0) close(io->wakefd);
    io->epfd = io->wakefd = -1;
    free(io->fds);
    io->fds = NULL;
    io->nfds = 0;
}

ssize_t coro_read(int fd, void *buf, size_t n) {
    for (;;) {
        ssize_t k = read(fd, buf, n);
        if (k >= 0) return k;
        int e = err_now();
        if (e == EINTR) continue;
        if (e != EAGAIN && e != EWOULDBLOCK) return -e;
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
        int e = err_now();
        if (e == EINTR) continue;
        if (e != EAGAIN && e != EWOULDBLOCK) return -e;
        int rc = coro_wait_fd(fd, CORO_WRITE, -1);
        if (rc < 0) return rc;
    }
    return (ssize_t)done;
}

int coro_accept(int fd, struct sockaddr *addr, socklen_t *len) {
    for (;;) {
        int c = accept4(fd, addr, len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (c >= 0) return c;
        int e = err_now();
        if (e == EINTR || e == ECONNABORTED) continue;
        if (e != EAGAIN && e != EWOULDBLOCK) return -e;
        int rc = coro_wait_fd(fd, CORO_READ, -1);
        if (rc < 0) return rc;
    }
}

int coro_connect(int fd, const struct sockaddr *addr, socklen_t len, int64_t timeout_ns) {
    if (connect(fd, addr, len) == 0) return 0;
    int e = err_now();
    if (e != EINPROGRESS && e != EINTR) return -e;
    int rc = coro_wait_fd(fd, CORO_WRITE, timeout_ns);
    if (rc < 0) return rc;
    int err = 0;
    socklen_t el = sizeof err;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0) return -err_now();
    return err ? -err : 0;
}
