#!/usr/bin/env python3
"""test_limits.py CBIN — resource limits are data points, never crashes.

In a child process with RLIMIT_AS lowered (root ignores RLIMIT_NPROC, so the
address space is the limit we can impose), thread stacks run out quickly:
  - spawn --alive on threads: status "ok", exit 0, tasks_reached < requested
    and limit_error names the failure ("thread creation failed at task N: ...");
  - the same on coroutines: ok with a limit_error, or reaching every task;
  - cpubound with many threads: status "error", exit 1, error
    "thread creation failed at task N: ...", and every created thread joined;
  - never a signal (negative return code) or a missing/invalid JSON.
Sanitizers reserve terabytes of shadow memory and cannot run under a lowered
RLIMIT_AS: ctest gives this test the label nosan.
"""
import re
import resource

import cbtest as t

LIMIT = 512 << 20  # 512 MiB of address space: ~60 default 8 MiB thread stacks


def lowered():
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))


PAT = re.compile(r"^(thread|coroutine) creation failed at task (\d+): .+")


class Limits(t.CbTest):
    def test_threads_spawn_alive_stops_at_the_limit(self):
        obj = self.run_json(["--n", "5000", "--alive"], "spawn", "threads", kind="spawn-alive",
                            preexec_fn=lowered, timeout=120)
        r = obj["results"]
        self.assertTrue(0 < r["tasks_reached"] < 5000, r["tasks_reached"])
        m = PAT.match(r["limit_error"] or "")
        self.assertIsNotNone(m, r["limit_error"])
        self.assertEqual(int(m.group(2)), r["tasks_reached"])
        self.assertEqual(r["tasks"], r["tasks_reached"])

    def test_coroutines_spawn_alive_under_the_limit(self):
        for bk in ("coro", "ucontext"):
            with self.subTest(bk):
                obj = self.run_json(["--n", "200000", "--alive"], "spawn", bk, kind="spawn-alive",
                                    preexec_fn=lowered, timeout=120)
                r = obj["results"]
                if r["tasks_reached"] < 200000:
                    self.assertRegex(r["limit_error"] or "", PAT)

    def test_cpubound_threads_fails_cleanly(self):
        obj = self.run_json(["--tasks", "5000", "--total-work", "5000"], "cpubound", "threads",
                            status="error", preexec_fn=lowered, timeout=120)
        self.assertRegex(obj["error"], PAT)
        self.assertTrue(obj["error"].startswith("thread"), obj["error"])

    def test_cpubound_coro_huge_stacks_fail_cleanly(self):
        """Coroutine creation of a huge stack each (1 GiB) under the same limit."""
        obj = self.run_json(["--tasks", "4", "--total-work", "40", "--stack", str(1 << 30)],
                            "cpubound", "coro", status="error", preexec_fn=lowered, timeout=120)
        self.assertRegex(obj["error"], PAT)


if __name__ == "__main__":
    t.main()
