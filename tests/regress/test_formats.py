#!/usr/bin/env python3
"""Tests the gate's output formats and exit codes (regress.py --format).

Why: CI reads these: a JUnit file GitLab cannot parse, a markdown table that
hides the failing row, or a broken runner reported as a regression (exit 1
instead of 2) would each mislead a reviewer.
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
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rgtest  # noqa: E402

sys.path.insert(0, rgtest.SCRIPTS)
import regress  # noqa: E402

TOOL = os.path.join(rgtest.SCRIPTS, "regress.py")
MEASURED = {
    "schema": "corobench-regress/1", "measured_at": "t", "env": {"compiler": "cc"},
    "errors": {}, "skipped": [],
    "metrics": {
        "insn.coro.yield": {"value": 100.0, "unit": "instr/yield", "kind": "instructions"},
        "time.coro_yield": {"value": 20.0, "unit": "ns/switch", "kind": "time"},
    },
}


class Formats(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.base = os.path.join(self.tmp.name, "b.json")
        with open(self.base, "w") as f:
            json.dump(regress.make_baseline(MEASURED, None), f)

    def tearDown(self):
        self.tmp.cleanup()

    def compare(self, value, *args):
        cur = copy.deepcopy(MEASURED)
        cur["metrics"]["insn.coro.yield"]["value"] = value
        path = os.path.join(self.tmp.name, "c.json")
        with open(path, "w") as f:
            json.dump(cur, f)
        args = ["compare", "--baseline", self.base, "--current", path, *args]
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = regress.main(args)  # in-process: no interpreter start-up per case
        return subprocess.CompletedProcess(args, rc, out.getvalue(), err.getvalue())

    def test_json(self):
        p = self.compare(110.0, "--format", "json")
        self.assertEqual(p.returncode, 1)
        doc = json.loads(p.stdout)
        self.assertEqual(doc["verdict"], "fail")
        self.assertEqual({r["metric"]: r["verdict"] for r in doc["rows"]}["insn.coro.yield"],
                         "FAIL")

    def test_junit(self):
        for value, failures in ((110.0, 1), (100.0, 0)):
            p = self.compare(value, "--format", "junit")
            self.assertEqual(p.returncode, 1 if failures else 0)
            suite = ET.fromstring(p.stdout.split("\n", 1)[1])
            self.assertEqual(suite.tag, "testsuite")
            self.assertEqual(int(suite.get("failures")), failures)
            cases = {c.get("name"): c for c in suite.iter("testcase")}
            self.assertEqual(set(cases), {"insn.coro.yield", "time.coro_yield"})
            self.assertEqual(cases["insn.coro.yield"].find("failure") is not None, bool(failures))

    def test_markdown(self):
        p = self.compare(110.0, "--format", "markdown")
        self.assertEqual(p.returncode, 1)
        lines = p.stdout.splitlines()
        self.assertTrue(lines[0].startswith("### bench-check: FAIL"))
        self.assertIn("| metric | baseline | now | change | limit | verdict |", lines)
        row = next(x for x in lines if x.startswith("| `insn.coro.yield`"))
        self.assertIn("**FAIL**", row)
        self.assertIn("+10.00%", row)

    def test_output_files_and_table(self):
        xml, md = (os.path.join(self.tmp.name, f) for f in ("gate.xml", "gate.md"))
        p = self.compare(100.0, "--output", xml, "--output", md)
        self.assertEqual(p.returncode, 0)
        self.assertTrue(p.stdout.startswith("metric "), "the table still goes to stdout")
        with open(xml) as f:
            self.assertIn("<testsuite", f.read())
        with open(md) as f:
            self.assertTrue(f.read().startswith("### bench-check: pass"))
        self.assertEqual(sorted(os.listdir(self.tmp.name)), ["b.json", "c.json", "gate.md",
                                                             "gate.xml"], "temp files left")

    def test_bad_format(self):
        p = self.compare(100.0, "--format", "yaml")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--format", p.stderr)

    def test_cannot_measure_is_not_a_regression(self):
        # valgrind missing (an empty PATH): exit 2 with the reason, never 1
        p = subprocess.run([rgtest.PYTHON, TOOL, "check", "--build", self.tmp.name,
                            "--baseline", self.base, "--history", "off"],
                           capture_output=True, text=True, env={"PATH": "/nonexistent"})
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("cannot measure: valgrind not found", p.stderr)
        p = subprocess.run([rgtest.PYTHON, TOOL, "compare-builds", "--base-build",
                            "/nonexistent", "--head-build", self.tmp.name, "--baseline",
                            self.base], capture_output=True, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--base-build", p.stderr)


if __name__ == "__main__":
    rgtest.main()
