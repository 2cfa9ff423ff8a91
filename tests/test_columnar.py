"""``convert_table``: every row is what the interpreter gives for that row's cells.

The oracle converts each row on its own — its metric's entry, the interpreter, the row's
cells as Python values (a null cell is None) — and the table must agree row by row in
each ``on_error`` mode, for Arrow tables, record batches and pandas DataFrames.
"""

from __future__ import annotations

import math
import pickle
from collections.abc import Mapping
from typing import Any, Optional, Union

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nflex_metrics import EvaluationError, metric_mapping_from_dict, parse, unparse
from nflex_metrics import strategies as nst
from nflex_metrics.interpreter import evaluate
from nflex_metrics.mapping import MetricMapping, ParsedEntry
from nflex_metrics.nodes import Name, walk

np = pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")

from nflex_metrics.columnar import (  # noqa: E402
    ConversionError,
    Rejected,
    TableConverter,
    convert_table,
)

MAPPING = metric_mapping_from_dict(
    {
        "cpu_usage": {"name": "cpu-usage", "unit": "%", "conversion_expr": "value * 100"},
        "disk_free": {
            "name": "disk-free",
            "unit": "%",
            "conversion_expr": "CASE WHEN size > 0 THEN value / size * 100 END",
        },
        "rx_bytes": {"name": "rx", "unit": "B", "counter": True},
    }
)


# --------------------------------------------------------------------------------------
# The oracle: one row at a time

Outcome = Union[tuple[str, Optional[float]], tuple[str, str]]


def convert_row(mapping: Mapping[Any, ParsedEntry], row: dict[str, Any]) -> Outcome:
    """("ok", value) or ("fail", reason) for one row given as Python values."""
    key = row["metric"]
    try:
        entry = mapping.get(key)
    except TypeError:
        entry = None
    if entry is None:
        return ("fail", f"unknown metric {key!r}")
    tree = entry.expression.tree if entry.expression is not None else Name("value")
    try:
        return ("ok", evaluate(tree, row))
    except EvaluationError as err:
        return ("fail", f"metric {key!r}: {err}")


def _same(got: Optional[float], want: Optional[float]) -> bool:
    if want is None or got is None:
        return got is None and want is None
    if math.isnan(want):
        return math.isnan(got)
    return got == want and math.copysign(1.0, got) == math.copysign(1.0, want)


def check_table(
    mapping: Mapping[Any, ParsedEntry],
    table: Any,
    rows: list[dict[str, Any]],
    output_rows: Any,
) -> None:
    """Compare convert_table in every mode with the oracle on ``rows`` (the input rows
    as Python values); ``output_rows(out)`` lists an output table's rows as dicts."""
    outcomes = [convert_row(mapping, row) for row in rows]
    failing = [i for i, (kind, _) in enumerate(outcomes) if kind == "fail"]

    if failing:
        with pytest.raises(ConversionError) as raised:
            convert_table(table, mapping)
        assert (raised.value.row, raised.value.reason) == (failing[0], outcomes[failing[0]][1])
    else:
        converted = output_rows(convert_table(table, mapping))
        assert len(converted) == len(rows)
        for out, row, outcome in zip(converted, rows, outcomes):
            _check_row(mapping, row, outcome, out)

    skipped = output_rows(convert_table(table, mapping, on_error="skip"))
    kept = [i for i in range(len(rows)) if i not in failing]
    assert len(skipped) == len(kept)
    for out, i in zip(skipped, kept):
        _check_row(mapping, rows[i], outcomes[i], out)

    nulled = output_rows(convert_table(table, mapping, on_error="null"))
    assert len(nulled) == len(rows)
    for out, row, outcome in zip(nulled, rows, outcomes):
        _check_row(mapping, row, outcome, out)
        assert out["error"] == (outcome[1] if outcome[0] == "fail" else None)


def _check_row(
    mapping: Mapping[Any, ParsedEntry], row: dict[str, Any], outcome: Outcome, out: dict
) -> None:
    kind, result = outcome
    want = None if kind == "fail" else result
    assert isinstance(want, (float, type(None)))
    assert _same(out["value"], want), (row, out["value"], outcome)
    assert _same_cell(out["raw_value"], row.get("value"))
    entry = mapping.get(row["metric"]) if isinstance(row["metric"], str) else None
    if entry is None:
        assert (out["name"], out["unit"], out["counter"]) == (None, None, None)
    else:
        assert (out["name"], out["unit"], out["counter"]) == (
            entry.name(),
            entry.unit(),
            entry.counter(),
        )
    for column, cell in row.items():
        if column != "value":
            assert _same_cell(out[column], cell)


def _same_cell(got: Any, want: Any) -> bool:
    if isinstance(want, float) and math.isnan(want):
        return isinstance(got, float) and math.isnan(got)
    return bool(got == want) and type(got) is type(want)


# --------------------------------------------------------------------------------------
# Generated mappings and tables

CELLS = {
    "float": (
        pa.float64(),
        st.one_of(
            st.floats(),
            st.sampled_from([0.0, -0.0, math.inf, -math.inf, math.nan, 5e-324, 1e308]),
        ),
    ),
    "int": (pa.int64(), st.sampled_from([0, 1, -1, 7, 2**53 + 1, 2**63 - 1])),
    "string": (pa.string(), st.sampled_from(["10", " 2.5 ", "-0", "1e3", "abc", ""])),
}


SMALL_TREES = nst.trees(max_leaves=6)


@st.composite
def mappings(draw: st.DrawFn) -> MetricMapping:
    """Two to four entries: random expressions, one without a conversion."""
    data: dict[str, Any] = {"plain": {"name": "plain", "counter": True}}
    for i in range(draw(st.integers(1, 3))):
        text = unparse(draw(SMALL_TREES))
        data[f"m{i}"] = {"name": f"n{i}", "unit": "u", "conversion_expr": text}
    return metric_mapping_from_dict(data)


@st.composite
def arrow_tables(draw: st.DrawFn, mapping: MetricMapping) -> Any:
    """A table of the mapping's metrics (and unknown and null ones), with a column for
    most variables the expressions read."""
    names = {"value"}
    for entry in mapping.values():
        if entry.expression is not None:
            names |= {n.name for n in walk(entry.expression.tree) if isinstance(n, Name)}
    names.discard("metric")
    rows = draw(st.integers(0, 8))
    keys = st.one_of(st.sampled_from([*mapping, "unknown"]), st.none())
    columns = {"metric": pa.array(draw(st.lists(keys, min_size=rows, max_size=rows)))}
    for name in sorted(names):
        if draw(st.integers(0, 5)) == 0:
            continue  # a column the table lacks
        kind, cell = CELLS[draw(st.sampled_from(sorted(CELLS)))]
        cells = draw(st.lists(st.one_of(st.none(), cell), min_size=rows, max_size=rows))
        columns[name] = pa.array(cells, type=kind)
    return pa.table(columns)


def _arrow_rows(table: Any) -> list[dict[str, Any]]:
    return table.to_pylist()  # type: ignore[no-any-return]


@given(st.data(), mappings())
def test_every_row_of_an_arrow_table_is_what_the_interpreter_gives(
    data: st.DataObject, mapping: MetricMapping
) -> None:
    table = data.draw(arrow_tables(mapping))
    check_table(mapping, table, _arrow_rows(table), _arrow_rows)


@given(st.data(), mappings())
def test_every_row_of_a_record_batch_is_what_the_interpreter_gives(
    data: st.DataObject, mapping: MetricMapping
) -> None:
    batches = data.draw(arrow_tables(mapping)).to_batches()
    if batches:
        batch = batches[0]
        assert isinstance(convert_table(batch, mapping, on_error="null"), pa.RecordBatch)
        check_table(mapping, batch, _arrow_rows(batch), _arrow_rows)


@given(st.data(), mappings())
def test_every_row_of_a_dataframe_is_what_the_interpreter_gives(
    data: st.DataObject, mapping: MetricMapping
) -> None:
    pd = pytest.importorskip("pandas")
    table = data.draw(arrow_tables(mapping))
    frame = pd.DataFrame({name: table.column(name).to_pylist() for name in table.column_names})
    frame.index = [f"r{i}" for i in range(len(frame))]
    check_table(mapping, frame, _frame_rows(frame), _frame_rows)


def _frame_rows(frame: Any) -> list[dict[str, Any]]:
    """The rows as Python values, a missing cell (pandas ``isna``) as None."""
    pd = pytest.importorskip("pandas")
    rows = []
    for _, series in frame.astype(object).iterrows():
        rows.append({k: None if _isna(pd, v) else _python(v) for k, v in series.items()})
    return rows


def _isna(pd: Any, value: Any) -> bool:
    return value is None or bool(pd.isna(value))


def _python(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


# --------------------------------------------------------------------------------------
# The rules, one by one


def test_the_output_adds_the_cli_columns_after_the_input_ones() -> None:
    table = pa.table({"metric": ["cpu_usage"], "value": [0.42], "resource_id": ["vm-101"]})
    out = convert_table(table, MAPPING)
    assert out.to_pylist() == [
        {
            "metric": "cpu_usage",
            "value": 42.0,
            "resource_id": "vm-101",
            "raw_value": 0.42,
            "name": "cpu-usage",
            "unit": "%",
            "counter": False,
        }
    ]
    assert out.schema.field("value").type == pa.float64()


def test_rows_keep_their_order_across_metrics() -> None:
    table = pa.table(
        {
            "metric": ["rx_bytes", "cpu_usage", "rx_bytes", "cpu_usage"],
            "value": [1.0, 0.5, 2.0, 0.25],
        }
    )
    assert convert_table(table, MAPPING).column("value").to_pylist() == [1.0, 50.0, 2.0, 25.0]


def test_an_entry_without_a_conversion_reads_the_raw_value_as_a_number() -> None:
    table = pa.table({"metric": ["rx_bytes"] * 4, "value": ["12", " 2.5 ", None, "lots"]})
    out = convert_table(table, MAPPING, on_error="null")
    assert out.column("value").to_pylist() == [12.0, 2.5, None, None]
    assert out.column("raw_value").to_pylist() == ["12", " 2.5 ", None, "lots"]
    assert out.schema.field("raw_value").type == pa.string()
    assert out.column("error").to_pylist() == [
        None,
        None,
        None,
        "metric 'rx_bytes': variable 'value' has type str and value 'lots', which is not a number",
    ]


def test_a_missing_column_fails_only_the_rows_that_read_it() -> None:
    table = pa.table({"metric": ["disk_free", "cpu_usage"], "value": [1.0, 0.5]})
    out = convert_table(table, MAPPING, on_error="null")
    assert out.column("value").to_pylist() == [None, 50.0]
    assert out.column("error").to_pylist() == [
        "metric 'disk_free': variable 'size' is not defined",
        None,
    ]


def test_fail_names_the_first_failing_row_and_its_reason() -> None:
    table = pa.table({"metric": ["cpu_usage", "nope", "disk_free"], "value": [1.0, 2.0, 3.0]})
    with pytest.raises(ConversionError, match=r"^row 1: unknown metric 'nope'$") as raised:
        convert_table(table, MAPPING)
    assert (raised.value.row, raised.value.reason) == (1, "unknown metric 'nope'")
    assert isinstance(raised.value, ValueError)


def test_skip_leaves_failing_rows_out_and_reports_them() -> None:
    table = pa.table({"metric": ["cpu_usage", None, "cpu_usage"], "value": [1.0, 2.0, 3.0]})
    converted = TableConverter(MAPPING, on_error="skip").convert(table, first_row=100)
    assert converted.table.column("value").to_pylist() == [100.0, 300.0]
    assert converted.rejected == (Rejected(101, "unknown metric None"),)


def test_null_keeps_failing_rows_with_their_reason() -> None:
    table = pa.table({"metric": ["gpu", "cpu_usage"], "value": [1.0, 2.0]})
    out = convert_table(table, MAPPING, on_error="null").to_pylist()
    assert out[0]["value"] is None and out[0]["raw_value"] == 1.0
    assert (out[0]["name"], out[0]["unit"], out[0]["counter"]) == (None, None, None)
    assert out[0]["error"] == "unknown metric 'gpu'"
    assert out[1]["error"] is None and out[1]["value"] == 200.0


def test_nan_and_infinity_are_values_not_nulls() -> None:
    table = pa.table({"metric": ["cpu_usage"] * 3, "value": [math.inf, math.nan, None]})
    value = convert_table(table, MAPPING).column("value")
    assert value.is_null().to_pylist() == [False, False, True]
    assert value.to_pylist()[0] == math.inf and math.isnan(value.to_pylist()[1])


@pytest.mark.parametrize("column", ["raw_value", "name", "unit", "counter"])
def test_a_column_the_output_would_overwrite_is_refused(column: str) -> None:
    table = pa.table({"metric": ["cpu_usage"], "value": [1.0], column: ["x"]})
    with pytest.raises(ValueError, match=f"input column '{column}' would be overwritten"):
        convert_table(table, MAPPING, on_error="skip")


def test_an_error_column_is_refused_only_when_the_output_adds_one() -> None:
    table = pa.table({"metric": ["cpu_usage"], "value": [1.0], "error": ["x"]})
    assert convert_table(table, MAPPING).column("error").to_pylist() == ["x"]
    with pytest.raises(ValueError, match="input column 'error' would be overwritten"):
        convert_table(table, MAPPING, on_error="null")


def test_a_table_without_the_metric_column_is_refused() -> None:
    with pytest.raises(ValueError, match="the table has no 'key' column"):
        convert_table(pa.table({"metric": ["cpu_usage"]}), MAPPING, metric_column="key")


def test_a_table_with_two_columns_of_one_name_is_refused() -> None:
    table = pa.Table.from_arrays([pa.array(["a"]), pa.array([1.0])] * 1, names=["metric", "x"])
    table = table.append_column("x", pa.array([2.0]))
    with pytest.raises(ValueError, match="two columns named 'x'"):
        convert_table(table, MAPPING)


def test_an_empty_table_keeps_its_columns_and_gets_the_added_ones() -> None:
    table = pa.table({"metric": pa.array([], pa.string()), "value": pa.array([], pa.int64())})
    out = convert_table(table, MAPPING, on_error="null")
    assert out.num_rows == 0
    assert out.schema == pa.schema(
        [
            ("metric", pa.string()),
            ("value", pa.float64()),
            ("raw_value", pa.int64()),
            ("name", pa.string()),
            ("unit", pa.string()),
            ("counter", pa.bool_()),
            ("error", pa.string()),
        ]
    )


def test_a_table_without_a_value_column_gets_one() -> None:
    mapping = metric_mapping_from_dict({"ratio": {"conversion_expr": "a / b"}})
    table = pa.table({"metric": ["ratio"], "a": [1], "b": [4]})
    out = convert_table(table, mapping)
    assert out.column_names == ["metric", "a", "b", "value", "raw_value", "name", "unit", "counter"]
    assert out.column("value").to_pylist() == [0.25]
    assert out.column("raw_value").to_pylist() == [None]


def test_chunked_and_dictionary_columns_convert_like_plain_ones() -> None:
    metric = pa.chunked_array([["cpu_usage"], ["rx_bytes", "cpu_usage"]]).dictionary_encode()
    value = pa.chunked_array([[0.5], [7.0, None]])
    out = convert_table(pa.table({"metric": metric, "value": value}), MAPPING)
    assert out.column("value").to_pylist() == [50.0, 7.0, None]
    assert out.column("metric").type == metric.type


def test_something_that_is_not_a_table_is_refused() -> None:
    with pytest.raises(TypeError, match="takes a pyarrow Table or RecordBatch"):
        convert_table({"metric": ["cpu_usage"]}, MAPPING)


def test_an_unknown_on_error_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="on_error must be 'fail', 'skip' or 'null'"):
        TableConverter(MAPPING, on_error="ignore")  # type: ignore[arg-type]


def test_a_conversion_this_package_did_not_compile_is_refused() -> None:
    class Doubler:
        def evaluate(self, variables: Mapping[str, object]) -> float:
            return 2.0

    mapping = {"x": ParsedEntry("x", "", False, "", Doubler())}
    with pytest.raises(TypeError, match="metric 'x': convert_table needs a conversion_expr"):
        TableConverter(mapping)


def test_the_conversion_error_pickles() -> None:
    err = pickle.loads(pickle.dumps(ConversionError(3, "unknown metric 'x'")))
    assert (err.row, err.reason, str(err)) == (3, "unknown metric 'x'", "row 3: unknown metric 'x'")


# --------------------------------------------------------------------------------------
# pandas


def test_a_dataframe_gets_nullable_columns_and_keeps_its_index() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {"metric": ["cpu_usage", "gpu", "cpu_usage"], "value": [0.5, 1.0, math.nan]},
        index=[10, 20, 30],
    )
    out = convert_table(frame, MAPPING, on_error="skip")
    assert list(out.index) == [10, 30]
    assert str(out["value"].dtype) == "Float64" and str(out["counter"].dtype) == "boolean"
    assert out["value"].tolist() == [50.0, pd.NA]  # NaN in a float64 column is a null
    assert str(out["name"].dtype) == "string"
    assert list(frame.columns) == ["metric", "value"]  # the input is left alone
    assert frame["value"].tolist()[:2] == [0.5, 1.0] and str(frame["value"].dtype) == "float64"


def test_a_computed_nan_stays_distinct_from_null_in_a_dataframe() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"metric": ["cpu_usage", "cpu_usage"], "value": [math.inf, None]})
    mapping = metric_mapping_from_dict({"cpu_usage": {"conversion_expr": "value - value"}})
    out = convert_table(frame, mapping)
    assert out["value"].isna().tolist() == [False, True]
    assert math.isnan(out["value"].array._data[0])


def test_a_dataframe_reads_nullable_and_object_columns() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {
            "metric": ["disk_free"] * 3,
            "value": pd.array([1, None, 3], dtype="Int64"),
            "size": pd.Series(["2", None, 3], dtype=object),
        }
    )
    out = convert_table(frame, MAPPING)
    assert out["value"].tolist() == [50.0, pd.NA, 100.0]
    assert out["raw_value"].dtype == frame["value"].dtype


def test_parse_of_the_mapping_expressions_matches_their_trees() -> None:
    # The mapping used above really holds the expressions the tests rely on.
    expression = MAPPING["disk_free"].expression
    assert expression is not None
    assert expression.tree == parse("CASE WHEN size > 0 THEN value / size * 100 END")
