"""md.py -- Markdown tables with escaped cells: the one writer of every table in REPORT.md."""


def cell(x):
    """A value as one table cell: '—' for nothing, '|' escaped, on one line."""
    if x is None:
        return "—"
    return " ".join(str(x).split("\n")).replace("|", "\\|")


def table(header, rows):
    """The lines of a Markdown table (header: column titles; rows: lists of values)."""
    out = ["| " + " | ".join(cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return out
