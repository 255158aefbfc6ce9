#!/usr/bin/env python3
"""Tests of the runner's parts that need no build: the progress line of a step
(scripts/lib/progress.py) and the order in which a step's repetitions run
corobench's and the peers' points (scripts/bench.py).

usage: test_runner.py [unittest args]
"""
import inspect
import io
import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(os.path.dirname(os.path.dirname(HERE)), "scripts")
sys.path[:0] = [SCRIPTS, os.path.join(SCRIPTS, "lib")]
import bench  # noqa: E402
import plotdata  # noqa: E402
import progress  # noqa: E402
import workloads  # noqa: E402


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


class ProgressLine(unittest.TestCase):
    def test_durations_read_as_words(self):
        self.assertEqual(progress.duration(0), "0 s")
        self.assertEqual(progress.duration(59.4), "59 s")
        self.assertEqual(progress.duration(185), "3 min 05 s")
        self.assertEqual(progress.duration(3720), "1 h 02 min")

    def test_eta_is_the_mean_time_per_point_so_far(self):
        self.assertIsNone(progress.eta(0, 48, 10))
        self.assertAlmostEqual(progress.eta(12, 48, 30), 90)
        self.assertEqual(progress.eta(48, 48, 30), 0)

    def test_line_names_step_points_elapsed_and_time_left(self):
        self.assertEqual(progress.line("switch", 12, 48, 35),
                         "switch: 12/48 points (25%), 35 s elapsed, about 1 min 45 s left")
        self.assertEqual(progress.line("switch", 48, 48, 140), "switch: 48/48 points (100%), 2 min 20 s elapsed")
        self.assertEqual(progress.line("switch", 0, 48, 1), "switch: 0/48 points (0%), 1 s elapsed")

    def test_tenths_crossed(self):
        self.assertEqual(progress.tenths(0, 1, 100), [])
        self.assertEqual(progress.tenths(9, 10, 100), [1])
        self.assertEqual(progress.tenths(0, 3, 3), list(range(1, 11)))
        self.assertEqual(progress.tenths(1, 2, 3), [4, 5, 6])
        self.assertEqual(progress.tenths(0, 5, 0), [])

    def test_without_a_terminal_one_line_per_tenth(self):
        out, clock = io.StringIO(), Clock()
        p = progress.Progress("oversub", 95, out=out, tty=False, clock=clock)
        for _ in range(95):
            clock.t += 2
            p.advance()
        p.end()
        lines = out.getvalue().splitlines()
        self.assertEqual(len(lines), 10, lines)
        self.assertTrue(lines[0].strip().startswith("oversub: 10/95 points (10%), 20 s elapsed, about 2 min 50 s left"),
                        lines[0])
        self.assertIn("95/95 points (100%), 3 min 10 s elapsed", lines[-1])
        self.assertNotIn("\r", out.getvalue())

    def test_on_a_terminal_one_line_redrawn(self):
        out, clock = io.StringIO(), Clock()
        p = progress.Progress("spawn", 3, out=out, tty=True, clock=clock)
        clock.t = 4
        p.advance()
        p.note("      point spawn/coro rep 1: exit 1")
        p.advance()
        p.advance()
        p.end()
        text = out.getvalue()
        self.assertEqual(text.count("\n"), 2, "the note and the end: the progress itself stays on one line")
        self.assertIn("\r\033[K      spawn: 1/3 points (33%), 4 s elapsed, about 8 s left", text)
        self.assertIn("\r\033[K      point spawn/coro rep 1: exit 1\n", text, "a note clears the line first")
        self.assertTrue(text.endswith("spawn: 3/3 points (100%), 4 s elapsed\n"), repr(text))


class Interleaving(unittest.TestCase):
    class Ctx:
        cb, micro, build, cores = "/cb", "/micro", "/build", 2

    def runner(self, peer_list):
        r = bench.Runner.__new__(bench.Runner)
        r.mode, r.ctx, r.peer_list = "full", self.Ctx(), peer_list
        return r

    def test_each_repetition_runs_corobench_then_the_peers(self):
        st = next(s for s in workloads.steps() if s.name in bench.peer_steps() and not s.fixed_reps)
        wl = bench.peer_steps()[st.name][0]
        r = self.runner([("go", {"workloads": [wl]}), ("other", {"workloads": ["nothing"]})])
        jobs = r.jobs(st, True, True)
        reps = st.params["full"]["reps"]
        self.assertGreater(reps, 1)
        own = len(st.points(st.params["full"], self.Ctx()))
        per_rep = len(jobs) // reps
        self.assertEqual(len(jobs), per_rep * reps, "every repetition runs the same points")
        for rep in range(reps):
            chunk = jobs[rep * per_rep:(rep + 1) * per_rep]
            self.assertEqual({j[2] for j in chunk}, {rep + 1}, "a repetition's points run together")
            self.assertEqual([j[0] for j in chunk], [st.name] * own + ["peers"] * (per_rep - own),
                             "corobench's points, then the peers'")
            self.assertTrue(all(j[1].system == "go" and j[1].name.startswith("go-") for j in chunk[own:]))
        self.assertFalse(r.jobs(st, True, False)[-1][0] == "peers", "without peers, corobench's points alone")
        self.assertTrue(all(j[0] == "peers" for j in r.jobs(st, False, True)), "the peers only")

    def test_plan_orders_and_selects_the_steps(self):
        ps = bench.peer_steps()
        names = [s.name for s in workloads.steps()]
        every = bench.plan(names + ["peers"], False)
        self.assertEqual([s.name for s, _, _ in every], names, "the declared order")
        self.assertEqual({s.name for s, _, p in every if p}, set(ps))
        bg = bench.plan(names + ["peers"], True)
        flags = [p for _, _, p in bg]
        self.assertEqual(flags, sorted(flags), "while the peers build, the steps without peers run first")
        one = sorted(ps)[0]
        self.assertEqual([(s.name, c, p) for s, c, p in bench.plan([one, "peers"], False)], [(one, True, True)])
        self.assertEqual([(s.name, c, p) for s, c, p in bench.plan([one], False)], [(one, True, False)])
        self.assertEqual({(c, p) for _, c, p in bench.plan(["peers"], False)}, {(False, True)})


try:
    import scipy  # noqa: F401  (the intervals of the plots)
    NO_SCIPY = None
except ImportError:
    NO_SCIPY = "scipy missing (Debian's python3-scipy, seen by /usr/bin/python3)"


@unittest.skipIf(NO_SCIPY, NO_SCIPY)
class PlotLayout(unittest.TestCase):
    """Every plot's series fit its layout: what plotdata.within_layout checks."""

    def test_the_checker_sees_what_outgrows_a_panel(self):
        bars = plotdata.hbars([(f"system {i}", [float(i + 1)]) for i in range(plotdata.MAX_BARS + 1)])
        self.assertTrue(plotdata.within_layout({"x.csv": bars}))
        self.assertEqual(plotdata.within_layout({"x.csv": plotdata.hbars([("a, b", [1.0, 2.0])])}), [])
        self.assertTrue(plotdata.within_layout({"x.csv": plotdata.hbars([("x" * (plotdata.MAX_LABEL + 1), [1.0])])}))
        keys = "".join(f"series {i}\n" for i in range(plotdata.MAX_SERIES + 1))
        self.assertTrue(plotdata.within_layout({"p.titles": keys}))
        self.assertEqual(plotdata.within_layout({"p.titles": "a\nb\n"}), [])

    def test_every_plot_of_the_reference_run_fits(self):
        ref = os.path.join(os.path.dirname(SCRIPTS), "results", "ref")
        with open(os.path.join(ref, "points.json"), encoding="utf-8") as f:
            points = json.load(f)["points"]
        with open(os.path.join(ref, "env.json"), encoding="utf-8") as f:
            env = json.load(f)
        t = workloads.tables(points)
        for plot in workloads.plots():
            takes_points = len(inspect.signature(plot.data).parameters) > 2
            files = plot.data(t, env, points) if takes_points else plot.data(t, env)
            self.assertEqual(plotdata.within_layout(files), [], plot.name)

    def test_interval_of_the_median(self):
        m, lo, hi = plotdata.median_interval([10.0, 11.0, 12.0, 13.0, 30.0])
        self.assertEqual(m, 12.0)
        self.assertTrue(10.0 <= lo <= m <= hi <= 30.0, (lo, hi))
        self.assertEqual(plotdata.median_interval([5.0]), (5.0, 5.0, 5.0), "one repetition: no interval")
        self.assertIsNone(plotdata.median_interval([]))
        self.assertEqual(plotdata.median_interval([1.0, 2.0, 3.0]), plotdata.median_interval([1.0, 2.0, 3.0]),
                         "a fixed seed: the same plot from the same data")


def main():
    """unittest, with the exit status ctest reads: 77 (skipped) when every test that ran was skipped."""
    r = unittest.main(verbosity=2, exit=False).result
    if r.failures or r.errors or r.unexpectedSuccesses:
        return 1
    return 77 if r.skipped and len(r.skipped) == r.testsRun else 0


if __name__ == "__main__":
    sys.exit(main())
