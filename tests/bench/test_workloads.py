#!/usr/bin/env python3
"""test_workloads.py CBIN — every workload on every backend with small
parameters: exit 0, one valid JSON object (bench/result.schema.json), and the SAME
checksum on coro, threads and ucontext (the backends did the same work), and
for prodcons/cpubound on coro with --workers 2 (M:N) too, and cpubound on
threads with --workers 2 (two pinned threads, tasks split statically).
Also: the human summary works, --out writes the file atomically, --help;
and (MemoryBaseline, its own ctest test) spawn --alive's handles are in its
memory baseline."""
import json
import os
import tempfile

import cbtest as t

CASES = [
    ("article", ["sequential", "--n", "5"], None),
    ("article", ["concurrent", "--n", "5"], None),
    ("article", ["queue", "--n", "7", "--capacity", "2"], None),
    ("article", ["queue", "--n", "7"], None),
    ("switch", ["--n", "2000"], None),
    ("switch", ["--n", "500", "--pin", "none"], None),
    ("spawn", ["--n", "300"], None),
    ("spawn", ["--n", "200", "--alive"], "spawn-alive"),
    ("spawn", ["--n", "50", "--alive", "--stack", "65536"], "spawn-alive"),
    ("prodcons", ["--items", "3000", "--producers", "3", "--consumers", "2", "--capacity", "4"], None),
    ("prodcons", ["--items", "500", "--capacity", "0", "--work-ns", "200"], None),
    ("prodcons", ["--items", "1000", "--capacity", "1", "--producers", "4", "--consumers", "4"], None),
    ("cpubound", ["--tasks", "3", "--total-work", "2000", "--wss", "1000"], None),
    ("cpubound", ["--tasks", "1", "--total-work", "999", "--wss", "64"], None),
    ("cpubound", ["--tasks", "8", "--total-work", "1001", "--yield-every", "7", "--wss", "0"], None),
    ("fairness", ["--tasks", "2", "--duration-ms", "5", "--yield-us", "200", "--period-us", "500"], None),
    ("fairness", ["--tasks", "1", "--duration-ms", "5", "--yield-us", "0"], None),
    ("fairness", ["--tasks", "0", "--duration-ms", "3"], None),
    ("skynet", ["--depth", "3", "--fanout", "10"], None),
]


def check_sane(tc, wl, args, kind, bk, res):
    """The results describe the work asked for."""
    if wl == "switch":
        tc.assertEqual(res["switches"], 2 * int(args[1]))
    if wl == "prodcons":
        tc.assertEqual(res["items"], int(args[1]))
    if wl == "cpubound":
        tc.assertEqual(res["work_units"], int(args[3]))
    if wl == "spawn" and kind:
        tc.assertEqual((res["tasks_reached"], res["limit_error"]), (int(args[1]), None))
        tc.assertGreater(res["peak_rss_bytes"], 0)
    if wl == "fairness":
        tc.assertGreaterEqual(res["ticks"], 1)
    if wl == "skynet":  # 1111 tasks over 1000 leaves numbered 0..999
        tc.assertEqual((res["tasks"], res["leaves"], res["sum"]), (1111, 1000, 999 * 1000 // 2))


class Workloads(t.CbTest):
    def backends_agree(self, wl, args, kind):
        sums = {}
        for bk in t.BACKENDS:
            obj = self.run_json(args, wl, bk, kind)
            sums[bk] = obj["checksum"]
            check_sane(self, wl, args, kind, bk, obj["results"])
        # M:N: the coroutine backend on 2 workers does the same work (real threads).
        if wl in ("prodcons", "cpubound"):
            obj = self.run_json(args + ["--workers", "2"], wl, "coro", kind)
            self.assertEqual(obj["params"].get("workers"), 2)
            sums["coro --workers 2"] = obj["checksum"]
        if wl == "cpubound":
            obj = self.run_json(args + ["--workers", "2"], wl, "threads", kind)
            res = obj["results"]
            self.assertEqual(res.get("split_threads"), min(2, int(args[1])))
            self.assertEqual(res["work_units"], int(args[3]))
            sums["threads --workers 2"] = obj["checksum"]
        self.assertEqual(len(set(sums.values())), 1, f"checksums differ across backends: {sums}")

    def test_every_backend_does_the_same_work(self):
        for wl, args, kind in CASES:
            with self.subTest(f"{wl} {' '.join(args)}"):
                self.backends_agree(wl, args, kind)

    def test_human_summary_and_help(self):
        p = self.cb(["switch", "--n", "100", "--backend", "threads"])
        self.assertEqual(p.returncode, 0)
        self.assertIn("switch on threads: ok", p.stdout)
        self.assertIn("checksum", p.stdout)
        for args in (["--help"], ["switch", "--help"], ["article", "--help"]):
            p = self.cb(args)
            self.assertEqual(p.returncode, 0, args)
            self.assertIn("usage: corobench", p.stdout)

    def test_out_writes_the_file_atomically(self):
        """--out writes the JSON object to a file (via a temporary + rename)
        and leaves no temporary behind."""
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "r.json")
            p = self.cb(["spawn", "--n", "10", "--out", path])
            self.assertEqual((p.returncode, p.stdout), (0, ""))
            with open(path) as f:
                self.assertResult(json.load(f), "spawn", "coro")
            self.assertEqual(os.listdir(d), ["r.json"])
            p = self.cb(["spawn", "--n", "10", "--out", os.path.join(d, "no", "such", "dir.json")])
            self.assertEqual(p.returncode, 1)
            self.assertIn("--out", p.stderr)


class MemoryBaseline(t.CbTest):
    """Its own ctest test, not run on sanitizer builds (label nosan): their
    allocators and shadow memory move the resident baseline by more than the
    handles weigh."""

    def test_the_handles_are_in_the_baseline(self):
        """spawn --alive keeps one handle per task in an array of the harness;
        it must be resident before the baseline is read, or its 8 B per task
        are counted as every task's memory."""
        small = self.run_json(["--n", "1000", "--alive"], "spawn", "coro", "spawn-alive")
        if small["env"].get("sanitize"):
            self.skipTest(f"a {small['env']['sanitize']} build's memory is not the product's")
        large = self.run_json(["--n", "300000", "--alive"], "spawn", "coro", "spawn-alive")
        grown = large["results"]["baseline_rss_bytes"] - small["results"]["baseline_rss_bytes"]
        self.assertGreater(grown, 0.8 * 299000 * 8, f"the baseline grew by {grown} B")


if __name__ == "__main__":
    t.main()
