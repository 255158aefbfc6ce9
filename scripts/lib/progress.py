"""progress.py -- where a running step is: points done of its total, elapsed, ETA.

On a terminal the runner redraws one line as each point ends; without one
(CI, a log file) a redrawn line would be noise, so it prints one line each
time the step passes a tenth of its points.  The ETA assumes the points left
take as long, on average, as the points done: a step's points are its
repetitions of one matrix, so the average settles after the first
repetition, and no per-point model can drift from what the sweep declares.
"""
import sys
import time


def duration(s):
    """Seconds for people: '45 s', '3 min 05 s', '1 h 02 min'."""
    s = int(round(max(s, 0)))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def eta(done, total, elapsed):
    """Seconds left at the mean time per point so far, or None before the first point ends."""
    if done <= 0 or total <= 0:
        return None
    return elapsed / done * max(total - done, 0)


def line(name, done, total, elapsed):
    """One progress line: 'switch: 12/48 points (25%), 35 s elapsed, about 1 min 45 s left'."""
    pct = 100 * done // total if total else 100
    left = eta(done, total, elapsed)
    tail = f", about {duration(left)} left" if left is not None and done < total else ""
    return f"{name}: {done}/{total} points ({pct}%), {duration(elapsed)} elapsed{tail}"


def tenths(before, after, total):
    """The tenths of a step (1..10) crossed when `after` of `total` points are done
    and `before` were: the non-terminal progress prints one line per tenth."""
    if total <= 0:
        return []
    return [k for k in range(1, 11) if before * 10 < k * total <= after * 10]


class Progress:
    """The progress of one step, printed to `out` (a terminal: one line redrawn)."""

    def __init__(self, name, total, out=None, tty=None, clock=time.monotonic):
        self.name, self.total, self.done = name, total, 0
        self.out = out or sys.stderr
        self.tty = self.out.isatty() if tty is None else tty
        self.clock, self.t0 = clock, clock()
        self.shown = False

    def advance(self, n=1):
        before, self.done = self.done, min(self.done + n, self.total)
        text = line(self.name, self.done, self.total, self.clock() - self.t0)
        if self.tty:
            self.out.write("\r\033[K      " + text)
            self.shown = True
        elif tenths(before, self.done, self.total):
            self.out.write("      " + text + "\n")
        self.out.flush()

    def note(self, text):
        """A line of its own (a failed point) that the redrawn line must not overwrite."""
        self.clear()
        self.out.write(text + "\n")
        self.out.flush()

    def clear(self):
        if self.tty and self.shown:
            self.out.write("\r\033[K")
            self.shown = False

    def end(self):
        if self.tty and self.shown:
            self.out.write("\n")
            self.shown = False
        self.out.flush()
