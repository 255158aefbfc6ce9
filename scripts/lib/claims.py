"""claims.py -- the article's seven claims, each judged by an explicit rule.

Every verdict here is computed from one run's tables and points; nothing is
typed by hand.  A claim whose inputs are missing or failed is "not measured"
with the reason.  Each judge returns a dict: verdict, evidence (the numbers
that decided it) and rule (the rule, in words, as applied).
"""
import re

import cbdata

HOLDS, CAVEATS, NOT_HOLD, NOT_MEASURED = "holds", "holds with caveats", "does not hold", "not measured"

CLAIMS = [
    "Coroutines that never suspend run one after another: no concurrency.",
    "Suspending (sleep) makes them interleave.",
    "A queue with join hands work from a producer to consumers and waits for it all.",
    "CPU-bound threads beyond the number of cores degrade performance.",
    "The OS does not context-switch between coroutines (switch cost, involuntary switches).",
    "Coroutines must not be compute-intensive (others starve: fairness).",
    "Coroutine behaviour can be built from threads waiting on queues.",
]

LINE = re.compile(r"^(\S+) (\d+) (divisible|not-divisible)$")


def nm(reason):
    return {"verdict": NOT_MEASURED, "evidence": reason, "rule": ""}


def article_text(points, backend, program):
    """(parsed lines, n, error): the text an article program printed."""
    for p in points:
        if (p["step"] == "article" and p["kind"] == "text" and p["tags"].get("backend") == backend
                and p["tags"].get("program") == program):
            if p["status"] != "ok":
                return None, None, f"the {backend} {program} run failed: {p['error']}"
            lines = p["result"]["text"].splitlines()
            return lines, cbdata.num(p["tags"].get("n")), None
    return None, None, f"no {backend} article {program} output in this run"


def parse(lines):
    items, bad = [], []
    for line in lines:
        m = LINE.match(line.strip())
        if m:
            items.append((m.group(1), int(m.group(2)), m.group(3)))
        elif line.strip() != "done":
            bad.append(line)
    return items, bad


def transitions(items):
    return sum(1 for a, b in zip(items, items[1:]) if a[0] != b[0])


def claim1(t, points, env):
    lines, n, err = article_text(points, "coro", "sequential")
    if err:
        return nm(err)
    items, bad = parse(lines)
    tasks = sorted({i[0] for i in items})
    tr = transitions(items)
    ev = (f"coro `article sequential --n {n}`: {len(items)} lines from tasks {', '.join(tasks)}, "
          f"{tr} change(s) of task between consecutive lines (contiguous blocks would give {len(tasks) - 1})")
    tl, _, terr = article_text(points, "threads", "sequential")
    if tl is not None:
        ev += f"; for contrast threads: {transitions(parse(tl)[0])} change(s)"
    rule = "holds if every task's lines form one contiguous block (changes = tasks - 1) and no line is malformed"
    if bad or not items:
        return {"verdict": NOT_HOLD, "evidence": ev + f"; {len(bad)} malformed line(s)", "rule": rule}
    return {"verdict": HOLDS if tr == len(tasks) - 1 else NOT_HOLD, "evidence": ev, "rule": rule}


def claim2(t, points, env):
    lines, n, err = article_text(points, "coro", "concurrent")
    if err:
        return nm(err)
    items, bad = parse(lines)
    tasks = {i[0] for i in items}
    tr = transitions(items)
    half = (len(items) - 1) / 2
    ev = (f"coro `article concurrent --n {n}`: {len(items)} lines from {len(tasks)} tasks, {tr} changes of task "
          f"between consecutive lines (of {len(items) - 1} possible)")
    rule = ("holds if the tasks change on at least half of consecutive lines; with caveats if they interleave "
            "less than that; does not hold if each task's lines stay in one block")
    if not items or bad:
        return {"verdict": NOT_HOLD, "evidence": ev + f"; {len(bad)} malformed line(s)", "rule": rule}
    v = HOLDS if tr >= half else (CAVEATS if tr > len(tasks) - 1 else NOT_HOLD)
    return {"verdict": v, "evidence": ev, "rule": rule}


def queue_check(lines, n):
    """(ok, detail, per-consumer counts) for the article queue program's output."""
    items, bad = parse(lines)
    nums = sorted(i[1] for i in items)
    want = list(range(1, n + 1)) if n else None
    stripped = [l.strip() for l in lines if l.strip()]
    ends_done = bool(stripped) and stripped[-1] == "done" and stripped.count("done") == 1
    per = {}
    for c, _, _ in items:
        per[c] = per.get(c, 0) + 1
    wrong = [i for i in items if (i[1] % 3 == 0) != (i[2] == "divisible")]
    ok = nums == want and ends_done and not bad and not wrong
    detail = (f"{len(items)} items, numbers 1..{n} each exactly once: {'yes' if nums == want else 'no'}, "
              f"ends with a single 'done': {'yes' if ends_done else 'no'}, wrong verdicts: {len(wrong)}, "
              f"per consumer: {', '.join(f'{k} {v}' for k, v in sorted(per.items()))}")
    return ok, detail, per


def claim3(t, points, env):
    lines, n, err = article_text(points, "coro", "queue")
    if err:
        return nm(err)
    if not n:
        return nm("the queue run's n is not recorded")
    ok, detail, per = queue_check(lines, n)
    share = max(per.values()) / sum(per.values()) if per else 1
    ev = f"coro `article queue --n {n}`: {detail}"
    rule = ("holds if every number N..1 is processed exactly once with the right verdict and 'done' comes last "
            "(join waited for all); with caveats if one consumer did more than 90% of the items")
    if not ok:
        return {"verdict": NOT_HOLD, "evidence": ev, "rule": rule}
    return {"verdict": CAVEATS if share > 0.9 else HOLDS,
            "evidence": ev + (f"; the busiest consumer did {share:.0%}" if share > 0.9 else ""), "rule": rule}


def _spread(r):
    return (r["max"] - r["min"]) / r["median"] if r and r["median"] else None


def oversub_points(rows, backend, wss, cores):
    """(row at T=cores, row at the largest T with data, largest T tried, its error)."""
    mine = [r for r in rows if r["backend"] == backend and r["wss"] == wss]
    base = next((r for r in mine if r["tasks"] == cores and r["median"]), None)
    ok = [r for r in mine if r["median"] and r["tasks"] > cores]
    top = max(ok, key=lambda r: r["tasks"]) if ok else None
    tried = max((r["tasks"] for r in mine), default=None)
    err = next((r["error"] for r in sorted(mine, key=lambda r: r["tasks"]) if r["n_ok"] == 0), None)
    return base, top, tried, err


def claim4(t, points, env):
    cores = env.get("cores") or 2
    rows = t["oversub"][1]
    wss_list = sorted({r["wss"] for r in rows if r["backend"] == "threads"})
    per, degraded, limited, creation = [], [], [], []
    # the run's noise band: the typical (median) min..max spread of a repeated
    # oversubscription point, relative to its median, over both backends
    spreads = [_spread(r) for r in rows if r["n_ok"] >= 2 and r["median"]]
    run_band = sorted(spreads)[len(spreads) // 2] if spreads else 0.0
    sp = cbdata.best(t["spawn"][1], system="threads")
    spawn_ns = sp["median"] if sp else None
    for w in wss_list:
        b, top, tried, err = oversub_points(rows, "threads", w, cores)
        if not b or not top:
            continue
        drop = 1 - top["median"] / b["median"]
        band = run_band
        cb, ctop, _, _ = oversub_points(rows, "coro", w, cores)
        cdrop = 1 - ctop["median"] / cb["median"] if cb and ctop and ctop["tasks"] == top["tasks"] else None
        s = (f"wss {w} B: threads T={cores} {cbdata.fnum(b['median'], 'units/s')} -> T={top['tasks']} "
             f"{cbdata.fnum(top['median'], 'units/s')} ({-drop:+.1%}, noise band ±{band:.1%})")
        if cdrop is not None:
            s += f", coroutines {-cdrop:+.1%} over the same T"
        if top["tasks"] < (tried or 0):
            s += f"; threads failed beyond T={top['tasks']}: {err}"
            limited.append(w)
        if drop > band and spawn_ns and top["wall_ms"]:
            # how much of the loss is creating the threads (T x spawn+join, measured in this run)?
            work_ms = top["wall_ms"] - top["tasks"] * spawn_ns / 1e6
            adj = 1 - (top["median"] * top["wall_ms"] / work_ms) / b["median"] if work_ms > 0 else None
            s += (f"; creating {top['tasks']} threads ({cbdata.fnum(spawn_ns, 'ns')} each in this run) is "
                  f"{min(top['tasks'] * spawn_ns / 1e6 / top['wall_ms'], 1):.0%} of its {top['wall_ms']:.4g} ms")
            if adj is None or adj <= band:
                creation.append(w)
                s += ", without it the loss is within noise"
            else:
                s += f", without it {-adj:+.1%}"
        per.append(s)
        if drop > band:
            degraded.append((w, drop, cdrop, band))
    if not per:
        return nm(f"no threads cpubound data at T={cores} and above in this run")
    rule = (f"per working set, threads' throughput at the largest T reached vs T={cores} (the core count); "
            "degraded = lower by more than the run's noise band (the median, over all repeated oversubscription "
            "points of this run, of their min..max spread relative to their median). "
            "holds if degraded for every working set; with caveats if only for some, if thread creation failed "
            "before the largest T, if the loss is within noise once the creation cost of the threads (T x "
            "spawn+join from this run) is taken out, or if coroutines lose as much (then the cost is the working "
            "set, not threads); "
            "does not hold if degraded for none")
    ev = "; ".join(per)
    if not degraded:
        return {"verdict": NOT_HOLD, "evidence": ev, "rule": rule}
    same_as_coro = [w for w, d, cd, band in degraded if cd is not None and cd >= d - band]
    if len(degraded) < len(per) or limited or same_as_coro or creation:
        return {"verdict": CAVEATS, "evidence": ev, "rule": rule}
    return {"verdict": HOLDS, "evidence": ev, "rule": rule}


def claim5(t, points, env):
    cores = env.get("cores") or 2
    rows = t["oversub"][1]
    wss = min((r["wss"] for r in rows if r["backend"] == "coro" and r["median"]), default=None)
    sw = t["switch"][1]
    cs = cbdata.best(sw, system="coro", pin="same") or cbdata.best(sw, system="coro")
    ts = cbdata.best(sw, system="threads", mech="futex", pin="same") or cbdata.best(sw, system="threads")
    if wss is None:
        return nm("no coroutine cpubound data in this run")
    if not cs or not ts or cs["median"] is None or ts["median"] is None:
        return nm("switch cost of coro or threads missing in this run")

    def inv(be, pick):
        mine = [r for r in rows if r["backend"] == be and r["wss"] == wss and r["invol_csw"] is not None]
        return pick(mine, key=lambda r: r["tasks"]) if mine else None

    c1, cN = inv("coro", min), inv("coro", max)
    t1, tN = inv("threads", min), inv("threads", max)
    if not c1 or not cN:
        return nm("involuntary switch counts of the coroutine cpubound runs missing")
    grows = cN["invol_csw"] > max(2 * c1["invol_csw"], c1["invol_csw"] + 20)
    ratio = ts["median"] / cs["median"]
    ev = (f"involuntary switches of the process (getrusage), cpubound wss {wss} B: coroutines "
          f"{c1['invol_csw']:g} at T={c1['tasks']} -> {cN['invol_csw']:g} at T={cN['tasks']}")
    if t1 and tN:
        ev += f"; threads {t1['invol_csw']:g} at T={t1['tasks']} -> {tN['invol_csw']:g} at T={tN['tasks']}"
    ev += (f"; switch: coroutine {cbdata.fnum(cs['median'], 'ns')} vs threads ({ts['mech']}, {ts['pin']} core) "
           f"{cbdata.fnum(ts['median'], 'ns')} = {ratio:.3g}x")
    rule = ("holds if coroutines' involuntary switches do not grow with the task count (at most 2x, or +20, "
            "from the fewest to the most tasks) and a coroutine switch is cheaper than a thread switch; with "
            "caveats if, even so, the one thread carrying the coroutines was preempted (involuntary switches > 0); "
            "does not hold otherwise")
    if grows or ratio <= 1:
        return {"verdict": NOT_HOLD, "evidence": ev, "rule": rule}
    return {"verdict": CAVEATS if cN["invol_csw"] > 0 else HOLDS, "evidence": ev, "rule": rule}


def claim6(t, points, env):
    rows = t["fairness"][1]
    cn = next((r for r in rows if r["backend"] == "coro" and r["yield_us"] == 0), None)
    tn = next((r for r in rows if r["backend"] == "threads" and r["yield_us"] == 0), None)
    if not cn or cn["median"] is None:
        return nm("coroutine fairness run without yields missing or failed"
                  + (f": {cn['error']}" if cn and cn["error"] else ""))
    if not tn or tn["median"] is None:
        return nm("threads fairness run without yields missing or failed")
    period = cn["period_us"] or 1000
    c99, t99 = cn["median"], tn["median"]
    ev = (f"ticker every {period} us beside CPU-bound tasks that never yield: p99 lateness coroutines "
          f"{cbdata.fus(c99)} vs threads {cbdata.fus(t99)} ({c99 / max(t99, 1e-3):.3g}x)")
    rule = ("holds if, without yields, the coroutine ticker's p99 lateness is at least one period and at least "
            "10x the threads'; with caveats if some yield interval brings the coroutines within 2x of the "
            "threads' no-yield lateness (compute-intensive coroutines are fine if they yield that often); "
            "does not hold if the no-yield coroutine ticker stays within a period")
    if not (c99 >= period and c99 >= 10 * t99):
        return {"verdict": NOT_HOLD, "evidence": ev, "rule": rule}
    good = sorted((r for r in rows if r["backend"] == "coro" and r["yield_us"] and r["median"] is not None
                   and r["median"] <= 2 * max(t99, 1e-3)), key=lambda r: -r["yield_us"])
    if good:
        g = good[0]
        return {"verdict": CAVEATS, "rule": rule,
                "evidence": ev + f"; yielding every {g['yield_us']} us brings coroutines to {cbdata.fus(g['median'])}"}
    return {"verdict": HOLDS, "evidence": ev, "rule": rule}


def claim7(t, points, env):
    rows = t["article_json"][1]
    c = cbdata.best(rows, backend="coro", program="queue")
    th = cbdata.best(rows, backend="threads", program="queue")
    if not c or not th or c["status"] != "ok" or th["status"] != "ok":
        why = next((r["error"] for r in (c, th) if r and r["error"]), "missing in this run")
        return nm(f"article queue --json on coro and threads: {why}")
    same = c["checksum"] == th["checksum"] and c["checksum"] is not None
    ev = (f"article queue (JSON run): coro checksum {c['checksum']}, threads {th['checksum']} "
          f"({'equal' if same else 'DIFFERENT'}); distinct output orders over {th['runs']} runs: "
          f"threads {th['distinct_orders']}, coro {c['distinct_orders']}")
    tl, n, err = article_text(points, "threads", "queue")
    tok = None
    if tl is not None and n:
        tok, detail, _ = queue_check(tl, n)
        ev += f"; threads text output: {detail}"
    at = {(r["program"], r["backend"]): r for r in t["article_time"][1]}
    if ("queue", "coro") in at and ("queue", "threads") in at:
        ev += (f"; whole program (hyperfine median): threads {at[('queue', 'threads')]['median']:.3g} ms vs "
               f"coro {at[('queue', 'coro')]['median']:.3g} ms")
    rule = ("holds if the threads backend (threads waiting on a mutex/condvar queue) produces the same checksum "
            "as the coroutine backend and a complete, correct output; with caveats if its output order varies "
            "between runs (distinct orders > 1) where the coroutines' does not")
    if not same or tok is False:
        return {"verdict": NOT_HOLD, "evidence": ev, "rule": rule}
    v = CAVEATS if (th["distinct_orders"] or 1) > (c["distinct_orders"] or 1) else HOLDS
    return {"verdict": v, "evidence": ev, "rule": rule}


JUDGES = [claim1, claim2, claim3, claim4, claim5, claim6, claim7]


def judge_all(tables, points, env):
    out = []
    for i, (text, judge) in enumerate(zip(CLAIMS, JUDGES), 1):
        try:
            r = judge(tables, points, env)
        except (KeyError, TypeError, ValueError, ZeroDivisionError) as e:
            r = nm(f"the data needed is incomplete ({type(e).__name__}: {e})")
        r.update({"n": i, "claim": text})
        out.append(r)
    return out
