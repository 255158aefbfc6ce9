// article: the blog article's three programs on goroutines. `sequential`
// never suspends, `concurrent` calls runtime.Gosched() where the article
// awaits asyncio.sleep(0), `queue` hands numbers from a producer to consumers
// C1 and C2 over a channel and waits for all of them (asyncio's Queue.join as
// a WaitGroup). Go's scheduler is not FIFO (a new goroutine runs next), so the
// order of lines differs from asyncio's; the set of lines is the same.
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"sync"
)

var articleWorkload = &workload{
	name: "article",
	help: "the article's programs: article --program sequential|concurrent|queue --n N",
	specs: []optSpec{
		{name: "program", kind: kEnum, enum: []string{"sequential", "concurrent", "queue"}, def: "sequential",
			help: "which program (also accepted as the first argument)"},
		{name: "n", kind: kUint, min: 1, max: 10000000000, def: "6", help: "countdown start"},
		{name: "capacity", kind: kUint, min: 0, max: 1000000000, def: "0", help: "queue capacity (0 = unbounded)"},
	},
	first: "program",
	run:   runArticle,
}

// out streams the lines to stdout (without --json) or keeps the first
// outputMax bytes for the JSON "output" field, as corobench does, and sums
// their checksum (the same definition as corobench).
type out struct {
	mu         sync.Mutex
	w          *bufio.Writer
	buf        bytes.Buffer
	over       bool
	sum, lines uint64
}

const outputMax = 65536

func (o *out) line(text string, h uint64) {
	o.mu.Lock()
	if o.w != nil {
		o.w.WriteString(text)
		o.w.WriteByte('\n')
	} else if !o.over {
		o.buf.WriteString(text)
		o.buf.WriteByte('\n')
		o.over = o.buf.Len() > outputMax
	}
	o.sum += h
	o.lines++
	o.mu.Unlock()
}

func divisibleBy(w *out, task string, k uint64, suspend, hashName bool) {
	if suspend {
		runtime.Gosched()
	}
	div := k%3 == 0
	word := "not-divisible"
	if div {
		word = "divisible"
	}
	w.line(fmt.Sprintf("%s %d %s", task, k, word), articleLine(task, k, div, hashName))
}

func runArticle(o *opts, r *result) error {
	n := o.u("n")
	w := &out{}
	if !o.json {
		w.w = bufio.NewWriter(os.Stdout)
	}
	switch o.s("program") {
	case "sequential", "concurrent":
		suspend := o.s("program") == "concurrent"
		var wg sync.WaitGroup
		for _, t := range []string{"A", "B"} {
			wg.Add(1)
			go func(t string) {
				for k := n; k >= 1; k-- {
					divisibleBy(w, t, k, suspend, true)
				}
				wg.Done()
			}(t)
		}
		wg.Wait()
	case "queue":
		capacity := o.u("capacity")
		if capacity == 0 || capacity > 1<<20 {
			// Unbounded (0): room for every item, so the producer never blocks;
			// a channel is allocated whole, hence at most 2^20 slots.
			capacity = n
			if capacity > 1<<20 {
				capacity = 1 << 20
			}
		}
		q := make(chan uint64, capacity)
		var pending, consumers, producer sync.WaitGroup
		for _, t := range []string{"C1", "C2"} {
			consumers.Add(1)
			go func(t string) {
				for k := range q {
					divisibleBy(w, t, k, true, false)
					pending.Done() // task_done
				}
				consumers.Done()
			}(t)
		}
		producer.Add(1)
		go func() {
			for k := n; k >= 1; k-- {
				pending.Add(1)
				q <- k
			}
			producer.Done()
		}()
		producer.Wait()
		pending.Wait() // queue.join()
		close(q)
		consumers.Wait()
		w.line("done", fnvBytes(fnvOffset, []byte("done")))
	}
	r.sum = sumFinal(w.sum, w.lines)
	r.Results["lines"] = w.lines
	r.Results["runs"] = 1
	r.Results["distinct_orders"] = 1
	if w.w != nil {
		if err := w.w.Flush(); err != nil {
			return fmt.Errorf("writing the program's output failed: %v", err)
		}
		r.quiet = true // the program's own output is the result, as corobench
	} else if w.over {
		r.Results["output"] = nil
	} else {
		r.Results["output"] = w.buf.String()
	}
	return nil
}
