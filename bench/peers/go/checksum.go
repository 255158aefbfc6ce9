// Checksums: 64-bit FNV-1a over the work done, defined exactly as corobench
// defines them (bench/cli/checksum.h and bench/workloads/*.c), so that a
// peer's checksum equal to corobench's proves it did the same work.
package main

const (
	fnvOffset uint64 = 0xcbf29ce484222325
	fnvPrime  uint64 = 0x100000001b3
)

// Tags of the order-independent sums (bench/workloads/*.c).
const (
	spawnTag    = 0x5350
	prodconsTag = 0x5043
	cpuboundTag = 0x4342
)

// fnvU64 folds v into h as 8 little-endian bytes.
func fnvU64(h, v uint64) uint64 {
	for i := 0; i < 8; i++ {
		h ^= (v >> (8 * i)) & 0xff
		h *= fnvPrime
	}
	return h
}

// fnvBytes folds a byte string into h.
func fnvBytes(h uint64, b []byte) uint64 {
	for _, c := range b {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return h
}

// fnvItem is the hash of one unit of work (tag, a, b), summed by workloads
// whose order varies (corobench's fnv_item): word-wise, as it runs inside the
// timed region.
func fnvItem(tag, a, b uint64) uint64 { return fnvWord(fnvWord(fnvWord(fnvOffset, tag), a), b) }

// fnvWord is FNV-1a with a whole word as its unit: one multiply (corobench's fnv_word).
func fnvWord(h, v uint64) uint64 { return (h ^ v) * fnvPrime }

// sumFinal folds an order-independent sum of item hashes and their count.
func sumFinal(sum, count uint64) uint64 { return fnvU64(fnvU64(fnvOffset, sum), count) }

// switchRecord folds one (task, iteration) hand-off, as corobench's record():
// one multiply per hand-off (fnv_word), as the chain is folded inside the timed
// loop.
func switchRecord(seq uint64, me int, i uint64) uint64 { return fnvWord(seq, i<<1|uint64(me)) }

// article: one hash per printed line, summed. A countdown line hashes the task
// name, a queue consumer's line does not (which consumer takes an item is
// scheduling, not work); "done" hashes the word.
func articleLine(name string, k uint64, div bool, hashName bool) uint64 {
	var tag, d uint64
	if hashName {
		tag = fnvBytes(fnvOffset, []byte(name))
	}
	if div {
		d = 1
	}
	return fnvItem(tag, k, d)
}
