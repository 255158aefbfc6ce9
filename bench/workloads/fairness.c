/* fairness.c — a ticker that wants to run every --period-us beside --tasks K
 * CPU-bound tasks: what preemption buys (the article's "coroutines can't be
 * compute intensive").
 *
 * Each CPU task does --duration-ms of calibrated spin work in chunks of
 * --yield-us, yielding after each chunk (--yield-us 0: one chunk, never
 * yields). The ticker sleeps until its next deadline and records how late it
 * woke; deadlines it slept through entirely are counted as missed_ticks (the
 * next deadline is the first one in the future). The ticker runs at least
 * --duration-ms and until every CPU task has ended, so a run always ends:
 * with coroutines that never yield, the ticker starves until the CPU tasks
 * finish, and that starvation is the measured result.
 *
 * Checksum: the sum over CPU tasks of hash(task id, chunks done), folded with
 * K; the ticker's timing is the measurement, not the work, so it is excluded.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "checksum.h"
#include "sysinfo.h"
#include "workload.h"

#define FA_TAG 0x4641u

typedef struct fa_params {
    uint64_t tasks, period_us, yield_us, duration_ms;
} fa_params;

typedef struct fa_ctx {
    const fa_params *p;
    uint64_t chunks, chunk_iters;
    _Atomic int stop;
    _Atomic uint64_t sum, fold;
    /* the ticker's own data */
    uint64_t *late;
    size_t nlate, cap;
    uint64_t ticks, missed, start_ns, end_ns;
    int dropped;
} fa_ctx;

static fa_ctx *g_ctx; /* one run at a time; a CPU task's argument is its id */

static void cpu_task(void *arg) {
    fa_ctx *c = g_ctx;
    uint64_t id = (uint64_t)(uintptr_t)arg, fold = 0, done = 0;
    for (uint64_t i = 0; i < c->chunks; i++) {
        fold += si_spin(c->chunk_iters);
        done++;
        if (c->p->yield_us) bk_yield();
    }
    atomic_fetch_add(&c->fold, fold);
    atomic_fetch_add(&c->sum, fnv_item(FA_TAG, id, done));
}

static void record(fa_ctx *c, uint64_t late) {
    c->ticks++;
    if (c->nlate == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 1024;
        uint64_t *nl = realloc(c->late, cap * sizeof *nl);
        if (!nl) {
            c->dropped = 1;
            return;
        }
        c->late = nl;
        c->cap = cap;
    }
    c->late[c->nlate++] = late;
}

static void ticker(void *arg) {
    fa_ctx *c = arg;
    uint64_t period = c->p->period_us * 1000;
    /* Deadlines count from the start of the run, not from when this task first
     * ran: a ticker that starts late is late. */
    uint64_t next = c->start_ns + period;
    for (;;) {
        uint64_t now = si_now_ns();
        if (now >= next) {
            record(c, now - next);
            next += period;
            if (next <= now) {
                uint64_t skip = (now - next) / period + 1;
                c->missed += skip;
                next += skip * period;
            }
        }
        if (atomic_load(&c->stop) && now >= c->end_ns) break;
        bk_sleep_ns(next - now);
    }
}

typedef struct fa_run {
    fa_ctx *c;
    wl_result *r;
    uint64_t wall;
} fa_run;

static void fa_main(void *arg) {
    fa_run *run = arg;
    fa_ctx *c = run->c;
    uint64_t K = c->p->tasks;
    bk_task **ts = malloc((K + 1) * sizeof *ts);
    if (!ts) {
        res_fail(run->r, "out of memory for %llu task handles", (unsigned long long)K);
        return;
    }
    uint64_t t0 = si_now_ns();
    c->start_ns = t0;
    c->end_ns = t0 + c->p->duration_ms * 1000000;
    int err = 0;
    bk_task *tt = bk_spawn(ticker, c, NULL, &err);
    uint64_t spawned = 0;
    if (tt) {
        for (; spawned < K; spawned++) {
            ts[spawned] = bk_spawn(cpu_task, (void *)(uintptr_t)spawned, NULL, &err);
            if (!ts[spawned]) break;
        }
    }
    if (!tt || spawned < K)
        res_fail(run->r, "%s creation failed at task %llu: %s",
                 BK_IS_THREADS ? "thread" : "coroutine", (unsigned long long)spawned + !!tt,
                 bk_strerror(err ? err : -12));
    for (uint64_t i = 0; i < spawned; i++) bk_join(ts[i]);
    atomic_store(&c->stop, 1);
    if (tt) bk_join(tt);
    run->wall = si_now_ns() - t0;
    free(ts);
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted array. */
static uint64_t pct(const uint64_t *v, size_t n, unsigned q) {
    size_t rank = (n * q + 99) / 100;
    return v[rank ? rank - 1 : 0];
}

static void fa_workload(const void *params, out_sink *out, wl_result *r) {
    const fa_params *p = params;
    (void)out;
    fa_ctx c;
    memset(&c, 0, sizeof c);
    c.p = p;
    uint64_t dur_us = p->duration_ms * 1000;
    if (p->yield_us) {
        c.chunks = dur_us / p->yield_us ? dur_us / p->yield_us : 1;
        c.chunk_iters = si_ns_to_iters(p->yield_us * 1000);
    } else {
        c.chunks = 1;
        c.chunk_iters = si_ns_to_iters(dur_us * 1000);
    }
    atomic_init(&c.stop, 0);
    atomic_init(&c.sum, 0);
    atomic_init(&c.fold, 0);
    g_ctx = &c;
    fa_run run = {&c, r, 0};
    int rc = bk_run(fa_main, &run);
    g_ctx = NULL;
    if (rc != 0) res_fail(r, "%s run failed: %s", BK_NAME, bk_strerror(rc));
    if (!r->ok) {
        free(c.late);
        return;
    }
    r->checksum = fnv_u64(fnv_u64(FNV_INIT, atomic_load(&c.sum)), p->tasks);
    res_u64(r, "ticks", c.ticks);
    res_u64(r, "missed_ticks", c.missed);
    if (c.nlate) {
        qsort(c.late, c.nlate, sizeof *c.late, cmp_u64);
        res_u64(r, "late_p50_ns", pct(c.late, c.nlate, 50));
        res_u64(r, "late_p99_ns", pct(c.late, c.nlate, 99));
        res_u64(r, "late_max_ns", c.late[c.nlate - 1]);
    } else {
        res_null(r, "late_p50_ns");
        res_null(r, "late_p99_ns");
        res_null(r, "late_max_ns");
    }
    res_u64(r, "wall_ns", run.wall);
    res_u64(r, "chunks_per_task", c.chunks);
    res_u64(r, "samples_dropped", (uint64_t)c.dropped);
    free(c.late);
}

static int fa_check(void *params, const wl_check_ctx *c) {
    const fa_params *p = params;
    (void)c;
    if (p->tasks * p->duration_ms > 600000)
        return wl_usage("--duration-ms: --tasks x --duration-ms must be at most 600000 "
                        "(10 minutes of CPU work), got %llu x %llu",
                        (unsigned long long)p->tasks, (unsigned long long)p->duration_ms);
    return 0;
}

static const opt_spec fa_opts[] = {
    WL_U64Z(fa_params, tasks, "--tasks", 0, 10000, 2, "CPU-bound tasks beside the ticker"),
    WL_U64(fa_params, period_us, "--period-us", 1, 1000000, 1000, "the ticker's period, us"),
    WL_U64Z(fa_params, yield_us, "--yield-us", 0, 1000000, 100,
            "CPU work between yields, us; 0 = never yield"),
    WL_U64(fa_params, duration_ms, "--duration-ms", 1, 60000, 50,
           "CPU work per task, ms (the ticker runs at least this long)"),
};
static const wl_result_spec fa_results[] = {
    WL_RES("ticks", "integer", "deadlines the ticker woke for"),
    WL_RES("missed_ticks", "integer", "deadlines it slept through entirely"),
    WL_RES("late_p50_ns", "integer|null", "median lateness of a tick, null without ticks"),
    WL_RES("late_p99_ns", "integer|null", "99th percentile lateness, null without ticks"),
    WL_RES("late_max_ns", "integer|null", "largest lateness, null without ticks"),
    WL_RES("wall_ns", "integer", "the whole run"),
    WL_RES("chunks_per_task", "integer", "chunks of --yield-us work per CPU task"),
    WL_RES("samples_dropped", "integer", "1 when lateness samples were lost (out of memory)"),
};
static const wl_spec fa_spec = {
    .name = "fairness",
    .summary = "ticker lateness beside CPU-bound tasks: what preemption buys",
    .opts = fa_opts,
    .nopts = WL_NOPTS(fa_opts),
    .results = fa_results,
    .nresults = WL_NOPTS(fa_results),
    .params_size = sizeof(fa_params),
    .backends = BK_ALL,
    .check = fa_check,
};
WL_REGISTER(fa_spec, fa_workload)
