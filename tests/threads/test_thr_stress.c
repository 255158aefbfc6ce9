/* test_thr_stress.c — many producers and consumers on one thr_queue_t: every
 * item is delivered exactly once (a per-item counter and a checksum), each
 * producer's items arrive in its own order (per-consumer FIFO per producer),
 * and join/close end it cleanly. Run at capacities 1, 4 and unbounded, so
 * both the full and the empty waits are exercised.
 */
#include "tcheck.h"
#include "thr.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

enum { PRODUCERS = 4, CONSUMERS = 4, PER_PRODUCER = 5000 };
#define TOTAL (PRODUCERS * PER_PRODUCER)

/* An item encodes (producer, sequence) so its origin and order can be checked. */
#define ENCODE(p, s) ((uintptr_t)(p) << 32 | (uintptr_t)(s))
#define PROD_OF(v) ((int)((v) >> 32))
#define SEQ_OF(v) ((int)((v)&0xffffffffu))

struct stress {
    thr_queue_t *q;
    atomic_int next_producer;
    atomic_uchar seen[TOTAL];
    atomic_uint_fast64_t sum_in, sum_out;
    atomic_int order_errors, bad_items;
};

static uint64_t mix(uint64_t v) {
    /* A bijective scramble, so that a swapped or duplicated item changes the
     * checksum (a plain sum would miss some swaps). */
    v ^= v >> 33;
    v *= 0xff51afd7ed558ccdull;
    v ^= v >> 33;
    return v;
}

static void producer(void *arg) {
    struct stress *s = arg;
    int p = atomic_fetch_add(&s->next_producer, 1);
    for (int i = 0; i < PER_PRODUCER; i++) {
        uintptr_t v = ENCODE(p, i);
        atomic_fetch_add(&s->sum_in, mix(v));
        if (thr_queue_put(s->q, (void *)v) != THR_OK) atomic_fetch_add(&s->bad_items, 1);
    }
}

static void consumer(void *arg) {
    struct stress *s = arg;
    int last[PRODUCERS];
    for (int p = 0; p < PRODUCERS; p++) last[p] = -1;
    void *it;
    while (thr_queue_get(s->q, &it) == THR_OK) {
        uintptr_t v = (uintptr_t)it;
        int p = PROD_OF(v), seq = SEQ_OF(v);
        if (p < 0 || p >= PRODUCERS || seq < 0 || seq >= PER_PRODUCER) {
            atomic_fetch_add(&s->bad_items, 1);
        } else {
            /* One producer's items leave the FIFO in its order, so any one
             * consumer sees them increasing. */
            if (seq <= last[p]) atomic_fetch_add(&s->order_errors, 1);
            last[p] = seq;
            atomic_fetch_add(&s->seen[p * PER_PRODUCER + seq], 1);
            atomic_fetch_add(&s->sum_out, mix(v));
        }
        thr_queue_task_done(s->q);
    }
}

static void run(size_t cap) {
    static struct stress s; /* big: keep it off the stack */
    s.q = thr_queue_new(cap);
    CHECK(s.q != NULL);
    if (!s.q) return;
    atomic_store(&s.next_producer, 0);
    for (int i = 0; i < TOTAL; i++) atomic_store(&s.seen[i], 0);
    atomic_store(&s.sum_in, 0);
    atomic_store(&s.sum_out, 0);
    atomic_store(&s.order_errors, 0);
    atomic_store(&s.bad_items, 0);

    thr_t *c[CONSUMERS], *p[PRODUCERS];
    for (int i = 0; i < CONSUMERS; i++) c[i] = thr_spawn(consumer, &s, NULL);
    for (int i = 0; i < PRODUCERS; i++) p[i] = thr_spawn(producer, &s, NULL);
    for (int i = 0; i < PRODUCERS; i++) {
        CHECK(p[i] != NULL);
        if (p[i]) thr_join(p[i]);
    }
    thr_queue_join(s.q); /* every item task_done'd */
    thr_queue_close(s.q);
    for (int i = 0; i < CONSUMERS; i++) {
        CHECK(c[i] != NULL);
        if (c[i]) thr_join(c[i]);
    }

    int missing = 0, dup = 0;
    for (int i = 0; i < TOTAL; i++) {
        unsigned char n = atomic_load(&s.seen[i]);
        missing += n == 0;
        dup += n > 1;
    }
    if (missing || dup)
        fprintf(stderr, "capacity %zu: %d missing, %d duplicated\n", cap, missing, dup);
    CHECK_EQ(missing, 0);
    CHECK_EQ(dup, 0);
    CHECK(atomic_load(&s.sum_in) == atomic_load(&s.sum_out));
    CHECK_EQ(atomic_load(&s.order_errors), 0);
    CHECK_EQ(atomic_load(&s.bad_items), 0);
    CHECK_EQ(thr_queue_len(s.q), 0);
    thr_queue_free(s.q);
}

int main(void) {
    run(1);
    run(4);
    run(0);
    TEST_END("test_thr_stress");
}
