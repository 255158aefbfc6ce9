#!/usr/bin/env python3
"""corobench-asyncio: the Python asyncio peer of corobench. Runs switch, spawn,
prodcons, skynet, the article's programs and the workloads it shares with the
Python threads peer (wl_*.py) on asyncio and prints the same result as
`corobench <workload> --json` (bench/result.schema.json). Standard library only."""

import asyncio
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import article as A  # noqa: E402
import opts as O  # noqa: E402
import result as R  # noqa: E402
import workloads as W  # noqa: E402

PROG = "corobench-asyncio"
OUTPUT_MAX = 65536  # corobench puts at most this much program output in the JSON

WORKLOADS = {
    "switch": ("two tasks hand control back and forth, --n times each, with asyncio.sleep(0)",
               [O.uint("n", 20000, 1, 10000000000, "iterations per task (2n switches)")], W.switch, None),
    "spawn": ("create_task + await --n trivial tasks one at a time; --alive keeps them all alive at once",
              [O.uint("n", 2000, 1, 1000000000, "tasks (at most 10000000 with --alive)"),
               O.flag("alive", "keep all --n alive at once, report peak RSS per task")], W.spawn, None),
    "prodcons": ("P producers, C consumers over an asyncio.Queue of --capacity (0 = unbounded)",
                 [O.uint("producers", 1, 1, 100000, "producer tasks"),
                  O.uint("consumers", 1, 1, 100000, "consumer tasks"),
                  O.uint("capacity", 64, 0, 100000000, "queue capacity (0 = unbounded)"),
                  O.uint("items", 100000, 1, 10000000000, "items in all"),
                  O.uint("work-ns", 0, 0, 100000000, "busy work per consumed item, ns")],
                 W.prodcons, None),
    "skynet": ("every task starts --fanout child tasks down to fanout^depth leaves; sums come back up",
               [O.uint("depth", 6, 0, 12, "levels below the root (leaves: fanout^depth)"),
                O.uint("fanout", 10, 2, 1000, "children per task")], W.skynet, None),
    "article": ("the article's programs: article sequential|concurrent|queue --n N",
                [O.enum("program", "sequential", ["sequential", "concurrent", "queue"],
                        "which program (also accepted as the first argument)"),
                 O.uint("n", 6, 1, 10000000000, "countdown start"),
                 O.uint("capacity", 0, 0, 1000000000, "queue capacity (0 = unbounded)")],
                None, "program"),
}
SHARED = W.shared()
WORKLOADS.update((n, (m.SUMMARY["task"], m.opts("task"), m.on_asyncio, None)) for n, m in SHARED.items())


def usage():
    sys.stderr.write(f"usage: {PROG} <workload> [options] [--json]\n"
                     f"workloads: {' '.join(WORKLOADS)}\n"
                     f"`{PROG} <workload> --help` lists its options\n")


def cross_check(name, p):
    """Checks that span options; raises UsageError."""
    if name == "spawn" and p["alive"] and p["n"] > 10000000:
        raise O.UsageError(f"--n: with --alive, expected an integer in [1, 10000000], got '{p['n']}'")
    if name in SHARED:
        SHARED[name].check(p)
    if name == "skynet" and p["fanout"] ** p["depth"] > 100000000:
        raise O.UsageError(f"--depth: --fanout ^ --depth must be at most 100000000 leaves, "
                           f"got {p['fanout']} ^ {p['depth']}")


def main(argv):
    if not argv:
        usage()
        return 2
    if argv[0] in ("--help", "-h"):
        usage()
        return 0
    if argv[0] not in WORKLOADS:
        sys.stderr.write(f"{PROG}: unknown workload '{argv[0]}' (try --help)\n")
        return 2
    name = argv[0]
    text, specs, fn, first = WORKLOADS[name]
    try:
        params, as_json, want_help = O.parse(specs, argv[1:], first)
        cross_check(name, params)
    except O.UsageError as e:
        sys.stderr.write(f"{PROG} {name}: {e}\n")
        return 2
    if want_help:
        O.print_help(PROG, name, text, specs)
        return 0
    res = R.Result(name, params)
    try:
        if name == "article":
            out = []
            asyncio.run(A.article(params, out))
            text_out = "".join(line for line, _ in out)
            res.checksum = R.sum_final(sum(h for _, h in out), len(out))
            res.results.update(lines=len(out), runs=1, distinct_orders=1)
            if not as_json:  # the program's own output is the result, as corobench
                sys.stdout.write(text_out)
                return 0
            res.results["output"] = text_out if len(text_out) <= OUTPUT_MAX else None
        else:
            asyncio.run(fn(params, res))
    except (MemoryError, RuntimeError, OSError) as e:
        res.fail(f"{type(e).__name__}: {e}")
    res.emit(as_json)
    return 0 if res.status == "ok" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
