#!/usr/bin/env python3
"""article_ref.py — the article's three programs on real Python asyncio.

The reference the coroutine backend's output must match byte for byte
(tests/bench/test_article.py). Usage: article_ref.py sequential|concurrent|queue N [CAPACITY]

Written as the article writes them: countdown awaits divisible_by for n..1;
in the concurrent and queue programs divisible_by first awaits
asyncio.sleep(0); the queue program spawns consumers C1 and C2 before the
producer, awaits the producer, joins the queue, stops the consumers (cancel:
asyncio.Queue has no close before Python 3.13) and prints "done".
"""
import asyncio
import sys


def show(task, k, divisor=3):
    print(f"{task} {k} {'divisible' if k % divisor == 0 else 'not-divisible'}")


async def divisible_by_sync(task, k, divisor):
    show(task, k, divisor)


async def divisible_by(task, k, divisor):
    await asyncio.sleep(0)
    show(task, k, divisor)


async def countdown(task, n, check):
    while n > 0:
        await check(task, n, 3)
        n -= 1


async def tasks(n, check):
    a = asyncio.create_task(countdown("A", n, check))
    b = asyncio.create_task(countdown("B", n, check))
    await a
    await b


async def consumer(name, q):
    while True:
        k = await q.get()
        await divisible_by(name, k, 3)
        q.task_done()


async def producer(q, n):
    for k in range(n, 0, -1):
        await q.put(k)


async def queue_program(n, capacity):
    q = asyncio.Queue(capacity)
    c1 = asyncio.create_task(consumer("C1", q))
    c2 = asyncio.create_task(consumer("C2", q))
    p = asyncio.create_task(producer(q, n))
    await p
    await q.join()
    for c in (c1, c2):
        c.cancel()
    await asyncio.gather(c1, c2, return_exceptions=True)
    print("done")


def main(argv):
    if len(argv) not in (3, 4) or argv[1] not in ("sequential", "concurrent", "queue"):
        print("usage: article_ref.py sequential|concurrent|queue N [CAPACITY]", file=sys.stderr)
        return 2
    n = int(argv[2])
    cap = int(argv[3]) if len(argv) == 4 else 0
    if argv[1] == "sequential":
        asyncio.run(tasks(n, divisible_by_sync))
    elif argv[1] == "concurrent":
        asyncio.run(tasks(n, divisible_by))
    else:
        asyncio.run(queue_program(n, cap))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
