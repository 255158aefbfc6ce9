"""switch and spawn on CPython threads.

switch: two threads hand a turn back and forth, --n times each, through a
threading.Condition (--mech condvar) or a pair of threading.Event
(--mech event); each hand-off is a GIL hand-over and an OS thread wake-up.
spawn: Thread.start + join one at a time; --alive starts them all, each
waiting on one Event, and reads resident memory with all alive.

As in the asyncio peer, timed loops do only the synchronisation; hand-offs
and task ids are recorded and hashed after the clock stops."""

import threading
import time

import result as R
import workloads as AW  # the asyncio peer's rusage() and tags

PING_TIMEOUT_S = 60  # a lost wake-up shows as an error, not a hang


def condition_player(st, me, n, seen):
    cv = st["cv"]
    for i in range(n):
        with cv:
            while st["turn"] != me:
                if not cv.wait(PING_TIMEOUT_S):
                    raise RuntimeError("switch: a wake-up was lost")
            seen.append((me, i))
            st["turn"] = 1 - me
            cv.notify()


def event_player(st, me, n, seen):
    mine, theirs = st["ev"][me], st["ev"][1 - me]
    for i in range(n):
        if not mine.wait(PING_TIMEOUT_S):
            raise RuntimeError("switch: a wake-up was lost")
        mine.clear()
        seen.append((me, i))
        theirs.set()


def switch(p, res):
    n = p["n"]
    seen = []
    st = {"turn": 0, "cv": threading.Condition(), "ev": [threading.Event(), threading.Event()]}
    st["ev"][0].set()  # player 0 moves first, as in corobench
    play = condition_player if p["mech"] == "condvar" else event_player
    errors = []
    gate = threading.Barrier(3)  # both players start before the clock does

    def run(me):
        gate.wait()
        try:
            play(st, me, n, seen)
        except RuntimeError as e:
            errors.append(str(e))

    ts = [threading.Thread(target=run, args=(me,)) for me in (0, 1)]
    for t in ts:
        t.start()
    v0, i0 = AW.rusage()
    t0 = time.perf_counter_ns()
    gate.wait()
    for t in ts:
        t.join()
    wall = time.perf_counter_ns() - t0
    v1, i1 = AW.rusage()
    if errors:
        raise RuntimeError(errors[0])
    switches = 2 * n
    res.checksum = AW.switch_checksum(seen, switches)
    res.results.update(switches=switches, wall_ns=wall, ns_per_switch=wall / switches,
                       vol_csw=v1 - v0, invol_csw=i1 - i0,
                       gil_switch_interval_ns=AW.gil_interval_ns())


def spawn(p, res):
    if p["alive"]:
        return spawn_alive(p, res)
    n = p["n"]
    out = []
    t0 = time.perf_counter_ns()
    for i in range(n):
        t = threading.Thread(target=out.append, args=(i,))
        t.start()
        t.join()
    wall = time.perf_counter_ns() - t0
    res.checksum = R.sum_final(sum(R.fnv_item(AW.SPAWN_TAG, i, 0) for i in out), len(out))
    res.results.update(tasks=n, wall_ns=wall, ns_per_task=wall / n, stack_bytes=p["stack"])


def start_waiters(n, release, started, done):
    """Starts up to n threads waiting on release; returns (threads, limit):
    the error that stopped it (data, not a failure) or None."""
    def waiter(i):
        started.release()
        release.wait()
        done.append(i)

    ts = []
    try:
        for i in range(n):
            t = threading.Thread(target=waiter, args=(i,), daemon=True)
            t.start()
            ts.append(t)
    except (RuntimeError, MemoryError) as e:  # "can't start new thread": a limit
        return ts, f"thread creation failed at task {len(ts)}: {type(e).__name__}: {e}"
    return ts, None


def spawn_alive(p, res):
    n = p["n"]
    release, started, done = threading.Event(), threading.Semaphore(0), []
    rss0 = R.status_bytes("VmRSS")
    t0 = time.perf_counter_ns()
    ts, limit = start_waiters(n, release, started, done)
    for _ in ts:  # every thread up to its wait
        started.acquire()
    t_alive = time.perf_counter_ns() - t0
    rss1, hwm = R.status_bytes("VmRSS"), R.status_bytes("VmHWM")
    release.set()
    for t in ts:
        t.join()
    wall = time.perf_counter_ns() - t0
    reached = len(ts)
    res.checksum = R.sum_final(sum(R.fnv_item(AW.SPAWN_TAG, i, 0) for i in done), len(done))
    res.results.update(tasks=len(done), tasks_requested=n, tasks_reached=reached, wall_ns=wall,
                       spawn_all_ns=t_alive, baseline_rss_bytes=rss0, peak_rss_bytes=rss1,
                       vmhwm_bytes=hwm,
                       rss_per_task_bytes=(rss1 - rss0) // reached if reached and rss1 > rss0 else 0,
                       limit_error=limit, ns_per_task=wall / reached if reached else 0,
                       stack_bytes=p["stack"])
