/* thr.c — threads for the pthreads backend: spawn/join, yield, sleep, pinning.
 *
 * A thin layer over pthreads whose point is to keep the same shape as coro.h
 * and to turn every failure into a returned negative code: a failing
 * pthread_create() (EAGAIN at the thread limit, ENOMEM/EAGAIN when the stack
 * cannot be mapped) is a data point the benchmarks report, so nothing here
 * aborts or prints.
 */
#include "thr.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct thr {
    pthread_t tid;
    void (*fn)(void *);
    void *arg;
};

const char *thr_strerror(int err) {
    switch (err) {
    case THR_OK:
        return "success";
    case THR_EPERM:
        return "operation not permitted";
    case THR_EAGAIN:
        return "resource temporarily unavailable (thread limit, or queue full/empty)";
    case THR_ENOMEM:
        return "out of memory";
    case THR_EINVAL:
        return "invalid argument";
    case THR_CLOSED:
        return "queue closed";
    default:
        break;
    }
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
    /* Other errno values pthreads may hand back (ESRCH, EDEADLK...);
     * strerrordesc_np is thread-safe, unlike strerror. */
    if (err < 0) {
        const char *s = strerrordesc_np(-err);
        if (s) return s;
    }
#endif
    return "unknown error";
}

void thr_spawn_opts_init(thr_spawn_opts *o) {
    if (!o) return;
    o->stack_size = 0;
    o->cpu = -1;
}

static void *thr_start(void *p) {
    thr_t *t = p;
    t->fn(t->arg);
    return NULL;
}

/* Rounds a requested stack size up to PTHREAD_STACK_MIN and to whole pages,
 * as the header promises; 0 when the rounding would overflow. */
static size_t thr_stack_round(size_t want) {
    size_t min = (size_t)PTHREAD_STACK_MIN; /* a sysconf() call in glibc >= 2.34 */
    long pg = sysconf(_SC_PAGESIZE);
    size_t page = pg > 0 ? (size_t)pg : 4096;
    if (want < min) want = min;
    if (want > SIZE_MAX - (page - 1)) return 0;
    return (want + page - 1) / page * page;
}

static int thr_set_err(int *err, int code) {
    if (err) *err = code;
    return code;
}

thr_t *thr_spawn_ex(void (*fn)(void *), void *arg, const thr_spawn_opts *o, int *err) {
    thr_spawn_opts def;
    if (!o) {
        thr_spawn_opts_init(&def);
        o = &def;
    }
    if (!fn || o->cpu < -1 || o->cpu >= CPU_SETSIZE) {
        thr_set_err(err, THR_EINVAL);
        return NULL;
    }
    thr_t *t = malloc(sizeof *t);
    if (!t) {
        thr_set_err(err, THR_ENOMEM);
        return NULL;
    }
    t->fn = fn;
    t->arg = arg;

    pthread_attr_t attr;
    int rc = pthread_attr_init(&attr);
    if (rc != 0) {
        free(t);
        thr_set_err(err, -rc);
        return NULL;
    }
    if (o->stack_size != 0) {
        size_t sz = thr_stack_round(o->stack_size);
        rc = sz ? pthread_attr_setstacksize(&attr, sz) : EINVAL;
    }
    if (rc == 0 && o->cpu >= 0) {
        /* Pinned through the attribute, so the thread never runs elsewhere,
         * not even for its first instructions. */
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(o->cpu, &set);
        rc = pthread_attr_setaffinity_np(&attr, sizeof set, &set);
    }
    if (rc == 0) rc = pthread_create(&t->tid, &attr, thr_start, t);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        free(t);
        thr_set_err(err, -rc);
        return NULL;
    }
    thr_set_err(err, THR_OK);
    return t;
}

thr_t *thr_spawn(void (*fn)(void *), void *arg, int *err) {
    return thr_spawn_ex(fn, arg, NULL, err);
}

/* On failure (EDEADLK when joining oneself) the thread is left as it was and
 * not freed, so the caller may still join it from elsewhere. */
int thr_join(thr_t *t) {
    if (!t) return THR_EINVAL;
    int rc = pthread_join(t->tid, NULL);
    if (rc != 0) return -rc;
    free(t);
    return THR_OK;
}

void thr_yield(void) {
    sched_yield();
}

void thr_sleep_ns(uint64_t ns) {
    struct timespec req, rem;
    req.tv_sec = (time_t)(ns / 1000000000u);
    req.tv_nsec = (long)(ns % 1000000000u);
    /* clock_nanosleep returns the error instead of setting errno; on EINTR
     * (a signal handler ran) sleep the remaining time, not the whole again. */
    while (clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem) == EINTR) req = rem;
}

int thr_pin_self(int cpu) {
    if (cpu < 0 || cpu >= CPU_SETSIZE) return THR_EINVAL;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    int rc = pthread_setaffinity_np(pthread_self(), sizeof set, &set);
    return rc ? -rc : THR_OK;
}
