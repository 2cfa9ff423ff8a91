"""The syntax tree: small immutable nodes, nothing else.

Nodes are dumb data. Equality and hashing ignore source positions, so that
``parse(unparse(tree)) == tree``; behaviour lives in the visitors
(:mod:`~nflex_metrics.interpreter`, :mod:`~nflex_metrics.compiler`,
:mod:`~nflex_metrics.unparse`).

Two kinds of node exist and never mix: *values* (:data:`Expr`: numbers, NULL and
arithmetic) and *conditions* (:data:`Cond`: comparisons and their logic). A
condition is never a value, which is what makes ``(a > b) * 2`` a syntax error.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple, Optional, Union

__all__ = [
    "ARITHMETIC_OPS",
    "BOOL_OPS",
    "COMPARE_OPS",
    "NO_SPAN",
    "UNARY_OPS",
    "Binary",
    "BoolOp",
    "Case",
    "Compare",
    "Cond",
    "Expr",
    "IsNull",
    "Name",
    "Node",
    "Not",
    "Null",
    "Number",
    "Span",
    "Ternary",
    "Unary",
    "When",
    "children",
    "walk",
]


class Span(NamedTuple):
    """Where a node starts in its source: 1-based ``line`` and ``column``, and the
    0-based character offsets ``start`` (inclusive) and ``end`` (exclusive).

    A named tuple (so it also equals the plain tuple of its four numbers): the parser
    makes one per node, and a tuple is the cheapest immutable record to make (a frozen
    dataclass costs about three times as much).
    """

    line: int
    column: int
    start: int
    end: int


#: The span of a node built by hand rather than parsed.
NO_SPAN = Span(0, 0, 0, 0)


#: Binary arithmetic operators, canonical spelling.
ARITHMETIC_OPS = ("+", "-", "*", "/", "^")
#: Unary sign operators.
UNARY_OPS = ("+", "-")
#: Relations, canonical spelling (``==`` parses as ``=``, ``<>`` as ``!=``).
COMPARE_OPS = ("=", "!=", "<", "<=", ">", ">=")
#: Logical connectives, canonical (lower-case) spelling.
BOOL_OPS = ("and", "or")


# ---------------------------------------------------------------- values


@dataclass(frozen=True)
class Number:
    """A numeric literal; always a float (``1e400`` is ``inf``)."""

    value: float
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True)
class Name:
    """A variable reference."""

    name: str
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True)
class Null:
    """The ``NULL`` literal."""

    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True)
class Unary:
    """``op operand`` with ``op`` in :data:`UNARY_OPS`."""

    op: str
    operand: Expr
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True)
class Binary:
    """``left op right`` with ``op`` in :data:`ARITHMETIC_OPS`."""

    op: str
    left: Expr
    right: Expr
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True)
class When:
    """One ``WHEN condition THEN result`` arm of a :class:`Case`."""

    condition: Cond
    result: Expr
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True)
class Case:
    """A searched ``CASE``: the first arm whose condition is TRUE wins;
    ``orelse`` is ``None`` when there is no ``ELSE`` (the result is then NULL)."""

    whens: tuple[When, ...]
    orelse: Optional[Expr] = None
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True)
class Ternary:
    """Python's ``body if condition else orelse``."""

    body: Expr
    condition: Cond
    orelse: Expr
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


# ------------------------------------------------------------ conditions


@dataclass(frozen=True)
class Compare:
    """``left op right`` with ``op`` in :data:`COMPARE_OPS`."""

    op: str
    left: Expr
    right: Expr
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True)
class BoolOp:
    """``left op right`` with ``op`` in :data:`BOOL_OPS` (three-valued logic)."""

    op: str
    left: Cond
    right: Cond
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True)
class Not:
    """``NOT operand`` (three-valued logic)."""

    operand: Cond
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True)
class IsNull:
    """``operand IS NULL``, or ``operand IS NOT NULL`` when ``negated``."""

    operand: Expr
    negated: bool = False
    span: Span = field(default=NO_SPAN, compare=False, repr=False)


Expr = Union[Number, Name, Null, Unary, Binary, Case, Ternary]
Cond = Union[Compare, BoolOp, Not, IsNull]
Node = Union[Expr, Cond, When]


def children(node: Node) -> tuple[Node, ...]:
    """The direct children of ``node``, in source order."""
    if isinstance(node, (Number, Name, Null)):
        return ()
    if isinstance(node, (Unary, Not, IsNull)):
        return (node.operand,)
    if isinstance(node, (Binary, Compare, BoolOp)):
        return (node.left, node.right)
    if isinstance(node, When):
        return (node.condition, node.result)
    if isinstance(node, Case):
        return (*node.whens, node.orelse) if node.orelse is not None else node.whens
    if isinstance(node, Ternary):
        return (node.body, node.condition, node.orelse)
    raise TypeError(f"not a syntax node: {node!r}")


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree in pre-order, without recursion.

    >>> [type(n).__name__ for n in walk(Binary("+", Name("a"), Number(1.0)))]
    ['Binary', 'Name', 'Number']
    """
    stack: list[Node] = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))
