"""What a comparison run measured, and the table and ``RESULTS.md`` made from it."""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

#: Hand-written notes in RESULTS.md between these markers survive a re-run.
NOTES_START = "<!-- notes:start -->"
NOTES_END = "<!-- notes:end -->"


@dataclass
class Cell:
    """One side's measurements of one workload: seconds per operation, one per round."""

    samples: list[float] = field(default_factory=list)
    error: Optional[str] = None

    @property
    def median(self) -> Optional[float]:
        if self.error is not None or not self.samples:
            return None
        return statistics.median(self.samples)


@dataclass(frozen=True)
class Target:
    """A goal from the issue: ours at least ``at_least`` times faster than each peer."""

    peers: tuple[str, ...]
    at_least: float
    #: How the table names the peers, e.g. "0.2.0" for both 0.2.0 installations.
    label: str
    strict: bool = False

    def describe(self) -> str:
        """``>= 5x vs 0.2.0``: the goal as the table shows it."""
        return f"{'>' if self.strict else '>='} {self.at_least:g}x vs {self.label}"


@dataclass(frozen=True)
class Budget:
    """A goal against a hand-written reference timed in our own worker: ours at most
    ``at_most`` times the reference's time."""

    at_most: float
    #: How the table names the reference, e.g. "the float() lambda".
    label: str

    def describe(self) -> str:
        return f"<= {self.at_most:g}x {self.label}"


@dataclass
class Row:
    """One line of the table: a benchmark on one workload, measured on every side."""

    bench: str
    workload: str
    unit: str
    cells: dict[str, Cell] = field(default_factory=dict)
    targets: tuple[Target, ...] = ()
    #: With a budget, the hand-written reference measured beside ours (same worker,
    #: alternating), and ours must stay within the budget.
    budget: Optional[Budget] = None
    reference: Cell = field(default_factory=Cell)

    def cell(self, side: str) -> Cell:
        return self.cells.setdefault(side, Cell())

    def ratio(self) -> Optional[float]:
        """Our median over the reference's (<= the budget means met); None if unknown."""
        ours = self.cells.get("ours", Cell()).median
        reference = self.reference.median
        if ours is None or reference is None or reference <= 0:
            return None
        return ours / reference

    def speedup(self, peer: str) -> Optional[float]:
        """Their median over ours (> 1 means ours is faster); None when either is missing."""
        ours = self.cells.get("ours", Cell()).median
        theirs = self.cells.get(peer, Cell()).median
        if ours is None or theirs is None or ours <= 0:
            return None
        return theirs / ours

    def verdict(self) -> str:
        """``yes``, ``NO (...)`` or ``n/a (...)`` for every target of the row."""
        if self.budget is not None:
            ratio = self.ratio()
            if ratio is None:
                return "NO (ours failed)" if self.reference.error is None else "n/a"
            return f"{'yes' if ratio <= self.budget.at_most else 'NO'} ({ratio:.2f}x)"
        if not self.targets:
            return ""
        if self.cells.get("ours", Cell()).median is None:
            return "NO (ours failed)"
        if not any(p in self.cells for t in self.targets for p in t.peers):
            return "n/a (no peer in this run)"
        misses: list[str] = []
        unknown: list[str] = []
        for target in self.targets:
            for peer in target.peers:
                if peer not in self.cells:
                    continue
                s = self.speedup(peer)
                if s is None:
                    unknown.append(f"{peer} failed")
                elif s < target.at_least or (target.strict and s == target.at_least):
                    misses.append(f"{peer} {s:.2g}x")
        if misses:
            return "NO (" + ", ".join(dict.fromkeys(misses)) + ")"
        if unknown:
            return "yes; n/a: " + ", ".join(unknown)
        return "yes"


_SCALE = {"ns": 1e9, "µs": 1e6, "ms": 1e3, "s": 1.0}


def format_seconds(seconds: float, unit: str) -> str:
    """``seconds`` in ``unit`` with three significant digits.

    >>> format_seconds(0.00000123, "µs")
    '1.23 µs'
    """
    value = seconds * _SCALE[unit]
    return f"{value:.3g} {unit}" if value < 1000 else f"{value:,.0f} {unit}"


def format_cell(row: Row, side: str) -> str:
    """A peer's cell: median time, then ours/theirs and the speed-up it means."""
    cell = row.cells.get(side)
    if cell is None:
        return "—"
    if cell.error is not None:
        return f"failed: {_short(cell.error)}"
    median = cell.median
    if median is None:
        return "—"
    text = format_seconds(median, row.unit)
    if side == "ours":
        reference = row.reference.median
        if row.budget is not None and reference is not None:
            return f"{text} (by hand {format_seconds(reference, row.unit)})"
        return text
    s = row.speedup(side)
    if s is None:
        return text
    speed = f"{s:.3g}x faster" if s >= 1 else f"{1 / s:.3g}x slower"
    return f"{text} ({1 / s:.2g}; {speed})"


def _short(error: str, limit: int = 70) -> str:
    one_line = re.sub(r"\s+", " ", error).replace("|", "/")
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def render_table(rows: list[Row], sides: list[str], titles: dict[str, str]) -> str:
    """The Markdown table: one row per benchmark and workload, one column per side."""
    head = ["benchmark", "workload", *(titles[s] for s in sides), "target", "met"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        targets = "; ".join(t.describe() for t in row.targets)
        if row.budget is not None:
            targets = row.budget.describe()
        cells = [format_cell(row, s) for s in sides]
        lines.append(
            "| " + " | ".join([row.bench, row.workload, *cells, targets, row.verdict()]) + " |"
        )
    return "\n".join(lines)


def existing_notes(path: Path) -> Optional[str]:
    """The hand-written notes block of an earlier RESULTS.md, if any."""
    if not path.exists():
        return None
    text = path.read_text(encoding="utf-8")
    start, end = text.find(NOTES_START), text.find(NOTES_END)
    if start < 0 or end < start:
        return None
    return text[start : end + len(NOTES_END)]


def render_results(
    *,
    command: str,
    when: str,
    machine: list[str],
    versions: list[str],
    method: list[str],
    table: str,
    notes: Optional[str],
) -> str:
    """The whole RESULTS.md: how it was run, on what, the table, and the kept notes."""
    out = [
        "# Benchmark results: nflex_metrics vs nflex-connector-utils 0.2.0 and simpleeval",
        "",
        "Generated by `benchmarks/compare`; re-run it to refresh this file (the notes",
        "block at the end is kept).",
        "",
        f"Command: `{command}`",
        "",
        f"Date: {when}",
        "",
        "## Machine",
        "",
        *(f"- {m}" for m in machine),
        "",
        "## Sides",
        "",
        *(f"- {v}" for v in versions),
        "",
        "## Method",
        "",
        *(f"- {m}" for m in method),
        "",
        "## Results",
        "",
        "Each cell is the median over the rounds; a peer's cell adds ours/theirs (our",
        "median divided by theirs) and the speed-up it means.",
        "",
        table,
        "",
        "## Notes",
        "",
        notes or f"{NOTES_START}\n{NOTES_END}",
        "",
    ]
    return "\n".join(out)
