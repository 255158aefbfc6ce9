/* switch_x86_64.S — the context switch for x86-64 (System V ABI).
 *
 * void coro_rawctx_switch(coro_rawctx *from, coro_rawctx *to)
 * void coro__ctx_switch(coro_rawctx *from, coro_rawctx *to)   (scheduler only)
 *
 * A context is one saved stack pointer. The switch is an ordinary call, so the
 * caller has already saved every caller-saved register it needs; we save only
 * what the ABI says a callee must preserve:
 *   rbx, rbp, r12-r15   callee-saved integer registers
 *   MXCSR control bits  (SSE rounding mode, exception masks) — callee-saved
 *   x87 control word    (x87 precision/rounding)            — callee-saved
 * and rsp itself (in *from). xmm registers are all caller-saved on System V,
 * so none are stored. The return address pushed by the call is the resume
 * point: on the other stack it continues wherever that context switched out
 * (or enters coro_rawctx_entry for a new one).
 *
 * Two endings of the same body, because of the CPU's return-stack predictor:
 *  - coro_rawctx_switch ends with pop + indirect jmp (as Boost's fcontext):
 *    right when the two sides switch from different call sites (a generator
 *    resumed at one place and yielding at another), where `ret` would be
 *    mispredicted on every switch.
 *  - coro__ctx_switch ends with `ret`: the scheduler switches only from its own
 *    code, so the other context resumes at the same call site the predictor
 *    expects; a jmp there would leave the return stack one entry off and cost
 *    mispredictions on the returns that follow.
 *
 * Frame layout at the saved sp (low to high):
 *   +0 MXCSR (4 bytes), +4 x87 CW (2 bytes), +8 r15, +16 r14, +24 r13,
 *   +32 r12, +40 rbx, +48 rbp, +56 return address.
 */
.macro SAVE_AND_SWAP
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	subq	$8, %rsp
	stmxcsr	(%rsp)
	fnstcw	4(%rsp)
	movq	%rsp, (%rdi)	/* from->sp */
	movq	(%rsi), %rsp	/* to->sp */
	ldmxcsr	(%rsp)
	fldcw	4(%rsp)
	addq	$8, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
.endm

	.text
	.globl	coro_rawctx_switch
	.type	coro_rawctx_switch, @function
	.p2align 4
coro_rawctx_switch:
	.cfi_startproc
	SAVE_AND_SWAP
	popq	%rcx		/* rcx is caller-saved: free to carry the target */
	jmpq	*%rcx
	.cfi_endproc
	.size	coro_rawctx_switch, .-coro_rawctx_switch

	.globl	coro__ctx_switch
	.hidden	coro__ctx_switch
	.type	coro__ctx_switch, @function
	.p2align 4
coro__ctx_switch:
	.cfi_startproc
	SAVE_AND_SWAP
	ret
	.cfi_endproc
	.size	coro__ctx_switch, .-coro__ctx_switch

/* First entry of a new context: coro_rawctx_make() left fn in r12 and its
 * argument in r13. rsp is 16-byte aligned here, as a call requires. fn never
 * returns; if it did, ud2 traps instead of running off the stack. */
	.globl	coro_rawctx_entry
	.hidden	coro_rawctx_entry
	.type	coro_rawctx_entry, @function
	.p2align 4
coro_rawctx_entry:
	.cfi_startproc
	.cfi_undefined rip
	xorl	%ebp, %ebp
	movq	%r13, %rdi
	callq	*%r12
	ud2
	.cfi_endproc
	.size	coro_rawctx_entry, .-coro_rawctx_entry

	.section .note.GNU-stack,"",@progbits
