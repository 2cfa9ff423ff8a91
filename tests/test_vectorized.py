"""The NumPy backend agrees with the interpreter, row by row, on every generated case.

The interpreter is the oracle: each row's variables are the cells of that row as
Python sees them (``tolist()`` / ``to_pylist()``, a masked or null cell is None, an
absent column is an absent variable), and the row's value, NULL or error message must
be exactly the interpreter's.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Optional

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nflex_metrics import EvaluationError, VariableLookupError, parse, unparse
from nflex_metrics import strategies as nst
from nflex_metrics.interpreter import evaluate
from nflex_metrics.nodes import Expr, Name, walk

np = pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")

from nflex_metrics.vectorized import evaluate_arrays  # noqa: E402

# --------------------------------------------------------------------------------------
# Awkward columns, each with the cells the interpreter sees


FLOATS = st.one_of(
    st.floats(),
    st.sampled_from(
        [0.0, -0.0, math.inf, -math.inf, math.nan, 5e-324, -5e-324, 2.2e-308, 1e308, -1e308]
    ),
    st.sampled_from([1.0, -1.0, 2.0, 0.5, 3.0, -8.0, 10.0, 400.0, 1e200]),
)
INTS = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.sampled_from([0, 1, -1, 2, 2**53 + 1, -(2**53) - 1, 2**63 - 1, -(2**63)]),
)
NUMERIC_TEXT = st.sampled_from(["10", " 2.5 ", "-0", "1e3", "1_000", "nan", "-inf", "0"])
OBJECTS = st.one_of(
    st.none(),
    FLOATS,
    st.integers(),
    st.booleans(),
    NUMERIC_TEXT,
    st.sampled_from(["abc", "", b"12", b"\xff", 10**400, (1, 2), [3], 1j, Decimal("0.1")]),
)


@dataclass
class Column:
    """A column as given to evaluate_arrays, and the cells of its rows as Python objects."""

    kind: str
    array: Any
    cells: list[Any]


def _numpy(dtype: str, cell: st.SearchStrategy[Any]) -> Callable[[int], st.SearchStrategy[Column]]:
    def build(rows: int) -> st.SearchStrategy[Column]:
        def make(cells: list[Any]) -> Column:
            array = np.array(cells, dtype=dtype)
            return Column(dtype, array, array.tolist())

        return st.lists(cell, min_size=rows, max_size=rows).map(make)

    return build


def _objects(rows: int) -> st.SearchStrategy[Column]:
    def make(cells: list[Any]) -> Column:
        array = np.empty(rows, dtype=object)
        for row, cell in enumerate(cells):  # one by one: a list cell stays one cell
            array[row] = cell
        return Column("object", array, cells)

    return st.lists(OBJECTS, min_size=rows, max_size=rows).map(make)


def _masked(dtype: str, cell: st.SearchStrategy[Any]) -> Callable[[int], st.SearchStrategy[Column]]:
    def build(rows: int) -> st.SearchStrategy[Column]:
        def make(pairs: list[tuple[Any, bool]]) -> Column:
            data = np.empty(rows, dtype=dtype)
            for row, (value, _) in enumerate(pairs):
                data[row] = value
            array = np.ma.MaskedArray(data, mask=[masked for _, masked in pairs])
            cells = [None if masked else value for value, masked in zip(data.tolist(), array.mask)]
            return Column(f"masked {dtype}", array, cells)

        pair = st.tuples(cell, st.booleans())
        return st.lists(pair, min_size=rows, max_size=rows).map(make)

    return build


def _arrow(
    kind: Any, cell: st.SearchStrategy[Any], *, chunked: bool = False
) -> Callable[[int], st.SearchStrategy[Column]]:
    def build(rows: int) -> st.SearchStrategy[Column]:
        def make(cells: list[Any]) -> Column:
            array = pa.array(cells, type=kind)
            if chunked:
                half = rows // 2
                array = pa.chunked_array([array[:half], array[half:]], type=kind)
            return Column(f"arrow {kind}{' chunked' if chunked else ''}", array, array.to_pylist())

        return st.lists(st.one_of(st.none(), cell), min_size=rows, max_size=rows).map(make)

    return build


COLUMN_KINDS: list[Callable[[int], st.SearchStrategy[Column]]] = [
    _numpy("float64", FLOATS),
    _numpy("float32", st.floats(width=32)),
    _numpy("int64", INTS),
    _numpy("uint64", st.integers(min_value=0, max_value=2**64 - 1)),
    _numpy("bool", st.booleans()),
    _numpy("str", st.one_of(NUMERIC_TEXT, st.just("abc"))),
    _objects,
    _masked("float64", FLOATS),
    _masked("int64", INTS),
    _masked("object", OBJECTS),
    _arrow(pa.float64(), FLOATS),
    _arrow(pa.float64(), FLOATS, chunked=True),
    _arrow(pa.int64(), INTS),
    _arrow(pa.bool_(), st.booleans()),
    _arrow(pa.string(), st.one_of(NUMERIC_TEXT, st.just("abc"))),
    _arrow(pa.null(), st.nothing()),
]


def names_of(tree: Expr) -> list[str]:
    return sorted({node.name for node in walk(tree) if isinstance(node, Name)})


@st.composite
def columns_for(draw: st.DrawFn, names: list[str]) -> dict[str, Column]:
    """A column for each of ``names`` (one in ten absent), all of one length.

    Takes names rather than the tree, whose repr is slow to lay out in a report.
    """
    rows = draw(st.integers(min_value=0, max_value=6))
    columns = {}
    for name in names:
        if draw(st.integers(0, 9)) == 0:
            continue
        kind = draw(st.sampled_from(COLUMN_KINDS))
        columns[name] = draw(kind(rows))
    return columns


# --------------------------------------------------------------------------------------
# The oracle


def _row(columns: Mapping[str, Column], row: int) -> dict[str, Any]:
    return {name: column.cells[row] for name, column in columns.items()}


def _same_float(got: float, want: float) -> bool:
    if math.isnan(want):
        return math.isnan(got)
    return got == want and math.copysign(1.0, got) == math.copysign(1.0, want)


def assert_agrees_with_interpreter(tree: Expr, columns: Mapping[str, Column]) -> None:
    arrays = {name: column.array for name, column in columns.items()}
    rows = len(next(iter(columns.values())).cells) if columns else 0
    values, reasons = evaluate_arrays(tree, arrays, errors="null")
    assert values.shape == (rows,) and reasons.shape == (rows,)
    first_error: Optional[tuple[int, EvaluationError]] = None
    for row in range(rows):
        try:
            want = evaluate(tree, _row(columns, row))
        except EvaluationError as err:
            assert values.mask[row], f"row {row}: expected {err!r}"
            assert reasons[row] == str(err)
            first_error = first_error or (row, err)
            continue
        assert reasons[row] is None, f"row {row}: unexpected {reasons[row]!r}"
        if want is None:
            assert values.mask[row], f"row {row}: expected NULL, got {values.data[row]!r}"
        else:
            assert not values.mask[row], f"row {row}: expected {want!r}, got NULL"
            assert _same_float(float(values.data[row]), want), (row, values.data[row], want)
    if first_error is None:
        plain = evaluate_arrays(tree, arrays)
        assert np.array_equal(plain.mask, values.mask)
        assert np.array_equal(plain.filled(0.0), values.filled(0.0), equal_nan=True)
    else:
        row, err = first_error
        with pytest.raises(EvaluationError) as raised:
            evaluate_arrays(tree, arrays)
        assert type(raised.value) is type(err)
        assert str(raised.value) == f"row {row}: {err}"


@functools.cache
def _trees(dialect: str, max_leaves: int) -> st.SearchStrategy[Expr]:
    return nst.trees(dialect, max_leaves)  # built once: a new one is validated anew


@st.composite
def texts(draw: st.DrawFn, dialect: str = "full", max_leaves: int = 12) -> str:
    """Generated trees as canonical text: a failing example then reads as an expression
    (hypothesis would lay out a mapped tree as nested calls, which takes minutes)."""
    return unparse(draw(_trees(dialect, max_leaves)))


@given(st.data(), texts())
def test_every_row_is_what_the_interpreter_gives(data: st.DataObject, text: str) -> None:
    tree = parse(text)
    assert_agrees_with_interpreter(tree, data.draw(columns_for(names_of(tree))))


@given(st.data(), texts("case"))
def test_case_trees_agree_with_the_interpreter(data: st.DataObject, text: str) -> None:
    tree = parse(text)
    assert_agrees_with_interpreter(tree, data.draw(columns_for(names_of(tree))))


@given(st.data(), texts("arithmetic", max_leaves=6))
def test_arithmetic_on_float_columns_agrees_with_the_interpreter(
    data: st.DataObject, text: str
) -> None:
    tree = parse(text)
    names = names_of(tree)
    rows = data.draw(st.integers(1, 20))
    columns = {}
    for name in names:
        cells = data.draw(st.lists(FLOATS, min_size=rows, max_size=rows))
        columns[name] = Column("float64", np.array(cells, dtype=np.float64), cells)
    assert_agrees_with_interpreter(tree, columns)


# --------------------------------------------------------------------------------------
# The rules, one by one (expected values are the interpreter's, written out)


def _values(text: str, **columns: Any) -> list[Optional[float]]:
    result = evaluate_arrays(parse(text), columns)
    return [None if masked else float(v) for v, masked in zip(result.data, result.mask)]


def test_division_by_zero_gives_zero_whatever_the_dividend() -> None:
    dividend = np.array([1.0, -1.0, math.inf, math.nan, 0.0])
    assert _values("x / 0", x=dividend) == [0.0] * 5
    assert _values("x / y", x=dividend, y=np.full(5, -0.0)) == [0.0] * 5


def test_zero_to_a_negative_power_gives_zero() -> None:
    assert _values("0 ^ y", y=np.array([-1.0, -0.5, -math.inf])) == [0.0, 0.0, 0.0]


def test_nan_is_a_value_and_null_is_masked() -> None:
    result = evaluate_arrays(parse("x * 1"), {"x": np.array([math.nan, None], dtype=object)})
    assert result.mask.tolist() == [False, True]
    assert math.isnan(result.data[0])


def test_negative_zero_survives() -> None:
    (value,) = _values("-x", x=np.array([0.0]))
    assert value == 0.0 and math.copysign(1.0, value) == -1.0


def test_ints_past_2_53_round_like_float() -> None:
    big = 2**53 + 1
    assert _values("x", x=np.array([big], dtype=np.int64)) == [float(big)]
    assert _values("x", x=pa.array([big, None])) == [float(big), None]


def test_first_true_arm_wins_and_unknown_is_not_true() -> None:
    text = "CASE WHEN x > 1 THEN 1 WHEN x > 0 THEN 2 WHEN x IS NULL THEN 3 ELSE 4 END"
    x = np.ma.MaskedArray([5.0, 0.5, 0.0, 0.0], mask=[False, False, False, True])
    assert _values(text, x=x) == [1.0, 2.0, 4.0, 3.0]


def test_and_or_not_follow_kleene_logic() -> None:
    # a: TRUE, FALSE, UNKNOWN on each row, b: the same three, all nine pairs.
    a = np.ma.MaskedArray([1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0, 0, 0], mask=[0] * 6 + [1] * 3)
    b = np.ma.MaskedArray([1.0, 0.0, 0.0] * 3, mask=[0, 0, 1] * 3)
    cond = "a = 1 {} b = 1"
    text = "CASE WHEN {c} THEN 1 WHEN NOT ({c}) THEN 0 END"
    assert _values(text.format(c=cond.format("AND")), a=a, b=b) == [
        1.0, 0.0, None, 0.0, 0.0, 0.0, None, 0.0, None,
    ]  # fmt: skip
    assert _values(text.format(c=cond.format("OR")), a=a, b=b) == [
        1.0, 1.0, 1.0, 1.0, 0.0, None, 1.0, None, None,
    ]  # fmt: skip


def test_a_missing_column_in_a_branch_no_row_takes_never_surfaces() -> None:
    assert _values("x if x > 0 else missing", x=np.array([1.0, 2.0])) == [1.0, 2.0]
    assert _values("CASE WHEN x > 0 OR missing > 0 THEN 1 END", x=np.array([1.0])) == [1.0]


def test_a_missing_column_fails_the_first_row_that_reads_it() -> None:
    with pytest.raises(VariableLookupError, match=r"^row 2: variable 'missing' is not defined$"):
        evaluate_arrays(parse("x if x > 0 else missing"), {"x": np.array([1.0, 2.0, -1.0])})


def test_a_missing_column_no_row_reads_is_fine_with_no_rows() -> None:
    assert _values("missing * 2") == []


def test_overflow_fails_only_the_rows_that_reach_it() -> None:
    tree = parse("CASE WHEN x > 0 THEN 10 ^ x ELSE 0 END")
    values, reasons = evaluate_arrays(tree, {"x": np.array([400.0, -1.0, 2.0])}, errors="null")
    assert values.mask.tolist() == [True, False, False]
    assert values.data[1:].tolist() == [0.0, 100.0]
    assert reasons.tolist() == ["10.0 ^ 400.0 is too large for a float", None, None]


def test_a_non_real_power_raises_naming_the_row() -> None:
    with pytest.raises(EvaluationError, match=r"^row 1: -8\.0 \^ 0\.5 is not a real number$"):
        evaluate_arrays(parse("x ^ 0.5"), {"x": np.array([4.0, -8.0, -27.0])})


def test_unreadable_cells_fail_the_rows_that_read_them() -> None:
    x = np.array(["1.5", "abc", None, " 2 "], dtype=object)
    values, reasons = evaluate_arrays(parse("x * 2"), {"x": x}, errors="null")
    assert values.mask.tolist() == [False, True, True, False]
    assert reasons.tolist() == [
        None,
        "variable 'x' has type str and value 'abc', which is not a number",
        None,
        None,
    ]


def test_arrow_strings_read_like_python_strings() -> None:
    assert _values("x + 1", x=pa.array(["1", None, "1e3"])) == [2.0, None, 1001.0]


def test_the_input_columns_are_left_unchanged() -> None:
    x = np.array([1.0, 2.0])
    mask = np.ma.MaskedArray([3.0, 4.0], mask=[True, False])
    evaluate_arrays(parse("CASE WHEN m IS NULL THEN x END"), {"x": x, "m": mask})
    assert x.tolist() == [1.0, 2.0] and mask.data.tolist() == [3.0, 4.0]


def test_the_result_never_shares_memory_with_an_input() -> None:
    x = np.array([1.0, 2.0])
    result = evaluate_arrays(parse("x"), {"x": x})
    result[0] = 9.0
    assert x[0] == 1.0


def test_a_constant_fills_every_row() -> None:
    assert _values("2 * 3", x=np.zeros(3)) == [6.0, 6.0, 6.0]


def test_columns_of_unequal_length_are_refused() -> None:
    with pytest.raises(ValueError, match="same length: 'a' has 2, 'b' has 3"):
        evaluate_arrays(parse("a + b"), {"a": np.zeros(2), "b": np.zeros(3)})


def test_a_list_is_not_a_column() -> None:
    with pytest.raises(TypeError, match="column 'a' must be a NumPy array or a pyarrow array"):
        evaluate_arrays(parse("a"), {"a": [1.0, 2.0]})


def test_a_two_dimensional_array_is_not_a_column() -> None:
    with pytest.raises(ValueError, match="column 'a' must be one-dimensional"):
        evaluate_arrays(parse("a"), {"a": np.zeros((2, 2))})


def test_dates_are_not_numbers() -> None:
    dates = np.array(["2024-01-01"], dtype="datetime64[D]")
    with pytest.raises(TypeError, match="column 'a' has dtype datetime64"):
        evaluate_arrays(parse("a"), {"a": dates})


def test_an_unknown_error_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="errors must be 'raise' or 'null'"):
        evaluate_arrays(parse("a"), {"a": np.zeros(1)}, errors="ignore")  # type: ignore[call-overload]


def test_the_expression_method_gives_the_same_rows() -> None:
    from nflex_metrics import compile

    expression = compile("value * 100 if total > 0 else 0")
    columns = {"value": np.array([0.5, 0.25]), "total": np.array([1.0, 0.0])}
    result = expression.evaluate_arrays(columns)
    assert result.tolist() == expression.evaluate_columns({k: list(v) for k, v in columns.items()})


def test_rows_past_the_first_block_keep_their_index_in_errors_and_reasons() -> None:
    from nflex_metrics.vectorized import BLOCK_ROWS

    rows = 2 * BLOCK_ROWS + 5
    x = np.ones(rows, dtype=object)
    late = BLOCK_ROWS + 3
    x[late] = "abc"
    x[-1] = None
    with pytest.raises(EvaluationError, match=rf"^row {late}: variable 'x' has type str"):
        evaluate_arrays(parse("x + 1"), {"x": x})
    values, reasons = evaluate_arrays(parse("x + 1"), {"x": x}, errors="null")
    assert np.flatnonzero(values.mask).tolist() == [late, rows - 1]
    assert np.flatnonzero(reasons != None).tolist() == [late]  # noqa: E711
    assert values.data[:late].tolist() == [2.0] * late


def test_rows_sets_the_length_of_a_constant_or_of_absent_columns() -> None:
    assert evaluate_arrays(parse("2"), {}, rows=3).tolist() == [2.0, 2.0, 2.0]
    values, reasons = evaluate_arrays(parse("missing"), {}, errors="null", rows=2)
    assert values.mask.tolist() == [True, True]
    assert reasons.tolist() == ["variable 'missing' is not defined"] * 2
    with pytest.raises(ValueError, match="columns must all have 3 rows: 'a' has 2"):
        evaluate_arrays(parse("a"), {"a": np.zeros(2)}, rows=3)


def test_each_unreadable_cell_gets_the_interpreters_message_even_when_repeated() -> None:
    cells = ["n/a", 1, "n/a", [2], True, [2], b"n/a"]
    x = np.empty(len(cells), dtype=object)
    for row, cell in enumerate(cells):
        x[row] = cell
    _, reasons = evaluate_arrays(parse("x"), {"x": x}, errors="null")
    for cell, reason in zip(cells, reasons.tolist()):
        try:
            evaluate(Name("x"), {"x": cell})
        except EvaluationError as err:
            assert reason == str(err)
        else:
            assert reason is None
