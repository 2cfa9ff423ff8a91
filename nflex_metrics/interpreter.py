"""The reference evaluator: a slow, obvious tree walker over the language's rules.

It is the oracle the compiler is tested against, so it favours clarity over speed.
The few rules that need care live in small public helpers (:func:`lookup`,
:func:`coerce_variable`, :func:`divide`, :func:`power`). The compiled code calls
:func:`power` too and hands every row it cannot finish to :func:`evaluate`, so both
agree on every value and on every error message.

The rules that need a decision (the compiler follows them exactly):

- A variable is converted with ``float()``, so everything ``float()`` accepts is a
  number: ints, bools, floats (and their subclasses), ``Decimal``, ``Fraction``,
  numpy scalars, and strings or bytes such as ``"10"``, ``" 2.5 "``, ``"1_000"``,
  ``"inf"`` or ``"nan"``. ``None`` is NULL. Anything else raises
  :class:`~nflex_metrics.errors.EvaluationError`.
- NaN is a number, not NULL: arithmetic follows IEEE 754 (``inf - inf`` is NaN), a
  comparison with NaN is FALSE except ``!=``, which is TRUE.
- Both operands of an arithmetic operator are evaluated, left first, even when one
  is NULL (only AND/OR and the branches of IF/CASE skip evaluation).
- Division by zero (``0.0`` or ``-0.0``) gives ``0.0`` whatever the dividend,
  NaN and infinities included; ``0 ^ y`` for any negative ``y`` (``-inf`` too)
  gives ``0.0``.
- ``^`` follows Python's float power otherwise: ``inf ^ 2`` is ``inf`` and
  ``nan ^ 0`` is ``1.0``; only a finite result that overflows, or a complex one,
  raises.

>>> from nflex_metrics.nodes import Binary, Name, Number
>>> evaluate(Binary("/", Name("used"), Number(0.0)), {"used": "12"})
0.0
"""

from __future__ import annotations

import reprlib
from collections.abc import Mapping
from typing import Optional

from .errors import EvaluationError, VariableLookupError
from .nodes import (
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
)

__all__ = ["coerce_variable", "divide", "evaluate", "lookup", "power"]

#: A value: a float, or None for NULL.
Value = Optional[float]
#: A truth value in three-valued logic: True, False, or None for UNKNOWN.
Truth = Optional[bool]


def _bounded_repr() -> reprlib.Repr:
    shown = reprlib.Repr()
    shown.maxlevel = 2  # a list nested 100,000 deep is shown as [[...]]
    shown.maxstring = shown.maxother = shown.maxlong = 40
    return shown


_REPR = _bounded_repr()


def _short_repr(value: object, limit: int = 40) -> str:
    """``repr(value)`` cut to ``limit`` characters, in time and memory bounded for any
    container, string or number (a value's own ``__repr__`` may still be slow)."""
    try:
        text = _REPR.repr(value)
    except Exception:  # a __repr__ that raises, or an int past the int-to-str limit
        if isinstance(value, int):
            return f"<an int of about {int(value.bit_length() * 0.30103) + 1:,} digits>"
        return f"<{type(value).__name__} object>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def coerce_variable(name: str, raw: object) -> Value:
    """Convert the value given for variable ``name``: None is NULL, else ``float(raw)``.

    >>> coerce_variable("x", " 2.5 "), coerce_variable("x", True), coerce_variable("x", None)
    (2.5, 1.0, None)
    """
    if raw is None:
        return None
    try:
        return float(raw)  # type: ignore[arg-type]
    except OverflowError:
        why = "is too large for a float"
    except (TypeError, ValueError):
        why = "is not a number"
    raise EvaluationError(
        f"variable {name!r} has type {type(raw).__name__} and value {_short_repr(raw)}, which {why}"
    )


def lookup(variables: Mapping[str, object], name: str) -> Value:
    """The value of variable ``name``, converted; :class:`VariableLookupError` if absent."""
    try:
        raw = variables[name]
    except KeyError:
        raise VariableLookupError(name) from None
    return coerce_variable(name, raw)


def divide(left: float, right: float) -> float:
    """``left / right``, with division by zero giving ``0.0`` (the 0.2.0 rule)."""
    if right == 0.0:
        return 0.0
    return left / right


def power(left: float, right: float) -> float:
    """``left ^ right``; ``0 ^ negative`` is ``0.0``; overflow or a complex result raises.

    >>> power(2.0, -1.0), power(0.0, -1.0)
    (0.5, 0.0)
    """
    if left == 0.0 and right < 0.0:
        return 0.0
    try:
        result: float | complex = left**right
    except OverflowError:
        raise EvaluationError(f"{left!r} ^ {right!r} is too large for a float") from None
    if isinstance(result, complex):
        raise EvaluationError(f"{left!r} ^ {right!r} is not a real number")
    return result


def evaluate(node: Expr, variables: Mapping[str, object]) -> Value:
    """Evaluate the value tree ``node`` with ``variables``: a float, or None for NULL.

    >>> from nflex_metrics.nodes import Binary, Name, Null
    >>> evaluate(Binary("*", Name("value"), Null()), {"value": 3}) is None
    True
    """
    if isinstance(node, Number):
        return float(node.value)
    if isinstance(node, Name):
        return lookup(variables, node.name)
    if isinstance(node, Null):
        return None
    if isinstance(node, Unary):
        operand = evaluate(node.operand, variables)
        if operand is None:
            return None
        return -operand if node.op == "-" else operand
    if isinstance(node, Binary):
        left = evaluate(node.left, variables)
        right = evaluate(node.right, variables)
        if left is None or right is None:
            return None
        return _arithmetic(node.op, left, right)
    if isinstance(node, Case):
        for when in node.whens:
            if _truth(when.condition, variables) is True:
                return evaluate(when.result, variables)
        return None if node.orelse is None else evaluate(node.orelse, variables)
    if isinstance(node, Ternary):
        if _truth(node.condition, variables) is True:
            return evaluate(node.body, variables)
        return evaluate(node.orelse, variables)
    raise TypeError(f"not a value node: {node!r}")


def _arithmetic(op: str, left: float, right: float) -> float:
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    if op == "/":
        return divide(left, right)
    if op == "^":
        return power(left, right)
    raise ValueError(f"unknown arithmetic operator {op!r}")


def _truth(node: Cond, variables: Mapping[str, object]) -> Truth:
    """Evaluate a condition in three-valued logic: True, False or None (UNKNOWN)."""
    if isinstance(node, Compare):
        left = evaluate(node.left, variables)
        right = evaluate(node.right, variables)
        if left is None or right is None:
            return None
        return _compare(node.op, left, right)
    if isinstance(node, IsNull):
        is_null = evaluate(node.operand, variables) is None
        return not is_null if node.negated else is_null
    if isinstance(node, Not):
        operand = _truth(node.operand, variables)
        return None if operand is None else not operand
    if isinstance(node, BoolOp):
        # Kleene logic; the right side is skipped when the left decides the result.
        decisive = node.op == "or"
        left_truth = _truth(node.left, variables)
        if left_truth is decisive:
            return decisive
        right_truth = _truth(node.right, variables)
        if right_truth is decisive:
            return decisive
        if left_truth is None or right_truth is None:
            return None
        return not decisive
    raise TypeError(f"not a condition node: {node!r}")


def _compare(op: str, left: float, right: float) -> bool:
    if op == "=":
        return left == right
    if op == "!=":
        return left != right
    if op == "<":
        return left < right
    if op == "<=":
        return left <= right
    if op == ">":
        return left > right
    if op == ">=":
        return left >= right
    raise ValueError(f"unknown comparison operator {op!r}")
