"""ctestrun.py -- run the calling module's unittest cases and tell ctest the outcome.

Exit status: 0 all passed, 1 a case failed, 77 (ctest's SKIP_RETURN_CODE) when
none failed but some were skipped, so that ctest never says Passed for a case
that did not run.
"""
import sys
import unittest


def main(argv):
    """argv: what unittest.main takes (program name, then test names/options)."""
    r = unittest.main(module="__main__", argv=argv, exit=False, verbosity=2).result
    if not r.wasSuccessful():
        sys.exit(1)
    if r.skipped:
        print(f"{len(r.skipped)} of {r.testsRun} case(s) skipped, none failed: reported as skipped")
        sys.exit(77)
    sys.exit(0)
