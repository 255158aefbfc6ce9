/* thr.h — the pthreads counterpart of coro.h, with the same shape of API.
 *
 * thr_spawn() is coro_spawn() on a kernel thread, thr_queue_t is coro_queue_t
 * on a mutex and two condition variables. Unlike coroutines, threads run in
 * parallel and are preempted, so orders of output are not deterministic.
 *
 * Errors are negative errno-style codes; a failing pthread_create() (EAGAIN at
 * thousands of threads, ENOMEM for the stack) is returned, never an abort.
 */
#ifndef THR_H
#define THR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    THR_OK = 0,
    THR_EPERM = -1,
    THR_EAGAIN = -11, /* thread limit reached, or queue full/empty in _try */
    THR_ENOMEM = -12,
    THR_EINVAL = -22,
    THR_CLOSED = -32, /* the queue was closed (-EPIPE) */
};

const char *thr_strerror(int err);

typedef struct thr thr_t;
typedef struct thr_queue thr_queue_t;

typedef struct thr_spawn_opts {
    size_t stack_size; /* 0 = the system default (ulimit -s); else at least PTHREAD_STACK_MIN */
    int cpu;           /* pin the thread to this CPU; -1 = no pinning */
} thr_spawn_opts;

void thr_spawn_opts_init(thr_spawn_opts *o);

/* Starts fn(arg) on a new thread. NULL on failure, with the negative code in
 * *err when err is not NULL. */
thr_t *thr_spawn(void (*fn)(void *), void *arg, int *err);
thr_t *thr_spawn_ex(void (*fn)(void *), void *arg, const thr_spawn_opts *o, int *err);
/* Waits for t to end and frees it. 0 or a negative code. */
int thr_join(thr_t *t);

void thr_yield(void);           /* sched_yield() */
void thr_sleep_ns(uint64_t ns); /* clock_nanosleep, restarted on EINTR */
/* Pins the calling thread to cpu (0 or a negative code). */
int thr_pin_self(int cpu);

/* capacity 0 = unbounded. NULL when out of memory. */
thr_queue_t *thr_queue_new(size_t capacity);
int thr_queue_put(thr_queue_t *q, void *item);  /* 0, THR_CLOSED, THR_ENOMEM */
int thr_queue_get(thr_queue_t *q, void **item); /* 0, or THR_CLOSED when closed and empty */
int thr_queue_try_put(thr_queue_t *q, void *item);
int thr_queue_try_get(thr_queue_t *q, void **item);
size_t thr_queue_len(thr_queue_t *q);
void thr_queue_task_done(thr_queue_t *q);
void thr_queue_join(thr_queue_t *q); /* until every put item is task_done'd, or closed */
void thr_queue_close(thr_queue_t *q);
void thr_queue_free(thr_queue_t *q);

/* An event, as asyncio.Event / coro_event_t. Fields are private. */
typedef struct thr_event thr_event_t;
thr_event_t *thr_event_new(void);
void thr_event_free(thr_event_t *e);
void thr_event_set(thr_event_t *e);
void thr_event_clear(thr_event_t *e);
int thr_event_is_set(thr_event_t *e);
void thr_event_wait(thr_event_t *e);

/* A turn that two threads pass back and forth through a Linux futex: the
 * kernel's cheapest blocking hand-off between two threads, the reference the
 * benchmarks compare a coroutine switch with. turn is 0 or 1, whose move it
 * is; one waiter per side. Fields are private (a plain int used only through
 * atomic builtins, so the header stays C and C++). */
typedef struct thr_turn {
    int turn;
} thr_turn_t;
void thr_turn_init(thr_turn_t *t, int first);
/* Blocks until it is `me`'s turn (acquire: sees what the passer wrote). */
void thr_turn_wait(thr_turn_t *t, int me);
/* Gives the turn to `to` and wakes it (release). */
void thr_turn_pass(thr_turn_t *t, int to);

#ifdef __cplusplus
}
#endif
#endif
