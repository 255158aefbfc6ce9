"""reportfacts.py -- the numbers and verdicts of a REPORT.md, as multisets.

Two reports of the same data may differ in wording and order, never in these:
every number in a table cell, a sentence of reading or a claim's evidence,
every claim's verdict and every target's verdict cell.  Headings are left out
(they name sections, not results), and so are the Markdown escapes.
"""
import collections
import re

NUMBER = re.compile(r"\d+(?:\.\d+)?")
VERDICT = re.compile(r"^\*\*Verdict: ([a-z ]+)\.\*\*", re.M)
MET = re.compile(r"\| (yes|\*\*no, missed\*\*|met|\*\*missed\*\*|inconclusive|not comparable|not measured) \|$",
                 re.M)


def facts(text):
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    return {"numbers": collections.Counter(NUMBER.findall(body)),
            "claim verdicts": collections.Counter(VERDICT.findall(text)),
            "targets met": collections.Counter(MET.findall(text))}


def differences(a, b):
    """What differs between the facts of report text a and report text b, in words; [] when none."""
    fa, fb = facts(a), facts(b)
    out = []
    for k in fa:
        only_a, only_b = fa[k] - fb[k], fb[k] - fa[k]
        if only_a or only_b:
            out.append(f"{k}: only in the first {dict(only_a)}, only in the second {dict(only_b)}")
    return out
