"""``nflex_metrics.convert.convert_parquet``: Parquet samples in, Parquet or JSON Lines out.

These call the library directly; ``test_cli_convert_parquet.py`` checks the command line.
Every file here is a few rows, written in memory or in ``tmp_path``."""

from __future__ import annotations

import datetime
import decimal
import errno
import io
import json
import math
import os
import pickle
from pathlib import Path
from typing import Any, Optional

import pytest
from convert_mapping import MAPPING_TEXT
from hypothesis import given
from hypothesis import strategies as st

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from nflex_metrics.convert import (  # noqa: E402 (after the skip without pyarrow)
    MAX_BATCH_SIZE,
    ConvertError,
    ConvertIOError,
    ConvertResult,
    FileClashError,
    RejectedRow,
    SampleRejected,
    convert_json_lines,
    convert_parquet,
    json_codec,
)
from nflex_metrics.errors import NflexMetricsError  # noqa: E402
from nflex_metrics.mapping import parse_metric_mapping  # noqa: E402

MAPPING = parse_metric_mapping(MAPPING_TEXT, source="<test>")

CODECS = [
    "stdlib",
    pytest.param(
        "orjson",
        marks=pytest.mark.skipif(
            __import__("importlib").util.find_spec("orjson") is None, reason="no orjson"
        ),
    ),
]


def parquet(columns: dict[str, Any], **options: Any) -> bytes:
    """A Parquet file of ``columns`` (lists, or Arrow arrays), in memory."""
    buffer = io.BytesIO()
    pq.write_table(pa.table(columns), buffer, **options)
    return buffer.getvalue()


def read(data: bytes) -> Any:
    return pq.read_table(pa.BufferReader(data))


def json_lines(data: bytes) -> list[Any]:
    return [json.loads(line) for line in data.splitlines()]


def convert(data: bytes, **options: Any) -> tuple[bytes, ConvertResult]:
    out = io.BytesIO()
    result = convert_parquet(MAPPING, io.BytesIO(data), out, **options)
    return out.getvalue(), result


#: Good rows around every kind of bad one; the file has no ``total`` column.
BAD_FILE = {
    "metric": ["cpu_usage", "gpu", "ratio", "growth", None, "cpu_usage", "bytes_in"],
    "value": [0.5, 1.0, 0.25, 400.0, 2.0, None, 7.0],
    "host": ["a", "b", "c", "d", "e", "f", "g"],
}
#: The rows that fail (numbered from 1) and why.
BAD_ROWS = [
    (2, "unknown metric 'gpu'"),
    (3, "metric 'ratio': variable 'total' is not defined"),
    (4, "metric 'growth': 10.0 ^ 400.0 is too large for a float"),
    (5, "unknown metric None"),
]
#: What the good rows give: row 6's NULL value is a NULL result, not a failure.
GOOD_ROWS = [
    (1, {"metric": "cpu_usage", "value": 50.0, "host": "a", "raw_value": 0.5}),
    (6, {"metric": "cpu_usage", "value": None, "host": "f", "raw_value": None}),
    (7, {"metric": "bytes_in", "value": 7.0, "host": "g", "raw_value": 7.0}),
]
ENTRY_FIELDS = {
    "cpu_usage": {"name": "cpu-usage", "unit": "%", "counter": False},
    "bytes_in": {"name": "bytes-in", "unit": "B", "counter": True},
}


def good(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, **ENTRY_FIELDS[row["metric"]]}


def output_rows(data: bytes, output_format: str) -> list[Any]:
    return read(data).to_pylist() if output_format == "parquet" else json_lines(data)


# -- the output ---------------------------------------------------------------------------


def test_the_output_schema_is_the_input_columns_then_the_added_ones() -> None:
    data = parquet(
        {
            "metric": ["cpu_usage"],
            "value": pa.array([1], pa.int64()),
            "ts": pa.array([0], pa.timestamp("ms", tz="UTC")),
            "host": ["a"],
        }
    )
    out, _ = convert(data)
    expected = [
        ("metric", pa.string()),
        ("value", pa.float64()),
        ("ts", pa.timestamp("ms", tz="UTC")),
        ("host", pa.string()),
        ("raw_value", pa.int64()),
        ("name", pa.string()),
        ("unit", pa.string()),
        ("counter", pa.bool_()),
    ]
    assert [(f.name, f.type) for f in read(out).schema] == expected
    out, _ = convert(data, on_error="null")
    assert [(f.name, f.type) for f in read(out).schema] == [*expected, ("error", pa.string())]


def test_without_a_value_column_raw_value_is_all_null() -> None:
    data = parquet({"metric": ["ratio_const"], "x": [1.0]})
    mapping = parse_metric_mapping("ratio_const: {conversion_expr: x * 2}")
    out = io.BytesIO()
    convert_parquet(mapping, io.BytesIO(data), out)
    table = read(out.getvalue())
    assert table.column_names == ["metric", "x", "value", "raw_value", "name", "unit", "counter"]
    assert table.to_pylist()[0]["value"] == 2.0 and table.to_pylist()[0]["raw_value"] is None


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["cpu_usage", "ratio", "square", "growth", "bytes_in"]),
            st.one_of(st.none(), st.floats(allow_nan=False, width=64, max_value=1e150)),
            st.one_of(st.none(), st.floats(-3, 3)),
        ),
        max_size=20,
    )
)
def test_each_row_gets_what_the_entry_gives_for_its_cells(rows: list[Any]) -> None:
    metrics, values, totals = ([row[i] for row in rows] for i in range(3))
    columns = {
        "metric": pa.array(metrics, pa.string()),
        "value": pa.array(values, pa.float64()),
        "total": pa.array(totals, pa.float64()),
    }
    out, result = convert(parquet(columns), on_error="null")
    converted = read(out).to_pylist()
    assert len(converted) == result.lines == len(rows)
    for number, ((metric, value, total), row) in enumerate(zip(rows, converted), 1):
        assert (row["raw_value"], row["total"]) == (value, total)
        try:
            expected = MAPPING[metric].value(value=value, total=total)
        except NflexMetricsError as err:
            assert row["value"] is None
            assert row["error"] == f"row {number}: metric {metric!r}: {err}"
        else:
            assert (row["value"], row["error"]) == (expected, None)


# -- rows that cannot be converted --------------------------------------------------------


@pytest.mark.parametrize("output_format", ["parquet", "jsonl"])
def test_fail_stops_at_the_first_bad_row_after_writing_the_rows_before_it(
    output_format: str,
) -> None:
    out = io.BytesIO()
    with pytest.raises(SampleRejected, match=r"^<input>:2: unknown metric 'gpu'$") as caught:
        convert_parquet(MAPPING, io.BytesIO(parquet(BAD_FILE)), out, output_format=output_format)
    assert output_rows(out.getvalue(), output_format) == [good(GOOD_ROWS[0][1])]
    stop = caught.value
    assert stop.rejected == RejectedRow(2, "unknown metric 'gpu'", {
        "metric": "gpu", "value": 1.0, "host": "b"
    })  # fmt: skip
    assert stop.result == ConvertResult(lines=2, converted=1, rejected=1)


@pytest.mark.parametrize("output_format", ["parquet", "jsonl"])
def test_skip_leaves_the_bad_rows_out_and_keeps_the_order(output_format: str) -> None:
    seen: list[RejectedRow] = []
    out, result = convert(
        parquet(BAD_FILE), on_error="skip", rejects=seen.append, output_format=output_format
    )
    assert output_rows(out, output_format) == [good(row) for _, row in GOOD_ROWS]
    assert [(r.row, r.reason) for r in seen] == BAD_ROWS
    assert result == ConvertResult(lines=7, converted=3, rejected=4)


@pytest.mark.parametrize("output_format", ["parquet", "jsonl"])
def test_null_keeps_every_row_with_a_null_value_and_the_numbered_reason(
    output_format: str,
) -> None:
    out, result = convert(parquet(BAD_FILE), on_error="null", output_format=output_format)
    rows = output_rows(out, output_format)
    assert len(rows) == 7
    for number, reason in BAD_ROWS:
        row = rows[number - 1]
        assert row["value"] is None and row["error"] == f"row {number}: {reason}"
        assert row["raw_value"] == BAD_FILE["value"][number - 1]
    assert rows[1]["name"] is None and rows[2]["name"] == "ratio"  # unknown / known metric
    for number, row in GOOD_ROWS:
        # Parquet has an error column on every row; JSON Lines, as for its own input,
        # only an "error" field on the rejected ones.
        extra = {"error": None} if output_format == "parquet" else {}
        assert rows[number - 1] == {**good(row), **extra}
    assert result == ConvertResult(lines=7, converted=3, rejected=4)


def test_the_rejects_file_has_row_reason_and_the_input_row_as_json() -> None:
    rejects = io.BytesIO()
    convert(parquet(BAD_FILE), on_error="skip", rejects=rejects)
    records = json_lines(rejects.getvalue())
    assert records == [
        {
            "row": number,
            "reason": reason,
            "input": {
                "metric": BAD_FILE["metric"][number - 1],
                "value": BAD_FILE["value"][number - 1],
                "host": BAD_FILE["host"][number - 1],
            },
        }
        for number, reason in BAD_ROWS
    ]


def test_a_rejects_path_is_kept_when_the_run_fails(tmp_path: Path) -> None:
    rejects = tmp_path / "rejects.jsonl"
    with pytest.raises(SampleRejected):
        convert(parquet(BAD_FILE), rejects=rejects)
    assert [r["row"] for r in json_lines(rejects.read_bytes())] == [2]


def test_the_rejects_input_writes_cells_json_has_no_value_for_as_text() -> None:
    data = parquet(
        {
            "metric": ["gpu"],
            "value": [math.inf],
            "other": [math.nan],
            "when": pa.array([datetime.datetime(2024, 5, 1, 12)], pa.timestamp("s")),
            "amount": pa.array([decimal.Decimal("1.50")], pa.decimal128(5, 2)),
            "blob": pa.array([b"\x00\xff"], pa.binary()),
            "list": pa.array([[1.0, -math.inf]]),
        }
    )
    seen: list[RejectedRow] = []
    convert(data, on_error="skip", rejects=seen.append)
    assert json.loads(seen[0].to_json())["input"] == {
        "metric": "gpu",
        "value": "Infinity",
        "other": "NaN",
        "when": "2024-05-01T12:00:00",
        "amount": "1.50",
        "blob": "AP8=",
        "list": [1.0, "-Infinity"],
    }


# -- whole-file problems ------------------------------------------------------------------


@pytest.mark.parametrize("on_error", ["fail", "skip", "null"])
@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"name_of_metric": ["cpu_usage"], "value": [1.0]}, "has no 'metric' column"),
        ({"metric": [1, 2], "value": [1.0, 2.0]}, "'metric' column holds int64, not strings"),
        ({"metric": ["cpu_usage"], "unit": ["%"]}, "'unit' would be overwritten"),
    ],
    ids=["no-metric-column", "metric-not-strings", "reserved-column"],
)
def test_a_file_whose_columns_cannot_be_converted_is_refused_before_any_row(
    columns: dict[str, Any], message: str, on_error: str, tmp_path: Path
) -> None:
    out = tmp_path / "out.parquet"
    out.write_bytes(b"previous run")
    with pytest.raises(ConvertError, match=f"^<input>: .*{message}"):
        convert_parquet(MAPPING, io.BytesIO(parquet(columns)), out, on_error=on_error)
    assert out.read_bytes() == b"previous run"
    assert [p.name for p in tmp_path.iterdir()] == ["out.parquet"]


def test_a_file_that_is_not_parquet_is_a_convert_error_naming_it(tmp_path: Path) -> None:
    source = tmp_path / "samples.parquet"
    source.write_text('{"metric": "cpu_usage", "value": 1}\n')
    with pytest.raises(ConvertError, match=f"^cannot read {source}: .*magic bytes"):
        convert_parquet(MAPPING, source, io.BytesIO())


def test_a_missing_input_is_a_convert_io_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope.parquet"
    with pytest.raises(ConvertIOError, match=f"^cannot read {missing}: No such file"):
        convert_parquet(MAPPING, missing, io.BytesIO())


@pytest.mark.parametrize("output_format", ["parquet", "jsonl"])
def test_an_empty_file_gives_an_empty_output(output_format: str) -> None:
    data = parquet({"metric": pa.array([], pa.string()), "value": pa.array([], pa.float64())})
    out, result = convert(data, output_format=output_format)
    assert result == ConvertResult(lines=0, converted=0, rejected=0)
    if output_format == "parquet":
        table = read(out)
        assert table.num_rows == 0
        assert table.column_names == ["metric", "value", "raw_value", "name", "unit", "counter"]
    else:
        assert out == b""


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("on_error", "ignore"),
        ("batch_size", 0),
        ("batch_size", MAX_BATCH_SIZE + 1),
        ("output_format", "csv"),
    ],
)
def test_bad_options_are_a_value_error(option: str, value: Any) -> None:
    with pytest.raises(ValueError, match=option):
        convert(parquet(BAD_FILE), **{option: value})


# -- streaming ----------------------------------------------------------------------------


def test_rows_are_numbered_across_row_groups_and_batches() -> None:
    count = 50
    metrics = ["gpu" if i % 9 == 4 else "cpu_usage" for i in range(count)]
    data = parquet({"metric": metrics, "value": [float(i) for i in range(count)]}, row_group_size=7)
    assert pq.ParquetFile(pa.BufferReader(data)).num_row_groups == 8
    seen: list[RejectedRow] = []
    out, result = convert(data, on_error="skip", rejects=seen.append, batch_size=3)
    assert [r.row for r in seen] == [i + 1 for i in range(count) if metrics[i] == "gpu"]
    assert all(r.input["value"] == r.row - 1 for r in seen)
    table = read(out)
    assert table.column("raw_value").to_pylist() == [
        float(i) for i in range(count) if metrics[i] != "gpu"
    ]
    # One row group per batch of the rows kept; batches do not cross input row groups.
    written = pq.ParquetFile(pa.BufferReader(out)).metadata
    sizes = [written.row_group(i).num_rows for i in range(written.num_row_groups)]
    batches = [
        range(start, min(start + 3, group + 7, count))
        for group in range(0, count, 7)
        for start in range(group, min(group + 7, count), 3)
    ]
    kept = [sum(metrics[i] != "gpu" for i in batch) for batch in batches]
    assert sizes == [size for size in kept if size]
    assert result == ConvertResult(lines=count, converted=count - len(seen), rejected=len(seen))


def test_progress_is_called_after_each_batch_with_rows_and_bytes_so_far(tmp_path: Path) -> None:
    source = tmp_path / "in.parquet"
    source.write_bytes(parquet({"metric": ["cpu_usage"] * 10, "value": [1.0] * 10}))
    calls: list[tuple[int, int]] = []
    convert_parquet(
        MAPPING, source, io.BytesIO(), batch_size=4, progress=lambda *a: calls.append(a)
    )
    size = source.stat().st_size
    assert calls == [(4, size * 4 // 10), (8, size * 8 // 10), (10, size)]


# -- JSON Lines output --------------------------------------------------------------------


def test_json_lines_output_writes_times_as_iso_text_decimals_as_text_binary_as_base64() -> None:
    data = parquet(
        {
            "metric": ["cpu_usage"],
            "value": [0.5],
            "ts": pa.array([datetime.datetime(2024, 5, 1, 12, 0, 0, 250000)], pa.timestamp("us")),
            "day": pa.array([datetime.date(2024, 5, 1)], pa.date32()),
            "amount": pa.array([decimal.Decimal("12.50")], pa.decimal128(6, 2)),
            "blob": pa.array([b"hi"], pa.binary()),
            "tags": pa.array([{"zone": "eu", "ids": [1, 2]}]),
        }
    )
    out, _ = convert(data, output_format="jsonl")
    (row,) = json_lines(out)
    assert row == {
        "metric": "cpu_usage",
        "value": 50.0,
        "ts": "2024-05-01T12:00:00.250000",
        "day": "2024-05-01",
        "amount": "12.50",
        "blob": "aGk=",
        "tags": {"zone": "eu", "ids": [1, 2]},
        "raw_value": 0.5,
        "name": "cpu-usage",
        "unit": "%",
        "counter": False,
    }


@pytest.mark.parametrize("codec", CODECS)
def test_json_lines_output_rejects_rows_json_cannot_hold_with_either_library(
    codec: str,
) -> None:
    data = parquet(
        {
            "metric": ["cpu_usage", "square", "cpu_usage", "cpu_usage"],
            "value": [1.0, 1e155, 2.0, 3.0],
            "other": [0.0, 0.0, math.nan, 0.0],
        }
    )
    seen: list[RejectedRow] = []
    out, result = convert(
        data, on_error="skip", rejects=seen.append, output_format="jsonl", codec=json_codec(codec)
    )
    assert [row["raw_value"] for row in json_lines(out)] == [1.0, 3.0]
    assert [(r.row, r.reason) for r in seen] == [
        (2, "metric 'square': the result inf cannot be written as JSON"),
        (3, f"cannot write the sample as JSON: {_stdlib_nan_message()}"),
    ]
    assert result == ConvertResult(lines=4, converted=2, rejected=2)
    out, _ = convert(data, on_error="null", output_format="jsonl", codec=json_codec(codec))
    third = json_lines(out)[2]
    assert third["other"] is None and third["value"] is None
    assert third["error"].endswith("; field 'other' written as null: JSON cannot hold its value")
    # Parquet holds them: they are values there.
    out, result = convert(data)
    assert math.isinf(read(out).column("value")[1].as_py()) and result.rejected == 0


def _stdlib_nan_message() -> str:
    try:
        json.dumps(math.nan, allow_nan=False)
    except ValueError as err:
        return str(err)
    raise AssertionError("the standard library wrote NaN")


def test_json_lines_through_parquet_give_what_json_lines_give() -> None:
    samples: list[dict[str, Any]] = [
        {"metric": metric, "value": value, "total": total, "host": f"h{i}"}
        for i, (metric, value, total) in enumerate(
            [
                ("cpu_usage", 0.42, None),
                ("ratio", 0.5, 2.0),
                ("ratio", 0.5, 0.0),
                ("square", None, None),
                ("bytes_in", 123.0, 1.0),
                ("ratio", 1.5, None),
            ]
        )
    ]
    text = "".join(json.dumps(sample) + "\n" for sample in samples).encode()
    direct = io.BytesIO()
    convert_json_lines(MAPPING, io.BytesIO(text), direct)
    expected = json_lines(direct.getvalue())
    data = parquet({key: [sample[key] for sample in samples] for key in samples[0]})
    through_json, _ = convert(data, output_format="jsonl")
    assert json_lines(through_json) == expected
    through_parquet, _ = convert(data)
    assert read(through_parquet).to_pylist() == expected


# -- files --------------------------------------------------------------------------------


@pytest.mark.parametrize("output_format", ["parquet", "jsonl"])
def test_a_failed_run_leaves_the_previous_output_untouched_and_no_file_behind(
    tmp_path: Path, output_format: str
) -> None:
    source, out = tmp_path / "in.parquet", tmp_path / "out.parquet"
    source.write_bytes(parquet(BAD_FILE))
    out.write_bytes(b"previous run")
    with pytest.raises(SampleRejected, match=f"^{source}:2: unknown metric 'gpu'$"):
        convert_parquet(MAPPING, source, out, output_format=output_format)
    assert out.read_bytes() == b"previous run"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.parquet", "out.parquet"]


@pytest.mark.parametrize("output_format", ["parquet", "jsonl"])
def test_an_interrupted_run_leaves_the_previous_output_untouched_and_no_file_behind(
    tmp_path: Path, output_format: str
) -> None:
    source, out = tmp_path / "in.parquet", tmp_path / "out.parquet"
    source.write_bytes(parquet({"metric": ["cpu_usage"] * 10, "value": [1.0] * 10}))
    out.write_bytes(b"previous run")

    def interrupt(rows: int, done_bytes: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        convert_parquet(
            MAPPING, source, out, batch_size=4, progress=interrupt, output_format=output_format
        )
    assert out.read_bytes() == b"previous run"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.parquet", "out.parquet"]


def test_a_dictionary_encoded_metric_column_is_read_and_kept_as_it_is() -> None:
    metric = pa.array(["cpu_usage", "gpu", "cpu_usage"]).dictionary_encode()
    out, result = convert(parquet({"metric": metric, "value": [1.0, 2.0, 3.0]}), on_error="skip")
    table = read(out)
    assert table.schema.field("metric").type == metric.type
    assert table.column("value").to_pylist() == [100.0, 300.0]
    assert result == ConvertResult(lines=3, converted=2, rejected=1)


def test_an_output_path_is_written_whole(tmp_path: Path) -> None:
    source, out = tmp_path / "in.parquet", tmp_path / "out.parquet"
    source.write_bytes(parquet({"metric": ["cpu_usage"] * 5, "value": [1.0] * 5}))
    out.write_bytes(b"previous run")
    convert_parquet(MAPPING, source, out)
    assert read(out.read_bytes()).column("value").to_pylist() == [100.0] * 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.parquet", "out.parquet"]


class Pipe(io.RawIOBase):
    """A write-only stream that cannot tell its position, as a pipe."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.data += data
        return len(data)

    def tell(self) -> int:
        raise OSError(errno.ESPIPE, os.strerror(errno.ESPIPE))


def test_parquet_is_written_to_a_stream_that_cannot_seek() -> None:
    pipe = Pipe()
    convert_parquet(MAPPING, io.BytesIO(parquet(BAD_FILE)), pipe, on_error="skip")
    assert read(bytes(pipe.data)).num_rows == 3


class Full(io.RawIOBase):
    """A stream on which every write fails as on a full disk."""

    name = "full"

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
def test_a_write_error_names_the_output_and_the_reason() -> None:
    with pytest.raises(ConvertIOError) as caught:
        convert_parquet(MAPPING, io.BytesIO(parquet(BAD_FILE)), Full(), on_error="skip")
    assert str(caught.value) == "cannot write the output full: No space left on device"


def test_an_output_over_the_input_is_refused_before_any_work(tmp_path: Path) -> None:
    source = tmp_path / "in.parquet"
    source.write_bytes(parquet(BAD_FILE))
    with pytest.raises(FileClashError, match=r"the output .* and the input .* are the same file"):
        convert_parquet(MAPPING, source, source)
    assert read(source.read_bytes()).num_rows == 7


def test_a_mapping_path_is_loaded(tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("cpu_usage: {conversion_expr: value * 100}\n")
    out = io.BytesIO()
    convert_parquet(mapping, io.BytesIO(parquet({"metric": ["cpu_usage"], "value": [2.0]})), out)
    assert read(out.getvalue()).column("value").to_pylist() == [200.0]


def test_a_stopped_run_survives_pickling_for_process_pools() -> None:
    with pytest.raises(SampleRejected) as caught:
        convert(parquet(BAD_FILE))
    copy: Optional[SampleRejected] = pickle.loads(pickle.dumps(caught.value))
    assert copy is not None
    assert (str(copy), copy.rejected, copy.result) == (
        str(caught.value),
        caught.value.rejected,
        caught.value.result,
    )
