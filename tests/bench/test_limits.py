#!/usr/bin/env python3
"""test_limits.py CBIN — resource limits are data points, never crashes.

In a child process with RLIMIT_AS lowered (root ignores RLIMIT_NPROC, so the
address space is the limit we can impose), thread stacks run out quickly:
  - spawn --alive on threads: status "ok", exit 0, tasks_reached < requested
    and limit_error names the failure ("thread creation failed at task N: ...");
  - the same on coroutines: ok with a limit_error, or reaching every task;
  - cpubound with many threads: status "error", exit 1, error
    "thread creation failed at task N: ...", and every created thread joined;
  - never a signal (negative return code) or a missing/invalid JSON.
Sanitizers reserve terabytes of shadow memory and cannot run under a lowered
RLIMIT_AS: ctest gives this test the label nosan.
"""
import re
import resource
import sys

import cbtest as t

LIMIT = 512 << 20  # 512 MiB of address space: ~60 default 8 MiB thread stacks


def lowered():
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))


def main():
    cbin = sys.argv[1]
    pat = re.compile(r"^(thread|coroutine) creation failed at task (\d+): .+")

    obj = t.run_json(cbin, ["--n", "5000", "--alive"], "spawn", "threads", kind="spawn-alive",
                     preexec_fn=lowered, timeout=120)
    if obj:
        r = obj["results"]
        t.check(0 < r["tasks_reached"] < 5000, f"threads spawn --alive: reached {r['tasks_reached']}")
        m = pat.match(r["limit_error"] or "")
        if t.check(m is not None, f"threads spawn --alive: limit_error {r['limit_error']!r}"):
            t.check(int(m.group(2)) == r["tasks_reached"], f"limit_error task {m.group(2)} != reached")
        t.check(r["tasks"] == r["tasks_reached"], f"tasks {r['tasks']} != reached {r['tasks_reached']}")
        print(f"threads: {r['tasks_reached']} alive under RLIMIT_AS={LIMIT}: {r['limit_error']}")

    for bk in ("coro", "ucontext"):
        obj = t.run_json(cbin, ["--n", "200000", "--alive"], "spawn", bk, kind="spawn-alive",
                         preexec_fn=lowered, timeout=120)
        if obj:
            r = obj["results"]
            if r["tasks_reached"] < 200000:
                t.check(pat.match(r["limit_error"] or "") is not None,
                        f"{bk} spawn --alive: limit_error {r['limit_error']!r}")
            print(f"{bk}: {r['tasks_reached']} alive under RLIMIT_AS={LIMIT}: {r['limit_error']}")

    obj = t.run_json(cbin, ["--tasks", "5000", "--total-work", "5000"], "cpubound", "threads",
                     status="error", preexec_fn=lowered, timeout=120)
    if obj:
        t.check(pat.match(obj["error"]) is not None and obj["error"].startswith("thread"),
                f"cpubound threads error {obj['error']!r}")
        print(f"cpubound threads: {obj['error']}")

    # A run that fails prints status error, exit 1: coroutine creation of a
    # huge stack each (1 GiB) under the same limit.
    obj = t.run_json(cbin, ["--tasks", "4", "--total-work", "40", "--stack", str(1 << 30)], "cpubound",
                     "coro", status="error", preexec_fn=lowered, timeout=120)
    if obj:
        t.check(pat.match(obj["error"]) is not None, f"cpubound coro error {obj['error']!r}")
        print(f"cpubound coro, 1 GiB stacks: {obj['error']}")
    t.finish()


main()
