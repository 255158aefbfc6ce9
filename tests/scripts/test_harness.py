#!/usr/bin/env python3
"""Tests of the harness (scripts/): the registry, the report, the plots and the runner.

The pipeline (collect -> plots -> report) runs on a stored fixture: the raw
outputs of a real `make bench-quick` (tests/scripts/fixtures/run/).  The
tests check that every claim and every target gets a verdict computed from
the numbers (perturbing the data changes it), that every plot of the
registry is drawn and non-empty, that a missing or malformed input stops
with the file's name, that the runner records failed and hung points and
never publishes a run without a report, and that the published report
regenerates from the committed reference data (results/ref/) with the same
numbers and verdicts.  The runner tests use a fake build
(fixtures/fakebuild/) so they take seconds.

usage: test_harness.py [unittest args]   (run from anywhere; ctest runs one class per test)
Exit 77 (ctest: skipped) when a class cannot run here: gnuplot or hyperfine missing.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SCRIPTS = os.path.join(ROOT, "scripts")
FIXTURE = os.path.join(HERE, "fixtures", "run")
FAKEBUILD = os.path.join(HERE, "fixtures", "fakebuild")
sys.path[:0] = [HERE, SCRIPTS, os.path.join(SCRIPTS, "lib")]
import claims  # noqa: E402
import peers  # noqa: E402
import ratios  # noqa: E402
import report as reportpy  # noqa: E402
import reportfacts  # noqa: E402
import systems  # noqa: E402
import workloads  # noqa: E402
from workloads import echo  # noqa: E402

PLOTS = [p.name for p in workloads.plots()]
VERDICTS = claims.VERDICTS
TOOLS = [t for t in ("gnuplot", "hyperfine", "timeout") if shutil.which(t) is None]
needs_tools = unittest.skipIf(TOOLS, f"not installed: {', '.join(TOOLS)} (sh scripts/bootstrap bench)")


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kw)


def collect(d):
    return run([sys.executable, os.path.join(SCRIPTS, "lib", "collect.py"), d])


def report(d):
    return run([sys.executable, os.path.join(SCRIPTS, "report.py"), d])


def plots(d):
    return run([sys.executable, os.path.join(SCRIPTS, "plots.py"), d])


def verdicts(d):
    with open(os.path.join(d, "REPORT.md"), encoding="utf-8") as f:
        text = f.read()
    found = re.findall(r"^### Claim (\d): .*\n\n\*\*Verdict: ([a-z ]+)\.\*\* (.*)$", text, re.M)
    return {int(n): (v, ev) for n, v, ev in found}


@needs_tools
class Pipeline(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cb-harness-")
        self.run_dir = os.path.join(self.tmp, "run")
        shutil.copytree(FIXTURE, self.run_dir)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def pipeline(self, draw=False):
        """collect, (plots,) report; the claims' verdicts. Drawing is slow: only the tests of plots draw."""
        r = collect(self.run_dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        if draw:
            r = plots(self.run_dir)
            self.assertEqual(r.returncode, 0, r.stderr)
        r = report(self.run_dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        return verdicts(self.run_dir)

    def raw(self, step, point):
        return os.path.join(self.run_dir, "raw", step, point)

    def edit_json(self, step, point, fn):
        path = self.raw(step, point + ".out")
        with open(path, encoding="utf-8") as f:
            obj = json.loads(f.read())
        fn(obj)
        with open(path, "w", encoding="utf-8") as f:
            f.write(json.dumps(obj) + "\n")

    def test_every_claim_gets_a_verdict_from_numbers(self):
        v = self.pipeline()
        self.assertEqual(sorted(v), list(range(1, 8)), "every claim has a verdict line")
        for n, (verdict, evidence) in v.items():
            self.assertIn(verdict, VERDICTS)
            self.assertNotEqual(verdict, "not measured", f"claim {n}: the fixture has its data: {evidence}")
            self.assertRegex(evidence, r"\d", f"claim {n}: the evidence quotes numbers")

    def test_every_plot_is_drawn(self):
        self.pipeline(draw=True)
        for p in PLOTS:
            for ext in ("svg", "png"):
                path = os.path.join(self.run_dir, "plots", f"{p}.{ext}")
                self.assertTrue(os.path.isfile(path), path)
                self.assertGreater(os.path.getsize(path), 1000, path)
        with open(os.path.join(self.run_dir, "plots", "switch.svg"), encoding="utf-8") as f:
            svg = f.read()
        self.assertIn("ns per switch", svg, "axis labelled with its unit")
        self.assertIn("AMD EPYC", svg, "caption names the machine")

    def test_report_sections(self):
        self.pipeline(draw=True)
        with open(os.path.join(self.run_dir, "REPORT.md"), encoding="utf-8") as f:
            text = f.read()
        for s in ("## Machine", "## Headline", "## Plots", "## The article's claims", "## Failed points"):
            self.assertIn(s, text)
        self.assertRegex(text, r"\| context switch \(lower is better\) \| [\d.]+ ")
        for p in PLOTS:
            self.assertIn(f"](plots/{p}.svg)", text)

    def mn_targets(self):
        """{target text: met cell} of the M:N and echo targets table in REPORT.md."""
        with open(os.path.join(self.run_dir, "REPORT.md"), encoding="utf-8") as f:
            text = f.read()
        sec = text.split("### M:N and echo targets", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
        rows = re.findall(r"^\| (.+?) \| (.+?) \| (yes|\*\*no, missed\*\*|not measured|met|\*\*missed\*\*|"
                          r"inconclusive|not comparable) \|$", sec, re.M)
        return {t: met for t, _, met in rows if t != "target"}

    def test_mn_and_echo_targets_have_verdicts_from_numbers(self):
        self.pipeline()
        t = self.mn_targets()
        self.assertEqual(len(t), 12, t)
        for name, met in t.items():
            if "GOMAXPROCS=2" in name:  # the fixture's peers step has no Go on two threads
                self.assertEqual(met, "not measured", name)
                continue
            self.assertNotEqual(met, "not measured", f"the fixture has the data for: {name}")

    def test_echo_target_follows_echo(self):
        # make threads serve 10x the requests at 10,000 connections: the M:1 target must be missed
        self.pipeline()
        d = os.path.join(self.run_dir, "raw", "echo")
        key = "echo at 10000 connections, coro M:1: requests/s ≥ 2× thread-per-connection"
        for name in os.listdir(d):
            if name.startswith("coro-c10000.") and name.endswith(".out"):
                self.edit_json("echo", name[: -len(".out")],
                               lambda o: o["results"].update(requests_per_s=1.0))
        self.pipeline()
        self.assertEqual(self.mn_targets().get(key), "**missed**")
        for name in os.listdir(d):
            if name.startswith("coro-c10000.") and name.endswith(".out"):
                self.edit_json("echo", name[: -len(".out")],
                               lambda o: o["results"].update(requests_per_s=1e9))
        self.pipeline()
        self.assertEqual(self.mn_targets().get(key), "met")

    def test_scaling_target_follows_mn_scaling(self):
        key = "cpubound, 2 M:N workers ≥ 1.9× the 1-worker throughput at every T ≥ 2 (every working set)"
        d = os.path.join(self.run_dir, "raw", "oversub")
        for name in os.listdir(d):
            if name.startswith("coro-mn2-") and name.endswith(".out"):
                self.edit_json("oversub", name[: -len(".out")], lambda o: o["results"].update(wall_ns=1))
        self.pipeline()
        self.assertEqual(self.mn_targets().get(key), "met")
        for name in os.listdir(d):
            if name.startswith("coro-mn2-") and name.endswith(".out"):
                self.edit_json("oversub", name[: -len(".out")], lambda o: o["results"].update(wall_ns=10**15))
        self.pipeline()
        self.assertEqual(self.mn_targets().get(key), "**missed**")

    def test_cache_sizes_are_recorded_and_named_in_the_scaling_target(self):
        sys.path.insert(0, os.path.join(SCRIPTS, "lib"))
        try:
            import env as envpy
        finally:
            del sys.path[0]
        # The machine fields come from `<build>/bench/corobench env --json` (here the fake's).
        e0 = envpy.capture(FAKEBUILD)
        self.assertEqual((e0["cpu_model"], e0["caches"]["l2"]), ("fake CPU", 1 << 20))
        self.assertTrue(all(v is None for v in envpy.capture(self.run_dir).values()),
                        "no corobench there: every field null, none guessed")
        path = os.path.join(self.run_dir, "env.json")
        with open(path, encoding="utf-8") as f:
            e = json.load(f)
        e["caches"], e["caches_text"] = {"l1": 49152, "l2": 1 << 20}, "L1d 48 KiB, L2 1 MiB (from getconf)"
        with open(path, "w", encoding="utf-8") as f:
            json.dump(e, f)
        self.pipeline()
        with open(os.path.join(self.run_dir, "REPORT.md"), encoding="utf-8") as f:
            text = f.read()
        self.assertIn("| caches | L1d 48 KiB, L2 1 MiB (from getconf) |", text)
        self.assertNotIn("| last-level cache |", text, "the caches row already has the last level")
        row = next(l for l in text.splitlines() if l.startswith("| cpubound, 2 M:N workers"))
        self.assertIn("1048576 B (not smaller than the 1024 KiB L2 cache): worst", row)
        self.assertNotIn("4096 B (not smaller", row)

    def test_mn_scaling_is_set_against_the_no_scheduler_reference(self):
        # Two pinned threads running the same tasks back to back (threads
        # --workers 2): made here from the M:N points with every wall time
        # 1.25x longer, so M:N against them is exactly 1.25x at every point.
        d = os.path.join(self.run_dir, "raw", "oversub")
        for name in os.listdir(d):
            if not name.startswith("coro-mn2-"):
                continue
            dst = os.path.join(d, "threads-split2-" + name[len("coro-mn2-"):])
            with open(os.path.join(d, name), encoding="utf-8") as f:
                text = f.read()
            if name.endswith(".meta"):
                text = text.replace("point=coro-mn2-", "point=threads-split2-").replace(
                    "t.backend=coro-mn2", "t.backend=threads-split2").replace(
                    "t.system=coro-mn2", "t.system=threads-split2")
            elif name.endswith(".out"):
                obj = json.loads(text)
                obj["backend"] = "threads"
                obj["results"]["wall_ns"] = int(obj["results"]["wall_ns"] * 1.25)
                text = json.dumps(obj) + "\n"
            with open(dst, "w", encoding="utf-8") as f:
                f.write(text)
        self.pipeline(draw=True)
        with open(os.path.join(self.run_dir, "REPORT.md"), encoding="utf-8") as f:
            row = next(l for l in f if l.startswith("| cpubound, 2 M:N workers"))
        self.assertIn("without a scheduler: median 1.25× (1.25..1.25)", row)
        split = r" = [0-9.]+ × [0-9.]+"  # busy × work per CPU second, from the fixture's cpu_ns
        self.assertRegex(row, rf"worst [0-9.]+× at T=\d+{split} \(no scheduler at T=\d+: [0-9.]+×{split}; 2 threads")
        with open(os.path.join(self.run_dir, "plotdata", "oversub", "oversub_titles.txt"), encoding="utf-8") as f:
            self.assertIn("2 pinned threads, no scheduler", f.read())

    def test_task_count_not_compared_with_one_that_is_not_a_limit(self):
        full, hit = reportpy.NOT_A_LIMIT, "limit hit"
        vals = {"coro": (1e6, full), "asyncio": (1e5, full), "threads": (32500, hit)}
        self.assertEqual(reportpy.ratio_text(vals, "higher"), "not compared: asyncio held all 100 k it was asked for")
        vals["asyncio"] = (1e5, hit)  # a real limit: the ratio says something
        self.assertEqual(reportpy.ratio_text(vals, "higher"), "10× vs asyncio (better; a count: no interval)")

    def test_scaling_pairs_repetitions(self):
        # Ratios between two backends pair the runs of one repetition (run
        # back to back): here every pair says 2.0, the medians 19/10 = 1.9.
        a = {"median": 19.0, "by_rep": {1: 19.0, 2: 10.0, 3: 20.0}}
        b = {"median": 10.0, "by_rep": {1: 9.5, 2: 5.0, 3: 10.0}}
        self.assertAlmostEqual(ratios.paired_ratio(a, b), 2.0)
        self.assertAlmostEqual(ratios.paired_ratio({"median": 19.0, "by_rep": {4: 19.0}}, b), 1.9)
        # the verdict's median comes with its pairs' range and how many reach the target
        self.assertEqual(ratios.spread(a, b, 2), " (pairs 2..2; 3 of 3 at least 2×)")
        c = {"median": 1.0, "by_rep": {1: 20.0, 2: 9.0, 3: 17.0}}
        self.assertEqual(ratios.spread(c, b, 2), " (pairs 1.7..2.11; 1 of 3 at least 2×)")
        self.assertEqual(ratios.spread({"median": 19.0, "by_rep": {4: 19.0}}, b, 2), "", "no pairs, no range")
        # a ratio split into CPU kept busy x work per CPU second, per repetition:
        # rep 1: 2 cores busy at 0.9 of one core's work per CPU second = 1.8x
        m = {"by_rep": {1: 18.0, 2: 19.0}, "busy_by_rep": {1: 2.0, 2: 1.9}}
        one = {"by_rep": {1: 10.0, 2: 10.0}, "busy_by_rep": {1: 1.0, 2: 1.0}}
        busy, eff = ratios.split_ratio(m, one)
        self.assertAlmostEqual(busy, 1.95)
        self.assertAlmostEqual(eff, 0.95)
        self.assertIsNone(ratios.split_ratio(m, {"by_rep": {3: 1.0}, "busy_by_rep": {3: 1.0}}))

    def test_headline_compares_like_with_like(self):
        self.pipeline(draw=True)
        with open(os.path.join(self.run_dir, "REPORT.md"), encoding="utf-8") as f:
            text = f.read()
        head = text.split("## Headline", 1)[1].split("### Raw primitive", 1)[0]
        self.assertNotIn("boost-context", head, "the raw primitive is not a column of the scheduler table")
        self.assertNotIn("vs coro-mn", head, "corobench is not compared with itself")
        self.assertRegex(head, r"\| context switch \(lower is better\) .*\| [\d.]+ \[[\d.]+, [\d.]+\]×, p = [\d.e-]+ "
                               r"vs [a-z-]+ \((better|worse|inconclusive: the interval holds 1)\) \|")
        self.assertIn("channel ping-pong", head, "Go's channel ping-pong is not a switch of the row")
        raw = text.split("### Raw primitive, no scheduler", 1)[1].split("\n### ", 1)[0]
        self.assertRegex(raw, r"\| context switch, raw .*rawctx.* \| [\d.]+ ns \| .*fcontext.* \| [\d.]+× \((better|worse)\) \|")
        # the M:N series is in the CSVs the plots read
        with open(os.path.join(self.run_dir, "csv", "oversub.csv"), encoding="utf-8") as f:
            self.assertIn("coro-mn2", f.read())
        with open(os.path.join(self.run_dir, "csv", "prodcons.csv"), encoding="utf-8") as f:
            self.assertIn("coro-mn2", f.read())
        with open(os.path.join(self.run_dir, "plots", "echo.svg"), encoding="utf-8") as f:
            svg = f.read()
        self.assertIn("coro M:N (2 workers)", svg)
        self.assertIn("requests / s", svg)

    def test_claim1_follows_the_output(self):
        # coroutines that do not suspend: interleave their lines and the verdict must flip
        path = self.raw("article", "coro-sequential-text.r1.out")
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        a = [l for l in lines if l.startswith("A ")]
        b = [l for l in lines if l.startswith("B ")]
        mixed = [x for pair in zip(a, b) for x in pair]
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(mixed) + "\n")
        self.assertEqual(self.pipeline()[1][0], "does not hold")

    def test_claim6_follows_fairness(self):
        before = self.pipeline()[6][0]
        self.assertIn(before, ("holds", "holds with caveats"))
        for name in os.listdir(os.path.join(self.run_dir, "raw", "fairness")):
            if name.startswith("coro-y0.") and name.endswith(".out"):
                def small(o):
                    for k in ("late_p50_ns", "late_p99_ns", "late_max_ns"):
                        o["results"][k] = 1000
                self.edit_json("fairness", name[: -len(".out")], small)
        self.assertEqual(self.pipeline()[6][0], "does not hold")

    def test_claim7_follows_checksums(self):
        self.edit_json("article", "threads-queue-json.r1", lambda o: o.update(checksum="0x0000000000000bad"))
        v = self.pipeline()[7]
        self.assertEqual(v[0], "does not hold")
        self.assertIn("DIFFERENT", v[1])

    def test_claim4_is_judged_on_the_fit_and_needs_several_works(self):
        # the fixture's oversubscription step has the work-size sweep: claim
        # 4 is judged on the fitted cost per step, with the fixed cost per
        # task beside it, and no thread creation subtracted (its judge is
        # driven to every verdict on synthetic sweeps in test_cpubound.py)
        v = self.pipeline()[4]
        self.assertNotEqual(v[0], "not measured", v[1])
        self.assertIn("time per step", v[1])
        self.assertIn("fixed cost per task", v[1])
        self.assertNotIn("creating", v[1])
        # without the smaller works (a run made before the sweep): not
        # measured, with the reason, and no fallback on throughput
        d = os.path.join(self.run_dir, "raw", "oversub")
        for name in os.listdir(d):
            if "-u" in name:
                os.unlink(os.path.join(d, name))
        v = self.pipeline()[4]
        self.assertEqual(v[0], "not measured")
        self.assertIn("one amount of work", v[1])

    def test_missing_and_malformed_files_are_named(self):
        os.rename(os.path.join(self.run_dir, "env.json"), os.path.join(self.run_dir, "env.moved"))
        r = collect(self.run_dir)
        self.assertEqual(r.returncode, 1)
        self.assertIn("env.json", r.stderr)
        self.assertIn("missing", r.stderr)
        os.rename(os.path.join(self.run_dir, "env.moved"), os.path.join(self.run_dir, "env.json"))

        self.assertEqual(collect(self.run_dir).returncode, 0)
        pts = os.path.join(self.run_dir, "data", "points.json")
        with open(pts, "r+", encoding="utf-8") as f:
            text = f.read()
            f.seek(0)
            f.write(text[: len(text) // 2])
            f.truncate()
        r = report(self.run_dir)
        self.assertEqual(r.returncode, 1)
        self.assertIn("points.json", r.stderr)
        self.assertIn("malformed", r.stderr)
        r = plots(self.run_dir)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("points.json", r.stderr)
        os.unlink(pts)
        r = report(self.run_dir)
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr, r"points\.json: missing")
        self.assertEqual(report(os.path.join(self.tmp, "nowhere")).returncode, 1)
        self.assertEqual(run([sys.executable, os.path.join(SCRIPTS, "report.py")]).returncode, 2)

        meta = self.raw("switch", sorted(n for n in os.listdir(os.path.join(self.run_dir, "raw", "switch"))
                                         if n.endswith(".meta"))[0])
        with open(meta, "w", encoding="utf-8") as f:
            f.write("this is not a meta file\n")
        r = collect(self.run_dir)
        self.assertEqual(r.returncode, 1)
        self.assertIn(os.path.basename(meta), r.stderr)

    def test_failed_points_are_data(self):
        # a hung point and a point whose output is garbage: recorded, reported, the rest goes on
        base = self.raw("spawn", "coro.r1")
        with open(base + ".meta", encoding="utf-8") as f:
            meta = f.read().replace("rc=0", "rc=124")
        with open(base + ".meta", "w", encoding="utf-8") as f:
            f.write(meta)
        with open(self.raw("spawn", "threads.r1.out"), "w", encoding="utf-8") as f:
            f.write("{truncated")
        self.pipeline()
        with open(os.path.join(self.run_dir, "REPORT.md"), encoding="utf-8") as f:
            text = f.read()
        failed = text.split("## Failed points", 1)[1]
        self.assertRegex(failed, r"\| spawn \| coro \| 1 \| hung: no result within the [\d.]+ s time limit")
        self.assertRegex(failed, r"\| spawn \| threads \| 1 \| exit 0 but raw/spawn/threads\.r1\.out is not a JSON")


@needs_tools
class Driver(unittest.TestCase):
    """The runner end to end on the fake build: seconds, not minutes."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cb-driver-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def bench(self, *args, env=None):
        e = dict(os.environ, CB_REPS="1", CB_PEERS=os.path.join(self.tmp, "no-peers.sh"))
        e.update(env or {})
        return run(["sh", os.path.join(SCRIPTS, "bench.sh"), "--build", FAKEBUILD, "--quick",
                    "--results", self.tmp] + list(args), env=e)

    def test_usage_errors(self):
        r = run(["sh", os.path.join(SCRIPTS, "bench.sh")])
        self.assertEqual(r.returncode, 2)
        self.assertIn("--build", r.stderr)
        r = self.bench("--only", "nosuchstep")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--only: unknown step 'nosuchstep'", r.stderr)
        r = run(["sh", os.path.join(SCRIPTS, "bench.sh"), "--build", os.path.join(self.tmp, "nobuild")])
        self.assertEqual(r.returncode, 2)
        self.assertIn("nobuild", r.stderr)

    def test_hung_and_crashed_points_are_recorded_and_the_run_goes_on(self):
        r = self.bench("--only", "switch,spawn,peers",
                       env={"FAKE_HANG": "switch --n 200000 --pin split", "FAKE_CRASH": "spawn --n 2000",
                            "CB_POINT_LIMIT": "8"})  # a loaded machine starts the fake slowly
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.strip().endswith("REPORT.md"), r.stdout)
        self.assertRegex(r.stderr, r"\[1/5\] context switch")
        # without a terminal: a progress line per tenth of a step, the last at 100%
        prog = re.findall(r"^ +switch: (\d+)/(\d+) points \((\d+)%\)", r.stderr, re.M)
        self.assertTrue(1 <= len(prog) <= 10, r.stderr)
        self.assertEqual(prog[-1][0], prog[-1][1], r.stderr)
        self.assertEqual(prog[-1][2], "100")
        with open(os.path.join(self.tmp, "REPORT.md"), encoding="utf-8") as f:
            text = f.read()
        self.assertRegex(text, r"\| switch \| coro-split \| 1 \| hung: no result within the 8 s time limit")
        self.assertRegex(text, r"\| spawn \| threads \| 1 \| crashed: killed by SIGSEGV")
        self.assertIn("peers: peers manifest", text)
        self.assertIn("*Plot not drawn: no data in this run*", text, "a sweep not run has no plot, and no error")
        self.assertIn("Claim 7", text)
        self.assertTrue(os.path.isfile(os.path.join(self.tmp, "ref", "points.json")))

    def test_a_run_without_report_never_clobbers_results(self):
        good = os.path.join(self.tmp, "REPORT.md")
        with open(good, "w", encoding="utf-8") as f:
            f.write("the last good report\n")
        empty = os.path.join(self.tmp, "runs", "x")
        os.makedirs(empty)
        r = run(["sh", os.path.join(SCRIPTS, "publish.sh"), empty, self.tmp])
        self.assertEqual(r.returncode, 1)
        self.assertIn("not publishing", r.stderr)
        # a run whose collect step fails (broken env.json) ends without touching results/
        r = self.bench("--only", "spawn", env={"CB_FAULT": "collect"})
        with open(good, encoding="utf-8") as f:
            self.assertEqual(f.read(), "the last good report\n")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("results/ untouched", r.stderr)

    def test_an_interrupted_run_never_clobbers_results(self):
        good = os.path.join(self.tmp, "REPORT.md")
        with open(good, "w", encoding="utf-8") as f:
            f.write("the last good report\n")
        e = dict(os.environ, CB_REPS="1", FAKE_HANG="spawn --n", CB_POINT_LIMIT="60")
        p = subprocess.Popen([sys.executable, os.path.join(SCRIPTS, "bench.py"), "--build", FAKEBUILD, "--quick",
                              "--results", self.tmp, "--only", "spawn"], env=e, stderr=subprocess.PIPE, text=True)
        self.assertIn("[1/4]", p.stderr.readline())  # measuring the first point, which hangs
        time.sleep(1)
        p.send_signal(signal.SIGINT)  # Ctrl-C
        err = p.communicate(timeout=60)[1]
        self.assertEqual(p.returncode, 130, err)
        self.assertIn("interrupted", err)
        self.assertRegex(err, r"partial data in \S+/runs/\S+/raw, results/ untouched")
        with open(good, encoding="utf-8") as f:
            self.assertEqual(f.read(), "the last good report\n")
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "ref")))
        runs = os.path.join(self.tmp, "runs")
        cb = os.path.join(runs, os.listdir(runs)[0], "bin", "corobench")
        ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
        self.assertNotIn(cb, ps, "the hung measurement was stopped with the run")


class Registry(unittest.TestCase):
    """The workload registry: what every module declares, and the matrix it runs."""

    class Ctx:
        cb, micro, build, cores = "/cb", "/micro", "/build", 2

    def test_every_module_declares_its_parts(self):
        mods = workloads.load()
        self.assertGreaterEqual(len(mods), 8)
        for m in mods:
            self.assertIsInstance(m.ORDER, int, m.__name__)
            # a module of the report only runs nothing but gives sections or targets
            self.assertTrue(m.STEPS or getattr(m, "SECTIONS", None) or getattr(m, "TARGETS", None), m.__name__)
            for st in m.STEPS:
                for mode in ("quick", "full"):
                    self.assertGreaterEqual(st.params[mode]["reps"], 1, f"{st.name} {mode}")
                    self.assertTrue(st.points(st.params[mode], self.Ctx()), f"{st.name} {mode}: no points")
        steps = [s.name for s in workloads.steps()]
        self.assertEqual(len(steps), len(set(steps)), steps)
        self.assertNotIn("peers", steps, "the peers step is the runner's")
        self.assertEqual(len(PLOTS), len(set(PLOTS)), PLOTS)
        self.assertEqual(sorted(workloads.claims()), list(range(1, 8)), "the article's seven claims, once each")

    def test_a_workload_lives_in_its_own_files(self):
        # Adding a workload touches its C file, its harness module, a test row
        # and the docs; a peer that runs it adds its own code and one line of
        # the manifest. 'fairness' is a word no other code uses, so every
        # file naming it is wiring: outside tests, Markdown and stored
        # results (data), only the C file, the harness module, the manifest
        # and the one module both Python peers run it from may name it.
        if shutil.which("git") is None or not os.path.isdir(os.path.join(ROOT, ".git")):
            self.skipTest("not a git checkout")
        out = subprocess.run(["git", "grep", "-l", "fairness", "--", ":!tests", ":!*.md", ":!results"],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout
        self.assertEqual(sorted(out.split()), ["bench/peers/asyncio/wl_fairness.py", "bench/peers/manifest.json",
                                               "bench/workloads/fairness.c", "scripts/workloads/fairness.py"])

    # Steps whose full sweep changed after results/ref/ was measured: their
    # points are not compared with it until the next published full run
    # (which empties this).
    SWEEP_CHANGED = {}  # step: why its full matrix differs from the reference run until the next one

    def test_full_matrix_is_the_reference_runs(self):
        # the full run measures the same points as the run results/ref/ was made from
        with open(os.path.join(ROOT, "results", "ref", "points.json"), encoding="utf-8") as f:
            ref = json.load(f)["points"]
        with open(os.path.join(ROOT, "results", "ref", "env.json"), encoding="utf-8") as f:
            chosen = json.load(f).get("repetitions") or {}  # what each step's pilot chose
        # this Ctx has no build: the compiled peers (Go, the external echo
        # servers) are absent, so their points in corobench's steps are too
        absent = set(echo.EXTERNAL) | {n for n in peers.names() if not peers.present(n, self.Ctx.build)
                                       and systems.corobench_argv("/cb", n, "switch", []) is None}
        for st in workloads.steps():
            p = st.params["full"]
            reps = chosen[st.name]["reps"] if st.name in chosen else p["reps"]
            self.assertLessEqual(reps, p.get("max_reps", p["reps"]), st.name)
            names = sorted(f"{pt.name}.r{rep}" for rep in range(1, reps + 1)
                           for pt in st.points(p, self.Ctx()) if pt.runs_in(rep))
            stored = sorted(f"{x['point']}.r{x['rep']}" for x in ref if x["step"] == st.name
                            and x["tags"].get("system") not in absent)
            if st.name in self.SWEEP_CHANGED:
                self.assertNotEqual(names, stored, f"{st.name}: matches the reference again, drop it")
            else:
                self.assertEqual(names, stored, st.name)
            q = st.params["quick"]
            self.assertLessEqual(len(st.points(q, self.Ctx())) * q["reps"], len(names), st.name)

    def test_point_names_are_unique_within_a_repetition(self):
        for st in workloads.steps():
            names = [pt.name for pt in st.points(st.params["full"], self.Ctx())]
            self.assertEqual(len(names), len(set(names)), st.name)

    def test_no_development_bookkeeping(self):
        files = [os.path.join(SCRIPTS, f) for f in ("bench.py", "bench.sh", "plots.py", "report.py", "publish.sh",
                                                    "README.md", "plot-common.gp", "plot-bars.gp", "plot-bars-pair.gp")]
        files += [os.path.join(SCRIPTS, "workloads", f) for f in os.listdir(os.path.join(SCRIPTS, "workloads"))]
        files += [os.path.join(SCRIPTS, "lib", f) for f in ("cbdata.py", "claims.py", "plotdata.py", "collect.py",
                                                            "atomic.py", "md.py", "ratios.py", "rundir.py", "progress.py",
                                                            "systems.py")]
        for path in files:
            if not os.path.isfile(path):
                continue
            with open(path, encoding="utf-8") as f:
                text = f.read()
            self.assertNotRegex(text, r"(?i)issue[ -]?\d|targets7|\.\./shared|DESIGN\.md", path)

    def test_markdown_cells_are_escaped(self):
        import md
        self.assertEqual(md.table(("a", "b"), [("x|y", None), ("two\nlines", 3)]),
                         ["| a | b |", "|---|---|", "| x\\|y | — |", "| two lines | 3 |"])
        self.assertEqual(md.table(("n", "v"), [], "lr")[1], "|---|---:|", "numbers aligned right on request")


class Reference(unittest.TestCase):
    """results/REPORT.md is what report.py makes of results/ref/."""

    def test_report_regenerates_from_the_reference_data(self):
        tmp = tempfile.mkdtemp(prefix="cb-ref-")
        try:
            shutil.copytree(os.path.join(ROOT, "results", "ref"), os.path.join(tmp, "ref"))
            shutil.copytree(os.path.join(ROOT, "results", "plots"), os.path.join(tmp, "plots"))
            r = report(tmp)
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(os.path.join(tmp, "REPORT.md"), encoding="utf-8") as f:
                again = f.read()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        with open(os.path.join(ROOT, "results", "REPORT.md"), encoding="utf-8") as f:
            committed = f.read()
        facts = reportfacts.facts(committed)
        self.assertEqual(sum(facts["claim verdicts"].values()), 7)
        self.assertGreater(sum(facts["targets met"].values()), 0)
        self.assertEqual(reportfacts.differences(committed, again), [])

    def test_tables_regenerate_from_the_reference_points(self):
        # results/ref/csv/ is what the registry's tables make of results/ref/points.json, to the digit
        import collect
        with open(os.path.join(ROOT, "results", "ref", "points.json"), encoding="utf-8") as f:
            points = json.load(f)["points"]
        tables = workloads.tables(points)
        csv_dir = os.path.join(ROOT, "results", "ref", "csv")
        self.assertEqual(sorted(n + ".csv" for n in tables), sorted(os.listdir(csv_dir)))
        for name, (cols, rows) in tables.items():
            with open(os.path.join(csv_dir, name + ".csv"), encoding="utf-8") as f:
                self.assertEqual(collect.to_csv(cols, rows), f.read(), name)

    def test_facts_see_a_changed_number_or_verdict(self):
        with open(os.path.join(ROOT, "results", "REPORT.md"), encoding="utf-8") as f:
            text = f.read()
        self.assertTrue(reportfacts.differences(text, text.replace("**Verdict: holds.**", "**Verdict: does not hold.**", 1)))
        self.assertTrue(reportfacts.differences(text, re.sub(r"\d+\.\d+", "9.99", text, count=1)))


def main():
    """unittest, with the exit status ctest reads: 77 (skipped) when every test that ran was skipped."""
    prog = unittest.main(verbosity=2, exit=False)
    r = prog.result
    if r.failures or r.errors or r.unexpectedSuccesses:
        return 1
    if r.skipped and len(r.skipped) == r.testsRun:
        return 77
    return 0


if __name__ == "__main__":
    sys.exit(main())
