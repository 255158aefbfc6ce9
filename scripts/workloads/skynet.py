"""skynet: the public cross-language benchmark (github.com/atemerev/skynet), a
tree of tasks --fanout wide and --depth deep whose sums come back up, on
corobench (own stacks M:1 and M:N, shared stack), threads and the peers.

Tree sizes.  A task that gets a fresh stack pays for first touching it (a
page fault, dear on a virtual machine), so a system that gives every task its
own stack (corobench's own stacks, Boost.Fiber, threads) spends far longer on
the full tree of 1,111,111 tasks than a small tree's time per task predicts.
So corobench runs a smaller tree (depth) beside the full one, on M:1 with its
own stacks, on M:N and on the shared stack, both in every repetition (the
full tree's interval is what the report sets against the peers), and the
peers are asked the full tree in the full run (a smaller one in the quick
run), the manifest capping those whose full tree does not fit a point's
limit.  Threads run a smaller tree (depth_thr), and the full tree once as a
limit probe (tag probe=limit): a thread per task meets the machine's thread
and memory-mapping limits long before a million, and where the probe stopped
is its result.  Every row says the depth that ran, read from the result;
systems are set against each other on the tree most of them ran, and the
report says where a system stopped and why.

Checksums.  Every system folds the root's sum and the task count the same
way, so the checksum of a tree is known from (fanout, depth) alone: a result
with another checksum did not do the work and is recorded as a failed point.
"""
import cbdata
import md
import plotdata
import systems
from workloads import Plot, Point, Step

ORDER = 55
FANOUT = 10
# depth: the repeated points; depth_thr: threads'; depth_peers: what peers are
# asked (their caps may lower it); full_tree: run on corobench (M:1 own and
# shared stacks, M:N) when deeper than depth, and once on threads as a limit
# probe.  Why: the module note.  Three repetitions in the full run: the fewest
# that give a median an interval.
PARAMS = {"quick": {"reps": 2, "depth": 4, "depth_thr": 3, "depth_peers": 3, "full_tree": 4},
          "full": {"reps": 3, "depth": 5, "depth_thr": 5, "depth_peers": 6, "full_tree": 6}}
KEYS = ("system", "depth")
FNV_OFFSET, FNV_PRIME, MASK = 0xCBF29CE484222325, 0x100000001B3, (1 << 64) - 1
# Published figures, for context only (other machines, other years).
PUBLISHED = (("Go (goroutines)", "go", "200–224 ms for the 1,111,111-task tree on an Intel i7-4771",
              200e6 / 1111111, 224e6 / 1111111, "atemerev/skynet README"),
             ("Boost.Fiber", "boost-fiber", "0.05–0.11 µs per task", 50.0, 110.0,
              "Boost.Fiber documentation, performance"))


def fnv_u64(h, v):
    for i in range(8):
        h = ((h ^ ((v >> (8 * i)) & 0xFF)) * FNV_PRIME) & MASK
    return h


def expected(fanout, depth):
    """(tasks, checksum) of a full tree: every system's fnv(fnv(FNV, sum), tasks)."""
    leaves = fanout ** depth
    tasks = (fanout ** (depth + 1) - 1) // (fanout - 1)
    return tasks, "0x%016x" % fnv_u64(fnv_u64(FNV_OFFSET, leaves * (leaves - 1) // 2), tasks)


def _args(depth):
    return ["--depth", depth, "--fanout", FANOUT]


def _point(system, depth, **kw):
    return Point(f"{system}-d{depth}", system, "skynet", _args(depth), tags={"depth": depth}, **kw)


def points(p, ctx):
    # corobench M:1 also on the peers' smaller tree (quick), so that every
    # pair meets on one tree; a deeper peers' tree is the full one, run
    # below
    out = [_point(s, p["depth"]) for s in ("coro", "coro-mn2", "coro-shared")]
    if p["depth_peers"] < p["depth"]:
        out += [_point(s, p["depth_peers"]) for s in ("coro", "coro-shared")]
    out.append(_point("threads", p["depth_thr"]))
    if p["full_tree"] > p["depth"]:  # the full tree on corobench: does it hold it, how fast?
        out += [_point("coro", p["full_tree"], limit_x=2.5),
                _point("coro-mn2", p["full_tree"], limit_x=2.5),
                _point("coro-shared", p["full_tree"])]
    if p["full_tree"] > max(p["depth"], p["depth_thr"]):  # and on threads, once: where it stops is the data
        out.append(Point(f"threads-d{p['full_tree']}", "threads", "skynet", _args(p["full_tree"]),
                         tags={"depth": p["full_tree"], "probe": "limit"}, once=True))
    return out


STEPS = [Step("skynet", "skynet: a tree of tasks, sums coming back up (corobench skynet)", PARAMS, points)]
PEER_POINTS = ("skynet", lambda p: [Point("skynet", args=_args(p["depth_peers"]), tags={"depth": p["depth_peers"]})])


def ran_depth(p):
    """The depth a point ran: its result's params (a peer's cap lowers it), else its tag."""
    d = ((p.get("result") or {}).get("params") or {}).get("depth")
    return cbdata.num(d if d is not None else p["tags"].get("depth"))


def check(points):
    """Marks a skynet result whose checksum is not the tree's as a failed point
    (the report's failed points list it): it did not do the work."""
    for p in points:
        if p["status"] != "ok" or not (p["step"] == "skynet" or p["point"].endswith("-skynet")):
            continue
        d, r = ran_depth(p), p.get("result") or {}
        fan = cbdata.num((r.get("params") or {}).get("fanout")) or FANOUT
        want = expected(fan, d)[1] if d is not None else None
        if want is None or r.get("checksum") != want:
            p["status"] = "failed"
            p["error"] = f"checksum {r.get('checksum')} differs from the tree's {want} (depth {d}, fanout {fan})"


def _groups(points):
    out = {}
    for p in points:
        if p["step"] == "skynet" or (p["step"] == "peers" and p["point"].endswith("-skynet")):
            out.setdefault((systems.of(p), ran_depth(p)), []).append(p)
    return out


def tables(points):
    check(points)
    rows = []
    metric = lambda p: cbdata.res(p, "ns_per_task")  # noqa: E731
    for (s, d), ps in _groups(points).items():
        ok = [p for p in ps if p["status"] == "ok"]
        r = cbdata.row(KEYS, (s, d), ps, metric)
        r["values"] = [metric(p) for p in sorted(ok, key=lambda p: p["rep"]) if metric(p) is not None]
        r["limit"] = bool(ps) and all(cbdata.limit_reached(p) for p in ps if p["status"] != "ok")
        r["tasks"] = expected(FANOUT, d)[0] if d is not None else None
        r["requested"] = max((cbdata.num(p["tags"].get("depth")) or 0 for p in ps), default=None)
        r["wall_s"] = r["median"] * r["tasks"] / 1e9 if r["median"] is not None and r["tasks"] else None
        rows.append(r)
    rows.sort(key=lambda r: (systems.rank(r["system"] or ""), -(r["depth"] or 0)))
    return {"skynet": (KEYS + ("tasks", "requested", "median", "min", "max", "wall_s", "n_ok", "n_failed", "error"),
                       rows)}  # rows keep their per-repetition values (not a CSV column)


def interval(values):
    """The median of per-repetition values with its 95% bootstrap interval
    (what the plot's whiskers show), or None."""
    return plotdata.median_interval(values) if values else None


def best_rows(t):
    """{system: its deepest row with a value}."""
    out = {}
    for r in t["skynet"][1]:
        if r["median"] is not None and (r["system"] not in out or r["depth"] > out[r["system"]]["depth"]):
            out[r["system"]] = r
    return out


def common_rows(t):
    """{system: row} on the tree most systems ran (the deepest such), else the
    system's deepest: what systems are set against each other on."""
    rows = [r for r in t["skynet"][1] if r["median"] is not None]
    if not rows:
        return {}
    count = {}
    for r in rows:
        count[r["depth"]] = count.get(r["depth"], 0) + 1
    d = max(count, key=lambda k: (count[k], k))
    out = best_rows(t)
    out.update({r["system"]: r for r in rows if r["depth"] == d})
    return out


def ns(x):
    """A time per task for people (ns up to a microsecond, then µs, ms, s)."""
    return cbdata.fnum(x, "ns") if x is None or x < 1000 else cbdata.fus(x / 1e3)


def label(r):
    return f"{systems.label(r['system'])} (depth {r['depth']})"


def bar_label(r):
    """A bar's label within the plot's label column (plotdata.MAX_LABEL)."""
    name = systems.label(r["system"])
    text = f"{name}, depth {r['depth']}"
    if len(text) > plotdata.MAX_LABEL:  # the system in words first; "d<depth>" is the part to shorten
        text = f"{name} d{r['depth']}"
    if len(text) > plotdata.MAX_LABEL:  # then the label's parenthesis
        text = f"{name.split(' (')[0]}, depth {r['depth']}"
    return text if len(text) <= plotdata.MAX_LABEL else f"{r['system']}, depth {r['depth']}"


def plot_data(t, env):
    return {"skynet.csv": plotdata.hbars([(bar_label(r), r["values"]) for r in t["skynet"][1] if r["values"]])}


def stops(t, full):
    """Sentences on the systems that did not run the full tree: where they stopped and why."""
    out = []
    rows = t["skynet"][1]
    for s in systems.order({r["system"] for r in rows if r["system"]}):
        mine = [r for r in rows if r["system"] == s]
        failed = [r for r in mine if r["error"] and not r["n_ok"]]
        for r in failed:
            out.append(f"{label(r)} {'stopped at a resource limit' if r.get('limit') else 'failed'}: {r['error']}.")
        good = [r for r in mine if r["median"] is not None]
        if not good or max(r["depth"] for r in good) >= full:
            continue
        r = max(good, key=lambda r: r["depth"])
        full_tasks = expected(FANOUT, full)[0]
        why = ("its request was lowered by the peers manifest's cap" if (r["requested"] or 0) > r["depth"]
               else "the harness runs it on a smaller tree")
        out.append(f"{systems.label(s)} ran {r['tasks']:,} tasks (depth {r['depth']}), not this run's largest tree "
                   f"({full_tasks:,} tasks): {why}; "
                   f"at its {ns(r['median'])} per task that tree would take about "
                   f"{r['median'] * full_tasks / 1e9:.3g} s (an extrapolation, not a measurement).")
    return out


def reading(t, env):
    best = common_rows(t)
    if not best:
        return "skynet was not measured in this run."
    full = max(r["depth"] for r in best_rows(t).values())
    fast, slow = min(best.values(), key=lambda r: r["median"]), max(best.values(), key=lambda r: r["median"])
    s = [f"The cheapest task is {label(fast)}'s at {ns(fast['median'])}, the dearest {label(slow)}'s at "
         f"{ns(slow['median'])} ({slow['median'] / fast['median']:.3g}× apart)."]
    for a, b in (("coro", "go"), ("coro-shared", "coro"), ("coro", "cxx20"), ("coro", "tokio")):
        if a in best and b in best:
            x, y = best[a], best[b]
            s.append(f"{label(x)} against {label(y)}: {y['median'] / x['median']:.3g}× "
                     f"({'corobench ahead' if x['median'] < y['median'] else 'the other ahead'}).")
    return " ".join(s + stops(t, full))


def interval_text(values):
    iv = interval([v / 1e3 for v in values])
    return "—" if iv is None else f"{iv[0]:.3g} [{iv[1]:.3g}, {iv[2]:.3g}]"


def table(t):
    rows = [(systems.label(r["system"]), r["depth"], r["tasks"], ns(r["median"]),
             interval_text(r["values"]),
             f"{r['wall_s']:.3g} s" if r["wall_s"] is not None else "—", r["n_ok"], r["n_failed"], r["error"] or "")
            for r in t["skynet"][1]]
    if not rows:
        return ["skynet: not measured in this run.\n"]
    return md.table(("system", "depth", "tasks", "time per task (median)", "95% interval (µs)", "tree (s)", "ok",
                     "failed", "error"), rows) + [""] + published(t)


def published(t):
    """This run beside the published figures: context, not a comparison."""
    best = best_rows(t)
    rows = []
    for name, sys_, what, lo, hi, src in PUBLISHED:
        r = best.get(sys_)
        rows.append((name, what, f"{lo:.3g}–{hi:.3g} ns", src,
                     f"{ns(r['median'])} (depth {r['depth']})" if r else "not measured in this run"))
    return (["Published figures, for context only: they come from other machines (the skynet README's from an "
             "Intel i7-4771), other compilers and other versions, so they are not comparable with this run's and "
             "no ratio is drawn from them.\n"]
            + md.table(("system", "published", "per task", "source", "this run, per task"), rows) + [""])


def headline(t):
    return [("skynet, time per task", "ns/task", "lower",
             {s: (r["median"], f"depth {r['depth']}", r) for s, r in common_rows(t).items()})]


PLOTS = [Plot("skynet", "skynet: time per task", """
# skynet: time per task of a tree of tasks, per system and tree depth.
# Log scale: stackless runtimes and threads are orders of magnitude apart.
""" + plotdata.one_bar_panel("skynet: time per task", "skynet.csv", "ns per task (log scale)"), plot_data, reading, table)]
HEADLINE = headline
