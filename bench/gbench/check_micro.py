#!/usr/bin/env python3
"""check_micro.py BINARY WORKDIR NAME... — the ctest check of corobench-micro.

Runs one tiny pass (2 repetitions, minimal time) of every benchmark, then
checks that the JSON parses, names exactly the expected benchmarks (so
README.md and the harness can rely on the names), each with a measured
iteration row and median/min/max aggregates, and that bad command lines exit
with status 2. Timing values are not judged: only that they were measured.
"""
import argparse
import json
import os
import subprocess
import sys


def fail(msg):
    print("check_micro: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def base_name(run_name):
    return run_name[: -len("/real_time")] if run_name.endswith("/real_time") else run_name


def run_pass(binary, workdir):
    """One tiny pass of every benchmark; the JSON document it wrote."""
    os.makedirs(workdir, exist_ok=True)
    out = os.path.join(workdir, "micro.json")
    if os.path.exists(out):
        os.remove(out)
    cmd = [binary, "--benchmark_min_time=0.001", "--benchmark_repetitions=2",
           "--benchmark_out=" + out, "--benchmark_out_format=json"]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=100)
    if p.returncode != 0:
        fail("%s exited %d: %s" % (" ".join(cmd), p.returncode, p.stderr.strip()[-500:]))
    leftovers = [f for f in os.listdir(workdir) if ".tmp" in f]
    if leftovers:
        fail("temporary output left behind: %s" % leftovers)
    try:
        with open(out) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        fail("%s: not valid JSON: %s" % (out, e))


def check_context(doc, expected):
    ctx = doc.get("context", {})
    for key in ("compiler", "cflags", "cpu_model", "kernel", "pinning", "num_cpus"):
        if key not in ctx:
            fail("context lacks %r" % key)
    if any("/coro" in n for n in expected) and "coro_switch_impl" not in ctx:
        fail("context lacks 'coro_switch_impl'")


def rows_by_name(doc, expected):
    """{benchmark: its JSON rows}, exactly the expected benchmarks."""
    rows = {}
    for b in doc.get("benchmarks", []):
        rows.setdefault(base_name(b["run_name"]), []).append(b)
    missing = [n for n in expected if n not in rows]
    if missing:
        fail("benchmarks missing from the JSON: %s" % missing)
    unexpected = sorted(set(rows) - set(expected))
    if unexpected:
        fail("benchmarks not in the expected list (update CMakeLists.txt and README.md): %s"
             % unexpected)
    return rows


def check_iteration(name, r):
    if not (r["iterations"] >= 1 and r["real_time"] > 0 and r["cpu_time"] >= 0):
        fail("%s: implausible row %s" % (name, r))
    if r.get("time_unit") != "ns":
        fail("%s: time unit %r, expected ns" % (name, r.get("time_unit")))
    if name.startswith("queue/") and not r.get("items_per_second", 0) > 0:
        fail("%s: no items_per_second" % name)
    if name.startswith("switch/") and "/coro" in name and name.endswith("yield"):
        if not r.get("switches_per_iter", 0) > 0:
            fail("%s: no switches_per_iter counter" % name)


def check_benchmark(name, rs, one_cpu):
    """Two measured repetitions and the median/min/max aggregates."""
    errs = [r.get("error_message", "") for r in rs if r.get("error_occurred")]
    if errs:
        if one_cpu and all("two CPUs" in e for e in errs):
            return
        fail("%s reported an error: %s" % (name, errs[0]))
    its = [r for r in rs if r.get("run_type") == "iteration"]
    if len(its) != 2:
        fail("%s: expected 2 repetitions, got %d" % (name, len(its)))
    for r in its:
        check_iteration(name, r)
    aggs = {r.get("aggregate_name") for r in rs if r.get("run_type") == "aggregate"}
    for a in ("median", "min", "max"):
        if a not in aggs:
            fail("%s: no %s aggregate (has %s)" % (name, a, sorted(aggs)))


def check_bad_lines(binary, workdir):
    """Bad command lines: one line naming the problem, exit status 2."""
    bad_lines = (
        (["--no-such-flag"], "--no-such-flag"),
        (["--benchmark_filter=^no such benchmark$"], "filter"),
        (["--benchmark_out="], "out"),
        (["--benchmark_out=" + os.path.join(workdir, "no-such-dir", "x.json")], "no-such-dir"),
        (["--benchmark_min_time=-1"], "min_time"),
        (["--benchmark_repetitions=0"], "repetitions"),
    )
    for bad, word in bad_lines:
        p = subprocess.run([binary] + bad, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=30)
        if p.returncode != 2:
            fail("%s %s: exit %d, expected 2" % (binary, bad, p.returncode))
        if word not in p.stderr:
            fail("%s %s: stderr does not mention %r: %r" % (binary, bad, word, p.stderr))


def main():
    ap = argparse.ArgumentParser(description="The ctest check of corobench-micro.")
    ap.add_argument("binary")
    ap.add_argument("workdir")
    ap.add_argument("names", nargs="+", metavar="NAME", help="every benchmark the build must have")
    a = ap.parse_args()
    doc = run_pass(a.binary, a.workdir)
    check_context(doc, a.names)
    rows = rows_by_name(doc, a.names)
    one_cpu = len(os.sched_getaffinity(0)) < 2
    for name in a.names:
        check_benchmark(name, rows[name], one_cpu)
    check_bad_lines(a.binary, a.workdir)
    print("check_micro: ok, %d benchmarks" % len(a.names))


if __name__ == "__main__":
    main()
