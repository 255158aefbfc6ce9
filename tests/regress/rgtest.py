"""rgtest.py -- runs a unittest module the way ctest reads it.

Exit 0 when the tests passed, 1 when one failed, 77 (the tests' CMake
SKIP_RETURN_CODE) when every test was skipped: a case that cannot run here
(no valgrind, no numpy) must show as skipped in ctest, never as passed.
"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SCRIPTS = os.path.join(ROOT, "scripts")
PYTHON = sys.executable


def main(argv=None):
    prog = unittest.main(module="__main__", argv=argv, exit=False, verbosity=2)
    r = prog.result
    if not r.wasSuccessful():
        sys.exit(1)
    if r.testsRun and len(r.skipped) == r.testsRun:
        print(f"all {r.testsRun} test(s) skipped: {r.skipped[0][1]}")
        sys.exit(77)
    sys.exit(0)
