// spawn: create, run and join N trivial goroutines (go + sync.WaitGroup); with
// --alive, keep N alive at once and report resident memory per goroutine.
package main

import (
	"fmt"
	"sync"
	"time"
)

var spawnWorkload = &workload{
	name: "spawn",
	help: "create, run and join --n trivial goroutines; --alive keeps them all alive at once",
	specs: []optSpec{
		{name: "n", kind: kUint, min: 1, max: 100000000, def: "100000", help: "tasks"},
		{name: "alive", kind: kFlag, help: "keep all --n alive at once, report peak RSS per task"},
	},
	run: runSpawn,
}

func runSpawn(o *opts, r *result) error {
	if o.flag("alive") {
		return spawnAlive(o.u("n"), r)
	}
	n := o.u("n")
	out := make([]uint64, n)
	var wg sync.WaitGroup
	t0 := time.Now()
	for i := uint64(0); i < n; i++ {
		wg.Add(1)
		go func(i uint64) {
			out[i] = i
			wg.Done()
		}(i)
	}
	wg.Wait()
	wall := time.Since(t0)
	h := fnvOffset
	for i := uint64(0); i < n; i++ {
		h = spawnFold(h, out[i])
	}
	r.sum = h
	r.Results["tasks"] = n
	r.Results["wall_ns"] = wall.Nanoseconds()
	r.Results["ns_per_task"] = float64(wall.Nanoseconds()) / float64(n)
	return nil
}

// spawnAlive starts goroutines that block on one channel until all n (or as
// many as memory allows) are alive. Go cannot recover from running out of
// memory (the runtime aborts), so growth is checked against MemAvailable in
// batches and stopped, with limit_error saying why, before it would run out.
func spawnAlive(n uint64, r *result) error {
	release := make(chan struct{})
	var wg sync.WaitGroup
	out := make([]uint64, 0, 1024)
	var mu sync.Mutex
	base := statusBytes("VmRSS")
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
				<-release
				mu.Lock()
				out = append(out, i)
				mu.Unlock()
				wg.Done()
			}(reached + k)
		}
		reached += b
		if reached < n && avail > 0 {
			grown := statusBytes("VmRSS") - base
			per := float64(grown) / float64(reached)
			if float64(grown)+per*float64(batch) > 0.8*float64(avail) {
				limit = fmt.Sprintf("stopped at %d goroutines: the next batch would pass 80%% of MemAvailable (%d bytes); Go aborts on out-of-memory", reached, avail)
				break
			}
		}
	}
	spawnWall := time.Since(t0)
	peak := statusBytes("VmRSS")
	close(release)
	wg.Wait()
	// Fold in task order (completion order varies), like the join order of corobench.
	seen := make([]bool, reached)
	for _, i := range out {
		seen[i] = true
	}
	h := fnvOffset
	for i := uint64(0); i < reached; i++ {
		if !seen[i] {
			return fmt.Errorf("goroutine %d never ran", i)
		}
		h = spawnFold(h, i)
	}
	r.sum = h
	r.Results["tasks"] = reached
	r.Results["tasks_requested"] = n
	r.Results["tasks_reached"] = reached
	r.Results["wall_ns"] = spawnWall.Nanoseconds()
	r.Results["peak_rss_bytes"] = peak
	r.Results["rss_per_task_bytes"] = float64(peak-base) / float64(reached)
	r.Results["limit_error"] = limit
	return nil
}
