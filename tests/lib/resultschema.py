"""resultschema.py -- load bench/result.schema.json and check objects against it.

The result format lives in one file, the JSON Schema bench/result.schema.json;
tests load it here instead of retyping field lists.  validate() checks the
subset of JSON Schema that file uses: type, required, properties, enum,
additionalProperties, pattern, minimum (a small checker: the Debian
jsonschema package is not a dependency of the project).

    load() -> the schema dict
    validate(obj, schema=None) -> list of error strings ([] when valid)
    results_schema(binary, workload) -> the schema of that workload's "results",
        as the workload declares it (`corobench <workload> --results-schema`)
"""
import json
import os
import re
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PATH = os.path.join(ROOT, "bench", "result.schema.json")

_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}
_cache = None
_results = {}


def load():
    global _cache
    if _cache is None:
        with open(PATH, encoding="utf-8") as f:
            _cache = json.load(f)
    return _cache


def results_schema(binary, workload):
    key = (binary, workload)
    if key not in _results:
        p = subprocess.run([binary, workload, "--results-schema"], capture_output=True, text=True,
                           timeout=30, check=True)
        _results[key] = json.loads(p.stdout)
    return _results[key]


def _check(v, s, where, out):
    types = s.get("type")
    if types is not None:
        types = [types] if isinstance(types, str) else types
        if not any(_TYPES[t](v) for t in types):
            out.append(f"{where}: {v!r} is not of type {' or '.join(types)}")
            return
    if "enum" in s and v not in s["enum"]:
        out.append(f"{where}: {v!r} is not one of {s['enum']}")
    if "pattern" in s and isinstance(v, str) and not re.search(s["pattern"], v):
        out.append(f"{where}: {v!r} does not match {s['pattern']}")
    if "minimum" in s and _TYPES["number"](v) and v < s["minimum"]:
        out.append(f"{where}: {v!r} is below the minimum {s['minimum']}")
    if isinstance(v, dict):
        _check_object(v, s, where, out)


def _check_object(v, s, where, out):
    props = s.get("properties", {})
    for k in s.get("required", []):
        if k not in v:
            out.append(f"{where}.{k}: missing" if where else f"{k}: missing")
    extra = s.get("additionalProperties", True)
    for k, val in v.items():
        path = f"{where}.{k}" if where else k
        if k in props:
            _check(val, props[k], path, out)
        elif extra is False:
            out.append(f"{path}: not allowed")
        elif isinstance(extra, dict):
            _check(val, extra, path, out)


def validate(obj, schema=None):
    """Errors of obj against schema (default: the result schema); [] if valid."""
    out = []
    _check(obj, load() if schema is None else schema, "", out)
    return out
