/* bm_fpstate.c — what keeping the floating-point control state costs inside
 * corobench's switch: the raw switch of bm_coro.c's switch/coro/rawctx, made
 * with coro__rawctx_switch_nofp (coro/arch/), which is the same instructions
 * less the saving and loading of that state (MXCSR and the x87 control word
 * on x86-64, FPCR on aarch64).
 *
 * Why a whole switch and not those instructions alone in a loop: alone they
 * serialize on each other and cost several times their share, while inside
 * a switch the rest of the work overlaps them. The report sets this case
 * beside switch/coro/rawctx (same processes, interleaved) where it compares
 * corobench's switch with C++20 coroutines, which keep no such state. */
#include "bm.h"
#include "coro.h"
#include "gb.h"

#include <stdlib.h>

/* Hidden in the runtime (coro/arch/switch_*.S): for this measurement only. */
void coro__rawctx_switch_nofp(coro_rawctx *from, coro_rawctx *to);

#define NOFP_STACK (64 * 1024)
static coro_rawctx nofp_main, nofp_other;

static void nofp_other_main(void *arg) {
    (void)arg;
    for (;;) coro__rawctx_switch_nofp(&nofp_other, &nofp_main);
}

static void bm_rawctx_nofp(gb_state *s, void *arg) {
    (void)arg;
    void *stack = aligned_alloc(64, NOFP_STACK);
    if (!stack) {
        gb_skip(s, "rawctx_nofp: cannot allocate a stack");
        return;
    }
    coro_rawctx_make(&nofp_other, stack, NOFP_STACK, nofp_other_main, NULL);
    uint64_t n = gb_start(s, 2);
    for (uint64_t i = 0; i < n / 2; i++) coro__rawctx_switch_nofp(&nofp_main, &nofp_other);
    gb_stop(s);
    free(stack); /* nofp_other_main is parked in a switch and never resumed */
}

void bm_register_fpstate(void) {
    gb_register("switch/coro/rawctx_nofp", bm_rawctx_nofp, NULL, NULL);
}
