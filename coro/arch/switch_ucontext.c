/* switch_ucontext.c — the portable fallback on glibc's makecontext and
 * swapcontext, for targets without an assembly switch (and, built on x86-64
 * too, as the naive baseline the benchmarks compare against). It is slow
 * because swapcontext saves the whole FP state and makes a sigprocmask system
 * call on every switch.
 *
 * The same coro_rawctx { void *sp } is used: a suspended context keeps its
 * ucontext_t on its own stack, and sp points to it. */
#include "coro_int.h"

#include <stdint.h>
#include <ucontext.h>

const char *coro_switch_impl(void) {
    return "ucontext";
}

/* makecontext passes int arguments only: split the pointers in two halves. */
static void uc_entry(unsigned fhi, unsigned flo, unsigned ahi, unsigned alo) {
    void (*fn)(void *) = (void (*)(void *))(((uintptr_t)fhi << 32) | flo);
    void *arg = (void *)(((uintptr_t)ahi << 32) | alo);
    fn(arg);
}

void coro_rawctx_make(coro_rawctx *ctx, void *stack, size_t size, void (*fn)(void *), void *arg) {
    /* The first ucontext_t lives at the top of the new stack. */
    uintptr_t top = ((uintptr_t)stack + size - sizeof(ucontext_t)) & ~(uintptr_t)63;
    ucontext_t *uc = (ucontext_t *)top;
    getcontext(uc);
    uc->uc_stack.ss_sp = stack;
    uc->uc_stack.ss_size = top - (uintptr_t)stack;
    uc->uc_link = NULL;
    uintptr_t f = (uintptr_t)fn, a = (uintptr_t)arg;
    makecontext(uc, (void (*)(void))uc_entry, 4, (unsigned)(f >> 32), (unsigned)f,
                (unsigned)(a >> 32), (unsigned)a);
    ctx->sp = uc;
}

void coro_rawctx_switch(coro_rawctx *from, coro_rawctx *to) {
    ucontext_t self;
    from->sp = &self;
    swapcontext(&self, (ucontext_t *)to->sp);
}

/* The scheduler's switches return, to the context that resumes, its own
 * struct coro's resume_rc (see coro_int.h); here `from` is that context. */
int coro__ctx_switch(coro_rawctx *from, coro_rawctx *to) {
    coro_rawctx_switch(from, to);
    return ((struct coro *)from)->resume_rc;
}

int coro__ctx_switch_jmp(coro_rawctx *from, coro_rawctx *to) {
    return coro__ctx_switch(from, to);
}

/* The last switch of an ended coroutine: `to` resumes inside its own
 * swapcontext, which returns its resume_rc there. */
int coro__ctx_exit(coro_rawctx *to) {
    setcontext((ucontext_t *)to->sp);
    return 0; /* not reached */
}
