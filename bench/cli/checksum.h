/* checksum.h — 64-bit FNV-1a, the checksum every run reports.
 *
 * Why: a run's checksum covers the work actually done, so a backend that
 * skipped or duplicated work shows a different value. Workloads whose order is
 * not deterministic on threads hash each unit of work and SUM the hashes
 * (order-independent), then fold the sum and the count with fnv_u64.
 */
#ifndef WL_CHECKSUM_H
#define WL_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

#define FNV_INIT UINT64_C(0xcbf29ce484222325)
#define FNV_PRIME UINT64_C(0x100000001b3)

static inline uint64_t fnv_bytes(uint64_t h, const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= FNV_PRIME;
    }
    return h;
}

/* Folds v in little-endian byte order, whatever the host's order. */
static inline uint64_t fnv_u64(uint64_t h, uint64_t v) {
    for (int i = 0; i < 8; i++) {
        h ^= (v >> (8 * i)) & 0xff;
        h *= FNV_PRIME;
    }
    return h;
}

/* FNV-1a with a whole 64-bit word as its unit: one xor and one multiply.
 * For a chain folded inside a timed loop (switch's hand-offs): fnv_u64 is
 * eight dependent multiplies per word, and a chain of them would be most of
 * what a fast switch loop measures. */
static inline uint64_t fnv_word(uint64_t h, uint64_t v) {
    return (h ^ v) * FNV_PRIME;
}

/* The hash of one unit of work (tag, a, b), for order-independent sums.
 * Word-wise (fnv_word): workloads hash every item or task inside the timed
 * region, where eight multiplies per word would be measured with the work. */
static inline uint64_t fnv_item(uint64_t tag, uint64_t a, uint64_t b) {
    return fnv_word(fnv_word(fnv_word(FNV_INIT, tag), a), b);
}

#endif
