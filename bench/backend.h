/* backend.h — the tiny interface every workload is written against.
 *
 * Why: a workload is written ONCE and compiled once per backend, so the
 * coroutine and the thread versions cannot drift apart. Exactly one of
 * BK_BACKEND_CORO, BK_BACKEND_THREADS or BK_BACKEND_UCONTEXT is defined on the
 * command line; the matching backend_*.h maps the bk_* calls onto coro.h or
 * thr.h with static inline wrappers (zero call overhead), and
 * WL_REGISTER(spec, run) registers each compiled copy of a workload under its
 * backend (BK_ID) so that all the copies link into one corobench binary
 * without any table naming them (workload.h).
 *
 * The interface (all return 0 or a negative errno-style code):
 *   bk_task *bk_spawn(fn, arg, const bk_spawn_cfg *cfg, int *err)  NULL on failure
 *   int   bk_join(bk_task *t)
 *   void  bk_yield(void); void bk_sleep_ns(uint64_t ns)
 *   bk_queue *bk_queue_new(size_t cap)          cap 0 = unbounded
 *   int   bk_queue_put/get, void bk_queue_task_done/join/close/free
 *   bk_event *bk_event_new(void); bk_event_set/wait/free
 *   int   bk_run(void (*main)(void *), void *arg)   threads: main(arg) on the caller
 *   int   bk_run_workers(main, arg, unsigned w, int pin)
 *                                                   coro: w > 1 runs M:N (coro_run_ex),
 *                                                   workers pinned one per CPU unless pin = 0
 *   int   bk_stack_guards(uint64_t *guarded, uint64_t *stacks)
 *                                                   coroutines: stacks handed out, and of
 *                                                   those with a guard page; threads: -ENOSYS
 *   const char *bk_strerror(int err); BK_NAME; BK_IS_THREADS; BK_CLOSED
 */
#ifndef BK_BACKEND_H
#define BK_BACKEND_H

#include <stddef.h>
#include <stdint.h>

/* Per-spawn settings the workloads may ask for. */
typedef struct bk_spawn_cfg {
    size_t stack_size; /* 0 = the backend's default */
    int cpu;           /* threads only: pin to this CPU, -1 = no pinning */
    int shared_stack;  /* coroutines only: CORO_STACK_SHARED (copy-stack) */
} bk_spawn_cfg;

#if defined(BK_BACKEND_CORO) + defined(BK_BACKEND_THREADS) + defined(BK_BACKEND_UCONTEXT) != 1
#error "define exactly one of BK_BACKEND_CORO, BK_BACKEND_THREADS, BK_BACKEND_UCONTEXT"
#endif

#if defined(BK_BACKEND_THREADS)
#include "backend_threads.h"
#elif defined(BK_BACKEND_UCONTEXT)
#include "backend_ucontext.h"
#else
#include "backend_coro.h"
#endif

/* Registers this compilation's copy of a workload: its spec (workload.h), this
 * backend and its run function, before main() runs. */
#define WL_REGISTER(spec_, run_)                                                                   \
    static wl_entry wl_entry_self = {&(spec_), BK_ID, (run_), bk_switch_impl, NULL};               \
    __attribute__((constructor)) static void wl_register_self(void) {                              \
        wl_register(&wl_entry_self);                                                               \
    }

#endif
