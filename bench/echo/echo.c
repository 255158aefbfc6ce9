/* echo.c — the echo workload: `corobench echo --backend coro|threads`.
 *
 * Sets up a listening socket on 127.0.0.1 (ephemeral port), forks the server
 * (server.c) with it, waits for its "ready", measures its baseline memory,
 * runs the load generator (loadgen.c) in this process, reads the server's
 * peak memory, threads and CPU time while every connection is still open,
 * then SIGKILLs it. Every path after the fork ends in server_stop().
 *
 * What is data and what is an error: connections that cannot be set up
 * (the server could not start a thread or coroutine, out of descriptors, a
 * connect timed out) are a data point: status "ok", connections_established
 * below connections and limit_error saying why. An established connection
 * that fails during the run, a wrong echo, or a server that dies is an error.
 *
 * Checksum: FNV-1a (checksum.h) folding, in this order, connections
 * established, the request size, requests echoed correctly, bytes echoed
 * correctly, and the sum over those requests of fnv_item(ECHO_TAG, k, size)
 * (k = the request's ticket, 0, 1, 2, ... handed out in order, whatever the
 * connection). When --max-requests bounds the run (results.bounded_by is
 * "requests") and every connection is established, tickets 0..N-1 all came
 * back, so the checksum is the same for every backend and worker count.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "checksum.h"
#include "echo.h"
#include "proc.h"
#include "sysinfo.h"
#include "workload.h"

typedef struct server {
    pid_t pid;
    int status_rd;
    char buf[4096]; /* status lines received so far */
    size_t len;
    int ready;
    char error[200]; /* first "error" line */
    char limit[200]; /* first "limit" line's text */
    char died[96];   /* how it ended, when it did by itself */
} server;

/* Parses complete lines in s->buf (keeps a partial last line). */
static void parse_lines(server *s) {
    char *p = s->buf, *end = s->buf + s->len, *nl;
    while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        *nl = '\0';
        if (strcmp(p, "ready") == 0) {
            s->ready = 1;
        } else if (strncmp(p, "error ", 6) == 0 && !s->error[0]) {
            snprintf(s->error, sizeof s->error, "%s", p + 6);
        } else if (strncmp(p, "limit ", 6) == 0 && !s->limit[0]) {
            const char *t = strchr(p + 6, ' ');
            snprintf(s->limit, sizeof s->limit, "%s", t ? t + 1 : p + 6);
        }
        p = nl + 1;
    }
    s->len = (size_t)(end - p);
    memmove(s->buf, p, s->len);
}

/* Reads what the server wrote, waiting up to timeout_ms for the first byte
 * (0: do not wait). Returns 0 at end of file (the server closed its end). */
static int read_status(server *s, int timeout_ms) {
    struct pollfd pf = {.fd = s->status_rd, .events = POLLIN};
    int rc = poll(&pf, 1, timeout_ms);
    if (rc <= 0) return 1;
    if (s->len == sizeof s->buf) s->len = 0; /* a runaway line: drop it */
    ssize_t n = read(s->status_rd, s->buf + s->len, sizeof s->buf - s->len);
    if (n <= 0) return n == 0 ? 0 : 1;
    s->len += (size_t)n;
    parse_lines(s);
    return 1;
}

static void describe_exit(server *s, int st) {
    if (WIFSIGNALED(st))
        snprintf(s->died, sizeof s->died, "killed by signal %d", WTERMSIG(st));
    else
        snprintf(s->died, sizeof s->died, "exited with status %d", WEXITSTATUS(st));
}

/* 1 when the server is still running (else s->died says how it ended). */
static int server_alive(server *s) {
    if (s->pid <= 0) return 0;
    int st;
    pid_t w = waitpid(s->pid, &st, WNOHANG);
    if (w == 0) return 1;
    if (w == s->pid) describe_exit(s, st);
    s->pid = -1;
    return 0;
}

static void server_stop(server *s) {
    if (s->pid > 0) {
        kill(s->pid, SIGKILL);
        while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR) {
        }
        s->pid = -1;
    }
    if (s->status_rd >= 0) close(s->status_rd);
    s->status_rd = -1;
}

/* Raises the soft RLIMIT_NOFILE towards the hard one when `need` descriptors
 * are wanted; returns the soft limit in force. */
static uint64_t raise_nofile(uint64_t need) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 0;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
        rlim_t want = rl.rlim_max == RLIM_INFINITY || need < rl.rlim_max ? need : rl.rlim_max;
        struct rlimit n = {want, rl.rlim_max};
        if (setrlimit(RLIMIT_NOFILE, &n) == 0) rl.rlim_cur = want;
    }
    return rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : (uint64_t)rl.rlim_cur;
}

/* Starts the server; 0, or fills r with the failure. */
static int server_start(server *s, const wl_params *p, int kind, int cpu, struct sockaddr_in *addr,
                        wl_result *r) {
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (lfd < 0) {
        res_fail(r, "server socket: %s", echo_strerror(-errno));
        return -1;
    }
    memset(addr, 0, sizeof *addr);
    addr->sin_family = AF_INET;
    addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* never any other address */
    addr->sin_port = 0;
    socklen_t al = sizeof *addr;
    int backlog = p->connections < 65535 ? (int)p->connections : 65535;
    if (bind(lfd, (struct sockaddr *)addr, sizeof *addr) != 0 ||
        getsockname(lfd, (struct sockaddr *)addr, &al) != 0 || listen(lfd, backlog) != 0) {
        res_fail(r, "server socket on 127.0.0.1: %s", echo_strerror(-errno));
        close(lfd);
        return -1;
    }
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) != 0) {
        res_fail(r, "status pipe: %s", echo_strerror(-errno));
        close(lfd);
        return -1;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        echo_server_cfg cfg = {
            kind, (unsigned)p->workers, (size_t)p->stack, (size_t)p->buf, lfd, pfd[1], cpu};
        echo_server_main(&cfg);
    }
    int fork_errno = errno;
    close(lfd);
    close(pfd[1]);
    s->status_rd = pfd[0];
    if (pid < 0) {
        res_fail(r, "fork of the server failed: %s", echo_strerror(-fork_errno));
        return -1;
    }
    s->pid = pid;
    uint64_t t_end = si_now_ns() + (uint64_t)ECHO_READY_TIMEOUT_MS * 1000000;
    while (!s->ready && !s->error[0]) {
        uint64_t now = si_now_ns();
        if (now >= t_end || read_status(s, (int)((t_end - now) / 1000000) + 1) == 0) break;
    }
    if (s->ready) return 0;
    if (s->error[0])
        res_fail(r, "server did not start: %s", s->error);
    else if (!server_alive(s))
        res_fail(r, "server did not start: it %s", s->died);
    else
        res_fail(r, "server did not start: no 'ready' within %d ms", ECHO_READY_TIMEOUT_MS);
    return -1;
}

static void record(wl_result *r, const wl_params *p, const echo_lg_out *o) {
    res_u64(r, "connections", p->connections);
    res_u64(r, "connections_established", o->established);
    res_u64(r, "setup_ns", o->setup_ns);
    res_u64(r, "requests", o->requests);
    res_u64(r, "bytes_echoed", o->bytes);
    res_u64(r, "wall_ns", o->wall_ns);
    res_f64(r, "requests_per_s", o->wall_ns ? (double)o->requests * 1e9 / (double)o->wall_ns : 0);
    res_u64(r, "lat_p50_ns", hist_quantile(&o->hist, 0.50));
    res_u64(r, "lat_p99_ns", hist_quantile(&o->hist, 0.99));
    res_u64(r, "lat_max_ns", o->hist.max);
    res_u64(r, "lat_mean_ns", o->hist.count ? o->hist.sum / o->hist.count : 0);
    res_str(r, "bounded_by",
            p->max_requests && o->requests == p->max_requests ? "requests" : "time");
}

/* CPU time of the server (/proc, clock ticks) and of this process at the
 * release of the connections and at the end of the timed phase: setup (forking,
 * 10,000 connects and handshakes) is not serving and stays out. */
typedef struct cpu_marks {
    pid_t pid;
    uint64_t srv[2], lg[2];
    int n;       /* marks taken: 0, 1 (at go) or 2 (at go and at end) */
    int proc_ok; /* every /proc read succeeded */
} cpu_marks;

static void mark_cpu(void *arg) {
    cpu_marks *m = arg;
    if (m->n >= 2) return;
    if (proc_cpu_ns(m->pid, &m->srv[m->n]) != 0) m->proc_ok = 0;
    m->lg[m->n] = si_cpu_ns();
    m->n++;
}

static void run(const wl_params *p, wl_result *r, int kind) {
    uint64_t nofile = raise_nofile(p->connections + 64);
    res_u64(r, "nofile_limit", nofile);
    int srv_cpu = -1, lg_cpu = -1;
    if (p->pin == WL_PIN_SAME) {
        srv_cpu = lg_cpu = si_cpu_nth(0);
    } else if (p->pin == WL_PIN_SPLIT) {
        srv_cpu = si_cpu_nth(0);
        lg_cpu = si_cpu_nth(1);
        if (lg_cpu < 0) {
            res_fail(r, "--pin split needs two CPUs this process may use, it has one");
            return;
        }
    }

    /* Kernel stacks (16 KiB per thread on x86-64) are not in any VmRSS:
     * the system-wide KernelStack of /proc/meminfo, before and during. */
    uint64_t kstack0 = 0, kstack1 = 0;
    int have_kstack = proc_meminfo("KernelStack", &kstack0) == 0;
    server s;
    memset(&s, 0, sizeof s);
    s.status_rd = -1;
    echo_lg_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    if (server_start(&s, p, kind, srv_cpu, &cfg.addr, r) != 0) {
        server_stop(&s);
        return;
    }
    uint64_t rss0 = 0;
    proc_status(s.pid, "VmRSS", &rss0);
    cpu_marks marks = {.pid = s.pid, .proc_ok = 1};
    cfg.mark = mark_cpu;
    cfg.mark_arg = &marks;

    cfg.connections = p->connections;
    cfg.size = p->size;
    cfg.max_requests = p->max_requests;
    cfg.duration_ns = p->duration_ms * 1000000;
    if (lg_cpu >= 0) si_pin_self(lg_cpu);
    echo_lg_out o;
    int rc = echo_lg_run(&cfg, &o);
    if (lg_cpu >= 0) si_unpin_self();

    /* The server's figures, with every connection still open. */
    int alive = server_alive(&s);
    uint64_t hwm = 0, rss1 = 0, threads = 0;
    if (alive) {
        proc_status(s.pid, "VmHWM", &hwm);
        proc_status(s.pid, "VmRSS", &rss1);
        proc_status(s.pid, "Threads", &threads);
        if (have_kstack) have_kstack = proc_meminfo("KernelStack", &kstack1) == 0;
    }
    while (read_status(&s, 0) == 1 && s.len < sizeof s.buf) {
        struct pollfd pf = {.fd = s.status_rd, .events = POLLIN};
        if (poll(&pf, 1, 0) <= 0) break;
    }
    server_stop(&s);
    echo_lg_close(&o);

    if (rc != 0) {
        res_fail(r, "load generator could not start: %s", echo_strerror(rc));
        return;
    }
    record(r, p, &o);
    res_u64(r, "server_baseline_rss_bytes", rss0);
    res_u64(r, "server_peak_rss_bytes", hwm);
    res_u64(r, "server_rss_bytes", rss1);
    res_u64(r, "server_rss_per_conn_bytes",
            o.established && rss1 > rss0 ? (rss1 - rss0) / o.established : 0);
    res_u64(r, "server_threads", threads);
    if (alive && have_kstack)
        res_i64(r, "kernel_stack_delta_bytes", (int64_t)kstack1 - (int64_t)kstack0);
    else
        res_null(r, "kernel_stack_delta_bytes");
    if (marks.n == 2 && marks.proc_ok && marks.srv[1] >= marks.srv[0]) {
        res_u64(r, "server_cpu_ns", marks.srv[1] - marks.srv[0]);
        res_u64(r, "loadgen_cpu_ns", marks.lg[1] - marks.lg[0]);
    } else { /* not every connection was set up, or /proc could not be read */
        res_null(r, "server_cpu_ns");
        res_null(r, "loadgen_cpu_ns");
    }

    char limit[256] = "";
    if (s.limit[0])
        snprintf(limit, sizeof limit, "%s", s.limit);
    else if (o.setup_error[0] && strstr(o.setup_error, "Too many open files"))
        snprintf(limit, sizeof limit, "%s (RLIMIT_NOFILE %llu)", o.setup_error,
                 (unsigned long long)nofile);
    else if (o.setup_error[0])
        snprintf(limit, sizeof limit, "%s", o.setup_error);
    res_str(r, "setup_error", o.setup_error[0] ? o.setup_error : NULL);
    if (limit[0])
        res_str(r, "limit_error", limit);
    else
        res_null(r, "limit_error");

    if (!alive)
        res_fail(r, "the server %s during the run%s%s", s.died, s.error[0] ? ": " : "", s.error);
    else if (o.spawn_err)
        res_fail(r, "load generator: coroutine creation failed at connection %llu: %s",
                 (unsigned long long)o.spawned, echo_strerror(o.spawn_err));
    else if (o.run_rc != 0)
        res_fail(r, "load generator: coro_run: %s", echo_strerror(o.run_rc));
    else if (o.established == 0)
        res_fail(r, "no connection could be established: %s", limit[0] ? limit : "unknown");
    else if (o.run_error[0])
        res_fail(r, "%s", o.run_error);
    else if (s.error[0])
        res_fail(r, "server: %s", s.error);

    uint64_t h = FNV_INIT;
    h = fnv_u64(h, o.established);
    h = fnv_u64(h, p->size);
    h = fnv_u64(h, o.requests);
    h = fnv_u64(h, o.bytes);
    h = fnv_u64(h, o.sum);
    r->checksum = h;
}

void wl_coro_echo(const wl_params *p, wl_result *r) {
    run(p, r, ECHO_SRV_CORO);
}

void wl_threads_echo(const wl_params *p, wl_result *r) {
    run(p, r, ECHO_SRV_THREADS);
}

/* The CLI rejects --backend ucontext for echo (exit 2); kept for the table. */
void wl_ucontext_echo(const wl_params *p, wl_result *r) {
    (void)p;
    res_fail(r, "echo has no ucontext backend (the coroutine server runs on coro)");
}
