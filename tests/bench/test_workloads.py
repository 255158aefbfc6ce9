#!/usr/bin/env python3
"""test_workloads.py CBIN — every workload on every backend with small
parameters: exit 0, one valid JSON object (bench/SCHEMA.md), and the SAME
checksum on coro, threads and ucontext (the backends did the same work), and
for prodcons/cpubound on coro with --workers 2 (M:N) too, and cpubound on
threads with --workers 2 (two pinned threads, tasks split statically).
Also: the human summary works, --out writes the file atomically, --help."""
import json
import os
import sys
import tempfile

import cbtest as t

CASES = [
    ("article", ["sequential", "--n", "5"], None),
    ("article", ["concurrent", "--n", "5"], None),
    ("article", ["queue", "--n", "7", "--capacity", "2"], None),
    ("article", ["queue", "--n", "7"], None),
    ("switch", ["--n", "2000"], None),
    ("switch", ["--n", "500", "--pin", "none"], None),
    ("spawn", ["--n", "300"], None),
    ("spawn", ["--n", "200", "--alive"], "spawn-alive"),
    ("spawn", ["--n", "50", "--alive", "--stack", "65536"], "spawn-alive"),
    ("prodcons", ["--items", "3000", "--producers", "3", "--consumers", "2", "--capacity", "4"], None),
    ("prodcons", ["--items", "500", "--capacity", "0", "--work-ns", "200"], None),
    ("prodcons", ["--items", "1000", "--capacity", "1", "--producers", "4", "--consumers", "4"], None),
    ("cpubound", ["--tasks", "3", "--total-work", "2000", "--wss", "1000"], None),
    ("cpubound", ["--tasks", "1", "--total-work", "999", "--wss", "64"], None),
    ("cpubound", ["--tasks", "8", "--total-work", "1001", "--yield-every", "7", "--wss", "0"], None),
    ("fairness", ["--tasks", "2", "--duration-ms", "5", "--yield-us", "200", "--period-us", "500"], None),
    ("fairness", ["--tasks", "1", "--duration-ms", "5", "--yield-us", "0"], None),
    ("fairness", ["--tasks", "0", "--duration-ms", "3"], None),
]


def main():
    cbin = sys.argv[1]
    for wl, args, kind in CASES:
        sums = {}
        for bk in t.BACKENDS:
            obj = t.run_json(cbin, args, wl, bk, kind)
            if obj is None:
                continue
            sums[bk] = obj["checksum"]
            res = obj["results"]
            # Sanity: the results describe the work asked for.
            if wl == "switch":
                t.check(res["switches"] == 2 * int(args[1]), f"switch/{bk}: switches {res['switches']}")
            if wl == "prodcons":
                t.check(res["items"] == int(args[1]), f"prodcons/{bk}: items {res['items']}")
            if wl == "cpubound":
                t.check(res["work_units"] == int(args[3]), f"cpubound/{bk}: work_units {res['work_units']}")
            if wl == "spawn" and kind:
                t.check(res["tasks_reached"] == int(args[1]) and res["limit_error"] is None,
                        f"spawn --alive/{bk}: reached {res['tasks_reached']}, {res['limit_error']}")
                t.check(res["peak_rss_bytes"] > 0, f"spawn --alive/{bk}: peak_rss_bytes 0")
            if wl == "fairness":
                t.check(res["ticks"] >= 1, f"fairness/{bk}: no tick recorded")
        # M:N: the coroutine backend on 2 workers does the same work (real threads).
        if wl in ("prodcons", "cpubound"):
            obj = t.run_json(cbin, args + ["--workers", "2"], wl, "coro", kind)
            if obj is not None:
                t.check(obj["params"].get("workers") == 2, f"{wl} --workers 2: params.workers {obj['params'].get('workers')}")
                sums["coro --workers 2"] = obj["checksum"]
        if wl == "cpubound":
            obj = t.run_json(cbin, args + ["--workers", "2"], wl, "threads", kind)
            if obj is not None:
                res = obj["results"]
                t.check(res.get("split_threads") == min(2, int(args[1])),
                        f"cpubound threads --workers 2: split_threads {res.get('split_threads')}")
                t.check(res["work_units"] == int(args[3]), f"cpubound threads split: work_units {res['work_units']}")
                sums["threads --workers 2"] = obj["checksum"]
        if len(set(sums.values())) > 1:
            t.fail(f"{wl} {' '.join(args)}: checksums differ across backends: {sums}")

    # Human summary (no --json) and --help.
    p = t.run(cbin, ["switch", "--n", "100", "--backend", "threads"])
    t.check(p.returncode == 0 and "switch on threads: ok" in p.stdout and "checksum" in p.stdout,
            f"human summary: rc {p.returncode}, {p.stdout!r}")
    for args in (["--help"], ["switch", "--help"], ["article", "--help"]):
        p = t.run(cbin, args)
        t.check(p.returncode == 0 and "usage: corobench" in p.stdout, f"{args}: rc {p.returncode}")

    # --out writes the JSON object to a file (via a temporary + rename) and
    # leaves no temporary behind.
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "r.json")
        p = t.run(cbin, ["spawn", "--n", "10", "--out", path])
        if t.check(p.returncode == 0 and p.stdout == "", f"--out: rc {p.returncode}, stdout {p.stdout!r}"):
            with open(path) as f:
                t.validate(json.load(f), "spawn", "coro")
            t.check(os.listdir(d) == ["r.json"], f"--out left {os.listdir(d)}")
        p = t.run(cbin, ["spawn", "--n", "10", "--out", os.path.join(d, "no", "such", "dir.json")])
        t.check(p.returncode == 1 and "--out" in p.stderr, f"--out to a bad path: rc {p.returncode}")
    t.finish()


main()
