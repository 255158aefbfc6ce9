/* switch.c — two tasks hand control back and forth, n times each (2n
 * hand-offs): the cost of a context switch.
 *
 * Coroutines: a shared turn word and coro_yield (the only other ready task is
 * the partner, so each yield is one switch). Threads: the same turn word,
 * waited on with a Linux futex (--mech futex) or a mutex + condition variable
 * (--mech condvar); --pin same puts both threads on the first CPU the process
 * may use, split on the first two, none leaves them to the scheduler. On
 * coroutines --pin same/split pins the one scheduler thread to the first CPU
 * (the coroutines share it anyway).
 *
 * Checksum: FNV-1a over the sequence of (task, iteration) hand-offs, which
 * strict alternation makes identical on every backend.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "backend.h"
#include "checksum.h"
#include "sysinfo.h"
#include "thr.h"
#include "workload.h"

enum sw_mech { SW_MECH_YIELD, SW_MECH_FUTEX, SW_MECH_CONDVAR };

typedef struct sw_params {
    uint64_t n;
    int pin, mech;
} sw_params;

typedef struct sw_ctx {
    const sw_params *p;
    _Atomic int turn;  /* whose move: 0 or 1 (yield and condvar) */
    thr_turn_t fturn;  /* the same, for --mech futex (threads/thr.h) */
    _Atomic int ready; /* players that have started */
    _Atomic int done;  /* players that have finished */
    uint64_t t0, t1;   /* the timed region: both started .. last one done */
    si_csw s0, s1;
    uint64_t seq; /* only the task holding the turn touches it */
    pthread_mutex_t mu;
    pthread_cond_t cv;
} sw_ctx;

typedef struct sw_task {
    sw_ctx *c;
    int me;
} sw_task;

/* One word per hand-off, (iteration, task), folded in order: the chain runs
 * inside the timed loop, so it must cost little beside a switch (fnv_word). */
static void record(sw_ctx *c, int me, uint64_t i) {
    c->seq = fnv_word(c->seq, i << 1 | (uint64_t)me);
}

#if BK_IS_THREADS
static void pass_futex(sw_ctx *c, int me, uint64_t i) {
    thr_turn_wait(&c->fturn, me);
    record(c, me, i);
    thr_turn_pass(&c->fturn, !me);
}

static void pass_condvar(sw_ctx *c, int me, uint64_t i) {
    pthread_mutex_lock(&c->mu);
    while (atomic_load_explicit(&c->turn, memory_order_relaxed) != me)
        pthread_cond_wait(&c->cv, &c->mu);
    record(c, me, i);
    atomic_store_explicit(&c->turn, !me, memory_order_relaxed);
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
}
#endif

/* Both players start before the clock does, so that the time of spawning
 * (and of coro_run setting up) stays out of the per-switch figure. */
static void start_line(sw_ctx *c, int me) {
    atomic_fetch_add(&c->ready, 1);
    while (atomic_load(&c->ready) < 2) bk_yield();
    if (me == 0) {
        c->s0 = si_csw_now();
        c->t0 = si_now_ns();
    }
}

static void finish_line(sw_ctx *c) {
    if (atomic_fetch_add(&c->done, 1) == 1) {
        c->t1 = si_now_ns();
        c->s1 = si_csw_now();
    }
}

static void player(void *arg) {
    sw_task *t = arg;
    sw_ctx *c = t->c;
    uint64_t n = c->p->n;
    start_line(c, t->me);
#if BK_IS_THREADS
    if (c->p->mech == SW_MECH_CONDVAR)
        for (uint64_t i = 0; i < n; i++) pass_condvar(c, t->me, i);
    else
        for (uint64_t i = 0; i < n; i++) pass_futex(c, t->me, i);
#else
    for (uint64_t i = 0; i < n; i++) {
        while (atomic_load_explicit(&c->turn, memory_order_relaxed) != t->me) bk_yield();
        record(c, t->me, i);
        atomic_store_explicit(&c->turn, !t->me, memory_order_relaxed);
        bk_yield();
    }
#endif
    finish_line(c);
}

typedef struct sw_run {
    sw_ctx *c;
    int err;
} sw_run;

static void sw_main(void *arg) {
    sw_run *run = arg;
    sw_ctx *c = run->c;
    sw_task a = {c, 0}, b = {c, 1};
    bk_spawn_cfg ca = {0, -1, 0}, cb = {0, -1, 0};
    if (c->p->pin == WL_PIN_SAME) ca.cpu = cb.cpu = si_cpu_nth(0);
    if (c->p->pin == WL_PIN_SPLIT) ca.cpu = si_cpu_nth(0), cb.cpu = si_cpu_nth(1);
    int err = 0;
    bk_task *ta = bk_spawn(player, &a, &ca, &err);
    if (!ta) {
        run->err = err ? err : -12;
        return;
    }
    bk_task *tb = bk_spawn(player, &b, &cb, &err);
    if (!tb) {
        /* a waits for a partner that never came: play b's side here. */
        run->err = err ? err : -12;
        player(&b);
    }
    bk_join(ta);
    if (tb) bk_join(tb);
}

static void sw_workload(const void *params, out_sink *out, wl_result *r) {
    const sw_params *p = params;
    (void)out;
    if (p->pin == WL_PIN_SPLIT && si_cpu_nth(1) < 0) {
        res_fail(r, "--pin split needs 2 CPUs, this process may use 1");
        return;
    }
    sw_ctx c;
    memset(&c, 0, sizeof c);
    c.p = p;
    atomic_init(&c.turn, 0);
    thr_turn_init(&c.fturn, 0);
    c.seq = FNV_INIT;
    pthread_mutex_init(&c.mu, NULL);
    pthread_cond_init(&c.cv, NULL);
    sw_run run = {&c, 0};
    int pinned = 0;
    if (!BK_IS_THREADS && p->pin != WL_PIN_NONE) pinned = si_pin_self(si_cpu_nth(0)) == 0;

    atomic_init(&c.ready, 0);
    atomic_init(&c.done, 0);
    int rc = bk_run(sw_main, &run);

    if (pinned) si_unpin_self();
    pthread_mutex_destroy(&c.mu);
    pthread_cond_destroy(&c.cv);
    if (rc != 0) {
        res_fail(r, "%s run failed: %s", BK_NAME, bk_strerror(rc));
        return;
    }
    if (run.err) {
        res_fail(r, "%s creation failed: %s", BK_IS_THREADS ? "thread" : "coroutine",
                 bk_strerror(run.err));
        return;
    }
    uint64_t switches = 2 * p->n, wall = c.t1 - c.t0;
    r->checksum = fnv_u64(c.seq, switches);
    res_u64(r, "switches", switches);
    res_u64(r, "wall_ns", wall);
    res_f64(r, "ns_per_switch", (double)wall / (double)switches);
    res_u64(r, "vol_csw", c.s1.vol - c.s0.vol);
    res_u64(r, "invol_csw", c.s1.invol - c.s0.invol);
}

static const char *const sw_mechs[] = {"yield", "futex", "condvar", NULL};

/* Threads wait with futex or condvar (never yield); coroutines always yield,
 * so --mech is theirs only to leave at its default. */
static int sw_check(void *params, const wl_check_ctx *c) {
    sw_params *p = params;
    if (c->backend == BK_THREADS) {
        if (p->mech == SW_MECH_YIELD)
            return wl_usage(
                "--mech: expected futex or condvar with --backend threads, got 'yield'");
        return 0;
    }
    if (wl_given(c, offsetof(sw_params, mech)) && p->mech != SW_MECH_YIELD)
        return wl_usage("--mech: coroutines always yield; futex and condvar need --backend "
                        "threads, got '%s'",
                        sw_mechs[p->mech]);
    p->mech = SW_MECH_YIELD;
    return 0;
}

static const opt_spec sw_opts[] = {
    WL_U64(sw_params, n, "--n", 1, UINT64_C(10000000000), 20000,
           "hand-offs per task (2n switches in all)"),
    WL_ENUM(sw_params, pin, "--pin", wl_pin_names, 1, "none | same (one CPU) | split (two CPUs)"),
    WL_ENUM(sw_params, mech, "--mech", sw_mechs, 1,
            "threads: futex | condvar (coroutines always yield)"),
};
static const wl_result_spec sw_results[] = {
    WL_RES("switches", "integer", "hand-offs in all (2n)"),
    WL_RES("wall_ns", "integer", "both players started .. the last one done"),
    WL_RES("ns_per_switch", "number", "wall_ns / switches"),
    WL_RES("vol_csw", "integer", "voluntary context switches of the process (getrusage)"),
    WL_RES("invol_csw", "integer", "involuntary context switches of the process"),
};
static const wl_spec sw_spec = {
    .name = "switch",
    .summary = "two tasks hand control back and forth: context-switch cost",
    .opts = sw_opts,
    .nopts = WL_NOPTS(sw_opts),
    .results = sw_results,
    .nresults = WL_NOPTS(sw_results),
    .params_size = sizeof(sw_params),
    .backends = BK_ALL,
    .check = sw_check,
};
WL_REGISTER(sw_spec, sw_workload)
