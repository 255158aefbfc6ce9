"""test_peers.py <peers.sh> <builddir> <backend> [<corobench>] — one peer
backend end to end through bench/peers/peers.sh: every workload it runs, at
its smallest size, prints one JSON line valid against bench/SCHEMA.md (the
same checks as corobench's own tests, tests/bench/cbtest.py), with the same
checksum as corobench's coroutine backend for the same parameters; bad
options give one line on stderr and exit 2.

Exit 0 ok, 1 failures, 77 skipped (the peer's toolchain is not installed).
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
import cbtest as T  # noqa: E402  (the schema checks shared with corobench's tests)

# The smallest case of each workload, as (kind, args); kind picks the fields.
CASES = {
    "switch": [("switch", ["--n", "100"])],
    "spawn": [("spawn", ["--n", "100"]), ("spawn-alive", ["--n", "100", "--alive"])],
    "prodcons": [("prodcons", ["--items", "1000", "--producers", "2", "--consumers", "3",
                               "--capacity", "64"]),
                 ("prodcons", ["--items", "500", "--capacity", "1", "--work-ns", "50"])],
    "cpubound": [("cpubound", ["--tasks", "3", "--total-work", "1000", "--wss", "256",
                               "--yield-every", "7"])],
    "article": [("article", [p, "--n", "6"]) for p in ("sequential", "concurrent", "queue")],
}
# Cases a backend does not have (it exits 2 for them, checked below).
UNSUPPORTED = {("boost-context", "spawn-alive")}
# One bad command line per workload: (args, the option the error must name).
BAD = {
    "switch": (["--n", "-3"], "--n"),
    "spawn": (["--n", "abc"], "--n"),
    "prodcons": (["--items", "99999999999999999999999"], "--items"),
    "cpubound": (["--tasks", "0"], "--tasks"),
    "article": (["bogus"], "program"),
}


def sh(peers, build, *args, timeout=120):
    return subprocess.run(["sh", peers, "--build", build] + list(args), capture_output=True,
                          text=True, timeout=timeout)


def main():
    if len(sys.argv) < 4:
        print("usage: test_peers.py <peers.sh> <builddir> <backend> [<corobench>]")
        return 2
    peers, build, backend = sys.argv[1:4]
    corobench = sys.argv[4] if len(sys.argv) > 4 and os.access(sys.argv[4], os.X_OK) else None
    T.BIN = corobench  # the workloads' declared results fields come from it
    avail = sh(peers, build, "list").stdout.split()
    if backend not in avail:
        print(f"skipped: peer {backend} is not available here (toolchain missing)")
        return 77
    workloads = sh(peers, build, "workloads", backend).stdout.split()
    T.check(workloads, f"{backend}: no workloads listed")
    for w in workloads:
        for kind, args in CASES.get(w, []):
            where = f"{backend} {w} {' '.join(args)}"
            p = sh(peers, build, "run", backend, w, *args, "--json")
            if (backend, kind) in UNSUPPORTED:
                T.check(p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1,
                        f"{where}: unsupported, want exit 2 and one line, got {p.returncode}")
                continue
            if not T.check(p.returncode == 0, f"{where}: exit {p.returncode}: {p.stderr.strip()}"):
                continue
            lines = p.stdout.splitlines()
            if not T.check(len(lines) == 1, f"{where}: {len(lines)} stdout lines, want 1"):
                continue
            try:
                obj = json.loads(lines[0])
            except ValueError as e:
                T.fail(f"{where}: invalid JSON: {e}")
                continue
            T.validate(obj, w, backend, kind)
            if corobench and obj.get("status") == "ok":
                c = subprocess.run([corobench, w] + args + ["--backend", "coro", "--json"],
                                   capture_output=True, text=True, timeout=120)
                if T.check(c.returncode == 0, f"corobench {w} {args}: exit {c.returncode}"):
                    want = json.loads(c.stdout)["checksum"]
                    T.check(obj["checksum"] == want,
                            f"{where}: checksum {obj['checksum']}, corobench coro says {want}")
        if w in BAD:
            args, name = BAD[w]
            p = sh(peers, build, "run", backend, w, *args)
            T.check(p.returncode == 2, f"{backend} {w} {args}: exit {p.returncode}, want 2")
            err = p.stderr.strip().splitlines()
            T.check(len(err) == 1 and name in err[0],
                    f"{backend} {w} {args}: want one stderr line naming {name}, got {err}")
    p = sh(peers, build, "run", backend, "no-such-workload")
    T.check(p.returncode == 2, f"{backend}: unknown workload exits {p.returncode}, want 2")
    T.finish()


if __name__ == "__main__":
    sys.exit(main())
