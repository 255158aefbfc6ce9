// The per-item CPU work of prodcons (--work-ns): a calibrated busy loop, as in
// corobench. Calibration only decides how many iterations last about w ns; the
// loop's value never enters a checksum, so calibration noise cannot change it.
package main

import "time"

var sink uint64

func spinIters(iters uint64) {
	x := uint64(88172645463325252)
	for i := uint64(0); i < iters; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	sink += x
}

// itersPerNs measures the loop for about 20 ms and returns iterations per ns.
func itersPerNs() float64 {
	n := uint64(1 << 16)
	for {
		t0 := time.Now()
		spinIters(n)
		d := time.Since(t0)
		if d > 20*time.Millisecond {
			return float64(n) / float64(d.Nanoseconds())
		}
		n *= 2
	}
}
