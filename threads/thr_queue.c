/* thr_queue.c — asyncio.Queue semantics on a mutex and three condition variables.
 *
 * The benchmarks compare this hand-off with the coroutine queue, so the fast
 * path is one lock, one ring-buffer operation and one unlock: a condition
 * variable is signalled only when someone is known to wait on it (waiter
 * counts kept under the mutex), which saves a futex system call per item in
 * the common case where the other side is busy.
 *
 * Storage is a ring of pointers: allocated once at the full size for a bounded
 * queue, grown by doubling for an unbounded one (capacity 0), so a put on an
 * unbounded queue can fail only with THR_ENOMEM.
 *
 * Semantics (as coro_queue_t / asyncio.Queue):
 *  - put blocks only while the queue is full, get only while it is empty;
 *    the _try variants return THR_EAGAIN instead of blocking;
 *  - every put raises an "unfinished" counter, task_done lowers it, join waits
 *    until it reaches zero (or the queue is closed). task_done called more
 *    often than items were put is ignored (asyncio raises ValueError; a C
 *    library has no good way to report it and the counter must not wrap);
 *  - close wakes everyone: put returns THR_CLOSED at once, get drains what is
 *    left and then returns THR_CLOSED, join returns.
 */
#include "thr.h"
#include "thr_testing.h"

#include <pthread.h>
#include <stdlib.h>

#define THR_QUEUE_INITIAL 16 /* first ring size of an unbounded queue */

struct thr_queue {
    pthread_mutex_t mu;
    pthread_cond_t not_empty; /* getters wait here */
    pthread_cond_t not_full;  /* putters wait here (bounded queues only) */
    pthread_cond_t all_done;  /* joiners wait here */
    void **ring;
    size_t cap;   /* slots allocated in ring */
    size_t bound; /* 0 = unbounded, else the most items held */
    size_t head;  /* index of the oldest item */
    size_t len;   /* items held */
    size_t unfinished;
    unsigned long done_gen; /* bumped each time unfinished reaches 0 */
    unsigned getters_waiting, putters_waiting, joiners_waiting;
    int closed;
};

thr_queue_t *thr_queue_new(size_t capacity) {
    thr_queue_t *q = calloc(1, sizeof *q);
    if (!q) return NULL;
    q->bound = capacity;
    q->cap = capacity ? capacity : THR_QUEUE_INITIAL;
    /* calloc checks cap * sizeof(void *) for overflow. */
    q->ring = calloc(q->cap, sizeof *q->ring);
    if (!q->ring) goto fail_ring;
    if (pthread_mutex_init(&q->mu, NULL) != 0) goto fail_mu;
    if (pthread_cond_init(&q->not_empty, NULL) != 0) goto fail_ne;
    if (pthread_cond_init(&q->not_full, NULL) != 0) goto fail_nf;
    if (pthread_cond_init(&q->all_done, NULL) != 0) goto fail_ad;
    return q;
fail_ad:
    pthread_cond_destroy(&q->not_full);
fail_nf:
    pthread_cond_destroy(&q->not_empty);
fail_ne:
    pthread_mutex_destroy(&q->mu);
fail_mu:
    free(q->ring);
fail_ring:
    free(q);
    return NULL;
}

void thr_queue_free(thr_queue_t *q) {
    if (!q) return;
    pthread_cond_destroy(&q->all_done);
    pthread_cond_destroy(&q->not_full);
    pthread_cond_destroy(&q->not_empty);
    pthread_mutex_destroy(&q->mu);
    free(q->ring);
    free(q);
}

/* Doubles the ring of an unbounded queue, unwrapping it so head becomes 0.
 * Called with the mutex held and len == cap. */
static int thr_queue_grow(thr_queue_t *q) {
    if (q->cap > ((size_t)-1) / 2 / sizeof *q->ring) return THR_ENOMEM;
    size_t ncap = q->cap * 2;
    void **nr = malloc(ncap * sizeof *nr);
    if (!nr) return THR_ENOMEM;
    for (size_t i = 0; i < q->len; i++) {
        size_t j = q->head + i;
        if (j >= q->cap) j -= q->cap;
        nr[i] = q->ring[j];
    }
    free(q->ring);
    q->ring = nr;
    q->cap = ncap;
    q->head = 0;
    return THR_OK;
}

/* Appends item; mutex held, queue not closed and not at its bound. */
static int thr_queue_push_locked(thr_queue_t *q, void *item) {
    if (q->len == q->cap) {
        int rc = thr_queue_grow(q);
        if (rc != THR_OK) return rc;
    }
    size_t tail = q->head + q->len;
    if (tail >= q->cap) tail -= q->cap;
    q->ring[tail] = item;
    q->len++;
    q->unfinished++;
    return THR_OK;
}

/* Removes the oldest item; mutex held, len > 0. */
static void *thr_queue_pop_locked(thr_queue_t *q) {
    void *item = q->ring[q->head];
    if (++q->head == q->cap) q->head = 0;
    q->len--;
    return item;
}

/* Unlocks, then wakes one waiter of cv when wake is set.
 *
 * One item satisfies one getter and one free slot one putter: signal, not
 * broadcast. A woken waiter that finds its item or slot taken by a thread that
 * never waited simply waits again (Mesa semantics), and nothing is stranded
 * while someone sleeps, because every put (get) that sees a sleeping getter
 * (putter) wakes one that is still asleep.
 *
 * The signal comes after the unlock so that the woken thread does not run
 * straight into a mutex its waker still holds (glibc does not move waiters
 * from the condvar to the mutex). This is safe: wake was decided under the
 * mutex, and a counted waiter released the mutex only inside
 * pthread_cond_wait, so it is already blocked there when we signal. */
static void thr_queue_unlock_wake(thr_queue_t *q, pthread_cond_t *cv, int wake) {
    pthread_mutex_unlock(&q->mu);
    if (wake) pthread_cond_signal(cv);
}

static int thr_queue_full(const thr_queue_t *q) {
    return q->bound && q->len >= q->bound;
}

int thr_queue_put(thr_queue_t *q, void *item) {
    if (!q) return THR_EINVAL;
    pthread_mutex_lock(&q->mu);
    while (!q->closed && thr_queue_full(q)) {
        q->putters_waiting++;
        pthread_cond_wait(&q->not_full, &q->mu);
        q->putters_waiting--;
    }
    int rc = q->closed ? THR_CLOSED : thr_queue_push_locked(q, item);
    thr_queue_unlock_wake(q, &q->not_empty, rc == THR_OK && q->getters_waiting);
    return rc;
}

int thr_queue_try_put(thr_queue_t *q, void *item) {
    if (!q) return THR_EINVAL;
    pthread_mutex_lock(&q->mu);
    int rc;
    if (q->closed)
        rc = THR_CLOSED;
    else if (thr_queue_full(q))
        rc = THR_EAGAIN;
    else
        rc = thr_queue_push_locked(q, item);
    thr_queue_unlock_wake(q, &q->not_empty, rc == THR_OK && q->getters_waiting);
    return rc;
}

int thr_queue_get(thr_queue_t *q, void **item) {
    if (!q || !item) return THR_EINVAL;
    pthread_mutex_lock(&q->mu);
    while (q->len == 0 && !q->closed) {
        q->getters_waiting++;
        pthread_cond_wait(&q->not_empty, &q->mu);
        q->getters_waiting--;
    }
    int rc = THR_CLOSED; /* closed and drained */
    if (q->len) {
        *item = thr_queue_pop_locked(q);
        rc = THR_OK;
    }
    thr_queue_unlock_wake(q, &q->not_full, rc == THR_OK && q->putters_waiting);
    return rc;
}

int thr_queue_try_get(thr_queue_t *q, void **item) {
    if (!q || !item) return THR_EINVAL;
    pthread_mutex_lock(&q->mu);
    int rc;
    if (q->len) {
        *item = thr_queue_pop_locked(q);
        rc = THR_OK;
    } else {
        rc = q->closed ? THR_CLOSED : THR_EAGAIN;
    }
    thr_queue_unlock_wake(q, &q->not_full, rc == THR_OK && q->putters_waiting);
    return rc;
}

size_t thr_queue_len(thr_queue_t *q) {
    if (!q) return 0;
    pthread_mutex_lock(&q->mu);
    size_t n = q->len;
    pthread_mutex_unlock(&q->mu);
    return n;
}

void thr_queue_task_done(thr_queue_t *q) {
    if (!q) return;
    pthread_mutex_lock(&q->mu);
    if (q->unfinished > 0 && --q->unfinished == 0) {
        q->done_gen++;
        /* Every joiner must return: broadcast. */
        if (q->joiners_waiting) pthread_cond_broadcast(&q->all_done);
    }
    pthread_mutex_unlock(&q->mu);
}

void thr_queue_join(thr_queue_t *q) {
    if (!q) return;
    pthread_mutex_lock(&q->mu);
    /* Wait for the counter to reach zero at least once after we started, as
     * asyncio's join does: a put racing in right after the last task_done
     * must not keep an already-released joiner waiting. */
    unsigned long gen = q->done_gen;
    while (q->unfinished > 0 && !q->closed && q->done_gen == gen) {
        q->joiners_waiting++;
        pthread_cond_wait(&q->all_done, &q->mu);
        q->joiners_waiting--;
    }
    pthread_mutex_unlock(&q->mu);
}

void thr_queue_close(thr_queue_t *q) {
    if (!q) return;
    pthread_mutex_lock(&q->mu);
    q->closed = 1;
    /* Everyone must see the change of state: broadcast all three. */
    pthread_cond_broadcast(&q->not_empty);
    pthread_cond_broadcast(&q->not_full);
    pthread_cond_broadcast(&q->all_done);
    pthread_mutex_unlock(&q->mu);
}

/* For tests/threads (thr_testing.h). */
void thr_queue_waiters_(thr_queue_t *q, unsigned *getters, unsigned *putters, unsigned *joiners) {
    pthread_mutex_lock(&q->mu);
    if (getters) *getters = q->getters_waiting;
    if (putters) *putters = q->putters_waiting;
    if (joiners) *joiners = q->joiners_waiting;
    pthread_mutex_unlock(&q->mu);
}
