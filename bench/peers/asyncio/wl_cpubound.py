"""cpubound for both Python peers: fixed CPU work split over --tasks tasks,
the article's "coroutines must not be compute-intensive". One module holds
the workload for asyncio and for CPython threads (found by shared() in
workloads.py), so that the step, its state and its checksum are written once
and are corobench's, whatever runs the tasks.

The work: --total-work steps split over --tasks tasks (the first total mod
tasks do one more); each step is corobench's: 16 rounds of a 64-bit mix, then
every 64-byte line of the task's own --wss bytes (one integer per line here,
the word corobench touches).

On asyncio the tasks run on the loop's one thread, one at a time; with
--yield-every K each awaits asyncio.sleep(0) every K steps, else each runs its
share to the end before the next starts. On threads the work is pure Python,
so under the GIL the threads take turns and cpu_ns / wall_ns stays near 1
whatever the cores; --yield-every K calls time.sleep(0) every K steps."""

import asyncio
import threading
import time

import opts as O
import result as R
import workloads as W

NAME = "cpubound"
MASK = (1 << 64) - 1
TAG = 0x4342
SUMMARY = {"task": "fixed CPU work split over T tasks on one event loop",
           "thread": "fixed CPU work split over T threads: oversubscription under the GIL"}


def opts(unit):
    """corobench's option names and ranges; unit: 'task' or 'thread'."""
    return [O.uint("tasks", 2, 1, 100000, f"{unit}s sharing the work"),
            O.uint("total-work", 200000, 1, 1000000000000, "work steps in all"),
            O.uint("wss", 4096, 0, 1 << 30, f"bytes of working set per {unit}"),
            O.uint("yield-every", 0, 0, 1000000000000, "yield every K steps, 0 = never")]


def check(p):
    """No option spans another."""


def task_steps(p, tid):
    return p["total-work"] // p["tasks"] + (1 if tid < p["total-work"] % p["tasks"] else 0)


def step(x, ws):
    for _ in range(16):
        x ^= x >> 33
        x = (x * 0xFF51AFD7ED558CCD) & MASK
    for li in range(len(ws)):
        w = (ws[li] + x) & MASK
        ws[li] = w
        x ^= w >> 7
    return x


def run_task(p, tid, out):
    """Task tid's share of the work: a generator that yields every
    --yield-every steps (the caller gives the CPU away there: await or
    time.sleep(0)) and stores (hash, steps) in out[tid] at the end."""
    every, steps = p["yield-every"], task_steps(p, tid)
    x, ws = R.fnv_item(TAG, tid, 0), list(range((p["wss"] + 63) // 64))
    since = 0
    for _ in range(steps):
        x = step(x, ws)
        if every:
            since += 1
            if since == every:
                since = 0
                yield
    out[tid] = (R.fnv_item(TAG, tid, x), steps)


def results(res, out, wall, cpu, csw0, csw1):
    """out: (hash, steps) per task; csw: (voluntary, involuntary) before/after."""
    steps = sum(s for _, s in out)
    res.checksum = R.sum_final(sum(h for h, _ in out), steps)
    res.results.update(tasks=len(out), work_units=steps, wall_ns=wall, cpu_ns=cpu,
                       vol_csw=csw1[0] - csw0[0], invol_csw=csw1[1] - csw0[1],
                       units_per_s=steps * 1e9 / wall)


async def _a_task(p, tid, out):
    for _ in run_task(p, tid, out):
        await asyncio.sleep(0)


async def on_asyncio(p, res):
    out = [None] * p["tasks"]
    csw0 = W.rusage()
    cpu0, t0 = time.process_time_ns(), time.perf_counter_ns()
    await asyncio.gather(*(_a_task(p, i, out) for i in range(p["tasks"])))
    wall, cpu = time.perf_counter_ns() - t0, time.process_time_ns() - cpu0
    results(res, out, wall, cpu, csw0, W.rusage())


def _t_task(p, tid, gate, out):
    work = run_task(p, tid, out)
    gate.wait()
    for _ in work:
        time.sleep(0)


def on_threads(p, res):
    T = p["tasks"]
    gate, out = threading.Barrier(T + 1), [None] * T
    ts = [threading.Thread(target=_t_task, args=(p, i, gate, out)) for i in range(T)]
    for t in ts:
        t.start()
    csw0 = W.rusage()
    cpu0, t0 = time.process_time_ns(), time.perf_counter_ns()
    gate.wait()
    for t in ts:
        t.join()
    wall, cpu = time.perf_counter_ns() - t0, time.process_time_ns() - cpu0
    results(res, out, wall, cpu, csw0, W.rusage())
    res.results["gil_switch_interval_ns"] = W.gil_interval_ns()
