"""spawn: spawn + run + join cost of one trivial task, and (spawn --alive)
resident memory per live task and the most tasks kept alive; corobench's
coroutines run both with stacks of their own and on a shared stack
(--stack-mode shared), whose million-task targets are set here."""
import cbdata
import md
import plotdata
import ratios
import stats
import systems
from workloads import Plot, Point, Step, micro, switch

ORDER = 30
PARAMS = {"quick": {"reps": 3, "n": 20000, "n_thr": 2000, "n_alive": 100000, "mem_reps": 1},
          "full": {"reps": 5, "max_reps": 10, "budget_s": 60, "n": 200000, "n_thr": 10000, "n_alive": 100000,
                   "mem_reps": 3}}
# a million coroutines fault in their stacks page by page, far longer than a
# thread's run: a limit of their own (2.5x); five repetitions all the same,
# spread over the run's rounds, because the time to spawn them all (a target)
# moves with what a page fault costs the host from minute to minute
# quick: 10k threads, not 100k: a hundred thousand threads take seconds to
# start, and resident bytes per thread do not depend on their count
MEMORY = {"quick": {"reps": 1, "n": 100000, "n_thr": 10000},
          "full": {"reps": 5, "n": 1000000, "n_thr": 100000}}
NOT_A_LIMIT = "all requested, not a limit"


def spawn_points(p, ctx):
    return [Point("coro", "coro", "spawn", ["--n", p["n"]]), Point("coro-shared", "coro-shared", "spawn", ["--n", p["n"]]),
            Point("ucontext", "ucontext", "spawn", ["--n", p["n"]]),
            Point("threads", "threads", "spawn", ["--n", p["n_thr"]])]


def memory_points(p, ctx):
    # shared-stack coroutines keep only their saved frames: the same count
    # as the own-stack series, so the two modes meet at one size
    return [Point("coro", "coro", "spawn", ["--n", p["n"], "--alive"], limit_x=2.5),
            Point("coro-shared", "coro-shared", "spawn", ["--n", p["n"], "--alive"]),
            Point("threads", "threads", "spawn", ["--n", p["n_thr"], "--alive"])]


def peer_points(p):
    # a peer that rejects --alive (usage error) is not asked again.  Memory
    # per live task in the first mem_reps repetitions only: resident bytes
    # agree to within a fraction of a percent between repetitions while each
    # keeps a hundred thousand tasks alive for seconds, but a ratio against
    # corobench's needs a few of them for an interval
    return [Point("spawn", args=["--n", p["n_thr"]]),
            Point("memory", args=["--n", p["n_alive"], "--alive"], optional=True, upto=p["mem_reps"])]


STEPS = [Step("spawn", "spawn + run + join cost (corobench spawn)", PARAMS, spawn_points),
         Step("memory", "memory per task and most tasks alive (corobench spawn --alive)", MEMORY, memory_points)]
PEER_POINTS = ("spawn", peer_points)


def _seconds(ns):
    return ns / 1e9 if isinstance(ns, (int, float)) else None


def _memory_row(k, ps):
    r = cbdata.row(("system",), k, ps, lambda p: cbdata.res(p, "rss_per_task_bytes"))
    ok = [p for p in ps if p["status"] == "ok"]
    reached = cbdata.stats([cbdata.res(p, "tasks_reached") for p in ok])
    req = cbdata.stats([cbdata.res(p, "tasks_requested") for p in ok])
    r.update({"tasks_requested": req["max"] if req else None, "tasks_reached": reached["max"] if reached else None,
              "limit_error": cbdata.limit_error(ok),
              "spawn_all_s_by_rep": cbdata.by_rep(ok, lambda p: _seconds(cbdata.res(p, "spawn_all_ns")))})
    # where spawning them all went (corobench's own systems report it)
    for key, field in (("spawn_all_s", "spawn_all_ns"), ("user_s", "spawn_user_ns"), ("sys_s", "spawn_sys_ns")):
        st = cbdata.stats([_seconds(cbdata.res(p, field)) for p in ok])
        r[key] = st["median"] if st else None
    faults = cbdata.stats([cbdata.res(p, "spawn_minflt") / cbdata.res(p, "tasks_reached") for p in ok
                           if cbdata.res(p, "spawn_minflt") is not None and cbdata.res(p, "tasks_reached")])
    r["minflt_per_task"] = faults["median"] if faults else None
    # corobench's coroutines: own stacks handed out and those with a guard page, at the rep with the most
    r["stacks"], r["stacks_guarded"] = max(((cbdata.res(p, "stacks"), cbdata.res(p, "stacks_guarded")) for p in ok
                                            if cbdata.res(p, "stacks") is not None), default=(None, None))
    return r


def tables(points):
    rows = []
    metric = lambda p: cbdata.res(p, "ns_per_task")  # noqa: E731
    for k, ps in cbdata.group(points, "spawn", ("system",)).items():
        rows.append(cbdata.row(("system",), k, ps, metric) | {"source": "corobench spawn"})
    for k, ps in cbdata.peer_group(points, "-spawn").items():
        rows.append(cbdata.row(("system",), k, ps, metric) | {"source": "peer spawn"})
    mem = list(cbdata.group(points, "memory", ("system",)).items()) + list(cbdata.peer_group(points, "-memory").items())
    return {"spawn": (("system", "source", "median", "min", "max", "n_ok", "n_failed", "error"), rows),
            "memory": (("system", "median", "min", "max", "tasks_requested", "tasks_reached", "limit_error",
                        "spawn_all_s", "user_s", "sys_s", "minflt_per_task", "stacks", "stacks_guarded", "n_ok",
                        "n_failed", "error"),
                       [_memory_row(k, ps) for k, ps in mem])}


# RSS does not count the kernel stack each thread holds (see the report's caveats)
KERNEL_STACK = "resident memory only: kernel stack left out"


def headline(t):
    sp, mem = t["spawn"][1], t["memory"][1]
    alive = {}
    for r in mem:
        if r["tasks_reached"] is not None:
            capped = r["tasks_reached"] >= (r["tasks_requested"] or 0)
            alive[r["system"]] = (r["tasks_reached"], NOT_A_LIMIT if capped else "limit hit", None)
    return [("spawn + run + join", "ns/task", "lower",
             {r["system"]: (r["median"], "", r) if r["median"] is not None else None for r in sp}),
            ("memory per live task", "B", "lower",
             {r["system"]: (r["median"], KERNEL_STACK if systems.os_threads(r["system"]) else "", r)
              if r["median"] is not None else None for r in mem}),
            ("most tasks alive", "tasks", "higher", alive)]


def targets(t, env):
    sp = {r["system"]: r for r in t["spawn"][1] if r["median"] is not None}
    name = "spawn + join at least 5× faster than a goroutine's"
    if "coro" not in sp or "go" not in sp:
        return [stats.target("peer targets", name, None, 5)] + alive_targets(t)
    c, go = sp["coro"], sp["go"]
    iv = ratios.interval(c, go, "lower")
    g = cbdata.fnum
    return [stats.target("peer targets", name, iv, 5, why=f"{g(c['median'], 'ns')} vs Go {g(go['median'], 'ns')}"
                         + ratios.p_text(c, go))] + alive_targets(t)


# the million-task targets: on the shared stack a live trivial coroutine is
# its saved frame and its task record, a few hundred bytes, spawned in seconds;
# with stacks of their own every coroutine faults in a fresh page, whose cost
# the host sets, so their bound is looser
ALIVE = 1000000
ALIVE_TARGETS = (("coro-shared", "rss_per_task_bytes",
                  f"{ALIVE:,} live shared-stack coroutines: at most 512 B resident each", 512, "{:.0f}", " B"),
                 ("coro-shared", "spawn_all_s", f"{ALIVE:,} live shared-stack coroutines spawned in under 10 s",
                  10, "{:.3g}", " s"),
                 ("coro", "spawn_all_s", f"{ALIVE:,} live coroutines with stacks of their own spawned in under 30 s",
                  30, "{:.3g}", " s"))


def _quantity(by_rep):
    """The interval of a quantity itself (its ratio to 1) from its repetitions."""
    vals = [v for _, v in sorted(by_rep.items())]
    return stats.ratio_interval(vals, [1.0] * len(vals)) if vals else None


def alive_targets(t):
    rows = {r["system"]: r for r in t.get("memory", ((), []))[1]}
    out = []
    for system, key, name, line, fmt, unit in ALIVE_TARGETS:
        row = rows.get(system)
        if row is None or not row["n_ok"]:
            out.append(stats.target("runtime targets", name, None, line, "at_most"))
            continue
        if (row["tasks_reached"] or 0) < ALIVE:
            r = stats.target("runtime targets", name, None, line, "at_most")
            r["measured"] = f"not measured at this size: {cbdata.fnum(row['tasks_reached'])} alive in this run"
            out.append(r)
            continue
        by_rep = row["by_rep"] if key == "rss_per_task_bytes" else row["spawn_all_s_by_rep"]
        out.append(stats.target("runtime targets", name, _quantity(by_rep), line, "at_most", fmt=fmt, unit=unit,
                                why=f"{len(by_rep)} repetition{'s' if len(by_rep) != 1 else ''}"))
    return out


def memory_reading(t, env):
    m = {r["system"]: r for r in t["memory"][1] if r["median"] is not None}
    if "coro" not in m or "threads" not in m:
        return "Coroutine or thread memory data missing."
    c, th = m["coro"], m["threads"]
    s = (f"A live coroutine costs {c['median'] / 1024:.3g} KiB of resident memory ({c['tasks_reached']} alive), "
         f"a live thread {th['median'] / 1024:.3g} KiB ({th['tasks_reached']} alive): "
         f"{th['median'] / c['median']:.3g}× more.")
    if "coro-shared" in m:
        sh = m["coro-shared"]
        s += (f" On the shared stack a live coroutine keeps {sh['median'] / 1024:.3g} KiB "
              f"({sh['tasks_reached']} alive), {c['median'] / sh['median']:.3g}× less than with a stack of its own.")
    lim = [f"{r['system']} stopped at {r['tasks_reached']}: {r['limit_error']}" for r in m.values() if r["limit_error"]]
    return s + ((" " + "; ".join(lim) + ".") if lim else " No system hit a limit at the counts requested.")


def spawn_split(t):
    """Where the time of spawning every live task went, for the systems that
    measure it (getrusage over the spawning): a fresh page of stack costs a
    minor fault, taken in the kernel."""
    rows = [r for r in t["memory"][1] if r.get("sys_s") is not None and r.get("tasks_reached")]
    if not rows:
        return []
    body = [(systems.label(r["system"]), f"{r['tasks_reached']:,}", f"{r['spawn_all_s']:.3g}", f"{r['user_s']:.3g}",
             f"{r['sys_s']:.3g}", f"{r['minflt_per_task']:.3g}" if r["minflt_per_task"] is not None else None,
             f"{r['spawn_all_s'] * 1e6 / r['tasks_reached']:.3g}")
            for r in sorted(rows, key=lambda r: systems.rank(r["system"]))]
    return (["\nSpawning every live task, and where its time went (medians over repetitions; CPU time of every "
             "thread from getrusage; kernel time is mostly page faults on fresh stack pages and the mappings "
             "behind them):\n"]
            + md.table(("system", "tasks alive", "spawn all (s)", "user CPU (s)", "kernel CPU (s)",
                        "minor faults per task", "µs per task"), body, "lrrrrrr") + [""])


def spawn_data(t, env, points):
    metric = lambda p: cbdata.res(p, "ns_per_task")  # noqa: E731
    own = [(systems.label(s), plotdata.rep_values(points, "spawn", metric, lambda p, s=s: systems.of(p) == s))
           for (s,) in cbdata.group(points, "spawn", ("system",))]
    peer = [(systems.label(s), plotdata.rep_values(points, "peers", metric, lambda p, s=s: p["point"] == f"{s}-spawn"))
            for (s,) in cbdata.peer_group(points, "-spawn")]
    return {"spawn.csv": plotdata.hbars(own + peer), "spawn_micro.csv": plotdata.hbars(micro.samples(points, "spawn"))}


def memory_data(t, env, points):
    metric = lambda p: cbdata.res(p, "rss_per_task_bytes")  # noqa: E731
    reached = {r["system"]: r["tasks_reached"] for r in t["memory"][1]}

    def alive(s):
        return f"KiB ({cbdata.fnum(reached[s]).replace(' ', '')} alive)" if reached.get(s) else "KiB"
    own = [(systems.label(s), plotdata.rep_values(points, "memory", metric, lambda p, s=s: systems.of(p) == s),
            alive(s)) for (s,) in cbdata.group(points, "memory", ("system",))]
    peer = [(systems.label(s), plotdata.rep_values(points, "peers", metric, lambda p, s=s: p["point"] == f"{s}-memory"),
             alive(s)) for (s,) in cbdata.peer_group(points, "-memory")]
    return {"memory.csv": plotdata.hbars(own + peer, 1 / 1024)}


PLOTS = [Plot("spawn", "Spawn + run + join cost", """
# Spawn + run + join cost of one trivial task, per system, then the Google
# Benchmark micro cases of the same run.
mtitle = 'Spawn + run + join of one trivial task: ns per task, median of repetitions'
xlab = 'ns per task (log scale)'
height = 760
split = 0.63
top = dir.'/spawn.csv'
ttl_top = 'corobench spawn workload and peers'
bottom = dir.'/spawn_micro.csv'
ttl_bottom = 'Google Benchmark micro cases (same run)'
load sd.'/plot-bars-pair.gp'
""", spawn_data, lambda t, env: switch.extremes(t["spawn"][1], micro.rows_of(t, "spawn"),
                                                lambda r: systems.label(r["system"]))),
         Plot("memory", "Memory per live task", """
# Resident memory per live task at the most tasks kept alive.
""" + plotdata.one_bar_panel("Resident memory per live task (peak RSS / tasks alive)", "memory.csv",
                             "KiB per task (log scale)"), memory_data, memory_reading, spawn_split)]
HEADLINE = headline
TARGETS = targets
