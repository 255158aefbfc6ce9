"""test_peers_sh.py <peers.sh> <builddir> — the harness entry point's own
contract: usage errors exit 2 with one line, a peer missing from a build is
unlisted and `run` on it exits 77, --out writes the JSON atomically (and
leaves no temp file), and `list` names only known backends.
"""
import json
import os
import subprocess
import sys
import tempfile

KNOWN = {"go", "asyncio", "boost-context", "boost-fiber", "ucontext"}
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg)


def sh(peers, *args):
    return subprocess.run(["sh", peers] + list(args), capture_output=True, text=True, timeout=60)


def main():
    peers, build = sys.argv[1:3]
    usage = [
        [],  # no --build
        ["--build"],  # --build without a value
        ["--build", "/nonexistent/dir", "list"],  # no such build dir
        ["--build", build],  # no command
        ["--build", build, "frobnicate"],  # unknown command
        ["--build", build, "list", "extra"],  # list takes nothing
        ["--build", build, "workloads", "cobol"],  # unknown backend
        ["--build", build, "run", "cobol", "switch"],  # unknown backend
        ["--build", build, "run", "go"],  # no workload
        ["--build", build, "run", "asyncio", "cpubound"],  # not on that backend
        ["--build", build, "run", "asyncio", "spawn", "--out"],  # --out without a file
    ]
    for args in usage:
        p = sh(peers, *args)
        check(p.returncode == 2, f"{args}: exit {p.returncode}, want 2")
        check(len(p.stderr.strip().splitlines()) == 1,
              f"{args}: want one stderr line, got {p.stderr!r}")
    listed = sh(peers, "--build", build, "list").stdout.split()
    check(set(listed) <= KNOWN, f"list names unknown backends: {listed}")
    with tempfile.TemporaryDirectory() as empty:
        p = sh(peers, "--build", empty, "list")
        check(p.returncode == 0, "list on an empty build dir fails")
        built = {"go", "boost-context", "boost-fiber", "ucontext"} & set(p.stdout.split())
        check(not built, f"an empty build dir lists built peers: {sorted(built)}")
        p = sh(peers, "--build", empty, "run", "go", "switch", "--n", "10")
        check(p.returncode == 77, f"run of a missing peer exits {p.returncode}, want 77")
    if "asyncio" in listed:
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "r.json")
            p = sh(peers, "--build", build, "run", "asyncio", "spawn", "--n", "10", "--json",
                   "--out", out)
            check(p.returncode == 0 and p.stdout == "",
                  f"--out: exit {p.returncode}, stdout {p.stdout!r}")
            try:
                with open(out) as f:
                    check(json.load(f)["workload"] == "spawn", "--out: wrong JSON")
            except (OSError, ValueError, KeyError) as e:
                check(False, f"--out: {e}")
            check(os.listdir(d) == ["r.json"], f"--out left files behind: {os.listdir(d)}")
    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
