#!/usr/bin/env python3
"""test_cli_errors.py CBIN — bad command lines: each must exit 2, print
nothing on stdout and exactly ONE line on stderr that starts with
"corobench: " and names the offending option (or workload/argument). A crash,
a signal or a silently accepted value fails the test."""
import json

import cbtest as t

# (arguments, text the one-line message must contain)
BAD = [
    ([], "missing workload"),
    (["nosuch"], "'nosuch'"),
    (["cpubound", "--tasks", "-3"], "--tasks: expected an integer in [1, 10000000], got '-3'"),
    (["cpubound", "--tasks", "0"], "--tasks"),
    (["cpubound", "--tasks", "10000001"], "--tasks"),
    (["cpubound", "--tasks", "abc"], "--tasks"),
    (["cpubound", "--tasks", "12x"], "--tasks"),
    (["cpubound", "--tasks", ""], "--tasks"),
    (["cpubound", "--tasks", " 5"], "--tasks"),
    (["cpubound", "--tasks", "+5"], "--tasks"),
    (["cpubound", "--tasks", "99999999999999999999999"], "--tasks"),
    (["cpubound", "--tasks", "1e3"], "--tasks"),
    (["cpubound", "--tasks", "0x10"], "--tasks"),
    (["cpubound", "--tasks"], "--tasks: missing value"),
    (["cpubound", "--wss", "2147483648"], "--wss"),
    (["cpubound", "--total-work", "0"], "--total-work"),
    (["cpubound", "--stack", "100"], "--stack"),
    (["prodcons", "--workers", "2", "--backend", "threads"],
     "--workers: the threads backend has no workers; --workers needs --backend coro, got '2'"),
    (["cpubound", "--workers", "2", "--backend", "ucontext"],
     "--workers: the ucontext backend has no workers; --workers needs --backend coro or threads, got '2'"),
    (["prodcons", "--workers", "1", "--backend", "ucontext"], "--workers"),
    (["prodcons", "--workers", "0"], "--workers"),
    (["cpubound", "--workers", "65"], "--workers"),
    (["switch", "--n", "10000000001"], "--n"),
    (["switch", "--n", "-1"], "--n"),
    (["switch", "--pin", "both"], "--pin"),
    (["switch", "--mech", "spin", "--backend", "threads"], "--mech"),
    (["switch", "--mech", "futex", "--backend", "coro"], "--mech"),
    (["switch", "--bogus", "1"], "'--bogus'"),
    (["switch", "--backend", "fibers"], "--backend"),
    (["switch", "--backend"], "--backend: missing value"),
    (["switch", "extra"], "'extra'"),
    (["switch", "--json=yes"], "--json"),
    (["article"], "missing program"),
    (["article", "parallel"], "'parallel'"),
    (["article", "queue", "sequential"], "'sequential'"),
    (["article", "queue", "--n", "0"], "--n"),
    (["article", "queue", "--n", "2000000", "--runs", "3"], "--n"),
    (["article", "queue", "--runs", "0"], "--runs"),
    (["article", "queue", "--runs", "1001"], "--runs"),
    (["article", "queue", "--capacity", "-1"], "--capacity"),
    (["spawn", "--alive=1"], "--alive"),
    (["spawn", "--n", "20000000", "--alive"], "--n"),
    (["spawn", "--n", "1000000001"], "--n"),
    (["prodcons", "--producers", "0"], "--producers"),
    (["prodcons", "--consumers", "100001"], "--consumers"),
    (["prodcons", "--work-ns", "1.5"], "--work-ns"),
    (["prodcons", "--items", "18446744073709551616"], "--items"),
    (["skynet", "--depth", "13"], "--depth"),
    (["skynet", "--depth", "9", "--fanout", "10"], "--depth"),
    (["skynet", "--stack-mode", "shared", "--workers", "2"], "--stack-mode"),
    (["fairness", "--period-us", "0"], "--period-us"),
    (["fairness", "--duration-ms", "60001"], "--duration-ms"),
    (["fairness", "--tasks", "10001"], "--tasks"),
    (["fairness", "--yield-us=-5"], "--yield-us"),
    (["fairness", "--tasks", "100", "--duration-ms", "60000"], "--duration-ms"),
    (["cpubound", "--out", ""], "--out"),
    (["echo", "--backend", "ucontext"], "--backend: echo runs on coro or threads, got 'ucontext'"),
    (["echo", "--workers", "2", "--backend", "threads"],
     "--workers: thread-per-connection has no workers; --workers needs --backend coro, got '2'"),
    (["echo", "--buf", "8"], "--buf"),
    (["echo", "--pin", "both"], "--pin: expected one of none, same, split, got 'both'"),
    (["spawn", "--stack", "16383"], "--stack: expected 0 or an integer in [16384, 1073741824]"),
    (["article", "queue", "--n"], "--n: missing value"),
    (["env", "--bogus"], "env: unknown option '--bogus'"),
    (["spawn", "--stack-mode", "shared", "--backend", "threads"], "--stack-mode: threads have"),
    (["spawn", "--stack-mode", "copied"], "--stack-mode: expected one of own, shared"),
]


# Good values at the edges of the ranges are accepted (checked, not run big).
GOOD = [
    ["switch", "--n", "1", "--backend", "threads", "--mech", "condvar", "--pin", "none"],
    ["cpubound", "--tasks", "1", "--total-work", "1", "--wss", "0", "--stack", "16384"],
    ["fairness", "--tasks", "0", "--duration-ms", "1", "--period-us", "100000"],
    ["article", "sequential", "--n=1", "--runs=1000", "--backend=threads"],
    ["prodcons", "--items", "1", "--capacity", "0", "--work-ns", "0"],
    ["spawn", "--n", "10", "--stack-mode", "shared", "--backend", "ucontext"],
    ["echo", "--connections", "1", "--max-requests", "1", "--backend", "threads"],
]


class CliErrors(t.CbTest):
    def test_bad_command_lines_exit_2_with_one_line(self):
        self.assertGreaterEqual(len(BAD), 20)
        for args, want in BAD:
            where = "corobench " + " ".join(repr(a) if a == "" or " " in a else a for a in args)
            with self.subTest(where):
                p = self.cb(args, timeout=20)
                self.assertEqual(p.returncode, 2, f"stderr {p.stderr!r}")
                self.assertEqual(p.stdout, "")
                lines = p.stderr.splitlines()
                self.assertEqual(len(lines), 1, p.stderr)
                self.assertTrue(lines[0].startswith("corobench: "), lines[0])
                self.assertIn(want, lines[0])

    def test_edges_of_the_ranges_are_accepted(self):
        for args in GOOD:
            with self.subTest(" ".join(args)):
                p = self.cb(args + ["--json"], timeout=60)
                self.assertEqual(p.returncode, 0, p.stderr)

    def test_every_workload_and_option_is_in_help(self):
        """--help lists what the workloads registered; each workload's help
        lists its options, and each of them is in the JSON params."""
        p = self.cb(["--help"])
        self.assertEqual(p.returncode, 0)
        names = [l.split()[0] for l in p.stdout.split("workloads:\n")[1].split("\n\n")[0].splitlines()]
        self.assertIn("echo", names)
        for wl in names:
            with self.subTest(wl):
                h = self.cb([wl, "--help"])
                self.assertEqual(h.returncode, 0)
                opts = [l.split()[0] for l in
                        h.stdout.split("options:\n")[1].split("\n\n")[0].splitlines()]
                self.assertTrue(opts, h.stdout)
                keys = {o.lstrip("-").replace("-", "_") for o in opts}
                rs = self.cb([wl, "--results-schema"])
                self.assertEqual(rs.returncode, 0)
                fields = json.loads(rs.stdout)["properties"]
                for f in fields:  # each declared field is listed in --help too
                    self.assertIn(f"  {f} ", h.stdout)
                bad = self.cb([wl, "--no-such-option"])
                self.assertEqual(bad.returncode, 2)
                self.assertIn(f"corobench {wl} --help", bad.stderr)
                if wl in ("article", "switch", "spawn"):  # quick ones: params == options
                    args = ["sequential"] if wl == "article" else []
                    obj = self.run_json(args + ["--n", "2"], wl, "coro")
                    self.assertEqual(set(obj["params"]), keys)

    def test_env_subcommand(self):
        p = self.cb(["env", "--json"])
        self.assertEqual(p.returncode, 0, p.stderr)
        env = json.loads(p.stdout)
        for k in ("cpu_model", "cores", "kernel", "compiler", "cflags", "build_type", "commit",
                  "caches", "mem_total", "hypervisor", "governor", "sanitize", "cmake_options"):
            self.assertIn(k, env)
        self.assertGreaterEqual(env["cores"], 1)
        if env["caches"]:
            self.assertTrue(all(v > 0 for v in env["caches"].values()), env["caches"])
            self.assertRegex(env["caches_text"], r"^L\d+d? .* \(from (sysfs|getconf)\)$")
        bad = self.cb(["env", "--yaml"])
        self.assertEqual((bad.returncode, bad.stdout), (2, ""))
        self.assertEqual(len(bad.stderr.splitlines()), 1)


if __name__ == "__main__":
    t.main()
