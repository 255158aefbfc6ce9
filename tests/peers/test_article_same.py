"""test_article_same.py <peers.sh> <builddir> <corobench> — the article's
three programs on Python asyncio (the article's own runtime) print exactly,
byte for byte, what corobench's coroutine backend prints for the same --n
and --capacity. This is the claim that corobench's scheduler has asyncio's
semantics, checked against asyncio itself.

Exit 0 ok, 1 differences (the first differing line shown), 77 skipped.
"""
import os
import subprocess
import sys

CASES = [(p, n, None) for p in ("sequential", "concurrent") for n in (1, 6, 25)]
CASES += [("queue", n, cap) for n in (1, 6, 25) for cap in (None, 1, 2, 5)]


def main():
    if len(sys.argv) != 4:
        print("usage: test_article_same.py <peers.sh> <builddir> <corobench>")
        return 2
    peers, build, corobench = sys.argv[1:]
    if not os.access(corobench, os.X_OK):
        print(f"skipped: {corobench} not built")
        return 77
    avail = subprocess.run(["sh", peers, "--build", build, "list"], capture_output=True,
                           text=True, timeout=60).stdout.split()
    if "asyncio" not in avail:
        print("skipped: python3 (asyncio peer) not available")
        return 77
    bad = 0
    for prog, n, cap in CASES:
        args = [prog, "--n", str(n)] + (["--capacity", str(cap)] if cap is not None else [])
        a = subprocess.run(["sh", peers, "--build", build, "run", "asyncio", "article"] + args,
                           capture_output=True, timeout=60)
        c = subprocess.run([corobench, "article"] + args + ["--backend", "coro"],
                           capture_output=True, timeout=60)
        where = " ".join(args)
        if a.returncode or c.returncode:
            print(f"FAIL: {where}: exit asyncio {a.returncode}, corobench {c.returncode}")
            bad += 1
        elif a.stdout != c.stdout:
            al, cl = a.stdout.decode().splitlines(), c.stdout.decode().splitlines()
            i = next((i for i, (x, y) in enumerate(zip(al, cl)) if x != y), min(len(al), len(cl)))
            x = al[i] if i < len(al) else "<end>"
            y = cl[i] if i < len(cl) else "<end>"
            print(f"FAIL: {where}: outputs differ at line {i + 1}: asyncio {x!r}, corobench {y!r}")
            bad += 1
        elif not a.stdout:
            print(f"FAIL: {where}: empty output")
            bad += 1
    print(f"{len(CASES) - bad}/{len(CASES)} identical")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
