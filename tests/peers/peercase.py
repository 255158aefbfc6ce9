"""peercase.py — what the C++20 and Python-threads peer tests add to
test_peer.py's generic checks (the smallest case of every workload, checksums,
bad options): a unittest base class that runs one manifest peer as the
harness does (peers.argv, through peertest), parses its one JSON line, and
fetches corobench's own output to compare with.

Every test file is run as `python3 <file> <builddir> <corobench>`; a peer
that is not available in the build skips (exit 77, peertest.main)."""
import os
import subprocess
import unittest

import peertest as T

TIMEOUT = 300  # the machine may be shared: generous, a hang still fails


class PeerCase(unittest.TestCase):
    name = None  # the manifest peer, set by the test module

    def setUp(self):
        why = T.peers.available(T.BUILD)[self.name]
        if why:
            self.skipTest(f"peer {self.name} is not available: {why}")
        cb = T.ARGS[0] if T.ARGS else ""
        self.corobench = cb if os.access(cb, os.X_OK) else None

    def argv(self, workload, args=()):
        return T.peers.argv(T.BUILD, self.name, workload, list(args))

    def run_peer(self, workload, args, **kw):
        return subprocess.run(self.argv(workload, args), capture_output=True, text=True,
                              timeout=TIMEOUT, **kw)

    def run_json(self, workload, args):
        """Runs with --json; the result object, valid against the schema, status ok."""
        where = f"{self.name} {workload} {' '.join(args)}"
        obj = T.one_json(self, self.run_peer(workload, list(args) + ["--json"]), where)
        self.assertEqual(T.schema_errors(obj), [], where)
        self.assertEqual((obj["workload"], obj["backend"], obj["status"]),
                         (workload, self.name, "ok"), where)
        return obj

    def corobench_output(self, args):
        if not self.corobench:
            self.skipTest("corobench not built")
        p = subprocess.run([self.corobench, "article"] + list(args) + ["--backend", "coro"],
                           capture_output=True, text=True, timeout=TIMEOUT)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def article_outputs(self, args):
        """The article program's lines from the peer and from corobench."""
        want = self.corobench_output(args).splitlines()
        p = self.run_peer("article", args)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(p.stdout, f"{args}: no output")
        return p.stdout.splitlines(), want

    def check_skynet(self, depth, fanout):
        """skynet's sum and task count on a small tree."""
        obj = self.run_json("skynet", ["--depth", str(depth), "--fanout", str(fanout)])
        leaves = fanout ** depth
        r = obj["results"]
        self.assertEqual(r["leaves"], leaves)
        self.assertEqual(r["sum"], leaves * (leaves - 1) // 2)
        self.assertEqual(r["tasks"], (fanout ** (depth + 1) - 1) // (fanout - 1))
        return obj
