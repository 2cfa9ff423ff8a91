"""Mapping test files (``nflex_metrics.testing``): the format, the problems of a broken
file with their line and column, and running cases against a mapping."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import pytest
from mapping_loaders import LOADERS, libyaml
from mapping_test_example import MAPPING as EXAMPLE_MAPPING
from mapping_test_example import TESTS

from nflex_metrics import parse_metric_mapping
from nflex_metrics.errors import VariableLookupError
from nflex_metrics.testing import (
    ConversionCase,
    FuzzSettings,
    MappingTestError,
    MappingTests,
    load_mapping_tests,
    parse_mapping_tests,
    run_mapping_tests,
)

MAPPING = (
    EXAMPLE_MAPPING
    + """\
sum:
  conversion_expr: a + b
raw:
  unit: bytes
"""
)

ISSUE_EXAMPLE = TESTS


def read_tests(text: str, source: str = "t.mapping-test.yaml") -> MappingTests:
    return parse_mapping_tests(textwrap.dedent(text), source=source)


def problems_of(text: str) -> list[str]:
    with pytest.raises(MappingTestError) as info:
        read_tests(text)
    return [str(problem).splitlines()[0] for problem in info.value.problems]


def run(text: str, mapping: str = MAPPING) -> list[str]:
    report = run_mapping_tests(read_tests(text), parse_metric_mapping(mapping))
    assert not report.problems, report.problems
    return [str(failure) for failure in report.failures]


# ------------------------------------------------------------------------ the format


def test_the_issue_example_reads_as_cases_with_lines_and_expectations() -> None:
    tests = read_tests(ISSUE_EXAMPLE)
    assert tests.mapping == "mapping.yaml"
    disk, cpu = tests.metrics
    assert (disk.metric, disk.line, cpu.metric, cpu.line) == ("disk_usage", 3, "cpu_usage", 8)
    assert disk.cases == (
        ConversionCase({"disk_used": 30, "disk_avail": 120}, 25.0, line=5, column=9),
        ConversionCase({"disk_used": 30, "disk_avail": 0}, None, line=6, column=9),
        ConversionCase({"disk_used": 30}, error="VariableLookupError", line=7, column=9),
    )
    assert cpu.cases[0].tolerance == 1e-9  # YAML 1.1 reads `1e-9` as text; it is a number


def test_the_issue_example_passes_against_its_mapping() -> None:
    report = run_mapping_tests(read_tests(ISSUE_EXAMPLE), parse_metric_mapping(MAPPING))
    assert report.ok
    assert (len(report.results), report.metrics, report.tested) == (4, 4, 2)
    assert report.summary() == "t.mapping-test.yaml: ok: 4 cases, 2 of 4 metrics tested"


def test_the_mapping_path_is_relative_to_the_test_file(tmp_path: Path) -> None:
    folder = tmp_path / "connector"
    folder.mkdir()
    (folder / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    (folder / "m.mapping-test.yaml").write_text(ISSUE_EXAMPLE, encoding="utf-8")
    tests = load_mapping_tests(folder / "m.mapping-test.yaml")
    assert Path(tests.mapping) == folder / "mapping.yaml"
    assert run_mapping_tests(folder / "m.mapping-test.yaml").ok


def test_a_metric_level_tolerance_applies_to_each_case_unless_the_case_sets_its_own() -> None:
    tests = read_tests(
        """\
        mapping: m.yaml
        tests:
          - metric: sum
            tolerance: 0.5
            rel_tolerance: 1e-3
            cases:
              - {input: {a: 1, b: 1}, expect: 2}
              - {input: {a: 1, b: 1}, expect: 2, tolerance: 0}
        """
    )
    first, second = tests.metrics[0].cases
    assert (first.tolerance, first.rel_tolerance) == (0.5, 1e-3)
    assert (second.tolerance, second.rel_tolerance) == (0.0, 1e-3)


def test_aliases_share_an_input_between_cases() -> None:
    tests = read_tests(
        """\
        mapping: m.yaml
        tests:
          - metric: sum
            cases:
              - {input: &both {a: 1, b: 2}, expect: 3}
              - {input: *both, expect: 3}
        """
    )
    assert [case.inputs for case in tests.metrics[0].cases] == [{"a": 1, "b": 2}] * 2


def test_fuzz_settings_read_ranges_nullable_and_expect_range() -> None:
    tests = read_tests(
        """\
        mapping: m.yaml
        tests:
          - metric: disk_usage
            fuzz:
              ranges: {disk_used: [0, 1e15], disk_avail: [1, 1e15]}
              nullable: [disk_used]
              expect_range: [0, .inf]
        """
    )
    fuzz = tests.metrics[0].fuzz
    assert fuzz == FuzzSettings(
        {"disk_used": (0.0, 1e15), "disk_avail": (1.0, 1e15)},
        frozenset({"disk_used"}),
        (0.0, math.inf),
        line=5,
        column=7,
    )
    assert tests.metrics[0].cases == ()


# ------------------------------------------------------------------------ expectations


def test_numbers_are_exact_by_default() -> None:
    failures = run(
        "mapping: m\ntests:\n- metric: sum\n  cases: [{input: {a: 0.1, b: 0.2}, expect: 0.3}]\n"
    )
    assert failures == [
        't.mapping-test.yaml:4: sum: {"a": 0.1, "b": 0.2} → got 0.30000000000000004, expected 0.3'
    ]


@pytest.mark.parametrize("tolerance", ["tolerance: 1e-12", "rel_tolerance: 1e-12"])
def test_a_tolerance_accepts_a_close_number(tolerance: str) -> None:
    case = f"{{input: {{a: 0.1, b: 0.2}}, expect: 0.3, {tolerance}}}"
    assert run(f"mapping: m\ntests:\n- metric: sum\n  cases: [{case}]\n") == []


@pytest.mark.parametrize(
    ("tolerance", "expected"),
    [("tolerance: 0.5", "3 ± 0.5"), ("rel_tolerance: 0.1", "3 ± 0.1 relative")],
)
def test_a_tolerance_rejects_a_number_outside_it(tolerance: str, expected: str) -> None:
    case = f"{{input: {{a: 1, b: 1}}, expect: 3, {tolerance}}}"
    failures = run(f"mapping: m\ntests:\n- metric: sum\n  cases: [{case}]\n")
    assert failures == [
        f't.mapping-test.yaml:4: sum: {{"a": 1, "b": 1}} → got 2.0, expected {expected}'
    ]


def test_null_is_expected_with_null_and_a_number_is_not_null() -> None:
    text = """\
        mapping: m
        tests:
          - metric: disk_usage
            cases:
              - {input: {disk_used: 30, disk_avail: 0}, expect: 1}
              - {input: {disk_used: 30, disk_avail: 120}, expect: null}
        """
    assert run(text) == [
        't.mapping-test.yaml:5: disk_usage: {"disk_used": 30, "disk_avail": 0} '
        "→ got null, expected 1",
        't.mapping-test.yaml:6: disk_usage: {"disk_used": 30, "disk_avail": 120} '
        "→ got 25.0, expected null",
    ]


def test_an_expected_error_matches_its_class_and_subclasses() -> None:
    text = """\
        mapping: m
        tests:
          - metric: sum
            cases:
              - {input: {a: 1}, error: VariableLookupError}
              - {input: {a: 1}, error: EvaluationError}
              - {input: {a: 1, b: 2}, error: EvaluationError}
              - {input: {a: 1}, expect: 1}
        """
    assert run(text) == [
        't.mapping-test.yaml:7: sum: {"a": 1, "b": 2} → got 3.0, expected EvaluationError',
        't.mapping-test.yaml:8: sum: {"a": 1} → got VariableLookupError: '
        "variable 'b' is not defined, expected 1",
    ]


def test_an_entry_without_conversion_passes_its_value_through() -> None:
    text = """\
        mapping: m
        tests:
          - metric: raw
            cases:
              - {input: {value: 12}, expect: 12}
              - {input: {}, error: VariableLookupError}
        """
    assert run(text) == []


def test_input_values_keep_their_yaml_types_and_plain_exponents_are_numbers() -> None:
    tests = read_tests(
        """\
        mapping: m
        tests:
          - metric: cpu_usage
            cases:
              - {input: {value: 1e-3}, expect: 0.1}
              - {input: {value: "1e-3"}, expect: 0.1}
              - {input: {value: true}, expect: 100}
        """
    )
    assert [case.inputs["value"] for case in tests.metrics[0].cases] == [0.001, "1e-3", True]


def test_case_accepts_compares_like_its_expectation() -> None:
    assert ConversionCase({}, 1.0).accepts(1)
    assert not ConversionCase({}, 1.0).accepts(True)
    assert not ConversionCase({}, 1.0).accepts("1")
    assert not ConversionCase({}, None).accepts(0.0)
    assert ConversionCase({}, math.inf).accepts(math.inf)
    assert ConversionCase({}, error="EvaluationError").accepts(VariableLookupError("x"))
    assert not ConversionCase({}, None).accepts(VariableLookupError("x"))


# ------------------------------------------------------------------------ broken files

BROKEN = [
    ("mapping: m\ntests: [\n", "3:1", "YAML syntax error"),
    ("", "1:1", "the file is empty"),
    ("- a\n", "1:1", "the test file must be a mapping, got a list"),
    ("tests: []\n", "1:1", "no `mapping:`"),
    ("mapping: m\n", "1:1", "no `tests:`"),
    ("mapping: m\ntests: []\nextra: 1\n", "3:1", "unknown key 'extra' in the test file"),
    ("mapping: m\nmapping: n\ntests: []\n", "2:1", "duplicate key 'mapping' (first on line 1)"),
    ("mapping: 5\ntests: [{metric: a, fuzz: {}}]\n", "1:10", "mapping must be a non-empty string"),
    ("mapping: m\ntests: []\n", "2:8", "tests is empty"),
    ("mapping: m\ntests: {a: 1}\n", "2:8", "tests is a mapping"),
    ("mapping: m\ntests:\n- cases: []\n", "3:3", "a tests item without `metric:`"),
    (
        "mapping: m\ntests:\n- metric: [a]\n  fuzz: {}\n",
        "3:11",
        "metric must be a non-empty string",
    ),
    ("mapping: m\ntests:\n- metric: a\n", "3:3", "nothing to test"),
    (
        "mapping: m\ntests:\n- metric: a\n  fuzz: {}\n- metric: a\n  fuzz: {}\n",
        "5:11",
        "already tested on line 3",
    ),
    ("mapping: m\ntests:\n- metric: a\n  cases: []\n", "4:10", "cases is empty"),
    ("mapping: m\ntests:\n- metric: a\n  cases: [{input: {}}]\n", "4:11", "needs one of `expect:`"),
    (
        "mapping: m\ntests:\n- metric: a\n  cases: [{input: {}, expect: 1, error: X}]\n",
        "4:11",
        "needs one of",
    ),
    (
        "mapping: m\ntests:\n- metric: a\n  cases: [{expect: 1}]\n",
        "4:11",
        "a case without `input:`",
    ),
    (
        "mapping: m\ntests:\n- metric: a\n  cases: [{input: [1], expect: 1}]\n",
        "4:19",
        "input must be a mapping, got a list",
    ),
    (
        "mapping: m\ntests:\n- metric: a\n  cases: [{input: {1x: 2}, expect: 1}]\n",
        "4:24",
        "input '1x' is not a variable name",
    ),
    (
        "mapping: m\ntests:\n- metric: a\n  cases: [{input: {}, expect: '1'}]\n",
        "4:31",
        "expect must be a number, got the string '1'",
    ),
    (
        "mapping: m\ntests:\n- metric: a\n  cases: [{input: {}, expect: .nan}]\n",
        "4:31",
        "expect is NaN",
    ),
    (
        "mapping: m\ntests:\n- metric: a\n  cases: [{input: {}, error: KeyError}]\n",
        "4:30",
        "unknown error class 'KeyError'",
    ),
    (
        "mapping: m\ntests:\n- metric: a\n  cases: [{input: {}, expect: 1, tolerance: -1}]\n",
        "4:45",
        "tolerance must be a number >= 0",
    ),
    (
        "mapping: m\ntests:\n- metric: a\n  cases: [{input: {}, expect: null, tolerance: 1}]\n",
        "4:48",
        "tolerance needs a number to `expect:`",
    ),
    (
        "mapping: m\ntests:\n- metric: a\n  cases: [{input: {}, expected: 1}]\n",
        "4:23",
        "unknown key 'expected' in a case",
    ),
    (
        "mapping: m\ntests:\n- metric: a\n  cases: [{input: {}, expect: 1, expect: 2}]\n",
        "4:34",
        "duplicate key 'expect'",
    ),
    (
        "mapping: m\ntests:\n- metric: a\n  cases: [{input: {<<: {b: 1}}, expect: 1}]\n",
        "4:20",
        "merge keys (<<) are not supported",
    ),
    (
        "mapping: m\ntests:\n- metric: a\n  fuzz: {ranges: {v: [1]}}\n",
        "4:22",
        "the range of v must be a list [LOW, HIGH]",
    ),
    (
        "mapping: m\ntests:\n- metric: a\n  fuzz: {ranges: {v: [1, .inf]}}\n",
        "4:22",
        "must be finite numbers with LOW <= HIGH",
    ),
    (
        "mapping: m\ntests:\n- metric: a\n  fuzz: {expect_range: [2, 1]}\n",
        "4:24",
        "expect_range must be numbers with LOW <= HIGH",
    ),
    (
        "mapping: m\ntests:\n- metric: a\n  fuzz: {nullable: 1}\n",
        "4:20",
        "nullable must be true, false or a list",
    ),
    (
        "mapping: m\ntests:\n- metric: a\n  fuzz: {range: {}}\n",
        "4:10",
        "unknown key 'range' in fuzz",
    ),
]


@pytest.mark.parametrize("composer", LOADERS)
@pytest.mark.parametrize(("text", "where", "message"), BROKEN)
def test_a_broken_test_file_is_reported_at_its_line_and_column(
    text: str, where: str, message: str, composer: bool
) -> None:
    with libyaml(composer):
        found = problems_of(text)
    assert any(p.startswith(f"t.mapping-test.yaml:{where}: ") and message in p for p in found), (
        found
    )


@pytest.mark.parametrize("composer", LOADERS)
def test_an_alias_bomb_in_an_input_refuses_the_file_at_once(composer: bool) -> None:
    # 9 levels of 9 aliases: 9**9 values that every later step (checks, reports) walked.
    lines = ["mapping: m", "tests:", "- metric: a", "  cases:", "  - expect: 1", "    input:"]
    lines.append(f"      l0: &l0 [{', '.join(['lol'] * 9)}]")
    lines += [f"      l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 9)]
    with libyaml(composer), pytest.raises(MappingTestError) as info:
        read_tests("\n".join(lines) + "\n")
    (problem,) = info.value.problems
    assert problem.message.startswith("aliases and merge keys (<<) make this file stand for")
    assert problem.line == 12  # l5, whose aliases pass the budget


@pytest.mark.parametrize("composer", LOADERS)
def test_merge_keys_that_copy_too_much_in_an_input_refuse_the_file(composer: bool) -> None:
    own = ", ".join(f"k{i}: {i}" for i in range(500))
    text = "mapping: m\ntests:\n- metric: a\n  cases:\n  - expect: 1\n    input:\n"
    text += "      v: &v {" + own + ", <<: *v" * 90 + "}\n"
    with libyaml(composer), pytest.raises(MappingTestError) as info:
        read_tests(text)
    (problem,) = info.value.problems
    assert problem.message.startswith("aliases and merge keys (<<) make this file stand for")


def test_every_problem_of_a_file_is_reported_together_in_file_order() -> None:
    with pytest.raises(MappingTestError) as info:
        read_tests(
            "mapping: m\ntests:\n- metric: a\n  cases: [{input: {}, error: X}]\n- metric: b\n"
        )
    problems = info.value.problems
    assert [(p.line, p.key) for p in problems] == [(4, "a"), (5, "b")]
    assert str(info.value).startswith("2 problems in mapping test file\n")
    assert problems[0].snippet == "  cases: [{input: {}, error: X}]\n                             ^"


def test_a_missing_or_unreadable_test_file_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    report = run_mapping_tests(tmp_path / "nope.mapping-test.yaml")
    assert not report.ok
    assert "cannot read the test file" in report.problems[0].message
    (tmp_path / "bad.mapping-test.yaml").write_bytes(b"mapping: \xff\n")
    assert "not UTF-8" in run_mapping_tests(tmp_path / "bad.mapping-test.yaml").problems[0].message


def test_a_missing_mapping_file_points_at_the_mapping_key(tmp_path: Path) -> None:
    path = tmp_path / "t.mapping-test.yaml"
    path.write_text(
        "# tests\nmapping: missing.yaml\ntests: [{metric: a, fuzz: {}}]\n", encoding="utf-8"
    )
    (problem,) = run_mapping_tests(path).problems
    assert (problem.line, problem.column) == (2, 10)
    assert "missing.yaml' does not exist" in problem.message


def test_a_broken_mapping_is_reported_with_the_mapping_problems(tmp_path: Path) -> None:
    (tmp_path / "mapping.yaml").write_text(
        "cpu:\n  conversion_expr: value * / 2\n", encoding="utf-8"
    )
    path = tmp_path / "t.mapping-test.yaml"
    path.write_text(ISSUE_EXAMPLE, encoding="utf-8")
    (problem,) = run_mapping_tests(path).problems
    assert problem.file.endswith("mapping.yaml")
    assert (problem.line, problem.column, problem.key) == (2, 28, "cpu")


def test_metrics_and_fuzz_names_are_checked_against_the_mapping() -> None:
    tests = read_tests(
        """\
        mapping: m.yaml
        tests:
          - metric: disk_usag
            cases: [{input: {}, expect: 1}]
          - metric: disk_usage
            fuzz: {ranges: {disk_use: [0, 1]}}
          - metric: raw
            fuzz: {}
        """
    )
    report = run_mapping_tests(tests, parse_metric_mapping(MAPPING))
    assert [str(p).splitlines()[0] for p in report.problems] == [
        "t.mapping-test.yaml:3:13: disk_usag: metric 'disk_usag' is not in m.yaml "
        "(did you mean 'disk_usage'?)",
        "t.mapping-test.yaml:6:11: disk_usage: fuzz names disk_use, which the conversion "
        "does not read (it reads disk_avail, disk_used)",
        "t.mapping-test.yaml:8:11: raw: fuzz: the metric has no conversion_expr, "
        "so there is nothing to fuzz",
    ]
    assert report.summary() == "t.mapping-test.yaml: 3 problems"


@pytest.mark.parametrize("path", ["/dev/zero", "."], ids=["device", "directory"])
def test_a_test_file_that_is_not_a_regular_file_is_refused_unread(path: str) -> None:
    (problem,) = run_mapping_tests(path).problems
    assert problem.message.startswith("cannot read the test file: ")


def test_an_integer_expectation_past_2_to_the_53_is_compared_exactly() -> None:
    text = """\
        mapping: m
        tests:
          - metric: raw
            cases:
              - {input: {value: 9007199254740993}, expect: 9007199254740993}
              - {input: {value: 9007199254740992}, expect: 9007199254740993}
        """
    assert run(text) == [
        't.mapping-test.yaml:6: raw: {"value": 9007199254740992} '
        "→ got 9007199254740992, expected 9007199254740993"
    ]
