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
import workloads as W


async def cpu_task(p, tid, out):
    for _ in C.run_task(p, tid, out):
        await asyncio.sleep(0)


async def cpubound(p, res):
    T = p["tasks"]
    out = [None] * T
    csw0 = W.rusage()
    cpu0, t0 = time.process_time_ns(), time.perf_counter_ns()
    await asyncio.gather(*(cpu_task(p, i, out) for i in range(T)))
    wall, cpu = time.perf_counter_ns() - t0, time.process_time_ns() - cpu0
    C.cpubound_results(res, out, wall, cpu, csw0, W.rusage())


async def spinner(f, tid):
    for _ in f.spin(tid):
        await asyncio.sleep(0)


async def ticker(f):
    for s in f.sleeps():
        await asyncio.sleep(s)


async def fairness(p, res):
    f = C.Fairness(p, W.busy_ns)
    tk = asyncio.create_task(ticker(f))  # scheduled first, as corobench's ticker
    await asyncio.gather(*(spinner(f, i) for i in range(f.tasks)))
    f.stop = True
    await tk
    f.results(res)
