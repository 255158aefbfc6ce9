"""pilot.py -- how many repetitions a step gets, from a pilot of that step.

Kalibera and Jones (Rigorous Benchmarking in Reasonable Time, ISMM 2013):
the repetitions a measurement needs depend on its own variation, which only a
measurement can tell; a count fixed in advance wastes time on quiet points
and leaves noisy ones with intervals too wide to decide anything.  So the
runner first runs a step's pilot, the mode's "reps" repetitions of every
point, interleaved as always.  From the pilot each point's robust coefficient
of variation (1.4826 MAD / median, which a single outlier cannot inflate)
gives the repetitions its median needs for a 95% interval within +-TARGET of
it: n = (z * 1.2533 * cv / TARGET)^2, 1.2533 being the median's standard
error over the mean's for normal data.

Why one count per step, not per point: the report's ratios pair the
repetitions of two systems of the same step (ratios.py); a point with more
repetitions than the point it is compared with adds nothing to their ratio,
and rounds of a few points only would no longer interleave the systems.  So
the step runs further rounds of all its points, as many as the QUANTILE of
its points' needs asks (the noisiest few points should not buy every point a
round), up to the mode's max_reps and while the step's time budget lasts,
judged from the pilot's own time per round.  The decision, with its reasons,
is kept in the run's env.json ("repetitions") and stated in the report.
"""
import math

import numpy as np

TARGET = 0.05  # the wanted half-width of a median's 95% interval, relative
Z = 1.96
MEDIAN_SE = 1.2533  # standard error of a median / of a mean, normal data
QUANTILE = 0.75


def robust_cv(values):
    """1.4826 * MAD / median of positive values; None with fewer than three."""
    v = np.asarray([float(x) for x in values if isinstance(x, (int, float)) and math.isfinite(x)])
    if len(v) < 3 or np.median(v) <= 0:
        return None
    med = float(np.median(v))
    return 1.4826 * float(np.median(np.abs(v - med))) / med


def need(values, target=TARGET):
    """Repetitions for a median's 95% interval within +-target, from a pilot's values; None: cannot tell."""
    cv = robust_cv(values)
    if cv is None:
        return None
    return max(1, math.ceil((Z * MEDIAN_SE * cv / target) ** 2))


def decide(values_by_point, pilot, max_reps, round_s, budget_s):
    """The step's repetitions in all, and why: a dict for reps.json.

    values_by_point: {point: [pilot values]}; pilot: repetitions already run;
    max_reps: the most the mode allows; round_s: the pilot's seconds per
    round of all points; budget_s: the step's whole time budget (pilot included)."""
    cvs = {k: robust_cv(v) for k, v in values_by_point.items()}
    needs = sorted(n for n in (need(v) for v in values_by_point.values()) if n is not None)
    wanted = int(needs[min(len(needs) - 1, int(QUANTILE * len(needs)))]) if needs else pilot
    afford = pilot + (int(max(budget_s - pilot * round_s, 0) // round_s) if round_s > 0 else 0)
    reps = max(pilot, min(wanted, max_reps, afford))
    limit = "enough" if reps >= wanted else "max_reps" if max_reps <= afford else "budget"
    noisy = max(((k, c) for k, c in cvs.items() if c is not None), key=lambda kc: kc[1], default=(None, None))
    return {"pilot": pilot, "reps": reps, "wanted": wanted, "max_reps": max_reps, "limited_by": limit,
            "round_s": round(round_s, 2), "budget_s": budget_s, "target": TARGET, "quantile": QUANTILE,
            "points": len(values_by_point), "measured": len(needs),
            "noisiest": noisy[0], "noisiest_cv": None if noisy[1] is None else round(noisy[1], 4)}
