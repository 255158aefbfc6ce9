#!/usr/bin/env python3
"""compare.py --build <builddir> [--reps K] [--quick] [--json FILE]

Measures corobench's coroutines and every available peer on the issue's
headline metrics in ONE run (interleaved repetitions, so machine noise hits
all systems alike), and prints median [min, max] per system and the target
ratios of issue 6:

  switch ns          corobench coro vs Boost.Context jump_fcontext (<= 1.0x)
  queue cap 1024     coro items/s vs Go buffered channel, GOMAXPROCS=1 (>= 3x)
  rendezvous         coro capacity-1 ns/item vs Go unbuffered ping-pong ns/switch (>= 5x faster)
  spawn + join       coro ns/task vs goroutine ns/task (>= 5x faster)

Every figure is taken from a run's JSON; none is typed in. Runs are pinned to
CPU 0 with taskset when it exists (the peers then compete with nothing of
their own). --json writes every raw result and the table (atomically).
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def usage(msg):
    sys.stderr.write(f"compare.py: {msg}\n")
    sys.exit(2)


def parse(argv):
    opts = {"build": None, "reps": 5, "quick": False, "json": None}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("--build", "--reps", "--json"):
            if i + 1 >= len(argv):
                usage(f"{a} needs a value")
            v = argv[i + 1]
            i += 2
            if a == "--reps":
                if not v.isdigit() or not 1 <= int(v) <= 100:
                    usage(f"--reps: expected an integer in [1, 100], got '{v}'")
                opts["reps"] = int(v)
            else:
                opts[a[2:]] = v
        elif a == "--quick":
            opts["quick"] = True
            i += 1
        else:
            usage(f"unknown argument '{a}'")
    if not opts["build"]:
        usage("missing --build <builddir>")
    return opts


def configs(quick):
    """(metric, system, command-kind, backend, workload, args, field)."""
    s = 10 if quick else 1
    sw, pc, sp = str(200000 // s), str(1000000 // s), str(100000 // s)
    rows = [
        ("switch_ns", "coro", "cb", "coro", "switch", ["--n", sw], "ns_per_switch"),
        ("switch_ns", "ucontext", "peer", "ucontext", "switch", ["--n", sw], "ns_per_switch"),
        ("switch_ns", "boost-context", "peer", "boost-context", "switch", ["--n", sw], "ns_per_switch"),
        ("switch_ns", "boost-fiber", "peer", "boost-fiber", "switch", ["--n", sw], "ns_per_switch"),
        ("switch_ns", "go-chan", "peer", "go", "switch", ["--n", sw], "ns_per_switch"),
        ("switch_ns", "go-gosched", "peer", "go", "switch", ["--n", sw, "--mech", "gosched"], "ns_per_switch"),
        ("switch_ns", "asyncio", "peer", "asyncio", "switch", ["--n", str(20000 // s)], "ns_per_switch"),
        ("spawn_join_ns", "coro", "cb", "coro", "spawn", ["--n", sp], "ns_per_task"),
        ("spawn_join_ns", "boost-context", "peer", "boost-context", "spawn", ["--n", sp], "ns_per_task"),
        ("spawn_join_ns", "boost-fiber", "peer", "boost-fiber", "spawn", ["--n", sp], "ns_per_task"),
        ("spawn_join_ns", "go", "peer", "go", "spawn", ["--n", sp], "ns_per_task"),
        ("spawn_join_ns", "asyncio", "peer", "asyncio", "spawn", ["--n", str(20000 // s)], "ns_per_task"),
    ]
    for cap in ("1", "1024"):
        m = f"queue_cap{cap}_items_per_s"
        a = ["--items", pc, "--capacity", cap]
        rows += [
            (m, "coro", "cb", "coro", "prodcons", a, "items_per_s"),
            (m, "boost-fiber", "peer", "boost-fiber", "prodcons", a, "items_per_s"),
            (m, "go", "peer", "go", "prodcons", a + ["--procs", "1"], "items_per_s"),
            (m, "asyncio", "peer", "asyncio", "prodcons",
             ["--items", str(100000 // s), "--capacity", cap], "items_per_s"),
        ]
    rows.append(("rss_per_task_bytes", "coro", "cb", "coro", "spawn",
                 ["--n", sp, "--alive"], "rss_per_task_bytes"))
    for sysname, be in (("boost-fiber", "boost-fiber"), ("go", "go"), ("asyncio", "asyncio")):
        rows.append(("rss_per_task_bytes", sysname, "peer", be, "spawn",
                     ["--n", sp, "--alive"], "rss_per_task_bytes"))
    return rows


def main():
    o = parse(sys.argv[1:])
    build = o["build"]
    corobench = os.path.join(build, "bench", "corobench")
    peers_sh = os.path.join(HERE, "peers.sh")
    if not os.access(corobench, os.X_OK):
        sys.stderr.write(f"compare.py: {corobench} is not built\n")
        return 1
    avail = subprocess.run(["sh", peers_sh, "--build", build, "list"], capture_output=True,
                           text=True).stdout.split()
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
    rows = [r for r in configs(o["quick"]) if r[2] == "cb" or r[3] in avail]
    skipped = sorted({r[3] for r in configs(o["quick"]) if r[2] == "peer" and r[3] not in avail})
    samples = {(r[0], r[1]): [] for r in rows}
    errors, raw = {}, []
    for rep in range(o["reps"]):
        for metric, system, kind, be, wl, args, field in rows:
            if kind == "cb":
                cmd = [corobench, wl] + args + ["--backend", be, "--json"]
            else:
                cmd = ["sh", peers_sh, "--build", build, "run", be, wl] + args + ["--json"]
            sys.stderr.write(f"\rrep {rep + 1}/{o['reps']}: {metric} {system}            ")
            p = subprocess.run(pin + cmd, capture_output=True, text=True, timeout=600)
            try:
                obj = json.loads(p.stdout)
            except ValueError:
                obj = None
            if p.returncode != 0 or not obj or obj.get("status") != "ok":
                errors[(metric, system)] = (p.stderr.strip() or f"exit {p.returncode}")[:200]
                continue
            raw.append(obj)
            samples[(metric, system)].append(float(obj["results"][field]))
    sys.stderr.write("\n")

    def stat(metric, system):
        v = samples.get((metric, system)) or []
        return (statistics.median(v), min(v), max(v), len(v)) if v else None

    table = []
    print(f"machine: {raw[0]['env']['cpu_model'] if raw else '?'}, {os.cpu_count()} cores; "
          f"reps {o['reps']}; pinned: {'taskset -c 0' if pin else 'no'}")
    if skipped:
        print(f"skipped (toolchain missing): {', '.join(skipped)}")
    for metric in dict.fromkeys(r[0] for r in rows):
        print(f"\n{metric}:")
        for m, system, *_ in rows:
            if m != metric:
                continue
            s = stat(metric, system)
            if s:
                print(f"  {system:14s} {s[0]:14.1f}  [{s[1]:.1f}, {s[2]:.1f}]  n={s[3]}")
                table.append({"metric": metric, "system": system, "median": s[0], "min": s[1],
                              "max": s[2], "n": s[3]})
            else:
                print(f"  {system:14s} failed: {errors.get((metric, system), 'no samples')}")

    def ratio(name, num, den, target, better):
        a, b = stat(*num), stat(*den)
        if not a or not b:
            print(f"  {name}: not measured")
            return
        r = a[0] / b[0]
        ok = r >= target if better == "ge" else r <= target
        print(f"  {name}: {r:.2f}x (target {'>=' if better == 'ge' else '<='} {target}x) "
              f"{'MET' if ok else 'MISSED'}")
        table.append({"ratio": name, "value": r, "target": target, "met": ok})

    print("\nissue 6 targets (medians of this run):")
    ratio("coro switch / jump_fcontext switch", ("switch_ns", "coro"),
          ("switch_ns", "boost-context"), 1.0, "le")
    ratio("coro cap-1024 items/s / Go GOMAXPROCS=1 cap-1024", ("queue_cap1024_items_per_s", "coro"),
          ("queue_cap1024_items_per_s", "go"), 3.0, "ge")
    # rendezvous: Go's ns per unbuffered hand-off over coro's ns per capacity-1 item.
    a, b = stat("switch_ns", "go-chan"), stat("queue_cap1_items_per_s", "coro")
    if a and b:
        r = a[0] / (1e9 / b[0])
        print(f"  Go unbuffered ns/switch / coro capacity-1 ns/item: {r:.2f}x (target >= 5x) "
              f"{'MET' if r >= 5 else 'MISSED'}")
        table.append({"ratio": "rendezvous speed-up vs Go unbuffered", "value": r, "target": 5.0,
                      "met": r >= 5})
    ratio("goroutine spawn+join / coro spawn+join", ("spawn_join_ns", "go"),
          ("spawn_join_ns", "coro"), 5.0, "ge")
    if o["json"]:
        d = os.path.dirname(os.path.abspath(o["json"]))
        fd, tmp = tempfile.mkstemp(dir=d, prefix=".compare.")
        with os.fdopen(fd, "w") as f:
            json.dump({"table": table, "errors": {f"{k[0]}/{k[1]}": v for k, v in errors.items()},
                       "raw": raw}, f)
        os.chmod(tmp, 0o644)  # mkstemp makes it 0600
        os.replace(tmp, o["json"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
