/* backend_threads.h — bk_* over pthreads (threads/thr.h).
 *
 * Why: the thread side of every workload is the same source as the coroutine
 * side; only these wrappers differ. bk_run() runs main on the calling thread,
 * since a thread program needs no scheduler. Include backend.h, not this file.
 */
#ifndef BK_BACKEND_THREADS_H
#define BK_BACKEND_THREADS_H

#include <errno.h>
#include "thr.h"

#define BK_NAME "threads"
#define BK_ID BK_THREADS
#define BK_IS_THREADS 1
#define BK_CLOSED THR_CLOSED

typedef thr_t bk_task;
typedef thr_queue_t bk_queue;
typedef thr_event_t bk_event;

static inline bk_task *bk_spawn(void (*fn)(void *), void *arg, const bk_spawn_cfg *cfg, int *err) {
    thr_spawn_opts o;
    thr_spawn_opts_init(&o);
    if (cfg) {
        o.stack_size = cfg->stack_size;
        o.cpu = cfg->cpu;
    }
    return thr_spawn_ex(fn, arg, &o, err);
}
static inline int bk_join(bk_task *t) {
    return thr_join(t);
}
static inline void bk_yield(void) {
    thr_yield();
}
static inline void bk_sleep_ns(uint64_t ns) {
    thr_sleep_ns(ns);
}

static inline bk_queue *bk_queue_new(size_t cap) {
    return thr_queue_new(cap);
}
static inline int bk_queue_put(bk_queue *q, void *item) {
    return thr_queue_put(q, item);
}
static inline int bk_queue_get(bk_queue *q, void **item) {
    return thr_queue_get(q, item);
}
static inline void bk_queue_task_done(bk_queue *q) {
    thr_queue_task_done(q);
}
static inline void bk_queue_join(bk_queue *q) {
    thr_queue_join(q);
}
static inline void bk_queue_close(bk_queue *q) {
    thr_queue_close(q);
}
static inline void bk_queue_free(bk_queue *q) {
    thr_queue_free(q);
}

static inline bk_event *bk_event_new(void) {
    return thr_event_new();
}
static inline void bk_event_set(bk_event *e) {
    thr_event_set(e);
}
static inline void bk_event_wait(bk_event *e) {
    thr_event_wait(e);
}
static inline void bk_event_free(bk_event *e) {
    thr_event_free(e);
}

static inline int bk_run(void (*main)(void *), void *arg) {
    main(arg);
    return 0;
}
/* Threads have no workers (the CLI rejects --workers with --backend threads). */
static inline int bk_run_workers(void (*main)(void *), void *arg, unsigned workers, int pin) {
    (void)workers;
    (void)pin;
    return bk_run(main, arg);
}
static inline const char *bk_strerror(int err) {
    return thr_strerror(err);
}
static inline const char *bk_switch_impl(void) {
    return "kernel";
}
/* Not counted: every thread's stack has the guard page glibc gives it. */
static inline int bk_stack_guards(uint64_t *guarded, uint64_t *stacks) {
    (void)guarded, (void)stacks;
    return -ENOSYS;
}

#endif
