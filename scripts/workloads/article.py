"""article: the programs of "Learn Python Coroutines in Less Than 5 Minutes"
(Rahul Sharma, Xebia Engineering Blog, March 2020) on coroutines and threads:
their text (claims 1-3 and 7 read it), checksums over runs, and hyperfine
whole-program times; peers print the same text."""
import re

import cbdata
import claims
import md
import ratios
from workloads import Point, Step

ORDER = 80
PROGRAMS = ("sequential", "concurrent", "queue")
PARAMS = {"quick": {"reps": 1, "n": 2000, "runs": 5, "hf_runs": 5},
          "full": {"reps": 1, "n": 10000, "runs": 10, "hf_runs": 10}}


def points(p, ctx):
    out = []
    for prog in PROGRAMS:
        for be in ("coro", "threads"):
            out.append(Point(f"{be}-{prog}-text", argv=[ctx.cb, "article", prog, "--backend", be, "--n", 20],
                             kind="text", tags={"system": be, "program": prog, "n": 20}))
            out.append(Point(f"{be}-{prog}-json", be, "article", [prog, "--n", p["n"], "--runs", p["runs"]],
                             tags={"program": prog}))
    for prog in PROGRAMS:
        out.append(Point(f"hyperfine-{prog}", kind="hyperfine", limit_x=3, tags={"program": prog},
                         argv=["hyperfine", "-N", "--warmup", 2, "--runs", p["hf_runs"], "--style", "basic"]
                         + [x for be in ("coro", "threads")
                            for x in ("-n", be, f"{ctx.cb} article {prog} --backend {be} --n {p['n']}")]))
    return out


STEPS = [Step("article", "the article's programs: outputs, checksums, and hyperfine whole-program time", PARAMS,
              points, fixed_reps=True)]
PEER_POINTS = ("article", lambda p: [Point(f"article-{prog}-text", args=[prog, "--n", 20], kind="text", once=True,
                                           optional=True, tags={"program": prog, "n": 20}) for prog in PROGRAMS])


def tables(points):
    times = []
    for p in points:
        if p["step"] == "article" and p["kind"] == "hyperfine" and p["status"] == "ok":
            for r in p["result"]["results"]:
                times.append({"program": p["tags"].get("program"), "system": r.get("command"),
                              "mean_ms": r["mean"] * 1e3, "median": r["median"] * 1e3, "min": r["min"] * 1e3,
                              "max": r["max"] * 1e3, "runs": len(r.get("times") or []),
                              "samples": [x * 1e3 for x in r.get("times") or []]})
    runs = []
    for k, ps in cbdata.group(points, "article", ("system", "program"), lambda p: p["kind"] == "cli").items():
        p = ps[0]
        r = (p.get("result") or {}).get("results") or {}
        runs.append({"system": k[0], "program": k[1], "status": p["status"],
                     "checksum": (p.get("result") or {}).get("checksum"), "lines": r.get("lines"),
                     "runs": r.get("runs"), "distinct_orders": r.get("distinct_orders"), "error": p["error"]})
    return {"article_time": (("program", "system", "mean_ms", "median", "min", "max", "runs"), times),
            "article_json": (("system", "program", "status", "checksum", "lines", "runs", "distinct_orders",
                              "error"), runs)}


def time_section(t, points, env):
    at = t["article_time"][1]
    if not at:
        return []
    return (["## The article's programs, timed whole (hyperfine)\n"]
            + md.table(("program", "system", "median", "min", "max", "runs"),
                       [(r["program"], r["system"], f"{r['median']:.3g} ms", f"{r['min']:.3g} ms",
                         f"{r['max']:.3g} ms", r["runs"]) for r in at]) + [""])


def _same(points, p):
    mine, _, err = article_text(points, "coro", p["tags"].get("program"))
    theirs = p["result"]["text"].splitlines()
    if err:
        return f"cannot compare: {err}"
    if [x.rstrip() for x in mine] == [x.rstrip() for x in theirs]:
        return "yes, line for line"
    diff = sum(1 for a, b in zip(mine, theirs) if a.rstrip() != b.rstrip()) + abs(len(mine) - len(theirs))
    return f"no: {diff} of {max(len(mine), len(theirs))} lines differ"


def peer_section(t, points, env):
    peer_text = [p for p in points if p["step"] == "peers" and p["kind"] == "text" and p["status"] == "ok"]
    if not peer_text:
        return []
    return (["## The article's programs: peers' output vs corobench coroutines\n"]
            + md.table(("program", "peer", "lines", "identical to corobench coroutines (`--n 20`)"),
                       [(p["tags"].get("program"), p["tags"].get("system"), len(p["result"]["text"].splitlines()),
                         _same(points, p)) for p in peer_text]) + [""])


SECTIONS = [time_section, peer_section]


LINE = re.compile(r"^(\S+) (\d+) (divisible|not-divisible)$")


def article_text(points, backend, program):
    """(parsed lines, n, error): the text an article program printed."""
    for p in points:
        if (p["step"] == "article" and p["kind"] == "text" and p["tags"].get("system") == backend
                and p["tags"].get("program") == program):
            if p["status"] != "ok":
                return None, None, f"the {backend} {program} run failed: {p['error']}"
            lines = p["result"]["text"].splitlines()
            return lines, cbdata.num(p["tags"].get("n")), None
    return None, None, f"no {backend} article {program} output in this run"


def parse(lines):
    items, bad = [], []
    for line in lines:
        m = LINE.match(line.strip())
        if m:
            items.append((m.group(1), int(m.group(2)), m.group(3)))
        elif line.strip() != "done":
            bad.append(line)
    return items, bad


def transitions(items):
    return sum(1 for a, b in zip(items, items[1:]) if a[0] != b[0])


def threads_contrast(points, contiguous):
    """'; threads, by contrast, change task k times' when the threads' run of
    the same program interleaves; nothing when it does not (a contrast that
    does not exist is no evidence)."""
    tl, _, _ = article_text(points, "threads", "sequential")
    if tl is None:
        return ""
    tr = transitions(parse(tl)[0])
    return f"; threads, by contrast, change task {tr} times on the same program" if tr > contiguous else ""


def claim1(t, points, env):
    lines, n, err = article_text(points, "coro", "sequential")
    if err:
        return claims.nm(err)
    items, bad = parse(lines)
    tasks = sorted({i[0] for i in items})
    tr = transitions(items)
    ev = (f"coro `article sequential --n {n}`: {len(items)} lines from tasks {', '.join(tasks)}, "
          f"{tr} change(s) of task between consecutive lines (contiguous blocks would give {len(tasks) - 1})")
    ev += threads_contrast(points, len(tasks) - 1)
    rule = ("holds if every task's lines form one contiguous block (changes = tasks - 1) and no line is malformed; "
            "the counts are exact (one output), so no interval applies")
    if bad or not items:
        return {"verdict": claims.NOT_HOLD, "evidence": ev + f"; {len(bad)} malformed line(s)", "rule": rule}
    return {"verdict": claims.HOLDS if tr == len(tasks) - 1 else claims.NOT_HOLD, "evidence": ev, "rule": rule}


def claim2(t, points, env):
    lines, n, err = article_text(points, "coro", "concurrent")
    if err:
        return claims.nm(err)
    items, bad = parse(lines)
    tasks = {i[0] for i in items}
    tr = transitions(items)
    half = (len(items) - 1) / 2
    ev = (f"coro `article concurrent --n {n}`: {len(items)} lines from {len(tasks)} tasks, {tr} changes of task "
          f"between consecutive lines (of {len(items) - 1} possible)")
    rule = ("holds if the tasks change on at least half of consecutive lines; with caveats if they interleave "
            "less than that; does not hold if each task's lines stay in one block; the counts are exact (one "
            "output), so no interval applies")
    if not items or bad:
        return {"verdict": claims.NOT_HOLD, "evidence": ev + f"; {len(bad)} malformed line(s)", "rule": rule}
    v = claims.HOLDS if tr >= half else (claims.CAVEATS if tr > len(tasks) - 1 else claims.NOT_HOLD)
    return {"verdict": v, "evidence": ev, "rule": rule}


def queue_check(lines, n):
    """(ok, detail, per-consumer counts) for the article queue program's output."""
    items, bad = parse(lines)
    nums = sorted(i[1] for i in items)
    want = list(range(1, n + 1)) if n else None
    stripped = [l.strip() for l in lines if l.strip()]
    ends_done = bool(stripped) and stripped[-1] == "done" and stripped.count("done") == 1
    per = {}
    for c, _, _ in items:
        per[c] = per.get(c, 0) + 1
    wrong = [i for i in items if (i[1] % 3 == 0) != (i[2] == "divisible")]
    ok = nums == want and ends_done and not bad and not wrong
    detail = (f"{len(items)} items, numbers 1..{n} each exactly once: {'yes' if nums == want else 'no'}, "
              f"ends with a single 'done': {'yes' if ends_done else 'no'}, wrong verdicts: {len(wrong)}, "
              f"per consumer: {', '.join(f'{k} {v}' for k, v in sorted(per.items()))}")
    return ok, detail, per


def claim3(t, points, env):
    lines, n, err = article_text(points, "coro", "queue")
    if err:
        return claims.nm(err)
    if not n:
        return claims.nm("the queue run's n is not recorded")
    ok, detail, per = queue_check(lines, n)
    share = max(per.values()) / sum(per.values()) if per else 1
    ev = f"coro `article queue --n {n}`: {detail}"
    rule = ("holds if every number N..1 is processed exactly once with the right verdict and 'done' comes last "
            "(join waited for all); with caveats if one consumer did more than 90% of the items; the counts are "
            "exact (one output), so no interval applies")
    if not ok:
        return {"verdict": claims.NOT_HOLD, "evidence": ev, "rule": rule}
    return {"verdict": claims.CAVEATS if share > 0.9 else claims.HOLDS,
            "evidence": ev + (f"; the busiest consumer did {share:.0%}" if share > 0.9 else ""), "rule": rule}


def whole_program(t):
    """'; whole program (hyperfine): threads x ms vs coro y ms, threads/coro r [lo, hi], p' or ''."""
    at = {(r["program"], r["system"]): r for r in t["article_time"][1]}
    th, c = at.get(("queue", "threads")), at.get(("queue", "coro"))
    if not th or not c:
        return ""
    iv = ratios.interval(th, c, "higher")
    return (f"; whole program (hyperfine median): threads {th['median']:.3g} ms vs coro {c['median']:.3g} ms, "
            f"threads/coro {ratios.ci_text(iv, ratios.p_value(th, c))} (not part of the rule: the claim is about "
            "behaviour)")


def claim7(t, points, env):
    rows = t["article_json"][1]
    c = cbdata.best(rows, system="coro", program="queue")
    th = cbdata.best(rows, system="threads", program="queue")
    if not c or not th or c["status"] != "ok" or th["status"] != "ok":
        why = next((r["error"] for r in (c, th) if r and r["error"]), "missing in this run")
        return claims.nm(f"article queue --json on coro and threads: {why}")
    same = c["checksum"] == th["checksum"] and c["checksum"] is not None
    ev = (f"article queue (JSON run): coro checksum {c['checksum']}, threads {th['checksum']} "
          f"({'equal' if same else 'DIFFERENT'}); distinct output orders over {th['runs']} runs: "
          f"threads {th['distinct_orders']}, coro {c['distinct_orders']}")
    tl, n, err = article_text(points, "threads", "queue")
    tok = None
    if tl is not None and n:
        tok, detail, _ = queue_check(tl, n)
        ev += f"; threads text output: {detail}"
    ev += whole_program(t)
    rule = ("holds if the threads backend (threads waiting on a mutex/condvar queue) produces the same checksum "
            "as the coroutine backend and a complete, correct output; with caveats if its output order varies "
            "between runs (distinct orders > 1) where the coroutines' does not")
    if not same or tok is False:
        return {"verdict": claims.NOT_HOLD, "evidence": ev, "rule": rule}
    v = claims.CAVEATS if (th["distinct_orders"] or 1) > (c["distinct_orders"] or 1) else claims.HOLDS
    return {"verdict": v, "evidence": ev, "rule": rule}




CLAIMS = {1: ("Coroutines that never suspend run one after another: no concurrency.", claim1),
          2: ("Suspending (sleep) makes them interleave.", claim2),
          3: ("A queue with join hands work from a producer to consumers and waits for it all.", claim3),
          7: ("Coroutine behaviour can be built from threads waiting on queues.", claim7)}
