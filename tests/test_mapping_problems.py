"""Bad mapping files: every problem named with file, line, column and key,
all problems of a file in one MappingError, and ``strict=False`` leniency."""

from __future__ import annotations

import logging
import textwrap
from pathlib import Path
from typing import Any

import pytest

from nflex_metrics import MappingError, MappingProblem, load_metric_mapping, parse_metric_mapping
from nflex_metrics.mapping import MappingFileNotFoundError


def write(tmp_path: Path, text: str, name: str = "mapping.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(path: Path) -> list[MappingProblem]:
    with pytest.raises(MappingError) as info:
        load_metric_mapping(path)
    return list(info.value.problems)


def locate(text: str, needle: str, occurrence: int = 0) -> tuple[int, int]:
    """The 1-based (line, column) of a needle in the dedented fixture text."""
    text = textwrap.dedent(text)
    index = -1
    for _ in range(occurrence + 1):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def where(problem: MappingProblem) -> tuple[int, int, str | None]:
    return problem.line, problem.column, problem.key


# --- file-level problems ------------------------------------------------------------


def test_missing_file_is_a_mapping_error_and_a_file_not_found_error(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    for strict in (True, False):
        with pytest.raises(MappingFileNotFoundError) as info:
            load_metric_mapping(path, strict=strict)
        assert isinstance(info.value, FileNotFoundError)
        (problem,) = info.value.problems
        assert (problem.file, problem.line, problem.column, problem.key) == (str(path), 0, 0, None)
        assert "No such file" in problem.message


def test_yaml_syntax_error_is_reported_at_its_position_with_the_enclosing_key(
    tmp_path: Path,
) -> None:
    text = """\
        cpu:
          name: cpu
        disk:
          tags: [a, b
          unit: "%"
        """
    (problem,) = problems_of(write(tmp_path, text))
    assert problem.message.startswith("YAML syntax error: ")
    assert problem.key == "disk"
    # The flow sequence opened on line 4 is never closed; PyYAML notices on line 5.
    assert problem.line == 5


def test_a_problem_carries_a_caret_snippet_of_its_line(tmp_path: Path) -> None:
    text = "m:\n  conversion_expr: value * / 100\n"
    (problem,) = problems_of(write(tmp_path, text))
    assert problem.snippet == "  conversion_expr: value * / 100\n                           ^"
    rendered = str(problem)
    assert rendered.startswith(f"{tmp_path / 'mapping.yaml'}:2:28: m: conversion_expr is invalid:")
    assert rendered.endswith(problem.snippet)


@pytest.mark.parametrize(
    ("text", "what", "position"),
    [
        ("- a\n- b\n", "a list", (1, 1)),
        ("just text\n", "a string", (1, 1)),
        ("\n\n42\n", "an int", (3, 1)),
    ],
)
def test_top_level_not_a_mapping_is_reported(
    tmp_path: Path, text: str, what: str, position: tuple[int, int]
) -> None:
    (problem,) = problems_of(write(tmp_path, text))
    assert (problem.line, problem.column, problem.key) == (*position, None)
    assert problem.message.startswith(f"the top level is {what};")
    with pytest.raises(MappingError):  # nothing to be lenient about
        load_metric_mapping(tmp_path / "mapping.yaml", strict=False)


def test_an_empty_file_is_reported(tmp_path: Path) -> None:
    (problem,) = problems_of(write(tmp_path, "# only a comment\n"))
    assert (problem.line, problem.column) == (1, 1)
    assert problem.message.startswith("the file is empty")


def test_an_empty_mapping_is_valid() -> None:
    assert parse_metric_mapping("{}\n") == {}


def test_a_file_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "mapping.yaml"
    path.write_bytes(b"a:\n  unit: \xff\n")
    (problem,) = problems_of(path)
    assert (problem.line, problem.column) == (2, 9)
    assert "not UTF-8" in problem.message


# --- entry problems -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "what"),
    [
        (" value * 100", "a string"),
        (" [1, 2]", "a list"),
        (" 12", "an int"),
    ],
)
def test_an_entry_that_is_not_a_mapping_is_reported(tmp_path: Path, entry: str, what: str) -> None:
    text = f"good:\n  name: g\nbad:{entry}\n"
    (problem,) = problems_of(write(tmp_path, text))
    assert where(problem) == (3, 6, "bad")
    assert problem.message.startswith(f"the entry is {what};")


def test_an_empty_entry_is_reported_at_its_key(tmp_path: Path) -> None:
    (problem,) = problems_of(write(tmp_path, "first:\n  name: a\nempty:\nlast: {}\n"))
    assert where(problem) == (3, 1, "empty")
    assert problem.message.startswith("the entry is null;")


def test_a_duplicate_metric_key_is_reported_at_the_second_occurrence(tmp_path: Path) -> None:
    text = """\
        cpu:
          conversion_expr: value * 100
        mem:
          name: mem
        cpu:
          name: cpu again
        """
    (problem,) = problems_of(write(tmp_path, text))
    assert where(problem) == (*locate(text, "cpu:", occurrence=1), "cpu")
    assert where(problem) == (5, 1, "cpu")
    assert "duplicate metric key" in problem.message
    assert "first defined on line 1" in problem.message


def test_a_duplicate_field_inside_an_entry_is_reported(tmp_path: Path) -> None:
    text = """\
        cpu:
          conversion_expr: value * 100
          unit: "%"
          conversion_expr: value * 10
        """
    (problem,) = problems_of(write(tmp_path, text))
    assert where(problem) == (4, 3, "cpu")
    assert "duplicate field 'conversion_expr' (first defined on line 2)" in problem.message


@pytest.mark.parametrize(
    ("value", "what"),
    [
        ("\n    - value * 100", "a list"),
        (" [value]", "a list"),
        (" {a: 1}", "a mapping"),
        ("\n    value: 1", "a mapping"),
        (" true", "bool true"),
    ],
)
def test_conversion_expr_that_is_not_text_or_a_number_is_reported(
    tmp_path: Path, value: str, what: str
) -> None:
    text = f"m:\n  conversion_expr:{value}\n"
    (problem,) = problems_of(write(tmp_path, text))
    expected = (3, 5) if value.startswith("\n") else (2, 20)
    assert where(problem) == (*expected, "m")
    assert f"got {what}" in problem.message


def test_an_empty_conversion_expr_is_reported(tmp_path: Path) -> None:
    (problem,) = problems_of(write(tmp_path, "m:\n  conversion_expr: ''\n"))
    assert where(problem) == (2, 20, "m")
    assert "conversion_expr is empty" in problem.message


@pytest.mark.parametrize("field", ["name", "unit", "specialisation"])
@pytest.mark.parametrize(
    ("value", "what"), [("100", "int 100"), ("null", "null"), ("[a]", "a list")]
)
def test_name_unit_and_specialisation_must_be_strings(
    tmp_path: Path, field: str, value: str, what: str
) -> None:
    text = f"m:\n  {field}: {value}\n"
    (problem,) = problems_of(write(tmp_path, text))
    assert where(problem) == (2, len(field) + 5, "m")
    assert problem.message.startswith(f"{field} must be a string, got {what}")


@pytest.mark.parametrize(("value", "what"), [('"yes"', "str 'yes'"), ("1", "int 1")])
def test_counter_must_be_true_or_false(tmp_path: Path, value: str, what: str) -> None:
    (problem,) = problems_of(write(tmp_path, f"m:\n  counter: {value}\n"))
    assert where(problem) == (2, 12, "m")
    assert problem.message == f"counter must be true or false, got {what}"


def test_yaml_1_1_booleans_are_accepted_for_counter() -> None:
    mapping = parse_metric_mapping("a:\n  counter: yes\nb:\n  counter: off\n")
    assert mapping["a"].counter() is True and mapping["b"].counter() is False


def test_a_metric_key_must_be_a_string(tmp_path: Path) -> None:
    (problem,) = problems_of(write(tmp_path, "404:\n  name: not found\n"))
    assert where(problem) == (1, 1, "404")
    assert "a metric key must be a string, got int 404" in problem.message


def test_merge_keys_are_expanded_and_explicit_fields_win() -> None:
    mapping = parse_metric_mapping(
        textwrap.dedent(
            """\
            percent: &percent
              unit: "%"
              conversion_expr: value * 100
            cpu:
              <<: *percent
              name: cpu
            mem:
              <<: *percent
              conversion_expr: value * 1000
            """
        )
    )
    assert (mapping["cpu"].unit(), mapping["cpu"].value(value=0.5)) == ("%", 50.0)
    assert (mapping["mem"].unit(), mapping["mem"].value(value=0.5)) == ("%", 500.0)


# --- expression errors point into the YAML line ----------------------------------------


def test_expression_error_column_points_into_a_plain_scalar(tmp_path: Path) -> None:
    text = """\
        cpu:
          name: cpu
          conversion_expr: value * / 100
        """
    (problem,) = problems_of(write(tmp_path, text))
    assert where(problem) == (*locate(text, "/ 100"), "cpu")
    assert problem.message.startswith("conversion_expr is invalid: ")


@pytest.mark.parametrize("quote", ["'", '"'])
def test_expression_error_column_points_into_a_quoted_scalar(tmp_path: Path, quote: str) -> None:
    text = f"cpu:\n  conversion_expr: {quote}value * ) 100{quote}\n"
    (problem,) = problems_of(write(tmp_path, text))
    assert where(problem) == (*locate(text, ") 100"), "cpu")


def test_expression_error_in_a_quoted_scalar_after_escapes_is_close(tmp_path: Path) -> None:
    text = 'cpu:\n  conversion_expr: "value\\t+\\t\\t* ) 1"\n'
    (problem,) = problems_of(write(tmp_path, text))
    # `+` needs an operand: the error is at the `*` after it.
    assert where(problem) == (*locate(text, "* ) 1"), "cpu")


def test_expression_error_line_and_column_map_into_a_literal_block_scalar(tmp_path: Path) -> None:
    text = """\
        disk:
          conversion_expr: |
            CASE WHEN disk_avail = 0 THEN NULL
                 ELSE disk_used / / disk_avail
            END
        """
    (problem,) = problems_of(write(tmp_path, text))
    assert where(problem) == (*locate(text, "/ disk_avail"), "disk")


def test_expression_error_line_and_column_map_into_a_folded_block_scalar(tmp_path: Path) -> None:
    text = """\
        disk:
          name: disk
          conversion_expr: >-
            CASE WHEN disk_avail = 0 THEN NULL

                 ELSE disk_used / disk_avail * 100
            END )
        other: {}
        """
    (problem,) = problems_of(write(tmp_path, text))
    # Nothing may follow the END of the CASE: the error is at the `)`.
    assert where(problem) == (*locate(text, ")"), "disk")


def test_expression_error_line_and_column_map_into_a_multi_line_plain_scalar(
    tmp_path: Path,
) -> None:
    text = """\
        disk:
          conversion_expr: value *
              100 +
            * 3
        """
    (problem,) = problems_of(write(tmp_path, text))
    assert where(problem) == (*locate(text, "* 3"), "disk")


def test_expression_error_in_a_flow_mapping_entry(tmp_path: Path) -> None:
    text = "cpu: {name: cpu, conversion_expr: value * ) 2}\n"
    (problem,) = problems_of(write(tmp_path, text))
    assert where(problem) == (*locate(text, ") 2"), "cpu")


def test_expression_error_at_the_end_points_after_the_last_character(tmp_path: Path) -> None:
    text = "cpu:\n  conversion_expr: value *   # trailing comment\n"
    (problem,) = problems_of(write(tmp_path, text))
    line, column = locate(text, "*")
    assert where(problem) == (line, column + 1, "cpu")


def test_expression_positions_survive_a_bom_and_crlf_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "mapping.yaml"
    text = "b:\r\n  name: x\r\na: {name: é°, conversion_expr: a * / 2}\r\n"
    path.write_bytes(("\ufeff" + text).encode())
    (problem,) = problems_of(path)
    # Columns count characters (not bytes) and CRLF is one line break.
    assert where(problem) == (3, text.splitlines()[2].index("/") + 1, "a")
    assert where(problem) == (3, 36, "a")


def test_an_expression_past_the_limits_is_reported_as_too_complex(tmp_path: Path) -> None:
    long = " + ".join(["value"] * 2_000)  # 15,997 characters: past the 10,000 limit
    (problem,) = problems_of(write(tmp_path, f"big:\n  conversion_expr: {long}\n"))
    assert (problem.line, problem.key) == (2, "big")
    assert problem.message.startswith("conversion_expr is too complex: ")


# --- all problems together, and strict=False -----------------------------------------

MANY_PROBLEMS = """\
    ok:
      conversion_expr: value * 2
    syntax:
      conversion_expr: value * / 2
    listed:
      conversion_expr: [value]
    ok:
      name: second ok
    typed:
      counter: "no"
      unit: 3
    """


def test_all_problems_of_a_file_are_reported_together_in_file_order(tmp_path: Path) -> None:
    problems = problems_of(write(tmp_path, MANY_PROBLEMS))
    assert [where(p) for p in problems] == [
        (*locate(MANY_PROBLEMS, "/ 2"), "syntax"),
        (6, 20, "listed"),
        (7, 1, "ok"),
        (10, 12, "typed"),
        (11, 9, "typed"),
    ]
    assert {p.file for p in problems} == {str(tmp_path / "mapping.yaml")}


def test_mapping_error_message_lists_every_problem(tmp_path: Path) -> None:
    path = write(tmp_path, MANY_PROBLEMS)
    with pytest.raises(MappingError) as info:
        load_metric_mapping(path)
    message = str(info.value)
    assert message.splitlines()[0] == "5 problems in metric mapping"
    for problem in info.value.problems:
        assert str(problem) in message
    assert isinstance(info.value, ValueError)


def test_strict_false_logs_each_problem_and_passes_raw_values_through(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    mapping = load_metric_mapping(write(tmp_path, MANY_PROBLEMS), strict=False)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 5
    assert all(r.name == "nflex_metrics.mapping" for r in warnings)
    assert "syntax: conversion_expr is invalid" in warnings[0].getMessage()
    assert list(mapping) == ["ok", "syntax", "listed", "typed"]
    assert mapping["syntax"].value(value="7") == "7"  # no conversion: raw value
    assert mapping["listed"].value(value=7) == 7
    # As in 0.2.0: the last duplicate wins, wrongly typed fields keep their raw value.
    assert mapping["ok"].name() == "second ok" and mapping["ok"].conversion is None
    typed: Any = mapping["typed"]
    assert typed.counter() == "no" and typed.unit() == 3


def test_strict_false_keeps_a_non_mapping_entry_as_a_pass_through(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    mapping = parse_metric_mapping("a: value * 100\nb:\n", strict=False)
    assert [mapping[k].value(value=1) for k in "ab"] == [1, 1]
    assert len(caplog.records) == 2


# --- less common YAML -----------------------------------------------------------------


def test_a_metric_key_that_is_a_list_is_reported_and_skipped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    text = "? [a, b]\n: {name: x}\nok: {}\n"
    with pytest.raises(MappingError) as info:
        parse_metric_mapping(text)
    (problem,) = info.value.problems
    assert (problem.line, problem.column, problem.key) == (1, 3, None)
    assert problem.message == "a metric key must be a string, got a list"
    caplog.set_level(logging.WARNING)
    assert list(parse_metric_mapping(text, strict=False)) == ["ok"]


def test_an_unknown_tag_is_reported_at_its_value(tmp_path: Path) -> None:
    (problem,) = problems_of(write(tmp_path, "m:\n  unit: !celsius C\n"))
    assert where(problem) == (2, 9, "m")
    assert "could not determine a constructor for the tag '!celsius'" in problem.message


def test_a_merge_key_that_is_not_a_mapping_is_reported(tmp_path: Path) -> None:
    (problem,) = problems_of(write(tmp_path, "m:\n  <<: 5\n  name: x\n"))
    assert where(problem) == (2, 7, "m")
    assert problem.message == "a merge key (<<) must refer to a mapping"


def test_a_control_character_is_a_yaml_error_at_its_position(tmp_path: Path) -> None:
    (problem,) = problems_of(write(tmp_path, "m:\n  name: a\x07b\n"))
    assert (problem.line, problem.column, problem.key) == (2, 10, "m")
    assert problem.message.startswith("YAML syntax error: unacceptable character #x0007")


def test_more_than_one_yaml_document_is_reported(tmp_path: Path) -> None:
    (problem,) = problems_of(write(tmp_path, "a: {}\n---\nb: {}\n"))
    assert problem.line == 2 and "single document" in problem.message


def test_importing_the_mapping_modules_loads_neither_yaml_nor_lark() -> None:
    import subprocess
    import sys

    code = (
        "import sys, nflex_metrics.mapping, nflex_metrics.dialects\n"
        "print(sorted(m for m in ('yaml', 'lark') if m in sys.modules))"
    )
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr


@pytest.mark.parametrize(
    "text",
    [
        "cpu:\n  unit: \x1b]0;a title\x07\n",  # an escape sequence in a value
        "\x1b[2Jcpu: {}\n",  # ... where the metric key is guessed
        "cpu:\n  conversion_expr: a +\x9b31m b\n",  # a C1 control in an expression
    ],
)
def test_a_report_never_carries_control_characters_to_the_terminal(text: str) -> None:
    with pytest.raises(MappingError) as info:
        parse_metric_mapping(text)
    report = str(info.value)
    assert all(char.isprintable() or char == "\n" for char in report), repr(report)
