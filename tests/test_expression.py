"""Expression: the public object, its cache, batches and pickling."""

from __future__ import annotations

import builtins
import multiprocessing
import pickle
import re
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nflex_metrics import expression
from nflex_metrics.errors import ExpressionSyntaxError, VariableLookupError
from nflex_metrics.expression import Expression, compile
from nflex_metrics.interpreter import evaluate
from nflex_metrics.limits import DEFAULT_LIMITS, MAX_DEPTH, MAX_DEPTH_CEILING, MAX_LENGTH, Limits
from nflex_metrics.nodes import Binary, Case, Compare, Expr, Name, Number, Unary, When
from nflex_metrics.strategies import trees, variables_for

TEXT = "CASE WHEN disk_avail = 0 THEN NULL ELSE disk_used / disk_avail * 100 END"


def test_expression_exposes_source_dialect_tree_and_variables() -> None:
    expr = compile(TEXT)
    assert expr.source == TEXT
    assert expr.dialect == "full"
    assert expr.variables == frozenset({"disk_avail", "disk_used"})
    assert evaluate(expr.tree, {"disk_avail": 4, "disk_used": 1}) == 25.0
    assert repr(expr) == f"Expression({TEXT!r}, dialect='full')"


def test_python_source_is_python_naming_the_variables_it_runs_with() -> None:
    source = compile(TEXT).python_source
    builtins.compile(source, "<python_source>", "exec")
    assert "'disk_avail'" in source and "'disk_used'" in source


def test_evaluate_and_call_agree() -> None:
    expr = compile(TEXT)
    assert expr.evaluate({"disk_avail": 4, "disk_used": 1}) == 25.0
    assert expr(disk_avail=4, disk_used=1) == 25.0
    assert expr(disk_avail=0) is None


def test_evaluate_taken_before_the_first_call_keeps_working() -> None:
    expr = Expression("value * 10 + other")
    before = expr.evaluate  # the method, before any code is generated
    assert before({"value": 1, "other": 2}) == 12.0
    after = expr.evaluate
    assert after({"value": 1, "other": 2}) == before({"value": 1, "other": 2}) == 12.0
    with pytest.raises(VariableLookupError):
        before({"value": 1})


ROWS = [
    {"disk_avail": 4, "disk_used": 1},
    {"disk_avail": 0, "disk_used": 1},
    {"disk_avail": None, "disk_used": 1},
    {"disk_avail": "8", "disk_used": 2.5},
    {"disk_used": 1},
]


def _outcome(function: object, row: dict[str, object]) -> object:
    try:
        return function(row)  # type: ignore[operator]
    except Exception as err:
        return type(err), str(err)


def test_values_are_the_interpreters_before_and_after_the_code_is_generated() -> None:
    # The first INTERPRETED_CALLS evaluations are interpreted, the later ones run
    # generated code: every call, on either side of the switch, gives the same outcome.
    expr = Expression(TEXT)
    calls = expression.INTERPRETED_CALLS + 2 * len(ROWS)
    got = [_outcome(expr.evaluate, ROWS[i % len(ROWS)]) for i in range(calls)]
    want = [
        _outcome(lambda row: evaluate(expr.tree, row), ROWS[i % len(ROWS)]) for i in range(calls)
    ]
    assert got == want


def test_calling_the_expression_counts_like_evaluate() -> None:
    expr = Expression("value * 10 if value > 0 else NULL")
    for i in range(expression.INTERPRETED_CALLS + 5):
        assert expr(value=i) == (i * 10.0 if i > 0 else None)


def test_expression_is_immutable() -> None:
    expr = compile("value * 10")
    with pytest.raises(AttributeError):
        expr.source = "other"


def test_evaluate_many_is_evaluate_of_each_row() -> None:
    expr = compile("value * 100 if total > 0 else 0")
    rows: list[dict[str, object]] = [
        {"value": 0.5, "total": 1},
        {"value": None, "total": 1},
        {"value": 3, "total": 0},
    ]
    assert expr.evaluate_many(rows) == [expr.evaluate(row) for row in rows] == [50.0, None, 0.0]


def test_evaluate_columns_is_evaluate_of_each_row() -> None:
    expr = compile(TEXT)
    columns: dict[str, list[object]] = {
        "disk_avail": [4, 0, None, 2],
        "disk_used": [1, None, 1, "3"],
    }
    rows = [dict(zip(columns, values)) for values in zip(*columns.values())]
    assert expr.evaluate_columns(columns) == [expr.evaluate(r) for r in rows]


@st.composite
def tree_and_rows(draw: st.DrawFn) -> tuple[Expr, list[dict[str, object]]]:
    tree = draw(trees())
    return tree, draw(st.lists(variables_for(tree, allow_missing=True), max_size=5))


@given(tree_and_rows())
def test_evaluate_many_matches_the_interpreter(case: tuple[Expr, list[dict[str, object]]]) -> None:
    tree, rows = case
    expr = Expression.from_tree(tree, source="<generated>")
    try:
        expected = [evaluate(tree, row) for row in rows]
    except Exception as error:
        with pytest.raises(type(error), match=re.escape(str(error))):
            expr.evaluate_many(rows)
        return
    got = expr.evaluate_many(rows)
    assert [repr(v) for v in got] == [repr(v) for v in expected]


def test_missing_variable_raises_lookup_error_from_every_entry_point() -> None:
    expr = compile("value * total")
    with pytest.raises(VariableLookupError):
        expr.evaluate({"value": 1})
    with pytest.raises(VariableLookupError):
        expr(value=1)
    with pytest.raises(VariableLookupError):
        expr.evaluate_columns({"value": [1]})


def test_compile_returns_the_same_object_for_the_same_text() -> None:
    assert compile("a * 2") is compile("a * 2")
    assert compile("a * 2") is not compile("a * 2", "arithmetic")
    assert compile("a * 2") is not compile("a * 2", limits=Limits(max_depth=50))


def test_compile_cache_is_bounded() -> None:
    assert expression.cache_info().maxsize == expression.CACHE_SIZE
    expression.clear_cache()
    for i in range(expression.CACHE_SIZE + 10):
        compile(f"v * {i}")
    assert expression.cache_info().currsize == expression.CACHE_SIZE


def test_compile_rejects_syntax_errors_and_non_strings() -> None:
    with pytest.raises(ExpressionSyntaxError):
        compile("value * / 10")
    with pytest.raises(TypeError, match="must be a str"):
        compile(10)  # type: ignore[arg-type]


def test_equal_when_canonical_forms_are_equal() -> None:
    assert compile("a*2") == compile("a * 2.0")
    assert hash(compile("a*2")) == hash(compile("a * 2.0"))
    assert compile("a*2") != compile("a*3")
    assert compile("a*2") != compile("a*2", "arithmetic")


def test_pickle_round_trip_keeps_source_dialect_and_limits() -> None:
    limits = Limits(max_depth=20)
    for expr in (compile(TEXT), compile("a * 2", "arithmetic", limits)):
        copy = pickle.loads(pickle.dumps(expr))
        assert (copy.source, copy.dialect, copy.limits) == (expr.source, expr.dialect, expr.limits)
        assert copy == expr


def _deep_tree(depth: int) -> Expr:
    tree: Expr = Name("x")
    for _ in range(depth - 1):
        tree = Unary("-", tree)
    return tree


def _long_case(arms: int) -> Expr:
    whens = tuple(
        When(Compare("=", Name("state"), Number(float(i))), Number(i * 10.0)) for i in range(arms)
    )
    return Case(whens, Number(0.5))


@pytest.mark.parametrize("source", [None, "<generated>"])
@pytest.mark.parametrize(
    "tree",
    [_deep_tree(150), _deep_tree(MAX_DEPTH_CEILING), _long_case(600)],
    ids=["depth 150", "depth at the ceiling", "canonical text over 10,000 characters"],
)
def test_whatever_from_tree_accepts_round_trips_through_pickle(
    tree: Expr, source: str | None
) -> None:
    expr = Expression.from_tree(tree, source=source)
    assert len(expr.canonical) > MAX_LENGTH or expr.limits.max_depth > MAX_DEPTH
    copy = pickle.loads(pickle.dumps(expr))
    assert copy == expr
    assert (copy.source, copy.dialect, copy.limits) == (expr.source, expr.dialect, expr.limits)
    for row in ({"x": 2, "state": 7}, {"x": None, "state": None}):
        assert copy.evaluate(row) == expr.evaluate(row) == evaluate(tree, row)


def test_from_tree_keeps_the_default_limits_where_they_suffice() -> None:
    from nflex_metrics.syntax import parse

    expr = Expression.from_tree(parse("a * 2 if b > 0 else 1"))
    assert expr.limits == DEFAULT_LIMITS
    assert pickle.loads(pickle.dumps(expr)) == expr


def test_from_tree_past_the_depth_ceiling_is_too_complex() -> None:
    from nflex_metrics.errors import ExpressionTooComplex

    with pytest.raises(ExpressionTooComplex):
        Expression.from_tree(_deep_tree(MAX_DEPTH_CEILING + 1))


def test_threads_evaluating_one_new_expression_all_get_its_values() -> None:
    expr = Expression(TEXT)  # not compiled yet: every thread may be the first
    barrier = threading.Barrier(4)
    results: list[object] = []

    def work(n: int) -> None:
        barrier.wait()
        results.extend(expr.evaluate({"disk_avail": 4, "disk_used": n + i}) for i in range(50))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == sorted((n + i) / 4 * 100 for n in range(4) for i in range(50))


def _evaluate_in_worker(job: tuple[Expression, dict[str, object]]) -> float | None:
    expr, variables = job
    return expr.evaluate(variables)


def test_expressions_evaluate_in_spawned_worker_processes() -> None:
    expr = compile(TEXT)
    deep = Expression.from_tree(_deep_tree(150), source="<deep>")
    jobs: list[tuple[Expression, dict[str, object]]] = [
        (expr, {"disk_avail": 4, "disk_used": 1}),
        (expr, {"disk_avail": 0}),
        (deep, {"x": 3}),
    ]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        assert pool.map(_evaluate_in_worker, jobs) == [25.0, None, -3.0]


def test_canonical_is_the_unparsed_tree() -> None:
    assert compile("a*2").canonical == compile("a * 2.0").canonical


@pytest.mark.parametrize(
    "tree",
    [
        Compare("5", Name("a"), Number(1.0)),
        Binary("%", Name("a"), Number(1.0)),
        Number(-1.0),  # the parser makes Unary("-", Number(1.0)) of "-1"
        Name("not a name"),
        Binary("*", Compare("<", Name("a"), Name("b")), Number(2.0)),  # type: ignore[arg-type]
        "value * 2",
    ],
)
def test_from_tree_rejects_trees_the_parser_cannot_produce(tree: Expr) -> None:
    with pytest.raises(ValueError, match="syntax tree"):
        Expression.from_tree(tree)


def test_from_tree_checks_the_dialect() -> None:
    tree = Case((When(Compare("=", Name("a"), Number(1.0)), Number(2.0)),))
    assert Expression.from_tree(tree).evaluate({"a": 1}) == 2.0
    with pytest.raises(ValueError, match="not a valid arithmetic syntax tree"):
        Expression.from_tree(tree, dialect="arithmetic")
