"""claims.py -- the article's claims, each judged by an explicit rule.

The article: "Learn Python Coroutines in Less Than 5 Minutes", Rahul Sharma,
Xebia Engineering Blog, March 2020.  Each claim is declared, with its judge,
by the workload module whose data decides it (scripts/workloads/, CLAIMS).
Every verdict is computed from one run's tables and points; nothing is typed
by hand.  A claim whose inputs are missing or failed is "not measured" with
the reason.  A judge returns a dict: verdict, evidence (the numbers that
decided it) and rule (the rule, in words, as applied); a judge whose rule
compares a ratio with a line adds interval (stats.Interval) and line, and
decides by the interval (stats.verdict), never by the median alone: a ratio
whose interval straddles its line gives INCONCLUSIVE.
"""
HOLDS, CAVEATS, NOT_HOLD, NOT_MEASURED = "holds", "holds with caveats", "does not hold", "not measured"
# A claim whose deciding ratio has an interval that straddles its line.
INCONCLUSIVE = "inconclusive"
VERDICTS = (HOLDS, CAVEATS, NOT_HOLD, INCONCLUSIVE, NOT_MEASURED)


def nm(reason):
    return {"verdict": NOT_MEASURED, "evidence": reason, "rule": ""}


def judge_all(tables, points, env):
    import workloads  # the registry imports this module: load it late

    out = []
    for n, (text, judge) in workloads.claims().items():
        try:
            r = judge(tables, points, env)
        except (KeyError, TypeError, ValueError, ZeroDivisionError) as e:
            r = nm(f"the data needed is incomplete ({type(e).__name__}: {e})")
        r.update({"n": n, "claim": text})
        out.append(r)
    return out
