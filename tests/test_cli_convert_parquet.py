"""``nflex-metrics convert`` with Parquet: formats, messages, exit codes, and the command
without pyarrow. What the conversion computes is pinned in ``test_parquet.py``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from test_cli import Cli, in_process
from uninstalled import run_without

from nflex_metrics.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE

ROOT = Path(__file__).resolve().parent.parent

MAPPING = """\
cpu_usage:
  name: cpu-usage
  unit: "%"
  conversion_expr: value * 100
"""

EXTRA = "pip install 'nflex-connector-utils[columnar]'"


@pytest.fixture
def cli(capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch) -> Cli:
    return in_process(capsysbinary, monkeypatch)


@pytest.fixture
def mapping(tmp_path: Path) -> Path:
    path = tmp_path / "mapping.yaml"
    path.write_text(MAPPING)
    return path


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    """Three samples, the second of an unknown metric."""
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow as pa

    path = tmp_path / "samples.parquet"
    table = pa.table({"metric": ["cpu_usage", "gpu", "cpu_usage"], "value": [0.5, 1.0, 0.25]})
    pq.write_table(table, path)
    return path


def read_parquet(data: Any) -> list[dict[str, Any]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    source = pa.BufferReader(data) if isinstance(data, bytes) else data
    rows: list[dict[str, Any]] = pq.read_table(source).to_pylist()
    return rows


# -- formats ------------------------------------------------------------------------------


def test_parquet_in_parquet_out_by_the_extensions(
    mapping: Path, samples: Path, tmp_path: Path, cli: Cli
) -> None:
    out = tmp_path / "out.pq"
    result = cli("convert", "--on-error", "skip", str(mapping), str(samples), "-o", str(out))
    assert result.returncode == EXIT_OK
    assert [row["value"] for row in read_parquet(out)] == [50.0, 25.0]
    assert result.stderr.splitlines() == [
        f"nflex-metrics: warning: {samples}:2: unknown metric 'gpu'",
        result.stderr.splitlines()[-1],
    ]
    assert result.stderr.splitlines()[-1].startswith("nflex-metrics: converted 2, rejected 1, ")
    assert result.stderr.endswith(" s (Parquet)\n")


def test_parquet_in_json_lines_out_on_stdout(mapping: Path, samples: Path, cli: Cli) -> None:
    result = cli("convert", "-q", "--on-error", "null", str(mapping), str(samples))
    assert result.returncode == EXIT_OK
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["value"] for line in lines] == [50.0, None, 25.0]
    assert lines[1]["error"] == "row 2: unknown metric 'gpu'"


def test_the_format_options_override_the_extensions(
    mapping: Path, samples: Path, tmp_path: Path, cli: Cli
) -> None:
    renamed = tmp_path / "samples.data"
    renamed.write_bytes(samples.read_bytes())
    out = tmp_path / "out.jsonl"
    result = cli(
        "convert", "-q", "--on-error", "skip", "--input-format", "parquet",
        "--output-format", "parquet", str(mapping), str(renamed), "-o", str(out),
    )  # fmt: skip
    assert result.returncode == EXIT_OK, result.stderr
    assert [row["raw_value"] for row in read_parquet(out)] == [0.5, 0.25]


def test_parquet_on_stdout_is_a_whole_file(mapping: Path, samples: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "nflex_metrics", "convert", "-q", "--on-error", "skip",
         "--output-format", "parquet", str(mapping), str(samples)],
        capture_output=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert result.returncode == EXIT_OK, result.stderr
    assert [row["value"] for row in read_parquet(result.stdout)] == [50.0, 25.0]


# -- rows that cannot be converted --------------------------------------------------------


def test_fail_names_the_row_exits_1_and_leaves_the_output_as_it_was(
    mapping: Path, samples: Path, tmp_path: Path, cli: Cli
) -> None:
    out = tmp_path / "out.parquet"
    out.write_bytes(b"previous run")
    result = cli("convert", str(mapping), str(samples), "-o", str(out))
    assert result.returncode == EXIT_PROBLEMS
    first, summary = result.stderr.splitlines()
    assert first == f"nflex-metrics: {samples}:2: unknown metric 'gpu'"
    assert summary.startswith("nflex-metrics: converted 1, rejected 1, ")
    assert out.read_bytes() == b"previous run"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "mapping.yaml",
        "out.parquet",
        "samples.parquet",
    ]


def test_the_rejects_file_has_a_record_per_rejected_row(
    mapping: Path, samples: Path, tmp_path: Path, cli: Cli
) -> None:
    rejects = tmp_path / "rejects.jsonl"
    out = tmp_path / "out.parquet"
    result = cli(
        "convert", "--on-error", "skip", "--rejects", str(rejects), str(mapping), str(samples),
        "-o", str(out),
    )  # fmt: skip
    assert result.returncode == EXIT_OK
    assert "warning" not in result.stderr
    assert [json.loads(line) for line in rejects.read_text().splitlines()] == [
        {"row": 2, "reason": "unknown metric 'gpu'", "input": {"metric": "gpu", "value": 1.0}}
    ]


def test_a_file_without_a_metric_column_is_one_clear_error(
    mapping: Path, tmp_path: Path, cli: Cli
) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow as pa

    source = tmp_path / "samples.parquet"
    pq.write_table(pa.table({"key": ["cpu_usage"], "value": [1.0]}), source)
    result = cli("convert", str(mapping), str(source))
    assert result.returncode == EXIT_PROBLEMS
    assert result.stderr == (
        f"nflex-metrics: {source}: the table has no 'metric' column (columns: 'key', 'value')\n"
    )


# -- usage errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("IN.jsonl", "-o", "out.parquet"), "JSON Lines input cannot be written as Parquet"),
        (("--output-format", "parquet"), "JSON Lines input cannot be written as Parquet"),
        (("--input-format", "parquet"), "Parquet input cannot be read from stdin"),
        (("IN.parquet", "--block-size", "10"), "--block-size is for JSON Lines input"),
        (("IN.jsonl", "--batch-size", "10"), "--batch-size is for Parquet input"),
        (("IN.parquet", "--batch-size", "0"), "--batch-size: must be between 1 and"),
    ],
    ids=["jsonl-to-parquet", "jsonl-to-parquet-stdout", "stdin", "block-size", "batch-size",
         "batch-size-0"],
)  # fmt: skip
def test_what_a_format_cannot_do_is_a_usage_error(
    mapping: Path, samples: Path, tmp_path: Path, args: tuple[str, ...], message: str, cli: Cli
) -> None:
    jsonl = tmp_path / "IN.jsonl"
    jsonl.write_text('{"metric": "cpu_usage", "value": 1}\n')
    paths = {"IN.jsonl": str(jsonl), "IN.parquet": str(samples)}
    result = cli("convert", str(mapping), *(paths.get(arg, arg) for arg in args), cwd=tmp_path)
    assert result.returncode == EXIT_USAGE
    assert "usage:" in result.stderr and message in result.stderr
    assert not (tmp_path / "out.parquet").exists()


def test_parquet_is_not_written_to_a_terminal(
    mapping: Path, samples: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    result = cli("convert", "--output-format", "parquet", str(mapping), str(samples))
    assert result.returncode == EXIT_USAGE
    assert "Parquet output is not written to a terminal" in result.stderr
    assert result.stdout == ""


# -- without pyarrow ----------------------------------------------------------------------


def run_without_columnar(args: list[str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    """``nflex-metrics ARGS`` in a fresh interpreter where NumPy, pyarrow and pandas are
    not installed: importing one of them fails."""
    code = f"""
        import sys
        from nflex_metrics.cli import main
        status = main({args!r})
        loaded = sorted(m for m in ("numpy", "pyarrow", "pandas") if m in sys.modules)
        assert not loaded, loaded
        sys.exit(status)
        """
    return run_without(("numpy", "pyarrow", "pandas"), code, stdin=stdin)


def test_json_lines_convert_runs_without_numpy_and_pyarrow(mapping: Path) -> None:
    result = run_without_columnar(
        ["convert", "-q", str(mapping)], stdin='{"metric": "cpu_usage", "value": 0.5}\n'
    )
    assert result.returncode == EXIT_OK, result.stderr
    assert json.loads(result.stdout)["value"] == 50.0


@pytest.mark.parametrize(
    "args",
    [
        ["MAPPING", "IN.parquet"],
        ["--input-format", "parquet", "MAPPING", "IN.jsonl"],
        ["--output-format", "jsonl", "MAPPING", "IN.parquet", "-o", "out.parquet"],
    ],
    ids=["parquet-input", "input-format", "parquet-to-jsonl"],
)
def test_a_parquet_file_without_pyarrow_is_a_usage_error_naming_the_extra(
    mapping: Path, tmp_path: Path, args: list[str]
) -> None:
    (tmp_path / "IN.parquet").write_bytes(b"PAR1")
    (tmp_path / "IN.jsonl").write_text("")
    paths = {"MAPPING": str(mapping), "IN.parquet": str(tmp_path / "IN.parquet")}
    paths.update({"IN.jsonl": str(tmp_path / "IN.jsonl"), "out.parquet": str(tmp_path / "o")})
    result = run_without_columnar(["convert", *(paths.get(arg, arg) for arg in args)])
    assert result.returncode == EXIT_USAGE
    assert "usage:" in result.stderr and EXTRA in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "o").exists()
