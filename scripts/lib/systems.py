"""systems.py -- the systems a run measures: ids, display labels, order, command lines.

A system is a corobench backend series or a peer.  corobench's series:
"coro" (coroutines, M:1), "coro-mnW" (coroutines M:N on W worker threads),
"threads", "threads-splitW" (a cpubound run's tasks run back to back by W
pinned threads: no scheduler), "ucontext" (the coroutine runtime on glibc
swapcontext), "epoll" (echo's event-loop floor, no coroutines).  Peers come from the peers manifest (scripts/lib/peers.py).
Stored runs tagged a point's system "backend"; both names are read.
"""
import peers

SERIES = ["coro", "coro-mn2", "threads-split2", "ucontext", "threads"]
# corobench systems that are neither a backend series nor a peer: the echo
# workload's event-loop floor (corobench echo --server epoll).
OWN = {"epoll": "epoll loop, no coroutines"}
BACKENDS = ("coro", "threads", "ucontext")


def corobench_argv(cb, system, workload, args):
    """corobench's command line for one system's run, or None for a peer."""
    if system in BACKENDS:
        return [cb, workload] + list(args) + ["--backend", system, "--json"]
    for prefix, backend in (("coro-mn", "coro"), ("threads-split", "threads")):
        if system.startswith(prefix) and system[len(prefix):].isdigit():
            return [cb, workload] + list(args) + ["--backend", backend, "--workers", system[len(prefix):], "--json"]
    return None


def label(system):
    """The display name of a system in plots and tables."""
    if system == "coro":
        return "coro M:1"
    if system and system.startswith("coro-mn"):
        return f"coro M:N ({system[len('coro-mn'):]} workers)"
    if system and system.startswith("threads-split"):
        return f"{system[len('threads-split'):]} pinned threads, no scheduler"
    if system in BACKENDS or not system:
        return system
    if system in OWN:
        return OWN[system]
    return peers.label(system)


def rank(system):
    """The place of a system in tables and plots: corobench's series first, in SERIES order."""
    return (SERIES.index(system) if system in SERIES else len(SERIES), system)


def order(systems):
    return sorted(systems, key=rank)


_peers = None


def _peer(system):
    """The manifest entry of a peer, or {} (not a peer, or no manifest)."""
    global _peers
    if _peers is None:
        try:
            _peers = {p["name"]: p for p in peers.load()}
        except (OSError, ValueError, KeyError):
            _peers = {}
    return _peers.get(system, {})


def raw_primitive(system):
    """A peer that is a bare context-switch primitive without a scheduler
    (family "raw" in the manifest): compared with corobench's own raw
    primitive, never with scheduler-included numbers."""
    return _peer(system).get("family") == "raw"


def peer_workers(system):
    """The OS threads a peer runs its tasks on (manifest "workers"); 1 for anything else."""
    return _peer(system).get("workers", 1)


def of(point):
    """The system of a point record, under either tag name."""
    tags = point["tags"]
    return tags.get("system") or tags.get("backend")


def variant_of(system):
    """The peer a manifest variant varies (e.g. Go on GOMAXPROCS=2), or None."""
    return _peer(system).get("variant_of")


def os_threads(system):
    """A system that runs each task on its own OS thread (corobench's threads, a peer of family "threads")."""
    return system == "threads" or system.startswith("threads-") or _peer(system).get("family") == "threads"
