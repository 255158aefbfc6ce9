"""The article's three programs, as the article wrote them (asyncio), with the
exact output lines corobench prints: `<task> <k> divisible|not-divisible`
(divisor 3), and `done` after the queue program. `out` collects
(line, hash) pairs; the checksum is corobench's: the lines' hashes summed."""

import asyncio

import result as R


def line_hash(task, k, div, hash_name):
    """corobench's checksum of one line: fnv_item(tag, k, div), tag = FNV of the
    task name for countdown lines and 0 for a queue consumer's line."""
    tag = R.fnv_bytes(R.FNV_OFFSET, task.encode()) if hash_name else 0
    return R.fnv_item(tag, k, 1 if div else 0)


async def divisible_by(out, task, k, suspend, hash_name=True):
    if suspend:
        await asyncio.sleep(0)
    div = k % 3 == 0
    out.append((f"{task} {k} {'divisible' if div else 'not-divisible'}\n",
                line_hash(task, k, div, hash_name)))


async def countdown(out, task, n, suspend):
    for k in range(n, 0, -1):
        await divisible_by(out, task, k, suspend)


async def article(p, out):
    n, prog = p["n"], p["program"]
    if prog in ("sequential", "concurrent"):
        suspend = prog == "concurrent"
        a = asyncio.create_task(countdown(out, "A", n, suspend))
        b = asyncio.create_task(countdown(out, "B", n, suspend))
        await a
        await b
        return
    q = asyncio.Queue(maxsize=p["capacity"])

    async def consumer(name):
        while True:
            k = await q.get()
            await divisible_by(out, name, k, True, False)
            q.task_done()

    async def producer():
        for k in range(n, 0, -1):
            await q.put(k)

    consumers = [asyncio.create_task(consumer("C1")), asyncio.create_task(consumer("C2"))]
    prod = asyncio.create_task(producer())
    await prod
    await q.join()
    for c in consumers:  # asyncio.Queue has no close (before 3.13): cancel the waiters
        c.cancel()
    await asyncio.gather(*consumers, return_exceptions=True)
    out.append(("done\n", R.fnv_bytes(R.FNV_OFFSET, b"done")))
