"""The engine benchmark's code paths still run (tiny counts; no timing is asserted)."""

from __future__ import annotations

import pytest

from benchmarks import bench_engine
from benchmarks.workloads import WORKLOADS

pytestmark = pytest.mark.slow


def test_benchmark_runs_every_workload_and_reports_them() -> None:
    results = bench_engine.run(samples=2, number=20, repeat=1, rows=10)
    assert [r.label for r in results] == [w.label for w in WORKLOADS]
    table = bench_engine.report(results)
    assert all(w.label in table for w in WORKLOADS)


def test_benchmark_main_quick_prints_a_table(capsys: object) -> None:
    assert bench_engine.main(["--quick"]) == 0
