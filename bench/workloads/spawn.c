/* spawn.c — create, run and join n trivial tasks: the cost of a spawn.
 *
 * Default mode: spawn one task, join it, n times (spawn + first switch + end +
 * join, what a short-lived task costs). --alive: spawn all n first; each
 * announces it started and waits on one event, so n are alive at once; main
 * measures resident memory (/proc/self/status VmRSS, and VmHWM) with all of
 * them alive, then releases and joins them. A failing spawn in --alive mode is
 * a data point, not an error: tasks_reached and limit_error say where and why
 * it stopped, the status stays "ok".
 *
 * Checksum: the sum of one hash per task id that ran, folded with the count.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "checksum.h"
#include "sysinfo.h"
#include "workload.h"

#define SPAWN_TAG 0x5350u

typedef struct sp_params {
    uint64_t n;
    int alive;
    uint64_t stack; /* bytes, 0 = the backend's default */
    int stack_mode; /* 0 own stacks, 1 coroutines on a shared stack (copy-stack) */
} sp_params;

typedef struct sp_ctx {
    const sp_params *p;
    wl_result *r;
    bk_event *release;
    _Atomic uint64_t started;
    _Atomic uint64_t sum;
    uint64_t ran; /* tasks joined */
    int failed;   /* main could not even start */
} sp_ctx;

/* One run at a time per process: the tasks find their context here, so that
 * a task's argument can be just its id (no per-task allocation to measure). */
static sp_ctx *g_ctx;

static void trivial(void *arg) {
    uint64_t id = (uint64_t)(uintptr_t)arg;
    atomic_fetch_add_explicit(&g_ctx->sum, fnv_item(SPAWN_TAG, id, 0), memory_order_relaxed);
}

static void waiter(void *arg) {
    atomic_fetch_add_explicit(&g_ctx->started, 1, memory_order_release);
    bk_event_wait(g_ctx->release);
    trivial(arg);
}

static const char *kind(void) {
    return BK_IS_THREADS ? "thread" : "coroutine";
}

static void sp_one_by_one(sp_ctx *c, const bk_spawn_cfg *cfg) {
    uint64_t t0 = si_now_ns();
    for (uint64_t i = 0; i < c->p->n; i++) {
        int err = 0;
        bk_task *t = bk_spawn(trivial, (void *)(uintptr_t)i, cfg, &err);
        if (!t) {
            res_fail(c->r, "%s creation failed at task %llu: %s", kind(), (unsigned long long)i,
                     bk_strerror(err ? err : -12));
            return;
        }
        bk_join(t);
        c->ran++;
    }
    res_u64(c->r, "wall_ns", si_now_ns() - t0);
}

static void sp_alive(sp_ctx *c, const bk_spawn_cfg *cfg) {
    uint64_t n = c->p->n;
    bk_task **ts = malloc(n * sizeof *ts);
    c->release = bk_event_new();
    if (!ts || !c->release) {
        res_fail(c->r, "out of memory for %llu task handles", (unsigned long long)n);
        free(ts);
        if (c->release) bk_event_free(c->release);
        return;
    }
    /* Touched now, so that the baseline includes it. Volatile stores, because
     * GCC turns malloc + memset(0) into calloc, whose fresh pages stay
     * untouched until the spawn loop writes them, and the handles would be
     * counted as the tasks' memory. */
    for (uint64_t i = 0; i < n; i++) ((bk_task *volatile *)ts)[i] = NULL;
    uint64_t rss0 = si_status_bytes("VmRSS");
    si_usage u0 = si_usage_now();
    uint64_t t0 = si_now_ns();
    uint64_t reached = 0;
    int err = 0;
    for (; reached < n; reached++) {
        ts[reached] = bk_spawn(waiter, (void *)(uintptr_t)reached, cfg, &err);
        if (!ts[reached]) break;
    }
    /* Let every task run up to its wait, so that its stack is really in use. */
    while (atomic_load_explicit(&c->started, memory_order_acquire) < reached) bk_sleep_ns(20000);
    uint64_t t_alive = si_now_ns() - t0;
    si_usage u1 = si_usage_now();
    uint64_t rss1 = si_status_bytes("VmRSS");
    uint64_t hwm = si_status_bytes("VmHWM");
    bk_event_set(c->release);
    for (uint64_t i = 0; i < reached; i++) bk_join(ts[i]);
    uint64_t wall = si_now_ns() - t0;
    c->ran = reached;
    free(ts);
    bk_event_free(c->release);

    wl_result *r = c->r;
    res_u64(r, "tasks_requested", n);
    res_u64(r, "tasks_reached", reached);
    res_u64(r, "wall_ns", wall);
    res_u64(r, "spawn_all_ns", t_alive);
    res_u64(r, "spawn_user_ns", u1.user_ns - u0.user_ns);
    res_u64(r, "spawn_sys_ns", u1.sys_ns - u0.sys_ns);
    res_u64(r, "spawn_minflt", u1.minflt - u0.minflt);
    res_u64(r, "baseline_rss_bytes", rss0);
    res_u64(r, "peak_rss_bytes", rss1);
    res_u64(r, "vmhwm_bytes", hwm);
    res_u64(r, "rss_per_task_bytes", reached && rss1 > rss0 ? (rss1 - rss0) / reached : 0);
    uint64_t guarded, stacks;
    if (bk_stack_guards(&guarded, &stacks) == 0) {
        res_u64(r, "stacks", stacks);
        res_u64(r, "stacks_guarded", guarded);
    }
    if (reached < n) {
        char msg[160];
        snprintf(msg, sizeof msg, "%s creation failed at task %llu: %s", kind(),
                 (unsigned long long)reached, bk_strerror(err ? err : -12));
        res_str(r, "limit_error", msg);
    } else {
        res_null(r, "limit_error");
    }
}

static void sp_main(void *arg) {
    sp_ctx *c = arg;
    bk_spawn_cfg cfg = {(size_t)c->p->stack, -1, c->p->stack_mode};
    if (c->p->alive)
        sp_alive(c, &cfg);
    else
        sp_one_by_one(c, &cfg);
}

static void sp_workload(const void *params, out_sink *out, wl_result *r) {
    const sp_params *p = params;
    (void)out;
    sp_ctx c;
    memset(&c, 0, sizeof c);
    c.p = p;
    c.r = r;
    atomic_init(&c.started, 0);
    atomic_init(&c.sum, 0);
    g_ctx = &c;
    int rc = bk_run(sp_main, &c);
    g_ctx = NULL;
    if (rc != 0) {
        res_fail(r, "%s run failed: %s", BK_NAME, bk_strerror(rc));
        return;
    }
    r->checksum = fnv_u64(fnv_u64(FNV_INIT, atomic_load(&c.sum)), c.ran);
    res_u64(r, "tasks", c.ran);
    uint64_t w = 0;
    for (int i = 0; i < r->nfields; i++)
        if (strcmp(r->fields[i].name, "wall_ns") == 0) w = r->fields[i].u;
    res_f64(r, "ns_per_task", c.ran ? (double)w / (double)c.ran : 0.0);
}

static int sp_check(void *params, const wl_check_ctx *c) {
    const sp_params *p = params;
    if (p->stack_mode && c->backend == BK_THREADS)
        return wl_usage("--stack-mode: threads have their own stacks; 'shared' needs --backend "
                        "coro or ucontext");
    if (p->alive && p->n > 10000000)
        return wl_usage("--n: with --alive, expected an integer in [1, 10000000], got '%llu'",
                        (unsigned long long)p->n);
    return 0;
}

static const char *const sp_stack_modes[] = {"own", "shared", NULL};
static const opt_spec sp_opts[] = {
    WL_U64(sp_params, n, "--n", 1, 1000000000, 2000, "tasks (at most 10000000 with --alive)"),
    WL_FLAG(sp_params, alive, "--alive",
            "keep all n alive at once; report memory per task and the limit hit"),
    WL_U64Z(sp_params, stack, "--stack", 16384, UINT64_C(1) << 30, 0,
            "stack bytes per task, 0 = the backend's default"),
    WL_ENUM(sp_params, stack_mode, "--stack-mode", sp_stack_modes, 0,
            "coroutines: own stacks, or shared: one stack per worker, copied out at switches"),
};
static const wl_result_spec sp_results[] = {
    WL_RES("tasks", "integer", "tasks that ran and were joined"),
    WL_RES("wall_ns", "integer", "the whole spawn, run and join"),
    WL_RES("ns_per_task", "number", "wall_ns / tasks"),
    WL_RES_OPT("tasks_requested", "integer", "--alive: n"),
    WL_RES_OPT("tasks_reached", "integer", "--alive: tasks alive at once before a spawn failed"),
    WL_RES_OPT("spawn_all_ns", "integer", "--alive: time to spawn them all"),
    WL_RES_OPT("spawn_user_ns", "integer",
               "--alive: CPU time in user mode while spawning them all (every thread)"),
    WL_RES_OPT("spawn_sys_ns", "integer",
               "--alive: CPU time in the kernel while spawning them all (page faults, mmap)"),
    WL_RES_OPT("spawn_minflt", "integer", "--alive: minor page faults while spawning them all"),
    WL_RES_OPT("baseline_rss_bytes", "integer", "--alive: VmRSS before spawning"),
    WL_RES_OPT("peak_rss_bytes", "integer", "--alive: VmRSS with every task alive"),
    WL_RES_OPT("vmhwm_bytes", "integer", "--alive: VmHWM with every task alive"),
    WL_RES_OPT("stacks", "integer", "--alive, coroutines: own stacks handed out"),
    WL_RES_OPT("stacks_guarded", "integer", "--alive, coroutines: of those, with a guard page"),
    WL_RES_OPT("rss_per_task_bytes", "integer",
               "--alive: (peak_rss_bytes - baseline_rss_bytes) / tasks_reached"),
    WL_RES_OPT("limit_error", "string|null",
               "--alive: null, or the error that stopped the spawning (a data point)"),
};
static const wl_spec sp_spec = {
    .name = "spawn",
    .summary = "create, run and join tasks: spawn cost, memory per task, most tasks alive",
    .opts = sp_opts,
    .nopts = WL_NOPTS(sp_opts),
    .results = sp_results,
    .nresults = WL_NOPTS(sp_results),
    .params_size = sizeof(sp_params),
    .backends = BK_ALL,
    .check = sp_check,
};
WL_REGISTER(sp_spec, sp_workload)
