// article: the blog article's three programs on goroutines. `sequential`
// never suspends, `concurrent` calls runtime.Gosched() where the article
// awaits asyncio.sleep(0), `queue` hands numbers from a producer to consumers
// C1 and C2 over a channel and waits for all of them (asyncio's Queue.join as
// a WaitGroup). Go's scheduler is not FIFO (a new goroutine runs next), so the
// order of lines differs from asyncio's; the set of lines is the same.
package main

import (
	"bytes"
	"fmt"
	"runtime"
	"sync"
)

var articleWorkload = &workload{
	name: "article",
	help: "the article's programs: article --program sequential|concurrent|queue --n N",
	specs: []optSpec{
		{name: "program", kind: kEnum, enum: []string{"sequential", "concurrent", "queue"}, def: "sequential",
			help: "which program (also accepted as the first argument)"},
		{name: "n", kind: kUint, min: 1, max: 10000000, def: "10", help: "countdown start"},
		{name: "capacity", kind: kUint, min: 0, max: 1 << 30, def: "0", help: "queue capacity (0 = unbounded)"},
	},
	first: "program",
	run:   runArticle,
}

type out struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *out) line(format string, a ...interface{}) {
	o.mu.Lock()
	fmt.Fprintf(&o.buf, format, a...)
	o.buf.WriteByte('\n')
	o.mu.Unlock()
}

func divisibleBy(w *out, task string, k, d uint64, suspend bool) {
	if suspend {
		runtime.Gosched()
	}
	if k%d == 0 {
		w.line("%s %d divisible", task, k)
	} else {
		w.line("%s %d not-divisible", task, k)
	}
}

func runArticle(o *opts, r *result) error {
	n := o.u("n")
	w := &out{}
	switch o.s("program") {
	case "sequential", "concurrent":
		suspend := o.s("program") == "concurrent"
		var wg sync.WaitGroup
		for _, t := range []string{"A", "B"} {
			wg.Add(1)
			go func(t string) {
				for k := n; k >= 1; k-- {
					divisibleBy(w, t, k, 3, suspend)
				}
				wg.Done()
			}(t)
		}
		wg.Wait()
	case "queue":
		capacity := o.u("capacity")
		if capacity == 0 {
			capacity = n // room for every item: a producer never blocks, as with an unbounded queue
		}
		q := make(chan uint64, capacity)
		var pending, consumers, producer sync.WaitGroup
		for _, t := range []string{"C1", "C2"} {
			consumers.Add(1)
			go func(t string) {
				for k := range q {
					divisibleBy(w, t, k, 3, true)
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
		w.line("done")
	}
	b := w.buf.Bytes()
	r.sum = fnvBytes(fnvOffset, b)
	r.Results["lines"] = bytes.Count(b, []byte{'\n'})
	r.Results["runs"] = 1
	if !o.json {
		fmt.Print(string(b))
	}
	return nil
}
