"""``nflex-metrics test`` and ``nflex-metrics fuzz``: reports, exit codes, JSON and JUnit
XML, reproducible fuzzing, and what happens without hypothesis."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from nflex_metrics.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

MAPPING = """\
cpu_usage:
  conversion_expr: value * 100
bits:
  conversion_expr: value * 8
raw:
  unit: B
"""

PASSING = """\
mapping: mapping.yaml
tests:
  - metric: cpu_usage
    cases:
      - {input: {value: 0.5}, expect: 50}
      - {input: {}, error: VariableLookupError}
"""

FAILING = """\
mapping: mapping.yaml
tests:
  - metric: cpu_usage
    cases:
      - {input: {value: 0.5}, expect: 50}
      - {input: {value: 0.5}, expect: 5}
  - metric: bits
    cases:
      - {input: {value: null}, expect: 0}
"""

BROKEN = """\
mapping: mapping.yaml
tests:
  - metric: cpu_usage
    cases:
      - {input: {value: 0.5}, expect: fifty}
"""


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A connector folder with a mapping and three test files, as the current directory."""
    (tmp_path / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    for name, text in (("passing", PASSING), ("failing", FAILING), ("broken", BROKEN)):
        (tmp_path / f"{name}.mapping-test.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(list(args))
    return code, capsys.readouterr().out.splitlines()


# ------------------------------------------------------------------------------ test


def test_passing_files_exit_0_with_a_summary_per_file(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines = cli(capsys, "test", "passing.mapping-test.yaml", "passing.mapping-test.yaml")
    assert code == EXIT_OK
    assert lines == ["passing.mapping-test.yaml: ok: 2 cases, 1 of 3 metrics tested"] * 2


def test_each_failure_is_printed_with_the_test_file_line_then_a_summary(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines = cli(capsys, "test", "failing.mapping-test.yaml", "passing.mapping-test.yaml")
    assert code == EXIT_PROBLEMS
    assert lines == [
        'failing.mapping-test.yaml:6: cpu_usage: {"value": 0.5} → got 50.0, expected 5',
        'failing.mapping-test.yaml:9: bits: {"value": null} → got null, expected 0',
        "failing.mapping-test.yaml: 2 of 3 cases failed",
        "passing.mapping-test.yaml: ok: 2 cases, 1 of 3 metrics tested",
    ]


def test_a_broken_test_file_exits_1_with_its_problems_like_check(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines = cli(capsys, "test", "broken.mapping-test.yaml")
    assert code == EXIT_PROBLEMS
    assert lines == [
        "broken.mapping-test.yaml:5:39: cpu_usage: expect must be a number, got the string "
        "'fifty' (for an error, write `error: ClassName`)",
        "      - {input: {value: 0.5}, expect: fifty}",
        "                                      ^",
        "broken.mapping-test.yaml: 1 problem",
    ]


def test_test_without_files_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test"]) == EXIT_USAGE
    assert "TESTFILE" in capsys.readouterr().err


def test_json_report_lists_files_failures_and_problems(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["test", "--format", "json", "failing.mapping-test.yaml", "broken.mapping-test.yaml"]
    )
    document = json.loads(capsys.readouterr().out)
    assert code == EXIT_PROBLEMS
    assert document["ok"] is False
    failing, broken = document["files"]
    assert {k: failing[k] for k in ("file", "ok", "cases", "failed", "metrics", "tested")} == {
        "file": "failing.mapping-test.yaml",
        "ok": False,
        "cases": 3,
        "failed": 2,
        "metrics": 3,
        "tested": 2,
    }
    assert failing["failures"][0] == {
        "file": "failing.mapping-test.yaml",
        "line": 6,
        "metric": "cpu_usage",
        "case": "cpu_usage[2]",
        "input": {"value": 0.5},
        "got": "50.0",
        "expected": "5",
        "message": 'failing.mapping-test.yaml:6: cpu_usage: {"value": 0.5} → got 50.0, expected 5',
    }
    (problem,) = broken["problems"]
    assert (problem["line"], problem["column"], problem["key"]) == (5, 39, "cpu_usage")
    assert set(problem) == {"file", "line", "column", "key", "message", "snippet"}


def test_junit_xml_has_a_suite_per_file_a_case_per_case_and_counts_that_add_up(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = ["passing.mapping-test.yaml", "failing.mapping-test.yaml", "broken.mapping-test.yaml"]
    assert main(["test", "--junit-xml", "report.xml", *files]) == EXIT_PROBLEMS
    root = ET.parse(folder / "report.xml").getroot()
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [suite.get("name") for suite in suites] == files
    for suite in suites:
        cases = suite.findall("testcase")
        assert suite.get("tests") == str(len(cases))
        assert suite.get("failures") == str(sum(1 for c in cases if c.find("failure") is not None))
        assert suite.get("errors") == str(sum(1 for c in cases if c.find("error") is not None))
        assert all(set(case.attrib) >= {"classname", "name", "file"} for case in cases)
    totals = {
        key: sum(int(suite.get(key, "0")) for suite in suites)
        for key in ("tests", "failures", "errors")
    }
    assert (
        totals
        == {key: int(root.get(key, "-1")) for key in totals}
        == {"tests": 6, "failures": 2, "errors": 1}
    )
    failing = {case.get("name"): case for case in suites[1].findall("testcase")}
    assert list(failing) == ["cpu_usage[1]", "cpu_usage[2]", "bits[1]"]
    failure = failing["cpu_usage[2]"].find("failure")
    assert failure is not None and failing["cpu_usage[2]"].get("line") == "6"
    assert failure.get("message") == "got 50.0, expected 5"
    assert (
        failure.text
        == 'failing.mapping-test.yaml:6: cpu_usage: {"value": 0.5} → got 50.0, expected 5'
    )
    error = suites[2].find("testcase/error")
    assert error is not None and "broken.mapping-test.yaml:5:39: cpu_usage:" in (error.text or "")


def test_an_unwritable_junit_file_fails_the_run(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["test", "--junit-xml", "no/such/dir/r.xml", "passing.mapping-test.yaml"])
        == EXIT_PROBLEMS
    )
    assert "cannot write no/such/dir/r.xml" in capsys.readouterr().err


@pytest.mark.parametrize("target", ["mapping.yaml", "passing.mapping-test.yaml", "link.yaml"])
def test_a_junit_file_that_is_an_input_of_the_run_is_refused_before_any_work(
    folder: Path, capsys: pytest.CaptureFixture[str], target: str
) -> None:
    (folder / "link.yaml").symlink_to(folder / "mapping.yaml")
    before = {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}
    assert main(["test", "--junit-xml", target, "passing.mapping-test.yaml"]) == EXIT_USAGE
    assert f"--junit-xml {target} would overwrite" in capsys.readouterr().err
    assert {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()} == before


def test_a_junit_file_is_replaced_atomically_and_through_a_link(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (folder / "reports").mkdir()
    (folder / "reports" / "r.xml").write_text("old")
    os.chmod(folder / "reports" / "r.xml", 0o640)
    (folder / "latest.xml").symlink_to(folder / "reports" / "r.xml")
    assert main(["test", "--junit-xml", "latest.xml", "passing.mapping-test.yaml"]) == EXIT_OK
    assert (folder / "latest.xml").is_symlink()
    assert ET.parse(folder / "reports" / "r.xml").getroot().tag == "testsuites"
    assert os.stat(folder / "reports" / "r.xml").st_mode & 0o777 == 0o640
    assert sorted(p.name for p in (folder / "reports").iterdir()) == ["r.xml"]


def test_the_example_test_file_passes_and_tests_every_metric(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, lines = cli(capsys, "test", str(EXAMPLES / "mapping.mapping-test.yaml"))
    assert code == EXIT_OK
    (summary,) = lines
    assert summary.endswith(", 15 of 15 metrics tested")


# ------------------------------------------------------------------------------ fuzz


def test_fuzz_reports_the_shrunk_example_with_the_mapping_line_and_exits_1(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines = cli(
        capsys, "fuzz", "mapping.yaml", "--metric", "bits", "--seed", "1", "--max-examples", "30"
    )
    assert code == EXIT_PROBLEMS
    finding, summary = lines
    assert finding.startswith('mapping.yaml:3: bits: {"value": ')
    assert finding.endswith(" → got inf: not a finite number")
    value = json.loads(finding.split(": ", 2)[2].split(" → ")[0])["value"]
    assert value * 8 == float("inf")
    assert summary == "mapping.yaml: 1 of 1 metric failed (seed 1, up to 30 examples each)"


def test_fuzz_with_the_same_seed_reports_the_same_example(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("fuzz", "mapping.yaml", "--seed", "7", "--max-examples", "20")
    assert cli(capsys, *args) == cli(capsys, *args)


def test_fuzz_takes_ranges_from_the_test_file(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (folder / "fuzz.mapping-test.yaml").write_text(
        "mapping: mapping.yaml\ntests:\n"
        "  - {metric: bits, fuzz: {ranges: {value: [0, 1e15]}}}\n"
        "  - {metric: cpu_usage, fuzz: {ranges: {value: [0, 1]}, expect_range: [0, 100]}}\n",
        encoding="utf-8",
    )
    args = (
        "fuzz",
        "mapping.yaml",
        "--tests",
        "fuzz.mapping-test.yaml",
        "--seed",
        "3",
        "--max-examples",
        "20",
    )
    code, lines = cli(capsys, *args)
    assert code == EXIT_OK
    assert lines == [
        "mapping.yaml: ok: 2 metrics fuzzed "
        "(1 without a conversion skipped; seed 3, up to 20 examples each)"
    ]


def test_fuzz_stops_at_a_broken_test_file_or_mapping(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines = cli(capsys, "fuzz", "mapping.yaml", "--tests", "broken.mapping-test.yaml")
    assert code == EXIT_PROBLEMS
    assert lines[-1] == "broken.mapping-test.yaml: 1 problem"
    (folder / "bad.yaml").write_text("a:\n  conversion_expr: value *\n", encoding="utf-8")
    code, lines = cli(capsys, "fuzz", "bad.yaml")
    assert code == EXIT_PROBLEMS
    assert lines[0].startswith("bad.yaml:2:27: a: conversion_expr is invalid")
    assert lines[-1] == "bad.yaml: 1 problem"


def test_fuzz_of_an_unknown_metric_is_a_usage_error(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fuzz", "mapping.yaml", "--metric", "nope"]) == EXIT_USAGE
    assert "no metric 'nope' in mapping.yaml" in capsys.readouterr().err


@pytest.mark.parametrize("bad", ["0", "-1", "many"])
def test_fuzz_max_examples_must_be_a_positive_number(
    bad: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fuzz", "mapping.yaml", "--max-examples", bad]) == EXIT_USAGE


def test_the_example_mapping_passes_fuzz_with_the_example_test_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    mapping, tests = EXAMPLES / "mapping.yaml", EXAMPLES / "mapping.mapping-test.yaml"
    code, lines = cli(capsys, "fuzz", str(mapping), "--tests", str(tests), "--max-examples", "25")
    assert code == EXIT_OK, lines
    assert lines[0].startswith(f"{mapping}: ok: 13 metrics fuzzed")


# --------------------------------------------------------------- without hypothesis


def run_without_hypothesis(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``nflex-metrics ARGS`` in a process where ``import hypothesis`` fails."""
    code = textwrap.dedent(
        f"""
        import sys
        sys.modules["hypothesis"] = None  # import hypothesis -> ImportError
        from nflex_metrics.cli import main
        sys.exit(main({list(args)!r}))
        """
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"},
        timeout=120,
    )


def test_fuzz_without_hypothesis_names_the_extra_to_install(folder: Path) -> None:
    result = run_without_hypothesis(folder, "fuzz", "mapping.yaml")
    assert result.returncode == EXIT_USAGE
    assert "pip install 'nflex-connector-utils[testing]'" in result.stderr
    assert "Traceback" not in result.stderr


def test_test_runs_without_hypothesis(folder: Path) -> None:
    result = run_without_hypothesis(folder, "test", "passing.mapping-test.yaml")
    assert (result.returncode, result.stderr) == (EXIT_OK, "")


def test_a_file_that_cannot_be_read_is_named_without_a_line_like_check(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines = cli(capsys, "test", "missing.mapping-test.yaml")
    assert code == EXIT_PROBLEMS
    assert lines == [
        "missing.mapping-test.yaml: cannot read the test file: No such file or directory",
        "missing.mapping-test.yaml: 1 problem",
    ]
    code, lines = cli(capsys, "fuzz", "missing.yaml")
    assert code == EXIT_PROBLEMS
    assert lines[0] == "missing.yaml: cannot read the mapping file: No such file or directory"
