#!/usr/bin/env python3
"""benchdiff.py A B -- two runs' verdicts side by side, and their contradictions.

A and B are run directories (results/runs/<id>/), published results
directories (results/, data in ref/), or the word "ref" (the published
reference, results/ref/).  Both runs' verdicts are recomputed from their raw
data with the current code (report.verdict_list: every target, headline
ratio and claim, each with its 95% interval), so a difference comes from the
data, never from a change of rule between the runs.

A contradiction is a verdict that one run reaches and the other refutes (a
target met in one and missed in the other, a claim that holds in one and
does not in the other), or two intervals of the same ratio that do not
overlap.  Inconclusive verdicts are counted, not flagged: an interval that
straddles its line says the run could not tell, which no other run refutes.

A headline ratio is corobench against the best other system of its row;
when that system differs between the runs, the two ratios are different
ones and are shown, not set against each other.

Exit status: 0 no contradiction, 1 at least one, 2 bad input (one line).
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path[:0] = [HERE, os.path.join(HERE, "lib")]
import cbdata  # noqa: E402
import md  # noqa: E402
import rundir  # noqa: E402

# verdicts that refute each other
OPPOSED = ({"met", "missed"}, {"better", "worse"}, {"holds", "does not hold"},
           {"holds with caveats", "does not hold"})
INCONCLUSIVE = "inconclusive"


def resolve(d):
    """The directory a run argument names ("ref": the published results)."""
    return os.path.join(ROOT, "results") if d == "ref" else d


def verdicts_of(d):
    """{run_id, dir, verdicts} of a run, recomputed from its raw data."""
    import report
    import workloads
    d = resolve(d)
    if not os.path.isdir(d):
        raise cbdata.DataError(f"{d}: not a directory")
    _, env, points, _ = rundir.load(d)
    t = workloads.tables(points)
    return {"run_id": env.get("run_id"), "dir": d, "verdicts": report.verdict_list(t, points, env)}


def interval_text(v):
    if v is None:
        return "—"
    if v.get("estimate") is None:
        return v["verdict"]
    iv = "" if v.get("low") is None else f" [{v['low']:.3g}, {v['high']:.3g}]"
    vs = f" vs {v['vs']}" if v.get("vs") else ""
    return f"{v['estimate']:.3g}{iv}{vs}: {v['verdict']}"


def contradiction(a, b):
    """Why verdicts a and b of one id contradict each other, or None."""
    if a is None or b is None or a.get("vs") != b.get("vs"):
        return None  # a headline ratio against another system in each run: two different ratios
    if {a["verdict"], b["verdict"]} in OPPOSED:
        return f"{a['verdict']} against {b['verdict']}"
    if None not in (a.get("low"), a.get("high"), b.get("low"), b.get("high")):
        if a["high"] < b["low"] or b["high"] < a["low"]:
            return "intervals do not overlap"
    return None


def compare(va, vb):
    """{rows: [{id, a, b, contradiction}], contradictions: n, inconclusive: {a: n, b: n}}."""
    ia = {v["id"]: v for v in va}
    ib = {v["id"]: v for v in vb}
    ids = list(ia) + [k for k in ib if k not in ia]
    rows = [{"id": k, "a": ia.get(k), "b": ib.get(k), "contradiction": contradiction(ia.get(k), ib.get(k))}
            for k in ids]
    return {"rows": rows, "contradictions": sum(r["contradiction"] is not None for r in rows),
            "inconclusive": {"a": sum(v["verdict"] == INCONCLUSIVE for v in va),
                             "b": sum(v["verdict"] == INCONCLUSIVE for v in vb)}}


def cells(r):
    return [r["id"], interval_text(r["a"]), interval_text(r["b"]), r["contradiction"] or ""]


def summary(res, na, nb):
    return (f"{res['contradictions']} contradiction(s); inconclusive: {res['inconclusive']['a']} in {na}, "
            f"{res['inconclusive']['b']} in {nb}")


def markdown(res, na, nb):
    """The comparison as Markdown lines (the report's 'Against the previous reference' uses it)."""
    return (md.table(("verdict", f"{na}", f"{nb}", "contradiction"), [cells(r) for r in res["rows"]])
            + ["", summary(res, na, nb) + "."])


def table(res, na, nb):
    head = ["verdict", na, nb, "contradiction"]
    body = [cells(r) for r in res["rows"]]
    width = [max(len(str(x[i])) for x in [head] + body) for i in range(len(head))]
    lines = ["  ".join(str(x[i]).ljust(width[i]) for i in range(len(head))).rstrip() for x in [head] + body]
    return lines + [summary(res, na, nb)]


def main(argv=None):
    ap = argparse.ArgumentParser(description="Two runs' verdicts side by side; exit 1 on a contradiction.")
    ap.add_argument("a", help="a run directory, a published results directory, or 'ref'")
    ap.add_argument("b", help="the same, for the other run")
    ap.add_argument("--format", choices=("table", "markdown", "json"), default="table")
    a = ap.parse_args(argv)
    try:
        ra, rb = verdicts_of(a.a), verdicts_of(a.b)
    except cbdata.DataError as e:
        print(f"benchdiff: {e}", file=sys.stderr)
        return 2
    na, nb = f"A ({ra['run_id']})", f"B ({rb['run_id']})"
    res = compare(ra["verdicts"], rb["verdicts"])
    if a.format == "json":
        print(json.dumps({"a": {"run_id": ra["run_id"], "dir": ra["dir"]},
                          "b": {"run_id": rb["run_id"], "dir": rb["dir"]}} | res, indent=1))
    else:
        print("\n".join(markdown(res, na, nb) if a.format == "markdown" else table(res, na, nb)))
    return 1 if res["contradictions"] else 0


if __name__ == "__main__":
    sys.exit(main())
