"""Syntax tree -> canonical text: the inverse of :func:`~nflex_metrics.syntax.parse`.

Canonical means: SQL keywords in capitals (``CASE WHEN THEN ELSE END``, ``AND OR NOT``,
``IS [NOT] NULL``, ``NULL``), the ternary in Python's lower-case ``if``/``else``, single
spaces around binary operators, no space after a unary sign, and only the parentheses
that precedence requires. ``parse(unparse(tree), dialect) == tree`` for every tree that
``parse`` can produce in that dialect. Works with an explicit stack, so any depth is safe.

>>> from nflex_metrics.syntax import parse
>>> unparse(parse("case when (A>0) then -(2)^2 else (1e400) end*(x+y)"))
'CASE WHEN A > 0 THEN -2 ^ 2 ELSE 1e999 END * (x + y)'
"""

from __future__ import annotations

import math
from typing import Union

from . import nodes

__all__ = ["format_number", "unparse"]

# How tightly each kind of node binds (higher is tighter). A child whose level is
# below what its position requires is parenthesised.
_BINARY_LEVEL = {"+": 2, "-": 2, "*": 3, "/": 3, "^": 4}
# (left, right) levels required of the children of each binary operator.
_BINARY_NEEDS = {"+": (2, 3), "-": (2, 3), "*": (3, 4), "/": (3, 4), "^": (5, 4)}
_ATOM = 6

#: The literal printed for infinity: any exponent past float range parses to ``inf``.
INFINITY_TEXT = "1e999"


def format_number(value: float) -> str:
    """The shortest literal that parses back to exactly ``value``.

    >>> [format_number(v) for v in (1.0, 0.5, 1e-05, 1e300, float("inf"))]
    ['1', '0.5', '1e-05', '1e+300', '1e999']
    """
    if math.isnan(value) or math.copysign(1.0, value) < 0:
        raise ValueError(f"no literal for {value!r}: number literals are >= 0 and not NaN")
    if math.isinf(value):
        return INFINITY_TEXT
    if value.is_integer() and value < 1e16:
        return str(int(value))
    return repr(value)


def _level(node: nodes.Node) -> int:
    if isinstance(node, nodes.Ternary):
        return 1
    if isinstance(node, nodes.Binary):
        return _BINARY_LEVEL[node.op]
    if isinstance(node, nodes.Unary):
        return 5
    if isinstance(node, nodes.BoolOp):
        return 1 if node.op == "or" else 2
    if isinstance(node, nodes.Not):
        return 3
    if isinstance(node, (nodes.Compare, nodes.IsNull)):
        return 4
    return _ATOM


_Piece = Union[str, tuple[nodes.Node, int]]


def _pieces(node: nodes.Node) -> list[_Piece]:
    """The text of ``node`` as literal strings and (child, required level) pairs."""
    if isinstance(node, nodes.Number):
        return [format_number(node.value)]
    if isinstance(node, nodes.Name):
        return [node.name]
    if isinstance(node, nodes.Null):
        return ["NULL"]
    if isinstance(node, nodes.Unary):
        operand_sign = isinstance(node.operand, nodes.Unary)
        return [node.op + (" " if operand_sign else ""), (node.operand, 5)]
    if isinstance(node, nodes.Binary):
        left, right = _BINARY_NEEDS[node.op]
        return [(node.left, left), f" {node.op} ", (node.right, right)]
    if isinstance(node, nodes.Ternary):
        return [(node.body, 2), " if ", (node.condition, 0), " else ", (node.orelse, 1)]
    if isinstance(node, nodes.Case):
        pieces: list[_Piece] = ["CASE"]
        for arm in node.whens:
            pieces += [" WHEN ", (arm.condition, 0), " THEN ", (arm.result, 0)]
        if node.orelse is not None:
            pieces += [" ELSE ", (node.orelse, 0)]
        return [*pieces, " END"]
    if isinstance(node, nodes.When):
        return ["WHEN ", (node.condition, 0), " THEN ", (node.result, 0)]
    if isinstance(node, nodes.Compare):
        return [(node.left, 2), f" {node.op} ", (node.right, 2)]
    if isinstance(node, nodes.BoolOp):
        left = 1 if node.op == "or" else 2
        return [(node.left, left), f" {node.op.upper()} ", (node.right, left + 1)]
    if isinstance(node, nodes.Not):
        return ["NOT ", (node.operand, 3)]
    if isinstance(node, nodes.IsNull):
        return [(node.operand, 2), " IS NOT NULL" if node.negated else " IS NULL"]
    raise TypeError(f"not a syntax node: {node!r}")


def unparse(node: nodes.Node) -> str:
    """Canonical text for ``node`` (an expression, a condition or a WHEN arm).

    >>> from nflex_metrics.nodes import Binary, Name, Number
    >>> unparse(Binary("-", Name("a"), Binary("-", Name("b"), Number(1.0))))
    'a - (b - 1)'
    """
    out: list[str] = []
    work: list[_Piece] = [(node, 0)]
    while work:
        item = work.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        child, needed = item
        pieces = _pieces(child)
        if _level(child) < needed:
            pieces = ["(", *pieces, ")"]
        work.extend(reversed(pieces))
    return "".join(out)
