/* check.h — the smallest test harness: CHECK records a failure and goes on,
 * TEST_END returns non-zero if anything failed. */
#ifndef CHECK_H
#define CHECK_H
#include <stdio.h>
#include <string.h>

static int check_failures;
#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c);                  \
            check_failures++;                                                                      \
        }                                                                                          \
    } while (0)
#define CHECK_STR(got, want)                                                                       \
    do {                                                                                           \
        if (strcmp((got), (want)) != 0) {                                                          \
            fprintf(stderr, "%s:%d: got\n  \"%s\"\nwant\n  \"%s\"\n", __FILE__, __LINE__, (got),   \
                    (want));                                                                       \
            check_failures++;                                                                      \
        }                                                                                          \
    } while (0)
#define TEST_END()                                                                                 \
    do {                                                                                           \
        if (check_failures) fprintf(stderr, "%d check(s) failed\n", check_failures);               \
        return check_failures ? 1 : 0;                                                             \
    } while (0)

/* A trace of events as one string: "A0 B0 A1 ...". */
static char trace_buf[8192];
static void trace(const char *fmt, ...) __attribute__((format(printf, 1, 2), unused));
#include <stdarg.h>
static void trace(const char *fmt, ...) {
    size_t n = strlen(trace_buf);
    if (n && n < sizeof trace_buf - 1) trace_buf[n++] = ' ';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(trace_buf + n, sizeof trace_buf - n, fmt, ap);
    va_end(ap);
}
static __attribute__((unused)) void trace_reset(void) {
    trace_buf[0] = 0;
}

/* Built with CORO_TEST_SHARED, a test's coroutines (all but main) run in the
 * shared-stack mode: the same tests then pin the same orders for it. */
#ifdef CORO_TEST_SHARED
#include "coro.h"
static __attribute__((unused)) coro_t *test_spawn_shared(void (*fn)(void *), void *arg) {
    coro_spawn_opts o;
    coro_spawn_opts_init(&o);
    o.stack_mode = CORO_STACK_SHARED;
    return coro_spawn_ex(fn, arg, &o);
}
#define coro_spawn(fn, arg) test_spawn_shared((fn), (arg))
#endif
#endif
