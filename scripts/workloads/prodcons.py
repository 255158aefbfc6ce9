"""prodcons: producers and consumers over a bounded queue, P x C x capacity x
CPU work per item, on coroutines M:1 and M:N and threads; peers at 1 x 1."""
import math

import cbdata
import peers
import plotdata
import ratios
import stats
import systems
from workloads import Plot, Point, Step

ORDER = 50
# budget_s: the sweep's share of the full run; the hand-off targets have a
# step of their own (below), so the sweep's repetitions serve its plot, its
# reading and the headline
PARAMS = {"quick": {"reps": 3, "shapes": [(1, 1), (4, 4)], "caps": [1, 1024], "works": [0, 1000], "items": 5000},
          "full": {"reps": 5, "max_reps": 8, "budget_s": 220, "shapes": [(1, 1), (1, 2), (2, 2), (4, 4), (16, 16)],
                   "caps": [1, 64, 1024],
                   "works": [0, 100, 1000, 10000], "items": 40000}}
KEYS = ("system", "p", "c", "capacity", "work_ns")


def items(p, be, w):
    """Items per point: fewer when each costs more, so every point takes about
    as long; coroutines hand off far faster (more items, so a run is not a
    millisecond).  M:N runs as many items as M:1: the report sets the two
    against each other, and a run a fifth as long would weigh the fixed
    cost of starting (spawning, the second worker's first steal) five times
    as much."""
    n = p["items"] // (5 if w >= 10000 else 2 if w >= 1000 else 1)
    if w < 1000:
        n *= {"coro": 10, "coro-mn2": 10}.get(be, 1)
    return n


def points(p, ctx):
    return [Point(f"{be}-{pp}x{c}-c{cap}-w{w}", be, "prodcons",
                  ["--producers", pp, "--consumers", c, "--capacity", cap, "--items", items(p, be, w), "--work-ns", w],
                  tags={"p": pp, "c": c, "capacity": cap, "work_ns": w})
            for pp, c in p["shapes"] for cap in p["caps"] for w in p["works"] for be in ("coro", "coro-mn2", "threads")]


def peer_points(p):
    return [Point(f"prodcons-c{cap}", tags={"p": 1, "c": 1, "capacity": cap, "work_ns": 0},
                  args=["--producers", 1, "--consumers", 1, "--capacity", cap, "--items", p["items"] * 5,
                        "--work-ns", 0]) for cap in (1, 1024)]


# The hand-off targets' own step: one producer, one consumer, no work, at
# capacities 1 and 1024, on corobench M:1 and M:N and on Go (GOMAXPROCS 1 and
# 2), back to back in every repetition and repeated far more than the sweep's
# many points can be.  Why: a pair spread over two workers lands on one worker
# or on both from run to run, so a median of a few runs moves; the sweep's
# repetitions and the peers step's are minutes apart, so their ratio cannot
# be paired either.  Every system moves the same items, enough that a run
# lasts tens of milliseconds, not a few (a scheduler tick).
HANDOFF = {"quick": {"reps": 3, "items": 50000}, "full": {"reps": 20, "items": 2000000}}
HANDOFF_SYSTEMS = ("coro", "coro-mn2", "go", "go-mp2")


def handoff_points(p, ctx):
    here = [s for s in HANDOFF_SYSTEMS if s.startswith("coro") or peers.present(s, ctx.build)]
    out = [Point(f"{s}-1x1-c{cap}", s, "prodcons", ["--producers", 1, "--consumers", 1, "--capacity", cap,
                                                     "--items", p["items"], "--work-ns", 0],
                 tags={"p": 1, "c": 1, "capacity": cap, "work_ns": 0}) for cap in (1, 1024) for s in here]
    if "go" in here:  # the rendezvous target's other side: Go's unbuffered ping-pong
        out.append(Point("go-switch", "go", "switch", ["--n", p["items"] // 2], tags={"rendezvous": "yes"}))
    return out


STEPS = [Step("prodcons", "producer-consumer sweep: P x C x capacity x per-item work", PARAMS, points),
         Step("handoff", "queue hand-off, 1 producer x 1 consumer: corobench M:1 and M:N against Go, paired",
              HANDOFF, handoff_points, fixed_reps=True, metric="items_per_s")]
PEER_POINTS = ("prodcons", peer_points)


def tables(points):
    pcs = list(cbdata.group(points, "prodcons", KEYS).items())
    pcs += list(cbdata.group(points, "peers", KEYS, lambda p: "-prodcons-" in p["point"]).items())
    rows = [cbdata.row(KEYS, (k[0],) + tuple(cbdata.num(x) for x in k[1:]), ps, lambda p: cbdata.res(p, "items_per_s"))
            for k, ps in pcs]
    hand = [cbdata.row(("system", "capacity"), (k[0], cbdata.num(k[1])), ps, lambda p: cbdata.res(p, "items_per_s"))
            for k, ps in cbdata.group(points, "handoff", ("system", "capacity"),
                                      lambda p: "rendezvous" not in p["tags"]).items()]
    rdv = [cbdata.row(("system",), k, ps, lambda p: cbdata.res(p, "ns_per_switch"))
           for k, ps in cbdata.group(points, "handoff", ("system",), lambda p: "rendezvous" in p["tags"]).items()]
    return {"prodcons": (KEYS + ("median", "min", "max", "n_ok", "n_failed", "error"), rows),
            "handoff": (("system", "capacity", "median", "min", "max", "n_ok", "n_failed", "error"), hand),
            "handoff_switch": (("system", "median", "min", "max", "n_ok", "n_failed", "error"), rdv)}


def handoff(t, cap):
    """{system: row} that the hand-off targets read at that capacity: the
    hand-off step's, or, in a run made before it existed, the sweep's and the
    peers step's 1 x 1 points without work."""
    rows = {r["system"]: r for r in t.get("handoff", ((), []))[1] if r["capacity"] == cap and r["median"] is not None}
    return rows or one_to_one(t, cap)


def _source(a, b):
    """Where a ratio's two rows come from, for its target's line."""
    if a.get("step") == b.get("step") == "handoff":
        return f"; hand-off step, {len(set(a['by_rep']) & set(b['by_rep']))} repetitions paired"
    return ""


def one_to_one(t, cap, w=0):
    """{system: row} at 1 producer, 1 consumer, that capacity and work, with a value."""
    return {r["system"]: r for r in t["prodcons"][1]
            if (r["p"], r["c"], r["capacity"], r["work_ns"]) == (1, 1, cap, w) and r["median"] is not None}


def headline(t):
    return [(f"queue hand-off, capacity {cap} (1 producer, 1 consumer)", "items/s", "higher",
             {s: (r["median"], "", r) for s, r in one_to_one(t, cap).items()}) for cap in (1, 1024)]


def targets(t, env):
    g = cbdata.fnum
    c1 = handoff(t, 1)
    out = [_pair_target("peer targets", "queue hand-off at capacity 1024 at least 3× Go's buffered channel",
                        handoff(t, 1024), "coro", "go", 3)]
    go_sw = _go_pingpong(t)
    name = "rendezvous hand-off (capacity 1) at least 5× faster than Go's unbuffered ping-pong"
    if "coro" in c1 and go_sw:
        co = c1["coro"]
        per_item = {"step": co.get("step"), "by_rep": {k: 1e9 / v for k, v in co["by_rep"].items() if v}}
        ns = 1e9 / co["median"]
        out.append(stats.target("peer targets", name, ratios.interval(per_item, go_sw, "lower"), 5,
                                why=f"{g(ns, 'ns')} per item vs Go {g(go_sw['median'], 'ns')} per switch"
                                + ratios.p_text(per_item, go_sw) + _source(per_item, go_sw)))
    else:
        out.append(stats.target("peer targets", name, None, 5))
    return out + mn_targets(t)


def _go_pingpong(t):
    """Go's unbuffered ping-pong (its switch workload's channel mechanism):
    the hand-off step's, else the peers step's."""
    rows = [r for r in t.get("handoff_switch", ((), []))[1] if r["system"] == "go" and r["median"] is not None]
    return rows[0] if rows else next((x for x in t["switch"][1] if x["system"] == "go" and x["median"] is not None
                                      and x.get("peer_mech") in (None, "chan")), None)


def _pair_target(section, name, rows, mine, theirs, line):
    """mine's items/s against theirs' at one point (paired when both rows come from one step)."""
    if mine not in rows or theirs not in rows:
        return stats.target(section, name, None, line)
    a, b = rows[mine], rows[theirs]
    g = cbdata.fnum
    return stats.target(section, name, ratios.interval(a, b, "higher"), line,
                        why=f"{g(a['median'], 'items/s')} vs {g(b['median'], 'items/s')}" + ratios.p_text(a, b)
                        + _source(a, b))


def mn_targets(t):
    """Hand-off across workers: corobench's M:N on 2 workers against Go on
    GOMAXPROCS=2 at both capacities, and against its own one-thread scheduler
    at capacity 1024 (what spreading a producer-consumer pair costs)."""
    section = "M:N and echo targets"
    out = [_pair_target(section, f"queue hand-off at capacity {cap} (1×1): coro M:N (2 workers) at least 3× Go "
                        "with GOMAXPROCS=2", handoff(t, cap), "coro-mn2", "go-mp2", 3) for cap in (1, 1024)]
    out.append(_pair_target(section, "queue hand-off at capacity 1024 (1×1): coro M:N (2 workers) at least 0.5× "
                            "coro M:1", handoff(t, 1024), "coro-mn2", "coro", 0.5))
    return out


def reading(t, env):
    works = sorted({r["work_ns"] for r in t["prodcons"][1] if r["work_ns"] is not None})
    if not works:
        return "No data."
    g = cbdata.fnum
    lo, hi = works[0], works[-1]

    def at(be, w):
        r = one_to_one(t, 1024, w).get(be)
        return r["median"] if r and r["median"] else None
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


OWN = ("coro", "coro-mn2", "threads")


def plot_data(t, env, points):
    """Small multiples: a panel per capacity (rows) and P x C shape (columns),
    a line per corobench system over the work per item."""
    pc = [r for r in t["prodcons"][1] if r["system"] in OWN]
    caps = sorted({r["capacity"] for r in pc if r["capacity"] is not None})
    shapes = sorted({(r["p"], r["c"]) for r in pc if r["p"] is not None})
    own = systems.order({r["system"] for r in pc})
    metric = lambda p: cbdata.res(p, "items_per_s")  # noqa: E731
    files = {"caps.txt": " ".join(map(str, caps)) + "\n", "shapes.txt": " ".join(f"{p}x{c}" for p, c in shapes) + "\n",
             "systems.txt": " ".join(own) + "\n", "prodcons.titles": "".join(systems.label(s) + "\n" for s in own)}
    for cap in caps:
        for p, c in shapes:
            for be in own:
                works = sorted({r["work_ns"] for r in pc if (r["system"], r["p"], r["c"], r["capacity"]) == (be, p, c, cap)})
                key = {"system": be, "p": str(p), "c": str(c), "capacity": str(cap)}
                files[f"c{cap}_{p}x{c}_{be}.csv"] = plotdata.line(
                    [(max(w, 10), [v / 1e6 for v in plotdata.rep_values(points, "prodcons", metric, lambda q, w=w: (
                        {k: (systems.of(q) if k == "system" else q["tags"].get(k)) for k in key} == key
                        and q["tags"].get("work_ns") == str(w)))]) for w in works])
    lo = [float(x.split(",")[2]) for n, v in files.items() if n.endswith(".csv") for x in v.splitlines()[1:]]
    hi = [float(x.split(",")[3]) for n, v in files.items() if n.endswith(".csv") for x in v.splitlines()[1:]]
    if lo:  # one y range for every panel, whole decades: panels compare at a glance
        files["yrange.txt"] = f"{10 ** math.floor(math.log10(min(lo))):g}:{10 ** math.ceil(math.log10(max(hi))):g}\n"
    return files


PLOTS = [Plot("prodcons", "Producer–consumer throughput vs per-item work", """
# Producer-consumer throughput vs CPU work per item: small multiples, a row
# per queue capacity and a column per producers x consumers shape, a line per
# corobench system; where the per-item work dwarfs the hand-off cost, threads
# catch up.  The peers run 1 x 1 without work only: the headline table.
caps = system('cat "'.dir.'/caps.txt"')
shapes = system('cat "'.dir.'/shapes.txt"')
bes = system('cat "'.dir.'/systems.txt"')
# pixels: title and key above (140), axis labels and caption below (75),
# tick labels between rows (55); margins in fractions of the canvas
h = 215 + 230 * words(caps)
eval term(h)
set multiplot layout words(caps), words(shapes) margins 0.08, 0.98, 75.0 / h, 1 - 140.0 / h spacing 0.012, 55.0 / h \
    title "Producer-consumer: M items/s vs CPU work per item (ns), median of repetitions; peers: the headline table\\n{/*0.8 ".ci."}"
set label 99 caption at screen 0.01, 12.0 / h font ',8' noenhanced
set logscale x
set logscale y
set xrange [7:14000]
set xtics ('0' 10, '100' 100, '1k' 1000, '10k' 10000) font ',8'
set ytics font ',8' nomirror
set xtics nomirror
eval 'set yrange ['.system('cat "'.dir.'/yrange.txt"').']'
set key at screen 0.5, 1 - 90.0 / h center center horizontal maxcols 6 samplen 3 width 3 font ',9'
do for [i=1:words(caps)] {
    do for [j=1:words(shapes)] {
        c = word(caps, i)
        s = word(shapes, j)
        set title sprintf('capacity %s, %s', c, s) font ',9' offset 0,-0.6
        if (j == 1) { set ylabel 'M items/s'; set format y '%g' } else { unset ylabel; set format y '' }
        if (i == words(caps)) { set xlabel 'work per item (ns)' font ',8' } else { unset xlabel }
        plot for [k=1:words(bes)] sprintf('%s/c%s_%s_%s.csv', dir, c, s, word(bes, k)) using 1:2:3:4 \
            with yerrorlines lw 1.5 pt 7 ps 0.5 lc k \
            title (i == 1 && j == 1 ? system(sprintf('sed -n %dp "%s/prodcons.titles"', k, dir)) : '')
        unset label 99
        unset key
    }
}
unset multiplot
""", plot_data, reading)]
HEADLINE = headline
TARGETS = targets
