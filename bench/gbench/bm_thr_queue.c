/* bm_thr_queue.c — the thread queue (threads/thr.h: mutex + two condition
 * variables) handing items from one producer thread to one consumer thread,
 * the counterpart of queue/coro/cap:N. Threads unpinned, as a user would run them.
 * One iteration is one item; items_per_second is the rate. */
#include "bm.h"
#include "gb.h"
#include "thr.h"

#include <stdio.h>

typedef struct qrun {
    thr_queue_t *q;
    uint64_t items, got, sum;
    int put_rc;
} qrun;

static void producer(void *arg) {
    qrun *r = arg;
    for (uint64_t i = 1; i <= r->items; i++) {
        int rc = thr_queue_put(r->q, (void *)(uintptr_t)i);
        if (rc) {
            r->put_rc = rc;
            break;
        }
    }
    thr_queue_close(r->q);
}

static void consumer(void *arg) {
    qrun *r = arg;
    void *item;
    while (thr_queue_get(r->q, &item) == 0) {
        r->got++;
        r->sum += (uintptr_t)item;
    }
}

static void bm_thr_queue(gb_state *s, void *arg) {
    qrun r = {0};
    char msg[128];
    r.q = thr_queue_new(*(const size_t *)arg);
    if (!r.q) {
        gb_skip(s, "thr_queue_new: out of memory");
        return;
    }
    uint64_t n = gb_start(s, 1);
    r.items = n;
    int err = 0;
    thr_t *c = thr_spawn(consumer, &r, &err);
    thr_t *p = c ? thr_spawn(producer, &r, &err) : NULL;
    if (!p) thr_queue_close(r.q);
    if (c) thr_join(c);
    if (p) thr_join(p);
    gb_stop(s);
    thr_queue_free(r.q);
    if (!c || !p) {
        snprintf(msg, sizeof msg, "thr_spawn: %s", thr_strerror(err));
        gb_skip(s, msg);
    } else if (r.put_rc) {
        snprintf(msg, sizeof msg, "thr_queue_put: %s", thr_strerror(r.put_rc));
        gb_skip(s, msg);
    } else if (r.got != n || r.sum != n * (n + 1) / 2) {
        gb_skip(s, "thr queue lost or duplicated items");
    } else {
        gb_set_items_processed(s, n);
    }
}

static const size_t cap1 = 1, cap1024 = 1024;

void bm_register_thr_queue(void) {
    static const gb_opts real = {.real_time = 1};
    gb_register("queue/thr/cap:1", bm_thr_queue, (void *)&cap1, &real);
    gb_register("queue/thr/cap:1024", bm_thr_queue, (void *)&cap1024, &real);
}
