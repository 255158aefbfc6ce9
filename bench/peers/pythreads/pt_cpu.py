"""cpubound and fairness on CPython threads: what the GIL does to CPU-bound
threads.

cpubound: --total-work steps split over --tasks threads (the first
total mod tasks do one more), each step corobench's: 16 rounds of a 64-bit
mix, then every 64-byte line of the thread's own --wss bytes (one integer per
line here, the word corobench touches). Same state, same checksum; the work
is pure Python, so under the GIL the threads take turns and cpu_ns / wall_ns
stays near 1 whatever the cores.

fairness: a ticker thread that wants to run every --period-us beside --tasks
CPU-bound threads, each spinning --duration-ms in chunks of --yield-us with
time.sleep(0) between chunks (--yield-us 0: never). The ticker sleeps to its
next deadline and records how late it woke; it must also win the GIL back,
which the switch interval (sys.getswitchinterval(), reported) bounds."""

import sys
import threading
import time

import result as R
import workloads as AW

MASK = (1 << 64) - 1
CB_TAG, FA_TAG = 0x4342, 0x4641


def gil_interval_ns():
    """The GIL's switch interval: how long a thread that wants the GIL waits
    before it asks the holder to drop it."""
    return round(sys.getswitchinterval() * 1e9)


def cpu_task(p, tid, gate, out):
    T, every = p["tasks"], p["yield-every"]
    steps = p["total-work"] // T + (1 if tid < p["total-work"] % T else 0)
    ws = list(range((p["wss"] + 63) // 64))  # corobench first-touches word l with l
    x = R.fnv_item(CB_TAG, tid, 0)
    gate.wait()
    since = 0
    for _ in range(steps):
        for _ in range(16):
            x ^= x >> 33
            x = (x * 0xFF51AFD7ED558CCD) & MASK
        for li in range(len(ws)):
            w = (ws[li] + x) & MASK
            ws[li] = w
            x ^= w >> 7
        if every:
            since += 1
            if since == every:
                since = 0
                time.sleep(0)
    out.append((R.fnv_item(CB_TAG, tid, x), steps))


def cpubound(p, res):
    T = p["tasks"]
    gate, out = threading.Barrier(T + 1), []
    ts = [threading.Thread(target=cpu_task, args=(p, i, gate, out)) for i in range(T)]
    for t in ts:
        t.start()
    v0, i0 = AW.rusage()
    cpu0, t0 = time.process_time_ns(), time.perf_counter_ns()
    gate.wait()
    for t in ts:
        t.join()
    wall, cpu = time.perf_counter_ns() - t0, time.process_time_ns() - cpu0
    v1, i1 = AW.rusage()
    steps = sum(s for _, s in out)
    res.checksum = R.sum_final(sum(h for h, _ in out), steps)
    res.results.update(tasks=T, work_units=steps, wall_ns=wall, cpu_ns=cpu, vol_csw=v1 - v0,
                       invol_csw=i1 - i0, units_per_s=steps * 1e9 / wall,
                       gil_switch_interval_ns=gil_interval_ns())


def spinner(tid, chunks, chunk_ns, yields, out):
    done = 0
    for _ in range(chunks):
        AW.busy_ns(chunk_ns)
        done += 1
        if yields:
            time.sleep(0)
    out.append(R.fnv_item(FA_TAG, tid, done))


def ticker(st, period, lates):
    nxt = st["start"] + period
    missed = 0
    while True:
        now = time.perf_counter_ns()
        if now >= nxt:
            lates.append(now - nxt)
            nxt += period
            if nxt <= now:  # deadlines slept through entirely
                skip = (now - nxt) // period + 1
                missed += skip
                nxt += skip * period
        if st["stop"] and now >= st["end"]:
            break
        time.sleep((nxt - now) / 1e9)
    st["missed"] = missed


def pct(v, q):
    """Nearest-rank percentile of a sorted list (corobench's pct)."""
    return v[max((len(v) * q + 99) // 100, 1) - 1]


def fairness(p, res):
    K, dur_us, y = p["tasks"], p["duration-ms"] * 1000, p["yield-us"]
    chunks = max(dur_us // y, 1) if y else 1
    chunk_ns = y * 1000 if y else dur_us * 1000
    lates, out = [], []
    t0 = time.perf_counter_ns()
    st = {"start": t0, "end": t0 + dur_us * 1000, "stop": False, "missed": 0}
    tk = threading.Thread(target=ticker, args=(st, p["period-us"] * 1000, lates))
    cpus = [threading.Thread(target=spinner, args=(i, chunks, chunk_ns, y > 0, out))
            for i in range(K)]
    for t in [tk] + cpus:
        t.start()
    for t in cpus:
        t.join()
    st["stop"] = True
    tk.join()
    wall = time.perf_counter_ns() - t0
    res.checksum = R.sum_final(sum(out), K)
    lates.sort()
    res.results.update(ticks=len(lates), missed_ticks=st["missed"],
                       late_p50_ns=pct(lates, 50) if lates else None,
                       late_p99_ns=pct(lates, 99) if lates else None,
                       late_max_ns=lates[-1] if lates else None, wall_ns=wall,
                       chunks_per_task=chunks, samples_dropped=0,
                       gil_switch_interval_ns=gil_interval_ns())
