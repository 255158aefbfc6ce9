"""cbdata.py -- read a run's raw points; the helpers that reduce them to tables.

One place decides what a raw file means (ok, failed and why) and how repeated
points become median/min/max; each workload module (scripts/workloads/)
builds its tables with these, so that the CSV files, the plots and the
report's verdicts can never disagree.  collect.py writes what the registry
computes; report.py recomputes the same tables from points.json.
"""
import json
import os
import signal
import statistics


class DataError(Exception):
    """A result file is missing or malformed; the message names the file."""


def load_json_file(path, what="result file"):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        raise DataError(f"{path}: missing {what}")
    except OSError as e:
        raise DataError(f"{path}: cannot read {what}: {e.strerror}")
    try:
        return json.loads(text)
    except ValueError as e:
        raise DataError(f"{path}: malformed {what} (not valid JSON): {e}")


# ---- raw points -------------------------------------------------------------

META_KEYS = ("step", "point", "rep", "kind", "rc", "elapsed_ms", "limit_s", "cmd")


def read_meta(path):
    meta, tags = {}, {}
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise DataError(f"{path}: cannot read meta file: {e.strerror}")
    for n, line in enumerate(lines, 1):
        if "=" not in line:
            raise DataError(f"{path}:{n}: malformed meta line (no '='): {line[:60]!r}")
        k, v = line.split("=", 1)
        if k.startswith("t."):
            tags[k[2:]] = v
        else:
            meta[k] = v
    missing = [k for k in META_KEYS if k not in meta]
    if missing:
        raise DataError(f"{path}: malformed meta file, missing {', '.join(missing)}")
    try:
        meta["rc"] = int(meta["rc"])
        meta["rep"] = int(meta["rep"])
        meta["elapsed_ms"] = int(meta["elapsed_ms"])
        meta["limit_s"] = float(meta["limit_s"])
    except ValueError:
        raise DataError(f"{path}: malformed meta file, rc/rep/elapsed_ms/limit_s not numbers")
    meta["tags"] = tags
    return meta


def _read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return None


def _first_line(text):
    for line in (text or "").splitlines():
        if line.strip():
            return line.strip()[:300]
    return ""


def _exit_error(rc, limit, stderr):
    why = _first_line(stderr)
    if rc == 124:
        return f"hung: no result within the {limit:g} s time limit"
    if rc == 137:
        return f"hung: killed after the {limit:g} s time limit and a 5 s grace period"
    if rc == 127 or rc == 126:
        return f"could not start (exit {rc}): {why or 'command not found or not executable'}"
    if rc == 2:
        return f"usage error (exit 2): {why}"
    if rc > 128:
        try:
            name = signal.Signals(rc - 128).name
        except ValueError:
            name = f"signal {rc - 128}"
        return f"crashed: killed by {name}" + (f" ({why})" if why else "")
    return f"exit {rc}" + (f": {why}" if why else "")


def _parse_object(text):
    """The JSON object a CLI printed: the whole stdout, or its last {...} line."""
    text = (text or "").strip()
    if not text:
        raise ValueError("empty output")
    try:
        obj = json.loads(text)
    except ValueError as e:
        for line in reversed(text.splitlines()):
            line = line.strip()
            if line.startswith("{"):
                obj = json.loads(line)
                break
        else:
            raise e
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    return obj


def interpret(meta, base, rel):
    """The point record for one run: status ok/failed, its error, its result."""
    rc, kind = meta["rc"], meta["kind"]
    out_path = base + ".out"
    out = _read(out_path)
    err = _read(base + ".err") or ""
    rec = {k: meta[k] for k in ("step", "point", "rep", "kind", "rc", "elapsed_ms", "limit_s", "cmd")}
    rec["tags"] = meta["tags"]
    rec["status"], rec["error"], rec["result"] = "failed", None, None
    if kind == "text":
        if rc == 0 and out is not None:
            rec["status"], rec["result"] = "ok", {"text": out}
        else:
            rec["error"] = _exit_error(rc, meta["limit_s"], err)
        return rec
    obj, perr = None, None
    if out is None:
        perr = "no output file"
    else:
        try:
            obj = _parse_object(out)
        except ValueError as e:
            perr = f"{rel}.out is not a JSON object: {e}"
    if kind == "cli":
        if obj is not None:
            rec["result"] = obj
            if obj.get("status") == "ok" and rc == 0:
                rec["status"] = "ok"
            elif obj.get("status") == "error":
                rec["error"] = str(obj.get("error") or "status error without a message")
            elif rc != 0:
                rec["error"] = _exit_error(rc, meta["limit_s"], err)
            else:
                rec["error"] = f"exit {rc} with status {obj.get('status')!r}"
        elif rc == 0:
            rec["error"] = f"exit 0 but {perr}"
        else:
            rec["error"] = _exit_error(rc, meta["limit_s"], err)
        return rec
    need = {"hyperfine": "results", "gbench": "benchmarks"}.get(kind)
    if need is None:
        raise DataError(f"{rel}.meta: unknown kind {kind!r}")
    if rc == 0 and obj is not None and need in obj:
        rec["status"], rec["result"] = "ok", obj
    elif rc == 0:
        rec["error"] = f"exit 0 but {perr or f'{rel}.out has no {need!r}'}"
    else:
        rec["error"] = _exit_error(rc, meta["limit_s"], err)
    return rec


def read_raw(run):
    """Every point under <run>/raw, sorted, plus the steps that were skipped."""
    raw = os.path.join(run, "raw")
    if not os.path.isdir(raw):
        raise DataError(f"{raw}: missing raw result directory")
    points, skipped = [], []
    for step in sorted(os.listdir(raw)):
        sdir = os.path.join(raw, step)
        if not os.path.isdir(sdir):
            continue
        for name in sorted(os.listdir(sdir)):
            if name == "skipped.txt":
                skipped.append({"step": step, "reason": (_read(os.path.join(sdir, name)) or "").strip()})
            if not name.endswith(".meta"):
                continue
            base = os.path.join(sdir, name[: -len(".meta")])
            meta = read_meta(base + ".meta")
            points.append(interpret(meta, base, os.path.relpath(base, run)))
    return points, skipped


# ---- reductions -------------------------------------------------------------


def stats(values):
    v = [x for x in values if isinstance(x, (int, float))]
    if not v:
        return None
    return {"median": statistics.median(v), "min": min(v), "max": max(v), "n": len(v)}


def res(p, key):
    r = (p.get("result") or {}).get("results") or {}
    v = r.get(key)
    return v if isinstance(v, (int, float)) else None


def num(x):
    try:
        return int(x)
    except (TypeError, ValueError):
        try:
            return float(x)
        except (TypeError, ValueError):
            return None


def group(points, step, keys, pred=None):
    """{tuple(tag values): [points]} for one step, in first-seen order."""
    out = {}
    for p in points:
        if p["step"] != step or (pred and not pred(p)):
            continue
        k = tuple(p["tags"].get(x) for x in keys)
        out.setdefault(k, []).append(p)
    return out


def optional(p):
    """A point a peer may not support (tagged so by its workload module)."""
    return p["tags"].get("optional") == "yes"


def skipped(p):
    """A point that did not run because the peer does not implement it: an
    optional point refused as a usage error (exit 2, the manifest's
    'rejects').  A crash, a hang or a bad result of the same point is a
    failed point: the peer implements the workload and broke on it."""
    return p["status"] != "ok" and optional(p) and p.get("rc") == 2


def limit_reached(p):
    """A point that probes a resource limit (tagged probe=limit by its module,
    e.g. threads on a tree larger than the machine's thread limit) and did
    not complete: where it stopped is the data, not a fault."""
    return p["status"] != "ok" and p["tags"].get("probe") == "limit"


def failed(p):
    return p["status"] != "ok" and not skipped(p) and not limit_reached(p)


def first_error(ps):
    for p in ps:
        if p["status"] != "ok":
            return p["error"]
    return None


def row(keys, kvals, ps, metric, scale=1.0):
    ok = [p for p in ps if p["status"] == "ok"]
    vals = [metric(p) for p in ok]
    s = stats([v * scale for v in vals if v is not None])
    row = dict(zip(keys, kvals))
    row.update({"n_ok": len(ok), "n_failed": len(ps) - len(ok)})
    for f in ("median", "min", "max"):
        row[f] = s[f] if s else None
    row["error"] = first_error(ps)
    # the repetitions themselves, kept for intervals (stats.ratio_interval
    # pairs them by repetition within one step) and outlier flags; not CSV
    # columns, so the tables' files keep their shape
    row["step"] = ps[0]["step"] if ps else None
    row["by_rep"] = {p["rep"]: v * scale for p, v in zip(ok, vals) if isinstance(v, (int, float))}
    row["outliers"] = outlier_reps(row["by_rep"])
    return row


def outlier_reps(by_rep):
    """The repetitions whose value is an outlier among the point's (hyperfine's rule)."""
    import stats  # scipy: loaded only when a table is reduced
    keys = sorted(by_rep)
    return [keys[i] for i in stats.outliers([by_rep[k] for k in keys])]


def by_rep(ok, metric):
    """{repetition: metric} of a point's good runs: the runner measures the
    systems of a point back to back in each repetition, so ratios between
    systems pair runs of one repetition (see ratios.py)."""
    return {p["rep"]: metric(p) for p in ok if metric(p) is not None}


def peer_group(points, suffix, keys=("system",)):
    """group() over the peers step's points named <peer><suffix>."""
    return group(points, "peers", keys, lambda p: p["point"].endswith(suffix))


def median(values):
    s = stats(values)
    return s["median"] if s else None


def limit_error(ok):
    """The first resource limit a point's good runs report hitting (threads, descriptors), or None."""
    return next((p["result"]["results"].get("limit_error") for p in ok
                 if (p["result"].get("results") or {}).get("limit_error")), None)


def fnum(x, unit=""):
    """A number for people: 3 significant digits, k/M/G instead of exponents."""
    if x is None:
        return "—"
    ax = abs(x)
    for lim, div, pre in ((1e9, 1e9, "G"), (1e6, 1e6, "M"), (1e4, 1e3, "k")):
        if ax >= lim:
            return (f"{x / div:.3g} {pre}" + unit).strip()
    if ax >= 100:
        return (f"{x:.0f} " + unit).strip()
    return (f"{x:.3g} " + unit).strip()


def fus(x):
    """A duration given in microseconds, in the unit that reads best."""
    if x is None:
        return "—"
    if abs(x) >= 1e6:
        return f"{x / 1e6:.3g} s"
    if abs(x) >= 1e3:
        return f"{x / 1e3:.3g} ms"
    return f"{x:.3g} µs"


def best(rows, **match):
    for r in rows:
        if all(r.get(k) == v for k, v in match.items()):
            return r
    return None
