#!/usr/bin/env python3
"""test_article.py CBIN — the article's programs on the coroutine backends.

1. Exact output for small n, worked out by hand from the scheduling rules in
   coro/coro.h (FIFO ready queue; spawn, wake-up and yield append at
   the tail; Mesa-style waits; put on a non-full / get on a non-empty queue
   never suspends).
2. Byte-identical to real Python asyncio running the same programs
   (article_ref.py), over a grid of n and capacities, on coro and ucontext.
3. The --json result carries the same text in results.output, and --runs K
   on coroutines always finds exactly one order.
"""
import contextlib
import io
import json
import os
import subprocess
import sys

import article_ref
import cbtest as t

HERE = os.path.dirname(os.path.abspath(__file__))

# sequential: nothing suspends, so A runs to its end before B starts.
SEQ3 = "A 3 divisible\nA 2 not-divisible\nA 1 not-divisible\n" \
       "B 3 divisible\nB 2 not-divisible\nB 1 not-divisible\n"
# concurrent: each divisible_by yields first; A and B alternate, A first
# (spawned first), each printing after the other's yield.
CONC3 = "A 3 divisible\nB 3 divisible\nA 2 not-divisible\nB 2 not-divisible\n" \
        "A 1 not-divisible\nB 1 not-divisible\n"
# queue, unbounded: C1, C2 wait on the empty queue; P puts 3 (wakes C1),
# 2 (wakes C2), 1 and ends (wakes main). C1 takes 3 and yields, C2 takes 2 and
# yields, main waits in queue join; C1 prints 3 and takes 1 at once (the queue
# is not empty), C2 prints 2 and waits, C1 prints 1, the last task_done wakes
# main, which closes the queue and prints done.
QUEUE3 = "C1 3 divisible\nC2 2 not-divisible\nC1 1 not-divisible\ndone\n"
# queue, capacity 1: P puts 4 (wakes C1) and blocks on 3. C1 takes 4 (wakes
# P) and yields; P puts 3 (wakes C2) and blocks on 2; C1 prints 4, takes 3 at
# once (wakes P) and yields; C2 finds the queue empty and waits again at the
# back; so C1 wins every item.
QUEUE4_CAP1 = "C1 4 not-divisible\nC1 3 divisible\nC1 2 not-divisible\nC1 1 not-divisible\ndone\n"

HAND = [
    (["sequential", "--n", "3"], SEQ3),
    (["concurrent", "--n", "3"], CONC3),
    (["queue", "--n", "3"], QUEUE3),
    (["queue", "--n", "4", "--capacity", "1"], QUEUE4_CAP1),
]


def asyncio_ref(prog, n, cap):
    """article_ref.py's output, run in this process (no interpreter start-up)."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        rc = article_ref.main(["article_ref.py", prog, str(n), str(cap)])
    if rc != 0:
        raise AssertionError(f"article_ref.py {prog} {n} {cap} failed")
    return buf.getvalue()


class Article(t.CbTest):
    def test_hand_worked_outputs(self):
        for bk in ("coro", "ucontext"):
            for args, want in HAND:
                with self.subTest(f"{bk} article {' '.join(args)}"):
                    p = self.cb(["article"] + args + ["--backend", bk])
                    self.assertEqual((p.returncode, p.stdout), (0, want))

    def test_same_as_asyncio(self):
        grid = [(prog, n, 0) for prog in ("sequential", "concurrent") for n in (1, 2, 5, 12)]
        grid += [("queue", n, cap) for n in (1, 2, 3, 6, 13) for cap in (0, 1, 2, 3, 5)]
        for prog, n, cap in grid:
            want = asyncio_ref(prog, n, cap)
            for bk in ("coro", "ucontext"):
                with self.subTest(f"{bk} article {prog} --n {n} --capacity {cap}"):
                    p = self.cb(["article", prog, "--n", str(n), "--capacity", str(cap),
                                 "--backend", bk])
                    self.assertEqual((p.returncode, p.stdout), (0, want))

    def test_reference_runs_as_a_script(self):
        p = subprocess.run([sys.executable, os.path.join(HERE, "article_ref.py"), "queue", "3"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual((p.returncode, p.stdout), (0, QUEUE3))

    def test_json_carries_the_output(self):
        p = self.cb(["article", "queue", "--n", "3", "--json"])
        self.assertEqual(p.returncode, 0, p.stderr)
        obj = json.loads(p.stdout)
        self.assertResult(obj, "article", "coro")
        self.assertEqual(obj["results"].get("output"), QUEUE3)
        self.assertEqual(obj["results"]["lines"], 4)
        self.assertEqual(obj["params"].get("program"), "queue")

    def test_coroutines_have_one_order(self):
        for prog in ("sequential", "concurrent", "queue"):
            with self.subTest(prog):
                r = self.run_json([prog, "--n", "20", "--runs", "5"], "article", "coro")["results"]
                self.assertEqual((r["runs"], r["distinct_orders"]), (5, 1))


if __name__ == "__main__":
    t.main()
