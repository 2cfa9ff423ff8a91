"""``nflex-metrics check`` and ``eval``, and the entry points, run as real processes."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

import nflex_metrics
from nflex_metrics.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, main

ROOT = Path(__file__).resolve().parent.parent


def run_cli(
    *args: str, stdin: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m nflex_metrics ARGS`` with this checkout importable."""
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "nflex_metrics", *args],
        input=stdin,
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONPATH": path},
        timeout=120,
    )


@dataclass
class Ran:
    """What a run of the command line did."""

    returncode: int
    stdout: str
    stderr: str


Cli = Callable[..., Ran]


def in_process(capture: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch) -> Cli:
    """``main(args)`` in this process with ``stdin`` as its input: ``run_cli`` without
    starting a process, for what is not about processes, fds or signals."""

    def run(*args: str, stdin: str = "", cwd: Path | None = None) -> Ran:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
        capture.readouterr()
        code = main(list(args))
        out, err = capture.readouterr()
        return Ran(code, out.decode(), err.decode())

    return run


@pytest.fixture
def cli(capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch) -> Cli:
    return in_process(capsysbinary, monkeypatch)


GOOD = """\
cpu_usage:
  name: cpu-usage
  unit: "%"
  conversion_expr: value * 100
ratio:
  name: ratio
  conversion_expr: value * 100 if total > 0 else 0
passthrough:
  name: raw
  unit: B
  counter: true
"""

# The bad expression is on line 3; its column is where the second operator stands.
BAD = """\
cpu_usage:
  name: cpu-usage
  conversion_expr: value * / 100
"""


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / "good.yaml"
    path.write_text(GOOD)
    return path


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD)
    return path


# -- check ------------------------------------------------------------------------------


def test_check_valid_mapping_exits_0_with_a_summary_counting_metrics(good: Path) -> None:
    result = run_cli("check", str(good))
    assert result.returncode == EXIT_OK, result.stderr
    assert result.stdout.splitlines() == [f"{good}: ok: 3 metrics"]


def test_check_prints_file_line_column_key_message_and_the_caret_line(bad: Path, cli: Cli) -> None:
    result = cli("check", str(bad))
    assert result.returncode == EXIT_PROBLEMS
    yaml_line = BAD.splitlines()[2]
    column = yaml_line.index("/") + 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{bad}:3:{column}: cpu_usage: ")
    assert yaml_line in lines
    caret = lines[lines.index(yaml_line) + 1]
    assert caret.index("^") == column - 1
    assert lines[-1] == f"{bad}: 1 problem"


def test_check_several_files_exits_1_when_any_is_invalid_with_a_summary_each(
    good: Path, bad: Path, cli: Cli
) -> None:
    result = cli("check", str(good), str(bad))
    assert result.returncode == EXIT_PROBLEMS
    assert f"{good}: ok: 3 metrics" in result.stdout.splitlines()
    assert f"{bad}: 1 problem" in result.stdout.splitlines()


def test_check_reports_every_problem_of_a_file_together(tmp_path: Path, cli: Cli) -> None:
    path = tmp_path / "two.yaml"
    path.write_text("a:\n  conversion_expr: value * / 1\nb:\n  conversion_expr: (value\n")
    result = cli("check", str(path))
    assert result.returncode == EXIT_PROBLEMS
    assert f"{path}:2:" in result.stdout
    assert f"{path}:4:" in result.stdout
    assert result.stdout.splitlines()[-1] == f"{path}: 2 problems"


def test_check_a_missing_file_is_a_problem_not_a_traceback(tmp_path: Path, cli: Cli) -> None:
    missing = tmp_path / "nope.yaml"
    result = cli("check", str(missing))
    assert result.returncode == EXIT_PROBLEMS
    assert str(missing) in result.stdout
    assert "Traceback" not in result.stderr


def test_check_json_report_is_machine_readable(good: Path, bad: Path, cli: Cli) -> None:
    result = cli("check", "--format", "json", str(good), str(bad))
    assert result.returncode == EXIT_PROBLEMS
    report = json.loads(result.stdout)
    assert report["ok"] is False
    first, second = report["files"]
    assert first == {"file": str(good), "ok": True, "metrics": 3, "problems": []}
    assert second["ok"] is False
    (problem,) = second["problems"]
    assert problem["file"] == str(bad)
    assert (problem["line"], problem["column"]) == (3, BAD.splitlines()[2].index("/") + 1)
    assert problem["key"] == "cpu_usage"
    assert problem["message"]
    assert "^" in problem["snippet"]


def test_check_json_report_of_valid_files_exits_0(good: Path, cli: Cli) -> None:
    result = cli("check", "--format=json", str(good))
    assert result.returncode == EXIT_OK
    assert json.loads(result.stdout)["ok"] is True


def test_check_print_schema_prints_the_shipped_json_schema(cli: Cli) -> None:
    from nflex_metrics.schema import mapping_schema

    result = cli("check", "--print-schema")
    assert result.returncode == EXIT_OK
    assert json.loads(result.stdout) == mapping_schema()


@pytest.mark.parametrize(
    "args",
    [
        ("check",),
        ("check", "--format", "xml", "m.yaml"),
        ("check", "--print-schema", "m.yaml"),
        ("frobnicate",),
        (),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...], cli: Cli) -> None:
    result = cli(*args)
    assert result.returncode == EXIT_USAGE
    assert "usage:" in result.stderr


# -- eval -------------------------------------------------------------------------------


def test_eval_prints_the_result_of_an_expression(cli: Cli) -> None:
    result = cli("eval", "value * 100 if total > 0 else 0", "value=0.5", "total=3")
    assert (result.returncode, result.stdout) == (EXIT_OK, f"{0.5 * 100!r}\n")


def test_eval_prints_null_for_a_null_result(cli: Cli) -> None:
    result = cli("eval", "value * 2", "value=null")
    assert (result.returncode, result.stdout) == (EXIT_OK, "null\n")


def test_eval_values_are_read_as_json_so_a_quoted_number_is_coerced(cli: Cli) -> None:
    result = cli("eval", "value + 1", 'value="41"')
    assert (result.returncode, result.stdout) == (EXIT_OK, "42.0\n")


def test_eval_a_value_that_is_not_a_number_is_an_error_naming_the_variable(cli: Cli) -> None:
    result = cli("eval", "value + 1", "value=abc")
    assert result.returncode == EXIT_PROBLEMS
    assert "value" in result.stderr
    assert "Traceback" not in result.stderr


def test_eval_syntax_error_prints_the_caret_rendering_and_exits_1(cli: Cli) -> None:
    result = cli("eval", "value * / 10", "value=1")
    assert result.returncode == EXIT_PROBLEMS
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert "value * / 10" in lines
    assert lines[lines.index("value * / 10") + 1].index("^") == len("value * ")


def test_eval_missing_variable_exits_1_naming_it(cli: Cli) -> None:
    result = cli("eval", "value * 100 if total > 0 else 0", "value=1")
    assert result.returncode == EXIT_PROBLEMS
    assert "total" in result.stderr


def test_eval_explain_prints_canonical_form_variables_and_python(cli: Cli) -> None:
    result = cli("eval", "--explain", "value*100 if total>0 else 0")
    assert result.returncode == EXIT_OK, result.stderr
    expression = nflex_metrics.compile("value*100 if total>0 else 0")
    out = result.stdout
    assert f"canonical:  {expression.canonical}" in out.splitlines()
    assert "variables:  total, value" in out.splitlines()
    python_lines = [line for line in expression.python_source.splitlines() if line.strip()]
    assert all(f"    {line}" in out.splitlines() for line in python_lines)
    assert "result:" not in out  # nothing to evaluate it with


def test_eval_explain_with_variables_also_prints_the_result(cli: Cli) -> None:
    result = cli("eval", "--explain", "value * 2", "value=4")
    assert result.returncode == EXIT_OK
    assert "result:     8.0" in result.stdout.splitlines()


def test_eval_an_expression_starting_with_minus_after_double_dash(cli: Cli) -> None:
    result = cli("eval", "--", "-value * 2", "value=3")
    assert (result.returncode, result.stdout) == (EXIT_OK, "-6.0\n")


def test_eval_a_mapping_entry(good: Path, cli: Cli) -> None:
    result = cli("eval", "--mapping", str(good), "--metric", "ratio", "value=0.25", "total=1")
    assert (result.returncode, result.stdout) == (EXIT_OK, f"{0.25 * 100!r}\n")


def test_eval_a_mapping_entry_without_conversion_passes_the_value_through(
    good: Path, cli: Cli
) -> None:
    result = cli("eval", "--mapping", str(good), "--metric", "passthrough", "value=7")
    assert (result.returncode, result.stdout) == (EXIT_OK, "7\n")


def test_eval_explain_a_mapping_entry_names_it(good: Path, cli: Cli) -> None:
    result = cli("eval", "--explain", "--mapping", str(good), "--metric", "cpu_usage")
    assert result.returncode == EXIT_OK
    assert "metric:     cpu_usage (name 'cpu-usage', unit '%', counter false)" in result.stdout


def test_eval_an_unknown_metric_exits_1_listing_the_known_ones(good: Path, cli: Cli) -> None:
    result = cli("eval", "--mapping", str(good), "--metric", "nope", "value=1")
    assert result.returncode == EXIT_PROBLEMS
    assert "'nope'" in result.stderr
    assert "cpu_usage" in result.stderr


def test_eval_an_invalid_mapping_exits_1_with_its_problems(bad: Path, cli: Cli) -> None:
    result = cli("eval", "--mapping", str(bad), "--metric", "cpu_usage", "value=1")
    assert result.returncode == EXIT_PROBLEMS
    assert f"{bad}:3:" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("eval",),
        ("eval", "--metric", "cpu_usage"),
        ("eval", "--mapping", "m.yaml"),
        ("eval", "value", "value"),
        ("eval", "value", "=1"),
        ("eval", "value", "value=1", "value=2"),
    ],
    ids=["nothing", "metric-alone", "mapping-alone", "no-equals", "no-name", "twice"],
)
def test_eval_usage_errors_exit_2(args: tuple[str, ...], cli: Cli) -> None:
    result = cli(*args)
    assert result.returncode == EXIT_USAGE
    assert "usage:" in result.stderr


@pytest.mark.parametrize("name", ["1x", "x-y", "_a", "é", "a b"])
def test_eval_a_bad_variable_name_is_a_usage_error_saying_why(
    good: Path, name: str, cli: Cli
) -> None:
    for args in (("eval", "value"), ("eval", "--mapping", str(good), "--metric", "cpu_usage")):
        result = cli(*args, "value=1", f"{name}=3")
        assert result.returncode == EXIT_USAGE
        assert "usage:" in result.stderr
        assert f"{name!r} is not a variable name" in result.stderr


def test_eval_a_value_nested_too_deeply_to_read_is_a_usage_error(good: Path, cli: Cli) -> None:
    # Well-formed JSON, deeper than any CPython's json reader goes (3.13 reads 5,000 levels).
    deep = "[" * 100_000 + "]" * 100_000
    for args in (("eval", "a * 2"), ("eval", "--mapping", str(good), "--metric", "cpu_usage")):
        result = cli(*args, f"a={deep}")
        assert result.returncode == EXIT_USAGE
        assert "the value of a is nested too deeply to read" in result.stderr
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [("-a",), ("-a", "a=1"), ("-2*a", "a=1")])
def test_eval_an_expression_taken_for_an_option_hints_at_double_dash(
    args: tuple[str, ...], cli: Cli
) -> None:
    result = cli("eval", *args)
    assert result.returncode == EXIT_USAGE
    assert f"nflex-metrics eval -- {args[0]!r}" in result.stderr


def test_other_unknown_options_get_no_hint(cli: Cli) -> None:
    result = cli("check", "--nope", "m.yaml")
    assert result.returncode == EXIT_USAGE
    assert "unrecognized arguments: --nope" in result.stderr and " -- " not in result.stderr


# -- entry points -----------------------------------------------------------------------


def test_help_exits_0(cli: Cli) -> None:
    result = cli("--help")
    assert result.returncode == EXIT_OK
    for command in ("check", "eval", "convert"):
        assert command in result.stdout


def test_version_is_the_package_version(cli: Cli) -> None:
    result = cli("--version")
    assert (result.returncode, result.stdout.strip()) == (
        EXIT_OK,
        f"nflex-metrics {nflex_metrics.__version__}",
    )


def test_main_returns_exit_codes_instead_of_raising(good: Path) -> None:
    assert main(["check", str(good)]) == EXIT_OK
    assert main(["check"]) == EXIT_USAGE


def test_installed_console_script_runs(good: Path) -> None:
    script = Path(sys.executable).parent / "nflex-metrics"
    if not script.exists():
        pytest.skip("the project is not installed in this interpreter's environment")
    result = subprocess.run(
        [str(script), "check", str(good)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == EXIT_OK, result.stderr
    assert result.stdout == f"{good}: ok: 3 metrics\n"


def test_importing_the_cli_module_stays_cheap() -> None:
    code = textwrap.dedent(
        """
        import sys
        import nflex_metrics.cli
        heavy = sorted(m for m in ("lark", "yaml", "orjson") if m in sys.modules)
        print(",".join(heavy))
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
