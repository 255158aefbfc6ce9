"""test_cxx20.py <corobench-cxx20> <corobench> — the C++20 stackless peer end
to end: the smallest case of each workload prints one valid JSON result with
status ok and corobench's checksum; the article's programs print exactly what
corobench's coroutines print, line for line (corobench's own tests tie those
to asyncio's); skynet's sum on small trees; bad options exit 2 with one line
naming the option. Exit 77 when the peer was not built (no C++20 compiler)."""
import sys

import peercase as PC

WORKLOADS = ("switch", "spawn", "prodcons", "cpubound", "article")
ARTICLE = [[p, "--n", str(n)] for p in ("sequential", "concurrent") for n in (1, 6, 25)]
ARTICLE += [["queue", "--n", str(n), "--capacity", str(c)] for n in (1, 6, 25) for c in (0, 1, 2, 5)]


class Cxx20(PC.PeerCase):
    backend = "cxx20"

    def test_small_cases(self):
        self.check_small(WORKLOADS)

    def test_article_identical(self):
        if not self.corobench:
            self.skipTest("corobench not built")
        for args in ARTICLE:
            with self.subTest(args=args):
                got, want = self.article_outputs(args)
                self.assertEqual(got, want)

    def test_skynet(self):
        self.check_skynet(3, 10)
        obj = self.check_skynet(2, 3)
        self.assertEqual(obj["results"]["frames"], 13)  # one frame per task, nothing else

    def test_frame_size(self):
        r = self.run_json("spawn", ["--n", "10", "--alive"], "spawn-alive")["results"]
        self.assertGreater(r["frame_bytes"], 0)
        self.assertGreaterEqual(r["frame_alloc_bytes"], r["frame_bytes"])
        self.assertEqual(r["tasks_reached"], 10)
        self.assertIsNone(r["limit_error"])

    def test_bad_input(self):
        self.check_bad(WORKLOADS + ("skynet",))


def setup(args):
    PC.PeerCase.cmd = [PC.executable(args[0])] if PC.executable(args[0]) else None
    PC.PeerCase.corobench = PC.executable(args[1])
    return None if PC.PeerCase.cmd else f"{args[0]} not built (no C++20 compiler)"


if __name__ == "__main__":
    sys.exit(PC.main(__doc__.splitlines()[0], 2, setup))
