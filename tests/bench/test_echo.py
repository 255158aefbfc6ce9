#!/usr/bin/env python3
"""test_echo.py CBIN [--limits] — the echo workload (bench/echo/).

Default: small runs bounded by --max-requests on the coroutine server (1 and
2 workers) and the thread server succeed with valid JSON, every connection
established, exactly the requested number of requests, and the same checksum
on every backend; large requests (bigger than the socket buffers) come back
intact; a run bounded by time says so; bad options exit 2 with one line.

--limits (ctest label nosan: a lowered RLIMIT_AS cannot coexist with the
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
import sys

import cbtest as t

t.RESULT_FIELDS["echo"] = (
    "connections", "connections_established", "requests", "bytes_echoed", "wall_ns",
    "requests_per_s", "lat_p50_ns", "lat_p99_ns", "lat_max_ns", "server_peak_rss_bytes",
    "server_rss_bytes", "server_threads", "nofile_limit", "bounded_by", "limit_error")

BOUNDED = ["--connections", "10", "--max-requests", "2000", "--size", "100",
           "--duration-ms", "30000"]


def sane(obj, where):
    r = obj["results"]
    t.check(r["lat_p50_ns"] <= r["lat_p99_ns"] <= r["lat_max_ns"], f"{where}: percentiles {r}")
    t.check(r["lat_max_ns"] > 0 and r["wall_ns"] > 0, f"{where}: zero latency or wall time")
    t.check(r["server_peak_rss_bytes"] >= r["server_rss_bytes"] > 0, f"{where}: server memory {r}")
    t.check(r["bytes_echoed"] == r["requests"] * obj["params"]["size"], f"{where}: bytes_echoed")
    # CPU time covers the timed phase only: at most every core for wall_ns,
    # plus two clock ticks of /proc rounding (10 ms each) for the server.
    cores = (os.cpu_count() or 1) * r["wall_ns"]
    t.check(r.get("loadgen_cpu_ns") is not None and 0 < r["loadgen_cpu_ns"] <= cores + 20_000_000,
            f"{where}: loadgen_cpu_ns {r.get('loadgen_cpu_ns')} for wall {r['wall_ns']}")
    t.check(r.get("server_cpu_ns") is not None and r["server_cpu_ns"] <= cores + 20_000_000,
            f"{where}: server_cpu_ns {r.get('server_cpu_ns')} for wall {r['wall_ns']}")


def mn_rejected(cbin):
    """True when coro_run_ex refuses workers > 1 (the server cannot start)."""
    p = t.run(cbin, ["echo", "--connections", "1", "--max-requests", "1", "--workers", "2", "--json"],
              timeout=60)
    return p.returncode == 1 and "server did not start" in p.stderr and "invalid argument" in p.stderr


def bounded_runs(cbin):
    sums = {}
    for bk, extra, threads in (("coro", [], lambda n: n == 1),
                               ("coro", ["--workers", "2"], lambda n: n == 2),
                               # 16-byte reads: four per request, none short.
                               ("coro", ["--buf", "16"], lambda n: n == 1),
                               ("threads", [], lambda n: n >= 11)):
        where = f"echo {bk} {' '.join(extra)}"
        if extra and mn_rejected(cbin):
            print(f"SKIP {where}: the runtime rejects coro_run_ex with 2 workers")
            continue
        # A broken server shows as a request timeout (10 s), not a hang.
        obj = t.run_json(cbin, BOUNDED + extra, "echo", bk, timeout=120)
        if not obj:
            continue
        r = obj["results"]
        t.check(r["connections_established"] == 10, f"{where}: established {r['connections_established']}")
        t.check(r["requests"] == 2000, f"{where}: requests {r['requests']}")
        t.check(r["bounded_by"] == "requests", f"{where}: bounded_by {r['bounded_by']}")
        t.check(r["limit_error"] is None, f"{where}: limit_error {r['limit_error']}")
        t.check(threads(r["server_threads"]), f"{where}: server_threads {r['server_threads']}")
        sane(obj, where)
        sums[where] = obj["checksum"]
        print(f"{where}: {r['requests_per_s']:.0f} req/s, p99 {r['lat_p99_ns']} ns, "
              f"server peak RSS {r['server_peak_rss_bytes']} B, checksum {obj['checksum']}")
    t.check(len(set(sums.values())) == 1, f"checksums differ across backends: {sums}")


def big_requests(cbin):
    # 600 KB each way: more than the socket buffers, so writing and reading
    # must interleave; every byte is checked by the load generator.
    args = ["--connections", "3", "--max-requests", "12", "--size", "600000", "--duration-ms", "30000"]
    for bk in ("coro", "threads"):
        obj = t.run_json(cbin, args, "echo", bk, timeout=120)
        if obj:
            r = obj["results"]
            t.check(r["requests"] == 12 and r["bytes_echoed"] == 12 * 600000,
                    f"big {bk}: requests {r['requests']} bytes {r['bytes_echoed']}")


def memory_per_connection(cbin):
    # A parked connection coroutine with the default 1 KiB buffer should use
    # one stack page. Two pages (a 4 KiB buffer, or the poll's 3 KiB event
    # array on the stack of whichever coroutine blocks at a round boundary,
    # as before) show as 6-8 KiB per connection; the bound sits between.
    obj = t.run_json(cbin, ["--connections", "200", "--max-requests", "2000"], "echo", "coro",
                     timeout=60)
    if obj and obj["env"].get("sanitize"):
        print(f"SKIP memory per connection: a {obj['env']['sanitize']} build's stacks are not the product's")
    elif obj:
        r = obj["results"]
        per = r["server_rss_per_conn_bytes"]
        t.check(r["connections_established"] == 200 and 0 < per < 6144,
                f"coro server: {per} B resident per connection, want one page (< 6144)")
        print(f"coro server, 200 connections: {per} B resident per connection")


def time_bounded(cbin):
    obj = t.run_json(cbin, ["--connections", "4", "--duration-ms", "150"], "echo", "coro", timeout=60)
    if obj:
        r = obj["results"]
        t.check(r["bounded_by"] == "time", f"time-bounded: bounded_by {r['bounded_by']}")
        t.check(r["requests"] > 0 and r["wall_ns"] >= 150_000_000, f"time-bounded: {r}")
        sane(obj, "time-bounded")
    # The human summary works too.
    p = t.run(cbin, ["echo", "--connections", "2", "--max-requests", "10"])
    t.check(p.returncode == 0 and "echo on coro: ok" in p.stdout, f"human output: {p.stdout} {p.stderr}")


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
]


def bad_options(cbin):
    for args, want in BAD:
        p = t.run(cbin, ["echo"] + args)
        where = "echo " + " ".join(args)
        lines = p.stderr.splitlines()
        t.check(p.returncode == 2, f"{where}: exit {p.returncode}, want 2")
        t.check(p.stdout == "", f"{where}: stdout {p.stdout!r}")
        t.check(len(lines) == 1 and lines[0].startswith("corobench: ") and want in lines[0],
                f"{where}: stderr {p.stderr!r}")


def limits(cbin):
    lim_as = 512 << 20  # ~60 thread stacks of 8 MiB

    def low_as():
        resource.setrlimit(resource.RLIMIT_AS, (lim_as, lim_as))

    args = ["--connections", "100", "--max-requests", "500", "--duration-ms", "30000",
            "--stack", str(8 << 20)]
    obj = t.run_json(cbin, args, "echo", "threads", preexec_fn=low_as, timeout=120)
    if obj:
        r = obj["results"]
        m = re.match(r"^thread creation failed at connection (\d+): .+", r["limit_error"] or "")
        t.check(0 < r["connections_established"] < 100, f"RLIMIT_AS threads: established {r['connections_established']}")
        if t.check(m is not None, f"RLIMIT_AS threads: limit_error {r['limit_error']!r}"):
            t.check(int(m.group(1)) == r["connections_established"],
                    f"RLIMIT_AS threads: failed at {m.group(1)}, established {r['connections_established']}")
        t.check(r["requests"] == 500, f"RLIMIT_AS threads: the established ones still served: {r['requests']}")
        print(f"threads, RLIMIT_AS={lim_as}, 8 MiB stacks: {r['connections_established']} of 100: {r['limit_error']}")

    def low_nofile():
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))

    for bk in ("coro", "threads"):
        obj = t.run_json(cbin, ["--connections", "100", "--max-requests", "500", "--duration-ms", "30000"],
                         "echo", bk, preexec_fn=low_nofile, timeout=120)
        if obj:
            r = obj["results"]
            t.check(r["nofile_limit"] == 64, f"RLIMIT_NOFILE {bk}: nofile_limit {r['nofile_limit']}")
            t.check(0 < r["connections_established"] < 100, f"RLIMIT_NOFILE {bk}: established {r['connections_established']}")
            t.check("Too many open files" in (r["limit_error"] or "") and "RLIMIT_NOFILE 64" in r["limit_error"],
                    f"RLIMIT_NOFILE {bk}: limit_error {r['limit_error']!r}")
            print(f"{bk}, RLIMIT_NOFILE=64: {r['connections_established']} of 100: {r['limit_error']}")


def main():
    cbin = sys.argv[1]
    if "--limits" in sys.argv[2:]:
        limits(cbin)
    else:
        bad_options(cbin)
        bounded_runs(cbin)
        big_requests(cbin)
        memory_per_connection(cbin)
        time_bounded(cbin)
    t.finish()


main()
