/* sstack.c — shared-stack (copy-stack) coroutines, as libaco's shared stacks:
 * every CORO_STACK_SHARED coroutine of a scheduler runs on its one shared
 * stack. The coroutine whose bytes are on that stack (the owner) keeps them
 * there while it is suspended, so switching to an own-stack coroutine and
 * back copies nothing; only when another shared-stack coroutine must run are
 * the owner's used bytes, from its saved stack pointer to the top, copied to
 * a heap buffer of that size, and the newcomer's copied back to the same
 * addresses (or its first frame laid out there).
 *
 * The copying never runs on the shared stack itself: a switch from a
 * coroutine on that stack to another one goes through the scheduler's
 * context, on the thread's own stack (s->pending, taken by sched.c's loop),
 * as libaco always resumes through its main coroutine.
 *
 * Buffers are right-sized: kept while a coroutine runs (it will most likely
 * need about as much again), reallocated when the used part grows past them
 * or shrinks below half. ASan builds poison an owner's bytes while it is
 * suspended, so that a read through a pointer into its stack is reported
 * (once its bytes are copied out the addresses belong to someone else and no
 * tool can tell). */
#include "coro_int.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifdef CORO_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

static inline char *top_of(const coro_sstack *ss) {
    return ss->lo + ss->size;
}

static coro_sstack *make_sstack(void (*entry)(void *)) {
    size_t ps = (size_t)sysconf(_SC_PAGESIZE), len = CORO_SHARED_STACK + ps;
    char *map =
        mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (map == MAP_FAILED) return NULL;
    coro_sstack *ss = malloc(sizeof *ss);
    if (!ss || mprotect(map, ps, PROT_NONE) != 0) {
        free(ss);
        munmap(map, len);
        return NULL;
    }
    *ss = (coro_sstack){map + ps, CORO_SHARED_STACK, map, len, NULL, entry, 0};
    ss->vg_id = VALGRIND_STACK_REGISTER(ss->lo, top_of(ss));
    return ss;
}

int coro__sstack_attach(coro_sched *s, struct coro *c, void (*entry)(void *)) {
    if (!s->sstack && !(s->sstack = make_sstack(entry))) return CORO_ENOMEM;
    c->sstack = s->sstack;
    c->image_len = 0; /* not started: its first frame is laid out when it first runs */
    c->ctx.sp = NULL;
#ifdef CORO_ASAN
    c->asan_bottom = s->sstack->lo;
    c->asan_size = s->sstack->size;
#endif
    return 0;
}

/* Copies the suspended owner's used bytes out. On failure to allocate, the
 * program cannot go on correctly (the stack is needed, its bytes must be
 * kept): abort, as a failed stack growth would. */
static void save_owner(coro_sched *s, coro_sstack *ss, struct coro *o) {
    size_t len = (size_t)(top_of(ss) - (char *)o->ctx.sp);
    if (len > o->image_cap || len < o->image_cap / 2) {
        free(o->image);
        o->image = malloc(len);
        if (!o->image) abort();
        o->image_cap = (uint32_t)len;
    }
    UNPOISON(o->ctx.sp, len);
    memcpy(o->image, o->ctx.sp, len);
    o->image_len = (uint32_t)len;
    s->st.stack_saves++;
    s->st.stack_bytes += len;
}

/* Puts `to`'s bytes on the shared stack; never runs on that stack. */
static void swap_in(coro_sched *s, coro_sstack *ss, struct coro *to) {
    struct coro *o = ss->owner;
    if (o && !o->done) save_owner(s, ss, o); /* an ended one, not yet reaped: nothing to keep */
    if (to->image_len == 0) {
        coro_rawctx_make(&to->ctx, ss->lo, ss->size, ss->entry, to);
    } else {
        UNPOISON(to->ctx.sp, to->image_len);
        memcpy(to->ctx.sp, to->image, to->image_len);
    }
    ss->owner = to;
}

struct coro *coro__sstack_enter(coro_sched *s, struct coro *from, struct coro *to) {
    coro_sstack *ss = to->sstack;
    if (ss->owner == to) {
        UNPOISON(to->ctx.sp, (size_t)(top_of(ss) - (char *)to->ctx.sp));
        return to;
    }
    if (from->sstack == ss) {
        s->pending = to; /* the scheduler's context copies, off this stack */
        return &s->sched;
    }
    swap_in(s, ss, to);
    return to;
}

void coro__sstack_switched_out(struct coro *c) {
    if (c->sstack && !c->done && c->sstack->owner == c)
        POISON(c->ctx.sp, (size_t)(top_of(c->sstack) - (char *)c->ctx.sp));
}

void coro__sstack_release(coro_sched *s, struct coro *c) {
    (void)s;
    if (c->sstack->owner == c) c->sstack->owner = NULL;
    free(c->image);
    c->image = NULL;
    c->image_len = c->image_cap = 0;
    c->sstack = NULL;
}

void coro__sstack_free(coro_sched *s) {
    coro_sstack *ss = s->sstack;
    if (!ss) return;
    UNPOISON(ss->lo, ss->size);
    VALGRIND_STACK_DEREGISTER(ss->vg_id);
    munmap(ss->map, ss->map_len);
    free(ss);
    s->sstack = NULL;
}
