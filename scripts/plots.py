#!/usr/bin/env python3
"""plots.py DIR -- draw every plot of the registry as SVG and PNG.

DIR is a run directory or a published results/ directory (lib/rundir.py).
Each workload module's Plot writes its series files into plotdata/<plot>/
(a temporary directory for a published DIR) and its gnuplot text is drawn
twice (svg, pngcairo) after scripts/plot-common.gp.  A file is written to a
temporary name and renamed only when gnuplot succeeded and it is not empty;
a plot that cannot be drawn leaves plots/<plot>.failed with gnuplot's error,
which the report shows.  Exit 1 if any plot failed, 2 on bad usage.
"""
import argparse
import inspect
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "lib")]
import cbdata  # noqa: E402
import plotdata  # noqa: E402
import rundir  # noqa: E402
import workloads  # noqa: E402
from atomic import write_text  # noqa: E402


def write_data(plot, t, env, points, d):
    """Write a plot's files; False when none of its series has a point (nothing to draw)."""
    # a plot that draws intervals takes the points (their repetitions) as well
    takes_points = len(inspect.signature(plot.data).parameters) > 2
    series = plot.data(t, env, points) if takes_points else plot.data(t, env)
    files = {"caption.txt": plotdata.caption(env) + "\n", "ci.txt": plotdata.CI_NOTE + "\n"} | series
    files[plot.name + ".gp"] = f"load sd.'/plot-common.gp'\n{plot.gnuplot}"
    for name, text in files.items():
        write_text(os.path.join(d, name), text)
    return any(line and not line.startswith("#") for name, text in series.items() if name.endswith(".csv")
               for line in text.splitlines())


def draw(plot, d, plots):
    """Draw one plot in both formats; the error lines of what failed."""
    errors = []
    for fmt in ("svg", "png"):
        tmp = os.path.join(plots, f".{plot.name}.{fmt}.tmp")
        dst = os.path.join(plots, f"{plot.name}.{fmt}")
        r = subprocess.run(["gnuplot", "-e", f"sd='{HERE}'; dir='{d}'; out='{tmp}'; fmt='{fmt}'",
                            os.path.join(d, plot.name + ".gp")], capture_output=True, text=True, timeout=120)
        if r.returncode == 0 and os.path.isfile(tmp) and os.path.getsize(tmp) > 0:
            os.replace(tmp, dst)
            continue
        for f in (tmp, dst):
            if os.path.exists(f):
                os.unlink(f)
        tail = [x for x in (r.stdout + r.stderr).splitlines() if x.strip()][-3:]
        errors.append(f"{plot.name}.{fmt}: gnuplot failed:\n" + "\n".join(tail) + "\n")
    return errors


def main():
    ap = argparse.ArgumentParser(description="Draw every plot of a run (or of results/) as SVG and PNG.")
    ap.add_argument("dir", help="a run directory (results/runs/<id>) or a published results directory")
    a = ap.parse_args()
    try:
        lay, env, points, _ = rundir.load(a.dir)
    except cbdata.DataError as e:
        print(f"plots: {e}", file=sys.stderr)
        return 1
    t = workloads.tables(points)
    os.makedirs(lay.plots, exist_ok=True)
    status = 0
    with tempfile.TemporaryDirectory(prefix="cb-plotdata-") as tmp:
        base = tmp if lay.published else os.path.join(a.dir, "plotdata")
        for plot in workloads.plots():
            d = os.path.join(base, plot.name)
            failed = os.path.join(lay.plots, plot.name + ".failed")
            if os.path.exists(failed):
                os.unlink(failed)
            if not write_data(plot, t, env, points, d):
                write_text(failed, "no data in this run\n")  # not an error: the report says so
                for fmt in ("svg", "png"):
                    if os.path.exists(os.path.join(lay.plots, f"{plot.name}.{fmt}")):
                        os.unlink(os.path.join(lay.plots, f"{plot.name}.{fmt}"))
                continue
            errors = draw(plot, d, lay.plots)
            if errors:
                write_text(failed, "".join(errors))
                print(f"plots: {plot.name} not drawn (see {failed}): {' '.join(errors[0].split())[:300]}",
                      file=sys.stderr)
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
