/* workers.c — coroutines on several threads (M:N): one scheduler per worker
 * thread with its own ready queue, work stealing when a worker runs dry, and
 * idle workers parked in the kernel.
 *
 * Wake-ups from another worker are never lost: a waker pushes onto its own
 * queue, then reads how many workers are parked with a read-modify-write; a
 * parker counts itself as parked with a read-modify-write, then looks at every
 * queue once more before it sleeps. Both RMWs are on the same variable, so
 * they are ordered, and the later one sees what preceded the earlier (this
 * needs no standalone fence, which TSan cannot model).
 * Workers are pinned one per CPU by default (coro_run_opts.pin, coro.h says
 * why). One parked worker at a time (the poller) sleeps in epoll_wait when
 * coroutines wait on descriptors, the rest on a condition variable; notify()
 * wakes both kinds (an eventfd interrupts the poller).
 *
 * Deadlock: when every worker is parked, no timer is pending and nobody waits
 * on a descriptor, no coroutine can ever be woken: coro_run_ex() returns
 * CORO_EDEADLK, as coro_run() does. */
#include "coro_int.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef CORO_TSAN
#include <sanitizer/tsan_interface.h>
#endif

void coro__spin_slow(int *l) {
    for (unsigned i = 0;; i++) {
        while (__atomic_load_n(l, __ATOMIC_RELAXED)) {
            if (i < 64) {
#if defined(__x86_64__) || defined(__i386__)
                __builtin_ia32_pause();
#endif
            } else {
                sched_yield(); /* the holder may be preempted: let it run */
            }
            i++;
        }
        if (!__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE)) return;
    }
}

void coro_run_opts_init(coro_run_opts *o) {
    o->workers = 1;
    o->pin = 1;
}

/* Chooses a CPU per worker (the i-th of the caller's allowed set) when the
 * set has at least n CPUs; 0 if it did. Best effort: a failure leaves every
 * worker unpinned. */
static int plan_pins(coro_world *w, cpu_set_t *saved) {
    if (pthread_getaffinity_np(pthread_self(), sizeof *saved, saved) != 0) return -1;
    if ((unsigned)CPU_COUNT(saved) < w->n) return -1;
    unsigned i = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE && i < w->n; cpu++)
        if (CPU_ISSET(cpu, saved)) w->w[i++]->cpu = cpu;
    return 0;
}

static void pin_self(const coro_sched *s) {
    if (s->cpu < 0) return;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(s->cpu, &one);
    (void)pthread_setaffinity_np(pthread_self(), sizeof one, &one); /* best effort */
}

static int any_work(coro_world *w) {
    for (unsigned i = 0; i < w->n; i++)
        if (__atomic_load_n(&w->w[i]->nready, __ATOMIC_RELAXED)) return 1;
    return 0;
}

static void poke_poller(coro_world *w) {
    uint64_t one = 1;
    ssize_t k = write(w->io.wakefd, &one, sizeof one);
    (void)k; /* a full counter already means a pending wake-up */
}

void coro__world_notify(coro_world *w) {
    if (__atomic_fetch_add(&w->nparked, 0, __ATOMIC_SEQ_CST) == 0) return;
    pthread_mutex_lock(&w->mu);
    pthread_cond_signal(&w->cv);
    if (w->polling) poke_poller(w);
    pthread_mutex_unlock(&w->mu);
}

void coro__exit_world(coro_sched *s) {
    coro_world *w = s->world;
    pthread_mutex_lock(&w->mu);
    __atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&w->cv);
    pthread_cond_broadcast(&w->up_cv); /* workers still at the start barrier */
    if (w->polling) poke_poller(w);
    pthread_mutex_unlock(&w->mu);
}

/* Takes half of another worker's ready queue (from its head: the oldest);
 * never its runnext (see coro__world_steal_runnext). */
int coro__world_steal(coro_sched *s) {
    coro_world *w = s->world;
    for (unsigned k = 1; k < w->n; k++) {
        coro_sched *v = w->w[(s->wid + k) % w->n];
        if (__atomic_load_n(&v->nready, __ATOMIC_RELAXED) == 0) continue;
        if (!coro__trylock(&v->rq_lock)) continue;
        size_t take = (v->nready + 1) / 2, got = 0;
        struct coro *head = v->ready.head, *tail = NULL;
        for (struct coro *c = head; c && got < take; c = c->next) tail = c, got++;
        if (got) {
            v->ready.head = tail->next;
            if (!v->ready.head) v->ready.tail = NULL;
            __atomic_store_n(&v->nready, v->nready - got, __ATOMIC_RELAXED);
        }
        coro__unlock(&v->rq_lock);
        if (!got) continue;
        tail->next = NULL;
        coro__lock(&s->rq_lock);
        if (s->ready.tail)
            s->ready.tail->next = head;
        else
            s->ready.head = head;
        s->ready.tail = tail;
        __atomic_store_n(&s->nready, s->nready + got, __ATOMIC_RELAXED);
        coro__unlock(&s->rq_lock);
        s->round_left = 0;
        return (int)got;
    }
    return 0;
}

/* How long a worker's runnext must sit while that worker does not dispatch
 * before a thief takes it: Go's runqgrab sleeps 3 us for the same reason
 * before it takes the runnext of a running P (usually the victim is about to
 * run it, and taking it would split a producer-consumer pair across cores). */
#define CORO_RUNNEXT_GRACE_NS 3000

static int runnext_stuck(const coro_sched *v, const struct coro *c, unsigned long t) {
    uint64_t until = coro__now_ns() + CORO_RUNNEXT_GRACE_NS;
    do {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
        if (__atomic_load_n(&v->runnext, __ATOMIC_RELAXED) != c ||
            __atomic_load_n(&v->ticks, __ATOMIC_RELAXED) != t)
            return 0;
    } while (coro__now_ns() < until);
    return 1;
}

/* The last pass before parking: another worker's runnext, if it stays there
 * while that worker does not dispatch (its coroutine computes). */
int coro__world_steal_runnext(coro_sched *s) {
    coro_world *w = s->world;
    for (unsigned k = 1; k < w->n; k++) {
        coro_sched *v = w->w[(s->wid + k) % w->n];
        struct coro *c = __atomic_load_n(&v->runnext, __ATOMIC_RELAXED);
        if (!c) continue;
        unsigned long t = __atomic_load_n(&v->ticks, __ATOMIC_RELAXED);
        if (!runnext_stuck(v, c, t)) continue;
        if (!__atomic_compare_exchange_n(&v->runnext, &c, NULL, 0, __ATOMIC_ACQUIRE,
                                         __ATOMIC_RELAXED))
            continue;
        coro__make_ready_mn(s, c);
        s->round_left = 0;
        return 1;
    }
    return 0;
}

void coro__world_park(coro_sched *s) {
    coro_world *w = s->world;
    uint64_t dl = s->nheap ? s->heap[0].deadline : UINT64_MAX;
    pthread_mutex_lock(&w->mu);
    if (__atomic_load_n(&w->done, __ATOMIC_ACQUIRE)) goto unlock;
    __atomic_add_fetch(&w->nparked, 1, __ATOMIC_SEQ_CST);
    if (any_work(w)) goto out;
    if (__atomic_load_n(&w->nparked, __ATOMIC_RELAXED) == (int)w->n &&
        __atomic_load_n(&w->ntimers, __ATOMIC_RELAXED) == 0 && coro__io_waiters(&w->io) == 0) {
        w->deadlock = 1;
        __atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
        pthread_cond_broadcast(&w->cv);
        goto out;
    }
    if (coro__io_waiters(&w->io) && !w->polling) {
        w->polling = 1;
        pthread_mutex_unlock(&w->mu);
        uint64_t now = coro__now_ns();
        coro__io_poll(s, dl == UINT64_MAX ? -1 : dl > now ? (int64_t)(dl - now) : 0);
        s->st.idle_sleeps++;
        pthread_mutex_lock(&w->mu);
        w->polling = 0;
        goto out;
    }
    if (dl == UINT64_MAX) {
        pthread_cond_wait(&w->cv, &w->mu);
    } else {
        struct timespec ts = {(time_t)(dl / 1000000000u), (long)(dl % 1000000000u)};
        pthread_cond_timedwait(&w->cv, &w->mu, &ts);
    }
    s->st.idle_sleeps++;
out:
    __atomic_sub_fetch(&w->nparked, 1, __ATOMIC_SEQ_CST);
unlock:
    pthread_mutex_unlock(&w->mu);
}

/* The loop of one worker, on its thread's own stack (never migrates). */
void coro__world_loop(coro_sched *s) {
    coro_world *w = s->world;
    for (;;) {
        if (coro__dispatch(s)) continue;
        if (__atomic_load_n(&w->done, __ATOMIC_ACQUIRE)) break;
        if (coro__world_steal(s)) continue;
        if (s->nheap && coro__timers_collect(s, coro__now_ns())) {
            s->round_left = 0;
            continue;
        }
        if (coro__io_waiters(&w->io) && coro__io_poll(s, 0)) continue;
        if (coro__world_steal_runnext(s)) continue;
        coro__world_park(s);
    }
}

static void *worker_main(void *p) {
    coro_sched *s = p;
    coro_S = s;
    pin_self(s);
    /* A start barrier with coro_run_ex (see there): no worker takes work
     * before every worker thread runs. */
    coro_world *w = s->world;
    pthread_mutex_lock(&w->mu);
    w->up++;
    pthread_cond_broadcast(&w->up_cv);
    while (w->up < w->n - 1 && !__atomic_load_n(&w->done, __ATOMIC_RELAXED))
        pthread_cond_wait(&w->up_cv, &w->mu);
    pthread_mutex_unlock(&w->mu);
#ifdef CORO_TSAN
    s->sched.tsan_fiber = __tsan_get_current_fiber();
#endif
    coro__overflow_install(s);
    coro__world_loop(s);
    coro__overflow_remove(s); /* its alternate signal stack belongs to this thread */
    return NULL;
}

static void free_world(coro_world *w, unsigned made) {
    for (unsigned i = 0; i < made; i++) {
        coro__free_sched(w->w[i]);
        free(w->w[i]);
    }
    coro__io_free(&w->io);
    pthread_cond_destroy(&w->cv);
    pthread_cond_destroy(&w->up_cv);
    pthread_mutex_destroy(&w->mu);
    free(w->w);
    free(w);
}

/* A world of n workers' schedulers, none started yet: 0 and *out, or a
 * negative code with nothing left allocated. */
static int new_world(unsigned n, coro_world **out) {
    coro_world *w = calloc(1, sizeof *w);
    if (!w) return CORO_ENOMEM;
    w->n = n;
    w->io.epfd = w->io.wakefd = -1;
    pthread_mutex_init(&w->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* deadlines are CLOCK_MONOTONIC */
    pthread_cond_init(&w->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_cond_init(&w->up_cv, NULL);
    unsigned made = 0;
    int rc = 0;
    if (!(w->w = calloc(n, sizeof *w->w)))
        rc = CORO_ENOMEM;
    else if ((rc = coro__io_init_wake(&w->io)) != 0)
        rc = rc == -ENOMEM ? CORO_ENOMEM : rc;
    for (; !rc && made < n; made++) {
        coro_sched *s = malloc(sizeof *s);
        if (!s) {
            rc = CORO_ENOMEM;
            break;
        }
        coro__init_sched(s);
        s->world = w;
        s->wid = made;
        s->cpu = -1;
        s->io = &w->io;
        w->w[made] = s;
    }
    if (rc) {
        free_world(w, made);
        return rc;
    }
    *out = w;
    return 0;
}

int coro_run_ex(void (*main)(void *), void *arg, const coro_run_opts *o) {
    unsigned n = o ? o->workers : 1;
    if (n == 0 || n > 1024) return CORO_EINVAL;
    if (n == 1) return coro_run(main, arg);
    if (coro_S) return CORO_EPERM;
    if (!main) return CORO_EINVAL;

    coro_world *w;
    int rc = new_world(n, &w);
    if (rc) return rc;
    coro_sched *s0 = w->w[0];
    cpu_set_t saved;
    int pinned = o->pin && plan_pins(w, &saved) == 0;
    pin_self(s0);
    coro_S = s0;
    coro__overflow_install(s0);
    pthread_t *tids = calloc(n, sizeof *tids);
    unsigned started = 1;
    if (!tids)
        rc = CORO_ENOMEM;
    else if (!coro_spawn(main, arg))
        rc = coro_last_error();
    while (!rc && started < n) {
        int e = pthread_create(&tids[started], NULL, worker_main, w->w[started]);
        if (e)
            rc = -e; /* thread limit: report, do not run on fewer workers silently */
        else
            started++;
    }
    if (rc) {
        coro__exit_world(s0);
    } else {
        /* The start barrier: wait until every worker thread runs (they
         * wait too, or one could steal main early). main would otherwise
         * start its work while the others are still being created, and
         * what it times would include their start (thread creation and
         * first scheduling) instead of its own work alone. */
        pthread_mutex_lock(&w->mu);
        while (w->up < started - 1) pthread_cond_wait(&w->up_cv, &w->mu);
        pthread_mutex_unlock(&w->mu);
        coro__world_loop(s0);
    }
    for (unsigned i = 1; i < started; i++) pthread_join(tids[i], NULL);
    free(tids);
    if (!rc && w->deadlock) rc = CORO_EDEADLK;
    if (pinned) (void)pthread_setaffinity_np(pthread_self(), sizeof saved, &saved);
    coro_S = NULL;
    free_world(w, n);
    return rc;
}
