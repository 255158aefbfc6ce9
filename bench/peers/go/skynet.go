// skynet: the public cross-language benchmark (github.com/atemerev/skynet) with
// corobench's options: every goroutine starts --fanout children, --depth levels
// down; leaf i returns i, every other goroutine the sum of its children's,
// received over one channel per parent (the benchmark's own Go shape). With the
// defaults (fanout 10, depth 6): 1,111,111 goroutines and 499999500000.
//
// Checksum: fnv_u64(fnv_u64(FNV_INIT, sum), tasks), as corobench's skynet.
package main

import (
	"fmt"
	"sync/atomic"
	"time"
)

var skynetWorkload = &workload{
	name: "skynet",
	help: "every goroutine starts --fanout children down to fanout^depth leaves; sums come back up",
	specs: []optSpec{
		{name: "depth", kind: kUint, min: 0, max: 12, def: "6", help: "levels below the root (leaves: fanout^depth)"},
		{name: "fanout", kind: kUint, min: 2, max: 1000, def: "10", help: "children per goroutine"},
	},
	run: runSkynet,
	check: func(o *opts) error {
		if skynetLeaves(o.u("fanout"), o.u("depth")) == 0 {
			return fmt.Errorf("--depth: --fanout ^ --depth must be at most 100000000 leaves, got %d ^ %d",
				o.u("fanout"), o.u("depth"))
		}
		return nil
	},
}

// skynetLeaves is fanout^depth, or 0 past 10^8 leaves.
func skynetLeaves(fanout, depth uint64) uint64 {
	leaves := uint64(1)
	for d := uint64(0); d < depth; d++ {
		if leaves > 100000000/fanout {
			return 0
		}
		leaves *= fanout
	}
	return leaves
}

func skynet(out chan<- uint64, num, size, fanout uint64, tasks *uint64) {
	atomic.AddUint64(tasks, 1)
	if size == 1 {
		out <- num
		return
	}
	step := size / fanout
	in := make(chan uint64, fanout)
	for i := uint64(0); i < fanout; i++ {
		go skynet(in, num+i*step, step, fanout, tasks)
	}
	var sum uint64
	for i := uint64(0); i < fanout; i++ {
		sum += <-in
	}
	out <- sum
}

func runSkynet(o *opts, r *result) error {
	fanout := o.u("fanout")
	leaves := skynetLeaves(fanout, o.u("depth"))
	var tasks uint64
	out := make(chan uint64, 1)
	_, _, cpu0 := rusage()
	t0 := time.Now()
	go skynet(out, 0, leaves, fanout, &tasks)
	sum := <-out
	wall := time.Since(t0)
	_, _, cpu1 := rusage()
	want := leaves / 2 * (leaves - 1)
	if leaves%2 == 1 {
		want = (leaves - 1) / 2 * leaves
	}
	if sum != want {
		return fmt.Errorf("sum %d, expected %d", sum, want)
	}
	r.sum = sumFinal(sum, tasks)
	r.Results["tasks"] = tasks
	r.Results["leaves"] = leaves
	r.Results["sum"] = sum
	r.Results["wall_ns"] = wall.Nanoseconds()
	r.Results["cpu_ns"] = cpu1 - cpu0
	r.Results["ns_per_task"] = float64(wall.Nanoseconds()) / float64(tasks)
	r.Results["vmhwm_bytes"] = statusBytes("VmHWM")
	return nil
}
