"""peercase.py — what the C++20 and Python-threads peer tests share: run a
peer's command line, parse its one JSON line, check the fields every result
of that workload must have (bench/SCHEMA.md; the JSON Schema too when
tests/lib/resultschema.py is there), and compare with corobench's coroutine
backend for the same parameters.

A test module sets PeerCase.cmd (the peer's argv prefix), .backend and
.corobench (None when it is not built: the checksum comparisons skip)."""
import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "..", "bench"), os.path.join(HERE, "..", "lib")]
import cbtest  # noqa: E402  (the required fields per workload)

try:
    import resultschema  # noqa: E402
except ImportError:  # the machine-readable schema is not in this tree yet
    resultschema = None

FIELDS = dict(cbtest.RESULT_FIELDS, skynet=("tasks", "leaves", "sum", "wall_ns"))

# The smallest case of each workload that corobench also has: (kind, args).
SMALL = {
    "switch": [("switch", ["--n", "100"])],
    "spawn": [("spawn", ["--n", "100"]), ("spawn-alive", ["--n", "100", "--alive"])],
    "prodcons": [("prodcons", ["--items", "1000", "--producers", "2", "--consumers", "3",
                               "--capacity", "64"]),
                 ("prodcons", ["--items", "500", "--capacity", "1", "--work-ns", "50"]),
                 ("prodcons", ["--items", "3000", "--capacity", "1024"])],
    "cpubound": [("cpubound", ["--tasks", "3", "--total-work", "1000", "--wss", "256",
                               "--yield-every", "7"])],
    "article": [("article", [p, "--n", "6"]) for p in ("sequential", "concurrent", "queue")],
    "fairness": [("fairness", ["--tasks", "1", "--duration-ms", "20", "--yield-us", "1000"])],
}
# One bad command line per workload: (args, the option the one error line names).
BAD = {
    "switch": (["--n", "-3"], "--n"),
    "spawn": (["--n", "abc"], "--n"),
    "prodcons": (["--items", "99999999999999999999999"], "--items"),
    "cpubound": (["--tasks", "0"], "--tasks"),
    "article": (["bogus"], "program"),
    "skynet": (["--depth", "9"], "--depth"),
    "fairness": (["--period-us", "0"], "--period-us"),
}
TIMEOUT = 300  # the machine may be shared: generous, a hang still fails


class PeerCase(unittest.TestCase):
    cmd, backend, corobench = None, None, None

    def run_peer(self, args):
        return subprocess.run(self.cmd + list(args), capture_output=True, text=True,
                              timeout=TIMEOUT)

    def run_json(self, workload, args, kind=None):
        """Runs with --json; checks exit 0, one JSON line and its fields."""
        p = self.run_peer([workload] + list(args) + ["--json"])
        where = f"{self.backend} {workload} {' '.join(args)}"
        self.assertEqual(p.returncode, 0, f"{where}: {p.stderr.strip()}")
        lines = p.stdout.splitlines()
        self.assertEqual(len(lines), 1, f"{where}: want one JSON line")
        obj = json.loads(lines[0])
        self.check_result(obj, workload, kind or workload, where)
        return obj

    def check_result(self, obj, workload, kind, where):
        self.assertEqual(obj["schema"], "corobench-result/1", where)
        self.assertEqual((obj["workload"], obj["backend"]), (workload, self.backend), where)
        self.assertEqual(obj["status"], "ok", f"{where}: {obj.get('error')}")
        self.assertIsNone(obj["error"], where)
        self.assertRegex(obj["checksum"], r"^0x[0-9a-f]{16}$", where)
        for f in FIELDS[kind]:
            self.assertIn(f, obj["results"], f"{where}: results.{f} missing")
        for f in cbtest.ENV_FIELDS:
            self.assertIn(f, obj["env"], f"{where}: env.{f} missing")
        if resultschema is not None:
            self.assertEqual(resultschema.validate(obj), [], where)

    def corobench_json(self, workload, args):
        p = subprocess.run([self.corobench, workload] + list(args) + ["--backend", "coro", "--json"],
                           capture_output=True, text=True, timeout=TIMEOUT)
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout)

    def article_outputs(self, args):
        """The article program's lines from the peer and from corobench."""
        p = self.run_peer(["article"] + list(args))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(p.stdout, f"{args}: no output")
        return p.stdout.splitlines(), self.corobench_output(args).splitlines()

    def corobench_output(self, args):
        p = subprocess.run([self.corobench, "article"] + list(args) + ["--backend", "coro"],
                           capture_output=True, text=True, timeout=TIMEOUT)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def check_small(self, workloads):
        """The smallest case of each workload: fields, status, corobench's checksum."""
        for w in workloads:
            for kind, args in SMALL[w]:
                with self.subTest(workload=w, args=args):
                    obj = self.run_json(w, args, kind)
                    if self.corobench:
                        want = self.corobench_json(w, args)["checksum"]
                        self.assertEqual(obj["checksum"], want, f"{w} {args}: corobench's")

    def check_bad(self, workloads):
        for w in workloads:
            args, name = BAD[w]
            with self.subTest(workload=w, args=args):
                p = self.run_peer([w] + args)
                self.assertEqual(p.returncode, 2, p.stderr)
                err = p.stderr.strip().splitlines()
                self.assertEqual(len(err), 1, err)
                self.assertIn(name, err[0])
                self.assertEqual(p.stdout, "")
        p = self.run_peer(["no-such-workload"])
        self.assertEqual(p.returncode, 2)

    def check_skynet(self, depth, fanout):
        obj = self.run_json("skynet", ["--depth", str(depth), "--fanout", str(fanout)])
        leaves = fanout ** depth
        r = obj["results"]
        self.assertEqual(r["sum"], leaves * (leaves - 1) // 2)
        self.assertEqual(r["tasks"], (fanout ** (depth + 1) - 1) // (fanout - 1))
        self.assertEqual(r["leaves"], leaves)
        return obj


def main(usage, nargs, setup):
    """Parses the test's own arguments (exit 2 on a wrong count), lets setup()
    fill PeerCase or return a reason to skip (exit 77), then runs unittest."""
    if len(sys.argv) != nargs + 1:
        print(usage)
        return 2
    reason = setup(sys.argv[1:])
    if reason:
        print(f"skipped: {reason}")
        return 77
    prog = unittest.main(argv=[sys.argv[0]], exit=False, verbosity=2)
    return 0 if prog.result.wasSuccessful() else 1


def executable(path):
    return path if path and os.access(path, os.X_OK) else None
