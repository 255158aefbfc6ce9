"""The article's three programs on CPython threads, the article's own
counterpart of its asyncio programs: `threading.Thread` for tasks,
`time.sleep(0)` where asyncio awaits `sleep(0)`, and `queue.Queue` with
task_done/join for the queue program. The lines are the asyncio peer's and
corobench's; their order depends on the OS scheduler and the GIL, so only the
multiset of lines (and the order-independent checksum) is comparable."""

import queue
import threading
import time

import article as A  # the asyncio peer's line format and line hash
import result as R

STOP = object()  # queue.Queue has no close before 3.13: one end marker per consumer


def divisible_by(out, task, k, suspend, hash_name=True):
    if suspend:
        time.sleep(0)  # gives up the GIL, as the article's threads would
    div = k % 3 == 0
    out.append((f"{task} {k} {'divisible' if div else 'not-divisible'}\n",
                A.line_hash(task, k, div, hash_name)))  # list.append is atomic under the GIL


def countdown(out, task, n, suspend):
    for k in range(n, 0, -1):
        divisible_by(out, task, k, suspend)


def started(fn, *args):
    t = threading.Thread(target=fn, args=args)
    t.start()
    return t


def queue_program(p, out):
    q = queue.Queue(maxsize=p["capacity"])  # 0 = unbounded, as corobench's capacity 0

    def consumer(name):
        while (k := q.get()) is not STOP:
            divisible_by(out, name, k, True, False)
            q.task_done()

    def producer():
        for k in range(p["n"], 0, -1):
            q.put(k)

    consumers = [started(consumer, "C1"), started(consumer, "C2")]
    started(producer).join()
    q.join()
    for _ in consumers:
        q.put(STOP)
    for c in consumers:
        c.join()
    out.append(("done\n", R.fnv_bytes(R.FNV_OFFSET, b"done")))


def article(p, out):
    if p["program"] == "queue":
        return queue_program(p, out)
    suspend = p["program"] == "concurrent"
    a = started(countdown, out, "A", p["n"], suspend)
    b = started(countdown, out, "B", p["n"], suspend)
    a.join()
    b.join()
