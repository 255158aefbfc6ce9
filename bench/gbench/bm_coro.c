/* bm_coro.c — corobench's own runtime: the raw switch primitive, coro_yield
 * through the scheduler, spawn + join (warm pool and cold stacks) and the
 * queue hand-off. Compiled once against coro (names "…/coro/…") and once
 * against coro_ucontext (names "…/coro_ucontext/…", BM_CORO_NAME).
 *
 * One iteration is one unit: one switch, one spawn + run + join, one item.
 * Counters taken from coro_get_stats() show what the scheduler really did
 * (switches_per_iter), so a number cannot silently measure something else. */
#include "bm.h"
#include "coro.h"
#include "gb.h"

#include <stdio.h>
#include <stdlib.h>

#ifndef BM_CORO_NAME
#define BM_CORO_NAME "coro"
#endif

/* Builds "<kind>/" BM_CORO_NAME "/<what>" in a static buffer that lives as
 * long as the registration needs it (gb_register copies the name). */
static const char *bm_name(const char *kind, const char *what) {
    static char buf[128];
    snprintf(buf, sizeof buf, "%s/%s/%s", kind, BM_CORO_NAME, what);
    return buf;
}

static void skip_rc(gb_state *s, const char *what, int rc) {
    char msg[128];
    snprintf(msg, sizeof msg, "%s: %s", what, coro_strerror(rc));
    gb_skip(s, msg);
}

/* --- raw switch: the assembly primitive alone ------------------------- */

#define RAW_STACK (64 * 1024)
static coro_rawctx raw_main, raw_other;
typedef void (*raw_switch_fn)(coro_rawctx *from, coro_rawctx *to);

/* Round trips between raw_main and a context parked in `other`, each side
 * switching with sw. Always inlined with a constant sw, so that each case
 * calls its switch directly, as bm_fcontext.c calls jump_fcontext. */
static inline __attribute__((always_inline)) void raw_pingpong(gb_state *s, raw_switch_fn sw,
                                                               void (*other)(void *)) {
    void *stack = aligned_alloc(64, RAW_STACK);
    if (!stack) {
        gb_skip(s, "rawctx: cannot allocate a stack");
        return;
    }
    coro_rawctx_make(&raw_other, stack, RAW_STACK, other, NULL);
    uint64_t n = gb_start(s, 2);
    for (uint64_t i = 0; i < n / 2; i++) sw(&raw_main, &raw_other);
    gb_stop(s);
    free(stack); /* `other` is parked in a switch and never resumed */
}

static void raw_other_main(void *arg) {
    (void)arg;
    for (;;) coro_rawctx_switch(&raw_other, &raw_main);
}

static void bm_rawctx(gb_state *s, void *arg) {
    (void)arg;
    raw_pingpong(s, coro_rawctx_switch, raw_other_main);
}

#ifdef BM_HAVE_FPSTATE
/* The same switch less the floating-point control state it keeps per
 * coroutine: coro__rawctx_switch_nofp, hidden in the runtime (coro/arch/)
 * and there only for this case. Why a whole switch and not those
 * instructions alone in a loop: alone they serialize on each other and cost
 * several times their share, while inside a switch the rest of the work
 * overlaps them. The report sets this case beside switch/coro/rawctx (same
 * processes) where it compares corobench's switch with C++20 coroutines,
 * which keep no such state. */
void coro__rawctx_switch_nofp(coro_rawctx *from, coro_rawctx *to);

static void nofp_other_main(void *arg) {
    (void)arg;
    for (;;) coro__rawctx_switch_nofp(&raw_other, &raw_main);
}

static void bm_rawctx_nofp(gb_state *s, void *arg) {
    (void)arg;
    raw_pingpong(s, coro__rawctx_switch_nofp, nofp_other_main);
}
#endif

/* --- coro_yield between two coroutines, scheduler included ----------- */

typedef struct run_ctx {
    gb_state *s;
    int rc;          /* first coro_* error seen inside coro_run, 0 if none */
    const char *err; /* what failed */
    volatile int stop;
    size_t capacity;
    coro_queue_t *q;
    uint64_t items, got, sum;
} run_ctx;

static void fail(run_ctx *r, const char *what, int rc) {
    if (!r->rc) {
        r->rc = rc ? rc : CORO_EINVAL;
        r->err = what;
    }
}

static uint64_t switches_now(void) {
    coro_stats st;
    return coro_get_stats(&st) == 0 ? st.switches : 0;
}

static void yielder(void *arg) {
    run_ctx *r = arg;
    while (!r->stop) coro_yield();
}

static void yield_main(void *arg) {
    run_ctx *r = arg;
    coro_t *peer = coro_spawn(yielder, r);
    if (!peer) {
        fail(r, "coro_spawn", coro_last_error());
        return;
    }
    coro_yield(); /* let the peer start: from here on every yield is a switch to it */
    uint64_t sw0 = switches_now();
    uint64_t n = gb_start(r->s, 2);
    for (uint64_t i = 0; i < n / 2; i++) coro_yield();
    gb_stop(r->s);
    uint64_t sw = switches_now() - sw0;
    r->stop = 1;
    coro_join(peer);
    gb_counter(r->s, "switches_per_iter", (double)sw, GB_PER_ITER);
}

static void bm_yield(gb_state *s, void *arg) {
    (void)arg;
    run_ctx r = {.s = s};
    int rc = coro_run(yield_main, &r);
    if (r.rc)
        skip_rc(s, r.err, r.rc);
    else if (rc)
        skip_rc(s, "coro_run", rc);
}

/* --- coro_yield between two shared-stack coroutines ------------------- */

/* Each holds `bytes` of locals (plus its frames) on the shared stack when it
 * yields, so every switch copies one out and the other back in (libaco's
 * README tabulates the same against the bytes copied). The counters say what
 * the runtime did: switches_per_iter (through the scheduler's context: two
 * per yield) and bytes_copied_per_iter (frames included). */
typedef struct shared_ctx {
    run_ctx *r;
    size_t bytes;
    int timer; /* this one times the loop */
} shared_ctx;

static void shared_timed_loop(run_ctx *r) {
    coro_stats st0, st1;
    coro_get_stats(&st0);
    uint64_t n = gb_start(r->s, 2);
    for (uint64_t i = 0; i < n / 2; i++) coro_yield();
    gb_stop(r->s);
    coro_get_stats(&st1);
    r->stop = 1;
    gb_counter(r->s, "switches_per_iter", (double)(st1.switches - st0.switches), GB_PER_ITER);
    gb_counter(r->s, "bytes_copied_per_iter", (double)(st1.stack_bytes - st0.stack_bytes),
               GB_PER_ITER);
}

static void shared_yielder(void *arg) {
    shared_ctx *c = arg;
    size_t n = c->bytes;
    volatile char pad[n]; /* in use across every yield */
    for (size_t i = 0; i < n; i++) pad[i] = (char)i;
    coro_yield(); /* both are in their loops before the timing starts */
    if (c->timer)
        shared_timed_loop(c->r);
    else
        while (!c->r->stop) coro_yield();
    if (pad[n - 1] != (char)(n - 1)) fail(c->r, "shared stack: locals lost", CORO_EINVAL);
}

static void shared_main(void *arg) {
    shared_ctx *c = arg; /* c[0] times, c[1] is its peer */
    coro_spawn_opts o;
    coro_spawn_opts_init(&o);
    o.stack_mode = CORO_STACK_SHARED;
    coro_t *a = coro_spawn_ex(shared_yielder, &c[0], &o);
    coro_t *b = a ? coro_spawn_ex(shared_yielder, &c[1], &o) : NULL;
    if (!a || !b) {
        fail(c->r, "coro_spawn_ex (shared)", coro_last_error());
        c->r->stop = 1;
        if (a) coro_join(a);
        return;
    }
    coro_join(a); /* main waits: only the pair takes turns */
    coro_join(b);
}

static void bm_shared_yield(gb_state *s, void *arg) {
    run_ctx r = {.s = s};
    size_t bytes = *(const size_t *)arg;
    shared_ctx c[2] = {{&r, bytes, 1}, {&r, bytes, 0}};
    int rc = coro_run(shared_main, c);
    if (r.rc)
        skip_rc(s, r.err, r.rc);
    else if (rc)
        skip_rc(s, "coro_run", rc);
}

static const size_t shared_sizes[] = {8, 64, 256, 1024, 2048, 4096, 8192};

/* --- spawn + run + join ---------------------------------------------- */

static void nop(void *arg) {
    (void)arg;
}

/* Warm: one scheduler, the pool already holds a stack, each iteration takes
 * it, runs the coroutine to its end (two switches) and gives it back. */
static void warm_main(void *arg) {
    run_ctx *r = arg;
    coro_t *c = coro_spawn(nop, NULL);
    if (!c || coro_join(c) != 0) {
        fail(r, "coro_spawn (warm-up)", coro_last_error());
        return;
    }
    uint64_t n = gb_start(r->s, 1);
    for (uint64_t i = 0; i < n; i++) {
        c = coro_spawn(nop, NULL);
        if (!c) {
            fail(r, "coro_spawn", coro_last_error());
            break;
        }
        coro_join(c);
    }
    gb_stop(r->s);
}

static void bm_spawn_warm(gb_state *s, void *arg) {
    (void)arg;
    run_ctx r = {.s = s};
    int rc = coro_run(warm_main, &r);
    if (r.rc)
        skip_rc(s, r.err, r.rc);
    else if (rc)
        skip_rc(s, "coro_run", rc);
}

/* Cold: a fresh coro_run per batch of COLD_BATCH coroutines alive at once,
 * so every stack comes from a newly mmap'd slab (guard page, first-touch
 * page faults) and is unmapped when the run ends. Each yields once: a
 * coroutine that ended without suspending would hand its stack to the next
 * one's first run (a stack is taken at the first run, coro.h), and the
 * batch would fault in two stacks, not all of them. The cost of coro_run
 * itself is spread over the batch. */
#define COLD_BATCH 256

static void yield_once(void *arg) {
    (void)arg;
    coro_yield();
}

static void cold_main(void *arg) {
    run_ctx *r = arg;
    coro_t *cs[COLD_BATCH];
    int k = 0;
    for (; k < COLD_BATCH; k++) {
        cs[k] = coro_spawn(yield_once, NULL);
        if (!cs[k]) {
            fail(r, "coro_spawn (cold)", coro_last_error());
            break;
        }
    }
    for (int i = 0; i < k; i++) coro_join(cs[i]);
}

static void bm_spawn_cold(gb_state *s, void *arg) {
    (void)arg;
    run_ctx r = {.s = s};
    uint64_t n = gb_start(s, COLD_BATCH);
    for (uint64_t b = 0; b < n / COLD_BATCH && !r.rc; b++) {
        int rc = coro_run(cold_main, &r);
        if (rc && !r.rc) fail(&r, "coro_run (cold)", rc);
    }
    gb_stop(s);
    if (r.rc) skip_rc(s, r.err, r.rc);
}

/* --- queue hand-off: one producer, one consumer ----------------------- */

static void producer(void *arg) {
    run_ctx *r = arg;
    for (uint64_t i = 1; i <= r->items; i++) {
        int rc = coro_queue_put(r->q, (void *)(uintptr_t)i);
        if (rc) {
            fail(r, "coro_queue_put", rc);
            break;
        }
    }
    coro_queue_close(r->q);
}

static void consumer(void *arg) {
    run_ctx *r = arg;
    void *item;
    while (coro_queue_get(r->q, &item) == 0) {
        r->got++;
        r->sum += (uintptr_t)item;
    }
}

static void queue_main(void *arg) {
    run_ctx *r = arg;
    r->q = coro_queue_new(r->capacity);
    if (!r->q) {
        fail(r, "coro_queue_new", CORO_ENOMEM);
        return;
    }
    uint64_t sw0 = switches_now();
    r->items = gb_start(r->s, 1);
    coro_t *p = coro_spawn(producer, r);
    coro_t *c = coro_spawn(consumer, r);
    if (!p || !c) {
        fail(r, "coro_spawn", coro_last_error());
        coro_queue_close(r->q);
    }
    if (p) coro_join(p);
    if (c) coro_join(c);
    gb_stop(r->s);
    uint64_t sw = switches_now() - sw0;
    coro_queue_free(r->q);
    uint64_t n = r->items;
    if (!r->rc && (r->got != n || r->sum != n * (n + 1) / 2))
        fail(r, "queue lost or duplicated items", CORO_EINVAL);
    gb_set_items_processed(r->s, n);
    gb_counter(r->s, "switches_per_iter", (double)sw, GB_PER_ITER);
}

static void bm_queue(gb_state *s, void *arg) {
    run_ctx r = {.s = s, .capacity = *(const size_t *)arg};
    int rc = coro_run(queue_main, &r);
    if (r.rc)
        skip_rc(s, r.err, r.rc);
    else if (rc)
        skip_rc(s, "coro_run", rc);
}

static const size_t cap1 = 1, cap1024 = 1024;

void bm_register_coro_switch(void) {
    gb_register(bm_name("switch", "rawctx"), bm_rawctx, NULL, NULL);
#ifdef BM_HAVE_FPSTATE
    gb_register(bm_name("switch", "rawctx_nofp"), bm_rawctx_nofp, NULL, NULL);
#endif
    gb_register(bm_name("switch", "yield"), bm_yield, NULL, NULL);
    for (size_t i = 0; i < sizeof shared_sizes / sizeof *shared_sizes; i++) {
        char what[48];
        snprintf(what, sizeof what, "shared_yield:%zu", shared_sizes[i]);
        gb_register(bm_name("switch", what), bm_shared_yield, (void *)&shared_sizes[i], NULL);
    }
}

void bm_register_coro_spawn(void) {
    gb_register(bm_name("spawn_join", "warm"), bm_spawn_warm, NULL, NULL);
    gb_register(bm_name("spawn_join", "cold"), bm_spawn_cold, NULL, NULL);
}

void bm_register_coro_queue(void) {
    gb_register(bm_name("queue", "cap:1"), bm_queue, (void *)&cap1, NULL);
    gb_register(bm_name("queue", "cap:1024"), bm_queue, (void *)&cap1024, NULL);
}
