"""corobench's cpubound step and fairness ticker in Python, shared by the
asyncio and the Python-threads peers: the same state, the same checksums as
corobench, whatever runs the tasks (one event loop, or threads under the GIL).

cpubound: --total-work steps split over --tasks tasks (the first
total mod tasks do one more); each step is corobench's: 16 rounds of a 64-bit
mix, then every 64-byte line of the task's own --wss bytes (one integer per
line here, the word corobench touches).

fairness: a ticker that wants to run every --period-us records how late it
woke for each deadline and counts the deadlines it slept through entirely;
each CPU-bound task spins --duration-ms in chunks of --yield-us (one chunk
without yields)."""

import time

import opts as O
import result as R

MASK = (1 << 64) - 1
CB_TAG, FA_TAG = 0x4342, 0x4641


def cpubound_opts(unit):
    """cpubound's options, corobench's names and ranges; unit: 'task' or 'thread'."""
    return [O.uint("tasks", 2, 1, 100000, f"{unit}s sharing the work"),
            O.uint("total-work", 200000, 1, 1000000000000, "work steps in all"),
            O.uint("wss", 4096, 0, 1 << 30, f"bytes of working set per {unit}"),
            O.uint("yield-every", 0, 0, 1000000000000, "yield every K steps, 0 = never")]


def fairness_opts(unit):
    return [O.uint("tasks", 2, 0, 10000, f"CPU-bound {unit}s beside the ticker"),
            O.uint("period-us", 1000, 1, 1000000, "the ticker's period, us"),
            O.uint("yield-us", 100, 0, 1000000, "CPU work between yields, us; 0 = never"),
            O.uint("duration-ms", 50, 1, 60000, f"CPU work per {unit}, ms")]


def check_fairness(p):
    """A run's length is bounded (the tasks may take turns): raises UsageError."""
    if p["tasks"] * p["duration-ms"] > 600000:
        raise O.UsageError(f"--duration-ms: --tasks x --duration-ms must be at most 600000, "
                           f"got {p['tasks']} x {p['duration-ms']}")


def task_steps(p, tid):
    return p["total-work"] // p["tasks"] + (1 if tid < p["total-work"] % p["tasks"] else 0)


def start_state(p, tid):
    """(x, working set) of task tid before its first step."""
    return R.fnv_item(CB_TAG, tid, 0), list(range((p["wss"] + 63) // 64))


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
    x, ws = start_state(p, tid)
    since = 0
    for _ in range(steps):
        x = step(x, ws)
        if every:
            since += 1
            if since == every:
                since = 0
                yield
    out[tid] = (R.fnv_item(CB_TAG, tid, x), steps)


def cpubound_results(res, out, wall, cpu, csw0, csw1):
    """out: (hash, steps) per task; csw: (voluntary, involuntary) before/after."""
    steps = sum(s for _, s in out)
    res.checksum = R.sum_final(sum(h for h, _ in out), steps)
    res.results.update(tasks=len(out), work_units=steps, wall_ns=wall, cpu_ns=cpu,
                       vol_csw=csw1[0] - csw0[0], invol_csw=csw1[1] - csw0[1],
                       units_per_s=steps * 1e9 / wall)


def pct(v, q):
    """Nearest-rank percentile of a sorted list (corobench's pct)."""
    return v[max((len(v) * q + 99) // 100, 1) - 1]


class Fairness:
    """One fairness run: the ticker's bookkeeping (deadlines every period from
    the start) and the CPU-bound tasks' chunks; created when the clock starts."""

    def __init__(self, p, busy_ns):
        self.tasks, self.busy_ns, self.yields = p["tasks"], busy_ns, p["yield-us"] > 0
        # --yield-us 0 is one chunk, never yielding
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
            self.busy_ns(self.chunk_ns)
            self.done[tid] += 1
            if self.yields:
                yield

    def results(self, res):
        res.checksum = R.sum_final(sum(R.fnv_item(FA_TAG, i, d) for i, d in enumerate(self.done)), self.tasks)
        v = sorted(self.lates)
        res.results.update(ticks=len(v), missed_ticks=self.missed,
                           late_p50_ns=pct(v, 50) if v else None, late_p99_ns=pct(v, 99) if v else None,
                           late_max_ns=v[-1] if v else None, wall_ns=time.perf_counter_ns() - self.start,
                           chunks_per_task=self.chunks, samples_dropped=0)
