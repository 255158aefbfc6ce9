#!/usr/bin/env python3
"""Tests of the report's section "In the article's own language"
(scripts/workloads/pylang.py): asyncio against Python threads, and every
claim judged on Python data, driven with synthetic points to each of its
outcomes (holds, does not hold, with caveats, inconclusive, not measured).
No timing, no binaries. Exit 77 (ctest: skipped) without scipy."""
import importlib.util
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path[:0] = [os.path.join(ROOT, "tests", "lib"), os.path.join(ROOT, "scripts"),
                os.path.join(ROOT, "scripts", "lib")]
if importlib.util.find_spec("scipy") is None:  # the intervals: Debian's python3-scipy
    print("scipy not importable by this interpreter: skipped")
    sys.exit(77)
import claims  # noqa: E402
import ctestrun  # noqa: E402
import workloads  # noqa: E402
from workloads import fairness as FA  # noqa: E402
from workloads import pylang as PL  # noqa: E402

ENV = {"cores": 2}
REPS = (1, 2, 3, 4, 5)
STEADY = (1.0, 1.01, 0.99, 1.0, 1.02)  # a little noise, so that intervals are intervals


def point(step, name, rep, results, **tags):
    return {"step": step, "point": name, "rep": rep, "kind": "cli", "status": "ok", "error": None,
            "tags": {"system": name.split("-")[0], **{k: str(v) for k, v in tags.items()}},
            "result": {"results": results, "params": {}}}


def series(step, name, key, values, **extra):
    """One point per repetition with results[key] = values[rep - 1] (plus fixed results)."""
    return [point(step, name, r, {key: v, **extra.pop("results", {}), **extra}) for r, v in zip(REPS, values)]


def text(name, lines, n):
    return {"step": "peers", "point": name, "rep": 1, "kind": "text", "status": "ok", "error": None,
            "tags": {"system": name.split("-")[0], "program": name.split("-")[2], "n": str(n)},
            "result": {"text": "".join(line + "\n" for line in lines)}}


def line(task, k):
    return f"{task} {k} {'divisible' if k % 3 == 0 else 'not-divisible'}"


def sequential(n):
    return [line(t, k) for t in "AB" for k in range(n, 0, -1)]


def concurrent(n):
    return [line(t, k) for k in range(n, 0, -1) for t in "AB"]


def queue(n, order=None):
    ks = order or list(range(n, 0, -1))
    return [line("C1" if i % 2 == 0 else "C2", k) for i, k in enumerate(ks)] + ["done"]


def articles(**override):
    """Correct article outputs of both systems at n = 6, with overrides."""
    texts = {("asyncio", "sequential"): sequential(6), ("asyncio", "concurrent"): concurrent(6),
             ("asyncio", "queue"): queue(6), ("pythreads", "sequential"): sequential(6),
             ("pythreads", "concurrent"): concurrent(6), ("pythreads", "queue"): queue(6)}
    for k, v in override.items():
        s, prog = k.split("_")
        texts[(s, prog)] = v
    return [text(f"{s}-article-{prog}-text", lines, 6) for (s, prog), lines in texts.items() if lines is not None]


def switch(a_ns=4000, t_ns=20000, a_csw=0, t_csw=1.0, spread=STEADY):
    out = []
    for s, ns, csw, fs in (("asyncio", a_ns, a_csw, STEADY), ("pythreads", t_ns, t_csw, spread)):
        out += [point("peers", f"{s}-switch", r, {"ns_per_switch": ns * f, "switches": 1000,
                                                   "vol_csw": round(csw * 1000), "invol_csw": 0})
                for r, f in zip(REPS, fs)]
    return out


def cpubound(t1=100.0, t2=(100.0,) * 5, t8=95.0, a=100.0, a2=None):
    """Python threads' throughput at 1, 2 and 8 threads; asyncio's a (a2 at 2 tasks)."""
    out = []
    for t, vals in ((1, [t1 * f for f in STEADY]), (2, list(t2)), (8, [t8 * f for f in STEADY])):
        out += [point("pylang", f"pythreads-cpubound-t{t}", r, {"units_per_s": v, "cpu_ns": 1e9, "wall_ns": 1e9},
                      tasks=t) for r, v in zip(REPS, vals)]
        av = list(a2) if t == 2 and a2 else [a * f for f in STEADY]
        out += [point("pylang", f"asyncio-cpubound-t{t}", r, {"units_per_s": v}, tasks=t) for r, v in zip(REPS, av)]
    return out


def ticker(a_us=(100000,) * 5, t_us=(5500,) * 5, gil_ns=5000000, y1000=(1500,) * 5, ms=50):
    """asyncio's p99 lateness a_us, Python threads' median lateness t_us (p99 twice it),
    beside 2 CPU-bound tasks of ms each."""
    out = []
    for y, s, vals in ((0, "asyncio", a_us), (0, "pythreads", t_us), (1000, "asyncio", y1000),
                       (1000, "pythreads", (900,) * 5)):
        extra = {"gil_switch_interval_ns": gil_ns} if s == "pythreads" else {}
        p50 = (lambda v: v * 1000) if s == "pythreads" else (lambda v: v * 500)
        out += [point("pylang", f"{s}-ticker-y{y}", r, {"late_p99_ns": v * 1000 * (2 if s == "pythreads" else 1),
                                                         "late_p50_ns": p50(v), **extra},
                      tasks=2, period_us=FA.PERIOD_US, yield_us=y, duration_ms=ms) for r, v in zip(REPS, vals)]
    return out


def judge(n, points):
    t = workloads.tables(points)
    return PL.PY_CLAIMS[n][1](t, points, ENV)


def spread(center):
    """Five values whose ratio to a steady side straddles center."""
    return [center * f for f in (0.8, 0.95, 1.0, 1.1, 1.3)]


class Section(unittest.TestCase):
    def test_ratio_interval_and_who_is_ahead(self):
        pts = switch() + articles()
        pts += [point("peers", f"{s}-prodcons-c1", r, {"items_per_s": v * f}, p=1, c=1, capacity=1, work_ns=0)
                for s, v in (("asyncio", 1000), ("pythreads", 3000)) for r, f in zip(REPS, STEADY)]
        lines = PL.section(workloads.tables(pts), pts, ENV)
        body = "\n".join(lines)
        self.assertIn("## In the article's own language: asyncio against Python threads", body)
        sw = next(x for x in lines if x.startswith("| switch"))
        self.assertRegex(sw, r"\| 5 \[[\d.]+, [\d.]+\]× \| 0\.0\d+ \| 5 paired \|$", "threads/asyncio time, paired")
        self.assertRegex(body, r"asyncio is ahead of Python threads on \d: switch \(5×\)")
        self.assertIn("Python threads are ahead on 1: prodcons 1×1, capacity 1 (3×)", body)
        self.assertIn("| cpubound, 2 tasks (higher is better) | not measured | not measured | not measured |", body)
        # the section's verdicts are not the main claims': the report's claim parsers must not see them
        self.assertNotRegex(body, r"(?m)^\*\*Verdict:|^### Claim \d")
        self.assertEqual(sum(x.startswith("- **Claim ") for x in lines), 7)
        self.assertIn("asyncio printed 3 of the 3 programs it ran complete and correct; Python threads printed 3", body)
        broken = PL.article_reading(articles(pythreads_queue=queue(6)[1:], asyncio_sequential=None))
        self.assertEqual(broken, "asyncio printed 2 of the 2 programs it ran complete and correct (1 not run); "
                                 "Python threads printed 2 of the 3 programs it ran complete and correct.")

    def test_the_main_claims_stay_corobench_s(self):
        for n, (_, judge) in workloads.claims().items():
            self.assertNotEqual(judge.__module__, PL.__name__, f"claim {n}: judged on Python data in the main claims")
        self.assertEqual(sorted(PL.PY_CLAIMS), list(range(1, 8)))

    def test_no_winner_when_the_interval_includes_one(self):
        pts = switch(t_ns=4000, spread=(0.7, 1.3, 1.0, 0.8, 1.25))
        self.assertIn("switch (", PL.reading(workloads.tables(pts)).split("no winner")[0].split("On ")[-1])

    def test_nothing_measured(self):
        t = workloads.tables([])
        self.assertIn("nothing is compared", PL.reading(t))
        for c in PL.judged(t, [], ENV):
            self.assertEqual(c["verdict"], claims.NOT_MEASURED, c["n"])

    def test_most_alive_is_not_compared_when_no_limit_was_met(self):
        pts = [point("peers", f"{s}-memory", r, {"rss_per_task_bytes": b, "tasks_reached": n, "limit_error": lim,
                                                  **({"stack_bytes": 262144} if s == "pythreads" else {})})
               for s, b, n, lim in (("asyncio", 1200, 100000, None), ("pythreads", 16000, 900, "can't start"))
               for r in REPS]
        row = next(x for x in PL.table(workloads.tables(pts)) if x.startswith("| most alive"))
        self.assertIn("| 100 k (all requested, not a limit) | 900 (can't start) | at least 111× (asyncio held", row)
        mem = next(x for x in PL.table(workloads.tables(pts)) if x.startswith("| memory"))
        self.assertIn("| 16 kB (256 KiB stacks) |", mem)
        self.assertIn("not compared: a count held in full is not a limit", PL._alive_ratio(((900, None), (100, None))))
        self.assertIn("at most 0.1× (Python threads held", PL._alive_ratio(((100, "MemoryError"), (1000, None))))
        self.assertEqual(PL._alive_ratio(((100, "MemoryError"), (50, "can't start"))), "2× (both limits)")


class Points(unittest.TestCase):
    class Ctx:
        cb, micro, build, cores = "/cb", "/micro", "/build", 2

    def test_both_systems_back_to_back_and_only_those_available(self):
        names = [p.name for p in PL.points(PL.PARAMS["full"], self.Ctx())]
        self.assertEqual(names[:2], ["asyncio-cpubound-t1", "pythreads-cpubound-t1"])
        self.assertIn("pythreads-ticker-y0", names)
        saved = PL.peers.present
        try:
            PL.peers.present = lambda s, build: s == "asyncio"
            names = [p.name for p in PL.points(PL.PARAMS["quick"], self.Ctx())]
        finally:
            PL.peers.present = saved
        self.assertTrue(names and all(n.startswith("asyncio-") for n in names), names)

    def test_the_reference_run(self):
        """results/ref/ has the peers' Python data: the claims it decides get verdicts."""
        import json
        with open(os.path.join(ROOT, "results", "ref", "points.json"), encoding="utf-8") as f:
            pts = workloads.normalize(json.load(f)["points"])
        with open(os.path.join(ROOT, "results", "ref", "env.json"), encoding="utf-8") as f:
            env = json.load(f)
        t = workloads.tables(pts)
        got = {c["n"]: c["verdict"] for c in PL.judged(t, pts, env)}
        self.assertEqual(sorted(got), list(range(1, 8)))
        for n in (1, 2, 3, 5, 7):  # from the peers step's points
            self.assertIn(got[n], (claims.HOLDS, claims.CAVEATS, claims.NOT_HOLD, claims.INCONCLUSIVE), n)
        self.assertTrue(any(x.startswith("| switch") and "paired" in x for x in PL.section(t, pts, env)))


class Claims(unittest.TestCase):
    def test_claim1_and_2_follow_the_order_of_asyncio_lines(self):
        self.assertEqual(judge(1, articles())["verdict"], claims.HOLDS)
        self.assertEqual(judge(1, articles(asyncio_sequential=concurrent(6)))["verdict"], claims.NOT_HOLD)
        self.assertEqual(judge(1, articles(asyncio_sequential=None))["verdict"], claims.NOT_MEASURED)
        self.assertEqual(judge(2, articles())["verdict"], claims.HOLDS)
        two_blocks_each = [line(t, k) for t, ks in (("A", (6, 5, 4)), ("B", (6, 5, 4)), ("A", (3, 2, 1)),
                                                    ("B", (3, 2, 1))) for k in ks]
        self.assertEqual(judge(2, articles(asyncio_concurrent=two_blocks_each))["verdict"], claims.CAVEATS)
        self.assertEqual(judge(2, articles(asyncio_concurrent=sequential(6)))["verdict"], claims.NOT_HOLD)
        self.assertEqual(judge(2, articles(asyncio_concurrent=concurrent(6)[:-1]))["verdict"], claims.NOT_HOLD,
                         "a missing line")

    def test_claim3_and_7_follow_the_queue_outputs(self):
        self.assertEqual(judge(3, articles())["verdict"], claims.HOLDS)
        one_consumer = [line("C1", k) for k in range(6, 0, -1)] + ["done"]
        self.assertEqual(judge(3, articles(asyncio_queue=one_consumer))["verdict"], claims.CAVEATS)
        self.assertEqual(judge(3, articles(asyncio_queue=queue(6)[:-1]))["verdict"], claims.NOT_HOLD)
        self.assertEqual(judge(3, articles(asyncio_queue=None))["verdict"], claims.NOT_MEASURED)
        self.assertEqual(judge(7, articles())["verdict"], claims.HOLDS)
        self.assertEqual(judge(7, articles(pythreads_queue=queue(6, [6, 4, 5, 3, 2, 1])))["verdict"], claims.CAVEATS)
        self.assertEqual(judge(7, articles(pythreads_queue=queue(6, [6, 6, 5, 3, 2, 1])))["verdict"], claims.NOT_HOLD)
        self.assertEqual(judge(7, articles(pythreads_queue=None))["verdict"], claims.NOT_MEASURED)

    def test_claim4_no_parallelism_under_the_gil(self):
        self.assertEqual(judge(4, cpubound())["verdict"], claims.HOLDS)
        self.assertEqual(judge(4, cpubound(t2=[190 * f for f in STEADY]))["verdict"], claims.NOT_HOLD)
        r = judge(4, cpubound(t2=spread(110)))
        self.assertEqual(r["verdict"], claims.INCONCLUSIVE, r["evidence"])
        drift = judge(4, cpubound(t2=[150 * f for f in STEADY], a2=[150 * f for f in (1.01, 1.0, 1.02, 0.99, 1.0)]))
        self.assertEqual(drift["verdict"], claims.INCONCLUSIVE, "asyncio, which cannot be parallel, gains as much")
        self.assertIn("threads' speedup over asyncio's", drift["evidence"])
        self.assertEqual(judge(4, [])["verdict"], claims.NOT_MEASURED)
        self.assertIn("8 threads", judge(4, cpubound())["evidence"])
        self.assertEqual(judge(4, cpubound())["line"], PL.GAIN_LINE, "the interval and line it was decided by")
        self.assertLess(judge(4, cpubound())["interval"].high, PL.GAIN_LINE)

    def test_claim5_os_switches_and_switch_cost(self):
        self.assertEqual(judge(5, switch())["verdict"], claims.HOLDS)
        self.assertEqual(judge(5, switch(a_csw=0.5))["verdict"], claims.NOT_HOLD, "the OS switches asyncio tasks")
        self.assertEqual(judge(5, switch(a_ns=30000))["verdict"], claims.NOT_HOLD, "asyncio's switch slower")
        self.assertEqual(judge(5, switch(t_ns=4000, spread=(0.7, 1.3, 1.0, 0.8, 1.25)))["verdict"],
                         claims.INCONCLUSIVE)
        self.assertEqual(judge(5, [])["verdict"], claims.NOT_MEASURED)

    def test_claim6_starvation_and_the_switch_interval_bound(self):
        self.assertEqual(judge(6, ticker())["verdict"], claims.HOLDS)
        self.assertIn("2 × 5 ms + 1 ms = 11 ms", judge(6, ticker())["evidence"])
        self.assertEqual(judge(6, ticker(t_us=(25000,) * 5))["verdict"], claims.CAVEATS, "threads past the bound")
        self.assertEqual(judge(6, ticker(a_us=(20000,) * 5))["verdict"], claims.NOT_HOLD,
                         "asyncio's ticker ran while a task computed")
        self.assertEqual(judge(6, ticker(a_us=spread(49000)))["verdict"], claims.INCONCLUSIVE, "starvation straddled")
        self.assertEqual(judge(6, ticker(t_us=spread(11000)))["verdict"], claims.INCONCLUSIVE, "bound straddled")
        self.assertEqual(judge(6, ticker(gil_ns=None))["verdict"], claims.NOT_MEASURED)
        self.assertEqual(judge(6, [])["verdict"], claims.NOT_MEASURED)


if __name__ == "__main__":
    ctestrun.main(sys.argv)
