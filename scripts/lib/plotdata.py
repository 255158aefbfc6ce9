"""plotdata.py -- the helpers that turn tables into the files a gnuplot script reads.

gnuplot is good at drawing and bad at selecting rows, so every series a plot
draws gets its own small file ('#' header, comma separated), plus list files
naming the series; each workload module's plot writes its own with these
(scripts/plots.py runs them).  Only points with a value are written: a failed
point is absent from the curve and listed in the report instead.
"""
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
