"""peertest.py — what the tests of bench/peers/ share: the manifest (through
scripts/lib/peers.py), the result schema (tests/lib/resultschema.py), running
a peer, and the unittest runner that tells ctest about skips (tests/lib/ctestrun.py).

Every test file is run by ctest as `python3 <file> <builddir> [args]` and exits
0 (passed), 1 (failed) or 77 (skipped: ctest's SKIP_RETURN_CODE). A file in
which any test was skipped exits 77 even if the others passed, so that ctest
never says Passed for a case that did not run.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PEERS_PY = os.path.join(ROOT, "scripts", "lib", "peers.py")
sys.path.insert(0, os.path.dirname(PEERS_PY))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))

import peers  # noqa: E402  (scripts/lib/peers.py)
import resultschema  # noqa: E402  (tests/lib/resultschema.py)

BUILD = None  # set by main() from argv[1]
ARGS = []  # the arguments after the build directory


def schema_errors(obj):
    """The result schema's complaints about one result object ([] if valid),
    from bench/result.schema.json through tests/lib/resultschema.py."""
    return resultschema.validate(obj)


def cli(*args, timeout=60):
    """Runs peers.py's command line; a CompletedProcess (text)."""
    return subprocess.run([sys.executable, PEERS_PY] + list(args), capture_output=True,
                          text=True, timeout=timeout)


def run(name, workload, args, timeout=120):
    """Runs one workload on one peer through peers.argv (what the harness runs)."""
    return subprocess.run(peers.argv(BUILD, name, workload, args), capture_output=True,
                          text=True, timeout=timeout)


def one_json(test, p, where):
    """The one JSON line of a successful run, or fails the test."""
    test.assertEqual(p.returncode, 0, f"{where}: exit {p.returncode}: {p.stderr.strip()}")
    lines = p.stdout.splitlines()
    test.assertEqual(len(lines), 1, f"{where}: {len(lines)} stdout lines, want 1")
    try:
        return json.loads(lines[0])
    except ValueError as e:
        test.fail(f"{where}: invalid JSON: {e}")


def assert_usage_error(test, p, option, where):
    """Exit 2 and one stderr line naming the option."""
    err = p.stderr.strip().splitlines()
    test.assertEqual(p.returncode, 2, f"{where}: exit {p.returncode}, want 2; stderr {err}")
    test.assertEqual(len(err), 1, f"{where}: want one stderr line, got {err}")
    test.assertIn(option, err[0], f"{where}: the error does not name {option}")


def main(usage):
    """Runs the calling module's tests; exit 0, 1 or 77 as said above."""
    global BUILD, ARGS
    if len(sys.argv) < 2 or not os.path.isdir(sys.argv[1]):
        sys.stderr.write(f"usage: {usage}\n")
        sys.exit(2)
    BUILD, ARGS = sys.argv[1], sys.argv[2:]
    import ctestrun  # tests/lib/ctestrun.py (on the path above)
    ctestrun.main([sys.argv[0]])
