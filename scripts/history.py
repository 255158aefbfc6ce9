#!/usr/bin/env python3
"""history.py - the benchmark history: record, merge, show trends and shifts.

Commands (the database: --history FILE, else $BENCH_HISTORY, else
results/history.sqlite; schema and example SQL in bench/regress/README.md):
  append-run RUN_DIR     record a `make bench` run (RUN_DIR/env.json and
                         RUN_DIR/data/points.json): each point's numeric
                         results, median over repetitions, one row per metric
  import SRC...          merge other histories (a history file, e.g. a CI
                         matrix job's artifact, or a run directory); machines
                         stay apart by fingerprint; runs already present are
                         skipped, so importing twice changes nothing
  report                 (make bench-history) for each metric (--metrics, all
                         gated ones by default): a table of the last --last
                         commits per machine, a trend plot (SVG and PNG) with
                         the committed baseline and its limit, and the commits
                         where the series shifted (E-Divisive means,
                         scripts/lib/changepoint.py)

Series never mix machine fingerprints unless --across-machines is given:
counts from two CPUs or two compilers are different quantities.
Exit codes: 0 done; 2 bad usage, unreadable input, or an unusable history
file (corrupt, another program's database, a newer schema): left untouched.
"""
import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "lib"))
import atomic  # noqa: E402
import cbdata  # noqa: E402  (the one JSON file reader)
from gatereport import limit_text  # noqa: E402
import historydb as history  # noqa: E402

PROG = "history.py"


class UsageError(Exception):
    pass


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# recording a `make bench` run

def read_json(path, what):
    try:
        return cbdata.load_json_file(path, what)
    except cbdata.DataError as e:
        raise UsageError(str(e))


def run_metrics(points):
    """(metric, median value) per step, point and numeric result field."""
    vals = {}
    for p in points.get("points", []):
        res = (p.get("result") or {}).get("results") if p.get("status") == "ok" else None
        if not isinstance(res, dict):
            continue
        for field, v in res.items():
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                vals.setdefault(f"run.{p['step']}.{p['point']}.{field}", []).append(v)
    return sorted((name, statistics.median(v)) for name, v in vals.items())


def load_run_dir(run_dir):
    """(run dict, metric rows) of a bench run directory."""
    if not os.path.isdir(run_dir):
        raise UsageError(f"{run_dir}: no such run directory")
    env = read_json(os.path.join(run_dir, "env.json"), "run environment")
    pfile = os.path.join(run_dir, "data", "points.json")
    if not os.path.exists(pfile):
        pfile = os.path.join(run_dir, "points.json")  # the committed reference layout
    points = read_json(pfile, "run points")
    if not isinstance(env, dict) or not env.get("run_id") or not isinstance(points, dict):
        raise UsageError(f"{run_dir}: env.json has no run_id or points.json is not an object")
    fp = history.fingerprint(env)
    run = {"run_id": f"bench-{env['run_id']}-{fp}", "commit_sha": env.get("commit"),
           "branch": env.get("branch"), "date_utc": env.get("date_utc") or "",
           "env": env, "fingerprint": fp, "source": "bench"}
    return run, [(n, v, None, None, False) for n, v in run_metrics(points)]


def append_run_dir(db, run_dir, imported_from=None):
    run, metrics = load_run_dir(run_dir)
    if history.has_run(db, run["run_id"]):
        log(f"{PROG}: {run_dir}: run already recorded ({run['run_id']})")
        return 0
    run["imported_from"] = imported_from
    n = history.append_run(db, run, metrics)
    log(f"{PROG}: {run_dir}: run {run['run_id']} ({n} metrics) appended")
    return 1


# --------------------------------------------------------------------------
# merging histories

def import_db(db, src):
    """Copies the runs of another history file that db does not have yet.
    The source is read from a temporary copy (migrated there when older), so
    it is never written to."""
    history.check_file(src)
    added = 0
    with tempfile.TemporaryDirectory(prefix="corobench-import.") as tmp:
        copy = os.path.join(tmp, "src.sqlite")
        with sqlite3.connect(f"file:{os.path.abspath(src)}?mode=ro", uri=True) as s, \
                sqlite3.connect(copy) as d:
            s.backup(d)
        sdb = history.connect(copy)
        envs = {fp: json.loads(m["env_json"] or "{}") for fp, m in history.machines(sdb).items()}
        for run in history.rows(sdb, "SELECT * FROM runs ORDER BY date_utc, run_id"):
            if history.has_run(db, run["run_id"]):
                continue
            mrows = sdb.execute("SELECT metric, value, unit, limit_json, gated FROM metrics "
                                "WHERE run_id = ?", (run["run_id"],)).fetchall()
            run["env"] = envs.get(run["fingerprint"], {})
            run["imported_from"] = run.get("imported_from") or os.path.basename(src)
            history.append_run(db, run, [(m, v, u, json.loads(lj) if lj else None, g)
                                         for m, v, u, lj, g in mrows])
            added += 1
        sdb.close()
    log(f"{PROG}: {src}: {added} run(s) imported")
    return added


def cmd_import(db, sources):
    for src in sources:
        if os.path.isdir(src):
            append_run_dir(db, src, imported_from=os.path.abspath(src))
        elif os.path.isfile(src):
            import_db(db, src)
        else:
            raise UsageError(f"import {src}: no such file or directory")
    return 0


# --------------------------------------------------------------------------
# report: tables, plots, change points

def per_commit(points):
    """Runs of one series grouped by commit, in order of each commit's first
    run: [(commit, first date, median value, limit)]. Several runs of one
    commit are one point: the series is over commits, not over runs."""
    order, groups = [], {}
    for date, commit, _run, _fp, value, limit in points:
        key = commit or f"(no commit, {date})"
        if key not in groups:
            order.append(key)
            groups[key] = (date, [], limit)
        groups[key][1].append(value)
    return [(c, groups[c][0], statistics.median(groups[c][1]), groups[c][2]) for c in order]


def load_series(db, metric, across):
    """{series key: per-commit points}: one per fingerprint, or one 'all'."""
    pts = history.series(db, metric)
    if across:
        return {"all": per_commit(pts)} if pts else {}
    by_fp = {}
    for p in pts:
        by_fp.setdefault(p[3], []).append(p)
    return {fp: per_commit(v) for fp, v in sorted(by_fp.items())}


def baseline_limits(path):
    """{metric: (value, limit line or None)} from the committed baseline."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError):
        return {}
    out = {}
    for name, m in (doc.get("metrics") or {}).items():
        v, lim = m.get("value"), m.get("limit") or {}
        line = None
        if "max_value" in lim:
            line = lim["max_value"]
        elif "max_increase_pct" in lim and isinstance(v, (int, float)):
            line = v * (1 + lim["max_increase_pct"] / 100)
        out[name] = (v, line)
    return out


def short(commit):
    return (commit or "-")[:9]


def table_lines(metric, key, pts, label, last):
    lim = "" if not pts or not pts[-1][3] else f", limit {limit_text(pts[-1][3])}"
    out = [f"{metric} ({series_unit(metric)}{lim})  [machine {key}: {label}]",
           f"  {'commit':<9}  {'date (UTC)':<20}  {'value':>14}  {'vs previous':>11}"]
    shown = pts[-last:]
    prev = pts[-last - 1][2] if len(pts) > last else None
    for commit, date, value, _lim in shown:
        ch = "-" if prev in (None, 0) else f"{(value - prev) / abs(prev) * 100:+.2f}%"
        out.append(f"  {short(commit):<9}  {date[:19]:<20}  {value:>14.6g}  {ch:>11}")
        prev = value
    return out


def changes_of(pts):
    import changepoint  # scipy-free, numpy only; imported when needed
    found = changepoint.detect([v for _c, _d, v, _l in pts])
    for c in found:
        c["commit"], c["date"] = pts[c["index"]][0], pts[c["index"]][1]
        c["previous_commit"] = pts[c["index"] - 1][0]
    return found


def plot(metric, series, labels, base, out_dir, last, changes=()):
    """metric.svg and metric.png in out_dir: one line per series key."""
    if shutil.which("gnuplot") is None:
        log(f"{PROG}: gnuplot not found: no plots (Debian package gnuplot-nox)")
        return []
    commits = []
    for pts in series.values():
        commits += [c for c, *_ in pts[-last:] if c not in commits]
    pos = {c: i for i, c in enumerate(commits)}
    stem = os.path.join(out_dir, metric)
    files, titles = [], []
    for key, pts in series.items():
        f = f"{stem}.{key}.dat"
        atomic.write_text(f, "".join(f"{pos[c]} {v!r} {short(c)}\n"
                                     for c, _d, v, _l in pts[-last:]))
        files.append(f)
        titles.append(key)
    caption = "; ".join(f"{k}: {labels.get(k, 'all machines')}" for k in series)[:300]
    unit = series_unit(metric)
    made = []
    for fmt in ("svg", "png"):
        tmp = f"{stem}.tmp.{fmt}"
        args = [f"out='{tmp}'", f"fmt='{fmt}'", f"files='{' '.join(files)}'",
                f"titles='{' '.join(titles)}'", f"name='{metric}'", f"unit='{unit}'",
                f"caption='{caption}'"]
        shifts = sorted({pos[c["commit"]] for c in changes if c["commit"] in pos})
        args.append(f"shifts='{' '.join(map(str, shifts))}'")
        if base and base[0] is not None:
            args.append(f"base={float(base[0])!r}")
        if base and base[1] is not None:
            args.append(f"lim={float(base[1])!r}")
        p = subprocess.run(["gnuplot", "-e", "; ".join(args),
                            os.path.join(HERE, "history-trend.gp")],
                           capture_output=True, text=True)
        if p.returncode != 0 or not os.path.exists(tmp):
            log(f"{PROG}: gnuplot failed for {metric}: {p.stderr.strip()[-300:]}")
            continue
        os.replace(tmp, f"{stem}.{fmt}")
        made.append(f"{stem}.{fmt}")
    return made


UNITS = {}


def series_unit(metric):
    return UNITS.get(metric) or "value"


def report_metric(db, metric, a, labels, bases):
    series = load_series(db, metric, a.across_machines)
    lines, changes = [], []
    for key, pts in series.items():
        label = labels.get(key, "all machines, compared across fingerprints")
        lines += table_lines(metric, key, pts, label, a.last) + [""]
        for c in changes_of(pts):
            c.update({"metric": metric, "machine": key})
            changes.append(c)
    plots = plot(metric, series, labels, bases.get(metric), a.out, a.last, changes) \
        if series and not a.no_plots else []
    return lines, changes, plots


def change_lines(changes):
    if not changes:
        return ["change points: none (E-Divisive means, permutation test, fixed seed)"]
    out = ["change points (E-Divisive means, permutation test, fixed seed):"]
    for c in changes:
        pct = "-" if c["change_pct"] is None else f"{c['change_pct']:+.2f}%"
        out.append(f"  {c['metric']} [machine {c['machine']}]: at {short(c['commit'])} "
                   f"({c['date'][:10]}, after {short(c['previous_commit'])}): "
                   f"{c['before']:.6g} -> {c['after']:.6g} ({pct}), p={c['p']:.3f}")
    return out


def cmd_report(db, a):
    names = a.metrics.split(",") if a.metrics else history.gated_metrics(db)
    if not names:
        raise UsageError("no gated metrics in the history yet (run make bench-check) "
                         "and no --metrics given")
    known = {r[0] for r in db.execute("SELECT DISTINCT metric FROM metrics")}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UsageError(f"--metrics: not in the history: {', '.join(unknown)}")
    for r in db.execute("SELECT metric, unit FROM metrics WHERE unit IS NOT NULL GROUP BY metric"):
        UNITS[r[0]] = r[1]
    labels = {fp: history.machine_label(m) for fp, m in history.machines(db).items()}
    bases = baseline_limits(a.baseline)
    os.makedirs(a.out, exist_ok=True)
    allc, plots = [], []
    for name in names:
        lines, changes, made = report_metric(db, name, a, labels, bases)
        print("\n".join(lines))
        allc += changes
        plots += made
    print("\n".join(change_lines(allc)))
    atomic.write_json(os.path.join(a.out, "changes.json"),
                      {"schema": "corobench-history-changes/1", "changes": allc})
    log(f"{PROG}: {len(plots)} plot(s) and changes.json written to {a.out}")
    return 0


# --------------------------------------------------------------------------

def parse(argv):
    ap = argparse.ArgumentParser(prog=PROG, description="corobench benchmark history")
    ap.add_argument("--history", help="database (default $BENCH_HISTORY or "
                                      "results/history.sqlite)")
    sub = ap.add_subparsers(dest="cmd")
    pa = sub.add_parser("append-run")
    pa.add_argument("run_dir")
    pi = sub.add_parser("import")
    pi.add_argument("sources", nargs="+")
    pr = sub.add_parser("report")
    pr.add_argument("--metrics", help="comma-separated (default: every gated metric)")
    pr.add_argument("--last", type=int, default=20, help="commits per table and plot")
    pr.add_argument("--out", default=os.path.join(ROOT, "results", "history"))
    pr.add_argument("--baseline", default=os.path.join(ROOT, "results", "baseline.json"))
    pr.add_argument("--across-machines", action="store_true",
                    help="pool all machine fingerprints into one series per metric")
    pr.add_argument("--no-plots", action="store_true")
    try:
        a = ap.parse_args(argv)
    except SystemExit as e:
        raise UsageError(None) if e.code else SystemExit(0)
    if a.cmd is None:
        raise UsageError("missing command (append-run|import|report)")
    if a.cmd == "report" and not 1 <= a.last <= 10000:
        raise UsageError("--last must be in 1..10000")
    return a


def main(argv):
    try:
        a = parse(argv)
        if a.history is None and history.disabled():
            if a.cmd == "report":
                raise UsageError("BENCH_HISTORY=off: no history to report on")
            log(f"{PROG}: BENCH_HISTORY=off: nothing recorded")
            return 0
        path = a.history or history.default_path(ROOT)
        if a.cmd == "report" and not os.path.exists(path):
            raise UsageError(f"no history at {path} yet: `make bench-check` or "
                             "`make bench` records one")
        db = history.connect(path)
        if a.cmd == "append-run":
            append_run_dir(db, a.run_dir)
            return 0
        if a.cmd == "import":
            return cmd_import(db, a.sources)
        return cmd_report(db, a)
    except UsageError as e:
        if e.args and e.args[0]:
            print(f"{PROG}: {e}", file=sys.stderr)
        return 2
    except history.HistoryError as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
