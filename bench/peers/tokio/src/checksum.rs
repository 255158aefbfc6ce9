//! Checksums: 64-bit FNV-1a over the work done, defined exactly as corobench
//! defines them (bench/cli/checksum.h and bench/workloads/*.c), so that a
//! checksum equal to corobench's proves the same work was done.

pub const FNV_INIT: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Tags of the order-independent sums (bench/workloads/*.c).
pub const SPAWN_TAG: u64 = 0x5350;
pub const PRODCONS_TAG: u64 = 0x5043;
pub const CPUBOUND_TAG: u64 = 0x4342;

/// Folds v into h as 8 little-endian bytes (corobench's fnv_u64).
pub fn fnv_u64(mut h: u64, v: u64) -> u64 {
    for b in v.to_le_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(FNV_PRIME);
    }
    h
}

/// The hash of one unit of work (tag, a, b), summed by workloads whose order
/// varies (corobench's fnv_item): word-wise, as it runs inside the timed region.
pub fn fnv_item(tag: u64, a: u64, b: u64) -> u64 {
    fnv_word(fnv_word(fnv_word(FNV_INIT, tag), a), b)
}

/// FNV-1a with a whole word as its unit: one multiply (corobench's fnv_word).
pub fn fnv_word(h: u64, v: u64) -> u64 {
    (h ^ v).wrapping_mul(FNV_PRIME)
}

/// Folds an order-independent sum of item hashes and their count.
pub fn sum_final(sum: u64, count: u64) -> u64 {
    fnv_u64(fnv_u64(FNV_INIT, sum), count)
}

/// Folds one (task, iteration) hand-off of switch, as corobench's record().
/// One multiply per hand-off (corobench's fnv_word): the chain is folded
/// inside the timed loop.
pub fn switch_record(seq: u64, me: u64, i: u64) -> u64 {
    fnv_word(seq, i << 1 | me)
}
