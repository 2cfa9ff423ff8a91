"""Engine benchmark: parse and compile costs, evaluate and ``entry.value(**kw)`` against
hand-written Python, batch against loop.

Run from the checkout root::

    python -m benchmarks.bench_engine            # full run (about a minute)
    python -m benchmarks.bench_engine --quick    # a few iterations, numbers are noise

Every ratio compares two things measured in the same run, on the same input,
alternating which goes first, as the median over the rounds.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
import timeit
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Callable

from benchmarks.workloads import WORKLOADS, Workload, keyword_row
from nflex_metrics.compiler import clear_code_cache, compile_tree
from nflex_metrics.expression import INTERPRETED_CALLS, clear_cache, compile
from nflex_metrics.mapping import ParsedEntry
from nflex_metrics.syntax import parse

#: An integer literal of a Python formula (not part of a decimal number or a name).
_FLOAT_LITERAL = re.compile(r"(?<![\w.])(\d+)(?![\w.])")


@dataclass(frozen=True)
class Pair:
    """One of ours against its hand-written reference: median times per call (µs) and
    the median of the per-round ratios (ours / reference)."""

    ours_us: float
    reference_us: float
    ratio: float


@dataclass(frozen=True)
class Result:
    """The numbers of one workload (times in microseconds)."""

    label: str
    parse_us: float
    #: ``compile(text).evaluate(row)`` for a new text (its first value is interpreted).
    first_value_us: float
    #: The same with every cache emptied first.
    new_shape_us: float
    #: Generating and ``compile()``-ing the expression's code (what its 17th
    #: evaluation, or its first batch, pays once).
    codegen_us: float
    #: ``expr.evaluate(row)`` against ``by_hand_float(row)``.
    evaluate: Pair
    #: ``entry.value(**kw)`` against ``by_hand_keywords(**kw)``, five keyword arguments.
    value: Pair
    batch_row_us: float
    loop_row_us: float
    #: A hand-written list comprehension of the formula over the same columns, without
    #: any conversion or check: the floor for a pure-Python batch (NaN if none).
    bare_row_us: float

    @property
    def batch_speedup(self) -> float:
        return self.loop_row_us / self.batch_row_us


def _median_us(action: Callable[[int], object], samples: int) -> float:
    """Median wall time of ``action(i)`` over ``samples`` calls, in microseconds."""
    times = []
    for i in range(samples):
        start = time.perf_counter()
        action(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def _timed_after(
    setup: Callable[[int], object], action: Callable[[int], object], samples: int
) -> float:
    """Like :func:`_median_us`, with ``setup(i)`` run untimed before each ``action(i)``."""
    times = []
    for i in range(samples):
        setup(i)
        start = time.perf_counter()
        action(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def _paired(ours: str, reference: str, names: dict[str, Any], number: int, rounds: int) -> Pair:
    """Time ``ours`` and ``reference`` (``number`` calls each) in alternating order."""
    timers = (timeit.Timer(ours, globals=names), timeit.Timer(reference, globals=names))
    times: tuple[list[float], list[float]] = ([], [])
    for i in range(rounds):
        for side in (0, 1) if i % 2 == 0 else (1, 0):
            times[side].append(timers[side].timeit(number) / number * 1e6)
    ratios = [a / b for a, b in zip(*times)]
    return Pair(statistics.median(times[0]), statistics.median(times[1]), statistics.median(ratios))


def measure(workload: Workload, *, samples: int, number: int, repeat: int, rows: int) -> Result:
    """Measure one workload."""
    text = workload.text
    parse_us = _median_us(lambda i: parse(text + " " * (i % 7)), samples)

    row = dict(workload.row)

    def first_value(i: int) -> object:
        clear_cache()  # a new Expression
        return compile(text).evaluate(row)

    def new_shape(i: int) -> object:
        return compile(text).evaluate(row)  # nothing reused

    first_value_us = _median_us(first_value, samples)
    new_shape_us = _timed_after(lambda i: clear_cache(generated_code=True), new_shape, samples)
    tree = parse(text)
    codegen_us = _timed_after(lambda i: clear_code_cache(), lambda i: compile_tree(tree), samples)

    expr = compile(text)
    entry = ParsedEntry("metric", "", False, "", expr)
    keywords = keyword_row(workload)
    expected = workload.by_hand(row)
    for _ in range(INTERPRETED_CALLS + 1):  # time the generated code: the steady state
        got = (expr.evaluate(row), entry.value(**keywords), workload.by_hand_float(row))
    if got != (expected,) * 3:
        raise AssertionError(f"{workload.label}: {got} != {expected}")
    names: dict[str, Any] = {
        "evaluate": expr.evaluate,
        "by_hand_float": workload.by_hand_float,
        "m": row,
        "value": entry.value,
        "by_hand_keywords": workload.by_hand_keywords,
        "kw": keywords,
    }
    evaluate = _paired("evaluate(m)", "by_hand_float(m)", names, number, repeat)
    value = _paired("value(**kw)", "by_hand_keywords(**kw)", names, number, repeat)

    columns = {name: [value] * rows for name, value in row.items()}
    row_dicts = [dict(row) for _ in range(rows)]
    if expr.evaluate_columns(columns) != [expected] * rows:
        raise AssertionError(f"{workload.label}: batch result differs")
    batch_names: dict[str, Any] = {"expr": expr, "columns": columns, "rows": row_dicts}
    bare_stmt = None
    if workload.python_text is not None:
        targets = ", ".join(row)
        cells = ", ".join(f"columns[{name!r}]" for name in row)
        source = cells if len(row) == 1 else f"zip({cells})"
        formula = _FLOAT_LITERAL.sub(r"\1.0", workload.python_text)  # 10 -> 10.0
        bare_stmt = f"[{formula} for {targets} in {source}]"
    batch_number = max(1, number // rows)  # one batch of 10,000 rows per timing
    batch = _paired(
        "expr.evaluate_columns(columns)",
        "f = expr.evaluate\n[f(r) for r in rows]",
        batch_names,
        batch_number,
        repeat,
    )
    bare_row_us = float("nan")
    if bare_stmt is not None:
        timer = timeit.Timer(bare_stmt, globals=batch_names)
        bare_row_us = statistics.median(
            timer.timeit(batch_number) / batch_number * 1e6 for _ in range(repeat)
        )
    return Result(
        workload.label,
        parse_us,
        first_value_us,
        new_shape_us,
        codegen_us,
        evaluate,
        value,
        batch.ours_us / rows,
        batch.reference_us / rows,
        bare_row_us / rows,
    )


def run(
    *, samples: int = 200, number: int = 5_000, repeat: int = 61, rows: int = 10_000
) -> list[Result]:
    """Measure every workload of :mod:`benchmarks.workloads`: ``number`` calls per timing,
    ``repeat`` alternating rounds (many short rounds: a busy machine disturbs few)."""
    return [measure(w, samples=samples, number=number, repeat=repeat, rows=rows) for w in WORKLOADS]


def report(results: Sequence[Result]) -> str:
    """The results as two fixed-width tables."""
    costs = (
        f"{'workload':<13}{'parse':>8}{'first value':>13}{'new shape':>11}{'codegen':>9}"
        f"{'batch/row':>11}{'loop/row':>10}{'speedup':>9}{'bare/row':>10}"
    )
    calls = (
        f"{'workload':<13}{'evaluate':>10}{'float() by hand':>17}{'ratio':>7}"
        f"{'value(**kw)':>13}{'**kw by hand':>14}{'ratio':>7}"
    )
    lines = [costs, "-" * len(costs)]
    for r in results:
        lines.append(
            f"{r.label:<13}{r.parse_us:>8.1f}{r.first_value_us:>13.1f}{r.new_shape_us:>11.1f}"
            f"{r.codegen_us:>9.1f}"
            f"{r.batch_row_us * 1000:>10.0f}n{r.loop_row_us * 1000:>9.0f}n"
            f"{r.batch_speedup:>8.1f}x{r.bare_row_us * 1000:>9.0f}n"
        )
    lines += [
        "median µs: parse; first value = compile(text).evaluate(row) of a new text (a new",
        "expression's first calls are interpreted); new shape = the same with every cache",
        "emptied; codegen = generating and compile()-ing the expression's code, paid once",
        "when it gets hot; ns per row:",
        "evaluate_columns, a loop of evaluate, a hand-written comprehension without",
        "conversion (bare)",
        "",
        calls,
        "-" * len(calls),
    ]
    for r in results:
        e, v = r.evaluate, r.value
        lines.append(
            f"{r.label:<13}{e.ours_us * 1000:>9.0f}n{e.reference_us * 1000:>16.0f}n{e.ratio:>7.2f}"
            f"{v.ours_us * 1000:>12.0f}n{v.reference_us * 1000:>13.0f}n{v.ratio:>7.2f}"
        )
    lines += [
        "median ns per call, alternating with the hand-written reference of",
        "benchmarks/workloads.py; ratio = median of the per-round ratios (budget: <= 1.15)",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny iteration counts")
    args = parser.parse_args(argv)
    results = run(samples=3, number=200, repeat=1, rows=50) if args.quick else run()
    print(f"Python {sys.version.split()[0]}")
    print(report(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
