"""peers.py -- TEMPORARY adapter over bench/peers/peers.sh.

Stands in for the manifest reader (bench/peers/manifest.json) until that
lands; it implements the same contract (load, available, argv, label) so the
harness codes against the contract only.  At merge, the manifest reader
replaces this file.
"""
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PEERS_SH = os.path.join(ROOT, "bench", "peers", "peers.sh")
_LABELS = {"go": "Go", "asyncio": "Python asyncio", "boost-context": "Boost.Context",
           "boost-fiber": "Boost.Fiber", "ucontext": "ucontext"}
_FAMILY = {"boost-context": "primitive"}


def _sh(*args):
    r = subprocess.run(["sh", PEERS_SH, "--build", "/"] + list(args), capture_output=True, text=True, timeout=30)
    return r.stdout.split() if r.returncode == 0 else []


def load():
    return [{"name": n, "label": _LABELS[n], "family": _FAMILY.get(n, "scheduler"), "workloads": _sh("workloads", n)}
            for n in _LABELS]


def available(build):
    r = subprocess.run(["sh", PEERS_SH, "--build", build, "list"], capture_output=True, text=True, timeout=30)
    listed = set(r.stdout.split()) if r.returncode == 0 else set()
    return {n: None if n in listed else "toolchain or binary missing" for n in _LABELS}


def argv(build, name, workload, args):
    return ["sh", PEERS_SH, "--build", build, "run", name, workload] + list(args)


def label(name):
    return _LABELS.get(name, name)
