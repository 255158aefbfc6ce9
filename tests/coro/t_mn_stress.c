/* t_mn_stress.c — randomized stress of the M:N runtime: agents on three
 * workers (more than the cores, so workers get preempted mid-operation) yield,
 * sleep, spawn and join children, pass items through a small queue and ping
 * each other through events, for CORO_STRESS_SECONDS (default 3; CI's TSan
 * pass runs 10). At the end every item put was got exactly once. */
#include "coro.h"
#include "check.h"

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

enum { AGENTS = 48, CONSUMERS = 6 };
static coro_queue_t *q;
static uint64_t deadline_ns, put_sum, got_sum, put_n, got_n, children;
static coro_event_t ev[AGENTS];

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t rnd(uint64_t *s) {
    *s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
    return *s;
}

static void child(void *arg) {
    uint64_t s = (uint64_t)(uintptr_t)arg | 1;
    if (rnd(&s) % 2) coro_yield();
    __atomic_add_fetch(&children, 1, __ATOMIC_RELAXED);
}

static void consumer(void *arg) {
    (void)arg;
    void *it;
    while (coro_queue_get(q, &it) == 0) {
        __atomic_add_fetch(&got_sum, (uint64_t)(uintptr_t)it, __ATOMIC_RELAXED);
        __atomic_add_fetch(&got_n, 1, __ATOMIC_RELAXED);
        coro_queue_task_done(q);
        if (((uintptr_t)it & 3) == 0) coro_yield();
    }
}

static void agent(void *arg) {
    uintptr_t id = (uintptr_t)arg;
    uint64_t s = 0x9E3779B97F4A7C15u * (id + 1);
    while (now_ns() < deadline_ns) {
        switch (rnd(&s) % 8) {
        case 0:
        case 1:
            coro_yield();
            break;
        case 2:
            coro_sleep_ns(rnd(&s) % 200000);
            break;
        case 3: {
            uintptr_t v = (uintptr_t)(rnd(&s) % 1000000) + 1;
            if (coro_queue_put(q, (void *)v) == 0) {
                __atomic_add_fetch(&put_sum, v, __ATOMIC_RELAXED);
                __atomic_add_fetch(&put_n, 1, __ATOMIC_RELAXED);
            }
            break;
        }
        case 4: {
            coro_t *c = coro_spawn(child, (void *)(uintptr_t)rnd(&s));
            if (c) CHECK(coro_join(c) == 0);
            break;
        }
        case 5:
            coro_event_set(&ev[rnd(&s) % AGENTS]);
            break;
        case 6:
            /* Wait for a ping only if one is already there: never block for good. */
            if (coro_event_is_set(&ev[id])) {
                coro_event_wait(&ev[id]);
                coro_event_clear(&ev[id]);
            }
            break;
        default: {
            void *it;
            if (coro_queue_try_get(q, &it) == 0) {
                __atomic_add_fetch(&got_sum, (uint64_t)(uintptr_t)it, __ATOMIC_RELAXED);
                __atomic_add_fetch(&got_n, 1, __ATOMIC_RELAXED);
                coro_queue_task_done(q);
            }
        }
        }
    }
}

static void stress_main(void *arg) {
    (void)arg;
    q = coro_queue_new(16);
    for (int i = 0; i < AGENTS; i++) coro_event_init(&ev[i]);
    coro_t *c[CONSUMERS], *a[AGENTS];
    for (int i = 0; i < CONSUMERS; i++) c[i] = coro_spawn(consumer, NULL);
    for (uintptr_t i = 0; i < AGENTS; i++) a[i] = coro_spawn(agent, (void *)i);
    for (int i = 0; i < AGENTS; i++) CHECK(coro_join(a[i]) == 0);
    coro_queue_join(q);
    coro_queue_close(q);
    for (int i = 0; i < CONSUMERS; i++) CHECK(coro_join(c[i]) == 0);
    CHECK(coro_queue_len(q) == 0);
    coro_queue_free(q);
}

int main(void) {
    const char *env = getenv("CORO_STRESS_SECONDS");
    double secs = env ? atof(env) : 3.0;
    if (!(secs > 0 && secs < 3600)) secs = 3.0;
    deadline_ns = now_ns() + (uint64_t)(secs * 1e9);
    coro_run_opts o;
    coro_run_opts_init(&o);
    o.workers = 3;
    CHECK(coro_run_ex(stress_main, NULL, &o) == 0);
    CHECK(put_n == got_n);
    CHECK(put_sum == got_sum);
    CHECK(put_n > 1000);
    fprintf(stderr, "%.0f s: %llu items, %llu children\n", secs, (unsigned long long)put_n,
            (unsigned long long)children);
    TEST_END();
}
