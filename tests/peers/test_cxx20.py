"""test_cxx20.py <builddir> <corobench> — what the C++20 stackless peer
promises beyond test_peer.py's generic checks: the article's programs print
exactly what corobench's coroutines print, line for line (and corobench's
match asyncio's, test_article_same.py); skynet's sum on small trees, one
frame per task; the frame size is reported with --alive."""
import peercase as PC
import peertest as T

ARTICLE = [[p, "--n", str(n)] for p in ("sequential", "concurrent") for n in (1, 6, 25)]
ARTICLE += [["queue", "--n", str(n), "--capacity", str(c)] for n in (1, 6, 25) for c in (0, 1, 2, 5)]


class Cxx20(PC.PeerCase):
    name = "cxx20"

    def test_article_identical(self):
        for args in ARTICLE:
            with self.subTest(args=args):
                got, want = self.article_outputs(args)
                self.assertEqual(got, want)

    def test_skynet(self):
        self.check_skynet(3, 10)
        obj = self.check_skynet(2, 3)
        self.assertEqual(obj["results"]["frames"], 13)  # one frame per task, nothing else

    def test_frame_size(self):
        r = self.run_json("spawn", ["--n", "10", "--alive"])["results"]
        self.assertGreater(r["frame_bytes"], 0)
        self.assertGreaterEqual(r["frame_alloc_bytes"], r["frame_bytes"])
        self.assertEqual((r["tasks_reached"], r["limit_error"]), (10, None))


if __name__ == "__main__":
    T.main("test_cxx20.py <builddir> <corobench>")
