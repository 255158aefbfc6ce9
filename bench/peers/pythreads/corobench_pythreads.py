#!/usr/bin/env python3
"""corobench-pythreads: the CPython threads peer of corobench, the article's
own counterpart of asyncio: threading.Thread, queue.Queue, Event and
Condition under the GIL. Runs the article's programs, switch, spawn (--alive),
prodcons, skynet and the workloads it shares with asyncio (../asyncio/wl_*.py),
and prints the same result as
`corobench <workload> --json` (bench/SCHEMA.md). Standard library only; the
option parsing and result modules are the asyncio peer's.

Thread stacks: --stack bytes per thread (threading.stack_size), 256 KiB by
default instead of the platform's 8 MiB, so that "most threads alive" meets
the kernel's thread limits rather than address space; 0 keeps the platform's
default, CPython refuses less than 32 KiB."""

import os
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "asyncio")]

import opts as O  # noqa: E402
import pt_article  # noqa: E402
import pt_prodcons  # noqa: E402
import pt_skynet  # noqa: E402
import pt_switch_spawn as SS  # noqa: E402
import result as R  # noqa: E402
import workloads as AW  # noqa: E402

PROG = "corobench-pythreads"
BACKEND = "pythreads"
OUTPUT_MAX = 65536  # corobench puts at most this much program output in the JSON
STACK = O.uint("stack", 256 * 1024, 0, 1 << 30, "stack bytes per thread, 0 = the platform's")

WORKLOADS = {
    "switch": ("two threads hand a turn back and forth, --n times each",
               [O.uint("n", 20000, 1, 10000000000, "iterations per thread (2n switches)"),
                O.enum("mech", "condvar", ["condvar", "event"],
                       "condvar: a threading.Condition; event: a pair of threading.Event")], SS.switch),
    "spawn": ("Thread.start + join --n trivial threads one at a time; --alive keeps them all alive",
              [O.uint("n", 2000, 1, 1000000000, "threads (at most 10000000 with --alive)"),
               O.flag("alive", "keep all --n alive at once, report peak RSS per thread"), STACK],
              SS.spawn),
    "prodcons": ("P producers, C consumers over a queue.Queue of --capacity (0 = unbounded)",
                 [O.uint("producers", 1, 1, 100000, "producer threads"),
                  O.uint("consumers", 1, 1, 100000, "consumer threads"),
                  O.uint("capacity", 64, 0, 100000000, "queue capacity (0 = unbounded)"),
                  O.uint("items", 100000, 1, 10000000000, "items in all"),
                  O.uint("work-ns", 0, 0, 100000000, "busy work per consumed item, ns")],
                 pt_prodcons.prodcons),
    "skynet": ("every thread starts --fanout children down to fanout^depth leaves; sums return",
               [O.uint("depth", 4, 0, 12, "levels below the root (leaves = fanout^depth)"),
                O.uint("fanout", 10, 2, 1000, "children per thread"), STACK], pt_skynet.skynet),
    "article": ("the article's programs: article sequential|concurrent|queue --n N",
                [O.enum("program", "sequential", ["sequential", "concurrent", "queue"],
                        "which program (also accepted as the first argument)"),
                 O.uint("n", 6, 1, 10000000000, "countdown start"),
                 O.uint("capacity", 0, 0, 1000000000, "queue capacity (0 = unbounded)")], None),
}
SHARED = AW.shared()
WORKLOADS.update((n, (m.SUMMARY["thread"], m.opts("thread"), m.on_threads)) for n, m in SHARED.items())


def cross_check(name, p):
    """Checks that span options or need the interpreter; raises UsageError."""
    if name == "spawn" and p["alive"] and p["n"] > 10000000:
        raise O.UsageError(f"--n: with --alive, expected an integer in [1, 10000000], "
                           f"got '{p['n']}'")
    if name in SHARED:
        SHARED[name].check(p)
    if name == "skynet" and p["fanout"] ** p["depth"] > 100000000:
        raise O.UsageError(f"--depth: fanout^depth must be at most 100000000 leaves, "
                           f"got {p['fanout']}^{p['depth']}")
    if "stack" in p:
        try:
            threading.stack_size(p["stack"])
        except ValueError as e:
            raise O.UsageError(f"--stack: {e} (0, or at least 32768), got '{p['stack']}'")


def run_article(p, res, as_json):
    """The program's lines are its output (without --json, as corobench)."""
    out = []
    pt_article.article(p, out)
    text = "".join(line for line, _ in out)
    res.checksum = R.sum_final(sum(h for _, h in out), len(out))
    res.results.update(lines=len(out), runs=1, distinct_orders=1)
    if not as_json:
        sys.stdout.write(text)
        return False
    res.results["output"] = text if len(text) <= OUTPUT_MAX else None
    return True


def main(argv):
    if not argv or argv[0] in ("--help", "-h"):
        sys.stderr.write(f"usage: {PROG} <workload> [options] [--json]\n"
                         f"workloads: {' '.join(WORKLOADS)}\n")
        return 2 if not argv else 0
    name = argv[0]
    if name not in WORKLOADS:
        sys.stderr.write(f"{PROG}: unknown workload '{name}' (try --help)\n")
        return 2
    text, specs, fn = WORKLOADS[name]
    try:
        params, as_json, want_help = O.parse(specs, argv[1:], "program" if fn is None else None)
        cross_check(name, params)
    except O.UsageError as e:
        sys.stderr.write(f"{PROG} {name}: {e}\n")
        return 2
    if want_help:
        O.print_help(PROG, name, text, specs)
        return 0
    res = R.Result(name, params, BACKEND)
    try:
        if fn is None and not run_article(params, res, as_json):
            return 0
        if fn is not None:
            fn(params, res)
    except (MemoryError, RuntimeError, OSError) as e:
        res.fail(f"{type(e).__name__}: {e}")
    res.emit(as_json)
    return 0 if res.status == "ok" else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
