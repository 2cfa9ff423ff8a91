"""The 0.2.0 expression parsers and metric mapping, now backed by :mod:`nflex_metrics`.

Everything here is the engine's own object (``VariableLookupError`` is one class
wherever it is imported from); this module only keeps the 0.2.0 import path working.
"""

from __future__ import annotations

from nflex_metrics.dialects import (
    CaseExpressionParser,
    ExpressionParser,
    SimpleExpressionParser,
    TernaryExpressionParser,
)
from nflex_metrics.errors import VariableLookupError
from nflex_metrics.mapping import ParsedEntry, load_metric_mapping

__all__ = [
    "CaseExpressionParser",
    "ExpressionParser",
    "ParsedEntry",
    "SimpleExpressionParser",
    "TernaryExpressionParser",
    "VariableLookupError",
    "load_metric_mapping",
]
