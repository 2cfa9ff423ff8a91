"""The compiler against the reference interpreter, and the safety of generated code."""

from __future__ import annotations

import builtins
import io
import keyword
import math
import threading
import tokenize
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nflex_metrics import compiler, interpreter
from nflex_metrics.compiler import compile_tree
from nflex_metrics.errors import ExpressionTooComplex, NflexMetricsError
from nflex_metrics.limits import MAX_DEPTH_CEILING
from nflex_metrics.nodes import (
    Binary,
    BoolOp,
    Case,
    Compare,
    Cond,
    Expr,
    Name,
    Not,
    Null,
    Number,
    Ternary,
    Unary,
    When,
)
from nflex_metrics.strategies import trees, values, variables_for


def outcome(function: Any, *args: Any) -> tuple[object, ...]:
    """A comparable summary of a call: its value (NaN == NaN, type kept) or its error."""
    try:
        value = function(*args)
    except Exception as error:  # the class and message are what must agree
        return ("error", type(error), str(error))
    if isinstance(value, list):
        return ("list", tuple(_normal(v) for v in value))
    return ("value", _normal(value))


def _normal(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        return (float, "nan")
    return (type(value), value)


# ------------------------------------------------ exotic (numpy-free) variable values


class PlainFloat(float):
    """A float subclass that changes nothing."""


class LyingInt(int):
    """An int whose float() is not its value: arithmetic on it bare would differ."""

    def __float__(self) -> float:
        return 0.5


class LyingFloat(float):
    """A float subclass whose float() and arithmetic disagree with its value."""

    def __float__(self) -> float:
        return -2.0

    def __mul__(self, other: object) -> float:
        return 99.0

    __rmul__ = __mul__


class OnlyFloat:
    """Not a number, but float() of it works."""

    def __float__(self) -> float:
        return 2.5

    def __repr__(self) -> str:
        return "OnlyFloat()"


class ReturnsFloats:
    """float() fails, but arithmetic with a float gives a plain float."""

    def __add__(self, other: object) -> float:
        return 1.0

    __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = __add__

    def __repr__(self) -> str:
        return "ReturnsFloats()"


EXOTIC = [
    2**53 + 1,
    -(2**63),
    10**400,
    Fraction(1, 3),
    Fraction(10**400, 3),
    Decimal("1.1"),
    Decimal("NaN"),
    Decimal("1e400"),
    True,
    PlainFloat(1.5),
    PlainFloat("nan"),
    LyingInt(3),
    LyingFloat(3.0),
    OnlyFloat(),
    ReturnsFloats(),
]


def exotic_values() -> st.SearchStrategy[object]:
    """``values(invalid=True)`` plus big ints, Fractions, Decimals, bools and odd classes."""
    return st.one_of(values(invalid=True), st.sampled_from(EXOTIC))


def exotic_variables_for(
    names: Any, *, allow_missing: bool = False
) -> st.SearchStrategy[dict[str, object]]:
    wanted = {name: exotic_values() for name in names}
    if allow_missing:
        return st.fixed_dictionaries({}, optional=wanted)
    return st.fixed_dictionaries(wanted)


@contextmanager
def hot_calls(count: int) -> Iterator[None]:
    saved = compiler.HOT_CALLS
    compiler.HOT_CALLS = count
    try:
        yield
    finally:
        compiler.HOT_CALLS = saved


def warm(tree: Expr) -> compiler.CompiledCode:
    """Compiled code whose ``evaluate`` runs the generated fast path from the first call."""
    code = compile_tree(tree)
    code.warm_up()
    return code


@st.composite
def tree_and_variables(draw: st.DrawFn, dialect: str = "full") -> tuple[Expr, dict[str, object]]:
    tree = draw(trees(dialect))
    names = sorted({n.name for n in _walk_names(tree)})
    if draw(st.booleans()):
        variables = draw(exotic_variables_for(names, allow_missing=draw(st.booleans())))
    else:
        variables = draw(variables_for(tree, allow_missing=draw(st.booleans()), invalid=True))
    return tree, variables


@given(tree_and_variables())
def test_compiled_evaluate_equals_interpreter(case: tuple[Expr, dict[str, object]]) -> None:
    tree, variables = case
    expected = outcome(interpreter.evaluate, tree, variables)
    fresh = compile_tree(tree)  # a new shape: interpreted until hot, or already generated
    assert outcome(fresh.evaluate, variables) == expected
    code = warm(tree)
    assert outcome(code.evaluate, variables) == expected
    assert outcome(code.exact, variables) == expected


@given(st.sampled_from(["arithmetic", "ternary", "case", "simple"]).flatmap(tree_and_variables))
def test_compiled_equals_interpreter_in_every_dialect(
    case: tuple[Expr, dict[str, object]],
) -> None:
    tree, variables = case
    assert outcome(warm(tree).evaluate, variables) == outcome(interpreter.evaluate, tree, variables)


@pytest.mark.parametrize("raw", EXOTIC, ids=repr)
@pytest.mark.parametrize(
    "text",
    [
        "x * 2",
        "x + y",
        "x - 1",
        "x / 4",
        "-x",
        "x",
        "x ^ 2",
        "1 if x > 9007199254740992 else 0",
        "1 if x = 3 else y",
        "CASE WHEN x > 1 THEN x ELSE y * x END",
        "CASE WHEN x IS NULL THEN 1 WHEN NOT x < 2 THEN 2 END",
    ],
)
def test_exotic_values_give_the_interpreters_result_on_every_path(raw: object, text: str) -> None:
    from nflex_metrics.syntax import parse

    tree = parse(text)
    variables = {"x": raw, "y": 2.0}
    expected = outcome(interpreter.evaluate, tree, variables)
    code = warm(tree)
    assert outcome(code.evaluate, variables) == expected
    assert outcome(code.evaluate_columns, {"x": [raw], "y": [2.0]}) == (
        expected if expected[0] == "error" else ("list", (expected[1],))
    )


@st.composite
def tree_and_columns(draw: st.DrawFn) -> tuple[Expr, list[dict[str, object]]]:
    tree = draw(trees())
    names = sorted({n.name for n in _walk_names(tree)})
    absent: set[str] = set()
    drop = draw(st.booleans())
    if names and drop:
        absent = draw(st.sets(st.sampled_from(names)))
    invalid = draw(st.booleans())
    if draw(st.booleans()):
        rows = draw(st.lists(exotic_variables_for(names), max_size=6))
    else:
        rows = draw(st.lists(variables_for(names, invalid=invalid), max_size=6))
    return tree, [{k: v for k, v in row.items() if k not in absent} for row in rows]


def _walk_names(tree: Expr) -> list[Name]:
    from nflex_metrics.nodes import walk

    return [n for n in walk(tree) if isinstance(n, Name)]


def _rows_outcome(tree: Expr, rows: list[dict[str, object]]) -> tuple[object, ...]:
    results = []
    for row in rows:
        one = outcome(interpreter.evaluate, tree, row)
        if one[0] == "error":
            return one  # the batch raises the first failing row's error
        results.append(one[1])
    return ("list", tuple(results))


@given(tree_and_columns())
def test_evaluate_columns_equals_evaluate_of_each_row(
    case: tuple[Expr, list[dict[str, object]]],
) -> None:
    tree, rows = case
    present = sorted({k for row in rows for k in row})
    columns: dict[str, list[object]] = {k: [row[k] for row in rows] for k in present}
    columns["__rows__"] = [None] * len(rows)
    result = outcome(compile_tree(tree).evaluate_columns, columns)
    assert result == _rows_outcome(tree, rows)


def test_columns_of_unequal_length_raise_value_error_naming_them() -> None:
    code = compile_tree(Binary("+", Name("a"), Name("b")))
    with pytest.raises(ValueError, match="'a' has 2, 'b' has 1"):
        code.evaluate_columns({"a": [1, 2], "b": [1]})


def test_missing_column_is_an_error_only_for_a_row_that_reaches_it() -> None:
    tree = Ternary(Name("a"), Compare(">", Name("x"), Number(0.0)), Number(7.0))
    code = compile_tree(tree)
    assert code.evaluate_columns({"x": [0, -1]}) == [7.0, 7.0]
    with pytest.raises(NflexMetricsError, match="'a'"):
        code.evaluate_columns({"x": [0, 1]})


def test_constant_expression_gives_one_value_per_row() -> None:
    code = compile_tree(Binary("*", Number(2.0), Number(3.0)))
    assert code.evaluate_columns({"anything": [1, 2, 3]}) == [6.0, 6.0, 6.0]
    assert code.evaluate_columns({}) == []


def test_batch_fast_path_gives_up_on_null_and_the_exact_path_finishes() -> None:
    tree = Binary("/", Name("used"), Name("avail"))
    assert compile_tree(tree).evaluate_columns({"used": [1, None, 3], "avail": [2, 2, 0]}) == [
        0.5,
        None,
        0.0,
    ]


# ----------------------------------------------------------- deep and wide trees


def _deep_trees(depth: int) -> dict[str, Expr]:
    leaf: Expr = Name("x")
    unary = leaf
    left = leaf
    right = leaf
    ternary = leaf
    case = leaf
    for _ in range(depth - 1):
        unary = Unary("-", unary)
        left = Binary("+", left, Number(1.0))
        right = Binary("^", Number(1.0), right)
    for _ in range((depth - 1) // 2):
        ternary = Ternary(ternary, Compare(">", Name("x"), Number(0.0)), Null())
        case = Case((When(Compare("=", Name("x"), Number(1.0)), case),), Name("x"))
    cond: Cond = Compare(">", Name("x"), Number(0.0))
    leaf_cond = Compare("<", Name("x"), Number(2.0))
    for i in range(depth - 4):
        cond = Not(cond) if i % 3 == 0 else BoolOp("and" if i % 2 else "or", cond, leaf_cond)
    logic = Case((When(cond, Number(1.0)),), Number(0.0))
    wide = Case(
        tuple(
            When(Compare("=", Name("x"), Number(float(i))), Number(float(i))) for i in range(1600)
        )
    )
    return {
        "unary": unary,
        "left": left,
        "right": right,
        "ternary": ternary,
        "case": case,
        "logic": logic,
        "wide": wide,
    }


@pytest.mark.parametrize("name", list(_deep_trees(3)))
def test_trees_at_the_depth_ceiling_compile_without_falling_back(name: str) -> None:
    tree = _deep_trees(MAX_DEPTH_CEILING)[name]
    code = warm(tree)
    for variables in ({"x": 1.0}, {"x": None}, {"x": 0}):
        assert outcome(code.evaluate, variables) == outcome(interpreter.evaluate, tree, variables)
    assert outcome(code.evaluate_columns, {"x": [1.0, None, 0]}) == outcome(
        lambda: [interpreter.evaluate(tree, {"x": v}) for v in (1.0, None, 0)]
    )
    assert code.exact({"x": None}) == interpreter.evaluate(tree, {"x": None})
    parts = code._shape.parts
    assert set(parts) == {"row", "exact", "batch"}
    assert all(part is not None and part.slots for part in parts.values())


def test_tree_deeper_than_the_ceiling_is_too_complex_not_a_crash() -> None:
    tree: Expr = Name("x")
    for _ in range(MAX_DEPTH_CEILING + 5):
        tree = Unary("-", tree)
    with pytest.raises(ExpressionTooComplex):
        compile_tree(tree)


def test_compile_failure_falls_back_to_the_interpreter(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RecursionError("simulated")

    compiler.clear_code_cache()
    monkeypatch.setattr(compiler, "_compile_source", broken)
    tree = Binary("/", Name("a"), Name("b"))
    code = warm(tree)
    assert code.evaluate({"a": 1, "b": 0}) == 0.0
    assert code.evaluate({"a": 1, "b": 2}) == 0.5
    assert code.evaluate_columns({"a": [1, 4], "b": [2, 2]}) == [0.5, 2.0]
    monkeypatch.undo()
    compiler.clear_code_cache()


# ----------------------------------------------------------- generated code safety

_HOSTILE_NAMES = ["import", "os", "m", "x0", "_k0", "_float", "__class__", "None", "a'b", "e"]


def _identifiers(source: str) -> set[str]:
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return {t.string for t in tokens if t.type == tokenize.NAME}


def _allowed(identifier: str) -> bool:
    return (
        keyword.iskeyword(identifier)
        or identifier.startswith("_")
        or identifier == "m"
        or (identifier[0] in "xc" and identifier[1:].isdigit())
    )


@given(
    trees(),
    st.lists(st.sampled_from(_HOSTILE_NAMES), min_size=1, max_size=3, unique=True),
)
def test_generated_source_never_uses_a_variable_name_as_an_identifier(
    tree: Expr, hostile: list[str]
) -> None:
    # Rename the tree's variables to hostile strings (hand-built trees accept any str).
    renamed = _rename(tree, hostile)
    code = compile_tree(renamed)
    source = code.python_source
    assert all(_allowed(identifier) for identifier in _identifiers(source)), source
    assert outcome(code.evaluate, {}) == outcome(interpreter.evaluate, renamed, {})


def _rename(tree: Any, hostile: list[str]) -> Any:
    import dataclasses

    if isinstance(tree, Name):
        return Name(hostile[sum(map(ord, tree.name)) % len(hostile)])
    if isinstance(tree, tuple):
        return tuple(_rename(item, hostile) for item in tree)
    if dataclasses.is_dataclass(tree):
        changes = {
            f.name: _rename(getattr(tree, f.name), hostile)
            for f in dataclasses.fields(tree)
            if f.name != "span"
        }
        instance: Any = tree
        return dataclasses.replace(instance, **changes)
    return tree


@given(trees())
def test_generated_code_compiles_without_warnings(tree: Expr) -> None:
    compiler.clear_code_cache()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        code = compile_tree(tree)
        assert all(code._shape.part(part) is not None for part in ("row", "exact", "batch"))
        builtins.compile(code.python_source, "<test>", "exec")


def test_trees_of_one_shape_share_generated_code() -> None:
    first = warm(Binary("*", Name("value"), Number(100.0)))
    second = compile_tree(Binary("*", Name("load"), Number(8.0)))
    assert first._shape is second._shape
    assert second.evaluate.__code__ is not compiler._STUB_CODE  # generated at once
    assert (first.evaluate({"value": 2}), second.evaluate({"load": 2})) == (200.0, 16.0)


def test_repeated_variable_is_read_once_per_path_on_the_fast_path() -> None:
    class CountingDict(dict[str, object]):
        reads = 0

        def __getitem__(self, key: str) -> object:
            CountingDict.reads += 1
            return super().__getitem__(key)

    tree = Case(
        (
            When(Compare("=", Name("s"), Number(1.0)), Number(1.0)),
            When(Compare("=", Name("s"), Number(2.0)), Number(2.0)),
        ),
        Name("s"),
    )
    row: Mapping[str, object] = CountingDict(s=3.0)
    assert warm(tree).evaluate(row) == 3.0
    assert CountingDict.reads == 1


# ----------------------------------------------------------- what is built when


def _fresh_shape_tree() -> Expr:
    compiler.clear_code_cache()
    return Binary("/", Binary("*", Name("used"), Number(100.0)), Name("total"))


def test_new_shape_is_interpreted_until_hot_then_the_same_function_runs_generated_code() -> None:
    tree = _fresh_shape_tree()
    code = compile_tree(tree)
    evaluate = code.evaluate
    row = {"used": 1, "total": 4}
    for _ in range(compiler.HOT_CALLS - 1):
        assert evaluate(row) == 25.0
    assert code._shape.parts == {}  # nothing generated or compiled yet
    assert evaluate(row) == 25.0
    assert code.evaluate is evaluate
    assert evaluate.__code__ is not compiler._STUB_CODE
    assert set(code._shape.parts) == {"row"}
    # Names and numbers are constants of the generated code, not global lookups.
    assert {"used", "total", 100.0} <= set(evaluate.__code__.co_consts)
    assert not {"_k0", "_k1", "_c0"} & set(evaluate.__code__.co_names)


def test_exact_path_is_compiled_only_on_the_first_fallback() -> None:
    tree = _fresh_shape_tree()
    code = warm(tree)
    assert code.evaluate({"used": 1, "total": 4}) == 25.0
    assert "exact" not in code._shape.parts
    for row in ({"used": None, "total": 4}, {"used": 1, "total": 0}, {"used": "x", "total": 1}):
        assert outcome(code.evaluate, row) == outcome(interpreter.evaluate, tree, row)
        assert "exact" in code._shape.parts


def test_batch_is_compiled_only_on_the_first_evaluate_columns() -> None:
    tree = _fresh_shape_tree()
    code = warm(tree)
    code.evaluate({"used": None, "total": 4})
    assert "batch" not in code._shape.parts
    columns: dict[str, list[object]] = {"used": [1, None, 3, "4"], "total": [4, 4, 0, 8]}
    expected = [interpreter.evaluate(tree, dict(zip(columns, r))) for r in zip(*columns.values())]
    assert code.evaluate_columns(columns) == expected == [25.0, None, 0.0, 50.0]
    assert "batch" in code._shape.parts


def test_batch_before_the_row_function_does_not_compile_the_row_function() -> None:
    tree = _fresh_shape_tree()
    code = compile_tree(tree)
    assert code.evaluate_columns({"used": [2.0], "total": [8.0]}) == [25.0]
    assert set(code._shape.parts) == {"batch"}


def test_constants_added_together_stay_separate_constants() -> None:
    # Two placeholder strings added together would be folded into one by compile().
    compiler.clear_code_cache()
    code = warm(Binary("*", Name("x"), Binary("+", Number(1.0), Number(2.0))))
    part = code._shape.parts["row"]
    assert part is not None and part.slots
    assert code.evaluate({"x": 2}) == 6.0
    other = warm(Binary("*", Name("y"), Binary("+", Number(4.0), Number(5.0))))
    assert other.evaluate({"y": 1}) == 9.0


def test_placeholders_lost_in_compilation_fall_back_to_global_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    compiler.clear_code_cache()
    monkeypatch.setattr(compiler, "_placeholders_intact", lambda code, slots: False)
    tree = Binary("*", Name("x"), Binary("-", Number(1.0), Number(2.0)))
    code = warm(tree)
    part = code._shape.parts["row"]
    assert part is not None and part.slots == {}
    assert code.evaluate({"x": 2}) == -2.0
    assert code.evaluate_columns({"x": [1, None]}) == [-1.0, None]
    monkeypatch.undo()
    compiler.clear_code_cache()


def test_threads_crossing_the_hot_threshold_all_get_the_interpreters_results() -> None:
    tree = _fresh_shape_tree()
    codes = [compile_tree(tree) for _ in range(4)]
    errors: list[object] = []
    barrier = threading.Barrier(len(codes))

    def work(code: compiler.CompiledCode, offset: int) -> None:
        barrier.wait()
        for i in range(3 * compiler.HOT_CALLS):
            row = {"used": i + offset, "total": (i % 3) or None}
            if outcome(code.evaluate, row) != outcome(interpreter.evaluate, tree, row):
                errors.append((offset, i))

    with hot_calls(8):
        threads = [threading.Thread(target=work, args=(c, n)) for n, c in enumerate(codes)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert all(c.evaluate.__code__ is not compiler._STUB_CODE for c in codes)


def test_a_number_node_used_twice_is_not_the_shape_of_two_numbers() -> None:
    # The shape key must tell one shared Number object from two distinct ones: the
    # generated code of the first reads one constant twice, of the second two constants.
    compiler.clear_code_cache()
    two = Number(2.0)
    shared = Binary("-", Binary("*", Name("x"), two), two)
    distinct = Binary("-", Binary("*", Name("x"), Number(2.0)), Number(5.0))
    for first, second in ((shared, distinct), (distinct, shared)):
        compiler.clear_code_cache()
        for tree in (first, second):
            code = warm(tree)
            assert code.evaluate({"x": 1.0}) == interpreter.evaluate(tree, {"x": 1.0})
            assert code.evaluate_columns({"x": [3]}) == [interpreter.evaluate(tree, {"x": 3})]


class _BinarySubclass(Binary):
    pass


@pytest.mark.parametrize(
    "tree",
    [
        "value * 2",
        _BinarySubclass("+", Name("a"), Number(1.0)),
        Binary("+", Name("a"), "b"),  # type: ignore[arg-type]
    ],
)
def test_compile_tree_accepts_only_the_parsers_node_classes(tree: object) -> None:
    with pytest.raises(TypeError, match="not a syntax node"):
        compile_tree(tree)  # type: ignore[arg-type]
