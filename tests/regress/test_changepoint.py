#!/usr/bin/env python3
"""Tests the change-point detection of the history (scripts/lib/changepoint.py).

Why: a reported shift sends someone hunting through commits, so a flat or a
noisy-but-stable series must report none, a real step must be found at the
right commit with the right size, and the same series must always give the
same answer (fixed seed).
"""
import os
import random
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rgtest  # noqa: E402

sys.path.insert(0, os.path.join(rgtest.SCRIPTS, "lib"))


class ChangePoints(unittest.TestCase):
    def setUp(self):
        try:
            import changepoint
        except ImportError as e:
            self.skipTest(f"numpy is not importable by {sys.executable}: {e}")
        self.cp = changepoint

    def test_statistic_is_scipys_energy_distance(self):
        try:
            from scipy.stats import energy_distance
        except ImportError:
            self.skipTest("scipy is not importable (Debian python3-scipy)")
        rng = random.Random(3)
        xs = [rng.gauss(10, 2) for _ in range(30)]
        ks, stats = self.cp.split_stats(xs)
        for k, s in zip(ks, stats):
            n, m = k, len(xs) - k
            want = energy_distance(xs[:k], xs[k:]) ** 2 * n * m / (n + m)
            self.assertAlmostEqual(s, want, places=9)

    def test_flat_series_has_no_change(self):
        self.assertEqual(self.cp.detect([73.0] * 30), [])

    def test_stable_noise_has_no_change(self):
        rng = random.Random(7)
        self.assertEqual(self.cp.detect([1.0 + rng.gauss(0, 0.05) for _ in range(60)]), [])

    def test_step_is_found_where_and_how_much(self):
        found = self.cp.detect([73.0] * 9 + [76.0] * 9)
        self.assertEqual(len(found), 1)
        self.assertEqual(found[0]["index"], 9)
        self.assertEqual((found[0]["before"], found[0]["after"]), (73.0, 76.0))
        self.assertAlmostEqual(found[0]["change_pct"], 3 / 73 * 100)
        self.assertLessEqual(found[0]["p"], self.cp.ALPHA)

    def test_two_steps_in_noise(self):
        rng = random.Random(11)
        xs = [100 + rng.gauss(0, 1) for _ in range(20)] + [110 + rng.gauss(0, 1)
                                                          for _ in range(20)]
        xs += [104 + rng.gauss(0, 1) for _ in range(20)]
        self.assertEqual([c["index"] for c in self.cp.detect(xs)], [20, 40])

    def test_deterministic(self):
        rng = random.Random(5)
        xs = [rng.gauss(0, 1) + (0.8 if i > 25 else 0) for i in range(50)]
        self.assertEqual(self.cp.detect(xs), self.cp.detect(xs))

    def test_too_short_to_tell(self):
        # 3 + 3 points: 20 distinct splits, p can never reach 0.01
        self.assertEqual(self.cp.detect([1.0, 1.0, 1.0, 2.0, 2.0, 2.0]), [])
        self.assertEqual(self.cp.detect([]), [])


if __name__ == "__main__":
    rgtest.main()
