/* rg_timing.c — timing ratios and context-switch counts measured in one run.
 *
 * usage: rg_timing [--rounds R] [--n N] [--futex-n F]
 *
 * Inside one coroutine run, R rounds of N round trips each of
 * coro_rawctx_switch, coro_yield between two coroutines and Boost's
 * jump_fcontext (when linked), interleaved in small slices; then R rounds of F
 * round trips of a futex ping-pong between two threads pinned to the same
 * CPU. Prints one JSON line with the median, min and max ns per switch of
 * each, the per-round ratios (coroutine switch / jump_fcontext, coroutine
 * switch / futex hand-off) and getrusage counts:
 * voluntary/involuntary switches of the thread during the coro_yield loops
 * (a pure coroutine run must show 0 voluntary ones) and of the process during
 * the futex ping-pong.
 *
 * Why ratios of CPU times: absolute nanoseconds on a shared 2-core VM drift
 * with load, but two mechanisms timed back to back in the same round drift
 * together, and CPU-time clocks leave out the time other tenants run.
 */
#include "rg_common.h"

#include <coro.h>
#include <json.h>
#include <thr.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#if RG_HAVE_FCONTEXT
#include "rg_fcontext.h"
#endif

static const char *prog = "rg_timing";

#define MAX_ROUNDS 101
enum { M_RAW, M_YIELD, M_FCTX, M_FUTEX, M_COUNT };
static const char *mname[M_COUNT] = {"coro_rawswitch", "coro_yield", "fcontext", "futex"};
static double ns[M_COUNT][MAX_ROUNDS];
static int cpu = -1;

/* CPU time, not wall time: the slices that other tenants of this CPU take
 * while we are preempted are not counted (on a loaded machine they dwarf a
 * user-space switch). The thread's clock for the user-space switches, the process's
 * (both threads, on one CPU) for the futex ping-pong. */
static uint64_t clock_ns(clockid_t id) {
    struct timespec t;
    clock_gettime(id, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}
static uint64_t now_ns(void) {
    return clock_ns(CLOCK_THREAD_CPUTIME_ID);
}
static uint64_t proc_ns(void) {
    return clock_ns(CLOCK_PROCESS_CPUTIME_ID);
}

static int pin_to(int c) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(c, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

/* --- the user-space switches, interleaved in chunks ---------------------
 *
 * Inside one coroutine (so that coro_yield has a peer to go to), each round
 * alternates CHUNKS slices of the three mechanisms: raw, yield, fcontext, raw,
 * yield, ... A burst of load from the other tenant of the CPU then hits all
 * three alike instead of one whole measurement, which keeps the ratios steady.
 */
#define CHUNKS 16

static coro_rawctx raw_main, raw_peer;
static void raw_peer_fn(void *arg) {
    (void)arg;
    for (;;) coro_rawctx_switch(&raw_peer, &raw_main);
}
static char raw_stack[64 * 1024] __attribute__((aligned(64)));

#if RG_HAVE_FCONTEXT
static char fctx_stack[64 * 1024] __attribute__((aligned(64)));
static void fctx_fn(rg_transfer_t t) {
    for (;;) t = jump_fcontext(t.fctx, NULL);
}
#endif

struct ujob {
    uint64_t n; /* round trips per mechanism per round */
    int rounds;
    volatile int stop;
    long vol, invol; /* getrusage deltas around the coro_yield slices */
    int err;
};

static void yield_peer(void *arg) {
    struct ujob *j = arg;
    while (!j->stop) coro_yield();
}

static void user_main(void *arg) {
    struct ujob *j = arg;
    coro_t *peer = coro_spawn(yield_peer, j);
    if (!peer) {
        j->err = coro_last_error();
        return;
    }
    coro_rawctx_make(&raw_peer, raw_stack, sizeof raw_stack, raw_peer_fn, NULL);
#if RG_HAVE_FCONTEXT
    rg_fcontext_t fc = make_fcontext(fctx_stack + sizeof fctx_stack, sizeof fctx_stack, fctx_fn);
    for (int i = 0; i < RG_WARMUP; i++) fc = jump_fcontext(fc, NULL).fctx;
#endif
    for (int i = 0; i < RG_WARMUP; i++) {
        coro_rawctx_switch(&raw_main, &raw_peer);
        coro_yield();
    }
    uint64_t slice = j->n / CHUNKS ? j->n / CHUNKS : 1;
    for (int k = 0; k < j->rounds; k++) {
        uint64_t t[M_COUNT] = {0};
        for (int c = 0; c < CHUNKS; c++) {
            uint64_t t0 = now_ns();
            for (uint64_t i = 0; i < slice; i++) coro_rawctx_switch(&raw_main, &raw_peer);
            uint64_t t1 = now_ns();
            struct rusage r0, r1;
            getrusage(RUSAGE_THREAD, &r0);
            uint64_t t2 = now_ns();
            for (uint64_t i = 0; i < slice; i++) coro_yield();
            uint64_t t3 = now_ns();
            getrusage(RUSAGE_THREAD, &r1);
            j->vol += r1.ru_nvcsw - r0.ru_nvcsw;
            j->invol += r1.ru_nivcsw - r0.ru_nivcsw;
            t[M_RAW] += t1 - t0;
            t[M_YIELD] += t3 - t2;
#if RG_HAVE_FCONTEXT
            uint64_t t4 = now_ns();
            for (uint64_t i = 0; i < slice; i++) fc = jump_fcontext(fc, NULL).fctx;
            t[M_FCTX] += now_ns() - t4;
#endif
        }
        /* a round trip is two switches (a main yield and the peer's) */
        for (int m = M_RAW; m <= M_FCTX; m++)
            ns[m][k] = (double)t[m] / (double)(2 * slice * CHUNKS);
    }
    j->n = slice * CHUNKS;
    j->stop = 1;
    j->err = coro_join(peer);
}

/* --- futex ping-pong between two threads on one CPU --------------------- */

static thr_turn_t turn; /* 0: main's turn, 1: the peer's (threads/thr.h) */

static void *futex_peer(void *arg) {
    uint64_t n = *(uint64_t *)arg;
    if (cpu >= 0) pin_to(cpu);
    for (uint64_t i = 0; i < n; i++) {
        thr_turn_wait(&turn, 1);
        thr_turn_pass(&turn, 0);
    }
    return NULL;
}

/* Returns ns per hand-off, or a negative value when the thread could not be
 * created (a data point, reported, not a crash). */
static double time_futex(uint64_t n, long *vol, long *invol) {
    pthread_t t;
    uint64_t total = n + RG_WARMUP;
    thr_turn_init(&turn, 0);
    int rc = pthread_create(&t, NULL, futex_peer, &total);
    if (rc != 0) return -(double)rc;
    for (int i = 0; i < RG_WARMUP; i++) {
        thr_turn_pass(&turn, 1);
        thr_turn_wait(&turn, 0);
    }
    struct rusage r0, r1;
    getrusage(RUSAGE_SELF, &r0);
    uint64_t t0 = proc_ns();
    for (uint64_t i = 0; i < n; i++) {
        thr_turn_pass(&turn, 1);
        thr_turn_wait(&turn, 0);
    }
    uint64_t t1 = proc_ns();
    getrusage(RUSAGE_SELF, &r1);
    pthread_join(t, NULL);
    *vol += r1.ru_nvcsw - r0.ru_nvcsw;
    *invol += r1.ru_nivcsw - r0.ru_nivcsw;
    return (double)(t1 - t0) / (double)(2 * n);
}

/* --- statistics and output --------------------------------------------- */

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* "name": {"median": m, "min": a, "max": b} of r values. */
static void put_stat(jbuf *j, const char *name, const double *v, int r) {
    double s[MAX_ROUNDS];
    memcpy(s, v, sizeof(double) * (size_t)r);
    qsort(s, (size_t)r, sizeof(double), cmp_d);
    jb_obj_begin(j, name);
    jb_f64(j, "median", r % 2 ? s[r / 2] : (s[r / 2 - 1] + s[r / 2]) / 2);
    jb_f64(j, "min", s[0]);
    jb_f64(j, "max", s[r - 1]);
    jb_obj_end(j);
}

/* Per-round ratios a/b of two mechanisms. */
static void put_ratio(jbuf *j, const char *name, int a, int b, int r) {
    double q[MAX_ROUNDS];
    for (int k = 0; k < r; k++) q[k] = ns[a][k] / ns[b][k];
    put_stat(j, name, q, r);
}

typedef struct outcome {
    int r;
    uint64_t n, fn;
    long yvol, yinvol, fvol, finvol;
    const char *futex_err;
} outcome;

/* The one JSON line (bench/cli/json.h, the suite's one writer). */
static int print_json(const outcome *o) {
    int r = o->r, futex_ok = !o->futex_err;
    jbuf j;
    jb_init(&j);
    jb_obj_begin(&j, NULL);
    jb_i64(&j, "rounds", r);
    jb_u64(&j, "n", o->n);
    jb_u64(&j, "futex_n", o->fn);
    jb_i64(&j, "cpu", cpu);
    jb_bool(&j, "fcontext", RG_HAVE_FCONTEXT);
    jb_obj_begin(&j, "ns_per_switch");
    put_stat(&j, mname[M_RAW], ns[M_RAW], r);
    put_stat(&j, mname[M_YIELD], ns[M_YIELD], r);
    if (RG_HAVE_FCONTEXT) put_stat(&j, mname[M_FCTX], ns[M_FCTX], r);
    if (futex_ok) put_stat(&j, mname[M_FUTEX], ns[M_FUTEX], r);
    jb_obj_end(&j);
    jb_obj_begin(&j, "ratios");
    if (RG_HAVE_FCONTEXT) {
        put_ratio(&j, "coro_rawswitch_over_fcontext", M_RAW, M_FCTX, r);
        put_ratio(&j, "coro_yield_over_fcontext", M_YIELD, M_FCTX, r);
    }
    if (futex_ok) put_ratio(&j, "coro_yield_over_futex", M_YIELD, M_FUTEX, r);
    jb_obj_end(&j);
    jb_obj_begin(&j, "csw");
    jb_i64(&j, "coro_yield_vol", o->yvol);
    jb_i64(&j, "coro_yield_invol", o->yinvol);
    jb_u64(&j, "coro_yield_switches", 2 * o->n * (uint64_t)r);
    if (futex_ok) {
        jb_i64(&j, "futex_vol", o->fvol);
        jb_i64(&j, "futex_invol", o->finvol);
        jb_u64(&j, "futex_switches", 2 * o->fn * (uint64_t)r);
    }
    jb_obj_end(&j);
    char err[160];
    snprintf(err, sizeof err, "thread creation failed: %s", futex_ok ? "" : o->futex_err);
    jb_str(&j, "futex_error", futex_ok ? NULL : err);
    jb_obj_end(&j);
    int ok = !j.oom;
    if (ok) printf("%s\n", j.s);
    jb_free(&j);
    if (!ok) fprintf(stderr, "%s: out of memory writing the result\n", prog);
    return ok ? 0 : 1;
}

static uint64_t parse_opt(const char *opt, const char *val, uint64_t max) {
    if (!val) {
        fprintf(stderr, "%s: %s needs a value\n", prog, opt);
        exit(2);
    }
    uint64_t v = rg_parse_n(prog, val);
    if (v > max) {
        fprintf(stderr, "%s: %s must be at most %ju, got %s\n", prog, opt, (uintmax_t)max, val);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv) {
    uint64_t rounds = 7, n = 200000, fn = 20000;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rounds") == 0)
            rounds = parse_opt("--rounds", argv[++i], MAX_ROUNDS);
        else if (strcmp(argv[i], "--n") == 0)
            n = parse_opt("--n", argv[++i], 100000000);
        else if (strcmp(argv[i], "--futex-n") == 0)
            fn = parse_opt("--futex-n", argv[++i], 10000000);
        else {
            fprintf(stderr,
                    "%s: unknown option '%s' (usage: %s [--rounds R] [--n N] [--futex-n F])\n",
                    prog, argv[i], prog);
            return 2;
        }
    }
    /* One CPU for everything: the first one this process may use. */
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        for (int c = 0; c < CPU_SETSIZE && cpu < 0; c++)
            if (CPU_ISSET(c, &set)) cpu = c;
    if (cpu >= 0 && pin_to(cpu) != 0) cpu = -1;

    long fvol = 0, finvol = 0;
    const char *futex_err = NULL;
    int r = (int)rounds;
    struct ujob j = {.n = n, .rounds = r, .stop = 0, .vol = 0, .invol = 0, .err = 0};
    int rc = coro_run(user_main, &j);
    if (rc == 0) rc = j.err;
    if (rc != 0) {
        fprintf(stderr, "%s: coroutine rounds: %s\n", prog, coro_strerror(rc));
        return 1;
    }
    n = j.n; /* rounded down to whole chunks */
    for (int k = 0; k < r && !futex_err; k++) {
        double f = time_futex(fn, &fvol, &finvol);
        if (f < 0)
            futex_err = strerror((int)-f); /* reported in the JSON; the rest goes on */
        else
            ns[M_FUTEX][k] = f;
    }
    outcome o = {r, n, fn, j.vol, j.invol, fvol, finvol, futex_err};
    return print_json(&o);
}
