#!/usr/bin/env python3
"""test_echo.py CBIN [Echo | EchoMemory | EchoLimits] — the echo workload (bench/workloads/echo.c, bench/echo/).

Default: small runs bounded by --max-requests on the coroutine server (1 and
2 workers) and the thread server succeed with valid JSON, every connection
established, exactly the requested number of requests, and the same checksum
on every backend; large requests (bigger than the socket buffers) come back
intact; a run bounded by time says so; bad options exit 2 with one line.

EchoLimits (ctest label nosan: a lowered RLIMIT_AS cannot coexist with the
sanitizers' shadow memory): under RLIMIT_AS, thread-per-connection with 8 MiB
stacks cannot start a thread for every connection, and under a low
RLIMIT_NOFILE neither server can hold 100 connections. Each run must end
"ok" with fewer connections established and limit_error naming the cause,
never a crash, a hang or a missing JSON.

No timing is asserted.
"""
import os
import re
import resource

import cbtest as t

BOUNDED = ["--connections", "10", "--max-requests", "2000", "--size", "100",
           "--duration-ms", "30000"]

BAD = [
    (["--connections", "0"], "--connections"),
    (["--connections", "100001"], "--connections"),
    (["--size", "0"], "--size"),
    (["--size", "1048577"], "--size"),
    (["--duration-ms", "60001"], "--duration-ms"),
    (["--max-requests", "-1"], "--max-requests"),
    (["--workers", "0"], "--workers"),
    (["--workers", "2", "--backend", "threads"], "--workers"),
    (["--backend", "ucontext"], "--backend"),
    (["--pin", "both"], "--pin"),
    (["--stack", "100"], "--stack"),
    (["--buf", "8"], "--buf"),
    (["--buf", "16385"], "--buf"),
    (["--bogus"], "'--bogus'"),
    (["--server", "nginx"], "--server"),
    (["--server", "epoll", "--workers", "2"], "--workers"),
]


class Echo(t.CbTest):
    def assertSane(self, obj):
        r = obj["results"]
        self.assertTrue(r["lat_p50_ns"] <= r["lat_p99_ns"] <= r["lat_max_ns"], r)
        self.assertTrue(r["lat_max_ns"] > 0 and r["wall_ns"] > 0, r)
        self.assertTrue(r["server_peak_rss_bytes"] >= r["server_rss_bytes"] > 0, r)
        self.assertEqual(r["bytes_echoed"], r["requests"] * obj["params"]["size"])
        # CPU time covers the timed phase only: at most every core for wall_ns,
        # plus two clock ticks of /proc rounding (10 ms each) for the server.
        cores = (os.cpu_count() or 1) * r["wall_ns"]
        self.assertIsNotNone(r.get("loadgen_cpu_ns"))
        self.assertTrue(0 < r["loadgen_cpu_ns"] <= cores + 20_000_000, r)
        self.assertIsNotNone(r.get("server_cpu_ns"))
        self.assertLessEqual(r["server_cpu_ns"], cores + 20_000_000)

    def bounded(self, bk, extra, threads):
        """A run bounded by --max-requests; returns its checksum."""
        # A broken server shows as a request timeout (10 s), not a hang.
        obj = self.run_json(BOUNDED + extra, "echo", bk, timeout=120)
        r = obj["results"]
        self.assertEqual(r["connections_established"], 10)
        self.assertEqual(r["requests"], 2000)
        self.assertEqual(r["bounded_by"], "requests")
        self.assertIsNone(r["limit_error"])
        self.assertTrue(threads(r["server_threads"]), r["server_threads"])
        self.assertSane(obj)
        return obj["checksum"]

    def test_bad_options(self):
        for args, want in BAD:
            with self.subTest(" ".join(args)):
                p = self.cb(["echo"] + args)
                self.assertEqual((p.returncode, p.stdout), (2, ""))
                lines = p.stderr.splitlines()
                self.assertEqual(len(lines), 1, p.stderr)
                self.assertTrue(lines[0].startswith("corobench: ") and want in lines[0], lines[0])

    def test_bounded_runs_agree(self):
        sums = {}
        for bk, extra, threads in (("coro", [], lambda n: n == 1),
                                   # 16-byte reads: four per request, none short.
                                   ("coro", ["--buf", "16"], lambda n: n == 1),
                                   ("threads", [], lambda n: n >= 11),
                                   # the event-loop floor: one thread
                                   ("coro", ["--server", "epoll"], lambda n: n == 1),
                                   ("coro", ["--server", "epoll", "--buf", "16"], lambda n: n == 1)):
            with self.subTest(f"{bk} {' '.join(extra)}"):
                sums[f"{bk} {' '.join(extra)}"] = self.bounded(bk, extra, threads)
        self.assertEqual(len(set(sums.values())), 1, f"checksums differ across backends: {sums}")

    def test_mn_server_on_two_workers(self):
        p = self.cb(["echo", "--connections", "1", "--max-requests", "1", "--workers", "2", "--json"])
        if p.returncode == 1 and "server did not start" in p.stderr and "invalid argument" in p.stderr:
            self.skipTest("the runtime rejects coro_run_ex with 2 workers")
        one = self.bounded("coro", [], lambda n: n == 1)
        self.assertEqual(self.bounded("coro", ["--workers", "2"], lambda n: n == 2), one)

    def test_syscalls_per_request(self):
        """Every server reads and writes at least once per request (one
        request per connection is in flight), so the count from
        /proc/<pid>/io is at least 2 per request, and the fields agree."""
        for extra in ([], ["--server", "epoll"], ["--backend", "threads"]):
            with self.subTest(" ".join(extra)):
                bk = "threads" if "threads" in extra else "coro"
                args = BOUNDED + [a for a in extra if a not in ("--backend", "threads")]
                r = self.run_json(args, "echo", bk, timeout=120)["results"]
                self.assertEqual(r["server"], "epoll" if "epoll" in extra else bk)
                self.assertGreaterEqual(r["server_syscalls"], 2 * r["requests"], r)
                self.assertAlmostEqual(r["syscalls_per_request"], r["server_syscalls"] / r["requests"],
                                       places=2)

    def test_exec_server_that_cannot_start(self):
        """--server exec with a program that does not exist: a failed run
        naming it, never a hang; without the variable, a usage error."""
        p = self.cb(["echo", "--server", "exec", "--connections", "1", "--max-requests", "1", "--json"],
                    env=dict(os.environ, COROBENCH_ECHO_SERVER="/nonexistent/echo-server --x"))
        self.assertEqual(p.returncode, 1, p.stderr)
        obj = t.json.loads(p.stdout)
        self.assertEqual(obj["status"], "error")
        self.assertIn("/nonexistent/echo-server", obj["error"])
        env = {k: v for k, v in os.environ.items() if k != "COROBENCH_ECHO_SERVER"}
        p = self.cb(["echo", "--server", "exec"], env=env)
        self.assertEqual(p.returncode, 2)
        self.assertIn("COROBENCH_ECHO_SERVER", p.stderr)

    def test_big_requests(self):
        """600 KB each way: more than the socket buffers, so writing and reading
        must interleave; every byte is checked by the load generator."""
        args = ["--connections", "3", "--max-requests", "12", "--size", "600000",
                "--duration-ms", "30000"]
        for bk in ("coro", "threads"):
            with self.subTest(bk):
                r = self.run_json(args, "echo", bk, timeout=120)["results"]
                self.assertEqual((r["requests"], r["bytes_echoed"]), (12, 12 * 600000))

    def test_time_bounded(self):
        obj = self.run_json(["--connections", "4", "--duration-ms", "150"], "echo", "coro")
        r = obj["results"]
        self.assertEqual(r["bounded_by"], "time")
        self.assertTrue(r["requests"] > 0 and r["wall_ns"] >= 150_000_000, r)
        self.assertSane(obj)
        p = self.cb(["echo", "--connections", "2", "--max-requests", "10"])
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("echo on coro: ok", p.stdout)


class EchoMemory(t.CbTest):
    """Its own ctest test: it skips on sanitizer builds, which must not hide
    the other cases' passes."""

    def test_memory_per_connection(self):
        """A parked connection coroutine with the default 1 KiB buffer touches
        one stack page; a second page (a bigger buffer, or a large array on the
        stack of whichever coroutine blocks) would show as well over 6 KiB."""
        obj = self.run_json(["--connections", "200", "--max-requests", "2000"], "echo", "coro")
        if obj["env"].get("sanitize"):
            self.skipTest(f"a {obj['env']['sanitize']} build's stacks are not the product's")
        r = obj["results"]
        self.assertEqual(r["connections_established"], 200)
        self.assertTrue(0 < r["server_rss_per_conn_bytes"] < 6144, r["server_rss_per_conn_bytes"])


def low_as():
    lim = 512 << 20  # ~60 thread stacks of 8 MiB
    resource.setrlimit(resource.RLIMIT_AS, (lim, lim))


def low_nofile():
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))


class EchoLimits(t.CbTest):
    def test_address_space_limits_threads(self):
        args = ["--connections", "100", "--max-requests", "500", "--duration-ms", "30000",
                "--stack", str(8 << 20)]
        r = self.run_json(args, "echo", "threads", preexec_fn=low_as, timeout=120)["results"]
        m = re.match(r"^thread creation failed at connection (\d+): .+", r["limit_error"] or "")
        self.assertTrue(0 < r["connections_established"] < 100, r["connections_established"])
        self.assertIsNotNone(m, r["limit_error"])
        self.assertEqual(int(m.group(1)), r["connections_established"])
        self.assertEqual(r["requests"], 500, "the established ones are still served")

    def test_descriptor_limit(self):
        for bk, extra in (("coro", []), ("threads", []), ("coro", ["--server", "epoll"])):
            with self.subTest(f"{bk} {' '.join(extra)}"):
                r = self.run_json(["--connections", "100", "--max-requests", "500",
                                   "--duration-ms", "30000"] + extra, "echo", bk,
                                  preexec_fn=low_nofile, timeout=120)["results"]
                self.assertEqual(r["nofile_limit"], 64)
                self.assertTrue(0 < r["connections_established"] < 100, r["connections_established"])
                self.assertIn("Too many open files", r["limit_error"] or "")
                self.assertIn("RLIMIT_NOFILE 64", r["limit_error"])


def tokio_server():
    """Tokio's echo server beside this corobench (built by peers_all), or None."""
    p = os.path.join(os.path.dirname(t.BIN), "peers", "tokio", "target", "release", "corobench-tokio")
    return p if os.access(p, os.X_OK) else None


class EchoExternal(t.CbTest):
    """The smallest echo case on Tokio's server, run by corobench's harness
    (--server exec): the same checksum as corobench's own server. Skipped
    (77) when the Tokio peer was not built."""

    def test_tokio_server_agrees(self):
        tokio = tokio_server()
        if tokio is None:
            self.skipTest("Tokio peer not built (make peers_all; Debian cargo, rustc, librust-tokio-dev)")
        own = self.run_json(BOUNDED, "echo", "coro", timeout=120)
        for rt in (["--runtime", "current_thread"], ["--runtime", "multi_thread", "--workers", "2"]):
            with self.subTest(rt[1]):
                env = dict(os.environ, COROBENCH_ECHO_SERVER=" ".join([tokio, "echo-server"] + rt))
                obj = self.run_json(BOUNDED + ["--server", "exec"], "echo", "coro", timeout=120, env=env)
                r = obj["results"]
                self.assertEqual((r["connections_established"], r["requests"]), (10, 2000))
                self.assertTrue(r["server"].startswith(tokio), r["server"])
                self.assertEqual(obj["checksum"], own["checksum"])


if __name__ == "__main__":
    t.main()
