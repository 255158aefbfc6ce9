// prodcons: P producers and C consumers over one buffered channel (Go's queue).
// Capacity 0 means unbounded in corobench; a Go channel cannot grow, so it is
// given room for every item, which is the same as never blocking a producer.
package main

import (
	"sync"
	"time"
)

var prodconsWorkload = &workload{
	name: "prodcons",
	help: "P producers, C consumers, a buffered channel of --capacity, --items items, --work-ns CPU work per item",
	specs: []optSpec{
		{name: "producers", kind: kUint, min: 1, max: 100000, def: "1", help: "producer goroutines"},
		{name: "consumers", kind: kUint, min: 1, max: 100000, def: "1", help: "consumer goroutines"},
		{name: "capacity", kind: kUint, min: 0, max: 1 << 30, def: "1024", help: "channel buffer (0 = unbounded)"},
		{name: "items", kind: kUint, min: 1, max: 1 << 40, def: "1000000", help: "items in all"},
		{name: "work-ns", kind: kUint, min: 0, max: 1000000000, def: "0", help: "busy work per consumed item, ns"},
	},
	run: runProdcons,
}

func runProdcons(o *opts, r *result) error {
	P, C, items := o.u("producers"), o.u("consumers"), o.u("items")
	capacity := o.u("capacity")
	if capacity == 0 {
		capacity = items
	}
	workNs := o.u("work-ns")
	var iters uint64
	if workNs > 0 {
		iters = uint64(itersPerNs() * float64(workNs))
		if iters == 0 {
			iters = 1
		}
	}
	ch := make(chan uint64, capacity)
	var pw, cw sync.WaitGroup
	sums := make([]uint64, C)
	counts := make([]uint64, C)
	t0 := time.Now()
	for c := uint64(0); c < C; c++ {
		cw.Add(1)
		go func(c uint64) {
			var s, k uint64
			for v := range ch {
				if iters > 0 {
					spinIters(iters)
				}
				s += prodconsItem(v)
				k++
			}
			sums[c], counts[c] = s, k
			cw.Done()
		}(c)
	}
	for p := uint64(0); p < P; p++ {
		pw.Add(1)
		go func(p uint64) { // producer p puts items p+1, p+1+P, ...
			for v := p + 1; v <= items; v += P {
				ch <- v
			}
			pw.Done()
		}(p)
	}
	pw.Wait()
	close(ch)
	cw.Wait()
	wall := time.Since(t0)
	var sum, count uint64
	for c := range sums {
		sum += sums[c]
		count += counts[c]
	}
	r.sum = prodconsFinal(count, sum)
	r.Results["items"] = count
	r.Results["wall_ns"] = wall.Nanoseconds()
	r.Results["items_per_s"] = float64(count) / wall.Seconds()
	r.Results["effective_capacity"] = capacity
	if workNs > 0 {
		r.Results["work_iters_per_item"] = iters
	}
	return nil
}
