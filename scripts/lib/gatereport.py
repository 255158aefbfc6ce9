"""gatereport.py -- the gate's verdict table in the formats CI systems read.

table     aligned text for a terminal or a job log (the default)
json      the report document (corobench-regress-report/1) for tools
junit     JUnit XML: one test case per metric; GitLab's and Jenkins' test reports
markdown  a GitHub-flavoured table: a PR comment or a GitHub job summary

rows are the dicts regress.compare() returns: metric, unit, gate, limit,
baseline, now, change_pct, verdict[, note][, p]. The column titles name the
two sides (baseline/now for the gate, base/head for a compare of two builds).
"""
import json
import xml.etree.ElementTree as ET

FORMATS = ("table", "json", "junit", "markdown")
FAILING = ("FAIL", "MISSING")


def limit_text(lim):
    parts = []
    if "max_value" in lim:
        parts.append(f"<= {lim['max_value']:g}")
    if "max_increase_pct" in lim:
        inc, dec = lim["max_increase_pct"], lim.get("max_decrease_pct")
        if dec is None:
            parts.append(f"+{inc:g}%")
        elif dec == inc:
            parts.append(f"±{inc:g}%")
        else:
            parts.append(f"+{inc:g}%/-{dec:g}%")
    return " ".join(parts) if parts else "-"


def fmt_val(v):
    if v is None:
        return "-"
    if isinstance(v, int) or (isinstance(v, float) and v.is_integer()):
        return f"{int(v)}"
    if abs(v) >= 100:
        return f"{v:.1f}"
    return f"{v:.4g}"


def _cells(r):
    ch = "-" if r["change_pct"] is None else f"{r['change_pct']:+.2f}%"
    lim = limit_text(r["limit"]) + ("" if r["gate"] else " (track)")
    verdict = r["verdict"] + (f" ({r['note']})" if r.get("note") else "")
    cells = [r["metric"], fmt_val(r["baseline"]), fmt_val(r["now"]), ch, lim, verdict]
    return cells


def summary(rows, passed, tool):
    nfail = sum(r["verdict"] in FAILING for r in rows)
    ngated = sum(bool(r["gate"]) for r in rows)
    if passed:
        return (f"{tool}: PASS ({ngated} gated metrics within their limits; "
                "'track' rows are informative and never fail the gate)")
    return (f"{tool}: FAIL ({nfail} gated metric(s) worse than the limit or not measured)")


def table(rows, warnings, passed, sides=("baseline", "now"), tool="bench-check", hint=""):
    out = [f"warning: environment differs from the {sides[0]}'s ({w}); counts may move for "
           "that reason alone" for w in warnings]
    hdr = ["metric", sides[0], sides[1], "change", "limit", "verdict"]
    cells = [_cells(r) for r in rows]
    w = [max([len(h)] + [len(c[i]) for c in cells]) for i, h in enumerate(hdr)]

    def line(c):
        return "  ".join(x.ljust(w[i]) if i in (0, 4, 5) else x.rjust(w[i])
                         for i, x in enumerate(c)).rstrip()
    out.append(line(hdr))
    out.append("-" * len(line(hdr)))
    out += [line(c) for c in cells]
    out.append(summary(rows, passed, tool) + ("" if passed or not hint else ". " + hint))
    return "\n".join(out) + "\n"


def markdown(rows, warnings, passed, sides=("baseline", "now"), tool="bench-check", hint=""):
    icon = {"FAIL": "**FAIL**", "MISSING": "**MISSING**", "better": "better", "warn": "warn"}
    out = [f"### {tool}: {'pass' if passed else 'FAIL'}", ""]
    out += [f"> warning: environment differs from the {sides[0]}'s ({w})" for w in warnings]
    if warnings:
        out.append("")
    out.append(f"| metric | {sides[0]} | {sides[1]} | change | limit | verdict |")
    out.append("|---|---:|---:|---:|---|---|")
    for r in rows:
        c = _cells(r)
        c[5] = icon.get(r["verdict"], r["verdict"]) + (f" ({r['note']})" if r.get("note") else "")
        c = [x.replace("|", "\\|") for x in c]
        out.append(f"| `{c[0]}` | {c[1]} | {c[2]} | {c[3]} | {c[4]} | {c[5]} |")
    out += ["", summary(rows, passed, tool) + ("" if passed or not hint else ". " + hint)]
    return "\n".join(out) + "\n"


def junit(rows, warnings, passed, sides=("baseline", "now"), tool="bench-check", hint=""):
    suite = ET.Element("testsuite", name=tool, tests=str(len(rows)),
                       failures=str(sum(r["verdict"] in FAILING for r in rows)),
                       skipped=str(sum(r["verdict"] == "skipped" for r in rows)), errors="0")
    if warnings:
        props = ET.SubElement(suite, "properties")
        for w in warnings:
            ET.SubElement(props, "property", name="environment-warning", value=w)
    for r in rows:
        case = ET.SubElement(suite, "testcase", classname=tool, name=r["metric"])
        c = _cells(r)
        text = (f"{sides[0]} {c[1]}, {sides[1]} {c[2]}, change {c[3]}, limit {c[4]}, "
                f"verdict {c[5]}")
        if r["verdict"] in FAILING:
            ET.SubElement(case, "failure", message=text, type=r["verdict"]).text = text
        elif r["verdict"] == "skipped":
            ET.SubElement(case, "skipped", message=text)
        else:
            ET.SubElement(case, "system-out").text = text
    ET.indent(suite)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suite, "unicode") + "\n"


def document(rows, warnings, passed, extra=None):
    doc = {"schema": "corobench-regress-report/1", "verdict": "pass" if passed else "fail",
           "env_warnings": warnings, "rows": rows}
    doc.update(extra or {})
    return doc


def render(fmt, rows, warnings, passed, **kw):
    if fmt == "json":
        extra = kw.pop("extra", None)
        return json.dumps(document(rows, warnings, passed, extra), indent=2) + "\n"
    kw.pop("extra", None)
    return {"table": table, "junit": junit, "markdown": markdown}[fmt](rows, warnings, passed,
                                                                      **kw)
