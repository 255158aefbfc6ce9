/* rg_common.h — shared bits of the regression-gate drivers (bench/regress/).
 *
 * Why: every driver parses "<op> <n>" the same strict way (bad input is a
 * one-line error and exit 2, never a silently wrong count) and brackets only
 * the measured loop with callgrind's collection toggle, so that
 * `valgrind --tool=callgrind --collect-atstart=no` counts exactly the loop.
 * Outside valgrind the toggles are no-ops, so the drivers also run natively
 * (the smoke tests do that).
 */
#ifndef RG_COMMON_H
#define RG_COMMON_H

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define RG_HAVE_CALLGRIND 1
#endif
#endif
#ifndef RG_HAVE_CALLGRIND
#define CALLGRIND_TOGGLE_COLLECT
#define RG_HAVE_CALLGRIND 0
#endif

/* Operations done before collection starts: warms the stack pool, resolves
 * lazy PLT bindings and first-touch page faults out of the count. */
#define RG_WARMUP 200

/* Largest accepted operation count: keeps callgrind runs bounded. */
#define RG_MAX_N 100000000ull

/* Parses a decimal count in [1, RG_MAX_N]; exits 2 with a message otherwise. */
static inline uint64_t rg_parse_n(const char *prog, const char *s) {
    char *end = NULL;
    errno = 0;
    if (s[0] < '0' || s[0] > '9') {
        fprintf(stderr, "%s: <n> must be a positive integer, got '%s'\n", prog, s);
        exit(2);
    }
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v == 0 || v > RG_MAX_N) {
        fprintf(stderr, "%s: <n> must be an integer in 1..%llu, got '%s'\n", prog, RG_MAX_N, s);
        exit(2);
    }
    return (uint64_t)v;
}

/* The one result line: which op, how many loop iterations, and how many
 * operations the counted instructions must be divided by. */
static inline void rg_report(const char *op, uint64_t n, uint64_t ops, const char *unit) {
    printf("{\"op\":\"%s\",\"n\":%" PRIu64 ",\"ops\":%" PRIu64
           ",\"unit\":\"%s\",\"callgrind\":%s}\n",
           op, n, ops, unit, RG_HAVE_CALLGRIND ? "true" : "false");
}

#endif
