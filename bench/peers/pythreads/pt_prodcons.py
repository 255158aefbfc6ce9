"""prodcons on CPython threads: P producer and C consumer threads over one
queue.Queue of --capacity (0 = unbounded), as corobench's prodcons: producer j
puts j, j+P, ...; main joins the producers, then puts one end marker per
consumer (queue.Queue has no close before 3.13) and joins the consumers.
--work-ns spins on the clock per item (the asyncio peer's busy_ns)."""

import queue
import threading
import time

import result as R
import workloads as AW


def prodcons(p, res):
    P, C, items, work = p["producers"], p["consumers"], p["items"], p["work-ns"]
    q = queue.Queue(maxsize=p["capacity"])
    got = []  # list.append is atomic under the GIL

    def producer(j):
        for v in range(j, items + 1, P):
            q.put(v)

    def consumer():
        while (v := q.get()) is not None:
            if work:
                AW.busy_ns(work)
            got.append(v)

    t0 = time.perf_counter_ns()
    cons = [threading.Thread(target=consumer) for _ in range(C)]
    prods = [threading.Thread(target=producer, args=(j,)) for j in range(1, P + 1)]
    for t in cons + prods:
        t.start()
    for t in prods:
        t.join()
    for _ in cons:
        q.put(None)
    for t in cons:
        t.join()
    wall = time.perf_counter_ns() - t0
    if len(got) != items:
        raise RuntimeError(f"consumed {len(got)} items, expected {items}")
    res.checksum = R.sum_final(sum(R.fnv_item(AW.PC_TAG, v, 0) for v in got), len(got))
    res.results.update(items=len(got), wall_ns=wall, items_per_s=len(got) * 1e9 / wall)
