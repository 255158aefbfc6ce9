/* queue.c — asyncio.Queue on a ring buffer: put suspends only when full, get
 * only when empty; waits are Mesa-style (a woken waiter re-checks and waits
 * again at the back if another coroutine got there first); task_done/join
 * count unfinished items; close releases every waiter. An unbounded queue
 * (capacity 0) doubles its ring when full. With several workers the queue's
 * own spinlock guards it, a waiter keeps it across its switch out, and the
 * waker finishes the waiter's operation (a direct hand-off, see put_locked_mn). */
#include "coro_int.h"

#include <stdlib.h>
#include <string.h>

struct coro_queue {
    void **ring;
    size_t cap;   /* ring slots */
    size_t limit; /* 0 = unbounded */
    size_t head, len;
    size_t unfinished;
    int closed;
    int lock; /* with several workers */
    coro_wlist getters, putters, joiners;
};

static inline int *qlock(coro_sched *s, coro_queue_t *q) {
    if (!s || !s->world) return NULL;
    coro__lock(&q->lock);
    return &q->lock;
}
static inline void qunlock(int *l) {
    if (l) coro__unlock(l);
}

coro_queue_t *coro_queue_new(size_t capacity) {
    coro_queue_t *q = calloc(1, sizeof *q);
    if (!q) return NULL;
    q->limit = capacity;
    q->cap = capacity ? capacity : 16;
    q->ring = malloc(q->cap * sizeof *q->ring);
    if (!q->ring) {
        free(q);
        return NULL;
    }
    return q;
}

void coro_queue_free(coro_queue_t *q) {
    if (!q) return;
    free(q->ring);
    free(q);
}

static int grow(coro_queue_t *q) {
    size_t ncap = q->cap * 2;
    if (ncap < q->cap || ncap > SIZE_MAX / sizeof(void *)) return CORO_ENOMEM;
    void **r = malloc(ncap * sizeof *r);
    if (!r) return CORO_ENOMEM;
    size_t first = q->cap - q->head < q->len ? q->cap - q->head : q->len;
    memcpy(r, q->ring + q->head, first * sizeof *r);
    memcpy(r + first, q->ring, (q->len - first) * sizeof *r);
    free(q->ring);
    q->ring = r;
    q->cap = ncap;
    q->head = 0;
    return 0;
}

static CORO_ALWAYS_INLINE int full(const coro_queue_t *q) {
    return q->limit && q->len >= q->limit;
}

static CORO_ALWAYS_INLINE int push(coro_queue_t *q, void *item) {
    if (q->len == q->cap) {
        int rc = grow(q);
        if (rc) return rc;
    }
    size_t tail = q->head + q->len;
    if (tail >= q->cap) tail -= q->cap;
    q->ring[tail] = item;
    q->len++;
    q->unfinished++;
    return 0;
}

/* The operations below run with the lock held (when there is one). */
static CORO_ALWAYS_INLINE int try_put_locked(coro_sched *s, coro_queue_t *q, void *item) {
    if (q->closed) return CORO_CLOSED;
    if (full(q)) return CORO_EAGAIN;
    int rc = push(q, item);
    if (rc) return rc;
    if (s && q->getters.head) coro__wake_one(s, &q->getters);
    return 0;
}

static CORO_ALWAYS_INLINE int try_get_locked(coro_sched *s, coro_queue_t *q, void **item) {
    if (q->len == 0) return q->closed ? CORO_CLOSED : CORO_EAGAIN;
    *item = q->ring[q->head];
    if (++q->head == q->cap) q->head = 0;
    q->len--;
    if (s && q->putters.head) coro__wake_one(s, &q->putters);
    return 0;
}

/* Several workers: the operations hand over directly, as Go's channels do.
 * A put that finds a getter waiting (the ring is then empty) gives it the
 * item; a get that finds a putter waiting (the ring is then full) moves that
 * putter's item into the freed slot. The woken coroutine has its result when
 * it resumes (resume_rc, and u.retry_on.arg for a get) and returns without taking
 * the lock again; only close wakes waiters that must retry (resume_rc still
 * CORO_EAGAIN). Items keep their FIFO order: a getter waits only while the
 * ring is empty, a putter only while it is full. */
static int put_locked_mn(coro_sched *s, coro_queue_t *q, void *item) {
    if (q->closed) return CORO_CLOSED;
    struct coro *g = coro__wlist_pop(&q->getters);
    if (g) {
        q->unfinished++;
        g->u.retry_on.arg = item;
        g->resume_rc = 0;
        coro__wake(s, g);
        return 0;
    }
    if (full(q)) return CORO_EAGAIN;
    return push(q, item);
}

static int get_locked_mn(coro_sched *s, coro_queue_t *q, void **item) {
    if (q->len == 0) return q->closed ? CORO_CLOSED : CORO_EAGAIN;
    *item = q->ring[q->head];
    if (++q->head == q->cap) q->head = 0;
    q->len--;
    struct coro *p = coro__wlist_pop(&q->putters);
    if (p) {
        p->resume_rc = push(q, p->u.retry_on.arg); /* a slot was just freed: cannot fail */
        coro__wake(s, p);
    }
    return 0;
}

int coro_queue_try_put(coro_queue_t *q, void *item) {
    coro_sched *s = coro_S;
    int *l = qlock(s, q);
    int rc = l ? put_locked_mn(s, q, item) : try_put_locked(s, q, item);
    qunlock(l);
    return rc;
}

int coro_queue_try_get(coro_queue_t *q, void **item) {
    coro_sched *s = coro_S;
    int *l = qlock(s, q);
    int rc = l ? get_locked_mn(s, q, item) : try_get_locked(s, q, item);
    qunlock(l);
    return rc;
}

/* One worker: a waiter's retry, run by the dispatcher when the waiter comes
 * up in the ready queue (coro__wait_op): exactly the re-check the waiter
 * would make itself on resuming, without switching to it when it lost. */
static CORO_ALWAYS_INLINE int retry_done(struct coro *c, coro_wlist *again, int rc) {
    if (rc == CORO_EAGAIN) {
        coro__wlist_push(again, c); /* lost: wait again, at the back */
        return 0;
    }
    c->retry = NULL;
    c->resume_rc = rc;
    return 1;
}

static int put_retry(coro_sched *s, struct coro *c) {
    coro_queue_t *q = c->u.retry_on.obj;
    return retry_done(c, &q->putters, try_put_locked(s, q, c->u.retry_on.arg));
}

static int get_retry(coro_sched *s, struct coro *c) {
    coro_queue_t *q = c->u.retry_on.obj;
    return retry_done(c, &q->getters, try_get_locked(s, q, c->u.retry_on.arg));
}

/* A shared-stack waiter's stack is elsewhere while it waits, so its item goes
 * into its struct, not through a pointer into that stack. */
static int get_retry_shared(coro_sched *s, struct coro *c) {
    coro_queue_t *q = c->u.retry_on.obj;
    return retry_done(c, &q->getters, try_get_locked(s, q, &c->u.retry_on.arg));
}

/* One worker: waits on `list` until retry(…) succeeds; returns its result. */
static CORO_ALWAYS_INLINE int wait_retry(coro_sched *s, coro_queue_t *q, coro_wlist *list,
                                         coro_retry_fn retry, void *arg) {
    struct coro *self = s->cur;
    self->retry = retry;
    self->u.retry_on.obj = q;
    self->u.retry_on.arg = arg;
    coro__wlist_push(list, self);
    return coro__wait_op(s, self);
}

/* Several workers: waits until the operation is done, by this coroutine or
 * handed over by the one that woke it (resume_rc no longer CORO_EAGAIN). */
static int put_mn(coro_sched *s, coro_queue_t *q, void *item) {
    for (;;) {
        coro__lock(&q->lock);
        int rc = put_locked_mn(s, q, item);
        if (rc != CORO_EAGAIN) {
            coro__unlock(&q->lock);
            return rc;
        }
        struct coro *self = s->cur;
        self->resume_rc = CORO_EAGAIN;
        self->u.retry_on.arg = item;
        coro__wlist_push(&q->putters, self);
        s = coro__block(s, self, &q->lock);
        if (self->resume_rc != CORO_EAGAIN) return self->resume_rc;
    }
}

static int get_mn(coro_sched *s, coro_queue_t *q, void **item) {
    for (;;) {
        coro__lock(&q->lock);
        int rc = get_locked_mn(s, q, item);
        if (rc != CORO_EAGAIN) {
            coro__unlock(&q->lock);
            return rc;
        }
        struct coro *self = s->cur;
        self->resume_rc = CORO_EAGAIN;
        coro__wlist_push(&q->getters, self);
        s = coro__block(s, self, &q->lock);
        if (self->resume_rc != CORO_EAGAIN) {
            *item = self->u.retry_on.arg;
            return self->resume_rc;
        }
    }
}

int coro_queue_put(coro_queue_t *q, void *item) {
    coro_sched *s = coro_S;
    coro__inject_slowdown();
    if (CORO_LIKELY(!s || !s->world)) { /* one worker: no lock */
        int rc = try_put_locked(s, q, item);
        if (rc != CORO_EAGAIN) return rc;
        if (!s) return CORO_EPERM;
        return wait_retry(s, q, &q->putters, put_retry, item);
    }
    return put_mn(s, q, item);
}

static __attribute__((noinline)) int get_wait_shared(coro_sched *s, coro_queue_t *q, void **item) {
    int rc = wait_retry(s, q, &q->getters, get_retry_shared, NULL);
    if (rc == 0) *item = coro_S->cur->u.retry_on.arg;
    return rc;
}

int coro_queue_get(coro_queue_t *q, void **item) {
    coro_sched *s = coro_S;
    if (CORO_LIKELY(!s || !s->world)) { /* one worker: no lock */
        int rc = try_get_locked(s, q, item);
        if (rc != CORO_EAGAIN) return rc;
        if (!s) return CORO_EPERM;
        /* Own stack: a tail call, so that the jmp-ended switch that resumes
         * the winner returns straight to this function's caller (sched.c);
         * code after the wait would cost a mispredicted return per item. */
        if (CORO_LIKELY(!s->cur->sstack)) return wait_retry(s, q, &q->getters, get_retry, item);
        return get_wait_shared(s, q, item);
    }
    return get_mn(s, q, item);
}

size_t coro_queue_len(const coro_queue_t *q) {
    return __atomic_load_n(&q->len, __ATOMIC_RELAXED);
}

/* More task_done calls than items are ignored (asyncio raises ValueError). */
void coro_queue_task_done(coro_queue_t *q) {
    coro_sched *s = coro_S;
    int *l = qlock(s, q);
    if (q->unfinished > 0 && --q->unfinished == 0 && s) coro__wake_all(s, &q->joiners);
    qunlock(l);
}

void coro_queue_join(coro_queue_t *q) {
    coro_sched *s = coro_S;
    for (;;) {
        int *l = qlock(s, q);
        if (q->unfinished == 0 || q->closed || !s) {
            qunlock(l);
            return;
        }
        coro__wlist_push(&q->joiners, s->cur);
        s = coro__block(s, s->cur, l);
    }
}

void coro_queue_close(coro_queue_t *q) {
    coro_sched *s = coro_S;
    int *l = qlock(s, q);
    q->closed = 1;
    if (s) {
        coro__wake_all(s, &q->getters);
        coro__wake_all(s, &q->putters);
        coro__wake_all(s, &q->joiners);
    }
    qunlock(l);
}
