"""switch, spawn and prodcons on asyncio, the article's own runtime.

Timed sections do only the scheduling work; checksums are computed from what
the tasks recorded, after the clock stops, because a pure-Python FNV per
operation would cost more than the operation being measured."""

import asyncio
import resource
import time

import result as R


def rusage():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_nvcsw, ru.ru_nivcsw


async def switch(p, res):
    """Two tasks take turns through the event loop with asyncio.sleep(0)."""
    n = p["n"]
    seen = []
    state = {"next": 0}

    async def body():
        while state["next"] < n:
            seen.append(state["next"])
            state["next"] += 1
            await asyncio.sleep(0)

    v0, i0 = rusage()
    t0 = time.perf_counter_ns()
    a, b = asyncio.create_task(body()), asyncio.create_task(body())
    await a
    await b
    wall = time.perf_counter_ns() - t0
    v1, i1 = rusage()
    h = R.FNV_OFFSET
    for v in seen:
        h = R.fnv_u64(h, v)
    res.checksum = h
    res.results.update(switches=n, wall_ns=wall, ns_per_switch=wall / n,
                       vol_csw=v1 - v0, invol_csw=i1 - i0)


async def trivial(i):
    return i


async def spawn(p, res):
    if p["alive"]:
        return await spawn_alive(p, res)
    n = p["n"]
    t0 = time.perf_counter_ns()
    tasks = [asyncio.create_task(trivial(i)) for i in range(n)]
    out = [await t for t in tasks]
    wall = time.perf_counter_ns() - t0
    h = R.FNV_OFFSET
    for v in out:
        h = R.fnv_u64(h, v)
    res.checksum = h
    res.results.update(tasks=n, wall_ns=wall, ns_per_task=wall / n)


async def spawn_alive(p, res):
    """Keeps n tasks waiting on one event; stops early (limit_error) before
    the process would pass 80% of MemAvailable."""
    n = p["n"]
    ev = asyncio.Event()
    done = []

    async def waiter(i):
        await ev.wait()
        done.append(i)

    base, avail = R.status_bytes("VmRSS"), R.mem_available()
    tasks, limit, batch = [], None, 10000
    t0 = time.perf_counter_ns()
    while len(tasks) < n:
        try:
            for _ in range(min(batch, n - len(tasks))):
                tasks.append(asyncio.create_task(waiter(len(tasks))))
            await asyncio.sleep(0)  # let the new tasks start and block
        except MemoryError:
            limit = f"MemoryError at {len(tasks)} tasks"
            break
        if len(tasks) < n and avail > 0:
            grown = R.status_bytes("VmRSS") - base
            per = grown / len(tasks)
            if grown + per * batch > 0.8 * avail:
                limit = (f"stopped at {len(tasks)} tasks: the next batch would pass 80% "
                         f"of MemAvailable ({avail} bytes)")
                break
    wall = time.perf_counter_ns() - t0
    peak = R.status_bytes("VmRSS")
    ev.set()
    for t in tasks:
        await t
    reached = len(tasks)
    if sorted(done) != list(range(reached)):
        raise RuntimeError("not every task ran")
    h = R.FNV_OFFSET
    for i in range(reached):
        h = R.fnv_u64(h, i)
    res.checksum = h
    res.results.update(tasks=reached, tasks_requested=n, tasks_reached=reached, wall_ns=wall,
                       peak_rss_bytes=peak, rss_per_task_bytes=(peak - base) / reached,
                       limit_error=limit)


def busy_ns(ns):
    """The per-item CPU work: spin on the clock for ns nanoseconds."""
    end = time.perf_counter_ns() + ns
    while time.perf_counter_ns() < end:
        pass


async def prodcons(p, res):
    P, C, items, cap, work = p["producers"], p["consumers"], p["items"], p["capacity"], p["work-ns"]
    q = asyncio.Queue(maxsize=cap)  # maxsize 0 = unbounded, as corobench's capacity 0
    got = []

    async def producer(k):
        for v in range(k + 1, items + 1, P):
            await q.put(v)

    async def consumer():
        while True:
            v = await q.get()
            if v is None:
                return
            if work:
                busy_ns(work)
            got.append(v)

    t0 = time.perf_counter_ns()
    cons = [asyncio.create_task(consumer()) for _ in range(C)]
    prods = [asyncio.create_task(producer(k)) for k in range(P)]
    for t in prods:
        await t
    for _ in range(C):
        await q.put(None)  # one end marker per consumer
    for t in cons:
        await t
    wall = time.perf_counter_ns() - t0
    s = 0
    for v in got:
        s = (s + R.fnv_u64(R.FNV_OFFSET, v)) & R.MASK
    res.checksum = R.fnv_u64(R.fnv_u64(R.FNV_OFFSET, len(got)), s)
    res.results.update(items=len(got), wall_ns=wall, items_per_s=len(got) * 1e9 / wall)
