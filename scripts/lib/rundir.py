"""rundir.py -- where a run's data lives, in a run directory or in results/.

A run directory (results/runs/<id>/) has env.json and data/points.json; a
published one (results/) has ref/env.json and ref/points.json beside its
plots/.  The report and the plots read either, so the published report can
be regenerated from the committed reference data alone.
"""
import os

import cbdata


class Layout:
    def __init__(self, d):
        self.dir = d
        self.published = not os.path.isfile(os.path.join(d, "data", "points.json")) and \
            os.path.isfile(os.path.join(d, "ref", "points.json"))
        base = os.path.join(d, "ref") if self.published else d
        self.env = os.path.join(base, "env.json")
        self.points = os.path.join(base, "points.json") if self.published else os.path.join(d, "data", "points.json")
        self.plots = os.path.join(d, "plots")
        # how the report names the data files, relative to itself
        self.points_rel = "ref/points.json" if self.published else "data/points.json"
        self.csv_rel = "ref/csv/" if self.published else "csv/"


def load(d):
    """(layout, env, points, skipped) of a run or published directory; DataError names a bad file."""
    lay = Layout(d)
    env = cbdata.load_json_file(lay.env, "environment file")
    data = cbdata.load_json_file(lay.points, "points file")
    if not isinstance(env, dict):
        raise cbdata.DataError(f"{lay.env}: malformed environment file (not an object)")
    pts = data.get("points") if isinstance(data, dict) else None
    if not isinstance(pts, list):
        raise cbdata.DataError(f"{lay.points}: malformed points file (no 'points' list)")
    for i, p in enumerate(pts):
        if not isinstance(p, dict) or not all(k in p for k in ("step", "point", "status", "tags", "kind")):
            raise cbdata.DataError(f"{lay.points}: malformed point #{i} (needs step, point, kind, status, tags)")
    return lay, env, pts, data.get("skipped") or []
