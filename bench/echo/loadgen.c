/* loadgen.c — the echo load generator: one coroutine per connection on one
 * worker (coro_run), closed loop (one request outstanding per connection).
 *
 * Two phases. Setup (not timed): each connection connects and echoes one byte
 * (a handshake, so "established" means the server really serves it; a
 * thread-per-connection server that could not start a thread closes it
 * here), at most ECHO_CONNECT_SLOTS at a time so the listen backlog is not
 * flooded. Then every connection is released at once and, until the duration
 * has passed or --max-requests tickets were handed out, takes the next ticket
 * k, sends `size` bytes echo_byte(k, 0..size-1) and reads them back, checking
 * each byte. Writing and reading are interleaved (non-blocking) so large
 * requests cannot deadlock on full socket buffers. Every connect, handshake
 * and request has a deadline (ECHO_IO_TIMEOUT_NS); nothing waits forever.
 *
 * Deadlines are kept by a watchdog coroutine, not by coro_wait_fd timeouts:
 * a wait's timer stays in the runtime's heap after the descriptor woke it,
 * and coro_run() does not return before every such timer has expired (10 s
 * after the last request). The watchdog looks at every connection's deadline
 * every ECHO_WATCH_NS and aborts an overdue one (connect(AF_UNSPEC): a reset
 * that wakes its waiter with an error), which then reports "timed out".
 *
 * Sockets are closed only at the end (echo_lg_close), after the server's
 * memory has been read; that also keeps descriptor numbers from being reused
 * within a coro_run.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "checksum.h"
#include "coro.h"
#include "echo.h"
#include "sysinfo.h"

#define CHUNK 4096
#define ECHO_ECLOSED 1 /* positive: the server closed the connection */
#define ECHO_EMISMATCH 2
#define ECHO_WATCH_NS (UINT64_C(50) * 1000000)

typedef struct lg {
    const echo_lg_cfg *cfg;
    echo_lg_out *out;
    coro_queue_t *slots;
    coro_event_t setup_done, go;
    uint64_t set_up; /* connections done with setup, established or not */
    uint64_t setup_deadline;
    uint64_t t_start, deadline;
    uint64_t next_ticket;
    uint64_t *dl;           /* per connection: deadline of its current step, 0 = none */
    unsigned char *expired; /* per connection: the watchdog aborted it */
    int stop;               /* the clients are done: the watchdog ends */
    int pipe[2];            /* only to make the runtime create its epoll early */
} lg;

static const char *why(int rc, int expired) {
    if (expired) return "timed out";
    if (rc == ECHO_ECLOSED) return "closed by the server";
    if (rc == ECHO_EMISMATCH) return "echoed bytes differ from those sent";
    return echo_strerror(rc);
}

/* Checks r bytes echoed for ticket k from position got. */
static int check(const unsigned char *b, ssize_t r, uint64_t k, uint64_t got) {
    for (ssize_t i = 0; i < r; i++)
        if (b[i] != echo_byte(k, got + (uint64_t)i)) return ECHO_EMISMATCH;
    return 0;
}

/* Sends `size` bytes of ticket k and reads them back. 0, a negative code,
 * ECHO_ECLOSED or ECHO_EMISMATCH. While some bytes are unsent, sending and
 * receiving are interleaved (non-blocking), so a request larger than the
 * socket buffers cannot deadlock; once all are sent, coro_read waits for the
 * rest. It reads up to CHUNK bytes, not just what is missing: nothing else
 * can be in flight (one request at a time), and a read that comes back short
 * lets the runtime park the next one without an EAGAIN round trip. */
static int xfer(int fd, uint64_t k, uint64_t size) {
    unsigned char sbuf[CHUNK], rbuf[CHUNK];
    uint64_t sent = 0, got = 0;
    while (got < size) {
        if (sent == size) { /* all sent: wait for the echo */
            ssize_t r = coro_read(fd, rbuf, CHUNK);
            if (r < 0) return (int)r;
            if (r == 0) return ECHO_ECLOSED;
            if ((uint64_t)r > size - got || check(rbuf, r, k, got)) return ECHO_EMISMATCH;
            got += (uint64_t)r;
            continue;
        }
        int progressed = 0;
        size_t n = size - sent < CHUNK ? (size_t)(size - sent) : CHUNK;
        for (size_t i = 0; i < n; i++) sbuf[i] = echo_byte(k, sent + i);
        ssize_t w = send(fd, sbuf, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w > 0) {
            sent += (uint64_t)w;
            progressed = 1;
        } else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            return -errno;
        }
        if (sent == size) continue;
        size_t want = size - got < CHUNK ? (size_t)(size - got) : CHUNK;
        if (want > sent - got) want = (size_t)(sent - got); /* nothing unsent can come back */
        if (want > 0) {
            ssize_t r = recv(fd, rbuf, want, MSG_DONTWAIT);
            if (r > 0) {
                if (check(rbuf, r, k, got)) return ECHO_EMISMATCH;
                got += (uint64_t)r;
                progressed = 1;
            } else if (r == 0) {
                return ECHO_ECLOSED;
            } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                return -errno;
            }
        }
        if (progressed) continue;
        int rc = coro_wait_fd(fd, CORO_READ | CORO_WRITE, -1);
        if (rc < 0) return rc;
    }
    return 0;
}

static uint64_t min_u64(uint64_t a, uint64_t b) {
    return a < b ? a : b;
}

/* Connect and handshake; 0 or a code, with *what naming the step. */
static int setup(lg *g, uint64_t id, const char **what) {
    echo_lg_out *o = g->out;
    *what = "socket";
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    o->fds[id] = fd;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    uint64_t now = si_now_ns();
    if (now >= g->setup_deadline) return CORO_ETIMEDOUT;
    g->dl[id] = min_u64(now + ECHO_IO_TIMEOUT_NS, g->setup_deadline);
    *what = "connect";
    int rc = coro_connect(fd, (const struct sockaddr *)&g->cfg->addr, sizeof g->cfg->addr, -1);
    if (rc == 0) {
        *what = "handshake";
        rc = xfer(fd, UINT64_MAX, 1);
    }
    g->dl[id] = 0;
    return rc;
}

typedef struct client_arg {
    lg *g;
    uint64_t id;
} client_arg;

static void run_client(void *arg) {
    client_arg *ca = arg;
    lg *g = ca->g;
    echo_lg_out *o = g->out;
    const echo_lg_cfg *cfg = g->cfg;
    uint64_t id = ca->id;

    coro_queue_put(g->slots, NULL); /* a free connect slot (blocks when all are taken) */
    const char *what = "";
    int rc = setup(g, id, &what);
    void *tok;
    coro_queue_get(g->slots, &tok);
    if (rc != 0) {
        o->setup_failed++;
        if (!o->setup_error[0] || id < o->first_setup_conn) {
            o->first_setup_conn = id;
            snprintf(o->setup_error, sizeof o->setup_error, "connection %llu: %s failed: %s",
                     (unsigned long long)id, what, why(rc, g->expired[id]));
        }
    } else {
        o->established++;
    }
    if (++g->set_up == cfg->connections) coro_event_set(&g->setup_done);
    if (rc != 0) return;

    coro_event_wait(&g->go);
    int fd = o->fds[id];
    for (;;) {
        if (cfg->max_requests && g->next_ticket >= cfg->max_requests) break;
        uint64_t t0 = si_now_ns();
        if (t0 >= g->deadline) break;
        uint64_t k = g->next_ticket++;
        g->dl[id] = t0 + ECHO_IO_TIMEOUT_NS;
        rc = xfer(fd, k, cfg->size);
        g->dl[id] = 0;
        uint64_t t1 = si_now_ns();
        if (rc != 0) {
            if (!o->run_error[0])
                snprintf(o->run_error, sizeof o->run_error, "connection %llu, request %llu: %s",
                         (unsigned long long)id, (unsigned long long)k, why(rc, g->expired[id]));
            return;
        }
        hist_add(&o->hist, t1 - t0);
        o->requests++;
        o->bytes += cfg->size;
        o->sum += fnv_item(ECHO_TAG, k, cfg->size);
    }
}

/* Aborts connections past their deadline (see the top of the file). */
static void watchdog(void *arg) {
    lg *g = arg;
    while (!g->stop) {
        coro_sleep_ns(ECHO_WATCH_NS);
        uint64_t now = si_now_ns();
        for (uint64_t i = 0; i < g->cfg->connections; i++) {
            if (!g->dl[i] || now < g->dl[i] || g->expired[i] || g->out->fds[i] < 0) continue;
            g->expired[i] = 1;
            struct sockaddr sa;
            memset(&sa, 0, sizeof sa);
            sa.sa_family = AF_UNSPEC;
            if (connect(g->out->fds[i], &sa, sizeof sa) != 0)
                shutdown(g->out->fds[i], SHUT_RDWR); /* wakes a reader at least */
        }
    }
}

typedef struct lg_main_arg {
    lg *g;
    client_arg *args;
} lg_main_arg;

static void lg_main(void *arg) {
    lg_main_arg *m = arg;
    lg *g = m->g;
    echo_lg_out *o = g->out;
    uint64_t n = g->cfg->connections;
    coro_event_init(&g->setup_done);
    coro_event_init(&g->go);
    g->slots = coro_queue_new(ECHO_CONNECT_SLOTS);
    coro_t **cs = calloc(n, sizeof *cs);
    coro_spawn_opts so;
    coro_spawn_opts_init(&so);
    so.stack_size = ECHO_LG_STACK;
    /* The runtime creates its epoll instance at the first wait; make that
     * happen before the sockets can use up the descriptors. (The pipe stays
     * open until coro_run returns: the runtime remembers a descriptor's
     * interest after it is closed, see echo_lg_run.) */
    if (g->pipe[0] >= 0) coro_wait_fd(g->pipe[0], CORO_READ, 0);
    coro_t *dog = g->slots && cs ? coro_spawn_ex(watchdog, g, &so) : NULL;
    if (!dog) {
        o->spawn_err = g->slots && cs ? coro_last_error() : CORO_ENOMEM;
        free(cs);
        if (g->slots) coro_queue_free(g->slots);
        return;
    }
    uint64_t t0 = si_now_ns();
    g->setup_deadline = t0 + ECHO_SETUP_CAP_NS;
    for (uint64_t i = 0; i < n; i++) {
        m->args[i].g = g;
        m->args[i].id = i;
        cs[i] = coro_spawn_ex(run_client, &m->args[i], &so);
        if (!cs[i]) {
            o->spawn_err = coro_last_error();
            break;
        }
        o->spawned++;
    }
    if (o->spawned == n) {
        coro_event_wait(&g->setup_done);
        o->setup_ns = si_now_ns() - t0;
        if (g->cfg->mark) g->cfg->mark(g->cfg->mark_arg);
        g->t_start = si_now_ns();
        g->deadline = g->t_start + g->cfg->duration_ns;
    } else {
        g->deadline = 0; /* could not start every client: they stop at once */
    }
    coro_event_set(&g->go);
    for (uint64_t i = 0; i < o->spawned; i++) coro_join(cs[i]);
    if (o->spawned == n) {
        o->wall_ns = si_now_ns() - g->t_start;
        if (g->cfg->mark) g->cfg->mark(g->cfg->mark_arg);
    }
    g->stop = 1;
    coro_join(dog);
    free(cs);
    coro_queue_free(g->slots);
}

int echo_lg_run(const echo_lg_cfg *cfg, echo_lg_out *out) {
    memset(out, 0, sizeof *out);
    hist_init(&out->hist);
    out->fds = malloc(cfg->connections * sizeof *out->fds);
    client_arg *args = malloc(cfg->connections * sizeof *args);
    lg g;
    memset(&g, 0, sizeof g);
    g.dl = calloc(cfg->connections, sizeof *g.dl);
    g.expired = calloc(cfg->connections, 1);
    if (!out->fds || !args || !g.dl || !g.expired) {
        free(out->fds);
        free(args);
        free(g.dl);
        free(g.expired);
        out->fds = NULL;
        return CORO_ENOMEM;
    }
    for (uint64_t i = 0; i < cfg->connections; i++) out->fds[i] = -1;
    out->nfds = cfg->connections;
    g.cfg = cfg;
    g.out = out;
    if (pipe2(g.pipe, O_CLOEXEC) != 0) g.pipe[0] = g.pipe[1] = -1;
    lg_main_arg m = {&g, args};
    out->run_rc = coro_run(lg_main, &m);
    if (g.pipe[0] >= 0) close(g.pipe[0]), close(g.pipe[1]);
    free(args);
    free(g.dl);
    free(g.expired);
    return 0;
}

void echo_lg_close(echo_lg_out *out) {
    if (!out->fds) return;
    for (uint64_t i = 0; i < out->nfds; i++)
        if (out->fds[i] >= 0) close(out->fds[i]);
    free(out->fds);
    out->fds = NULL;
}
