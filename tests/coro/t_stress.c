/* t_stress.c — scale and stacks: 100,000 coroutines alive at once and joined,
 * deep recursion on a large stack, every size class, and the guard budget
 * (stacks past it are unguarded but counted). */
#include "coro.h"
#include "check.h"

#include <stdint.h>
#include <stdlib.h>

static int n_alive; /* CORO_TEST_SMALL (valgrind) uses fewer */
static long ran;
static coro_event_t go;

static void waiter(void *arg) {
    coro_event_wait(&go);
    ran += (long)(intptr_t)arg;
}

static void many_main(void *arg) {
    (void)arg;
    coro_event_init(&go);
    coro_t **c = malloc(sizeof *c * (size_t)n_alive);
    for (int i = 0; i < n_alive; i++) {
        c[i] = coro_spawn(waiter, (void *)(intptr_t)1);
        CHECK(c[i] != NULL);
    }
    coro_yield(); /* all of them now wait */
    coro_stats st;
    CHECK(coro_get_stats(&st) == 0);
    CHECK(st.live == (uint64_t)n_alive + 1);
    CHECK(st.stacks_mapped >= (uint64_t)n_alive);
    CHECK(st.stacks_guarded <= st.stacks_mapped);
    coro_event_set(&go);
    for (int i = 0; i < n_alive; i++) CHECK(coro_join(c[i]) == 0);
    free(c);
}

/* Recursion that the compiler cannot flatten: ~200 bytes a frame. */
static long deep(long n, volatile char *prev) {
    volatile char buf[160];
    buf[0] = (char)n;
    buf[159] = prev ? prev[0] : 0;
    if (n == 0) return buf[0];
    return deep(n - 1, buf) + 1 + (buf[159] & 0);
}

static long deep_result;
static void recurse(void *arg) {
    long n = (long)(intptr_t)arg;
    deep_result = deep(n, NULL);
}

static void deep_main(void *arg) {
    (void)arg;
    coro_spawn_opts o;
    coro_spawn_opts_init(&o);
    o.stack_size = 8u << 20; /* 8 MiB: 20,000 frames of ~200 bytes fit */
    coro_t *c = coro_spawn_ex(recurse, (void *)(intptr_t)20000, &o);
    CHECK(c != NULL);
    coro_join(c);
    CHECK(deep_result == 20000);

    /* Every class from the minimum up: the usable size is at least what the
     * class promises (request rounded up to a power of two, less 64 bytes). */
    for (size_t sz = CORO_MIN_STACK; sz <= (16u << 20); sz *= 2) {
        o.stack_size = sz;
        long frames = (long)((sz - 4096) / 400); /* a generous margin per frame */
        c = coro_spawn_ex(recurse, (void *)(intptr_t)frames, &o);
        CHECK(c != NULL);
        coro_join(c);
        CHECK(deep_result == frames);
    }
    o.stack_size = 1; /* below the minimum: rounded up, not refused */
    c = coro_spawn_ex(recurse, (void *)(intptr_t)10, &o);
    CHECK(c != NULL);
    coro_join(c);
    o.stack_size = (size_t)1 << 62; /* absurd: an error, not a crash */
    CHECK(coro_spawn_ex(recurse, NULL, &o) == NULL);
    CHECK(coro_last_error() == CORO_ENOMEM);
}

/* Spawn/join churn: the pool recycles stacks, so few are mapped. */
static void nop(void *arg) {
    (void)arg;
}
static void churn_main(void *arg) {
    (void)arg;
    for (int i = 0; i < 100000; i++) {
        coro_t *c = coro_spawn(nop, NULL);
        CHECK(c != NULL);
        coro_join(c);
    }
    coro_stats st;
    coro_get_stats(&st);
    CHECK(st.spawned == 100001);
    CHECK(st.stacks_mapped < 100); /* one slab */
}

int main(void) {
    /* TSan counts each fiber against its limit of 8128 threads; valgrind is
     * slow: both get fewer coroutines. */
#if defined(__SANITIZE_THREAD__)
    n_alive = 2000;
#else
    n_alive = getenv("CORO_TEST_SMALL") ? 2000 : 100000;
#endif
    CHECK(coro_run(many_main, NULL) == 0);
    CHECK(ran == n_alive);
    CHECK(coro_run(deep_main, NULL) == 0);
    CHECK(coro_run(churn_main, NULL) == 0);
    TEST_END();
}
