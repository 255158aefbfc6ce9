/* skynet.c — the public cross-language benchmark: a task spawns --fanout
 * children, each of which does the same, --depth levels down; leaf i returns
 * i and every task returns the sum of its children's. With the defaults
 * (fanout 10, depth 6) that is 1,111,111 tasks over 1,000,000 leaves, summing
 * to 499999500000.
 *
 * Every task joins its children in order after spawning them all, so on a
 * FIFO scheduler most of the tree is alive at once: skynet measures spawn,
 * join and memory per task together (how much memory a task that has not
 * run yet holds is the runtime's choice: see docs/design.md, "A stack at
 * the first run"). On threads the full tree cannot be held
 * (a thread per task); a spawn that fails ends the run with the error naming
 * the task it stopped at, and the harness runs threads on a smaller tree.
 *
 * Checksum: fnv_u64(fnv_u64(FNV_INIT, sum), tasks), as the peers compute it.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "checksum.h"
#include "sysinfo.h"
#include "workload.h"

typedef struct sk_params {
    uint64_t depth, fanout, stack, workers;
    int stack_mode; /* 0 own stacks, 1 coroutines on a shared stack (copy-stack) */
} sk_params;

typedef struct sk_node {
    uint64_t level, id, sum;
} sk_node;

typedef struct sk_ctx {
    const sk_params *p;
    bk_spawn_cfg cfg;
    _Atomic uint64_t tasks;
    _Atomic int err;          /* the first spawn error, 0 while none */
    _Atomic uint64_t fail_at; /* the task count when it happened */
    uint64_t wall, sum;
} sk_ctx;

static sk_ctx *g_ctx; /* one run at a time; a task's argument is its node */

static void node(void *arg) {
    sk_node *n = arg;
    sk_ctx *c = g_ctx;
    atomic_fetch_add_explicit(&c->tasks, 1, memory_order_relaxed);
    if (n->level == c->p->depth) {
        n->sum = n->id;
        return;
    }
    uint64_t f = c->p->fanout, spawned = 0, sum = 0;
    sk_node *kids = malloc(f * sizeof *kids);
    bk_task **ts = malloc(f * sizeof *ts);
    int err = kids && ts ? 0 : -12;
    for (; !err && spawned < f && !atomic_load_explicit(&c->err, memory_order_relaxed); spawned++) {
        kids[spawned] = (sk_node){n->level + 1, n->id * f + spawned, 0};
        ts[spawned] = bk_spawn(node, &kids[spawned], &c->cfg, &err);
        if (!ts[spawned]) break;
    }
    if (err) {
        int none = 0;
        if (atomic_compare_exchange_strong(&c->err, &none, err))
            atomic_store(&c->fail_at, atomic_load(&c->tasks));
    }
    /* Even after a failure the children that exist run to the end and are joined. */
    for (uint64_t i = 0; i < spawned; i++) {
        bk_join(ts[i]);
        sum += kids[i].sum;
    }
    n->sum = sum;
    free(kids);
    free(ts);
}

static void sk_main(void *arg) {
    sk_ctx *c = arg;
    sk_node root = {0, 0, 0};
    uint64_t t0 = si_now_ns();
    node(&root);
    c->wall = si_now_ns() - t0;
    c->sum = root.sum;
}

static void sk_workload(const void *params, out_sink *out, wl_result *r) {
    const sk_params *p = params;
    (void)out;
    sk_ctx c;
    memset(&c, 0, sizeof c);
    c.p = p;
    c.cfg = (bk_spawn_cfg){p->stack, -1, p->stack_mode};
    g_ctx = &c;
    int rc = bk_run_workers(sk_main, &c, (unsigned)p->workers, 1);
    g_ctx = NULL;
    if (rc != 0) {
        res_fail(r, "%s run failed: %s", BK_NAME, bk_strerror(rc));
        return;
    }
    int err = atomic_load(&c.err);
    if (err) {
        res_fail(r, "%s creation failed after %llu tasks: %s",
                 BK_IS_THREADS ? "thread" : "coroutine",
                 (unsigned long long)atomic_load(&c.fail_at), bk_strerror(err));
        return;
    }
    uint64_t sum = c.sum, tasks = atomic_load(&c.tasks), leaves = 1;
    for (uint64_t i = 0; i < p->depth; i++) leaves *= p->fanout;
    r->checksum = fnv_u64(fnv_u64(FNV_INIT, sum), tasks);
    res_u64(r, "tasks", tasks);
    res_u64(r, "leaves", leaves);
    res_u64(r, "sum", sum);
    res_u64(r, "wall_ns", c.wall);
    res_f64(r, "ns_per_task", tasks ? (double)c.wall / (double)tasks : 0.0);
}

static int sk_check(void *params, const wl_check_ctx *c) {
    const sk_params *p = params;
    double leaves = 1;
    for (uint64_t i = 0; i < p->depth; i++) leaves *= (double)p->fanout;
    if (leaves > 1e8)
        return wl_usage(
            "--depth: --fanout ^ --depth must be at most 100000000 leaves, got %llu ^ %llu",
            (unsigned long long)p->fanout, (unsigned long long)p->depth);
    if (p->stack_mode && c->backend == BK_THREADS)
        return wl_usage("--stack-mode: threads have their own stacks; 'shared' needs --backend "
                        "coro or ucontext");
    if (p->stack_mode && p->workers > 1)
        return wl_usage("--stack-mode: a shared stack belongs to one worker; 'shared' needs "
                        "--workers 1");
    return wl_check_workers(c, offsetof(sk_params, workers), p->workers, BK_MASK(BK_CORO), NULL);
}

static const char *const sk_stack_modes[] = {"own", "shared", NULL};
static const opt_spec sk_opts[] = {
    WL_U64(sk_params, depth, "--depth", 0, 12, 6, "levels below the root (leaves: fanout^depth)"),
    WL_U64(sk_params, fanout, "--fanout", 2, 1000, 10, "children per task"),
    WL_U64Z(sk_params, stack, "--stack", 16384, UINT64_C(1) << 30, 0,
            "stack bytes per task, 0 = the backend's default"),
    WL_U64(sk_params, workers, "--workers", 1, 64, 1, "coro: worker threads (1 = M:1, more = M:N)"),
    WL_ENUM(sk_params, stack_mode, "--stack-mode", sk_stack_modes, 0,
            "coroutines: own stacks, or shared: one stack per worker, copied out at switches"),
};
static const wl_result_spec sk_results[] = {
    WL_RES("tasks", "integer", "tasks that ran: (fanout^(depth+1) - 1) / (fanout - 1)"),
    WL_RES("leaves", "integer", "fanout^depth"),
    WL_RES("sum", "integer", "the root's sum: leaves * (leaves - 1) / 2"),
    WL_RES("wall_ns", "integer", "the whole tree, spawn to the root's return"),
    WL_RES("ns_per_task", "number", "wall_ns / tasks"),
};
static const wl_spec sk_spec = {
    .name = "skynet",
    .summary = "skynet: a tree of tasks, 10 children each, sums coming back up",
    .opts = sk_opts,
    .nopts = WL_NOPTS(sk_opts),
    .results = sk_results,
    .nresults = WL_NOPTS(sk_results),
    .params_size = sizeof(sk_params),
    .backends = BK_ALL,
    .check = sk_check,
};
WL_REGISTER(sk_spec, sk_workload)
