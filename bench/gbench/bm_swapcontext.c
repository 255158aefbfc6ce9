/* bm_swapcontext.c — glibc's swapcontext between two contexts: the naive
 * user-level switch (it saves the signal mask with a system call), the
 * baseline corobench's assembly switch is set against. One iteration is one
 * switch; the loop does round trips of two. */
#define _GNU_SOURCE
#include "bm.h"
#include "gb.h"

#include <stdlib.h>
#include <ucontext.h>

#define STACK_SIZE (64 * 1024)

static ucontext_t uc_main, uc_other;

static void other_main(void) {
    for (;;) swapcontext(&uc_other, &uc_main);
}

static void bm_swapcontext(gb_state *s, void *arg) {
    (void)arg;
    void *stack = malloc(STACK_SIZE);
    if (!stack || getcontext(&uc_other) != 0) {
        gb_skip(s, "swapcontext: cannot allocate or get a context");
        free(stack);
        return;
    }
    uc_other.uc_stack.ss_sp = stack;
    uc_other.uc_stack.ss_size = STACK_SIZE;
    uc_other.uc_link = NULL;
    makecontext(&uc_other, other_main, 0);

    uint64_t n = gb_start(s, 2);
    for (uint64_t i = 0; i < n / 2; i++) swapcontext(&uc_main, &uc_other);
    gb_stop(s);
    free(stack); /* other_main is parked in swapcontext and never resumed */
}

void bm_register_swapcontext(void) {
    gb_register("switch/swapcontext", bm_swapcontext, NULL, NULL);
}
