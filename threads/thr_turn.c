/* thr_turn.c — the futex ping-pong (thr.h thr_turn_t).
 *
 * Why FUTEX_*_PRIVATE: the word is never shared between processes, and the
 * private futexes skip the kernel's lookup of the mapping. A waiter re-checks
 * the word after every return (a spurious wake-up, EINTR, or EAGAIN when the
 * word changed before it slept), so no wake-up can be lost.
 */
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "thr.h"

static void futex(int *addr, int op, int val) {
    syscall(SYS_futex, addr, op, val, NULL, NULL, 0);
}

void thr_turn_init(thr_turn_t *t, int first) {
    __atomic_store_n(&t->turn, first, __ATOMIC_RELEASE);
}

void thr_turn_wait(thr_turn_t *t, int me) {
    int v;
    while ((v = __atomic_load_n(&t->turn, __ATOMIC_ACQUIRE)) != me)
        futex(&t->turn, FUTEX_WAIT_PRIVATE, v);
}

void thr_turn_pass(thr_turn_t *t, int to) {
    __atomic_store_n(&t->turn, to, __ATOMIC_RELEASE);
    futex(&t->turn, FUTEX_WAKE_PRIVATE, 1);
}
