"""The spectrum: every system grouped by the kind of concurrency it is (OS
threads; stackful coroutines with their own stacks; stackful on a shared
stack; stackless), on the metrics the other modules measure, with sentences
computed from the data saying where each kind wins, and the targets of
corobench's coroutines against every other system.

A module of the report only: it runs nothing (STEPS is empty) and reads the
points the other steps stored.  Each metric takes per-repetition values from
those points, so a target's ratio gets a 95% interval (stats.ratio_interval).
The values come from the same results fields the owning modules' tables use;
a system measured at several settings (threads' switch mechanisms and cores)
is represented by its fastest, the strongest opponent.
"""
import cbdata
import md
import peers
import stats
import systems
from workloads import micro, skynet

ORDER = 95
STEPS = []
KINDS = (("threads", "OS threads"), ("stackful", "stackful, own stacks"),
         ("stackful-shared", "stackful, shared stack"), ("stackless", "stackless"))
FAMILY = {"coro": "stackful", "coro-mn2": "stackful", "coro-shared": "stackful-shared", "threads": "threads"}
CAPS = (1, 1024)


def family(system):
    if system in FAMILY:
        return FAMILY[system]
    try:
        return peers.peer(system).get("family")
    except (KeyError, OSError, ValueError):
        return None


def _collect(points, step, peer_suffix, field, pred=lambda p: True):
    """{system: {setting: [values by repetition]}} of one results field."""
    out = {}
    for p in points:
        mine = p["step"] == step or (p["step"] == "peers" and p["point"].endswith(peer_suffix))
        v = cbdata.res(p, field) if p["status"] == "ok" and p["kind"] == "cli" else None
        if not mine or v is None or not pred(p):
            continue
        setting = (p["tags"].get("mech"), p["tags"].get("pin")) if p["step"] != "peers" else None
        out.setdefault(systems.of(p), {}).setdefault(setting, []).append(v)
    return out


def _strongest(by_setting, better):
    """The values of a system's best setting (by median)."""
    pick = min if better == "lower" else max
    return pick(by_setting.values(), key=lambda v: cbdata.median(v))


def _handoff(cap):
    def pred(p):
        tg = p["tags"]
        return all(cbdata.num(tg.get(k)) == v for k, v in (("p", 1), ("c", 1), ("capacity", cap), ("work_ns", 0)))
    return pred


def _pin_same(p):
    return p["step"] == "peers" or p["tags"].get("pin") == "same"


# (key, title, unit, better, step, peer suffix, results field, filter)
METRICS = (("switch", "context switch", "ns", "lower", "switch", "-switch", "ns_per_switch", _pin_same),
           ("spawn", "spawn + join", "ns/task", "lower", "spawn", "-spawn", "ns_per_task", None),
           ("memory", "memory per live task", "B", "lower", "memory", "-memory", "rss_per_task_bytes", None),
           ("alive", "most tasks alive", "tasks", "higher", "memory", "-memory", "tasks_reached", None),
           ("handoff1", "queue hand-off, capacity 1", "items/s", "higher", "prodcons", "-prodcons-c1",
            "items_per_s", _handoff(1)),
           ("handoff1024", "queue hand-off, capacity 1024", "items/s", "higher", "prodcons", "-prodcons-c1024",
            "items_per_s", _handoff(1024)))


def tables(points):
    rows = []
    for key, title, unit, better, step, suffix, field, pred in METRICS:
        for s, by in _collect(points, step, suffix, field, pred or (lambda p: True)).items():
            v = _strongest(by, better)
            rows.append({"metric": key, "system": s, "family": family(s), "median": cbdata.median(v), "values": v})
    return {"spectrum": (("metric", "system", "family", "median"), rows)}  # rows keep their values


def _skynet_rows(t):
    """skynet's row per system on the common tree, from the skynet module's table (absent in older runs)."""
    best = skynet.common_rows(t) if "skynet" in t else {}
    return {s: {"metric": "skynet", "system": s, "family": family(s), "median": r["median"], "values": r["values"],
                "note": f"depth {r['depth']}"} for s, r in best.items()}


def values(t):
    """{metric: {system: row}} over every metric, skynet included."""
    out = {}
    for r in t["spectrum"][1]:
        out.setdefault(r["metric"], {})[r["system"]] = r
    out["skynet"] = _skynet_rows(t)
    return out


# A count that is as many as a system was asked, not its limit, unless it hit one.
CAVEAT = {"alive": " The counts are what each system was asked for unless it hit a limit (the memory section "
                   "says which did), so they bound the most alive from below."}
ALL = [m[:4] for m in METRICS] + [("skynet", "skynet, time per task", "ns/task", "lower")]


def winners(t):
    """One sentence per metric: the best system of each kind and the kind that wins."""
    by, out = values(t), []
    for key, title, unit, better in ALL:
        pick = min if better == "lower" else max
        best = {}
        for s, r in by.get(key, {}).items():
            if r["family"] in dict(KINDS) and (r["family"] not in best or pick(r["median"], best[r["family"]][1])
                                               == r["median"]):
                best[r["family"]] = (s, r["median"])
        if not best:
            out.append(f"- {title}: not measured in this run.")
            continue
        win = pick(best.items(), key=lambda kv: kv[1][1])
        others = [f"{dict(KINDS)[k]} {cbdata.fnum(v, unit)} ({systems.label(s)})" for k, (s, v) in best.items()
                  if k != win[0]]
        absent = [name for k, name in KINDS if k not in best]
        out.append(f"- {title}: **{dict(KINDS)[win[0]]}** win with {systems.label(win[1][0])} at "
                   f"{cbdata.fnum(win[1][1], unit)}; " + ("; ".join(others) or "no other kind measured")
                   + (f" (not measured: {', '.join(absent)})" if absent else "") + "."
                   + (CAVEAT.get(key, "")))
    return out


def section(t, points, env):
    by = {k: v for k, v in values(t).items()}
    sys_ = systems.order({s for rows in by.values() for s in rows if family(s) in dict(KINDS)})
    head = ["kind", "system"] + [f"{title} ({unit}, {better} is better)" for _, title, unit, better in ALL]
    rows = []
    for kind, name in KINDS:
        for s in [x for x in sys_ if family(x) == kind]:
            cells = []
            for key, _, unit, _ in ALL:
                r = by.get(key, {}).get(s)
                cells.append(cbdata.fnum(r["median"], unit) + (f" ({r['note']})" if r.get("note") else "")
                             if r else "—")
            rows.append([name, systems.label(s)] + cells)
    out = ["## The spectrum\n",
           "Every system by the kind of concurrency it is: OS threads; stackful coroutines with their own stacks "
           "(corobench, Boost.Fiber, Go); stackful coroutines on one shared stack (corobench's shared mode); "
           "stackless coroutines (C++20, Tokio, asyncio). Medians of this run; a system measured at several "
           "settings shows its fastest; — = not measured in this run.\n"]
    if not rows:
        return out + ["Not measured in this run.\n"]
    return out + md.table(head, rows) + ["", "Where each kind wins:\n"] + winners(t) + [""]


def _ratio(mine, theirs, better):
    """corobench's lead as a ratio above 1 when it is ahead, with its interval."""
    a, b = (theirs, mine) if better == "lower" else (mine, theirs)
    return stats.ratio_interval(a, b)


# metric key -> (line on corobench's lead, the goal in words, what differs) against C++20
CXX20_GOALS = {"switch": (1.0, "no slower than", "each corobench switch also saves and restores the coroutine's "
                          "floating-point control state, which a C++20 task does not keep (the design notes, "
                          "Floating-point state)"),
               "spawn": (0.5, "within 2x of", "a C++20 frame is one allocation; a corobench coroutine also "
                         "takes a stack from its pool")}


def fp_share(t):
    """What keeping the FP control state costs inside a switch: corobench's
    raw switch with it and without it, or "" without a Google Benchmark run
    that measured both."""
    with_fp, without = micro.case_text(t, "switch/coro/rawctx"), micro.case_text(t, "switch/coro/rawctx_nofp")
    if not (with_fp and without):
        return ""
    return (f"; corobench's raw switch takes {with_fp} with that state and {without} without it "
            "(Google Benchmark, this run)")


def targets(t, env):
    by, out = values(t), []
    for key, title, unit, better in ALL[:2] + ALL[4:6]:
        rows = by.get(key, {})
        coro = rows.get("coro")
        opponents = [s for s in systems.order(rows) if s not in systems.SERIES or s == "threads"]
        for s in opponents:
            fam = family(s)
            if fam not in dict(KINDS) or s.startswith("coro"):
                continue
            iv = _ratio(coro["values"], rows[s]["values"], better) if coro else None
            lead = None
            if iv is not None:
                lead = (f"{systems.label(s)} {cbdata.fnum(rows[s]['median'], unit)} vs coro M:1 "
                        f"{cbdata.fnum(coro['median'], unit)}"
                        + (f"; {systems.label(s)} is ahead" if iv.estimate < 1 else ""))
            if s == "cxx20":
                # stackless frames are the floor a stackful runtime is held
                # to, not a system it must beat: the goals are "a switch no
                # slower" and "spawn + join within 2x"; the queue rows have
                # none and stay in the spectrum's table
                if key not in CXX20_GOALS:
                    continue
                line, goal, differs = CXX20_GOALS[key]
                if key == "switch":
                    differs += fp_share(t)
                out.append(stats.target("corobench coroutines against every kind",
                                        f"{title}: coro M:1 {goal} {systems.label(s)}", iv, line, "at_least",
                                        lead and f"{lead}; {differs}"))
                continue
            out.append(stats.target("corobench coroutines against every kind",
                                    f"{title}: coro M:1 ahead of {systems.label(s)}", iv, 1.0, "at_least", lead))
        if not coro:
            out.append(stats.target("corobench coroutines against every kind", f"{title}: coro M:1 ahead of the "
                                    "others", None, 1.0))
    return out


SECTIONS = [section]
TARGETS = targets
