/* stack.c — coroutine stacks: carved from mmap'd slabs, recycled through a
 * per-scheduler pool (LIFO, so the next spawn gets a cache-warm stack), sized
 * per spawn in power-of-two classes.
 *
 * Promises. With one worker, a coroutine spawned when no recycled stack is
 * spare gets a promise instead (sched.c): the slab space is reserved at the
 * spawn, so running out of it is still the spawn's error, but the stack
 * itself is taken at the coroutine's first run. A task spawned in a burst
 * (asyncio's FIFO runs every child after its parent blocks) that ends
 * without suspending, as most leaves of a task tree do, then runs on the
 * stack its predecessor just gave back, instead of faulting in a fresh page
 * of its own: slots are carved one by one as they are first handed out, so a
 * promise costs address space, not memory. The rejected alternative, taking
 * the stack at the first run with no reservation, would have turned an
 * exhausted address space into a failure of a coroutine that was already
 * spawned, with no caller to report it to.
 *
 * Guard pages. Each stack gets a guard page below it, set when the stack is
 * first handed out (not when its slab is mapped, so a short run does not pay
 * for sixty system calls). Where the kernel has guard regions
 * (MADV_GUARD_INSTALL, Linux 6.13), the guard is a marker in the page tables:
 * it splits no mapping, so every stack has one, and that is all. Elsewhere it
 * is a PROT_NONE page, while the guard budget lasts: such a page splits the
 * mapping, costing about two of the kernel's vm.max_map_count mappings (65530
 * by default), so a million of them cannot exist.
 * Beyond the budget (a quarter of max_map_count), stacks are unguarded and
 * watched instead, in two ways that touch no page a live coroutine does not
 * already use: every suspension checks that the stack pointer is still above
 * the low end plus CORO_STACK_RESERVE (coro__check_sp), and the end of the
 * coroutine checks that the lowest word is still zero (a canary: the page is
 * never written by a well-behaved coroutine). The canary is read only at the
 * end because reading an untouched page costs a resident page on kernels that
 * do not map the shared zero page for read faults, where a read at every
 * suspension would make every live coroutine hold one more resident page
 * (the report's "Memory per live task" section measures what a live
 * coroutine holds).
 * Either way an overflow is detected after the fact (an excursion below the
 * low end between two suspensions is seen only at the end, unless it wrote
 * only zeros to that word), not prevented. Slabs of unguarded stacks stay few
 * mappings, which is what lets a million coroutines exist.
 *
 * Overflow report. A SIGSEGV handler, running on an alternate signal stack
 * (the faulting stack is unusable), recognises a fault inside the running
 * coroutine's guard page, prints "coro: stack overflow in coroutine <id>" and
 * lets the fault kill the process with the default action. */
#include "coro_int.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#ifdef CORO_ASAN
#include <sanitizer/asan_interface.h>
#endif

struct coro_slab {
    struct coro_slab *next;       /* every slab of the scheduler */
    struct coro_slab *next_fresh; /* its class's other slabs with slots never handed out */
    char *base;
    size_t bytes;
    size_t nstacks, slot_size;
    size_t carved; /* slots handed out at least once, the lowest first */
};

/* Set once before any stack is carved; read with relaxed atomics because
 * several M:N workers may race to set it (to the same value). */
static size_t page_size_;
static inline size_t page_size(void) {
    size_t ps = __atomic_load_n(&page_size_, __ATOMIC_RELAXED);
    if (CORO_UNLIKELY(!ps)) {
        ps = (size_t)sysconf(_SC_PAGESIZE);
        __atomic_store_n(&page_size_, ps, __ATOMIC_RELAXED);
    }
    return ps;
}

/* Guarded stacks allowed in the whole process (all schedulers). */
static atomic_long guard_budget = -1;
static atomic_long guards_used;

/* Guard regions (Linux 6.13's MADV_GUARD_INSTALL): a guard page written into
 * the page tables, which splits no mapping, so every stack can have one.
 * 1: they work here; 0: not (an older kernel, or the tests' budget); -1: not
 * yet known. */
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif
static atomic_int guard_regions = -1;

/* Puts a guard region on the page at g: 1 if it is known to fault. The first
 * one is proven by reading it through process_vm_readv, which must fail with
 * EFAULT: an emulator (qemu-user) acknowledges the advice without doing it. */
static int guard_region(char *g, size_t ps) {
    int known = atomic_load(&guard_regions);
    if (known < 0 && getenv("CORO_GUARD_BUDGET")) known = 0; /* the tests' budget: mprotect only */
    if (known == 0 || madvise(g, ps, MADV_GUARD_INSTALL) != 0) {
        atomic_store(&guard_regions, 0);
        return 0;
    }
    if (known == 1) return 1;
    char byte;
    struct iovec local = {&byte, 1}, remote = {g, 1};
    int works = process_vm_readv(getpid(), &local, 1, &remote, 1, 0) < 0 && errno == EFAULT;
    atomic_store(&guard_regions, works);
    return works;
}

static long guard_limit(void) {
    long b = atomic_load(&guard_budget);
    if (b >= 0) return b;
    long max_maps = 65530;
    FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
    if (f) {
        if (fscanf(f, "%ld", &max_maps) != 1) max_maps = 65530;
        fclose(f);
    }
    b = max_maps / 4;
    const char *env = getenv("CORO_GUARD_BUDGET"); /* for tests: force unguarded stacks */
    if (env) b = atol(env);
    atomic_store(&guard_budget, b);
    return b;
}

/* Class k holds stacks of (CORO_MIN_STACK << k) bytes, of which the top
 * sizeof(coro_stack) bytes are the descriptor; a slot adds the guard page. */
static inline unsigned size_class(size_t usable, size_t *slot) {
    /* CORO_MIN_STACK is 2^14: class k holds 2^(14+k) bytes. */
    unsigned k = usable <= CORO_MIN_STACK
                     ? 0
                     : (unsigned)(64 - __builtin_clzll((unsigned long long)usable - 1)) - 14;
    *slot = (CORO_MIN_STACK << k) + page_size();
    return k;
}

void coro__check_canary_slow(const struct coro *c) {
    size_t ps = page_size();
    void *page = (void *)((uintptr_t)c->canary & ~(uintptr_t)(ps - 1));
    unsigned char resident = 1;
    /* Not resident: never written since the slab was mapped (no swap here),
     * so the word is zero. mincore is a system call, far cheaper than the
     * read fault (and the page) it saves; on error, read it anyway. */
    if (mincore(page, ps, &resident) == 0 && !(resident & 1)) return;
    if (CORO_UNLIKELY(*c->canary != 0)) coro__overflow_report(c);
}

/* Maps a slab of `cls` without touching it: its slots are carved one at a
 * time as they are first handed out (carve), so a slab mapped to back
 * promises costs no page until a coroutine really runs on it. */
static int map_slab(coro_sched *s, unsigned cls, size_t slot) {
    size_t n = slot >= ((size_t)4 << 20) ? 1 : ((size_t)4 << 20) / slot;
    size_t bytes = n * slot;
    char *base = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) return CORO_ENOMEM;
    struct coro_slab *sl = malloc(sizeof *sl);
    if (!sl) {
        munmap(base, bytes);
        return CORO_ENOMEM;
    }
    coro_pool_class *pc = &s->pool[cls];
    *sl = (struct coro_slab){s->slabs, pc->fresh, base, bytes, n, slot, 0};
    s->slabs = sl;
    pc->slot_size = slot;
    pc->fresh = sl;
    pc->nfresh += n;
    return 0;
}

/* The next never-used slot of the class: its descriptor is written now, in
 * the top page that its coroutine's first frame touches anyway. */
static coro_stack *carve(coro_sched *s, coro_pool_class *pc, unsigned cls) {
    struct coro_slab *sl = pc->fresh;
    char *slot_base = sl->base + sl->carved * sl->slot_size;
    if (++sl->carved == sl->nstacks) pc->fresh = sl->next_fresh;
    pc->nfresh--;
    char *lo = slot_base + page_size();
    coro_stack *st = (coro_stack *)(slot_base + sl->slot_size - sizeof(coro_stack));
    st->lo = lo;
    st->size = (size_t)((char *)st - lo);
    st->cls = cls;
    st->guarded = 0;
    st->guard_tried = 0;
    st->vg_id = VALGRIND_STACK_REGISTER(lo, (char *)st);
    s->st.stacks_mapped++;
    return st;
}

/* Keeps a never-used slot for every promise, plus one more for a stack
 * wanted now when none is recycled. */
static int ensure_fresh(coro_sched *s, unsigned cls, size_t slot, int now) {
    coro_pool_class *pc = &s->pool[cls];
    if ((now && pc->free) || pc->nfresh > pc->promised) return 0;
    return map_slab(s, cls, slot);
}

/* A guard page below a stack at its first use: a guard region, else a
 * PROT_NONE page while the budget of split mappings lasts, else none. */
static void set_guard(coro_sched *s, coro_stack *st) {
    char *g = st->lo - page_size();
    st->guard_tried = 1;
    if (guard_region(g, page_size())) {
        st->guarded = CORO_GUARD_REGION;
    } else if (atomic_fetch_add(&guards_used, 1) < guard_limit() &&
               mprotect(g, page_size(), PROT_NONE) == 0) {
        st->guarded = CORO_GUARD_MPROTECT;
    } else {
        atomic_fetch_sub(&guards_used, 1);
        return;
    }
    s->st.stacks_guarded++;
}

/* A recycled stack (the most recently used, still warm), else a fresh one;
 * its guard page settled on first use. The caller made sure one exists. */
static coro_stack *take(coro_sched *s, unsigned cls) {
    coro_pool_class *pc = &s->pool[cls];
    coro_stack *st = pc->free;
    if (st) {
        pc->free = st->next;
    } else {
        st = carve(s, pc, cls);
    }
    if (CORO_UNLIKELY(!st->guard_tried)) set_guard(s, st);
#ifdef CORO_ASAN
    /* A recycled stack still carries the redzones of the frames its last
     * coroutine never returned from. */
    ASAN_UNPOISON_MEMORY_REGION(st->lo, st->size);
#endif
    return st;
}

coro_stack *coro__stack_get(coro_sched *s, size_t size) {
    size_t slot;
    unsigned cls = size_class(size, &slot);
    if (cls >= CORO_POOL_CLASSES || ensure_fresh(s, cls, slot, 1) != 0) return NULL;
    return take(s, cls);
}

int coro__stack_promise(coro_sched *s, size_t size) {
    size_t slot;
    unsigned cls = size_class(size, &slot);
    if (cls >= CORO_POOL_CLASSES || ensure_fresh(s, cls, slot, 0) != 0) return CORO_ENOMEM;
    s->pool[cls].promised++;
    return (int)cls;
}

coro_stack *coro__stack_claim(coro_sched *s, unsigned cls) {
    s->pool[cls].promised--;
    return take(s, cls);
}

void coro__stack_put(coro_sched *s, coro_stack *st) {
    st->next = s->pool[st->cls].free;
    s->pool[st->cls].free = st;
}

void coro__stack_release_all(coro_sched *s) {
    while (s->slabs) {
        struct coro_slab *sl = s->slabs;
        s->slabs = sl->next;
        for (size_t i = 0; i < sl->carved; i++) {
            coro_stack *st =
                (coro_stack *)(sl->base + (i + 1) * sl->slot_size - sizeof(coro_stack));
            VALGRIND_STACK_DEREGISTER(st->vg_id);
            if (st->guarded == CORO_GUARD_MPROTECT) atomic_fetch_sub(&guards_used, 1);
        }
        munmap(sl->base, sl->bytes);
        free(sl);
    }
    memset(s->pool, 0, sizeof s->pool);
}

/* --- overflow report ------------------------------------------------------ */

static struct sigaction old_segv, old_bus;
static atomic_int handler_installed;

static void write_overflow_message(uint64_t id) {
    char buf[64] = "coro: stack overflow in coroutine ";
    size_t n = strlen(buf);
    char digits[24];
    int k = 0;
    do digits[k++] = (char)('0' + id % 10), id /= 10;
    while (id);
    while (k) buf[n++] = digits[--k];
    buf[n++] = '\n';
    ssize_t w = write(STDERR_FILENO, buf, n);
    (void)w;
}

static void on_fault(int sig, siginfo_t *si, void *uctx) {
    coro_sched *s = coro_S;
    const char *addr = si->si_addr;
    struct coro *c = s ? s->cur : NULL;
    const char *lo = c && c->stack && c->stack->guarded ? c->stack->lo
                     : c && c->sstack                   ? c->sstack->lo
                                                        : NULL;
    if (lo && addr >= lo - page_size() && addr < lo) {
        write_overflow_message(c->id);
        signal(sig, SIG_DFL); /* returning re-executes the access: the default action ends us */
        return;
    }
    /* Not ours: hand the signal to whoever had it before. */
    struct sigaction *old = sig == SIGSEGV ? &old_segv : &old_bus;
    if (old->sa_flags & SA_SIGINFO) {
        if (old->sa_sigaction) {
            old->sa_sigaction(sig, si, uctx);
            return;
        }
    } else if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
        old->sa_handler(sig);
        return;
    }
    signal(sig, SIG_DFL);
}

void coro__overflow_report(const struct coro *c) {
    write_overflow_message(c->id);
    abort();
}

int coro__overflow_install(coro_sched *s) {
    /* The alternate stack is per thread; the handler is per process. */
    size_t sz = 64 * 1024;
    void *alt = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (alt == MAP_FAILED) return CORO_ENOMEM;
    stack_t ss = {.ss_sp = alt, .ss_size = sz, .ss_flags = 0};
    stack_t old;
    if (sigaltstack(NULL, &old) == 0 && !(old.ss_flags & SS_DISABLE)) {
        munmap(alt, sz); /* the thread has one already: use it */
    } else if (sigaltstack(&ss, NULL) != 0) {
        munmap(alt, sz);
        return CORO_ENOMEM;
    } else {
        s->altstack = alt;
    }
    int expected = 0;
    if (atomic_compare_exchange_strong(&handler_installed, &expected, 1)) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_fault;
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGSEGV, &sa, &old_segv);
        sigaction(SIGBUS, &sa, &old_bus);
    }
    return 0;
}

void coro__overflow_remove(coro_sched *s) {
    if (!s->altstack) return;
    stack_t ss = {.ss_sp = NULL, .ss_size = 0, .ss_flags = SS_DISABLE};
    sigaltstack(&ss, NULL);
    munmap(s->altstack, 64 * 1024);
    s->altstack = NULL;
}
