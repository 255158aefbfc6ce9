// switch: two goroutines hand control back and forth, --n times each (2n
// hand-offs), either through unbuffered channels (a rendezvous: a send blocks
// until the other side receives) or through a turn word and runtime.Gosched()
// (the shape of corobench's coroutine switch). Each hand-off folds
// (task, iteration) into the checksum, as corobench does.
package main

import (
	"fmt"
	"runtime"
	"sync"
	"time"
)

var switchWorkload = &workload{
	name: "switch",
	help: "two goroutines hand control back and forth, --n times each (2n switches)",
	specs: []optSpec{
		{name: "n", kind: kUint, min: 1, max: 10000000000, def: "20000", help: "hand-offs per task (2n switches in all)"},
		{name: "mech", kind: kEnum, enum: []string{"chan", "gosched"}, def: "chan",
			help: "unbuffered channel ping-pong, or a turn word and runtime.Gosched"},
	},
	run: runSwitch,
	check: func(o *opts) error {
		if o.s("mech") == "gosched" && runtime.GOMAXPROCS(0) != 1 {
			return fmt.Errorf("--mech gosched needs --procs 1 (with more Ps the goroutines run in parallel and Gosched hands off nothing)")
		}
		return nil
	},
}

func runSwitch(o *opts, r *result) error {
	n := o.u("n")
	v0, i0, _ := rusage()
	t0 := time.Now()
	var seq uint64
	if o.s("mech") == "chan" {
		seq = switchChan(n)
	} else {
		seq = switchGosched(n)
	}
	wall := time.Since(t0)
	v1, i1, _ := rusage()
	switches := 2 * n
	r.sum = fnvU64(seq, switches)
	r.Results["switches"] = switches
	r.Results["wall_ns"] = wall.Nanoseconds()
	r.Results["ns_per_switch"] = float64(wall.Nanoseconds()) / float64(switches)
	r.Results["vol_csw"] = v1 - v0
	r.Results["invol_csw"] = i1 - i0
	return nil
}

// switchChan: A records (0,i) and sends to B; B records (1,i) and sends back.
// The channels order every access to seq.
func switchChan(n uint64) uint64 {
	ping, pong := make(chan uint64), make(chan uint64)
	seq := fnvOffset
	done := make(chan struct{})
	go func() { // B
		for i := uint64(0); i < n; i++ {
			<-ping
			seq = switchRecord(seq, 1, i)
			pong <- i
		}
		close(done)
	}()
	for i := uint64(0); i < n; i++ { // A
		seq = switchRecord(seq, 0, i)
		ping <- i
		<-pong
	}
	<-done
	return seq
}

// switchGosched: corobench's coroutine switch, a turn word and a yield.
// GOMAXPROCS is 1 (checked), so the plain variables are not shared in parallel.
func switchGosched(n uint64) uint64 {
	var wg sync.WaitGroup
	turn := 0
	seq := fnvOffset
	player := func(me int) {
		defer wg.Done()
		for i := uint64(0); i < n; i++ {
			for turn != me {
				runtime.Gosched()
			}
			seq = switchRecord(seq, me, i)
			turn = 1 - me
			runtime.Gosched()
		}
	}
	wg.Add(2)
	go player(0)
	go player(1)
	wg.Wait()
	return seq
}
