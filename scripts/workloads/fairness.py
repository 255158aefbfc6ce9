"""fairness: how late a ticker that wants to run every period gets beside
CPU-bound tasks that yield every X us (or never), coroutines vs threads: the
article's "coroutines must not be compute-intensive" in numbers."""
import cbdata
import claims
import plotdata
import ratios
import stats
import systems
from workloads import Plot, Point, Step

ORDER = 70
PARAMS = {"quick": {"reps": 3, "yields": [0, 100, 1000], "ms": 50},
          "full": {"reps": 5, "yields": [0, 10, 100, 1000, 10000], "ms": 300}}
PERIOD_US = 1000


def points(p, ctx):
    return [Point(f"{be}-y{y}", be, "fairness", ["--period-us", PERIOD_US, "--tasks", ctx.cores, "--yield-us", y,
                                                  "--duration-ms", p["ms"]],
                  tags={"yield_us": y, "period_us": PERIOD_US})
            for y in p["yields"] for be in ("coro", "threads")]


def python_points(p, ctx, systems):
    """The ticker on the Python peers beside as many never- or rarely-yielding
    CPU-bound tasks as cores, for the section in the article's own language
    (p: that section's parameters: yields, ms)."""
    return [Point(f"{s}-ticker-y{y}", s, "fairness", ["--tasks", ctx.cores, "--period-us", PERIOD_US,
                                                     "--yield-us", y, "--duration-ms", p["ms"]],
                  tags={"yield_us": y, "period_us": PERIOD_US, "tasks": ctx.cores, "duration_ms": p["ms"]})
            for y in p["yields"] for s in systems]


PYTHON_POINTS = python_points
STEPS = [Step("fairness", "fairness: ticker lateness vs yield interval", PARAMS, points, metric="late_p99_ns")]
KEYS = ("system", "yield_us", "period_us")


def tables(points):
    rows = []
    for k, ps in cbdata.group(points, "fairness", KEYS).items():
        r = cbdata.row(KEYS, (k[0], cbdata.num(k[1]), cbdata.num(k[2])), ps, lambda p: cbdata.res(p, "late_p99_ns"),
                       1e-3)
        ok = [p for p in ps if p["status"] == "ok"]
        for f, key in (("p50_us", "late_p50_ns"), ("max_us", "late_max_ns")):
            m = cbdata.median([cbdata.res(p, key) for p in ok])
            r[f] = m / 1e3 if m is not None else None
        rows.append(r)
    return {"fairness": (KEYS + ("median", "min", "max", "p50_us", "max_us", "n_ok", "n_failed", "error"), rows)}


def reading(t, env):
    by = {(r["system"], r["yield_us"]): r["median"] for r in t["fairness"][1] if r["median"] is not None}
    if ("coro", 0) not in by or ("threads", 0) not in by:
        return "The no-yield points are missing; see failed points."
    us = cbdata.fus
    ys = sorted(y for b, y in by if b == "coro" and y)
    s = (f"With CPU-bound tasks that never yield, the ticker's p99 lateness is {us(by[('coro', 0)])} on "
         f"coroutines and {us(by[('threads', 0)])} on threads (preempted by the kernel).")
    if ys:
        s += (f" Yielding every {ys[0]} µs brings the coroutine ticker to {us(by[('coro', ys[0])])}, every "
              f"{ys[-1]} µs to {us(by[('coro', ys[-1])])}.")
    return s


RULE = ("holds if, without yields, the coroutine ticker's p99 lateness is at least one period and at least "
        "10x the threads', both by their 95% intervals; with caveats if some yield interval brings the coroutines "
        "within 2x of the threads' no-yield lateness (its interval wholly at most 2x: compute-intensive coroutines "
        "are fine if they yield that often); does not hold if either interval lies wholly below its line; "
        "inconclusive if one straddles it")


def _no_yield(rows, system):
    return next((r for r in rows if r["system"] == system and r["yield_us"] == 0), None)


def claim6(t, points, env):
    rows = t["fairness"][1]
    cn, tn = _no_yield(rows, "coro"), _no_yield(rows, "threads")
    if not cn or cn["median"] is None:
        return claims.nm("coroutine fairness run without yields missing or failed"
                         + (f": {cn['error']}" if cn and cn["error"] else ""))
    if not tn or tn["median"] is None:
        return claims.nm("threads fairness run without yields missing or failed")
    period = cn["period_us"] or PERIOD_US
    c99, t99 = cn["median"], tn["median"]
    # lateness can be 0 at a coarse clock: floor it at a nanosecond for the ratio
    floor = lambda r: {"by_rep": {k: max(v, 1e-3) for k, v in r["by_rep"].items()}, "step": r["step"]}  # noqa: E731
    iv = ratios.interval(floor(cn), floor(tn), "higher")
    ivp = stats.ratio_interval(ratios.values(cn), [period, period])
    ev = (f"ticker every {period} us beside CPU-bound tasks that never yield: p99 lateness coroutines "
          f"{cbdata.fus(c99)} vs threads {cbdata.fus(t99)}: {ratios.ci_text(iv, ratios.p_value(cn, tn), 'x')}; "
          f"coroutines against one period: {ratios.ci_text(ivp, None, 'x')}")
    vs = (stats.verdict(iv, 10), stats.verdict(ivp, 1))
    out = {"evidence": ev, "rule": RULE, "interval": iv, "line": 10}
    if stats.MISSED in vs:
        return out | {"verdict": claims.NOT_HOLD}
    if stats.INCONCLUSIVE in vs:
        return out | {"verdict": claims.INCONCLUSIVE}
    good = [(r, ratios.interval(floor(r), floor(tn), "higher")) for r in
            sorted((r for r in rows if r["system"] == "coro" and r["yield_us"] and r["median"] is not None),
                   key=lambda r: -r["yield_us"])]
    good = [(r, v) for r, v in good if stats.verdict(v, 2, "at_most") == stats.MET]
    if good:
        r, v = good[0]
        return out | {"verdict": claims.CAVEATS, "evidence": ev + f"; yielding every {r['yield_us']} us brings "
                      f"coroutines to {cbdata.fus(r['median'])}, {ratios.ci_text(v, None, 'x')} the threads'"}
    return out | {"verdict": claims.HOLDS}


CLAIMS = {6: ("Coroutines must not be compute-intensive (others starve: fairness).", claim6)}


def plot_data(t, env, points):
    rows = t["fairness"][1]
    yields = sorted({r["yield_us"] for r in rows if r["yield_us"] is not None}, key=lambda y: (y == 0, y))
    series = systems.order({r["system"] for r in rows})
    files = {"systems.txt": " ".join(series) + "\n", "fairness.titles": "".join(systems.label(b) + "\n" for b in series),
             "xtics.txt": ", ".join(f'"{"never" if y == 0 else str(y) + " µs"}" {i}' for i, y in enumerate(yields))
             + "\n"}
    metric = lambda p: cbdata.res(p, "late_p99_ns")  # noqa: E731
    for be in series:
        # lateness can be 0 at a coarse clock; a log axis needs > 0
        files[f"{be}.csv"] = plotdata.line(
            [(i, [max(v / 1e3, 0.01) for v in plotdata.rep_values(points, "fairness", metric, lambda p, y=y, be=be: (
                systems.of(p), p["tags"].get("yield_us")) == (be, str(y)))]) for i, y in enumerate(yields)])
    return files


PLOTS = [Plot("fairness", "Fairness: ticker lateness vs yield interval", """
bes = system('cat "'.dir.'/systems.txt"')
xt = system('cat "'.dir.'/xtics.txt"')
eval 'set xtics ('.xt.')'
set title "Fairness: p99 lateness of a ticker due every PERIOD µs beside CPU-bound tasks, median of repetitions\\n{/*0.8 ".ci."}"
set label 99 caption at screen 0.01,0.02 font ',8' noenhanced
set xlabel 'the CPU-bound tasks yield every'
set ylabel 'p99 lateness (log scale)'
set logscale y
set ytics ('10 µs' 10, '100 µs' 100, '1 ms' 1e3, '10 ms' 1e4, '100 ms' 1e5, '1 s' 1e6, '10 s' 1e7)
set key outside right top vertical
set offsets 0.3, 0.3, 0, 0
plot for [b=1:words(bes)] sprintf('%s/%s.csv', dir, word(bes, b)) \
    using 1:2:3:4 with yerrorlines lw 2 pt 7 title system(sprintf('sed -n %dp "%s/fairness.titles"', b, dir))
""".replace("PERIOD", str(PERIOD_US)), plot_data, reading)]
