"""test_peer.py <builddir> <peer> [<corobench>] — one peer of
bench/peers/manifest.json end to end, run as the harness runs it (peers.argv):
the smallest case of every workload the manifest says it runs prints one JSON
line valid against the result schema, for that workload and backend, with the
same checksum as corobench's coroutine backend for the same parameters and
the options of the peer's variant recorded in params; options the manifest
says it rejects, and bad values, exit 2 with one line naming the option.
Skipped (77) when the peer is not available in this build.
"""
import os
import subprocess
import unittest

import peertest as T

# The smallest case of each workload (one row per workload). A workload a
# peer declares without a row here is a failure: add its row.
SMALLEST = {
    "switch": [["--n", "100"]],
    "spawn": [["--n", "100"], ["--n", "100", "--alive"]],
    "prodcons": [["--items", "1000", "--producers", "2", "--consumers", "3", "--capacity", "64"],
                 ["--items", "500", "--capacity", "1", "--work-ns", "50"]],
    "cpubound": [["--tasks", "3", "--total-work", "1000", "--wss", "256", "--yield-every", "7"]],
    "article": [[p, "--n", "6"] for p in ("sequential", "concurrent", "queue")],
    "fairness": [["--tasks", "1", "--duration-ms", "5"]],
    "skynet": [["--depth", "2", "--fanout", "3"]],
}
# One bad command line per workload, and the option its error must name.
BAD = {
    "switch": (["--n", "-3"], "--n"),
    "spawn": (["--n", "abc"], "--n"),
    "prodcons": (["--items", "99999999999999999999999"], "--items"),
    "cpubound": (["--tasks", "0"], "--tasks"),
    "article": (["bogus"], "program"),
    "fairness": (["--period-us", "0"], "--period-us"),
    # not --depth: a peer's cap would lower an out-of-range depth before the peer saw it
    "skynet": (["--fanout", "1"], "--fanout"),
}


def run_corobench(corobench, workload, args):
    p = subprocess.run([corobench, workload] + args + ["--backend", "coro", "--json"],
                       capture_output=True, text=True, timeout=120)
    return p


class PeerTest(unittest.TestCase):
    def setUp(self):
        if len(T.ARGS) < 1:
            self.fail("usage: test_peer.py <builddir> <peer> [<corobench>]")
        self.name = T.ARGS[0]
        self.peer = T.peers.peer(self.name)
        why = T.peers.available(T.BUILD)[self.name]
        if why:
            self.skipTest(f"peer {self.name} is not available: {why}")
        cb = T.ARGS[1] if len(T.ARGS) > 1 else ""
        self.corobench = cb if os.access(cb, os.X_OK) else None
        # the JSON's backend: a variant reports as the peer it varies
        self.backend = self.peer.get("variant_of") or self.name

    def check_variant_params(self, obj, where):
        """`--opt value` pairs of the peer's own args are what params records."""
        args = self.peer.get("args", [])
        for opt, val in zip(args[::2], args[1::2]):
            key = opt.lstrip("-").replace("-", "_")
            self.assertEqual(str(obj["params"].get(key)), val, f"{where}: params.{key}")

    def check_case(self, workload, args):
        where = f"{self.name} {workload} {' '.join(args)}"
        rejects = self.peer["workloads"][workload].get("rejects", [])
        p = T.run(self.name, workload, args + ["--json"])
        bad = [a for a in args if a in rejects]
        if bad:
            T.assert_usage_error(self, p, bad[0], where)
            return
        obj = T.one_json(self, p, where)
        self.assertEqual(T.schema_errors(obj), [], where)
        self.assertEqual((obj["workload"], obj["backend"], obj["status"]),
                         (workload, self.backend, "ok"), where)
        self.check_variant_params(obj, where)
        if self.corobench:
            c = run_corobench(self.corobench, workload, args)
            if c.returncode == 2 and "unknown workload" in c.stderr:
                return  # a workload only peers run (skynet, until corobench has it)
            want = T.one_json(self, c, f"corobench {workload} {args}")["checksum"]
            self.assertEqual(obj["checksum"], want, f"{where}: checksum vs corobench coro")

    def test_smallest_cases(self):
        for w in self.peer["workloads"]:
            self.assertIn(w, SMALLEST, f"no smallest case for workload {w}: add its row")
            for args in SMALLEST[w]:
                with self.subTest(workload=w, args=args):
                    self.check_case(w, args)

    def test_bad_options(self):
        for w in self.peer["workloads"]:
            self.assertIn(w, BAD, f"no bad command line for workload {w}: add its row")
            args, option = BAD[w]
            with self.subTest(workload=w, args=args):
                T.assert_usage_error(self, T.run(self.name, w, args), option,
                                     f"{self.name} {w} {args}")

    def test_unknown_workload(self):
        p = T.cli("--build", T.BUILD, "run", self.name, "no-such-workload")
        T.assert_usage_error(self, p, "no-such-workload", f"{self.name} no-such-workload")


if __name__ == "__main__":
    T.main("test_peer.py <builddir> <peer> [<corobench>]")
