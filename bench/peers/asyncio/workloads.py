"""switch, spawn and prodcons on asyncio, the article's own runtime.

Timed sections do only the scheduling work; checksums are computed from what
the tasks recorded, after the clock stops, because a pure-Python FNV per
operation would cost more than the operation being measured."""

import asyncio
import glob
import importlib
import os
import resource
import sys
import time

import result as R


def shared():
    """The workloads both Python peers run, one module each (wl_<name>.py
    beside this file): name -> module. A module has NAME, SUMMARY[unit] and
    opts(unit) (unit: 'task' or 'thread'), check(params) (raises
    opts.UsageError), on_asyncio(params, result) (a coroutine) and
    on_threads(params, result). Found by name so that a new one is one file."""
    here = os.path.dirname(os.path.abspath(__file__))
    out = {}
    for path in sorted(glob.glob(os.path.join(here, "wl_*.py"))):
        m = importlib.import_module(os.path.basename(path)[:-3])
        out[m.NAME] = m
    return out


def gil_interval_ns():
    """The GIL's switch interval: how long a thread that wants the GIL waits
    before it asks the holder to drop it (reported by the threads peer)."""
    return round(sys.getswitchinterval() * 1e9)


def rusage():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_nvcsw, ru.ru_nivcsw


SPAWN_TAG, PC_TAG = 0x5350, 0x5043


def switch_checksum(seen, switches):
    """corobench's switch checksum: the (task, iteration) hand-offs folded in
    order, then their count."""
    seq = R.FNV_OFFSET
    for me, i in seen:
        seq = R.fnv_word(seq, i << 1 | me)
    return R.fnv_u64(seq, switches)


async def switch(p, res):
    """corobench's coroutine switch: two tasks, a turn word, asyncio.sleep(0);
    --n iterations each, 2n hand-offs. Each hand-off is recorded as (task,
    iteration) and folded after the clock stops (see the module note)."""
    n = p["n"]
    seen = []
    st = {"turn": 0}

    async def player(me):
        for i in range(n):
            while st["turn"] != me:
                await asyncio.sleep(0)
            seen.append((me, i))
            st["turn"] = 1 - me
            await asyncio.sleep(0)

    v0, i0 = rusage()
    t0 = time.perf_counter_ns()
    a, b = asyncio.create_task(player(0)), asyncio.create_task(player(1))
    await a
    await b
    wall = time.perf_counter_ns() - t0
    v1, i1 = rusage()
    switches = 2 * n
    res.checksum = switch_checksum(seen, switches)
    res.results.update(switches=switches, wall_ns=wall, ns_per_switch=wall / switches,
                       vol_csw=v1 - v0, invol_csw=i1 - i0)


async def trivial(i):
    return i


async def spawn(p, res):
    """create_task + await, one task at a time, n times (corobench's default)."""
    if p["alive"]:
        return await spawn_alive(p, res)
    n = p["n"]
    out = []
    t0 = time.perf_counter_ns()
    for i in range(n):
        out.append(await asyncio.create_task(trivial(i)))
    wall = time.perf_counter_ns() - t0
    total = sum(R.fnv_item(SPAWN_TAG, i, 0) for i in out)
    res.checksum = R.sum_final(total, len(out))
    res.results.update(tasks=n, wall_ns=wall, ns_per_task=wall / n)


async def spawn_alive(p, res):
    """Keeps n tasks waiting on one event; stops early (limit_error, status
    still ok) before the process would pass 80% of MemAvailable."""
    n = p["n"]
    ev = asyncio.Event()
    done = []
    started = [0]

    async def waiter(i):
        started[0] += 1
        await ev.wait()
        done.append(i)

    # The handles' list is the harness's, not the tasks': it is allocated
    # (and so resident) before the baseline, as in corobench's own spawn.
    tasks, reached, limit, batch = [None] * n, 0, None, 10000
    rss0, avail = R.status_bytes("VmRSS"), R.mem_available()
    t0 = time.perf_counter_ns()
    while reached < n:
        try:
            for _ in range(min(batch, n - reached)):
                tasks[reached] = asyncio.create_task(waiter(reached))
                reached += 1
        except MemoryError:
            limit = f"MemoryError at task {reached}"
            break
        if reached < n and avail > 0:
            grown = R.status_bytes("VmRSS") - rss0
            if grown + grown / reached * batch > 0.8 * avail:
                limit = (f"stopped at {reached} tasks: the next batch would pass 80% "
                         f"of MemAvailable ({avail} bytes)")
                break
    del tasks[reached:]
    while started[0] < reached:  # every task up to its wait
        await asyncio.sleep(0)
    t_alive = time.perf_counter_ns() - t0
    rss1, hwm = R.status_bytes("VmRSS"), R.status_bytes("VmHWM")
    ev.set()
    for t in tasks:
        await t
    wall = time.perf_counter_ns() - t0
    total = sum(R.fnv_item(SPAWN_TAG, i, 0) for i in done)
    res.checksum = R.sum_final(total, len(done))
    res.results.update(tasks=len(done), tasks_requested=n, tasks_reached=reached, wall_ns=wall,
                       spawn_all_ns=t_alive, baseline_rss_bytes=rss0, peak_rss_bytes=rss1,
                       vmhwm_bytes=hwm,
                       rss_per_task_bytes=(rss1 - rss0) // reached if rss1 > rss0 else 0,
                       limit_error=limit, ns_per_task=wall / reached)


def busy_ns(ns):
    """The per-item CPU work: spin on the clock for ns nanoseconds (a Python
    loop cannot be calibrated to corobench's xorshift at 100 ns scale)."""
    end = time.perf_counter_ns() + ns
    while time.perf_counter_ns() < end:
        pass


async def prodcons(p, res):
    P, C, items, cap, work = p["producers"], p["consumers"], p["items"], p["capacity"], p["work-ns"]
    q = asyncio.Queue(maxsize=cap)  # maxsize 0 = unbounded, as corobench's capacity 0
    got = []

    async def producer(j):  # producer j puts j, j+P, ... (corobench's split)
        for v in range(j, items + 1, P):
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
    prods = [asyncio.create_task(producer(j)) for j in range(1, P + 1)]
    for t in prods:
        await t
    for _ in range(C):
        await q.put(None)  # one end marker per consumer
    for t in cons:
        await t
    wall = time.perf_counter_ns() - t0
    if len(got) != items:
        raise RuntimeError(f"consumed {len(got)} items, expected {items}")
    res.checksum = R.sum_final(sum(R.fnv_item(PC_TAG, v, 0) for v in got), len(got))
    res.results.update(items=len(got), wall_ns=wall, items_per_s=len(got) * 1e9 / wall)


async def skynet_node(num, size, fanout, count):
    """One skynet task: a leaf returns its number, any other task starts
    fanout children as tasks, then awaits them in order and returns their sum."""
    count[0] += 1
    if size == 1:
        return num
    step = size // fanout
    kids = [asyncio.create_task(skynet_node(num + i * step, step, fanout, count)) for i in range(fanout)]
    total = 0
    for k in kids:
        total += await k
    return total


async def skynet(p, res):
    """The public skynet benchmark (github.com/atemerev/skynet) with corobench's
    options: fanout^depth leaves, every task a create_task'd coroutine; the
    checksum folds the root's sum and the task count, as corobench's."""
    f, leaves = p["fanout"], p["fanout"] ** p["depth"]
    count = [0]
    t0 = time.perf_counter_ns()
    total = await skynet_node(0, leaves, f, count)
    wall = time.perf_counter_ns() - t0
    want = leaves * (leaves - 1) // 2
    if total != want:
        raise RuntimeError(f"sum {total}, expected {want}")
    res.checksum = R.sum_final(total, count[0])
    res.results.update(tasks=count[0], leaves=leaves, sum=total, wall_ns=wall, ns_per_task=wall / count[0],
                       vmhwm_bytes=R.status_bytes("VmHWM"))
