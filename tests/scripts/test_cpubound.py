#!/usr/bin/env python3
"""Tests of cpubound's harness module (scripts/workloads/cpubound.py) and the
fit behind it (scripts/lib/linfit.py), on synthetic points whose answers are
known: the fit recovers a and b, claim 4's judge reaches every verdict it
can give, the targets are stats.target rows with intervals, and the
start-barrier and pinning section is computed from the points."""
import os
import random
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "..", "..", "scripts"), os.path.join(HERE, "..", "..", "scripts", "lib")]
try:
    import claims  # noqa: E402
    import linfit  # noqa: E402
    import stats  # noqa: E402
    import systems  # noqa: E402
    from workloads import cpubound  # noqa: E402
except ImportError as e:  # scipy missing: say so, let ctest count a skip
    print(f"test_cpubound: cannot import the harness ({e}); skipped", file=sys.stderr)
    sys.exit(77)

ENV = {"cores": 2}
WORK = 1_000_000


def point(system, wss, tasks, work, rep, wall_ns, mult=1, pin=1, start_ns=None):
    res = {"tasks": tasks, "work_units": work, "wall_ns": int(wall_ns), "cpu_ns": int(wall_ns), "vol_csw": 0,
           "invol_csw": 0}
    if start_ns is not None:
        res["start_delay_ns"] = int(start_ns)
    tags = {"system": system, "wss": str(wss), "tasks": str(tasks), "work": str(work), "mult": str(mult)}
    if pin == 0:
        tags["pin"] = "0"
    return {"step": "oversub", "point": f"{system}-w{wss}-t{tasks}-u{work}-p{pin}", "rep": rep, "status": "ok",
            "error": None, "tags": tags, "result": {"params": {"total_work": work}, "results": res}}


def sweep(cost, tasks=(2, 64, 4096), mults=(1, 4), reps=5, noise=0.0, seed=1):
    """Points of every fitted system: cost(system, T) -> (a ns, b ns per step)."""
    rng = random.Random(seed)
    out = []
    for rep in range(1, reps + 1):
        for t in tasks:
            for m in mults:
                for be in cpubound.FITTED:
                    a, b = cost(be, t)
                    w = WORK * m
                    out.append(point(be, 4096, t, w, rep, (a + b * w) * (1 + rng.uniform(-noise, noise)), mult=m))
    return out


def judge(points):
    return cpubound.claim4(cpubound.tables(points), points, ENV)


class Fit(unittest.TestCase):
    def test_known_line_is_recovered_with_its_interval(self):
        rng = random.Random(7)
        xs = [w for w in (1e5, 5e5, 1e6) for _ in range(5)]
        ys = [3e6 + 40.0 * x + rng.gauss(0, 2e5) for x in xs]
        a, b = linfit.fit(xs, ys)
        self.assertLess(a.low, 3e6)
        self.assertGreater(a.high, 3e6)
        self.assertLess(b.low, 40.0)
        self.assertGreater(b.high, 40.0)
        self.assertLess(b.high - b.low, 4.0)

    def test_exact_line_and_degenerate_inputs(self):
        a, b = linfit.fit([1, 2, 4], [7, 9, 13])
        self.assertAlmostEqual(a.estimate, 5.0)
        self.assertAlmostEqual(b.estimate, 2.0)
        self.assertAlmostEqual(b.low, 2.0)
        self.assertIsNone(linfit.fit([3, 3, 3], [1, 2, 3]), "one work: no line")
        a2, b2 = linfit.fit([1, 2], [1, 3])
        self.assertIsNone(b2.low, "two points: a line, no interval")

    def test_fit_table_holds_the_cost_per_task(self):
        t = cpubound.tables(sweep(lambda be, t: (1000.0 * t, 50.0)))
        row = next(r for r in t["oversub_fit"][1] if (r["system"], r["tasks"]) == ("threads", 4096))
        self.assertAlmostEqual(row["b_ns"], 50.0, places=6)
        self.assertAlmostEqual(row["task_us"], 1.0, places=6)  # 1000 ns per task
        self.assertEqual(row["works"], 2)


class Claim4(unittest.TestCase):
    def test_slower_work_holds(self):
        # threads' cost per step 1.5x at T=4096, no fixed cost to speak of
        r = judge(sweep(lambda be, t: (1e3, 60.0 if be == "threads" and t > 2 else 40.0), noise=0.02))
        self.assertEqual(r["verdict"], claims.HOLDS, r["evidence"])

    def test_fixed_cost_per_thread_is_a_caveat(self):
        # same cost per step at every T, but 100 µs per thread: threads lose
        # through the fixed cost, not through slower work
        r = judge(sweep(lambda be, t: (1e5 * t if be == "threads" else 1e3, 40.0), noise=0.002))
        self.assertEqual(r["verdict"], claims.CAVEATS, r["evidence"])
        self.assertIn("fixed cost per task", r["evidence"])
        self.assertNotIn("creating", r["evidence"])  # no thread creation is subtracted

    def test_nothing_degrades_does_not_hold(self):
        r = judge(sweep(lambda be, t: (1e3, 40.0), noise=0.02))
        self.assertEqual(r["verdict"], claims.NOT_HOLD, r["evidence"])

    def test_noise_straddling_the_line_is_inconclusive(self):
        r = judge(sweep(lambda be, t: (1e3, 44.0 if be == "threads" and t > 2 else 40.0), noise=0.3, seed=3))
        self.assertEqual(r["verdict"], claims.INCONCLUSIVE, r["evidence"])

    def test_one_work_per_task_count_is_not_measured(self):
        r = judge(sweep(lambda be, t: (1e3, 40.0), mults=(1,)))
        self.assertEqual(r["verdict"], claims.NOT_MEASURED)
        self.assertIn("one amount of work", r["evidence"])


class Targets(unittest.TestCase):
    def curve(self, mn_speedup):
        out = []
        for rep in range(1, 6):
            for t in (2, 16, 4096):
                for be, f in (("coro", 1.0), ("coro-mn2", 1.0 / mn_speedup), ("threads", 3.0)):
                    out.append(point(be, 4096, t, WORK, rep, 1e8 * f * (1 + 0.01 * rep)))
        return out

    def test_scaling_target_has_an_interval_and_every_outcome(self):
        for speed, want in ((2.0, stats.MET), (1.5, stats.MISSED)):
            rows = cpubound.targets(cpubound.tables(self.curve(speed)), ENV)
            self.assertTrue(all(isinstance(r, dict) for r in rows))
            scaling = next(r for r in rows if r["target"] == cpubound.SCALING)
            self.assertEqual(scaling["verdict"], want)
            self.assertIsNotNone(scaling["interval"].low)
        many = next(r for r in rows if r["target"] == cpubound.MANY)
        self.assertEqual(many["verdict"], stats.MET)  # 1.5 x 3.0 ahead of threads
        empty = cpubound.targets(cpubound.tables([]), ENV)
        self.assertEqual([r["verdict"] for r in empty], [stats.NOT_MEASURED] * 2)


class StartAndPinning(unittest.TestCase):
    def test_rows_are_computed_from_the_points(self):
        pts = []
        for rep in range(1, 4):
            pts.append(point("threads", 4096, 2, WORK, rep, 1e8, start_ns=2e6 + rep))
            pts.append(point("threads-split2", 4096, 2, WORK, rep, 1e8))
            pts.append(point("threads-split2", 4096, 2, WORK, rep, 2e8, pin=0))
            pts.append(point("coro-mn2", 4096, 2, WORK, rep, 1e8))
            pts.append(point("coro-mn2", 4096, 2, WORK, rep, 4e8, pin=0))
        t = cpubound.tables(pts)
        text = "\n".join(cpubound.start_pin_section(t, pts, ENV))
        self.assertIn("| threads | 2 | 2 [2..2] | 100 |", text)
        split, mn = systems.label("threads-split2"), systems.label("coro-mn2")
        self.assertIn(f"| {split} | 4096 | 2 | 10 M | 5 M | 0.5 [0.5, 0.5]× |", text)
        self.assertIn(f"| {mn} | 4096 | 2 | 10 M | 2.5 M | 0.25 [0.25, 0.25]× |", text)
        text = "\n".join(cpubound.start_pin_section(cpubound.tables([]), [], ENV))
        self.assertIn("not measured", text)


if __name__ == "__main__":
    unittest.main()
