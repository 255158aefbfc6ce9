"""cpubound and fairness on asyncio: CPU-bound tasks on one event loop, the
article's "coroutines must not be compute-intensive" (the step, the ticker's
bookkeeping and the checksums: cpuwork.py, corobench's).

cpubound: the tasks run on the loop's one thread, one at a time; with
--yield-every K each awaits asyncio.sleep(0) every K steps, else each runs
its share to the end before the next starts.

fairness: a ticker task that wants to run every --period-us beside --tasks
CPU-bound tasks spinning in chunks of --yield-us with asyncio.sleep(0)
between chunks (--yield-us 0: never). The ticker awaits asyncio.sleep to its
next deadline; nothing preempts a task that does not await, so without
yields the ticker waits for every CPU-bound task to finish."""

import asyncio
import time

import cpuwork as C
import result as R
import workloads as W


async def cpu_task(p, tid, out):
    every, steps = p["yield-every"], C.task_steps(p, tid)
    x, ws = C.start_state(p, tid)
    since = 0
    for _ in range(steps):
        x = C.step(x, ws)
        if every:
            since += 1
            if since == every:
                since = 0
                await asyncio.sleep(0)
    out[tid] = (R.fnv_item(C.CB_TAG, tid, x), steps)


async def cpubound(p, res):
    T = p["tasks"]
    out = [None] * T
    csw0 = W.rusage()
    cpu0, t0 = time.process_time_ns(), time.perf_counter_ns()
    await asyncio.gather(*(cpu_task(p, i, out) for i in range(T)))
    wall, cpu = time.perf_counter_ns() - t0, time.process_time_ns() - cpu0
    C.cpubound_results(res, out, wall, cpu, csw0, W.rusage())


async def spinner(tid, chunks, chunk_ns, yields, done):
    for _ in range(chunks):
        W.busy_ns(chunk_ns)
        done[tid] += 1
        if yields:
            await asyncio.sleep(0)


async def ticker(st, ticks):
    while True:
        now = time.perf_counter_ns()
        wait = ticks.woke(now)
        if st["stop"] and now >= st["end"]:
            break
        await asyncio.sleep(wait / 1e9)


async def fairness(p, res):
    K = p["tasks"]
    chunks, chunk_ns = C.chunking(p)
    done = [0] * K
    t0 = time.perf_counter_ns()
    st = {"end": t0 + p["duration-ms"] * 1000000, "stop": False}
    ticks = C.Ticks(t0, p["period-us"] * 1000)
    tk = asyncio.create_task(ticker(st, ticks))  # scheduled first, as corobench's ticker
    await asyncio.gather(*(spinner(i, chunks, chunk_ns, p["yield-us"] > 0, done) for i in range(K)))
    st["stop"] = True
    await tk
    ticks.results(res, done, time.perf_counter_ns() - t0, chunks)
