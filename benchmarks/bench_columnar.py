"""Columnar benchmark: ``evaluate_arrays`` against numexpr, Polars and ``evaluate_columns``.

Run from the checkout root (numexpr and Polars are benchmark-only: a peer that is not
installed is skipped)::

    python -m benchmarks.bench_columnar              # 1,000,000 rows, 9 rounds
    python -m benchmarks.bench_columnar --quick      # tiny, numbers are noise

Every workload of :mod:`benchmarks.workloads` runs on the same float64 columns for
every contender. In each round every contender runs once, in a rotating order, so that
all see the same machine load; the table shows medians and ratios. Targets: within 2x
of numexpr for the arithmetic workloads, within 3x of Polars' ``when/then/otherwise``
for the ternary and the CASE, at least 30x faster than ``evaluate_columns`` on lists.
numexpr and Polars run with their default threads; ``evaluate_arrays`` uses one.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Callable, Optional

import numpy as np

from benchmarks.workloads import WORKLOADS, Workload
from nflex_metrics.expression import compile

try:
    import numexpr
except ImportError:  # a peer that is not installed is skipped
    numexpr = None
try:
    import polars
except ImportError:
    polars = None

#: Workloads compared with numexpr (arithmetic) and with Polars (conditions), and the
#: largest ratio (evaluate_arrays time / peer time) each target allows.
NUMEXPR_WORKLOADS = {"scale": 2.0, "bytes_to_mib": 2.0, "arithmetic": 2.0}
POLARS_WORKLOADS = {"ternary": 3.0, "case_5_arms": 3.0}
#: The least speedup over ``evaluate_columns`` on lists.
BATCH_SPEEDUP_TARGET = 30.0


def columns(rows: int, seed: int = 0) -> dict[str, np.ndarray[Any, np.dtype[np.float64]]]:
    """The benchmark's float64 columns: every variable of every workload. Conditions
    split the rows at random, the hardest case for a per-row branch."""
    rng = np.random.default_rng(seed)
    return {
        "value": rng.uniform(0.0, 1e9, rows),
        "total": rng.uniform(-1.0, 1.0, rows),
        "a": rng.uniform(0.0, 10.0, rows),
        "b": rng.uniform(0.0, 10.0, rows),
        "c": rng.uniform(0.0, 10.0, rows),
        "state": rng.integers(0, 4, rows).astype(np.float64),
        "load": rng.uniform(0.0, 1.0, rows),
    }


def _polars_expression(label: str) -> Any:
    """The workload written with Polars' ``when/then/otherwise``."""
    col, when = polars.col, polars.when
    if label == "ternary":
        return when(col("total") > 0).then(col("value") * 100.0).otherwise(0.0)
    state, load = col("state"), col("load")
    return (
        when((state == 1) & (load > 0.9))
        .then(100.0)
        .when((state == 1) & (load > 0.5))
        .then(75.0)
        .when((state == 1) | (load > 0.25))
        .then(50.0)
        .when(state == 2)
        .then(25.0)
        .when((state == 3) & ~(load > 0))
        .then(10.0)
        .otherwise(0.0)
    )


@dataclass(frozen=True)
class Contender:
    """One way to evaluate a workload: ``run()`` returns the values as float64."""

    name: str
    run: Callable[[], Any]


def contenders(workload: Workload, data: dict[str, Any]) -> list[Contender]:
    """evaluate_arrays, its peer for this workload (if installed) and evaluate_columns."""
    expression = compile(workload.text)
    used = {name: data[name] for name in sorted(expression.variables)}
    lists = {name: column.tolist() for name, column in used.items()}
    result = [Contender("evaluate_arrays", lambda: expression.evaluate_arrays(used))]
    if workload.label in NUMEXPR_WORKLOADS and numexpr is not None:
        text = workload.python_text
        result.append(Contender("numexpr", lambda: numexpr.evaluate(text, local_dict=used)))
    if workload.label in POLARS_WORKLOADS and polars is not None:
        frame = polars.DataFrame(used)
        select = _polars_expression(workload.label)
        result.append(Contender("polars", lambda: frame.select(select).to_series()))
    result.append(Contender("evaluate_columns", lambda: expression.evaluate_columns(lists)))
    return result


def _as_floats(values: Any) -> np.ndarray[Any, np.dtype[np.float64]]:
    if isinstance(values, np.ma.MaskedArray):
        return values.filled(np.nan)
    if isinstance(values, list):
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    return np.asarray(values.to_numpy() if hasattr(values, "to_numpy") else values, np.float64)


def check_same_values(workload: Workload, runners: Sequence[Contender]) -> None:
    """Every contender computes the same values (else the comparison is meaningless)."""
    expected = _as_floats(runners[0].run())
    for contender in runners[1:]:
        got = _as_floats(contender.run())
        if not np.array_equal(got, expected, equal_nan=True):
            raise AssertionError(f"{workload.label}: {contender.name} gives other values")


@dataclass(frozen=True)
class Result:
    """Median milliseconds of each contender on one workload."""

    label: str
    median_ms: dict[str, float]

    def ratio(self, peer: str) -> Optional[float]:
        """evaluate_arrays time / ``peer`` time, None when the peer did not run."""
        if peer not in self.median_ms:
            return None
        return self.median_ms["evaluate_arrays"] / self.median_ms[peer]

    @property
    def speedup(self) -> float:
        """How many times faster than evaluate_columns on lists."""
        return self.median_ms["evaluate_columns"] / self.median_ms["evaluate_arrays"]


def measure(workload: Workload, data: dict[str, Any], repeat: int) -> Result:
    """Median time of each contender over ``repeat`` rounds in rotating order."""
    runners = contenders(workload, data)
    check_same_values(workload, runners)
    times: dict[str, list[float]] = {c.name: [] for c in runners}
    for round_ in range(repeat):
        shift = round_ % len(runners)
        for contender in runners[shift:] + runners[:shift]:
            start = time.perf_counter()
            contender.run()
            times[contender.name].append(time.perf_counter() - start)
    return Result(workload.label, {k: statistics.median(v) * 1e3 for k, v in times.items()})


def run(rows: int = 1_000_000, repeat: int = 9) -> list[Result]:
    """Measure every workload on ``rows`` rows."""
    data = columns(rows)
    return [measure(workload, data, repeat) for workload in WORKLOADS]


def _verdict(value: Optional[float], limit: float, *, at_most: bool) -> str:
    if value is None:
        return "(peer not installed)"
    met = value <= limit if at_most else value >= limit
    return "met" if met else "MISSED"


def report(results: Sequence[Result], rows: int, repeat: int) -> str:
    """The results as a fixed-width table of medians and ratios."""
    head = (
        f"{'workload':<14}{'arrays ms':>10}  {'peer':<18}{'ratio':>7}  {'target':<22}"
        f"{'columns ms':>11}{'speedup':>9}  target >= {BATCH_SPEEDUP_TARGET:.0f}x"
    )
    lines = [
        f"evaluate_arrays on {rows:,} float64 rows, median of {repeat} alternating rounds",
        head,
        "-" * len(head),
    ]
    for result in results:
        peer, limit = "", None
        if result.label in NUMEXPR_WORKLOADS:
            peer, limit = "numexpr", NUMEXPR_WORKLOADS[result.label]
        elif result.label in POLARS_WORKLOADS:
            peer, limit = "polars", POLARS_WORKLOADS[result.label]
        ratio = result.ratio(peer) if peer else None
        peer_text = f"{peer} {result.median_ms[peer]:.2f} ms" if ratio is not None else peer
        ratio_text = f"{ratio:.2f}x" if ratio is not None else "-"
        target = f"<= {limit:.0f}x {_verdict(ratio, limit, at_most=True)}" if limit else ""
        speedup = result.speedup
        lines.append(
            f"{result.label:<14}{result.median_ms['evaluate_arrays']:>10.2f}  {peer_text:<18}"
            f"{ratio_text:>7}  {target:<22}{result.median_ms['evaluate_columns']:>11.1f}"
            f"{speedup:>8.0f}x  {_verdict(speedup, BATCH_SPEEDUP_TARGET, at_most=False)}"
        )
    lines.append(
        "ratio = evaluate_arrays time / peer time (lower is better); speedup = "
        "evaluate_columns on lists / evaluate_arrays"
    )
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows per column")
    parser.add_argument("--repeat", type=int, default=9, help="alternating rounds")
    parser.add_argument("--quick", action="store_true", help="10,000 rows, 3 rounds")
    args = parser.parse_args(argv)
    rows, repeat = (10_000, 3) if args.quick else (args.rows, args.repeat)
    versions = [f"Python {sys.version.split()[0]}", f"numpy {np.__version__}"]
    for name, module in (("numexpr", numexpr), ("polars", polars)):
        versions.append(f"{name} {module.__version__}" if module is not None else f"no {name}")
    print(", ".join(versions))
    print(report(run(rows, repeat), rows, repeat))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
