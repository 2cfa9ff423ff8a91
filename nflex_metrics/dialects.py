"""The four 0.2.0 parser classes, now front ends to the one engine.

Each accepts exactly its 0.2.0 language through a dialect of the grammar and
returns a compiled :class:`~nflex_metrics.expression.Expression` (an object with
``evaluate(variables)``), or ``None`` after logging a warning, as 0.2.0 did::

    >>> TernaryExpressionParser().parse("value * 100 if total > 0 else 0").evaluate(
    ...     {"value": 0.5, "total": 2})
    50.0

The classes keep 0.2.0's inheritance chain (``SimpleExpressionParser`` is a
``CaseExpressionParser`` is a ``TernaryExpressionParser`` is an ``ExpressionParser``),
so ``isinstance`` checks written against 0.2.0 still hold.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, ClassVar, Optional

from .errors import ExpressionSyntaxError
from .limits import DEFAULT_LIMITS, Limits

if TYPE_CHECKING:
    from .expression import Expression
    from .syntax import Dialect

__all__ = [
    "CaseExpressionParser",
    "ExpressionParser",
    "SimpleExpressionParser",
    "TernaryExpressionParser",
]


class ExpressionParser:
    """Arithmetic with variables: ``+ - * / ^``, unary signs, parentheses (no conditions).

    ``limits`` (not in 0.2.0, optional) bounds what :meth:`parse` accepts.
    """

    #: The grammar dialect this class accepts.
    dialect: ClassVar[Dialect] = "arithmetic"

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits

    def parse(self, expression: str) -> Optional[Expression]:
        """Compile ``expression``; on a syntax error log a warning and return None."""
        from .expression import compile

        if not isinstance(expression, str):
            raise TypeError(f"expression must be a str, got {type(expression).__name__}")
        try:
            return compile(expression, dialect=self.dialect, limits=self.limits)
        except ExpressionSyntaxError as err:
            logging.warning('Failed to parse "%s": %s', expression, err)
            return None


class TernaryExpressionParser(ExpressionParser):
    """Only a Python-style ternary: ``arith if arith REL arith else arith``."""

    dialect: ClassVar[Dialect] = "ternary"


class CaseExpressionParser(TernaryExpressionParser):
    """Only a whole ``CASE WHEN ... THEN ... [ELSE ...] END`` (CASE may nest in operands)."""

    dialect: ClassVar[Dialect] = "case"


class SimpleExpressionParser(CaseExpressionParser):
    """A ternary or plain arithmetic (no CASE): what 0.2.0's mapping loader accepted."""

    dialect: ClassVar[Dialect] = "simple"
