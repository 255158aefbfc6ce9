"""cbtest.py — helpers shared by the corobench CLI tests: run the binary,
parse and validate its JSON result against bench/SCHEMA.md.

Every test script takes the corobench binary as its first argument (ctest
passes $<TARGET_FILE:corobench>) and exits 0 on success, 1 with the failures
printed, 77 when skipped.
"""
import json
import re
import subprocess
import sys

BACKENDS = ("coro", "threads", "ucontext")

# Required results fields per workload (bench/SCHEMA.md).
RESULT_FIELDS = {
    "article": ("lines", "runs", "distinct_orders"),
    "switch": ("switches", "wall_ns", "ns_per_switch", "vol_csw", "invol_csw"),
    "spawn": ("tasks", "wall_ns", "ns_per_task"),
    "spawn-alive": ("tasks", "wall_ns", "ns_per_task", "tasks_requested", "tasks_reached",
                    "peak_rss_bytes", "rss_per_task_bytes", "limit_error"),
    "prodcons": ("items", "wall_ns", "items_per_s"),
    "cpubound": ("tasks", "wall_ns", "cpu_ns", "vol_csw", "invol_csw", "work_units"),
    "fairness": ("ticks", "late_p50_ns", "late_p99_ns", "late_max_ns"),
    "skynet": ("tasks", "leaves", "sum", "wall_ns"),
    "echo": ("connections", "connections_established", "requests", "wall_ns", "requests_per_s",
             "lat_p50_ns", "lat_p99_ns", "lat_max_ns", "bounded_by", "server_peak_rss_bytes",
             "server_rss_bytes", "server_rss_per_conn_bytes", "server_threads",
             "kernel_stack_delta_bytes", "nofile_limit", "setup_error", "limit_error"),
}
ENV_FIELDS = ("cpu_model", "cores", "kernel", "compiler", "cflags", "commit")

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def check(cond, msg):
    if not cond:
        fail(msg)
    return bool(cond)


def finish():
    if failures:
        print(f"{len(failures)} failure(s)")
        sys.exit(1)
    print("ok")
    sys.exit(0)


def run(binary, args, timeout=60, **kw):
    """Runs corobench; returns CompletedProcess (text mode)."""
    return subprocess.run([binary] + list(args), capture_output=True, text=True,
                          timeout=timeout, **kw)


def validate(obj, workload, backend, kind=None, status="ok"):
    """Checks a parsed result object against SCHEMA.md; returns True if valid."""
    where = f"{workload}/{backend}"
    ok = True
    ok &= check(obj.get("schema") == "corobench-result/1", f"{where}: schema is {obj.get('schema')!r}")
    ok &= check(obj.get("workload") == workload, f"{where}: workload is {obj.get('workload')!r}")
    ok &= check(obj.get("backend") == backend, f"{where}: backend is {obj.get('backend')!r}")
    ok &= check(isinstance(obj.get("params"), dict) and len(obj["params"]) > 0, f"{where}: params missing")
    ok &= check(obj.get("status") == status, f"{where}: status {obj.get('status')!r}, error {obj.get('error')!r}")
    if status == "ok":
        ok &= check(obj.get("error") is None, f"{where}: error should be null")
        cs = obj.get("checksum")
        ok &= check(isinstance(cs, str) and re.fullmatch(r"0x[0-9a-f]{16}", cs) is not None,
                    f"{where}: checksum {cs!r}")
        res = obj.get("results")
        if check(isinstance(res, dict), f"{where}: results missing"):
            for f in RESULT_FIELDS[kind or workload]:
                ok &= check(f in res, f"{where}: results.{f} missing")
    else:
        ok &= check(isinstance(obj.get("error"), str) and len(obj["error"]) > 0, f"{where}: error text missing")
    env = obj.get("env")
    if check(isinstance(env, dict), f"{where}: env missing"):
        for f in ENV_FIELDS:
            ok &= check(f in env and env[f] not in (None, ""), f"{where}: env.{f} missing")
        ok &= check(isinstance(env.get("cores"), int) and env["cores"] >= 1, f"{where}: env.cores")
    return ok


def run_json(binary, args, workload, backend, kind=None, status="ok", timeout=60, **kw):
    """Runs with --json, checks exit code, one line of valid JSON, the schema."""
    p = run(binary, [workload] + list(args) + ["--backend", backend, "--json"], timeout=timeout, **kw)
    where = f"{workload} {' '.join(args)} --backend {backend}"
    want_rc = 0 if status == "ok" else 1
    if not check(p.returncode == want_rc, f"{where}: exit {p.returncode}, want {want_rc}; stderr: {p.stderr.strip()}"):
        return None
    lines = p.stdout.splitlines()
    if not check(len(lines) == 1, f"{where}: {len(lines)} stdout lines, want 1 JSON line"):
        return None
    try:
        obj = json.loads(lines[0])
    except ValueError as e:
        fail(f"{where}: invalid JSON: {e}")
        return None
    validate(obj, workload, backend, kind, status)
    return obj
