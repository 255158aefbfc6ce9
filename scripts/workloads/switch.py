"""switch: context switch cost per mechanism (coroutines, ucontext, threads
over futex or condvar, pinned on one core or split), peers, and the raw
primitive against Boost.Context."""
import cbdata
import md
import plotdata
import ratios
import stats
import systems
from workloads import Plot, Point, Step, micro

ORDER = 20
# Threads split over two cores hand over by an inter-processor wake-up, the
# dearest switch of the step (the report's switch table): their spread is
# between repetitions, not within a run, so they run fewer round trips than
# the threads on one core (n_split).
PARAMS = {"quick": {"reps": 3, "n": 200000, "n_thr": 5000, "n_split": 5000},
          "full": {"reps": 5, "max_reps": 10, "budget_s": 150, "n": 1000000, "n_thr": 50000, "n_split": 10000}}


def points(p, ctx):
    out = []
    for pin in ("same", "split"):
        for be in ("coro", "ucontext"):
            out.append(Point(f"{be}-{pin}", be, "switch", ["--n", p["n"], "--pin", pin],
                             tags={"mech": be, "pin": pin}))
        for mech in ("futex", "condvar"):
            out.append(Point(f"threads-{mech}-{pin}", "threads", "switch",
                             ["--n", p["n_thr"] if pin == "same" else p["n_split"], "--pin", pin, "--mech", mech],
                             tags={"mech": mech, "pin": pin}))
    return out


STEPS = [Step("switch", "context switch cost per mechanism (corobench switch)", PARAMS, points)]
PEER_POINTS = ("switch", lambda p: [Point("switch", args=["--n", p["n_thr"]])])


def tables(points):
    rows = []
    metric = lambda p: cbdata.res(p, "ns_per_switch")  # noqa: E731
    for k, ps in cbdata.group(points, "switch", ("system", "mech", "pin")).items():
        rows.append(cbdata.row(("system", "mech", "pin"), k, ps, metric) | {"source": "corobench switch"})
    for k, ps in cbdata.peer_group(points, "-switch").items():
        rows.append(cbdata.row(("system",), k, ps, metric) | {"mech": k[0], "pin": "none", "source": "peer switch",
                                                              "peer_mech": _peer_mech(ps)})
    return {"switch": (("system", "mech", "pin", "source", "median", "min", "max", "n_ok", "n_failed", "error"),
                       rows)}


def _peer_mech(ps):
    """The mechanism a peer's switch result names in its params (Go: chan or gosched), or None."""
    return next(((p.get("result") or {}).get("params", {}).get("mech") for p in ps
                 if p["status"] == "ok" and (p.get("result") or {}).get("params", {}).get("mech")), None)


# A channel ping-pong is a queue hand-off of capacity 0, not a switch by a
# turn word and a yield as every other system's: it belongs in the queue rows.
CHANNEL = ("chan",)


def extremes(rows, gb, label, unit="ns"):
    """Cheapest and dearest of a bar plot's rows (its own and the Google
    Benchmark cases, in words), and corobench's coroutines against threads."""
    own = [(r, r["median"]) for r in rows if r["median"] is not None]
    allv = [(label(r), v) for r, v in own] + [(micro.words(r["name"]), r["median"]) for r in gb]
    if not allv:
        return "No data."
    g = cbdata.fnum
    lo, hi = min(allv, key=lambda x: x[1]), max(allv, key=lambda x: x[1])
    s = (f"The cheapest is {lo[0]} at {g(lo[1], unit)} and the dearest {hi[0]} at {g(hi[1], unit)}, "
         f"{hi[1] / lo[1]:.3g}× apart.")
    c = [v for r, v in own if r["system"].startswith("coro")]
    th = [v for r, v in own if r["system"] == "threads"]
    if c and th:
        s += (f" corobench's coroutines ({g(min(c), unit)}) against the cheapest thread case ({g(min(th), unit)}): "
              f"threads cost {min(th) / min(c):.3g}× more.")
    return s


def headline(t):
    """The context-switch row: one mechanism for every system (a turn word and
    a yield; threads: futex wake on one core).  A peer measured by a channel
    ping-pong shows its yield variant (a manifest variant of it, e.g. Go's
    runtime.Gosched on GOMAXPROCS=1) in its column, or nothing."""
    sw = [x for x in t["switch"][1] if x["median"] is not None]

    def pick(s):
        for m in ({"mech": "futex", "pin": "same"}, {"pin": "same"}, {}):
            r = cbdata.best([x for x in sw if x["system"] == s], **m)
            if r:
                return r["median"], ("" if s != "threads" else f"{r['mech']}, {r['pin']} core"), r
        return None
    vals = {}
    for r in t["switch"][1]:
        s = r["system"]
        if systems.variant_of(s):
            continue
        v = pick(s)
        if v and v[2].get("peer_mech") in CHANNEL:
            alt = [x for x in sw if systems.variant_of(x["system"]) == s and x.get("peer_mech") not in CHANNEL
                   and systems.peer_workers(x["system"]) == 1]
            v = ((alt[0]["median"], f"{alt[0].get('peer_mech') or alt[0]['system']}", alt[0]) if alt else
                 (None, "measured only as a channel ping-pong: a queue hand-off, see the queue rows", None))
        vals[s] = v
    return [("context switch", "ns", "lower", vals)]


def targets(t, env):
    gb = {r["name"]: r for r in t["gbench"][1]}
    a, b = gb.get("switch/coro/rawctx"), gb.get("switch/fcontext")
    name = "switch no slower than Boost.Context jump_fcontext (Google Benchmark, same run)"
    if not (a and b):
        return [stats.target("peer targets", name, None, 1.0, "at_most")]
    iv = stats.ratio_interval(a["samples"], b["samples"])
    g = cbdata.fnum
    return [stats.target("peer targets", name, iv, 1.0, "at_most",
                         why=f"coro rawctx {g(a['median_ns'], 'ns')} / fcontext {g(b['median_ns'], 'ns')}"
                         + ratios.p_text(a, b))]


def raw_section(t, points, env):
    """The raw primitive (a peer without a scheduler) against corobench's own."""
    g = cbdata.fnum
    gb = {r["name"]: r for r in t["gbench"][1]}
    sw = [r for r in t["switch"][1] if systems.raw_primitive(r["system"]) and r["median"] is not None]
    sp = [r for r in t["spawn"][1] if systems.raw_primitive(r["system"]) and r["median"] is not None]
    a, b = gb.get("switch/coro/rawctx"), gb.get("switch/fcontext")
    ratio = (f"{b['median_ns'] / a['median_ns']:.3g}× ({'better' if a['median_ns'] < b['median_ns'] else 'worse'})"
             if a and b else "—")
    rows = [("context switch, raw (ns, lower is better)",
             g(a["median_ns"], "ns") + " (gbench switch/coro/rawctx)" if a else "—",
             g(sw[0]["median"], "ns") if sw else "—",
             g(b["median_ns"], "ns") + " (gbench switch/fcontext)" if b else "—", ratio),
            ("spawn, raw (ns/task, lower is better)", "not measured (corobench has no scheduler-free spawn benchmark)",
             g(sp[0]["median"], "ns/task") + " (make_fcontext + 2 jumps, reused stack)" if sp else "—",
             "—", "not comparable with spawn + run + join above")]
    return (["### Raw primitive, no scheduler\n",
             "Boost.Context is a bare `jump_fcontext` (its spawn: `make_fcontext` and two jumps on a reused stack). "
             "It is compared with corobench's own raw primitive (`coro_rawctx_switch`, Google Benchmark, same run), "
             "not with the scheduler-included figures of the headline.\n"]
            + md.table(("metric", "corobench raw primitive", "boost-context peer", "Boost.Context in Google Benchmark",
                        "corobench vs Boost.Context (gbench)"), rows) + [""])


PIN = {"same": "1 core", "split": "2 cores"}
MECH = {"futex": "futex ping-pong", "condvar": "condvar ping-pong"}
# the shared-stack yield is measured at seven stack sizes; the plot keeps the
# two ends (the report's micro table has them all)
SHARED_KEPT = ("shared_yield:8", "shared_yield:8192")


def words(r):
    """A switch row in words: 'threads: futex ping-pong (2 cores)', or the peer's name."""
    if r["source"] == "peer switch":
        return systems.label(r["system"])
    return f"{systems.label(r['system'])}: {MECH.get(r['mech'], 'yield')} ({PIN.get(r['pin'], r['pin'])})"


def own_and_peers(points):
    """[(label, [ns per switch per repetition])]: the switch workload and the peers."""
    metric = lambda p: cbdata.res(p, "ns_per_switch")  # noqa: E731
    out = []
    for k in cbdata.group(points, "switch", ("system", "mech", "pin")):
        row = {"system": k[0], "mech": k[1], "pin": k[2], "source": "corobench switch"}
        out.append((words(row), plotdata.rep_values(points, "switch", metric, lambda p, k=k: (
            systems.of(p), p["tags"].get("mech"), p["tags"].get("pin")) == k)))
    for (peer,) in cbdata.peer_group(points, "-switch"):
        out.append((systems.label(peer), plotdata.rep_values(
            points, "peers", metric, lambda p, peer=peer: p["point"] == f"{peer}-switch")))
    return out


def plot_data(t, env, points):
    keep = lambda n: "shared_yield" not in n or n.endswith(SHARED_KEPT)  # noqa: E731
    return {"switch.csv": plotdata.hbars(own_and_peers(points)),
            "switch_micro.csv": plotdata.hbars(micro.samples(points, "switch", keep))}


PLOTS = [Plot("switch", "Context switch cost per mechanism", """
# Context switch cost per mechanism, two panels: corobench's switch workload
# (coroutines, ucontext, threads over futex/condvar on one core or two) with
# the peers, then the Google Benchmark micro cases.  Log scale: they span 1000x.
mtitle = 'Context switch cost per mechanism: ns per switch, median of repetitions'
xlab = 'ns per switch (log scale)'
height = 1000
split = 0.5
top = dir.'/switch.csv'
ttl_top = 'corobench switch workload and peers'
bottom = dir.'/switch_micro.csv'
ttl_bottom = 'Google Benchmark micro cases (same run)'
load sd.'/plot-bars-pair.gp'
""", plot_data, lambda t, env: extremes(t["switch"][1], micro.rows_of(t, "switch"), words))]
HEADLINE = headline
TARGETS = targets
SECTIONS = [raw_section]
