/* echo.c — the echo workload: `corobench echo --backend coro|threads`.
 *
 * Sets up the server in a child process (bench/echo/child.c: coroutine- or
 * thread-per-connection, bench/echo/server*.c), measures its baseline memory,
 * runs the load generator (bench/echo/loadgen.c) in this process, reads the
 * server's peak memory, threads and CPU time while every connection is still
 * open, then SIGKILLs it. Every path after the fork ends in echo_child_stop().
 * This file is compiled once per backend like every workload; the backend
 * only picks the server's kind (the load generator always runs on coro), and
 * there is no ucontext server.
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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "checksum.h"
#include "echo.h"
#include "proc.h"
#include "sysinfo.h"
#include "workload.h"

typedef struct ec_params {
    uint64_t connections, duration_ms, size, max_requests, workers, stack, buf;
    int pin;    /* enum wl_pin */
    int server; /* enum ec_server */
} ec_params;

/* --server: the backend's own server, the event-loop floor, or the program
 * named by ECHO_EXEC_ENV (see bench/echo/echo.h, ECHO_SRV_EXEC). */
enum ec_server { EC_SRV_BACKEND, EC_SRV_EPOLL, EC_SRV_EXEC };
static const char *const ec_server_names[] = {"backend", "epoll", "exec", NULL};
#define ECHO_EXEC_ENV "COROBENCH_ECHO_SERVER"
#define ECHO_EXEC_ARGS 32

/* CPU time of the server (/proc, clock ticks) and of this process at the
 * release of the connections and at the end of the timed phase: setup (forking,
 * thousands of connects and handshakes) is not serving and stays out. */
typedef struct cpu_marks {
    pid_t pid;
    uint64_t srv[2], lg[2];
    uint64_t syscr[2], syscw[2]; /* /proc/<pid>/io: read- and write-class syscalls */
    int n;                       /* marks taken: 0, 1 (at go) or 2 (at go and at end) */
    int proc_ok;                 /* every /proc read succeeded */
    int io_ok;                   /* every /proc/<pid>/io read succeeded */
} cpu_marks;

static void mark_cpu(void *arg) {
    cpu_marks *m = arg;
    if (m->n >= 2) return;
    if (proc_cpu_ns(m->pid, &m->srv[m->n]) != 0) m->proc_ok = 0;
    if (proc_io(m->pid, "syscr", &m->syscr[m->n]) != 0 ||
        proc_io(m->pid, "syscw", &m->syscw[m->n]) != 0)
        m->io_ok = 0;
    m->lg[m->n] = si_cpu_ns();
    m->n++;
}

/* The server's figures sampled from /proc with every connection still open. */
typedef struct ec_sample {
    int alive, have_kstack;
    uint64_t rss0, hwm, rss1, threads, kstack0, kstack1;
} ec_sample;

/* One run's state, phase by phase. */
typedef struct ec_run {
    const ec_params *p;
    wl_result *r;
    uint64_t nofile;
    int srv_cpu, lg_cpu;
    echo_child s;
    echo_lg_cfg cfg;
    echo_lg_out o;
    cpu_marks marks;
    ec_sample m;
    int lg_rc;
    char *exec_argv[ECHO_EXEC_ARGS + 1]; /* --server exec: split ECHO_EXEC_ENV */
    char *exec_line;                     /* its copy, split in place */
} ec_run;

/* --server exec: the program and its arguments, split on blanks (no shell,
 * no quoting: paths with blanks are not supported). 0 or fails r. */
static int ec_exec_argv(ec_run *e) {
    const char *env = getenv(ECHO_EXEC_ENV);
    e->exec_line = env ? strdup(env) : NULL;
    size_t n = 0;
    char *save = NULL;
    for (char *w = e->exec_line ? strtok_r(e->exec_line, " \t", &save) : NULL; w;
         w = strtok_r(NULL, " \t", &save)) {
        if (n == ECHO_EXEC_ARGS) {
            res_fail(e->r, "--server exec: %s has more than %d words", ECHO_EXEC_ENV,
                     ECHO_EXEC_ARGS);
            return -1;
        }
        e->exec_argv[n++] = w;
    }
    e->exec_argv[n] = NULL;
    if (n == 0) {
        res_fail(e->r, "--server exec: %s names no program", ECHO_EXEC_ENV);
        return -1;
    }
    return 0;
}

static int ec_server_kind(const ec_params *p) {
    if (p->server == EC_SRV_EPOLL) return ECHO_SRV_EPOLL;
    if (p->server == EC_SRV_EXEC) return ECHO_SRV_EXEC;
    return BK_IS_THREADS ? ECHO_SRV_THREADS : ECHO_SRV_CORO;
}

/* --pin: the CPUs of the server and of the load generator; 0 or fails r. */
static int ec_cpus(ec_run *e) {
    e->srv_cpu = e->lg_cpu = -1;
    if (e->p->pin == WL_PIN_SAME) {
        e->srv_cpu = e->lg_cpu = si_cpu_nth(0);
    } else if (e->p->pin == WL_PIN_SPLIT) {
        e->srv_cpu = si_cpu_nth(0);
        e->lg_cpu = si_cpu_nth(1);
        if (e->lg_cpu < 0) {
            res_fail(e->r, "--pin split needs two CPUs this process may use, it has one");
            return -1;
        }
    }
    return 0;
}

/* Starts the server child and its baseline figures; 0 or fails r. */
static int ec_start(ec_run *e) {
    const ec_params *p = e->p;
    /* Kernel stacks (16 KiB per thread on x86-64) are not in any VmRSS:
     * the system-wide KernelStack of /proc/meminfo, before and during. */
    e->m.have_kstack = proc_meminfo("KernelStack", &e->m.kstack0) == 0;
    echo_server_cfg sc = {.kind = ec_server_kind(p),
                          .workers = (unsigned)p->workers,
                          .stack = (size_t)p->stack,
                          .buf = (size_t)p->buf,
                          .lfd = -1,
                          .status_fd = -1,
                          .cpu = e->srv_cpu,
                          .exec_argv = e->exec_argv};
    if (echo_child_start(&e->s, &sc, p->connections, &e->cfg.addr, e->r) != 0) return -1;
    proc_status(e->s.pid, "VmRSS", &e->m.rss0);
    return 0;
}

/* The timed phase: the load generator in this process. */
static void ec_load(ec_run *e) {
    const ec_params *p = e->p;
    e->marks.pid = e->s.pid;
    e->marks.proc_ok = 1;
    e->marks.io_ok = 1;
    e->cfg.mark = mark_cpu;
    e->cfg.mark_arg = &e->marks;
    e->cfg.connections = p->connections;
    e->cfg.size = p->size;
    e->cfg.max_requests = p->max_requests;
    e->cfg.duration_ns = p->duration_ms * 1000000;
    if (e->lg_cpu >= 0) si_pin_self(e->lg_cpu);
    e->lg_rc = echo_lg_run(&e->cfg, &e->o);
    if (e->lg_cpu >= 0) si_unpin_self();
}

/* The server's memory and threads from /proc while every connection is open. */
static void ec_sample_proc(ec_run *e) {
    ec_sample *m = &e->m;
    m->alive = echo_child_alive(&e->s);
    if (!m->alive) return;
    proc_status(e->s.pid, "VmHWM", &m->hwm);
    proc_status(e->s.pid, "VmRSS", &m->rss1);
    proc_status(e->s.pid, "Threads", &m->threads);
    if (m->have_kstack) m->have_kstack = proc_meminfo("KernelStack", &m->kstack1) == 0;
}

static void ec_record_load(ec_run *e) {
    wl_result *r = e->r;
    const echo_lg_out *o = &e->o;
    res_u64(r, "connections", e->p->connections);
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
            e->p->max_requests && o->requests == e->p->max_requests ? "requests" : "time");
}

static void ec_record_server(ec_run *e) {
    wl_result *r = e->r;
    const ec_sample *m = &e->m;
    const cpu_marks *k = &e->marks;
    res_u64(r, "server_baseline_rss_bytes", m->rss0);
    res_u64(r, "server_peak_rss_bytes", m->hwm);
    res_u64(r, "server_rss_bytes", m->rss1);
    res_u64(r, "server_rss_per_conn_bytes",
            e->o.established && m->rss1 > m->rss0 ? (m->rss1 - m->rss0) / e->o.established : 0);
    res_u64(r, "server_threads", m->threads);
    if (m->alive && m->have_kstack)
        res_i64(r, "kernel_stack_delta_bytes", (int64_t)m->kstack1 - (int64_t)m->kstack0);
    else
        res_null(r, "kernel_stack_delta_bytes");
    if (k->n == 2 && k->proc_ok && k->srv[1] >= k->srv[0]) {
        res_u64(r, "server_cpu_ns", k->srv[1] - k->srv[0]);
        res_u64(r, "loadgen_cpu_ns", k->lg[1] - k->lg[0]);
    } else { /* not every connection was set up, or /proc could not be read */
        res_null(r, "server_cpu_ns");
        res_null(r, "loadgen_cpu_ns");
    }
    uint64_t sys = k->syscr[1] + k->syscw[1] - k->syscr[0] - k->syscw[0];
    if (k->n == 2 && k->io_ok && k->syscr[1] >= k->syscr[0] && k->syscw[1] >= k->syscw[0]) {
        res_u64(r, "server_syscalls", sys);
        res_f64(r, "syscalls_per_request", e->o.requests ? (double)sys / (double)e->o.requests : 0);
    } else {
        res_null(r, "server_syscalls");
        res_null(r, "syscalls_per_request");
    }
}

/* Connections that could not be set up are data (limit_error); a failure of
 * the server, of the load generator or of an established connection is an
 * error. */
static void ec_classify(ec_run *e) {
    wl_result *r = e->r;
    const echo_lg_out *o = &e->o;
    const echo_child *s = &e->s;
    char limit[256] = "";
    if (s->limit[0])
        snprintf(limit, sizeof limit, "%s", s->limit);
    else if (o->setup_error[0] && strstr(o->setup_error, "Too many open files"))
        snprintf(limit, sizeof limit, "%s (RLIMIT_NOFILE %llu)", o->setup_error,
                 (unsigned long long)e->nofile);
    else if (o->setup_error[0])
        snprintf(limit, sizeof limit, "%s", o->setup_error);
    res_str(r, "setup_error", o->setup_error[0] ? o->setup_error : NULL);
    res_str(r, "limit_error", limit[0] ? limit : NULL);

    if (!e->m.alive)
        res_fail(r, "the server %s during the run%s%s", s->died, s->error[0] ? ": " : "", s->error);
    else if (o->spawn_err)
        res_fail(r, "load generator: coroutine creation failed at connection %llu: %s",
                 (unsigned long long)o->spawned, echo_strerror(o->spawn_err));
    else if (o->run_rc != 0)
        res_fail(r, "load generator: coro_run: %s", echo_strerror(o->run_rc));
    else if (o->established == 0)
        res_fail(r, "no connection could be established: %s", limit[0] ? limit : "unknown");
    else if (o->run_error[0])
        res_fail(r, "%s", o->run_error);
    else if (s->error[0])
        res_fail(r, "server: %s", s->error);
}

static uint64_t ec_checksum(const ec_run *e) {
    uint64_t h = FNV_INIT;
    h = fnv_u64(h, e->o.established);
    h = fnv_u64(h, e->p->size);
    h = fnv_u64(h, e->o.requests);
    h = fnv_u64(h, e->o.bytes);
    return fnv_u64(h, e->o.sum);
}

static void ec_workload(const void *params, out_sink *out, wl_result *r) {
    (void)out;
    ec_run e;
    memset(&e, 0, sizeof e);
    e.p = params;
    e.r = r;
    echo_child_init(&e.s);
    e.nofile = echo_raise_nofile(e.p->connections + 64);
    res_u64(r, "nofile_limit", e.nofile);
    res_str(r, "server",
            e.p->server == EC_SRV_EXEC    ? getenv(ECHO_EXEC_ENV)
            : e.p->server == EC_SRV_EPOLL ? "epoll"
                                          : BK_NAME);
    if (e.p->server == EC_SRV_EXEC && ec_exec_argv(&e) != 0) {
        free(e.exec_line);
        return;
    }
    if (ec_cpus(&e) != 0) {
        free(e.exec_line);
        return;
    }
    int started = ec_start(&e);
    free(e.exec_line); /* the child has its own copy (or exec'd) */
    if (started != 0) {
        echo_child_stop(&e.s);
        return;
    }
    ec_load(&e);
    ec_sample_proc(&e);
    echo_child_drain(&e.s);
    echo_child_stop(&e.s);
    echo_lg_close(&e.o);
    if (e.lg_rc != 0) {
        res_fail(r, "load generator could not start: %s", echo_strerror(e.lg_rc));
        return;
    }
    ec_record_load(&e);
    ec_record_server(&e);
    ec_classify(&e);
    r->checksum = ec_checksum(&e);
}

static int ec_check(void *params, const wl_check_ctx *c) {
    const ec_params *p = params;
    if (p->server == EC_SRV_EXEC && !getenv(ECHO_EXEC_ENV))
        return wl_usage("--server exec: set %s to the server's command line", ECHO_EXEC_ENV);
    if (p->server != EC_SRV_BACKEND && wl_given(c, offsetof(ec_params, workers)))
        return wl_usage("--workers: only the backend's coroutine server has workers "
                        "(--server %s)",
                        ec_server_names[p->server]);
    return wl_check_workers(c, offsetof(ec_params, workers), p->workers, BK_MASK(BK_CORO),
                            "thread-per-connection has no workers");
}

static const opt_spec ec_opts[] = {
    WL_U64(ec_params, connections, "--connections", 1, 100000, 100,
           "client connections, each one request in flight"),
    WL_U64(ec_params, duration_ms, "--duration-ms", 1, 60000, 1000,
           "timed phase, ms (after every connection is set up)"),
    WL_U64(ec_params, size, "--size", 1, 1048576, 64, "bytes per request, echoed back"),
    WL_U64Z(ec_params, max_requests, "--max-requests", 1, UINT64_C(10000000000), 0,
            "stop after this many requests in all, 0 = time only"),
    WL_U64(ec_params, workers, "--workers", 1, 64, 1,
           "coro server: worker threads (1 = M:1, more = M:N)"),
    WL_U64(ec_params, stack, "--stack", 16384, UINT64_C(1) << 30, 65536,
           "server stack bytes per connection (coroutine or thread)"),
    WL_U64(ec_params, buf, "--buf", 16, ECHO_BUF_MAX, ECHO_BUF_DEFAULT,
           "server read buffer bytes per connection, on its stack (both backends)"),
    WL_ENUM(ec_params, pin, "--pin", wl_pin_names, 0,
            "none | same: server and load generator on one CPU | split: one CPU each"),
    WL_ENUM(ec_params, server, "--server", ec_server_names, 0,
            "backend: the backend's own server | epoll: one-thread event loop, no coroutines | "
            "exec: the program in $" ECHO_EXEC_ENV),
};
static const wl_result_spec ec_results[] = {
    WL_RES("server", "string", "the server: the backend, epoll, or the command run"),
    WL_RES("nofile_limit", "integer", "soft RLIMIT_NOFILE in force"),
    WL_RES("connections", "integer", "asked for"),
    WL_RES("connections_established", "integer", "set up (handshake echoed)"),
    WL_RES("setup_ns", "integer", "time to set every connection up (not in the rates)"),
    WL_RES("requests", "integer", "requests that came back intact in the timed phase"),
    WL_RES("bytes_echoed", "integer", "bytes that came back intact in the timed phase"),
    WL_RES("wall_ns", "integer", "timed phase: release of all connections .. last request done"),
    WL_RES("requests_per_s", "number", "requests / wall time"),
    WL_RES("lat_p50_ns", "integer", "median request latency (log-linear histogram)"),
    WL_RES("lat_p99_ns", "integer", "99th percentile request latency"),
    WL_RES("lat_max_ns", "integer", "largest request latency"),
    WL_RES("lat_mean_ns", "integer", "mean request latency"),
    WL_RES("bounded_by", "string", "requests (all --max-requests done) or time"),
    WL_RES("server_baseline_rss_bytes", "integer", "server VmRSS once it said ready"),
    WL_RES("server_peak_rss_bytes", "integer", "server VmHWM, every connection still open"),
    WL_RES("server_rss_bytes", "integer", "server VmRSS, every connection still open"),
    WL_RES("server_rss_per_conn_bytes", "integer",
           "(server_rss_bytes - baseline) / connections established"),
    WL_RES("server_threads", "integer", "the server's threads at the end"),
    WL_RES("kernel_stack_delta_bytes", "integer|null",
           "system-wide KernelStack growth: the server threads' kernel stacks"),
    WL_RES("server_cpu_ns", "integer|null", "server CPU time in the timed phase (/proc)"),
    WL_RES("loadgen_cpu_ns", "integer|null", "load generator CPU time in the timed phase"),
    WL_RES("server_syscalls", "integer|null",
           "server read- and write-class syscalls in the timed phase (/proc/<pid>/io syscr + "
           "syscw; epoll_wait is in neither)"),
    WL_RES("syscalls_per_request", "number|null", "server_syscalls / requests"),
    WL_RES("setup_error", "string|null", "the load generator's first setup failure"),
    WL_RES("limit_error", "string|null",
           "null, or why some connections could not be set up (a data point)"),
};
static const wl_spec ec_spec = {
    .name = "echo",
    .summary = "TCP echo on 127.0.0.1: coroutine- vs thread-per-connection server, requests/s",
    .opts = ec_opts,
    .nopts = WL_NOPTS(ec_opts),
    .results = ec_results,
    .nresults = WL_NOPTS(ec_results),
    .params_size = sizeof(ec_params),
    .backends = BK_MASK(BK_CORO) | BK_MASK(BK_THREADS),
    .check = ec_check,
};
WL_REGISTER(ec_spec, ec_workload)
