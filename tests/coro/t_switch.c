/* t_switch.c — switching across many interleavings, and the state a switch
 * must preserve: callee-saved integer and FP registers, and the FP control
 * state (rounding mode; on x86-64 also the x87 control word). */
#include "coro.h"
#include "check.h"

#include <fenv.h>
#include <stdint.h>
#include <stdlib.h>

/* --- interleavings: N coroutines each yield a pseudo-random number of
 * times; a model of the FIFO queue predicts the exact order of steps. ---- */
enum { NT = 37 };
static int steps[NT];
static int order[4096], norder;

static void stepper(void *arg) {
    int id = (int)(intptr_t)arg;
    for (int i = 0; i < steps[id]; i++) {
        order[norder++] = id;
        coro_yield();
    }
}

static void interleave_main(void *arg) {
    (void)arg;
    coro_t *c[NT];
    for (intptr_t i = 0; i < NT; i++) c[i] = coro_spawn(stepper, (void *)i);
    for (int i = 0; i < NT; i++) CHECK(coro_join(c[i]) == 0);
}

static int model(int *out) {
    /* FIFO round robin: main joins c[0] and blocks; each coroutine runs one
     * step, yields to the tail; finished ones drop out. */
    int left[NT], q[NT * 128], h = 0, t = 0, n = 0;
    for (int i = 0; i < NT; i++) left[i] = steps[i], q[t++] = i;
    while (h < t) {
        int id = q[h++];
        if (left[id] == 0) continue;
        out[n++] = id;
        left[id]--;
        q[t++] = id;
    }
    return n;
}

/* --- registers: many values live across coro_yield() keep the compiler's
 * callee-saved registers busy (rbx, r12-r15 / x19-x28, d8-d15); two
 * coroutines with different values interleave. ---------------------------- */
static volatile uint64_t seed_i[2] = {0x1234567, 0x7654321};
static volatile double seed_d[2] = {1.25, -3.5};
static int reg_errors;

static void regs(void *arg) {
    int k = (int)(intptr_t)arg;
    for (int round = 0; round < 200; round++) {
        uint64_t a = seed_i[k] + round, b = a * 3, c = a ^ 0xdead, d = a + 77, e = a << 3, f = ~a;
        double x = seed_d[k] + round, y = x * 1.5, z = x - 9.0, w = x * x, v = x / 3.0, u = -x;
        coro_yield();
        if (b != a * 3 || c != (a ^ 0xdead) || d != a + 77 || e != a << 3 || f != ~a) reg_errors++;
        if (y != x * 1.5 || z != x - 9.0 || w != x * x || v != x / 3.0 || u != -x) reg_errors++;
        if (a != seed_i[k] + round || x != seed_d[k] + round) reg_errors++;
    }
}

static void regs_main(void *arg) {
    (void)arg;
    coro_t *p = coro_spawn(regs, (void *)0), *q = coro_spawn(regs, (void *)1);
    coro_join(p);
    coro_join(q);
}

/* --- FP control state: each coroutine keeps its own rounding mode. ----- */
static int fp_errors;
static void fp_task(void *arg) {
    int mode = (int)(intptr_t)arg;
    /* With the assembly switch a new coroutine starts in the ABI's default
     * state, not its creator's; the ucontext fallback inherits the state its
     * creator had (getcontext copies it), as documented in coro.h. */
    if (strncmp(coro_switch_impl(), "asm", 3) == 0 && fegetround() != FE_TONEAREST) fp_errors++;
    fesetround(mode);
    for (int i = 0; i < 50; i++) {
        coro_yield();
        if (fegetround() != mode) fp_errors++;
#if defined(__x86_64__)
        uint16_t cw;
        __asm__ volatile("fnstcw %0" : "=m"(cw));
        int x87 = (cw >> 10) & 3; /* x87 rounding control bits */
        int want = mode == FE_TONEAREST ? 0 : mode == FE_DOWNWARD ? 1 : mode == FE_UPWARD ? 2 : 3;
        if (x87 != want) fp_errors++;
#endif
    }
    fesetround(FE_TONEAREST);
}

static void fp_main(void *arg) {
    (void)arg;
    fesetround(FE_UPWARD); /* the creator's mode must not leak into them */
    coro_t *a = coro_spawn(fp_task, (void *)FE_DOWNWARD);
    coro_t *b = coro_spawn(fp_task, (void *)FE_TOWARDZERO);
    coro_t *c = coro_spawn(fp_task, (void *)FE_TONEAREST);
    coro_yield();
    if (fegetround() != FE_UPWARD) fp_errors++;
    coro_join(a);
    coro_join(b);
    coro_join(c);
    if (fegetround() != FE_UPWARD) fp_errors++;
    fesetround(FE_TONEAREST);
}

/* --- the raw primitive on its own, as a generator. --------------------- */
static coro_rawctx g_main, g_gen;
static int g_value;
static void gen(void *arg) {
    (void)arg;
    for (int i = 1;; i++) {
        g_value = i;
        coro_rawctx_switch(&g_gen, &g_main);
    }
}

#ifdef T_RAWCTX_NOFP
/* --- the benchmark's switch without the FP control state (coro/arch/):
 * the generator's values and the caller's loop state (kept across the call
 * in callee-saved registers or the frame) must come through, and its
 * rounding mode must leak, or it is not the variant the benchmark claims to
 * measure. */
void coro__rawctx_switch_nofp(coro_rawctx *from, coro_rawctx *to);
static coro_rawctx n_main, n_gen;
static void gen_nofp(void *arg) {
    (void)arg;
    for (int i = 1;; i++) {
        g_value = i;
        fesetround(i % 2 ? FE_DOWNWARD : FE_UPWARD);
        coro__rawctx_switch_nofp(&n_gen, &n_main);
    }
}

static void check_nofp(void) {
    static char stack[64 * 1024] __attribute__((aligned(16)));
    coro_rawctx_make(&n_gen, stack, sizeof stack, gen_nofp, NULL);
    long sum = 0;
    for (int i = 1; i <= 1000; i++) {
        fesetround(FE_TONEAREST);
        coro__rawctx_switch_nofp(&n_main, &n_gen);
        sum += g_value;
        CHECK(fegetround() == (i % 2 ? FE_DOWNWARD : FE_UPWARD));
    }
    fesetround(FE_TONEAREST);
    CHECK(sum == 1000L * 1001 / 2);
}
#endif

int main(void) {
    srand(12345);
    for (int trial = 0; trial < 50; trial++) {
        for (int i = 0; i < NT; i++) steps[i] = rand() % 40;
        norder = 0;
        CHECK(coro_run(interleave_main, NULL) == 0);
        int want[4096];
        int n = model(want);
        CHECK(n == norder);
        CHECK(memcmp(order, want, sizeof(int) * (size_t)(n < norder ? n : norder)) == 0);
    }

    CHECK(coro_run(regs_main, NULL) == 0);
    CHECK(reg_errors == 0);
    CHECK(coro_run(fp_main, NULL) == 0);
    CHECK(fp_errors == 0);

    static char stack[64 * 1024] __attribute__((aligned(16)));
    coro_rawctx_make(&g_gen, stack, sizeof stack, gen, NULL);
    long sum = 0;
    for (int i = 0; i < 1000; i++) {
        coro_rawctx_switch(&g_main, &g_gen);
        sum += g_value;
    }
    CHECK(sum == 1000L * 1001 / 2);
#ifdef T_RAWCTX_NOFP
    check_nofp();
#endif
    TEST_END();
}
