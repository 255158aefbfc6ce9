/* bm_fcontext.c — Boost.Context's jump_fcontext, the reference the targets set
 * for the raw switch (at most 1.0x of it). Declared here in C: the functions
 * are extern "C" in libboost_context, and transfer_t is two pointers returned
 * in registers. One iteration is one switch; the loop does round trips. */
#include "bm.h"
#include "gb.h"

#include <stddef.h>
#include <stdlib.h>

typedef struct {
    void *fctx;
    void *data;
} transfer_t;
transfer_t jump_fcontext(void *to, void *vp);
void *make_fcontext(void *sp, size_t size, void (*fn)(transfer_t));

#define STACK_SIZE (64 * 1024)

static void other_main(transfer_t t) {
    for (;;) t = jump_fcontext(t.fctx, NULL);
}

static void bm_fcontext(gb_state *s, void *arg) {
    (void)arg;
    char *stack = aligned_alloc(64, STACK_SIZE);
    if (!stack) {
        gb_skip(s, "fcontext: cannot allocate a stack");
        return;
    }
    /* make_fcontext takes the top of the stack */
    void *ctx = make_fcontext(stack + STACK_SIZE, STACK_SIZE, other_main);

    uint64_t n = gb_start(s, 2);
    for (uint64_t i = 0; i < n / 2; i++) ctx = jump_fcontext(ctx, NULL).fctx;
    gb_stop(s);
    free(stack); /* other_main is parked in jump_fcontext and never resumed */
}

void bm_register_fcontext(void) {
    gb_register("switch/fcontext", bm_fcontext, NULL, NULL);
}
