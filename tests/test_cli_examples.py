"""The README's examples: ``examples/get_metrics.py`` and the quick start's convert run."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from nflex_connector_utils import LocalContext

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def load_example(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_get_metrics_converts_the_provider_response_with_the_mapping() -> None:
    example = load_example("get_metrics")
    context = LocalContext()
    points = example.get_metrics({"resource_id": "vm-7"}, context)
    by_metric = {(p["metric"], p["specialisation"]): p for p in points}
    cpu = by_metric[("cpu-usage", "")]
    assert (cpu["value"], cpu["unit"], cpu["counter"]) == (0.42 * 100, "%", False)
    assert cpu["resource_id"] == "vm-7"
    memory = by_metric[("memory-usage", "")]
    assert memory["value"] == 1610612736 / 4294967296 * 100
    tx = by_metric[("network-tx", "eth0")]
    assert (tx["value"], tx["counter"]) == (1200 * 8.0, True)
    ops = by_metric[("disk-read-ops", "")]
    assert ops["value"] == 5321  # no conversion: passed through unchanged
    # disk_usage is NULL (no capacity): nothing to report.
    assert ("disk-usage", "") not in by_metric
    assert len(points) == 4
    # The unknown provider metric is logged, not dropped silently.
    assert any("gpu_usage" in message for message, _ in context.logs)


def test_get_metrics_loads_the_mapping_once(monkeypatch: pytest.MonkeyPatch) -> None:
    example = load_example("get_metrics")
    import nflex_metrics.mapping

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("the mapping is loaded again")

    monkeypatch.setattr(nflex_metrics.mapping, "load_metric_mapping", fail)
    for _ in range(3):
        assert example.get_metrics({"resource_id": "vm-1"}, LocalContext())


def test_quick_start_converts_the_bundled_samples(tmp_path: Path) -> None:
    out = tmp_path / "converted.jsonl"
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "nflex_metrics",
            "convert",
            "examples/mapping.yaml",
            "examples/samples.jsonl",
            "-o",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": path},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    samples = (EXAMPLES / "samples.jsonl").read_text().splitlines()
    outputs = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(outputs) == len([s for s in samples if s.strip()])
    assert all({"name", "unit", "counter", "raw_value"} <= set(o) for o in outputs)


def _handler(source: str) -> str:
    """The ``get_metrics`` function of ``source`` without its docstring and type hints, as
    an AST dump (comments are not in it)."""
    import ast

    (function,) = [
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef) and node.name == "get_metrics"
    ]
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    function.body = body
    function.returns = None
    for argument in function.args.args:
        argument.annotation = None
    return ast.dump(function, include_attributes=False)


def test_the_readme_handler_is_the_example_handler() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("```python\n", 1)[1].split("```", 1)[0]
    example = (EXAMPLES / "get_metrics.py").read_text(encoding="utf-8")
    assert _handler(block) == _handler(example)
    assert 'load_metric_mapping(str(Path(__file__).with_name("mapping.yaml")))' in block
