#!/usr/bin/env python3
"""Tests of the echo targets and tables (scripts/workloads/echo.py) on
synthetic points: each target is driven to every outcome it can give (met,
missed, inconclusive, not comparable, not measured), a server that could not
hold the connections is never compared, and the floor ratios and syscall
rows come from the data.  Exit 77 (skipped) when scipy is missing."""
import contextlib
import io
import os
import stat
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(HERE, "..", "..", "scripts")
sys.path[:0] = [SCRIPTS, os.path.join(SCRIPTS, "lib")]
try:
    import stats  # noqa: E402
    from workloads import echo  # noqa: E402
except ImportError as e:  # scipy missing: say so, let ctest count a skip
    print(f"test_echo_targets: cannot import ({e}); skipped", file=sys.stderr)
    sys.exit(77)

C = echo.C
M1_THREADS = "echo at 10000 connections, coro M:1: requests/s ≥ 2× thread-per-connection"
M1_P99 = "echo at 10000 connections, coro M:1: lower p99 latency than threads"
M1_MEM = "echo at 10000 connections, coro M:1: memory < 1/4 of threads' (RSS + kernel stacks)"
M1_FLOOR = "echo at 10000 connections, coro M:1: requests/s ≥ 0.9× the epoll loop, no coroutines"


def point(system, rep, rps, p99_ns=1_000_000, mem=10 << 20, established=C, limit=None, conns=C,
          syscalls=2.0, status="ok"):
    res = {"requests_per_s": rps, "lat_p99_ns": p99_ns, "server_peak_rss_bytes": mem,
           "kernel_stack_delta_bytes": 0, "connections_established": established, "limit_error": limit,
           "syscalls_per_request": syscalls}
    return {"step": "echo", "point": f"{system}-c{conns}", "rep": rep, "status": status,
            "error": None if status == "ok" else "it crashed", "cmd": "",
            "tags": {"system": system, "connections": conns}, "result": {"results": res}}


def series(system, values, **kw):
    return [point(system, i + 1, v, **kw) for i, v in enumerate(values)]


def verdicts(points):
    t = echo.tables(points)
    return {row["target"]: row for row in echo.targets(t, {})}


STEADY = [100.0, 101.0, 99.0, 100.5, 99.5]


class EchoTargets(unittest.TestCase):
    def test_every_target_is_three_valued_with_an_interval(self):
        rows = verdicts(series("coro", [3 * x for x in STEADY]) + series("threads", STEADY)
                        + series("epoll", STEADY))
        for name, row in rows.items():
            if "M:N" in name:
                self.assertEqual(row["verdict"], stats.NOT_MEASURED, name)
                continue
            self.assertIn(row["verdict"], (stats.MET, stats.MISSED, stats.INCONCLUSIVE), name)
            self.assertIsNotNone(row["interval"].low, name)
            self.assertIn("[", row["measured"], name)

    def test_requests_target_met_missed_inconclusive(self):
        cases = {stats.MET: [3 * x for x in STEADY], stats.MISSED: [1.2 * x for x in STEADY],
                 stats.INCONCLUSIVE: [150.0, 300.0, 180.0, 260.0, 210.0]}
        for want, coro in cases.items():
            with self.subTest(want):
                rows = verdicts(series("coro", coro) + series("threads", STEADY))
                self.assertEqual(rows[M1_THREADS]["verdict"], want, rows[M1_THREADS]["measured"])

    def test_p99_and_memory_targets_follow_the_data(self):
        thr = series("threads", STEADY, p99_ns=10_000_000, mem=400 << 20)
        low = verdicts(series("coro", STEADY, p99_ns=1_000_000, mem=40 << 20) + thr)
        self.assertEqual((low[M1_P99]["verdict"], low[M1_MEM]["verdict"]), (stats.MET, stats.MET))
        high = verdicts(series("coro", STEADY, p99_ns=50_000_000, mem=300 << 20) + thr)
        self.assertEqual((high[M1_P99]["verdict"], high[M1_MEM]["verdict"]), (stats.MISSED, stats.MISSED))
        mixed = [point("coro", i + 1, 100.0, p99_ns=p, mem=m) for i, (p, m) in
                 enumerate(zip((5e6, 15e6, 7e6, 14e6, 9e6), (60 << 20, 150 << 20, 80 << 20, 140 << 20, 100 << 20)))]
        mid = verdicts(mixed + thr)
        self.assertEqual((mid[M1_P99]["verdict"], mid[M1_MEM]["verdict"]),
                         (stats.INCONCLUSIVE, stats.INCONCLUSIVE))

    def test_threads_that_cannot_hold_the_connections_are_never_met(self):
        # threads absurdly fast, 1 ns p99, but only 9,000 of 10,000 connected
        thr = series("threads", [1e9] * 5, p99_ns=1, mem=1, established=9000,
                     limit="thread creation failed at connection 9000: resource unavailable")
        rows = verdicts(series("coro", STEADY) + thr)
        for name in (M1_THREADS, M1_P99, M1_MEM):
            self.assertEqual(rows[name]["verdict"], stats.NOT_COMPARABLE, name)
            self.assertIn("could not hold", rows[name]["measured"])
            self.assertIn("9000", rows[name]["measured"])
        # a limit hit without the count falling short is still a limit
        rows = verdicts(series("coro", STEADY) + series("threads", [1e9] * 5, limit="out of descriptors"))
        self.assertEqual(rows[M1_THREADS]["verdict"], stats.NOT_COMPARABLE)

    def test_a_failed_side_is_not_comparable_an_absent_one_not_measured(self):
        failed = series("threads", [None] * 5, status="failed")
        rows = verdicts(series("coro", STEADY) + failed)
        self.assertEqual(rows[M1_THREADS]["verdict"], stats.NOT_COMPARABLE)
        self.assertIn("it crashed", rows[M1_THREADS]["measured"])
        rows = verdicts(series("coro", STEADY))
        self.assertEqual(rows[M1_THREADS]["verdict"], stats.NOT_MEASURED)
        self.assertEqual(rows[M1_FLOOR]["verdict"], stats.NOT_MEASURED)

    def test_floor_target_every_outcome(self):
        cases = {stats.MET: STEADY, stats.MISSED: [0.5 * x for x in STEADY],
                 stats.INCONCLUSIVE: [70.0, 110.0, 80.0, 105.0, 95.0]}
        for want, coro in cases.items():
            with self.subTest(want):
                rows = verdicts(series("coro", coro) + series("epoll", STEADY))
                self.assertEqual(rows[M1_FLOOR]["verdict"], want, rows[M1_FLOOR]["measured"])
        short = series("epoll", STEADY, established=9500, limit="accept failed: Too many open files")
        rows = verdicts(series("coro", STEADY) + short)
        self.assertEqual(rows[M1_FLOOR]["verdict"], stats.NOT_COMPARABLE)
        self.assertIn("epoll loop", rows[M1_FLOOR]["measured"])

    def test_one_repetition_is_inconclusive(self):
        rows = verdicts([point("coro", 1, 1000.0), point("threads", 1, 100.0), point("epoll", 1, 100.0)])
        self.assertEqual(rows[M1_THREADS]["verdict"], stats.INCONCLUSIVE)
        self.assertEqual(rows[M1_FLOOR]["verdict"], stats.INCONCLUSIVE)


class EchoTables(unittest.TestCase):
    def test_floor_ratios_at_every_connection_count(self):
        pts = []
        for c, f in ((100, 2.0), (1000, 1.0), (C, 0.5)):
            pts += series("coro", [f * x for x in STEADY], conns=c) + series("epoll", STEADY, conns=c)
            pts += series("tokio", STEADY, conns=c) + series("tokio-mt2", [1.5 * x for x in STEADY], conns=c)
        t = echo.tables(pts)
        fr = echo.floor_ratios(t)
        self.assertAlmostEqual(fr[("coro", 100)].estimate, 2.0)
        self.assertAlmostEqual(fr[("coro", C)].estimate, 0.5)
        self.assertAlmostEqual(fr[("tokio", 1000)].estimate, 1.0)
        self.assertAlmostEqual(fr[("tokio-mt2", C)].estimate, 1.5)
        self.assertNotIn(("epoll", 100), fr)
        text = "\n".join(echo.table(t))
        self.assertIn("Requests/s as a ratio of the epoll loop, no coroutines", text)
        self.assertIn("0.5 [", text)
        mt2 = [x for x in text.splitlines() if x.startswith("| Rust Tokio (multi_thread, 2 workers) |")]
        self.assertEqual(len(mt2), 4, "a row per connection count in the servers' table, one in the floor table")
        self.assertIn("1.5 [", mt2[-1])

    def test_without_the_floor_the_table_says_not_measured(self):
        t = echo.tables(series("coro", STEADY) + series("threads", STEADY))
        self.assertIn("not measured in this run", "\n".join(echo.table(t)))

    def test_syscalls_per_request(self):
        t = echo.tables(series("coro", STEADY, syscalls=3.0) + series("tokio", STEADY, syscalls=0.0))
        rows = {r["system"]: r for r in t["echo"][1]}
        self.assertEqual(echo._syscalls(rows["coro"]["syscalls"]), "3")
        self.assertIn("not counted", echo._syscalls(rows["tokio"]["syscalls"]))
        self.assertEqual(echo._syscalls(None), "not measured")


class Ctx:
    def __init__(self, build):
        self.cb, self.build, self.cores = "/x/corobench", build, 2


class EchoSweep(unittest.TestCase):
    def sweep(self, build):
        echo._told.clear()
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            pts = echo.points(echo.PARAMS["full"], Ctx(build))
        return {p.name: p for p in pts}, err.getvalue()

    def test_floor_runs_the_epoll_server(self):
        pts, _ = self.sweep(tempfile.gettempdir())
        argv = pts[f"epoll-c{C}"].argv
        self.assertEqual(argv[:2], ["/x/corobench", "echo"])
        self.assertEqual(argv[-3:], ["--server", "epoll", "--json"])
        self.assertIsNone(pts[f"coro-c{C}"].argv, "corobench's own systems: the runner's command line")

    def test_tokio_is_skipped_with_one_line_per_runtime_when_absent(self):
        with tempfile.TemporaryDirectory() as build:
            pts, err = self.sweep(build)
            again, err2 = self.sweep(build)
        self.assertFalse([n for n in pts if n.startswith("tokio")])
        lines = err.splitlines()
        self.assertEqual(len(lines), 2, err)
        self.assertIn("echo: tokio skipped", lines[0])
        self.assertIn("echo: tokio-mt2 skipped", lines[1])
        self.assertEqual(len(pts), len(again))

    def test_tokio_runs_through_corobench_exec(self):
        with tempfile.TemporaryDirectory() as build:
            exe = os.path.join(build, "bench", "peers", "tokio", "target", "release", "corobench-tokio")
            os.makedirs(os.path.dirname(exe))
            with open(exe, "w") as f:
                f.write("#!/bin/sh\n")
            os.chmod(exe, stat.S_IRWXU)
            pts, err = self.sweep(build)
        argv = pts[f"tokio-c{C}"].argv
        self.assertEqual(err, "")
        self.assertEqual(argv[0], "env")
        self.assertEqual(argv[1], f"COROBENCH_ECHO_SERVER={exe} echo-server --runtime current_thread")
        self.assertEqual(argv[-3:], ["--server", "exec", "--json"])
        mt2 = pts[f"tokio-mt2-c{C}"]
        self.assertEqual(mt2.argv[1], f"COROBENCH_ECHO_SERVER={exe} echo-server --runtime multi_thread --workers 2")
        self.assertEqual(mt2.argv[2:], argv[2:], "the same load generator and options as current_thread")
        for c in echo.PARAMS["full"]["conns"]:
            self.assertIn(f"tokio-mt2-c{c}", pts)
            self.assertEqual(pts[f"tokio-mt2-c{c}"].tags, {"connections": c})


if __name__ == "__main__":
    unittest.main()
