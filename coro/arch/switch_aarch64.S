/* switch_aarch64.S — the context switch for AArch64 (AAPCS64).
 *
 * void coro_rawctx_switch(coro_rawctx *from, coro_rawctx *to)
 * int  coro__ctx_switch(coro_rawctx *from, coro_rawctx *to)      (scheduler only)
 * int  coro__ctx_switch_jmp(coro_rawctx *from, coro_rawctx *to)  (scheduler only)
 *
 * A context is one saved stack pointer. Saved, because AAPCS64 makes them
 * callee-saved:
 *   x19-x28   callee-saved integer registers
 *   x29 (fp), x30 (lr: the resume address)
 *   d8-d15    the low 64 bits of v8-v15, the only callee-saved FP state
 *   FPCR      the FP control register (rounding mode, flush-to-zero): saved
 *             so that each coroutine keeps its own, as MXCSR on x86-64
 * plus sp itself (in *from). x0-x18 and the rest of v0-v31 are caller-saved.
 * Where each one is stored: frame.h, which coro_rawctx_make (ctx_make.c)
 * reads too.
 *
 * The scheduler's coro__ctx_switch(_jmp) is the same code plus one load of
 * `to`'s resume_rc into w0 (see switch_x86_64.S for why).
 *
 * Branch target identification (BTI, Armv8.5). The object's
 * .note.gnu.property (at the end) says BTI; the linker ANDs the notes of all
 * inputs, and the loader maps a marked program's code as guarded pages, where
 * an indirect branch (br, blr) must land on a matching `bti`: `bti c` takes
 * blr and br through x16/x17 (PLT entries, linker veneers), `bti j` takes
 * other br. A `ret` is not checked. Here:
 *   coro_rawctx_switch       public: may be called through a pointer or PLT:
 *                            `bti c`;
 *   coro__ctx_switch(_jmp)   hidden, reached by bl or b from the runtime, but
 *                            a long-range linker veneer reaches its target
 *                            with br x16: `bti c`, as GCC gives every
 *                            non-static function;
 *   the resume points        all reached by `ret` (x30 restored): nothing to
 *                            mark, and coro_rawctx_entry, a new context's
 *                            first resume point, needs no pad either;
 *   blr x19 in coro_rawctx_entry calls C code, whose `bti c` (or paciasp)
 *                            the compiler emits under -mbranch-protection.
 * `bti c` is written `hint 34` so that assemblers without Armv8.5 accept it;
 * it is a NOP on CPUs (or pages) without BTI. Always there, not only under
 * -mbranch-protection, for the reason given in switch_x86_64.S.
 *
 * Not claimed: PAC (the saved x30 is stored unsigned: the switch does not
 * sign return addresses, the C code around it does its own) and GCS, the
 * guarded control stack, which is a shadow stack of return addresses: the
 * switch changes sp and returns into another stack's frames, which GCS
 * would refuse without one control stack per context.
 */
#include "frame.h"
#include "gnu_property.h"

	.text
/* Restore `to`'s saved state from the frame at sp and pop it. fp=0 leaves
 * FPCR alone (coro__rawctx_switch_nofp only). */
.macro RESTORE fp=1
	ldp	d8, d9, [sp, #CORO_FRAME_D8]	/* `to`'s callee-saved registers */
	ldp	d10, d11, [sp, #CORO_FRAME_D10]
	ldp	d12, d13, [sp, #CORO_FRAME_D12]
	ldp	d14, d15, [sp, #CORO_FRAME_D14]
	ldp	x19, x20, [sp, #CORO_FRAME_X19]
	ldp	x21, x22, [sp, #CORO_FRAME_X21]
	ldp	x23, x24, [sp, #CORO_FRAME_X23]
	ldp	x25, x26, [sp, #CORO_FRAME_X25]
	ldp	x27, x28, [sp, #CORO_FRAME_X27]
	ldp	x29, x30, [sp, #CORO_FRAME_X29]	/* x30: where `to` resumes */
	.if \fp
	ldr	x10, [sp, #CORO_FRAME_FPCR]
	msr	fpcr, x10			/* `to`'s FP control register */
	.endif
	add	sp, sp, #CORO_FRAME_SIZE	/* pop the frame */
.endm

/* One body, three entry points: the public primitive, and the scheduler's
 * two, which also return to the resumed context its struct coro's resume_rc.
 * All end in `ret` to the restored x30. The x86-64 switch ends some of its
 * entry points in an indirect jmp instead, for the return-stack predictor;
 * whether that would pay on aarch64 too has not been tried on aarch64
 * hardware, so the simpler ending stays. */
.macro SWITCH load_rc, fp=1
	hint	34				/* bti c: landing pad (see the top) */
	sub	sp, sp, #CORO_FRAME_SIZE	/* room for the frame */
	stp	d8, d9, [sp, #CORO_FRAME_D8]	/* callee-saved FP registers */
	stp	d10, d11, [sp, #CORO_FRAME_D10]
	stp	d12, d13, [sp, #CORO_FRAME_D12]
	stp	d14, d15, [sp, #CORO_FRAME_D14]
	stp	x19, x20, [sp, #CORO_FRAME_X19]	/* callee-saved integer registers */
	stp	x21, x22, [sp, #CORO_FRAME_X21]
	stp	x23, x24, [sp, #CORO_FRAME_X23]
	stp	x25, x26, [sp, #CORO_FRAME_X25]
	stp	x27, x28, [sp, #CORO_FRAME_X27]
	stp	x29, x30, [sp, #CORO_FRAME_X29]	/* frame pointer, resume address */
	.if \fp
	mrs	x10, fpcr			/* FP control register (x10: caller-saved) */
	str	x10, [sp, #CORO_FRAME_FPCR]
	.endif
	mov	x9, sp				/* sp cannot be stored directly */
	str	x9, [x0]			/* from->sp */
	ldr	x9, [x1]			/* to->sp */
	mov	sp, x9				/* now on `to`'s stack, at its frame */
	RESTORE \fp
	.if \load_rc
	ldr	w0, [x1, #CORO_RESUME_RC_OFF]	/* to's resume_rc: the call's result there */
	.endif
	ret					/* resume `to` */
.endm

	.globl	coro_rawctx_switch
	.type	coro_rawctx_switch, %function
	.p2align 4
coro_rawctx_switch:
	SWITCH 0
	.size	coro_rawctx_switch, .-coro_rawctx_switch

/* void coro__rawctx_switch_nofp(coro_rawctx *from, coro_rawctx *to):
 * coro_rawctx_switch without FPCR, for the benchmark that measures what
 * keeping it costs inside a switch; see switch_x86_64.S. */
	.globl	coro__rawctx_switch_nofp
	.hidden	coro__rawctx_switch_nofp
	.type	coro__rawctx_switch_nofp, %function
	.p2align 4
coro__rawctx_switch_nofp:
	SWITCH 0, 0
	.size	coro__rawctx_switch_nofp, .-coro__rawctx_switch_nofp

	.globl	coro__ctx_switch
	.hidden	coro__ctx_switch
	.type	coro__ctx_switch, %function
	.globl	coro__ctx_switch_jmp
	.hidden	coro__ctx_switch_jmp
	.type	coro__ctx_switch_jmp, %function
	.p2align 4
coro__ctx_switch:
coro__ctx_switch_jmp:
	SWITCH 1
	.size	coro__ctx_switch, .-coro__ctx_switch

/* int coro__ctx_exit(coro_rawctx *to)  (scheduler only): the last switch
 * of a coroutine that has ended; nothing of it is saved, `to` is restored
 * and resumed with its resume_rc (the x86-64 file says why it exists). */
	.globl	coro__ctx_exit
	.hidden	coro__ctx_exit
	.type	coro__ctx_exit, %function
	.p2align 4
coro__ctx_exit:
	hint	34				/* bti c */
	ldr	x9, [x0]			/* to->sp */
	mov	sp, x9
	RESTORE
	ldr	w0, [x0, #CORO_RESUME_RC_OFF]
	ret
	.size	coro__ctx_exit, .-coro__ctx_exit

/* First entry of a new context: coro_rawctx_make() left fn in x19 and its
 * argument in x20, and x30 pointing here (so the switch's ret lands here: no
 * landing pad needed). fn never returns; brk traps if it did. */
	.globl	coro_rawctx_entry
	.hidden	coro_rawctx_entry
	.type	coro_rawctx_entry, %function
	.p2align 4
coro_rawctx_entry:
	mov	x29, #0				/* no caller frame: ends frame-pointer walks */
	mov	x0, x20				/* fn's argument */
	blr	x19				/* fn(arg) */
	brk	#0				/* fn returned: trap */
	.size	coro_rawctx_entry, .-coro_rawctx_entry

/* The BTI property note (see the top of the file): BTI only.
 * GNU_PROPERTY_AARCH64_FEATURE_1_AND is 0xc0000000; its bits: 1 BTI, 2 PAC,
 * 4 GCS. */
	GNU_PROPERTY_NOTE 0xc0000000, 1

	.section .note.GNU-stack,"",%progbits
