"""``nflex_metrics.dask`` on a real ``distributed.LocalCluster`` of two worker processes:
every partition is what ``convert_table`` gives for it, in each ``on_error`` mode.

The cluster starts once per test session. Selected with ``pytest -m dask``; needs the
``dask`` extra.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("dask.dataframe")
pytest.importorskip("distributed")

import dask.dataframe as dd
import pandas as pd
import pyarrow as pa
from distributed import Client, LocalCluster, get_task_stream
from partitioned_samples import (
    MAPPING,
    MAPPING_YAML,
    clean,
    samples,
)

from nflex_metrics import MappingError
from nflex_metrics import dask as nflex_dask
from nflex_metrics.columnar import convert_table
from nflex_metrics.partitions import PartitionConversionError, PartitionConverter

pytestmark = pytest.mark.dask


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
