/* timer.c — sleeping coroutines on a binary min-heap ordered by (deadline,
 * sequence number): deadline order, ties in the order they were set. */
#include "coro_int.h"

#include <stdlib.h>
#include <time.h>

uint64_t coro__now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int before(const coro_timer *a, const coro_timer *b) {
    return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

int coro__timer_add(coro_sched *s, uint64_t deadline, struct coro *c, uint64_t wait_seq) {
    if (s->nheap == s->heap_cap) {
        size_t cap = s->heap_cap ? s->heap_cap * 2 : 64;
        coro_timer *h = realloc(s->heap, cap * sizeof *h);
        if (!h) return CORO_ENOMEM;
        s->heap = h;
        s->heap_cap = cap;
    }
    coro_timer t = {deadline, s->timer_seq++, c, wait_seq};
    size_t i = s->nheap++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!before(&t, &s->heap[p])) break;
        s->heap[i] = s->heap[p];
        i = p;
    }
    s->heap[i] = t;
    if (s->world) __atomic_add_fetch(&s->world->ntimers, 1, __ATOMIC_RELAXED);
    return 0;
}

static void pop_min(coro_sched *s) {
    coro_timer last = s->heap[--s->nheap];
    size_t i = 0, n = s->nheap;
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        const coro_timer *best = &last;
        if (l < n && before(&s->heap[l], best)) m = l, best = &s->heap[l];
        if (l + 1 < n && before(&s->heap[l + 1], best)) m = l + 1;
        if (m == i) break;
        s->heap[i] = s->heap[m];
        i = m;
    }
    if (n) s->heap[i] = last;
}

/* Makes every coroutine whose deadline has passed ready, in deadline order. */
size_t coro__timers_collect(coro_sched *s, uint64_t now) {
    size_t k = 0;
    while (s->nheap && s->heap[0].deadline <= now) {
        struct coro *c = s->heap[0].c;
        uint64_t ws = s->heap[0].wait_seq;
        pop_min(s);
        if (s->world) __atomic_sub_fetch(&s->world->ntimers, 1, __ATOMIC_RELAXED);
        /* A timer whose wait already ended (an fd event came first) is stale. */
        if (!coro__claim(c, ws)) continue;
        coro__make_ready(s, c);
        k++;
    }
    return k;
}

void coro__timers_free(coro_sched *s) {
    free(s->heap);
    s->heap = NULL;
    s->nheap = s->heap_cap = 0;
}
