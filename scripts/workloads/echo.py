"""echo: a TCP echo server on loopback, coroutine-per-connection (M:1, M:N on
2 workers) or thread-per-connection, against a closed-loop load generator:
requests/s, p99 latency and memory vs connections."""
import cbdata
import md
import plotdata
import systems
from ratios import paired_ratio, spread
from workloads import Plot, Point, Step

ORDER = 60
# A 10,000-connection point is the longest of the quick run, hence a single
# repetition there; the full run repeats more because the 2x requests/s
# target sits close to the run's noise.
PARAMS = {"quick": {"reps": 1, "conns": [100, 10000], "ms": 300},
          "full": {"reps": 5, "conns": [10, 100, 1000, 10000], "ms": 1500}}
SERIES = ("coro", "coro-mn2", "threads")
C = 10000  # the connection count the targets are set at


def points(p, ctx):
    # the limit is the timed phase plus a generous allowance for setting up the
    # connections; a limit hit (threads or descriptors) is data
    return [Point(f"{be}-c{c}", be, "echo", ["--connections", c, "--duration-ms", p["ms"]],
                  tags={"connections": c}, limit_s=p["ms"] // 1000 + 40)
            for c in p["conns"] for be in SERIES]


STEPS = [Step("echo", "echo: requests/s, p99 latency and memory vs connections", PARAMS, points)]


def _res(key, div=None):
    return lambda p: cbdata.res(p, key) if cbdata.res(p, key) is None or div is None else cbdata.res(p, key) / div


def _mem(p):
    """Server peak RSS plus the kernel stacks its threads added (a thread's
    kernel stack is in no VmRSS), MiB."""
    rss, ks = cbdata.res(p, "server_peak_rss_bytes"), cbdata.res(p, "kernel_stack_delta_bytes")
    return None if None in (rss, ks) else (rss + ks) / 2**20


FIELDS = (("p99_ms", _res("lat_p99_ns", 1e6)), ("rss_mib", _res("server_peak_rss_bytes", 2**20)),
          ("kstack_mib", _res("kernel_stack_delta_bytes", 2**20)), ("mem_mib", _mem),
          ("established", _res("connections_established")))


def _row(k, ps):
    rps = lambda p: cbdata.res(p, "requests_per_s")  # noqa: E731
    r = cbdata.row(("system", "connections"), (k[0], cbdata.num(k[1])), ps, rps)
    ok = [p for p in ps if p["status"] == "ok"]
    for f, fn in FIELDS:
        s = cbdata.stats([fn(p) for p in ok])
        r[f] = s["median"] if s else None
        if f in ("p99_ms", "mem_mib"):
            r[f + "_min"], r[f + "_max"] = (s["min"], s["max"]) if s else (None, None)
    r["by_rep"] = cbdata.by_rep(ok, rps)
    est = cbdata.stats([cbdata.res(p, "connections_established") for p in ok])
    r["established_min"] = est["min"] if est else None
    r["limit_error"] = cbdata.limit_error(ok)
    return r


def tables(points):
    rows = [_row(k, ps) for k, ps in cbdata.group(points, "echo", ("system", "connections")).items()]
    rows.sort(key=lambda r: (systems.rank(r["system"])[0], r["connections"] or 0))
    return {"echo": (("system", "connections", "median", "min", "max", "p99_ms", "p99_ms_min", "p99_ms_max",
                      "rss_mib", "kstack_mib", "mem_mib", "mem_mib_min", "mem_mib_max", "established",
                      "established_min", "limit_error", "n_ok", "n_failed", "error"), rows)}


def reading(t, env):
    rows = {(r["system"], r["connections"]): r for r in t["echo"][1] if r["median"] is not None}
    cs = sorted({c for _, c in rows})
    if not cs:
        return "No echo data in this run."
    hi = cs[-1]
    parts = [f"{systems.label(be)} {cbdata.fnum(rows[(be, hi)]['median'])} requests/s "
             f"(p99 {rows[(be, hi)]['p99_ms']:.3g} ms)" for be in systems.SERIES if (be, hi) in rows]
    s = f"At {hi} connections the servers answer: " + ", ".join(parts) + "."
    best = {}
    for (be, c), r in rows.items():
        if best.get(c) is None or r["median"] > rows[(best[c], c)]["median"]:
            best[c] = be
    return s + (" The fastest server per connection count: "
                + ", ".join(f"{c}: {systems.label(best[c])}" for c in cs) + ".")


def _mib(x):
    return "—" if x is None else format(x, ".3g") + " MiB"


def table(t):
    g = cbdata.fnum
    rows = [(systems.label(r["system"]), r["connections"], g(r["established_min"]),
             "—" if r["median"] is None else f"{g(r['median'])} ({g(r['min'])}..{g(r['max'])})",
             "—" if r["p99_ms"] is None else format(r["p99_ms"], ".3g") + " ms", _mib(r["rss_mib"]),
             _mib(r["kstack_mib"]), _mib(r["mem_mib"]), r["limit_error"] or r["error"] or "no")
            for r in t["echo"][1]]
    if not rows:
        return []
    return (md.table(("server", "connections", "established (min)", "requests/s (min..max)", "p99 latency",
                      "peak RSS", "kernel stacks added", "memory (RSS + kernel stacks)", "limit hit"), rows)
            + ["\nKernel stacks: the system-wide `KernelStack` change during the run (other processes add noise, "
               "so it can be slightly negative for a server with few threads).\n"])


WHAT = ("requests/s ≥ 2× thread-per-connection", "lower p99 latency than threads",
        "memory < 1/4 of threads' (RSS + kernel stacks)")


def _held(cr, thr, lab):
    """The three targets when threads held all the connections."""
    name = f"echo at {C} connections, {lab}: "
    r = paired_ratio(cr, thr)
    out = [(name + WHAT[0], f"{cbdata.fnum(cr['median'])} vs {cbdata.fnum(thr['median'])} requests/s (medians); "
            f"{r:.3g}× as the median over repetitions of runs made back to back" + spread(cr, thr, 2), r >= 2),
           (name + WHAT[1], f"{cr['p99_ms']:.3g} ms vs {thr['p99_ms']:.3g} ms", cr["p99_ms"] < thr["p99_ms"])]
    if cr["mem_mib"] is not None and thr["mem_mib"]:
        r = cr["mem_mib"] / thr["mem_mib"]
        out.append((name + WHAT[2], f"{cr['mem_mib']:.3g} MiB vs {thr['mem_mib']:.3g} MiB = {r:.3g}×", r < 0.25))
    else:
        out.append((name + "memory < 1/4 of threads'", "not measured", None))
    return out


def targets(t, env):
    ec = {(r["system"], r["connections"]): r for r in t["echo"][1]}
    thr = ec.get(("threads", C))
    out = []
    for be in ("coro", "coro-mn2"):
        cr = ec.get((be, C))
        lab = systems.label(be)
        name = f"echo at {C} connections, {lab}: "
        if not cr or cr["median"] is None or not thr:
            out += [(name + what, "not measured", None) for what in WHAT]
        elif thr["median"] is not None and (thr["established_min"] or 0) >= C and not thr["limit_error"]:
            out += _held(cr, thr, lab)
        else:
            why = (f"threads could not hold them: {thr['limit_error'] or thr['error'] or 'fewer established'}"
                   f" (established {cbdata.fnum(thr['established_min'])})")
            out += [(name + WHAT[0] + " (or threads cannot hold them)", why, True),
                    (name + WHAT[1], why, True), (name + "memory < 1/4 of threads'", why, True)]
    return [("M:N and echo targets",) + row for row in out]


def plot_data(t, env):
    ec = t["echo"][1]
    series = systems.order({r["system"] for r in ec})
    files = {"echo_systems.txt": " ".join(series) + "\n",
             "echo_titles.txt": "".join(systems.label(b) + "\n" for b in series)}
    f = plotdata.fmt
    for be in series:
        rows = sorted((r for r in ec if r["system"] == be and r["median"] is not None and r["p99_ms"] is not None),
                      key=lambda r: r["connections"])
        files[f"echo_{be}.csv"] = plotdata.series(
            ("connections", "rps_k", "rps_k_min", "rps_k_max", "p99_ms", "p99_ms_min", "p99_ms_max"),
            [(r["connections"], f(r["median"] / 1e3), f(r["min"] / 1e3), f(r["max"] / 1e3),
              f(r["p99_ms"]), f(r["p99_ms_min"]), f(r["p99_ms_max"])) for r in rows])
    return files


PLOTS = [Plot("echo", "TCP echo: requests/s and p99 latency vs connections", """
# requests/s and p99 latency against the number of connections,
# coroutine-per-connection (M:1, M:N) against thread-per-connection.  Two
# panels, log x; error bars = min..max.
bes = system('cat "'.dir.'/echo_systems.txt"')
set multiplot layout 1, 2 title 'TCP echo on loopback: requests/s and p99 latency vs connections (median, bars = min..max)'
set label 99 caption at screen 0.01,0.02 font ',8' noenhanced
set logscale x 10
set format x '%g'
set offsets graph 0.05, graph 0.05, 0, 0
set xlabel 'connections (log scale)'
set key top right font ',8'
set title 'throughput'
set ylabel 'requests / s (thousands)'
set yrange [0:*]
plot for [b=1:words(bes)] sprintf('%s/echo_%s.csv', dir, word(bes, b)) using 1:2:3:4 with yerrorlines lw 2 \\
    title system(sprintf('sed -n %dp "%s/echo_titles.txt"', b, dir))
unset label 99
set title 'p99 latency'
set ylabel 'p99 request latency (ms, log scale)'
set logscale y
set yrange [*:*]
set key top left font ',8'
plot for [b=1:words(bes)] sprintf('%s/echo_%s.csv', dir, word(bes, b)) using 1:5:6:7 with yerrorlines lw 2 \\
    title system(sprintf('sed -n %dp "%s/echo_titles.txt"', b, dir))
unset multiplot
""", plot_data, reading, table)]
TARGETS = targets
