/* rg_coro.c — one coroutine operation done a fixed number of times, for
 * instruction counting under callgrind (see README.md).
 *
 * usage: rg_coro rawswitch|yield|spawn|queue|handoff|shared_yield|mn_pingpong <n>
 *   rawswitch  coro_rawctx_switch between two contexts (2n switches counted)
 *   yield      coro_yield between two coroutines, scheduler included (2n yields)
 *   spawn      coro_spawn + run + coro_join of a trivial coroutine, warm pool (n)
 *   queue      coro_queue_put + coro_queue_get on a non-full queue, no switch (n)
 *   handoff    items through a capacity-1 queue, producer to consumer (n items)
 *   shared_yield  coro_yield between two shared-stack coroutines, each with
 *              SHARED_BYTES of locals: a copy out and one back per yield (2n yields)
 *   mn_pingpong  the handoff on two M:N workers: the pair stays on one worker
 *              (runnext, direct queue hand-off), the other parks (n items)
 *
 * Why a separate program and not the benchmarks: it does one fixed thing, takes
 * no time-dependent decision (no calibration, no clock), so the same binary
 * always executes the same instructions and callgrind's count is exact.
 */
#include "rg_common.h"

#include <coro.h>

static const char *prog = "rg_coro";

static void die_coro(const char *what, int err) {
    fprintf(stderr, "%s: %s: %s\n", prog, what, coro_strerror(err));
    exit(1);
}

/* --- rawswitch: the assembly primitive alone ----------------------------- */

static coro_rawctx raw_main, raw_peer;

static void raw_peer_fn(void *arg) {
    (void)arg;
    for (;;) coro_rawctx_switch(&raw_peer, &raw_main);
}

static void op_rawswitch(uint64_t n) {
    size_t size = 64 * 1024;
    void *stack = aligned_alloc(64, size);
    if (!stack) {
        fprintf(stderr, "%s: rawswitch: out of memory for a %zu-byte stack\n", prog, size);
        exit(1);
    }
#if RG_HAVE_CALLGRIND
    unsigned sid = VALGRIND_STACK_REGISTER(stack, (char *)stack + size);
#endif
    coro_rawctx_make(&raw_peer, stack, size, raw_peer_fn, NULL);
    for (int i = 0; i < RG_WARMUP; i++) coro_rawctx_switch(&raw_main, &raw_peer);
    CALLGRIND_TOGGLE_COLLECT;
    for (uint64_t i = 0; i < n; i++) coro_rawctx_switch(&raw_main, &raw_peer);
    CALLGRIND_TOGGLE_COLLECT;
#if RG_HAVE_CALLGRIND
    VALGRIND_STACK_DEREGISTER(sid);
#endif
    free(stack); /* the peer is parked for good: never resumed */
    rg_report("rawswitch", n, 2 * n, "switch");
}

/* --- the scheduler-level operations (inside coro_run) -------------------- */

struct job {
    const char *op;
    uint64_t n;
    volatile int stop;
    coro_queue_t *q;
};

static void yield_peer(void *arg) {
    struct job *j = arg;
    while (!j->stop) coro_yield();
}

static void trivial(void *arg) {
    (void)arg;
}

static void producer(void *arg) {
    struct job *j = arg;
    for (uint64_t i = 0; i < RG_WARMUP + j->n; i++) {
        int rc = coro_queue_put(j->q, (void *)(uintptr_t)(i + 1));
        if (rc != 0) die_coro("handoff: put", rc);
    }
}

static void run_yield(struct job *j) {
    coro_t *peer = coro_spawn(yield_peer, j);
    if (!peer) die_coro("yield: spawn", coro_last_error());
    for (int i = 0; i < RG_WARMUP; i++) coro_yield();
    CALLGRIND_TOGGLE_COLLECT;
    for (uint64_t i = 0; i < j->n; i++) coro_yield();
    CALLGRIND_TOGGLE_COLLECT;
    j->stop = 1;
    int rc = coro_join(peer);
    if (rc != 0) die_coro("yield: join", rc);
}

static void spawn_join_once(void) {
    coro_t *c = coro_spawn(trivial, NULL);
    if (!c) die_coro("spawn", coro_last_error());
    int rc = coro_join(c);
    if (rc != 0) die_coro("spawn: join", rc);
}

static void run_spawn(struct job *j) {
    for (int i = 0; i < RG_WARMUP; i++) spawn_join_once();
    CALLGRIND_TOGGLE_COLLECT;
    for (uint64_t i = 0; i < j->n; i++) spawn_join_once();
    CALLGRIND_TOGGLE_COLLECT;
}

static void put_get_once(coro_queue_t *q, uint64_t i) {
    void *item = NULL;
    int rc = coro_queue_put(q, (void *)(uintptr_t)(i + 1));
    if (rc != 0) die_coro("queue: put", rc);
    rc = coro_queue_get(q, &item);
    if (rc != 0) die_coro("queue: get", rc);
    if ((uintptr_t)item != i + 1) {
        fprintf(stderr, "%s: queue: got item %ju, expected %ju\n", prog, (uintmax_t)(uintptr_t)item,
                (uintmax_t)(i + 1));
        exit(1);
    }
}

static void run_queue(struct job *j) {
    coro_queue_t *q = coro_queue_new(1024);
    if (!q) die_coro("queue: new", CORO_ENOMEM);
    for (int i = 0; i < RG_WARMUP; i++) put_get_once(q, (uint64_t)i);
    CALLGRIND_TOGGLE_COLLECT;
    for (uint64_t i = 0; i < j->n; i++) put_get_once(q, i);
    CALLGRIND_TOGGLE_COLLECT;
    coro_queue_free(q);
}

static void get_expect(struct job *j, uint64_t i) {
    void *item = NULL;
    int rc = coro_queue_get(j->q, &item);
    if (rc != 0) die_coro("handoff: get", rc);
    if ((uintptr_t)item != i + 1) {
        fprintf(stderr, "%s: handoff: got item %ju, expected %ju\n", prog,
                (uintmax_t)(uintptr_t)item, (uintmax_t)(i + 1));
        exit(1);
    }
}

static void run_handoff(struct job *j) {
    j->q = coro_queue_new(1);
    if (!j->q) die_coro("handoff: new", CORO_ENOMEM);
    coro_t *p = coro_spawn(producer, j);
    if (!p) die_coro("handoff: spawn", coro_last_error());
    uint64_t i = 0;
    for (; i < RG_WARMUP; i++) get_expect(j, i);
    CALLGRIND_TOGGLE_COLLECT;
    for (; i < RG_WARMUP + j->n; i++) get_expect(j, i);
    CALLGRIND_TOGGLE_COLLECT;
    int rc = coro_join(p);
    if (rc != 0) die_coro("handoff: join", rc);
    coro_queue_free(j->q);
}

enum { SHARED_BYTES = 256 };

static void shared_peer(void *arg) {
    struct job *j = arg;
    volatile char pad[SHARED_BYTES];
    pad[0] = 1;
    while (!j->stop) coro_yield();
    (void)pad[0];
}

static void shared_timer(void *arg) {
    struct job *j = arg;
    volatile char pad[SHARED_BYTES];
    pad[0] = 1;
    for (int i = 0; i < RG_WARMUP; i++) coro_yield();
    CALLGRIND_TOGGLE_COLLECT;
    for (uint64_t i = 0; i < j->n; i++) coro_yield();
    CALLGRIND_TOGGLE_COLLECT;
    j->stop = 1;
    (void)pad[0];
}

static void run_shared_yield(struct job *j) {
    coro_spawn_opts o;
    coro_spawn_opts_init(&o);
    o.stack_mode = CORO_STACK_SHARED;
    coro_t *a = coro_spawn_ex(shared_timer, j, &o);
    coro_t *b = a ? coro_spawn_ex(shared_peer, j, &o) : NULL;
    if (!a || !b) die_coro("shared_yield: spawn", coro_last_error());
    int rc = coro_join(a); /* main waits: only the pair takes turns */
    if (rc == 0) rc = coro_join(b);
    if (rc != 0) die_coro("shared_yield: join", rc);
}

static void main_coro(void *arg) {
    struct job *j = arg;
    if (strcmp(j->op, "yield") == 0)
        run_yield(j);
    else if (strcmp(j->op, "spawn") == 0)
        run_spawn(j);
    else if (strcmp(j->op, "queue") == 0)
        run_queue(j);
    else if (strcmp(j->op, "shared_yield") == 0)
        run_shared_yield(j);
    else
        run_handoff(j); /* handoff, mn_pingpong */
}

int main(int argc, char **argv) {
    static const char *ops[] = {"rawswitch", "yield",        "spawn",      "queue",
                                "handoff",   "shared_yield", "mn_pingpong"};
    if (argc != 3) {
        fprintf(stderr,
                "usage: %s rawswitch|yield|spawn|queue|handoff|shared_yield|mn_pingpong <n>\n",
                prog);
        return 2;
    }
    int known = 0;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) known |= strcmp(argv[1], ops[i]) == 0;
    if (!known) {
        fprintf(stderr,
                "%s: unknown operation '%s' "
                "(rawswitch|yield|spawn|queue|handoff|shared_yield|mn_pingpong)\n",
                prog, argv[1]);
        return 2;
    }
    uint64_t n = rg_parse_n(prog, argv[2]);
    if (strcmp(argv[1], "rawswitch") == 0) {
        op_rawswitch(n);
        return 0;
    }
    struct job j = {.op = argv[1], .n = n, .stop = 0, .q = NULL};
    coro_run_opts ro;
    coro_run_opts_init(&ro);
    if (strcmp(j.op, "mn_pingpong") == 0) ro.workers = 2;
    int rc = coro_run_ex(main_coro, &j, &ro);
    if (rc != 0) die_coro("coro_run", rc);
    if (strcmp(j.op, "yield") == 0)
        rg_report("yield", n, 2 * n, "yield");
    else if (strcmp(j.op, "spawn") == 0)
        rg_report("spawn", n, n, "spawn+join");
    else if (strcmp(j.op, "queue") == 0)
        rg_report("queue", n, n, "put+get");
    else if (strcmp(j.op, "shared_yield") == 0)
        rg_report("shared_yield", n, 2 * n, "yield");
    else
        rg_report(j.op, n, n, "item");
    return 0;
}
