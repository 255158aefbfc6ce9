/* thr_testing.h — internal hooks for tests/threads only, not part of thr.h.
 *
 * Tests must prove that a thread is blocked inside put/get/join/wait before
 * they lift the condition (e.g. that set() followed at once by clear() still
 * releases a waiter). Sleeping and hoping is flaky on a noisy 2-core machine;
 * reading the waiter counts the library keeps anyway is exact.
 */
#ifndef THR_TESTING_H
#define THR_TESTING_H

#include "thr.h"

/* Threads currently blocked in get, put and join of q (any pointer may be NULL). */
void thr_queue_waiters_(thr_queue_t *q, unsigned *getters, unsigned *putters, unsigned *joiners);
/* Threads currently blocked in thr_event_wait(e). */
unsigned thr_event_waiters_(thr_event_t *e);

#endif
