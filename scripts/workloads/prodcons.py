"""prodcons: producers and consumers over a bounded queue, P x C x capacity x
CPU work per item, on coroutines M:1 and M:N and threads; peers at 1 x 1."""
import cbdata
import plotdata
import ratios
import stats
import systems
from workloads import Plot, Point, Step

ORDER = 50
PARAMS = {"quick": {"reps": 3, "shapes": [(1, 1), (4, 4)], "caps": [1, 1024], "works": [0, 1000], "items": 5000},
          "full": {"reps": 5, "shapes": [(1, 1), (1, 2), (2, 2), (4, 4), (16, 16)], "caps": [1, 64, 1024],
                   "works": [0, 100, 1000, 10000], "items": 40000}}
KEYS = ("system", "p", "c", "capacity", "work_ns")


def items(p, be, w):
    """Items per point: fewer when each costs more, so every point takes about
    as long; coroutines hand off far faster (more items, so a run is not a
    millisecond); M:N hands off across cores (about threads' cost at capacity 1)."""
    n = p["items"] // (5 if w >= 10000 else 2 if w >= 1000 else 1)
    if w < 1000:
        n *= {"coro": 10, "coro-mn2": 2}.get(be, 1)
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


STEPS = [Step("prodcons", "producer-consumer sweep: P x C x capacity x per-item work", PARAMS, points)]
PEER_POINTS = ("prodcons", peer_points)


def tables(points):
    pcs = list(cbdata.group(points, "prodcons", KEYS).items())
    pcs += list(cbdata.group(points, "peers", KEYS, lambda p: "-prodcons-" in p["point"]).items())
    rows = [cbdata.row(KEYS, (k[0],) + tuple(cbdata.num(x) for x in k[1:]), ps, lambda p: cbdata.res(p, "items_per_s"))
            for k, ps in pcs]
    return {"prodcons": (KEYS + ("median", "min", "max", "n_ok", "n_failed", "error"), rows)}


def one_to_one(t, cap, w=0):
    """{system: row} at 1 producer, 1 consumer, that capacity and work, with a value."""
    return {r["system"]: r for r in t["prodcons"][1]
            if (r["p"], r["c"], r["capacity"], r["work_ns"]) == (1, 1, cap, w) and r["median"] is not None}


def headline(t):
    return [(f"queue hand-off, capacity {cap} (1 producer, 1 consumer)", "items/s", "higher",
             {s: (r["median"], "", r) for s, r in one_to_one(t, cap).items()}) for cap in (1, 1024)]


def targets(t, env):
    g = cbdata.fnum
    c1024, c1 = one_to_one(t, 1024), one_to_one(t, 1)
    name = "queue hand-off at capacity 1024 at least 3× Go's buffered channel"
    if "coro" in c1024 and "go" in c1024:
        a, b = c1024["coro"], c1024["go"]
        out = [stats.target("peer targets", name, ratios.interval(a, b, "higher"), 3,
                            why=f"{g(a['median'], 'items/s')} vs {g(b['median'], 'items/s')}" + ratios.p_text(a, b))]
    else:
        out = [stats.target("peer targets", name, None, 3)]
    # Go's unbuffered ping-pong is its switch workload's channel mechanism
    go_sw = next((x for x in t["switch"][1] if x["system"] == "go" and x["median"] is not None
                  and x.get("peer_mech") in (None, "chan")), None)
    name = "rendezvous hand-off (capacity 1) at least 5× faster than Go's unbuffered ping-pong"
    if "coro" in c1 and go_sw:
        per_item = {"samples": [1e9 / v for v in ratios.values(c1["coro"]) if v]}
        ns = 1e9 / c1["coro"]["median"]
        out.append(stats.target("peer targets", name, ratios.interval(per_item, go_sw, "lower"), 5,
                                why=f"{g(ns, 'ns')} per item vs Go {g(go_sw['median'], 'ns')} per switch"
                                + ratios.p_text(per_item, go_sw)))
    else:
        out.append(stats.target("peer targets", name, None, 5))
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


def plot_data(t, env):
    pc = t["prodcons"][1]
    caps = sorted({r["capacity"] for r in pc if r["capacity"] is not None})
    files = {"prodcons_caps.txt": " ".join(str(c) for c in caps) + "\n"}
    f = plotdata.fmt
    for cap in caps:
        names, titles = [], []
        for be in systems.order({r["system"] for r in pc}):
            for p, c in sorted({(r["p"], r["c"]) for r in pc if r["system"] == be}):
                rows = sorted((r for r in pc if (r["system"], r["p"], r["c"], r["capacity"]) == (be, p, c, cap)
                               and r["median"] is not None), key=lambda r: r["work_ns"])
                if not rows:
                    continue
                name = f"prodcons_c{cap}_{be}_{p}x{c}.csv"
                files[name] = plotdata.series(("work_x", "median", "min", "max"),
                                              [(max(r["work_ns"], 10), f(r["median"] / 1e6), f(r["min"] / 1e6),
                                                f(r["max"] / 1e6)) for r in rows])
                names.append(name)
                titles.append(f"{systems.label(be)} {p}x{c}")
        files[f"prodcons_c{cap}.list"] = " ".join(names) + "\n"
        files[f"prodcons_c{cap}.titles"] = "".join(x + "\n" for x in titles)  # one per line
    return files


PLOTS = [Plot("prodcons", "Producer–consumer throughput vs per-item work", """
# Producer-consumer throughput vs CPU work per item, one panel per queue
# capacity, a line per system and P x C shape: where the per-item work dwarfs
# the hand-off cost, threads catch up.
caps = system('cat "'.dir.'/prodcons_caps.txt"')
set multiplot layout 1, words(caps) title 'Producer-consumer: items/s vs work per item (median, bars = min..max)'
set label 99 caption at screen 0.01,0.02 font ',8' noenhanced
set logscale x
set logscale y
set xrange [7:14000]
set xtics ('0' 10, '100' 100, '1k' 1000, '10k' 10000) font ',8'
set xlabel 'CPU work per item (ns, log scale)'
set ylabel 'throughput (M items / s, log scale)'
set key bottom left font ',7'
do for [i=1:words(caps)] {
    c = word(caps, i)
    files = system('cat "'.dir.'/prodcons_c'.c.'.list"')
    set title 'queue capacity '.c
    plot for [k=1:words(files)] dir.'/'.word(files, k) using 1:2:3:4 with yerrorlines \\
        lw 1.5 title system(sprintf('sed -n %dp "%s/prodcons_c%s.titles"', k, dir, c))
    unset label 99
    unset ylabel
}
unset multiplot
""", plot_data, reading)]
HEADLINE = headline
TARGETS = targets
