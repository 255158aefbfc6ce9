/* t_stress.c — scale and stacks: 100,000 coroutines alive at once and joined,
 * deep recursion on a large stack, every size class, and guard pages (every
 * stack has one where the kernel has guard regions; elsewhere stacks past the
 * guard budget are unguarded but counted). */
#include "coro.h"
#include "check.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

/* Whether this kernel's guard regions (MADV_GUARD_INSTALL) really fault,
 * asked independently of the runtime. */
static int kernel_has_guard_regions(void) {
    long ps = sysconf(_SC_PAGESIZE);
    char *p = mmap(NULL, (size_t)ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return 0;
    char byte;
    struct iovec local = {&byte, 1}, remote = {p, 1};
    int yes = madvise(p, (size_t)ps, 102 /* MADV_GUARD_INSTALL */) == 0 &&
              process_vm_readv(getpid(), &local, 1, &remote, 1, 0) < 0 && errno == EFAULT;
    munmap(p, (size_t)ps);
    return yes;
}

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
    /* Far past the mprotect budget (a quarter of vm.max_map_count): only
     * guard regions can give every one of them a guard page. */
    if (kernel_has_guard_regions()) CHECK(st.stacks_guarded == st.stacks_mapped);
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

/* A burst of children that end without suspending, run after their parent
 * blocks (FIFO), as the leaves of a task tree: each takes its stack at its
 * first run, so they share a few recycled stacks instead of one fresh stack
 * each, and the largest tree fits in far less memory. */
static long leaves_ran;
static void leaf(void *arg) {
    leaves_ran += (long)(intptr_t)arg;
}
static void burst_main(void *arg) {
    (void)arg;
    enum { N = 5000 };
    static coro_t *c[N];
    coro_stats st;
    coro_get_stats(&st);
    uint64_t before = st.stacks_mapped;
    for (int i = 0; i < N; i++) CHECK((c[i] = coro_spawn(leaf, (void *)(intptr_t)1)) != NULL);
    coro_get_stats(&st);
    CHECK(st.stacks_mapped == before); /* promised, not yet taken */
    for (int i = 0; i < N; i++) CHECK(coro_join(c[i]) == 0);
    CHECK(leaves_ran == N);
    coro_get_stats(&st);
    CHECK(st.stacks_mapped - before <= 4);
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
    CHECK(coro_run(burst_main, NULL) == 0);
    TEST_END();
}
