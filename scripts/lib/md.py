"""md.py -- Markdown tables with escaped cells: the one writer of the tables in the reports."""


def cell(x):
    """A value as one table cell: '—' for nothing, '|' escaped, on one line."""
    if x is None:
        return "—"
    return " ".join(str(x).split("\n")).replace("|", "\\|")


def table(header, rows, align=None):
    """The lines of a Markdown table (header: column titles; rows: lists of
    values; align: one letter per column, 'l' or 'r', default all left)."""
    rule = "".join("---:|" if a == "r" else "---|" for a in (align or "l" * len(header)))
    out = ["| " + " | ".join(cell(h) for h in header) + " |", "|" + rule]
    return out + ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
