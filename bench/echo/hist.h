/* hist.h — a fixed-size latency histogram (log-linear buckets).
 *
 * Why: a run at 10,000 connections makes millions of requests; keeping every
 * latency would grow without bound. Values below 128 ns have a bucket each;
 * above, each power of two is split into 64 buckets, so a reported percentile
 * (the upper edge of its bucket, never above the exact maximum) is at most
 * 1/64 (1.6%) above the true value. 3,840 counters cover all of uint64_t.
 */
#ifndef ECHO_HIST_H
#define ECHO_HIST_H

#include <stdint.h>

#define HIST_SUB 64
#define HIST_BUCKETS (HIST_SUB * 58 + 2 * HIST_SUB)

typedef struct echo_hist {
    uint64_t count, sum, min, max;
    uint64_t b[HIST_BUCKETS];
} echo_hist;

void hist_init(echo_hist *h);
void hist_add(echo_hist *h, uint64_t v);
/* The q-quantile (0 < q <= 1): the smallest bucket edge with at least
 * ceil(q * count) values at or below it; 0 when empty. */
uint64_t hist_quantile(const echo_hist *h, double q);

#endif
