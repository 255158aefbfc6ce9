#!/usr/bin/env python3
"""test_cli_errors.py CBIN — bad command lines: each must exit 2, print
nothing on stdout and exactly ONE line on stderr that starts with
"corobench: " and names the offending option (or workload/argument). A crash,
a signal or a silently accepted value fails the test."""
import sys

import cbtest as t

# (arguments, text the one-line message must contain)
BAD = [
    ([], "missing workload"),
    (["nosuch"], "'nosuch'"),
    (["cpubound", "--tasks", "-3"], "--tasks: expected an integer in [1, 10000000], got '-3'"),
    (["cpubound", "--tasks", "0"], "--tasks"),
    (["cpubound", "--tasks", "10000001"], "--tasks"),
    (["cpubound", "--tasks", "abc"], "--tasks"),
    (["cpubound", "--tasks", "12x"], "--tasks"),
    (["cpubound", "--tasks", ""], "--tasks"),
    (["cpubound", "--tasks", " 5"], "--tasks"),
    (["cpubound", "--tasks", "+5"], "--tasks"),
    (["cpubound", "--tasks", "99999999999999999999999"], "--tasks"),
    (["cpubound", "--tasks", "1e3"], "--tasks"),
    (["cpubound", "--tasks", "0x10"], "--tasks"),
    (["cpubound", "--tasks"], "--tasks: missing value"),
    (["cpubound", "--wss", "2147483648"], "--wss"),
    (["cpubound", "--total-work", "0"], "--total-work"),
    (["cpubound", "--stack", "100"], "--stack"),
    (["prodcons", "--workers", "2", "--backend", "threads"],
     "--workers: the threads backend has no workers; --workers needs --backend coro, got '2'"),
    (["cpubound", "--workers", "2", "--backend", "ucontext"],
     "--workers: the ucontext backend has no workers; --workers needs --backend coro or threads, got '2'"),
    (["prodcons", "--workers", "1", "--backend", "ucontext"], "--workers"),
    (["prodcons", "--workers", "0"], "--workers"),
    (["cpubound", "--workers", "65"], "--workers"),
    (["switch", "--n", "10000000001"], "--n"),
    (["switch", "--n", "-1"], "--n"),
    (["switch", "--pin", "both"], "--pin"),
    (["switch", "--mech", "spin", "--backend", "threads"], "--mech"),
    (["switch", "--mech", "futex", "--backend", "coro"], "--mech"),
    (["switch", "--bogus", "1"], "'--bogus'"),
    (["switch", "--backend", "fibers"], "--backend"),
    (["switch", "--backend"], "--backend: missing value"),
    (["switch", "extra"], "'extra'"),
    (["switch", "--json=yes"], "--json"),
    (["article"], "missing program"),
    (["article", "parallel"], "'parallel'"),
    (["article", "queue", "sequential"], "'sequential'"),
    (["article", "queue", "--n", "0"], "--n"),
    (["article", "queue", "--n", "2000000", "--runs", "3"], "--n"),
    (["article", "queue", "--runs", "0"], "--runs"),
    (["article", "queue", "--runs", "1001"], "--runs"),
    (["article", "queue", "--capacity", "-1"], "--capacity"),
    (["spawn", "--alive=1"], "--alive"),
    (["spawn", "--n", "20000000", "--alive"], "--n"),
    (["spawn", "--n", "1000000001"], "--n"),
    (["prodcons", "--producers", "0"], "--producers"),
    (["prodcons", "--consumers", "100001"], "--consumers"),
    (["prodcons", "--work-ns", "1.5"], "--work-ns"),
    (["prodcons", "--items", "18446744073709551616"], "--items"),
    (["fairness", "--period-us", "0"], "--period-us"),
    (["fairness", "--duration-ms", "60001"], "--duration-ms"),
    (["fairness", "--tasks", "10001"], "--tasks"),
    (["fairness", "--yield-us=-5"], "--yield-us"),
    (["fairness", "--tasks", "100", "--duration-ms", "60000"], "--duration-ms"),
    (["cpubound", "--out", ""], "--out"),
]


def main():
    cbin = sys.argv[1]
    t.check(len(BAD) >= 20, "fewer than 20 bad invocations")
    for args, want in BAD:
        p = t.run(cbin, args, timeout=20)
        where = "corobench " + " ".join(repr(a) if a == "" or " " in a else a for a in args)
        lines = p.stderr.splitlines()
        t.check(p.returncode == 2, f"{where}: exit {p.returncode}, want 2 (stderr {p.stderr!r})")
        t.check(p.stdout == "", f"{where}: printed on stdout: {p.stdout!r}")
        if t.check(len(lines) == 1, f"{where}: {len(lines)} stderr lines, want 1: {p.stderr!r}"):
            t.check(lines[0].startswith("corobench: ") and want in lines[0],
                    f"{where}: message {lines[0]!r} lacks {want!r}")
    # Good values at the edges of the ranges are accepted (checked, not run big).
    for args in (["switch", "--n", "1", "--backend", "threads", "--mech", "condvar", "--pin", "none"],
                 ["cpubound", "--tasks", "1", "--total-work", "1", "--wss", "0", "--stack", "16384"],
                 ["fairness", "--tasks", "0", "--duration-ms", "1", "--period-us", "100000"],
                 ["article", "sequential", "--n=1", "--runs=1000", "--backend=threads"],
                 ["prodcons", "--items", "1", "--capacity", "0", "--work-ns", "0"]):
        p = t.run(cbin, args + ["--json"], timeout=60)
        t.check(p.returncode == 0, f"{' '.join(args)}: exit {p.returncode}, stderr {p.stderr!r}")
    t.finish()


main()
