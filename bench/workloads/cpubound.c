/* cpubound.c — a fixed total of CPU work split evenly over T tasks: what
 * oversubscription costs (the article's "threads beyond the number of cores
 * degrade performance").
 *
 * --total-work U steps are split over --tasks T (the first U mod T tasks do one
 * more). A step mixes a 64-bit state for 16 rounds and then touches every
 * 64-byte line of the task's own working set (--wss bytes, allocated and
 * first-touched by the task itself); every --yield-every K steps the task
 * yields (0 = never). Tasks wait on a start event so that the timed region is
 * the work, not the spawning: every task is created before the clock starts.
 * What the window still holds per task is a fixed cost (waking it, the
 * malloc and first touch of its working set, its exit and join); the harness
 * separates it from the cost per step by running several total works at one
 * T. Reported: wall and process CPU time, voluntary/involuntary context
 * switches (getrusage deltas), and the start-barrier delay: from the release
 * of the start event to the moment the last task began its work.
 *
 * Checksum: the sum over tasks of hash(task id, final state), folded with the
 * total steps; each task's state depends only on its id and step count.
 *
 * --workers W on threads (W > 1): no thread per task and no scheduler at all.
 * W threads, pinned one per CPU when there are W CPUs, run the T tasks split
 * statically (thread w takes tasks w, w+W, ...) back to back: what W cores
 * give this work without a scheduler, the reference for M:N on W workers
 * (same checksum; M:N can beat it, as it rebalances when one core is slow).
 * --no-pin leaves their placement (and, on coroutines, the M:N workers') to
 * the kernel, to measure what pinning gives.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "checksum.h"
#include "sysinfo.h"
#include "workload.h"

#define CB_TAG 0x4342u
#define CB_LINE 64

typedef struct cb_params {
    uint64_t tasks, total_work, wss, yield_every;
    uint64_t stack; /* bytes, 0 = the backend's default */
    uint64_t workers;
    int no_pin; /* --workers W: leave the W M:N workers or split threads unpinned */
} cb_params;

typedef struct cb_ctx {
    const cb_params *p;
    bk_event *go;
    _Atomic uint64_t sum, steps;
    _Atomic uint64_t last_start; /* si_now_ns() when the last task began */
    _Atomic uint64_t oom_task;   /* 1 + id of a task whose malloc failed, 0 = none */
} cb_ctx;

static cb_ctx *g_ctx; /* one run at a time; task argument = its id */

/* The latest start so far: one compare-exchange loop per task, which is
 * part of the fixed cost per task that the harness measures. */
static void note_start(cb_ctx *c) {
    uint64_t now = si_now_ns(), seen = atomic_load(&c->last_start);
    while (seen < now && !atomic_compare_exchange_weak(&c->last_start, &seen, now)) {
    }
}

/* One task's whole life after the start: its working set, its steps. */
static void run_task(cb_ctx *c, uint64_t id) {
    const cb_params *p = c->p;
    note_start(c);
    uint64_t steps = p->total_work / p->tasks + (id < p->total_work % p->tasks ? 1 : 0);
    size_t lines = (size_t)(p->wss + CB_LINE - 1) / CB_LINE;
    uint64_t *ws = NULL;
    if (lines) {
        ws = malloc(lines * CB_LINE);
        if (!ws) {
            uint64_t zero = 0;
            atomic_compare_exchange_strong(&c->oom_task, &zero, id + 1);
            return;
        }
        for (size_t l = 0; l < lines; l++) ws[l * (CB_LINE / 8)] = l;
    }
    uint64_t x = fnv_item(CB_TAG, id, 0);
    uint64_t k = p->yield_every, since = 0;
    for (uint64_t s = 0; s < steps; s++) {
        for (int i = 0; i < 16; i++) {
            x ^= x >> 33;
            x *= UINT64_C(0xff51afd7ed558ccd);
        }
        for (size_t l = 0; l < lines; l++) {
            uint64_t *w = &ws[l * (CB_LINE / 8)];
            *w += x;
            x ^= *w >> 7;
        }
        if (k && ++since == k) {
            since = 0;
            bk_yield();
        }
    }
    free(ws);
    atomic_fetch_add(&c->sum, fnv_item(CB_TAG, id, x));
    atomic_fetch_add(&c->steps, steps);
}

static void worker(void *arg) {
    cb_ctx *c = g_ctx;
    bk_event_wait(c->go);
    run_task(c, (uint64_t)(uintptr_t)arg);
}

/* threads --workers W: runner w runs tasks w, w+W, ... back to back. */
static void runner(void *arg) {
    cb_ctx *c = g_ctx;
    bk_event_wait(c->go);
    for (uint64_t id = (uint64_t)(uintptr_t)arg; id < c->p->tasks; id += c->p->workers)
        run_task(c, id);
}

typedef struct cb_run {
    cb_ctx *c;
    wl_result *r;
    uint64_t wall, cpu, start_delay;
    si_csw csw;
    uint64_t threads; /* tasks (or runners) spawned */
    int pinned;       /* runners pinned one per CPU */
} cb_run;

static void cb_main(void *arg) {
    cb_run *run = arg;
    cb_ctx *c = run->c;
    /* threads, static split: W runners (at most T) instead of T tasks */
    int split = BK_IS_THREADS && c->p->workers > 1;
    uint64_t T = split && c->p->workers < c->p->tasks ? c->p->workers : c->p->tasks;
    bk_task **ts = malloc(T * sizeof *ts);
    c->go = bk_event_new();
    if (!ts || !c->go) {
        res_fail(run->r, "out of memory for %llu task handles", (unsigned long long)T);
        free(ts);
        if (c->go) bk_event_free(c->go);
        return;
    }
    bk_spawn_cfg cfg = {(size_t)c->p->stack, -1, 0};
    uint64_t spawned = 0;
    int err = 0;
    int pin = split && !c->p->no_pin && si_ncpus() >= (int)c->p->workers;
    for (; spawned < T; spawned++) {
        cfg.cpu = pin ? si_cpu_nth((int)spawned) : -1;
        ts[spawned] = bk_spawn(split ? runner : worker, (void *)(uintptr_t)spawned, &cfg, &err);
        if (!ts[spawned]) break;
    }
    run->threads = spawned;
    run->pinned = pin;
    if (spawned < T)
        res_fail(run->r, "%s creation failed at task %llu: %s",
                 BK_IS_THREADS ? "thread" : "coroutine", (unsigned long long)spawned,
                 bk_strerror(err ? err : -12));
    /* Even after a failure the tasks that exist run to the end and are joined. */
    si_csw s0 = si_csw_now();
    uint64_t cpu0 = si_cpu_ns();
    uint64_t t0 = si_now_ns();
    bk_event_set(c->go);
    for (uint64_t i = 0; i < spawned; i++) bk_join(ts[i]);
    run->wall = si_now_ns() - t0;
    uint64_t last = atomic_load(&c->last_start);
    run->start_delay = last > t0 ? last - t0 : 0;
    run->cpu = si_cpu_ns() - cpu0;
    si_csw s1 = si_csw_now();
    run->csw.vol = s1.vol - s0.vol;
    run->csw.invol = s1.invol - s0.invol;
    free(ts);
    bk_event_free(c->go);
}

static void cb_workload(const void *params, out_sink *out, wl_result *r) {
    const cb_params *p = params;
    (void)out;
    cb_ctx c;
    memset(&c, 0, sizeof c);
    c.p = p;
    atomic_init(&c.sum, 0);
    atomic_init(&c.steps, 0);
    atomic_init(&c.oom_task, 0);
    atomic_init(&c.last_start, 0);
    g_ctx = &c;
    cb_run run = {&c, r, 0, 0, 0, {0, 0}, 0, 0};
    int rc = bk_run_workers(cb_main, &run, (unsigned)p->workers, !p->no_pin);
    g_ctx = NULL;
    if (rc != 0) {
        res_fail(r, "%s run failed: %s", BK_NAME, bk_strerror(rc));
        return;
    }
    uint64_t oom = atomic_load(&c.oom_task);
    if (oom)
        res_fail(r, "out of memory for the working set of task %llu (%llu bytes)",
                 (unsigned long long)oom - 1, (unsigned long long)p->wss);
    if (!r->ok) return;
    uint64_t steps = atomic_load(&c.steps);
    r->checksum = fnv_u64(fnv_u64(FNV_INIT, atomic_load(&c.sum)), steps);
    res_u64(r, "tasks", p->tasks);
    if (BK_IS_THREADS && p->workers > 1) { /* the static split: its threads, pinned or not */
        res_u64(r, "split_threads", run.threads);
        res_u64(r, "split_pinned", (uint64_t)run.pinned);
    }
    res_u64(r, "work_units", steps);
    res_u64(r, "wall_ns", run.wall);
    res_u64(r, "cpu_ns", run.cpu);
    res_u64(r, "vol_csw", run.csw.vol);
    res_u64(r, "invol_csw", run.csw.invol);
    res_u64(r, "start_delay_ns", run.start_delay);
    res_f64(r, "units_per_s", run.wall ? (double)steps * 1e9 / (double)run.wall : 0.0);
}

/* M:N workers on coroutines; on threads, the static split (no scheduler). */
static int cb_check(void *params, const wl_check_ctx *c) {
    const cb_params *p = params;
    if (p->no_pin && p->workers < 2)
        return wl_usage(
            "--no-pin: only several workers are pinned; --no-pin needs --workers 2 or more");
    return wl_check_workers(c, offsetof(cb_params, workers), p->workers,
                            BK_MASK(BK_CORO) | BK_MASK(BK_THREADS), NULL);
}

static const opt_spec cb_opts[] = {
    WL_U64(cb_params, tasks, "--tasks", 1, 10000000, 2, "tasks sharing the work"),
    WL_U64(cb_params, total_work, "--total-work", 1, UINT64_C(1000000000000), 200000,
           "work steps in all"),
    WL_U64Z(cb_params, wss, "--wss", 0, UINT64_C(1) << 30, 4096,
            "bytes of working set per task, touched each step"),
    WL_U64Z(cb_params, yield_every, "--yield-every", 0, UINT64_C(1000000000000), 0,
            "yield every K steps, 0 = never"),
    WL_U64Z(cb_params, stack, "--stack", 16384, UINT64_C(1) << 30, 0,
            "stack bytes per task, 0 = the backend's default"),
    WL_U64(cb_params, workers, "--workers", 1, 64, 1,
           "coro: worker threads (1 = M:1, more = M:N); threads: W pinned threads that "
           "run the tasks split statically, back to back, no scheduler (M:N's reference)"),
    WL_FLAG(cb_params, no_pin, "--no-pin",
            "--workers W: leave the W workers' (or split threads') placement to the kernel"),
};
static const wl_result_spec cb_results[] = {
    WL_RES("tasks", "integer", "tasks sharing the work"),
    WL_RES("work_units", "integer", "work steps done in all"),
    WL_RES("wall_ns", "integer", "the whole run"),
    WL_RES("cpu_ns", "integer", "CPU time of the process over the run"),
    WL_RES("vol_csw", "integer", "voluntary context switches of the process (getrusage)"),
    WL_RES("invol_csw", "integer", "involuntary context switches of the process"),
    WL_RES("units_per_s", "number", "work_units / wall time"),
    WL_RES_OPT("start_delay_ns", "integer",
               "from releasing the start event to the last task beginning its work (M:1: "
               "after every earlier task ran)"),
    WL_RES_OPT("split_threads", "integer",
               "--backend threads --workers W: the threads that ran the tasks"),
    WL_RES_OPT("split_pinned", "integer",
               "--backend threads --workers W: 1 when pinned one per CPU"),
};
static const wl_spec cb_spec = {
    .name = "cpubound",
    .summary = "fixed CPU work split over T tasks: oversubscription",
    .opts = cb_opts,
    .nopts = WL_NOPTS(cb_opts),
    .results = cb_results,
    .nresults = WL_NOPTS(cb_results),
    .params_size = sizeof(cb_params),
    .backends = BK_ALL,
    .check = cb_check,
};
WL_REGISTER(cb_spec, cb_workload)
