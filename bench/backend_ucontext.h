/* backend_ucontext.h — bk_* over the same coroutine runtime built with glibc's
 * swapcontext as its switch (CMake target coro_ucontext): the naive baseline.
 *
 * Why the renaming: coro and coro_ucontext export the same coro_* names, so
 * bench/CMakeLists.txt copies the coro_ucontext archive with every exported
 * symbol prefixed by "bkucx_" (objcopy --redefine-syms); the defines below make
 * coro.h declare, and the wrappers call, those renamed functions. Only the
 * names the wrappers use are listed. Include backend.h, not this file.
 */
#ifndef BK_BACKEND_UCONTEXT_H
#define BK_BACKEND_UCONTEXT_H

#define coro_strerror bkucx_coro_strerror
#define coro_run bkucx_coro_run
#define coro_run_ex bkucx_coro_run_ex
#define coro_run_opts_init bkucx_coro_run_opts_init
#define coro_spawn_opts_init bkucx_coro_spawn_opts_init
#define coro_spawn bkucx_coro_spawn
#define coro_spawn_ex bkucx_coro_spawn_ex
#define coro_last_error bkucx_coro_last_error
#define coro_join bkucx_coro_join
#define coro_self bkucx_coro_self
#define coro_id bkucx_coro_id
#define coro_yield bkucx_coro_yield
#define coro_sleep_ns bkucx_coro_sleep_ns
#define coro_queue_new bkucx_coro_queue_new
#define coro_queue_put bkucx_coro_queue_put
#define coro_queue_get bkucx_coro_queue_get
#define coro_queue_try_put bkucx_coro_queue_try_put
#define coro_queue_try_get bkucx_coro_queue_try_get
#define coro_queue_len bkucx_coro_queue_len
#define coro_queue_task_done bkucx_coro_queue_task_done
#define coro_queue_join bkucx_coro_queue_join
#define coro_queue_close bkucx_coro_queue_close
#define coro_queue_free bkucx_coro_queue_free
#define coro_event_init bkucx_coro_event_init
#define coro_event_set bkucx_coro_event_set
#define coro_event_clear bkucx_coro_event_clear
#define coro_event_is_set bkucx_coro_event_is_set
#define coro_event_wait bkucx_coro_event_wait
#define coro_get_stats bkucx_coro_get_stats
#define coro_rawctx_make bkucx_coro_rawctx_make
#define coro_rawctx_switch bkucx_coro_rawctx_switch
#define coro_switch_impl bkucx_coro_switch_impl

#define BK_NAME "ucontext"
#define BK_ID BK_UCONTEXT
#include "backend_coro.h"

#endif
