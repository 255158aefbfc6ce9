/* sched.c — the scheduler: one FIFO ready queue, direct switches between
 * coroutines, and a loop on coro_run()'s own stack that only runs when nothing
 * is ready (to sleep until the next timer, or to notice a deadlock).
 *
 * A coroutine that yields or blocks switches straight to the next ready one;
 * the scheduler's context is entered only when the ready queue is empty, so a
 * yield costs one context switch, not two. Due timers are collected once per
 * round (the coroutines ready when the round began), as asyncio's loop does,
 * which keeps the clock out of the yield path when no timer is pending. */
#include "coro_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef CORO_ASAN
#include <sanitizer/common_interface_defs.h>
#endif
#ifdef CORO_TSAN
#include <sanitizer/tsan_interface.h>
#endif

__thread coro_sched *coro_S;
static __thread int coro_errno_;

void coro__set_error(int e) {
    coro_errno_ = e;
}
int coro_last_error(void) {
    return coro_errno_;
}

/* --- ready queue and wait lists ------------------------------------- */

void coro__make_ready(coro_sched *s, struct coro *c) {
    c->state = CORO_READY;
    c->next = NULL;
    if (s->rtail)
        s->rtail->next = c;
    else
        s->rhead = c;
    s->rtail = c;
    s->nready++;
}

/* The next coroutine to run, or NULL. A round ends when every coroutine that
 * was ready at its start has been dispatched; due timers join the tail then. */
static struct coro *next_ready(coro_sched *s) {
    if (s->round_left == 0) {
        if (s->nheap) coro__timers_collect(s, coro__now_ns());
        if (s->io_waiters) coro__io_poll(s, 0);
        s->round_left = s->nready;
        if (s->round_left == 0) return NULL;
    }
    struct coro *c = s->rhead;
    s->rhead = c->next;
    if (!s->rhead) s->rtail = NULL;
    s->nready--;
    s->round_left--;
    return c;
}

void coro__wlist_push(coro_wlist *w, struct coro *c) {
    c->next = NULL;
    if (w->tail)
        w->tail->next = c;
    else
        w->head = c;
    w->tail = c;
}

struct coro *coro__wlist_pop(coro_wlist *w) {
    struct coro *c = w->head;
    if (c) {
        w->head = c->next;
        if (!w->head) w->tail = NULL;
    }
    return c;
}

void coro__wake_one(coro_sched *s, coro_wlist *w) {
    struct coro *c = coro__wlist_pop(w);
    if (c) coro__make_ready(s, c);
}

void coro__wake_all(coro_sched *s, coro_wlist *w) {
    struct coro *c;
    while ((c = coro__wlist_pop(w))) coro__make_ready(s, c);
}

/* --- switching -------------------------------------------------------- */

static void reap(coro_sched *s);

/* Switches from `from` (the running context) to `to`. When `from` has ended
 * (dying), it is never resumed: ASan is told to drop its fake stack. */
static inline void switch_to(coro_sched *s, struct coro *from, struct coro *to, int dying) {
    if (from->canary && CORO_UNLIKELY(*from->canary != 0)) coro__overflow_report(from);
#ifdef CORO_ASAN
    const void *bottom = to->stack ? (const void *)to->stack->lo : to->asan_bottom;
    size_t size = to->stack ? to->stack->size : to->asan_size;
    s->asan_prev = from;
    __sanitizer_start_switch_fiber(dying ? NULL : &from->asan_fake, bottom, size);
#else
    (void)dying;
#endif
#ifdef CORO_TSAN
    __tsan_switch_to_fiber(to->tsan_fiber, 0);
#endif
    s->cur = to;
    to->state = CORO_RUNNING;
    s->st.switches++;
    coro__ctx_switch(&from->ctx, &to->ctx);
    /* Resumed: `from` runs again (s may have been re-read by the caller). */
#ifdef CORO_ASAN
    const void *ob;
    size_t os;
    __sanitizer_finish_switch_fiber(from->asan_fake, &ob, &os);
    if (s->asan_prev == &s->sched) s->sched.asan_bottom = ob, s->sched.asan_size = os;
#endif
    if (s->zombie) reap(s);
}

/* The running coroutine waits: someone else will make it ready again. */
void coro__block(coro_sched *s, struct coro *self) {
    self->state = CORO_WAITING;
    self->wait_seq++;
    struct coro *n = next_ready(s);
    switch_to(s, self, n ? n : &s->sched, 0);
}

/* --- life of a coroutine ---------------------------------------------- */

static void reap(coro_sched *s) {
    struct coro *z = s->zombie;
    s->zombie = NULL;
    coro__stack_put(s, z->stack);
    z->stack = NULL;
    z->canary = NULL;
#ifdef CORO_TSAN
    __tsan_destroy_fiber(z->tsan_fiber);
    z->tsan_fiber = NULL;
#endif
}

static void entry(void *p) {
    struct coro *self = p;
    coro_sched *s = coro_S;
#ifdef CORO_ASAN
    const void *ob;
    size_t os;
    __sanitizer_finish_switch_fiber(NULL, &ob, &os);
    if (s->asan_prev == &s->sched) s->sched.asan_bottom = ob, s->sched.asan_size = os;
#endif
    if (s->zombie) reap(s);

    self->fn(self->arg);
    if (self->canary && CORO_UNLIKELY(*self->canary != 0)) coro__overflow_report(self);

    s = coro_S;
    self->state = CORO_DONE;
    s->st.live--;
    if (self->joiner) coro__make_ready(s, self->joiner);
    s->zombie = self; /* its stack is released by whoever runs next */
    struct coro *n = next_ready(s);
    switch_to(s, self, n ? n : &s->sched, 1);
    __builtin_unreachable();
}

void coro_spawn_opts_init(coro_spawn_opts *o) {
    o->stack_size = CORO_DEFAULT_STACK;
}

coro_t *coro_spawn_ex(void (*fn)(void *), void *arg, const coro_spawn_opts *o) {
    coro_sched *s = coro_S;
    if (CORO_UNLIKELY(!s)) return coro__set_error(CORO_EPERM), NULL;
    if (CORO_UNLIKELY(!fn)) return coro__set_error(CORO_EINVAL), NULL;
    size_t want = o && o->stack_size ? o->stack_size : CORO_DEFAULT_STACK;
    if (want < CORO_MIN_STACK) want = CORO_MIN_STACK;

    struct coro *c = s->free_structs;
    if (c)
        s->free_structs = c->next;
    else if (!(c = malloc(sizeof *c)))
        return coro__set_error(CORO_ENOMEM), NULL;
    /* Field by field, not memset: a rep stos here was half the spawn cost. */
    c->joiner = NULL;
    c->canary = NULL;
    c->wait_seq = 0;
    c->io_events = 0;
    c->all_prev = NULL;
#ifdef CORO_ASAN
    c->asan_fake = NULL;
    c->asan_bottom = NULL;
    c->asan_size = 0;
#endif
    c->stack = coro__stack_get(s, want);
    if (CORO_UNLIKELY(!c->stack)) {
        c->next = s->free_structs;
        s->free_structs = c;
        return coro__set_error(CORO_ENOMEM), NULL;
    }
    if (!c->stack->guarded) c->canary = (uint64_t *)c->stack->lo; /* not written: see stack.c */
#ifdef CORO_TSAN
    c->tsan_fiber = __tsan_create_fiber(0);
#endif
    c->fn = fn;
    c->arg = arg;
    c->id = ++s->next_id;
    coro_rawctx_make(&c->ctx, c->stack->lo, c->stack->size, entry, c);
    c->all_next = s->all;
    if (s->all) s->all->all_prev = c;
    s->all = c;
    s->st.spawned++;
    if (++s->st.live > s->st.peak_live) s->st.peak_live = s->st.live;
    coro__make_ready(s, c);
    return c;
}

coro_t *coro_spawn(void (*fn)(void *), void *arg) {
    return coro_spawn_ex(fn, arg, NULL);
}

static void unlink_free(coro_sched *s, struct coro *c) {
    if (c->all_prev)
        c->all_prev->all_next = c->all_next;
    else
        s->all = c->all_next;
    if (c->all_next) c->all_next->all_prev = c->all_prev;
    c->next = s->free_structs;
    s->free_structs = c;
}

int coro_join(coro_t *c) {
    coro_sched *s = coro_S;
    if (!s) return CORO_EPERM;
    if (!c || c == s->cur || c->joiner) return CORO_EINVAL;
    if (c->state != CORO_DONE) {
        c->joiner = s->cur;
        coro__block(s, s->cur); /* only c's end makes us ready again */
    }
    unlink_free(s, c);
    return 0;
}

coro_t *coro_self(void) {
    return coro_S ? coro_S->cur : NULL;
}
uint64_t coro_id(const coro_t *c) {
    return c ? c->id : 0;
}

void coro_yield(void) {
    coro_sched *s = coro_S;
    if (CORO_UNLIKELY(!s)) return;
    coro__inject_slowdown();
    struct coro *self = s->cur;
    coro__make_ready(s, self);
    struct coro *n = next_ready(s);
    if (n != self)
        switch_to(s, self, n, 0);
    else
        self->state = CORO_RUNNING;
}

void coro_sleep_ns(uint64_t ns) {
    coro_sched *s = coro_S;
    if (!s) return;
    if (ns == 0) {
        coro_yield(); /* asyncio.sleep(0) */
        return;
    }
    uint64_t now = coro__now_ns();
    uint64_t dl = now + ns < now ? UINT64_MAX : now + ns;
    if (coro__timer_add(s, dl, s->cur, s->cur->wait_seq + 1) != 0) {
        /* No memory for the timer: wait by yielding, still honouring ns. */
        while (coro__now_ns() < dl) coro_yield();
        return;
    }
    coro__block(s, s->cur);
}

int coro_get_stats(coro_stats *out) {
    if (!coro_S) return CORO_EPERM;
    *out = coro_S->st;
    return 0;
}

/* --- the loop ---------------------------------------------------------- */

static void free_everything(coro_sched *s) {
    /* Coroutines never joined, or left waiting by a deadlock: they never run
     * again, so their stacks and structs go back. */
    while (s->all) {
        struct coro *c = s->all;
        s->all = c->all_next;
        if (c->stack) coro__stack_put(s, c->stack);
#ifdef CORO_TSAN
        if (c->tsan_fiber) __tsan_destroy_fiber(c->tsan_fiber);
#endif
        free(c);
    }
    while (s->free_structs) {
        struct coro *c = s->free_structs;
        s->free_structs = c->next;
        free(c);
    }
    coro__timers_free(s);
    coro__io_free(s);
    coro__stack_release_all(s);
    coro__overflow_remove(s);
}

int coro_run(void (*main)(void *), void *arg) {
    if (coro_S) return CORO_EPERM;
    if (!main) return CORO_EINVAL;
    coro_sched *s = calloc(1, sizeof *s);
    if (!s) return CORO_ENOMEM;
    coro_S = s;
    s->epfd = -1;
    s->cur = &s->sched;
    s->sched.state = CORO_RUNNING;
#ifdef CORO_TSAN
    s->sched.tsan_fiber = __tsan_get_current_fiber();
#endif
    coro__overflow_install(s); /* best effort: without it an overflow is a plain SIGSEGV */

    int rc = 0;
    if (!coro_spawn(main, arg)) {
        rc = coro_last_error();
    } else {
        for (;;) {
            struct coro *n = next_ready(s);
            if (n) {
                switch_to(s, &s->sched, n, 0);
                continue;
            }
            if (!s->nheap && !s->io_waiters) break;
            /* Nothing ready: sleep in the kernel until the earliest deadline,
             * in epoll_wait when coroutines wait on descriptors. */
            uint64_t dl = s->nheap ? s->heap[0].deadline : UINT64_MAX;
            if (s->io_waiters) {
                uint64_t now = coro__now_ns();
                coro__io_poll(s, dl == UINT64_MAX ? -1 : dl > now ? (int64_t)(dl - now) : 0);
                s->st.idle_sleeps++;
            } else if (coro__now_ns() < dl) {
                struct timespec ts = {(time_t)(dl / 1000000000u), (long)(dl % 1000000000u)};
                while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {
                }
                s->st.idle_sleeps++;
            }
            /* Start a new round with what is due (descriptors were just polled). */
            if (s->nheap) coro__timers_collect(s, coro__now_ns());
            s->round_left = s->nready;
        }
        if (s->st.live) rc = CORO_EDEADLK;
    }
    free_everything(s);
    coro_S = NULL;
    free(s);
    return rc;
}
