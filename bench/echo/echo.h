/* echo.h — the echo workload's parts: a TCP echo server in a child process
 * (coroutine- or thread-per-connection) and a coroutine load generator in the
 * parent, on 127.0.0.1 only.
 *
 * Why a child process: the server's resident memory (VmHWM/VmRSS of
 * /proc/<pid>/status) must be its own, not mixed with the load generator's.
 * The pieces talk through a status pipe (server -> parent, one short line per
 * event, see ECHO_ST_*) and the server is SIGKILLed by the parent when the
 * run ends, on every path (and by the kernel if the parent dies first).
 */
#ifndef ECHO_H
#define ECHO_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "hist.h"
#include "result.h"

/* The server's read buffer per connection, on its stack (--buf): by default
 * 1 KiB, as Tokio's echo example. A larger buffer only moves the bytes it
 * receives further from the top of the stack; bench/echo/README.md explains
 * what that costs per connection. */
#define ECHO_BUF_DEFAULT 1024
#define ECHO_BUF_MAX 16384

/* Stack of each load-generator coroutine (fixed: the server's is --stack). */
#define ECHO_LG_STACK ((size_t)64 * 1024)
/* Connects (with their one-byte handshake) in flight at once. */
#define ECHO_CONNECT_SLOTS 128
/* A connect, a handshake or one request that takes longer is an error. */
#define ECHO_IO_TIMEOUT_NS (UINT64_C(10) * 1000000000)
/* All connections must be set up within this time. */
#define ECHO_SETUP_CAP_NS (UINT64_C(30) * 1000000000)
/* The server must say "ready" within this time. */
#define ECHO_READY_TIMEOUT_MS 10000

/* Status lines the server writes on its pipe (each < PIPE_BUF, so atomic):
 *   "ready\n"                      listening and serving
 *   "limit <conn> <text>\n"        the first connection it could not serve
 *                                  (<conn> counts accepted connections from 0)
 *   "error <text>\n"               the server could not start or stopped */

/* The servers: the backend's own (coroutine- or thread-per-connection), the
 * event-loop floor (server_epoll.c), or another program that speaks the
 * protocol above (ECHO_SRV_EXEC: exec_argv, to which the child appends
 * "--listen-fd N --status-fd M --buf B"; Tokio's echo-server does). */
enum echo_server_kind { ECHO_SRV_CORO, ECHO_SRV_THREADS, ECHO_SRV_EPOLL, ECHO_SRV_EXEC };

typedef struct echo_server_cfg {
    int kind;               /* enum echo_server_kind */
    unsigned workers;       /* coro: coro_run_ex workers (1 = M:1) */
    size_t stack;           /* bytes per connection's coroutine or thread */
    size_t buf;             /* bytes of each connection's read buffer (on its stack) */
    int lfd;                /* listening socket (blocking; the server sets its mode) */
    int status_fd;          /* write end of the status pipe */
    int cpu;                /* pin the whole server process to this CPU, -1 = no */
    char *const *exec_argv; /* ECHO_SRV_EXEC: the program and its own arguments */
} echo_server_cfg;

/* The child's whole life: serve until killed. Never returns. */
void echo_server_main(const echo_server_cfg *cfg) __attribute__((noreturn));
/* Backends (server_coro.c, server_thr.c): return only when they cannot serve. */
void echo_serve_coro(const echo_server_cfg *cfg);
void echo_serve_threads(const echo_server_cfg *cfg);
void echo_serve_epoll(const echo_server_cfg *cfg);
/* ECHO_SRV_EXEC: replaces the child with the program (returns only when the
 * exec failed, after an "error" line). */
void echo_serve_exec(const echo_server_cfg *cfg);
/* Out of descriptors: a server keeps one spare descriptor (echo_spare_open,
 * /dev/null) so that it can still take a pending connection and close it at
 * once (echo_shed: 1 shed one, 0 none was pending on a non-blocking lfd, -1
 * no spare), and its client learns at once instead of timing out. */
int echo_spare_open(void);
int echo_shed(int lfd, int *spare);
/* The soft RLIMIT_NOFILE, for messages. */
unsigned long long echo_nofile(void);
/* A text for a negative code of coro.h or a negative errno (never NULL). */
const char *echo_strerror(int err);
/* Writes one status line (a printf format); safe from any thread. */
void echo_status(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The server child from the parent's side (child.c). */
typedef struct echo_child {
    pid_t pid;
    int status_rd;
    char buf[4096]; /* status lines received so far */
    size_t len;
    int ready;
    char error[200]; /* first "error" line */
    char limit[200]; /* first "limit" line's text */
    char died[96];   /* how it ended, when it did by itself */
} echo_child;

void echo_child_init(echo_child *s);
/* Listens on 127.0.0.1 (an ephemeral port, written to *addr; listen backlog
 * `backlog`, capped), forks the server with *cfg (its lfd and status_fd are
 * filled in) and waits for its "ready". 0, or -1 with the failure in r; in
 * both cases echo_child_stop() must follow. */
int echo_child_start(echo_child *s, const echo_server_cfg *cfg, uint64_t backlog,
                     struct sockaddr_in *addr, wl_result *r);
/* 1 while the server runs (else s->died says how it ended). */
int echo_child_alive(echo_child *s);
/* Reads the status lines written so far, without waiting. */
void echo_child_drain(echo_child *s);
/* SIGKILLs and reaps the server, closes the pipe. */
void echo_child_stop(echo_child *s);
/* Raises the soft RLIMIT_NOFILE towards the hard one when `need` descriptors
 * are wanted; returns the soft limit in force. */
uint64_t echo_raise_nofile(uint64_t need);

typedef struct echo_lg_cfg {
    struct sockaddr_in addr;
    uint64_t connections, size, max_requests; /* max_requests 0 = no bound */
    uint64_t duration_ns;
    /* Called (when not NULL) twice, only when every connection was set up:
     * right before they are released and right after the last one ends, so
     * the caller can sample CPU time of the timed phase alone. */
    void (*mark)(void *arg);
    void *mark_arg;
} echo_lg_cfg;

typedef struct echo_lg_out {
    int run_rc;    /* coro_run's result */
    int spawn_err; /* load-generator coroutine creation failed (negative code), 0 if not */
    uint64_t spawned;
    uint64_t established, setup_failed;
    uint64_t first_setup_conn; /* the lowest-numbered connection that failed to set up */
    char setup_error[160];     /* its reason, "" if none failed */
    uint64_t requests, bytes;
    uint64_t sum; /* sum of fnv_item(ECHO_TAG, ticket, size) over correct echoes */
    uint64_t setup_ns, wall_ns;
    char run_error[160]; /* the first failure on an established connection, "" if none */
    echo_hist hist;
    int *fds; /* connections' sockets, -1 when none; closed by echo_lg_close */
    uint64_t nfds;
} echo_lg_out;

/* Runs the load generator (coro_run, one worker); fills *out. 0, or a
 * negative code when it could not start at all (out->fds NULL). */
int echo_lg_run(const echo_lg_cfg *cfg, echo_lg_out *out);
void echo_lg_close(echo_lg_out *out);

/* The request payload: byte pos of request ticket k (cheap, position- and
 * ticket-dependent, so shifted, mixed or stale bytes are caught). */
static inline unsigned char echo_byte(uint64_t k, uint64_t pos) {
    return (unsigned char)(k * 131u + (k >> 8) + pos * 7u + (pos >> 8) * 13u);
}

#define ECHO_TAG 0x4543484fu /* "ECHO" */

#endif
