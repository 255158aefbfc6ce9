/* bm.h — the registration entry point of each microbenchmark file, called by
 * main.c; a file whose dependency is missing is simply not built. */
#ifndef BM_H
#define BM_H

void bm_register_thread_switch(void); /* bm_thread_switch.c */
void bm_register_pthread_spawn(void); /* bm_pthread_spawn.c */
void bm_register_swapcontext(void);   /* bm_swapcontext.c */
void bm_register_fcontext(void);      /* bm_fcontext.c (libboost-context) */
/* bm_coro.c, against coro or coro_ucontext */
void bm_register_coro_switch(void);
void bm_register_coro_spawn(void);
void bm_register_coro_queue(void);
void bm_register_thr_queue(void); /* bm_thr_queue.c (threads/) */

#endif
