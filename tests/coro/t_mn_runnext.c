/* t_mn_runnext.c — the runnext slot of M:N workers: a coroutine woken by the
 * running one runs next on the same worker, but a pair that keeps waking
 * each other cannot keep a third ready coroutine waiting for more than
 * CORO_RUNNEXT_CAP of its runs; and with the direct hand-off of queue items
 * between workers, every item still arrives once and in order. */
#include "coro.h"
#include "check.h"

#include <stdint.h>
#include <stdio.h>

enum { PING_LIMIT = 100000 };

/* A hog that never switches holds one of the two workers, so the pair and
 * the third coroutine all share the other one and nothing can be stolen. */
static int hog_up, hog_stop;
static void hog(void *arg) {
    (void)arg;
    __atomic_store_n(&hog_up, 1, __ATOMIC_RELEASE);
    while (!__atomic_load_n(&hog_stop, __ATOMIC_ACQUIRE)) {
#if defined(__x86_64__)
        __builtin_ia32_pause();
#endif
    }
}

static coro_queue_t *ab, *ba;
static long exchanges, exchanges_when_third_ran = -1;
static int third_ran, pair_worker = -1, third_worker = -2;

static void ping(void *arg) {
    (void)arg;
    pair_worker = coro_worker_id();
    while (exchanges < PING_LIMIT && !__atomic_load_n(&third_ran, __ATOMIC_ACQUIRE)) {
        CHECK(coro_queue_put(ab, (void *)1) == 0);
        void *it;
        CHECK(coro_queue_get(ba, &it) == 0);
        exchanges++;
    }
    CHECK(coro_queue_put(ab, NULL) == 0); /* tells pong to stop */
}

static void pong(void *arg) {
    (void)arg;
    void *it;
    while (coro_queue_get(ab, &it) == 0 && it) CHECK(coro_queue_put(ba, it) == 0);
}

static void third(void *arg) {
    (void)arg;
    exchanges_when_third_ran = exchanges;
    third_worker = coro_worker_id();
    __atomic_store_n(&third_ran, 1, __ATOMIC_RELEASE);
}

static void cap_main(void *arg) {
    (void)arg;
    ab = coro_queue_new(1);
    ba = coro_queue_new(1);
    coro_t *h = coro_spawn(hog, NULL);
    while (!__atomic_load_n(&hog_up, __ATOMIC_ACQUIRE)) coro_yield();
    /* pong first: it waits on an empty queue, then ping wakes it. */
    coro_t *b = coro_spawn(pong, NULL), *a = coro_spawn(ping, NULL), *c = coro_spawn(third, NULL);
    CHECK(coro_join(a) == 0);
    CHECK(coro_join(b) == 0);
    CHECK(coro_join(c) == 0);
    __atomic_store_n(&hog_stop, 1, __ATOMIC_RELEASE);
    CHECK(coro_join(h) == 0);
    coro_queue_free(ab);
    coro_queue_free(ba);
}

/* Items from several producers through a small queue on two workers: each
 * producer's items arrive once and in the order it put them. */
enum { PRODUCERS = 3, PER = 20000 };
static coro_queue_t *q;
static uintptr_t last_seen[PRODUCERS];
static long received;

static void producer(void *arg) {
    uintptr_t p = (uintptr_t)arg;
    for (uintptr_t i = 1; i <= PER; i++) {
        CHECK(coro_queue_put(q, (void *)(p << 32 | i)) == 0);
        if (i % 97 == 0) coro_yield();
    }
}

static void consumer(void *arg) {
    (void)arg;
    void *it;
    while (coro_queue_get(q, &it) == 0) {
        uintptr_t v = (uintptr_t)it, p = v >> 32, i = v & 0xffffffffu;
        CHECK(p < PRODUCERS && i == last_seen[p] + 1);
        if (p < PRODUCERS) last_seen[p] = i;
        received++;
        if (received % 1000 == 0) {
            void *extra;
            if (coro_queue_try_get(q, &extra) == 0) { /* the non-waiting form too */
                uintptr_t w = (uintptr_t)extra, pw = w >> 32;
                CHECK(pw < PRODUCERS && (w & 0xffffffffu) == last_seen[pw] + 1);
                if (pw < PRODUCERS) last_seen[pw] = w & 0xffffffffu;
                received++;
            }
        }
    }
}

static void order_main(void *arg) {
    (void)arg;
    q = coro_queue_new(2);
    coro_t *c = coro_spawn(consumer, NULL), *p[PRODUCERS];
    for (uintptr_t i = 0; i < PRODUCERS; i++) p[i] = coro_spawn(producer, (void *)i);
    for (int i = 0; i < PRODUCERS; i++) CHECK(coro_join(p[i]) == 0);
    coro_queue_close(q);
    CHECK(coro_join(c) == 0);
    coro_queue_free(q);
}

int main(void) {
    coro_run_opts o;
    coro_run_opts_init(&o);
    o.workers = 2;
    CHECK(coro_run_ex(cap_main, NULL, &o) == 0);
    fprintf(stderr,
            "third ran after %ld exchanges of the pair (cap %d), pair on worker %d, "
            "third on %d\n",
            exchanges_when_third_ran, CORO_RUNNEXT_CAP, pair_worker, third_worker);
    CHECK(third_ran);
    CHECK(third_worker == pair_worker); /* the hog held the other worker */
    /* Each exchange is two runs from the slot (pong, then ping). */
    CHECK(exchanges_when_third_ran >= 0 && exchanges_when_third_ran <= CORO_RUNNEXT_CAP);

    CHECK(coro_run_ex(order_main, NULL, &o) == 0);
    CHECK(received == (long)PRODUCERS * PER);
    TEST_END();
}
