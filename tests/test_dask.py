"""``nflex_metrics.dask`` on a real ``distributed.LocalCluster`` of two worker processes:
every partition is what ``convert_table`` gives for it, in each ``on_error`` mode.

The cluster starts once per test session. Selected with ``pytest -m dask``; needs the
``dask`` extra.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("dask.dataframe")
pytest.importorskip("distributed")

import dask.dataframe as dd
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from distributed import Client, LocalCluster, get_task_stream
from partitioned_samples import (
    MAPPING,
    MAPPING_YAML,
    by_resource_and_metric,
    clean,
    example_input,
    samples,
)

from nflex_metrics import MappingError, load_metric_mapping
from nflex_metrics import dask as nflex_dask
from nflex_metrics.columnar import convert_table
from nflex_metrics.partitions import PartitionConversionError, PartitionConverter

pytestmark = pytest.mark.dask

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def client() -> Iterator[Client]:
    cluster = LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    )
    with cluster, Client(cluster) as client:
        yield client


def dask_frame(table: pa.Table, partitions: int = 4) -> dd.DataFrame:
    """``table`` as a Dask DataFrame of ``partitions`` slices of consecutive rows."""
    return dd.from_pandas(table.to_pandas(), npartitions=partitions, sort=False)


def in_rid_order(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("rid", kind="stable")


# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("on_error", ["null", "skip"])
def test_every_row_is_what_convert_table_gives(
    client: Client, on_error: Any, tmp_path: Path
) -> None:
    frame = dask_frame(samples(300))
    want = convert_table(frame.compute(), MAPPING, on_error=on_error)
    mapping_file = tmp_path / "mapping.yaml"
    mapping_file.write_text(MAPPING_YAML, encoding="utf-8")

    out = nflex_dask.convert(frame, mapping_file, on_error=on_error)

    got = out.compute()
    pd.testing.assert_frame_equal(in_rid_order(got), in_rid_order(want))
    pd.testing.assert_series_equal(out.dtypes, want.dtypes)


def test_fail_converts_a_frame_without_failing_rows_like_convert_table(client: Client) -> None:
    frame = dask_frame(clean(samples(300)))
    want = convert_table(frame.compute(), MAPPING)
    got = nflex_dask.convert(frame, MAPPING).compute()
    pd.testing.assert_frame_equal(in_rid_order(got), in_rid_order(want))


def _failing_at(row: int, rows: int = 40) -> pa.Table:
    """``rows`` clean samples but row ``row``, whose metric is unknown."""
    table = clean(samples(200)).slice(0, rows)
    metric = table.column("metric").to_pylist()
    metric[row] = "nope"
    table = table.set_column(1, "metric", pa.array(metric, pa.string()))
    return table.set_column(0, "rid", pa.array(range(1000, 1000 + rows), pa.int64()))


def test_fail_raises_the_conversion_error_naming_partition_row_and_id(client: Client) -> None:
    # 40 rows in 4 partitions of 10: row 31 is row 1 of partition 3.
    frame = dask_frame(_failing_at(31))
    with pytest.raises(PartitionConversionError) as raised:
        nflex_dask.convert(frame, MAPPING, row_id="rid").compute()
    error = raised.value
    assert (error.partition, error.row, error.row_id, error.reason) == (
        3,
        1,
        1031,
        "unknown metric 'nope'",
    )
    assert str(error) == "partition 3, row 1 (rid=1031): unknown metric 'nope'"


@pytest.mark.parametrize(
    ("mapping", "message"), [("missing.yaml", "missing.yaml"), ("broken.yaml", "broken.yaml:1:")]
)
def test_a_mapping_that_fails_to_load_raises_before_any_task(
    client: Client, tmp_path: Path, mapping: str, message: str
) -> None:
    (tmp_path / "broken.yaml").write_text("cpu: {conversion_expr: value * / 2}\n")
    frame = dask_frame(samples(10))
    with get_task_stream(client) as tasks, pytest.raises(MappingError, match=message):
        nflex_dask.convert(frame, tmp_path / mapping)
    assert tasks.data == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"metric_column": "key"}, "the table has no 'key' column"),
        ({"row_id": "sample"}, "the row id column 'sample' is missing"),
        ({"on_error": "ignore"}, "on_error must be 'fail', 'skip' or 'null'"),
    ],
)
def test_a_frame_or_option_convert_table_refuses_is_refused_before_any_task(
    client: Client, options: dict[str, Any], message: str
) -> None:
    frame = dask_frame(samples(10))
    with get_task_stream(client) as tasks, pytest.raises(ValueError, match=message):
        nflex_dask.convert(frame, MAPPING, **options)
    assert tasks.data == []


def test_the_meta_is_the_conversion_of_the_empty_input(client: Client) -> None:
    frame = dask_frame(samples(10).drop_columns(["value"]))
    empty = frame.compute().iloc[:0]
    modes = ("fail", "skip", "null")
    want = {mode: convert_table(empty, MAPPING, on_error=mode).dtypes for mode in modes}  # type: ignore[arg-type]
    with get_task_stream(client) as tasks:
        for mode in modes:
            out = nflex_dask.convert(frame, MAPPING, on_error=mode)  # type: ignore[arg-type]
            pd.testing.assert_series_equal(out.dtypes, want[mode])
    assert tasks.data == []


def test_each_worker_compiles_an_expression_once(client: Client) -> None:
    # What convert ships to the workers: a converter that pickles as the mapping, and the
    # mapping as its expressions' sources, compiled through the compile() cache, so
    # every task of one worker process gets the same Expression.
    converter = PartitionConverter(MAPPING)

    def probe(frame: pd.DataFrame) -> pd.DataFrame:
        expression = converter.mapping["disk_usage"].expression
        return pd.DataFrame({"pid": [os.getpid()], "expression": [id(expression)]})

    frame = dd.from_pandas(pd.DataFrame({"x": range(60)}), npartitions=6)
    meta = pd.DataFrame({"pid": pd.Series(dtype="int64"), "expression": pd.Series(dtype="int64")})
    seen = frame.map_partitions(probe, meta=meta).compute()
    ids = seen.groupby("pid")["expression"]
    assert ids.size().max() > 1  # a process ran several tasks
    assert (ids.nunique() == 1).all()


def run_example(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``examples/dask_convert.py`` on :func:`example_input` written as Parquet."""
    pq.write_table(example_input(), tmp_path / "samples.parquet")
    return subprocess.run(
        [
            sys.executable,
            str(ROOT / "examples" / "dask_convert.py"),
            str(tmp_path / "samples.parquet"),
            str(tmp_path / "converted"),
            "--workers",
            "2",
            *args,
        ],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_example_converts_a_parquet_file_keeping_nan_apart_from_null(
    tmp_path: Path,
) -> None:
    result = run_example(tmp_path, "--on-error", "null")
    assert result.returncode == 0, result.stderr[-3000:]
    got = pq.read_table(tmp_path / "converted").to_pylist()
    mapping = load_metric_mapping(ROOT / "examples" / "mapping.yaml")
    want = convert_table(example_input(), mapping, on_error="null").to_pylist()
    assert by_resource_and_metric(got) == by_resource_and_metric(want)


def test_the_example_names_the_failing_row_in_one_line_and_exits_1(tmp_path: Path) -> None:
    result = run_example(tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "dask_convert.py: partition 0, row 3: unknown metric 'gpu_usage'"
    )


def test_the_example_reports_a_broken_mapping_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("cpu: {conversion_expr: value * / 2}\n")
    result = run_example(tmp_path, "--mapping", str(tmp_path / "broken.yaml"))
    assert result.returncode == 1
    assert result.stderr.startswith("1 problem in metric mapping\n"), result.stderr
    assert "broken.yaml:1:" in result.stderr and "Traceback" not in result.stderr
