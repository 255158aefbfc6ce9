"""cpubound: a fixed amount of CPU work split over T tasks (the
oversubscription sweep), per working set, on threads, coroutines M:1 and M:N,
and two pinned threads running the same tasks back to back (no scheduler)."""
import cbdata
import claims
import plotdata
import systems
from ratios import paired_ratio, split_ratio
from workloads import Plot, Point, Step

ORDER = 40
# cpubound's cost per step grows with --wss (each step touches the task's
# whole working set), so the total work is given per working set
# (wss: total work) to keep every point about the same length.
PARAMS = {"quick": {"reps": 3, "tasks": [1, 2, 16, 256, 4096], "sets": [(4096, 500000), (1048576, 4096)]},
          "full": {"reps": 5, "tasks": [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096],
                   "sets": [(4096, 4000000), (65536, 320000), (1048576, 16384)]}}
# threads-split2 is what two cores give the same tasks without a scheduler:
# M:N's reference.  Systems interleaved so drift hits all alike.
SERIES = ("coro", "coro-mn2", "threads-split2", "threads")


def points(p, ctx):
    return [Point(f"{be}-w{wss}-t{t}", be, "cpubound", ["--tasks", t, "--total-work", work, "--wss", wss],
                  tags={"wss": wss, "tasks": t})
            for wss, work in p["sets"] for t in p["tasks"] for be in SERIES]


STEPS = [Step("oversub", "oversubscription sweep: cpubound over T tasks x working set", PARAMS, points)]


def tput(p):
    w, wall = cbdata.res(p, "work_units"), cbdata.res(p, "wall_ns")
    return w / (wall / 1e9) if w and wall else None


def busy(p):  # CPUs kept busy: CPU time per second of wall time
    cpu, wall = cbdata.res(p, "cpu_ns"), cbdata.res(p, "wall_ns")
    return cpu / wall if cpu is not None and wall else None


def tables(points):
    rows = []
    for k, ps in cbdata.group(points, "oversub", ("system", "wss", "tasks")).items():
        r = cbdata.row(("system", "wss", "tasks"), (k[0], cbdata.num(k[1]), cbdata.num(k[2])), ps, tput)
        ok = [p for p in ps if p["status"] == "ok"]
        for f, key, sc in (("wall_ms", "wall_ns", 1e-6), ("cpu_ms", "cpu_ns", 1e-6),
                           ("invol_csw", "invol_csw", 1), ("vol_csw", "vol_csw", 1)):
            r[f] = cbdata.median([cbdata.res(p, key) * sc for p in ok if cbdata.res(p, key) is not None])
        r["by_rep"] = cbdata.by_rep(ok, tput)
        r["busy_by_rep"] = cbdata.by_rep(ok, busy)
        rows.append(r)
    rows.sort(key=lambda r: (r["system"], r["wss"] or 0, r["tasks"] or 0))
    return {"oversub": (("system", "wss", "tasks", "median", "min", "max", "wall_ms", "cpu_ms", "invol_csw",
                         "vol_csw", "n_ok", "n_failed", "error"), rows)}


def oversub_points(rows, system, wss, cores):
    """(row at T=cores, row at the largest T with data, largest T tried, its error)."""
    mine = [r for r in rows if r["system"] == system and r["wss"] == wss]
    base = next((r for r in mine if r["tasks"] == cores and r["median"]), None)
    ok = [r for r in mine if r["median"] and r["tasks"] > cores]
    top = max(ok, key=lambda r: r["tasks"]) if ok else None
    tried = max((r["tasks"] for r in mine), default=None)
    err = next((r["error"] for r in sorted(mine, key=lambda r: r["tasks"]) if r["n_ok"] == 0), None)
    return base, top, tried, err


def mn_scaling(rows):
    """M:N on 2 workers against M:1 at every (wss, T >= 2) both measured."""
    one = {(r["wss"], r["tasks"]): r for r in rows if r["system"] == "coro" and r["median"]}
    rs = [(paired_ratio(r, one[(r["wss"], r["tasks"])]), r["wss"], r["tasks"]) for r in rows
          if r["system"] == "coro-mn2" and r["median"] and (r["tasks"] or 0) >= 2 and (r["wss"], r["tasks"]) in one]
    s = cbdata.stats([x[0] for x in rs])
    if s:
        s["points"] = rs
    return s


def ratio_at(rows, num, den, wss, tasks):
    """System num against system den at the same (wss, T), paired per
    repetition; None when either was not measured. threads vs coro at T = 2:
    what two cores of this machine give this work; threads-split2 vs coro at
    any T: what two cores give these very tasks without a scheduler."""
    def row(s):
        return next((r for r in rows if r["system"] == s and (r["wss"], r["tasks"]) == (wss, tasks) and r["median"]),
                    None)
    a, b = row(num), row(den)
    return paired_ratio(a, b) if a and b else None


def reading(t, env):
    cores = env.get("cores") or 2
    rows = t["oversub"][1]
    out = []
    for be in ("threads", "coro", "coro-mn2"):
        parts = []
        for w in sorted({r["wss"] for r in rows if r["system"] == be}):
            b, top, tried, err = oversub_points(rows, be, w, cores)
            if b and top:
                parts.append(f"{w} B: {-(1 - top['median'] / b['median']):+.1%} (T={cores}→{top['tasks']})")
        if parts:
            out.append(f"From T={cores} to the most tasks, {systems.label(be)} throughput changes by "
                       + ", ".join(parts) + ".")
    sc = mn_scaling(rows)
    if sc:
        out.append(f"Two M:N workers give {sc['min']:.3g}×..{sc['max']:.3g}× the one-worker throughput at T ≥ 2 "
                   f"(median {sc['median']:.3g}× over {sc['n']} points).")
    return " ".join(out) or "No data."


SCALING = "cpubound, 2 M:N workers ≥ 1.9× the 1-worker throughput at every T ≥ 2 (every working set)"
SCALING_HOW = (
    "Each ratio is the median over repetitions of the two systems run back to back; 'a = b × c' splits a ratio "
    "into b, the CPU time per second of wall time against one worker's (2 = both cores working all along; below "
    "2 a core waited, e.g. for the last task on the other), and c, the work done per CPU second against one "
    "worker's (below 1: each core got less done per second of CPU, through the scheduler's own cost or a slower "
    "core; the no-scheduler reference has only the latter; medians of each, so b × c is close to a, not equal); ")


def _worst(ov, sc, w, l2):
    """The scaling row's part for one working set: its worst ratio, split, and references."""
    r, _, tt = min(x for x in sc["points"] if x[1] == w)
    ts = ratio_at(ov, "threads", "coro", w, 2)
    big = f" (not smaller than the {l2 // 1024} KiB L2 cache)" if l2 and w >= l2 else ""
    at = {x["system"]: x for x in ov if (x["wss"], x["tasks"]) == (w, tt) and x["median"]}
    cl = paired_ratio(at["threads-split2"], at["coro"]) if "threads-split2" in at else None

    def how(be):  # " = busy × work per CPU second", or nothing
        sp = split_ratio(at[be], at["coro"]) if be in at and "coro" in at else None
        return f" = {sp[0]:.3g} × {sp[1]:.3g}" if sp else ""
    ref = [f"no scheduler at T={tt}: {cl:.3g}×{how('threads-split2')}"] if cl else []
    ref += [f"2 threads: {ts:.3g}×"] if ts else []
    return f"{w} B{big}: worst {r:.3g}× at T={tt}{how('coro-mn2')}" + (f" ({'; '.join(ref)})" if ref else "")


def scaling_target(t, env):
    ov = t["oversub"][1]
    sc = mn_scaling(ov)
    if not sc:
        return ("M:N and echo targets", SCALING, "not measured (no coro and coro-mn2 oversubscription points)", None)
    l2 = (env.get("caches") or {}).get("l2")
    parts = [_worst(ov, sc, w, l2) for w in sorted({x[1] for x in sc["points"]})]
    eff = cbdata.stats([x for x in (ratio_at(ov, "coro-mn2", "threads-split2", w, tt) for _, w, tt in sc["points"])
                        if x])
    effs = (f" M:N against 2 pinned threads running the same tasks back to back without a scheduler: "
            f"median {eff['median']:.3g}× ({eff['min']:.3g}..{eff['max']:.3g}) over {eff['n']} points "
            "(1 = the scheduler costs nothing).") if eff else ""
    defs = ("'no scheduler' is 2 pinned threads running the same tasks back to back against one coroutine "
            "worker: what two cores give that point; ") if eff else ""
    return ("M:N and echo targets", SCALING,
            f"{'; '.join(parts)}; median {sc['median']:.3g}× over {sc['n']} points. " + SCALING_HOW + defs
            + "'2 threads' is threads at T=2 against one coroutine worker at T=2." + effs, sc["min"] >= 1.9)


def many_tasks_target(t, env):
    name = "cpubound at T = 4096: 2 M:N workers ahead of 4096 threads (every working set)"
    ov = t["oversub"][1]
    mn = {r["wss"]: r for r in ov if r["system"] == "coro-mn2" and r["tasks"] == 4096 and r["median"]}
    th = {r["wss"]: r for r in ov if r["system"] == "threads" and r["tasks"] == 4096}
    if not (mn and th):
        return ("M:N and echo targets", name, "not measured (no T = 4096 point for coro-mn2 and threads)", None)
    parts, ok = [], True
    for w in sorted(mn):
        tr = th.get(w)
        if tr is None:
            parts.append(f"{w} B: threads not measured")
            ok = False
        elif tr["median"] is None:
            parts.append(f"{w} B: threads could not run ({tr['error']})")
        else:
            parts.append(f"{w} B: {cbdata.fnum(mn[w]['median'])} vs {cbdata.fnum(tr['median'])} units/s = "
                         f"{mn[w]['median'] / tr['median']:.3g}×")
            ok = ok and mn[w]["median"] > tr["median"]
    return ("M:N and echo targets", name, "; ".join(parts), ok)


def targets(t, env):
    return [scaling_target(t, env), many_tasks_target(t, env)]


def _claim4_row(rows, w, cores, run_band, spawn_ns):
    """(evidence text, drop, coroutines' drop, thread creation failed, loss is thread creation) for one working set."""
    b, top, tried, err = oversub_points(rows, "threads", w, cores)
    if not b or not top:
        return None
    drop = 1 - top["median"] / b["median"]
    cb, ctop, _, _ = oversub_points(rows, "coro", w, cores)
    cdrop = 1 - ctop["median"] / cb["median"] if cb and ctop and ctop["tasks"] == top["tasks"] else None
    s = (f"wss {w} B: threads T={cores} {cbdata.fnum(b['median'], 'units/s')} -> T={top['tasks']} "
         f"{cbdata.fnum(top['median'], 'units/s')} ({-drop:+.1%}, noise band ±{run_band:.1%})")
    if cdrop is not None:
        s += f", coroutines {-cdrop:+.1%} over the same T"
    limited = top["tasks"] < (tried or 0)
    if limited:
        s += f"; threads failed beyond T={top['tasks']}: {err}"
    creation = False
    if drop > run_band and spawn_ns and top["wall_ms"]:
        # how much of the loss is creating the threads (T x spawn+join, measured in this run)?
        work_ms = top["wall_ms"] - top["tasks"] * spawn_ns / 1e6
        adj = 1 - (top["median"] * top["wall_ms"] / work_ms) / b["median"] if work_ms > 0 else None
        s += (f"; creating {top['tasks']} threads ({cbdata.fnum(spawn_ns, 'ns')} each in this run) is "
              f"{min(top['tasks'] * spawn_ns / 1e6 / top['wall_ms'], 1):.0%} of its {top['wall_ms']:.4g} ms")
        if adj is None or adj <= run_band:
            creation = True
            s += ", without it the loss is within noise"
        else:
            s += f", without it {-adj:+.1%}"
    return s, drop, cdrop, limited, creation


CLAIM4_RULE = (
    "per working set, threads' throughput at the largest T reached vs T={cores} (the core count); degraded = lower "
    "by more than the run's noise band (the median, over all repeated oversubscription points of this run, of their "
    "min..max spread relative to their median). holds if degraded for every working set; with caveats if only for "
    "some, if thread creation failed before the largest T, if the loss is within noise once the creation cost of "
    "the threads (T x spawn+join from this run) is taken out, or if coroutines lose as much (then the cost is the "
    "working set, not threads); does not hold if degraded for none")


def claim4(t, points, env):
    cores = env.get("cores") or 2
    rows = t["oversub"][1]
    # the run's noise band: the typical (median) min..max spread of a repeated
    # oversubscription point, relative to its median, over both systems
    spreads = [(r["max"] - r["min"]) / r["median"] for r in rows if r["n_ok"] >= 2 and r["median"]]
    run_band = sorted(spreads)[len(spreads) // 2] if spreads else 0.0
    sp = cbdata.best(t["spawn"][1], system="threads")
    per = [x for x in (_claim4_row(rows, w, cores, run_band, sp["median"] if sp else None)
                       for w in sorted({r["wss"] for r in rows if r["system"] == "threads"})) if x]
    if not per:
        return claims.nm(f"no threads cpubound data at T={cores} and above in this run")
    rule = CLAIM4_RULE.format(cores=cores)
    ev = "; ".join(x[0] for x in per)
    degraded = [x for x in per if x[1] > run_band]
    if not degraded:
        return {"verdict": claims.NOT_HOLD, "evidence": ev, "rule": rule}
    same_as_coro = [x for x in degraded if x[2] is not None and x[2] >= x[1] - run_band]
    if len(degraded) < len(per) or any(x[3] for x in per) or same_as_coro or any(x[4] for x in per):
        return {"verdict": claims.CAVEATS, "evidence": ev, "rule": rule}
    return {"verdict": claims.HOLDS, "evidence": ev, "rule": rule}


CLAIM5_RULE = (
    "holds if coroutines' involuntary switches do not grow with the task count (at most 2x, or +20, from the fewest "
    "to the most tasks) and a coroutine switch is cheaper than a thread switch; with caveats if, even so, the one "
    "thread carrying the coroutines was preempted (involuntary switches > 0); does not hold otherwise; the switch "
    "cost is compared by the 95% interval of threads/coroutines (inconclusive when it holds 1); the switch counts "
    "are read from one run per point")


def claim5(t, points, env):
    rows = t["oversub"][1]
    wss = min((r["wss"] for r in rows if r["system"] == "coro" and r["median"]), default=None)
    sw = t["switch"][1]
    cs = cbdata.best(sw, system="coro", pin="same") or cbdata.best(sw, system="coro")
    ts = cbdata.best(sw, system="threads", mech="futex", pin="same") or cbdata.best(sw, system="threads")
    if wss is None:
        return claims.nm("no coroutine cpubound data in this run")
    if not cs or not ts or cs["median"] is None or ts["median"] is None:
        return claims.nm("switch cost of coro or threads missing in this run")

    def inv(be, pick):
        mine = [r for r in rows if r["system"] == be and r["wss"] == wss and r["invol_csw"] is not None]
        return pick(mine, key=lambda r: r["tasks"]) if mine else None

    c1, cN = inv("coro", min), inv("coro", max)
    t1, tN = inv("threads", min), inv("threads", max)
    if not c1 or not cN:
        return claims.nm("involuntary switch counts of the coroutine cpubound runs missing")
    grows = cN["invol_csw"] > max(2 * c1["invol_csw"], c1["invol_csw"] + 20)
    import ratios
    import stats
    iv = ratios.interval(cs, ts, "lower")
    ev = (f"involuntary switches of the process (getrusage), cpubound wss {wss} B: coroutines "
          f"{c1['invol_csw']:g} at T={c1['tasks']} -> {cN['invol_csw']:g} at T={cN['tasks']}")
    if t1 and tN:
        ev += f"; threads {t1['invol_csw']:g} at T={t1['tasks']} -> {tN['invol_csw']:g} at T={tN['tasks']}"
    ev += (f"; switch: coroutine {cbdata.fnum(cs['median'], 'ns')} vs threads ({ts['mech']}, {ts['pin']} core) "
           f"{cbdata.fnum(ts['median'], 'ns')}: {ratios.ci_text(iv, ratios.p_value(ts, cs), 'x')}")
    out = {"evidence": ev, "rule": CLAIM5_RULE, "interval": iv, "line": 1}
    v = stats.verdict(iv, 1)
    if grows or v == stats.MISSED:
        return out | {"verdict": claims.NOT_HOLD}
    if v == stats.INCONCLUSIVE:
        return out | {"verdict": claims.INCONCLUSIVE}
    return out | {"verdict": claims.CAVEATS if cN["invol_csw"] > 0 else claims.HOLDS}


CLAIMS = {4: ("CPU-bound threads beyond the number of cores degrade performance.", claim4),
          5: ("The OS does not context-switch between coroutines (switch cost, involuntary switches).", claim5)}


def plot_data(t, env):
    ov = t["oversub"][1]
    wss_list = sorted({r["wss"] for r in ov if r["wss"] is not None})
    series = systems.order({r["system"] for r in ov})
    files = {"oversub_wss.txt": " ".join(str(w) for w in wss_list) + "\n",
             "oversub_wss_labels.txt": " ".join(plotdata.human_bytes(w) for w in wss_list) + "\n",
             "oversub_systems.txt": " ".join(series) + "\n",
             "oversub_titles.txt": "".join(systems.label(b) + "\n" for b in series)}  # one per line
    f = plotdata.fmt
    for w in wss_list:
        for be in series:
            rows = sorted((r for r in ov if r["wss"] == w and r["system"] == be and r["median"] is not None),
                          key=lambda r: r["tasks"])
            files[f"oversub_{be}_w{w}.csv"] = plotdata.series(
                ("tasks", "median", "min", "max"),
                [(r["tasks"], f(r["median"] / 1e6), f(r["min"] / 1e6), f(r["max"] / 1e6)) for r in rows])
    return files


PLOTS = [Plot("oversub", "Oversubscription: throughput vs task count per working set", """
# The oversubscription curve: throughput of a fixed amount of CPU work split
# over T tasks, one panel per per-task working set.  A flat line means more
# tasks cost nothing.
wss = system('cat "'.dir.'/oversub_wss.txt"')
wlab = system('cat "'.dir.'/oversub_wss_labels.txt"')
bes = system('cat "'.dir.'/oversub_systems.txt"')
set multiplot layout 1, words(wss) title 'Oversubscription: throughput vs tasks (median, bars = min..max)'
set label 99 caption at screen 0.01,0.02 font ',8' noenhanced
set logscale x 2
set format x '%g'
set xtics font ',8'
set xlabel 'tasks T (log scale)'
set ylabel 'throughput (M work units / s)'
set yrange [0:*]
# one key, in the first panel: four long titles would spill into the next one
set key bottom left Left reverse font ',8'
do for [i=1:words(wss)] {
    set title 'working set '.word(wlab, i).' per task'
    plot for [b=1:words(bes)] sprintf('%s/oversub_%s_w%s.csv', dir, word(bes, b), word(wss, i)) \\
        using 1:2:3:4 with yerrorlines lw 2 \\
        title system(sprintf('sed -n %dp "%s/oversub_titles.txt"', b, dir))
    unset label 99
    unset ylabel
    unset key
}
unset multiplot
""", plot_data, reading)]
TARGETS = targets
