/* frame.h — the frame a suspended context leaves at its saved stack pointer.
 *
 * One definition for the three places that must agree on it: the switch
 * (switch_x86_64.S, switch_aarch64.S, which the C preprocessor runs over),
 * coro_rawctx_make (ctx_make.c, which builds the first frame of a new
 * context by hand) and struct coro (coro_int.h, whose resume_rc the
 * scheduler's switches load). Plain decimal constants only: the assembler
 * reads them too, so no casts, suffixes or sizeof.
 */
#ifndef CORO_ARCH_FRAME_H
#define CORO_ARCH_FRAME_H

/* Offset of resume_rc in struct coro: the scheduler's switches
 * (coro__ctx_switch, coro__ctx_switch_jmp) load it from `to` into the return
 * register. coro_int.h asserts that struct coro puts it there. */
#define CORO_RESUME_RC_OFF 8

#if defined(__x86_64__)
/* x86-64 (System V), offsets from the saved sp, low to high:
 *
 *   +0   MXCSR       4 bytes: SSE rounding mode and exception masks
 *   +4   x87 CW      2 bytes: x87 precision and rounding (+6: 2 unused)
 *   +8   r15
 *   +16  r14
 *   +24  r13
 *   +32  r12
 *   +40  rbx
 *   +48  rbp
 *   +56  return address: pushed by the call into the switch; where the
 *        context resumes (coro_rawctx_entry for a new one)
 *
 * The switch reserves CORO_FRAME_SIZE bytes below the return address; the
 * call's push and that reservation keep the saved sp 16-byte aligned. */
#define CORO_FRAME_MXCSR 0
#define CORO_FRAME_X87CW 4
#define CORO_FRAME_R15 8
#define CORO_FRAME_R14 16
#define CORO_FRAME_R13 24
#define CORO_FRAME_R12 32
#define CORO_FRAME_RBX 40
#define CORO_FRAME_RBP 48
#define CORO_FRAME_SIZE 56
#define CORO_FRAME_RET 56

#elif defined(__aarch64__)
/* AArch64 (AAPCS64), offsets from the saved sp, low to high. Registers are
 * stored in pairs (stp/ldp): the second of a pair sits 8 bytes above the
 * offset named here.
 *
 *   +0   d8, d9      low 64 bits of v8-v15: the callee-saved FP state
 *   +16  d10, d11
 *   +32  d12, d13
 *   +48  d14, d15
 *   +64  x19, x20    callee-saved integer registers
 *   +80  x21, x22
 *   +96  x23, x24
 *   +112 x25, x26
 *   +128 x27, x28
 *   +144 x29, x30    frame pointer; link register = where the context
 *                    resumes (coro_rawctx_entry for a new one)
 *   +160 FPCR        rounding mode, flush-to-zero
 *   +168 padding     keeps sp 16-byte aligned, as AArch64 requires
 */
#define CORO_FRAME_D8 0
#define CORO_FRAME_D10 16
#define CORO_FRAME_D12 32
#define CORO_FRAME_D14 48
#define CORO_FRAME_X19 64
#define CORO_FRAME_X20 72
#define CORO_FRAME_X21 80
#define CORO_FRAME_X23 96
#define CORO_FRAME_X25 112
#define CORO_FRAME_X27 128
#define CORO_FRAME_X29 144
#define CORO_FRAME_X30 152
#define CORO_FRAME_FPCR 160
#define CORO_FRAME_SIZE 176

#endif
#endif
