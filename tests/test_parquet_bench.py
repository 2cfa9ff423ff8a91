"""The Parquet mode of the convert benchmark still runs (tiny sizes; no timing is asserted)."""

from __future__ import annotations

import pytest

pytest.importorskip("pyarrow")

from benchmarks import bench_convert

pytestmark = pytest.mark.slow


def test_parquet_mode_reports_every_run_and_the_memory_ratio(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert bench_convert.main(["--format", "parquet", "--lines", "2000", "--rounds", "2"]) == 0
    out = capsys.readouterr().out
    for label in ("floor ", "floor/default", "convert ", "convert/10"):
        assert label in out
    assert "peak RSS, full input / a tenth of it:" in out
    assert "samples per CPU second" in out
