"""echo: a TCP echo server on loopback, coroutine-per-connection (M:1, M:N on
2 workers), thread-per-connection, the event-loop floor (one thread, epoll, no
coroutines) and Tokio's echo server on its current_thread runtime (beside M:1)
and its multi_thread runtime with 2 workers (beside M:N), against a closed-loop load generator:
requests/s, p99 latency, memory and syscalls per request vs connections."""
import sys

import cbdata
import md
import peers
import plotdata
import stats
import systems
from workloads import Plot, Point, Step

ORDER = 60
# Repetitions, not long runs, are what the intervals need: the spread between
# repetitions of one point is larger than the spread within one timed
# phase, so the full run's phase is 800 ms and the 10-connection point is
# left out (it reads like the 100-connection one) to pay for the floor and
# Tokio's two runtimes.  Most of a 10,000-connection point is setting up the
# connections, not the phase, hence a single repetition there in the quick run.
PARAMS = {"quick": {"reps": 1, "conns": [100, 10000], "ms": 200},
          "full": {"reps": 5, "max_reps": 8, "budget_s": 170, "conns": [100, 1000, 10000], "ms": 800}}
FLOOR = "epoll"  # the event-loop floor: corobench echo --server epoll
# peers whose manifest entry has an echo_server (tokio-mt2 inherits tokio's
# and adds its runtime arguments)
EXTERNAL = ("tokio", "tokio-mt2")
SERIES = ("coro", "coro-mn2", "threads", FLOOR) + EXTERNAL
EXEC_ENV = "COROBENCH_ECHO_SERVER"  # bench/workloads/echo.c, --server exec
C = 10000  # the connection count the targets are set at
SECTION = "M:N and echo targets"
_told = set()  # external servers already reported missing (points() runs per repetition)


def _external(ctx):
    """{peer: its echo server's command line} for the peers that can run
    here; one line on stderr for each that cannot."""
    out = {}
    for name in EXTERNAL:
        try:
            p = peers.peer(name)
            why = peers.why_missing(p, ctx.build)
        except (OSError, ValueError, KeyError) as e:
            p, why = None, f"peers manifest: {e}"
        if why is None:
            out[name] = " ".join(peers.expand(p["echo_server"] + p.get("args", []), ctx.build))
        elif name not in _told:
            _told.add(name)
            print(f"      echo: {name} skipped: {why}", file=sys.stderr)
    return out


def _argv(s, args, ctx, ext):
    """The command line of one system's point (None: the runner's own)."""
    if s == FLOOR:
        return [ctx.cb, "echo"] + args + ["--server", "epoll", "--json"]
    if s in EXTERNAL:
        return ["env", f"{EXEC_ENV}={ext[s]}", ctx.cb, "echo"] + args + ["--server", "exec", "--json"]
    return None


def points(p, ctx):
    # the limit is the timed phase plus a generous allowance for setting up the
    # connections; a limit hit (threads or descriptors) is data
    ext = _external(ctx)
    out = []
    for c in p["conns"]:
        args = ["--connections", c, "--duration-ms", p["ms"]]
        for s in SERIES:
            if s in EXTERNAL and s not in ext:
                continue
            out.append(Point(f"{s}-c{c}", s, "echo", args, argv=_argv(s, [str(a) for a in args], ctx, ext),
                             tags={"connections": c}, limit_s=p["ms"] // 1000 + 40))
    return out


STEPS = [Step("echo", "echo: requests/s, p99 latency and memory vs connections", PARAMS, points,
              metric="requests_per_s")]


def _res(key, div=None):
    return lambda p: cbdata.res(p, key) if cbdata.res(p, key) is None or div is None else cbdata.res(p, key) / div


def _mem(p):
    """Server peak RSS plus the kernel stacks its threads added (a thread's
    kernel stack is in no VmRSS), MiB."""
    rss, ks = cbdata.res(p, "server_peak_rss_bytes"), cbdata.res(p, "kernel_stack_delta_bytes")
    return None if None in (rss, ks) else (rss + ks) / 2**20


FIELDS = (("p99_ms", _res("lat_p99_ns", 1e6)), ("rss_mib", _res("server_peak_rss_bytes", 2**20)),
          ("kstack_mib", _res("kernel_stack_delta_bytes", 2**20)), ("mem_mib", _mem),
          ("established", _res("connections_established")), ("syscalls", _res("syscalls_per_request")))


def _rps(p):
    return cbdata.res(p, "requests_per_s")


def _row(k, ps):
    r = cbdata.row(("system", "connections"), (k[0], cbdata.num(k[1])), ps, _rps)
    ok = [p for p in ps if p["status"] == "ok"]
    for f, fn in FIELDS:
        s = cbdata.stats([fn(p) for p in ok])
        r[f] = s["median"] if s else None
        if f in ("p99_ms", "mem_mib"):
            r[f + "_min"], r[f + "_max"] = (s["min"], s["max"]) if s else (None, None)
    # {repetition: value}: the intervals pair the runs of one repetition
    r["by_rep"] = cbdata.by_rep(ok, _rps)
    r["p99_by_rep"] = cbdata.by_rep(ok, FIELDS[0][1])
    r["mem_by_rep"] = cbdata.by_rep(ok, _mem)
    est = cbdata.stats([cbdata.res(p, "connections_established") for p in ok])
    r["established_min"] = est["min"] if est else None
    r["limit_error"] = cbdata.limit_error(ok)
    return r


def tables(points):
    rows = [_row(k, ps) for k, ps in cbdata.group(points, "echo", ("system", "connections")).items()]
    rows.sort(key=lambda r: (systems.rank(r["system"])[0], r["system"], r["connections"] or 0))
    return {"echo": (("system", "connections", "median", "min", "max", "p99_ms", "p99_ms_min", "p99_ms_max",
                      "rss_mib", "kstack_mib", "mem_mib", "mem_mib_min", "mem_mib_max", "established",
                      "established_min", "limit_error", "n_ok", "n_failed", "error"), rows)}


def _index(t):
    return {(r["system"], r["connections"]): r for r in t["echo"][1]}


def floor_ratios(t):
    """{(system, connections): Interval of its requests/s over the floor's, or
    None} for every server measured beside the floor."""
    ec = _index(t)
    out = {}
    for (s, c), r in ec.items():
        fl = ec.get((FLOOR, c))
        if s != FLOOR and fl is not None:
            out[(s, c)] = stats.ratio_interval(r["by_rep"], fl["by_rep"]) if r["by_rep"] and fl["by_rep"] else None
    return out


def reading(t, env):
    rows = {(r["system"], r["connections"]): r for r in t["echo"][1] if r["median"] is not None}
    cs = sorted({c for _, c in rows})
    if not cs:
        return "No echo data in this run."
    hi = cs[-1]
    parts = [f"{systems.label(be)} {cbdata.fnum(rows[(be, hi)]['median'])} requests/s "
             f"(p99 {rows[(be, hi)]['p99_ms']:.3g} ms)" for be in systems.order({b for b, _ in rows})
             if (be, hi) in rows]
    s = f"At {hi} connections the servers answer: " + ", ".join(parts) + "."
    best = {}
    for (be, c), r in rows.items():
        if best.get(c) is None or r["median"] > rows[(best[c], c)]["median"]:
            best[c] = be
    s += (" The fastest server per connection count: "
          + ", ".join(f"{c}: {systems.label(best[c])}" for c in cs) + ".")
    fr = {k: iv for k, iv in floor_ratios(t).items() if k[1] == hi and iv is not None}
    if fr:
        s += (f" Against the {systems.label(FLOOR)} at {hi} connections (requests/s ratio, 95% interval): "
              + ", ".join(f"{systems.label(be)} {iv.text(unit='×')}" for (be, _), iv in sorted(fr.items())) + ".")
    return s


def _mib(x):
    return "—" if x is None else format(x, ".3g") + " MiB"


def _syscalls(x):
    """Read- and write-class syscalls per request; below 2 the server's calls
    were not all counted (every request needs a read and a write): Tokio reads
    with recv and writes with send, which /proc/<pid>/io does not count."""
    if x is None:
        return "not measured"
    return f"{x:.3g}" if x >= 2 else f"not counted ({x:.2g}: recv/send)"


def table(t):
    g = cbdata.fnum
    rows = [(systems.label(r["system"]), r["connections"], g(r["established_min"]),
             "—" if r["median"] is None else f"{g(r['median'])} ({g(r['min'])}..{g(r['max'])})",
             "—" if r["p99_ms"] is None else format(r["p99_ms"], ".3g") + " ms", _mib(r["rss_mib"]),
             _mib(r["kstack_mib"]), _mib(r["mem_mib"]), _syscalls(r.get("syscalls")),
             r["limit_error"] or r["error"] or "no")
            for r in t["echo"][1]]
    if not rows:
        return []
    return (md.table(("server", "connections", "established (min)", "requests/s (min..max)", "p99 latency",
                      "peak RSS", "kernel stacks added", "memory (RSS + kernel stacks)",
                      "syscalls per request", "limit hit"), rows)
            + ["\nKernel stacks: the system-wide `KernelStack` change during the run (other processes add noise, "
               "so it can be slightly negative for a server with few threads). Syscalls per request: the server's "
               "read- and write-class calls in the timed phase (`/proc/<pid>/io` syscr + syscw; epoll_wait is in "
               "neither) over its requests.\n"] + floor_table(t))


def floor_table(t):
    """Each server's requests/s as a ratio of the event-loop floor's, at every
    connection count: what a server's abstraction costs over hand-written
    callbacks."""
    fr = floor_ratios(t)
    label = systems.label(FLOOR)
    if not fr:
        return [f"Requests/s against the {label}: not measured in this run.\n"]
    cs = sorted({c for _, c in fr})
    rows = [(systems.label(s),) + tuple("—" if fr.get((s, c)) is None else fr[(s, c)].text(unit="×") for c in cs)
            for s in systems.order({s for s, _ in fr})]
    return ([f"Requests/s as a ratio of the {label} (1 = as fast as the floor; median of the repetitions "
             "paired with the floor's, 95% bootstrap interval):\n"]
            + md.table(("server",) + tuple(f"{c} connections" for c in cs), rows) + [""])


WHAT = ("requests/s ≥ 2× thread-per-connection", "lower p99 latency than threads",
        "memory < 1/4 of threads' (RSS + kernel stacks)")


def _missing(ec, s):
    """Why system s cannot be compared at C connections: None when it can;
    "" when the run never measured s at all (not measured, not a reason)."""
    if not any(k[0] == s for k in ec):
        return ""
    r, lab = ec.get((s, C)), systems.label(s)
    if r is None or r["median"] is None:
        err = f": {r['error']}" if r and r["error"] else ""
        return f"no {lab} result at {C} connections{err}"
    if (r["established_min"] or 0) < C or r["limit_error"]:
        return (f"{lab} could not hold them: {r['limit_error'] or 'fewer established'}"
                f" (established {cbdata.fnum(r['established_min'])})")
    return None


WHAT_OF = {"by_rep": "requests/s", "p99_by_rep": "p99 latency",
           "mem_by_rep": "memory (RSS + kernel stacks; the system-wide KernelStack also moves with other processes)"}


def _compare(name, ec, a, b, key, line, want, fmt="{:.3g}"):
    """One target comparing system a with system b at C connections: the
    ratio of their per-repetition values (key), three-valued against line;
    "not comparable" with the reason when either side cannot be compared."""
    why = [w for w in (_missing(ec, a), _missing(ec, b)) if w is not None]
    if why:
        return stats.target(SECTION, name, None, line, want, why="; ".join(w for w in why if w) or None)
    iv = stats.ratio_interval(ec[(a, C)][key], ec[(b, C)][key])
    if iv is None:
        return stats.target(SECTION, name, None, line, want,
                            why=f"no positive {WHAT_OF[key]} on both sides")
    return stats.target(SECTION, name, iv, line, want, fmt=fmt)


def targets(t, env):
    ec = _index(t)
    out = []
    for be in ("coro", "coro-mn2"):
        name = f"echo at {C} connections, {systems.label(be)}: "
        out += [_compare(name + WHAT[0], ec, be, "threads", "by_rep", 2, "at_least"),
                _compare(name + WHAT[1], ec, be, "threads", "p99_by_rep", 1, "at_most"),
                _compare(name + WHAT[2], ec, be, "threads", "mem_by_rep", 0.25, "at_most")]
    out.append(_compare(f"echo at {C} connections, {systems.label('coro')}: requests/s ≥ 0.9× the "
                        f"{systems.label(FLOOR)}", ec, "coro", FLOOR, "by_rep", 0.9, "at_least"))
    return out


def _kilo(p):
    v = _rps(p)
    return None if v is None else v / 1e3


def plot_data(t, env, points):
    """One line file per system and panel: connections, median of the
    repetitions and its 95% interval (plotdata.line)."""
    ec = t["echo"][1]
    series = systems.order({r["system"] for r in ec})
    files = {"echo_systems.txt": " ".join(series) + "\n",
             "echo.titles": "".join(systems.label(b) + "\n" for b in series)}
    for be in series:
        cs = sorted(r["connections"] for r in ec if r["system"] == be and r["connections"] is not None)
        for panel, metric in (("rps", _kilo), ("p99", FIELDS[0][1])):
            files[f"echo_{be}_{panel}.csv"] = plotdata.line(
                [(c, plotdata.rep_values(points, "echo", metric, lambda p, be=be, c=c: (
                    systems.of(p), cbdata.num(p["tags"].get("connections"))) == (be, c))) for c in cs])
    return files


# One key for both panels, below them (the panels share their series): the
# key inside a panel sat over the data or the title.  Six entries of up to
# plotdata.MAX_LABEL characters take three columns of two rows.
PLOTS = [Plot("echo", "TCP echo: requests/s and p99 latency vs connections", """
bes = system('cat "'.dir.'/echo_systems.txt"')
eval term(600)
head = "TCP echo on loopback: requests/s and p99 latency vs connections, median of repetitions"
set multiplot layout 1, 2 title head."\\n{/*0.8 ".ci."}"
set label 99 caption at screen 0.01,0.02 font ',8' noenhanced
set bmargin 10
set logscale x 10
set format x '%g'
set offsets graph 0.05, graph 0.05, 0, 0
set xlabel 'connections (log scale)'
set key at screen 0.5,0.12 center center vertical maxrows 2 Left reverse font ',9' samplen 2 width -12
set title 'throughput'
set ylabel 'requests / s (thousands)'
set yrange [0:*]
plot for [b=1:words(bes)] sprintf('%s/echo_%s_rps.csv', dir, word(bes, b)) using 1:2:3:4 with yerrorlines lw 2 \\
    title system(sprintf('sed -n %dp "%s/echo.titles"', b, dir))
unset label 99
unset key
set title 'p99 latency'
set ylabel 'p99 request latency (ms, log scale)'
set logscale y
set yrange [*:*]
plot for [b=1:words(bes)] sprintf('%s/echo_%s_p99.csv', dir, word(bes, b)) using 1:2:3:4 with yerrorlines lw 2 \\
    notitle
unset multiplot
""", plot_data, reading, table)]
TARGETS = targets
