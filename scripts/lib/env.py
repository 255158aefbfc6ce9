#!/usr/bin/env python3
"""env.py -- the machine, build and run a measurement was made on.

The machine and build fields come from one place, the C capture behind
`<build>/bench/corobench env --json` (bench/cli/env.c): the harness, the
regression gate and every result's "env" read the same code.  This module only
adds what belongs to a run: its id and mode, the date, the load average at the
start, whether the tree had uncommitted changes, and the versions of the
harness's own tools.  Fields that cannot be read are null, never guessed.

usage: env.py --build DIR --run-id ID --mode full|quick --out FILE
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from atomic import write_json  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The keys `corobench env --json` prints; all None when it cannot run.
MACHINE_BUILD_KEYS = ("cpu_model", "cores", "caches", "caches_text", "llc", "kernel", "machine",
                      "hypervisor", "governor", "mem_total", "glibc", "compiler", "build_type",
                      "cflags", "sanitize", "cmake_options", "commit")


def capture_argv(build_dir):
    """The command that prints the capture: the CLI, or in a gate-only build
    (bench/regress/standalone) its rg_env driver; None if neither is built."""
    for rel, args in ((("bench", "corobench"), ["env", "--json"]),
                      (("bench", "regress", "rg_env"), ["--json"]),
                      (("regress", "rg_env"), ["--json"])):
        path = os.path.join(build_dir, *rel)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return [path] + args
    return None


def capture(build_dir):
    """The machine and build fields, from `<build_dir>/bench/corobench env --json`."""
    argv = capture_argv(build_dir)
    env = None
    if argv:
        try:
            p = subprocess.run(argv, capture_output=True, text=True, timeout=30)
            env = json.loads(p.stdout) if p.returncode == 0 else None
        except (OSError, subprocess.TimeoutExpired, ValueError):
            env = None
    if not isinstance(env, dict):
        return {k: None for k in MACHINE_BUILD_KEYS}
    return env


def first_line(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (out.stdout or out.stderr).strip()
    return text.splitlines()[0] if text else None


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read().strip()
    except OSError:
        return None


def run_env(build_dir, run_id, mode):
    """capture() plus the run's own fields: what env.json holds."""
    # results/ is what runs write (a quick run rewrites the published report):
    # only changes to the code make the measured build differ from the commit.
    dirty = first_line(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no",
                        "--", ".", ":(exclude)results"])
    env = {
        "schema": "corobench-env/1",
        "run_id": run_id,
        "mode": mode,
        "date_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "loadavg_start": read("/proc/loadavg"),
    }
    env.update(capture(build_dir))
    env["tree_dirty"] = bool(dirty)
    env["tools"] = {
        "hyperfine": first_line(["hyperfine", "--version"]),
        "gnuplot": first_line(["gnuplot", "--version"]),
        "python": platform.python_version(),
    }
    return env


def main():
    ap = argparse.ArgumentParser(description="Write env.json for one run.")
    ap.add_argument("--build", required=True)
    ap.add_argument("--run-id", required=True)
    ap.add_argument("--mode", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    write_json(a.out, run_env(a.build, a.run_id, a.mode))


if __name__ == "__main__":
    main()
