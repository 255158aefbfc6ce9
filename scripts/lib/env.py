#!/usr/bin/env python3
"""env.py -- write env.json: the machine, toolchain and tree a run was made on.

Every number in a report is only meaningful next to where it was measured, so
bench.sh records this once per run (results/runs/<id>/env.json).  Fields that
cannot be read are null with no guessing.

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


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read().strip()
    except OSError:
        return None


def first_line(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (out.stdout or out.stderr).strip()
    return text.splitlines()[0] if text else None


def cpu_model():
    info = read("/proc/cpuinfo") or ""
    for line in info.splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or None


def size_bytes(text):
    """sysfs cache sizes: "48K", "1024K", "32M"."""
    mult = {"K": 1024, "M": 1024 * 1024, "G": 1024 ** 3}.get(text[-1:].upper(), 1)
    digits = text[:-1] if text[-1:].upper() in "KMG" else text
    return int(digits) * mult if digits.isdigit() else None


def caches():
    """Data (or unified) cache size per level in bytes, and where it was read:
    sysfs, else getconf (glibc asks the CPU itself, cpuid on x86, which still
    answers in VMs that show no sysfs cache directory). ({}, None) if neither."""
    out = {}
    for idx in range(8):
        d = f"/sys/devices/system/cpu/cpu0/cache/index{idx}"
        level, ctype, size = read(d + "/level"), read(d + "/type"), read(d + "/size")
        if level and size and ctype != "Instruction" and size_bytes(size):
            out[f"l{level}"] = size_bytes(size)
    if out:
        return out, "sysfs"
    for level, key in ((1, "LEVEL1_DCACHE_SIZE"), (2, "LEVEL2_CACHE_SIZE"), (3, "LEVEL3_CACHE_SIZE"),
                       (4, "LEVEL4_CACHE_SIZE")):
        v = first_line(["getconf", key])
        if v and v.isdigit() and int(v) > 0:
            out[f"l{level}"] = int(v)
    return (out, "getconf") if out else ({}, None)


def human(v):
    return f"{v // 1048576} MiB" if v % 1048576 == 0 else f"{v // 1024} KiB" if v % 1024 == 0 else f"{v} B"


def caches_text(sizes, source):
    if not sizes:
        return None
    parts = [f"{'L1d' if k == 'l1' else k.upper()} {human(sizes[k])}" for k in sorted(sizes)]
    return ", ".join(parts) + f" (from {source})"


def cmake_cache(build):
    vals = {}
    text = read(os.path.join(build, "CMakeCache.txt")) or ""
    for line in text.splitlines():
        if line.startswith(("#", "//")) or "=" not in line or ":" not in line:
            continue
        key, val = line.split("=", 1)
        vals[key.split(":", 1)[0]] = val
    return vals


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--run-id", required=True)
    ap.add_argument("--mode", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    cache = cmake_cache(a.build)
    bt = cache.get("CMAKE_BUILD_TYPE", "")
    cc = cache.get("CMAKE_C_COMPILER") or "cc"
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    commit = first_line(["git", "-C", root, "rev-parse", "HEAD"])
    # results/ is what runs write (a quick run rewrites the published report):
    # only changes to the code make the measured build differ from the commit.
    dirty = first_line(["git", "-C", root, "status", "--porcelain", "--untracked-files=no",
                        "--", ".", ":(exclude)results"])
    cache_sizes, cache_src = caches()
    env = {
        "schema": "corobench-env/1",
        "run_id": a.run_id,
        "mode": a.mode,
        "date_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "cpu_model": cpu_model(),
        "cores": os.cpu_count(),
        "llc": human(cache_sizes[max(cache_sizes)]) if cache_sizes else None,
        "caches": cache_sizes or None,
        "caches_text": caches_text(cache_sizes, cache_src),
        "kernel": platform.release(),
        "hypervisor": "yes" if "hypervisor" in (read("/proc/cpuinfo") or "") else "no",
        "governor": read("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"),
        "mem_total": next((l.split(":", 1)[1].strip() for l in (read("/proc/meminfo") or "").splitlines()
                           if l.startswith("MemTotal")), None),
        "loadavg_start": read("/proc/loadavg"),
        "compiler": first_line([cc, "--version"]),
        "build_type": bt or None,
        "cflags": " ".join(x for x in (cache.get("CMAKE_C_FLAGS", ""),
                                       cache.get("CMAKE_C_FLAGS_" + bt.upper(), "")) if x).strip() or None,
        "cmake_options": {k: cache[k] for k in sorted(cache) if k.startswith("CORO_")},
        "commit": commit,
        "tree_dirty": bool(dirty),
        "tools": {
            "hyperfine": first_line(["hyperfine", "--version"]),
            "gnuplot": first_line(["gnuplot", "--version"]),
            "python": platform.python_version(),
        },
    }
    write_json(a.out, env)


if __name__ == "__main__":
    main()
