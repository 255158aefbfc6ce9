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
    work = C.run_task(p, tid, out)
    gate.wait()
    for _ in work:
        time.sleep(0)


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


def spinner(f, tid):
    for _ in f.spin(tid):
        time.sleep(0)


def ticker(f):
    for s in f.sleeps():
        time.sleep(s)


def fairness(p, res):
    f = C.Fairness(p, AW.busy_ns)
    tk = threading.Thread(target=ticker, args=(f,))
    cpus = [threading.Thread(target=spinner, args=(f, i)) for i in range(f.tasks)]
    for t in [tk] + cpus:
        t.start()
    for t in cpus:
        t.join()
    f.stop = True
    tk.join()
    f.results(res)
    res.results["gil_switch_interval_ns"] = gil_interval_ns()
