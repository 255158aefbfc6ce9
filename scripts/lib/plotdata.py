#!/usr/bin/env python3
"""plotdata.py RUN_DIR -- data/points.json -> plotdata/*.csv for the gnuplot scripts.

gnuplot is good at drawing and bad at selecting rows, so every series a plot
draws gets its own small file here ('#' header, comma separated), plus list
files naming the series and a caption with the machine.  Only points with a
value are written: a failed point is absent from the curve and listed in the
report instead.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cbdata  # noqa: E402
from atomic import write_text  # noqa: E402


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


def main():
    if len(sys.argv) != 2:
        print("usage: plotdata.py RUN_DIR", file=sys.stderr)
        return 2
    run = sys.argv[1]
    try:
        env = cbdata.load_json_file(os.path.join(run, "env.json"), "environment file")
        data = cbdata.load_json_file(os.path.join(run, "data", "points.json"), "points file")
        points = data["points"]
    except cbdata.DataError as e:
        print(f"plotdata: {e}", file=sys.stderr)
        return 1
    except (KeyError, TypeError):
        print(f"plotdata: {os.path.join(run, 'data', 'points.json')}: malformed points file (no 'points' list)",
              file=sys.stderr)
        return 1
    t = {k: rows for k, (cols, rows) in cbdata.tables(points).items()}
    out = os.path.join(run, "plotdata")
    files = {"caption.txt": caption(env) + "\n"}

    gb = t["gbench"]
    sw = [dict(r) for r in t["switch"]]
    sw += [{"label": "gb:" + r["name"], "median": r["median_ns"], "min": r["min_ns"], "max": r["max_ns"]}
           for r in gb if cbdata.gbench_kind(r["name"]) == "switch"]
    files["switch.csv"] = bars(sw, lambda r: r.get("label") or
                               (f"{r['system']}" + (f"-{r['mech']}" if r["mech"] not in (r["system"], None) else "")
                                + (f" ({r['pin']})" if r.get("pin") not in (None, "none") else "")))
    sp = [dict(r) for r in t["spawn"]]
    sp += [{"label": "gb:" + r["name"], "median": r["median_ns"], "min": r["min_ns"], "max": r["max_ns"]}
           for r in gb if cbdata.gbench_kind(r["name"]) == "spawn"]
    files["spawn.csv"] = bars(sp, lambda r: r.get("label") or r["system"])
    files["memory.csv"] = bars(t["memory"], lambda r: f"{r['system']} ({r['tasks_reached'] or '?'} alive)", 1 / 1024)

    ov = t["oversub"]
    wss_list = sorted({r["wss"] for r in ov if r["wss"] is not None})
    backends = sorted({r["backend"] for r in ov})
    files["oversub_wss.txt"] = " ".join(str(w) for w in wss_list) + "\n"
    files["oversub_wss_labels.txt"] = " ".join(human_bytes(w) for w in wss_list) + "\n"
    backends.sort(key=lambda b: (cbdata.SERIES.index(b) if b in cbdata.SERIES else 99, b))
    files["oversub_backends.txt"] = " ".join(backends) + "\n"
    files["oversub_titles.txt"] = "".join(cbdata.label(b) + "\n" for b in backends)  # one per line
    for w in wss_list:
        for be in backends:
            rows = sorted((r for r in ov if r["wss"] == w and r["backend"] == be and r["median"] is not None),
                          key=lambda r: r["tasks"])
            files[f"oversub_{be}_w{w}.csv"] = series(
                ("tasks", "median", "min", "max"),
                [(r["tasks"], fmt(r["median"] / 1e6), fmt(r["min"] / 1e6), fmt(r["max"] / 1e6)) for r in rows])

    pc = t["prodcons"]
    caps = sorted({r["capacity"] for r in pc if r["capacity"] is not None})
    files["prodcons_caps.txt"] = " ".join(str(c) for c in caps) + "\n"
    for cap in caps:
        names, titles = [], []
        keys = sorted({(r["backend"], r["p"], r["c"]) for r in pc if r["capacity"] == cap},
                      key=lambda k: (k[0], k[1] or 0, k[2] or 0))
        for be, p, c in keys:
            rows = sorted((r for r in pc if (r["backend"], r["p"], r["c"], r["capacity"]) == (be, p, c, cap)
                           and r["median"] is not None), key=lambda r: r["work_ns"])
            if not rows:
                continue
            name = f"prodcons_c{cap}_{be}_{p}x{c}.csv"
            files[name] = series(("work_x", "median", "min", "max"),
                                 [(max(r["work_ns"], 10), fmt(r["median"] / 1e6), fmt(r["min"] / 1e6),
                                   fmt(r["max"] / 1e6)) for r in rows])
            names.append(name)
            titles.append(f"{cbdata.label(be)} {p}x{c}")
        files[f"prodcons_c{cap}.list"] = " ".join(names) + "\n"
        files[f"prodcons_c{cap}.titles"] = "".join(x + "\n" for x in titles)  # one per line

    fa = t["fairness"]
    yields = sorted({r["yield_us"] for r in fa if r["yield_us"] is not None}, key=lambda y: (y == 0, y))
    fb = sorted({r["backend"] for r in fa})
    files["fairness_backends.txt"] = " ".join(fb) + "\n"
    files["fairness_xtics.txt"] = ", ".join(f'"{"never" if y == 0 else str(y) + " us"}" {i}'
                                            for i, y in enumerate(yields)) + "\n"
    for be in fb:
        rows = []
        for i, y in enumerate(yields):
            r = next((r for r in fa if r["backend"] == be and r["yield_us"] == y and r["median"] is not None), None)
            if r:
                # lateness can be 0 at a coarse clock; a log axis needs > 0
                rows.append((i, fmt(max(r["median"], 0.01)), fmt(max(r["min"], 0.01)), fmt(max(r["max"], 0.01))))
        files[f"fairness_{be}.csv"] = series(("idx", "median_us", "min_us", "max_us"), rows)

    # echo: requests/s and p99 latency vs connections, one series per server
    ec = t["echo"]
    eb = [b for b in cbdata.SERIES if any(r["backend"] == b for r in ec)]
    eb += sorted({r["backend"] for r in ec} - set(eb))
    files["echo_backends.txt"] = " ".join(eb) + "\n"
    files["echo_titles.txt"] = "".join(cbdata.label(b) + "\n" for b in eb)
    for be in eb:
        rows = sorted((r for r in ec if r["backend"] == be and r["median"] is not None and r["p99_ms"] is not None),
                      key=lambda r: r["connections"])
        files[f"echo_{be}.csv"] = series(
            ("connections", "rps_k", "rps_k_min", "rps_k_max", "p99_ms", "p99_ms_min", "p99_ms_max"),
            [(r["connections"], fmt(r["median"] / 1e3), fmt(r["min"] / 1e3), fmt(r["max"] / 1e3),
              fmt(r["p99_ms"]), fmt(r["p99_ms_min"]), fmt(r["p99_ms_max"])) for r in rows])

    for name, text in files.items():
        write_text(os.path.join(out, name), text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
