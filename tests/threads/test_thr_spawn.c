/* test_thr_spawn.c — thr_spawn/thr_join: many threads, stack sizes honoured,
 * CPU pinning, and bad arguments returned as codes rather than crashes.
 */
#include "tcheck.h"
#include "thr.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif

/* --- many threads ------------------------------------------------------ */

static atomic_int ran;

static void count_fn(void *arg) {
    (void)arg;
    atomic_fetch_add(&ran, 1);
}

/* Blocks until the gate event is set, so that all threads are alive at once. */
static void gated_fn(void *arg) {
    thr_event_wait(arg);
    atomic_fetch_add(&ran, 1);
}

static void test_many(void) {
    enum { ALIVE = 200, SERIAL = 1000 };
    thr_t *t[ALIVE];
    thr_event_t *gate = thr_event_new();
    CHECK(gate != NULL);
    thr_spawn_opts o;
    thr_spawn_opts_init(&o);
    o.stack_size = 128 * 1024;
    atomic_store(&ran, 0);
    for (int i = 0; i < ALIVE; i++) {
        int err = 1;
        t[i] = thr_spawn_ex(gated_fn, gate, &o, &err);
        CHECK(t[i] != NULL);
        CHECK_EQ(err, THR_OK);
    }
    CHECK_EQ(atomic_load(&ran), 0); /* nobody passed the gate yet */
    thr_event_set(gate);
    for (int i = 0; i < ALIVE; i++)
        if (t[i]) CHECK_EQ(thr_join(t[i]), THR_OK);
    CHECK_EQ(atomic_load(&ran), ALIVE);
    thr_event_free(gate);

    /* Spawn/join in small batches, with the default stack. */
    atomic_store(&ran, 0);
    for (int i = 0; i < SERIAL; i += 8) {
        thr_t *b[8];
        for (int j = 0; j < 8; j++) {
            b[j] = thr_spawn(count_fn, NULL, NULL);
            CHECK(b[j] != NULL);
        }
        for (int j = 0; j < 8; j++)
            if (b[j]) CHECK_EQ(thr_join(b[j]), THR_OK);
    }
    CHECK_EQ(atomic_load(&ran), SERIAL);
}

/* --- stack size -------------------------------------------------------- */

struct stack_probe {
    size_t size;  /* as pthread_getattr_np reports it from inside */
    int local_in; /* a local variable lies inside the reported stack */
    int attr_ok;
};

static void stack_fn(void *arg) {
    struct stack_probe *p = arg;
    pthread_attr_t a;
    int local = 0;
    if (pthread_getattr_np(pthread_self(), &a) != 0) return;
    void *addr;
    size_t size;
    if (pthread_attr_getstack(&a, &addr, &size) == 0) {
        p->size = size;
        uintptr_t lo = (uintptr_t)addr, at = (uintptr_t)&local;
        p->local_in = at >= lo && at < lo + size;
        p->attr_ok = 1;
    }
    pthread_attr_destroy(&a);
}

static void test_stack_size(void) {
    const size_t min = (size_t)PTHREAD_STACK_MIN;
    const size_t asks[] = {1, min, 64 * 1024, 1024 * 1024, 16 * 1024 * 1024};
    for (size_t i = 0; i < sizeof asks / sizeof asks[0]; i++) {
        struct stack_probe p = {0, 0, 0};
        thr_spawn_opts o;
        thr_spawn_opts_init(&o);
        o.stack_size = asks[i];
        int err;
        thr_t *t = thr_spawn_ex(stack_fn, &p, &o, &err);
        CHECK(t != NULL);
        if (!t) {
            fprintf(stderr, "  spawn with stack %zu: %s\n", asks[i], thr_strerror(err));
            continue;
        }
        CHECK_EQ(thr_join(t), THR_OK);
        CHECK(p.attr_ok);
        CHECK(p.local_in);
        size_t want = asks[i] < min ? min : asks[i];
        /* At least what was asked (rounded up to the minimum), and not some
         * unrelated default: within a page-rounding margin of it (TSan enforces
         * its own minimum, so there only the lower bound holds). */
        size_t slack = 64 * 1024;
#ifdef UNDER_TSAN
        slack = SIZE_MAX - want; /* TSan's pthread_create raises small stacks (~900 KiB) */
#endif
        if (p.size < want || p.size - want > slack) {
            fprintf(stderr, "FAIL stack asked %zu, got %zu\n", asks[i], p.size);
            atomic_fetch_add(&tcheck_failures, 1);
        }
    }
}

/* --- pinning ----------------------------------------------------------- */

struct pin_probe {
    int cpu_seen; /* sched_getcpu() right at the start */
    int only_cpu; /* the affinity mask is exactly the pinned CPU */
    int repin_to; /* -1, or a CPU to move to with thr_pin_self */
    int repin_rc;
    int cpu_after;
};

static void pin_fn(void *arg) {
    struct pin_probe *p = arg;
    p->cpu_seen = sched_getcpu();
    cpu_set_t set;
    CPU_ZERO(&set);
    if (pthread_getaffinity_np(pthread_self(), sizeof set, &set) == 0)
        p->only_cpu = CPU_COUNT(&set) == 1 && p->cpu_seen >= 0 && CPU_ISSET(p->cpu_seen, &set);
    if (p->repin_to >= 0) {
        p->repin_rc = thr_pin_self(p->repin_to);
        p->cpu_after = sched_getcpu();
    }
}

static void test_pinning(void) {
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    CHECK(sched_getaffinity(0, sizeof allowed, &allowed) == 0);
    int cpus[CPU_SETSIZE], n = 0;
    for (int c = 0; c < CPU_SETSIZE && n < 8; c++)
        if (CPU_ISSET(c, &allowed)) cpus[n++] = c;
    CHECK(n >= 1);
    for (int i = 0; i < n; i++) {
        struct pin_probe p = {-1, 0, cpus[(i + 1) % n], 1, -1};
        thr_spawn_opts o;
        thr_spawn_opts_init(&o);
        o.cpu = cpus[i];
        int err;
        thr_t *t = thr_spawn_ex(pin_fn, &p, &o, &err);
        CHECK(t != NULL);
        if (!t) continue;
        CHECK_EQ(thr_join(t), THR_OK);
        CHECK_EQ(p.cpu_seen, cpus[i]);
        CHECK(p.only_cpu);
        CHECK_EQ(p.repin_rc, THR_OK);
        CHECK_EQ(p.cpu_after, cpus[(i + 1) % n]);
    }
    /* A CPU this process may not use: an error code, no thread, no crash. */
    int absent = -1;
    for (int c = CPU_SETSIZE - 1; c >= 0; c--)
        if (!CPU_ISSET(c, &allowed)) {
            absent = c;
            break;
        }
    if (absent >= 0) {
        struct pin_probe p = {-1, 0, -1, 0, -1};
        thr_spawn_opts o;
        thr_spawn_opts_init(&o);
        o.cpu = absent;
        int err = 0;
        thr_t *t = thr_spawn_ex(pin_fn, &p, &o, &err);
        CHECK(t == NULL);
        CHECK(err < 0);
        if (t) thr_join(t);
        CHECK(thr_pin_self(absent) < 0);
    }
}

/* --- bad arguments ----------------------------------------------------- */

static void test_bad_args(void) {
    int err = 0;
    CHECK(thr_spawn(NULL, NULL, &err) == NULL);
    CHECK_EQ(err, THR_EINVAL);
    CHECK(thr_spawn(NULL, NULL, NULL) == NULL); /* err may be NULL */

    thr_spawn_opts o;
    thr_spawn_opts_init(&o);
    CHECK_EQ(o.stack_size, 0);
    CHECK_EQ(o.cpu, -1);
    o.cpu = -2;
    err = 0;
    CHECK(thr_spawn_ex(count_fn, NULL, &o, &err) == NULL);
    CHECK_EQ(err, THR_EINVAL);
    o.cpu = CPU_SETSIZE;
    err = 0;
    CHECK(thr_spawn_ex(count_fn, NULL, &o, &err) == NULL);
    CHECK_EQ(err, THR_EINVAL);

    /* Stacks no machine can map: rounding overflow, and 1 PiB (more than a
     * 47-bit user address space). Both must come back as codes. */
    thr_spawn_opts_init(&o);
    o.stack_size = SIZE_MAX;
    err = 0;
    CHECK(thr_spawn_ex(count_fn, NULL, &o, &err) == NULL);
    CHECK(err < 0);
    o.stack_size = (size_t)1 << 50;
    err = 0;
    thr_t *t = thr_spawn_ex(count_fn, NULL, &o, &err);
    CHECK(t == NULL);
    CHECK(err < 0);
    if (t)
        thr_join(t);
    else
        printf("1 PiB stack refused: %d (%s)\n", err, thr_strerror(err));

    CHECK_EQ(thr_join(NULL), THR_EINVAL);
    CHECK_EQ(thr_pin_self(-1), THR_EINVAL);
    CHECK_EQ(thr_pin_self(CPU_SETSIZE), THR_EINVAL);
    thr_spawn_opts_init(NULL); /* tolerated */
}

int main(void) {
    test_many();
    test_stack_size();
    test_pinning();
    test_bad_args();
    TEST_END("test_thr_spawn");
}
