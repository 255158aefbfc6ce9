#!/usr/bin/env python3
"""gbcompare.py - compare two Google Benchmark JSON files (old, new).

Why: a user who saved two `--benchmark_format=json` runs wants to see what got
slower, in the shape of Google Benchmark's own tools/compare.py (which Debian's
libbenchmark-dev does not ship), with the standard library only.

Per benchmark it prints the relative change of real and CPU time and the old and
new times (in the new file's time unit). When a file holds repetitions, the row
uses the median aggregate and adds the [min..max] of the repetitions; without
aggregates a benchmark's single iteration row is used. A last row,
OVERALL_GEOMEAN, gives the geometric mean of the new/old time ratios.

Exit codes: 0 compared; 1 --threshold given and some benchmark's real time grew
by more than that many percent; 2 bad command line or unreadable/malformed file
(one line on stderr naming it).
"""

import argparse
import json
import math
import re
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import atomic  # noqa: E402  (temp file + rename)
import cbdata  # noqa: E402  (the one JSON file reader)

UNITS_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


class InputError(Exception):
    pass


def load(path):
    """Returns {run_name: entry} with entry = dict(real, cpu, unit(ns), reps)."""
    try:
        doc = cbdata.load_json_file(path, "Google Benchmark JSON file")
    except cbdata.DataError as e:
        raise InputError(str(e))
    if not isinstance(doc, dict) or not isinstance(doc.get("benchmarks"), list):
        raise InputError(f"{path}: no 'benchmarks' list (not a Google Benchmark JSON file)")
    out = {}
    for i, b in enumerate(doc["benchmarks"]):
        if not isinstance(b, dict) or "name" not in b:
            raise InputError(f"{path}: benchmarks[{i}] has no name")
        if b.get("error_occurred"):
            continue  # skipped benchmark, as compare.py does
        run = b.get("run_name", b["name"])
        unit = b.get("time_unit", "ns")
        if unit not in UNITS_NS:
            raise InputError(f"{path}: {b['name']}: unknown time_unit {unit!r}")
        try:
            real = float(b["real_time"]) * UNITS_NS[unit]
            cpu = float(b["cpu_time"]) * UNITS_NS[unit]
        except (KeyError, TypeError, ValueError):
            raise InputError(f"{path}: {b['name']}: missing or non-numeric real_time/cpu_time")
        if not (math.isfinite(real) and math.isfinite(cpu)) or real < 0 or cpu < 0:
            raise InputError(f"{path}: {b['name']}: bad time value")
        e = out.setdefault(run, {"reps": [], "median": None, "unit": unit})
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") == "median":
                e["median"] = (real, cpu)
            continue  # mean/stddev/cv: not compared (times of different meaning)
        e["reps"].append((real, cpu))
        e["unit"] = unit
    for run, e in list(out.items()):
        if e["median"] is None and not e["reps"]:
            del out[run]
    return out


def summary(e):
    """(real, cpu, min_real, max_real, n): the median aggregate if present."""
    reps = e["reps"]
    if e["median"] is not None:
        real, cpu = e["median"]
    elif len(reps) == 1:
        real, cpu = reps[0]
    else:  # repetitions without aggregates (--benchmark_report_aggregates_only=false)
        s = sorted(reps)
        real = s[len(s) // 2][0] if len(s) % 2 else (s[len(s) // 2 - 1][0] + s[len(s) // 2][0]) / 2
        c = sorted(x[1] for x in reps)
        cpu = c[len(c) // 2] if len(c) % 2 else (c[len(c) // 2 - 1] + c[len(c) // 2]) / 2
    lo = min((r for r, _ in reps), default=real)
    hi = max((r for r, _ in reps), default=real)
    return real, cpu, lo, hi, len(reps)


def change(old, new):
    if old == 0:
        return 0.0 if new == 0 else math.inf
    return (new - old) / old


def fmt_time(ns, unit):
    v = ns / UNITS_NS[unit]
    return f"{v:.0f}" if abs(v) >= 100 else f"{v:.3g}"


def make_rows(old, new, flt):
    """One row per benchmark in both files (matching --filter)."""
    rows = []
    for n in (n for n in new if n in old and (flt is None or flt.search(n))):
        o, w = summary(old[n]), summary(new[n])
        rows.append({
            "name": n, "unit": new[n]["unit"],
            "real_old": o[0], "real_new": w[0], "cpu_old": o[1], "cpu_new": w[1],
            "real_change": change(o[0], w[0]), "cpu_change": change(o[1], w[1]),
            "real_old_range": [o[2], o[3]], "real_new_range": [w[2], w[3]],
            "reps_old": o[4], "reps_new": w[4],
            "aggregate": "median" if (old[n]["median"] or new[n]["median"]) else None,
        })
    return rows


def print_rows(rows):
    """Prints compare.py's table and the geometric mean row; returns the mean."""
    hdr = (f"{'Benchmark':<40}{'Time':>10}{'CPU':>10}{'Time Old':>12}{'Time New':>12}"
           f"{'CPU Old':>12}{'CPU New':>12}  unit  new range (min..max)")
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        u = r["unit"]
        rng = ""
        if r["reps_new"] > 1:
            rng = f"{fmt_time(r['real_new_range'][0], u)}..{fmt_time(r['real_new_range'][1], u)}"
        label = r["name"] + ("_median" if r["aggregate"] else "")
        print(f"{label:<40}{r['real_change'] * 100:>+9.1f}%{r['cpu_change'] * 100:>+9.1f}%"
              f"{fmt_time(r['real_old'], u):>12}{fmt_time(r['real_new'], u):>12}"
              f"{fmt_time(r['cpu_old'], u):>12}{fmt_time(r['cpu_new'], u):>12}  {u:<4}  "
              f"{rng}".rstrip())
    ok = [r for r in rows if r["real_old"] > 0 and r["real_new"] > 0 and r["cpu_old"] > 0
          and r["cpu_new"] > 0]
    if not ok:
        return None
    g_real = math.exp(sum(math.log(r["real_new"] / r["real_old"]) for r in ok) / len(ok)) - 1
    g_cpu = math.exp(sum(math.log(r["cpu_new"] / r["cpu_old"]) for r in ok) / len(ok)) - 1
    print(f"{'OVERALL_GEOMEAN':<40}{g_real * 100:>+9.1f}%{g_cpu * 100:>+9.1f}%")
    return {"real_change": g_real, "cpu_change": g_cpu, "benchmarks": len(ok)}


def main(argv):
    ap = argparse.ArgumentParser(
        prog="gbcompare.py",
        description="Compare two Google Benchmark JSON files (old new).")
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--filter", metavar="REGEX", help="only benchmarks whose name matches")
    ap.add_argument("--threshold", type=float, metavar="PCT",
                    help="exit 1 if a real time grew by more than PCT percent")
    ap.add_argument("--json", metavar="FILE", help="also write the comparison as JSON")
    try:
        args = ap.parse_args(argv)
    except SystemExit as e:
        return 2 if e.code else 0
    if args.threshold is not None and not (math.isfinite(args.threshold) and args.threshold >= 0):
        print("gbcompare.py: --threshold must be a non-negative number", file=sys.stderr)
        return 2
    try:
        flt = re.compile(args.filter) if args.filter else None
    except re.error as e:
        print(f"gbcompare.py: --filter: bad regular expression: {e}", file=sys.stderr)
        return 2
    try:
        old = load(args.old)
        new = load(args.new)
    except InputError as e:
        print(f"gbcompare.py: {e}", file=sys.stderr)
        return 2

    rows = make_rows(old, new, flt)
    print(f"Comparing {args.old} to {args.new}")
    geo = print_rows(rows)
    only_old = [n for n in old if n not in new and (flt is None or flt.search(n))]
    only_new = [n for n in new if n not in old and (flt is None or flt.search(n))]
    if only_old:
        print("only in old: " + ", ".join(only_old))
    if only_new:
        print("only in new: " + ", ".join(only_new))
    if not rows:
        print("gbcompare.py: no benchmark name is in both files", file=sys.stderr)
    if args.json:
        doc = {"old": args.old, "new": args.new, "benchmarks": rows, "overall_geomean": geo,
               "only_old": only_old, "only_new": only_new}
        try:
            atomic.write_text(args.json, json.dumps(doc, indent=1, default=str))
        except OSError as e:
            print(f"gbcompare.py: --json {args.json}: {e.strerror}", file=sys.stderr)
            return 2

    if args.threshold is not None:
        bad = [r for r in rows if r["real_change"] * 100 > args.threshold]
        if bad:
            print(f"gbcompare.py: {len(bad)} benchmark(s) slower than +{args.threshold:g}%: "
                  + ", ".join(r["name"] for r in bad), file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
