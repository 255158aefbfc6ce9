"""test_cpubound.py -- cpubound's own result fields and options.

The start-barrier delay (start_delay_ns) and the pinned/unpinned static
split (--no-pin, split_pinned) are declared in the workload's results schema
(`corobench cpubound --results-schema`) and every result is checked against
it and against bench/result.schema.json (cbtest.assertResult).
"""
import json

import cbtest as t

ARGS = ["--tasks", "8", "--total-work", "4000", "--wss", "256"]


class Cpubound(t.CbTest):
    def test_start_delay_is_declared_and_within_the_window(self):
        schema = json.loads(self.cb(["cpubound", "--results-schema"]).stdout)
        # declared optional (peers running cpubound need not record it);
        # corobench records it on every backend:
        self.assertEqual(schema["properties"]["start_delay_ns"]["type"], "integer")
        for bk in t.BACKENDS:
            res = self.run_json(ARGS, "cpubound", bk)["results"]
            self.assertIn("start_delay_ns", res, bk)
            self.assertLessEqual(res["start_delay_ns"], res["wall_ns"], bk)

    def test_m1_starts_its_last_task_after_the_others_ran(self):
        # M:1 without yields: the last task starts only when the seven before
        # it have run to the end, so the delay is most of the window.
        res = self.run_json(["--tasks", "8", "--total-work", "400000", "--wss", "64"], "cpubound",
                            "coro")["results"]
        self.assertGreater(res["start_delay_ns"], res["wall_ns"] // 2)

    def test_no_pin_leaves_the_split_unpinned(self):
        pinned = self.run_json(ARGS + ["--workers", "2"], "cpubound", "threads")
        free = self.run_json(ARGS + ["--workers", "2", "--no-pin"], "cpubound", "threads")
        self.assertEqual(free["results"]["split_pinned"], 0)
        self.assertIs(free["params"]["no_pin"], True)
        self.assertEqual(free["checksum"], pinned["checksum"])

    def test_no_pin_leaves_the_mn_workers_unpinned(self):
        pinned = self.run_json(ARGS + ["--workers", "2"], "cpubound", "coro")
        free = self.run_json(ARGS + ["--workers", "2", "--no-pin"], "cpubound", "coro")
        self.assertIs(free["params"]["no_pin"], True)
        self.assertEqual(free["checksum"], pinned["checksum"])

    def test_no_pin_needs_several_workers(self):
        for extra in (["--backend", "coro"], ["--backend", "threads"]):
            p = self.cb(["cpubound", "--no-pin"] + extra)
            self.assertEqual(p.returncode, 2, extra)
            self.assertIn("--no-pin", p.stderr)
            self.assertEqual(len(p.stderr.strip().splitlines()), 1)


if __name__ == "__main__":
    t.main()
