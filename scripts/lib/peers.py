#!/usr/bin/env python3
"""peers.py — the peers (the systems corobench is compared with), as declared
in bench/peers/manifest.json. Standard library only: scripts/bootstrap runs it
on a fresh machine before anything else is installed.

Library (for the harness, the report and the tests):
    load()                          -> [peer dict], variants resolved
    label(name)                     -> the peer's name in words
    available(build)                -> {name: None, or why it cannot run}
    argv(build, name, workload, args) -> the command line of one run
    checks()                        -> [(need, package)] of every toolchain

Command line (what bench/peers/peers.sh forwards to):
    peers.py --build B list [--all]          available peers (--all: every peer and why not)
    peers.py --build B workloads NAME        the workloads NAME runs
    peers.py --build B run NAME WORKLOAD [options] [--out FILE]
    peers.py packages [--checks]             Debian packages (--checks: need:package pairs)
    peers.py label NAME

`run` prints the peer's JSON result (bench/result.schema.json); --out writes it to FILE
atomically instead. Exit codes: the peer's own (0 ok, 1 the run failed, 2 bad
options), 2 for a bad command line here, 77 when the peer is not available.
"""
import argparse
import copy
import functools
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCE = os.path.join(ROOT, "bench", "peers")
MANIFEST = os.path.join(SOURCE, "manifest.json")
PROG = "peers.py"
# Keys a variant does not inherit from the peer it is a variant of.
OWN_KEYS = ("name", "label", "workloads", "variant_of")


@functools.lru_cache(maxsize=None)
def _manifest(path=MANIFEST):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _resolve(raw, by_name):
    """A peer with the keys of the peer it is a variant of filled in."""
    base = raw.get("variant_of")
    if not base:
        return dict(raw)
    if base not in by_name:
        raise ValueError(f"peer {raw['name']}: variant_of unknown peer '{base}'")
    merged = {k: v for k, v in _resolve(by_name[base], by_name).items() if k not in OWN_KEYS}
    merged.update(raw)
    return merged


def load(path=MANIFEST):
    """Every peer of the manifest, in its order, variants resolved (copies)."""
    raw = _manifest(path)["peers"]
    by_name = {p["name"]: p for p in raw}
    return [copy.deepcopy(_resolve(p, by_name)) for p in raw]


def families(path=MANIFEST):
    return dict(_manifest(path)["families"])


def builds(path=MANIFEST):
    return copy.deepcopy(_manifest(path).get("builds", {}))


def peer(name, path=MANIFEST):
    for p in load(path):
        if p["name"] == name:
            return p
    raise KeyError(name)


def names(path=MANIFEST):
    return [p["name"] for p in load(path)]


def label(name, path=MANIFEST):
    return peer(name, path)["label"]


def toolchain(p, path=MANIFEST):
    """[(need, package)] a peer needs: its build's toolchain, then its own."""
    out = []
    if p.get("build"):
        out += [(t["need"], t["package"]) for t in builds(path)[p["build"]].get("toolchain", [])]
    out += [(t["need"], t["package"]) for t in p.get("toolchain", [])]
    return out


def checks(path=MANIFEST):
    """[(need, package)] of every peer, each pair once, in manifest order."""
    seen = []
    for p in load(path):
        for pair in toolchain(p, path):
            if pair not in seen:
                seen.append(pair)
    return seen


def packages(path=MANIFEST):
    return list(dict.fromkeys(pkg for _, pkg in checks(path)))


def have(need):
    """The same test as scripts/bootstrap: a path exists, the C compiler finds
    lib<name>.so, or a command is on PATH."""
    if need.startswith("/"):
        return os.path.exists(need)
    if need.startswith("lib") and need.endswith(".so"):
        if not shutil.which("cc"):
            return False
        p = subprocess.run(["cc", f"-print-file-name={need}"], capture_output=True, text=True)
        return p.returncode == 0 and p.stdout.strip() != need
    return shutil.which(need) is not None


def python():
    """The project's Python: $PYTHON, else Debian's, else python3 on PATH."""
    if os.environ.get("PYTHON"):
        return os.environ["PYTHON"]
    if os.access("/usr/bin/python3", os.X_OK):
        return "/usr/bin/python3"
    return shutil.which("python3") or "python3"


def expand(template, build, workload=""):
    subst = {"{build}": build, "{bin}": os.path.join(build, "bench", "peers"),
             "{source}": SOURCE, "{python}": python(), "{workload}": workload}
    out = []
    for t in template:
        for k, v in subst.items():
            t = t.replace(k, v)
        out.append(t)
    return out


def _program_missing(p, build):
    """Why the program of a peer cannot run (None when it can): the first
    word of its command must be executable, every path in it must exist."""
    run = p["run"]
    for i, (t, word) in enumerate(zip(run, expand(run, build))):
        if i == 0:
            found = word if os.sep in word else shutil.which(word)
            if not found or not os.access(found, os.X_OK):
                return f"{word} not found or not executable"
        elif any(k in t for k in ("{build}", "{bin}", "{source}")) and not os.path.exists(word):
            return f"{word} not found"
    return None


def _probe_fails(p, build):
    probe = p.get("probe")
    if not probe:
        return None
    cmd = expand(probe["run"], build)
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"{' '.join(cmd)}: {e}"
    if probe["says"] not in r.stdout + r.stderr:
        return f"{' '.join(cmd)} does not mention {probe['says']}"
    return None


def why_missing(p, build, path=MANIFEST):
    missing = _program_missing(p, build)
    if missing:
        lacking = [f"{need} (Debian {pkg})" for need, pkg in toolchain(p, path) if not have(need)]
        if lacking:
            return "toolchain missing: " + ", ".join(lacking)
        return missing
    return _probe_fails(p, build)


def present(name, build, path=MANIFEST):
    """Whether the peer `name` can run from this build (False for a name the
    manifest does not have, or a manifest that cannot be read)."""
    try:
        return why_missing(peer(name, path), build, path) is None
    except (OSError, ValueError, KeyError):
        return False


def available(build, path=MANIFEST):
    """{peer name: None when it can run from this build, else the reason}."""
    return {p["name"]: why_missing(p, build, path) for p in load(path)}


@functools.lru_cache(maxsize=None)
def commit():
    """The commit the peers record in env.commit (they have no configure step)."""
    if os.environ.get("COROBENCH_COMMIT"):
        return os.environ["COROBENCH_COMMIT"]
    try:
        r = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                           capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return r.stdout.strip() if r.returncode == 0 and r.stdout.strip() else "unknown"


def argv(build, name, workload, args=(), path=MANIFEST):
    """The command line that runs one workload on one peer with corobench-style
    options and prints its result: `env COROBENCH_COMMIT=... [the peer's
    environment] <run template> <args> <the peer's args>`. The peer's args
    come last: a variant's setting (Go's --procs) holds whatever the caller
    passes, and a leading bare argument (article's program) stays first."""
    p = peer(name, path)
    if workload not in p["workloads"]:
        raise ValueError(f"workload '{workload}' is not available on {name} "
                         f"(it runs: {' '.join(p['workloads'])})")
    wl = p["workloads"][workload]  # a workload may replace run, add args
    env = [f"COROBENCH_COMMIT={commit()}"]
    env += [f"{k}={v}" for k, v in sorted(p.get("env", {}).items())]
    cmd = expand(wl.get("run", p["run"]), build, workload) + _capped(list(args), wl.get("caps", {}))
    own = p.get("args", []) + wl.get("args", [])
    return ["env"] + env + cmd + expand(own, build, workload)


def _capped(args, caps):
    """args with each numeric option named in caps lowered to its cap: a peer
    that cannot run the harness's size within a point's limit runs the
    largest size it can, and its result's params say which."""
    out = list(args)
    for i, a in enumerate(out[:-1]):
        # a value past 64 bits is bad input, not a large size: the peer says so (exit 2)
        if a in caps and out[i + 1].isdigit() and int(out[i + 1]) < 1 << 64:
            out[i + 1] = str(min(int(out[i + 1]), int(caps[a])))
    return out


# ---- command line ----------------------------------------------------------

class _Parser(argparse.ArgumentParser):
    """argparse with the project's one-line usage errors (exit 2)."""

    def error(self, message):
        sys.stderr.write(f"{PROG}: {message}\n")
        sys.exit(2)


def _usage(msg):
    sys.stderr.write(f"{PROG}: {msg}\n")
    return 2


def _parser():
    ap = _Parser(prog=PROG, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", help="corobench's build directory")
    sub = ap.add_subparsers(dest="cmd", metavar="list|workloads|run|packages|label",
                            parser_class=_Parser)
    ls = sub.add_parser("list", help="available peers, one a line")
    ls.add_argument("--all", action="store_true", help="every peer, and why one is not available")
    sub.add_parser("workloads", help="the workloads a peer runs").add_argument("name")
    run = sub.add_parser("run", help="run one workload on one peer", add_help=False)
    run.add_argument("name")
    run.add_argument("workload")
    run.add_argument("options", nargs=argparse.REMAINDER)
    pk = sub.add_parser("packages", help="Debian packages of the peers' toolchains")
    pk.add_argument("--checks", action="store_true", help="need:package pairs, as bootstrap reads")
    sub.add_parser("label", help="a peer's name in words").add_argument("name")
    return ap


def _take_out(options):
    """Splits --out FILE (or --out=FILE) off the peer's options."""
    out, rest, i = None, [], 0
    while i < len(options):
        a = options[i]
        if a == "--out":
            if i + 1 >= len(options):
                raise ValueError("--out needs a file name")
            out, i = options[i + 1], i + 2
            continue
        if a.startswith("--out="):
            out = a[len("--out="):]
        else:
            rest.append(a)
        i += 1
    return out, rest


def _write_atomically(cmd, out):
    """Runs cmd with stdout into out.tmp.<pid>, renamed to out when not empty."""
    tmp = f"{out}.tmp.{os.getpid()}"
    try:
        with open(tmp, "w") as f:
            rc = subprocess.run(cmd, stdout=f).returncode
        if os.path.getsize(tmp) > 0:
            os.replace(tmp, out)
    except OSError as e:
        sys.stderr.write(f"{PROG}: cannot write '{out}': {e.strerror}\n")
        rc = 1
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return rc


def cmd_run(build, name, workload, options):
    if workload not in peer(name)["workloads"]:
        return _usage(f"workload '{workload}' is not available on {name} "
                      f"(it runs: {' '.join(peer(name)['workloads'])})")
    try:
        out, options = _take_out(options)
    except ValueError as e:
        return _usage(str(e))
    if out is not None and not os.path.isdir(os.path.dirname(os.path.abspath(out))):
        return _usage(f"--out: no such directory '{os.path.dirname(out)}'")
    reason = why_missing(peer(name), build)
    if reason:
        sys.stderr.write(f"{PROG}: peer '{name}' is not available in {build}: {reason}\n")
        return 77
    cmd = argv(build, name, workload, options)
    if out is None:
        sys.stdout.flush()
        os.execvp(cmd[0], cmd)
    return _write_atomically(cmd, out)


def _needs_build(a):
    if not a.build:
        return f"{a.cmd} needs --build <builddir>"
    if not os.path.isdir(a.build):
        return f"--build: no such directory '{a.build}'"
    return None


def main(args=None):
    a = _parser().parse_args(args)
    if a.cmd is None:
        return _usage("missing command: list, workloads, run, packages or label")
    if a.cmd == "packages":
        pairs = checks() if a.checks else [(None, p) for p in packages()]
        print("\n".join(f"{n}:{p}" if n else p for n, p in pairs))
        return 0
    if a.cmd in ("workloads", "run", "label") and a.name not in names():
        return _usage(f"unknown peer '{a.name}' (expected one of: {' '.join(names())})")
    if a.cmd == "label":
        print(label(a.name))
        return 0
    err = _needs_build(a)
    if err:
        return _usage(err)
    if a.cmd == "list":
        for n, why in available(a.build).items():
            if why is None or a.all:
                print(n if not a.all else f"{n}\t{why or 'available'}")
        return 0
    if a.cmd == "workloads":
        print("\n".join(peer(a.name)["workloads"]))
        return 0
    return cmd_run(a.build, a.name, a.workload, a.options)


if __name__ == "__main__":
    sys.exit(main())
