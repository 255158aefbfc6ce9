// The per-item CPU work of prodcons (--work-ns): corobench's calibrated busy
// loop (bench/cli/sysinfo.c si_spin), the same xorshift and the same
// calibration. Calibration only decides how many iterations last about w ns;
// the loop's value never enters a checksum, so its noise cannot change one.
package main

import (
	"sync"
	"sync/atomic"
	"time"
)

var spinSink uint64

func sinkAdd(v uint64) { atomic.AddUint64(&spinSink, v) }

func spin(iters uint64) uint64 {
	x := uint64(0x9e3779b97f4a7c15)
	for i := uint64(0); i < iters; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

var (
	calOnce sync.Once
	perNs   float64
)

// nsToIters grows a run to at least 1 ms, then keeps the best of 5.
func nsToIters(ns uint64) uint64 {
	calOnce.Do(func() {
		iters := uint64(100000)
		var dt time.Duration
		for {
			t0 := time.Now()
			sinkAdd(spin(iters))
			dt = time.Since(t0)
			if dt >= time.Millisecond || iters >= 1<<40 {
				break
			}
			iters *= 2
		}
		best := float64(iters) / float64(dt.Nanoseconds()+1)
		for rep := 0; rep < 4; rep++ {
			t0 := time.Now()
			sinkAdd(spin(iters))
			if v := float64(iters) / float64(time.Since(t0).Nanoseconds()+1); v > best {
				best = v
			}
		}
		perNs = best
	})
	it := float64(ns) * perNs
	if it < 1 && ns > 0 {
		return 1
	}
	return uint64(it)
}
