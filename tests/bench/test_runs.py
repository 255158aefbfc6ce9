#!/usr/bin/env python3
"""test_runs.py CBIN — --runs K on threads reports how many distinct output
orders K runs produced: a count in [1, K], the same checksum as coroutines
(same multiset of lines), and on the sequential program (whose two threads
run in parallel with no yield) the lines of A and of B each still count down
in order. Deliberately no assertion that threads produce MORE than one order:
on a quiet machine they may not, and a test must not depend on noise."""
import cbtest as t


class Runs(t.CbTest):
    def test_threads_count_distinct_orders(self):
        K = 20
        for prog in ("sequential", "concurrent", "queue"):
            with self.subTest(prog):
                args = [prog, "--n", "30", "--runs", str(K)]
                thr = self.run_json(args, "article", "threads")
                cor = self.run_json(args, "article", "coro")
                r = thr["results"]
                self.assertEqual(r["runs"], K)
                self.assertTrue(1 <= r["distinct_orders"] <= K, r["distinct_orders"])
                self.assertEqual(thr["checksum"], cor["checksum"])
                self.assertEqual(r["lines"], cor["results"]["lines"])

    def test_each_threads_lines_count_down(self):
        """Each thread's own lines stay in countdown order whatever the interleaving."""
        p = self.cb(["article", "sequential", "--n", "50", "--backend", "threads"])
        self.assertEqual(p.returncode, 0)
        for task in ("A", "B"):
            ks = [int(l.split()[1]) for l in p.stdout.splitlines() if l.split()[0] == task]
            self.assertEqual(ks, list(range(50, 0, -1)), task)

    def test_human_form_says_it_too(self):
        p = self.cb(["article", "concurrent", "--n", "10", "--runs", "3", "--backend", "threads"])
        self.assertEqual(p.returncode, 0)
        self.assertIn("distinct_orders", p.stdout)


if __name__ == "__main__":
    t.main()
