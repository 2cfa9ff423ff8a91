"""``nflex_metrics.spark`` on a real local Spark (``local[2]``): every row is what
``convert_table`` gives for it, in each ``on_error`` mode.

Spark starts once per test session (a few seconds) and each test runs as few jobs as it
can. Selected with ``pytest -m spark``; needs the ``spark`` extra and a Java runtime.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyspark")

import pyarrow as pa
from partitioned_samples import (
    MAPPING,
    MAPPING_YAML,
    by_rid,
    clean,
    samples,
)
from pyspark.errors import PythonException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as T

from nflex_metrics import MappingError
from nflex_metrics import spark as nflex_spark
from nflex_metrics.columnar import convert_table
from nflex_metrics.partitions import PartitionConverter

pytestmark = [
    pytest.mark.spark,
    # PySpark 4 warns about pandas 3, which the Arrow path this tests does not use.
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]


#: The Spark type of each Arrow type the samples and the output use.
SPARK_TYPES = {
    pa.int64(): T.LongType(),
    pa.float64(): T.DoubleType(),
    pa.string(): T.StringType(),
    pa.bool_(): T.BooleanType(),
    pa.null(): T.NullType(),
}

#: Small Arrow batches, so that a partition reaches the conversion in several pieces.
RECORDS_PER_BATCH = 7


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    # The Python workers run this interpreter, which has the package and its extras.
    saved = {name: os.environ.get(name) for name in ("PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON")}
    os.environ["PYSPARK_PYTHON"] = os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("nflex-metrics tests")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(RECORDS_PER_BATCH))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("FATAL")
    yield session
    session.stop()
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def spark_frame(spark: SparkSession, table: pa.Table, partitions: int = 2) -> DataFrame:
    """``table`` as a Spark DataFrame of ``partitions`` slices of consecutive rows."""
    schema = T.StructType([T.StructField(f.name, SPARK_TYPES[f.type]) for f in table.schema])
    rows = [tuple(row.values()) for row in table.to_pylist()]
    return spark.createDataFrame(spark.sparkContext.parallelize(rows, partitions), schema)


def spark_schema(table: pa.Table) -> list[tuple[str, T.DataType]]:
    return [(field.name, SPARK_TYPES[field.type]) for field in table.schema]


def fields(frame: DataFrame) -> list[tuple[str, T.DataType]]:
    return [(field.name, field.dataType) for field in frame.schema.fields]


def rows_of(frame: DataFrame) -> dict[Any, dict[str, Any]]:
    return by_rid([row.asDict() for row in frame.collect()])


def jobs_in(spark: SparkSession, group: str) -> list[int]:
    return list(spark.sparkContext.statusTracker().getJobIdsForGroup(group))


# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("on_error", ["null", "skip"])
def test_every_row_is_what_convert_table_gives(
    spark: SparkSession, on_error: Any, tmp_path: Path
) -> None:
    table = samples(300)
    want = convert_table(table, MAPPING, on_error=on_error)
    mapping_file = tmp_path / "mapping.yaml"
    mapping_file.write_text(MAPPING_YAML, encoding="utf-8")
    group = f"convert-{on_error}"
    spark.sparkContext.setJobGroup(group, "the conversion")

    out = nflex_spark.convert(spark_frame(spark, table, 3), mapping_file, on_error=on_error)

    assert fields(out) == spark_schema(want)
    assert rows_of(out) == by_rid(want.to_pylist())
    assert jobs_in(spark, group)  # the tracker sees the jobs of a group


def test_fail_converts_a_frame_without_failing_rows_like_convert_table(
    spark: SparkSession,
) -> None:
    table = clean(samples(300))
    want = convert_table(table, MAPPING)
    out = nflex_spark.convert(spark_frame(spark, table), MAPPING)
    assert fields(out) == spark_schema(want)
    assert rows_of(out) == by_rid(want.to_pylist())


def _failing_at(row: int, rows: int = 40) -> pa.Table:
    """``rows`` clean samples but row ``row``, whose metric is unknown."""
    table = clean(samples(200)).slice(0, rows)
    metric = table.column("metric").to_pylist()
    metric[row] = "nope"
    table = table.set_column(1, "metric", pa.array(metric, pa.string()))
    return table.set_column(0, "rid", pa.array(range(1000, 1000 + rows), pa.int64()))


def test_fail_names_the_partition_the_row_in_it_and_the_reason(spark: SparkSession) -> None:
    # 40 rows in 2 slices: row 31 is row 11 of partition 1, in its second Arrow batch.
    frame = spark_frame(spark, _failing_at(31))
    with pytest.raises(PythonException) as raised:
        nflex_spark.convert(frame, MAPPING).collect()
    message = "PartitionConversionError: partition 1, row 11: unknown metric 'nope'"
    assert message in str(raised.value)


def test_fail_names_the_row_by_the_id_column_when_given(spark: SparkSession) -> None:
    frame = spark_frame(spark, _failing_at(5))
    with pytest.raises(PythonException) as raised:
        nflex_spark.convert(frame, MAPPING, row_id="rid").count()
    message = "PartitionConversionError: partition 0, row 5 (rid=1005): unknown metric 'nope'"
    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("mapping", "error", "message"),
    [
        ("missing.yaml", MappingError, "missing.yaml"),
        ("broken.yaml", MappingError, "broken.yaml:1:"),
    ],
)
def test_a_mapping_that_fails_to_load_raises_on_the_driver_before_any_job(
    spark: SparkSession, tmp_path: Path, mapping: str, error: type[Exception], message: str
) -> None:
    (tmp_path / "broken.yaml").write_text("cpu: {conversion_expr: value * / 2}\n")
    frame = spark_frame(spark, samples(10))
    spark.sparkContext.setJobGroup(f"load-{mapping}", "a mapping that fails to load")
    with pytest.raises(error, match=message):
        nflex_spark.convert(frame, tmp_path / mapping)
    assert jobs_in(spark, f"load-{mapping}") == []


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"metric_column": "key"}, "the table has no 'key' column"),
        ({"row_id": "sample"}, "the row id column 'sample' is missing"),
        ({"on_error": "ignore"}, "on_error must be 'fail', 'skip' or 'null'"),
    ],
)
def test_a_frame_or_option_convert_table_refuses_is_refused_before_any_job(
    spark: SparkSession, options: dict[str, Any], message: str
) -> None:
    frame = spark_frame(spark, samples(10))
    spark.sparkContext.setJobGroup(f"refused-{options}", "refused")
    with pytest.raises(ValueError, match=message):
        nflex_spark.convert(frame, MAPPING, **options)
    assert jobs_in(spark, f"refused-{options}") == []


def test_the_output_schema_is_declared_without_running_a_job(spark: SparkSession) -> None:
    # No value column: raw_value is all NULL (void), as in convert_table.
    table = samples(10).drop_columns(["value"])
    frame = spark_frame(spark, table)
    spark.sparkContext.setJobGroup("schema", "the output schema")
    for on_error in ("fail", "skip", "null"):
        out = nflex_spark.convert(frame, MAPPING, on_error=on_error)  # type: ignore[arg-type]
        empty = convert_table(table.slice(0, 0), MAPPING, on_error=on_error)  # type: ignore[arg-type]
        assert fields(out) == spark_schema(empty)
    assert jobs_in(spark, "schema") == []


def test_each_python_worker_compiles_an_expression_once(spark: SparkSession) -> None:
    # What convert ships to the executors: a converter that pickles as the mapping, and
    # the mapping as its expressions' sources, compiled through the compile() cache, so
    # every task of one Python worker process gets the same Expression.
    converter = PartitionConverter(MAPPING)

    def probe(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for _ in batches:
            pass
        expression = converter.mapping["disk_usage"].expression
        yield pa.RecordBatch.from_pylist([{"pid": os.getpid(), "expression": id(expression)}])

    seen = spark.range(0, 60, numPartitions=6).mapInArrow(probe, "pid long, expression long")
    by_process: dict[int, list[int]] = {}
    for row in seen.collect():
        by_process.setdefault(row.pid, []).append(row.expression)
    assert max(map(len, by_process.values())) > 1  # a process ran several tasks
    assert all(len(set(ids)) == 1 for ids in by_process.values())
