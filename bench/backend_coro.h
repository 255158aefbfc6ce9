/* backend_coro.h — bk_* over corobench's coroutine runtime (coro/coro.h).
 *
 * Why a separate file: backend.h picks one backend per compilation; this one
 * is also reused by backend_ucontext.h, which renames the coro_* symbols first
 * so that the swapcontext build of the same runtime can live in the same
 * binary. Do not include directly; include backend.h.
 */
#ifndef BK_BACKEND_CORO_H
#define BK_BACKEND_CORO_H

#include <stdlib.h>

#include "coro.h"

#ifndef BK_NAME
#define BK_NAME "coro"
#define BK_ID BK_CORO
#endif
#define BK_IS_THREADS 0
#define BK_CLOSED CORO_CLOSED

typedef coro_t bk_task;
typedef coro_queue_t bk_queue;
typedef coro_event_t bk_event;

static inline bk_task *bk_spawn(void (*fn)(void *), void *arg, const bk_spawn_cfg *cfg, int *err) {
    coro_spawn_opts o;
    coro_spawn_opts_init(&o);
    if (cfg) o.stack_size = cfg->stack_size;
    if (cfg && cfg->shared_stack) o.stack_mode = CORO_STACK_SHARED;
    coro_t *c = coro_spawn_ex(fn, arg, &o);
    if (!c && err) *err = coro_last_error();
    return c;
}
static inline int bk_join(bk_task *t) {
    return coro_join(t);
}
static inline void bk_yield(void) {
    coro_yield();
}
static inline void bk_sleep_ns(uint64_t ns) {
    coro_sleep_ns(ns);
}

static inline bk_queue *bk_queue_new(size_t cap) {
    return coro_queue_new(cap);
}
static inline int bk_queue_put(bk_queue *q, void *item) {
    return coro_queue_put(q, item);
}
static inline int bk_queue_get(bk_queue *q, void **item) {
    return coro_queue_get(q, item);
}
static inline void bk_queue_task_done(bk_queue *q) {
    coro_queue_task_done(q);
}
static inline void bk_queue_join(bk_queue *q) {
    coro_queue_join(q);
}
static inline void bk_queue_close(bk_queue *q) {
    coro_queue_close(q);
}
static inline void bk_queue_free(bk_queue *q) {
    coro_queue_free(q);
}

static inline bk_event *bk_event_new(void) {
    coro_event_t *e = malloc(sizeof *e);
    if (e) coro_event_init(e);
    return e;
}
static inline void bk_event_set(bk_event *e) {
    coro_event_set(e);
}
static inline void bk_event_wait(bk_event *e) {
    coro_event_wait(e);
}
static inline void bk_event_free(bk_event *e) {
    free(e);
}

static inline int bk_run(void (*main)(void *), void *arg) {
    return coro_run(main, arg);
}
/* workers > 1: M:N (coro_run_ex); the CLI allows it only with --backend coro.
 * pin = 0 leaves the workers' placement to the kernel (coro_run_opts.pin). */
static inline int bk_run_workers(void (*main)(void *), void *arg, unsigned workers, int pin) {
    if (workers <= 1) return coro_run(main, arg);
    coro_run_opts o;
    coro_run_opts_init(&o);
    o.workers = workers;
    o.pin = pin;
    return coro_run_ex(main, arg, &o);
}
static inline const char *bk_strerror(int err) {
    return coro_strerror(err);
}
static inline const char *bk_switch_impl(void) {
    return coro_switch_impl();
}
/* Stacks handed out so far in this scheduler, and how many have a guard page. */
static inline int bk_stack_guards(uint64_t *guarded, uint64_t *stacks) {
    coro_stats st;
    int rc = coro_get_stats(&st);
    if (rc) return rc;
    *guarded = st.stacks_guarded;
    *stacks = st.stacks_mapped;
    return 0;
}

#endif
