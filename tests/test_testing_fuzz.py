"""The fuzzing API (``nflex_metrics.fuzzing``): what it finds, within which ranges, and
that a seed reproduces a search."""

from __future__ import annotations

import math

import pytest

from nflex_metrics import parse_metric_mapping
from nflex_metrics.errors import EvaluationError
from nflex_metrics.fuzzing import FuzzSettings, fuzz_entry, fuzz_mapping
from nflex_metrics.mapping import ParsedEntry

#: Few samples: each of these searches finds its problem quickly or has none to find.
EXAMPLES = 30


def entry(expression: str) -> ParsedEntry:
    return parse_metric_mapping(f"m: {{conversion_expr: '{expression}'}}")["m"]


def test_an_overflow_that_raises_is_found_with_the_error() -> None:
    result = fuzz_entry("m", entry("10 ^ value"), seed=0, max_examples=EXAMPLES)
    assert result.finding is not None
    assert isinstance(result.finding.got, EvaluationError)
    assert result.finding.reason.startswith("raised EvaluationError: ")
    with pytest.raises(EvaluationError):  # the example reproduces the problem
        entry("10 ^ value").value(**result.finding.variables)


def test_a_result_that_is_not_finite_is_found() -> None:
    result = fuzz_entry("m", entry("value / total"), seed=0, max_examples=EXAMPLES)
    assert result.finding is not None and result.finding.reason == "not a finite number"
    variables = result.finding.variables
    assert math.isinf(entry("value / total").value(**variables))


def test_a_result_outside_expect_range_is_found_and_is_a_real_counterexample() -> None:
    settings = FuzzSettings({"value": (0.0, 2.0)}, expect_range=(0.0, 100.0))
    result = fuzz_entry("m", entry("value * 100"), settings, seed=0, max_examples=EXAMPLES)
    assert result.finding is not None
    assert result.finding.reason == "outside expect_range [0, 100]"
    value = result.finding.variables["value"]
    assert value is not None and 1.0 < value <= 2.0
    assert result.finding.got == value * 100


def test_ranges_bound_the_samples_so_a_safe_range_finds_nothing() -> None:
    settings = FuzzSettings({"value": (0.0, 1.0)}, expect_range=(0.0, 100.0))
    assert fuzz_entry("m", entry("value * 100"), settings, seed=0, max_examples=EXAMPLES).ok


def test_nulls_are_drawn_unless_nullable_is_false() -> None:
    null_gives_ten = entry("CASE WHEN value IS NULL THEN 10 ELSE 0 END")
    found = fuzz_entry("m", null_gives_ten, FuzzSettings(expect_range=(0.0, 1.0)), seed=0)
    assert found.finding is not None and found.finding.variables == {"value": None}
    never_null = FuzzSettings(nullable=False, expect_range=(0.0, 1.0))
    assert fuzz_entry("m", null_gives_ten, never_null, seed=0, max_examples=EXAMPLES).ok


def test_nullable_may_name_the_variables_that_can_be_null() -> None:
    expression = entry("CASE WHEN a IS NULL THEN 10 WHEN b IS NULL THEN 0 ELSE 0 END")
    only_b = FuzzSettings(nullable=frozenset({"b"}), expect_range=(0.0, 1.0))
    assert fuzz_entry("m", expression, only_b, seed=0, max_examples=EXAMPLES).ok


def test_default_samples_are_non_negative() -> None:
    settings = FuzzSettings(nullable=False, expect_range=(-math.inf, 0.0))
    assert fuzz_entry("m", entry("0 - value"), settings, seed=0, max_examples=EXAMPLES).ok


def test_the_same_seed_finds_the_same_example() -> None:
    runs = [fuzz_entry("m", entry("a * b - c"), seed=11, max_examples=EXAMPLES) for _ in range(2)]
    assert runs[0] == runs[1] and runs[0].finding is not None


def test_an_entry_without_conversion_is_skipped_not_searched() -> None:
    result = fuzz_entry("m", parse_metric_mapping("m: {unit: B}")["m"], seed=0)
    assert result.ok and result.skipped is not None and "no conversion" in result.skipped


def test_fuzz_mapping_searches_each_entry_or_those_named_with_their_settings() -> None:
    mapping = parse_metric_mapping(
        "pct: {conversion_expr: value * 100}\nbits: {conversion_expr: value * 8}\nraw: {}\n"
    )
    results = fuzz_mapping(mapping, seed=0, max_examples=EXAMPLES)
    assert [(r.metric, r.ok, r.skipped is None) for r in results] == [
        ("pct", False, True),
        ("bits", False, True),
        ("raw", True, False),
    ]
    settings = {"pct": FuzzSettings({"value": (0.0, 1.0)}, expect_range=(0.0, 100.0))}
    named = fuzz_mapping(mapping, settings, metrics=["pct"], seed=0, max_examples=EXAMPLES)
    assert [(r.metric, r.ok) for r in named] == [("pct", True)]


def test_the_fuzzing_api_is_importable_from_nflex_metrics_testing_too() -> None:
    from nflex_metrics import fuzzing, testing

    assert testing.fuzz_mapping is fuzzing.fuzz_mapping
    assert testing.fuzz_entry is fuzzing.fuzz_entry
