/* coro.h — corobench's coroutine runtime: stackful coroutines on one thread.
 *
 * The model is asyncio's: coro_run() is asyncio.run(), coro_spawn() is
 * create_task(), coro_join() awaits a task, coro_yield() is asyncio.sleep(0),
 * coro_sleep_ns() is asyncio.sleep(d), coro_queue_t is asyncio.Queue and
 * coro_event_t is asyncio.Event.
 *
 * Scheduling semantics (a contract the tests pin down, see docs/design.md):
 *  - one FIFO ready queue per scheduler; spawn, wake-up and yield append at the
 *    tail; spawn and wake-up never switch by themselves;
 *  - waits are Mesa-style: a woken waiter re-checks its condition and waits
 *    again, at the back, if another coroutine got there first;
 *  - a put on a non-full queue and a get on a non-empty queue never suspend;
 *  - timers fire in deadline order, ties in the order they were set; due
 *    timers are collected once per scheduling round (as asyncio's loop does:
 *    a round is the set of coroutines that were ready when it began);
 *  - when nothing is ready the scheduler sleeps in the kernel until the next
 *    deadline; when every coroutine waits and no timer is pending, coro_run()
 *    returns CORO_EDEADLK instead of hanging.
 *
 * Errors are negative errno-style codes (below); nothing in this library
 * aborts on a resource failure. A scheduler belongs to the thread that called
 * coro_run(); calls other than coro_run() are valid only inside it.
 */
#ifndef CORO_H
#define CORO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes: 0 is success, failures are negative. */
enum {
    CORO_OK = 0,
    CORO_ENOMEM = -12,     /* allocation or mmap of a stack failed (-ENOMEM) */
    CORO_EINVAL = -22,     /* bad argument (-EINVAL) */
    CORO_EPERM = -1,       /* called outside coro_run(), or coro_run() nested (-EPERM) */
    CORO_EDEADLK = -35,    /* every coroutine waits, no timer pending (-EDEADLK) */
    CORO_CLOSED = -32,     /* the queue was closed (-EPIPE) */
    CORO_EAGAIN = -11,     /* the queue is full / empty in a _try call (-EAGAIN) */
    CORO_ETIMEDOUT = -110, /* coro_wait_fd / coro_connect timed out (-ETIMEDOUT) */
    CORO_ENOTSUP = -95,    /* a shared-stack coroutine with several workers (-EOPNOTSUPP) */
};
/* I/O calls return other negative errno values as they come (-ECONNRESET, ...). */

/* A short text for an error code (never NULL). */
const char *coro_strerror(int err);

typedef struct coro coro_t;
typedef struct coro_queue coro_queue_t;

/* --- running ---------------------------------------------------------- */

/* Runs main(arg) as the first coroutine and returns when every coroutine has
 * ended: 0, CORO_EDEADLK when the rest wait forever (their stacks are freed,
 * they never resume), CORO_ENOMEM when main could not be started, CORO_EPERM
 * when called from inside a coroutine. */
int coro_run(void (*main)(void *), void *arg);

/* Run options (as minicoro's desc: init, then change what you need).
 * workers = 1 (the default) is the deterministic scheduler described above.
 * workers > 1 runs coroutines on that many threads (M:N): a local ready queue
 * per worker, work stealing, idle workers parked in the kernel; queue, event,
 * join and sleep stay correct across workers, but orders are no longer
 * deterministic and a coroutine may resume on another thread than it left.
 * Every worker thread is up (and pinned) before main runs, so what main times
 * does not include starting them.
 * With workers > 1 a coroutine woken by a running one (queue, event, join)
 * runs next on the waker's worker, ahead of the ready queue (as Go's runnext):
 * a producer and its consumer stay on one core. At most CORO_RUNNEXT_CAP such
 * runs in a row, then the queue's head runs, so a pair that keeps waking each
 * other cannot hold back the rest. No parked worker is woken for such a
 * coroutine: another worker takes it only when the waker's worker has gone on
 * computing for a while without switching. */
#define CORO_RUNNEXT_CAP 8
typedef struct coro_run_opts {
    unsigned workers;
    /* workers > 1: pin worker i to the i-th CPU the calling thread may use,
     * when there are at least as many CPUs as workers (1, the default); the
     * caller's own affinity is restored when coro_run_ex() returns. 0: leave
     * placement to the kernel, which tends to wake a parked worker on the CPU
     * of the worker that woke it, so that two workers can share one CPU for a
     * whole short run while another CPU idles; pinning rules that out. */
    int pin;
} coro_run_opts;
void coro_run_opts_init(coro_run_opts *o);
int coro_run_ex(void (*main)(void *), void *arg, const coro_run_opts *o);
/* The worker running the caller (0-based), -1 outside coro_run. */
int coro_worker_id(void);

/* Spawn options, set up with coro_spawn_opts_init() (as minicoro's desc). */
typedef struct coro_spawn_opts {
    size_t stack_size; /* 0 = CORO_DEFAULT_STACK; rounded up to a power of two (at least
                          CORO_MIN_STACK), of which the top 64 bytes are bookkeeping */
    int stack_mode;    /* CORO_STACK_OWN (the default) or CORO_STACK_SHARED, below */
} coro_spawn_opts;

/* Stack modes.
 * CORO_STACK_OWN: the coroutine has a stack of its own (stack_size bytes).
 * CORO_STACK_SHARED (copy-stack, as libaco's shared stacks): it runs on the
 * worker's one shared stack of CORO_SHARED_STACK bytes (stack_size must not
 * exceed it: CORO_EINVAL). When another shared-stack coroutine needs that
 * stack, the used part of this one's stack is copied to a heap buffer of just
 * that size, and copied back before it resumes, at the same addresses. So a
 * live suspended coroutine costs its struct and the bytes it had in use, not
 * a page or more. The price: a copy of the used bytes at such switches, and
 * one rule: NO POINTER INTO A SUSPENDED SHARED-STACK COROUTINE'S STACK may be
 * used by anyone else (its locals are elsewhere, or overwritten, until it
 * resumes). Pass data through heap or static memory, not through the address
 * of a local, to other coroutines. ASan builds poison a suspended one's range
 * while its bytes stay on the shared stack, so such a use is reported there.
 * Only with one worker: with several, coro_spawn_ex fails with CORO_ENOTSUP,
 * because a saved stack holds absolute addresses into its worker's shared
 * stack (frame pointers, addresses of locals) and may only resume there,
 * which work stealing and cross-worker wake-ups do not respect. */
enum { CORO_STACK_OWN = 0, CORO_STACK_SHARED = 1 };
#define CORO_SHARED_STACK ((size_t)1024 * 1024)

#define CORO_DEFAULT_STACK ((size_t)64 * 1024)
#define CORO_MIN_STACK ((size_t)16 * 1024)

void coro_spawn_opts_init(coro_spawn_opts *o);

/* Creates a coroutine queued at the tail of the ready queue; no switch.
 * It starts with the ABI's default floating-point control state (rounding to
 * nearest, exceptions masked); with the ucontext fallback it inherits its
 * creator's instead. Each coroutine then keeps its own across switches.
 * Returns NULL when out of memory or outside coro_run() (coro_last_error()
 * tells which). With one worker, when no recycled stack is at hand, its stack
 * is reserved now and taken when it first runs, so that a burst of children
 * that end without suspending share a few warm stacks; running out is still
 * this call's error. Every spawned coroutine should be joined once; the ones that
 * are not are freed when coro_run() returns. */
coro_t *coro_spawn(void (*fn)(void *), void *arg);
coro_t *coro_spawn_ex(void (*fn)(void *), void *arg, const coro_spawn_opts *o);
int coro_last_error(void);

/* Waits until c has ended, then frees it. 0, or CORO_EINVAL (c is NULL, the
 * caller itself, or already being joined). */
int coro_join(coro_t *c);

/* The running coroutine (NULL outside coro_run()) and its id (1 = main). */
coro_t *coro_self(void);
uint64_t coro_id(const coro_t *c);

/* Moves the caller to the tail of the ready queue (asyncio.sleep(0)). */
void coro_yield(void);

/* Suspends the caller for at least ns nanoseconds (CLOCK_MONOTONIC). */
void coro_sleep_ns(uint64_t ns);

/* --- queue (asyncio.Queue) ------------------------------------------- */

/* capacity 0 = unbounded. NULL when out of memory. */
coro_queue_t *coro_queue_new(size_t capacity);
/* 0, CORO_CLOSED, or CORO_ENOMEM (unbounded queue could not grow). */
int coro_queue_put(coro_queue_t *q, void *item);
/* 0 with *item set, or CORO_CLOSED once the queue is closed and empty. */
int coro_queue_get(coro_queue_t *q, void **item);
/* Non-suspending forms: CORO_EAGAIN instead of waiting. */
int coro_queue_try_put(coro_queue_t *q, void *item);
int coro_queue_try_get(coro_queue_t *q, void **item);
size_t coro_queue_len(const coro_queue_t *q);
/* One item fetched by get is fully processed (asyncio task_done). */
void coro_queue_task_done(coro_queue_t *q);
/* Waits until every item put has been task_done'd (or the queue closed). */
void coro_queue_join(coro_queue_t *q);
/* Wakes every waiter: putters get CORO_CLOSED at once, getters once empty. */
void coro_queue_close(coro_queue_t *q);
/* Frees the queue; no coroutine may be waiting on it. */
void coro_queue_free(coro_queue_t *q);

/* --- event (asyncio.Event) ------------------------------------------- */

/* The struct is visible so that events can live on the stack or inside other
 * structs; its fields are private. */
typedef struct coro_event {
    int is_set;
    int lock; /* with several workers */
    struct coro *wait_head, *wait_tail;
} coro_event_t;

void coro_event_init(coro_event_t *e);
void coro_event_set(coro_event_t *e); /* wakes every waiter */
void coro_event_clear(coro_event_t *e);
int coro_event_is_set(const coro_event_t *e);
void coro_event_wait(coro_event_t *e); /* returns at once when set */

/* --- I/O waiting (epoll) ----------------------------------------------- */

enum { CORO_READ = 1, CORO_WRITE = 2 };

/* Suspends the caller until fd is ready for events (CORO_READ|CORO_WRITE) or
 * timeout_ns passes (< 0: no timeout; 0: only look). Returns the ready events
 * (> 0), CORO_ETIMEDOUT, or a negative errno. Level semantics: a descriptor
 * ready now returns at once. An idle scheduler blocks in epoll_wait until the
 * next timer's deadline. One coroutine waits per fd and direction at a time.
 * As with poll/epoll, readiness is a hint: it can be reported for data that
 * was consumed meanwhile, so use non-blocking descriptors and retry on EAGAIN
 * (the wrappers do). */
int coro_wait_fd(int fd, int events, int64_t timeout_ns);
/* Thin wrappers over non-blocking descriptors (the caller sets O_NONBLOCK):
 * they wait whenever the call would block. Byte counts or a negative errno;
 * coro_read returns 0 at end of file. After coro_read came back short on a
 * byte stream (pipe, stream socket: the kernel had no more), the next
 * coro_read waits for the next edge before it reads: no EAGAIN round trip. */
ssize_t coro_read(int fd, void *buf, size_t n);
ssize_t coro_write(int fd, const void *buf, size_t n);          /* writes all n unless an error */
int coro_accept(int fd, struct sockaddr *addr, socklen_t *len); /* new fd, non-blocking */
int coro_connect(int fd, const struct sockaddr *addr, socklen_t len, int64_t timeout_ns);
/* The runtime registers a descriptor with epoll once and remembers it by
 * number until coro_run returns. Inside coro_run, close a descriptor it has
 * waited on with coro_close (0 or a negative errno), or call coro_fd_forget
 * before close(), or the next descriptor with that number may never wake
 * (as libdill's fdclean). Sockets from coro_accept, and sockets passed to
 * coro_connect, are taken as new anyway. A waiter on a forgotten descriptor
 * wakes. */
int coro_close(int fd);
void coro_fd_forget(int fd);

/* --- introspection, for tests and benchmarks -------------------------- */

typedef struct coro_stats {
    uint64_t spawned;  /* coroutines created in this coro_run() */
    uint64_t switches; /* context switches performed */
    uint64_t live;     /* coroutines not yet ended */
    uint64_t peak_live;
    uint64_t stacks_mapped;  /* stacks carved from mmap'd slabs (at their first use) */
    uint64_t stacks_guarded; /* of those, with a guard page (docs/design.md) */
    uint64_t idle_sleeps;    /* times the scheduler slept in the kernel */
    uint64_t fd_waits;       /* times a coroutine parked on a descriptor */
    uint64_t fd_eagain;      /* wrapper calls (coro_read, ...) that said EAGAIN */
    uint64_t stack_saves;    /* shared-stack images copied out (CORO_STACK_SHARED) */
    uint64_t stack_bytes;    /* ... and their bytes */
} coro_stats;

/* Fills *s for the running scheduler; CORO_EPERM outside coro_run(). */
int coro_get_stats(coro_stats *s);

/* Raw context switch primitive, exported for the switch microbenchmark: a
 * context is one saved stack pointer. coro_ctx_make() prepares ctx to run
 * fn(arg) on [stack, stack+size); fn must never return. */
typedef struct coro_rawctx {
    void *sp;
} coro_rawctx;
void coro_rawctx_make(coro_rawctx *ctx, void *stack, size_t size, void (*fn)(void *), void *arg);
void coro_rawctx_switch(coro_rawctx *from, coro_rawctx *to);
/* "asm-x86_64", "asm-aarch64" or "ucontext". */
const char *coro_switch_impl(void);

#ifdef __cplusplus
}
#endif
#endif
