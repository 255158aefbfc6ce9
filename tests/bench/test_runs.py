#!/usr/bin/env python3
"""test_runs.py CBIN — --runs K on threads reports how many distinct output
orders K runs produced: a count in [1, K], the same checksum as coroutines
(same multiset of lines), and on the sequential program (whose two threads
run in parallel with no yield) the lines of A and of B each still count down
in order. Deliberately no assertion that threads produce MORE than one order:
on a quiet machine they may not, and a test must not depend on noise."""
import json
import sys

import cbtest as t


def main():
    cbin = sys.argv[1]
    K = 20
    for prog in ("sequential", "concurrent", "queue"):
        args = [prog, "--n", "30", "--runs", str(K)]
        thr = t.run_json(cbin, args, "article", "threads")
        cor = t.run_json(cbin, args, "article", "coro")
        if not (thr and cor):
            continue
        r = thr["results"]
        t.check(r["runs"] == K, f"threads {prog}: runs {r['runs']}")
        t.check(1 <= r["distinct_orders"] <= K, f"threads {prog}: distinct_orders {r['distinct_orders']}")
        t.check(thr["checksum"] == cor["checksum"],
                f"threads {prog}: checksum {thr['checksum']} != coro {cor['checksum']}")
        t.check(r["lines"] == cor["results"]["lines"], f"threads {prog}: lines {r['lines']}")
        print(f"threads {prog}: {r['distinct_orders']} distinct orders in {K} runs")

    # Each thread's own lines stay in countdown order whatever the interleaving.
    p = t.run(cbin, ["article", "sequential", "--n", "50", "--backend", "threads"])
    if t.check(p.returncode == 0, f"threads sequential: rc {p.returncode}"):
        for task in ("A", "B"):
            ks = [int(l.split()[1]) for l in p.stdout.splitlines() if l.split()[0] == task]
            t.check(ks == list(range(50, 0, -1)), f"threads sequential: {task}'s lines out of order: {ks}")
    # The human form of --runs says it too.
    p = t.run(cbin, ["article", "concurrent", "--n", "10", "--runs", "3", "--backend", "threads"])
    t.check(p.returncode == 0 and "distinct_orders" in p.stdout, f"--runs human: {p.stdout!r}")
    t.finish()


main()
