"""linfit.py -- time = a + b x work, fitted by least squares, with 95% intervals.

Why a fit and not a throughput ratio: a run of W steps split over T tasks
costs a fixed amount per task (waking it, allocating and first touching its
working set, its exit and join) plus a cost per step.  Throughput at one W
mixes the two, so a drop with T cannot tell a slower step (what context
switching and cache thrash would do) from a larger fixed cost.  Running
several W at each T and fitting a line separates them, as criterion fits its
samples: b is the cost per step, a the fixed cost of the whole run.

The intervals are Student's t on the least-squares standard errors
(scipy.stats.linregress gives both); with two distinct works the line goes
through both points and has no interval.
"""
from scipy import stats as sps

from stats import CONFIDENCE, Interval


def _iv(est, se, n):
    if n < 3:
        return Interval(est, None, None, n, False)
    h = float(sps.t.ppf(0.5 + CONFIDENCE / 2, n - 2)) * se
    return Interval(est, est - h, est + h, n, False)


def fit(xs, ys):
    """(a, b) as two Intervals for ys = a + b * xs, or None with fewer than
    two distinct xs."""
    pts = [(float(x), float(y)) for x, y in zip(xs, ys) if x is not None and y is not None]
    if len({x for x, _ in pts}) < 2:
        return None
    r = sps.linregress([x for x, _ in pts], [y for _, y in pts])
    n = len(pts)
    return _iv(float(r.intercept), float(r.intercept_stderr), n), _iv(float(r.slope), float(r.stderr), n)


def scale(iv, k):
    """An Interval multiplied by k > 0 (a per-task cost from a whole run's)."""
    lo = None if iv.low is None else iv.low * k
    hi = None if iv.high is None else iv.high * k
    return Interval(iv.estimate * k, lo, hi, iv.n, iv.paired)
