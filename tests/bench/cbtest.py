"""cbtest.py — what the corobench CLI tests share: run the binary, check its
JSON result against bench/result.schema.json (through tests/lib/resultschema.py),
and run a unittest module the ctest way.

Every test script takes the corobench binary as its first argument (ctest
passes $<TARGET_FILE:corobench>), then optional unittest arguments (test
names). Exit status: 0 all passed, 1 a case failed, 77 (ctest's
SKIP_RETURN_CODE) when no case failed but some were skipped, so that a skip is
never reported as a pass.
"""
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))
import ctestrun  # noqa: E402  (tests/lib/ctestrun.py)
import resultschema  # noqa: E402  (tests/lib/resultschema.py)

BACKENDS = ("coro", "threads", "ucontext")
BIN = None  # the corobench binary, set by main()

# Fields a variant of a workload must add to what every run records.
KIND_FIELDS = {
    "spawn-alive": ("tasks_requested", "tasks_reached", "peak_rss_bytes", "rss_per_task_bytes",
                    "limit_error"),
}


def run(binary, args, timeout=60, **kw):
    """Runs corobench; returns CompletedProcess (text mode)."""
    return subprocess.run([binary] + list(args), capture_output=True, text=True,
                          timeout=timeout, **kw)


def result_errors(obj, workload, backend, kind=None, status="ok", binary=None):
    """What is wrong with a parsed result object: the schema, the results
    fields the workload declares (`corobench <workload> --results-schema`;
    `kind` names the variant whose extra fields must be there too, e.g.
    spawn-alive), and what the schema cannot say: the workload and backend
    asked for, and the fields that depend on the status. [] when it is right."""
    where = f"{workload}/{backend}"
    errs = [f"{where}: {e}" for e in resultschema.validate(obj)]
    if errs:
        return errs
    if obj["workload"] != workload or obj["backend"] != backend:
        errs.append(f"{where}: got workload {obj['workload']!r}, backend {obj['backend']!r}")
    if not obj["params"]:
        errs.append(f"{where}: params empty")
    if obj["status"] != status:
        errs.append(f"{where}: status {obj['status']!r}, error {obj['error']!r}")
    elif status == "ok":
        if obj["error"] is not None or obj["checksum"] is None:
            errs.append(f"{where}: ok with error {obj['error']!r}, checksum {obj['checksum']!r}")
        if binary or BIN:  # the workload's declaration comes from the binary
            schema = resultschema.results_schema(binary or BIN, workload)
            if backend not in BACKENDS:  # a peer may record more than corobench does
                schema = dict(schema, additionalProperties=True)
            errs += [f"{where}: results.{e}" for e in resultschema.validate(obj["results"], schema)]
        errs += [f"{where}: results.{k} missing" for k in KIND_FIELDS.get(kind, ())
                 if k not in obj["results"]]
    elif not obj["error"]:
        errs.append(f"{where}: error text missing")
    for k in ("cpu_model", "kernel", "compiler", "commit"):
        if not obj["env"][k]:
            errs.append(f"{where}: env.{k} empty")
    return errs


class CbTest(unittest.TestCase):
    """A test case with the corobench binary at hand."""

    maxDiff = None

    def cb(self, args, timeout=60, **kw):
        return run(BIN, args, timeout=timeout, **kw)

    def assertResult(self, obj, workload, backend, kind=None, status="ok"):
        errs = result_errors(obj, workload, backend, kind, status)
        self.assertEqual(errs, [], "\n".join(errs))

    def run_json(self, args, workload, backend, kind=None, status="ok", timeout=60, **kw):
        """Runs with --json; asserts the exit code, one line of valid JSON and
        the schema; returns the object."""
        p = self.cb([workload] + list(args) + ["--backend", backend, "--json"], timeout=timeout, **kw)
        where = f"{workload} {' '.join(args)} --backend {backend}"
        want_rc = 0 if status == "ok" else 1
        self.assertEqual(p.returncode, want_rc, f"{where}: stderr {p.stderr.strip()}")
        lines = p.stdout.splitlines()
        self.assertEqual(len(lines), 1, f"{where}: want one JSON line, got {p.stdout!r}")
        obj = json.loads(lines[0])
        self.assertResult(obj, workload, backend, kind, status)
        return obj


def main():
    """Runs the calling module's test cases: `script CBIN [unittest args]`."""
    global BIN
    if len(sys.argv) < 2:
        sys.exit(f"usage: {sys.argv[0]} CBIN [test names]")
    BIN = sys.argv[1]
    ctestrun.main([sys.argv[0]] + sys.argv[2:])
