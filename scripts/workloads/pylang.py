"""pylang: the article's question in the article's own language. asyncio (the
article's coroutines) against CPython threads under the GIL on the same
workloads: the switch, spawn + join, memory per live task and prodcons points
of the peers step, the article's programs, and this module's own points
(cpubound and the ticker's lateness, which the peers step does not ask of
peers). The claims that Python data can decide are judged again here, on
Python data alone; the main claims (one verdict each, on corobench's data)
are not replaced."""
import collections

import cbdata
import claims
import md
import peers
import workloads
from workloads import Step, article

ORDER = 85
PY = ("asyncio", "pythreads")
# A Python point is mostly the interpreter's start-up,
# so there are few of them: Python runs a cpubound step in microseconds where
# C takes nanoseconds, hence little work; the task counts are one, the core
# count and four times it; the ticker runs beside as many CPU-bound tasks as
# cores. The quick run keeps what claims 4 and 6 need.
PARAMS = {"quick": {"reps": 3, "tasks": [1, 2], "work": 3000, "wss": 4096, "yields": [0], "ms": 40},
          "full": {"reps": 5, "tasks": [1, 2, 8], "work": 12000, "wss": 4096, "yields": [0, 1000], "ms": 100}}
NOT_A_LIMIT = "all requested, not a limit"


def points(p, ctx):
    """One repetition: both systems back to back at every point; the points
    are the workloads' own (PYTHON_POINTS)."""
    return workloads.python_points(p, ctx, [s for s in PY if peers.present(s, ctx.build)])


STEPS = [Step("pylang", "the article's language: cpubound and a ticker's lateness on asyncio and Python threads",
              PARAMS, points)]


def _metric(key, scale=1.0):
    return lambda p: None if cbdata.res(p, key) is None else cbdata.res(p, key) * scale


def _csw(p):
    """OS context switches (voluntary + involuntary) per task switch."""
    v, i, n = cbdata.res(p, "vol_csw"), cbdata.res(p, "invol_csw"), cbdata.res(p, "switches")
    return (v + i) / n if None not in (v, i) and n else None


# The compared workloads: (key, what, unit, better, step, point name after
# "<system>-", metric). "higher"/"lower": which way a system is ahead.
ROWS = (("switch", "switch", "ns", "lower", "peers", "switch", _metric("ns_per_switch")),
        ("spawn", "spawn + join", "ns", "lower", "peers", "spawn", _metric("ns_per_task")),
        ("memory", "memory per live task", "B", "lower", "peers", "memory", _metric("rss_per_task_bytes")),
        ("prodcons-c1", "prodcons 1×1, capacity 1", "items/s", "higher", "peers", "prodcons-c1",
         _metric("items_per_s")),
        ("prodcons-c1024", "prodcons 1×1, capacity 1024", "items/s", "higher", "peers", "prodcons-c1024",
         _metric("items_per_s")),
        *((f"cpubound-t{t}", f"cpubound, {t} task{'s' if t > 1 else ''}", "units/s", "higher", "pylang",
           f"cpubound-t{t}", _metric("units_per_s")) for t in PARAMS["full"]["tasks"]),
        *((f"ticker-y{y}", f"ticker p99 lateness, CPU-bound tasks {'never yield' if not y else f'yield every {y} µs'}",
           "µs", "lower", "pylang", f"ticker-y{y}", _metric("late_p99_ns", 1e-3)) for y in PARAMS["full"]["yields"]))
COLS = ("key", "workload", "unit", "better", "system", "median", "min", "max", "n_ok", "n_failed", "size", "error")


def _size(ok):
    """The size a system ran (peers may be capped below the harness's), and
    the thread stacks' size where it sets one."""
    prm = (ok[0].get("result") or {}).get("params") or {} if ok else {}
    size = next((f"{k.replace('_', ' ')} {prm[k]}" for k in ("n", "items", "total_work", "duration_ms")
                 if k in prm), None)
    stack = cbdata.res(ok[0], "stack_bytes") if ok else None
    parts = [size] + ([f"{stack // 1024} KiB stacks"] if stack else [])
    return ", ".join(x for x in parts if x) or None


def _row(spec, system, points):
    key, what, unit, better, step, name, metric = spec
    ps = [p for p in points if p["step"] == step and p["point"] == f"{system}-{name}"]
    r = cbdata.row(("key", "workload", "unit", "better", "system"), (key, what, unit, better, system), ps, metric)
    ok = [p for p in ps if p["status"] == "ok"]
    r.update(size=_size(ok), by_rep=cbdata.by_rep(ok, metric), ok=ok)
    return r


def tables(points):
    rows = [_row(spec, s, points) for spec in ROWS for s in PY]
    return {"pylang": (COLS, rows)}


def _stats():
    import stats  # scipy: only the report's verdicts need it, never the runner or collect
    return stats


def rows_of(t, key):
    """(asyncio row, Python threads row) of one compared workload."""
    by = {(r["key"], r["system"]): r for r in t["pylang"][1]}
    return by.get((key, "asyncio")), by.get((key, "pythreads"))


def advantage(a, th, better):
    """asyncio's advantage over Python threads (>1: asyncio ahead) with its
    interval, and the Mann-Whitney p of the two samples; (None, None) when a
    side has no good run."""
    st = _stats()
    if not a or not th or not a["by_rep"] or not th["by_rep"]:
        return None, None
    iv = st.ratio_interval(th["by_rep"], a["by_rep"]) if better == "lower" else \
        st.ratio_interval(a["by_rep"], th["by_rep"])
    return iv, st.mann_whitney_p(list(a["by_rep"].values()), list(th["by_rep"].values()))


def _fmt(x, unit):
    return cbdata.fus(x) if unit == "µs" else cbdata.fnum(x, unit)


def _cell(r, unit):
    if not r or r["median"] is None:
        return "not measured" + (f" ({r['error']})" if r and r["error"] else "")
    return _fmt(r["median"], unit) + (f" ({r['size']})" if r["size"] else "")


def compared(t):
    """[(spec, asyncio row, threads row, interval, p)] of every compared workload."""
    out = []
    for spec in ROWS:
        a, th = rows_of(t, spec[0])
        iv, p = advantage(a, th, spec[3])
        out.append((spec, a, th, iv, p))
    return out


def _alive_ratio(counts):
    """The most-alive comparison: a count held in full is a floor, not a limit."""
    (a, a_lim), (th, th_lim) = counts
    if a_lim and th_lim:
        return f"{a / th:.3g}× (both limits)"
    if th_lim and a >= th:
        return f"at least {a / th:.3g}× (asyncio held all it was asked for)"
    if a_lim and th >= a:
        return f"at most {a / th:.3g}× (Python threads held all they were asked for)"
    return "not compared: a count held in full is not a limit"


def _alive(t):
    """The 'most alive' row: tasks kept alive at once, and whether it was a limit."""
    cells, counts = [], []
    for r in rows_of(t, "memory"):
        ok = r["ok"] if r else []
        reached = max((cbdata.res(p, "tasks_reached") or 0 for p in ok), default=None)
        lim = cbdata.limit_error(ok)
        cells.append("not measured" if reached is None else f"{cbdata.fnum(reached)} ({lim or NOT_A_LIMIT})")
        counts.append((reached, lim))
    ratio = _alive_ratio(counts) if all(c[0] for c in counts) else "not measured"
    return ["most alive at once", *cells, ratio, "—", "—"]


def table(t):
    body = []
    for (key, what, unit, better, *_), a, th, iv, p in compared(t):
        n = f"{min(a['n_ok'], th['n_ok'])}{' paired' if iv and iv.paired else ''}" if a and th else "—"
        body.append([f"{what} ({better} is better)", _cell(a, unit), _cell(th, unit),
                     iv.text(unit="×") if iv else "not measured", "—" if p is None else f"{p:.3g}", n])
        if key == "memory":
            body.append(_alive(t))
    return md.table(("workload", "asyncio", "Python threads", "asyncio's advantage [95% interval]",
                     "Mann–Whitney p", "runs"), body, "lrrrrr")


def reading(t):
    """Sentences computed from the intervals: who is ahead where."""
    ahead = {"asyncio": [], "pythreads": [], None: []}
    for (key, what, *_), a, th, iv, p in compared(t):
        if iv is None or iv.low is None:
            continue
        who = "asyncio" if iv.low > 1 else "pythreads" if iv.high < 1 else None
        x = 1 / iv.estimate if who == "pythreads" else iv.estimate  # how far the one ahead is ahead
        ahead[who].append(f"{what} ({x:.3g}×)")
    n = sum(len(v) for v in ahead.values())
    if not n:
        return "Neither system has repeated runs of both sides in this run: nothing is compared."
    out = [f"Of {n} workloads measured on both, asyncio is ahead of Python threads on {len(ahead['asyncio'])}"
           + (f": {', '.join(ahead['asyncio'])}" if ahead["asyncio"] else "") + "."]
    out.append(f"Python threads are ahead on {len(ahead['pythreads']) or 'none'}"
               + (f": {', '.join(ahead['pythreads'])}" if ahead["pythreads"] else "") + ".")
    if ahead[None]:
        out.append(f"On {', '.join(ahead[None])} the 95% interval includes 1: no winner in this run.")
    return " ".join(out)


def article_check(points, system, program):
    """(complete and correct: True/False/None, detail) of one Python article program's text."""
    ps = [p for p in points if p["step"] == "peers" and p["point"] == f"{system}-article-{program}-text"]
    if not ps or ps[0]["status"] != "ok":
        return None, (ps[0]["error"] if ps else "not run")
    lines = ps[0]["result"]["text"].splitlines()
    n = cbdata.num(ps[0]["tags"].get("n"))
    if program == "queue":
        ok, detail, _ = article.queue_check(lines, n)
        return ok, f"`--n {n}`: {detail}"
    items, bad = article.parse(lines)
    want = collections.Counter((task, k, "divisible" if k % 3 == 0 else "not-divisible")
                               for task in ("A", "B") for k in range(1, (n or 0) + 1))
    ok = not bad and collections.Counter(items) == want
    return ok, (f"`--n {n}`: {len(items)} lines, every line of A and B once with the right verdict: "
                f"{'yes' if ok else 'no'}, {article.transitions(items)} change(s) of task between consecutive lines")


def article_reading(points):
    """How many of the article's programs each system printed complete and correct."""
    out = []
    for s, name in zip(PY, ("asyncio", "Python threads")):
        res = [article_check(points, s, prog)[0] for prog in article.PROGRAMS]
        ran = [r for r in res if r is not None]
        out.append(f"{name} printed {sum(ran)} of the {len(ran)} programs it ran complete and correct"
                   + (f" ({len(res) - len(ran)} not run)" if len(ran) < len(res) else ""))
    return "; ".join(out) + "."


def article_table(points):
    rows = []
    for prog in article.PROGRAMS:
        cells = []
        for s in PY:
            ok, detail = article_check(points, s, prog)
            cells.append(("not measured: " if ok is None else "yes: " if ok else "**no**: ") + detail)
        rows.append([prog] + cells)
    return md.table(("article program", "asyncio: complete and correct", "Python threads: complete and correct"),
                    rows)


# ---- the claims on Python data ---------------------------------------------

def _text(points, system, program):
    ps = [p for p in points if p["step"] == "peers" and p["point"] == f"{system}-article-{program}-text"]
    if not ps or ps[0]["status"] != "ok":
        return None, None
    return article.parse(ps[0]["result"]["text"].splitlines())[0], cbdata.num(ps[0]["tags"].get("n"))


def _order_claim(points, program, rule, judge):
    """Claims 1 and 2: the order of asyncio's lines; Python threads for contrast."""
    items, n = _text(points, "asyncio", program)
    if items is None:
        return claims.nm(f"no asyncio `article {program}` output in this run")
    ok, detail = article_check(points, "asyncio", program)
    tr, tasks = article.transitions(items), len({i[0] for i in items})
    ev = f"asyncio `article {program}` {detail}"
    th, _ = _text(points, "pythreads", program)
    if th is not None:
        ev += f"; for contrast Python threads: {article.transitions(th)} change(s)"
    if not ok:
        return {"verdict": claims.NOT_HOLD, "evidence": ev, "rule": rule}
    return {"verdict": judge(tr, tasks, len(items)), "evidence": ev, "rule": rule}


def claim1(t, points, env):
    return _order_claim(points, "sequential", "holds if asyncio's output is complete and correct and each task's lines "
                        "form one block (changes of task = tasks - 1); does not hold otherwise",
                        lambda tr, k, n: claims.HOLDS if tr == k - 1 else claims.NOT_HOLD)


def claim2(t, points, env):
    return _order_claim(points, "concurrent", "holds if asyncio's output is complete and correct and the task changes "
                        "on at least half of consecutive lines; with caveats if less but more than tasks - 1; "
                        "does not hold if each task's lines stay in one block",
                        lambda tr, k, n: claims.HOLDS if tr >= (n - 1) / 2 else
                        claims.CAVEATS if tr > k - 1 else claims.NOT_HOLD)


def claim3(t, points, env):
    ok, detail = article_check(points, "asyncio", "queue")
    if ok is None:
        return claims.nm(f"asyncio `article queue`: {detail}")
    items, n = _text(points, "asyncio", "queue")
    per = collections.Counter(i[0] for i in items)
    share = max(per.values()) / sum(per.values()) if per else 1
    rule = ("holds if asyncio.Queue with join processes every number once with the right verdict and 'done' comes "
            "last; with caveats if one consumer did more than 90% of the items; does not hold otherwise")
    v = claims.NOT_HOLD if not ok else claims.CAVEATS if share > 0.9 else claims.HOLDS
    return {"verdict": v, "evidence": f"asyncio `article queue` {detail}", "rule": rule}


def claim7(t, points, env):
    """Python threads waiting on queue.Queue give what asyncio's queue program gives."""
    ok, detail = article_check(points, "pythreads", "queue")
    a, _ = _text(points, "asyncio", "queue")
    if ok is None or a is None:
        return claims.nm("the `article queue` output of Python threads or asyncio is missing in this run")
    th, n = _text(points, "pythreads", "queue")
    same = sorted(i[1:] for i in th) == sorted(i[1:] for i in a)
    in_order = [i[1:] for i in th] == [i[1:] for i in a]
    ev = (f"Python threads (queue.Queue, task_done/join) `article queue` {detail}; the numbers and verdicts "
          f"{'are' if same else 'are NOT'} asyncio's, {'in' if in_order else 'not in'} asyncio's order")
    rule = ("holds if the threads' output is complete and correct and has asyncio's numbers and verdicts in "
            "asyncio's order; with caveats if in another order; does not hold if incomplete, wrong or different")
    v = claims.NOT_HOLD if not ok or not same else claims.HOLDS if in_order else claims.CAVEATS
    return {"verdict": v, "evidence": ev, "rule": rule}


def _three(v):
    """A ratio's met / missed / inconclusive as a claim's verdict."""
    st = _stats()
    return {st.MET: claims.HOLDS, st.MISSED: claims.NOT_HOLD}.get(v, claims.INCONCLUSIVE)


GAIN_LINE = 1.1  # at most a tenth of one more core's work: "no parallelism"


def _speedup(t, system, k):
    """(interval of throughput with k tasks over 1, paired by repetition; {rep: ratio}) of one system."""
    one, many = (rows_of(t, f"cpubound-t{n}")[system == "pythreads"] for n in (1, k))
    if not one or not many or not one["by_rep"] or not many["by_rep"]:
        return None, None
    per = {r: v / one["by_rep"][r] for r, v in many["by_rep"].items() if one["by_rep"].get(r)}
    return _stats().ratio_interval(many["by_rep"], one["by_rep"]), per


CLAIM4_RULE = (
    "speedup: the 95% interval of Python threads' throughput with {k} threads over 1 thread (same total work; {cores} "
    "cores would allow up to {most}×); control: the same ratio on asyncio, which cannot run tasks in parallel, so "
    "that threads' speedup over asyncio's is what the machine's drift does not explain. holds if the speedup lies "
    "wholly at or below {line}× (no parallelism); does not hold if it and the speedup over asyncio's both lie "
    "wholly above {line}×; inconclusive otherwise")


def claim4(t, points, env):
    st = _stats()
    cores = env.get("cores") or 2
    k = max((x for x in PARAMS["full"]["tasks"] if 1 < x <= cores), default=2)
    iv, thr = _speedup(t, "pythreads", k)
    (aiv, asy), (tiv, _) = _speedup(t, "asyncio", k), _speedup(t, "pythreads", PARAMS["full"]["tasks"][-1])
    if iv is None:
        return claims.nm(f"Python threads cpubound at 1 and {k} threads missing or failed in this run")
    many = rows_of(t, f"cpubound-t{k}")[1]
    busy = cbdata.median([cbdata.res(p, "cpu_ns") / cbdata.res(p, "wall_ns") for p in many["ok"]
                          if cbdata.res(p, "cpu_ns") is not None and cbdata.res(p, "wall_ns")])
    ev = (f"Python threads, the same total work: {k} threads {cbdata.fnum(many['median'], 'units/s')}, speedup over "
          f"1 thread {iv.text(unit='×')} on {cores} cores" + (f", CPUs kept busy {busy:.2f}" if busy is not None else ""))
    if tiv and PARAMS["full"]["tasks"][-1] != k:
        ev += f"; {PARAMS['full']['tasks'][-1]} threads: {tiv.text(unit='×')}"
    ctl = st.ratio_interval(thr, asy) if asy else None
    if ctl:
        ev += (f"; asyncio {k} tasks vs 1 (one thread by design): {aiv.text(unit='×')}, threads' speedup over asyncio's "
               f"{ctl.text(unit='×')}")
    v = st.verdict(iv, GAIN_LINE, "at_most")
    if v == st.MISSED and (ctl is None or st.verdict(ctl, GAIN_LINE) != st.MET):
        v = st.INCONCLUSIVE  # no parallelism beyond what the control shows without any
    rule = CLAIM4_RULE.format(k=k, cores=cores, most=min(k, cores), line=GAIN_LINE)
    return {"verdict": _three(v), "evidence": ev, "rule": rule, "interval": iv, "line": GAIN_LINE}


CSW_LINE = 0.01  # OS context switches per task switch: "none" allows a stray preemption


def claim5(t, points, env):
    a, th = rows_of(t, "switch")
    iv, _ = advantage(a, th, "lower")
    a_csw = cbdata.median([_csw(p) for p in a["ok"]]) if a else None
    if iv is None or a_csw is None:
        return claims.nm("asyncio or Python threads switch runs missing or failed in this run")
    t_csw = cbdata.median([_csw(p) for p in th["ok"]])
    ev = (f"OS context switches per task switch (getrusage, median): asyncio {a_csw:.3g}, Python threads "
          + ("—" if t_csw is None else f"{t_csw:.3g}") + f"; time per switch: asyncio "
          f"{cbdata.fnum(a['median'], 'ns')}, Python threads {cbdata.fnum(th['median'], 'ns')}, threads' over "
          f"asyncio's {iv.text(unit='×')}")
    rule = (f"holds if asyncio's switches involve at most {CSW_LINE} OS context switches each and the 95% interval "
            "of threads' time per switch over asyncio's lies wholly above 1; does not hold if asyncio's involve more "
            "or the interval lies wholly below 1; inconclusive if it straddles 1")
    v = claims.NOT_HOLD if a_csw > CSW_LINE else _three(_stats().verdict(iv, 1, "at_least"))
    return {"verdict": v, "evidence": ev, "rule": rule, "interval": iv, "line": 1}


def _ticker_shape(th):
    """(CPU-bound tasks, period µs, one task's run µs, GIL switch interval µs) of the ticker runs."""
    ok = th["ok"]
    tags = ok[0]["tags"] if ok else {}
    gil = cbdata.median([cbdata.res(p, "gil_switch_interval_ns") for p in ok])
    vals = (cbdata.num(tags.get("tasks")), cbdata.num(tags.get("period_us")),
            cbdata.num(tags.get("duration_ms")), gil)
    if None in vals or not vals[0]:
        return None
    return vals[0], vals[1], vals[2] * 1e3, gil / 1e3


CLAIM6_RULE = (
    "starved: the 95% interval of asyncio's p99 lateness (CPU-bound tasks that never await) over one task's whole run "
    "less one period lies wholly at or above 1 (the ticker did not run while a task computed); bounded: the interval "
    "of Python threads' median lateness over the GIL's hand-over (CPU-bound threads × switch interval + one period: "
    "a thread that wants the GIL waits one switch interval before the holder is asked to drop it, once per thread "
    "ahead of it) lies wholly at or below 1. holds if starved and bounded; with caveats if starved but the threads "
    "pass the bound; does not hold if the first interval lies wholly below 1; inconclusive if an interval straddles "
    "its line")


def claim6(t, points, env):
    st = _stats()
    a, th = rows_of(t, "ticker-y0")
    if not a or not th or not a["by_rep"] or not th["by_rep"]:
        return claims.nm("the ticker beside never-yielding CPU-bound tasks is missing or failed on asyncio or "
                         "Python threads in this run")
    shape = _ticker_shape(th)
    if shape is None:
        return claims.nm("the Python threads ticker runs do not record their tasks, period and duration, or the "
                         "GIL's switch interval")
    k, period, run, gil = shape
    bound = k * gil + period
    p50 = cbdata.by_rep(th["ok"], _metric("late_p50_ns", 1e-3))
    starved = st.ratio_interval(a["by_rep"], {r: run - period for r in a["by_rep"]})
    held = st.ratio_interval(p50, {r: bound for r in p50})
    ev = (f"a ticker every {cbdata.fus(period)} beside {k} CPU-bound tasks of {cbdata.fus(run)} each that never "
          f"yield: asyncio's p99 lateness {cbdata.fus(a['median'])}, {starved.text(unit='×')} a task's run less one period; "
          f"Python threads' median lateness {cbdata.fus(cbdata.median(list(p50.values())))} (p99 "
          f"{cbdata.fus(th['median'])}), {held.text(unit='×')} the GIL's hand-over {k} × {cbdata.fus(gil)} + "
          f"{cbdata.fus(period)} = {cbdata.fus(bound)}")
    ya = rows_of(t, f"ticker-y{PARAMS['full']['yields'][-1]}")[0]
    if ya and ya["median"] is not None:
        ev += f"; asyncio tasks that await every {PARAMS['full']['yields'][-1]} µs: p99 {cbdata.fus(ya['median'])}"
    s, b = st.verdict(starved, 1), st.verdict(held, 1, "at_most")
    if s == st.MISSED:
        v = claims.NOT_HOLD
    elif st.INCONCLUSIVE in (s, b):
        v = claims.INCONCLUSIVE
    else:
        v = claims.HOLDS if b == st.MET else claims.CAVEATS
    return {"verdict": v, "evidence": ev, "rule": CLAIM6_RULE, "interval": starved, "line": 1}


# Not CLAIMS: the registry gathers every module's CLAIMS into the report's
# main claims, which these are set beside, never replace.
PY_CLAIMS = {1: ("asyncio coroutines that never await run one after another: no concurrency.", claim1),
          2: ("Awaiting asyncio.sleep(0) makes them interleave.", claim2),
          3: ("An asyncio.Queue with join hands work from a producer to consumers and waits for it all.", claim3),
          4: ("Under the GIL, CPU-bound Python threads gain no parallelism at all, even on several cores.", claim4),
          5: ("The OS does not context-switch between asyncio tasks (switch cost, OS context switches).", claim5),
          6: ("asyncio coroutines must not be compute-intensive (a ticker starves), while the GIL's switch interval "
              "bounds a thread ticker's lateness.", claim6),
          7: ("asyncio's queue program can be built from Python threads waiting on queue.Queue.", claim7)}


def judged(t, points, env):
    """Every Python claim's verdict dict, with n and claim; not measured when its data is incomplete."""
    out = []
    for n, (text, judge) in PY_CLAIMS.items():
        try:
            r = judge(t, points, env)
        except (KeyError, TypeError, ValueError, ZeroDivisionError) as e:
            r = claims.nm(f"the data needed is incomplete ({type(e).__name__}: {e})")
        out.append(dict(r, n=n, claim=text))
    return out


def section(t, points, env):
    out = ["## In the article's own language: asyncio against Python threads\n",
           "The article asks its question in Python: asyncio's coroutines or CPython's threads (under the GIL)? "
           "Both peers ran the same workloads with the same options in this run; a peer that cannot run the "
           "harness's size runs a smaller one (in brackets). asyncio's advantage is Python threads' value over "
           "asyncio's where lower is better, asyncio's over the threads' where higher is better: above 1, asyncio "
           "is ahead. The interval is a 95% bootstrap interval of the ratio of medians (repetitions paired when "
           "both ran them); the p-value is a two-sided Mann–Whitney test of the two samples.\n"]
    out += table(t) + ["", reading(t) + "\n"] + article_table(points) + ["", article_reading(points) + "\n"]
    out += ["### The article's claims on Python data alone\n",
            "Each claim that Python data can decide, judged by its own rule on the asyncio and Python threads runs "
            "above (the verdicts in \"The article's claims\" rest on corobench's data).\n"]
    for c in judged(t, points, env):
        out.append(f"- **Claim {c['n']} in Python:** {c['claim']} Python verdict: *{c['verdict']}*. "
                   f"{c['evidence']}." + (f" *Rule:* {c['rule']}." if c["rule"] else ""))
    return out + [""]


SECTIONS = [section]
