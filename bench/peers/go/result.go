// The result object every corobench run prints (bench/result.schema.json): one JSON
// line with the run's parameters, status, checksum, results and environment.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"syscall"
)

type result struct {
	Schema   string                 `json:"schema"`
	Workload string                 `json:"workload"`
	Backend  string                 `json:"backend"`
	Params   map[string]interface{} `json:"params"`
	Status   string                 `json:"status"`
	Error    *string                `json:"error"`
	Checksum *string                `json:"checksum"`
	Results  map[string]interface{} `json:"results"`
	Env      map[string]interface{} `json:"env"`
	sum      uint64
	quiet    bool // the workload printed its own output (article without --json)
}

func newResult(workload string, o *opts) *result {
	r := &result{Schema: "corobench-result/1", Workload: workload, Backend: "go",
		Params: map[string]interface{}{}, Status: "ok", Results: map[string]interface{}{}}
	for _, s := range o.specs {
		key := strings.ReplaceAll(s.name, "-", "_") // JSON keys as corobench: work_ns
		switch {
		case s.name == "procs":
			r.Params["procs"] = runtime.GOMAXPROCS(0)
		case s.kind == kUint:
			r.Params[key] = o.u(s.name)
		case s.kind == kFlag:
			r.Params[key] = o.flag(s.name)
		default:
			r.Params[key] = o.s(s.name)
		}
	}
	r.sum = fnvOffset
	r.Env = envInfo()
	return r
}

func (r *result) setError(err error) {
	msg := err.Error()
	r.Status = "error"
	r.Error = &msg
}

func (r *result) print(asJSON bool) {
	cs := fmt.Sprintf("0x%016x", r.sum)
	if r.Status == "ok" {
		r.Checksum = &cs
	} else {
		fmt.Fprintf(os.Stderr, "%s: %s\n", prog, *r.Error)
	}
	if r.quiet && r.Status == "ok" {
		return
	}
	if asJSON {
		b, err := json.Marshal(r)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: cannot encode the result: %v\n", prog, err)
			os.Exit(1)
		}
		fmt.Println(string(b))
		return
	}
	fmt.Printf("%s %s: %s\n", r.Backend, r.Workload, r.Status)
	if r.Error != nil {
		fmt.Printf("  error: %s\n", *r.Error)
	}
	fmt.Printf("  checksum: %s\n", cs)
	keys := make([]string, 0, len(r.Results))
	for k := range r.Results {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Printf("  %s: %v\n", k, r.Results[k])
	}
}

// envInfo records the machine the way corobench does; commit comes from
// COROBENCH_COMMIT (scripts/lib/peers.py sets it) because a Go binary has no configure step.
func envInfo() map[string]interface{} {
	commit := os.Getenv("COROBENCH_COMMIT")
	if commit == "" {
		commit = "unknown"
	}
	return map[string]interface{}{
		"cpu_model": cpuModel(),
		"cores":     runtime.NumCPU(),
		"kernel":    kernel(),
		"compiler":  runtime.Version() + " " + runtime.Compiler,
		"cflags":    "go build (default gc flags)",
		"commit":    commit,
	}
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func kernel() string {
	var u syscall.Utsname
	if syscall.Uname(&u) != nil {
		return "unknown"
	}
	str := func(a [65]int8) string {
		b := make([]byte, 0, len(a))
		for _, c := range a {
			if c == 0 {
				break
			}
			b = append(b, byte(c))
		}
		return string(b)
	}
	return str(u.Sysname) + " " + str(u.Release) + " " + str(u.Machine)
}

// rusage returns (voluntary, involuntary) context switches and CPU ns.
func rusage() (vol, invol, cpuNs int64) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, 0, 0
	}
	return ru.Nvcsw, ru.Nivcsw, ru.Utime.Nano() + ru.Stime.Nano()
}

// statusKB reads a field such as VmRSS from /proc/self/status, in bytes.
func statusBytes(field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && k == field {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(v), "%d", &kb)
			return kb * 1024
		}
	}
	return -1
}

// memAvailable is MemAvailable from /proc/meminfo in bytes (-1 if unknown).
func memAvailable() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && k == "MemAvailable" {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(v), "%d", &kb)
			return kb * 1024
		}
	}
	return -1
}
