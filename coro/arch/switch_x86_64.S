/* switch_x86_64.S — the context switch for x86-64 (System V ABI).
 *
 * void coro_rawctx_switch(coro_rawctx *from, coro_rawctx *to)
 * int  coro__ctx_switch(coro_rawctx *from, coro_rawctx *to)      (scheduler only)
 * int  coro__ctx_switch_jmp(coro_rawctx *from, coro_rawctx *to)  (scheduler only)
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
 * The scheduler's two (see coro_int.h) are the same switch between the ctx
 * fields of two struct coro; they also load eax from offset 8 of `to`
 * (struct coro's resume_rc), so the context they resume sees that value as
 * the return value of the call it switched out with. That lets a queue wait
 * tail-call the switch and return its result straight to its own caller
 * (coro__wait_op in sched.c). eax is caller-saved: nothing else is lost.
 *
 * Two endings of one body, because of the CPU's return-stack predictor:
 *  - coro_rawctx_switch and coro__ctx_switch_jmp end with pop + indirect jmp
 *    (as Boost's fcontext): right when the two sides switch from different
 *    call sites, or when the switch was reached by a tail call (coro_yield,
 *    coro__wait_op), where `ret` would be mispredicted on every switch.
 *  - coro__ctx_switch ends with `ret`: the scheduler loop and coro__block
 *    switch only from their own code, so the other context resumes at the
 *    call site the predictor expects; a jmp there would leave the return
 *    stack one entry off and cost mispredictions on the returns that follow.
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
	movl	8(%rsi), %eax	/* to's resume_rc */
	ret
	.cfi_endproc
	.size	coro__ctx_switch, .-coro__ctx_switch

	.globl	coro__ctx_switch_jmp
	.hidden	coro__ctx_switch_jmp
	.type	coro__ctx_switch_jmp, @function
	.p2align 4
coro__ctx_switch_jmp:
	.cfi_startproc
	SAVE_AND_SWAP
	movl	8(%rsi), %eax	/* to's resume_rc */
	popq	%rcx
	jmpq	*%rcx
	.cfi_endproc
	.size	coro__ctx_switch_jmp, .-coro__ctx_switch_jmp

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
