"""Engine benchmark: parse+compile cost, evaluate vs a hand-written lambda, batch vs loop.

Run from the checkout root::

    python -m benchmarks.bench_engine            # full run (about a minute)
    python -m benchmarks.bench_engine --quick    # a few iterations, numbers are noise

Every ratio compares two things measured in the same run, on the same input.
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

from benchmarks.workloads import WORKLOADS, Workload
from nflex_metrics.compiler import clear_code_cache, compile_tree
from nflex_metrics.expression import clear_cache, compile
from nflex_metrics.syntax import parse

#: An integer literal of a Python formula (not part of a decimal number or a name).
_FLOAT_LITERAL = re.compile(r"(?<![\w.])(\d+)(?![\w.])")


@dataclass(frozen=True)
class Result:
    """The numbers of one workload (times in microseconds)."""

    label: str
    parse_us: float
    compile_warm_us: float
    compile_cold_us: float
    codegen_us: float
    evaluate_us: float
    by_hand_us: float
    batch_row_us: float
    loop_row_us: float
    #: A hand-written list comprehension of the formula over the same columns, without
    #: any conversion or check: the floor for a pure-Python batch (NaN if none).
    bare_row_us: float

    @property
    def evaluate_ratio(self) -> float:
        return self.evaluate_us / self.by_hand_us

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


def _per_call_us(stmt: str, names: dict[str, Any], number: int, repeat: int) -> float:
    """Best-of-``repeat`` time per call of ``stmt`` (best: least disturbed by other load)."""
    timer = timeit.Timer(stmt, globals=names)
    return min(timer.repeat(repeat=repeat, number=number)) / number * 1e6


def measure(workload: Workload, *, samples: int, number: int, repeat: int, rows: int) -> Result:
    """Measure one workload."""
    text = workload.text
    parse_us = _median_us(lambda i: parse(text + " " * (i % 7)), samples)

    row = dict(workload.row)

    def new_text(i: int) -> object:
        clear_cache()  # a new Expression; generated code of this shape may be reused
        return compile(text).evaluate(row)

    def new_shape(i: int) -> object:
        return compile(text).evaluate(row)  # nothing reused: parse, set up, first value

    tree = parse(text)

    def codegen(i: int) -> object:
        code = compile_tree(tree)  # what the call that makes a new shape hot pays once
        code.warm_up()
        return code

    compile_warm_us = _median_us(new_text, samples)
    compile_cold_us = _timed_after(lambda i: clear_cache(generated_code=True), new_shape, samples)
    codegen_us = _timed_after(lambda i: clear_code_cache(), codegen, samples)

    expr = compile(text)
    expr.evaluate(row)
    expr._code.warm_up()  # steady state: the generated code, as after HOT_CALLS calls
    expected = workload.by_hand(row)
    if expr.evaluate(row) != expected:
        raise AssertionError(f"{workload.label}: {expr.evaluate(row)} != {expected}")
    names = {"evaluate": expr.evaluate, "by_hand": workload.by_hand, "m": row}
    evaluate_us = by_hand_us = float("inf")
    for _ in range(repeat):  # interleaved, so that both see the same machine load
        evaluate_us = min(evaluate_us, _per_call_us("evaluate(m)", names, number, 1))
        by_hand_us = min(by_hand_us, _per_call_us("by_hand(m)", names, number, 1))

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
    batch_number = max(1, number // rows)
    batch_row_us = loop_row_us = bare_row_us = float("inf")
    for _ in range(repeat):
        batch_row_us = min(
            batch_row_us,
            _per_call_us("expr.evaluate_columns(columns)", batch_names, batch_number, 1) / rows,
        )
        loop_row_us = min(
            loop_row_us,
            _per_call_us("f = expr.evaluate\n[f(r) for r in rows]", batch_names, batch_number, 1)
            / rows,
        )
        if bare_stmt is not None:
            bare_row_us = min(
                bare_row_us, _per_call_us(bare_stmt, batch_names, batch_number, 1) / rows
            )
    if bare_stmt is None:
        bare_row_us = float("nan")
    return Result(
        workload.label,
        parse_us,
        compile_warm_us,
        compile_cold_us,
        codegen_us,
        evaluate_us,
        by_hand_us,
        batch_row_us,
        loop_row_us,
        bare_row_us,
    )


def run(
    *, samples: int = 200, number: int = 200_000, repeat: int = 7, rows: int = 10_000
) -> list[Result]:
    """Measure every workload of :mod:`benchmarks.workloads`."""
    return [measure(w, samples=samples, number=number, repeat=repeat, rows=rows) for w in WORKLOADS]


def report(results: Sequence[Result]) -> str:
    """The results as a fixed-width table."""
    head = (
        f"{'workload':<13}{'parse':>8}{'+compile':>10}{'cold':>8}{'codegen':>9}"
        f"{'evaluate':>10}{'by hand':>9}{'ratio':>7}{'batch/row':>11}{'loop/row':>10}{'speedup':>9}"
        f"{'bare/row':>10}"
    )
    lines = [head, "-" * len(head)]
    for r in results:
        lines.append(
            f"{r.label:<13}{r.parse_us:>8.1f}{r.compile_warm_us:>10.1f}{r.compile_cold_us:>8.1f}"
            f"{r.codegen_us:>9.1f}"
            f"{r.evaluate_us * 1000:>9.0f}n{r.by_hand_us * 1000:>8.0f}n{r.evaluate_ratio:>7.2f}"
            f"{r.batch_row_us * 1000:>10.0f}n{r.loop_row_us * 1000:>9.0f}n{r.batch_speedup:>8.1f}x"
            f"{r.bare_row_us * 1000:>9.0f}n"
        )
    lines.append(
        "median us: parse; +compile and cold = compile(text).evaluate(row), new text of a"
        " known / new shape;\ncodegen = generating and compiling the fast path, paid once"
        " when a shape turns hot; best ns per call/row: evaluate (hot), by hand, batch, loop,"
        " bare (a hand-written comprehension, no conversion)"
    )
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
