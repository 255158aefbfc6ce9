/* bm_fpstate.c — the floating-point control state that corobench's switch
 * keeps per coroutine (coro/arch/: MXCSR and the x87 control word on x86-64,
 * FPCR on aarch64), saved and restored alone, without a switch around it.
 *
 * Why: C++20 coroutines, Go and Tokio keep no such state per task, and the
 * report sets corobench's switch against theirs; this says how much of the
 * gap those instructions can explain. One iteration is what one switch
 * does: save the suspending side's state to one slot, load the resuming
 * side's from another (different addresses, as two stacks' frames are, so
 * the load does not wait for the store). Alone in a loop the instructions
 * serialize on each other; inside the switch other work may overlap them,
 * so this is their cost alone, not their exact share of a switch. */
#include "bm.h"
#include "gb.h"

#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__)
static void bm_fpstate(gb_state *s, void *arg) {
    (void)arg;
    uint32_t mx_save, mx_load;
    uint16_t cw_save, cw_load;
    /* the state being restored is the current one: the loop changes nothing */
    __asm__ volatile("stmxcsr %0\n\tfnstcw %1" : "=m"(mx_load), "=m"(cw_load));
    uint64_t n = gb_start(s, 1);
    for (uint64_t i = 0; i < n; i++)
        __asm__ volatile("stmxcsr %0\n\t" /* save: SSE control/status */
                         "fnstcw %1\n\t"  /* save: x87 control word */
                         "ldmxcsr %2\n\t" /* restore: SSE control/status */
                         "fldcw %3"       /* restore: x87 control word */
                         : "=m"(mx_save), "=m"(cw_save)
                         : "m"(mx_load), "m"(cw_load));
    gb_stop(s);
}
#elif defined(__aarch64__)
static void bm_fpstate(gb_state *s, void *arg) {
    (void)arg;
    uint64_t save, load;
    __asm__ volatile("mrs %0, fpcr" : "=r"(load));
    uint64_t n = gb_start(s, 1);
    for (uint64_t i = 0; i < n; i++)
        __asm__ volatile("mrs %0, fpcr\n\t" /* save: FP control register */
                         "msr fpcr, %1"     /* restore */
                         : "=&r"(save)
                         : "r"(load));
    gb_stop(s);
}
#endif

void bm_register_fpstate(void) {
#if defined(__x86_64__) || defined(__aarch64__)
    gb_register("switch/fpstate", bm_fpstate, NULL, NULL);
#endif
}
