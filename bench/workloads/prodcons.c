/* prodcons.c — P producers, C consumers, one queue of capacity Q, N items,
 * W ns of CPU work per consumed item (the calibrated spin loop; no clock read
 * per item).
 *
 * Items are the ids 1..N; producer j puts j, j+P, j+2P, ... Consumers get until
 * the queue is closed and empty; main joins the producers, then closes the
 * queue and joins the consumers. wall_ns runs from the first spawn to the last
 * join (task creation is part of a producer-consumer program's cost).
 *
 * Checksum: the sum of one hash per consumed id, folded with the count; equal
 * across backends exactly when every item was consumed once.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "checksum.h"
#include "sysinfo.h"
#include "workload.h"

#define PC_TAG 0x5043u

typedef struct pc_params {
    uint64_t producers, consumers, capacity, items, work_ns, workers;
} pc_params;

typedef struct pc_ctx {
    const pc_params *p;
    bk_queue *q;
    uint64_t work_iters;
    _Atomic uint64_t sum, consumed, spin_fold;
    _Atomic int put_err;
} pc_ctx;

typedef struct pc_task {
    pc_ctx *c;
    uint64_t id;
} pc_task;

static void producer(void *arg) {
    pc_task *t = arg;
    pc_ctx *c = t->c;
    for (uint64_t k = t->id; k <= c->p->items; k += c->p->producers) {
        int rc = bk_queue_put(c->q, (void *)(uintptr_t)k);
        if (rc != 0) {
            int zero = 0;
            atomic_compare_exchange_strong(&c->put_err, &zero, rc);
            return;
        }
    }
}

static void consumer(void *arg) {
    pc_task *t = arg;
    pc_ctx *c = t->c;
    uint64_t sum = 0, n = 0, fold = 0;
    void *item;
    while (bk_queue_get(c->q, &item) == 0) {
        if (c->work_iters) fold += si_spin(c->work_iters);
        sum += fnv_item(PC_TAG, (uint64_t)(uintptr_t)item, 0);
        n++;
    }
    atomic_fetch_add(&c->sum, sum);
    atomic_fetch_add(&c->consumed, n);
    atomic_fetch_add(&c->spin_fold, fold);
}

typedef struct pc_run {
    pc_ctx *c;
    wl_result *r;
    uint64_t wall;
} pc_run;

static const char *kind(void) {
    return BK_IS_THREADS ? "thread" : "coroutine";
}

static void pc_main(void *arg) {
    pc_run *run = arg;
    pc_ctx *c = run->c;
    const pc_params *p = c->p;
    uint64_t np = p->producers, nc = p->consumers;
    pc_task *args = calloc(np + nc, sizeof *args);
    bk_task **ts = calloc(np + nc, sizeof *ts);
    c->q = bk_queue_new((size_t)p->capacity);
    if (!args || !ts || !c->q) {
        res_fail(run->r, "out of memory setting up %llu tasks", (unsigned long long)(np + nc));
        goto out;
    }
    uint64_t t0 = si_now_ns();
    uint64_t spawned_c = 0, spawned_p = 0;
    int err = 0;
    for (; spawned_c < nc; spawned_c++) {
        args[spawned_c] = (pc_task){c, spawned_c + 1};
        ts[spawned_c] = bk_spawn(consumer, &args[spawned_c], NULL, &err);
        if (!ts[spawned_c]) break;
    }
    if (spawned_c == nc) {
        for (; spawned_p < np; spawned_p++) {
            args[nc + spawned_p] = (pc_task){c, spawned_p + 1};
            ts[nc + spawned_p] = bk_spawn(producer, &args[nc + spawned_p], NULL, &err);
            if (!ts[nc + spawned_p]) break;
        }
    }
    if (spawned_c < nc || spawned_p < np)
        res_fail(run->r, "%s creation failed at task %llu: %s", kind(),
                 (unsigned long long)(spawned_c + spawned_p), bk_strerror(err ? err : -12));
    for (uint64_t i = 0; i < spawned_p; i++) bk_join(ts[nc + i]);
    bk_queue_close(c->q);
    for (uint64_t i = 0; i < spawned_c; i++) bk_join(ts[i]);
    run->wall = si_now_ns() - t0;
out:
    if (c->q) bk_queue_free(c->q);
    free(args);
    free(ts);
}

static void pc_workload(const void *params, out_sink *out, wl_result *r) {
    const pc_params *p = params;
    (void)out;
    pc_ctx c;
    memset(&c, 0, sizeof c);
    c.p = p;
    c.work_iters = p->work_ns ? si_ns_to_iters(p->work_ns) : 0; /* calibrates once */
    atomic_init(&c.sum, 0);
    atomic_init(&c.consumed, 0);
    atomic_init(&c.spin_fold, 0);
    atomic_init(&c.put_err, 0);
    pc_run run = {&c, r, 0};
    int rc = bk_run_workers(pc_main, &run, (unsigned)p->workers, 1);
    if (rc != 0) {
        res_fail(r, "%s run failed: %s", BK_NAME, bk_strerror(rc));
        return;
    }
    if (atomic_load(&c.put_err))
        res_fail(r, "queue put failed: %s", bk_strerror(atomic_load(&c.put_err)));
    if (!r->ok) return;
    uint64_t n = atomic_load(&c.consumed);
    if (n != p->items) {
        res_fail(r, "consumed %llu items, expected %llu", (unsigned long long)n,
                 (unsigned long long)p->items);
        return;
    }
    r->checksum = fnv_u64(fnv_u64(FNV_INIT, atomic_load(&c.sum)), n);
    res_u64(r, "items", n);
    res_u64(r, "wall_ns", run.wall);
    res_f64(r, "items_per_s", run.wall ? (double)n * 1e9 / (double)run.wall : 0.0);
    res_u64(r, "work_iters_per_item", c.work_iters);
}

/* M:N workers exist only on the coroutine runtime. */
static int pc_check(void *params, const wl_check_ctx *c) {
    const pc_params *p = params;
    return wl_check_workers(c, offsetof(pc_params, workers), p->workers, BK_MASK(BK_CORO), NULL);
}

static const opt_spec pc_opts[] = {
    WL_U64(pc_params, producers, "--producers", 1, 100000, 1, "producer tasks"),
    WL_U64(pc_params, consumers, "--consumers", 1, 100000, 1, "consumer tasks"),
    WL_U64Z(pc_params, capacity, "--capacity", 0, 100000000, 64, "queue capacity, 0 = unbounded"),
    WL_U64(pc_params, items, "--items", 1, UINT64_C(10000000000), 100000, "items put in all"),
    WL_U64Z(pc_params, work_ns, "--work-ns", 0, 100000000, 0,
            "CPU work per consumed item (calibrated spin), ns"),
    WL_U64(pc_params, workers, "--workers", 1, 64, 1, "coro: worker threads (1 = M:1, more = M:N)"),
};
static const wl_result_spec pc_results[] = {
    WL_RES("items", "integer", "items consumed"),
    WL_RES("wall_ns", "integer", "first put .. last item consumed and joined"),
    WL_RES("items_per_s", "number", "items / wall time"),
    WL_RES_OPT("work_iters_per_item", "integer",
               "spin iterations of --work-ns (calibrated; corobench only)"),
};
static const wl_spec pc_spec = {
    .name = "prodcons",
    .summary = "producers and consumers over one queue: items/s",
    .opts = pc_opts,
    .nopts = WL_NOPTS(pc_opts),
    .results = pc_results,
    .nresults = WL_NOPTS(pc_results),
    .params_size = sizeof(pc_params),
    .backends = BK_ALL,
    .check = pc_check,
};
WL_REGISTER(pc_spec, pc_workload)
