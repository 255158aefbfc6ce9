"""test_pythreads.py <python3> <corobench_pythreads.py> <corobench> — the
CPython threads peer end to end: the smallest case of each workload prints
one valid JSON result with status ok and corobench's checksum; the article's
programs print every line corobench's coroutines print, each once (threads
may order them differently, and in the queue program either consumer may
print an item's line); skynet's sum on small trees; --alive reports
memory per live thread; fairness reports the GIL's switch interval; bad
options exit 2 with one line naming the option. Exit 77 without python3."""
import collections
import json
import os
import shutil
import subprocess
import sys

import peercase as PC

WORKLOADS = ("switch", "spawn", "prodcons", "cpubound", "article", "fairness")
ARTICLE = [[p, "--n", str(n)] for p in ("sequential", "concurrent") for n in (1, 6, 25)]
ARTICLE += [["queue", "--n", str(n), "--capacity", str(c)] for n in (1, 6, 25) for c in (0, 1, 5)]


class PyThreads(PC.PeerCase):
    backend = "pythreads"

    def test_small_cases(self):
        self.check_small(WORKLOADS)

    def test_switch_event(self):
        obj = self.run_json("switch", ["--n", "100", "--mech", "event"])
        if self.corobench:
            self.assertEqual(obj["checksum"], self.corobench_json("switch", ["--n", "100"])["checksum"])

    def test_article_same_lines(self):
        if not self.corobench:
            self.skipTest("corobench not built")
        for args in ARTICLE:
            with self.subTest(args=args):
                got, want = self.article_outputs(args)
                if args[0] == "queue":  # which consumer takes an item is scheduling
                    self.assertEqual(got[-1], "done")  # after every consumer's line
                    self.assertTrue({x.split()[0] for x in got[:-1]} <= {"C1", "C2"}, got)
                    got, want = [x.split(" ", 1)[-1] for x in got], [x.split(" ", 1)[-1] for x in want]
                got, want = collections.Counter(got), collections.Counter(want)
                self.assertEqual(got, want)

    def test_skynet(self):
        self.check_skynet(2, 10)
        self.check_skynet(3, 3)

    def test_alive_and_gil(self):
        r = self.run_json("spawn", ["--n", "50", "--alive", "--stack", "65536"], "spawn-alive")["results"]
        self.assertEqual((r["tasks_reached"], r["limit_error"]), (50, None))
        self.assertGreater(r["rss_per_task_bytes"], 0)
        r = self.run_json("fairness", ["--tasks", "1", "--duration-ms", "10"])["results"]
        self.assertGreater(r["gil_switch_interval_ns"], 0)

    def test_thread_limit_is_data(self):
        """Under a low RLIMIT_NPROC (enforced for an unprivileged user only,
        hence nobody), spawn --alive reports where it stopped with status ok,
        and skynet says why its tree is incomplete, with status error."""
        tools = shutil.which("setpriv"), shutil.which("prlimit")
        if os.geteuid() != 0 or not all(tools):
            self.skipTest("needs root, setpriv and prlimit to run as nobody under a thread limit")
        pre = [tools[0], "--reuid=65534", "--regid=65534", "--clear-groups", tools[1], "--nproc=20"]
        p = subprocess.run(pre + self.cmd + ["spawn", "--n", "200", "--alive", "--json"],
                           capture_output=True, text=True, timeout=PC.TIMEOUT)
        if p.returncode != 0 and "Permission denied" in p.stderr:
            self.skipTest("nobody cannot read the peer's files here")
        self.assertEqual(p.returncode, 0, p.stderr)
        r = json.loads(p.stdout)["results"]
        self.assertLess(r["tasks_reached"], 200)
        self.assertIn("can't start new thread", r["limit_error"])
        p = subprocess.run(pre + self.cmd + ["skynet", "--depth", "3", "--json"],
                           capture_output=True, text=True, timeout=PC.TIMEOUT)
        self.assertEqual(p.returncode, 1, p.stderr)
        obj = json.loads(p.stdout)
        self.assertEqual(obj["status"], "error")
        self.assertIn("stopped growing", obj["error"])
        self.assertLess(obj["results"]["tasks"], 1111)
        self.assertIsNone(obj["results"]["sum"])

    def test_bad_input(self):
        self.check_bad(WORKLOADS + ("skynet",))
        p = self.run_peer(["spawn", "--stack", "1000"])
        self.assertEqual(p.returncode, 2)
        self.assertIn("--stack", p.stderr)


def setup(args):
    python, script = PC.executable(args[0]), args[1]
    PC.PeerCase.cmd = [python, script] if python else None
    PC.PeerCase.corobench = PC.executable(args[2])
    return None if python else f"{args[0]} not found"


if __name__ == "__main__":
    sys.exit(PC.main(__doc__.splitlines()[0], 3, setup))
