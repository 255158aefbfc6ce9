"""changepoint.py -- where did a metric's series shift? (E-Divisive means)

Method: Matteson & James' E-Divisive with binary segmentation, as MongoDB's
performance CI uses it. The split statistic is the energy distance between the
two sides (as scipy.stats.energy_distance defines it) weighted by n*m/(n+m); the best split
of a segment is kept when a permutation test says it is unlikely under "no
change". The permutations come from a fixed seed, so the same series always
gives the same answer (Hunter replaced the permutations by a t-test for that
reason; a seeded permutation keeps E-Divisive's freedom from assuming normal
data, which instruction counts, constant for long stretches, are not).

A series of identical values never splits: every permutation then scores the
same as the observed split and the p-value is 1.
"""
import random
import statistics

import numpy as np

ALPHA = 0.01  # a history has many series: few false alarms over all of them
PERMUTATIONS = 199  # p-value resolution 1/200
MIN_SIZE = 3        # fewest points on each side of a change
SEED = 20200301


def split_stats(xs, min_size=MIN_SIZE):
    """(ks, stats): every allowed split index k of xs and its statistic.

    The statistic is n*m/(n+m) times the squared energy distance of xs[:k]
    and xs[k:] (what scipy.stats.energy_distance returns, squared; the test
    checks they agree). All splits at once from prefix sums of the distance
    matrix: one split at a time through scipy costs O(n) calls per segment
    and permutation, too slow for a history of a few hundred commits."""
    x = np.asarray(xs, dtype=float)
    n = len(x)
    s = np.zeros((n + 1, n + 1))
    s[1:, 1:] = np.abs(x[:, None] - x[None, :]).cumsum(0).cumsum(1)
    k = np.arange(min_size, n - min_size + 1)
    m = n - k
    within_l = s[k, k]
    within_r = s[n, n] - s[k, n] - s[n, k] + s[k, k]
    cross = s[k, n] - s[k, k]
    e = 2 * cross / (k * m) - within_l / (k * k) - within_r / (m * m)
    return k, np.maximum(e, 0.0) * k * m / n


def best_split(xs, min_size=MIN_SIZE):
    """(index, statistic) of the strongest split of xs, or (None, 0.0); the
    first of equal maxima, so ties resolve the same way every time."""
    ks, st = split_stats(xs, min_size)
    if len(ks) == 0:
        return None, 0.0
    i = int(np.argmax(st))
    return int(ks[i]), float(st[i])


def _p_value(xs, observed, rng, permutations, min_size, alpha):
    """Permutation p-value of the observed best split. Stops as soon as the
    answer cannot fall below alpha any more (a series without a change then
    costs a few permutations, not all of them); the p reported then is a
    lower bound above alpha, which is all the caller uses."""
    hits = 0
    ys = list(xs)
    for i in range(permutations):
        rng.shuffle(ys)
        if best_split(ys, min_size)[1] >= observed * (1 - 1e-9):
            hits += 1
            if (hits + 1) / (permutations + 1) > alpha:
                return (hits + 1) / (i + 2)
    return (hits + 1) / (permutations + 1)


def detect(values, alpha=ALPHA, permutations=PERMUTATIONS, min_size=MIN_SIZE, seed=SEED):
    """Change points of values: sorted list of dicts
    {index, before, after, change_pct, p}; index is the first point after the shift,
    before/after the medians of the neighbouring segments."""
    xs = [float(v) for v in values]
    rng = random.Random(seed)
    cuts = []
    pending = [(0, len(xs))]
    while pending:
        lo, hi = pending.pop(0)
        seg = xs[lo:hi]
        if len(seg) < 2 * min_size:
            continue
        k, stat = best_split(seg, min_size)
        if k is None or stat <= 0:
            continue
        p = _p_value(seg, stat, rng, permutations, min_size, alpha)
        if p > alpha:
            continue
        cuts.append((lo + k, p))
        pending += [(lo, lo + k), (lo + k, hi)]
    return _describe(xs, sorted(cuts))


def _describe(xs, cuts):
    bounds = [0] + [c for c, _ in cuts] + [len(xs)]
    out = []
    for i, (c, p) in enumerate(cuts):
        before = statistics.median(xs[bounds[i]:c])
        after = statistics.median(xs[c:bounds[i + 2]])
        pct = None if before == 0 else (after - before) / abs(before) * 100
        out.append({"index": c, "before": before, "after": after, "change_pct": pct, "p": p})
    return out
