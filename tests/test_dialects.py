"""The four 0.2.0 parser classes: each accepts exactly its 0.2.0 language and
returns None after a warning for anything else."""

from __future__ import annotations

import logging

import pytest

from nflex_metrics import (
    CaseExpressionParser,
    ExpressionParser,
    ExpressionSyntaxError,
    Limits,
    SimpleExpressionParser,
    TernaryExpressionParser,
)
from nflex_metrics.dialects import ExpressionParser as DialectsExpressionParser

ARITHMETIC = ["value * 100", "value / 1024 / 1024", "-2^2", "(end - start) / 1000", "+ 1"]
TERNARY = ["value * 100 if total > 0 else 0", "a if b != c else d", "1 if x = 2 else -x"]
CASE = [
    "CASE WHEN a = 1 THEN 2 END",
    "case when a = b then a + b else (CASE WHEN a > 0 THEN a END) * 8 end",
    "CASE WHEN disk_avail = 0 THEN NULL ELSE disk_used / disk_avail * 100 END",
]
NEVER = ["value *", "", "a < b < c", "(a > b) * 2", "CASE END"]

ACCEPTS = {
    ExpressionParser: ARITHMETIC,
    TernaryExpressionParser: TERNARY,
    CaseExpressionParser: CASE,
    SimpleExpressionParser: ARITHMETIC + TERNARY,
}
REJECTS = {
    ExpressionParser: [*TERNARY, *CASE, "a > b", "CASE WHEN a = 1 THEN 2 END * 8"],
    TernaryExpressionParser: [*ARITHMETIC, *CASE, "1 if a > b and c > d else 2"],
    CaseExpressionParser: [*ARITHMETIC, *TERNARY, "CASE WHEN a = 1 THEN 2 END * 8"],
    SimpleExpressionParser: [*CASE, "1 if (CASE WHEN a = 1 THEN 1 END) > 0 else 2"],
}


@pytest.mark.parametrize(
    ("parser_class", "text"),
    [(cls, text) for cls, texts in ACCEPTS.items() for text in texts],
)
def test_each_parser_accepts_its_0_2_0_language(parser_class: type, text: str) -> None:
    result = parser_class().parse(text)
    assert result is not None
    assert callable(result.evaluate)


@pytest.mark.parametrize(
    ("parser_class", "text"),
    [(cls, text) for cls, texts in REJECTS.items() for text in [*texts, *NEVER]],
)
def test_each_parser_rejects_other_languages_with_none_and_a_warning(
    parser_class: type, text: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    assert parser_class().parse(text) is None
    (record,) = caplog.records
    assert record.name == "root" and record.levelno == logging.WARNING
    assert record.msg == 'Failed to parse "%s": %s'
    text_arg, err = record.args  # type: ignore[misc]
    assert text_arg == text and isinstance(err, ExpressionSyntaxError)
    assert record.getMessage() == f'Failed to parse "{text}": {err}'


def test_parsed_expressions_evaluate_like_0_2_0() -> None:
    assert ExpressionParser().parse("value * 10").evaluate({"value": 2}) == 20.0  # type: ignore[union-attr]
    ternary = TernaryExpressionParser().parse("value * 100 if total > 0 else 0")
    assert ternary is not None
    assert ternary.evaluate({"value": 0.5, "total": 1}) == 50.0
    assert ternary.evaluate({"value": 0.5, "total": 0}) == 0.0
    case = CaseExpressionParser().parse("CASE WHEN b = 0 THEN NULL ELSE a / b END")
    assert case is not None
    assert case.evaluate({"a": 1, "b": 0}) is None
    assert case.evaluate({"a": 1, "b": 4}) == 0.25


def test_parser_classes_keep_the_0_2_0_inheritance_chain() -> None:
    assert issubclass(SimpleExpressionParser, CaseExpressionParser)
    assert issubclass(CaseExpressionParser, TernaryExpressionParser)
    assert issubclass(TernaryExpressionParser, ExpressionParser)
    assert ExpressionParser is DialectsExpressionParser


def test_parse_takes_the_0_2_0_argument_name() -> None:
    assert ExpressionParser().parse(expression="1 + 1") is not None


def test_parse_rejects_a_non_string_with_type_error() -> None:
    with pytest.raises(TypeError, match="expression must be a str, got int"):
        ExpressionParser().parse(5)  # type: ignore[arg-type]


def test_parser_limits_are_configurable(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    text = "1 + 2 + 3 + 4"
    assert ExpressionParser().parse(text) is not None
    assert ExpressionParser(limits=Limits(max_length=5)).parse(text) is None
    assert "Failed to parse" in caplog.records[0].getMessage()
