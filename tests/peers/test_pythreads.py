"""test_pythreads.py <builddir> <corobench> — what the CPython threads peer
promises beyond test_peer.py's generic checks: the article's programs print
every line corobench's coroutines print, each once (threads may order them
differently, and in the queue program either consumer may print an item's
line); skynet's sum on small trees; --alive reports memory per live thread;
fairness reports the GIL's switch interval; a thread limit is data."""
import collections
import json
import os
import shutil
import subprocess

import peercase as PC
import peertest as T

ARTICLE = [[p, "--n", str(n)] for p in ("sequential", "concurrent") for n in (1, 6, 25)]
ARTICLE += [["queue", "--n", str(n), "--capacity", str(c)] for n in (1, 6, 25) for c in (0, 1, 5)]


class PyThreads(PC.PeerCase):
    name = "pythreads"

    def test_switch_event(self):
        """The Event ping-pong hands off as the Condition one (same checksum)."""
        a = self.run_json("switch", ["--n", "100", "--mech", "event"])
        b = self.run_json("switch", ["--n", "100", "--mech", "condvar"])
        self.assertEqual(a["checksum"], b["checksum"])

    def test_article_same_lines(self):
        for args in ARTICLE:
            with self.subTest(args=args):
                got, want = self.article_outputs(args)
                if args[0] == "queue":  # which consumer takes an item is scheduling
                    self.assertEqual(got[-1], "done")  # after every consumer's line
                    self.assertTrue({x.split()[0] for x in got[:-1]} <= {"C1", "C2"}, got)
                    got, want = [x.split(" ", 1)[-1] for x in got], [x.split(" ", 1)[-1] for x in want]
                self.assertEqual(collections.Counter(got), collections.Counter(want))

    def test_skynet(self):
        self.check_skynet(2, 10)

    def test_alive_and_gil(self):
        r = self.run_json("spawn", ["--n", "50", "--alive", "--stack", "65536"])["results"]
        self.assertEqual((r["tasks_reached"], r["limit_error"]), (50, None))
        self.assertGreater(r["rss_per_task_bytes"], 0)
        r = self.run_json("fairness", ["--tasks", "1", "--duration-ms", "10"])["results"]
        self.assertGreater(r["gil_switch_interval_ns"], 0)
        T.assert_usage_error(self, self.run_peer("spawn", ["--stack", "1000"]), "--stack",
                             "spawn --stack 1000")

    def test_thread_limit_is_data(self):
        """Under a low RLIMIT_NPROC (enforced for an unprivileged user only,
        hence nobody), spawn --alive reports where it stopped with status ok,
        and skynet says why its tree is incomplete, with status error."""
        tools = shutil.which("setpriv"), shutil.which("prlimit")
        if os.geteuid() != 0 or not all(tools):
            self.skipTest("needs root, setpriv and prlimit to run as nobody under a thread limit")
        pre = [tools[0], "--reuid=65534", "--regid=65534", "--clear-groups", tools[1], "--nproc=20"]
        p = subprocess.run(pre + self.argv("spawn", ["--n", "200", "--alive", "--json"]),
                           capture_output=True, text=True, timeout=PC.TIMEOUT)
        if p.returncode != 0 and "Permission denied" in p.stderr:
            self.skipTest("nobody cannot read the peer's files here")
        self.assertEqual(p.returncode, 0, p.stderr)
        r = json.loads(p.stdout)["results"]
        self.assertLess(r["tasks_reached"], 200)
        self.assertIn("can't start new thread", r["limit_error"])
        p = subprocess.run(pre + self.argv("skynet", ["--depth", "3", "--json"]),
                           capture_output=True, text=True, timeout=PC.TIMEOUT)
        self.assertEqual(p.returncode, 1, p.stderr)
        obj = json.loads(p.stdout)
        self.assertEqual(obj["status"], "error")
        self.assertIn("stopped growing", obj["error"])
        self.assertIsNone(obj["results"]["sum"])


if __name__ == "__main__":
    T.main("test_pythreads.py <builddir> <corobench>")
