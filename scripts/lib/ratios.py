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



def samples(row):
    """What stats.ratio_interval takes for a row: its {repetition: value}, or
    its list of samples (rows that keep no repetition numbers)."""
    if row.get("by_rep"):
        return row["by_rep"]
    return list(row.get("samples") or [])


def values(row):
    s = samples(row)
    return list(s.values()) if isinstance(s, dict) else s


def interval(a, b, better="higher"):
    """How many times better row a is than row b, with its 95% interval:
    median(a)/median(b) when higher is better, median(b)/median(a) when
    lower is.  Pairs repetitions only when both rows come from one step
    (the runner measures a step's systems back to back within a
    repetition; a peers-step repetition is not the same moment as a
    switch-step one).  None when either side has no samples."""
    import stats
    same = a.get("step") is not None and a.get("step") == b.get("step")
    sa, sb = (samples(a), samples(b)) if same else (values(a), values(b))
    return stats.ratio_interval(sa, sb) if better == "higher" else stats.ratio_interval(sb, sa)


def p_value(a, b):
    """Mann-Whitney U p of two rows' samples (None with fewer than two a side)."""
    import stats
    return stats.mann_whitney_p(values(a), values(b))


def ci_text(iv, p=None, unit="×"):
    """'3.05× [2.9, 3.2], p = 0.008' for the report: estimate, 95% interval, Mann-Whitney p."""
    if iv is None:
        return "—"
    return iv.text(unit=unit) + ("" if p is None else f", p = {p:.2g}")


def p_text(a, b):
    """', Mann-Whitney p = 0.008' for two rows, or '' without enough samples."""
    p = p_value(a, b)
    return "" if p is None else f", Mann-Whitney p = {p:.2g}"
