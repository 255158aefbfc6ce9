#!/usr/bin/env python3
"""regress.py - the performance regression gate behind `make bench-check`.

Why: CI machines are shared and noisy, so a gate on wall time flaps. This gate
compares metrics that do not drift with load: instructions per operation
counted by callgrind (the same binary and input execute the same
instructions), context-switch counts that must be zero, and timing ratios of
two mechanisms measured in interleaved slices of one run on CPU-time clocks,
with a wide band: coroutine switch / jump_fcontext gates at +50 %, coroutine
switch / futex hand-off is tracked only (warns, never fails).

Commands:
  measure --build DIR [--out FILE] [--repeat K]   measure, print/write JSON
  check   --build DIR --baseline FILE [--report FILE]
                                                  measure and compare (the gate);
                                                  appends the run to the history
  compare --baseline FILE --current FILE [--report FILE]
                                                  compare a stored measurement
  compare-builds --base-build A --head-build B --baseline FILE
                                                  measure two builds in one run
                                                  (make bench-compare)
  update  --build DIR --baseline FILE [--repeat K]
                                                  measure, rewrite the baseline
check, compare and compare-builds take --format table|json|junit|markdown
(stdout) and --output FILE, repeatable, each in the format its extension
names (.md markdown, .xml junit, .json json); the table then goes to stdout.

Exit codes: 0 pass; 1 a gated metric is worse than its limit (or a gated
metric of the baseline was not measured); 2 bad command line, malformed input
file, unusable history file, or nothing can be measured here (valgrind or the
drivers are missing): a broken runner is never reported as a regression.
"""

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import atomic  # noqa: E402  (scripts/lib/atomic.py)
import cbdata  # noqa: E402  (the one JSON file reader)
import gatereport  # noqa: E402
import historydb as history  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
from gatereport import fmt_val, limit_text  # noqa: E402,F401  (kept importable from here)

import env  # noqa: E402  (scripts/lib/env.py: the one machine/build capture)

SCHEMA_BASELINE = "corobench-baseline/1"
SCHEMA_MEASURE = "corobench-regress/1"
DEFAULT_PCT = 5.0  # gated instruction counts: fail above +5 %
RATIO_PCT = 50.0   # timing ratios: tracked, warn outside +-50 %
PROG = "regress.py"

# Operation counts: callgrind runs ~50x slower than native; these keep each
# driver run well under a second while the fixed cost of the toggles (~15
# instructions) stays far below a 0.1 % change.
N_OPS = {"rawswitch": 20000, "yield": 20000, "spawn": 5000, "queue": 20000, "handoff": 20000,
         "shared_yield": 20000, "mn_pingpong": 20000}
N_THR = 20000

# name -> (driver, op, unit); each counted with callgrind around the loop only.
INSN_DRIVERS = {
    "insn.coro.rawswitch": ("rg_coro", "rawswitch", "instr/switch"),
    "insn.coro.yield": ("rg_coro", "yield", "instr/yield"),
    "insn.coro.spawn_join": ("rg_coro", "spawn", "instr/spawn+join"),
    "insn.coro.queue_put_get": ("rg_coro", "queue", "instr/put+get"),
    "insn.coro.handoff_cap1": ("rg_coro", "handoff", "instr/item"),
    "insn.coro.shared_yield": ("rg_coro", "shared_yield", "instr/yield"),
    "insn.coro.mn_pingpong": ("rg_coro", "mn_pingpong", "instr/item"),
    "insn.thr.queue_put_get": ("rg_thr", "queue", "instr/put+get"),
}

# Whole runs of the corobench CLI (fixed parameters, no calibration: work_ns 0),
# counted from start to exit. Present only once bench/ builds `corobench`.
CLI_RUNS = {
    "cpubound": ["cpubound", "--tasks", "8", "--total-work", "100000", "--wss", "4096",
                 "--yield-every", "1000"],
    "prodcons": ["prodcons", "--producers", "2", "--consumers", "2", "--capacity", "64",
                 "--items", "20000", "--work-ns", "0"],
}


class UsageError(Exception):
    pass


class NoTools(Exception):
    pass


# --------------------------------------------------------------------------
# files

def write_atomic(path, doc):
    """Temp file + fsync + rename, through the harness's scripts/lib/atomic.py."""
    atomic.write_text(path, json.dumps(doc, indent=2, sort_keys=False) + "\n")


def read_json(path, what):
    try:
        doc = cbdata.load_json_file(path, what)
    except cbdata.DataError as e:
        raise UsageError(str(e))
    if not isinstance(doc, dict) or not isinstance(doc.get("metrics"), dict):
        raise UsageError(f"{what} {path}: no 'metrics' object")
    for name, m in doc["metrics"].items():
        if not isinstance(m, dict):
            raise UsageError(f"{what} {path}: metric {name} is not an object")
        v = m.get("value")
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))
                              or not math.isfinite(v)):
            raise UsageError(f"{what} {path}: metric {name}: value is not a finite number")
    return doc


# --------------------------------------------------------------------------
# environment (recorded; a difference is a warning, not a failure)

def first_line(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=20).stdout
        return out.strip().splitlines()[0] if out.strip() else None
    except (OSError, subprocess.TimeoutExpired):
        return None


def env_capture(build):
    """Machine and build fields of a measurement: env.capture(build) (the one
    capture, `corobench env --json`, or rg_env in a gate-only build; shared
    with the harness and the history), plus the keys the baseline records
    under the gate's own names and the version of valgrind, the gate's
    measuring tool."""
    e = dict(env.capture(build))
    opts = e.get("cmake_options") or {}
    e["coro_switch"] = opts.get("CORO_SWITCH")
    e["coro_sanitize"] = opts.get("CORO_SANITIZE") or None
    e["coro_inject_slowdown"] = opts.get("CORO_INJECT_SLOWDOWN", "OFF")
    e["valgrind"] = first_line(["valgrind", "--version"])
    return e


# Keys whose difference can change the counts; the rest are only informative.
ENV_WARN_KEYS = ["compiler", "build_type", "cflags", "coro_switch", "coro_sanitize",
                 "coro_inject_slowdown", "valgrind", "glibc", "cpu_model", "machine"]


# --------------------------------------------------------------------------
# measuring

def find_prog(build, name):
    """The driver `name` under build/ (bench/regress/, regress/ or anywhere)."""
    for sub in ("bench/regress", "regress", "bench", "."):
        p = os.path.join(build, sub, name)
        if os.path.isfile(p) and os.access(p, os.X_OK):
            return p
    for dirpath, dirnames, filenames in os.walk(build):
        dirnames[:] = [d for d in dirnames if d != "CMakeFiles"]
        if name in filenames:
            p = os.path.join(dirpath, name)
            if os.access(p, os.X_OK):
                return p
    return None


def fixed_env():
    # The same small environment for every run: the process start-up code
    # scans it, so a caller's environment must not change whole-run counts.
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"}


def callgrind(cmd, whole, tmpdir, timeout=240):
    """Runs cmd under callgrind; returns (instructions, stdout)."""
    out = os.path.join(tmpdir, "cg.out")
    if os.path.exists(out):
        os.unlink(out)
    vg = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out]
    if not whole:
        vg.append("--collect-atstart=no")
    try:
        p = subprocess.run(vg + cmd, capture_output=True, text=True, timeout=timeout,
                           env=fixed_env())
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"timed out after {timeout} s under callgrind")
    if p.returncode != 0:
        err = [x for x in p.stderr.splitlines() if x and not x.startswith("==")]
        raise RuntimeError(f"exit {p.returncode}: " + (err[-1] if err else "no message"))
    total = None
    with open(out, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("totals:") or (total is None and line.startswith("summary:")):
                total = int(line.split()[1])
    if total is None:
        raise RuntimeError("callgrind wrote no totals line")
    return total, p.stdout


def _measure_drivers(progs, repeat, tmp, metrics, errors, progress):
    for name, (drv, op, unit) in INSN_DRIVERS.items():
        progress(f"callgrind {drv} {op}")
        if progs[drv] is None:
            errors[name] = f"{drv} not built"
            continue
        n = N_THR if drv == "rg_thr" else N_OPS[op]
        try:
            vals = []
            for _ in range(repeat):
                ir, out = callgrind([progs[drv], op, str(n)], False, tmp)
                info = json.loads(out.strip().splitlines()[-1])
                if not info.get("callgrind"):
                    raise RuntimeError(f"{drv} was built without valgrind/callgrind.h")
                vals.append(ir / info["ops"])
            metrics[name] = {"value": round(vals[0], 3), "unit": unit, "kind": "instructions",
                             "ops": info["ops"]}
            if repeat > 1:
                metrics[name]["repeat_spread_pct"] = round(spread(vals), 4)
        except (RuntimeError, ValueError, KeyError, IndexError, OSError) as e:
            errors[name] = f"{drv} {op}: {e}"


def _measure_cli(cli, repeat, tmp, metrics, errors, progress):
    for wl, args in CLI_RUNS.items():
        for be in ("coro", "threads"):
            name = f"insn.cli.{wl}.{be}"
            progress(f"callgrind corobench {wl} --backend {be}")
            try:
                vals = []
                for _ in range(repeat):
                    ir, out = callgrind([cli] + args + ["--backend", be, "--json"], True, tmp)
                    res = json.loads(out.strip().splitlines()[-1])
                    if res.get("status") != "ok":
                        raise RuntimeError(f"run failed: {res.get('error')}")
                    vals.append(float(ir))
                metrics[name] = {"value": vals[0], "unit": "instr/run",
                                 "kind": "instructions", "args": " ".join(args)}
                if repeat > 1:
                    metrics[name]["repeat_spread_pct"] = round(spread(vals), 4)
            except (RuntimeError, ValueError, KeyError, IndexError, OSError) as e:
                errors[name] = f"corobench {wl} --backend {be}: {e}"
    progress("corobench cpubound --backend coro (native, getrusage)")
    try:
        p = subprocess.run([cli] + CLI_RUNS["cpubound"] + ["--backend", "coro", "--json"],
                           capture_output=True, text=True, timeout=120, env=fixed_env())
        res = json.loads(p.stdout.strip().splitlines()[-1])
        if p.returncode != 0 or res.get("status") != "ok":
            raise RuntimeError(f"exit {p.returncode}: {res.get('error')}")
        for which in ("voluntary", "involuntary"):
            metrics[f"csw.cli.cpubound.coro.{which}"] = {
                "value": int(res["results"]["vol_csw" if which == "voluntary" else "invol_csw"]),
                "unit": "switches/run", "kind": "count"}
    except (RuntimeError, ValueError, KeyError, IndexError, OSError,
            subprocess.TimeoutExpired) as e:
        errors["csw.cli.cpubound.coro.voluntary"] = f"corobench cpubound: {e}"


def run_timing(prog, rounds=7):
    """One rg_timing run: its JSON document. RuntimeError when it fails."""
    try:
        p = subprocess.run([prog, "--rounds", str(rounds)], capture_output=True, text=True,
                           timeout=120)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise RuntimeError(f"rg_timing: {e}")
    if p.returncode != 0:
        raise RuntimeError(f"rg_timing: exit {p.returncode}: {p.stderr.strip()}")
    try:
        return json.loads(p.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError) as e:
        raise RuntimeError(f"rg_timing: unreadable output: {e}")


def timing_metrics(t, metrics, errors):
    """Adds the ratio, time and getrusage metrics of one rg_timing document."""
    for rname, st in t["ratios"].items():
        metrics["ratio." + rname] = {
            "value": round(st["median"], 5), "unit": "ratio (median of rounds)",
            "kind": "ratio", "min": round(st["min"], 5), "max": round(st["max"], 5)}
    for mname, st in t["ns_per_switch"].items():
        metrics["time." + mname] = {
            "value": round(st["median"], 3), "unit": "ns/switch", "kind": "time",
            "min": round(st["min"], 3), "max": round(st["max"], 3)}
    c = t["csw"]
    for which, key in (("voluntary", "coro_yield_vol"), ("involuntary", "coro_yield_invol")):
        metrics[f"csw.coro.yield.{which}"] = {
            "value": int(c[key]), "unit": "switches/run", "kind": "count",
            "of": int(c["coro_yield_switches"])}
    if "futex_vol" in c:
        metrics["csw.futex.per_handoff"] = {
            "value": round((c["futex_vol"] + c["futex_invol"]) / c["futex_switches"], 4),
            "unit": "kernel switches/hand-off", "kind": "count"}
    if not t.get("fcontext"):
        for k in ("coro_rawswitch_over_fcontext", "coro_yield_over_fcontext"):
            errors["ratio." + k] = ("rg_timing was built without Boost.Context "
                                    "(libboost-context-dev)")
    if t.get("futex_error"):
        errors["ratio.coro_yield_over_futex"] = t["futex_error"]


def _measure_timing(prog, metrics, errors):
    if prog is None:
        errors["ratio"] = "rg_timing not built"
        return
    try:
        timing_metrics(run_timing(prog), metrics, errors)
    except (RuntimeError, KeyError, TypeError, ZeroDivisionError) as e:
        errors["ratio"] = f"rg_timing: {e}"


def find_tools(build, timing, use_cli):
    """({driver: path or None}, corobench path or None, errors) of a build;
    NoTools when nothing at all can be measured there."""
    if shutil.which("valgrind") is None:
        raise NoTools("valgrind not found (Debian package valgrind; scripts/bootstrap installs it)")
    progs = {n: find_prog(build, n) for n in ("rg_coro", "rg_thr", "rg_timing")}
    missing = [n for n, p in progs.items() if p is None]
    if len(missing) == len(progs):
        raise NoTools(f"no regression drivers (rg_coro, rg_thr, rg_timing) under {build}")
    cli = find_prog(build, "corobench") if use_cli else None
    errors = {}
    if use_cli and cli is None:
        errors["insn.cli"] = errors["csw.cli"] = f"no corobench binary under {build}"
    for n in missing:
        if n != "rg_timing" or timing:
            errors["driver." + n] = f"{n} not built under {build}"
    return progs, cli, errors


def measure(build, repeat=1, log=print, timing=True, use_cli=True):
    progs, cli, errors = find_tools(build, timing, use_cli)
    metrics = {}
    steps = len(INSN_DRIVERS) + (2 * len(CLI_RUNS) + 1 if cli else 0) + (1 if timing else 0)
    step = 0

    def progress(what):
        nonlocal step
        step += 1
        log(f"[{step}/{steps}] {what}")

    with tempfile.TemporaryDirectory(prefix="corobench-regress.") as tmp:
        _measure_drivers(progs, repeat, tmp, metrics, errors, progress)
        if cli:
            _measure_cli(cli, repeat, tmp, metrics, errors, progress)
        if timing:  # --no-timing: counts only (the gate test uses this)
            progress("timing ratios and context switches (native, rg_timing)")
            _measure_timing(progs["rg_timing"], metrics, errors)
    skipped = []  # asked for (--no-timing, --no-cli): such rows never fail
    if not timing:
        skipped += ["ratio.", "time.", "csw.coro.", "csw.futex."]
    if not use_cli:
        skipped += ["insn.cli.", "csw.cli."]
    return {"schema": SCHEMA_MEASURE,
            "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "env": env_capture(build), "metrics": metrics, "errors": errors,
            "skipped": skipped}


def spread(vals):
    lo, hi = min(vals), max(vals)
    return 0.0 if lo == 0 else (hi - lo) / lo * 100


# --------------------------------------------------------------------------
# limits and comparing

def default_limit(name, kind):
    """(gate, limit) for a metric new to the baseline."""
    if kind == "instructions" and name.startswith("insn.cli.") and name.endswith(".threads"):
        # Several threads under valgrind: its thread scheduling moves the
        # count between identical runs (baseline.json records the spread).
        return True, {"max_increase_pct": 2 * DEFAULT_PCT}
    if kind == "instructions":
        return True, {"max_increase_pct": DEFAULT_PCT}
    if name in ("csw.coro.yield.voluntary", "csw.cli.cpubound.coro.voluntary"):
        return True, {"max_value": 0}  # a pure-coroutine run never blocks in the kernel
    if kind == "ratio" and name.endswith("_over_fcontext"):
        # Two user-space switches timed in interleaved slices on the thread's
        # CPU clock: their run-to-run spread stays far inside a +50 % band
        # even beside a parallel build, so they gate, with that band.
        return True, {"max_increase_pct": RATIO_PCT}
    if kind == "ratio":
        # Against a kernel futex hand-off: depends on the kernel and the VM,
        # tracked (warns outside the band either way), never fails.
        return False, {"max_increase_pct": RATIO_PCT, "max_decrease_pct": RATIO_PCT}
    return False, {}  # informative only (times in ns, involuntary switches)


def compare(baseline, current):
    """Rows (dicts) of the comparison, and whether the gate passes."""
    bdef = baseline.get("default_threshold_pct", DEFAULT_PCT)
    bm, cm = baseline["metrics"], current.get("metrics", {})
    errors = current.get("errors", {})
    rows = []
    for name in list(bm) + [n for n in cm if n not in bm]:
        b = bm.get(name)
        c = cm.get(name)
        kind = (b or c).get("kind", "")
        gate, lim = default_limit(name, kind)
        if b is not None:
            gate = bool(b.get("gate", gate))
            lim = b.get("limit", lim if kind != "instructions"
                        else {"max_increase_pct": bdef})
        row = {"metric": name, "unit": (c or b).get("unit", ""), "gate": gate, "limit": lim,
               "baseline": b.get("value") if b else None, "now": c.get("value") if c else None,
               "change_pct": None}
        if b is None:
            row["verdict"] = "new"
        elif c is None and any(name.startswith(p) for p in current.get("skipped", [])):
            row["verdict"] = "skipped"
        elif c is None:
            why = errors.get(name) or next((v for k, v in errors.items() if name.startswith(k)),
                                           "not measured")
            row["verdict"] = "MISSING" if gate else "missing"
            row["note"] = why
        else:
            bv, cv = row["baseline"], row["now"]
            if bv is not None and bv != 0:
                row["change_pct"] = (cv - bv) / abs(bv) * 100
            worse = False
            better = False
            if "max_value" in lim and cv > lim["max_value"]:
                worse = True
            if "max_increase_pct" in lim and bv is not None:
                if cv > bv * (1 + lim["max_increase_pct"] / 100) + 1e-12:
                    worse = True
                dec = lim.get("max_decrease_pct")
                if dec is not None and cv < bv * (1 - dec / 100):
                    worse = True  # outside the band either way (ratios)
                elif cv < bv * (1 - lim["max_increase_pct"] / 100):
                    better = True
            if worse:
                row["verdict"] = "FAIL" if gate else "warn"
            elif better:
                row["verdict"] = "better"
            else:
                row["verdict"] = "ok"
        rows.append(row)
    passed = not any(r["verdict"] in ("FAIL", "MISSING") for r in rows)
    return rows, passed


def env_warnings(baseline, current, keys=None):
    be, ce = baseline.get("env", {}) or {}, current.get("env", {}) or {}
    out = []
    for k in keys or ENV_WARN_KEYS:
        if k in be and be.get(k) != ce.get(k):
            out.append(f"{k}: baseline {be.get(k)!r}, now {ce.get(k)!r}")
    return out


HINT = ("If the change is intended, run `make bench-baseline` and commit "
        "results/baseline.json.")


EXT_FORMAT = {".md": "markdown", ".xml": "junit", ".json": "json", ".txt": "table"}


def emit(a, rows, warnings, passed, sides=("baseline", "now"), tool="bench-check",
         hint=HINT, extra=None):
    """Prints the result in --format, or the table when --output files are
    given; writes each --output (format from its extension: .md markdown,
    .xml junit, .json json, else --format) and --report (JSON) atomically."""
    kw = {"sides": sides, "tool": tool, "hint": hint, "extra": extra}
    for path in a.output or []:
        fmt = EXT_FORMAT.get(os.path.splitext(path)[1].lower(), a.format)
        atomic.write_text(path, gatereport.render(fmt, rows, warnings, passed, **kw))
    fmt = "table" if a.output else a.format
    sys.stdout.write(gatereport.render(fmt, rows, warnings, passed, **kw))
    if a.report:
        write_atomic(a.report, gatereport.document(rows, warnings, passed, extra))


# --------------------------------------------------------------------------
# two builds in one run (make bench-compare)

AB_ALPHA = 0.05  # a timing ratio fails only when its shift is also significant


def ab_timing(progs, pairs, log):
    """Runs rg_timing of each build alternately (A B B A A B ...) pairs times,
    so that load drifting during the run falls on both sides alike.
    Returns {side: {metric: [values]}}."""
    samples = {side: {} for side in progs}
    sides = list(progs)
    for i in range(pairs):
        for side in (sides if i % 2 == 0 else sides[::-1]):
            log(f"[timing {i + 1}/{pairs}] rg_timing of the {side} build")
            m, err = {}, {}
            timing_metrics(run_timing(progs[side], rounds=3), m, err)
            for name, v in m.items():
                samples[side].setdefault(name, []).append(v["value"])
    return samples


def _fold_samples(measured, samples):
    """Each timing metric's value becomes the median of its samples (the
    voluntary-switch counts the largest: one switch into the kernel fails)."""
    for name, vals in samples.items():
        v = max(vals) if name.endswith(".voluntary") else statistics.median(vals)
        kind = "ratio" if name.startswith("ratio.") else "time" if name.startswith("time.") \
            else "count"
        measured["metrics"][name] = {"value": v, "kind": kind, "samples": vals,
                                     "unit": "ratio (median of runs)" if kind == "ratio"
                                     else ""}
    measured["skipped"] = [s for s in measured["skipped"]
                           if s not in ("ratio.", "time.", "csw.coro.", "csw.futex.")]


def _judge_ratios(rows, samples):
    """A ratio row fails only when it moved beyond its limit and the
    Mann-Whitney U test says base and head samples differ (p < AB_ALPHA)."""
    from stats import mann_whitney_p  # scripts/lib/stats.py (scipy.stats)
    for r in rows:
        a = samples["base"].get(r["metric"])
        b = samples["head"].get(r["metric"])
        p = mann_whitney_p(a, b) if r["metric"].startswith("ratio.") and a and b else None
        if p is None:
            continue
        r["p"] = round(p, 4)
        r["note"] = f"Mann-Whitney p={p:.3f}"
        if r["verdict"] in ("FAIL", "warn", "better") and p >= AB_ALPHA:
            r["note"] = f"not significant, Mann-Whitney p={p:.3f}"
            r["verdict"] = "ok"


def compare_builds(base, head, limits, timing, use_cli, pairs, log):
    """Rows of base (old) against head (new) measured in this one run, with
    the limits of the committed baseline. NoTools when nothing is measurable."""
    if timing:
        try:
            import scipy.stats  # noqa: F401  (only whether it is there)
        except ImportError:
            raise NoTools(f"scipy is missing for the timing test ({sys.executable}); install "
                          "python3-scipy and run with PYTHON=/usr/bin/python3, or --no-timing")
    got = {}
    for side, build in (("base", base), ("head", head)):
        log(f"{PROG}: counting instructions of the {side} build ({build})")
        got[side] = measure(build, 1, log, False, use_cli)
    if timing:
        progs = {s: find_prog(b, "rg_timing") for s, b in (("base", base), ("head", head))}
        if None in progs.values():
            raise NoTools("rg_timing is not built in " + " and ".join(
                b for s, b in (("base", base), ("head", head)) if progs[s] is None))
        samples = ab_timing(progs, pairs, log)
        for side in got:
            _fold_samples(got[side], samples[side])
    ref = make_baseline(got["base"], limits)
    rows, _ = compare(ref, got["head"])
    if timing:
        _judge_ratios(rows, samples)
    passed = not any(r["verdict"] in gatereport.FAILING for r in rows)
    return rows, passed, got


# --------------------------------------------------------------------------
# history (scripts/lib/history.py)

def git_info(root):
    """(commit, branch) of the tree measured; branch from CI variables first
    (a CI checkout is often a detached HEAD)."""
    commit = first_line(["git", "-C", root, "rev-parse", "HEAD"])
    branch = (os.environ.get("GITHUB_HEAD_REF") or os.environ.get("GITHUB_REF_NAME")
              or os.environ.get("CI_COMMIT_REF_NAME"))
    if not branch:
        b = first_line(["git", "-C", root, "rev-parse", "--abbrev-ref", "HEAD"])
        branch = b if b and b != "HEAD" else None
    return commit, branch


def open_history(path):
    """The history connection, or None when recording is off. Opened before
    measuring, so an unusable file stops the gate at once (exit 2)."""
    if path == "off" or (path is None and history.disabled()):
        return None
    return history.connect(path or history.default_path(ROOT))


def record(db, measured, rows, source, log):
    commit, branch = git_info(ROOT)
    run = {"run_id": history.new_run_id(source), "commit_sha": commit, "branch": branch,
           "date_utc": measured["measured_at"], "env": measured["env"], "source": source}
    byname = {r["metric"]: r for r in rows}
    metrics = []
    for name, m in measured["metrics"].items():
        r = byname.get(name, {})
        metrics.append((name, m.get("value"), m.get("unit"), r.get("limit"), r.get("gate")))
    n = history.append_run(db, run, metrics)
    log(f"{PROG}: history: run {run['run_id']} ({n} metrics) appended")


# --------------------------------------------------------------------------
# baseline

def make_baseline(measured, old):
    metrics = {}
    oldm = (old or {}).get("metrics", {})
    for name, m in measured["metrics"].items():
        gate, lim = default_limit(name, m.get("kind", ""))
        if name in oldm:  # keep hand-tuned limits across updates
            gate = oldm[name].get("gate", gate)
            lim = oldm[name].get("limit", lim)
        e = dict(m)
        e["gate"] = gate
        e["limit"] = lim
        metrics[name] = e
    return {
        "schema": SCHEMA_BASELINE,
        "comment": "Written by `make bench-baseline` (scripts/regress.py update). Per-metric "
                   "'gate' and 'limit' may be edited by hand; updates keep them.",
        "measured_at": measured["measured_at"],
        "default_threshold_pct": (old or {}).get("default_threshold_pct", DEFAULT_PCT),
        "env": measured["env"],
        "metrics": metrics,
        "errors": measured["errors"],
    }


# --------------------------------------------------------------------------

def parse(argv):
    ap = argparse.ArgumentParser(prog=PROG, description="corobench performance regression gate")
    sub = ap.add_subparsers(dest="cmd")
    pm = sub.add_parser("measure")
    pm.add_argument("--build", required=True)
    pm.add_argument("--out")
    pm.add_argument("--repeat", type=int, default=1)
    pc = sub.add_parser("check")
    pc.add_argument("--build", required=True)
    pc.add_argument("--baseline", required=True)
    pc.add_argument("--save-current", metavar="FILE")
    pc.add_argument("--history", metavar="FILE",
                    help="history database to append to ('off': none; default "
                         "$BENCH_HISTORY or results/history.sqlite)")
    pp = sub.add_parser("compare")
    pp.add_argument("--baseline", required=True)
    pp.add_argument("--current", required=True)
    pb = sub.add_parser("compare-builds")
    pb.add_argument("--base-build", required=True)
    pb.add_argument("--head-build", required=True)
    pb.add_argument("--baseline", required=True, help="file whose limits apply")
    pb.add_argument("--pairs", type=int, default=6,
                    help="interleaved rg_timing runs per build (2..50)")
    pb.add_argument("--base-label", default="base")
    pu = sub.add_parser("update")
    pu.add_argument("--build", required=True)
    pu.add_argument("--baseline", required=True)
    pu.add_argument("--repeat", type=int, default=2)
    for x in (pc, pp, pb):
        x.add_argument("--report", help="also write the JSON report here")
        x.add_argument("--format", default="table", choices=gatereport.FORMATS)
        x.add_argument("--output", metavar="FILE", action="append",
                       help="write the result here, in the format its extension names (.md, "
                            ".xml, .json; else --format); repeatable; the table then goes "
                            "to stdout")
    for x in (pm, pc, pu, pb):
        x.add_argument("--no-timing", action="store_true",
                       help="skip rg_timing (ratios, getrusage): counts only")
        x.add_argument("--no-cli", action="store_true",
                       help="skip the whole corobench runs: the drivers only")
    try:
        a = ap.parse_args(argv)
    except SystemExit as e:
        raise UsageError(None) if e.code else SystemExit(0)
    if a.cmd is None:
        raise UsageError("missing command (measure|check|compare|compare-builds|update)")
    if not 1 <= getattr(a, "repeat", 1) <= 10:
        raise UsageError("--repeat must be in 1..10")
    if not 2 <= getattr(a, "pairs", 2) <= 50:
        raise UsageError("--pairs must be in 2..50")
    for opt in ("build", "base_build", "head_build"):
        d = getattr(a, opt, None)
        if d is not None and not os.path.isdir(d):
            raise UsageError(f"--{opt.replace('_', '-')} {d}: no such directory "
                             "(build first: make build)")
    return a


def cmd_update(a, log):
    old = None
    if os.path.exists(a.baseline):
        try:
            old = read_json(a.baseline, "baseline")
        except UsageError as e:
            log(f"{PROG}: ignoring the old baseline's limits: {e}")
    cur = measure(a.build, a.repeat, log, not a.no_timing, not a.no_cli)
    for name, err in cur["errors"].items():
        log(f"{PROG}: warning: not measured: {name}: {err}")
    for n, m in cur["metrics"].items():
        if m.get("repeat_spread_pct", 0) > 0:
            log(f"{PROG}: warning: {n} differed between {a.repeat} runs by "
                f"{m['repeat_spread_pct']}%")
    nb = make_baseline(cur, old)
    write_atomic(a.baseline, nb)
    w = max(len(n) for n in nb["metrics"]) if nb["metrics"] else 6
    print(f"{'metric':<{w}}  {'value':>12}  {'unit':<26}  limit")
    for n, m in nb["metrics"].items():
        lim = limit_text(m["limit"]) + ("" if m["gate"] else " (track)")
        print(f"{n:<{w}}  {fmt_val(m['value']):>12}  {m.get('unit', ''):<26}  {lim}")
    log(f"{PROG}: wrote {a.baseline} ({len(cur['metrics'])} metrics)")
    return 0


def cmd_check(a, log):
    baseline = read_json(a.baseline, "baseline")
    if a.cmd == "compare":
        cur, db = read_json(a.current, "measurement"), None
    else:
        db = open_history(a.history)
        cur = measure(a.build, 1, log, not a.no_timing, not a.no_cli)
        if a.save_current:
            write_atomic(a.save_current, cur)
    rows, passed = compare(baseline, cur)
    emit(a, rows, env_warnings(baseline, cur), passed)
    if db is not None:
        record(db, cur, rows, "bench-check", log)
    return 0 if passed else 1


def cmd_compare_builds(a, log):
    limits = read_json(a.baseline, "baseline")
    rows, passed, got = compare_builds(a.base_build, a.head_build, limits, not a.no_timing,
                                       not a.no_cli, a.pairs, log)
    for side in got:
        for name, err in got[side]["errors"].items():
            log(f"{PROG}: {side}: not measured: {name}: {err}")
    warns = env_warnings(got["base"], got["head"], [k for k in ENV_WARN_KEYS if k != "commit"])
    emit(a, rows, warns, passed, sides=(a.base_label, "head"), tool="bench-compare",
         hint="The head build is slower than the base beyond the gate's limits.",
         extra={"base_env": got["base"]["env"], "head_env": got["head"]["env"]})
    return 0 if passed else 1


def main(argv):
    log = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731
    try:
        a = parse(argv)
        if a.cmd == "measure":
            cur = measure(a.build, a.repeat, log, not a.no_timing, not a.no_cli)
            if a.out:
                write_atomic(a.out, cur)
            else:
                print(json.dumps(cur, indent=2))
            return 0
        if a.cmd == "update":
            return cmd_update(a, log)
        if a.cmd == "compare-builds":
            return cmd_compare_builds(a, log)
        return cmd_check(a, log)
    except UsageError as e:
        if e.args and e.args[0]:
            print(f"{PROG}: {e}", file=sys.stderr)
        return 2
    except history.HistoryError as e:
        print(f"{PROG}: history: {e}", file=sys.stderr)
        return 2
    except NoTools as e:
        print(f"{PROG}: cannot measure: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"{PROG}: {getattr(e, 'filename', '') or ''}: {e.strerror}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
