"""test_tokio.py <builddir> [<corobench>] — the Tokio peer (corobench-tokio)
end to end: the smallest case of each workload on both runtimes prints one
valid result with status ok and the checksum corobench's coroutine backend
gives for the same parameters; skynet's sum is right on a small tree; the
echo server serves bench/echo's protocol; a bad command line is one line
naming the option and exit 2.

Exit 0 ok, 1 failures, 77 skipped (Debian's cargo/tokio missing, so the
binary was not built).
"""
import json
import os
import socket
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "bench"))
import cbtest  # noqa: E402  (the result checks shared with corobench's tests)

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
COROBENCH = sys.argv[2] if len(sys.argv) > 2 else os.path.join(BUILD, "bench", "corobench")
TOKIO = os.path.join(BUILD, "bench", "peers", "tokio", "target", "release", "corobench-tokio")

RUNTIMES = {"current_thread": ["--runtime", "current_thread"],
            "multi_thread": ["--runtime", "multi_thread", "--workers", "2"]}
# (workload, kind for the required fields, args); equal args in corobench.
CASES = [
    ("switch", "switch", ["--n", "500"]),
    ("spawn", "spawn", ["--n", "200"]),
    ("spawn", "spawn-alive", ["--n", "300", "--alive"]),
    ("prodcons", "prodcons", ["--items", "2000", "--capacity", "1", "--producers", "2",
                              "--consumers", "3"]),
    ("prodcons", "prodcons", ["--items", "2000", "--capacity", "1024", "--work-ns", "20"]),
    ("prodcons", "prodcons", ["--items", "500", "--capacity", "0"]),
    ("cpubound", "cpubound", ["--tasks", "3", "--total-work", "1000", "--wss", "256",
                              "--yield-every", "7"]),
]
# corobench has --workers only where its M:N runs (prodcons, cpubound).
CB_WORKERS = {"prodcons", "cpubound"}
FNV_INIT, FNV_PRIME = 0xcbf29ce484222325, 0x100000001b3


def fnv_u64(h, v):
    for b in v.to_bytes(8, "little"):
        h = ((h ^ b) * FNV_PRIME) & 0xFFFFFFFFFFFFFFFF
    return h


def run(binary, args, timeout=120):
    return subprocess.run([binary] + args, capture_output=True, text=True, timeout=timeout)


def result(binary, args):
    p = run(binary, args + ["--json"])
    if p.returncode != 0:
        raise AssertionError(f"{binary} {' '.join(args)}: exit {p.returncode}: {p.stderr}")
    lines = p.stdout.strip().splitlines()
    if len(lines) != 1:
        raise AssertionError(f"{' '.join(args)}: expected one JSON line, got {p.stdout!r}")
    return json.loads(lines[0])


class Workloads(unittest.TestCase):
    def check_result(self, obj, workload, kind):
        self.assertEqual(obj["schema"], "corobench-result/1")
        self.assertEqual((obj["workload"], obj["backend"]), (workload, "tokio"))
        self.assertEqual(obj["status"], "ok", obj.get("error"))
        self.assertIsNone(obj["error"])
        self.assertRegex(obj["checksum"], r"^0x[0-9a-f]{16}$")
        # The result schema, and the results fields corobench's workload
        # declares (when corobench is built).
        binary = COROBENCH if os.access(COROBENCH, os.X_OK) else None
        errs = cbtest.result_errors(obj, workload, "tokio", kind if kind != workload else None,
                                    binary=binary)
        self.assertEqual(errs, [], f"{workload}: {errs}")

    def test_checksums_equal_corobench(self):
        have_cb = os.access(COROBENCH, os.X_OK)
        for rt, rt_args in RUNTIMES.items():
            for workload, kind, args in CASES:
                with self.subTest(runtime=rt, args=args):
                    obj = result(TOKIO, [workload] + args + rt_args)
                    self.check_result(obj, workload, kind)
                    self.assertEqual(obj["params"]["runtime"], rt)
                    if not have_cb:
                        continue
                    cb_args = [workload] + args + ["--backend", "coro"]
                    if rt == "multi_thread" and workload in CB_WORKERS:
                        cb_args += ["--workers", "2"]
                    self.assertEqual(obj["checksum"], result(COROBENCH, cb_args)["checksum"])
        if not have_cb:
            self.skipTest(f"{COROBENCH} not built: checksums not compared")

    def test_alive_reaches_all(self):
        res = result(TOKIO, ["spawn", "--n", "2000", "--alive"])["results"]
        self.assertEqual(res["tasks_reached"], 2000)
        self.assertIsNone(res["limit_error"])
        self.assertGreater(res["peak_rss_bytes"], res["baseline_rss_bytes"])

    def test_skynet_sum(self):
        for rt_args in RUNTIMES.values():
            for depth, leaves, tasks in ((0, 1, 1), (1, 10, 11), (3, 1000, 1111)):
                obj = result(TOKIO, ["skynet", "--depth", str(depth)] + rt_args)
                self.assertEqual(obj["status"], "ok")
                res = obj["results"]
                self.assertEqual(res["sum"], leaves * (leaves - 1) // 2)
                self.assertEqual(res["tasks"], tasks)
                want = fnv_u64(fnv_u64(FNV_INIT, res["sum"]), tasks)
                self.assertEqual(obj["checksum"], f"0x{want:016x}")

    def test_text_and_out(self):
        p = run(TOKIO, ["switch", "--n", "10"])
        self.assertEqual(p.returncode, 0)
        self.assertIn("tokio switch: ok", p.stdout)
        out = os.path.join(BUILD, "test_tokio_out.json")
        p = run(TOKIO, ["spawn", "--n", "10", "--out", out])
        self.assertEqual((p.returncode, p.stdout), (0, ""))
        with open(out) as f:
            self.assertEqual(json.load(f)["workload"], "spawn")
        os.remove(out)


class BadInput(unittest.TestCase):
    CASES = [
        (["switch", "--n", "-3"], "--n"),
        (["spawn", "--n", "abc"], "--n"),
        (["spawn", "--alive", "--n", "20000000"], "--n"),
        (["prodcons", "--items", "99999999999999999999999"], "--items"),
        (["prodcons", "--capacity"], "--capacity"),
        (["cpubound", "--tasks", "0"], "--tasks"),
        (["skynet", "--depth", "13"], "--depth"),
        (["skynet", "--depth", "9", "--fanout", "10"], "--depth"),
        (["switch", "--runtime", "green"], "--runtime"),
        (["switch", "--workers", "2"], "--workers"),
        (["switch", "--runtime", "multi_thread", "--workers", "65"], "--workers"),
        (["switch", "--bogus", "1"], "--bogus"),
        (["echo-server", "--buf", "8"], "--buf"),
        (["teleport"], "teleport"),
    ]

    def test_exit_2_one_line(self):
        for args, name in self.CASES:
            with self.subTest(args=args):
                p = run(TOKIO, args)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertEqual(p.stdout, "")
                lines = p.stderr.strip().splitlines()
                self.assertEqual(len(lines), 1, p.stderr)
                self.assertIn(name, lines[0])


class EchoServer(unittest.TestCase):
    """The server side of bench/echo: a listening socket handed over as a
    descriptor, "ready" on the status descriptor, then plain echo (a one-byte
    handshake, then requests of any size)."""

    def serve(self, rt_args):
        lsock = socket.socket()
        lsock.bind(("127.0.0.1", 0))
        lsock.listen(128)
        rd, wr = os.pipe()
        srv = subprocess.Popen([TOKIO, "echo-server", "--listen-fd", str(lsock.fileno()),
                                "--status-fd", str(wr), "--buf", "16"] + rt_args,
                               pass_fds=(lsock.fileno(), wr))
        os.close(wr)
        self.addCleanup(srv.wait)
        self.addCleanup(srv.kill)
        self.addCleanup(os.close, rd)
        self.addCleanup(lsock.close)
        status = os.fdopen(os.dup(rd), "r")
        self.addCleanup(status.close)
        self.assertEqual(status.readline(), "ready\n")
        return lsock.getsockname()

    def test_echo(self):
        for rt_args in RUNTIMES.values():
            with self.subTest(runtime=rt_args):
                addr = self.serve(rt_args)
                conns = [socket.create_connection(addr, timeout=10) for _ in range(20)]
                for c in conns:
                    c.sendall(b"h")
                    self.assertEqual(c.recv(1), b"h")
                for k in range(50):
                    for i, c in enumerate(conns):
                        # 64 B, read back through the 16 B buffer in pieces
                        req = bytes((k * 7 + i + j) % 256 for j in range(64))
                        c.sendall(req)
                        got = b""
                        while len(got) < len(req):
                            chunk = c.recv(4096)
                            self.assertTrue(chunk, "server closed the connection")
                            got += chunk
                        self.assertEqual(got, req)
                for c in conns:
                    c.close()


if __name__ == "__main__":
    if not os.access(TOKIO, os.X_OK):
        print(f"skipped: {TOKIO} not built (Debian's cargo, rustc, librust-tokio-dev missing)")
        sys.exit(77)
    sys.argv[1:] = []
    unittest.main(verbosity=1)
