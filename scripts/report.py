#!/usr/bin/env python3
"""report.py RUN_DIR -- write RUN_DIR/REPORT.md from a run's data.

The report answers the article with this run's numbers: the machine, a
headline table (one column per system, peers included when they ran), each
plot with two sentences of reading generated from the data, the seven claims
with verdicts computed by the rules in lib/claims.py, and every failed or
skipped point.  Nothing in it is typed by hand; a missing or malformed input
file stops it with the file's name and exit 1 (2 for bad usage).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import cbdata  # noqa: E402
import claims  # noqa: E402
from atomic import write_text  # noqa: E402

PLOTS = ["switch", "spawn", "memory", "oversub", "prodcons", "echo", "fairness"]
CORE = ["coro", "ucontext", "threads"]
# Systems without a scheduler: a bare context-switch primitive.  They are not
# compared with corobench's scheduler-included numbers (coro_yield, spawn +
# run + join through the ready queue) but with its own raw primitive.
RAW = {"boost-context": "Boost.Context jump_fcontext / make_fcontext (raw primitive, no scheduler)"}


def g(x, unit=""):
    return x if isinstance(x, str) else cbdata.fnum(x, unit)


def load(run):
    env = cbdata.load_json_file(os.path.join(run, "env.json"), "environment file")
    ppath = os.path.join(run, "data", "points.json")
    data = cbdata.load_json_file(ppath, "points file")
    if not isinstance(env, dict):
        raise cbdata.DataError(f"{os.path.join(run, 'env.json')}: malformed environment file (not an object)")
    pts = data.get("points") if isinstance(data, dict) else None
    if not isinstance(pts, list):
        raise cbdata.DataError(f"{ppath}: malformed points file (no 'points' list)")
    for i, p in enumerate(pts):
        if not isinstance(p, dict) or not all(k in p for k in ("step", "point", "status", "tags", "kind")):
            raise cbdata.DataError(f"{ppath}: malformed point #{i} (needs step, point, kind, status, tags)")
    return env, pts, data.get("skipped") or []


# ---- headline ---------------------------------------------------------------


def headline(t):
    """[(metric, unit, better, {system: (value, note)})]."""
    sw, sp, mem, pc = t["switch"][1], t["spawn"][1], t["memory"][1], t["prodcons"][1]

    def pick_switch(sysname):
        for m in ({"mech": "futex", "pin": "same"}, {"pin": "same"}, {}):
            r = cbdata.best([x for x in sw if x["system"] == sysname and x["median"] is not None], **m)
            if r:
                return r["median"], ("" if sysname != "threads" else f"{r['mech']}, {r['pin']} core")
        return None

    systems = []
    for r in sw + sp + mem + pc:
        s = r.get("system") or r.get("backend")
        if s not in systems:
            systems.append(s)
    # corobench's own M:N series (coro-mnW) has its sections (oversubscription,
    # producer-consumer, echo); the headline compares corobench with the others
    systems = [s for s in CORE if s in systems] + sorted(s for s in systems if s not in CORE and s not in RAW
                                                         and not s.startswith("coro-mn"))
    rows = []
    rows.append(("context switch", "ns", "lower", {s: pick_switch(s) for s in systems}))
    rows.append(("spawn + run + join", "ns/task", "lower",
                 {s: (r["median"], "") for s in systems for r in sp if r["system"] == s and r["median"] is not None}))
    rows.append(("memory per live task", "B", "lower",
                 {r["system"]: (r["median"], "") for r in mem if r["median"] is not None}))
    alive = {}
    for r in mem:
        if r["tasks_reached"] is not None:
            capped = r["tasks_reached"] >= (r["tasks_requested"] or 0)
            alive[r["system"]] = (r["tasks_reached"], NOT_A_LIMIT if capped else "limit hit")
    rows.append(("most tasks alive", "tasks", "higher", alive))
    for cap in (1, 1024):
        rows.append((f"queue hand-off, capacity {cap} (1 producer, 1 consumer)", "items/s", "higher",
                     {r["backend"]: (r["median"], "") for r in pc
                      if (r["p"], r["c"], r["capacity"], r["work_ns"]) == (1, 1, cap, 0) and r["median"] is not None}))
    return systems, rows


NOT_A_LIMIT = "all requested, not a limit"


def ratio_text(vals, better):
    """coro against the best of the comparable (scheduler-based) systems only."""
    if "coro" not in vals or vals["coro"] is None:
        return "—"
    others = {s: v for s, v in vals.items() if s != "coro" and s not in RAW and not s.startswith("coro-mn")
              and v is not None and v[0]}
    if not others or not vals["coro"][0]:
        return "—"
    pick = min if better == "lower" else max
    best = pick(others, key=lambda s: others[s][0])
    c, b = vals["coro"][0], others[best][0]
    if others[best][1] == NOT_A_LIMIT and c > b:
        # a count the other system reached in full is not its limit: a ratio
        # against it would only compare how many tasks each was asked for
        return f"not compared: {best} held all {g(b)} it was asked for"
    r = b / c if better == "lower" else c / b
    return f"{r:.3g}× vs {best} ({'better' if r > 1 else 'worse' if r < 1 else 'equal'})"


def raw_rows(t):
    """The raw-primitive comparison: [(metric, corobench, peer CLI, gbench fcontext, ratio text)]."""
    gb = {r["name"]: r for r in t["gbench"][1]}
    sw = [r for r in t["switch"][1] if r["system"] in RAW and r["median"] is not None]
    sp = [r for r in t["spawn"][1] if r["system"] in RAW and r["median"] is not None]
    a, b = gb.get("switch/coro/rawctx"), gb.get("switch/fcontext")
    ratio = (f"{b['median_ns'] / a['median_ns']:.3g}× ({'better' if a['median_ns'] < b['median_ns'] else 'worse'})"
             if a and b else "—")
    rows = [("context switch, raw (ns, lower is better)",
             g(a["median_ns"], "ns") + " (gbench switch/coro/rawctx)" if a else "—",
             g(sw[0]["median"], "ns") if sw else "—",
             g(b["median_ns"], "ns") + " (gbench switch/fcontext)" if b else "—", ratio)]
    rows.append(("spawn, raw (ns/task, lower is better)", "not measured (corobench has no scheduler-free spawn benchmark)",
                 g(sp[0]["median"], "ns/task") + " (make_fcontext + 2 jumps, reused stack)" if sp else "—",
                 "—", "not comparable with spawn + run + join above"))
    return rows


# ---- readings ---------------------------------------------------------------


def reading(name, t, env):
    cores = env.get("cores") or 2
    if name in ("switch", "spawn"):
        rows = [r for r in t[name][1] if r["median"] is not None]
        gb = [r for r in t["gbench"][1] if cbdata.gbench_kind(r["name"]) == name]
        allv = [(r["system"] + ("-" + r["mech"] if name == "switch" and r["mech"] != r["system"] else "")
                 + (f" ({r['pin']})" if name == "switch" and r.get("pin") not in (None, "none") else ""), r["median"])
                for r in rows] + [("gb:" + r["name"], r["median_ns"]) for r in gb]
        if not allv:
            return "No data."
        lo, hi = min(allv, key=lambda x: x[1]), max(allv, key=lambda x: x[1])
        s = (f"The cheapest is {lo[0]} at {g(lo[1], 'ns')} and the dearest {hi[0]} at {g(hi[1], 'ns')}, "
             f"{hi[1] / lo[1]:.3g}× apart.")
        c = [v for k, v in allv if k.startswith("coro")]
        th = [v for k, v in allv if k.startswith("threads")]
        if c and th:
            s += (f" corobench's coroutines ({g(min(c), 'ns')}) against the cheapest thread case ({g(min(th), 'ns')}): "
                  f"threads cost {min(th) / min(c):.3g}× more.")
        return s
    if name == "memory":
        m = {r["system"]: r for r in t["memory"][1] if r["median"] is not None}
        if "coro" not in m or "threads" not in m:
            return "Coroutine or thread memory data missing."
        c, th = m["coro"], m["threads"]
        s = (f"A live coroutine costs {c['median'] / 1024:.3g} KiB of resident memory ({c['tasks_reached']} alive), "
             f"a live thread {th['median'] / 1024:.3g} KiB ({th['tasks_reached']} alive): "
             f"{th['median'] / c['median']:.3g}× more.")
        lim = [f"{r['system']} stopped at {r['tasks_reached']}: {r['limit_error']}" for r in m.values()
               if r["limit_error"]]
        s += (" " + "; ".join(lim) + ".") if lim else " No system hit a limit at the counts requested."
        return s
    if name == "oversub":
        out = []
        for be in ("threads", "coro", "coro-mn2"):
            parts = []
            for w in sorted({r["wss"] for r in t["oversub"][1] if r["backend"] == be}):
                b, top, tried, err = claims.oversub_points(t["oversub"][1], be, w, cores)
                if b and top:
                    parts.append(f"{w} B: {-(1 - top['median'] / b['median']):+.1%} (T={cores}→{top['tasks']})")
            if parts:
                out.append(f"From T={cores} to the most tasks, {cbdata.label(be)} throughput changes by "
                           + ", ".join(parts) + ".")
        sc = mn_scaling(t["oversub"][1])
        if sc:
            out.append(f"Two M:N workers give {sc['min']:.3g}×..{sc['max']:.3g}× the one-worker throughput at T ≥ 2 "
                       f"(median {sc['median']:.3g}× over {sc['n']} points).")
        return " ".join(out) or "No data."
    if name == "prodcons":
        rows = t["prodcons"][1]

        def at(be, w, cap=1024):
            return next((r["median"] for r in rows if (r["backend"], r["p"], r["c"], r["capacity"], r["work_ns"])
                         == (be, 1, 1, cap, w) and r["median"]), None)

        works = sorted({r["work_ns"] for r in rows if r["work_ns"] is not None})
        if not works:
            return "No data."
        lo, hi = works[0], works[-1]
        c0, t0, c1, t1 = at("coro", lo), at("threads", lo), at("coro", hi), at("threads", hi)
        if None in (c0, t0, c1, t1):
            return "The 1×1 capacity-1024 series is incomplete; see the CSV."
        m0 = at("coro-mn2", lo)
        mn = (f" On 2 M:N workers the same 1×1 point moves {g(m0)} items/s ({m0 / c0:.3g}× M:1)." if m0 else "")
        return (f"With 1 producer, 1 consumer and capacity 1024, coroutines move {c0 / t0:.3g}× the items/s of "
                f"threads at {lo} ns of work per item ({g(c0)} vs {g(t0)} items/s). "
                f"At {hi} ns per item the ratio is {c1 / t1:.3g}× ({g(c1)} vs {g(t1)}): "
                + ("the work dominates and threads catch up (within 1.5×)." if c1 / t1 < 1.5
                   else "coroutines keep the lead.") + mn)
    if name == "echo":
        rows = {(r["backend"], r["connections"]): r for r in t["echo"][1] if r["median"] is not None}
        cs = sorted({c for _, c in rows})
        if not cs:
            return "No echo data in this run."
        hi = cs[-1]
        parts = [f"{cbdata.label(be)} {g(rows[(be, hi)]['median'])} requests/s (p99 {rows[(be, hi)]['p99_ms']:.3g} ms)"
                 for be in cbdata.SERIES if (be, hi) in rows]
        s = f"At {hi} connections the servers answer: " + ", ".join(parts) + "."
        best = {}
        for (be, c), r in rows.items():
            if best.get(c) is None or r["median"] > rows[(best[c], c)]["median"]:
                best[c] = be
        s += (" The fastest server per connection count: "
              + ", ".join(f"{c}: {cbdata.label(best[c])}" for c in cs) + ".")
        return s
    if name == "fairness":
        rows = [r for r in t["fairness"][1] if r["median"] is not None]
        by = {(r["backend"], r["yield_us"]): r["median"] for r in rows}
        if ("coro", 0) not in by or ("threads", 0) not in by:
            return "The no-yield points are missing; see failed points."
        ys = sorted(y for b, y in by if b == "coro" and y)
        s = (f"With CPU-bound tasks that never yield, the ticker's p99 lateness is {cbdata.fus(by[('coro', 0)])} on "
             f"coroutines and {cbdata.fus(by[('threads', 0)])} on threads (preempted by the kernel).")
        if ys:
            s += (f" Yielding every {ys[0]} µs brings the coroutine ticker to {cbdata.fus(by[('coro', ys[0])])}, every "
                  f"{ys[-1]} µs to {cbdata.fus(by[('coro', ys[-1])])}.")
        return s
    return ""


def targets(t):
    """Issue 6's targets for corobench's coroutines: [(target, measured, met)]."""
    gb = {r["name"]: r for r in t["gbench"][1]}
    sw = t["switch"][1]
    sp = {r["system"]: r for r in t["spawn"][1] if r["median"] is not None}
    pc = {(r["backend"], r["capacity"]): r for r in t["prodcons"][1]
          if (r["p"], r["c"], r["work_ns"]) == (1, 1, 0) and r["median"] is not None}
    out = []
    a, b = gb.get("switch/coro/rawctx"), gb.get("switch/fcontext")
    if a and b:
        r = a["median_ns"] / b["median_ns"]
        out.append(("switch no slower than Boost.Context jump_fcontext (Google Benchmark, same run)",
                    f"coro rawctx {g(a['median_ns'], 'ns')} vs fcontext {g(b['median_ns'], 'ns')} = {r:.3g}×",
                    r <= 1.0))
    else:
        out.append(("switch no slower than Boost.Context jump_fcontext", "not measured (no gbench fcontext/rawctx)",
                    None))
    go_sw = cbdata.best([x for x in sw if x["median"] is not None], system="go")
    if ("coro", 1024) in pc and ("go", 1024) in pc:
        r = pc[("coro", 1024)]["median"] / pc[("go", 1024)]["median"]
        out.append(("queue hand-off at capacity 1024 at least 3× Go's buffered channel",
                    f"{g(pc[('coro', 1024)]['median'], 'items/s')} vs {g(pc[('go', 1024)]['median'], 'items/s')}"
                    f" = {r:.3g}×", r >= 3))
    else:
        out.append(("queue hand-off at capacity 1024 at least 3× Go's buffered channel", "not measured", None))
    if ("coro", 1) in pc and go_sw:
        ns = 1e9 / pc[("coro", 1)]["median"]
        r = go_sw["median"] / ns
        out.append(("rendezvous hand-off (capacity 1) at least 5× faster than Go's unbuffered ping-pong",
                    f"{g(ns, 'ns')} per item vs Go {g(go_sw['median'], 'ns')} per switch = {r:.3g}×", r >= 5))
    else:
        out.append(("rendezvous hand-off (capacity 1) at least 5× faster than Go's unbuffered ping-pong",
                    "not measured", None))
    if "coro" in sp and "go" in sp:
        r = sp["go"]["median"] / sp["coro"]["median"]
        out.append(("spawn + join at least 5× faster than a goroutine's",
                    f"{g(sp['coro']['median'], 'ns')} vs {g(sp['go']['median'], 'ns')} = {r:.3g}×", r >= 5))
    else:
        out.append(("spawn + join at least 5× faster than a goroutine's", "not measured", None))
    return out


def pairs(a, b):
    """a/b within each repetition that measured both (bench.sh runs the
    backends of a point back to back in every repetition, so a pair shares
    the machine's state of the moment)."""
    ra, rb = a.get("by_rep") or {}, b.get("by_rep") or {}
    return [ra[k] / rb[k] for k in sorted(ra) if k in rb and rb[k]]


def paired_ratio(a, b):
    """a against b at one point: the median of pairs(a, b); the ratio of the
    medians when no repetition has both."""
    s = cbdata.stats(pairs(a, b))
    return s["median"] if s else a["median"] / b["median"]


def spread(a, b, target):
    """' (pairs lo..hi; k of n at least target)' for a ratio target: how far
    the run's own pairs agree with the verdict their median gives."""
    ps = pairs(a, b)
    if len(ps) < 2:
        return ""
    k = sum(x >= target for x in ps)
    return f" (pairs {min(ps):.3g}..{max(ps):.3g}; {k} of {len(ps)} at least {target:g}×)"


def mn_scaling(rows):
    """M:N on 2 workers against M:1 at every (wss, T >= 2) both measured."""
    one = {(r["wss"], r["tasks"]): r for r in rows if r["backend"] == "coro" and r["median"]}
    rs = [(paired_ratio(r, one[(r["wss"], r["tasks"])]), r["wss"], r["tasks"]) for r in rows
          if r["backend"] == "coro-mn2" and r["median"] and (r["tasks"] or 0) >= 2 and (r["wss"], r["tasks"]) in one]
    s = cbdata.stats([x[0] for x in rs])
    if s:
        s["points"] = rs
    return s


def split_ratio(a, b):
    """a/b's throughput ratio as (CPU kept busy) x (work per CPU second):
    within a repetition a/b = (busy_a/busy_b) x (b's CPU time / a's) for
    the same work, exactly; the medians of both factors over the repetitions
    (their product is close to, not exactly, the paired median). None
    without pairs that have both."""
    ta, tb = a.get("by_rep") or {}, b.get("by_rep") or {}
    ba, bb = a.get("busy_by_rep") or {}, b.get("busy_by_rep") or {}
    ks = [k for k in ta if k in tb and k in ba and k in bb and tb[k] and bb[k] and ba[k]]
    if not ks:
        return None
    busy = [ba[k] / bb[k] for k in ks]
    eff = [(ta[k] / tb[k]) / x for k, x in zip(ks, busy)]
    return cbdata.stats(busy)["median"], cbdata.stats(eff)["median"]


def ratio_at(rows, num, den, wss, tasks):
    """Backend num against backend den at the same (wss, T), paired per
    repetition; None when either was not measured. threads vs coro at T = 2:
    what two cores of this machine give this work; threads-split2 vs coro at
    any T: what two cores give these very tasks without a scheduler."""
    def row(be):
        return next((r for r in rows if r["backend"] == be and (r["wss"], r["tasks"]) == (wss, tasks) and r["median"]),
                    None)
    a, b = row(num), row(den)
    return paired_ratio(a, b) if a and b else None


def targets7(t, env):
    """Issue 7's targets, from this run: [(target, measured, met)]; met None = not measured."""
    out = []
    ov = t["oversub"][1]
    sc = mn_scaling(ov)
    name = "cpubound, 2 M:N workers ≥ 1.9× the 1-worker throughput at every T ≥ 2 (every working set)"
    if sc:
        parts = []
        l2 = (env.get("caches") or {}).get("l2")
        for w in sorted({x[1] for x in sc["points"]}):
            r, _, tt = min(x for x in sc["points"] if x[1] == w)
            ts = ratio_at(ov, "threads", "coro", w, 2)
            big = f" (not smaller than the {l2 // 1024} KiB L2 cache)" if l2 and w >= l2 else ""
            at = {x["backend"]: x for x in ov if (x["wss"], x["tasks"]) == (w, tt) and x["median"]}
            cl = paired_ratio(at["threads-split2"], at["coro"]) if "threads-split2" in at else None
            def how(be):  # " = busy × work per CPU second", or nothing
                sp = split_ratio(at[be], at["coro"]) if be in at and "coro" in at else None
                return f" = {sp[0]:.3g} × {sp[1]:.3g}" if sp else ""
            ref = [f"no scheduler at T={tt}: {cl:.3g}×{how('threads-split2')}"] if cl else []
            ref += [f"2 threads: {ts:.3g}×"] if ts else []
            parts.append(f"{w} B{big}: worst {r:.3g}× at T={tt}{how('coro-mn2')}" +
                         (f" ({'; '.join(ref)})" if ref else ""))
        eff = cbdata.stats([x for x in (ratio_at(ov, "coro-mn2", "threads-split2", w, tt)
                                        for _, w, tt in sc["points"]) if x])
        effs = (f" M:N against 2 pinned threads running the same tasks back to back without a scheduler: "
                f"median {eff['median']:.3g}× ({eff['min']:.3g}..{eff['max']:.3g}) over {eff['n']} points "
                "(1 = the scheduler costs nothing).") if eff else ""
        defs = ("'no scheduler' is 2 pinned threads running the same tasks back to back against one coroutine "
                "worker: what two cores give that point; ") if eff else ""
        out.append((name, f"{'; '.join(parts)}; median {sc['median']:.3g}× over {sc['n']} points. Each ratio is the "
                    f"median over repetitions of the two backends run back to back; 'a = b × c' splits a ratio into b, the "
                    "CPU time per second of wall time against one worker's (2 = both cores working all along; below "
                    "2 a core waited, e.g. for the last task on the other), and c, the work done per CPU second "
                    "against one worker's (below 1: each core got less done per second of CPU, through the "
                    "scheduler's own cost or a slower core; the no-scheduler reference has only the latter; "
                    f"medians of each, so b × c is close to a, not equal); {defs}'2 threads' is threads at T=2 against one coroutine worker "
                    "at T=2." + effs,
                    sc["min"] >= 1.9))
    else:
        out.append((name, "not measured (no coro and coro-mn2 oversubscription points)", None))
    name = "cpubound at T = 4096: 2 M:N workers ahead of 4096 threads (every working set)"
    mn = {r["wss"]: r for r in ov if r["backend"] == "coro-mn2" and r["tasks"] == 4096 and r["median"]}
    th = {r["wss"]: r for r in ov if r["backend"] == "threads" and r["tasks"] == 4096}
    if mn and th:
        parts, ok = [], True
        for w in sorted(mn):
            tr = th.get(w)
            if tr is None:
                parts.append(f"{w} B: threads not measured")
                ok = False
            elif tr["median"] is None:
                parts.append(f"{w} B: threads could not run ({tr['error']})")
            else:
                parts.append(f"{w} B: {g(mn[w]['median'])} vs {g(tr['median'])} units/s = {mn[w]['median'] / tr['median']:.3g}×")
                ok = ok and mn[w]["median"] > tr["median"]
        out.append((name, "; ".join(parts), ok))
    else:
        out.append((name, "not measured (no T = 4096 point for coro-mn2 and threads)", None))
    ec = {(r["backend"], r["connections"]): r for r in t["echo"][1]}
    C = 10000
    thr = ec.get(("threads", C))
    for be in ("coro", "coro-mn2"):
        cr = ec.get((be, C))
        lab = cbdata.label(be)
        if not cr or cr["median"] is None or not thr:
            for what in ("requests/s ≥ 2× thread-per-connection", "lower p99 latency than threads",
                         "memory < 1/4 of threads' (RSS + kernel stacks)"):
                out.append((f"echo at {C} connections, {lab}: {what}", "not measured", None))
            continue
        held = thr["median"] is not None and (thr["established_min"] or 0) >= C and not thr["limit_error"]
        why = (f"threads could not hold them: {thr['limit_error'] or thr['error'] or 'fewer established'}"
               f" (established {g(thr['established_min'])})")
        if held:
            r = paired_ratio(cr, thr)
            out.append((f"echo at {C} connections, {lab}: requests/s ≥ 2× thread-per-connection",
                        f"{g(cr['median'])} vs {g(thr['median'])} requests/s (medians); {r:.3g}× as the median "
                        "over repetitions of runs made back to back" + spread(cr, thr, 2), r >= 2))
            out.append((f"echo at {C} connections, {lab}: lower p99 latency than threads",
                        f"{cr['p99_ms']:.3g} ms vs {thr['p99_ms']:.3g} ms", cr["p99_ms"] < thr["p99_ms"]))
            if cr["mem_mib"] is not None and thr["mem_mib"]:
                r = cr["mem_mib"] / thr["mem_mib"]
                out.append((f"echo at {C} connections, {lab}: memory < 1/4 of threads' (RSS + kernel stacks)",
                            f"{cr['mem_mib']:.3g} MiB vs {thr['mem_mib']:.3g} MiB = {r:.3g}×", r < 0.25))
            else:
                out.append((f"echo at {C} connections, {lab}: memory < 1/4 of threads'", "not measured", None))
        else:
            out.append((f"echo at {C} connections, {lab}: requests/s ≥ 2× thread-per-connection "
                        "(or threads cannot hold them)", why, True))
            out.append((f"echo at {C} connections, {lab}: lower p99 latency than threads", why, True))
            out.append((f"echo at {C} connections, {lab}: memory < 1/4 of threads'", why, True))
    return out


CAPTIONS = {
    "switch": "Context switch cost per mechanism",
    "spawn": "Spawn + run + join cost",
    "memory": "Memory per live task",
    "oversub": "Oversubscription: throughput vs task count per working set",
    "prodcons": "Producer–consumer throughput vs per-item work",
    "echo": "TCP echo: requests/s and p99 latency vs connections",
    "fairness": "Fairness: ticker lateness vs yield interval",
}


def main():
    if len(sys.argv) != 2:
        print("usage: report.py RUN_DIR", file=sys.stderr)
        return 2
    run = sys.argv[1]
    try:
        env, points, skipped = load(run)
    except cbdata.DataError as e:
        print(f"report: {e}", file=sys.stderr)
        return 1
    t = cbdata.tables(points)
    md = []
    w = md.append
    w(f"# corobench report — run {env.get('run_id')}\n")
    w("Generated by `scripts/report.py` from this run's data (`data/points.json`, tables in `csv/`). "
      "Every number, sentence of reading and verdict below is computed from it; none is typed by hand.\n")
    w("## Machine\n")
    w("| | |\n|---|---|")
    # every cache level when env.json has them, else (older runs) the last level only
    caches = ("caches_text", "caches") if env.get("caches_text") else ("llc", "last-level cache")
    for k, label in (("cpu_model", "CPU"), ("cores", "cores"), caches, ("mem_total", "memory"),
                     ("hypervisor", "virtual machine"), ("governor", "frequency governor"), ("kernel", "kernel"),
                     ("compiler", "compiler"), ("build_type", "build type"), ("cflags", "C flags"),
                     ("commit", "commit"), ("tree_dirty", "uncommitted code changes (outside results/)"), ("mode", "mode"),
                     ("date_utc", "date (UTC)"), ("loadavg_start", "load average at start")):
        v = env.get(k)
        w(f"| {label} | {'not readable' if v is None else v} |")
    npts = len(points)
    nfail = sum(p["status"] != "ok" and not cbdata.optional(p) for p in points)
    nopt = sum(p["status"] != "ok" and cbdata.optional(p) for p in points)
    optnote = f" ({nopt} optional point(s) not supported, listed under Skipped)" if nopt else ""
    w(f"\n{npts} measurement points, {nfail} failed{optnote}. "
      "Repeated points show the median; min..max is the spread.\n")

    systems, hl = headline(t)
    w("## Headline\n")
    w("Scheduler-based systems only: every number below includes a scheduler (corobench's coroutines, its "
      "ucontext build, pthreads, Python asyncio, Boost.Fiber, Go); the last column compares corobench's "
      "coroutines with the best of the others in that row. Raw context-switch primitives without a scheduler "
      "are compared separately below.\n")
    w("| metric | " + " | ".join(systems) + " | corobench coroutines vs the best comparable system |")
    w("|---|" + "---|" * len(systems) + "---|")
    for metric, unit, better, vals in hl:
        cells = []
        for s in systems:
            v = vals.get(s)
            cells.append("—" if not v else g(v[0], unit) + (f" ({v[1]})" if v[1] else ""))
        w(f"| {metric} ({better} is better) | " + " | ".join(cells) + f" | {ratio_text(vals, better)} |")
    w("\n— = not measured in this run (see skipped and failed points).\n")
    w("### Raw primitive, no scheduler\n")
    w("Boost.Context is a bare `jump_fcontext` (its spawn: `make_fcontext` and two jumps on a reused stack). "
      "It is compared with corobench's own raw primitive (`coro_rawctx_switch`, Google Benchmark, same run), "
      "not with the scheduler-included figures above.\n")
    w("| metric | corobench raw primitive | boost-context peer | Boost.Context in Google Benchmark | "
      "corobench vs Boost.Context (gbench) |\n|---|---|---|---|---|")
    for row in raw_rows(t):
        w("| " + " | ".join(row) + " |")
    w("")
    w("### Targets for corobench's coroutines (issue 6)\n")
    w("| target | measured | met |\n|---|---|---|")
    for name, measured, met in targets(t):
        w(f"| {name} | {measured} | {'not measured' if met is None else 'yes' if met else '**no, missed**'} |")
    w("")
    w("### Targets of issue 7 (M:N and echo)\n")
    w("| target | measured | met |\n|---|---|---|")
    for name, measured, met in targets7(t, env):
        w(f"| {name} | {str(measured).replace('|', '/')} | "
          f"{'not measured' if met is None else 'yes' if met else '**no, missed**'} |")
    w("")
    gb = t["gbench"][1]
    if gb:
        w("### Google Benchmark micro results\n")
        w("| benchmark | median | min | max | reps | items/s |\n|---|---|---|---|---|---|")
        for r in gb:
            w(f"| {r['name']} | {g(r['median_ns'], 'ns')} | {g(r['min_ns'], 'ns')} | {g(r['max_ns'], 'ns')} | "
              f"{r['n']} | {g(r['items_per_s'])} |")
        w("")

    w("## Plots\n")
    for p in PLOTS:
        w(f"### {CAPTIONS[p]}\n")
        svg = os.path.join(run, "plots", p + ".svg")
        if os.path.isfile(svg) and os.path.getsize(svg) > 0:
            w(f"![{CAPTIONS[p]}](plots/{p}.svg) ([PNG](plots/{p}.png))\n")
        else:
            why = ""
            try:
                with open(os.path.join(run, "plots", p + ".failed"), encoding="utf-8") as f:
                    why = " ".join(f.read().split())[:300]
            except OSError:
                why = "no plot file"
            w(f"*Plot not drawn: {why}*\n")
        w(reading(p, t, env) + "\n")
        if p == "echo" and t["echo"][1]:
            w("| server | connections | established (min) | requests/s (min..max) | p99 latency | peak RSS | "
              "kernel stacks added | memory (RSS + kernel stacks) | limit hit |\n|---|---|---|---|---|---|---|---|---|")
            for r in t["echo"][1]:
                rps = "—" if r["median"] is None else f"{g(r['median'])} ({g(r['min'])}..{g(r['max'])})"
                w(f"| {cbdata.label(r['backend'])} | {r['connections']} | {g(r['established_min'])} | {rps} | "
                  f"{'—' if r['p99_ms'] is None else format(r['p99_ms'], '.3g') + ' ms'} | "
                  f"{'—' if r['rss_mib'] is None else format(r['rss_mib'], '.3g') + ' MiB'} | "
                  f"{'—' if r['kstack_mib'] is None else format(r['kstack_mib'], '.3g') + ' MiB'} | "
                  f"{'—' if r['mem_mib'] is None else format(r['mem_mib'], '.3g') + ' MiB'} | "
                  f"{str(r['limit_error'] or r['error'] or 'no').replace('|', '/')} |")
            w("\nKernel stacks: the system-wide `KernelStack` change during the run (other processes add noise, "
              "so it can be slightly negative for a server with few threads).\n")

    at = t["article_time"][1]
    if at:
        w("## The article's programs, timed whole (hyperfine)\n")
        w("| program | backend | median | min | max | runs |\n|---|---|---|---|---|---|")
        for r in at:
            w(f"| {r['program']} | {r['backend']} | {r['median']:.3g} ms | {r['min']:.3g} ms | {r['max']:.3g} ms "
              f"| {r['runs']} |")
        w("")

    peer_text = [p for p in points if p["step"] == "peers" and p["kind"] == "text" and p["status"] == "ok"]
    if peer_text:
        w("## The article's programs: peers' output vs corobench coroutines\n")
        w("| program | peer | lines | identical to corobench coroutines (`--n 20`) |\n|---|---|---|---|")
        for p in peer_text:
            prog = p["tags"].get("program")
            mine, _, err = claims.article_text(points, "coro", prog)
            theirs = p["result"]["text"].splitlines()
            if err:
                same = f"cannot compare: {err}"
            elif [l.rstrip() for l in mine] == [l.rstrip() for l in theirs]:
                same = "yes, line for line"
            else:
                diff = sum(1 for a, b in zip(mine, theirs) if a.rstrip() != b.rstrip()) + abs(len(mine) - len(theirs))
                same = f"no: {diff} of {max(len(mine), len(theirs))} lines differ"
            w(f"| {prog} | {p['tags'].get('backend')} | {len(theirs)} | {same} |")
        w("")

    w("## The article's claims\n")
    for c in claims.judge_all(t, points, env):
        w(f"### Claim {c['n']}: {c['claim']}\n")
        w(f"**Verdict: {c['verdict']}.** {c['evidence']}.\n")
        if c["rule"]:
            w(f"*Rule:* {c['rule']}.\n")

    w("## Failed points\n")
    failed = [p for p in points if p["status"] != "ok" and not cbdata.optional(p)]
    if failed:
        w("| step | point | rep | error |\n|---|---|---|---|")
        for p in failed:
            w(f"| {p['step']} | {p['point']} | {p['rep']} | {str(p['error']).replace('|', '/')} |")
    else:
        w("None.")
    w("\n## Skipped\n")
    opt = [p for p in points if p["status"] != "ok" and cbdata.optional(p)]
    for s in skipped:
        for line in s["reason"].splitlines():
            w(f"- {s['step']}: {line}")
    for p in opt:
        w(f"- {p['step']}: {p['point']} (rep {p['rep']}) not supported or failed: {p['error']}")
    if not skipped and not opt:
        w("Nothing skipped.")
    w("\n## Reproduce\n")
    w(f"`make bench` (full) or `make bench-quick` on commit `{env.get('commit')}`; the raw outputs are kept in "
      "`results/runs/<run-id>/raw/`.\n")
    write_text(os.path.join(run, "REPORT.md"), "\n".join(md))
    return 0


if __name__ == "__main__":
    sys.exit(main())
