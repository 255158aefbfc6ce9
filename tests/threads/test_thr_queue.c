/* test_thr_queue.c — thr_queue_t semantics: FIFO order (bounded, unbounded
 * across growth and wrap-around), blocking only when full/empty, the _try
 * variants, task_done/join, and close (putters and getters released with
 * THR_CLOSED, remaining items drained first).
 *
 * "Blocked" is checked exactly: the test waits until the queue counts the
 * thread among its waiters (thr_testing.h), checks it has not returned, then
 * lifts the condition. No timing is asserted.
 */
#include "tcheck.h"
#include "thr.h"
#include "thr_testing.h"

#include <stdatomic.h>
#include <stdint.h>

#define ITEM(i) ((void *)(uintptr_t)(i))

static unsigned getters(thr_queue_t *q) {
    unsigned n;
    thr_queue_waiters_(q, &n, NULL, NULL);
    return n;
}
static unsigned putters(thr_queue_t *q) {
    unsigned n;
    thr_queue_waiters_(q, NULL, &n, NULL);
    return n;
}
static unsigned joiners(thr_queue_t *q) {
    unsigned n;
    thr_queue_waiters_(q, NULL, NULL, &n);
    return n;
}

/* --- FIFO -------------------------------------------------------------- */

static void test_fifo_single_thread(size_t cap, int n) {
    thr_queue_t *q = thr_queue_new(cap);
    CHECK(q != NULL);
    if (!q) return;
    /* Interleave so the ring wraps around several times and, unbounded, grows
     * while wrapped. */
    int next_put = 1, next_get = 1;
    while (next_get <= n) {
        /* Fill up to the bound (a put on a full queue would block forever
         * here), or by 37 when unbounded. */
        int burst = cap ? (int)cap : 37;
        for (int k = 0; k < burst && next_put <= n; k++) {
            if (cap && (size_t)(next_put - next_get) == cap) break;
            CHECK_EQ(thr_queue_put(q, ITEM(next_put++)), THR_OK);
        }
        CHECK_EQ(thr_queue_len(q), next_put - next_get);
        int take = burst / 2 + 1;
        for (int k = 0; k < take && next_get < next_put; k++) {
            void *it = NULL;
            CHECK_EQ(thr_queue_get(q, &it), THR_OK);
            CHECK_EQ((uintptr_t)it, next_get);
            next_get++;
        }
    }
    CHECK_EQ(thr_queue_len(q), 0);
    thr_queue_free(q);
}

struct spsc {
    thr_queue_t *q;
    int n;
    int order_ok;
};

static void spsc_producer(void *arg) {
    struct spsc *s = arg;
    for (int i = 1; i <= s->n; i++) thr_queue_put(s->q, ITEM(i));
}

static void spsc_consumer(void *arg) {
    struct spsc *s = arg;
    s->order_ok = 1;
    for (int i = 1; i <= s->n; i++) {
        void *it;
        if (thr_queue_get(s->q, &it) != THR_OK || (uintptr_t)it != (uintptr_t)i) s->order_ok = 0;
    }
}

static void test_fifo_spsc(size_t cap) {
    struct spsc s = {thr_queue_new(cap), 20000, 0};
    CHECK(s.q != NULL);
    if (!s.q) return;
    thr_t *c = thr_spawn(spsc_consumer, &s, NULL);
    thr_t *p = thr_spawn(spsc_producer, &s, NULL);
    CHECK(c && p);
    if (p) thr_join(p);
    if (c) thr_join(c);
    CHECK(s.order_ok);
    CHECK_EQ(thr_queue_len(s.q), 0);
    thr_queue_free(s.q);
}

/* --- blocking ---------------------------------------------------------- */

struct blocker {
    thr_queue_t *q;
    void *item;
    int rc;
    atomic_int done;
};

static void put_fn(void *arg) {
    struct blocker *b = arg;
    b->rc = thr_queue_put(b->q, b->item);
    atomic_store(&b->done, 1);
}

static void get_fn(void *arg) {
    struct blocker *b = arg;
    b->rc = thr_queue_get(b->q, &b->item);
    atomic_store(&b->done, 1);
}

static void join_fn(void *arg) {
    struct blocker *b = arg;
    thr_queue_join(b->q);
    atomic_store(&b->done, 1);
}

static void test_blocking(void) {
    thr_queue_t *q = thr_queue_new(2);
    CHECK(q != NULL);
    if (!q) return;
    /* A put on a non-full queue does not block. */
    CHECK_EQ(thr_queue_put(q, ITEM(1)), THR_OK);
    CHECK_EQ(thr_queue_put(q, ITEM(2)), THR_OK);
    /* Full: the third put blocks until a get makes room. */
    struct blocker b = {q, ITEM(3), 99, 0};
    thr_t *t = thr_spawn(put_fn, &b, NULL);
    CHECK(t != NULL);
    WAIT_UNTIL(putters(q) == 1);
    CHECK_EQ(atomic_load(&b.done), 0);
    CHECK_EQ(thr_queue_len(q), 2);
    void *it = NULL;
    CHECK_EQ(thr_queue_get(q, &it), THR_OK);
    CHECK_EQ((uintptr_t)it, 1);
    if (t) thr_join(t);
    CHECK_EQ(b.rc, THR_OK);
    CHECK_EQ(thr_queue_get(q, &it), THR_OK);
    CHECK_EQ((uintptr_t)it, 2);
    CHECK_EQ(thr_queue_get(q, &it), THR_OK);
    CHECK_EQ((uintptr_t)it, 3);

    /* Empty: a get blocks until a put. */
    struct blocker g = {q, NULL, 99, 0};
    t = thr_spawn(get_fn, &g, NULL);
    CHECK(t != NULL);
    WAIT_UNTIL(getters(q) == 1);
    CHECK_EQ(atomic_load(&g.done), 0);
    CHECK_EQ(thr_queue_put(q, ITEM(42)), THR_OK);
    if (t) thr_join(t);
    CHECK_EQ(g.rc, THR_OK);
    CHECK_EQ((uintptr_t)g.item, 42);
    thr_queue_free(q);

    /* Unbounded: puts never block (far past the first ring size). */
    q = thr_queue_new(0);
    CHECK(q != NULL);
    for (int i = 0; i < 100000; i++) CHECK_EQ(thr_queue_put(q, ITEM(i)), THR_OK);
    CHECK_EQ(thr_queue_len(q), 100000);
    thr_queue_free(q);
}

/* --- try variants ------------------------------------------------------ */

static void test_try(void) {
    thr_queue_t *q = thr_queue_new(1);
    CHECK(q != NULL);
    if (!q) return;
    void *it = ITEM(7);
    CHECK_EQ(thr_queue_try_get(q, &it), THR_EAGAIN);
    CHECK_EQ((uintptr_t)it, 7); /* untouched on failure */
    CHECK_EQ(thr_queue_try_put(q, ITEM(1)), THR_OK);
    CHECK_EQ(thr_queue_try_put(q, ITEM(2)), THR_EAGAIN);
    CHECK_EQ(thr_queue_len(q), 1);
    CHECK_EQ(thr_queue_try_get(q, &it), THR_OK);
    CHECK_EQ((uintptr_t)it, 1);
    CHECK_EQ(thr_queue_try_get(q, &it), THR_EAGAIN);
    thr_queue_close(q);
    CHECK_EQ(thr_queue_try_put(q, ITEM(3)), THR_CLOSED);
    CHECK_EQ(thr_queue_try_get(q, &it), THR_CLOSED);
    thr_queue_free(q);

    q = thr_queue_new(0);
    CHECK(q != NULL);
    for (int i = 0; i < 1000; i++) CHECK_EQ(thr_queue_try_put(q, ITEM(i)), THR_OK);
    for (int i = 0; i < 1000; i++) {
        CHECK_EQ(thr_queue_try_get(q, &it), THR_OK);
        CHECK_EQ((uintptr_t)it, i);
    }
    CHECK_EQ(thr_queue_try_get(q, &it), THR_EAGAIN);
    thr_queue_free(q);

    /* NULL arguments are codes, not crashes. */
    CHECK_EQ(thr_queue_put(NULL, NULL), THR_EINVAL);
    CHECK_EQ(thr_queue_get(NULL, &it), THR_EINVAL);
    CHECK_EQ(thr_queue_try_put(NULL, NULL), THR_EINVAL);
    CHECK_EQ(thr_queue_try_get(NULL, &it), THR_EINVAL);
    CHECK_EQ(thr_queue_len(NULL), 0);
    thr_queue_free(NULL);
}

/* --- task_done / join -------------------------------------------------- */

struct worker {
    thr_queue_t *q;
    atomic_int handled;
};

static void worker_fn(void *arg) {
    struct worker *w = arg;
    void *it;
    while (thr_queue_get(w->q, &it) == THR_OK) {
        thr_sleep_ns(100 * 1000); /* some work, so join really has to wait */
        atomic_fetch_add(&w->handled, 1);
        thr_queue_task_done(w->q);
    }
}

static void test_join(void) {
    thr_queue_t *q = thr_queue_new(0);
    CHECK(q != NULL);
    if (!q) return;
    thr_queue_join(q); /* nothing put: returns at once */

    /* join waits for task_done, not for get. */
    CHECK_EQ(thr_queue_put(q, ITEM(1)), THR_OK);
    void *it;
    CHECK_EQ(thr_queue_get(q, &it), THR_OK);
    struct blocker j = {q, NULL, 0, 0};
    thr_t *t = thr_spawn(join_fn, &j, NULL);
    CHECK(t != NULL);
    WAIT_UNTIL(joiners(q) == 1);
    CHECK_EQ(atomic_load(&j.done), 0);
    thr_queue_task_done(q);
    if (t) thr_join(t);
    CHECK_EQ(atomic_load(&j.done), 1);

    /* Extra task_done calls are ignored: the counter does not wrap, so a
     * later put still makes join wait. */
    thr_queue_task_done(q);
    thr_queue_task_done(q);
    CHECK_EQ(thr_queue_put(q, ITEM(2)), THR_OK);
    struct blocker j2 = {q, NULL, 0, 0};
    t = thr_spawn(join_fn, &j2, NULL);
    CHECK(t != NULL);
    WAIT_UNTIL(joiners(q) == 1);
    CHECK_EQ(atomic_load(&j2.done), 0);
    CHECK_EQ(thr_queue_get(q, &it), THR_OK);
    thr_queue_task_done(q);
    if (t) thr_join(t);

    /* Workers: join returns only once every item is handled. */
    enum { W = 3, N = 300 };
    struct worker w = {q, 0};
    thr_t *ws[W];
    for (int i = 0; i < W; i++) ws[i] = thr_spawn(worker_fn, &w, NULL);
    for (int i = 0; i < N; i++) CHECK_EQ(thr_queue_put(q, ITEM(i)), THR_OK);
    thr_queue_join(q);
    CHECK_EQ(atomic_load(&w.handled), N);
    thr_queue_close(q);
    for (int i = 0; i < W; i++)
        if (ws[i]) thr_join(ws[i]);
    thr_queue_free(q);
}

/* --- close ------------------------------------------------------------- */

static void test_close(void) {
    /* Blocked putters (queue full) get THR_CLOSED at once. */
    thr_queue_t *q = thr_queue_new(1);
    CHECK(q != NULL);
    if (!q) return;
    CHECK_EQ(thr_queue_put(q, ITEM(1)), THR_OK);
    struct blocker p[3];
    thr_t *pt[3];
    for (int i = 0; i < 3; i++) {
        p[i] = (struct blocker){q, ITEM(10 + i), 99, 0};
        pt[i] = thr_spawn(put_fn, &p[i], NULL);
    }
    /* A joiner (one unfinished item) is released by close too. */
    struct blocker j = {q, NULL, 0, 0};
    thr_t *jt = thr_spawn(join_fn, &j, NULL);
    WAIT_UNTIL(putters(q) == 3 && joiners(q) == 1);
    for (int i = 0; i < 3; i++) CHECK_EQ(atomic_load(&p[i].done), 0);
    CHECK_EQ(atomic_load(&j.done), 0);
    thr_queue_close(q);
    for (int i = 0; i < 3; i++) {
        if (pt[i]) thr_join(pt[i]);
        CHECK_EQ(p[i].rc, THR_CLOSED);
    }
    if (jt) thr_join(jt);
    CHECK_EQ(atomic_load(&j.done), 1);
    /* The item put before close is still delivered, then THR_CLOSED. */
    void *it = NULL;
    CHECK_EQ(thr_queue_get(q, &it), THR_OK);
    CHECK_EQ((uintptr_t)it, 1);
    CHECK_EQ(thr_queue_get(q, &it), THR_CLOSED);
    CHECK_EQ(thr_queue_put(q, ITEM(5)), THR_CLOSED);
    thr_queue_join(q);  /* closed: returns even with unfinished items */
    thr_queue_close(q); /* twice is harmless */
    thr_queue_free(q);

    /* Blocked getters (queue empty) get THR_CLOSED. */
    q = thr_queue_new(0);
    CHECK(q != NULL);
    struct blocker g[3];
    thr_t *gt[3];
    for (int i = 0; i < 3; i++) {
        g[i] = (struct blocker){q, NULL, 99, 0};
        gt[i] = thr_spawn(get_fn, &g[i], NULL);
    }
    WAIT_UNTIL(getters(q) == 3);
    for (int i = 0; i < 3; i++) CHECK_EQ(atomic_load(&g[i].done), 0);
    thr_queue_close(q);
    for (int i = 0; i < 3; i++) {
        if (gt[i]) thr_join(gt[i]);
        CHECK_EQ(g[i].rc, THR_CLOSED);
    }
    thr_queue_free(q);

    /* Items left at close are drained, in order, before THR_CLOSED. */
    q = thr_queue_new(8);
    CHECK(q != NULL);
    for (int i = 1; i <= 5; i++) CHECK_EQ(thr_queue_put(q, ITEM(i)), THR_OK);
    thr_queue_close(q);
    for (int i = 1; i <= 5; i++) {
        CHECK_EQ(thr_queue_get(q, &it), THR_OK);
        CHECK_EQ((uintptr_t)it, i);
    }
    CHECK_EQ(thr_queue_get(q, &it), THR_CLOSED);
    thr_queue_free(q);
}

int main(void) {
    test_fifo_single_thread(1, 100);
    test_fifo_single_thread(5, 1000);
    test_fifo_single_thread(64, 5000);
    test_fifo_single_thread(0, 5000);
    test_fifo_spsc(1);
    test_fifo_spsc(16);
    test_fifo_spsc(0);
    test_blocking();
    test_try();
    test_join();
    test_close();
    TEST_END("test_thr_queue");
}
