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
        reps = st.params["full"]["reps"]
        jobs = r.jobs(st, True, True, range(1, reps + 1))
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
        self.assertFalse(r.jobs(st, True, False, [1])[-1][0] == "peers", "without peers, corobench's points alone")
        self.assertTrue(all(j[0] == "peers" for j in r.jobs(st, False, True, [1])), "the peers only")
        later = r.jobs(st, True, True, range(reps + 1, reps + 3))
        self.assertEqual({j[2] for j in later}, {reps + 1, reps + 2}, "more repetitions go on numbering")
        self.assertTrue(all(j[1].runs_in(j[2]) for j in later), "a point run once (or upto) is not repeated")

    def test_rounds_spread_each_steps_repetitions_over_the_run(self):
        from workloads import Step
        steps = [Step(n, n, {"full": {"reps": k}}, lambda p, ctx: []) for n, k in (("a", 3), ("b", 1), ("c", 2))]
        r = self.runner([])
        r.plan, r.nsteps, r.stepno, r.t0 = [(st, True, False) for st in steps], 9, 0, 0.0
        r.run = "/nonexistent"
        ran = []
        r.run_jobs = lambda name, todo: ran.append(name) or [("x", None, 1)]
        r.jobs = lambda st, coro, peers, reps: list(reps)
        r.more_reps = lambda st, done, pilot, secs: pilot + (1 if st.name == "c" else 0)
        r.say = r.progress = lambda text: None
        orig = bench.os.makedirs
        bench.os.makedirs = lambda *a, **k: None
        try:
            r.run_rounds()
        finally:
            bench.os.makedirs = orig
        self.assertEqual(ran, ["a", "b", "c", "a", "c", "a", "c"],
                         "round 1 runs every step, then each step as long as it has repetitions; c's pilot added one")

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
    import pilot  # noqa: E402  (numpy, from Debian's python3-numpy)
except ImportError:
    pilot = None


@unittest.skipIf(pilot is None, "numpy missing")
class Pilot(unittest.TestCase):
    """The repetitions a step gets from its pilot (scripts/lib/pilot.py)."""

    def test_need_grows_with_the_spread(self):
        self.assertEqual(pilot.need([100.0] * 5), 1, "no spread: the pilot is enough")
        # MAD 5 around 100: cv 0.0741, (1.96 * 1.2533 * 0.0741 / 0.05)^2 = 13.3
        self.assertEqual(pilot.need([95.0, 100.0, 105.0, 100.0, 110.0]), 14)
        self.assertLess(pilot.need([99.0, 100.0, 101.0, 100.0]), pilot.need([90.0, 100.0, 110.0, 100.0]))
        self.assertIsNone(pilot.need([1.0, None]), "two values cannot tell")
        self.assertIsNone(pilot.need([0.0, 0.0, 0.0]))

    def test_decide_stops_at_the_quantile_the_cap_or_the_budget(self):
        quiet, noisy = [100.0, 100.0, 100.0], [80.0, 100.0, 120.0]
        vals = {"a": quiet, "b": quiet, "c": quiet, "d": noisy}
        d = pilot.decide(vals, 3, 10, 2.0, 100.0)
        self.assertEqual((d["reps"], d["limited_by"]), (10, "max_reps"), "d's need is the 75th percentile here")
        self.assertEqual(d["noisiest"], "d")
        d = pilot.decide({"a": quiet, "b": quiet, "c": quiet, "d": quiet, "e": noisy}, 3, 10, 2.0, 100.0)
        self.assertEqual((d["reps"], d["limited_by"]), (3, "enough"), "one noisy point of five buys no round")
        d = pilot.decide(vals, 3, 10, 10.0, 55.0)
        self.assertEqual((d["reps"], d["limited_by"]), (5, "budget"), "55 s at 10 s a round: 5 rounds")
        d = pilot.decide(vals, 3, 10, 10.0, 20.0)
        self.assertEqual(d["reps"], 3, "never fewer than the pilot")
        self.assertEqual(pilot.decide({}, 3, 10, 1.0, 100.0)["reps"], 3, "nothing measured: the pilot")


try:
    import scipy  # noqa: F401  (the intervals of the plots)
    NO_SCIPY = None
except ImportError:
    NO_SCIPY = "scipy missing (Debian's python3-scipy, seen by /usr/bin/python3)"


@unittest.skipIf(NO_SCIPY, NO_SCIPY)
class PilotInReport(unittest.TestCase):
    def test_the_machine_section_states_each_steps_choice(self):
        import report
        vals = {"a": [100.0, 100.0, 100.0], "b": [80.0, 100.0, 120.0]}
        env = {"repetitions": {"switch": pilot.decide(vals, 5, 10, 10.0, 70.0)}}
        text = "\n".join(report.repetitions(env))
        self.assertIn("| switch | 5 | 7 | 213 | 10 | 70 | budget | b (29.6%) |", text)
        self.assertEqual(report.repetitions({}), [], "a run without a pilot says nothing")


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
