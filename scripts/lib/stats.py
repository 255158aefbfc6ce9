"""stats.py -- intervals, tests and three-valued verdicts for the report.

Every ratio the report states compares two systems measured in the same run,
repetition by repetition, back to back (A B A B ...).  A median alone moves
from run to run on a shared machine, so a verdict that rests on it reads
"met" in one run and "missed" in the next.  This module gives each ratio a
95% confidence interval and turns it into one of three verdicts:

- met: the interval lies wholly on the right side of the line;
- missed: it lies wholly on the wrong side;
- inconclusive: it straddles the line.

Why a bootstrap of the ratio of medians (Kalibera and Jones, "Rigorous
Benchmarking in Reasonable Time", ISMM 2013): run times are skewed and few,
so an interval from a normal approximation would be wrong in both width and
place.  When the two samples come in pairs (the same repetition measured
both), the pairs are resampled together, which keeps what the two runs of a
pair shared (the machine's state of the moment).  The percentile method is
used because with five to ten repetitions BCa's acceleration estimate is
itself noise and can fail on ties.

Why a fixed seed: the report is a function of its data; the same data must
give the same report, byte for byte.

scipy.stats does the work (bootstrap, mannwhitneyu, median_abs_deviation);
it comes from Debian's python3-scipy, which only Debian's interpreter sees
(the Makefile's PYTHON).
"""
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

CONFIDENCE = 0.95
RESAMPLES = 4999
SEED = 20200301
# hyperfine's outlier rule: a modified Z-score, (x - median) / MAD, beyond
# ten standard deviations' worth of MAD (1.4826 converts a MAD to a standard
# deviation for normal data).
OUTLIER_Z = 1.4826 * 10

MET, MISSED, INCONCLUSIVE = "met", "missed", "inconclusive"


@dataclass(frozen=True)
class Interval:
    """A point estimate with its confidence interval; low/high are None when
    the samples are too small to give one (fewer than two values)."""

    estimate: float
    low: float | None
    high: float | None
    n: int
    paired: bool

    def text(self, fmt="{:.3g}", unit=""):
        """'3.05 [2.9, 3.2]×', or '3.05× (no interval: 1 repetition)'."""
        est = fmt.format(self.estimate)
        if self.low is None:
            return f"{est}{unit} (no interval: {self.n} repetition{'s' if self.n != 1 else ''})"
        return f"{est} [{fmt.format(self.low)}, {fmt.format(self.high)}]{unit}"


def _clean(values):
    return np.asarray([float(v) for v in values if isinstance(v, (int, float)) and np.isfinite(v)])


def _ratio_of_medians(x, y, axis=-1):
    return np.median(x, axis=axis) / np.median(y, axis=axis)


def _bootstrap(data, paired):
    res = sps.bootstrap(data, _ratio_of_medians, paired=paired, vectorized=True,
                        confidence_level=CONFIDENCE, n_resamples=RESAMPLES, method="percentile",
                        random_state=np.random.default_rng(SEED))
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def ratio_interval(a, b):
    """median(a) / median(b) with its bootstrap interval.

    a and b are either two lists of values (unpaired) or two dicts keyed by
    repetition; with dicts, the repetitions both measured are resampled as
    pairs.  None when either side has no positive median.
    """
    paired = isinstance(a, dict) and isinstance(b, dict)
    if paired:
        keys = sorted(k for k in a if k in b)
        x, y = _clean(a[k] for k in keys), _clean(b[k] for k in keys)
        paired = len(x) == len(keys) and len(y) == len(keys) and len(keys) >= 2
        if not paired:
            x, y = _clean(a.values()), _clean(b.values())
    else:
        x, y = _clean(a), _clean(b)
    if not len(x) or not len(y) or np.median(y) <= 0 or np.median(x) < 0:
        return None
    est = float(_ratio_of_medians(x, y))
    n = min(len(x), len(y))
    if n < 2 or (np.ptp(x) == 0 and np.ptp(y) == 0):
        lo = hi = est if n >= 2 else None
        return Interval(est, lo, hi, n, paired)
    lo, hi = _bootstrap((x, y), paired)
    return Interval(est, lo, hi, n, paired)


def invert(iv):
    """The interval of 1 / ratio (for 'lower is better' metrics)."""
    if iv is None:
        return None
    lo = None if iv.high is None else 1.0 / iv.high
    hi = None if iv.low is None else 1.0 / iv.low
    return Interval(1.0 / iv.estimate, lo, hi, iv.n, iv.paired)


def mann_whitney_p(a, b):
    """Two-sided Mann-Whitney U p-value of two samples (as Google Benchmark's
    compare.py reports it); None with fewer than two values on a side."""
    x, y = _clean(a), _clean(b)
    if len(x) < 2 or len(y) < 2:
        return None
    return float(sps.mannwhitneyu(x, y, alternative="two-sided").pvalue)


def verdict(iv, line, want="at_least"):
    """met / missed / inconclusive for 'ratio at least line' (want='at_least')
    or 'ratio at most line' (want='at_most'), from the interval, never from
    the estimate alone.  No interval (one repetition) is inconclusive."""
    if iv is None or iv.low is None:
        return INCONCLUSIVE
    if want == "at_least":
        return MET if iv.low >= line else MISSED if iv.high < line else INCONCLUSIVE
    if want == "at_most":
        return MET if iv.high <= line else MISSED if iv.low > line else INCONCLUSIVE
    raise ValueError(f"verdict: unknown direction {want!r}")


def outliers(values):
    """Indexes of the values whose modified Z-score is beyond OUTLIER_Z."""
    x = _clean(values)
    if len(x) < 3:
        return []
    # a floor on the MAD: results rounded to whole units (bytes per task)
    # tie, and with a MAD of 0 a one-unit difference would be an outlier
    mad = max(float(sps.median_abs_deviation(x)), 1e-3 * abs(float(np.median(x))), np.finfo(float).tiny)
    z = (x - np.median(x)) / mad
    return [i for i, s in enumerate(z) if abs(s) > OUTLIER_Z]


NOT_COMPARABLE, NOT_MEASURED = "not comparable", "not measured"
TARGET_VERDICTS = (MET, MISSED, INCONCLUSIVE, NOT_COMPARABLE, NOT_MEASURED)


def target(section, name, iv, line, want="at_least", why=None, fmt="{:.3g}", unit="×"):
    """One row of the report's targets, as every module's TARGETS returns it.

    iv is the Interval of the measured ratio (or quantity) and line the
    target's threshold; the verdict comes from verdict().  With iv None the
    row is "not measured", or "not comparable" when why says what could not
    be compared (for example: threads could not hold the connections, so
    there is nothing to set the coroutines against).  why is printed with the
    row either way.
    """
    if iv is None:
        v = NOT_COMPARABLE if why else NOT_MEASURED
        measured = why or "not measured in this run"
    else:
        v = verdict(iv, line, want)
        measured = iv.text(fmt) + unit + (f"; {why}" if why else "")
    return {"section": section, "target": name, "measured": measured, "verdict": v, "interval": iv,
            "line": line, "want": want, "why": why}
