/* switch_aarch64.S — the context switch for AArch64 (AAPCS64).
 *
 * void coro_rawctx_switch(coro_rawctx *from, coro_rawctx *to)
 *
 * A context is one saved stack pointer. Saved, because AAPCS64 makes them
 * callee-saved:
 *   x19-x28   callee-saved integer registers
 *   x29 (fp), x30 (lr: the resume address)
 *   d8-d15    the low 64 bits of v8-v15, the only callee-saved FP state
 *   FPCR      the FP control register (rounding mode, flush-to-zero): saved
 *             so that each coroutine keeps its own, as MXCSR on x86-64
 * plus sp itself (in *from). x0-x18 and the rest of v0-v31 are caller-saved.
 *
 * The scheduler's coro__ctx_switch(_jmp) is the same code plus one load (see
 * below and switch_x86_64.S).
 *
 * Frame layout at the saved sp (176 bytes, 16-aligned):
 *   +0 d8,d9  +16 d10,d11  +32 d12,d13  +48 d14,d15
 *   +64 x19,x20  +80 x21,x22  +96 x23,x24  +112 x25,x26  +128 x27,x28
 *   +144 x29,x30  +160 FPCR  +168 padding
 */
	.text
/* One body, three entry points: the public primitive, and the scheduler's
 * two, which also return to the resumed context its struct coro's resume_rc
 * (offset 8 of `to`, in w0). All end in `ret` (x30 is restored, so ret is
 * the indirect branch here; not measured on hardware yet). */
.macro SWITCH load_rc
	sub	sp, sp, #176
	stp	d8, d9, [sp, #0]
	stp	d10, d11, [sp, #16]
	stp	d12, d13, [sp, #32]
	stp	d14, d15, [sp, #48]
	stp	x19, x20, [sp, #64]
	stp	x21, x22, [sp, #80]
	stp	x23, x24, [sp, #96]
	stp	x25, x26, [sp, #112]
	stp	x27, x28, [sp, #128]
	stp	x29, x30, [sp, #144]
	mrs	x10, fpcr
	str	x10, [sp, #160]
	mov	x9, sp
	str	x9, [x0]		/* from->sp */
	ldr	x9, [x1]		/* to->sp */
	mov	sp, x9
	ldp	d8, d9, [sp, #0]
	ldp	d10, d11, [sp, #16]
	ldp	d12, d13, [sp, #32]
	ldp	d14, d15, [sp, #48]
	ldp	x19, x20, [sp, #64]
	ldp	x21, x22, [sp, #80]
	ldp	x23, x24, [sp, #96]
	ldp	x25, x26, [sp, #112]
	ldp	x27, x28, [sp, #128]
	ldp	x29, x30, [sp, #144]
	ldr	x10, [sp, #160]
	msr	fpcr, x10
	add	sp, sp, #176
	.if \load_rc
	ldr	w0, [x1, #8]		/* to's resume_rc */
	.endif
	ret
.endm

	.globl	coro_rawctx_switch
	.type	coro_rawctx_switch, %function
	.p2align 4
coro_rawctx_switch:
	SWITCH 0
	.size	coro_rawctx_switch, .-coro_rawctx_switch

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

/* First entry of a new context: coro_rawctx_make() left fn in x19 and its
 * argument in x20, and x30 pointing here. fn never returns; brk traps if it
 * did. */
	.globl	coro_rawctx_entry
	.hidden	coro_rawctx_entry
	.type	coro_rawctx_entry, %function
	.p2align 4
coro_rawctx_entry:
	mov	x29, #0
	mov	x0, x20
	blr	x19
	brk	#0
	.size	coro_rawctx_entry, .-coro_rawctx_entry

	.section .note.GNU-stack,"",%progbits
