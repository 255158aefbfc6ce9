// spawn: create, run and join trivial goroutines (go + sync.WaitGroup).
// Default: one at a time, n times (what a short-lived task costs), as
// corobench. --alive: start all n, each waits on one channel, measure
// resident memory with all of them alive, then release and join them.
package main

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

var spawnWorkload = &workload{
	name: "spawn",
	help: "spawn and join --n trivial goroutines one at a time; --alive keeps them all alive at once",
	specs: []optSpec{
		{name: "n", kind: kUint, min: 1, max: 1000000000, def: "2000", help: "tasks (at most 10000000 with --alive)"},
		{name: "alive", kind: kFlag, help: "keep all --n alive at once, report resident memory per task"},
	},
	run: runSpawn,
	check: func(o *opts) error {
		if o.flag("alive") && o.u("n") > 10000000 {
			return fmt.Errorf("--n: with --alive, expected an integer in [1, 10000000], got '%d'", o.u("n"))
		}
		return nil
	},
}

func runSpawn(o *opts, r *result) error {
	if o.flag("alive") {
		return spawnAlive(o.u("n"), r)
	}
	n := o.u("n")
	var sum uint64
	var wg sync.WaitGroup
	t0 := time.Now()
	for i := uint64(0); i < n; i++ {
		wg.Add(1)
		go func(i uint64) {
			sum += fnvItem(spawnTag, i, 0) // ordered by wg.Wait below
			wg.Done()
		}(i)
		wg.Wait()
	}
	wall := time.Since(t0)
	r.sum = sumFinal(sum, n)
	r.Results["tasks"] = n
	r.Results["wall_ns"] = wall.Nanoseconds()
	r.Results["ns_per_task"] = float64(wall.Nanoseconds()) / float64(n)
	return nil
}

// spawnAlive: Go cannot recover from running out of memory (the runtime
// aborts), so growth is checked against MemAvailable every batch and stopped
// before it would pass 80% of it; limit_error then says so (status stays ok,
// as corobench reports a failing spawn as a data point).
func spawnAlive(n uint64, r *result) error {
	release := make(chan struct{})
	var wg sync.WaitGroup
	var started, sum uint64
	rss0 := statusBytes("VmRSS")
	avail := memAvailable()
	var reached uint64
	var limit interface{}
	const batch = 10000
	t0 := time.Now()
	for reached < n {
		b := n - reached
		if b > batch {
			b = batch
		}
		for k := uint64(0); k < b; k++ {
			wg.Add(1)
			go func(i uint64) {
				atomic.AddUint64(&started, 1)
				<-release
				atomic.AddUint64(&sum, fnvItem(spawnTag, i, 0))
				wg.Done()
			}(reached + k)
		}
		reached += b
		if reached < n && avail > 0 {
			grown := statusBytes("VmRSS") - rss0
			per := float64(grown) / float64(reached)
			if float64(grown)+per*float64(batch) > 0.8*float64(avail) {
				limit = fmt.Sprintf("stopped at %d goroutines: the next batch would pass 80%% of MemAvailable (%d bytes); Go aborts on out-of-memory", reached, avail)
				break
			}
		}
	}
	for atomic.LoadUint64(&started) < reached { // every goroutine up to its wait
		time.Sleep(20 * time.Microsecond)
	}
	tAlive := time.Since(t0)
	rss1, hwm := statusBytes("VmRSS"), statusBytes("VmHWM")
	close(release)
	wg.Wait()
	wall := time.Since(t0)
	r.sum = sumFinal(sum, reached)
	r.Results["tasks"] = reached
	r.Results["tasks_requested"] = n
	r.Results["tasks_reached"] = reached
	r.Results["wall_ns"] = wall.Nanoseconds()
	r.Results["spawn_all_ns"] = tAlive.Nanoseconds()
	r.Results["baseline_rss_bytes"] = rss0
	r.Results["peak_rss_bytes"] = rss1
	r.Results["vmhwm_bytes"] = hwm
	var per int64
	if rss1 > rss0 {
		per = (rss1 - rss0) / int64(reached)
	}
	r.Results["rss_per_task_bytes"] = per
	r.Results["limit_error"] = limit
	r.Results["ns_per_task"] = float64(wall.Nanoseconds()) / float64(reached)
	return nil
}
