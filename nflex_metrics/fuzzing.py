"""Search each metric's inputs for values its conversion cannot handle.

For every entry with a ``conversion_expr``, hypothesis draws the variables the expression
reads (:func:`nflex_metrics.strategies.metric_samples`: finite numbers >= 0 by default,
with zeros, NULLs and huge values) and looks for a sample that makes the conversion raise,
give a number that is not finite (``inf``, NaN), or leave the metric's ``expect_range``.
What it finds is shrunk to a small example. The search is bounded (``max_examples``) and
reproducible: the same ``seed`` gives the same samples, and no example database is used.

Needs hypothesis (``pip install 'nflex-connector-utils[testing]'``).

>>> from nflex_metrics import parse_metric_mapping
>>> mapping = parse_metric_mapping("bits: {conversion_expr: value * 8}")
>>> result = fuzz_entry("bits", mapping["bits"], seed=0, max_examples=50)
>>> result.finding.reason
'not a finite number'
>>> fuzz_entry("bits", mapping["bits"], FuzzSettings({"value": (0, 1e18)}), seed=0).ok
True
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

import hypothesis
from hypothesis import HealthCheck, Phase, Verbosity

from . import strategies
from .testing import FuzzSettings

if TYPE_CHECKING:
    from .mapping import ParsedEntry

__all__ = [
    "DEFAULT_MAX_EXAMPLES",
    "FuzzFinding",
    "FuzzResult",
    "FuzzSettings",
    "fuzz_entry",
    "fuzz_mapping",
]

#: Samples tried per entry unless told otherwise: small enough for every CI run.
DEFAULT_MAX_EXAMPLES = 100


@dataclass(frozen=True)
class FuzzFinding:
    """A sample a conversion cannot handle: ``got`` is the value or the exception raised,
    ``reason`` says what is wrong with it."""

    variables: Mapping[str, Optional[float]]
    got: object
    reason: str


@dataclass(frozen=True)
class FuzzResult:
    """The search of one entry: the (shrunk) finding, if any; ``skipped`` says why an
    entry was not searched (it has no conversion)."""

    metric: str
    finding: Optional[FuzzFinding] = None
    skipped: Optional[str] = None

    @property
    def ok(self) -> bool:
        return self.finding is None


class _Found(Exception):
    """Raised inside the search to fail it; hypothesis re-raises the shrunk one."""

    def __init__(self, finding: FuzzFinding) -> None:
        super().__init__(finding.reason)
        self.finding = finding


def _check(
    entry: ParsedEntry, variables: dict[str, Optional[float]], settings: FuzzSettings
) -> Optional[FuzzFinding]:
    try:
        got = entry.value(**variables)
    except Exception as err:  # an EvaluationError, or a bug: either is a finding
        return FuzzFinding(dict(variables), err, f"raised {type(err).__name__}: {err}")
    if got is None:  # NULL: no value, which is never wrong
        return None
    if not math.isfinite(got):
        return FuzzFinding(dict(variables), got, "not a finite number")
    if settings.expect_range is not None:
        low, high = settings.expect_range
        if not low <= got <= high:
            reason = f"outside expect_range [{low:g}, {high:g}]"
            return FuzzFinding(dict(variables), got, reason)
    return None


def fuzz_entry(
    metric: str,
    entry: ParsedEntry,
    settings: Optional[FuzzSettings] = None,
    *,
    seed: Optional[int] = None,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
) -> FuzzResult:
    """Search the samples of one entry (named ``metric`` in reports) for a problem."""
    settings = settings or FuzzSettings()
    expression = entry.expression
    if expression is None:
        return FuzzResult(metric, skipped="no conversion: the value passes through unchanged")
    samples = strategies.metric_samples(
        expression.variables, ranges=settings.ranges, nullable=settings.nullable
    )

    @hypothesis.settings(
        max_examples=max_examples,
        database=None,
        deadline=None,
        derandomize=False,
        phases=(Phase.explicit, Phase.generate, Phase.target, Phase.shrink),
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
    )
    @hypothesis.given(samples)
    def search(variables: dict[str, Optional[float]]) -> None:
        finding = _check(entry, variables, settings)
        if finding is not None:
            raise _Found(finding)

    if seed is not None:
        search = hypothesis.seed(seed)(search)
    try:
        search()
    except _Found as found:
        return FuzzResult(metric, found.finding)
    return FuzzResult(metric)


def fuzz_mapping(
    mapping: Mapping[str, ParsedEntry],
    settings: Optional[Mapping[str, FuzzSettings]] = None,
    *,
    metrics: Optional[Iterable[str]] = None,
    seed: Optional[int] = None,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
) -> list[FuzzResult]:
    """:func:`fuzz_entry` for each entry of ``mapping`` (or those named in ``metrics``),
    with its :class:`FuzzSettings` from ``settings`` (default: the defaults)."""
    settings = settings or {}
    keys = list(mapping) if metrics is None else list(metrics)
    return [
        fuzz_entry(key, mapping[key], settings.get(key), seed=seed, max_examples=max_examples)
        for key in keys
    ]
