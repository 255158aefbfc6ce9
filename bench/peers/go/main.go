// corobench-go: the Go peer of corobench. It runs the suite's workloads on
// goroutines and channels and prints the same JSON result as
// `corobench <workload> --json` (bench/result.schema.json), so the sweep scripts can
// treat Go as one more backend. Standard library only.
package main

import (
	"fmt"
	"os"
)

const prog = "corobench-go"

// workload is one runnable benchmark: its options and its body.
type workload struct {
	name  string
	help  string
	specs []optSpec
	first string // option that a leading bare argument sets (article's program)
	run   func(o *opts, r *result) error
	check func(o *opts) error // combinations of options that are a usage error
}

var workloads = []*workload{switchWorkload, spawnWorkload, prodconsWorkload, cpuboundWorkload, articleWorkload,
	skynetWorkload}

func usage() {
	fmt.Fprintf(os.Stderr, "usage: %s <workload> [options] [--json]\n", prog)
	fmt.Fprintf(os.Stderr, "workloads:")
	for _, w := range workloads {
		fmt.Fprintf(os.Stderr, " %s", w.name)
	}
	fmt.Fprintf(os.Stderr, "\n`%s <workload> --help` lists its options\n", prog)
}

func main() {
	args := os.Args[1:]
	if len(args) == 0 {
		usage()
		os.Exit(2)
	}
	if args[0] == "--help" || args[0] == "-h" {
		usage()
		os.Exit(0)
	}
	var w *workload
	for _, c := range workloads {
		if c.name == args[0] {
			w = c
		}
	}
	if w == nil {
		fmt.Fprintf(os.Stderr, "%s: unknown workload '%s' (try --help)\n", prog, args[0])
		os.Exit(2)
	}
	o, err := parseOpts(w, args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s %s: %v\n", prog, w.name, err)
		os.Exit(2)
	}
	if o.help {
		printHelp(w)
		os.Exit(0)
	}
	applyProcs(o)
	if w.check != nil {
		if err := w.check(o); err != nil {
			fmt.Fprintf(os.Stderr, "%s %s: %v\n", prog, w.name, err)
			os.Exit(2)
		}
	}
	r := newResult(w.name, o)
	if err := w.run(o, r); err != nil {
		r.setError(err)
	}
	r.print(o.json)
	if r.Status != "ok" {
		os.Exit(1)
	}
}
