"""The syntax tree's public API: the node classes, their fields, equality, immutability."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest

from nflex_metrics import nodes
from nflex_metrics.nodes import (
    NO_SPAN,
    Binary,
    BoolOp,
    Case,
    Compare,
    IsNull,
    Name,
    Not,
    Null,
    Number,
    Span,
    Ternary,
    Unary,
    When,
    children,
    walk,
)
from nflex_metrics.syntax import parse

a, b = Name("a"), Name("b")
cond = Compare(">", a, b)

FIELDS = {
    Number: ["value", "span"],
    Name: ["name", "span"],
    Null: ["span"],
    Unary: ["op", "operand", "span"],
    Binary: ["op", "left", "right", "span"],
    When: ["condition", "result", "span"],
    Case: ["whens", "orelse", "span"],
    Ternary: ["body", "condition", "orelse", "span"],
    Compare: ["op", "left", "right", "span"],
    BoolOp: ["op", "left", "right", "span"],
    Not: ["operand", "span"],
    IsNull: ["operand", "negated", "span"],
}

# One node of each class, built positionally with every field but the span.
EXAMPLES = [
    Number(1.0),
    Name("a"),
    Null(),
    Unary("-", a),
    Binary("+", a, b),
    When(cond, a),
    Case((When(cond, a),), b),
    Ternary(a, cond, b),
    cond,
    BoolOp("and", cond, cond),
    Not(cond),
    IsNull(a, True),
]

SPAN = Span(2, 3, 10, 14)


def ids(node: object) -> str:
    return type(node).__name__


@pytest.mark.parametrize("cls", list(FIELDS), ids=lambda cls: cls.__name__)
def test_node_classes_keep_their_field_names_and_order(cls: type) -> None:
    assert [field.name for field in dataclasses.fields(cls)] == FIELDS[cls]


@pytest.mark.parametrize("node", EXAMPLES, ids=ids)
def test_nodes_are_built_by_keyword_as_by_position(node: nodes.Node) -> None:
    fields = {f.name: getattr(node, f.name) for f in dataclasses.fields(node)}
    assert type(node)(**fields) == node
    assert type(node)(**{**fields, "span": SPAN}).span == SPAN


@pytest.mark.parametrize("node", EXAMPLES, ids=ids)
def test_the_span_defaults_to_no_span_and_is_ignored_by_equality_and_hash(
    node: nodes.Node,
) -> None:
    assert node.span == NO_SPAN == Span(0, 0, 0, 0)
    placed = dataclasses.replace(node, span=SPAN)
    assert placed.span == SPAN
    assert placed == node and hash(placed) == hash(node)
    assert "span" not in repr(placed)


@pytest.mark.parametrize("node", EXAMPLES, ids=ids)
def test_nodes_are_immutable(node: nodes.Node) -> None:
    for field in dataclasses.fields(node):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(node, field.name, None)


def test_spans_are_immutable_records_of_four_positions() -> None:
    assert (SPAN.line, SPAN.column, SPAN.start, SPAN.end) == (2, 3, 10, 14)
    assert Span(line=2, column=3, start=10, end=14) == SPAN
    assert repr(SPAN) == "Span(line=2, column=3, start=10, end=14)"
    assert hash(SPAN) == hash(Span(2, 3, 10, 14))
    with pytest.raises(AttributeError):
        SPAN.line = 1  # type: ignore[misc]


def test_nodes_differ_by_class_and_by_field() -> None:
    binary: object = Binary("+", a, b)
    assert binary != Compare("+", a, b)
    assert binary != Binary("-", a, b)
    assert IsNull(a) != IsNull(a, negated=True)
    assert Number(1.0) != Number(2.0)


def test_repr_shows_the_fields_without_spans() -> None:
    tree = parse("-2 ^ 2")
    assert repr(tree) == (
        "Binary(op='^', left=Unary(op='-', operand=Number(value=2.0)), right=Number(value=2.0))"
    )
    assert repr(parse("CASE WHEN a IS NULL THEN NULL END")) == (
        "Case(whens=(When(condition=IsNull(operand=Name(name='a'), negated=False), "
        "result=Null()),), orelse=None)"
    )


def test_parsed_trees_pickle_and_copy_with_their_spans() -> None:
    tree = parse("CASE WHEN a > 0 THEN (b + 1) * 2 ELSE -c END")
    for again in (pickle.loads(pickle.dumps(tree)), copy.deepcopy(tree)):
        assert again == tree
        assert [n.span for n in walk(again)] == [n.span for n in walk(tree)]


def test_children_are_in_source_order() -> None:
    arm = When(cond, a)
    assert children(Case((arm, arm), b)) == (arm, arm, b)
    assert children(Case((arm,))) == (arm,)
    assert children(Ternary(a, cond, b)) == (a, cond, b)
    assert children(IsNull(a)) == (a,)
    assert children(Number(1.0)) == ()
    with pytest.raises(TypeError, match="not a syntax node"):
        children("a")  # type: ignore[arg-type]


def test_walk_is_pre_order_and_survives_deep_trees() -> None:
    tree = parse("a + b * 2")
    assert [type(n).__name__ for n in walk(tree)] == ["Binary", "Name", "Binary", "Name", "Number"]
    deep: nodes.Expr = Number(1.0)
    for _ in range(10_000):
        deep = Unary("-", deep)
    assert sum(1 for _ in walk(deep)) == 10_001


def test_operator_constants() -> None:
    assert nodes.ARITHMETIC_OPS == ("+", "-", "*", "/", "^")
    assert nodes.UNARY_OPS == ("+", "-")
    assert nodes.COMPARE_OPS == ("=", "!=", "<", "<=", ">", ">=")
    assert nodes.BOOL_OPS == ("and", "or")
