"""The benchmark expressions, shared by every benchmark script.

Each workload has the ``conversion_expr`` text, one row of variables, and the same
formula written by hand in Python three ways, the references our evaluation is
measured against:

- ``by_hand``: on the mapping of variables ``Expression.evaluate`` takes, reading the
  values bare (the floor: no conversion, no check);
- ``by_hand_float``: the same reading each variable with ``float()``, as the engine
  must (a variable may be an int, a numeric string, a Decimal ...): the budget of
  ``Expression.evaluate``;
- ``by_hand_keywords``: the ``float()`` formula as a function of keyword arguments,
  called as ``entry.value(**variables)`` is (with :func:`keyword_row`): the budget of
  ``ParsedEntry.value``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable, Optional


@dataclass(frozen=True)
class Workload:
    """One benchmark expression."""

    label: str
    text: str
    row: Mapping[str, float]
    by_hand: Callable[[Mapping[str, float]], Optional[float]]
    #: The formula reading each variable with ``float()``.
    by_hand_float: Callable[[Mapping[str, Any]], Optional[float]]
    #: The ``float()`` formula taking the variables as keyword arguments.
    by_hand_keywords: Callable[..., Optional[float]]
    #: The same formula as a Python expression, for evaluators such as simpleeval
    #: (None where Python has no equivalent).
    python_text: Optional[str] = None


#: How many keyword arguments ``entry.value(**variables)`` is timed with.
KEYWORDS = 5


def keyword_row(workload: Workload) -> dict[str, Any]:
    """The workload's row padded to :data:`KEYWORDS` variables (a sample usually carries
    fields the conversion does not read).

    >>> sorted(keyword_row(WORKLOADS[0]))
    ['extra_1', 'extra_2', 'extra_3', 'extra_4', 'value']
    """
    row: dict[str, Any] = dict(workload.row)
    for i in range(1, KEYWORDS - len(row) + 1):
        row[f"extra_{i}"] = float(i)
    return row


CASE_5_ARMS = (
    "CASE WHEN state = 1 AND load > 0.9 THEN 100 "
    "WHEN state = 1 AND load > 0.5 THEN 75 "
    "WHEN state = 1 OR load > 0.25 THEN 50 "
    "WHEN state = 2 THEN 25 "
    "WHEN state = 3 AND NOT load > 0 THEN 10 "
    "ELSE 0 END"
)

CASE_5_ARMS_PYTHON = (
    "100 if state == 1 and load > 0.9 else "
    "75 if state == 1 and load > 0.5 else "
    "50 if state == 1 or load > 0.25 else "
    "25 if state == 2 else "
    "10 if state == 3 and not load > 0 else 0"
)


def _case_by_hand(m: Mapping[str, float]) -> float:
    state = m["state"]
    load = m["load"]
    if state == 1 and load > 0.9:
        return 100.0
    if state == 1 and load > 0.5:
        return 75.0
    if state == 1 or load > 0.25:
        return 50.0
    if state == 2:
        return 25.0
    if state == 3 and not load > 0:
        return 10.0
    return 0.0


def _case_float(m: Mapping[str, Any]) -> float:
    state = float(m["state"])
    load = float(m["load"])
    if state == 1.0 and load > 0.9:
        return 100.0
    if state == 1.0 and load > 0.5:
        return 75.0
    if state == 1.0 or load > 0.25:
        return 50.0
    if state == 2.0:
        return 25.0
    if state == 3.0 and not load > 0.0:
        return 10.0
    return 0.0


def _case_keywords(**m: Any) -> float:
    state = float(m["state"])
    load = float(m["load"])
    if state == 1.0 and load > 0.9:
        return 100.0
    if state == 1.0 and load > 0.5:
        return 75.0
    if state == 1.0 or load > 0.25:
        return 50.0
    if state == 2.0:
        return 25.0
    if state == 3.0 and not load > 0.0:
        return 10.0
    return 0.0


WORKLOADS: tuple[Workload, ...] = (
    Workload(
        "scale",
        "value * 10",
        {"value": 123.0},
        lambda m: m["value"] * 10.0,
        lambda m: float(m["value"]) * 10.0,
        lambda **kw: float(kw["value"]) * 10.0,
        "value * 10",
    ),
    Workload(
        "bytes_to_mib",
        "value / 1024 / 1024",
        {"value": 123456789.0},
        lambda m: m["value"] / 1024.0 / 1024.0,
        lambda m: float(m["value"]) / 1024.0 / 1024.0,
        lambda **kw: float(kw["value"]) / 1024.0 / 1024.0,
        "value / 1024 / 1024",
    ),
    Workload(
        "arithmetic",
        "(a + b) * 2 - c / 4",
        {"a": 1.5, "b": 2.5, "c": 8.0},
        lambda m: (m["a"] + m["b"]) * 2.0 - m["c"] / 4.0,
        lambda m: (float(m["a"]) + float(m["b"])) * 2.0 - float(m["c"]) / 4.0,
        lambda **kw: (float(kw["a"]) + float(kw["b"])) * 2.0 - float(kw["c"]) / 4.0,
        "(a + b) * 2 - c / 4",
    ),
    Workload(
        "ternary",
        "value * 100 if total > 0 else 0",
        {"value": 0.25, "total": 4.0},
        lambda m: m["value"] * 100.0 if m["total"] > 0.0 else 0.0,
        lambda m: float(m["value"]) * 100.0 if float(m["total"]) > 0.0 else 0.0,
        lambda **kw: float(kw["value"]) * 100.0 if float(kw["total"]) > 0.0 else 0.0,
        "value * 100 if total > 0 else 0",
    ),
    Workload(
        "case_5_arms",
        CASE_5_ARMS,
        {"state": 1.0, "load": 0.6},
        _case_by_hand,
        _case_float,
        _case_keywords,
        CASE_5_ARMS_PYTHON,
    ),
)
