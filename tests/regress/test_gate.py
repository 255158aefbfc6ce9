#!/usr/bin/env python3
"""Proves the regression gate can fail: an injected slowdown must be caught.

usage: test_gate.py WORKDIR BUILD_TYPE C_COMPILER [PLAIN_BUILD_DIR]

Builds coro/ + threads/ + bench/regress/ with -DCORO_INJECT_SLOWDOWN=ON (a
compile-time option of coro/ that adds work to coro_yield and coro_queue_put),
takes a baseline of the unmodified build (PLAIN_BUILD_DIR, the tree ctest runs
in when it has the drivers, else a second standalone build), then checks that
the unmodified build passes against it and the injected one fails, on the
coroutine metrics and for that reason (not because something was missing).
Driver counts only (--no-timing --no-cli): the verdicts must not depend on
machine load, and the injected build has no corobench CLI.
Exit 77 (ctest SKIP) when valgrind or the coro/ option is not there.
"""
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
REGRESS = os.path.join(ROOT, "scripts", "regress.py")
STANDALONE = os.path.join(ROOT, "bench", "regress", "standalone")


def sh(cmd, **kw):
    print("+", " ".join(cmd), flush=True)
    return subprocess.run(cmd, text=True, **kw)


def standalone(dirname, build_type, cc, inject):
    args = ["cmake", "-S", STANDALONE, "-B", dirname, "-DCMAKE_BUILD_TYPE=" + build_type,
            "-DCMAKE_C_COMPILER=" + cc, "-DCORO_INJECT_SLOWDOWN=" + ("ON" if inject else "OFF")]
    if sh(args, stdout=subprocess.DEVNULL).returncode != 0:
        sys.exit(f"FAIL: configuring {dirname}")
    if sh(["cmake", "--build", dirname, "-j2", "--target", "rg_coro", "rg_thr", "rg_env"],
          stdout=subprocess.DEVNULL).returncode != 0:
        sys.exit(f"FAIL: building {dirname}")


def main():
    if len(sys.argv) < 4:
        print("usage: test_gate.py WORKDIR BUILD_TYPE C_COMPILER [PLAIN_BUILD_DIR]", file=sys.stderr)
        return 2
    work, build_type, cc = sys.argv[1:4]
    plain = sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] else None
    if shutil.which("valgrind") is None:
        print("SKIP: valgrind not installed")
        return 77
    with open(os.path.join(ROOT, "coro", "CMakeLists.txt")) as f:
        if "CORO_INJECT_SLOWDOWN" not in f.read():
            print("SKIP: coro/ has no CORO_INJECT_SLOWDOWN option yet")
            return 77
    os.makedirs(work, exist_ok=True)
    if plain is not None:
        cache = os.path.join(plain, "CMakeCache.txt")
        try:
            if any(line.startswith("CORO_SANITIZE:") and line.strip().split("=", 1)[1]
                   for line in open(cache)):
                plain = None  # valgrind cannot run sanitized binaries: build a plain one
        except OSError:
            plain = None
    if plain is None:
        plain = os.path.join(work, "plain")
        standalone(plain, build_type, cc, False)
    inject = os.path.join(work, "inject")
    standalone(inject, build_type, cc, True)

    base = os.path.join(work, "baseline.json")
    if sh([sys.executable, REGRESS, "update", "--build", plain, "--baseline", base,
           "--repeat", "2", "--no-timing", "--no-cli"]).returncode != 0:
        print("FAIL: measuring the unmodified build")
        return 1
    b = json.load(open(base))
    nondet = {n: m["repeat_spread_pct"] for n, m in b["metrics"].items()
              if m.get("repeat_spread_pct")}
    failures = []
    if nondet:
        failures.append(f"counts differ between two runs of the same binary: {nondet}")

    rp, ri = os.path.join(work, "plain.json"), os.path.join(work, "inject.json")
    p = sh([sys.executable, REGRESS, "check", "--build", plain, "--baseline", base,
            "--no-timing", "--no-cli", "--report", rp], capture_output=True)
    print(p.stdout)
    if p.returncode != 0:
        failures.append(f"unmodified build: exit {p.returncode}, want 0 (pass)")

    p = sh([sys.executable, REGRESS, "check", "--build", inject, "--baseline", base,
            "--no-timing", "--no-cli", "--report", ri], capture_output=True)
    print(p.stdout)
    if p.returncode != 1:
        failures.append(f"injected build: exit {p.returncode}, want 1 (regression)")
    if os.path.exists(ri):
        rows = {r["metric"]: r for r in json.load(open(ri))["rows"]}
        failed = sorted(n for n, r in rows.items() if r["verdict"] == "FAIL")
        missing = sorted(n for n, r in rows.items() if r["verdict"] == "MISSING")
        print("injected build, failing metrics:", failed)
        if missing:
            failures.append(f"injected build: metrics not measured {missing}: "
                            "the gate must fail because of the slowdown, not a missing driver")
        if not any(n.startswith("insn.coro.") for n in failed):
            failures.append("the slowdown injected into coro_yield/coro_queue_put was not caught "
                            "by any insn.coro.* metric")
        if rows.get("insn.thr.queue_put_get", {}).get("verdict") != "ok":
            failures.append("insn.thr.queue_put_get moved although threads/ was not touched")
        if "coro_inject_slowdown" not in p.stdout:
            failures.append("no environment warning naming CORO_INJECT_SLOWDOWN")
    else:
        failures.append("injected build: no report written")

    for f in failures:
        print("FAIL:", f)
    if failures:
        return 1
    print("gate: the unmodified build passes, the injected slowdown is caught")
    return 0


if __name__ == "__main__":
    sys.exit(main())
