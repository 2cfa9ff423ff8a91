"""Smoke test of ``benchmarks/bench_convert.py``: its code paths run on a tiny input.

It checks what the benchmark computes (line counts, a report), never how fast."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import bench_convert

pytestmark = pytest.mark.slow


def test_bench_convert_runs_end_to_end_on_a_tiny_input(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert bench_convert.main(["--lines", "60", "--json", "stdlib"]) == 0
    report = capsys.readouterr().out
    assert "60 samples of 20 metrics" in report
    for label in ("floor", "convert", "convert/10", "peak RSS, full input / a tenth of it"):
        assert label in report


def test_bench_samples_cover_every_metric_of_the_mapping(tmp_path: Path) -> None:
    path = tmp_path / "samples.jsonl"
    bench_convert.write_samples(path, 2000)
    metrics = {json.loads(line)["metric"] for line in path.read_text().splitlines()}
    assert metrics == set(bench_convert.METRICS)
