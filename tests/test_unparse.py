"""Canonical text (nflex_metrics.unparse): examples, and parse(unparse(tree)) == tree."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nflex_metrics.limits import MAX_DEPTH_CEILING, Limits
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
)
from nflex_metrics.strategies import trees
from nflex_metrics.syntax import parse
from nflex_metrics.unparse import format_number, unparse

ROOMY = Limits(max_depth=MAX_DEPTH_CEILING, max_nodes=10**6)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("value*100", "value * 100"),
        ("a - (b - c)", "a - (b - c)"),
        ("(a - b) - c", "a - b - c"),
        ("(2^3)^2", "(2 ^ 3) ^ 2"),
        ("2^(3^2)", "2 ^ 3 ^ 2"),
        ("(-2)^2", "-2 ^ 2"),
        ("-(2^2)", "-(2 ^ 2)"),
        ("2^(-1)", "2 ^ -1"),
        ("- -1", "- -1"),
        ("+(1)", "+1"),
        ("a * (b + c) / d", "a * (b + c) / d"),
        ("value * 100 IF total > 0 ELSE 0", "value * 100 if total > 0 else 0"),
        ("(1 if a > 1 else 2) + 1", "(1 if a > 1 else 2) + 1"),
        ("1 if a > 1 else (2 if b > 1 else 3)", "1 if a > 1 else 2 if b > 1 else 3"),
        ("case when a == 1 then null else 1e400 end", "CASE WHEN a = 1 THEN NULL ELSE 1e999 END"),
        ("(CASE WHEN a <> b THEN 1 END) * 8", "CASE WHEN a != b THEN 1 END * 8"),
        (
            "CASE WHEN (a = 0 and b = 0) or not b >= a THEN 1 END",
            "CASE WHEN a = 0 AND b = 0 OR NOT b >= a THEN 1 END",
        ),
        (
            "CASE WHEN a = 0 and (b = 0 or c = 0) THEN 1 END",
            "CASE WHEN a = 0 AND (b = 0 OR c = 0) THEN 1 END",
        ),
        (
            "CASE WHEN not (a = 1 and b = 1) THEN 1 END",
            "CASE WHEN NOT (a = 1 AND b = 1) THEN 1 END",
        ),
        ("CASE WHEN a is not null THEN 1 END", "CASE WHEN a IS NOT NULL THEN 1 END"),
        (
            "CASE WHEN (a if b > 0 else c) > 1 THEN 1 END",
            "CASE WHEN (a if b > 0 else c) > 1 THEN 1 END",
        ),
        ("(end - start) / 1000", "(end - start) / 1000"),
        ("1.50", "1.5"),
        ("2.5E+2", "250"),
        ("1e-3", "0.001"),
    ],
)
def test_unparse_gives_canonical_text(text: str, canonical: str) -> None:
    assert unparse(parse(text)) == canonical
    assert parse(canonical) == parse(text)


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.0, "0"), (1.0, "1"), (0.1, "0.1"), (1e16, "1e+16"), (1e-07, "1e-07"), (math.inf, "1e999")],
)
def test_numbers_print_as_shortest_literal_that_reparses(value: float, text: str) -> None:
    assert format_number(value) == text
    assert parse(text) == Number(value)


@pytest.mark.parametrize("value", [-1.0, -0.0, math.nan])
def test_numbers_without_a_literal_are_rejected(value: float) -> None:
    with pytest.raises(ValueError):
        format_number(value)


def test_unparse_handles_the_deepest_allowed_tree_without_recursion() -> None:
    tree: Expr = Name("a")
    for _ in range(MAX_DEPTH_CEILING - 1):
        tree = Binary("-", Name("b"), tree)  # right-nested: every level needs parentheses
    assert parse(unparse(tree), limits=ROOMY) == tree
    deep: Expr = Name("a")
    for _ in range(100_000):
        deep = Unary("-", deep)
    text = unparse(deep)  # "- " per sign, except the innermost one: "- - ... -a"
    assert len(text) == 2 * 100_000 and text.endswith("- -a")


def test_unparse_renders_when_arms_and_conditions() -> None:
    assert unparse(When(IsNull(Name("a")), Null())) == "WHEN a IS NULL THEN NULL"
    assert unparse(Not(Compare("<", Name("a"), Number(1.0)))) == "NOT a < 1"


# ----------------------------------------------------------- round trip, generated

# A strategy of its own (beside nflex_metrics.strategies.trees, which avoids keyword-like
# names): names that spell keywords stay names in the positions the strategy puts them in.
NAMES = st.sampled_from(["a", "b", "x_1", "e", "end", "then", "when", "else", "If", "is"])
NUMBERS = st.floats(min_value=0.0, allow_nan=False).filter(lambda v: math.copysign(1, v) > 0)


def expressions(*, case: bool, ternary: bool) -> st.SearchStrategy[Expr]:
    """Trees of one dialect: `case` allows CASE, `ternary` ternaries anywhere (and the
    conditions of both use the whole condition language)."""
    leaves = st.one_of(NUMBERS.map(Number), NAMES.map(Name), st.just(Null()))
    relation = st.sampled_from(["=", "!=", "<", "<=", ">", ">="])
    exprs: st.SearchStrategy[Expr] = st.deferred(lambda: st.one_of(leaves, *compound))
    conds: st.SearchStrategy[Cond] = st.deferred(
        lambda: st.one_of(
            st.builds(Compare, relation, exprs, exprs),
            st.builds(IsNull, exprs, st.booleans()),
            st.builds(Not, conds),
            st.builds(BoolOp, st.sampled_from(["and", "or"]), conds, conds),
        )
    )
    compound: list[st.SearchStrategy[Expr]] = [
        st.builds(Unary, st.sampled_from(["+", "-"]), exprs),
        st.builds(Binary, st.sampled_from(["+", "-", "*", "/", "^"]), exprs, exprs),
    ]
    if case:
        arms = st.lists(st.builds(When, conds, exprs), min_size=1, max_size=3)
        compound.append(st.builds(Case, arms.map(tuple), st.none() | exprs))
    if ternary:
        compound.append(st.builds(Ternary, exprs, conds, exprs))
    return exprs


@given(expressions(case=True, ternary=True))
def test_parse_unparse_round_trip_full(tree: Expr) -> None:
    assert parse(unparse(tree), limits=ROOMY) == tree


@given(expressions(case=False, ternary=False))
def test_parse_unparse_round_trip_arithmetic(tree: Expr) -> None:
    assert parse(unparse(tree), "arithmetic", ROOMY) == tree


@given(expressions(case=True, ternary=True))
def test_unparse_is_canonical(tree: Expr) -> None:
    text = unparse(tree)
    assert unparse(parse(text, limits=ROOMY)) == text
    assert "  " not in text and text == text.strip()


@pytest.mark.parametrize("dialect", ["full", "arithmetic", "ternary", "case", "simple"])
@given(data=st.data())
def test_round_trip_of_public_strategy_trees(dialect: str, data: st.DataObject) -> None:
    tree = data.draw(trees(dialect))
    assert parse(unparse(tree), dialect, ROOMY) == tree  # type: ignore[arg-type]
