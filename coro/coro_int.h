/* coro_int.h — the runtime's private structures, shared by its source files
 * (sched.c, stack.c, timer.c, queue.c, event.c). Not installed. */
#ifndef CORO_INT_H
#define CORO_INT_H

#include "coro.h"
#include "arch/frame.h"

#include <stdint.h>
#include <stddef.h>
#include <pthread.h>
#include <sys/epoll.h>

#if defined(__SANITIZE_ADDRESS__)
#define CORO_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CORO_ASAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define CORO_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CORO_TSAN 1
#endif
#endif

/* For the few helpers on every switch, where GCC's size heuristics must not win. */
#define CORO_ALWAYS_INLINE inline __attribute__((always_inline))
#define CORO_LIKELY(x) __builtin_expect(!!(x), 1)
#define CORO_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* A stack carved from a slab (stack.c). The descriptor lives in the top bytes
 * of the stack's own memory, so a pooled stack costs no extra allocation and
 * the page it sits on is the one the coroutine's first frame touches anyway. */
typedef struct coro_stack {
    char *lo;                /* lowest usable byte (just above the guard page, if any) */
    size_t size;             /* usable bytes, descriptor excluded */
    struct coro_stack *next; /* pool free list */
    unsigned vg_id;          /* valgrind stack registration */
    unsigned cls;            /* size class index */
    int guarded;             /* a guard page lies just below lo: CORO_GUARD_REGION or
                                CORO_GUARD_MPROTECT (stack.c), 0 none */
    int guard_tried;         /* the guard was set (or refused) at first use */
} coro_stack;
#define CORO_GUARD_REGION 1
#define CORO_GUARD_MPROTECT 2

struct coro;
struct coro_sched;

/* A worker's shared stack (CORO_STACK_SHARED, sstack.c): the coroutine whose
 * bytes are on it now (running, or suspended and not yet copied out). */
typedef struct coro_sstack {
    char *lo;    /* lowest usable byte, above the guard page */
    size_t size; /* usable bytes */
    char *map;   /* the mapping, guard page included */
    size_t map_len;
    struct coro *owner;
    void (*entry)(void *); /* first code of a coroutine (sched.c's entry_one) */
    unsigned vg_id;
} coro_sstack;
/* A wait that the dispatcher finishes (see coro__wait_op): called when the
 * waiter comes up in the ready queue, it retries the operation on the waiter's
 * behalf. 1: done, the result is in resume_rc; 0: lost the race, the waiter
 * is back at the tail of its wait list (Mesa style). */
typedef int (*coro_retry_fn)(struct coro_sched *s, struct coro *c);

struct coro {
    coro_rawctx ctx;     /* saved stack pointer while suspended */
    int resume_rc;       /* at CORO_RESUME_RC_OFF: what the scheduler's switches return to it */
    int lock;            /* M:N: guards done/joiner between exit and join */
    coro_retry_fn retry; /* one worker: a pending queue wait (NULL: none) */
    /* What only one phase of its life needs: the three never overlap, as a
     * coroutine waits for one thing at a time and only once it has started.
     * Sharing the space keeps a live coroutine at two cache lines. */
    union {
        struct { /* until its first run (read by entry_one/entry_mn) */
            void (*fn)(void *);
            void *arg;
        } start;
        struct {       /* a queue wait (queue.c) */
            void *obj; /* its queue */
            void *arg; /* its item (put) or where the item goes (get) */
        } retry_on;
        int io_events; /* an fd wait: set by the event that woke coro_wait_fd() */
    } u;
    struct coro *next;   /* ready queue or one wait list: never both */
    struct coro *joiner; /* the coroutine waiting in coro_join() */
    uint64_t *canary;    /* unguarded stacks only: their low end (see stack.c): each
                            suspension checks sp against it, the end of the coroutine
                            checks that the word there is still zero */
    coro_stack *stack;   /* own stack, or NULL for a shared-stack one: */
    coro_sstack *sstack; /* the shared stack it runs on (NULL: own stack) */
    char *image;         /* shared: its used stack bytes while copied out */
    uint32_t image_len;  /* ... their length (0: never ran) */
    uint32_t image_cap;  /* ... the buffer's size */
    uint64_t id;
    uint64_t wait_seq;   /* bumped at every block: a timer or fd event carrying an
                            older value is stale and must not wake this coroutine */
    uint64_t wake_token; /* the wait_seq a timer or fd event may still claim (CAS), 0 none */
    /* Four bytes where one int was, so that a live coroutine costs no more: */
    unsigned char fresh;     /* never switched to yet: entered by the jmp-ended switch
                                (a predictor hint only, see switch_to) */
    unsigned char prep;      /* what a switch to it must do first (coro__prepare_to):
                                0 nothing, CORO_PREP_STACK take its promised stack,
                                CORO_PREP_SHARED copy its bytes onto the shared stack */
    unsigned char stack_cls; /* CORO_PREP_STACK: the size class of the stack promised */
    unsigned char done;      /* fn has returned */
    int refs;                /* 2 at spawn: one dropped when its stack is reaped after its last
                                switch, one by coro_join; the struct is freed at zero */
#ifdef CORO_ASAN
    void *asan_fake;         /* ASan fake stack of this fiber while suspended */
    const void *asan_bottom; /* the scheduler context's stack, learnt on first switch */
    size_t asan_size;
#endif
#ifdef CORO_TSAN
    void *tsan_fiber;
#endif
};

/* The switches in arch/ take the saved sp at offset 0 and load resume_rc from
 * CORO_RESUME_RC_OFF (arch/frame.h) into the return register. */
_Static_assert(offsetof(struct coro, ctx) == 0, "ctx first");
_Static_assert(offsetof(struct coro, resume_rc) == CORO_RESUME_RC_OFF,
               "resume_rc where arch/frame.h says");
#if !defined(CORO_ASAN) && !defined(CORO_TSAN)
/* Two cache lines: every byte here is paid once per live coroutine (the
 * memory section of the report measures it). */
_Static_assert(sizeof(struct coro) == 128, "struct coro is two cache lines");
#endif

typedef struct coro_wlist {
    struct coro *head, *tail;
} coro_wlist;

/* One size class of the stack pool. */
typedef struct coro_pool_class {
    size_t slot_size;        /* guard + usable */
    coro_stack *free;        /* recycled stacks, the most recently used first */
    struct coro_slab *fresh; /* slabs with slots never handed out yet */
    size_t nfresh;           /* those slots: never fewer than promised */
    size_t promised;         /* stacks owed to coroutines that have not run yet */
} coro_pool_class;

#define CORO_POOL_CLASSES 24 /* fits struct coro's stack_cls */

typedef struct coro_timer {
    uint64_t deadline;
    uint64_t seq; /* ties fire in the order set */
    struct coro *c;
    uint64_t wait_seq; /* the wait it belongs to (see struct coro) */
} coro_timer;

#define CORO_POLL_BATCH 256 /* events taken per epoll_wait */

/* Who waits on one file descriptor, and its edges (see io.c). */
typedef struct coro_fdrec {
    struct coro *rd, *wr;
    uint64_t rd_seq, wr_seq;
    uint32_t rd_gen, wr_gen;   /* edges the poller counted */
    uint32_t rd_seen, wr_seen; /* ... of which the wrappers used up (== gen: drained) */
    unsigned char in_set;      /* registered, edge-triggered, both directions */
    unsigned char stream;      /* a byte stream: a short read drains it */
} coro_fdrec;

/* The descriptors coroutines wait on: one per scheduler with one worker, one
 * per world (shared, under lock) with several. */
typedef struct coro_io {
    int lock;
    int epfd;   /* -1 until the first coro_wait_fd() */
    int wakefd; /* M:N: an eventfd in the set, to interrupt a parked poller */
    coro_fdrec *fds;
    size_t nfds;
    size_t waiters; /* coroutines blocked in coro_wait_fd() (atomic in M:N) */
} coro_io;

typedef struct coro_world coro_world;

/* A test-and-test-and-set spinlock on a plain int (GCC atomics, which TSan
 * understands). Held only for a few hundred instructions, but the holder can
 * be preempted on an oversubscribed machine: spin briefly, then yield. */
void coro__spin_slow(int *l);
static inline void coro__lock(int *l) {
    if (CORO_UNLIKELY(__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))) coro__spin_slow(l);
}
static inline int coro__trylock(int *l) {
    return !__atomic_load_n(l, __ATOMIC_RELAXED) && !__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE);
}
static inline void coro__unlock(int *l) {
    __atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

struct coro_sched {
    struct coro *cur;  /* running coroutine, or &sched while the loop runs */
    struct coro sched; /* the scheduler's own context: coro_run()'s stack */
    coro_wlist ready;  /* the FIFO ready queue */
    size_t nready;
    struct coro *round_last;   /* one worker: the last coroutine of this round; NULL = new round */
    size_t round_left;         /* several workers: dispatches left in this round */
    struct coro *zombie;       /* ended coroutine whose stack is released after the switch away */
    struct coro *free_structs; /* recycled structs (from any worker's chunks) */
    struct coro_chunk *chunks; /* this worker's struct arena, freed whole at the end */
    unsigned chunk_used;       /* slots taken in chunks (the newest) */
    coro_timer *heap;
    size_t nheap, heap_cap;
    uint64_t timer_seq;
    uint64_t next_id;
    coro_pool_class pool[CORO_POOL_CLASSES];
    struct coro_slab *slabs;
    void *altstack;
    coro_io own_io;           /* used when world == NULL */
    coro_io *io;              /* &own_io, or the world's */
    coro_world *world;        /* NULL with one worker: no locks anywhere */
    unsigned wid;             /* this worker's index */
    int cpu;                  /* M:N: the CPU this worker pins itself to, -1 none */
    int rq_lock;              /* M:N: guards ready/nready against stealers */
    int *unlock_after;        /* M:N: released by the next context on this worker */
    struct coro *ready_after; /* M:N: a yielder, queued once it is switched out */
    coro_sstack *sstack;      /* the shared stack, made at the first shared spawn */
    struct coro *pending;     /* a shared-stack coroutine the scheduler's context must
                                 copy in and resume (its waker ran on that stack) */
    struct coro *runnext;     /* M:N: woken by the coroutine running here; runs next here
                                 (atomic: a thief may take it, see workers.c) */
    unsigned runnext_streak;  /* M:N: dispatches from runnext since the last from the queue */
    unsigned long ticks;      /* M:N: dispatches (atomic stores): a thief sees progress */
    coro_stats st;
    /* epoll_wait's output. Here, not on the stack: the poll at a round
     * boundary runs on the stack of whichever coroutine blocks then, and
     * 3 KiB there made every such coroutine touch a second stack page. */
    struct epoll_event evs[CORO_POLL_BATCH];
#ifdef CORO_ASAN
    struct coro *asan_prev; /* the context we switched from, to learn its stack */
#endif
};
typedef struct coro_sched coro_sched;

extern __thread coro_sched *coro_S;

/* arch/: the scheduler's switches, between the ctx of two struct coro. The
 * same body as coro_rawctx_switch, but the call returns, to the context that
 * is resumed, that context's resume_rc (read at CORO_RESUME_RC_OFF of `to`). The _jmp
 * form ends in pop + jmp (for tail calls: coro_yield, coro__wait_op), the
 * other in ret; switch_x86_64.S says why there are two. */
int coro__ctx_switch(coro_rawctx *from, coro_rawctx *to);
int coro__ctx_switch_jmp(coro_rawctx *from, coro_rawctx *to);
/* The last switch of an ended coroutine: saves nothing, resumes `to` with a
 * `ret` (reached by a tail jmp: see switch_x86_64.S). */
int coro__ctx_exit(coro_rawctx *to);
/* A fresh coroutine is entered by the jmp-ended switch and ends through
 * coro__ctx_exit (sched.c, switch_to): only with the assembly switch and
 * without sanitizers, whose builds end a coroutine through an ordinary
 * switch that they can follow, and where the pairing would buy nothing. */
#if !defined(CORO_ASAN) && !defined(CORO_TSAN) && !defined(CORO_SWITCH_UCONTEXT)
#define CORO_FRESH_EXIT 1
#endif

/* sched.c */
static inline void coro__wlist_push(coro_wlist *w, struct coro *c) {
    c->next = NULL;
    if (w->tail)
        w->tail->next = c;
    else
        w->head = c;
    w->tail = c;
}
static inline struct coro *coro__wlist_pop(coro_wlist *w) {
    struct coro *c = w->head;
    if (c) {
        w->head = c->next;
        if (!w->head) w->tail = NULL;
    }
    return c;
}
void coro__make_ready_mn(coro_sched *s, struct coro *c);
/* Appends c to the ready queue (inline: it is on every wake-up path). */
static CORO_ALWAYS_INLINE void coro__make_ready(coro_sched *s, struct coro *c) {
    if (CORO_UNLIKELY(s->world)) {
        coro__make_ready_mn(s, c);
        return;
    }
    coro__wlist_push(&s->ready, c);
}
/* Suspends the running coroutine until someone makes it ready. `held`, when
 * not NULL, is a lock the caller holds on the object it waits on: it is
 * released only once this context is saved, so no other worker can resume it
 * early. Returns the scheduler of the worker it resumed on. */
coro_sched *coro__block(coro_sched *s, struct coro *self, int *held);
/* One worker: suspends the running coroutine, which the caller has put on a
 * wait list with self->retry set, and returns its resume_rc once the
 * dispatcher has finished the wait. A tail call into the jmp-ended switch, so
 * the resumed waiter goes straight back to its caller (as coro_yield). */
int coro__wait_op(coro_sched *s, struct coro *self);
/* A timer or fd event wakes c only if c still waits in the wait `seq`. */
int coro__claim(struct coro *c, uint64_t seq);
/* The running worker's scheduler, read afresh (a coroutine may migrate). */
coro_sched *coro__sched(void);
int coro__init_sched(coro_sched *s);
void coro__free_sched(coro_sched *s);
int coro__dispatch(coro_sched *s);
void coro__wake_mn(coro_sched *s, struct coro *c);
/* Makes a waiter ready because the running coroutine released it (queue,
 * event, join). One worker: the tail of the ready queue, as make_ready. M:N:
 * the waker's runnext slot (sched.c says why). */
static CORO_ALWAYS_INLINE void coro__wake(coro_sched *s, struct coro *c) {
    if (CORO_UNLIKELY(s->world)) {
        coro__wake_mn(s, c);
        return;
    }
    coro__wlist_push(&s->ready, c);
}
static inline void coro__wake_one(coro_sched *s, coro_wlist *w) {
    struct coro *c = coro__wlist_pop(w);
    if (c) coro__wake(s, c);
}
static inline void coro__wake_all(coro_sched *s, coro_wlist *w) {
    struct coro *c;
    while ((c = coro__wlist_pop(w))) coro__wake(s, c);
}
void coro__set_error(int e);

/* stack.c */
coro_stack *coro__stack_get(coro_sched *s, size_t size);
void coro__stack_put(coro_sched *s, coro_stack *st);
/* A stack of `size` owed to a coroutine until its first run: its size class,
 * or CORO_ENOMEM when no slab can be mapped to back the promise. */
int coro__stack_promise(coro_sched *s, size_t size);
/* The promised stack, taken at the coroutine's first run: cannot fail. */
coro_stack *coro__stack_claim(coro_sched *s, unsigned cls);
/* The pool's fast path for the default size: pop a recycled stack (one whose
 * guard page is already settled; promises count on never-used slots only,
 * so any recycled stack is free to take); NULL otherwise, and the caller
 * goes through stack.c. */
#define CORO_DEFAULT_CLASS 2 /* CORO_DEFAULT_STACK == CORO_MIN_STACK << 2 */
_Static_assert(CORO_DEFAULT_STACK == CORO_MIN_STACK << CORO_DEFAULT_CLASS, "default class");
static CORO_ALWAYS_INLINE coro_stack *coro__stack_spare_default(coro_sched *s) {
#ifndef CORO_ASAN /* ASan must unpoison a recycled stack: stack.c does */
    coro_stack *st = s->pool[CORO_DEFAULT_CLASS].free;
    if (CORO_LIKELY(st && st->guard_tried)) {
        s->pool[CORO_DEFAULT_CLASS].free = st->next;
        return st;
    }
#else
    (void)s;
#endif
    return NULL;
}
void coro__stack_release_all(coro_sched *s);
int coro__overflow_install(coro_sched *s);
void coro__overflow_remove(coro_sched *s);
void coro__overflow_report(const struct coro *c); /* canary found broken: never returns */
/* Bytes at the low end of an unguarded stack that a suspension may not reach
 * into (the switch itself pushes 64 below the caller's sp). */
#define CORO_STACK_RESERVE 256
static CORO_ALWAYS_INLINE uintptr_t coro__sp(void) {
    uintptr_t sp;
#if defined(__x86_64__)
    __asm__("mov %%rsp, %0" : "=r"(sp));
#elif defined(__aarch64__)
    __asm__("mov %0, sp" : "=r"(sp));
#else
    sp = (uintptr_t)__builtin_frame_address(0);
#endif
    return sp;
}
/* At a suspension: an unguarded stack whose sp is at (or past) its low end
 * has overflowed, or is about to in the switch. Costs no memory access. */
static CORO_ALWAYS_INLINE void coro__check_sp(const struct coro *c) {
    if (c->canary && CORO_UNLIKELY(coro__sp() < (uintptr_t)c->canary + CORO_STACK_RESERVE))
        coro__overflow_report(c);
}
/* At the end of a coroutine: the lowest word must still be zero (stack.c:
 * read only if its page is resident, as reading an untouched page would map
 * one, and costs a page fault). */
void coro__check_canary_slow(const struct coro *c);
static CORO_ALWAYS_INLINE void coro__check_canary(const struct coro *c) {
    if (c->canary) coro__check_canary_slow(c);
}

/* sstack.c (CORO_STACK_SHARED) */
int coro__sstack_attach(coro_sched *s, struct coro *c, void (*entry)(void *));
/* Called before switching from `from` to the shared-stack coroutine `to`:
 * returns `to` once its bytes are on the shared stack, or the scheduler's
 * context (with s->pending = to) when `from` runs on that very stack. */
struct coro *coro__sstack_enter(coro_sched *s, struct coro *from, struct coro *to);
void coro__sstack_switched_out(struct coro *c);           /* ASan: poison a suspended one's bytes */
void coro__sstack_release(coro_sched *s, struct coro *c); /* it ended */
void coro__sstack_free(coro_sched *s);
#define CORO_PREP_STACK 1
#define CORO_PREP_SHARED 2
/* sched.c: a coroutine's first run on its promised stack. */
struct coro *coro__first_run(coro_sched *s, struct coro *to);
/* Before every switch to `to`: the context to switch to. */
static CORO_ALWAYS_INLINE struct coro *coro__prepare_to(coro_sched *s, struct coro *from,
                                                        struct coro *to) {
    if (CORO_LIKELY(!to->prep)) return to;
    if (to->prep == CORO_PREP_SHARED) return coro__sstack_enter(s, from, to);
    return coro__first_run(s, to);
}

/* io.c */
/* Polls epoll: waits up to timeout_ns (-1 forever, 0 not at all) and makes the
 * woken coroutines ready on s. Returns how many it woke. */
size_t coro__io_poll(coro_sched *s, int64_t timeout_ns);
int coro__io_init(coro_io *io);
int coro__io_init_wake(coro_io *io);
void coro__io_free(coro_io *io);
static inline size_t coro__io_waiters(const coro_io *io) {
    return __atomic_load_n(&io->waiters, __ATOMIC_RELAXED);
}

/* workers.c (M:N) */
struct coro_world {
    unsigned n;
    coro_sched **w;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_cond_t up_cv; /* a worker thread has started (see coro_run_ex) */
    unsigned up;          /* worker threads started (under mu) */
    int nparked;          /* atomic */
    int polling;          /* a parked worker blocks in epoll_wait (under mu) */
    int done;             /* atomic: every coroutine ended, or deadlock */
    int deadlock;
    long live;        /* atomic: coroutines not yet ended */
    uint64_t next_id; /* atomic */
    long ntimers;     /* atomic: pending timers over all workers */
    coro_io io;
};
void coro__world_notify(coro_world *w);
void coro__world_loop(coro_sched *s);
void coro__exit_world(coro_sched *s); /* the last coroutine ended: wake every worker */
int coro__world_steal(coro_sched *s);
int coro__world_steal_runnext(coro_sched *s);
void coro__world_park(coro_sched *s);

/* timer.c */
uint64_t coro__now_ns(void);
int coro__timer_add(coro_sched *s, uint64_t deadline, struct coro *c, uint64_t wait_seq);
size_t coro__timers_collect(coro_sched *s, uint64_t now);
void coro__timers_free(coro_sched *s);

#ifdef CORO_INJECT_SLOWDOWN
/* The deliberate regression for the bench-check test (see CMakeLists.txt). */
static inline void coro__inject_slowdown(void) {
    for (volatile int i = 0; i < 20; i++) {
    }
}
#else
static inline void coro__inject_slowdown(void) {}
#endif

/* Stacks are announced to valgrind (stack.c, sstack.c) so that memcheck and
 * callgrind follow a switch onto them; without valgrind's header, nothing. */
#ifdef CORO_HAVE_VALGRIND
#include <valgrind/valgrind.h>
#else
#define VALGRIND_STACK_REGISTER(lo, hi) 0u
#define VALGRIND_STACK_DEREGISTER(id) ((void)0)
#endif

#endif
