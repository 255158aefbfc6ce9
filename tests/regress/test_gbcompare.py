#!/usr/bin/env python3
"""Tests scripts/gbcompare.py on real Google Benchmark JSON fixtures (data/).

Why: users diff two runs with it; a wrong sign, a unit mix-up or a crash on a
bad file would mislead them. Expected values are recomputed here from the
fixture files, not typed in.
"""
import contextlib
import io
import json
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TOOL = os.path.join(ROOT, "scripts", "gbcompare.py")
DATA = os.path.join(HERE, "data")
sys.path.insert(0, HERE)
import rgtest  # noqa: E402

sys.path.insert(0, os.path.join(ROOT, "scripts"))
import gbcompare  # noqa: E402


def run(*args):
    """gbcompare.py ARGS in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = gbcompare.main(list(args))
        except SystemExit as e:  # argparse's own exits
            rc = e.code
    return rc, out.getvalue(), err.getvalue()


def d(name):
    return os.path.join(DATA, name)


def bench(path, name, agg=None):
    doc = json.load(open(path))
    units = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}
    for b in doc["benchmarks"]:
        if b.get("run_name", b["name"]) == name and b.get("aggregate_name") == agg:
            return b["real_time"] * units[b["time_unit"]]
    raise KeyError(name)


class GbCompare(unittest.TestCase):
    def test_1_single_runs_each_common_benchmark_gets_a(self):
        """single runs: each common benchmark gets a row; the change is computed
        from the files, including a us-vs-ns unit difference (BM_us)."""
        with tempfile.TemporaryDirectory() as tmp:
            out_json = os.path.join(tmp, "cmp.json")
            rc, out, err = run(d("gb_old.json"), d("gb_new.json"), "--json", out_json)
            self.assertTrue(rc == 0, f"single: rc {rc}, stderr {err}")
            self.assertTrue(out.startswith("Comparing "), "header line")
            for name in ("BM_spin/1", "BM_spin/4", "BM_us/real_time"):
                self.assertTrue(any(line.startswith(name + " ") for line in out.splitlines()),
                                f"row for {name}")
            self.assertTrue("OVERALL_GEOMEAN" in out, "geomean row")
            self.assertTrue("only in old: BM_only_old" in out and "only in new: BM_only_new" in out,
                  "benchmarks present in one file are listed")
            doc = json.load(open(out_json))
            rows = {r["name"]: r for r in doc["benchmarks"]}
            for name in ("BM_spin/1", "BM_spin/4", "BM_us/real_time"):
                o, n = bench(d("gb_old.json"), name), bench(d("gb_new.json"), name)
                self.assertTrue(abs(rows[name]["real_change"] - (n - o) / o) < 1e-9,
                                f"change of {name}")
            # BM_us is in us in the old file and in ns in the new one: same scale after conversion
            r = rows["BM_us/real_time"]
            self.assertTrue(0.5 < r["real_new"] / r["real_old"] < 4,
                            f"unit conversion of BM_us: {r}")
            self.assertTrue(not [f for f in os.listdir(tmp) if f != "cmp.json"],
                            "no temp file left behind")

    def test_2_repetitions_the_row_uses_the_median_aggr(self):
        """repetitions: the row uses the median aggregate, with the repetitions' range"""
        rc, out, err = run(d("gb_old_rep.json"), d("gb_new_rep.json"))
        self.assertTrue(rc == 0, f"rep: rc {rc}")
        line = next((x for x in out.splitlines() if x.startswith("BM_spin/4_median")), "")
        self.assertTrue(line != "", "median row for BM_spin/4")
        o = bench(d("gb_old_rep.json"), "BM_spin/4", "median")
        n = bench(d("gb_new_rep.json"), "BM_spin/4", "median")
        self.assertTrue(f"{(n - o) / o * 100:+.1f}%" in line, f"median change in row: {line!r}")
        self.assertTrue(".." in line, "range of repetitions shown")

    def test_3_threshold_the_fixtures_new_runs_are_genu(self):
        """--threshold: the fixtures' 'new' runs are genuinely slower (longer spin)"""
        rc, _, err = run(d("gb_old_rep.json"), d("gb_new_rep.json"), "--threshold", "10")
        self.assertTrue(rc == 1 and "slower than +10%" in err,
                        f"threshold exceeded -> 1 ({rc}, {err!r})")
        rc, _, _ = run(d("gb_old_rep.json"), d("gb_new_rep.json"), "--threshold", "100000")
        self.assertTrue(rc == 0, "huge threshold -> 0")
        rc, _, _ = run(d("gb_old_rep.json"), d("gb_old_rep.json"), "--threshold", "0")
        self.assertTrue(rc == 0, "a file against itself never exceeds 0%")

    def test_4_filter(self):
        """--filter"""
        rc, out, _ = run(d("gb_old.json"), d("gb_new.json"), "--filter", "spin/4")
        self.assertTrue(rc == 0 and "BM_spin/4" in out and "BM_spin/1 " not in out,
                        "filter keeps only matches")

    def test_5_bad_input_one_line_naming_the_problem_ex(self):
        """bad input: one line naming the problem, exit 2, no traceback"""
        with tempfile.TemporaryDirectory() as tmp:
            bad = os.path.join(tmp, "bad.json")
            open(bad, "w").write("{not json")
            nob = os.path.join(tmp, "nob.json")
            open(nob, "w").write('{"context": {}}')
            badt = os.path.join(tmp, "badt.json")
            open(badt, "w").write(
                '{"benchmarks": [{"name": "x", "real_time": "fast", "cpu_time": 1}]}')
            cases = [
                ([d("gb_old.json"), os.path.join(tmp, "missing.json")], "missing.json"),
                ([bad, d("gb_new.json")], "not valid JSON"),
                ([nob, d("gb_new.json")], "no 'benchmarks'"),
                ([badt, d("gb_new.json")], "non-numeric"),
                ([d("gb_old.json")], "required"),
                ([d("gb_old.json"), d("gb_new.json"), "--threshold", "-3"], "--threshold"),
                ([d("gb_old.json"), d("gb_new.json"), "--filter", "("], "--filter"),
            ]
            for args, word in cases:
                rc, out, err = run(*args)
                self.assertTrue(rc == 2, f"{args}: exit {rc}, want 2")
                self.assertTrue(word in err and "Traceback" not in err,
                                f"{args}: stderr {err!r} lacks {word!r}")


if __name__ == "__main__":
    rgtest.main()
