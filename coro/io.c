/* io.c — waiting on file descriptors with epoll, and thin read/write/accept/
 * connect wrappers for non-blocking descriptors.
 *
 * Each descriptor is registered once, edge-triggered, for both directions
 * (EPOLLET): no epoll_ctl per wait. The poller counts the edges it sees per
 * descriptor and direction (struct coro_fdrec's *_gen) and wakes the waiter,
 * if any; a counted edge nobody has used up yet (*_gen != *_seen) means "may
 * be ready". The wrappers take a snapshot of the count before their system
 * call; when the call says EAGAIN, or a read on a byte stream comes back
 * short (the kernel had no more), the descriptor is drained up to that
 * snapshot (*_seen = snapshot). The next call then parks at once instead of
 * paying a system call for EAGAIN first. Safe because an edge comes after
 * every arrival, so data that came after the call carries an edge counted
 * after the snapshot. Per echo request that is read + write (+ a share of
 * epoll_wait) instead of read + write + read(EAGAIN) + epoll_ctl(re-arm).
 * (History: level-triggered cost an ADD and a DEL per wait, one-shot an
 * epoll_ctl MOD per wait; the echo workload measured both.)
 *
 * coro_wait_fd keeps level semantics for its callers: it asks poll(2) once
 * before it parks (one system call, as the one-shot re-arm was), so a
 * descriptor that is ready now returns at once, and one that is not does not
 * return for an edge that came before.
 *
 * The runtime remembers descriptors by number, so it must learn when a number
 * is reused: coro_close() forgets and closes; coro_accept() and coro_connect()
 * take the number as new (a fresh socket). A descriptor waited on and closed
 * with plain close() whose number comes back from open/pipe/socket must go
 * through coro_fd_forget() (as libdill's fdclean).
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
#include <sys/stat.h>
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

/* fd's record if the runtime has it registered, else NULL (never grows the
 * table). */
static coro_fdrec *known(coro_io *io, int fd) {
    return (size_t)fd < io->nfds && io->fds[fd].in_set ? &io->fds[fd] : NULL;
}

int coro__io_init(coro_io *io) {
    if (io->epfd >= 0) return 0;
    io->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (io->epfd < 0) return -errno;
    return 0;
}

/* A short read means "drained" only on a byte stream: a pipe or FIFO, or a
 * stream socket. A datagram socket returns one datagram with more queued, a
 * terminal one line. */
static int is_stream(int fd) {
    struct stat st;
    if (fstat(fd, &st) != 0) return 0;
    if (S_ISFIFO(st.st_mode)) return 1;
    if (!S_ISSOCK(st.st_mode)) return 0;
    int type = 0;
    socklen_t len = sizeof type;
    return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM;
}

/* Registers fd once, edge-triggered, both directions. A new registration
 * starts with nothing pending: the kernel queues an edge at once for what is
 * ready now. */
static int reg(coro_io *io, int fd, coro_fdrec *r) {
    if (r->in_set) return 0;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.fd = fd};
    int rc = epoll_ctl(io->epfd, EPOLL_CTL_ADD, fd, &ev);
    /* Registered before and forgotten without a close: a MOD re-reads it. */
    if (rc != 0 && errno == EEXIST) rc = epoll_ctl(io->epfd, EPOLL_CTL_MOD, fd, &ev);
    if (rc != 0) return -errno;
    memset(r, 0, sizeof *r);
    r->in_set = 1;
    r->stream = (unsigned char)is_stream(fd);
    return 0;
}

/* fd's record, registered (the table is entered); NULL with *rc. */
static coro_fdrec *enter_locked(coro_sched *s, int fd, int *rc) {
    coro_io *io = s->io;
    *rc = coro__io_init(io);
    coro_fdrec *r = *rc ? NULL : fdrec(io, fd);
    if (!*rc && !r) *rc = CORO_ENOMEM;
    if (r && (*rc = reg(io, fd, r)) != 0) r = NULL;
    return r;
}

/* Enters the table (locks it, M:N) and returns fd's record; NULL with *rc. */
static coro_fdrec *enter(coro_sched *s, int fd, int *rc) {
    if (s->world) coro__lock(&s->io->lock);
    return enter_locked(s, fd, rc);
}

static void leave(coro_sched *s) {
    if (s->world) coro__unlock(&s->io->lock);
}

static int poll_now(int fd, int events, int ms) {
    struct pollfd p = {
        .fd = fd,
        .events = (short)((events & CORO_READ ? POLLIN : 0) | (events & CORO_WRITE ? POLLOUT : 0))};
    int rc;
    while ((rc = poll(&p, 1, ms)) < 0 && err_now() == EINTR) {
    }
    if (rc < 0) return -err_now();
    if (rc == 0) return 0;
    if (p.revents & POLLNVAL) return -EBADF;
    int got = 0;
    if (p.revents & (POLLIN | POLLERR | POLLHUP)) got |= CORO_READ & events;
    if (p.revents & (POLLOUT | POLLERR | POLLHUP)) got |= CORO_WRITE & events;
    return got ? got : events;
}

static int wait_outside(int fd, int events, int64_t timeout_ns) {
    int ms = timeout_ns < 0 ? -1 : (int)((timeout_ns + 999999) / 1000000);
    int rc = poll_now(fd, events, ms);
    return rc == 0 ? CORO_ETIMEDOUT : rc;
}

/* Parks the running coroutine as fd's waiter for `events` until the next
 * edge (the table is entered; left on return). The ready events, or
 * CORO_ETIMEDOUT. */
static int park(coro_sched *s, int fd, coro_fdrec *r, int events, int64_t timeout_ns) {
    struct coro *self = s->cur;
    coro_io *io = s->io;
    int *held = s->world ? &io->lock : NULL;
    if ((events & CORO_READ && r->rd) || (events & CORO_WRITE && r->wr)) {
        leave(s);
        return -EBUSY;
    }
    uint64_t seq = self->wait_seq + 1; /* the wait coro__block is about to start */
    if (timeout_ns >= 0 &&
        coro__timer_add(s, coro__now_ns() + (uint64_t)timeout_ns, self, seq) != 0) {
        leave(s);
        return CORO_ENOMEM;
    }
    if (events & CORO_READ) r->rd = self, r->rd_seq = seq;
    if (events & CORO_WRITE) r->wr = self, r->wr_seq = seq;
    self->u.io_events = 0;
    s->st.fd_waits++;
    __atomic_add_fetch(&io->waiters, 1, __ATOMIC_RELAXED);
    s = coro__block(s, self, held);
    if (held) coro__lock(held);
    __atomic_sub_fetch(&io->waiters, 1, __ATOMIC_RELAXED);
    r = &io->fds[fd];                /* the table may have grown meanwhile */
    if (r->rd == self) r->rd = NULL; /* woken by the timer: withdraw */
    if (r->wr == self) r->wr = NULL;
    int got = self->u.io_events;
    if (held) coro__unlock(held);
    return got ? got : CORO_ETIMEDOUT;
}

int coro_wait_fd(int fd, int events, int64_t timeout_ns) {
    coro_sched *s = coro_S;
    if (fd < 0 || !(events & (CORO_READ | CORO_WRITE)) || (events & ~(CORO_READ | CORO_WRITE)))
        return CORO_EINVAL;
    if (!s) return wait_outside(fd, events, timeout_ns);
    int rc;
    coro_fdrec *r = enter(s, fd, &rc);
    if (!r) {
        leave(s);
        return rc;
    }
    /* Level semantics: ready now? Anything that comes after this look
     * brings an edge, which wakes the waiter. (The edge counts are the
     * wrappers': a wait says nothing about whether its caller drained fd.) */
    int got = poll_now(fd, events, 0);
    if (got || timeout_ns == 0) {
        leave(s);
        return got ? got : CORO_ETIMEDOUT;
    }
    return park(s, fd, r, events, timeout_ns);
}

/* For the wrappers, before (blocked = 0) or after (blocked = 1, the call said
 * EAGAIN) a call on fd: returns at once when an edge is pending, or fd is new
 * and the call was not tried yet; otherwise parks until the next edge. *gen
 * is the edge count that the coming call will have seen. 0 or a negative
 * code. */
static int await(int fd, int ev, uint32_t *gen, int blocked) {
    coro_sched *s = coro_S;
    if (!s) {
        *gen = 0;
        int rc = blocked ? wait_outside(fd, ev, -1) : 0;
        return rc < 0 ? rc : 0;
    }
    if (s->world) coro__lock(&s->io->lock);
    coro_io *io = s->io;
    if (!blocked && !known(io, fd)) { /* try the call first; register when it blocks */
        *gen = 0;
        leave(s);
        return 0;
    }
    int rc;
    coro_fdrec *r = enter_locked(s, fd, &rc);
    if (!r) {
        leave(s);
        return rc;
    }
    uint32_t *g = ev == CORO_READ ? &r->rd_gen : &r->wr_gen;
    uint32_t *seen = ev == CORO_READ ? &r->rd_seen : &r->wr_seen;
    if (*g == *seen) {
        rc = park(s, fd, r, ev, -1); /* leaves the table */
        if (rc < 0) return rc;
        s = coro_S; /* M:N: maybe another worker now; the same world */
        if (s->world) coro__lock(&s->io->lock);
        r = &io->fds[fd];
        g = ev == CORO_READ ? &r->rd_gen : &r->wr_gen;
    }
    *gen = *g;
    leave(s);
    return 0;
}

/* The call after await() found fd drained (it said EAGAIN, or read short):
 * every edge up to gen is used up. (Setting *_seen back to an older count
 * only makes fd look ready: safe.) */
enum { DR_EAGAIN, DR_SHORT };
static void drained(int fd, int ev, uint32_t gen, int why) {
    coro_sched *s = coro_S;
    if (!s) return;
    if (why == DR_EAGAIN) s->st.fd_eagain++;
    if (s->world) coro__lock(&s->io->lock);
    coro_fdrec *r = known(s->io, fd);
    if (r && (why == DR_EAGAIN || r->stream)) *(ev == CORO_READ ? &r->rd_seen : &r->wr_seen) = gen;
    leave(s);
}

/* Makes the waiter in *slot ready with `ev`, unless its timer won. 1 if woken. */
static size_t wake(coro_sched *s, struct coro **slot, uint64_t seq, int ev) {
    struct coro *c = *slot;
    *slot = NULL;
    if (!coro__claim(c, seq)) return 0; /* its timer won */
    c->u.io_events |= ev;
    coro__make_ready(s, c);
    return 1;
}

/* Forgets fd: a new descriptor may come back with its number. With
 * `withdraw` the epoll registration goes too, and its waiters wake (their
 * next call fails). */
static void forget(int fd, int withdraw) {
    coro_sched *s = coro_S;
    if (!s || fd < 0) return;
    if (s->world) coro__lock(&s->io->lock);
    coro_fdrec *r = known(s->io, fd);
    if (r) {
        if (withdraw) {
            (void)epoll_ctl(s->io->epfd, EPOLL_CTL_DEL, fd, NULL);
            if (r->rd) wake(s, &r->rd, r->rd_seq, CORO_READ);
            if (r->wr) wake(s, &r->wr, r->wr_seq, CORO_WRITE);
        }
        memset(r, 0, sizeof *r);
    }
    leave(s);
}

void coro_fd_forget(int fd) {
    forget(fd, 1);
}

int coro_close(int fd) {
    forget(fd, 1);
    return close(fd) == 0 ? 0 : -err_now();
}

size_t coro__io_poll(coro_sched *s, int64_t timeout_ns) {
    coro_io *io = s->io;
    if (io->epfd < 0) return 0;
    struct epoll_event *evs = s->evs;
    int ms = timeout_ns < 0 ? -1 : (int)((timeout_ns + 999999) / 1000000);
    int *held = s->world ? &io->lock : NULL;
    /* A non-blocking poll (at a round boundary) may run while this very
     * worker holds the lock: the coroutine switching out of a wait keeps it
     * until it is saved. Then skip this poll: the edges stay queued in the
     * kernel for the next one. */
    if (held && timeout_ns == 0 && !coro__trylock(held)) return 0;
    int n = epoll_wait(io->epfd, evs, CORO_POLL_BATCH, ms);
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
        coro_fdrec *r = known(io, fd);
        if (!r) continue; /* forgotten meanwhile */
        if (e & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP)) {
            r->rd_gen++;
            if (r->rd) woken += wake(s, &r->rd, r->rd_seq, CORO_READ);
        }
        if (e & (EPOLLOUT | EPOLLERR | EPOLLHUP)) {
            r->wr_gen++;
            if (r->wr) woken += wake(s, &r->wr, r->wr_seq, CORO_WRITE);
        }
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
    uint32_t gen;
    int rc = await(fd, CORO_READ, &gen, 0);
    for (;;) {
        if (rc < 0) return rc;
        ssize_t k = read(fd, buf, n);
        if (k >= 0) {
            if (k > 0 && (size_t)k < n) drained(fd, CORO_READ, gen, DR_SHORT);
            return k;
        }
        int e = err_now();
        if (e == EINTR) continue;
        if (e != EAGAIN && e != EWOULDBLOCK) return -e;
        drained(fd, CORO_READ, gen, DR_EAGAIN);
        rc = await(fd, CORO_READ, &gen, 1);
    }
}

ssize_t coro_write(int fd, const void *buf, size_t n) {
    size_t done = 0;
    uint32_t gen;
    int have_gen = 0; /* no snapshot before the first try: writes rarely block */
    while (done < n) {
        ssize_t k = write(fd, (const char *)buf + done, n - done);
        if (k >= 0) {
            done += (size_t)k;
            continue;
        }
        int e = err_now();
        if (e == EINTR) continue;
        if (e != EAGAIN && e != EWOULDBLOCK) return -e;
        if (have_gen) drained(fd, CORO_WRITE, gen, DR_EAGAIN);
        int rc = await(fd, CORO_WRITE, &gen, 1);
        if (rc < 0) return rc;
        have_gen = 1;
    }
    return (ssize_t)done;
}

int coro_accept(int fd, struct sockaddr *addr, socklen_t *len) {
    uint32_t gen;
    int rc = await(fd, CORO_READ, &gen, 0);
    for (;;) {
        if (rc < 0) return rc;
        int c = accept4(fd, addr, len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (c >= 0) {
            forget(c, 0); /* a new socket, whatever had this number before */
            return c;
        }
        int e = err_now();
        if (e == EINTR || e == ECONNABORTED) continue;
        if (e != EAGAIN && e != EWOULDBLOCK) return -e;
        drained(fd, CORO_READ, gen, DR_EAGAIN);
        rc = await(fd, CORO_READ, &gen, 1);
    }
}

int coro_connect(int fd, const struct sockaddr *addr, socklen_t len, int64_t timeout_ns) {
    forget(fd, 0); /* a socket to connect is new, whatever had its number before */
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
