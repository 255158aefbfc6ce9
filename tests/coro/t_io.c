/* t_io.c — coro_wait_fd and the I/O wrappers: a pipe wakes its reader, a
 * timeout fires, a timer left over from an fd wait never wakes a later wait,
 * the idle scheduler blocks in epoll_wait, and a TCP echo on 127.0.0.1
 * serves many coroutine clients at once. */
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

static void echo_main(void *arg) {
    (void)arg;
    lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    CHECK(bind(lfd, (struct sockaddr *)&addr, sizeof addr) == 0);
    socklen_t al = sizeof addr;
    getsockname(lfd, (struct sockaddr *)&addr, &al);
    CHECK(listen(lfd, 512) == 0);
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
    close(pfd[0]);
    close(pfd[1]);
    TEST_END();
}
