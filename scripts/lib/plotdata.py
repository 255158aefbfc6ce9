"""plotdata.py -- the helpers that turn tables into the files a gnuplot script reads.

gnuplot is good at drawing and bad at selecting rows, so every series a plot
draws gets its own small file ('#' header, comma separated), plus list files
naming the series; each workload module's plot writes its own with these
(scripts/plots.py runs them).  Only points with a value are written: a failed
point is absent from the curve and listed in the report instead.
"""
import csv

import cbdata


def fmt(x):
    return "%.6g" % x


def series(header, rows):
    return "# " + ",".join(header) + "\n" + "".join(",".join(str(c) for c in r) + "\n" for r in rows)


def bars(rows, label, scale=1.0):
    """Bar data sorted by median: idx,label,median,min,max."""
    ok = sorted((r for r in rows if r.get("median") is not None), key=lambda r: r["median"])
    return series(("idx", "label", "median", "min", "max", "text"),
                  [(i, label(r), fmt(r["median"] * scale), fmt(r["min"] * scale), fmt(r["max"] * scale),
                    cbdata.fnum(r["median"] * scale).replace(" ", "")) for i, r in enumerate(ok)])


def human_bytes(b):
    for unit, size in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if b >= size and b % size == 0:
            return f"{b // size}{unit}"
    return f"{b}B"


def caption(env):
    return (f"{env.get('cpu_model') or '?'}, {env.get('cores') or '?'} cores, kernel {env.get('kernel') or '?'}, "
            f"{(env.get('compiler') or '?').split(' (')[0]} {env.get('build_type') or ''}; "
            f"run {env.get('run_id') or '?'} ({env.get('mode') or '?'}), commit {(env.get('commit') or '?')[:10]}"
            ).replace('"', "'")


# ---- what a panel holds ------------------------------------------------------
# The layouts below were sized by looking at the drawn PNGs: a line panel's
# key stays readable up to about six entries, a bar panel's labels up to
# about twenty bars at its height, and the label column (plot-bars.gp's
# lmargin) holds MAX_LABEL characters at the labels' font.  tests/scripts
# checks every plot's files against them, so a plot that outgrows its layout
# fails a test instead of being cut at an edge.
MAX_SERIES = 6
MAX_BARS = 20
MAX_LABEL = 40
CI_NOTE = "whiskers: 95% confidence interval of the median (bootstrap over repetitions)"


def median_interval(values):
    """(median, low, high) of per-repetition values, the interval a 95%
    percentile bootstrap of the median with stats.py's seed and resamples; low
    = high = median for fewer than two values (no interval to draw).  None
    without a value."""
    import numpy as np  # scipy and numpy only where a plot is drawn
    from scipy import stats as sps
    import stats
    x = stats._clean(values)
    if not len(x):
        return None
    med = float(np.median(x))
    if len(x) < 2 or np.ptp(x) == 0:
        return med, med, med
    res = sps.bootstrap((x,), np.median, vectorized=True, confidence_level=stats.CONFIDENCE,
                        n_resamples=stats.RESAMPLES, method="percentile",
                        random_state=np.random.default_rng(stats.SEED))
    return med, float(res.confidence_interval.low), float(res.confidence_interval.high)


def rep_values(points, step, metric, pred=None):
    """The metric of every good repetition of a step's points that pass pred."""
    return [v for p in points if p["step"] == step and p["status"] == "ok" and (pred is None or pred(p))
            for v in [metric(p)] if v is not None]


def one_bar_panel(title, csv, xlab):
    """gnuplot: a whole canvas of plot-bars.gp's bars (csv in the run's plot
    data), the caption at the foot and the 95% interval note under the title."""
    return f"""set multiplot title "{title}, median of repetitions\\n{{/*0.8 ".ci."}}"
set label 99 caption at screen 0.01,0.02 font ',8' noenhanced
set origin 0, 0.05
set size 1, 0.85
csv = dir.'/{csv}'
ttl = ''
xlab = '{xlab}'
load sd.'/plot-bars.gp'
unset multiplot
"""


def hbars(items, scale=1.0):
    """Horizontal-bar data from (label, [per-repetition values][, note]),
    sorted by median: idx,label,median,low,high,text (plot-bars.gp); the text
    after a bar is its median, then the note."""
    rows = []
    for label, values, *note in items:
        iv = median_interval([v * scale for v in values])
        if iv is not None:
            rows.append((label, iv, "".join(" " + n for n in note)))
    rows.sort(key=lambda r: r[1][0])
    return series(("idx", "label", "median", "low", "high", "text"),
                  [(i, quote(label), fmt(m), fmt(lo), fmt(hi), quote(cbdata.fnum(m).replace(" ", "") + note))
                   for i, (label, (m, lo, hi), note) in enumerate(rows)])


def quote(text):
    """A CSV field gnuplot reads whole, commas included."""
    return '"' + text.replace('"', "'") + '"'


def line(rows):
    """A line series: x,median,low,high from (x, [per-repetition values])."""
    out = []
    for x, values in rows:
        iv = median_interval(values)
        if iv is not None:
            out.append((x,) + tuple(fmt(v) for v in iv))
    return series(("x", "median", "low", "high"), out)


def within_layout(files):
    """What in a plot's files exceeds its layout (tests/scripts): bar files
    (header '# idx,label,...') with more than MAX_BARS rows or a label over
    MAX_LABEL characters; '.titles' files (one key entry a line, one panel
    each) with more than MAX_SERIES entries or an entry over MAX_LABEL."""
    bad = []
    for name, text in files.items():
        lines = [x for x in text.splitlines() if x and not x.startswith("#")]
        if name.endswith(".csv") and text.startswith("# idx,label"):
            labels = [next(csv.reader([x]))[1] for x in lines]
            limit = MAX_BARS
        elif name.endswith(".titles"):
            labels, limit = lines, MAX_SERIES
        else:
            continue
        if len(labels) > limit:
            bad.append(f"{name}: {len(labels)} entries, the layout holds {limit}")
        bad += [f"{name}: label '{x}' longer than {MAX_LABEL}" for x in labels if len(x) > MAX_LABEL]
    return bad
