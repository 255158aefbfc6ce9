#!/usr/bin/env python3
"""Tests the failure paths of scripts/bench-compare.sh (make bench-compare).

Why: a base revision that does not exist, cannot be fetched, or does not
build is a problem of the runner or the request, not a regression: it must
exit 2 with the reason, never 1. A shallow CI clone must fetch the base.
The success path (two real builds measured) is exercised by test_gate.py on
the builds it makes anyway; a whole compare takes minutes, too long here.
Works on a local clone of this repository's committed HEAD.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rgtest  # noqa: E402


def git(*args, cwd):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


class CompareScript(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if shutil.which("git") is None:
            raise unittest.SkipTest("git not installed")
        try:
            git("rev-parse", "HEAD", cwd=rgtest.ROOT)
        except subprocess.CalledProcessError:
            raise unittest.SkipTest("the source tree is not a git checkout")
        cls.tmp = tempfile.mkdtemp(prefix="compare-test.")
        cls.repo = os.path.join(cls.tmp, "repo")
        git("clone", "--quiet", "--shared", rgtest.ROOT, cls.repo, cwd=cls.tmp)
        for k, v in (("user.name", "test"), ("user.email", "test@example.invalid")):
            git("config", k, v, cwd=cls.repo)
        git("checkout", "--quiet", "-b", "broken", cwd=cls.repo)
        with open(os.path.join(cls.repo, "CMakeLists.txt"), "a") as f:
            f.write("\nthis_is_not_cmake(\n")
        git("commit", "--quiet", "-am", "a base that does not configure", cwd=cls.repo)
        cls.broken = git("rev-parse", "HEAD", cwd=cls.repo)
        git("checkout", "--quiet", "-", cwd=cls.repo)
        cls.build = os.path.join(cls.tmp, "build")  # a configured head build, as far as
        os.makedirs(cls.build)                      # the script looks before building
        with open(os.path.join(cls.build, "CMakeCache.txt"), "w") as f:
            f.write("CMAKE_BUILD_TYPE:STRING=Release\n")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def compare(self, repo, *args):
        return subprocess.run(["sh", os.path.join(repo, "scripts", "bench-compare.sh"),
                               "--build", self.build, *args], capture_output=True, text=True,
                              timeout=600, env=dict(os.environ, BENCH_HISTORY="off"))

    def test_unknown_base(self):
        p = self.compare(self.repo, "--base", "no-such-revision-anywhere")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("BASE 'no-such-revision-anywhere' is not a commit", p.stderr)

    def test_missing_base_option(self):
        p = self.compare(self.repo)
        self.assertEqual(p.returncode, 2)
        self.assertIn("BASE is required", p.stderr)

    def test_base_that_does_not_build(self):
        if shutil.which("valgrind") is None or shutil.which("cmake") is None:
            self.skipTest("valgrind or cmake not installed")
        p = self.compare(self.repo, "--base", "broken")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("does not build", p.stderr)
        self.assertIn("not a regression", p.stderr)
        worktrees = git("worktree", "list", cwd=self.repo).splitlines()
        self.assertEqual(len(worktrees), 1, f"temporary worktree left behind: {worktrees}")

    def test_shallow_clone_fetches_the_base(self):
        shallow = os.path.join(self.tmp, "shallow")
        git("clone", "--quiet", "--depth", "1", "file://" + self.repo, shallow, cwd=self.tmp)
        self.assertEqual(git("rev-parse", "--is-shallow-repository", cwd=shallow), "true")
        p = self.compare(shallow, "--base", self.broken, "--dry-run")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.strip(), self.broken)
        self.assertIn("fetching it from origin", p.stderr)
        git("remote", "remove", "origin", cwd=shallow)
        parent = git("rev-parse", "HEAD~1", cwd=self.repo)
        p = self.compare(shallow, "--base", parent, "--dry-run")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("could not be fetched (shallow clone: true)", p.stderr)
        self.assertIn("git fetch --depth=1 origin " + parent, p.stderr)


if __name__ == "__main__":
    rgtest.main()
