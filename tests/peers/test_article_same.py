"""test_article_same.py <builddir> <corobench> — the article's three programs
on Python asyncio (the article's own runtime) print exactly, byte for byte,
what corobench's coroutine backend prints for the same --n and --capacity:
corobench's scheduler has asyncio's semantics, checked against asyncio itself.
Skipped (77) when the asyncio peer or corobench is not available.
"""
import os
import subprocess
import unittest

import peertest as T

CASES = [[p, "--n", str(n)] for p in ("sequential", "concurrent") for n in (1, 6, 25)]
CASES += [["queue", "--n", str(n)] + (["--capacity", str(c)] if c is not None else [])
          for n in (1, 6, 25) for c in (None, 1, 2, 5)]


class ArticleSameAsAsyncio(unittest.TestCase):
    def setUp(self):
        self.corobench = T.ARGS[0] if T.ARGS else ""
        if not os.access(self.corobench, os.X_OK):
            self.skipTest(f"corobench not built: {self.corobench!r}")
        why = T.peers.available(T.BUILD)["asyncio"]
        if why:
            self.skipTest(f"the asyncio peer is not available: {why}")

    def test_outputs_identical(self):
        for args in CASES:
            with self.subTest(args=" ".join(args)):
                a = T.run("asyncio", "article", args)
                c = subprocess.run([self.corobench, "article"] + args + ["--backend", "coro"],
                                   capture_output=True, text=True, timeout=60)
                self.assertEqual((a.returncode, c.returncode), (0, 0), a.stderr + c.stderr)
                self.assertNotEqual(a.stdout, "", "empty output")
                self.assertEqual(a.stdout, c.stdout)


if __name__ == "__main__":
    T.main("test_article_same.py <builddir> <corobench>")
