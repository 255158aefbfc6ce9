"""cpubound and fairness on CPython threads: what the GIL does to CPU-bound
threads. The step, the ticker's bookkeeping and the checksums are corobench's
(../asyncio/cpuwork.py, shared with the asyncio peer).

cpubound: the work is pure Python, so under the GIL the threads take turns
and cpu_ns / wall_ns stays near 1 whatever the cores. --yield-every K calls
time.sleep(0) every K steps.

fairness: a ticker thread beside --tasks CPU-bound threads, each spinning in
chunks with time.sleep(0) between them. The ticker sleeps to its next
deadline, then must also win the GIL back, which the switch interval
(sys.getswitchinterval(), reported) bounds."""

import sys
import threading
import time

import cpuwork as C
import workloads as AW


def gil_interval_ns():
    """The GIL's switch interval: how long a thread that wants the GIL waits
    before it asks the holder to drop it."""
    return round(sys.getswitchinterval() * 1e9)


def cpu_task(p, tid, gate, out):
    every, steps = p["yield-every"], C.task_steps(p, tid)
    x, ws = C.start_state(p, tid)
    gate.wait()
    since = 0
    for _ in range(steps):
        x = C.step(x, ws)
        if every:
            since += 1
            if since == every:
                since = 0
                time.sleep(0)
    out[tid] = (C.R.fnv_item(C.CB_TAG, tid, x), steps)


def cpubound(p, res):
    T = p["tasks"]
    gate, out = threading.Barrier(T + 1), [None] * T
    ts = [threading.Thread(target=cpu_task, args=(p, i, gate, out)) for i in range(T)]
    for t in ts:
        t.start()
    csw0 = AW.rusage()
    cpu0, t0 = time.process_time_ns(), time.perf_counter_ns()
    gate.wait()
    for t in ts:
        t.join()
    wall, cpu = time.perf_counter_ns() - t0, time.process_time_ns() - cpu0
    C.cpubound_results(res, out, wall, cpu, csw0, AW.rusage())
    res.results["gil_switch_interval_ns"] = gil_interval_ns()


def spinner(tid, chunks, chunk_ns, yields, done):
    for _ in range(chunks):
        AW.busy_ns(chunk_ns)
        done[tid] += 1
        if yields:
            time.sleep(0)


def ticker(st, ticks):
    while True:
        now = time.perf_counter_ns()
        wait = ticks.woke(now)
        if st["stop"] and now >= st["end"]:
            break
        time.sleep(wait / 1e9)


def fairness(p, res):
    K = p["tasks"]
    chunks, chunk_ns = C.chunking(p)
    done = [0] * K
    t0 = time.perf_counter_ns()
    st = {"end": t0 + p["duration-ms"] * 1000000, "stop": False}
    ticks = C.Ticks(t0, p["period-us"] * 1000)
    tk = threading.Thread(target=ticker, args=(st, ticks))
    cpus = [threading.Thread(target=spinner, args=(i, chunks, chunk_ns, p["yield-us"] > 0, done))
            for i in range(K)]
    for t in [tk] + cpus:
        t.start()
    for t in cpus:
        t.join()
    st["stop"] = True
    tk.join()
    ticks.results(res, done, time.perf_counter_ns() - t0, chunks)
    res.results["gil_switch_interval_ns"] = gil_interval_ns()
