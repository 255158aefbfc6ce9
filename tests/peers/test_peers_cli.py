"""test_peers_cli.py <builddir> — scripts/lib/peers.py's command line (the
harness's and bench/peers/peers.sh's entry point): usage errors exit 2 with
one line, `list` names only the manifest's peers, a peer that is not built is
unlisted and `run` on it exits 77 with one line, --out writes the JSON
atomically, `packages` and `label` read the manifest.
"""
import json
import os
import subprocess
import tempfile
import unittest

import peertest as T

BUILT_HERE = ("{build}", "{bin}")  # a peer whose program comes from the build


class UsageErrors(unittest.TestCase):
    def test_one_line_exit_2(self):
        b = T.BUILD
        first = T.peers.names()[0]
        cases = [
            ([], "missing command"),
            (["--build"], "--build"),
            (["--build", "/nonexistent/dir", "list"], "--build"),
            (["list"], "--build"),
            (["--build", b, "frobnicate"], "frobnicate"),
            (["--build", b, "list", "extra"], "extra"),
            (["--build", b, "workloads", "cobol"], "cobol"),
            (["--build", b, "run", "cobol", "switch"], "cobol"),
            (["--build", b, "run", first], "workload"),
            (["--build", b, "run", first, "no-such-workload"], "no-such-workload"),
            (["--build", b, "run", first, "switch", "--out"], "--out"),
            (["label", "cobol"], "cobol"),
        ]
        for args, names in cases:
            with self.subTest(args=args):
                T.assert_usage_error(self, T.cli(*args), names, str(args))

    def test_wrapper_forwards(self):
        p = subprocess.run(["sh", os.path.join(T.ROOT, "bench", "peers", "peers.sh"),
                            "--build", T.BUILD, "workloads", "cobol"],
                           capture_output=True, text=True, timeout=60)
        T.assert_usage_error(self, p, "cobol", "peers.sh workloads cobol")


class Listing(unittest.TestCase):
    def test_list_names_manifest_peers(self):
        p = T.cli("--build", T.BUILD, "list")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertLessEqual(set(p.stdout.split()), set(T.peers.names()))
        p = T.cli("--build", T.BUILD, "list", "--all")
        self.assertEqual([ln.split("\t")[0] for ln in p.stdout.splitlines()], T.peers.names())

    def test_workloads_and_label_from_manifest(self):
        for peer in T.peers.load():
            p = T.cli("--build", T.BUILD, "workloads", peer["name"])
            self.assertEqual(p.stdout.split(), list(peer["workloads"]))
            self.assertEqual(T.cli("label", peer["name"]).stdout.strip(), peer["label"])

    def test_packages(self):
        pkgs = T.cli("packages").stdout.split()
        self.assertEqual(pkgs, T.peers.packages())
        self.assertTrue(pkgs)
        for line in T.cli("packages", "--checks").stdout.splitlines():
            need, _, pkg = line.rpartition(":")
            self.assertTrue(need and pkg in pkgs, line)

    def test_empty_build_dir(self):
        built = [p["name"] for p in T.peers.load() if any(k in p["run"][0] for k in BUILT_HERE)]
        self.assertTrue(built)
        with tempfile.TemporaryDirectory() as empty:
            p = T.cli("--build", empty, "list")
            self.assertEqual(p.returncode, 0)
            self.assertEqual(set(p.stdout.split()) & set(built), set())
            name = built[0]
            p = T.cli("--build", empty, "run", name, next(iter(T.peers.peer(name)["workloads"])))
            self.assertEqual(p.returncode, 77, p.stderr)
            self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)


class AtomicOut(unittest.TestCase):
    def test_out_writes_atomically(self):
        avail = [n for n, why in T.peers.available(T.BUILD).items()
                 if why is None and "spawn" in T.peers.peer(n)["workloads"]]
        if not avail:
            self.skipTest("no available peer runs spawn")
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "r.json")
            p = T.cli("--build", T.BUILD, "run", avail[0], "spawn", "--n", "10", "--json",
                      "--out", out)
            self.assertEqual((p.returncode, p.stdout), (0, ""), p.stderr)
            with open(out) as f:
                self.assertEqual(json.load(f)["workload"], "spawn")
            self.assertEqual(os.listdir(d), ["r.json"])


if __name__ == "__main__":
    T.main("test_peers_cli.py <builddir>")
