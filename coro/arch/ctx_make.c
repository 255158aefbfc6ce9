/* ctx_make.c — lays out the first frame of a new context so that the
 * assembly switch "returns" into coro_rawctx_entry with fn and arg in
 * callee-saved registers. The layouts mirror the comments in switch_*.S. */
#include "coro.h"

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

void coro_rawctx_make(coro_rawctx *ctx, void *stack, size_t size, void (*fn)(void *), void *arg) {
    uintptr_t top = ((uintptr_t)stack + size) & ~(uintptr_t)15;
#if defined(__x86_64__)
    /* sp+64 (after the 7 pops and ret) must be 16-aligned at the call in
     * coro_rawctx_entry; 16 spare bytes above keep a zero "return address". */
    uint64_t *sp = (uint64_t *)(top - 80);
    sp[5] = 0; /* rbx */
    sp[6] = 0; /* rbp: ends frame-pointer backtraces */
    sp[8] = 0; /* a zero "return address" above the entry frame */
    sp[9] = 0;
    uint32_t mxcsr = 0x1F80; /* the ABI's initial state: all exceptions masked, round-to-nearest */
    uint16_t fpucw = 0x037F; /* x87: all masked, extended precision, round-to-nearest */
    memcpy((char *)sp, &mxcsr, 4);
    memcpy((char *)sp + 4, &fpucw, 2);
    sp[4] = (uint64_t)(uintptr_t)fn;  /* r12 */
    sp[3] = (uint64_t)(uintptr_t)arg; /* r13 */
    sp[7] = (uint64_t)(uintptr_t)coro_rawctx_entry;
#elif defined(__aarch64__)
    uint64_t *sp = (uint64_t *)(top - 176);
    memset(sp, 0, 176);
    sp[8] = (uint64_t)(uintptr_t)fn;                 /* x19 */
    sp[9] = (uint64_t)(uintptr_t)arg;                /* x20 */
    sp[19] = (uint64_t)(uintptr_t)coro_rawctx_entry; /* x30 */
    sp[20] = 0;                                      /* FPCR: round to nearest, no flush */
#else
#error "no assembly switch for this architecture: configure with -DCORO_SWITCH=ucontext"
#endif
    ctx->sp = sp;
}
