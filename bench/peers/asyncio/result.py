"""The result object every corobench run prints (bench/result.schema.json), the FNV-1a
checksum helpers, and the machine description, for the Python peers (asyncio,
and Python threads, which passes its own backend name)."""

import json
import os
import platform
import sys

FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3
MASK = (1 << 64) - 1


def fnv_u64(h, v):
    """Folds v into h as 8 little-endian bytes (as corobench does)."""
    for i in range(8):
        h ^= (v >> (8 * i)) & 0xFF
        h = (h * FNV_PRIME) & MASK
    return h


def fnv_bytes(h, data):
    for c in data:
        h ^= c
        h = (h * FNV_PRIME) & MASK
    return h


def fnv_word(h, v):
    """FNV-1a with a whole word as its unit: one multiply (corobench's fnv_word)."""
    return ((h ^ v) * FNV_PRIME) & MASK


def fnv_item(tag, a, b):
    """The hash of one unit of work, summed where order varies (fnv_item, word-wise)."""
    return fnv_word(fnv_word(fnv_word(FNV_OFFSET, tag), a), b)


def sum_final(total, count):
    """Folds an order-independent sum of item hashes and their count."""
    return fnv_u64(fnv_u64(FNV_OFFSET, total & MASK), count)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k.strip() == "model name":
                    return v.strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def status_bytes(field):
    """A field of /proc/self/status such as VmRSS, in bytes (-1 if unknown)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k == field:
                    return int(v.split()[0]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return -1


def mem_available():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k == "MemAvailable":
                    return int(v.split()[0]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return -1


def env_info():
    u = platform.uname()
    return {
        "cpu_model": cpu_model(),
        "cores": os.cpu_count() or 0,
        "kernel": f"{u.system} {u.release} {u.machine}",
        "compiler": f"{platform.python_implementation()} {platform.python_version()} ({sys.executable})",
        "cflags": "n/a (CPython interpreter, nothing compiled)",
        "commit": os.environ.get("COROBENCH_COMMIT") or "unknown",
    }


class Result:
    def __init__(self, workload, params, backend="asyncio"):
        self.workload = workload
        self.backend = backend
        self.params = params
        self.status = "ok"
        self.error = None
        self.checksum = FNV_OFFSET
        self.results = {}

    def fail(self, msg):
        self.status = "error"
        self.error = msg

    def emit(self, as_json):
        obj = {
            "schema": "corobench-result/1",
            "workload": self.workload,
            "backend": self.backend,
            "params": {k.replace("-", "_"): v for k, v in self.params.items()},
            "status": self.status,
            "error": self.error,
            "checksum": f"0x{self.checksum:016x}" if self.status == "ok" else None,
            "results": self.results,
            "env": env_info(),
        }
        if self.error:
            sys.stderr.write(f"corobench-{self.backend}: {self.error}\n")
        if as_json:
            sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
            return
        print(f"{self.backend} {self.workload}: {self.status}")
        if self.error:
            print(f"  error: {self.error}")
        print(f"  checksum: 0x{self.checksum:016x}")
        for k in sorted(self.results):
            print(f"  {k}: {self.results[k]}")
