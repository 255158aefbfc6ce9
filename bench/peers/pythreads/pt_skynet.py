"""skynet on CPython threads: every task is a thread that starts --fanout
child threads down to fanout^depth leaves and returns the sum of theirs (leaf
i returns i). The full tree (a million leaves) cannot be held: threads are OS
threads with their own stacks, and the process meets RLIMIT_NPROC or
threads-max long before. Where a thread cannot be started the tree stops
growing (no new threads anywhere), the threads that exist end and are
joined, and the result says how many ran and why it stopped (status error:
a partial tree has no sum to check)."""

import resource
import threading
import time

import result as R


class Tree:
    def __init__(self, fanout):
        self.fanout = fanout
        self.lock = threading.Lock()
        self.tasks = self.alive = self.peak = 0
        self.limit = None  # the first thread-creation error

    def enter(self):
        with self.lock:
            self.tasks += 1
            self.alive += 1
            self.peak = max(self.peak, self.alive)

    def leave(self):
        with self.lock:
            self.alive -= 1


def node(tree, num, size, out, slot):
    tree.enter()
    try:
        out[slot] = num if size == 1 else children(tree, num, size)
    finally:
        tree.leave()


def children(tree, num, size):
    step, f = size // tree.fanout, tree.fanout
    sums, ts = [None] * f, []
    for i in range(f):
        if tree.limit:
            break
        t = threading.Thread(target=node, args=(tree, num + i * step, step, sums, i))
        try:
            t.start()
        except (RuntimeError, MemoryError) as e:  # "can't start new thread"
            with tree.lock:
                tree.limit = tree.limit or (f"thread creation failed at task {tree.tasks + 1} "
                                            f"({tree.alive} alive): {type(e).__name__}: {e}")
            break
        ts.append(t)
    for t in ts:
        t.join()
    return None if None in sums else sum(sums)


def skynet(p, res):
    f, d = p["fanout"], p["depth"]
    leaves = f ** d
    tree, out = Tree(f), [None]
    faults0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    t0 = time.perf_counter_ns()
    node(tree, 0, leaves, out, 0)
    wall = time.perf_counter_ns() - t0
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults0
    res.results.update(tasks=tree.tasks, tasks_requested=(f ** (d + 1) - 1) // (f - 1),
                       leaves=leaves, sum=out[0], wall_ns=wall, ns_per_task=wall / tree.tasks,
                       peak_alive=tree.peak, limit_error=tree.limit,
                       vmhwm_bytes=R.status_bytes("VmHWM"), minor_faults=faults,
                       stack_bytes=p["stack"])
    if tree.limit:
        return res.fail(f"the tree stopped growing: {tree.limit}")
    want = leaves * (leaves - 1) // 2
    if out[0] != want:
        return res.fail(f"sum {out[0]}, expected {want}")
    res.checksum = R.fnv_u64(R.fnv_u64(R.FNV_OFFSET, out[0]), tree.tasks)
