/* t_io.c — coro_wait_fd and the I/O wrappers: a pipe wakes its reader, a
 * timeout fires, a timer left over from an fd wait never wakes a later wait,
 * the idle scheduler blocks in epoll_wait, and a TCP echo on 127.0.0.1
 * serves many coroutine clients at once. The edge-triggered path: after a
 * short read the next read parks without an EAGAIN call, a datagram socket
 * is not taken as drained by a short read, and descriptor numbers can be
 * reused (coro_close; plain close() of sockets from accept/connect). */
#include "coro.h"
#include "check.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int pfd[2];
static char got[64];

static void pipe_reader(void *arg) {
    (void)arg;
    ssize_t n = coro_read(pfd[0], got, sizeof got - 1);
    CHECK(n == 5);
    if (n > 0) got[n] = 0;
    trace("read:%s", got);
}

static void pipe_writer(void *arg) {
    (void)arg;
    coro_sleep_ns(5000000);
    trace("write");
    CHECK(coro_write(pfd[1], "hello", 5) == 5);
}

static void pipe_main(void *arg) {
    (void)arg;
    coro_t *r = coro_spawn(pipe_reader, NULL), *w = coro_spawn(pipe_writer, NULL);
    coro_join(r);
    coro_join(w);
    /* Timeout: nothing arrives. */
    CHECK(coro_wait_fd(pfd[0], CORO_READ, 2000000) == CORO_ETIMEDOUT);
    CHECK(coro_wait_fd(pfd[1], CORO_WRITE, 2000000) == CORO_WRITE); /* writable now */
    CHECK(coro_wait_fd(-1, CORO_READ, 0) == CORO_EINVAL);
    CHECK(coro_wait_fd(pfd[0], 0, 0) == CORO_EINVAL);
}

/* The 50 ms timer of the first wait must not cut the event wait short. */
static coro_event_t ev;
static int ev_ok;
static void stale_waiter(void *arg) {
    (void)arg;
    CHECK(coro_wait_fd(pfd[0], CORO_READ, 50000000) == CORO_READ); /* data comes at once */
    char c;
    CHECK(read(pfd[0], &c, 1) == 1);
    coro_event_wait(&ev); /* set after 120 ms */
    ev_ok = coro_event_is_set(&ev);
}
static void stale_setter(void *arg) {
    (void)arg;
    CHECK(write(pfd[1], "x", 1) == 1);
    coro_sleep_ns(120000000);
    coro_event_set(&ev);
}
static void stale_main(void *arg) {
    (void)arg;
    coro_event_init(&ev);
    coro_t *a = coro_spawn(stale_waiter, NULL), *b = coro_spawn(stale_setter, NULL);
    coro_join(a);
    coro_join(b);
}

/* --- TCP echo on loopback ---------------------------------------------- */
enum { NCLIENTS = 200, ROUNDS = 20 };
static int lfd;
static struct sockaddr_in addr;
static long echoed;

static void conn(void *arg) {
    int fd = (int)(intptr_t)arg;
    char buf[256];
    ssize_t n;
    while ((n = coro_read(fd, buf, sizeof buf)) > 0) CHECK(coro_write(fd, buf, (size_t)n) == n);
    close(fd);
}

static void server(void *arg) {
    (void)arg;
    for (int i = 0; i < NCLIENTS; i++) {
        int c = coro_accept(lfd, NULL, NULL);
        CHECK(c >= 0);
        if (c >= 0) coro_spawn(conn, (void *)(intptr_t)c);
    }
}

static void client(void *arg) {
    int id = (int)(intptr_t)arg;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    CHECK(coro_connect(fd, (struct sockaddr *)&addr, sizeof addr, 5000000000) == 0);
    for (int r = 0; r < ROUNDS; r++) {
        char msg[32], back[32];
        int len = snprintf(msg, sizeof msg, "c%d r%d", id, r);
        CHECK(coro_write(fd, msg, (size_t)len) == len);
        int have = 0;
        while (have < len) {
            ssize_t n = coro_read(fd, back + have, (size_t)(len - have));
            CHECK(n > 0);
            if (n <= 0) break;
            have += (int)n;
        }
        CHECK(have == len && memcmp(msg, back, (size_t)len) == 0);
        echoed++;
    }
    close(fd);
}

/* lfd listens on 127.0.0.1, an ephemeral port, in addr. */
static void listen_loopback(int backlog) {
    lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    CHECK(bind(lfd, (struct sockaddr *)&addr, sizeof addr) == 0);
    socklen_t al = sizeof addr;
    getsockname(lfd, (struct sockaddr *)&addr, &al);
    CHECK(listen(lfd, backlog) == 0);
}

static void echo_main(void *arg) {
    (void)arg;
    listen_loopback(512);
    coro_spawn(server, NULL);
    coro_t *c[NCLIENTS];
    for (int i = 0; i < NCLIENTS; i++) c[i] = coro_spawn(client, (void *)(intptr_t)i);
    for (int i = 0; i < NCLIENTS; i++) coro_join(c[i]);
    close(lfd);
}

static void stale_timer_main(void *arg) {
    (void)arg;
    CHECK(write(pfd[1], "y", 1) == 1);
    CHECK(coro_wait_fd(pfd[0], CORO_READ, 10000000000) == CORO_READ);
    char c;
    CHECK(read(pfd[0], &c, 1) == 1);
}

static void idle_reader(void *arg) {
    (void)arg;
    CHECK(coro_wait_fd(pfd[0], CORO_READ, 200000000) == CORO_ETIMEDOUT);
}

/* --- edge-triggered reads ------------------------------------------------ */
enum { PINGS = 1000 };
static int ping[2], pong[2];
static coro_stats io_st0, io_st1;
static void ponger(void *arg) {
    (void)arg;
    char b[64];
    for (int i = 0; i < PINGS; i++) {
        CHECK(coro_read(ping[0], b, sizeof b) == 4); /* short: "ping" of 64 */
        CHECK(coro_write(pong[1], "pong", 4) == 4);
    }
}
static void pinger(void *arg) {
    (void)arg;
    char b[64];
    for (int i = 0; i < PINGS; i++) {
        CHECK(coro_write(ping[1], "ping", 4) == 4);
        CHECK(coro_read(pong[0], b, sizeof b) == 4);
    }
}
static void pingpong_main(void *arg) {
    (void)arg;
    coro_get_stats(&io_st0);
    coro_t *a = coro_spawn(ponger, NULL), *b = coro_spawn(pinger, NULL);
    coro_join(a);
    coro_join(b);
    coro_get_stats(&io_st1);
}

/* Datagrams: each read returns one, short, with more queued; the reader
 * must not take that as drained and park until the late one. */
static int dg[2];
static int dg_waits;
static void dgram_writer(void *arg) {
    (void)arg;
    coro_sleep_ns(2000000);
    CHECK(write(dg[1], "d1", 2) == 2 && write(dg[1], "d2", 2) == 2 && write(dg[1], "d3", 2) == 2);
    coro_sleep_ns(200000000);
    CHECK(write(dg[1], "late", 4) == 4);
}
static void dgram_main(void *arg) {
    (void)arg;
    CHECK(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, dg) == 0);
    coro_t *w = coro_spawn(dgram_writer, NULL);
    coro_stats a, b;
    coro_get_stats(&a);
    char got3[16] = "", buf[64];
    for (int i = 0; i < 3; i++) {
        ssize_t n = coro_read(dg[0], buf, sizeof buf);
        CHECK(n == 2);
        if (n == 2) memcpy(got3 + 2 * i, buf, 2);
    }
    coro_get_stats(&b);
    dg_waits = (int)(b.fd_waits - a.fd_waits);
    CHECK_STR(got3, "d1d2d3");
    CHECK(coro_read(dg[0], buf, sizeof buf) == 4);
    coro_join(w);
    CHECK(coro_close(dg[0]) == 0 && coro_close(dg[1]) == 0);
}

/* coro_close forgets the number: a new pipe that gets it must wake. */
static void reuse_writer(void *arg) {
    coro_sleep_ns(5000000);
    CHECK(write(*(int *)arg, "z", 1) == 1);
}
static void reuse_main(void *arg) {
    (void)arg;
    int a[2], b[2];
    CHECK(pipe2(a, O_NONBLOCK) == 0);
    CHECK(coro_wait_fd(a[0], CORO_READ, 1000000) == CORO_ETIMEDOUT); /* registers a[0] */
    CHECK(coro_close(a[0]) == 0 && coro_close(a[1]) == 0);
    CHECK(pipe2(b, O_NONBLOCK) == 0);
    CHECK(b[0] == a[0]); /* the lowest free numbers: the same again */
    /* Registered anew? Without that no edge would come: a 1 s timeout. */
    coro_t *w = coro_spawn(reuse_writer, &b[1]);
    CHECK(coro_wait_fd(b[0], CORO_READ, 1000000000) == CORO_READ);
    coro_join(w);
    char c;
    CHECK(coro_read(b[0], &c, 1) == 1 && c == 'z');
    CHECK(coro_close(b[0]) == 0 && coro_close(b[1]) == 0);
    CHECK(coro_close(-1) == -EBADF);
}

/* coro_close of a descriptor another coroutine waits on wakes it: its read
 * then fails with EBADF instead of sleeping forever. */
static int closing[2];
static ssize_t closed_read = 1;
static void parked_reader(void *arg) {
    (void)arg;
    char c;
    closed_read = coro_read(closing[0], &c, 1);
}
static void close_waited_main(void *arg) {
    (void)arg;
    CHECK(pipe2(closing, O_NONBLOCK) == 0);
    coro_t *r = coro_spawn(parked_reader, NULL);
    coro_yield(); /* the reader parks: the pipe is empty */
    CHECK(coro_close(closing[0]) == 0);
    coro_join(r);
    CHECK(closed_read == -EBADF);
    CHECK(coro_close(closing[1]) == 0);
}

/* Sockets closed with plain close(): coro_accept and coro_connect take the
 * numbers that come back as new. One connection at a time, so they do. */
enum { SEQ_CONNS = 50 };
static int seq_fd_reused;
static void seq_server(void *arg) {
    (void)arg;
    for (int i = 0; i < SEQ_CONNS; i++) {
        int c = coro_accept(lfd, NULL, NULL);
        CHECK(c >= 0);
        if (c >= 0) coro_join(coro_spawn(conn, (void *)(intptr_t)c)); /* conn close()s */
    }
}
static void seq_main(void *arg) {
    (void)arg;
    listen_loopback(16);
    coro_t *srv = coro_spawn(seq_server, NULL);
    int first = -1;
    for (int i = 0; i < SEQ_CONNS; i++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (i == 0) first = fd;
        if (i > 0 && fd == first) seq_fd_reused++;
        CHECK(coro_connect(fd, (struct sockaddr *)&addr, sizeof addr, 5000000000) == 0);
        char b[8];
        CHECK(coro_write(fd, "seq", 3) == 3);
        CHECK(coro_read(fd, b, sizeof b) == 3);
        close(fd);
    }
    coro_join(srv);
    close(lfd);
}

static double cpu_seconds(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

int main(void) {
    CHECK(pipe2(pfd, O_NONBLOCK) == 0);
    trace_reset();
    CHECK(coro_run(pipe_main, NULL) == 0);
    CHECK_STR(trace_buf, "write read:hello");
    CHECK(coro_run(stale_main, NULL) == 0);
    CHECK(ev_ok == 1);

    double c0 = cpu_seconds();
    CHECK(coro_run(idle_reader, NULL) == 0);
    CHECK(cpu_seconds() - c0 < 0.1); /* 200 ms of waiting, not spinning */

    /* A wait that an fd event ended leaves its 10 s timeout timer behind:
     * coro_run must still return as soon as every coroutine has ended. */
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    CHECK(coro_run(stale_timer_main, NULL) == 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    CHECK((b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9 < 5.0);

    /* Outside coro_run it falls back to poll(). */
    CHECK(coro_wait_fd(pfd[0], CORO_READ, 1000000) == CORO_ETIMEDOUT);

    CHECK(coro_run(echo_main, NULL) == 0);
    CHECK(echoed == (long)NCLIENTS * ROUNDS);

    /* 1000 round trips over two pipes, each read short: after the first,
     * every read parks at once (an edge wakes it) instead of calling read
     * for an EAGAIN first. The one-shot design took one EAGAIN per read. */
    CHECK(pipe2(ping, O_NONBLOCK) == 0 && pipe2(pong, O_NONBLOCK) == 0);
    CHECK(coro_run(pingpong_main, NULL) == 0);
    uint64_t eagain = io_st1.fd_eagain - io_st0.fd_eagain;
    uint64_t waits = io_st1.fd_waits - io_st0.fd_waits;
    CHECK(eagain <= 4);
    CHECK(waits >= 2 * PINGS - 4);
    if (eagain > 4 || waits < 2 * PINGS - 4)
        fprintf(stderr, "ping-pong: %llu EAGAIN, %llu parks\n", (unsigned long long)eagain,
                (unsigned long long)waits);
    close(ping[0]), close(ping[1]), close(pong[0]), close(pong[1]);

    CHECK(coro_run(dgram_main, NULL) == 0);
    CHECK(dg_waits == 1); /* parked for the first datagram only */
    CHECK(coro_run(reuse_main, NULL) == 0);
    CHECK(coro_run(close_waited_main, NULL) == 0);
    CHECK(coro_run(seq_main, NULL) == 0);
    CHECK(seq_fd_reused > 0);
    close(pfd[0]);
    close(pfd[1]);
    TEST_END();
}
