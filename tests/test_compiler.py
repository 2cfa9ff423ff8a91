"""The compiler against the reference interpreter, and the safety of generated code."""

from __future__ import annotations

import ast
import builtins
import io
import keyword
import math
import re
import threading
import tokenize
import warnings
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, Callable, Optional

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nflex_metrics import compiler, interpreter
from nflex_metrics.compiler import MAX_BRACKETS, MAX_NESTING, compile_tree
from nflex_metrics.errors import ExpressionTooComplex, NflexMetricsError
from nflex_metrics.limits import MAX_DEPTH, MAX_DEPTH_CEILING
from nflex_metrics.nodes import (
    Binary,
    BoolOp,
    Case,
    Compare,
    Cond,
    Expr,
    IsNull,
    Name,
    Not,
    Null,
    Number,
    Ternary,
    Unary,
    When,
    walk,
)
from nflex_metrics.strategies import trees, values, variables_for


def outcome(function: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[object, ...]:
    """A comparable summary of a call: its value (NaN == NaN, type kept) or its error."""
    try:
        value = function(*args, **kwargs)
    except Exception as error:  # the class and message are what must agree
        return ("error", type(error), str(error))
    if isinstance(value, list):
        return ("list", tuple(_normal(v) for v in value))
    return ("value", _normal(value))


def _normal(value: object) -> object:
    if isinstance(value, float) and math.isnan(value):
        # A NaN's sign is not part of the result: IEEE 754 leaves the sign of ``nan + -nan``
        # open, and CPython's generic and specialised float additions differ on it.
        return (float, "nan")
    if isinstance(value, float):
        return (float, value, math.copysign(1.0, value))  # -0.0 is not 0.0
    return (type(value), value)


def every_path(tree: Expr, variables: Mapping[str, object]) -> dict[str, tuple[object, ...]]:
    """The outcome of each way to evaluate ``tree`` on one row of ``variables``."""
    code = compile_tree(tree)
    batch = outcome(code.evaluate_columns, _one_row(variables))
    return {
        "evaluate": outcome(code.evaluate, variables),
        "keywords": outcome(code.evaluate_keywords, **variables),
        "columns": batch if batch[0] == "error" else ("value", batch[1][0]),  # type: ignore[index]
    }


def _one_row(variables: Mapping[str, object]) -> dict[str, list[object]]:
    columns: dict[str, list[object]] = {name: [value] for name, value in variables.items()}
    columns["__row__"] = [None]  # a row exists even with no variables
    return columns


def _interpreted(tree: Expr, variables: Mapping[str, object]) -> tuple[object, ...]:
    return outcome(interpreter.evaluate, tree, variables)


# ------------------------------------------------ awkward (numpy-free) variable values


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
    __eq__ = __lt__ = __gt__ = lambda self, other: True  # type: ignore[assignment]
    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return "ReturnsFloats()"


AWKWARD = [
    None,
    0,
    -0.0,
    1e308,
    5e-324,
    math.nan,
    math.inf,
    -math.inf,
    " 2.5 ",
    "1e3",
    "nan",
    "abc",
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
    [1],
    1j,
]


def awkward_values() -> st.SearchStrategy[object]:
    """``values(invalid=True)`` plus big ints, Fractions, Decimals, bools and odd classes."""
    return st.one_of(values(invalid=True), st.sampled_from(AWKWARD))


def _names_in(tree: Expr) -> list[str]:
    return sorted({node.name for node in walk(tree) if type(node) is Name})


@st.composite
def tree_and_variables(draw: st.DrawFn, dialect: str = "full") -> tuple[Expr, dict[str, object]]:
    tree = draw(trees(dialect))
    names = _names_in(tree)
    wanted = {name: awkward_values() for name in names}
    if draw(st.booleans()):  # some variables may be missing
        return tree, draw(st.fixed_dictionaries({}, optional=wanted))
    return tree, draw(st.fixed_dictionaries(wanted))


# ----------------------------------------------------------- compiled == interpreter


@given(tree_and_variables())
def test_every_compiled_path_gives_the_interpreters_value_or_error(
    case: tuple[Expr, dict[str, object]],
) -> None:
    tree, variables = case
    expected = _interpreted(tree, variables)
    assert every_path(tree, variables) == dict.fromkeys(
        ("evaluate", "keywords", "columns"), expected
    )


@given(st.sampled_from(["arithmetic", "ternary", "case", "simple"]).flatmap(tree_and_variables))
def test_compiled_equals_interpreter_in_every_dialect(case: tuple[Expr, dict[str, object]]) -> None:
    tree, variables = case
    assert outcome(compile_tree(tree).evaluate, variables) == _interpreted(tree, variables)


@pytest.mark.parametrize("raw", AWKWARD, ids=repr)
@pytest.mark.parametrize(
    "text",
    [
        "x * 2",
        "x + y",
        "x - 1",
        "x / 4",
        "2 / x",
        "-x",
        "x",
        "x ^ 2",
        "x ^ 0.5",
        "1 if x > 9007199254740992 else 0",
        "1 if x = 3 else y",
        "1 if x != x else 2",
        "CASE WHEN x > 1 THEN x ELSE y * x END",
        "CASE WHEN x IS NULL THEN 1 WHEN NOT x < 2 THEN 2 END",
        "1 if CASE WHEN x = 1 THEN NULL END = x else 2",
        "y if x > 0 OR x <= 0 else 3",
    ],
)
def test_awkward_values_give_the_interpreters_result_on_every_path(raw: object, text: str) -> None:
    from nflex_metrics.syntax import parse

    tree = parse(text)
    variables = {"x": raw, "y": 2.0}
    expected = _interpreted(tree, variables)
    assert every_path(tree, variables) == dict.fromkeys(
        ("evaluate", "keywords", "columns"), expected
    )


@pytest.mark.parametrize(
    ("text", "variables"),
    [
        ("1 if CASE WHEN a = 1 THEN NULL END = 0 else 2", {"a": 1}),  # None == 0.0 is False
        ("1 if CASE WHEN a = 1 THEN NULL END != 0 else 2", {"a": 1}),  # None != 0.0 is True
        ("1 if (NULL = a) else 2", {"a": 0}),
        ("1 if NOT (a = NULL) else 2", {"a": 0}),
        ("(0 - a) ^ 0.5", {"a": 8}),  # (-8.0) ** 0.5 is a complex in Python
        ("1 if a ^ 0.5 = a else 2", {"a": -1}),
        ("1 if a != a else 2", {"a": math.nan}),
        ("1 if NOT a < 1 else 2", {"a": math.nan}),
        ("a / 0", {"a": math.inf}),
        ("0 ^ (0 - a)", {"a": 1}),
        ("a + 0", {"a": -0.0}),
    ],
)
def test_where_plain_python_would_differ_the_interpreters_result_wins(
    text: str, variables: dict[str, object]
) -> None:
    from nflex_metrics.syntax import parse

    tree = parse(text)
    expected = _interpreted(tree, variables)
    assert every_path(tree, variables) == dict.fromkeys(
        ("evaluate", "keywords", "columns"), expected
    )


# ------------------------------------------------------------------- batches


@st.composite
def tree_and_rows(draw: st.DrawFn) -> tuple[Expr, list[dict[str, object]]]:
    tree = draw(trees())
    names = _names_in(tree)
    absent: set[str] = set()
    if names and draw(st.booleans()):
        absent = draw(st.sets(st.sampled_from(names)))
    if draw(st.booleans()):
        rows = draw(
            st.lists(st.fixed_dictionaries({n: awkward_values() for n in names}), max_size=6)
        )
    else:
        rows = draw(st.lists(variables_for(names, invalid=draw(st.booleans())), max_size=6))
    return tree, [{k: v for k, v in row.items() if k not in absent} for row in rows]


@given(tree_and_rows())
def test_evaluate_columns_equals_evaluate_of_each_row(
    case: tuple[Expr, list[dict[str, object]]],
) -> None:
    tree, rows = case
    present = sorted({k for row in rows for k in row})
    columns: dict[str, list[object]] = {k: [row[k] for row in rows] for k in present}
    columns["__rows__"] = [None] * len(rows)
    expected: tuple[object, ...] = ("list", ())
    results = []
    for row in rows:
        one = _interpreted(tree, row)
        if one[0] == "error":
            expected = one  # the batch raises the first failing row's error
            break
        results.append(one[1])
    else:
        expected = ("list", tuple(results))
    assert outcome(compile_tree(tree).evaluate_columns, columns) == expected


def test_columns_of_unequal_length_raise_value_error_naming_them() -> None:
    code = compile_tree(Binary("+", Name("a"), Name("b")))
    with pytest.raises(ValueError, match="'a' has 2, 'b' has 1"):
        code.evaluate_columns({"a": [1, 2], "b": [1]})


def test_a_column_that_is_not_a_sequence_raises_type_error_naming_it() -> None:
    with pytest.raises(TypeError, match="column 'a' must be a sequence, got int"):
        compile_tree(Name("a")).evaluate_columns({"a": 5})  # type: ignore[dict-item]


@pytest.mark.parametrize("columns", [[[1, 2]], None, "value"])
def test_columns_that_are_not_a_mapping_raise_type_error_naming_the_type(columns: object) -> None:
    expected = f"columns must be a mapping of names to sequences, got {type(columns).__name__}"
    for tree in (Name("value"), Number(1.0)):
        with pytest.raises(TypeError) as info:
            compile_tree(tree).evaluate_columns(columns)  # type: ignore[arg-type]
        assert str(info.value) == expected


def test_missing_column_is_an_error_only_for_a_row_that_reaches_it() -> None:
    tree = Ternary(Name("a"), Compare(">", Name("x"), Number(0.0)), Number(7.0))
    code = compile_tree(tree)
    assert code.evaluate_columns({"x": [0, -1]}) == [7.0, 7.0]
    with pytest.raises(NflexMetricsError, match="'a'"):
        code.evaluate_columns({"x": [0, 1]})


def test_rows_without_any_referenced_column_still_give_one_value_each() -> None:
    tree = Ternary(Name("a"), Compare(">", Number(0.0), Number(1.0)), Number(7.0))
    assert compile_tree(tree).evaluate_columns({"other": [1, 2, 3]}) == [7.0, 7.0, 7.0]


def test_constant_expression_gives_one_value_per_row() -> None:
    code = compile_tree(Binary("*", Number(2.0), Number(3.0)))
    assert code.evaluate_columns({"anything": [1, 2, 3]}) == [6.0, 6.0, 6.0]
    assert code.evaluate_columns({}) == []


def test_a_batch_with_null_and_zero_rows_gives_each_rows_value() -> None:
    tree = Binary("/", Name("used"), Name("avail"))
    columns: dict[str, list[object]] = {"used": [1, None, 3, "4"], "avail": [2, 2, 0, 8]}
    assert compile_tree(tree).evaluate_columns(columns) == [0.5, None, 0.0, 0.5]


def test_columns_may_be_any_sequence() -> None:
    code = compile_tree(Binary("*", Name("a"), Name("b")))
    assert code.evaluate_columns({"a": (1, 2), "b": range(3, 5)}) == [3.0, 8.0]


# ----------------------------------------------------------- the fast path


def _map_tree(
    node: Any,
    leaf: Callable[[Any], Any],
    op: Callable[[str], str] = str,
    orelse: Optional[Expr] = None,
) -> Any:
    """``node`` rebuilt with ``leaf(n)`` for each leaf (``n`` itself where it returns None),
    ``op(o)`` for each arithmetic operator and ``orelse`` for each missing ELSE."""

    def again(child: Any) -> Any:
        return _map_tree(child, leaf, op, orelse)

    kind = type(node)
    if kind in (Name, Number, Null):
        replaced = leaf(node)
        return node if replaced is None else replaced
    if kind is Unary:
        return Unary(op=node.op, operand=again(node.operand))
    if kind is Binary:
        return Binary(op=op(node.op), left=again(node.left), right=again(node.right))
    if kind is Compare:
        return Compare(op=node.op, left=again(node.left), right=again(node.right))
    if kind is BoolOp:
        return BoolOp(op=node.op, left=again(node.left), right=again(node.right))
    if kind is Not:
        return Not(operand=again(node.operand))
    if kind is IsNull:
        return IsNull(operand=again(node.operand), negated=node.negated)
    if kind is Ternary:
        return Ternary(
            body=again(node.body), condition=again(node.condition), orelse=again(node.orelse)
        )
    if kind is Case:
        whens = tuple(
            When(condition=again(w.condition), result=again(w.result)) for w in node.whens
        )
        return Case(whens=whens, orelse=orelse if node.orelse is None else again(node.orelse))
    raise TypeError(node)


def _plain(tree: Expr) -> Expr:
    """``tree`` without what can make plain float code raise: no NULL, no CASE without
    ELSE, ``*`` for ``/`` and ``^``."""
    return _map_tree(
        tree,
        leaf=lambda n: Number(value=1.0) if type(n) is Null else None,
        op=lambda o: "*" if o in "/^" else o,
        orelse=Number(value=0.0),
    )


@given(trees().map(_plain), st.data())
def test_rows_of_plain_floats_never_leave_the_fast_path(tree: Expr, data: st.DataObject) -> None:
    # The fast path falls back on any exception, the batch to one row at a time: a
    # generator bug (a NameError, say) would hide behind that and only cost speed. On
    # these rows the generated code has nothing to raise, so it must finish them alone.
    names = _names_in(tree)
    floats = st.floats(allow_nan=True, allow_infinity=True)
    rows = data.draw(st.lists(st.fixed_dictionaries({n: floats for n in names}), min_size=1))
    expected = [_interpreted(tree, row) for row in rows]

    def refuse(*args: object) -> None:
        raise AssertionError("the generated code gave up on a row of plain floats")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(interpreter, "evaluate", refuse)
        code = compile_tree(tree)
        assert [outcome(code.evaluate, row) for row in rows] == expected
        assert [outcome(code.evaluate_keywords, **row) for row in rows] == expected
        if names:
            columns = {n: [row[n] for row in rows] for n in names}
            assert outcome(code.evaluate_columns, columns) == (
                "list",
                tuple(e[1] for e in expected),
            )


@pytest.mark.parametrize(
    "text",
    [
        "x ^ 2",
        "(x + y) / 4",
        "CASE WHEN x > 0 THEN NULL END",
        "1 if CASE WHEN x > 5 THEN NULL ELSE x END = 3 else 0",
        "1 if x IS NULL OR NOT x IS NOT NULL else 0",
    ],
)
def test_power_division_and_null_results_stay_on_the_fast_path(text: str) -> None:
    from nflex_metrics.syntax import parse

    tree = parse(text)
    row = {"x": 3.0, "y": 1.0}
    expected = interpreter.evaluate(tree, row)

    def refuse(*args: object) -> None:
        raise AssertionError("the generated code gave up")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(interpreter, "evaluate", refuse)
        code = compile_tree(tree)
        assert code.evaluate(row) == code.evaluate_keywords(**row) == expected
        columns = {name: [value, value] for name, value in row.items()}
        assert code.evaluate_columns(columns) == [expected, expected]


# ----------------------------------------------------------- deep and wide trees


def _deep_trees(depth: int) -> dict[str, Expr]:
    """One tree of each kind of deep nesting, ``depth`` levels deep (``x`` at the bottom)."""
    unary: Expr = Name("x")
    left: Expr = Name("x")
    right: Expr = Name("x")
    ternary: Expr = Name("x")
    case: Expr = Name("x")
    null_compare: Expr = Name("x")
    for _ in range(depth - 1):
        unary = Unary("-", unary)
        left = Binary("+", left, Number(1.0))
        right = Binary("^", Number(1.0), right)
    for _ in range((depth - 1) // 2):
        ternary = Ternary(ternary, Compare(">", Name("x"), Number(0.0)), Null())
        case = Case((When(Compare("=", Name("x"), Number(1.0)), case),), Name("x"))
        # A CASE without ELSE compared with "=": three brackets for every two levels.
        null_compare = Case((When(Compare("=", null_compare, Number(1.0)), Number(1.0)),))
    cond: Cond = Compare(">", Name("x"), Number(0.0))
    for i in range(depth - 3):
        leaf = Compare("<", Name("x"), Number(2.0))
        cond = Not(cond) if i % 3 == 0 else BoolOp("and" if i % 2 else "or", cond, leaf)
    logic = Case((When(cond, Number(1.0)),), Number(0.0))
    return {
        "unary": unary,
        "left": left,
        "right": right,
        "ternary": ternary,
        "case": case,
        "null_compare": null_compare,
        "logic": logic,
    }


def _wide_case(arms: int) -> Expr:
    whens = tuple(
        When(Compare("=", Name("x"), Number(float(i))), Number(i + 0.5)) for i in range(arms)
    )
    return Case(whens, Name("x"))


def _is_compiled(tree: Expr) -> bool:
    return compile_tree(tree).generated


ROWS: list[dict[str, object]] = [{"x": 1.0}, {"x": None}, {"x": 0}, {"x": -1}, {"x": "2"}, {}]


def _agrees_with_the_interpreter(tree: Expr) -> None:
    code = compile_tree(tree)
    for row in ROWS:
        assert outcome(code.evaluate, row) == _interpreted(tree, row), row
        assert outcome(code.evaluate_keywords, **row) == _interpreted(tree, row), row
    columns: dict[str, list[object]] = {"x": [row["x"] for row in ROWS if "x" in row]}
    expected = [interpreter.evaluate(tree, {"x": cell}) for cell in columns["x"]]
    assert outcome(code.evaluate_columns, columns) == outcome(lambda: expected)


@pytest.mark.parametrize("name", list(_deep_trees(5)))
def test_every_tree_the_default_limits_allow_is_compiled(name: str) -> None:
    tree = _deep_trees(MAX_DEPTH)[name]
    assert _is_compiled(tree)
    _agrees_with_the_interpreter(tree)


@pytest.mark.parametrize("name", list(_deep_trees(5)))
def test_trees_at_the_depth_ceiling_evaluate_like_the_interpreter(name: str) -> None:
    _agrees_with_the_interpreter(_deep_trees(MAX_DEPTH_CEILING)[name])


def test_code_nesting_brackets_past_the_limit_is_left_to_the_interpreter() -> None:
    # Three brackets for every two levels: past MAX_BRACKETS well below the ceiling.
    tree = _deep_trees(MAX_DEPTH_CEILING)["null_compare"]
    source = compile_tree(tree).python_source
    assert source.startswith("# Not compiled") and "MAX_BRACKETS" in source
    _agrees_with_the_interpreter(tree)


def test_brackets_up_to_the_limit_compile_on_this_python() -> None:
    depth = next(
        d for d in range(MAX_DEPTH_CEILING, 0, -1) if _is_compiled(_deep_trees(d)["null_compare"])
    )
    tree = _deep_trees(depth)["null_compare"]
    source = compile_tree(tree).python_source
    assert MAX_BRACKETS - 3 < _depth_of_brackets(source) <= MAX_BRACKETS
    _agrees_with_the_interpreter(tree)


def _depth_of_brackets(line: str) -> int:
    depth = deepest = 0
    for char in line:
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(char, 0)
        deepest = max(deepest, depth)
    return deepest


def test_a_case_of_many_arms_is_compiled_up_to_the_nesting_limit() -> None:
    tree = _wide_case(MAX_NESTING - 10)
    assert _is_compiled(tree)
    _agrees_with_the_interpreter(tree)
    assert compile_tree(tree).evaluate({"x": MAX_NESTING - 11}) == MAX_NESTING - 10.5


def test_a_case_of_thousands_of_arms_is_left_to_the_interpreter() -> None:
    tree = _wide_case(3000)
    source = compile_tree(tree).python_source
    assert source.startswith("# Not compiled") and "MAX_NESTING" in source
    _agrees_with_the_interpreter(tree)
    assert compile_tree(tree).evaluate({"x": 2999}) == 2999.5


def test_tree_deeper_than_the_ceiling_is_too_complex_not_a_crash() -> None:
    tree: Expr = Name("x")
    for _ in range(MAX_DEPTH_CEILING + 5):
        tree = Unary("-", tree)
    with pytest.raises(ExpressionTooComplex):
        compile_tree(tree)


class _BinarySubclass(Binary):
    pass


@pytest.mark.parametrize(
    "tree",
    [
        "value * 2",
        _BinarySubclass("+", Name("a"), Number(1.0)),
        Binary("+", Name("a"), "b"),  # type: ignore[arg-type]
        Case(("arm",)),  # type: ignore[arg-type]
    ],
)
def test_compile_tree_accepts_only_the_parsers_node_classes(tree: object) -> None:
    with pytest.raises(TypeError, match=r"not a syntax node|not a WHEN arm"):
        compile_tree(tree)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "tree",
    [
        Binary("%", Name("a"), Number(1.0)),
        Binary("a) + (b", Name("a"), Number(1.0)),
        Unary("~", Name("a")),
        Case((When(Compare("<>", Name("a"), Number(1.0)), Number(1.0)),)),
        Case((When(BoolOp("xor", Compare("<", Name("a"), Name("b")), IsNull(Name("a"))), Null()),)),
    ],
)
def test_an_unknown_operator_is_a_value_error_never_code(tree: Expr) -> None:
    with pytest.raises(ValueError, match="unknown"):
        compile_tree(tree)


# ----------------------------------------------------------- generated code safety

_HOSTILE_NAMES = [
    "import os",
    "m",
    "x0",
    "k0",
    "c1",
    "_interpret",
    "float",
    "__class__",
    "None",
    "a'b",
    'a"b',
    "a\nb",
    "]) or __import__('os').system('x') or ([",
    "e",
]

#: Every identifier generated code may contain, whatever the tree's names.
_VOCABULARY = {"_make", "_interpret", "evaluate", "evaluate_keywords", "evaluate_columns"}
_VOCABULARY |= {"m", "float", "zip", "values", "append", "Exception", "_power", "_not_null"}
_VOCABULARY |= {"_never_null", "True", "False"}


def _code_tokens(source: str, kind: int) -> list[str]:
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return [t.string for t in tokens if t.type == kind]


def _rename(tree: Expr, names: list[str]) -> Expr:
    def leaf(node: Any) -> Any:
        if type(node) is Name:
            return Name(name=names[sum(map(ord, node.name)) % len(names)])
        return None

    return _map_tree(tree, leaf)  # type: ignore[no-any-return]


@given(trees(), st.lists(st.sampled_from(_HOSTILE_NAMES), min_size=1, max_size=4, unique=True))
def test_a_variable_name_is_only_ever_a_string_literal_of_generated_code(
    tree: Expr, hostile: list[str]
) -> None:
    renamed = _rename(tree, hostile)
    source = compile_tree(renamed).python_source
    # Every string of the code is one of the tree's names, exactly ...
    names = {node.name for node in walk(renamed) if type(node) is Name}
    assert {ast.literal_eval(text) for text in _code_tokens(source, tokenize.STRING)} == names
    # ... and the code uses no identifier beyond the compiler's own.
    identifiers = set(_code_tokens(source, tokenize.NAME))
    other = {i for i in identifiers if not keyword.iskeyword(i)}
    assert {i for i in other if not re.fullmatch(r"x\d+|col\d+|cell\d+", i)} <= _VOCABULARY
    assert every_path(renamed, {}) == dict.fromkeys(
        ("evaluate", "keywords", "columns"), _interpreted(renamed, {})
    )


@given(trees())
def test_generated_code_compiles_without_warnings(tree: Expr) -> None:
    compiler.clear_code_cache()  # so that this tree's source is compiled here
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        source = compile_tree(tree).python_source
        builtins.compile(source, "<test>", "exec")


def test_generated_code_reads_names_and_numbers_as_literals() -> None:
    code = compile_tree(Binary("*", Name("load"), Unary("-", Number(math.inf))))
    assert "float(m['load']) * (-1e999)" in code.python_source
    assert code.evaluate({"load": 2}) == -math.inf


def test_equal_and_signed_zero_numbers_keep_their_values() -> None:
    for tree in (
        Binary("-", Binary("*", Name("x"), Number(2.0)), Number(2.0)),
        Binary("-", Binary("*", Name("x"), Number(2.0)), Number(5.0)),
        Binary("-", Binary("*", Name("x"), Number(0.0)), Unary("-", Number(0.0))),
    ):
        for row in ({"x": 1.0}, {"x": -0.0}, {"x": math.inf}):
            assert every_path(tree, row) == dict.fromkeys(
                ("evaluate", "keywords", "columns"), _interpreted(tree, row)
            )


def test_hand_built_trees_with_int_literals_evaluate_to_floats() -> None:
    tree: Expr = Binary("*", Name("a"), Number(2))
    result = compile_tree(tree).evaluate({"a": 3})
    assert result == 6.0 and type(result) is float


# ----------------------------------------------------------- threads


def test_threads_compiling_and_evaluating_new_shapes_all_get_the_interpreters_results() -> None:
    compiler.clear_code_cache()
    texts = [
        "used * 100 / total",
        "CASE WHEN total = 0 THEN NULL ELSE used / total END",
        "used ^ 2 if total > 1 else -used",
        "used + total + 1",
    ]
    from nflex_metrics.syntax import parse

    tree_list = [parse(text) for text in texts]
    errors: list[object] = []
    barrier = threading.Barrier(4)

    def work(offset: int) -> None:
        barrier.wait()
        for i in range(60):
            tree = tree_list[(i + offset) % len(tree_list)]
            row = {"used": i + offset, "total": (i % 3) or None}
            if outcome(compile_tree(tree).evaluate, row) != _interpreted(tree, row):
                errors.append((offset, i))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
