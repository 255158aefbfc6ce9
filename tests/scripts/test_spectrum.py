#!/usr/bin/env python3
"""Tests of the skynet harness module and of the report's spectrum (its
section and the targets of corobench's coroutines) on synthetic points:
checksums against the tree's, the depth a capped peer ran, where a system
stopped, and each target reaching met, missed and inconclusive."""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "..", "..", "scripts"), os.path.join(HERE, "..", "..", "scripts", "lib")]
try:
    import stats  # noqa: E402
    import cbdata  # noqa: E402
    from workloads import micro, skynet, spectrum  # noqa: E402
except ImportError as e:  # scipy missing: say so, let ctest count a skip
    print(f"test_spectrum: cannot import the harness ({e}); skipped", file=sys.stderr)
    sys.exit(77)


def point(step, name, system, rep, results, tags=None, params=None, checksum=None, status="ok"):
    return {"step": step, "point": name, "rep": rep, "kind": "cli", "rc": 0 if status == "ok" else 1,
            "elapsed_ms": 1, "limit_s": 60, "cmd": "", "status": status, "error": None,
            "tags": {"system": system, **(tags or {})},
            "result": {"params": params or {}, "checksum": checksum, "results": results}}


def sky(system, depth, rep, ns, peer=False, ran=None, checksum=None):
    d = ran if ran is not None else depth
    cs = checksum or skynet.expected(10, d)[1]
    step, name = ("peers", f"{system}-skynet") if peer else ("skynet", f"{system}-d{depth}")
    return point(step, name, system, rep, {"ns_per_task": ns}, {"depth": str(depth)},
                 {"depth": d, "fanout": 10}, cs)


class Skynet(unittest.TestCase):
    def test_checksums_are_corobenchs(self):
        # what `corobench skynet --backend coro` printed for these trees
        self.assertEqual(skynet.expected(10, 6), (1111111, "0x597a46fed165c534"))
        self.assertEqual(skynet.expected(10, 4), (11111, "0xd4ee014c73859a1b"))
        self.assertEqual(skynet.expected(3, 2), (13, "0xc12b9cfa2a502aac"))

    def test_a_wrong_checksum_is_a_failed_point(self):
        pts = [sky("coro", 4, r, 100.0 + r) for r in (1, 2)] + [sky("go", 4, 1, 50.0, peer=True, checksum="0x1")]
        rows = {(r["system"], r["depth"]): r for r in skynet.tables(pts)["skynet"][1]}
        self.assertEqual(rows[("coro", 4)]["n_ok"], 2)
        self.assertEqual((rows[("go", 4)]["n_ok"], rows[("go", 4)]["n_failed"]), (0, 1))
        self.assertIn("checksum 0x1 differs", rows[("go", 4)]["error"])
        self.assertEqual(pts[-1]["status"], "failed")

    def test_a_capped_peer_reports_the_depth_it_ran_and_why(self):
        pts = [sky("coro", 6, r, 100.0) for r in (1, 2)]
        pts += [sky("pythreads", 6, r, 1e5 + r, peer=True, ran=3) for r in (1, 2, 3)]
        t = skynet.tables(pts)
        row = [r for r in t["skynet"][1] if r["system"] == "pythreads"][0]
        self.assertEqual((row["depth"], row["requested"], row["tasks"]), (3, 6, 1111))
        said = " ".join(skynet.stops(t, 6))
        self.assertIn("Python threads (GIL) ran 1,111 tasks (depth 3), not this run's largest tree "
                      "(1,111,111 tasks)", said)
        self.assertIn("cap", said)
        self.assertIn("extrapolation", said)

    def test_a_limit_probe_says_where_threads_stopped(self):
        pts = [sky("coro", 6, 1, 100.0)] + [sky("threads", 5, r, 9e4) for r in (1, 2)]
        probe = point("skynet", "threads-d6", "threads", 1, {}, {"depth": "6", "probe": "limit"}, status="failed")
        probe["error"] = "thread creation failed after 34830 tasks: resource temporarily unavailable"
        t = skynet.tables(pts + [probe])
        said = " ".join(skynet.stops(t, 6))
        self.assertIn("threads (depth 6) stopped at a resource limit: thread creation failed after 34830 tasks", said)
        self.assertIn("threads ran 111,111 tasks (depth 5)", said)
        self.assertTrue(cbdata.limit_reached(probe))
        self.assertFalse(cbdata.failed(probe), "a limit reached is not a failed point")
        probe["tags"].pop("probe")
        self.assertTrue(cbdata.failed(probe), "the same point without the tag is a failure")
        said = " ".join(skynet.stops(skynet.tables(pts + [probe]), 6))
        self.assertIn("threads (depth 6) failed: thread creation", said)

    def test_table_plot_and_reading(self):
        pts = [sky("coro", 4, r, v) for r, v in ((1, 100.0), (2, 110.0), (3, 105.0))]
        pts += [sky("go", 4, r, v, peer=True) for r, v in ((1, 300.0), (2, 320.0), (3, 310.0))]
        t = skynet.tables(pts)
        text = "\n".join(skynet.table(t))
        self.assertIn("| coro M:1 | 4 | 11111 | 105 ns |", text)
        self.assertIn("not comparable", text)
        csv = skynet.plot_data(t, {})["skynet.csv"]
        self.assertEqual(len(csv.strip().splitlines()), 3)
        self.assertIn("2.95×", skynet.reading(t, {}))

    def test_headline_ratio_has_an_interval_from_the_repetitions(self):
        import ratios
        pts = [sky("coro", 6, r, v) for r, v in ((1, 100.0), (2, 110.0), (3, 105.0))]
        pts += [sky("go", 6, r, v, peer=True) for r, v in ((1, 300.0), (2, 320.0), (3, 310.0))]
        (_, _, better, vals), = skynet.headline(skynet.tables(pts))
        iv = ratios.interval(vals["coro"][2], vals["go"][2], better)
        self.assertAlmostEqual(iv.estimate, 310.0 / 105.0)
        self.assertIsNotNone(iv.low, "three repetitions a side give an interval")
        self.assertFalse(iv.paired, "the peers step is another moment: unpaired")

    def test_systems_are_set_against_each_other_on_one_tree(self):
        pts = [sky("coro", 4, r, 900.0) for r in (1, 2)] + [sky("coro", 3, r, 100.0) for r in (1, 2)]
        pts += [sky(s, 3, r, 300.0, peer=True) for s in ("go", "cxx20") for r in (1, 2)]
        t = skynet.tables(pts)
        self.assertEqual(skynet.common_rows(t)["coro"]["depth"], 3)
        self.assertEqual(skynet.best_rows(t)["coro"]["depth"], 4)
        self.assertIn("coro M:1 (depth 3) against Go goroutines (GOMAXPROCS=1) (depth 3): 3×", skynet.reading(t, {}))

    def test_nothing_measured(self):
        t = skynet.tables([])
        self.assertEqual(skynet.reading(t, {}), "skynet was not measured in this run.")
        self.assertIn("not measured in this run", skynet.table(t)[0])


def switch_points(coro, others):
    pts = [point("switch", "coro-same", "coro", r, {"ns_per_switch": v}, {"mech": "coro", "pin": "same"})
           for r, v in enumerate(coro, 1)]
    for s, vals in others.items():
        pts += [point("peers", f"{s}-switch", s, r, {"ns_per_switch": v}) for r, v in enumerate(vals, 1)]
    return pts


class Spectrum(unittest.TestCase):
    def verdicts(self, pts):
        t = spectrum.tables(pts) | skynet.tables(pts)
        return {r["target"]: r for r in spectrum.targets(t, {})}

    def test_met_missed_inconclusive(self):
        coro = [20.0, 21.0, 20.5, 20.2, 20.8]
        pts = switch_points(coro, {"go": [130.0, 135.0, 128.0, 140.0, 133.0],      # far behind: met
                                   "cxx20": [10.0, 10.5, 10.2, 9.9, 10.1],          # far ahead: missed
                                   "tokio": [15.0, 26.0, 19.0, 24.0, 21.0]})        # overlapping
        v = self.verdicts(pts)
        go = v["context switch: coro M:1 ahead of Go goroutines (GOMAXPROCS=1)"]
        self.assertEqual(go["verdict"], stats.MET)
        self.assertGreater(go["interval"].low, 6)
        cx = v["context switch: coro M:1 no slower than C++20 coroutines (stackless, no library)"]
        self.assertEqual(cx["verdict"], stats.MISSED)
        self.assertIn("is ahead", cx["measured"])
        self.assertEqual(v["context switch: coro M:1 ahead of Rust Tokio (current_thread)"]["verdict"],
                         stats.INCONCLUSIVE)
        self.assertNotIn("raw switch", cx["measured"], "no Google Benchmark run: nothing measured to cite")
        # the raw switch with and without the FP control state is cited beside the gap, only when both ran
        t = spectrum.tables(pts) | skynet.tables(pts)
        nofp = {"name": "switch/coro/rawctx_nofp", "samples": [3.9, 4.0, 4.1, 3.8, 4.0]}
        t["gbench"] = (("name", "samples"), [nofp])
        cx1 = {r["target"]: r for r in spectrum.targets(t, {})}[cx["target"]]
        self.assertNotIn("raw switch", cx1["measured"], "one of the two cases alone is no comparison")
        t["gbench"] = (("name", "samples"), [{"name": "switch/coro/rawctx", "samples": [5.9, 6.0, 6.1, 5.8, 6.0]},
                                             nofp])
        cx = {r["target"]: r for r in spectrum.targets(t, {})}[cx["target"]]
        self.assertRegex(cx["measured"], r"raw switch takes 6 \[5\.8\d*, 6\.1\d*\] ns with that state and "
                                         r"4 \[3\.8\d*, 4\.1\d*\] ns without it")
        self.assertEqual(cx["verdict"], stats.MISSED, "an explanation does not change the verdict")
        self.assertEqual((micro.kind("switch/coro/rawctx_nofp"), micro.kind("switch/coro/rawctx")),
                         ("other", "switch"), "the switch less its FP state is not ranked among the switches")
        self.assertEqual(micro.words("switch/coro/rawctx_nofp"), "corobench raw switch, no FP state")
        same = {"gbench": (("name", "samples"), [{"name": "switch/coro/rawctx", "samples": [4.0, 4.0, 4.0]}])}
        self.assertEqual(micro.case_text(same, "switch/coro/rawctx"), "4 ns (no interval: 3 repetitions)")
        self.assertIsNone(micro.case_text(same, "switch/coro/rawctx_nofp"))

    def test_readings_name_systems_in_words(self):
        from workloads import switch
        rows = [{"system": "coro", "mech": "coro", "pin": "same", "source": "corobench switch", "median": 9.0},
                {"system": "threads", "mech": "futex", "pin": "same", "source": "corobench switch", "median": 2500.0},
                {"system": "pythreads", "mech": "pythreads", "pin": "none", "source": "peer switch", "median": 4e4}]
        s = switch.extremes(rows, [{"name": "switch/fcontext", "median": 6.0}], switch.words)
        self.assertIn("The cheapest is Boost.Context jump_fcontext at 6 ns", s)
        self.assertIn("the dearest Python threads (GIL) at", s)
        self.assertIn("threads cost 278× more", s)
        self.assertNotIn("gb:", s)

    def test_cxx20_goals(self):
        # spawn + join within 2x of C++20's: 1.5x slower meets it, 3x misses
        # it; the queue rows set no goal against C++20 and give no target
        for theirs, want in ((20.0, stats.MET), (10.0, stats.MISSED)):
            pts = [point("spawn", "coro-spawn", "coro", r, {"ns_per_task": 30.0 + r / 10}) for r in (1, 2, 3)]
            pts += [point("peers", "cxx20-spawn", "cxx20", r, {"ns_per_task": theirs + r / 10}) for r in (1, 2, 3)]
            v = self.verdicts(pts)
            self.assertEqual(v["spawn + join: coro M:1 within 2x of C++20 coroutines (stackless, no library)"]
                             ["verdict"], want)
        pts = [point("prodcons", "coro-1x1-c1-w0", "coro", r, {"items_per_s": 2e7},
                     {"p": "1", "c": "1", "capacity": "1", "work_ns": "0"}) for r in (1, 2, 3)]
        pts += [point("peers", "cxx20-prodcons-c1", "cxx20", r, {"items_per_s": 5e7 + r},
                      {"p": "1", "c": "1", "capacity": "1", "work_ns": "0"}) for r in (1, 2, 3)]
        self.assertFalse([k for k in self.verdicts(pts) if "C++20" in k])

    def test_throughput_is_higher_better(self):
        pts = [point("prodcons", "coro-1x1-c1-w0", "coro", r, {"items_per_s": 2e7},
                     {"p": "1", "c": "1", "capacity": "1", "work_ns": "0"}) for r in (1, 2, 3)]
        pts += [point("peers", "go-prodcons-c1", "go", r, {"items_per_s": 5e6 + r},
                      {"p": "1", "c": "1", "capacity": "1", "work_ns": "0"}) for r in (1, 2, 3)]
        v = self.verdicts(pts)
        row = v["queue hand-off, capacity 1: coro M:1 ahead of Go goroutines (GOMAXPROCS=1)"]
        self.assertEqual(row["verdict"], stats.MET)
        self.assertAlmostEqual(row["interval"].estimate, 2e7 / (5e6 + 2))

    def test_no_coroutine_data_is_not_measured(self):
        v = self.verdicts(switch_points([], {"go": [130.0, 131.0]}))
        self.assertEqual(v["context switch: coro M:1 ahead of Go goroutines (GOMAXPROCS=1)"]["verdict"],
                         stats.NOT_MEASURED)

    def test_section_groups_kinds_and_says_who_wins(self):
        pts = switch_points([20.0, 21.0], {"go": [130.0, 131.0], "cxx20": [10.0, 11.0]})
        pts += [sky("coro-shared", 4, r, 900.0) for r in (1, 2)]
        t = spectrum.tables(pts) | skynet.tables(pts)
        text = "\n".join(spectrum.section(t, pts, {}))
        self.assertIn("| stackless | C++20 coroutines (stackless, no library) | 10.5 ns |", text)
        self.assertIn("| stackful, shared stack | coro M:1, shared stack | — |", text)
        self.assertIn("- context switch: **stackless** win with C++20", text)
        self.assertIn("- spawn + join: not measured in this run.", text)

    def test_empty_run(self):
        t = spectrum.tables([]) | skynet.tables([])
        self.assertIn("Not measured in this run.\n", spectrum.section(t, [], {}))


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(HERE, "..", "lib"))
    import ctestrun  # noqa: E402
    ctestrun.main(sys.argv)
