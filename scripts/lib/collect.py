#!/usr/bin/env python3
"""collect.py RUN_DIR -- raw outputs of a run -> data/points.json + csv/*.csv.

bench.sh keeps each point's stdout, stderr and a meta file; this decides per
point whether it succeeded (and if not, why: hung, crashed, could not start,
reported an error) and writes the reduced tables of every workload module (scripts/workloads/).  Failed
points are data, kept with their error; a missing or malformed meta file or
env.json is a broken run and stops with the file's name and exit 1.
"""
import csv
import io
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]
import cbdata  # noqa: E402
import workloads  # noqa: E402
from atomic import write_json, write_text  # noqa: E402


def to_csv(cols, rows):
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(cols), extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in cols})
    return buf.getvalue()


def main():
    if len(sys.argv) != 2:
        print("usage: collect.py RUN_DIR", file=sys.stderr)
        return 2
    run = sys.argv[1]
    try:
        env = cbdata.load_json_file(os.path.join(run, "env.json"), "environment file")
        points, skipped = cbdata.read_raw(run)
        points = workloads.normalize(points)
    except cbdata.DataError as e:
        print(f"collect: {e}", file=sys.stderr)
        return 1
    write_json(os.path.join(run, "data", "points.json"),
               {"schema": "corobench-points/1", "run_id": env.get("run_id"), "points": points, "skipped": skipped})
    for name, (cols, rows) in workloads.tables(points).items():
        write_text(os.path.join(run, "csv", name + ".csv"), to_csv(cols, rows))
    nfail = sum(cbdata.failed(p) for p in points)
    nopt = sum(cbdata.skipped(p) for p in points)
    print(f"collect: {len(points)} points, {nfail} failed, {nopt} optional not supported -> "
          f"{run}/data/points.json, {run}/csv/", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
