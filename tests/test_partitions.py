"""``PartitionConverter``, what the Spark and Dask integrations run on each partition,
without either engine: rows numbered within a partition across its pieces, failing
rows named by partition, position and id, and a converter that travels by pickle."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

pa = pytest.importorskip("pyarrow")

from partitioned_samples import MAPPING, MAPPING_YAML, by_rid, samples  # noqa: E402

from nflex_metrics import MappingError  # noqa: E402
from nflex_metrics.columnar import ConversionError, convert_table  # noqa: E402
from nflex_metrics.partitions import (  # noqa: E402
    PartitionConversionError,
    PartitionConverter,
    load_mapping,
)


def test_each_piece_of_a_partition_converts_like_convert_table() -> None:
    table = samples(50)
    converter = PartitionConverter(MAPPING, on_error="null")
    pieces = [converter.convert(batch, partition=0) for batch in table.to_batches(7)]
    whole = convert_table(table, MAPPING, on_error="null")
    assert pa.Table.from_batches(pieces).schema == whole.schema
    assert by_rid(pa.Table.from_batches(pieces).to_pylist()) == by_rid(whole.to_pylist())


def test_a_failing_row_is_named_by_partition_position_and_reason() -> None:
    batch = pa.table({"metric": ["cpu_usage", "gpu"], "value": [1.0, 2.0]})
    with pytest.raises(PartitionConversionError) as raised:
        PartitionConverter(MAPPING).convert(batch, partition=4, first_row=70)
    error = raised.value
    assert isinstance(error, ConversionError)
    assert (error.partition, error.row, error.reason) == (4, 71, "unknown metric 'gpu'")
    assert (error.row_id_column, error.row_id) == (None, None)
    assert str(error) == "partition 4, row 71: unknown metric 'gpu'"


def test_a_failing_row_is_named_by_its_id_in_an_arrow_batch_and_a_dataframe() -> None:
    pd = pytest.importorskip("pandas")
    table = pa.table(
        {"sample": ["a", "b", None], "metric": ["cpu_usage", "x", "y"], "value": [1.0] * 3}
    )
    converter = PartitionConverter(MAPPING, row_id="sample")
    for piece in (table, table.to_pandas()):
        with pytest.raises(PartitionConversionError) as raised:
            converter.convert(piece, partition=2)
        assert str(raised.value) == "partition 2, row 1 (sample='b'): unknown metric 'x'"
    frame = pd.DataFrame({"sample": [1.5, float("nan")], "metric": ["cpu_usage", "z"]})
    frame["value"] = 1.0
    with pytest.raises(PartitionConversionError) as raised:
        converter.convert(frame, partition=0)
    assert (raised.value.row, raised.value.row_id) == (1, None)  # NaN is pandas' missing


def test_the_error_and_the_converter_pickle() -> None:
    error = PartitionConversionError(3, 17, "unknown metric 'x'", "rid", 1017)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.partition, copy.row, copy.reason, copy.row_id_column, copy.row_id) == (
        3,
        17,
        "unknown metric 'x'",
        "rid",
        1017,
    )
    assert str(copy) == str(error) == "partition 3, row 17 (rid=1017): unknown metric 'x'"

    converter = PartitionConverter(MAPPING, metric_column="metric", on_error="skip", row_id="rid")
    table = samples(20)
    moved = pickle.loads(pickle.dumps(converter))
    assert by_rid(moved.convert(table, partition=0).to_pylist()) == by_rid(
        converter.convert(table, partition=0).to_pylist()
    )
    assert (moved.on_error, moved.row_id) == ("skip", "rid")


def test_an_unpickled_mapping_reuses_the_compiled_expressions_of_the_process() -> None:
    first = pickle.loads(pickle.dumps(PartitionConverter(MAPPING)))
    second = pickle.loads(pickle.dumps(PartitionConverter(MAPPING)))
    for key, entry in first.mapping.items():
        assert entry.expression is second.mapping[key].expression


def test_convert_empty_gives_the_output_columns_and_checks_the_id_column() -> None:
    table = samples(0)
    assert PartitionConverter(MAPPING).convert_empty(table) == convert_table(table, MAPPING)
    with pytest.raises(ValueError, match="the row id column 'sample' is missing"):
        PartitionConverter(MAPPING, row_id="sample").convert_empty(table)
    with pytest.raises(ValueError, match="no 'key' column"):
        PartitionConverter(MAPPING, metric_column="key").convert_empty(table)


def test_a_mapping_path_is_loaded_and_a_broken_file_raises(tmp_path: Path) -> None:
    good = tmp_path / "mapping.yaml"
    good.write_text(MAPPING_YAML, encoding="utf-8")
    assert load_mapping(good) == MAPPING
    assert load_mapping(str(good)) == MAPPING
    assert load_mapping(MAPPING) is MAPPING
    broken = tmp_path / "broken.yaml"
    broken.write_text("cpu: {conversion_expr: value * / 2}\n", encoding="utf-8")
    with pytest.raises(MappingError, match=r"broken\.yaml:1:"):
        load_mapping(broken)
