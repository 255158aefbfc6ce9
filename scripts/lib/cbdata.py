"""cbdata.py -- read a run's raw points and reduce them to tables.

One place decides what a raw file means (ok, failed and why) and how repeated
points become median/min/max, so that the CSV files, the plots and the
report's verdicts can never disagree.  collect.py writes what this computes;
report.py recomputes the same tables from data/points.json.
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
        raise DataError(f"{path}: malformed {what}: {e}")


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
    """A point a peer may not support: its failure is a skip, not a failure."""
    return p["tags"].get("optional") == "yes"


def first_error(ps):
    for p in ps:
        if p["status"] != "ok":
            return p["error"]
    return None


def _row(keys, kvals, ps, metric, scale=1.0):
    ok = [p for p in ps if p["status"] == "ok"]
    vals = [metric(p) for p in ok]
    s = stats([v * scale for v in vals if v is not None])
    row = dict(zip(keys, kvals))
    row.update({"n_ok": len(ok), "n_failed": len(ps) - len(ok)})
    for f in ("median", "min", "max"):
        row[f] = s[f] if s else None
    row["error"] = first_error(ps)
    return row


def by_rep(ok, metric):
    """{repetition: metric} of a point's good runs: bench.sh runs the
    backends of a point back to back in each repetition, so ratios between
    backends pair runs of one repetition (see report.paired_ratio)."""
    return {p["rep"]: metric(p) for p in ok if metric(p) is not None}


def _peer_pred(suffix):
    return lambda p: p["point"].endswith(suffix)


def gbench_rows(points):
    rows = []
    for p in points:
        if p["step"] != "gbench" or p["status"] != "ok":
            continue
        per = {}
        unit = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}
        for b in p["result"].get("benchmarks", []):
            if b.get("run_type", "iteration") != "iteration" or b.get("error_occurred"):
                continue
            name = b.get("run_name") or b.get("name")
            # threads: wall time; one thread (coroutines, fcontext): CPU time,
            # which leaves out the time a shared machine descheduled us
            t = b.get("real_time") if name.endswith("/real_time") else b.get("cpu_time")
            if not isinstance(t, (int, float)):
                continue
            e = per.setdefault(name, {"ns": [], "ips": []})
            e["ns"].append(t * unit.get(b.get("time_unit", "ns"), 1))
            if isinstance(b.get("items_per_second"), (int, float)):
                e["ips"].append(b["items_per_second"])
        for name, e in per.items():
            s, si = stats(e["ns"]), stats(e["ips"])
            rows.append({"name": name[: -len("/real_time")] if name.endswith("/real_time") else name, "median_ns": s["median"], "min_ns": s["min"], "max_ns": s["max"],
                         "n": s["n"], "items_per_s": si["median"] if si else None})
    return rows


def gbench_kind(name):
    """switch | spawn | queue | other, from a Google Benchmark name."""
    n = name.lower()
    if "spawn" in n or "create" in n:
        return "spawn"
    if "queue" in n or "handoff" in n:
        return "queue"
    if any(k in n for k in ("switch", "yield", "ping", "futex", "condvar", "pipe", "fcontext", "swapcontext")):
        return "switch"
    return "other"


def tables(points):
    """All reduced tables: {name: (columns, rows)}."""
    t = {}
    # switch: the CLI (coro, ucontext, threads by mechanism, peers)
    rows = []
    for k, ps in group(points, "switch", ("backend", "mech", "pin")).items():
        rows.append(_row(("system", "mech", "pin"), k, ps, lambda p: res(p, "ns_per_switch")) | {"source": "corobench switch"})
    for k, ps in group(points, "peers", ("backend",), _peer_pred("-switch")).items():
        rows.append(_row(("system",), k, ps, lambda p: res(p, "ns_per_switch")) | {"mech": k[0], "pin": "none", "source": "peer switch"})
    t["switch"] = (("system", "mech", "pin", "source", "median", "min", "max", "n_ok", "n_failed", "error"), rows)

    rows = []
    for k, ps in group(points, "spawn", ("backend",)).items():
        rows.append(_row(("system",), k, ps, lambda p: res(p, "ns_per_task")) | {"source": "corobench spawn"})
    for k, ps in group(points, "peers", ("backend",), _peer_pred("-spawn")).items():
        rows.append(_row(("system",), k, ps, lambda p: res(p, "ns_per_task")) | {"source": "peer spawn"})
    t["spawn"] = (("system", "source", "median", "min", "max", "n_ok", "n_failed", "error"), rows)

    rows = []
    mem = list(group(points, "memory", ("backend",)).items())
    mem += list(group(points, "peers", ("backend",), _peer_pred("-memory")).items())
    for k, ps in mem:
        r = _row(("system",), k, ps, lambda p: res(p, "rss_per_task_bytes"))
        ok = [p for p in ps if p["status"] == "ok"]
        reached = stats([res(p, "tasks_reached") for p in ok])
        req = stats([res(p, "tasks_requested") for p in ok])
        lim = next((p["result"]["results"].get("limit_error") for p in ok
                    if (p["result"].get("results") or {}).get("limit_error")), None)
        r.update({"tasks_requested": req["max"] if req else None, "tasks_reached": reached["max"] if reached else None,
                  "limit_error": lim})
        rows.append(r)
    t["memory"] = (("system", "median", "min", "max", "tasks_requested", "tasks_reached", "limit_error",
                    "n_ok", "n_failed", "error"), rows)

    def tput(p):
        w, wall = res(p, "work_units"), res(p, "wall_ns")
        return w / (wall / 1e9) if w and wall else None

    def busy(p):  # CPUs kept busy: CPU time per second of wall time
        cpu, wall = res(p, "cpu_ns"), res(p, "wall_ns")
        return cpu / wall if cpu is not None and wall else None

    rows = []
    for k, ps in group(points, "oversub", ("backend", "wss", "tasks")).items():
        r = _row(("backend", "wss", "tasks"), (k[0], num(k[1]), num(k[2])), ps, tput)
        ok = [p for p in ps if p["status"] == "ok"]
        for f, key, sc in (("wall_ms", "wall_ns", 1e-6), ("cpu_ms", "cpu_ns", 1e-6),
                           ("invol_csw", "invol_csw", 1), ("vol_csw", "vol_csw", 1)):
            s = stats([res(p, key) * sc for p in ok if res(p, key) is not None])
            r[f] = s["median"] if s else None
        r["by_rep"] = by_rep(ok, tput)
        r["busy_by_rep"] = by_rep(ok, busy)
        rows.append(r)
    rows.sort(key=lambda r: (r["backend"], r["wss"] or 0, r["tasks"] or 0))
    t["oversub"] = (("backend", "wss", "tasks", "median", "min", "max", "wall_ms", "cpu_ms", "invol_csw",
                     "vol_csw", "n_ok", "n_failed", "error"), rows)

    rows = []
    pcs = list(group(points, "prodcons", ("backend", "p", "c", "capacity", "work_ns")).items())
    pcs += list(group(points, "peers", ("backend", "p", "c", "capacity", "work_ns"),
                      lambda p: "-prodcons-" in p["point"]).items())
    for k, ps in pcs:
        rows.append(_row(("backend", "p", "c", "capacity", "work_ns"), (k[0],) + tuple(num(x) for x in k[1:]),
                         ps, lambda p: res(p, "items_per_s")))
    t["prodcons"] = (("backend", "p", "c", "capacity", "work_ns", "median", "min", "max", "n_ok", "n_failed",
                      "error"), rows)

    rows = []
    for k, ps in group(points, "fairness", ("backend", "yield_us", "period_us")).items():
        r = _row(("backend", "yield_us", "period_us"), (k[0], num(k[1]), num(k[2])), ps,
                 lambda p: res(p, "late_p99_ns"), 1e-3)
        ok = [p for p in ps if p["status"] == "ok"]
        s50 = stats([res(p, "late_p50_ns") for p in ok])
        smax = stats([res(p, "late_max_ns") for p in ok])
        r["p50_us"] = s50["median"] / 1e3 if s50 else None
        r["max_us"] = smax["median"] / 1e3 if smax else None
        rows.append(r)
    t["fairness"] = (("backend", "yield_us", "period_us", "median", "min", "max", "p50_us", "max_us", "n_ok",
                      "n_failed", "error"), rows)

    rows = []
    for p in points:
        if p["step"] == "article" and p["kind"] == "hyperfine" and p["status"] == "ok":
            for r in p["result"]["results"]:
                times = r.get("times") or []
                rows.append({"program": p["tags"].get("program"), "backend": r.get("command"),
                             "mean_ms": r["mean"] * 1e3, "median": r["median"] * 1e3, "min": r["min"] * 1e3,
                             "max": r["max"] * 1e3, "runs": len(times)})
    t["article_time"] = (("program", "backend", "mean_ms", "median", "min", "max", "runs"), rows)

    rows = []
    for k, ps in group(points, "article", ("backend", "program"), lambda p: p["kind"] == "cli").items():
        p = ps[0]
        r = (p.get("result") or {}).get("results") or {}
        rows.append({"backend": k[0], "program": k[1], "status": p["status"], "checksum": (p.get("result") or {}).get("checksum"),
                     "lines": r.get("lines"), "runs": r.get("runs"), "distinct_orders": r.get("distinct_orders"),
                     "error": p["error"]})
    t["article_json"] = (("backend", "program", "status", "checksum", "lines", "runs", "distinct_orders", "error"), rows)

    # echo (issue 7): per server and connection count; memory = server peak RSS
    # plus the kernel stacks its threads added (a thread's kernel stack is in no VmRSS)
    rows = []
    for k, ps in group(points, "echo", ("backend", "connections")).items():
        r = _row(("backend", "connections"), (k[0], num(k[1])), ps, lambda p: res(p, "requests_per_s"))
        ok = [p for p in ps if p["status"] == "ok"]
        for f, fn in (("p99_ms", lambda p: res(p, "lat_p99_ns") and res(p, "lat_p99_ns") / 1e6),
                      ("rss_mib", lambda p: res(p, "server_peak_rss_bytes") and res(p, "server_peak_rss_bytes") / 2**20),
                      ("kstack_mib", lambda p: None if res(p, "kernel_stack_delta_bytes") is None
                       else res(p, "kernel_stack_delta_bytes") / 2**20),
                      ("mem_mib", lambda p: None if None in (res(p, "server_peak_rss_bytes"), res(p, "kernel_stack_delta_bytes"))
                       else (res(p, "server_peak_rss_bytes") + res(p, "kernel_stack_delta_bytes")) / 2**20),
                      ("established", lambda p: res(p, "connections_established"))):
            s = stats([fn(p) for p in ok])
            r[f] = s["median"] if s else None
            if f in ("p99_ms", "mem_mib"):
                r[f + "_min"], r[f + "_max"] = (s["min"], s["max"]) if s else (None, None)
        r["by_rep"] = by_rep(ok, lambda p: res(p, "requests_per_s"))
        est = stats([res(p, "connections_established") for p in ok])
        r["established_min"] = est["min"] if est else None
        r["limit_error"] = next((p["result"]["results"].get("limit_error") for p in ok
                                 if (p["result"].get("results") or {}).get("limit_error")), None)
        rows.append(r)
    rows.sort(key=lambda r: (SERIES.index(r["backend"]) if r["backend"] in SERIES else 99, r["connections"] or 0))
    t["echo"] = (("backend", "connections", "median", "min", "max", "p99_ms", "p99_ms_min", "p99_ms_max",
                  "rss_mib", "kstack_mib", "mem_mib", "mem_mib_min", "mem_mib_max", "established",
                  "established_min", "limit_error", "n_ok", "n_failed", "error"), rows)

    t["gbench"] = (("name", "median_ns", "min_ns", "max_ns", "n", "items_per_s"), gbench_rows(points))
    t["failed"] = (("step", "point", "rep", "error", "cmd"),
                   [{k: p[k] for k in ("step", "point", "rep", "error", "cmd")} for p in points
                    if p["status"] != "ok" and not optional(p)])
    return t


# Series of the sweeps that run corobench's backends, in display order, and
# their labels ("coro-mnW" = the coroutine backend M:N on W worker threads;
# "threads-splitW" = cpubound's tasks run back to back by W pinned threads).
SERIES = ["coro", "coro-mn2", "threads-split2", "ucontext", "threads"]


def label(backend):
    if backend == "coro":
        return "coro M:1"
    if backend and backend.startswith("coro-mn"):
        return f"coro M:N ({backend[len('coro-mn'):]} workers)"
    if backend and backend.startswith("threads-split"):
        return f"{backend[len('threads-split'):]} pinned threads, no scheduler"
    return backend


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
