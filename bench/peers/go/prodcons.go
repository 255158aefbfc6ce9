// prodcons: P producers and C consumers over one buffered channel (Go's queue).
// Items are 1..N, producer j puts j, j+P, ...; consumers are started first,
// the channel is closed after the producers end (corobench's shape).
// Capacity 0 means unbounded in corobench; a Go channel cannot grow, so it is
// given room for every item (a producer never blocks, as with unbounded).
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
		{name: "capacity", kind: kUint, min: 0, max: 100000000, def: "64", help: "channel buffer (0 = unbounded)"},
		{name: "items", kind: kUint, min: 1, max: 10000000000, def: "100000", help: "items in all"},
		{name: "work-ns", kind: kUint, min: 0, max: 100000000, def: "0", help: "busy work per consumed item, ns"},
	},
	run: runProdcons,
}

func runProdcons(o *opts, r *result) error {
	P, C, items := o.u("producers"), o.u("consumers"), o.u("items")
	capacity := o.u("capacity")
	if capacity == 0 {
		capacity = items
	}
	var iters uint64
	if w := o.u("work-ns"); w > 0 {
		iters = nsToIters(w)
	}
	ch := make(chan uint64, capacity)
	var pw, cw sync.WaitGroup
	sums := make([]uint64, C)
	counts := make([]uint64, C)
	t0 := time.Now()
	for c := uint64(0); c < C; c++ {
		cw.Add(1)
		go func(c uint64) {
			var s, k, fold uint64
			for v := range ch {
				if iters > 0 {
					fold += spin(iters)
				}
				s += fnvItem(prodconsTag, v, 0)
				k++
			}
			sums[c], counts[c] = s, k
			sinkAdd(fold)
			cw.Done()
		}(c)
	}
	for p := uint64(1); p <= P; p++ {
		pw.Add(1)
		go func(p uint64) {
			for v := p; v <= items; v += P {
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
	r.sum = sumFinal(sum, count)
	r.Results["items"] = count
	r.Results["wall_ns"] = wall.Nanoseconds()
	r.Results["items_per_s"] = float64(count) / wall.Seconds()
	r.Results["work_iters_per_item"] = iters
	r.Results["effective_capacity"] = capacity
	return nil
}
