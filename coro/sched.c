/* sched.c — the scheduler: one FIFO ready queue per worker, direct switches
 * between coroutines, and a loop on the worker's own stack that only runs
 * when nothing is ready (to sleep until the next timer or descriptor event,
 * to steal work, or to notice a deadlock).
 *
 * A coroutine that yields or blocks switches straight to the next ready one;
 * the scheduler's context is entered only when the ready queue is empty, so a
 * yield costs one context switch, not two. Due timers are collected once per
 * round (the coroutines ready when the round began), as asyncio's loop does,
 * which keeps the clock out of the yield path when no timer is pending.
 *
 * With one worker (world == NULL) nothing here takes a lock. With several
 * (workers.c), three rules keep a coroutine from being resumed on one worker
 * while its context is still being saved on another: a waiter holds its wait
 * object's lock across the switch (unlock_after), a yielder is queued only
 * after it has switched out (ready_after), and a dead coroutine's stack and
 * struct are released only by the next context on its worker (zombie). */
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

/* Not inlined, with a barrier: the compiler may otherwise keep the address of
 * a thread-local from before a switch, and a coroutine can resume on another
 * worker's thread. */
__attribute__((noinline)) coro_sched *coro__sched(void) {
    coro_sched *s = coro_S;
    __asm__ volatile("" ::: "memory");
    return s;
}

/* --- ready queue and wait lists ------------------------------------- */

/* One worker: the queue alone. Several: under rq_lock, with a count that idle
 * workers read to decide whether to steal or park. */
static void rq_push(coro_sched *s, struct coro *c) {
    coro__lock(&s->rq_lock);
    coro__wlist_push(&s->ready, c);
    __atomic_store_n(&s->nready, s->nready + 1, __ATOMIC_RELAXED);
    coro__unlock(&s->rq_lock);
}

void coro__make_ready_mn(coro_sched *s, struct coro *c) {
    if (c == s->cur) {
        /* Its own timer (or fd) fired while it is still switching out, inside
         * coro__block: queue it only once switched out, or a thief could
         * resume it on another worker while it still runs here. */
        s->ready_after = c;
        return;
    }
    rq_push(s, c);
    coro__world_notify(s->world);
}

/* A wake-up by the running coroutine goes to this worker's runnext slot, as
 * Go's runnext and Tokio's LIFO slot: the waker is about to block or yield
 * more often than not (a producer and consumer hand items back and forth),
 * and the woken one then runs here at once, its data still in this core's
 * cache, instead of at the tail of a queue another worker steals from, which
 * splits the pair across cores and wakes a parked worker for every item.
 * So no parked worker is woken for it; a thief takes it only on its last
 * pass and only when this worker made no progress for a while (workers.c).
 * The previous occupant of the slot, bumped, goes to the tail as any
 * wake-up. Wake-ups from the worker's own loop (timers, descriptors) and
 * self wake-ups keep the queue path. */
void coro__wake_mn(coro_sched *s, struct coro *c) {
    if (c == s->cur || s->cur == &s->sched) {
        coro__make_ready_mn(s, c);
        return;
    }
    /* Only this worker fills the slot and thieves only empty it: an empty
     * slot can be filled with a plain store. */
    if (!__atomic_load_n(&s->runnext, __ATOMIC_RELAXED)) {
        __atomic_store_n(&s->runnext, c, __ATOMIC_RELEASE);
        return;
    }
    struct coro *old = __atomic_exchange_n(&s->runnext, c, __ATOMIC_ACQ_REL);
    if (old) coro__make_ready_mn(s, old);
}

/* The runnext coroutine, unless CORO_RUNNEXT_CAP of them ran in a row: then
 * it goes to the tail (without waking anyone: this worker runs it soon), so
 * a pair that keeps waking each other lets the rest of the queue run. */
static CORO_ALWAYS_INLINE struct coro *take_runnext(coro_sched *s) {
    if (CORO_LIKELY(!__atomic_load_n(&s->runnext, __ATOMIC_RELAXED))) return NULL;
    struct coro *c = __atomic_exchange_n(&s->runnext, NULL, __ATOMIC_ACQUIRE);
    if (!c) return NULL; /* stolen meanwhile */
    if (s->runnext_streak < CORO_RUNNEXT_CAP) {
        s->runnext_streak++;
        return c;
    }
    rq_push(s, c);
    return NULL;
}

/* A round ends when every coroutine that was ready at its start has been
 * dispatched; due timers and descriptor events join the tail then. With one
 * worker the round is marked by the coroutine that was the tail when it
 * began (round_last), which costs a compare per dispatch and no counters. */
__attribute__((noinline)) static void collect_due(coro_sched *s) {
    if (s->nheap) coro__timers_collect(s, coro__now_ns());
    if (coro__io_waiters(s->io)) coro__io_poll(s, 0);
}

static CORO_ALWAYS_INLINE int start_round(coro_sched *s) {
    if (CORO_UNLIKELY(s->nheap || coro__io_waiters(s->io))) collect_due(s);
    s->round_last = s->ready.tail;
    return s->round_last != NULL;
}

/* Several workers: stealers take from the queue too, so count instead. */
__attribute__((noinline)) static struct coro *next_ready_mn(coro_sched *s) {
    __atomic_store_n(&s->ticks, s->ticks + 1, __ATOMIC_RELAXED);
    struct coro *c = take_runnext(s);
    if (c) return c;
    s->runnext_streak = 0;
    if (s->round_left == 0) {
        if (s->nheap) coro__timers_collect(s, coro__now_ns());
        if (coro__io_waiters(s->io)) coro__io_poll(s, 0);
        s->round_left = __atomic_load_n(&s->nready, __ATOMIC_RELAXED);
        if (s->round_left == 0) return NULL;
    }
    coro__lock(&s->rq_lock);
    c = s->ready.head;
    if (c) {
        if (!(s->ready.head = c->next)) s->ready.tail = NULL;
        __atomic_store_n(&s->nready, s->nready - 1, __ATOMIC_RELAXED);
    }
    coro__unlock(&s->rq_lock);
    if (!c) { /* stolen meanwhile */
        s->round_left = 0;
        return NULL;
    }
    s->round_left--;
    return c;
}

/* The next coroutine to run, or NULL. A queue waiter that comes up is
 * finished here, at the moment it would have run and re-checked the queue
 * itself (coro__wait_op): if it lost the race it goes back to the tail of its
 * wait list without being switched to, and the next one is taken. */
static CORO_ALWAYS_INLINE struct coro *next_ready(coro_sched *s) {
    if (CORO_UNLIKELY(s->world)) return next_ready_mn(s);
    for (;;) {
        if (CORO_UNLIKELY(!s->round_last) && !start_round(s)) return NULL;
        struct coro *c = s->ready.head;
        if (!(s->ready.head = c->next)) s->ready.tail = NULL;
        if (c == s->round_last) s->round_last = NULL;
        if (CORO_LIKELY(!c->retry) || c->retry(s, c)) return c;
    }
}

int coro__claim(struct coro *c, uint64_t seq) {
    uint64_t want = seq;
    return __atomic_compare_exchange_n(&c->wake_token, &want, 0, 0, __ATOMIC_ACQ_REL,
                                       __ATOMIC_RELAXED);
}

/* --- struct lifetime ------------------------------------------------- */

/* Structs come from an arena of chunks per worker, recycled through a free
 * list; the end of the run frees whole chunks, so nothing needs a list of
 * every coroutine (unjoined or deadlocked ones included). */
#define CORO_CHUNK 256
struct coro_chunk {
    struct coro_chunk *next;
    struct coro slot[CORO_CHUNK];
};

static struct coro *alloc_struct(coro_sched *s) {
    struct coro *c = s->free_structs;
    if (CORO_LIKELY(c)) {
        s->free_structs = c->next;
        return c;
    }
    if (!s->chunks || s->chunk_used == CORO_CHUNK) {
        struct coro_chunk *k = calloc(1, sizeof *k);
        if (!k) return NULL;
        k->next = s->chunks;
        s->chunks = k;
        s->chunk_used = 0;
    }
    return &s->chunks->slot[s->chunk_used++];
}

static void free_struct(coro_sched *s, struct coro *c) {
    c->next = s->free_structs;
    s->free_structs = c;
}

/* 2 references: the coroutine's own (dropped when its stack is reaped after
 * its last switch) and its handle's (dropped by coro_join). */
static inline void drop_ref(coro_sched *s, struct coro *c) {
    int left = s->world ? __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) : --c->refs;
    if (left == 0) free_struct(s, c);
}

/* --- switching -------------------------------------------------------- */

/* Releases the stacks of coroutines that ended and have since been switched
 * away from. A list, not one slot: a yield that tail-jumps into its peer
 * (coro_yield) skips this step, so several may be waiting. */
__attribute__((noinline)) static void reap(coro_sched *s) {
    struct coro *z;
    while ((z = s->zombie)) {
        s->zombie = z->next;
        if (z->stack)
            coro__stack_put(s, z->stack);
        else
            coro__sstack_release(s, z);
        z->stack = NULL;
        z->canary = NULL;
#ifdef CORO_TSAN
        __tsan_destroy_fiber(z->tsan_fiber);
        z->tsan_fiber = NULL;
#endif
        drop_ref(s, z);
    }
}

/* What the previous context on this worker left to do once it was saved. */
static void finish_handoff(coro_sched *s) {
    if (s->zombie) reap(s);
    if (s->unlock_after) {
        coro__unlock(s->unlock_after);
        s->unlock_after = NULL;
    }
    if (s->ready_after) {
        struct coro *c = s->ready_after;
        s->ready_after = NULL;
        coro__make_ready(s, c);
    }
}

#ifdef CORO_ASAN
#define ASAN_FAKE(c) ((c)->asan_fake)
#else
#define ASAN_FAKE(c) NULL
#endif

static inline void asan_finish(coro_sched *s, void *fake) {
#ifdef CORO_ASAN
    const void *ob;
    size_t os;
    __sanitizer_finish_switch_fiber(fake, &ob, &os);
    if (s->asan_prev == &s->sched) s->sched.asan_bottom = ob, s->sched.asan_size = os;
    if (s->asan_prev) coro__sstack_switched_out(s->asan_prev);
#else
    (void)s, (void)fake;
#endif
}

/* Switches from `from` (the running context) to `to`, and returns the
 * scheduler of the worker `from` resumed on. When `from` has ended (dying),
 * it is never resumed: ASan is told to drop its fake stack. */
static CORO_ALWAYS_INLINE coro_sched *switch_to(coro_sched *s, struct coro *from, struct coro *to,
                                                int dying) {
    coro__check_sp(from);
    to = coro__prepare_to(s, from, to);
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
    s->st.switches++;
    /* A fresh context is entered by the jmp-ended switch, and (one worker)
     * leaves by coro__ctx_exit's `ret`: the return-stack entry this call
     * pushes is popped by that `ret`, as for a called function, where a
     * `ret` into coro_rawctx_entry here would be mispredicted and leave the
     * predictor one entry off for the returns after it. */
#ifdef CORO_FRESH_EXIT
    if (CORO_UNLIKELY(to->fresh)) {
        to->fresh = 0;
        coro__ctx_switch_jmp(&from->ctx, &to->ctx);
    } else {
        coro__ctx_switch(&from->ctx, &to->ctx);
    }
#else
    coro__ctx_switch(&from->ctx, &to->ctx);
#endif
    /* Resumed, possibly on another worker. */
    if (CORO_UNLIKELY(s->world)) {
        s = coro__sched();
        asan_finish(s, ASAN_FAKE(from));
        finish_handoff(s);
        return s;
    }
    asan_finish(s, ASAN_FAKE(from));
    if (s->zombie) reap(s);
    return s;
}

coro_sched *coro__block(coro_sched *s, struct coro *self, int *held) {
    self->wait_seq++;
    __atomic_store_n(&self->wake_token, self->wait_seq, __ATOMIC_RELEASE);
    s->unlock_after = held;
    struct coro *n = next_ready(s);
    return switch_to(s, self, n ? n : &s->sched, 0);
}

#if !defined(CORO_ASAN) && !defined(CORO_TSAN)
/* A switch reached by a tail call (coro_yield, coro__wait_op): the
 * jmp-ended primitive sends self, when resumed, straight back to its
 * caller's caller with its resume_rc; no `ret` to mispredict. The
 * post-switch chores (reap) are left to the next ordinary resume.
 * Sanitizer builds use switch_to instead: they must see every switch finish. */
static CORO_ALWAYS_INLINE int jump_to(coro_sched *s, struct coro *self, struct coro *n) {
    coro__check_sp(self);
    n = coro__prepare_to(s, self, n);
    s->cur = n;
    s->st.switches++;
    return coro__ctx_switch_jmp(&self->ctx, &n->ctx);
}
#endif

int coro__wait_op(coro_sched *s, struct coro *self) {
    self->wait_seq++; /* older timers are stale; none can claim this wait */
    __atomic_store_n(&self->wake_token, 0, __ATOMIC_RELAXED);
    struct coro *n = next_ready(s);
    if (!n) n = &s->sched;
    if (n == self) return self->resume_rc; /* woken and finished while choosing */
#if !defined(CORO_ASAN) && !defined(CORO_TSAN)
    return jump_to(s, self, n);
#else
    switch_to(s, self, n, 0); /* sanitizers must see every switch finish */
    return self->resume_rc;
#endif
}

/* --- life of a coroutine ---------------------------------------------- */

/* First code of every coroutine, one worker: no locks, no migration. */
static void entry_one(void *p) {
    struct coro *self = p;
    coro_sched *s = coro_S; /* the first read in this function: fresh */
    asan_finish(s, NULL);
    if (s->zombie) reap(s);

    self->u.start.fn(self->u.start.arg);

    coro__check_canary(self);
    self->done = 1;
    s->st.live--;
    if (self->joiner) coro__wake(s, self->joiner);
    self->next = s->zombie; /* its stack is released by whoever runs next here */
    s->zombie = self;
    struct coro *n = next_ready(s);
#ifdef CORO_FRESH_EXIT
    /* Its last switch, a tail call: see coro__ctx_exit. The stack it leaves
     * is released by the next context here (zombie), so nothing needs saving. */
    coro__check_sp(self);
    n = coro__prepare_to(s, self, n ? n : &s->sched);
    s->cur = n;
    s->st.switches++;
    if (CORO_UNLIKELY(n->fresh)) {
        n->fresh = 0;
        coro__ctx_switch_jmp(&self->ctx, &n->ctx);
        __builtin_unreachable();
    }
    coro__ctx_exit(&n->ctx);
#else
    switch_to(s, self, n ? n : &s->sched, 1); /* sanitizers must see every switch finish */
    __builtin_unreachable();
#endif
}

/* The same with several workers: it may end on another thread. */
static void entry_mn(void *p) {
    struct coro *self = p;
    coro_sched *s = coro_S;
    asan_finish(s, NULL);
    finish_handoff(s);

    self->u.start.fn(self->u.start.arg);

    s = coro__sched(); /* may have migrated */
    coro__check_canary(self);
    coro__lock(&self->lock);
    self->done = 1;
    struct coro *joiner = self->joiner;
    coro__unlock(&self->lock);
    if (joiner) coro__wake(s, joiner);
    if (__atomic_sub_fetch(&s->world->live, 1, __ATOMIC_ACQ_REL) == 0) coro__exit_world(s);
    self->next = s->zombie;
    s->zombie = self;
    struct coro *n = next_ready(s);
    switch_to(s, self, n ? n : &s->sched, 1);
    __builtin_unreachable();
}

void coro_spawn_opts_init(coro_spawn_opts *o) {
    o->stack_size = CORO_DEFAULT_STACK;
    o->stack_mode = CORO_STACK_OWN;
}

/* A shared-stack spawn's options: 0, or why not. */
static int check_shared(const coro_sched *s, const coro_spawn_opts *o) {
    if (o->stack_mode != CORO_STACK_SHARED) return CORO_EINVAL;
    if (o->stack_size > CORO_SHARED_STACK) return CORO_EINVAL;
    if (s->world) return CORO_ENOTSUP; /* see coro.h: it may resume only on this worker */
    return 0;
}

/* Lays out the first frame of c on its own stack. */
static CORO_ALWAYS_INLINE void start_on_own_stack(coro_sched *s, struct coro *c) {
    if (!c->stack->guarded) c->canary = (uint64_t *)c->stack->lo; /* not written: see stack.c */
    coro_rawctx_make(&c->ctx, c->stack->lo, c->stack->size, s->world ? entry_mn : entry_one, c);
}

/* give_stack's other cases: the shared stack; with one worker the promise
 * of a stack at the first run (stack.c: a burst of children that end without
 * suspending then share a few warm stacks); with several workers a stack at
 * once (a promise is a count of this worker's pool, and the coroutine may
 * first run on another). */
__attribute__((noinline)) static int give_stack_slow(coro_sched *s, struct coro *c, size_t want,
                                                     int shared) {
    if (shared) {
        c->stack = NULL;
        c->prep = CORO_PREP_SHARED;
        return coro__sstack_attach(s, c, entry_one);
    }
    if (!s->world) {
        int cls = coro__stack_promise(s, want);
        if (cls < 0) return cls;
        c->stack = NULL;
        c->stack_cls = (unsigned char)cls;
        c->prep = CORO_PREP_STACK;
        return 0;
    }
    c->stack = coro__stack_get(s, want);
    if (!c->stack) return CORO_ENOMEM;
    start_on_own_stack(s, c);
    return 0;
}

/* Gives c its stack: a recycled one, the common case of a spawn (promises
 * count on never-used slots only, so any recycled stack is free to take),
 * or give_stack_slow's. */
static CORO_ALWAYS_INLINE int give_stack(coro_sched *s, struct coro *c, size_t want, int shared) {
    c->sstack = NULL;
    c->prep = 0;
    if (CORO_LIKELY(want == CORO_DEFAULT_STACK && !shared) &&
        CORO_LIKELY((c->stack = coro__stack_spare_default(s)) != NULL)) {
        start_on_own_stack(s, c);
        return 0;
    }
    return give_stack_slow(s, c, want, shared);
}

/* A promised stack taken at the coroutine's first run (coro__prepare_to). */
__attribute__((noinline)) struct coro *coro__first_run(coro_sched *s, struct coro *to) {
    to->stack = coro__stack_claim(s, to->stack_cls);
    to->prep = 0;
    start_on_own_stack(s, to);
    return to;
}

coro_t *coro_spawn_ex(void (*fn)(void *), void *arg, const coro_spawn_opts *o) {
    coro_sched *s = coro_S;
    int err;
    if (CORO_UNLIKELY(!s)) return coro__set_error(CORO_EPERM), NULL;
    if (CORO_UNLIKELY(!fn)) return coro__set_error(CORO_EINVAL), NULL;
    if (CORO_UNLIKELY(s->zombie)) reap(s);
    size_t want = o && o->stack_size ? o->stack_size : CORO_DEFAULT_STACK;
    if (want < CORO_MIN_STACK) want = CORO_MIN_STACK;
    int shared = o && o->stack_mode;
    if (CORO_UNLIKELY(shared) && (err = check_shared(s, o)) != 0) return coro__set_error(err), NULL;

    struct coro *c = alloc_struct(s);
    if (CORO_UNLIKELY(!c)) return coro__set_error(CORO_ENOMEM), NULL;
    /* Field by field, not memset: a rep stos here was half the spawn cost. */
    c->resume_rc = 0;
    c->retry = NULL;
    c->joiner = NULL;
    c->canary = NULL;
    c->wait_seq = 0;
    c->wake_token = 0;
    c->lock = 0;
    c->done = 0;
    c->fresh = 1;
    c->refs = 2;
#ifdef CORO_ASAN
    c->asan_fake = NULL;
    c->asan_bottom = NULL;
    c->asan_size = 0;
#endif
    if (CORO_UNLIKELY((err = give_stack(s, c, want, shared)) != 0)) {
        free_struct(s, c);
        return coro__set_error(err), NULL;
    }
#ifdef CORO_TSAN
    c->tsan_fiber = __tsan_create_fiber(0);
#endif
    c->u.start.fn = fn;
    c->u.start.arg = arg;
    s->st.spawned++;
    if (s->world) {
        c->id = __atomic_add_fetch(&s->world->next_id, 1, __ATOMIC_RELAXED);
        uint64_t live = (uint64_t)__atomic_add_fetch(&s->world->live, 1, __ATOMIC_ACQ_REL);
        if (live > s->st.peak_live) s->st.peak_live = live;
    } else {
        c->id = ++s->next_id;
        if (++s->st.live > s->st.peak_live) s->st.peak_live = s->st.live;
    }
    coro__make_ready(s, c);
    return c;
}

coro_t *coro_spawn(void (*fn)(void *), void *arg) {
    return coro_spawn_ex(fn, arg, NULL);
}

int coro_join(coro_t *c) {
    coro_sched *s = coro_S;
    if (!s) return CORO_EPERM;
    struct coro *self = s->cur;
    if (!c || c == self) return CORO_EINVAL;
    if (s->world) {
        coro__lock(&c->lock);
        if (c->joiner) {
            coro__unlock(&c->lock);
            return CORO_EINVAL;
        }
        c->joiner = self;
        if (!c->done)
            s = coro__block(s, self, &c->lock); /* c's end wakes us */
        else
            coro__unlock(&c->lock);
    } else {
        if (c->joiner) return CORO_EINVAL;
        c->joiner = self;
        if (!c->done) s = coro__block(s, self, NULL);
    }
    drop_ref(s, c);
    return 0;
}

coro_t *coro_self(void) {
    return coro_S ? coro_S->cur : NULL;
}
uint64_t coro_id(const coro_t *c) {
    return c ? c->id : 0;
}
int coro_worker_id(void) {
    return coro_S ? (int)coro_S->wid : -1;
}

void coro_yield(void) {
    coro_sched *s = coro_S;
    if (CORO_UNLIKELY(!s)) return;
    coro__inject_slowdown();
    struct coro *self = s->cur;
    if (CORO_LIKELY(!s->world)) {
        coro__wlist_push(&s->ready, self);
        struct coro *n = next_ready(s);
        if (n == self) return;
#if !defined(CORO_ASAN) && !defined(CORO_TSAN)
        jump_to(s, self, n); /* a tail call: resumed, we return to our caller */
#else
        switch_to(s, self, n, 0); /* sanitizers must see every switch finish */
#endif
        return;
    }
    /* M:N: queue ourselves only once switched out, or a thief could resume us
     * while we still run here. Nothing else ready here: keep running. */
    struct coro *n = next_ready(s);
    if (!n) return;
    s->ready_after = self;
    switch_to(s, self, n, 0);
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
    struct coro *self = s->cur;
    if (coro__timer_add(s, dl, self, self->wait_seq + 1) != 0) {
        /* No memory for the timer: wait by yielding, still honouring ns. */
        while (coro__now_ns() < dl) coro_yield();
        return;
    }
    coro__block(s, self, NULL);
}

int coro_get_stats(coro_stats *out) {
    coro_sched *s = coro_S;
    if (!s) return CORO_EPERM;
    *out = s->st;
    if (s->world) out->live = (uint64_t)__atomic_load_n(&s->world->live, __ATOMIC_RELAXED);
    return 0;
}

/* --- a scheduler's life ----------------------------------------------- */

int coro__init_sched(coro_sched *s) {
    memset(s, 0, sizeof *s);
    s->own_io.epfd = s->own_io.wakefd = -1;
    s->io = &s->own_io;
    s->cur = &s->sched;
#ifdef CORO_TSAN
    s->sched.tsan_fiber = __tsan_get_current_fiber();
#endif
    return 0;
}

/* Frees what one scheduler owns. Coroutines never joined, or left waiting
 * by a deadlock, never run again: their stacks vanish with the slabs and
 * their structs with the chunks. */
void coro__free_sched(coro_sched *s) {
    while (s->chunks) {
        struct coro_chunk *k = s->chunks;
        s->chunks = k->next;
        for (unsigned i = 0; i < CORO_CHUNK; i++) {
            free(k->slot[i].image); /* shared-stack ones that never ended */
#ifdef CORO_TSAN
            if (k->slot[i].tsan_fiber) __tsan_destroy_fiber(k->slot[i].tsan_fiber);
#endif
        }
        free(k);
    }
    s->free_structs = NULL;
    coro__timers_free(s);
    coro__io_free(&s->own_io);
    coro__stack_release_all(s);
    coro__sstack_free(s);
    coro__overflow_remove(s);
}

/* The loop of a one-worker scheduler, on coro_run()'s stack. */
static void loop_one(coro_sched *s) {
    for (;;) {
        struct coro *n = s->pending; /* a shared-stack coroutine to copy in and run */
        if (n)
            s->pending = NULL;
        else
            n = next_ready(s);
        if (n) {
            switch_to(s, &s->sched, n, 0);
            continue;
        }
        /* Every coroutine ended: done, even if timers of finished waits
         * (an fd event beat its timeout) are still in the heap. */
        if (s->st.live == 0 || (!s->nheap && !coro__io_waiters(s->io))) break;
        /* Nothing ready: sleep in the kernel until the earliest deadline,
         * in epoll_wait when coroutines wait on descriptors. */
        uint64_t dl = s->nheap ? s->heap[0].deadline : UINT64_MAX;
        if (coro__io_waiters(s->io)) {
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
        s->round_last = s->ready.tail;
    }
}

/* Runs one ready coroutine from the worker's loop; 0 if none is ready. */
int coro__dispatch(coro_sched *s) {
    struct coro *n = next_ready(s);
    if (!n) return 0;
    switch_to(s, &s->sched, n, 0);
    return 1;
}

int coro_run(void (*main)(void *), void *arg) {
    if (coro_S) return CORO_EPERM;
    if (!main) return CORO_EINVAL;
    coro_sched *s = malloc(sizeof *s);
    if (!s) return CORO_ENOMEM;
    coro__init_sched(s);
    coro_S = s;
    coro__overflow_install(s); /* best effort: without it an overflow is a plain SIGSEGV */
    int rc = 0;
    if (!coro_spawn(main, arg)) {
        rc = coro_last_error();
    } else {
        loop_one(s);
        if (s->st.live) rc = CORO_EDEADLK;
    }
    coro__free_sched(s);
    coro_S = NULL;
    free(s);
    return rc;
}
