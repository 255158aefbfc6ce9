"""cpubound: a fixed amount of CPU work split over T tasks (the
oversubscription sweep), per working set, on threads, coroutines M:1 and M:N,
and two pinned threads running the same tasks back to back (no scheduler).

At each T, coroutines and threads also run smaller amounts of the same work,
so that the run time splits into a fixed cost per task and a cost per step
(time = a + b x work, lib/linfit.py): claim 4 is judged on b, the CPU-bound
work itself, with a set beside it.  The two-thread split also runs unpinned
at a few T (what pinning gives), and every run records its start-barrier
delay."""
import cbdata
import claims
import linfit
import md
import plotdata
import stats
import systems
from ratios import paired_ratio, split_ratio
from workloads import Plot, Point, Step

ORDER = 40
# cpubound's cost per step grows with --wss (each step touches the task's
# whole working set), so the total work is given per working set
# (wss: total work) to keep every point about the same length.  "fit": at
# those T and working sets the fitted systems also run the total work times
# each of "mults" (1 = the whole, which every system runs at every T).  The
# extra work goes up, not down: at large T a fixed cost per task (waking a
# thread, its first touch of fresh pages, exit and join) is most of the whole
# work's window, and smaller works would leave the slope b in the noise.
# "nopin": the T at which the two-thread split and the 2 M:N workers also run
# unpinned (smallest working set).  The fit's runs are paid for by T values of the throughput
# curve that interpolate from their neighbours (T = 1, 32, 128, 512, 2048),
# and by fitting the cache-resident working set only: beyond L2 the fixed
# cost of first-touching T working sets swamps any work a point can afford.
# Quick mode keeps T = 4096 for the fit's working set only: 4096 threads
# first-touching 1 MiB each is the dearest point of the quick sweep.
PARAMS = {"quick": {"reps": 3, "tasks": [2, 16, 256, 1024], "nopin": [2],
                    "fit": {"tasks": [2, 4096], "wss": [4096], "mults": [1, 4]},
                    "sets": [(4096, 500000), (1048576, 4096)]},
          "full": {"reps": 5, "tasks": [2, 4, 8, 16, 64, 256, 1024, 4096], "nopin": [2, 64],
                   "fit": {"tasks": [2, 256, 4096], "wss": [4096], "mults": [1, 4]},
                   "sets": [(4096, 4000000), (65536, 320000), (1048576, 16384)]}}
# threads-split2 is what two cores give the same tasks without a scheduler:
# M:N's reference.  Systems interleaved so drift hits all alike.
SERIES = ("coro", "coro-mn2", "threads-split2", "threads")
FITTED = ("coro", "coro-mn2", "threads")
# The systems that pin one thread per CPU, run both ways at "nopin".
PINNED = ("coro-mn2", "threads-split2")


def _pt(be, wss, t, work, mult, extra=(), name=None, **tags):
    base = f"{be}-w{wss}-t{t}" + (f"-u{work}" if mult != 1 else "")
    return Point(name or base, be, "cpubound", ["--tasks", t, "--total-work", work, "--wss", wss] + list(extra),
                 tags={"wss": wss, "tasks": t, "work": work, "mult": mult, **tags})


def points(p, ctx):
    out = []
    fit = p["fit"]
    for wss, work in p["sets"]:
        for t in sorted(set(p["tasks"]) | (set(fit["tasks"]) if wss in fit["wss"] else set())):
            mults = fit["mults"] if wss in fit["wss"] and t in fit["tasks"] else [1]
            for m in mults:
                out += [_pt(be, wss, t, work * m, m) for be in (SERIES if m == 1 else FITTED)]
            if wss == p["sets"][0][0] and t in p.get("nopin", ()):
                out += [_pt(be, wss, t, work, 1, ["--no-pin"], name=f"{be}-nopin-w{wss}-t{t}", pin=0)
                        for be in PINNED]
    return out


def python_points(p, ctx, systems):
    """cpubound on the Python peers, for the section in the article's own
    language (p: that section's parameters: tasks, work, wss)."""
    return [Point(f"{s}-cpubound-t{t}", s, "cpubound", ["--tasks", t, "--total-work", p["work"], "--wss", p["wss"]],
                  tags={"tasks": t}) for t in p["tasks"] for s in systems]


PYTHON_POINTS = python_points
STEPS = [Step("oversub", "oversubscription sweep: cpubound over T tasks x working set x work", PARAMS, points)]


def tag(p, k, default=None):
    v = cbdata.num((p.get("tags") or {}).get(k))
    return default if v is None else v


def work_of(p):
    """The total work of a point: its tag, or (runs before the work sweep) its parameters."""
    w = tag(p, "work")
    return w if w is not None else cbdata.num(((p.get("result") or {}).get("params") or {}).get("total_work"))


def whole(p):  # the whole work, pinned: the oversubscription curve's points
    return _base_work(p) and tag(p, "pin", 1) != 0


def _base_work(p):
    # "mult" scales the work up for the fit; older runs scaled it down ("div")
    return tag(p, "mult", 1) == 1 and tag(p, "div", 1) == 1


def tput(p):
    w, wall = cbdata.res(p, "work_units"), cbdata.res(p, "wall_ns")
    return w / (wall / 1e9) if w and wall else None


def busy(p):  # CPUs kept busy: CPU time per second of wall time
    cpu, wall = cbdata.res(p, "cpu_ns"), cbdata.res(p, "wall_ns")
    return cpu / wall if cpu is not None and wall else None


def wall(p):
    return cbdata.res(p, "wall_ns")


def _oversub_rows(points):
    rows = []
    for k, ps in cbdata.group(points, "oversub", ("system", "wss", "tasks"), whole).items():
        r = cbdata.row(("system", "wss", "tasks"), (k[0], cbdata.num(k[1]), cbdata.num(k[2])), ps, tput)
        ok = [p for p in ps if p["status"] == "ok"]
        for f, key, sc in (("wall_ms", "wall_ns", 1e-6), ("cpu_ms", "cpu_ns", 1e-6), ("invol_csw", "invol_csw", 1),
                           ("vol_csw", "vol_csw", 1), ("start_ms", "start_delay_ns", 1e-6)):
            r[f] = cbdata.median([cbdata.res(p, key) * sc for p in ok if cbdata.res(p, key) is not None])
        r["by_rep"] = cbdata.by_rep(ok, tput)
        r["busy_by_rep"] = cbdata.by_rep(ok, busy)
        r["wall_by_rep"] = cbdata.by_rep(ok, wall)
        r["start_by_rep"] = cbdata.by_rep(ok, lambda p: cbdata.res(p, "start_delay_ns"))
        rows.append(r)
    rows.sort(key=lambda r: (r["system"], r["wss"] or 0, r["tasks"] or 0))
    return rows


def _fit_row(k, ok):
    """One (system, wss, T): the pooled fit over every repetition and work,
    and one fit per repetition (for paired ratios between Ts and systems)."""
    f = linfit.fit([work_of(p) for p in ok], [wall(p) for p in ok])
    if f is None:
        return None
    a, b = f
    tasks = cbdata.num(k[2])
    per = linfit.scale(a, 1e-3 / tasks)  # ns per run -> µs per task
    r = {"system": k[0], "wss": cbdata.num(k[1]), "tasks": tasks, "works": len({work_of(p) for p in ok}),
         "n": len(ok), "b_ns": b.estimate, "b_lo": b.low, "b_hi": b.high,
         "task_us": per.estimate, "task_lo": per.low, "task_hi": per.high, "b_iv": b, "task_iv": per}
    reps = {}
    for p in ok:
        reps.setdefault(p["rep"], []).append(p)
    r["b_by_rep"], r["a_by_rep"] = {}, {}
    for rep, ps in reps.items():
        fr = linfit.fit([work_of(p) for p in ps], [wall(p) for p in ps])
        if fr:
            r["a_by_rep"][rep], r["b_by_rep"][rep] = fr[0].estimate, fr[1].estimate
    top = max(work_of(p) for p in ok)
    r["work"] = top
    r["wall_by_rep"] = {p["rep"]: wall(p) for p in ok if work_of(p) == top}
    # the share per repetition (a may come out below zero where the fixed
    # cost is within the noise: a ratio of medians would refuse it)
    share = plotdata.median_interval([100 * r["a_by_rep"][k] / v for k, v in r["wall_by_rep"].items()
                                      if k in r["a_by_rep"] and v])
    r["share_pct"], r["share_lo"], r["share_hi"] = share if share else (None, None, None)
    return r


def _fit_rows(points):
    rows = []
    pinned = lambda p: tag(p, "pin", 1) != 0 and p["status"] == "ok" and wall(p) and work_of(p)  # noqa: E731
    for k, ok in cbdata.group(points, "oversub", ("system", "wss", "tasks"), pinned).items():
        r = _fit_row(k, ok)
        if r:
            rows.append(r)
    rows.sort(key=lambda r: (r["system"], r["wss"] or 0, r["tasks"] or 0))
    return rows


def _pin_rows(points):
    """Each pinning system pinned and unpinned, at the (wss, T) run both ways."""
    mine = [p for p in points if p["step"] == "oversub" and p["tags"].get("system") in PINNED and _base_work(p)]
    both = {(p["tags"]["system"], tag(p, "wss"), tag(p, "tasks")) for p in mine if tag(p, "pin", 1) == 0}
    rows = []
    for k, ps in cbdata.group(mine, "oversub", ("system", "wss", "tasks", "pin"),
                              lambda p: (p["tags"]["system"], tag(p, "wss"), tag(p, "tasks")) in both).items():
        pin = 0 if cbdata.num(k[3]) == 0 else 1
        r = cbdata.row(("system", "wss", "tasks", "pinned"), (k[0], cbdata.num(k[1]), cbdata.num(k[2]), pin),
                       ps, tput)
        r["by_rep"] = cbdata.by_rep([p for p in ps if p["status"] == "ok"], tput)
        rows.append(r)
    rows.sort(key=lambda r: (systems.rank(r["system"]), r["wss"], r["tasks"], -r["pinned"]))
    return rows


def tables(points):
    return {"oversub": (("system", "wss", "tasks", "median", "min", "max", "wall_ms", "cpu_ms", "invol_csw",
                         "vol_csw", "start_ms", "n_ok", "n_failed", "error"), _oversub_rows(points)),
            "oversub_fit": (("system", "wss", "tasks", "works", "n", "b_ns", "b_lo", "b_hi", "task_us", "task_lo",
                             "task_hi"), _fit_rows(points)),
            "oversub_pin": (("system", "wss", "tasks", "pinned", "median", "min", "max", "n_ok", "n_failed", "error"),
                            _pin_rows(points))}


def oversub_points(rows, system, wss, cores):
    """(row at T=cores, row at the largest T with data, largest T tried, its error)."""
    mine = [r for r in rows if r["system"] == system and r["wss"] == wss]
    base = next((r for r in mine if r["tasks"] == cores and r["median"]), None)
    ok = [r for r in mine if r["median"] and r["tasks"] > cores]
    top = max(ok, key=lambda r: r["tasks"]) if ok else None
    tried = max((r["tasks"] for r in mine), default=None)
    err = next((r["error"] for r in sorted(mine, key=lambda r: r["tasks"]) if r["n_ok"] == 0), None)
    return base, top, tried, err


def _iv(a, b):
    """a's throughput against b's at one point: the bootstrap interval of the
    ratio of medians, repetitions paired (stats.ratio_interval)."""
    return stats.ratio_interval(a.get("by_rep") or {}, b.get("by_rep") or {})


def mn_scaling(rows):
    """M:N on 2 workers against M:1 at every (wss, T >= 2) both measured."""
    one = {(r["wss"], r["tasks"]): r for r in rows if r["system"] == "coro" and r["median"]}
    rs = [(paired_ratio(r, one[(r["wss"], r["tasks"])]), r["wss"], r["tasks"], _iv(r, one[(r["wss"], r["tasks"])]))
          for r in rows
          if r["system"] == "coro-mn2" and r["median"] and (r["tasks"] or 0) >= 2 and (r["wss"], r["tasks"]) in one]
    s = cbdata.stats([x[0] for x in rs])
    if s:
        s["points"] = rs
    return s


def deciding(ivs, line):
    """The interval that decides "at least line at every point": a missed
    one, else an inconclusive one, else the lowest; None without any."""
    vs = [(stats.verdict(iv, line), iv) for iv in ivs if iv]
    for want in (stats.MISSED, stats.INCONCLUSIVE, stats.MET):
        hit = [iv for v, iv in vs if v == want]
        if hit:
            return min(hit, key=lambda iv: iv.estimate)
    return None


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
    r, _, tt, _ = min((x for x in sc["points"] if x[1] == w), key=lambda x: x[0])
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


SECTION = "M:N and echo targets"


def scaling_target(t, env):
    ov = t["oversub"][1]
    sc = mn_scaling(ov)
    if not sc:
        return stats.target(SECTION, SCALING, None, 1.9)
    l2 = (env.get("caches") or {}).get("l2")
    parts = [_worst(ov, sc, w, l2) for w in sorted({x[1] for x in sc["points"]})]
    eff = cbdata.stats([x for x in (ratio_at(ov, "coro-mn2", "threads-split2", w, tt)
                                    for _, w, tt, _ in sc["points"]) if x])
    effs = (f" M:N against 2 pinned threads running the same tasks back to back without a scheduler: "
            f"median {eff['median']:.3g}× ({eff['min']:.3g}..{eff['max']:.3g}) over {eff['n']} points "
            "(1 = the scheduler costs nothing).") if eff else ""
    defs = ("'no scheduler' is 2 pinned threads running the same tasks back to back against one coroutine "
            "worker: what two cores give that point; ") if eff else ""
    iv = deciding([x[3] for x in sc["points"]], 1.9)
    at = next((x for x in sc["points"] if x[3] is iv), None)
    where = (f"deciding point (95% interval, repetitions paired): {at[1]} B at T={at[2]}; " if at else "")
    return stats.target(SECTION, SCALING, iv, 1.9, why=(
        where + f"{'; '.join(parts)}; median {sc['median']:.3g}× over {sc['n']} points. " + SCALING_HOW + defs
        + "'2 threads' is threads at T=2 against one coroutine worker at T=2." + effs))


MANY = "cpubound at T = 4096: 2 M:N workers ahead of 4096 threads (every working set)"


def many_tasks_target(t, env):
    ov = t["oversub"][1]
    mn = {r["wss"]: r for r in ov if r["system"] == "coro-mn2" and r["tasks"] == 4096 and r["median"]}
    th = {r["wss"]: r for r in ov if r["system"] == "threads" and r["tasks"] == 4096}
    if not (mn and th):
        return stats.target(SECTION, MANY, None, 1.0)
    parts, ivs = [], {}
    for w in sorted(mn):
        tr = th.get(w)
        if tr is None:
            parts.append(f"{w} B: threads not measured")
        elif tr["median"] is None:
            parts.append(f"{w} B: threads could not run ({tr['error']})")
        else:
            ivs[w] = _iv(mn[w], tr)
            parts.append(f"{w} B: {cbdata.fnum(mn[w]['median'])} vs {cbdata.fnum(tr['median'])} units/s = "
                         + (ivs[w].text(unit="×") if ivs[w] else "no ratio"))
    iv = deciding(list(ivs.values()), 1.0)
    if iv is None:
        return stats.target(SECTION, MANY, None, 1.0, why="nothing to compare: " + "; ".join(parts))
    return stats.target(SECTION, MANY, iv, 1.0, why="per working set (95% interval): " + "; ".join(parts))


def targets(t, env):
    return [scaling_target(t, env), many_tasks_target(t, env)]


# A slowdown of the CPU-bound work the claim is about: 10% more time per step
# (a design line, not a measured figure).
WORK_LINE = 1.10

CLAIM4_RULE = (
    "per working set, the run time of threads at each T is fitted as a + b × work over several works (least "
    "squares; b = wall time per work step, a = the fixed cost of the run's tasks: waking them, the malloc and "
    "first touch of each working set, exit and join — every thread is created before the clock starts). "
    "Degradation of the work itself = b at the largest T reached / b at T={cores}, paired by repetition, 95% "
    "bootstrap interval. holds if that interval lies at or above {line:g}× for every working set; with caveats if "
    "it lies below {line:g}× but threads' whole window at the largest T is still at least {line:g}× longer than at "
    "T={cores} (they lose through the fixed cost per task, not slower work), or if only some working sets hold; "
    "does not hold if both lie below {line:g}×; inconclusive when an interval straddles {line:g}×")


def _fit_at(fits, system, wss, tasks):
    return next((r for r in fits if (r["system"], r["wss"], r["tasks"]) == (system, wss, tasks)), None)


def _claim4_verdict(slow, loss):
    sv = stats.verdict(slow, WORK_LINE)
    if sv == stats.MET:
        return claims.HOLDS
    if sv == stats.INCONCLUSIVE:
        return claims.INCONCLUSIVE
    lv = stats.verdict(loss, WORK_LINE)
    return {stats.MET: claims.CAVEATS, stats.MISSED: claims.NOT_HOLD}.get(lv, claims.INCONCLUSIVE)


def _claim4_wss(fits, rows, w, cores):
    """(verdict, evidence, slowdown interval) for one working set, or None without fits at T=cores and above."""
    mine = sorted((r for r in fits if r["system"] == "threads" and r["wss"] == w), key=lambda r: r["tasks"])
    base = next((r for r in mine if r["tasks"] == cores), None)
    top = mine[-1] if mine and mine[-1]["tasks"] > cores else None
    if not base or not top:
        return None
    slow = stats.ratio_interval(top["b_by_rep"], base["b_by_rep"])
    loss = stats.ratio_interval(top["wall_by_rep"], base["wall_by_rep"])
    share = stats.ratio_interval(top["a_by_rep"], top["wall_by_rep"])
    pct = "{:.0%}"
    ev = (f"wss {w} B, threads T={cores} → T={top['tasks']}: time per step {base['b_ns']:.3g} → "
          f"{top['b_ns']:.3g} ns, ×{slow.text() if slow else 'no ratio'}; fixed cost per task "
          f"{top['task_iv'].text(unit=' µs')} at T={top['tasks']} "
          f"(vs {base['task_iv'].text(unit=' µs')} at T={cores}), "
          f"{share.text(pct) if share else 'no share'} of the window at {top['work']} steps; whole window "
          f"×{loss.text() if loss else 'no ratio'}")
    co = _fit_at(fits, "coro", w, top["tasks"])
    co_base = _fit_at(fits, "coro", w, cores)
    if co and co_base:
        cs = stats.ratio_interval(co["b_by_rep"], co_base["b_by_rep"])
        ev += (f"; coroutines M:1 over the same T: time per step ×{cs.text() if cs else 'no ratio'}, fixed cost "
               f"{co['task_iv'].text(unit=' µs')} per task")
    tried = max((r["tasks"] for r in rows if r["system"] == "threads" and r["wss"] == w), default=0)
    if top["tasks"] < tried:
        err = next((r["error"] for r in rows if r["system"] == "threads" and r["wss"] == w and r["tasks"] == tried),
                   None)
        ev += f"; threads failed beyond T={top['tasks']}: {err}"
    return _claim4_verdict(slow, loss), ev, slow


def claim4(t, points, env):
    cores = env.get("cores") or 2
    fits = t["oversub_fit"][1]
    if not any(r["system"] == "threads" for r in fits):
        return claims.nm("no fit of time against work for threads in this run: it ran one amount of work per "
                         "task count (runs made before the work-size sweep), so the cost per step cannot be told "
                         "from the fixed cost per task")
    per = [x for x in (_claim4_wss(fits, t["oversub"][1], w, cores)
                       for w in sorted({r["wss"] for r in fits if r["system"] == "threads"})) if x]
    if not per:
        return claims.nm(f"no threads fit at T={cores} and above in this run")
    vs = {x[0] for x in per}
    if len(vs) == 1:
        v = vs.pop()
    elif claims.HOLDS in vs:
        v = claims.CAVEATS
    elif claims.INCONCLUSIVE in vs:
        v = claims.INCONCLUSIVE
    else:
        v = claims.CAVEATS
    return {"verdict": v, "evidence": "; ".join(x[1] for x in per),
            "rule": CLAIM4_RULE.format(cores=cores, line=WORK_LINE),
            "interval": deciding([x[2] for x in per], WORK_LINE), "line": WORK_LINE}


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
            ivs = [(r["tasks"], plotdata.median_interval(list(r["by_rep"].values()))) for r in rows]
            files[f"oversub_{be}_w{w}.csv"] = plotdata.series(
                ("tasks", "median", "low", "high"),
                [(t, *(f(x / 1e6) for x in iv)) for t, iv in ivs if iv])
    return files


def _panels(prefix, rows, title):
    """gnuplot: one column of panels per working set (files <prefix>_wss*.txt), log-2 T axis."""
    return f"""wss = system('cat "'.dir.'/{prefix}_wss.txt"')
wlab = system('cat "'.dir.'/{prefix}_wss_labels.txt"')
bes = system('cat "'.dir.'/{prefix}_systems.txt"')
set multiplot layout {rows}, words(wss) title '{title}'
set label 99 caption at screen 0.01,0.02 font ',8' noenhanced
set logscale x 2
set format x '%g'
set xtics font ',8'
"""


PLOTS = [Plot("oversub", "Oversubscription: throughput vs task count per working set", """
# The oversubscription curve: throughput of a fixed amount of CPU work split
# over T tasks, one panel per per-task working set.  A flat line means more
# tasks cost nothing.
""" + _panels("oversub", 1, "Oversubscription: throughput vs tasks (median, bars = 95% interval)") + """set xlabel 'tasks T (log scale)'
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


def fit_data(t, env):
    fits = t["oversub_fit"][1]
    wss_list = sorted({r["wss"] for r in fits})
    series = systems.order({r["system"] for r in fits})
    files = {"fit_wss.txt": " ".join(str(w) for w in wss_list) + "\n",
             "fit_wss_labels.txt": " ".join(plotdata.human_bytes(w) for w in wss_list) + "\n",
             "fit_systems.txt": " ".join(series) + "\n",
             "fit_titles.txt": "".join(systems.label(b) + "\n" for b in series)}

    def bar(est, lo, hi):  # no interval (fewer than 3 runs): no bar
        return [plotdata.fmt(x if x is not None else est) for x in (est, lo, hi)]
    for w in wss_list:
        for be in series:
            rows = sorted((r for r in fits if r["wss"] == w and r["system"] == be), key=lambda r: r["tasks"])
            files[f"fit_{be}_w{w}.csv"] = plotdata.series(
                ("tasks", "b_ns", "b_lo", "b_hi", "share_pct", "share_lo", "share_hi"),
                [(r["tasks"], *bar(r["b_ns"], r["b_lo"], r["b_hi"]),
                  *bar(r["share_pct"], r["share_lo"], r["share_hi"])) for r in rows if r["share_pct"] is not None])
    return files


def fit_reading(t, env):
    c4 = claim4(t, [], env)
    if c4["verdict"] == claims.NOT_MEASURED:
        return "Not measured: " + c4["evidence"] + "."
    return "Threads, fitted: " + c4["evidence"] + "."


def start_pin_section(t, points, env):
    """The start-barrier delay and pinned vs unpinned split, from this run."""
    cores = env.get("cores") or 2
    ov = t["oversub"][1]
    out = ["### cpubound: start-barrier delay and pinning\n"]
    wss = min((r["wss"] for r in ov if r["start_by_rep"]), default=None)
    if wss is None:
        out.append("Start-barrier delay: not measured in this run (its runs do not record start_delay_ns).\n")
    else:
        out.append("Start-barrier delay: from releasing the start event to the last task beginning its work "
                   f"(median [min..max] over repetitions, whole work, working set {wss} B). On threads it is the "
                   "wake-up of every thread; on coroutines M:1 the last task starts only after every earlier one "
                   "ran, so it is most of the window.\n")
        rows = []
        for r in sorted((r for r in ov if r["wss"] == wss and r["start_by_rep"]),
                        key=lambda r: (systems.rank(r["system"]), r["tasks"])):
            st = cbdata.stats([v / 1e6 for v in r["start_by_rep"].values()])
            if r["tasks"] in (cores, max(x["tasks"] for x in ov if x["system"] == r["system"])):
                rows.append((systems.label(r["system"]), r["tasks"], f"{st['median']:.3g} [{st['min']:.3g}.."
                             f"{st['max']:.3g}]", f"{r['wall_ms']:.4g}" if r["wall_ms"] else None))
        out += md.table(("system", "tasks T", "start-barrier delay (ms)", "whole window (ms)"), rows, "lrrr") + [""]
    pins = t["oversub_pin"][1]
    prs = []
    for p in (r for r in pins if r["pinned"] == 0):
        key = (p["system"], p["wss"], p["tasks"], 1)
        q = next((r for r in pins if (r["system"], r["wss"], r["tasks"], r["pinned"]) == key), None)
        iv = _iv(p, q) if q and q["median"] and p["median"] else None
        mw = stats.mann_whitney_p(list(p["by_rep"].values()), list(q["by_rep"].values())) if q else None
        prs.append((systems.label(p["system"]), p["wss"], p["tasks"], cbdata.fnum(q["median"] if q else None),
                    cbdata.fnum(p["median"]), iv.text(unit="×") if iv else "not comparable",
                    f"{mw:.2g}" if mw is not None else None))
    if not prs:
        out.append("Pinned vs unpinned (2 M:N workers, and the static split on 2 threads): not measured in this "
                   "run.\n")
    else:
        out += (["Pinned one thread per CPU vs placed by the kernel: the 2 M:N workers (coro_run_opts.pin), and "
                 "two threads running the tasks split statically (throughput in units/s; ratio = unpinned / "
                 "pinned, 95% interval, repetitions paired; Mann-Whitney U p):\n"]
                + md.table(("system", "wss (B)", "tasks T", "pinned", "unpinned", "unpinned / pinned", "p"), prs,
                           "lrrrrrr")
                + [""])
    return out


PLOTS.append(Plot("oversub_fit", "Oversubscription fitted: time per work step and fixed share of the window vs T", """
# The oversubscription sweep fitted: at each T, the run time over several
# works is a + b x work.  Top row: b, the wall time per step (flat = the work
# itself does not slow down with more tasks).  Bottom row: a as a share of
# the whole work's window, the part of the run that is a fixed cost per task
# (wake-up, first touch, exit and join) rather than work.  a / T in
# microseconds is in the table: as a plot its interval at small T (a few
# milliseconds of noise over two tasks) would set the axis for every T.
# Bars: 95% interval (bootstrap over repetitions of the fit).
""" + _panels("fit", 2, "Time = a + b × work at each T (bars = 95% interval)") + """set key at screen 0.98,0.985 right top Left reverse font ',8'
do for [row=0:1] {
  do for [i=1:words(wss)] {
    set title sprintf('%s per task: %s', word(wlab, i), row == 0 ? 'time per step' : 'fixed cost, share of the window')
    set ylabel (i == 1 ? (row == 0 ? 'ns per step (b)' : '% of the window (a / time)') : '')
    set xlabel (row == 1 ? 'tasks T (log scale)' : '')
    c = row == 0 ? 2 : 5
    plot for [b=1:words(bes)] sprintf('%s/fit_%s_w%s.csv', dir, word(bes, b), word(wss, i)) \\
        using 1:c:c+1:c+2 with yerrorlines lw 2 \\
        title (row == 0 && i == 1 ? system(sprintf('sed -n %dp "%s/fit_titles.txt"', b, dir)) : '')
    unset label 99
  }
}
unset multiplot
""", fit_data, fit_reading))
TARGETS = targets
SECTIONS = [start_pin_section]
