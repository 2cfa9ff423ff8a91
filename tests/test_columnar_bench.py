"""The columnar benchmark's code paths still run (tiny sizes; no timing is asserted)."""

from __future__ import annotations

import pytest

pytest.importorskip("numpy")

from benchmarks import bench_columnar
from benchmarks.workloads import WORKLOADS

pytestmark = pytest.mark.slow


def test_every_contender_computes_the_same_values_and_every_workload_is_reported() -> None:
    results = bench_columnar.run(rows=1_000, repeat=1)
    assert [r.label for r in results] == [w.label for w in WORKLOADS]
    table = bench_columnar.report(results, rows=1_000, repeat=1)
    assert all(w.label in table for w in WORKLOADS)
    assert all({"evaluate_arrays", "evaluate_columns"} <= set(r.median_ms) for r in results)


def test_a_peer_that_is_not_installed_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench_columnar, "numexpr", None)
    monkeypatch.setattr(bench_columnar, "polars", None)
    results = bench_columnar.run(rows=100, repeat=1)
    assert all(set(r.median_ms) == {"evaluate_arrays", "evaluate_columns"} for r in results)
    assert "(peer not installed)" in bench_columnar.report(results, rows=100, repeat=1)


def test_main_quick_prints_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench_columnar.main(["--quick"]) == 0
    assert "evaluate_arrays on 10,000 float64 rows" in capsys.readouterr().out
