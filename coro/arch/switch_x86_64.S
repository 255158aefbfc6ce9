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
 * (or enters coro_rawctx_entry for a new one). Where each one is stored:
 * frame.h, which coro_rawctx_make (ctx_make.c) reads too.
 *
 * The scheduler's two (see coro_int.h) are the same switch between the ctx
 * fields of two struct coro; they also load eax from `to`'s resume_rc
 * (CORO_RESUME_RC_OFF), so the context they resume sees that value as the
 * return value of the call it switched out with. That lets a queue wait
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
 * Intel CET (control-flow enforcement). The object's .note.gnu.property
 * (at the end) says IBT and only IBT; the linker ANDs the notes of all
 * inputs, so a program is marked only if every part of it is.
 *  - IBT (indirect branch tracking): every indirect call or jmp must land on
 *    an endbr64, unless it carries the notrack prefix and the OS set
 *    NO_TRACK_EN. The indirect-branch targets here:
 *      coro_rawctx_switch    public: reachable through a PLT or a pointer,
 *                            so it starts with endbr64;
 *      coro_rawctx_entry     where a new context starts; reached by the
 *                            jmp below or by `ret`; endbr64 (run once per
 *                            context, not per switch);
 *      the resume points     return addresses in C code just after a call
 *                            to a switch; the compiler puts no endbr64
 *                            there (a return is not tracked), so the jmp
 *                            that reaches them is `notrack jmp *%rcx`, as
 *                            GCC's own -fcf-protection code does for switch
 *                            jump tables: this relies on NO_TRACK_EN exactly
 *                            as any IBT-marked GCC output does.
 *    coro__ctx_switch(_jmp) are hidden and only reached by direct call or
 *    jmp from the runtime (a hidden symbol gets no PLT), so they need no
 *    endbr64, and the scheduler's hot path carries none. The C function
 *    that coro_rawctx_entry calls through r12 gets its endbr64 from the
 *    compiler under -fcf-protection.
 *  - SHSTK (shadow stack) is NOT claimed, because it is not true: the
 *    switch moves rsp to another stack and returns (ret) or jumps to an
 *    address saved there, while the CPU's shadow stack still holds the
 *    return addresses of the stack it left; the ret would fault (#CP), and
 *    the pop + jmp leaves the shadow stack one entry deep per switch. Being
 *    compatible would need one shadow stack per context, switched with
 *    rstorssp/saveprevssp (as Boost does when built for it). Without the
 *    bit, a program that links this switch is not marked SHSTK-compatible,
 *    so the loader does not turn the shadow stack on for it.
 * endbr64 and the notrack prefix are NOPs on CPUs (or processes) without
 * CET. They are always there, not only when the compiler is asked for CET
 * (Boost tests __CET__, which -fcf-protection defines): CMake does not pass
 * CFLAGS or CMAKE_C_FLAGS to .S files, so a switch marked only under that
 * flag would quietly leave unmarked a runtime whose C code was built for
 * CET. The price
 * is one instruction per raw switch (coro_rawctx_switch) and one per new
 * context; the scheduler's switches carry none.
 */
#include "frame.h"
#include "gnu_property.h"

/* Restore `to`'s saved state from the frame at rsp and pop it, leaving rsp
 * at `to`'s return address. fp=0 leaves the floating-point control state
 * alone (coro__rawctx_switch_nofp only). */
.macro RESTORE fp=1
	.if \fp
	ldmxcsr	CORO_FRAME_MXCSR(%rsp)			/* `to`'s SSE control/status word */
	fldcw	CORO_FRAME_X87CW(%rsp)			/* `to`'s x87 control word */
	.endif
	movq	CORO_FRAME_R15(%rsp), %r15		/* `to`'s callee-saved registers */
	movq	CORO_FRAME_R14(%rsp), %r14
	movq	CORO_FRAME_R13(%rsp), %r13
	movq	CORO_FRAME_R12(%rsp), %r12
	movq	CORO_FRAME_RBX(%rsp), %rbx
	movq	CORO_FRAME_RBP(%rsp), %rbp
	addq	$CORO_FRAME_SIZE, %rsp			/* rsp -> `to`'s return address */
.endm

/* Save the callee-saved state of `from` (rdi) below its return address,
 * store its sp, load `to`'s (rsi) and restore the same state from there.
 * Leaves rsp at `to`'s return address. fp=0: as RESTORE. */
.macro SAVE_AND_SWAP fp=1
	subq	$CORO_FRAME_SIZE, %rsp			/* room for the frame under the return address */
	.if \fp
	stmxcsr	CORO_FRAME_MXCSR(%rsp)			/* SSE control/status word */
	fnstcw	CORO_FRAME_X87CW(%rsp)			/* x87 control word */
	.endif
	movq	%r15, CORO_FRAME_R15(%rsp)		/* callee-saved integer registers */
	movq	%r14, CORO_FRAME_R14(%rsp)
	movq	%r13, CORO_FRAME_R13(%rsp)
	movq	%r12, CORO_FRAME_R12(%rsp)
	movq	%rbx, CORO_FRAME_RBX(%rsp)
	movq	%rbp, CORO_FRAME_RBP(%rsp)
	movq	%rsp, (%rdi)				/* from->sp = the frame just written */
	movq	(%rsi), %rsp				/* now on `to`'s stack, at its frame */
	RESTORE \fp
.endm

	.text
	.globl	coro_rawctx_switch
	.type	coro_rawctx_switch, @function
	.p2align 4
coro_rawctx_switch:
	.cfi_startproc
	endbr64					/* IBT landing pad: public, may be called indirectly */
	SAVE_AND_SWAP
	popq	%rcx				/* rcx is caller-saved: free to carry the target */
	notrack jmpq	*%rcx			/* resume `to` (no endbr64 there: see above) */
	.cfi_endproc
	.size	coro_rawctx_switch, .-coro_rawctx_switch

/* void coro__rawctx_switch_nofp(coro_rawctx *from, coro_rawctx *to)
 * coro_rawctx_switch without the floating-point control state: the same
 * frame, its MXCSR and x87 slots neither written nor read. Not part of the
 * runtime's contract and never used by it: it exists so that a benchmark can
 * set the two switches side by side and measure what keeping that state
 * costs inside a switch, where the rest of the switch's work overlaps it
 * (bench/gbench, switch/coro/rawctx_nofp). Both sides of a pair must use it:
 * a context saved by it holds no FP state for coro_rawctx_switch to load. */
	.globl	coro__rawctx_switch_nofp
	.hidden	coro__rawctx_switch_nofp
	.type	coro__rawctx_switch_nofp, @function
	.p2align 4
coro__rawctx_switch_nofp:
	.cfi_startproc
	endbr64					/* as coro_rawctx_switch: reached from outside the runtime */
	SAVE_AND_SWAP 0
	popq	%rcx				/* as coro_rawctx_switch */
	notrack jmpq	*%rcx
	.cfi_endproc
	.size	coro__rawctx_switch_nofp, .-coro__rawctx_switch_nofp

	.globl	coro__ctx_switch
	.hidden	coro__ctx_switch
	.type	coro__ctx_switch, @function
	.p2align 4
coro__ctx_switch:
	.cfi_startproc
	SAVE_AND_SWAP
	movl	CORO_RESUME_RC_OFF(%rsi), %eax	/* to's resume_rc: the call's result there */
	ret					/* resume `to` at the call site the predictor expects */
	.cfi_endproc
	.size	coro__ctx_switch, .-coro__ctx_switch

	.globl	coro__ctx_switch_jmp
	.hidden	coro__ctx_switch_jmp
	.type	coro__ctx_switch_jmp, @function
	.p2align 4
coro__ctx_switch_jmp:
	.cfi_startproc
	SAVE_AND_SWAP
	movl	CORO_RESUME_RC_OFF(%rsi), %eax	/* to's resume_rc: the call's result there */
	popq	%rcx				/* the resume point, as in coro_rawctx_switch */
	notrack jmpq	*%rcx
	.cfi_endproc
	.size	coro__ctx_switch_jmp, .-coro__ctx_switch_jmp

/* int coro__ctx_exit(coro_rawctx *to)  (scheduler only)
 * The last switch of a coroutine that has ended: nothing of it is saved (it
 * never resumes), `to` is restored and resumed with `ret`, with its
 * resume_rc in eax. The runtime reaches it by a tail jmp, not a call, so the
 * `ret` consumes the return-stack entry that `to`'s own call to a switch
 * pushed: a coroutine entered through coro__ctx_switch_jmp (sched.c,
 * switch_to) and left through here keeps the predictor in step with the
 * caller of the spawn and join, as a plain call and return would. */
	.globl	coro__ctx_exit
	.hidden	coro__ctx_exit
	.type	coro__ctx_exit, @function
	.p2align 4
coro__ctx_exit:
	.cfi_startproc
	movq	(%rdi), %rsp				/* on `to`'s stack, at its frame */
	RESTORE
	movl	CORO_RESUME_RC_OFF(%rdi), %eax
	ret
	.cfi_endproc
	.size	coro__ctx_exit, .-coro__ctx_exit

/* First entry of a new context: coro_rawctx_make() left fn in r12 and its
 * argument in r13. rsp is 16-byte aligned here. fn is entered by a jmp
 * with a return address pushed by hand, not by a call: a call would push a
 * return-stack entry that no `ret` ever pops (fn ends in a switch), and
 * every later return on this thread would be mispredicted. fn never
 * returns; if it did, it would land on the ud2 below, which traps instead
 * of running off the stack. */
	.globl	coro_rawctx_entry
	.hidden	coro_rawctx_entry
	.type	coro_rawctx_entry, @function
	.p2align 4
coro_rawctx_entry:
	.cfi_startproc
	.cfi_undefined rip			/* outermost frame: unwinders stop here */
	endbr64					/* IBT landing pad: reached by the switch's jmp */
	xorl	%ebp, %ebp			/* no caller frame: ends frame-pointer walks */
	movq	%r13, %rdi			/* fn's argument */
	leaq	1f(%rip), %rax
	pushq	%rax				/* fn's return address: the trap */
	jmpq	*%r12				/* fn(arg), as if called (see above) */
1:	ud2					/* fn returned: trap */
	.cfi_endproc
	.size	coro_rawctx_entry, .-coro_rawctx_entry

/* The CET property note (see the top of the file): IBT yes, SHSTK no.
 * GNU_PROPERTY_X86_FEATURE_1_AND is 0xc0000002; its bits: 1 IBT, 2 SHSTK. */
	GNU_PROPERTY_NOTE 0xc0000002, 1

	.section .note.GNU-stack,"",@progbits
