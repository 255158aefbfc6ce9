"""The Google Benchmark micro run (corobench-micro, its ucontext build):
switch, spawn and queue hand-off per primitive, fcontext included."""
import cbdata
import md
import plotdata
import stats
from workloads import Point, Step

ORDER = 10
UNIT_NS = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}


def points(p, ctx):
    return [Point("micro", argv=[ctx.micro] + p["args"], kind="gbench", limit_x=5,
                  tags={"binary": "corobench-micro"}),
            Point("micro-ucontext", argv=[ctx.micro + "-ucontext"] + p["args"], kind="gbench", limit_x=2,
                  tags={"binary": "corobench-micro-ucontext"})]


# Several processes in the full run, one per round: Google Benchmark's own
# repetitions share one process (its code placement, its pages, that minute
# of the host), and a ratio between two of its cases moves more from process
# to process than those repetitions show.  A case's samples are pooled over
# the processes, so its interval sees that movement; for the same time, more
# processes with fewer repetitions each see more of it.
STEPS = [Step("gbench", "Google Benchmark micro run (switch, spawn, queue hand-off)",
              {"quick": {"reps": 1, "args": ["--quick"]},
               "full": {"reps": 4, "args": ["--benchmark_repetitions=3"]}}, points,
              fixed_reps=True)]


def _times(result):
    """{benchmark name: {"ns": [...], "ips": [...]}} over a run's iterations."""
    per = {}
    for b in result.get("benchmarks", []):
        if b.get("run_type", "iteration") != "iteration" or b.get("error_occurred"):
            continue
        name = b.get("run_name") or b.get("name")
        # threads: wall time; one thread (coroutines, fcontext): CPU time,
        # which leaves out the time a shared machine descheduled us
        t = b.get("real_time") if name.endswith("/real_time") else b.get("cpu_time")
        if not isinstance(t, (int, float)):
            continue
        e = per.setdefault(name, {"ns": [], "ips": []})
        e["ns"].append(t * UNIT_NS.get(b.get("time_unit", "ns"), 1))
        if isinstance(b.get("items_per_second"), (int, float)):
            e["ips"].append(b["items_per_second"])
    return per


def tables(points):
    """One row per case, its samples pooled over the processes (repetitions of the step) that ran it."""
    pooled = {}
    for p in sorted((p for p in points if p["step"] == "gbench" and p["status"] == "ok"), key=lambda p: p["rep"]):
        for name, e in _times(p["result"]).items():
            name = name[: -len("/real_time")] if name.endswith("/real_time") else name
            acc = pooled.setdefault(name, {"ns": [], "ips": [], "processes": 0})
            acc["ns"] += e["ns"]
            acc["ips"] += e["ips"]
            acc["processes"] += 1
    rows = []
    for name, e in pooled.items():
        s, si = cbdata.stats(e["ns"]), cbdata.stats(e["ips"])
        rows.append({"name": name, "median_ns": s["median"], "min_ns": s["min"], "max_ns": s["max"], "n": s["n"],
                     "processes": e["processes"], "items_per_s": si["median"] if si else None,
                     "samples": list(e["ns"])})
    return {"gbench": (("name", "median_ns", "min_ns", "max_ns", "n", "processes", "items_per_s"), rows)}


def case_text(t, name):
    """'4.9 [4.87, 4.95] ns' : one Google Benchmark case's median ns with its
    95% interval over every sample, or None when it did not run."""
    r = next((r for r in t.get("gbench", (None, []))[1] if r["name"] == name and r.get("samples")), None)
    mi = plotdata.median_interval(r["samples"]) if r else None
    if mi is None:
        return None
    med, lo, hi = mi
    iv = stats.Interval(med, lo, hi, len(r["samples"]), False) if hi > lo else \
        stats.Interval(med, None, None, len(r["samples"]), False)
    return iv.text(unit=" ns")


def kind(name):
    """switch | spawn | queue | other, from a Google Benchmark name."""
    n = name.lower()
    if n.endswith("/rawctx_nofp"):  # an instrument (the FP state's share), not a system to rank
        return "other"
    if "spawn" in n or "create" in n:
        return "spawn"
    if "queue" in n or "handoff" in n:
        return "queue"
    if any(k in n for k in ("switch", "yield", "ping", "futex", "condvar", "pipe", "fcontext", "swapcontext")):
        return "switch"
    return "other"


def rows_of(t, what):
    """The micro results of one kind as bar rows (label, median, min, max)."""
    return [{"name": r["name"], "median": r["median_ns"], "min": r["min_ns"], "max": r["max_ns"]}
            for r in t["gbench"][1] if kind(r["name"]) == what]


def section(t, points, env):
    gb = t["gbench"][1]
    if not gb:
        return []
    g = cbdata.fnum
    return (["### Google Benchmark micro results\n"]
            + md.table(("benchmark", "median", "min", "max", "samples", "processes", "items/s"),
                       [(r["name"], g(r["median_ns"], "ns"), g(r["min_ns"], "ns"), g(r["max_ns"], "ns"), r["n"],
                         r.get("processes", 1), g(r["items_per_s"])) for r in gb]) + [""])


SECTIONS = [section]


# ---- plots: the micro cases in words -----------------------------------------
MECH = {"futex": "futex ping-pong", "condvar": "condvar ping-pong", "pipe": "pipe ping-pong",
        "sched_yield": "sched_yield"}
CORES = {"same_core": "1 core", "two_cores": "2 cores"}


def words(name):
    """A Google Benchmark name as a plot label: 'switch/futex/two_cores' ->
    'futex ping-pong (2 cores)', 'switch/coro/rawctx' -> 'corobench raw switch'."""
    parts = name.split("/")
    if len(parts) != 3:
        return {"switch/fcontext": "Boost.Context jump_fcontext",
                "switch/swapcontext": "glibc swapcontext"}.get(name, name)
    what, who, case = parts
    if who in ("coro", "coro_ucontext"):
        on = " (ucontext)" if who == "coro_ucontext" else ""
        if case.startswith("shared_yield:"):
            return f"shared-stack yield, {case.split(':')[1]} B{on}"
        return {"rawctx": f"corobench raw switch{on}", "rawctx_nofp": "corobench raw switch, no FP state",
                "yield": f"corobench yield{on}",
                "warm": f"corobench spawn+join{on}", "cold": f"corobench spawn+join{on}, cold"}.get(case, name)
    if who == "pthread":
        return "pthread create+join" + (" (64 KiB stack)" if case == "stack_64k" else "")
    return f"{MECH.get(who, who)} ({CORES.get(case, case)})"


def samples(points, what, keep=lambda name: True):
    """[(label in words, [per-repetition ns])] of the micro cases of one kind."""
    out = {}
    for p in points:
        if p["step"] != "gbench" or p["status"] != "ok":
            continue
        for name, e in _times(p["result"]).items():
            name = name[: -len("/real_time")] if name.endswith("/real_time") else name
            if kind(name) == what and keep(name):
                out.setdefault(words(name), []).extend(e["ns"])
    return list(out.items())
