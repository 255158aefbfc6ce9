/* tcheck.h — the tiny assertion kit of the threads/ tests.
 *
 * CHECK() reports a failure with file and line and keeps going, so one run
 * shows every broken expectation; TEST_END() turns the count into the exit
 * code ctest reads. Unlike assert() it stays on in Release builds.
 * WAIT_UNTIL() waits for a state (e.g. "two getters are blocked").
 */
#ifndef TCHECK_H
#define TCHECK_H

#include <stdatomic.h>
#include <stdio.h>

#include "thr.h"

static atomic_int tcheck_failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                        \
            atomic_fetch_add(&tcheck_failures, 1);                                                 \
        }                                                                                          \
    } while (0)

/* Like CHECK, for two integers, printing both values. */
#define CHECK_EQ(a, b)                                                                             \
    do {                                                                                           \
        long long tc_a_ = (long long)(a), tc_b_ = (long long)(b);                                  \
        if (tc_a_ != tc_b_) {                                                                      \
            fprintf(stderr, "FAIL %s:%d: %s == %s (%lld vs %lld)\n", __FILE__, __LINE__, #a, #b,   \
                    tc_a_, tc_b_);                                                                 \
            atomic_fetch_add(&tcheck_failures, 1);                                                 \
        }                                                                                          \
    } while (0)

/* Polls cond every millisecond until it holds; a failure after 20 s. Used to
 * wait until a thread is known to be blocked (waiter counts), never to
 * assert anything about time. */
#define WAIT_UNTIL(cond)                                                                           \
    do {                                                                                           \
        int tc_ms_ = 0;                                                                            \
        while (!(cond) && tc_ms_ < 20000) {                                                        \
            thr_sleep_ns(1000 * 1000);                                                             \
            tc_ms_++;                                                                              \
        }                                                                                          \
        CHECK(cond);                                                                               \
    } while (0)

#define TEST_END(name)                                                                             \
    do {                                                                                           \
        int tc_n_ = atomic_load(&tcheck_failures);                                                 \
        if (tc_n_) {                                                                               \
            fprintf(stderr, "%s: %d failure(s)\n", name, tc_n_);                                   \
            return 1;                                                                              \
        }                                                                                          \
        printf("%s: ok\n", name);                                                                  \
        return 0;                                                                                  \
    } while (0)

#endif
