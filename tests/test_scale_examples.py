"""``examples/spark_convert.py`` and ``examples/dask_convert.py`` as a user runs them: the
same input gives what ``convert_table`` gives, and a failing row or a broken mapping is
reported in one line, not a traceback.

Each engine's cases carry its marker (``pytest -m spark``, ``pytest -m dask``) and are
skipped without its extra.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

pa = pytest.importorskip("pyarrow")
import pyarrow.parquet as pq  # noqa: E402
from partitioned_samples import by_resource_and_metric, example_input  # noqa: E402

from nflex_metrics import load_metric_mapping  # noqa: E402
from nflex_metrics.columnar import convert_table  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


class Example(NamedTuple):
    script: str
    output: str  # a file or a directory of Parquet, as the script writes it
    args: tuple[str, ...]
    modules: tuple[str, ...]  # what the engine's extra installs


SPARK = Example("spark_convert.py", "converted.parquet", (), ("pyspark",))
DASK = Example("dask_convert.py", "converted", ("--workers", "2"), ("dask", "distributed"))
EXAMPLES = [
    pytest.param(SPARK, id="spark", marks=pytest.mark.spark),
    pytest.param(DASK, id="dask", marks=pytest.mark.dask),
]


def run_example(example: Example, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The example script on :func:`example_input` written as Parquet."""
    for module in example.modules:
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not installed")
    pq.write_table(example_input(), tmp_path / "samples.parquet")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PYSPARK_PYTHON", None)  # Spark's workers run on the example's own interpreter
    command = [
        sys.executable,
        str(ROOT / "examples" / example.script),
        str(tmp_path / "samples.parquet"),
        str(tmp_path / example.output),
        *example.args,
        *args,
    ]
    return subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.mark.parametrize("example", EXAMPLES)
def test_the_example_converts_as_convert_table_does_keeping_nan_apart_from_null(
    example: Example, tmp_path: Path
) -> None:
    result = run_example(example, tmp_path, "--on-error", "null")
    assert result.returncode == 0, result.stderr[-3000:]
    got = pq.read_table(tmp_path / example.output).to_pylist()
    mapping = load_metric_mapping(ROOT / "examples" / "mapping.yaml")
    want = convert_table(example_input(), mapping, on_error="null").to_pylist()
    assert by_resource_and_metric(got) == by_resource_and_metric(want)


@pytest.mark.parametrize("example", EXAMPLES)
def test_the_example_names_the_failing_row_in_one_line_and_exits_1(
    example: Example, tmp_path: Path
) -> None:
    result = run_example(example, tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        f"{example.script}: partition 0, row 3: unknown metric 'gpu_usage'"
    )


@pytest.mark.parametrize("example", EXAMPLES)
def test_the_example_reports_a_broken_mapping_before_starting_the_engine(
    example: Example, tmp_path: Path
) -> None:
    (tmp_path / "broken.yaml").write_text("cpu: {conversion_expr: value * / 2}\n")
    result = run_example(example, tmp_path, "--mapping", str(tmp_path / "broken.yaml"))
    assert result.returncode == 1
    assert result.stderr.startswith("1 problem in metric mapping\n"), result.stderr
    assert "broken.yaml:1:" in result.stderr and "Traceback" not in result.stderr
    assert "Spark" not in result.stderr and "distributed" not in result.stderr
