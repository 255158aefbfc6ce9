#!/usr/bin/env python3
"""Tests the comparison half of scripts/regress.py (no measuring, no valgrind).

Why: the gate's value is in its verdicts. These feed it a baseline and
measurements that differ by known amounts and check each verdict, the exit
code, the environment warning, bad input handling, and that a baseline update
keeps hand-tuned limits and is written atomically.
"""
import contextlib
import copy
import io
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TOOL = os.path.join(ROOT, "scripts", "regress.py")
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.path.insert(0, HERE)
import regress  # noqa: E402
import rgtest  # noqa: E402

ENV = {"compiler": "cc 12", "build_type": "Release", "cflags": "-O3 -DNDEBUG",
       "coro_switch": "auto", "coro_sanitize": None, "coro_inject_slowdown": "OFF",
       "valgrind": "valgrind-3.19.0", "glibc": "glibc 2.36", "cpu_model": "X", "machine": "x86_64"}

MEASURED = {
    "schema": "corobench-regress/1", "measured_at": "t", "env": ENV, "errors": {},
    "metrics": {
        "insn.coro.yield": {"value": 100.0, "unit": "instr/yield", "kind": "instructions"},
        "insn.coro.queue_put_get": {"value": 200.0, "unit": "instr/put+get",
                                    "kind": "instructions"},
        "csw.coro.yield.voluntary": {"value": 0, "unit": "switches/run", "kind": "count"},
        "ratio.coro_yield_over_fcontext": {"value": 2.0, "unit": "ratio", "kind": "ratio"},
        "ratio.coro_yield_over_futex": {"value": 0.006, "unit": "ratio", "kind": "ratio"},
        "time.coro_yield": {"value": 20.0, "unit": "ns/switch", "kind": "time"},
    },
}


def in_process(args):
    """regress.py ARGS run in this process (no interpreter start-up per case):
    a CompletedProcess with its exit code and output."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = regress.main(args)
    return subprocess.CompletedProcess(args, rc, out.getvalue(), err.getvalue())


def run(baseline, current, *extra):
    with tempfile.TemporaryDirectory() as tmp:
        b, c, r = (os.path.join(tmp, x) for x in ("b.json", "c.json", "r.json"))
        json.dump(baseline, open(b, "w"))
        json.dump(current, open(c, "w"))
        p = in_process(["compare", "--baseline", b, "--current", c, "--report", r, *extra])
        rep = json.load(open(r)) if os.path.exists(r) else None
        return p.returncode, p.stdout, p.stderr, rep


def verdicts(rep):
    return {row["metric"]: row["verdict"] for row in rep["rows"]}


base = regress.make_baseline(MEASURED, None)


class Compare(unittest.TestCase):
    def test_1_identical_pass_every_row_ok_table_has_the_promised(self):
        """identical: pass, every row ok, table has the promised columns"""
        rc, out, err, rep = run(base, MEASURED)
        self.assertTrue(rc == 0, f"identical: rc {rc} {err}")
        self.assertTrue(out.splitlines()[0].split() ==
                        ["metric", "baseline", "now", "change", "limit", "verdict"],
                        
              f"table header: {out.splitlines()[0]!r}")
        self.assertTrue(set(verdicts(rep).values()) == {"ok"}, f"identical: {verdicts(rep)}")
        self.assertTrue(rep["verdict"] == "pass", "report verdict pass")

    def test_2_4_instructions_within_the_default_5_6_gated_failur(self):
        """+4 % instructions: within the default +5 %; +6 %: gated failure"""
        cur = copy.deepcopy(MEASURED)
        cur["metrics"]["insn.coro.yield"]["value"] = 104.0
        rc, _, _, rep = run(base, cur)
        self.assertTrue(rc == 0 and verdicts(rep)["insn.coro.yield"] == "ok", "+4% passes")
        cur["metrics"]["insn.coro.yield"]["value"] = 106.0
        rc, out, _, rep = run(base, cur)
        self.assertTrue(rc == 1 and verdicts(rep)["insn.coro.yield"] == "FAIL",
                        f"+6% fails: rc {rc}")
        self.assertTrue("bench-check: FAIL" in out and "make bench-baseline" in out,
                        "fail line says how to update")
        row = next(r for r in rep["rows"] if r["metric"] == "insn.coro.yield")
        self.assertTrue(abs(row["change_pct"] - 6.0) < 1e-9,
                        f"change computed: {row['change_pct']}")

    def test_3_a_per_metric_threshold_in_the_baseline_file_wins_o(self):
        """a per-metric threshold in the baseline file wins over the default"""
        cur = copy.deepcopy(MEASURED)
        cur["metrics"]["insn.coro.yield"]["value"] = 106.0
        b2 = copy.deepcopy(base)
        b2["metrics"]["insn.coro.yield"]["limit"] = {"max_increase_pct": 10}
        rc, _, _, rep = run(b2, cur)
        self.assertTrue(rc == 0 and verdicts(rep)["insn.coro.yield"] == "ok",
                        "per-metric +10% limit")
        b2["metrics"]["insn.coro.yield"]["limit"] = {"max_increase_pct": 1}
        cur2 = copy.deepcopy(MEASURED)
        cur2["metrics"]["insn.coro.yield"]["value"] = 102.0
        rc, _, _, rep = run(b2, cur2)
        self.assertTrue(rc == 1, "per-metric +1% limit catches +2%")
        b3 = copy.deepcopy(base)
        b3["default_threshold_pct"] = 1
        del b3["metrics"]["insn.coro.yield"]["limit"]
        rc, _, _, rep = run(b3, cur2)
        self.assertTrue(rc == 1,
                        "baseline default_threshold_pct applies to metrics without a limit")

    def test_4_a_big_improvement_passes_flagged_better(self):
        """a big improvement passes, flagged 'better'"""
        cur = copy.deepcopy(MEASURED)
        cur["metrics"]["insn.coro.queue_put_get"]["value"] = 150.0
        rc, _, _, rep = run(base, cur)
        self.assertTrue(rc == 0 and verdicts(rep)["insn.coro.queue_put_get"] == "better",
                        "improvement")

    def test_5_a_voluntary_switch_in_a_pure_coroutine_run_fails_t(self):
        """a voluntary switch in a pure coroutine run fails the gate"""
        cur = copy.deepcopy(MEASURED)
        cur["metrics"]["csw.coro.yield.voluntary"]["value"] = 1
        rc, _, _, rep = run(base, cur)
        self.assertTrue(rc == 1 and verdicts(rep)["csw.coro.yield.voluntary"] == "FAIL",
                        "vol csw > 0 fails")

    def test_6_ratios_against_jump_fcontext_gate_with_a_wide_band(self):
        """ratios against jump_fcontext gate with a wide band (+50 %); the one"""
        #    against a futex hand-off is tracked: outside its band -> warn, exit 0
        cur = copy.deepcopy(MEASURED)
        cur["metrics"]["ratio.coro_yield_over_fcontext"]["value"] = 2.9
        rc, _, _, rep = run(base, cur)
        self.assertTrue(rc == 0 and verdicts(rep)["ratio.coro_yield_over_fcontext"] == "ok",
                        "+45% ratio ok")
        cur["metrics"]["ratio.coro_yield_over_fcontext"]["value"] = 3.1
        rc, _, _, rep = run(base, cur)
        self.assertTrue(rc == 1 and verdicts(rep)["ratio.coro_yield_over_fcontext"] == "FAIL",
                        "+55% ratio fails")
        cur = copy.deepcopy(MEASURED)
        cur["metrics"]["ratio.coro_yield_over_futex"]["value"] = 0.01
        cur["metrics"]["time.coro_yield"]["value"] = 200.0
        rc, out, _, rep = run(base, cur)
        self.assertTrue(rc == 0 and verdicts(rep)["ratio.coro_yield_over_futex"] == "warn",
              f"futex ratio out of band warns only: {rc} {verdicts(rep)}")
        self.assertTrue(verdicts(rep)["time.coro_yield"] == "ok",
                        "absolute times are informative only")
        self.assertTrue("(track)" in out, "non-gating rows marked (track)")
        cur["metrics"]["ratio.coro_yield_over_futex"]["value"] = 0.002
        rc, _, _, rep = run(base, cur)
        self.assertTrue(rc == 0 and verdicts(rep)["ratio.coro_yield_over_futex"] == "warn",
                        "band both ways")

    def test_7_a_gated_metric_that_was_not_measured_fails_deletin(self):
        """a gated metric that was not measured fails (deleting a driver must not pass)"""
        cur = copy.deepcopy(MEASURED)
        del cur["metrics"]["insn.coro.queue_put_get"]
        cur["errors"]["insn.coro.queue_put_get"] = "rg_coro queue: exit 1: boom"
        rc, out, _, rep = run(base, cur)
        self.assertTrue(rc == 1 and verdicts(rep)["insn.coro.queue_put_get"] == "MISSING",
                        "missing -> fail")
        self.assertTrue("boom" in out, "the reason it was not measured is shown")
        # ... unless the user asked to skip that group (--no-timing / --no-cli)
        cur = copy.deepcopy(MEASURED)
        del cur["metrics"]["ratio.coro_yield_over_fcontext"]
        cur["skipped"] = ["ratio."]
        rc, _, _, rep = run(base, cur)
        self.assertTrue(rc == 0 and verdicts(rep)["ratio.coro_yield_over_fcontext"] == "skipped",
                        "skipped")
        # ... and a metric new in the measurement is informative only
        cur = copy.deepcopy(MEASURED)
        cur["metrics"]["insn.coro.new_thing"] = {"value": 5.0, "unit": "i", "kind": "instructions"}
        rc, _, _, rep = run(base, cur)
        self.assertTrue(rc == 0 and verdicts(rep)["insn.coro.new_thing"] == "new", "new metric")

    def test_8_environment_differences_warn_never_fail_by_themsel(self):
        """environment differences warn, never fail by themselves"""
        cur = copy.deepcopy(MEASURED)
        cur["env"]["compiler"] = "cc 13"
        rc, out, _, rep = run(base, cur)
        self.assertTrue(rc == 0 and "warning: environment differs" in out and "compiler" in out,
                        "env warning")
        self.assertTrue(rep["env_warnings"], "env warnings in the report")

    def test_9_bad_input_exit_2_one_line_naming_the_file(self):
        """bad input: exit 2, one line naming the file"""
        with tempfile.TemporaryDirectory() as tmp:
            bad = os.path.join(tmp, "bad.json")
            open(bad, "w").write("[1,2")
            good = os.path.join(tmp, "good.json")
            json.dump(base, open(good, "w"))
            nonnum = os.path.join(tmp, "nonnum.json")
            b4 = copy.deepcopy(base)
            b4["metrics"]["insn.coro.yield"]["value"] = "fast"
            json.dump(b4, open(nonnum, "w"))
            for args, word in [
                (["compare", "--baseline", bad, "--current", good], "bad.json"),
                (["compare", "--baseline", os.path.join(tmp, "nope.json"), "--current", good],
                 "nope.json"),
                (["compare", "--baseline", nonnum, "--current", good], "not a finite number"),
                (["compare", "--baseline", good], "required"),
                (["check", "--build", os.path.join(tmp, "nodir"), "--baseline", good],
                 "no such directory"),
                ([], "missing command"),
                (["measure", "--build", tmp, "--repeat", "0"], "--repeat"),
            ]:
                p = in_process(args)
                self.assertTrue(p.returncode == 2, f"{args}: exit {p.returncode}, want 2")
                self.assertTrue(word in p.stderr and "Traceback" not in p.stderr,
                      f"{args}: stderr {p.stderr!r} lacks {word!r}")

    def test_9b_the_make_targets_entry_script_refuses_bad_usage_wi(self):
        """the make targets' entry script refuses bad usage with exit 2"""
        SH = os.path.join(ROOT, "scripts", "bench-check.sh")
        with tempfile.TemporaryDirectory() as tmp:
            for args, word in [([], "--build"), (["--bogus"], "--bogus"), (["--build"], "--build"),
                               (["--build", os.path.join(tmp, "none")], "not a configured build"),
                               (["--build", tmp, "--format", "yaml"], "--format"),
                               (["--build", tmp, "--output"], "--output")]:
                p = subprocess.run(["sh", SH, *args], capture_output=True, text=True)
                self.assertTrue(p.returncode == 2 and word in p.stderr,
                                f"bench-check.sh {args}: {p.returncode} "
                      f"{p.stderr!r}")

    def test_10_an_update_keeps_hand_tuned_limits_and_gates_atomic(self):
        """an update keeps hand-tuned limits and gates; atomic write leaves no temp"""
        old = copy.deepcopy(base)
        old["metrics"]["insn.coro.yield"]["limit"] = {"max_increase_pct": 2}
        old["metrics"]["time.coro_yield"]["gate"] = True
        new = regress.make_baseline(MEASURED, old)
        self.assertTrue(new["metrics"]["insn.coro.yield"]["limit"] == {"max_increase_pct": 2},
                        "limit kept")
        self.assertTrue(new["metrics"]["time.coro_yield"]["gate"] is True, "gate kept")
        self.assertTrue(new["metrics"]["insn.coro.queue_put_get"]["limit"] ==
                        {"max_increase_pct": 5.0},
                        
              "default limit for instructions is +5%")
        self.assertTrue(new["metrics"]["ratio.coro_yield_over_futex"]["gate"] is False,
                        "futex ratio tracked")
        self.assertTrue(new["metrics"]["ratio.coro_yield_over_fcontext"]["limit"] ==
                        {"max_increase_pct": 50.0},
                        
              "fcontext ratio gates at +50%")
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "baseline.json")
            regress.write_atomic(path, new)
            self.assertTrue(os.listdir(tmp) == ["baseline.json"],
                            f"atomic write: {os.listdir(tmp)}")
            self.assertTrue(json.load(open(path))["schema"] == "corobench-baseline/1",
                            "schema written")


if __name__ == "__main__":
    rgtest.main()
