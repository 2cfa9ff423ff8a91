"""The evaluation rules, one test per rule, run against every evaluation path.

Each test runs four times: the reference interpreter, the compiled ``evaluate`` (the
generated fast path, falling back to the interpreter for a row it cannot finish), the
compiled keyword form (``evaluate_keywords(**variables)``, what ``ParsedEntry.value``
runs), and the columnar batch with one row. Expected values are worked out from the
rule, not copied from output.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Callable, Optional

import pytest

from nflex_metrics.compiler import compile_tree
from nflex_metrics.errors import EvaluationError, NflexMetricsError, VariableLookupError
from nflex_metrics.interpreter import evaluate
from nflex_metrics.nodes import Binary, Expr, Name, Number
from nflex_metrics.syntax import parse

Evaluator = Callable[[str, Mapping[str, object]], Optional[float]]


def _interpreted(text: str, variables: Mapping[str, object]) -> Optional[float]:
    return evaluate(parse(text), variables)


def _compiled(text: str, variables: Mapping[str, object]) -> Optional[float]:
    return compile_tree(parse(text)).evaluate(variables)


def _keywords(text: str, variables: Mapping[str, object]) -> Optional[float]:
    return compile_tree(parse(text)).evaluate_keywords(**variables)


def _columns(text: str, variables: Mapping[str, object]) -> Optional[float]:
    columns = {name: [value] for name, value in variables.items()}
    columns["__row__"] = [None]  # so that a row exists even with no variables
    (result,) = compile_tree(parse(text)).evaluate_columns(columns)
    return result


@pytest.fixture(params=[_interpreted, _compiled, _keywords, _columns], ids=lambda f: f.__name__[1:])
def ev(request: pytest.FixtureRequest) -> Evaluator:
    evaluator: Evaluator = request.param
    return evaluator


# ------------------------------------------------------------ variables


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(3, 3.0), (True, 1.0), (False, 0.0), ("10", 10.0), (" 2.5 ", 2.5), (1.5, 1.5)],
)
def test_variables_are_converted_with_float(ev: Evaluator, raw: object, expected: float) -> None:
    result = ev("x", {"x": raw})
    assert result == expected
    assert type(result) is float


def test_none_variable_is_null(ev: Evaluator) -> None:
    assert ev("x", {"x": None}) is None


@pytest.mark.parametrize(
    ("raw", "type_name"), [("abc", "str"), ([1], "list"), (1j, "complex"), ({}, "dict")]
)
def test_unconvertible_variable_raises_evaluation_error_naming_variable_and_type(
    ev: Evaluator, raw: object, type_name: str
) -> None:
    with pytest.raises(EvaluationError) as info:
        ev("cpu_used * 2", {"cpu_used": raw})
    assert "'cpu_used'" in str(info.value)
    assert type_name in str(info.value)


def test_int_too_large_for_a_float_raises_evaluation_error(ev: Evaluator) -> None:
    with pytest.raises(EvaluationError, match=r"'big'.*int.*too large"):
        ev("big + 1", {"big": 10**400})


def test_absent_variable_raises_variable_lookup_error_naming_it(ev: Evaluator) -> None:
    with pytest.raises(VariableLookupError) as info:
        ev("value * total", {"value": 1})
    assert info.value.name == "total"
    assert "total" in str(info.value)
    assert isinstance(info.value, KeyError)
    assert isinstance(info.value, NflexMetricsError)


def test_short_circuit_never_looks_up_skipped_variable(ev: Evaluator) -> None:
    # FALSE AND x is FALSE without x; TRUE OR x is TRUE without x.
    assert ev("CASE WHEN a > 1 AND missing > 0 THEN 1 ELSE 2 END", {"a": 0}) == 2.0
    assert ev("CASE WHEN a > 1 OR missing > 0 THEN 1 ELSE 2 END", {"a": 5}) == 1.0


def test_branch_not_taken_never_looks_up_its_variables(ev: Evaluator) -> None:
    assert ev("missing if a > 0 else 7", {"a": 0}) == 7.0
    assert ev("3 if a > 0 else missing", {"a": 1}) == 3.0
    assert ev("CASE WHEN a > 0 THEN 1 WHEN missing > 0 THEN missing END", {"a": 1}) == 1.0


def test_unknown_left_side_of_and_still_evaluates_the_right_side(ev: Evaluator) -> None:
    # UNKNOWN AND x depends on x, so x is looked up.
    with pytest.raises(VariableLookupError):
        ev("CASE WHEN a > 1 AND missing > 0 THEN 1 END", {"a": None})


def test_arithmetic_evaluates_both_operands_even_when_one_is_null(ev: Evaluator) -> None:
    with pytest.raises(VariableLookupError):
        ev("NULL + missing", {})


def test_result_is_a_float_for_int_inputs(ev: Evaluator) -> None:
    result = ev("a + b", {"a": 2, "b": 3})
    assert result == 5.0
    assert type(result) is float


# ------------------------------------------------------------ division and power


def test_division_by_zero_is_zero(ev: Evaluator) -> None:
    assert ev("used / avail", {"used": 5, "avail": 0}) == 0.0
    assert ev("0 / 0", {}) == 0.0


def test_division_by_zero_then_multiplied_is_zero(ev: Evaluator) -> None:
    assert ev("1 / 0 * 5", {}) == 0.0


def test_division_by_negative_zero_is_zero(ev: Evaluator) -> None:
    assert ev("1 / x", {"x": -0.0}) == 0.0


def test_zero_to_a_negative_power_is_zero(ev: Evaluator) -> None:
    assert ev("0 ^ -1", {}) == 0.0
    assert ev("x ^ y", {"x": 0, "y": float("-inf")}) == 0.0


def test_power_overflow_raises_evaluation_error(ev: Evaluator) -> None:
    with pytest.raises(EvaluationError, match="too large"):
        ev("10 ^ 400", {})


def test_non_real_power_raises_evaluation_error(ev: Evaluator) -> None:
    with pytest.raises(EvaluationError, match="not a real number"):
        ev("(-8) ^ 0.5", {})


def test_power_is_right_associative_and_real(ev: Evaluator) -> None:
    assert ev("2 ^ 3 ^ 2", {}) == 2.0**9
    assert ev("(-8) ^ 3", {}) == -512.0


# ------------------------------------------------------------ IEEE 754


def test_add_subtract_multiply_divide_overflow_to_inf_without_error(ev: Evaluator) -> None:
    assert ev("x * 10", {"x": 1e308}) == math.inf
    assert ev("x / 1e-10", {"x": 1e308}) == math.inf
    assert ev("1e400", {}) == math.inf


def test_inf_minus_inf_is_nan(ev: Evaluator) -> None:
    result = ev("x - x", {"x": math.inf})
    assert result is not None and math.isnan(result)


def test_nan_is_a_number_so_comparisons_are_false_not_unknown(ev: Evaluator) -> None:
    assert ev("CASE WHEN x = x THEN 1 WHEN x != x THEN 2 END", {"x": math.nan}) == 2.0
    assert ev("CASE WHEN x IS NULL THEN 1 ELSE 0 END", {"x": "nan"}) == 0.0


def test_negative_zero_keeps_its_sign(ev: Evaluator) -> None:
    result = ev("-x", {"x": 0})
    assert result == 0.0 and math.copysign(1.0, result) == -1.0


# ------------------------------------------------------------ NULL


@pytest.mark.parametrize("text", ["a + NULL", "NULL * 2", "-a", "a / NULL", "a ^ 2", "+a"])
def test_arithmetic_with_null_is_null(ev: Evaluator, text: str) -> None:
    assert ev(text, {"a": None}) is None


def test_null_divided_by_zero_is_null(ev: Evaluator) -> None:
    assert ev("a / 0", {"a": None}) is None


def test_null_comparison_is_unknown_so_not_of_it_is_unknown(ev: Evaluator) -> None:
    # Neither the comparison nor its negation is TRUE: no arm is taken.
    text = "CASE WHEN a = NULL THEN 1 WHEN NOT a = NULL THEN 2 END"
    assert ev(text, {"a": 1}) is None
    assert ev("CASE WHEN x != 1 THEN 1 ELSE 2 END", {"x": None}) == 2.0


def test_is_null_and_is_not_null_are_true_or_false_never_unknown(ev: Evaluator) -> None:
    assert ev("CASE WHEN x IS NULL THEN 1 ELSE 2 END", {"x": None}) == 1.0
    assert ev("CASE WHEN x IS NOT NULL THEN 1 ELSE 2 END", {"x": None}) == 2.0
    assert ev("CASE WHEN x + 1 IS NOT NULL THEN 1 ELSE 2 END", {"x": 0}) == 1.0


_TRUTH = {True: "1 = 1", False: "1 = 0", None: "NULL = 1"}
# Kleene's strong three-valued logic, with None for UNKNOWN.
_AND = {
    (True, True): True, (True, False): False, (True, None): None,
    (False, True): False, (False, False): False, (False, None): False,
    (None, True): None, (None, False): False, (None, None): None,
}  # fmt: skip


def _truth_of(ev: Evaluator, condition: str) -> Optional[bool]:
    result = ev(f"CASE WHEN {condition} THEN 1 WHEN NOT ({condition}) THEN 0 END", {})
    return None if result is None else result == 1.0


@pytest.mark.parametrize(("left", "right"), list(_AND))
def test_and_or_not_follow_kleene_logic(
    ev: Evaluator, left: Optional[bool], right: Optional[bool]
) -> None:
    expected_or = None if None in (left, right) and True not in (left, right) else (left or right)
    assert _truth_of(ev, f"({_TRUTH[left]}) AND ({_TRUTH[right]})") is _AND[left, right]
    assert _truth_of(ev, f"({_TRUTH[left]}) OR ({_TRUTH[right]})") is expected_or
    assert _truth_of(ev, f"NOT ({_TRUTH[left]})") is (None if left is None else not left)


def test_when_takes_the_branch_only_when_true(ev: Evaluator) -> None:
    text = "CASE WHEN x > 0 THEN 1 ELSE 2 END"
    assert ev(text, {"x": 1}) == 1.0
    assert ev(text, {"x": 0}) == 2.0  # FALSE
    assert ev(text, {"x": None}) == 2.0  # UNKNOWN


def test_if_takes_the_branch_only_when_true(ev: Evaluator) -> None:
    text = "1 if x > 0 else 2"
    assert ev(text, {"x": 1}) == 1.0
    assert ev(text, {"x": 0}) == 2.0
    assert ev(text, {"x": None}) == 2.0


def test_first_true_arm_wins(ev: Evaluator) -> None:
    assert ev("CASE WHEN x > 0 THEN 1 WHEN x > -1 THEN 2 END", {"x": 5}) == 1.0


def test_case_without_true_arm_or_else_is_null(ev: Evaluator) -> None:
    assert ev("CASE WHEN x > 0 THEN 1 END", {"x": -1}) is None


def test_case_is_an_operand_and_null_result_propagates(ev: Evaluator) -> None:
    assert ev("CASE WHEN x > 0 THEN 1 END * 8", {"x": 1}) == 8.0
    assert ev("CASE WHEN x > 0 THEN 1 END * 8", {"x": -1}) is None


def test_hand_built_trees_with_int_literals_evaluate_to_floats() -> None:
    tree: Expr = Binary("*", Name("a"), Number(2))
    assert evaluate(tree, {"a": 3}) == 6.0
    assert type(evaluate(tree, {"a": 3})) is float
    assert compile_tree(tree).evaluate({"a": 3}) == 6.0


def _nested_list(depth: int) -> list[object]:
    value: list[object] = []
    for _ in range(depth):
        value = [value]
    return value


class _BadRepr:
    def __repr__(self) -> str:
        raise RuntimeError("no repr")


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (_nested_list(100_000), "[[[...]]]"),
        ("y" * 10_000_000, "'yyyy"),
        (10**5000, "<an int of about 5,001 digits>"),
        ([1.5] * 1_000_000, "[1.5, 1.5,"),
        (_BadRepr(), "<_BadRepr instance at"),
    ],
    ids=["deep list", "long string", "huge int", "long list", "failing repr"],
)
def test_a_bad_value_is_named_in_a_short_message_whatever_its_size(raw: object, shown: str) -> None:
    with pytest.raises(EvaluationError) as info:
        evaluate(Name("a"), {"a": raw})
    message = str(info.value)
    assert message.startswith(f"variable 'a' has type {type(raw).__name__} and value ")
    assert shown in message and len(message) < 150
