/* ctx_make.c — lays out the first frame of a new context so that the
 * assembly switch "returns" into coro_rawctx_entry with fn and arg in
 * callee-saved registers. Where each register sits is frame.h, the header
 * the switch itself is assembled with. */
#include "coro.h"
#include "frame.h"

#include <stdint.h>
#include <string.h>

void coro_rawctx_entry(void);

const char *coro_switch_impl(void) {
#if defined(__x86_64__)
    return "asm-x86_64";
#elif defined(__aarch64__)
    return "asm-aarch64";
#endif
}

/* One 8-byte slot of the frame at byte offset off (frame.h). */
static void put64(char *frame, int off, uint64_t v) {
    memcpy(frame + off, &v, sizeof v);
}

void coro_rawctx_make(coro_rawctx *ctx, void *stack, size_t size, void (*fn)(void *), void *arg) {
    uintptr_t top = ((uintptr_t)stack + size) & ~(uintptr_t)15;
#if defined(__x86_64__)
    /* Below the top: 16 spare bytes holding a zero "return address" above the
     * entry frame, then the return address slot and the frame. The switch
     * pops all of it, so coro_rawctx_entry runs with rsp = top - 16: 16-byte
     * aligned at its call, as the ABI requires. */
    char *sp = (char *)(top - 16 - 8 - CORO_FRAME_SIZE);
    put64(sp, CORO_FRAME_RET + 8, 0); /* the zero "return address" and its pad */
    put64(sp, CORO_FRAME_RET + 16, 0);
    put64(sp, CORO_FRAME_RBX, 0);
    put64(sp, CORO_FRAME_RBP, 0); /* ends frame-pointer backtraces */
    uint32_t mxcsr = 0x1F80; /* the ABI's initial state: all exceptions masked, round-to-nearest */
    uint16_t fpucw = 0x037F; /* x87: all masked, extended precision, round-to-nearest */
    memcpy(sp + CORO_FRAME_MXCSR, &mxcsr, sizeof mxcsr);
    memcpy(sp + CORO_FRAME_X87CW, &fpucw, sizeof fpucw);
    put64(sp, CORO_FRAME_R12, (uint64_t)(uintptr_t)fn);
    put64(sp, CORO_FRAME_R13, (uint64_t)(uintptr_t)arg);
    put64(sp, CORO_FRAME_RET, (uint64_t)(uintptr_t)coro_rawctx_entry);
#elif defined(__aarch64__)
    char *sp = (char *)(top - CORO_FRAME_SIZE);
    /* x29 = 0 ends backtraces; FPCR 0: round to nearest, no flush-to-zero */
    memset(sp, 0, CORO_FRAME_SIZE);
    put64(sp, CORO_FRAME_X19, (uint64_t)(uintptr_t)fn);
    put64(sp, CORO_FRAME_X20, (uint64_t)(uintptr_t)arg);
    put64(sp, CORO_FRAME_X30, (uint64_t)(uintptr_t)coro_rawctx_entry);
#else
#error "no assembly switch for this architecture: configure with -DCORO_SWITCH=ucontext"
#endif
    ctx->sp = sp;
}
