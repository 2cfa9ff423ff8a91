"""nflex_metrics: a compiled metric conversion engine for NTT CMP connector modules.

``conversion_expr`` texts from a ``mapping.yaml`` are parsed by the LALR grammar of
``grammars/`` (tables generated with Lark, not needed at run time), checked against
:class:`Limits`, and compiled once into cached Python functions::

    >>> from nflex_metrics import compile
    >>> compile("value * 100 if total > 0 else 0").evaluate({"value": 0.5, "total": 3})
    50.0

Heavy imports (PyYAML, the parser's tables) happen on first use, so
``import nflex_metrics`` is cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import (
    EvaluationError,
    ExpressionSyntaxError,
    ExpressionTooComplex,
    MappingError,
    MappingProblem,
    NflexMetricsError,
    VariableLookupError,
)
from .limits import DEFAULT_LIMITS, Limits

# Imported eagerly (it is small): the function shares its name with its module, and a
# lazy attribute would be shadowed by the module once anything imported
# ``nflex_metrics.unparse``.
from .unparse import unparse

if TYPE_CHECKING:
    from .dialects import (
        CaseExpressionParser,
        ExpressionParser,
        SimpleExpressionParser,
        TernaryExpressionParser,
    )
    from .expression import Expression, compile
    from .mapping import (
        MetricMapping,
        ParsedEntry,
        load_metric_mapping,
        metric_mapping_from_dict,
        parse_metric_mapping,
    )
    from .syntax import parse

__version__ = "1.0.0.dev0"

# Public name -> module that defines it; imported on first attribute access.
_LAZY = {
    "CaseExpressionParser": "dialects",
    "ExpressionParser": "dialects",
    "SimpleExpressionParser": "dialects",
    "TernaryExpressionParser": "dialects",
    "Expression": "expression",
    "compile": "expression",
    "MetricMapping": "mapping",
    "ParsedEntry": "mapping",
    "load_metric_mapping": "mapping",
    "metric_mapping_from_dict": "mapping",
    "parse_metric_mapping": "mapping",
    "parse": "syntax",
}

__all__ = [
    "DEFAULT_LIMITS",
    "CaseExpressionParser",
    "EvaluationError",
    "Expression",
    "ExpressionParser",
    "ExpressionSyntaxError",
    "ExpressionTooComplex",
    "Limits",
    "MappingError",
    "MappingProblem",
    "MetricMapping",
    "NflexMetricsError",
    "ParsedEntry",
    "SimpleExpressionParser",
    "TernaryExpressionParser",
    "VariableLookupError",
    "compile",
    "load_metric_mapping",
    "metric_mapping_from_dict",
    "parse",
    "parse_metric_mapping",
    "unparse",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'nflex_metrics' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
