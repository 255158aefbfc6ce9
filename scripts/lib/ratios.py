"""ratios.py -- ratios between two systems measured at the same point.

The runner measures the systems of a point back to back in every repetition,
so a ratio pairs the runs of one repetition: a noisy moment of the shared
machine then hits both sides of a pair.  Rows carry {repetition: value} in
"by_rep" (and CPUs kept busy in "busy_by_rep").
"""
import cbdata


def pairs(a, b):
    """a/b within each repetition that measured both."""
    ra, rb = a.get("by_rep") or {}, b.get("by_rep") or {}
    return [ra[k] / rb[k] for k in sorted(ra) if k in rb and rb[k]]


def paired_ratio(a, b):
    """a against b at one point: the median of pairs(a, b); the ratio of the
    medians when no repetition has both."""
    s = cbdata.stats(pairs(a, b))
    return s["median"] if s else a["median"] / b["median"]


def spread(a, b, target):
    """' (pairs lo..hi; k of n at least target)' for a ratio target: how far
    the run's own pairs agree with the verdict their median gives."""
    ps = pairs(a, b)
    if len(ps) < 2:
        return ""
    k = sum(x >= target for x in ps)
    return f" (pairs {min(ps):.3g}..{max(ps):.3g}; {k} of {len(ps)} at least {target:g}×)"


def split_ratio(a, b):
    """a/b's throughput ratio as (CPU kept busy) x (work per CPU second):
    within a repetition a/b = (busy_a/busy_b) x (b's CPU time / a's) for
    the same work, exactly; the medians of both factors over the repetitions
    (their product is close to, not exactly, the paired median). None
    without pairs that have both."""
    ta, tb = a.get("by_rep") or {}, b.get("by_rep") or {}
    ba, bb = a.get("busy_by_rep") or {}, b.get("busy_by_rep") or {}
    ks = [k for k in ta if k in tb and k in ba and k in bb and tb[k] and bb[k] and ba[k]]
    if not ks:
        return None
    busy = [ba[k] / bb[k] for k in ks]
    eff = [(ta[k] / tb[k]) / x for k, x in zip(ks, busy)]
    return cbdata.stats(busy)["median"], cbdata.stats(eff)["median"]
