"""The scale benchmark's code paths still run (tiny sizes; no timing is asserted)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pyspark")
pytest.importorskip("distributed")

from benchmarks import bench_scale

pytestmark = [pytest.mark.spark, pytest.mark.dask]


def test_main_quick_reports_every_side_and_the_scaling(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert bench_scale.main(["--quick", "--data", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "20,000 samples of 20 metrics" in out
    for label, _, _ in bench_scale.SIDES:
        assert label in out
    assert "spark scaling, 1 -> 2" in out and "dask scaling, 1 -> 2" in out


def test_the_dataset_has_the_rows_and_metrics_asked_for(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    bench_scale.write_dataset(tmp_path, rows=1_000, files=3)
    table = pq.read_table(tmp_path / "samples")
    assert table.num_rows == 1_000
    assert set(table.column("metric").to_pylist()) == set(bench_scale.METRICS)
    assert len(list((tmp_path / "samples").iterdir())) == 3
