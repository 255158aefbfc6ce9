#!/usr/bin/env python3
"""Smoke test of the regression drivers (bench/regress/), run natively.

usage: test_drivers.py RG_CORO RG_THR RG_TIMING

Why: the gate divides callgrind's count by the 'ops' the driver reports, so
each driver must run every operation to completion and report the right
operation count; bad arguments must be refused (exit 2), not measured.
"""
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rgtest  # noqa: E402

RG_CORO = RG_THR = RG_TIMING = None


def run(*cmd):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


class Drivers(unittest.TestCase):
    def test_operation_counts(self):
        expect = {"rawswitch": 2, "yield": 2, "spawn": 1, "queue": 1, "handoff": 1}
        for op, per in expect.items():
            rc, out, err = run(RG_CORO, op, "1000")
            self.assertEqual(rc, 0, f"rg_coro {op}: {err}")
            j = json.loads(out)
            self.assertEqual((j["op"], j["n"], j["ops"]), (op, 1000, per * 1000), j)
        rc, out, err = run(RG_THR, "queue", "1000")
        self.assertEqual(rc, 0, err)
        self.assertEqual(json.loads(out)["ops"], 1000)

    def test_timing(self):
        rc, out, err = run(RG_TIMING, "--rounds", "1", "--n", "2000", "--futex-n", "200")
        self.assertEqual(rc, 0, err)
        t = json.loads(out)
        for m in ("coro_rawswitch", "coro_yield"):
            s = t["ns_per_switch"][m]
            self.assertTrue(0 < s["min"] <= s["median"] <= s["max"], f"{m} stats: {s}")
        self.assertTrue("coro_yield_over_futex" in t["ratios"] or t["futex_error"])
        self.assertTrue(t["fcontext"] is False or "coro_rawswitch_over_fcontext" in t["ratios"])
        # A pure coroutine loop never blocks in the kernel.
        self.assertEqual(t["csw"]["coro_yield_vol"], 0, t["csw"])
        self.assertEqual(t["csw"]["coro_yield_switches"], 2 * 2000)

    def test_bad_arguments(self):
        c, t, m = RG_CORO, RG_THR, RG_TIMING
        bad = [
            [c], [c, "yield"], [c, "jump", "10"], [c, "yield", "0"], [c, "yield", "-5"],
            [c, "yield", "abc"], [c, "yield", "10x"], [c, "yield", "999999999999999999999"],
            [t, "spawn", "10"], [t], [m, "--rounds", "0"], [m, "--rounds", "1000"],
            [m, "--rounds"], [m, "--bogus"], [m, "--n", "1e6"],
        ]
        for cmd in bad:
            rc, out, err = run(*cmd)
            self.assertEqual(rc, 2, f"{cmd[1:]}")
            self.assertEqual(len(err.strip().splitlines()), 1, f"{cmd[1:]}: {err!r}")
            self.assertEqual(out, "", f"{cmd[1:]}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: test_drivers.py RG_CORO RG_THR RG_TIMING")
    RG_CORO, RG_THR, RG_TIMING = sys.argv[1:4]
    rgtest.main([sys.argv[0]])
