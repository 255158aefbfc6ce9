#!/usr/bin/env python3
"""Proves the regression gate can fail: an injected slowdown must be caught.

usage: test_gate.py WORKDIR BUILD_TYPE C_COMPILER [PLAIN_BUILD_DIR]

Builds coro/ + threads/ + bench/regress/ with -DCORO_INJECT_SLOWDOWN=ON (a
compile-time option of coro/ that adds work to coro_yield and coro_queue_put),
takes a baseline of the unmodified build (PLAIN_BUILD_DIR, the tree ctest runs
in when it has the drivers, else a second standalone build), then checks that
the unmodified build passes against it and the injected one fails, on the
coroutine metrics and for that reason (not because something was missing).
The same two builds then go through `regress.py compare-builds` (what
make bench-compare runs once it has built the base): plain as base, injected
as head must fail; the other way round must pass.
Driver counts only (--no-timing --no-cli): the verdicts must not depend on
machine load, and the injected build has no corobench CLI.
Exit 77 (ctest SKIP) when valgrind or the coro/ option is not there.
"""
import json
import os
import shutil
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import rgtest  # noqa: E402

REGRESS = os.path.join(rgtest.SCRIPTS, "regress.py")
STANDALONE = os.path.join(rgtest.ROOT, "bench", "regress", "standalone")
ARGS = {}
COUNTS = ["--no-timing", "--no-cli"]


def sh(cmd, **kw):
    print("+", " ".join(cmd), flush=True)
    return subprocess.run(cmd, text=True, **kw)


def standalone(dirname, inject):
    args = ["cmake", "-S", STANDALONE, "-B", dirname, "-DCMAKE_BUILD_TYPE=" + ARGS["type"],
            "-DCMAKE_C_COMPILER=" + ARGS["cc"],
            "-DCORO_INJECT_SLOWDOWN=" + ("ON" if inject else "OFF")]
    if sh(args, stdout=subprocess.DEVNULL).returncode != 0:
        raise RuntimeError(f"configuring {dirname}")
    if sh(["cmake", "--build", dirname, "-j2", "--target", "rg_coro", "rg_thr"],
          stdout=subprocess.DEVNULL).returncode != 0:
        raise RuntimeError(f"building {dirname}")


def plain_build():
    """The tree ctest runs in, unless it is sanitized (valgrind cannot run that)."""
    plain = ARGS["plain"]
    if plain is None:
        return None
    try:
        with open(os.path.join(plain, "CMakeCache.txt")) as f:
            if any(line.startswith("CORO_SANITIZE:") and line.strip().split("=", 1)[1]
                   for line in f):
                return None
    except OSError:
        return None
    return plain


def rows_of(path):
    with open(path) as f:
        return {r["metric"]: r for r in json.load(f)["rows"]}


class Gate(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if shutil.which("valgrind") is None:
            raise unittest.SkipTest("valgrind not installed")
        with open(os.path.join(rgtest.ROOT, "coro", "CMakeLists.txt")) as f:
            if "CORO_INJECT_SLOWDOWN" not in f.read():
                raise unittest.SkipTest("coro/ has no CORO_INJECT_SLOWDOWN option")
        work = ARGS["work"]
        os.makedirs(work, exist_ok=True)
        cls.plain = plain_build()
        if cls.plain is None:
            cls.plain = os.path.join(work, "plain")
            standalone(cls.plain, False)
        cls.inject = os.path.join(work, "inject")
        standalone(cls.inject, True)
        cls.work = work
        cls.base = os.path.join(work, "baseline.json")
        p = sh([rgtest.PYTHON, REGRESS, "update", "--build", cls.plain, "--baseline", cls.base,
                "--repeat", "2", *COUNTS])
        if p.returncode != 0:
            raise RuntimeError("measuring the unmodified build failed")

    def check(self, build, name):
        rep = os.path.join(self.work, name + ".json")
        p = sh([rgtest.PYTHON, REGRESS, "check", "--build", build, "--baseline", self.base,
                "--report", rep, "--history", "off", *COUNTS], capture_output=True)
        print(p.stdout)
        return p, rows_of(rep)

    def test_counts_repeat_exactly(self):
        with open(self.base) as f:
            nondet = {n: m["repeat_spread_pct"] for n, m in json.load(f)["metrics"].items()
                      if m.get("repeat_spread_pct")}
        self.assertEqual(nondet, {}, "counts differ between two runs of the same binary")

    def test_unmodified_build_passes(self):
        p, _ = self.check(self.plain, "plain")
        self.assertEqual(p.returncode, 0)

    def test_injected_slowdown_fails_for_that_reason(self):
        p, rows = self.check(self.inject, "inject")
        self.assertEqual(p.returncode, 1, "the injected build must be a regression")
        failed = sorted(n for n, r in rows.items() if r["verdict"] == "FAIL")
        missing = sorted(n for n, r in rows.items() if r["verdict"] == "MISSING")
        self.assertEqual(missing, [], "must fail because of the slowdown, not a missing driver")
        self.assertTrue(any(n.startswith("insn.coro.") for n in failed), failed)
        self.assertEqual(rows["insn.thr.queue_put_get"]["verdict"], "ok",
                         "threads/ was not touched")
        self.assertIn("coro_inject_slowdown", p.stdout, "environment warning names the option")

    def compare_builds(self, base, head, name):
        rep = os.path.join(self.work, name + ".json")
        p = sh([rgtest.PYTHON, REGRESS, "compare-builds", "--base-build", base, "--head-build",
                head, "--baseline", self.base, "--report", rep, "--format", "markdown",
                *COUNTS], capture_output=True)
        print(p.stdout, p.stderr[-2000:])
        return p, rows_of(rep)

    def test_compare_builds_base_against_slower_head(self):
        p, rows = self.compare_builds(self.plain, self.inject, "plain-vs-inject")
        self.assertEqual(p.returncode, 1)
        self.assertEqual(rows["insn.coro.yield"]["verdict"], "FAIL")
        self.assertEqual(rows["insn.thr.queue_put_get"]["verdict"], "ok")
        self.assertIn("### bench-compare: FAIL", p.stdout)
        p, rows = self.compare_builds(self.inject, self.plain, "inject-vs-plain")
        self.assertEqual(p.returncode, 0)
        self.assertEqual(rows["insn.coro.yield"]["verdict"], "better")


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit("usage: test_gate.py WORKDIR BUILD_TYPE C_COMPILER [PLAIN_BUILD_DIR]")
    ARGS.update(work=sys.argv[1], type=sys.argv[2], cc=sys.argv[3],
                plain=sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] else None)
    rgtest.main([sys.argv[0]])
