// switch: two goroutines hand control back and forth N times, either through
// an unbuffered channel (a rendezvous: every send blocks until the other side
// receives) or through runtime.Gosched() (the closest Go has to coro_yield).
package main

import (
	"fmt"
	"runtime"
	"sync"
	"time"
)

var switchWorkload = &workload{
	name: "switch",
	help: "two goroutines hand control back and forth --n times",
	specs: []optSpec{
		{name: "n", kind: kUint, min: 2, max: 1 << 40, def: "1000000", help: "switches (hand-offs)"},
		{name: "mech", kind: kEnum, enum: []string{"chan", "gosched"}, def: "chan",
			help: "unbuffered channel ping-pong, or runtime.Gosched between two goroutines"},
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
	var wall time.Duration
	var sum uint64
	if o.s("mech") == "chan" {
		wall, sum = switchChan(n)
	} else {
		wall, sum = switchGosched(n)
	}
	v1, i1, _ := rusage()
	r.sum = sum
	r.Results["switches"] = n
	r.Results["wall_ns"] = wall.Nanoseconds()
	r.Results["ns_per_switch"] = float64(wall.Nanoseconds()) / float64(n)
	r.Results["vol_csw"] = v1 - v0
	r.Results["invol_csw"] = i1 - i0
	return nil
}

// switchChan passes a counter 0..n-1 back and forth; each pass is a switch.
func switchChan(n uint64) (time.Duration, uint64) {
	ping, pong := make(chan uint64), make(chan uint64)
	h := fnvOffset
	done := make(chan struct{})
	go func() { // B: receives even values, sends odd ones
		for v := range ping {
			h = switchFold(h, v)
			if v+1 < n {
				pong <- v + 1
			} else {
				close(pong)
			}
		}
		close(done)
	}()
	t0 := time.Now()
	for v := uint64(0); v < n; v += 2 { // A: sends even values
		ping <- v
		w, ok := <-pong
		if !ok {
			break
		}
		h = switchFold(h, w)
	}
	close(ping)
	<-done
	return time.Since(t0), h
}

// switchGosched: two goroutines take turns through the scheduler; a shared
// counter (safe: GOMAXPROCS is 1) numbers the turns.
func switchGosched(n uint64) (time.Duration, uint64) {
	var wg sync.WaitGroup
	var next uint64
	h := fnvOffset
	body := func() {
		defer wg.Done()
		for next < n {
			h = switchFold(h, next)
			next++
			runtime.Gosched()
		}
	}
	wg.Add(2)
	t0 := time.Now()
	go body()
	go body()
	wg.Wait()
	return time.Since(t0), h
}
