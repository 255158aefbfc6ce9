/* bti.c — the aarch64 switch on pages where BTI is enforced.
 *
 * Freestanding (no libc): Debian's static libc and start files carry no BTI
 * note, and the linker marks a program only if every input is marked, so a
 * program linked with them would never get guarded pages. Built alone with
 * -mbranch-protection=standard, this program, ctx_make.c and the switch are
 * all marked, the program is, and qemu-aarch64 (like the kernel) maps its
 * code as guarded pages: an indirect branch that lands anywhere but on a
 * matching `bti` raises SIGILL.
 *
 * Calls the switch only through a function pointer (blr: it must land on the
 * switch's `bti c`), and the switch starts a new context whose entry calls a
 * C function through a register. Built with -DCALL_UNPADDED it also calls a
 * function that has no landing pad, which must kill it with SIGILL: the
 * proof that the check above is enforced at all (run.sh expects both). */
#include "coro.h"

#include <stddef.h>
#include <stdint.h>

/* The compiler may call these for struct copies and the frame set-up. */
void *memcpy(void *dst, const void *src, size_t n) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--) *d++ = *s++;
    return dst;
}
void *memset(void *dst, int c, size_t n) {
    unsigned char *d = dst;
    while (n--) *d++ = (unsigned char)c;
    return dst;
}

static void say(const char *s) {
    size_t n = 0;
    while (s[n]) n++;
    register long x0 __asm__("x0") = 1; /* stdout */
    register long x1 __asm__("x1") = (long)s;
    register long x2 __asm__("x2") = (long)n;
    register long x8 __asm__("x8") = 64; /* write */
    __asm__ volatile("svc #0" : "+r"(x0) : "r"(x1), "r"(x2), "r"(x8) : "memory");
}

/* volatile: the compiler must branch through the pointer (blr). */
static void (*volatile switch_fn)(coro_rawctx *, coro_rawctx *) = coro_rawctx_switch;
static coro_rawctx main_ctx, gen_ctx;
static volatile long produced;
static unsigned char stack[16384] __attribute__((aligned(16)));

static void gen(void *arg) {
    long step = (long)(intptr_t)arg;
    for (long i = 0;; i++) {
        produced = i * step;
        switch_fn(&gen_ctx, &main_ctx);
    }
}

#ifdef CALL_UNPADDED
/* A function with no landing pad: its first instruction is not a `bti`. */
__asm__(".text\n.p2align 2\nunpadded:\n\tmov w0, #7\n\tret\n");
int unpadded(void);
static int (*volatile unpadded_fn)(void) = unpadded;
#endif

int cmain(void);
int cmain(void) {
    coro_rawctx_make(&gen_ctx, stack, sizeof stack, gen, (void *)(intptr_t)3);
    for (long i = 0; i < 1000; i++) {
        switch_fn(&main_ctx, &gen_ctx);
        if (produced != 3 * i) {
            say("bti: wrong value from the coroutine\n");
            return 1;
        }
    }
    say("bti: 1000 round trips through the switch on guarded pages\n");
#ifdef CALL_UNPADDED
    say("bti: calling a function without a landing pad (must die of SIGILL)\n");
    if (unpadded_fn() == 7) say("bti: it ran: BTI is not enforced\n");
    return 3;
#endif
    return 0;
}

/* The process entry: no caller, so no landing pad; exit(cmain()). */
__asm__(".text\n.globl _start\n.type _start, %function\n_start:\n"
        "\tmov x29, #0\n\tmov x30, #0\n\tbl cmain\n\tmov x8, #93\n\tsvc #0\n");
