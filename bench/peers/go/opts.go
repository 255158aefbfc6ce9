// Option parsing with the same names and validation rules as corobench:
// `--name value` or `--name=value`, every number checked (non-numeric,
// negative, out of range, overflow) and reported in one line with exit 2.
package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
)

const (
	kUint = iota // unsigned integer in [min, max]
	kEnum        // one of enum
	kFlag        // present or not
)

type optSpec struct {
	name     string
	kind     int
	min, max uint64
	enum     []string
	def      string
	help     string
}

type opts struct {
	json  bool
	help  bool
	vals  map[string]string
	order []string
	specs []optSpec
}

// procsSpec is shared by every workload: GOMAXPROCS, "cores" = all CPUs.
var procsSpec = optSpec{name: "procs", kind: kUint, min: 1, max: 1024, def: "1",
	help: "GOMAXPROCS: a number or 'cores' (default 1, like corobench's one-thread scheduler)"}

func parseOpts(w *workload, args []string) (*opts, error) {
	o := &opts{vals: map[string]string{}, specs: append([]optSpec{}, w.specs...)}
	o.specs = append(o.specs, procsSpec)
	for _, s := range o.specs {
		if s.kind != kFlag {
			o.vals[s.name] = s.def
		}
		o.order = append(o.order, s.name)
	}
	if w.first != "" && len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		args = append([]string{"--" + w.first, args[0]}, args[1:]...)
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--json" {
			o.json = true
			continue
		}
		if a == "--help" || a == "-h" {
			o.help = true
			continue
		}
		if !strings.HasPrefix(a, "--") {
			return nil, fmt.Errorf("unexpected argument '%s'", a)
		}
		name, val, hasVal := strings.Cut(a[2:], "=")
		var spec *optSpec
		for k := range o.specs {
			if o.specs[k].name == name {
				spec = &o.specs[k]
			}
		}
		if spec == nil {
			return nil, fmt.Errorf("unknown option '--%s'", name)
		}
		if spec.kind == kFlag {
			if hasVal {
				return nil, fmt.Errorf("--%s takes no value", name)
			}
			o.vals[name] = "1"
			continue
		}
		if !hasVal {
			if i+1 >= len(args) {
				return nil, fmt.Errorf("--%s needs a value", name)
			}
			i++
			val = args[i]
		}
		if err := checkValue(spec, val); err != nil {
			return nil, err
		}
		o.vals[name] = val
	}
	return o, nil
}

func checkValue(s *optSpec, val string) error {
	switch s.kind {
	case kEnum:
		for _, e := range s.enum {
			if e == val {
				return nil
			}
		}
		return fmt.Errorf("--%s: expected one of %s, got '%s'", s.name, strings.Join(s.enum, "|"), val)
	case kUint:
		if s.name == "procs" && val == "cores" {
			return nil
		}
		if strings.HasPrefix(val, "-") {
			return fmt.Errorf("--%s: must not be negative, got '%s'", s.name, val)
		}
		if val == "" || val[0] < '0' || val[0] > '9' {
			return fmt.Errorf("--%s: expected an unsigned integer, got '%s'", s.name, val)
		}
		v, err := strconv.ParseUint(val, 10, 64)
		if err != nil {
			if errors.Is(err, strconv.ErrRange) {
				return fmt.Errorf("--%s: value '%s' overflows", s.name, val)
			}
			return fmt.Errorf("--%s: expected an unsigned integer, got '%s'", s.name, val)
		}
		if v < s.min || v > s.max {
			return fmt.Errorf("--%s: %d is out of range [%d, %d]", s.name, v, s.min, s.max)
		}
	}
	return nil
}

func (o *opts) u(name string) uint64 {
	v, _ := strconv.ParseUint(o.vals[name], 10, 64)
	return v
}

func (o *opts) s(name string) string  { return o.vals[name] }
func (o *opts) flag(name string) bool { return o.vals[name] == "1" }

// applyProcs sets GOMAXPROCS from --procs and records the number used.
func applyProcs(o *opts) {
	p := runtime.NumCPU()
	if o.vals["procs"] != "cores" {
		p = int(o.u("procs"))
	}
	runtime.GOMAXPROCS(p)
}

func printHelp(w *workload) {
	fmt.Fprintf(os.Stdout, "usage: %s %s [options] [--json]\n%s\noptions:\n", prog, w.name, w.help)
	specs := append(append([]optSpec{}, w.specs...), procsSpec)
	for _, s := range specs {
		switch s.kind {
		case kFlag:
			fmt.Fprintf(os.Stdout, "  --%-12s %s\n", s.name, s.help)
		case kEnum:
			fmt.Fprintf(os.Stdout, "  --%-12s %s (%s; default %s)\n", s.name, s.help, strings.Join(s.enum, "|"), s.def)
		default:
			fmt.Fprintf(os.Stdout, "  --%-12s %s (%d..%d; default %s)\n", s.name, s.help, s.min, s.max, s.def)
		}
	}
}
