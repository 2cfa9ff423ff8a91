"""The expression language's syntax: one test per rule of the language.

Valid examples with the tree they must give, invalid ones with the error class, the
message and the line/column the error must point at; then the limits and the dialects.
"""

from __future__ import annotations

import contextlib
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nflex_metrics.errors import ExpressionSyntaxError, ExpressionTooComplex, NflexMetricsError
from nflex_metrics.limits import MAX_DEPTH_CEILING, Limits
from nflex_metrics.nodes import (
    Binary,
    BoolOp,
    Case,
    Compare,
    Expr,
    IsNull,
    Name,
    Not,
    Null,
    Number,
    Ternary,
    Unary,
    When,
    walk,
)
from nflex_metrics.syntax import DIALECTS, parse

a, b, c, x = Name("a"), Name("b"), Name("c"), Name("x")


def n(value: float) -> Number:
    return Number(float(value))


def syntax_error(text: str, dialect: str = "full", **limits: int) -> ExpressionSyntaxError:
    with pytest.raises(ExpressionSyntaxError) as info:
        parse(text, dialect, Limits(**limits))  # type: ignore[arg-type]
    return info.value


# ------------------------------------------------------------------- 1.1 tokens


def test_whitespace_including_newlines_may_separate_any_two_tokens() -> None:
    assert parse(" a\n*\t2\r\n") == Binary("*", a, n(2))
    block = "CASE\n  WHEN a = 1\n  THEN 2\nELSE\n  3\nEND\n"
    assert parse(block) == Case((When(Compare("=", a, n(1)), n(2)),), n(3))


@pytest.mark.parametrize(
    ("blanks", "dollar_at"), [(" " * 2_000, (1, 2_002)), (" \t\r\n" * 500, (501, 1))]
)
def test_long_runs_of_blanks_are_skipped_once(blanks: str, dollar_at: tuple[int, int]) -> None:
    # Blanks at the end, where no token follows them, once sent the lexer's regular
    # expression into backtracking exponential in their length (30 spaces took minutes).
    assert parse("a" + blanks) == a
    assert parse(blanks + "a" + blanks + "+" + blanks + "1" + blanks) == Binary("+", a, n(1))
    err = syntax_error("a +" + blanks)
    assert (err.line, err.column) == (1, 4) and "ends too early" in err.message
    err = syntax_error("a" + blanks + "$" + blanks)
    assert (err.line, err.column) == dollar_at and "unexpected character '$'" in err.message


@pytest.mark.parametrize(
    ("text", "value"),
    [("1", 1.0), ("1.", 1.0), ("1.00", 1.0), ("1e5", 1e5), ("1e-3", 1e-3), ("2.5E+2", 250.0)],
)
def test_number_forms_are_floats(text: str, value: float) -> None:
    tree = parse(text)
    assert tree == Number(value)
    assert isinstance(tree, Number) and type(tree.value) is float


def test_number_past_float_range_is_inf() -> None:
    tree = parse("1e400")
    assert isinstance(tree, Number) and math.isinf(tree.value)


def test_number_cannot_start_with_a_dot() -> None:
    err = syntax_error(".5")
    assert (err.line, err.column) == (1, 1)
    assert "0.5" in err.message


@pytest.mark.parametrize("name", ["e", "variable1", "cpu_used", "X_1_"])
def test_names_are_a_letter_then_letters_digits_underscores(name: str) -> None:
    assert parse(name) == Name(name)


@pytest.mark.parametrize(("text", "column"), [("_a", 1), ("__", 1), ("1a", 2), ("1_", 2)])
def test_invalid_names_are_syntax_errors(text: str, column: int) -> None:
    err = syntax_error(text)
    assert type(err) is ExpressionSyntaxError
    assert (err.line, err.column) == (1, column)


def test_non_ascii_letters_are_not_names() -> None:
    err = syntax_error("a * é")
    assert err.column == 5 and "'é'" in err.message


def test_keywords_are_case_insensitive() -> None:
    expected = Case((When(Compare("=", a, n(1)), n(2)),), n(3))
    assert parse("CaSe wHeN a = 1 tHeN 2 ElSe 3 EnD") == expected
    assert parse("a If b > 1 ElSe c") == Ternary(a, Compare(">", b, n(1)), c)
    assert parse("CASE WHEN a iS nOt NuLl aNd NoT b = 1 oR c = 1 THEN 1 END") == Case(
        (
            When(
                BoolOp(
                    "or",
                    BoolOp("and", IsNull(a, negated=True), Not(Compare("=", b, n(1)))),
                    Compare("=", c, n(1)),
                ),
                n(1),
            ),
        )
    )


def test_a_keyword_is_a_name_where_the_grammar_cannot_take_it() -> None:
    assert parse("(end - start) / 1000") == Binary(
        "/", Binary("-", Name("end"), Name("start")), n(1000)
    )
    assert parse("then + else * when") == Binary(
        "+", Name("then"), Binary("*", Name("else"), Name("when"))
    )
    assert parse("CASE WHEN end = 1 THEN end END") == Case(
        (When(Compare("=", Name("end"), n(1)), Name("end")),)
    )
    assert parse("if if is > 0 else and") == Ternary(
        Name("if"), Compare(">", Name("is"), n(0)), Name("and")
    )


def test_case_and_null_are_always_keywords_where_an_operand_is_expected() -> None:
    assert parse("null * 2") == Binary("*", Null(), n(2))
    assert parse("Null") == Null()
    err = syntax_error("case * 2")
    assert (err.line, err.column) == (1, 6)
    assert "WHEN" in err.message


def test_a_number_directly_followed_by_a_keyword_is_two_tokens() -> None:
    assert parse("CASE WHEN a = 1 THEN 2ELSE 3END") == Case(
        (When(Compare("=", a, n(1)), n(2)),), n(3)
    )
    assert parse("1if a>0else 2") == Ternary(n(1), Compare(">", a, n(0)), n(2))
    assert syntax_error("2ELSE").column == 2


@pytest.mark.parametrize("op", ["+", "-", "*", "/", "^"])
def test_arithmetic_operators(op: str) -> None:
    assert parse(f"a{op}b") == Binary(op, a, b)


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("=", "="),
        ("==", "="),
        ("!=", "!="),
        ("<>", "!="),
        ("<", "<"),
        ("<=", "<="),
        (">", ">"),
        (">=", ">="),
    ],
)
def test_relations_and_their_canonical_spelling(spelling: str, canonical: str) -> None:
    assert parse(f"1 if a {spelling} b else 0") == Ternary(n(1), Compare(canonical, a, b), n(0))


# ----------------------------------------------------------- 1.2 grammar levels


def test_ternary_binds_loosest_in_python_order() -> None:
    assert parse("value * 100 if total > 0 else 0") == Ternary(
        Binary("*", Name("value"), n(100)), Compare(">", Name("total"), n(0)), n(0)
    )
    assert parse("1 + 1 if a > 2 else 0") == Ternary(
        Binary("+", n(1), n(1)), Compare(">", a, n(2)), n(0)
    )


def test_ternary_else_branch_nests_to_the_right() -> None:
    assert parse("1 if a > 1 else 2 if b > 1 else 3") == Ternary(
        n(1), Compare(">", a, n(1)), Ternary(n(2), Compare(">", b, n(1)), n(3))
    )


def test_ternary_body_needs_parentheses_to_nest() -> None:
    inner = Ternary(n(1), Compare(">", a, n(1)), n(2))
    assert parse("(1 if a > 1 else 2) if b > 1 else 3") == Ternary(
        inner, Compare(">", b, n(1)), n(3)
    )
    assert parse("(1 if a > 1 else 2) * 3") == Binary("*", inner, n(3))


def test_additive_operators_are_left_associative() -> None:
    assert parse("a - b - c") == Binary("-", Binary("-", a, b), c)
    assert parse("a - b + c") == Binary("+", Binary("-", a, b), c)


def test_multiplicative_operators_bind_tighter_and_are_left_associative() -> None:
    assert parse("a + b * c") == Binary("+", a, Binary("*", b, c))
    assert parse("a / b / c") == Binary("/", Binary("/", a, b), c)
    assert parse("value / 1024 / 1024") == Binary("/", Binary("/", Name("value"), n(1024)), n(1024))


def test_power_is_right_associative_and_binds_tighter_than_product() -> None:
    assert parse("2^2^2") == Binary("^", n(2), Binary("^", n(2), n(2)))
    assert parse("a * b ^ c") == Binary("*", a, Binary("^", b, c))


def test_unary_minus_binds_tighter_than_power() -> None:
    assert parse("-2^2") == Binary("^", Unary("-", n(2)), n(2))
    assert parse("-x^2") == Binary("^", Unary("-", x), n(2))
    assert parse("2^-1") == Binary("^", n(2), Unary("-", n(1)))


def test_unary_signs_stack() -> None:
    assert parse("- -1") == Unary("-", Unary("-", n(1)))
    assert parse("--1") == Unary("-", Unary("-", n(1)))
    assert parse("+ 1") == Unary("+", n(1))
    assert parse("+(1)") == Unary("+", n(1))


def test_atoms() -> None:
    assert parse("NULL") == Null()
    assert parse("((a))") == a
    assert parse("(a + b) * c") == Binary("*", Binary("+", a, b), c)


def test_case_is_an_ordinary_operand() -> None:
    case = Case((When(Compare("=", a, b), Binary("+", a, b)),))
    assert parse("CASE WHEN a = b THEN a + b END * 8") == Binary("*", case, n(8))
    assert parse("(CASE WHEN a = b THEN a + b END) * 8") == Binary("*", case, n(8))
    assert parse("-CASE WHEN a = b THEN a + b END ^ 2") == Binary("^", Unary("-", case), n(2))


def test_case_nests_inside_case() -> None:
    inner = Case((When(Compare("=", b, n(3)), n(5)),))
    assert parse("CASE WHEN a = 2 THEN CASE WHEN b = 3 THEN 5 END ELSE 0 END") == Case(
        (When(Compare("=", a, n(2)), inner),), n(0)
    )
    assert parse("CASE WHEN CASE WHEN b = 3 THEN 5 END > 1 THEN 1 END") == Case(
        (When(Compare(">", inner, n(1)), n(1)),)
    )


# ------------------------------------------------------------------------ 1.3 CASE


def test_case_arms_are_kept_in_order_and_else_is_optional() -> None:
    text = "CASE WHEN disk_avail = 0 THEN NULL ELSE disk_used / disk_avail END"
    assert parse(text) == Case(
        (When(Compare("=", Name("disk_avail"), n(0)), Null()),),
        Binary("/", Name("disk_used"), Name("disk_avail")),
    )
    assert parse("CASE WHEN a = 1 THEN 1 WHEN a = 2 THEN 2 END") == Case(
        (When(Compare("=", a, n(1)), n(1)), When(Compare("=", a, n(2)), n(2))), None
    )


def test_case_results_may_be_ternaries() -> None:
    assert parse("CASE WHEN a = 1 THEN 1 if b > 0 else 2 END") == Case(
        (When(Compare("=", a, n(1)), Ternary(n(1), Compare(">", b, n(0)), n(2))),)
    )


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("CASE END", 1, 6),
        ("CASE WHEN THEN 1 END", 1, 11),
        ("CASE WHEN a THEN 1 END", 1, 13),
        ("CASE WHEN () THEN 1 END", 1, 12),
        ("CASE WHEN a = 1 THEN 1", 1, 23),
        ("CASE WHEN a = 1 THEN 1 ELSE END", 1, 29),
        ("CASE CASE WHEN a = 1 THEN 1 END END", 1, 6),
        ("CASE WHEN a = 1 THEN 1 END END", 1, 28),
        ("CASE WHEN a = 1 THEN\n  1\nELSE 2 +\nEND", 4, 1),
    ],
)
def test_malformed_case_is_a_syntax_error(text: str, line: int, column: int) -> None:
    err = syntax_error(text)
    assert type(err) is ExpressionSyntaxError
    assert (err.line, err.column) == (line, column)


def test_case_errors_say_what_is_missing() -> None:
    assert "WHEN" in syntax_error("CASE END").message
    assert syntax_error("CASE WHEN THEN 1 END").message == "expected a condition before THEN"
    assert "not a condition" in syntax_error("CASE WHEN a THEN 1 END").message
    assert syntax_error("CASE WHEN () THEN 1 END").message == "expected a condition"
    assert "ELSE or END" in syntax_error("CASE WHEN a = 1 THEN 1").message
    assert "before END" in syntax_error("CASE WHEN a = 1 THEN 1 ELSE END").message
    assert "END without a matching CASE" in syntax_error("CASE WHEN a = 1 THEN 1 END END").message


# ------------------------------------------------------------------ 1.4 conditions


def test_relations_are_not_associative() -> None:
    err = syntax_error("CASE WHEN a < b < c THEN 1 END")
    assert err.column == 17 and "chain" in err.message
    assert syntax_error("1 if a < b < c else 0").column == 12


def test_not_binds_tightest_then_and_then_or() -> None:
    assert parse("CASE WHEN (a = 0 and b = 0) or not b >= a THEN 1 END") == Case(
        (
            When(
                BoolOp(
                    "or",
                    BoolOp("and", Compare("=", a, n(0)), Compare("=", b, n(0))),
                    Not(Compare(">=", b, a)),
                ),
                n(1),
            ),
        )
    )
    cond = parse("1 if a = 1 or b = 1 and not c = 1 else 0")
    assert isinstance(cond, Ternary)
    assert cond.condition == BoolOp(
        "or",
        Compare("=", a, n(1)),
        BoolOp("and", Compare("=", b, n(1)), Not(Compare("=", c, n(1)))),
    )


def test_and_or_are_left_associative() -> None:
    tree = parse("1 if a = 1 and b = 1 and c = 1 else 0")
    assert isinstance(tree, Ternary)
    assert tree.condition == BoolOp(
        "and", BoolOp("and", Compare("=", a, n(1)), Compare("=", b, n(1))), Compare("=", c, n(1))
    )


def test_parenthesised_conditions_and_values_in_conditions() -> None:
    tree = parse("1 if not (a = 1 or (b) + 1 > (c)) else 0")
    assert isinstance(tree, Ternary)
    assert tree.condition == Not(
        BoolOp("or", Compare("=", a, n(1)), Compare(">", Binary("+", b, n(1)), c))
    )


def test_is_null_and_is_not_null_are_conditions() -> None:
    assert parse("CASE WHEN a IS NULL THEN 0 WHEN a + 1 IS NOT NULL THEN a END") == Case(
        (When(IsNull(a), n(0)), When(IsNull(Binary("+", a, n(1)), negated=True), a))
    )


def test_a_condition_is_never_a_number() -> None:
    err = syntax_error("(a > b) * 2")
    assert type(err) is ExpressionSyntaxError
    assert (err.line, err.column) == (1, 4)
    assert "a condition is not a number" in err.message
    inside = syntax_error("CASE WHEN (a > b) * 2 > 1 THEN 1 END")
    assert inside.column == 19 and "a condition is not a number" in inside.message


def test_a_number_is_never_a_condition() -> None:
    err = syntax_error("1 if a else 0")
    assert err.column == 8 and "not a condition" in err.message


# ----------------------------------------------------------- 1.6 errors and limits


def test_syntax_error_carries_position_expected_tokens_and_a_caret_line() -> None:
    err = syntax_error("value * / 10")
    assert isinstance(err, ValueError) and isinstance(err, NflexMetricsError)
    assert (err.source, err.line, err.column) == ("value * / 10", 1, 9)
    assert err.message == "expected a number, a name, '(' or CASE"
    assert err.expected == ("a number", "a name", "'('", "CASE")
    assert str(err) == "value * / 10\n        ^ expected a number, a name, '(' or CASE"


def test_error_positions_count_lines_and_columns_from_one() -> None:
    err = syntax_error("a +\n  b *\n    * 2")
    assert (err.line, err.column) == (3, 5)
    assert err.render().splitlines() == ["    * 2", "    ^ " + err.message]


def test_unexpected_end_of_input_points_after_the_last_character() -> None:
    err = syntax_error("1 +")
    assert (err.line, err.column) == (1, 4)
    assert err.message.startswith("the expression ends too early")
    assert (syntax_error("a *\n\n  ").line, syntax_error("a *\n\n  ").column) == (1, 4)


def test_empty_text_is_a_syntax_error() -> None:
    for text in ("", "  \n "):
        err = syntax_error(text)
        assert (err.line, err.column) == (1, 1) and "empty" in err.message


def test_unknown_characters_are_syntax_errors() -> None:
    for text, column in [("a $ b", 3), ("a % 2", 3), ("'a'", 1), ("a\x00", 2), ("a;", 2)]:
        err = syntax_error(text)
        assert err.column == column and "unexpected character" in err.message


def test_too_complex_is_a_syntax_error_subclass() -> None:
    assert issubclass(ExpressionTooComplex, ExpressionSyntaxError)


def test_length_limit_is_checked_before_parsing() -> None:
    text = "a" * 10_001
    with pytest.raises(ExpressionTooComplex, match="too long"):
        parse(text)
    assert parse("a" * 10_000) == Name("a" * 10_000)
    with pytest.raises(ExpressionTooComplex):
        parse("1 + 1", limits=Limits(max_length=4))


def test_depth_limit_counts_tree_levels() -> None:
    assert isinstance(parse("-" * 99 + "1"), Unary)  # depth 100
    err = syntax_error("-" * 100 + "1")
    assert isinstance(err, ExpressionTooComplex) and "nested too deeply" in err.message
    with pytest.raises(ExpressionTooComplex):
        parse("a + b + c", limits=Limits(max_depth=2))
    assert parse("a + b", limits=Limits(max_depth=2)) == Binary("+", a, b)


def test_depth_limit_counts_parentheses() -> None:
    assert parse("(" * 100 + "a" + ")" * 100) == a
    err = syntax_error("(" * 101 + "a" + ")" * 101)
    assert isinstance(err, ExpressionTooComplex) and err.column == 101


def test_node_limit() -> None:
    arms = " ".join(f"WHEN a = {i} THEN {i}" for i in range(1_000))  # 1 + 1,000 * 5 nodes
    with pytest.raises(ExpressionTooComplex, match="too many parts"):
        parse(f"CASE {arms} END", limits=Limits(max_length=10**6))
    tree = parse(f"CASE {arms} END", limits=Limits(max_length=10**6, max_nodes=5_001))
    assert sum(1 for _ in walk(tree)) == 5_001


@pytest.mark.parametrize(
    "text",
    [
        "+".join(["a"] * 5_000),
        "(" * 10_000 + "1" + ")" * 10_000,
        "-" * 100_000 + "1",
        "2^" * 50_000 + "2",
        "(" * 200_000,
        "CASE WHEN a = 1 THEN " * 20_000 + "1" + " END" * 20_000,
    ],
    ids=["sum", "parentheses", "signs", "powers", "open-parentheses", "cases"],
)
@pytest.mark.parametrize("max_length", [10_000, 10**6])
def test_huge_inputs_raise_too_complex_not_recursion_error(text: str, max_length: int) -> None:
    limits = Limits(max_length=max_length, max_depth=MAX_DEPTH_CEILING, max_nodes=10**6)
    with pytest.raises(ExpressionTooComplex):
        parse(text, limits=limits)


def test_wide_shallow_trees_within_limits_parse() -> None:
    text = " + ".join(f"(a * {i})" for i in range(170))
    tree = parse(text, limits=Limits(max_depth=MAX_DEPTH_CEILING))
    assert sum(1 for _ in walk(tree)) == 170 * 3 + 169


def test_a_megabyte_of_random_bytes_is_a_syntax_error() -> None:
    import random

    data = random.Random(1).randbytes(10**6).decode("utf-8", errors="replace")
    with pytest.raises(ExpressionSyntaxError):
        parse(data, limits=Limits(max_length=10**7))
    rng = random.Random(2)
    soup = "".join(rng.choice("()+-*/^ ab1.eE") for _ in range(10**6))
    with pytest.raises(ExpressionSyntaxError):
        parse(soup, limits=Limits(max_length=10**7))


@given(st.text())
def test_any_text_parses_or_raises_an_engine_error(text: str) -> None:
    for dialect in DIALECTS:
        with contextlib.suppress(NflexMetricsError):
            parse(text, dialect)


@given(st.binary(max_size=2_000))
def test_any_bytes_decoded_parse_or_raise_an_engine_error(data: bytes) -> None:
    with contextlib.suppress(NflexMetricsError):
        parse(data.decode("utf-8", errors="replace"))


@pytest.mark.parametrize(
    ("text", "type_name"),
    [
        (b"a", "bytes"),
        (bytearray(b"a"), "bytearray"),
        (None, "NoneType"),
        (1, "int"),
        (1.5, "float"),
        (["a"], "list"),
        (Name("a"), "Name"),
    ],
)
def test_text_that_is_not_a_str_is_the_type_error_compile_gives(
    text: object, type_name: str
) -> None:
    from nflex_metrics import compile

    with pytest.raises(TypeError) as ours:
        parse(text)  # type: ignore[arg-type]
    with pytest.raises(TypeError) as compiled:
        compile(text)  # type: ignore[arg-type]
    assert str(ours.value) == str(compiled.value) == f"an expression must be a str, got {type_name}"


@pytest.mark.parametrize("limits", [None, "strict", 100, (10_000, 100, 5_000), [10_000]])
def test_limits_that_are_not_limits_are_a_type_error_naming_the_type(limits: object) -> None:
    from nflex_metrics import compile

    expected = f"limits must be a Limits, got {type(limits).__name__}"
    with pytest.raises(TypeError) as ours:
        parse("a", "full", limits)  # type: ignore[arg-type]
    with pytest.raises(TypeError) as compiled:
        compile("a", "full", limits)  # type: ignore[arg-type]
    assert str(ours.value) == str(compiled.value) == expected


@pytest.mark.parametrize("dialect", ["sql", ["full"], None])
def test_unknown_dialect_is_a_value_error_from_parse_and_compile(dialect: object) -> None:
    from nflex_metrics import compile

    expected = f"unknown dialect {dialect!r}; expected one of full, arithmetic"
    for function in (parse, compile):
        with pytest.raises(ValueError) as raised:
            function("1", dialect)  # type: ignore[operator]
        assert str(raised.value).startswith(expected)


def test_spans_point_into_the_source() -> None:
    text = "CASE WHEN a > 0\n  THEN (b + 1) * 2 END"
    tree = parse(text)
    assert isinstance(tree, Case)
    arm = tree.whens[0]
    result = arm.result
    assert (tree.span.line, tree.span.column, tree.span.start, tree.span.end) == (
        1,
        1,
        0,
        len(text),
    )
    assert text[arm.span.start : arm.span.end] == "WHEN a > 0\n  THEN (b + 1) * 2"
    assert (result.span.line, result.span.column) == (2, 8)
    assert text[result.span.start : result.span.end] == "(b + 1) * 2"
    assert isinstance(result, Binary)
    assert text[result.left.span.start : result.left.span.end] == "(b + 1)"


# --------------------------------------------------------------- 1.7 the dialects

ACCEPTED: dict[str, list[tuple[str, Expr]]] = {
    "arithmetic": [
        ("value * 100", Binary("*", Name("value"), n(100))),
        ("null * 2", Binary("*", Name("null"), n(2))),  # 0.2.0: `null` is a variable
        ("NULL * 2", Binary("*", Null(), n(2))),
        ("case * 2", Binary("*", Name("case"), n(2))),  # no CASE, so `case` is a name
        ("-2^2^-1", Binary("^", Unary("-", n(2)), Binary("^", n(2), Unary("-", n(1))))),
        ("(end - start) / 1000", Binary("/", Binary("-", Name("end"), Name("start")), n(1000))),
    ],
    "ternary": [
        ("1 if a == 2 else 0", Ternary(n(1), Compare("=", a, n(2)), n(0))),
        ("1 if a <> 2 else 0", Ternary(n(1), Compare("!=", a, n(2)), n(0))),
        ("1 + 1 if a > 2 else 0", Ternary(Binary("+", n(1), n(1)), Compare(">", a, n(2)), n(0))),
        ("null if a > 1 else 0", Ternary(Name("null"), Compare(">", a, n(1)), n(0))),
    ],
    "case": [
        ("CASE WHEN a = 2 THEN 1 ELSE 0 END", Case((When(Compare("=", a, n(2)), n(1)),), n(0))),
        ("case when a = 2 then null end", Case((When(Compare("=", a, n(2)), Name("null")),))),
        (
            "CASE WHEN a = 1 THEN CASE WHEN b = 1 THEN 2 END * 2 END",
            Case(
                (
                    When(
                        Compare("=", a, n(1)),
                        Binary("*", Case((When(Compare("=", b, n(1)), n(2)),)), n(2)),
                    ),
                )
            ),
        ),
        (
            "CASE WHEN not (a = 2 or b = 3) THEN 1 END",
            Case((When(Not(BoolOp("or", Compare("=", a, n(2)), Compare("=", b, n(3)))), n(1)),)),
        ),
        ("CASE WHEN a IS NULL THEN NULL END", Case((When(IsNull(a), Null()),))),
    ],
    "simple": [
        ("a * b / c", Binary("/", Binary("*", a, b), c)),
        ("a if a >= 2 else b", Ternary(a, Compare(">=", a, n(2)), b)),
    ],
}

REJECTED: dict[str, list[str]] = {
    "arithmetic": [
        "CASE WHEN a = 1 THEN 1 END",
        "1 if a > 1 else 0",
        "a > b",
        "(a > b) * 2",
        "a IS NULL",
    ],
    "ternary": [
        "1 + 2",
        "1 if a > 1 and b > 1 else 0",
        "1 if not a > 1 else 0",
        "1 if a is null else 0",
        "1 if a > 1 else 0 if b > 1 else 2",
        "(1 if a > 2 else 0)",
        "1 if (a > 2) else 0",
        "CASE WHEN a = 1 THEN 1 END",
    ],
    "case": [
        "1 + 2",
        "CASE WHEN a = 1 THEN 1 END * 2",
        "(CASE WHEN a = 1 THEN 1 END)",
        "CASE WHEN a = 1 THEN 1 END + 1",
        "CASE WHEN a = 1 THEN 1 if b > 1 else 0 END",
        "1 if a > 1 else 0",
    ],
    "simple": [
        "CASE WHEN a = 1 THEN 1 END",
        "1 if a > 1 and b > 1 else 0",
        "(1 if a > 2 else 0) + 1",
        "1 if a > 1 else 2 if b > 1 else 3",
    ],
}


@pytest.mark.parametrize(
    ("dialect", "text", "tree"),
    [(d, text, tree) for d, cases in ACCEPTED.items() for text, tree in cases],
)
def test_dialect_accepts_its_0_2_0_language(dialect: str, text: str, tree: Expr) -> None:
    assert parse(text, dialect) == tree  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("dialect", "text"), [(d, text) for d, texts in REJECTED.items() for text in texts]
)
def test_dialect_rejects_what_0_2_0_rejected(dialect: str, text: str) -> None:
    with pytest.raises(ExpressionSyntaxError):
        parse(text, dialect)  # type: ignore[arg-type]


def test_case_is_always_a_keyword_in_the_case_dialect() -> None:
    # 0.2.0 read `case` here as a variable; CASE can begin an operand, so it is not.
    with pytest.raises(ExpressionSyntaxError):
        parse("CASE WHEN case = 9 THEN 1 END", "case")


def test_dialect_errors_say_what_the_dialect_lacks() -> None:
    assert "arithmetic only" in syntax_error("a > b", "arithmetic").message
    assert "single comparison" in syntax_error("1 if a > 1 and b > 1 else 0", "ternary").message


@pytest.mark.parametrize("control", ["\x1b", "\x07", "\x00", "\x08", "\x7f", "\x9b"])
def test_control_characters_reach_the_terminal_as_question_marks_with_the_caret_in_place(
    control: str,
) -> None:
    # An escape sequence in a hostile expression must not act on the terminal it is
    # reported to (`nflex-metrics eval`): shown as one '?', the caret stays in its column.
    with pytest.raises(ExpressionSyntaxError) as info:
        parse(f"a + {control}[2J * b")
    assert str(info.value) == f"a + ?[2J * b\n    ^ unexpected character {control!r}"
