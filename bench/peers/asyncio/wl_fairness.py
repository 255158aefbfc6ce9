"""fairness for both Python peers: a ticker that wants to run every
--period-us beside --tasks CPU-bound tasks. One module holds the workload for
asyncio and for CPython threads (found by shared() in workloads.py), so that
the ticker's bookkeeping and the checksum are written once and are
corobench's.

The ticker records how late it woke for each deadline and counts the
deadlines it slept through entirely; each CPU-bound task spins --duration-ms
in chunks of --yield-us, giving the CPU away between chunks (--yield-us 0:
one chunk, never).

On asyncio the ticker awaits asyncio.sleep to its next deadline and the
spinners await asyncio.sleep(0) between chunks; nothing preempts a task that
does not await, so without yields the ticker waits for every CPU-bound task
to finish. On threads the ticker sleeps to its next deadline, then must also
win the GIL back, which the GIL's switch interval (reported) bounds."""

import asyncio
import threading
import time

import opts as O
import result as R
import workloads as W

NAME = "fairness"
TAG = 0x4641
SUMMARY = {"task": "a ticker's lateness beside CPU-bound tasks that await asyncio.sleep(0) every --yield-us",
           "thread": "a ticker's lateness beside CPU-bound threads (the GIL's switch interval)"}


def opts(unit):
    """corobench's option names and ranges; unit: 'task' or 'thread'."""
    return [O.uint("tasks", 2, 0, 10000, f"CPU-bound {unit}s beside the ticker"),
            O.uint("period-us", 1000, 1, 1000000, "the ticker's period, us"),
            O.uint("yield-us", 100, 0, 1000000, "CPU work between yields, us; 0 = never"),
            O.uint("duration-ms", 50, 1, 60000, f"CPU work per {unit}, ms")]


def check(p):
    """A run's length is bounded (the tasks may take turns): raises UsageError."""
    if p["tasks"] * p["duration-ms"] > 600000:
        raise O.UsageError(f"--duration-ms: --tasks x --duration-ms must be at most 600000, "
                           f"got {p['tasks']} x {p['duration-ms']}")


def pct(v, q):
    """Nearest-rank percentile of a sorted list (corobench's pct)."""
    return v[max((len(v) * q + 99) // 100, 1) - 1]


class Run:
    """One run: the ticker's bookkeeping (deadlines every period from the
    start) and the CPU-bound tasks' chunks; created when the clock starts."""

    def __init__(self, p):
        self.tasks, self.yields = p["tasks"], p["yield-us"] > 0
        dur_us = p["duration-ms"] * 1000
        self.chunks = max(dur_us // p["yield-us"], 1) if self.yields else 1
        self.chunk_ns = p["yield-us"] * 1000 if self.yields else dur_us * 1000
        self.done = [0] * self.tasks
        self.start = time.perf_counter_ns()
        self.period, self.next = p["period-us"] * 1000, self.start + p["period-us"] * 1000
        self.end, self.stop = self.start + dur_us * 1000, False
        self.lates, self.missed = [], 0

    def woke(self, now):
        """Records a wake-up at now; returns the ns to sleep to the next deadline."""
        if now >= self.next:
            self.lates.append(now - self.next)
            self.next += self.period
            if self.next <= now:  # deadlines slept through entirely
                skip = (now - self.next) // self.period + 1
                self.missed += skip
                self.next += skip * self.period
        return self.next - now

    def sleeps(self):
        """The ticker: yields the seconds to sleep to each next deadline until
        stop is set and the end has passed."""
        while True:
            now = time.perf_counter_ns()
            wait = self.woke(now)
            if self.stop and now >= self.end:
                return
            yield wait / 1e9

    def spin(self, tid):
        """CPU-bound task tid: yields after each chunk where it would give the
        CPU away (only with --yield-us)."""
        for _ in range(self.chunks):
            W.busy_ns(self.chunk_ns)
            self.done[tid] += 1
            if self.yields:
                yield

    def results(self, res):
        res.checksum = R.sum_final(sum(R.fnv_item(TAG, i, d) for i, d in enumerate(self.done)), self.tasks)
        v = sorted(self.lates)
        res.results.update(ticks=len(v), missed_ticks=self.missed,
                           late_p50_ns=pct(v, 50) if v else None, late_p99_ns=pct(v, 99) if v else None,
                           late_max_ns=v[-1] if v else None, wall_ns=time.perf_counter_ns() - self.start,
                           chunks_per_task=self.chunks, samples_dropped=0)


async def _a_spinner(f, tid):
    for _ in f.spin(tid):
        await asyncio.sleep(0)


async def _a_ticker(f):
    for s in f.sleeps():
        await asyncio.sleep(s)


async def on_asyncio(p, res):
    f = Run(p)
    tk = asyncio.create_task(_a_ticker(f))  # scheduled first, as corobench's ticker
    await asyncio.gather(*(_a_spinner(f, i) for i in range(f.tasks)))
    f.stop = True
    await tk
    f.results(res)


def _t_spinner(f, tid):
    for _ in f.spin(tid):
        time.sleep(0)


def _t_ticker(f):
    for s in f.sleeps():
        time.sleep(s)


def on_threads(p, res):
    f = Run(p)
    tk = threading.Thread(target=_t_ticker, args=(f,))
    cpus = [threading.Thread(target=_t_spinner, args=(f, i)) for i in range(f.tasks)]
    for t in [tk] + cpus:
        t.start()
    for t in cpus:
        t.join()
    f.stop = True
    tk.join()
    f.results(res)
    res.results["gil_switch_interval_ns"] = W.gil_interval_ns()
