"""The pytest plugin: a plain ``pytest`` run in a connector project collects its
``*.mapping-test.yaml`` files, one item per case, with readable failures; it leaves every
other project alone."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml  # noqa: F401
from mapping_test_example import MAPPING, TESTS

# pytester's in-process runs forget the modules first imported during them; PyYAML's C
# extension cannot be imported twice, so a second run would mix two PyYAMLs' node
# classes. Importing the mapping loader (and PyYAML) here keeps one of each.
import nflex_metrics.mapping
import nflex_metrics.testing  # noqa: F401

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A connector project: a mapping, its test file and an ordinary Python test."""
    pytester.makefile(".yaml", mapping=MAPPING)
    pytester.makefile(".mapping-test.yaml", metrics=TESTS)
    pytester.makepyfile(test_handler="def test_handler():\n    assert True\n")
    return pytester


def test_each_case_is_an_item_named_after_its_metric(project: pytest.Pytester) -> None:
    result = project.runpytest("-v")
    result.assert_outcomes(passed=5)
    result.stdout.fnmatch_lines(
        [
            "metrics.mapping-test.yaml::disk_usage[[]1[]] PASSED*",
            "metrics.mapping-test.yaml::disk_usage[[]3[]] PASSED*",
            "metrics.mapping-test.yaml::cpu_usage[[]1[]] PASSED*",
        ]
    )


def test_a_failing_case_reports_file_line_metric_input_got_and_expected(
    project: pytest.Pytester,
) -> None:
    project.makefile(".mapping-test.yaml", metrics=TESTS.replace("expect: 25.0", "expect: 24"))
    result = project.runpytest()
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*_ disk_usage[[]1[]] _*",
            'metrics.mapping-test.yaml:5: disk_usage: {"disk_used": 30, "disk_avail": 120} '
            "→ got 25.0, expected 24",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_cases_are_selected_by_metric_with_k(project: pytest.Pytester) -> None:
    project.runpytest("-k", "cpu_usage").assert_outcomes(passed=1, deselected=4)


def test_a_broken_test_file_is_a_collection_error_with_its_line_and_column(
    project: pytest.Pytester,
) -> None:
    project.makefile(
        ".mapping-test.yaml", metrics=TESTS.replace("metric: cpu_usage", "metric: cpu_usag")
    )
    result = project.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR collecting metrics.mapping-test.yaml*",
            "metrics.mapping-test.yaml:8:13: cpu_usag: metric 'cpu_usag' is not in mapping.yaml "
            "(did you mean 'cpu_usage'?)",
        ]
    )


def test_a_broken_mapping_is_a_collection_error_with_the_mapping_problems(
    project: pytest.Pytester,
) -> None:
    project.makefile(".yaml", mapping=MAPPING.replace("value * 100", "value * / 100"))
    result = project.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*mapping.yaml:6:28: cpu_usage: conversion_expr is invalid*"])


def test_a_project_without_mapping_test_files_is_left_alone(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", mapping=MAPPING, config="a: [1, 2\n")  # even broken YAML
    pytester.makefile(".yml", test_settings="tests: [1]\n")
    pytester.makepyfile(test_handler="def test_handler():\n    assert True\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def test_the_plugin_can_be_disabled(project: pytest.Pytester) -> None:
    project.runpytest("-p", "no:nflex_metrics").assert_outcomes(passed=1)


def test_loading_the_plugin_imports_nothing_heavy() -> None:
    code = textwrap.dedent(
        """
        import sys
        import nflex_metrics.pytest_plugin
        print(",".join(m for m in ("yaml", "lark", "hypothesis") if m in sys.modules))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert (result.returncode, result.stdout.strip()) == (0, "")


@pytest.mark.slow
def test_plain_pytest_in_a_fresh_project_that_only_installs_this_package(tmp_path: Path) -> None:
    """The entry point, for real: a new virtualenv, ``pip install`` of this project and
    pytest, and a connector folder with a mapping test file and nothing else."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(ROOT), "pytest"],
        check=True,
        timeout=900,
    )
    connector = tmp_path / "connector"
    connector.mkdir()
    (connector / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    failing = TESTS.replace("expect: 25.0", "expect: 24")
    (connector / "metrics.mapping-test.yaml").write_text(failing, encoding="utf-8")
    result = subprocess.run(
        [str(python), "-m", "pytest", "-p", "no:cacheprovider"],
        cwd=connector,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")},
        timeout=300,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed, 3 passed" in result.stdout
    assert (
        'metrics.mapping-test.yaml:5: disk_usage: {"disk_used": 30, "disk_avail": 120} '
        "→ got 25.0, expected 24"
    ) in result.stdout


def test_a_test_file_that_is_not_utf8_is_a_collection_error_naming_the_file(
    project: pytest.Pytester,
) -> None:
    (project.path / "metrics.mapping-test.yaml").write_bytes(b"\xff\n")
    result = project.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["metrics.mapping-test.yaml: the file is not UTF-8 text: invalid start byte"]
    )
