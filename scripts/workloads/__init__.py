"""The harness's workload registry: one module per workload in this package.

Each module declares what the harness does with its workload, and nothing
outside it names the workload:

  ORDER        int, the place of its steps, plots and sections
  STEPS        [Step]: the sweeps (raw/<step>/ in a run), with quick and full
               parameters; a step's points(params, ctx) yields one
               repetition's Points
  PEER_POINTS  optional (workload, fn(params) -> [Point]): what a peer that
               runs that workload is asked; the runner runs them in each
               repetition of the module's first step, after corobench's
               points (kept in raw/peers/)
  PYTHON_POINTS optional fn(params, ctx, systems) -> [Point]: what the
               section in the article's own language asks of the Python peers
               (systems: those present), with that section's parameters
  tables(points) -> {table: (columns, rows)}: raw points reduced
  PLOTS        [Plot]: caption, gnuplot text, data(t, env[, points]) -> {file:
               text} (with points: per-repetition values, for intervals),
               reading(t, env) -> sentences, table(t) -> Markdown lines
  HEADLINE     optional fn(t) -> [(metric, unit, better, {system: (value, note, row)})]
               (row: the reduced row the value comes from, whose repetitions
               give the "vs best" ratio its interval; None for a count)
  CLAIMS       optional {n: (claim text, judge(t, points, env) -> verdict dict)}
  TARGETS      optional fn(t, env) -> [stats.target(...) dicts]
  SECTIONS     optional [fn(t, points, env) -> Markdown lines]: extra report sections

A module of the report only (a section that reads the others' tables) sets
STEPS = [] and declares no PEER_POINTS.

The runner (scripts/bench.py), the plots (scripts/plots.py), the report and
the harness tests read this registry.
"""
import importlib
import os
import pkgutil
import sys
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
LIB = os.path.join(os.path.dirname(HERE), "lib")
if LIB not in sys.path:
    sys.path.insert(0, LIB)

import cbdata  # noqa: E402
import systems  # noqa: E402


@dataclass
class Point:
    """One measurement: a system running a corobench workload (argv built by
    the runner, corobench's or a peer's), or an explicit argv."""
    name: str
    system: str = None
    workload: str = None
    args: list = field(default_factory=list)
    argv: list = None
    tags: dict = field(default_factory=dict)
    kind: str = "cli"  # cli (result JSON) | text | hyperfine | gbench
    limit_x: float = 1.0  # times the mode's point limit
    limit_s: float = None  # or a limit of its own
    optional: bool = False  # a peer may refuse it (exit 2: skipped); a crash is still a failed point
    once: bool = False  # in the first repetition only
    upto: int = 0  # or in the first `upto` repetitions only (0: every repetition)

    def runs_in(self, rep):
        """Whether the point runs in repetition `rep` (from 1)."""
        return rep <= (1 if self.once else self.upto or rep)


@dataclass
class Step:
    name: str
    title: str
    params: dict  # {"quick": {...}, "full": {...}}; "reps" is the repetitions, or the pilot's
    # when the mode also declares "max_reps" and "budget_s" (seconds for the whole step)
    points: object  # fn(params, ctx) -> [Point] for one repetition
    fixed_reps: bool = False  # CB_REPS does not change it
    metric: str = "wall_ns"  # the result field whose spread sizes the repetitions (lib/pilot.py)


@dataclass
class Plot:
    name: str
    caption: str
    gnuplot: str
    data: object  # fn(t, env) -> {file name: text}
    reading: object  # fn(t, env) -> str
    table: object = None  # fn(t) -> [Markdown lines] under the plot


_modules = None


def load():
    """The workload modules, in ORDER."""
    global _modules
    if _modules is None:
        mods = [importlib.import_module(f"{__name__}.{m.name}") for m in pkgutil.iter_modules([HERE])]
        _modules = sorted(mods, key=lambda m: (m.ORDER, m.__name__))
    return _modules


def steps():
    return [s for m in load() for s in m.STEPS]


def plots():
    return [p for m in load() for p in getattr(m, "PLOTS", [])]


def peer_points():
    """[(workload, fn(params) -> [Point], params of its module's steps)]."""
    out = []
    for m in load():
        if hasattr(m, "PEER_POINTS"):
            out.append((m.PEER_POINTS[0], m.PEER_POINTS[1], m.STEPS[0].params))
    return out


def python_points(p, ctx, systems):
    """Every module's PYTHON_POINTS, in ORDER, for the Python peers present."""
    return [pt for m in load() if hasattr(m, "PYTHON_POINTS") for pt in m.PYTHON_POINTS(p, ctx, systems)]


def normalize(points):
    """Give every point the tag "system" (stored runs named it "backend")."""
    for p in points:
        s = systems.of(p)
        if s is not None:
            p["tags"]["system"] = s
            p["tags"].pop("backend", None)
    return points


def tables(points):
    """Every reduced table: {name: (columns, rows)}, plus the failed points."""
    normalize(points)
    t = {}
    for m in load():
        t.update(m.tables(points))
    t["failed"] = (("step", "point", "rep", "error", "cmd"),
                   [{k: p[k] for k in ("step", "point", "rep", "error", "cmd")} for p in points
                    if cbdata.failed(p)])
    return t


def claims():
    """{n: (text, judge)} over every module."""
    out = {}
    for m in load():
        out.update(getattr(m, "CLAIMS", {}))
    return dict(sorted(out.items()))


def targets(t, env):
    return [row for m in load() if hasattr(m, "TARGETS") for row in m.TARGETS(t, env)]


def headline(t):
    return [row for m in load() if hasattr(m, "HEADLINE") for row in m.HEADLINE(t)]


def sections():
    return [fn for m in load() for fn in getattr(m, "SECTIONS", [])]
