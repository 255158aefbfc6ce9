// cpubound: a fixed total of CPU work split evenly over T goroutines, with
// GOMAXPROCS 1 or the number of cores (--procs). The work is corobench's step
// exactly (bench/workloads/cpubound.c): 16 mixing rounds of a 64-bit state,
// then one touch of every 64-byte line of the task's own working set (--wss);
// every --yield-every steps runtime.Gosched() (0 = never; Go also preempts).
package main

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

var cpuboundWorkload = &workload{
	name: "cpubound",
	help: "--total-work steps split over --tasks goroutines, --wss bytes each, Gosched every --yield-every steps",
	specs: []optSpec{
		{name: "tasks", kind: kUint, min: 1, max: 10000000, def: "2", help: "goroutines"},
		{name: "total-work", kind: kUint, min: 1, max: 1000000000000, def: "200000", help: "steps in all"},
		{name: "wss", kind: kUint, min: 0, max: 1 << 30, def: "4096", help: "working set per task, bytes"},
		{name: "yield-every", kind: kUint, min: 0, max: 1000000000000, def: "0", help: "steps between yields (0 = never)"},
	},
	run: runCpubound,
}

const cbLine = 64

func runCpubound(o *opts, r *result) error {
	T, total, wss, k := o.u("tasks"), o.u("total-work"), o.u("wss"), o.u("yield-every")
	lines := (wss + cbLine - 1) / cbLine
	if avail := memAvailable(); avail > 0 && float64(lines*cbLine)*float64(T) > 0.8*float64(avail) {
		return fmt.Errorf("the working sets (%d tasks x %d bytes) would pass 80%% of MemAvailable (%d bytes)", T, lines*cbLine, avail)
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	var sum, steps uint64
	for id := uint64(0); id < T; id++ {
		wg.Add(1)
		go func(id uint64) {
			defer wg.Done()
			n := total / T
			if id < total%T {
				n++
			}
			<-start
			var ws []uint64
			if lines > 0 {
				ws = make([]uint64, lines*cbLine/8)
				for l := uint64(0); l < lines; l++ {
					ws[l*(cbLine/8)] = l
				}
			}
			x := fnvItem(cpuboundTag, id, 0)
			var since uint64
			for s := uint64(0); s < n; s++ {
				for i := 0; i < 16; i++ {
					x ^= x >> 33
					x *= 0xff51afd7ed558ccd
				}
				for l := uint64(0); l < lines; l++ {
					w := &ws[l*(cbLine/8)]
					*w += x
					x ^= *w >> 7
				}
				if k != 0 {
					if since++; since == k {
						since = 0
						runtime.Gosched()
					}
				}
			}
			atomic.AddUint64(&sum, fnvItem(cpuboundTag, id, x))
			atomic.AddUint64(&steps, n)
		}(id)
	}
	runtime.Gosched() // let them reach the start line (they block on the channel)
	v0, i0, c0 := rusage()
	t0 := time.Now()
	close(start)
	wg.Wait()
	wall := time.Since(t0)
	v1, i1, c1 := rusage()
	r.sum = sumFinal(sum, steps)
	r.Results["tasks"] = T
	r.Results["work_units"] = steps
	r.Results["wall_ns"] = wall.Nanoseconds()
	r.Results["cpu_ns"] = c1 - c0
	r.Results["vol_csw"] = v1 - v0
	r.Results["invol_csw"] = i1 - i0
	r.Results["units_per_s"] = float64(steps) / wall.Seconds()
	return nil
}
