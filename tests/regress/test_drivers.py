#!/usr/bin/env python3
"""Smoke test of the regression drivers (bench/regress/), run natively.

usage: test_drivers.py RG_CORO RG_THR RG_TIMING

Why: the gate divides callgrind's count by the 'ops' the driver reports, so
each driver must run every operation to completion and report the right
operation count; bad arguments must be refused (exit 2), not measured.
"""
import json
import subprocess
import sys

failures = 0


def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print("FAIL:", what)


def run(*cmd):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


rg_coro, rg_thr, rg_timing = sys.argv[1:4]

expect = {"rawswitch": 2, "yield": 2, "spawn": 1, "queue": 1, "handoff": 1}
for op, per in expect.items():
    rc, out, err = run(rg_coro, op, "1000")
    check(rc == 0, f"rg_coro {op}: exit {rc}: {err}")
    if rc == 0:
        j = json.loads(out)
        check(j["op"] == op and j["n"] == 1000 and j["ops"] == per * 1000, f"rg_coro {op}: {j}")
rc, out, err = run(rg_thr, "queue", "1000")
check(rc == 0 and json.loads(out)["ops"] == 1000, f"rg_thr queue: {rc} {out} {err}")

rc, out, err = run(rg_timing, "--rounds", "1", "--n", "2000", "--futex-n", "200")
check(rc == 0, f"rg_timing: exit {rc}: {err}")
if rc == 0:
    t = json.loads(out)
    for m in ("coro_rawswitch", "coro_yield"):
        s = t["ns_per_switch"][m]
        check(0 < s["min"] <= s["median"] <= s["max"], f"{m} stats: {s}")
    check("coro_yield_over_futex" in t["ratios"] or t["futex_error"], "futex ratio or its error")
    check(t["fcontext"] is False or "coro_rawswitch_over_fcontext" in t["ratios"], "fctx ratio")
    # A pure coroutine loop never blocks in the kernel.
    check(t["csw"]["coro_yield_vol"] == 0, f"voluntary switches in coro_yield: {t['csw']}")
    check(t["csw"]["coro_yield_switches"] == 2 * 2000, "switch count reported")

bad = [
    [rg_coro], [rg_coro, "yield"], [rg_coro, "jump", "10"], [rg_coro, "yield", "0"],
    [rg_coro, "yield", "-5"], [rg_coro, "yield", "abc"], [rg_coro, "yield", "10x"],
    [rg_coro, "yield", "999999999999999999999"], [rg_thr, "spawn", "10"], [rg_thr],
    [rg_timing, "--rounds", "0"], [rg_timing, "--rounds", "1000"], [rg_timing, "--rounds"],
    [rg_timing, "--bogus"], [rg_timing, "--n", "1e6"],
]
for cmd in bad:
    rc, out, err = run(*cmd)
    check(rc == 2, f"{cmd[1:]}: exit {rc}, want 2")
    check(err.strip() != "" and len(err.strip().splitlines()) == 1 and out == "",
          f"{cmd[1:]}: want one line on stderr, got {err!r} / {out!r}")

if failures:
    print(f"{failures} check(s) failed")
    sys.exit(1)
print("drivers: all checks passed")
