// Checksums: 64-bit FNV-1a over the work done, defined exactly as corobench
// defines them for the same workload and parameters, so that a peer's
// checksum equal to corobench's proves it did the same work.
package main

const (
	fnvOffset uint64 = 0xcbf29ce484222325
	fnvPrime  uint64 = 0x100000001b3
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

// switch: the hand-off counter 0..n-1, folded in the order the hand-offs happen.
func switchFold(h, v uint64) uint64 { return fnvU64(h, v) }

// spawn: task i produces i; the joiner folds them in join order 0..n-1.
func spawnFold(h, i uint64) uint64 { return fnvU64(h, i) }

// prodcons: consumers see items in any order, so each consumed item v (1..N)
// adds fnv(v) into a wrapping sum; the checksum is fnv(count, sum).
func prodconsItem(v uint64) uint64 { return fnvU64(fnvOffset, v) }
func prodconsFinal(count, sum uint64) uint64 {
	return fnvU64(fnvU64(fnvOffset, count), sum)
}
