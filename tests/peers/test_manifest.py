"""test_manifest.py <builddir> <corobench> built|not-built — bench/peers/manifest.json holds
together: every peer has a name (once), a label, a known family, a command, a
build that exists, workloads that corobench knows; every toolchain entry names
a Debian package; every build whose toolchain is on this machine was built
where peers.py looks for it (CMake and peers.py read the same entry), in a
build that configured bench/peers/ ("built"; else that test is skipped).
"""
import os
import subprocess
import unittest

import peertest as T

KINDS = ("command", "cxx")  # the build kinds bench/peers/CMakeLists.txt knows


# Workloads peers declare before corobench's CLI has them (skynet: the public
# cross-language benchmark, added to the peers first).
PEERS_FIRST = set()


class Manifest(unittest.TestCase):
    def test_peers(self):
        peers, fams, builds = T.peers.load(), T.peers.families(), T.peers.builds()
        names = [p["name"] for p in peers]
        self.assertEqual(len(names), len(set(names)), f"names given twice: {names}")
        for p in peers:
            with self.subTest(peer=p["name"]):
                self.assertTrue(p.get("label"), "no label")
                self.assertIn(p.get("family"), fams)
                self.assertIsInstance(p.get("workers"), int)
                self.assertGreaterEqual(p["workers"], 1)
                self.assertTrue(p.get("run") and "{workload}" in " ".join(p["run"]),
                                "run needs a template with {workload}")
                self.assertTrue(p.get("workloads"), "no workloads")
                if p.get("build"):
                    self.assertIn(p["build"], builds)
                if p.get("variant_of"):
                    self.assertLess(names.index(p["variant_of"]), names.index(p["name"]))
                for t in T.peers.toolchain(p):
                    self.assertTrue(all(t), f"toolchain entry {t}")

    def test_labels_distinct(self):
        labels = [p["label"] for p in T.peers.load()]
        self.assertEqual(len(labels), len(set(labels)), labels)

    def test_builds(self):
        for name, b in T.peers.builds().items():
            with self.subTest(build=name):
                self.assertIn(b.get("kind"), KINDS)
                self.assertTrue(b.get("output") and b.get("sources"))
                self.assertTrue(b.get("toolchain"), "a build names its toolchain")

    def test_built_when_toolchain_present(self):
        if T.ARGS[1:2] != ["built"]:
            self.skipTest("bench/peers/ is not part of this build")
        for name, b in T.peers.builds().items():
            with self.subTest(build=name):
                lacking = [t["need"] for t in b["toolchain"] if not T.peers.have(t["need"])]
                if lacking:
                    continue  # CMake skipped it, as peers.py will say
                out = os.path.join(T.BUILD, "bench", "peers", b["output"])
                self.assertTrue(os.access(out, os.X_OK), f"{out} not built")

    def test_workloads_known_to_corobench(self):
        cb = T.ARGS[0] if T.ARGS else ""
        if not os.access(cb, os.X_OK):
            self.skipTest(f"corobench not built: {cb!r}")
        declared = {w for p in T.peers.load() for w in p["workloads"]}
        for w in sorted(declared):
            with self.subTest(workload=w):
                p = subprocess.run([cb, w, "--help"], capture_output=True, text=True, timeout=30)
                if w in PEERS_FIRST:  # fails once corobench has it: then drop it from the set
                    self.assertEqual(p.returncode, 2, f"corobench knows {w} now: remove it "
                                                      f"from PEERS_FIRST")
                    continue
                self.assertEqual(p.returncode, 0, f"corobench does not know {w}: {p.stderr}")


if __name__ == "__main__":
    T.main("test_manifest.py <builddir> <corobench> built|not-built")
