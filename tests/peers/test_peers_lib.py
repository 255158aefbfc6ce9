"""test_peers_lib.py <builddir> — scripts/lib/peers.py's library on a made-up
manifest: a variant takes what it does not set from its peer (but not the
label or the workloads), a command line is `env COROBENCH_COMMIT=.. [env]
run <caller's args> <peer's args>` with the templates filled in, an
undeclared workload is refused, and available() says why a peer cannot run
(toolchain missing, program not built, probe not answering).
"""
import json
import os
import tempfile
import unittest

import peertest as T

P = T.peers
MISSING_TOOL = "no-such-tool-for-corobench-tests"
FAKE = {
    "families": {"stackful": "s", "stackless": "l"},
    "builds": {"b": {"kind": "command", "tool": "cc", "output": "b/prog", "sources": ["*.c"],
                     "toolchain": [{"need": MISSING_TOOL, "package": "pkg-b"}]}},
    "peers": [
        {"name": "base", "label": "Base", "family": "stackful", "workers": 1, "build": "b",
         "run": ["{bin}/b/prog", "{workload}"], "args": ["--procs", "1"],
         "env": {"K": "v"}, "workloads": {"switch": {}, "spawn": {"rejects": ["--alive"]}}},
        {"name": "var", "variant_of": "base", "label": "Variant", "workers": 2,
         "args": ["--procs", "2"], "workloads": {"prodcons": {}}},
        {"name": "script", "label": "Script", "family": "stackless", "workers": 1,
         "toolchain": [{"need": "sh", "package": "dash"}],
         "run": ["{python}", "{source}/no-such-script.py", "{workload}"],
         "workloads": {"switch": {}}},
        {"name": "probed", "label": "Probed", "family": "stackful", "workers": 1,
         "run": ["sh", "{workload}"], "probe": {"run": ["sh", "-c", "echo hello"], "says": "bye"},
         "workloads": {"switch": {}, "article": {"run": ["sh", "art"], "args": ["--x"]}}},
    ],
}


class Library(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        cls.path = os.path.join(cls.dir.name, "manifest.json")
        with open(cls.path, "w") as f:
            json.dump(FAKE, f)

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def test_variant(self):
        v = P.peer("var", self.path)
        self.assertEqual((v["label"], v["workers"], v["args"]), ("Variant", 2, ["--procs", "2"]))
        self.assertEqual((v["run"], v["env"], v["build"]), (FAKE["peers"][0]["run"], {"K": "v"}, "b"))
        self.assertEqual(list(v["workloads"]), ["prodcons"])

    def test_argv(self):
        cmd = P.argv("/B", "var", "prodcons", ["--items", "5"], path=self.path)
        self.assertEqual(cmd[0], "env")
        self.assertTrue(cmd[1].startswith("COROBENCH_COMMIT="))
        self.assertEqual(cmd[2:], ["K=v", "/B/bench/peers/b/prog", "prodcons", "--items", "5",
                                   "--procs", "2"])
        self.assertEqual(P.argv("/B", "script", "switch", [], path=self.path)[-2:],
                         [os.path.join(P.SOURCE, "no-such-script.py"), "switch"])
        self.assertEqual(P.argv("/B", "probed", "article", ["q"], path=self.path)[-3:],
                         ["art", "q", "--x"])
        with self.assertRaises(ValueError):
            P.argv("/B", "var", "switch", [], path=self.path)

    def test_caps_lower_an_option(self):
        self.assertEqual(P._capped(["--n", "100000", "--alive"], {"--n": 1000}), ["--n", "1000", "--alive"])
        self.assertEqual(P._capped(["--n", "50"], {"--n": 1000}), ["--n", "50"])
        self.assertEqual(P._capped(["--items", "9"], {"--n": 1}), ["--items", "9"])
        overflow = str(1 << 64)  # bad input, left for the peer to refuse (exit 2)
        self.assertEqual(P._capped(["--items", overflow], {"--items": 9}), ["--items", overflow])

    def test_available_says_why(self):
        why = P.available(T.BUILD, self.path)
        self.assertIn(MISSING_TOOL, why["base"])
        self.assertIn("pkg-b", why["base"])
        self.assertIn("no-such-script.py", why["script"])
        self.assertIn("bye", why["probed"])

    def test_packages_and_checks(self):
        self.assertEqual(P.checks(self.path), [(MISSING_TOOL, "pkg-b"), ("sh", "dash")])
        self.assertEqual(P.packages(self.path), ["pkg-b", "dash"])

    def test_have(self):
        self.assertTrue(P.have("sh"))
        self.assertTrue(P.have("/"))
        self.assertFalse(P.have(MISSING_TOOL))
        self.assertFalse(P.have("/no/such/path"))
        self.assertFalse(P.have("libno_such_library_for_corobench.so"))
        if P.have("cc"):
            self.assertTrue(P.have("libc.so"))


if __name__ == "__main__":
    T.main("test_peers_lib.py <builddir>")
