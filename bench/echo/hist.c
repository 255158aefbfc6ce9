/* hist.c — the log-linear latency histogram (hist.h). */
#include "hist.h"

#include <math.h>
#include <string.h>

void hist_init(echo_hist *h) {
    memset(h, 0, sizeof *h);
    h->min = UINT64_MAX;
}

/* Bucket e*64 + (v >> e) where e = max(0, msb(v) - 6): contiguous indices,
 * [0, 128) exact, then 64 buckets per power of two. */
static unsigned index_of(uint64_t v) {
    if (v < 2 * HIST_SUB) return (unsigned)v;
    unsigned e = (unsigned)(63 - __builtin_clzll(v)) - 6;
    return e * HIST_SUB + (unsigned)(v >> e);
}

/* The largest value that falls into bucket i. */
static uint64_t upper_of(unsigned i) {
    if (i < 2 * HIST_SUB) return i;
    unsigned e = i / HIST_SUB - 1;
    uint64_t m = i - (uint64_t)e * HIST_SUB; /* in [64, 128) */
    if (e + 7 >= 64 && m == 2 * HIST_SUB - 1) return UINT64_MAX;
    return ((m + 1) << e) - 1;
}

void hist_add(echo_hist *h, uint64_t v) {
    h->b[index_of(v)]++;
    h->count++;
    h->sum += v;
    if (v < h->min) h->min = v;
    if (v > h->max) h->max = v;
}

uint64_t hist_quantile(const echo_hist *h, double q) {
    if (h->count == 0) return 0;
    double want = ceil(q * (double)h->count);
    uint64_t rank = want < 1 ? 1 : (uint64_t)want;
    if (rank > h->count) rank = h->count;
    uint64_t seen = 0;
    for (unsigned i = 0; i < HIST_BUCKETS; i++) {
        seen += h->b[i];
        if (seen >= rank) {
            uint64_t u = upper_of(i);
            return u < h->max ? u : h->max; /* the bucket's edge may lie past every value */
        }
    }
    return h->max;
}
