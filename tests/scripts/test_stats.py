#!/usr/bin/env python3
"""Tests of scripts/lib/stats.py: intervals, p-values, verdicts and outliers
on cases whose answers are known."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "lib"))
try:
    import stats  # noqa: E402
except ImportError as e:  # scipy missing: say so, let ctest count a skip
    print(f"test_stats: cannot import stats ({e}); skipped", file=sys.stderr)
    sys.exit(77)


class RatioInterval(unittest.TestCase):
    def test_constant_samples_give_a_point(self):
        iv = stats.ratio_interval([2.0] * 5, [1.0] * 5)
        self.assertEqual((iv.estimate, iv.low, iv.high), (2.0, 2.0, 2.0))

    def test_interval_contains_the_estimate_and_is_deterministic(self):
        a = [10.2, 9.8, 10.5, 9.9, 10.1, 10.4, 9.7]
        b = [5.1, 4.9, 5.3, 5.0, 4.8, 5.2, 5.05]
        one, two = stats.ratio_interval(a, b), stats.ratio_interval(a, b)
        self.assertEqual(one, two)  # fixed seed: same data, same interval
        self.assertLessEqual(one.low, one.estimate)
        self.assertLessEqual(one.estimate, one.high)
        self.assertGreater(one.low, 1.5)
        self.assertLess(one.high, 2.5)

    def test_paired_resampling_keeps_what_a_pair_shared(self):
        # each repetition moves both systems together (load); the ratio is
        # exactly 2 within every pair, so the paired interval is a point,
        # while unpaired resampling mixes slow and fast repetitions
        a = {1: 2.0, 2: 20.0, 3: 4.0, 4: 40.0, 5: 8.0}
        b = {k: v / 2 for k, v in a.items()}
        paired = stats.ratio_interval(a, b)
        unpaired = stats.ratio_interval(list(a.values()), list(b.values()))
        self.assertTrue(paired.paired)
        self.assertAlmostEqual(paired.low, 2.0)
        self.assertAlmostEqual(paired.high, 2.0)
        self.assertGreater(unpaired.high - unpaired.low, 1.0)

    def test_one_repetition_has_no_interval(self):
        iv = stats.ratio_interval([3.0], [1.0])
        self.assertIsNone(iv.low)
        self.assertIn("no interval", iv.text())
        self.assertEqual(iv.text(unit="×"), "3× (no interval: 1 repetition)", "the unit stays with its number")
        self.assertEqual(stats.verdict(iv, 2), stats.INCONCLUSIVE)
        self.assertEqual(stats.Interval(3.0, 2.5, 3.5, 5, True).text(unit="×"), "3 [2.5, 3.5]×")

    def test_unusable_input(self):
        self.assertIsNone(stats.ratio_interval([], [1.0]))
        self.assertIsNone(stats.ratio_interval([1.0], [0.0]))
        self.assertIsNone(stats.ratio_interval([None, "x"], [1.0]))

    def test_invert(self):
        iv = stats.invert(stats.Interval(4.0, 2.0, 8.0, 5, True))
        self.assertEqual((iv.estimate, iv.low, iv.high), (0.25, 0.125, 0.5))


class Verdicts(unittest.TestCase):
    def iv(self, lo, hi):
        return stats.Interval((lo + hi) / 2, lo, hi, 5, True)

    def test_at_least(self):
        self.assertEqual(stats.verdict(self.iv(2.1, 2.5), 2), stats.MET)
        self.assertEqual(stats.verdict(self.iv(1.5, 1.9), 2), stats.MISSED)
        self.assertEqual(stats.verdict(self.iv(1.9, 2.1), 2), stats.INCONCLUSIVE)

    def test_at_most(self):
        self.assertEqual(stats.verdict(self.iv(0.1, 0.2), 0.25, "at_most"), stats.MET)
        self.assertEqual(stats.verdict(self.iv(0.3, 0.4), 0.25, "at_most"), stats.MISSED)
        self.assertEqual(stats.verdict(self.iv(0.2, 0.3), 0.25, "at_most"), stats.INCONCLUSIVE)

    def test_bad_direction(self):
        with self.assertRaises(ValueError):
            stats.verdict(self.iv(1, 2), 1, "sideways")


class MannWhitney(unittest.TestCase):
    def test_separated_samples(self):
        # exact two-sided test, 5 against 5, no overlap: 2 / C(10, 5) = 2/252
        p = stats.mann_whitney_p([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])
        self.assertAlmostEqual(p, 2 / 252, places=6)

    def test_identical_samples(self):
        self.assertGreater(stats.mann_whitney_p([1, 2, 3, 4], [1, 2, 3, 4]), 0.5)

    def test_too_few(self):
        self.assertIsNone(stats.mann_whitney_p([1], [2, 3]))


class Outliers(unittest.TestCase):
    # the cases hyperfine's own tests use for the same rule
    def test_none_in_small_or_tight_samples(self):
        self.assertEqual(stats.outliers([]), [])
        self.assertEqual(stats.outliers([1000.0, 0.0]), [])
        self.assertEqual(stats.outliers([-0.2, 0.0, 0.2]), [])

    def test_one_outlier(self):
        self.assertEqual(stats.outliers([-0.2, 0.0, 0.2, 4.0]), [3])
        self.assertEqual(stats.outliers([0.5, 0.30, 0.29, 0.31, 0.30]), [0])

    def test_zero_mad(self):
        self.assertEqual(stats.outliers([10.0] * 7 + [100.0]), [7])


if __name__ == "__main__":
    unittest.main()
