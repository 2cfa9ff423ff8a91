"""The bundled example data: examples/mapping.yaml loads strictly and converts every sample."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from nflex_metrics import load_metric_mapping

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
#: Sample keys that describe the sample rather than feed the conversion.
META = ("metric", "timestamp", "resource_id")


def samples() -> list[dict[str, Any]]:
    lines = (EXAMPLES / "samples.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def variables(sample: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in sample.items() if k not in META}


def test_example_mapping_loads_strictly_with_every_kind_of_entry() -> None:
    mapping = load_metric_mapping(EXAMPLES / "mapping.yaml")
    assert 10 <= len(mapping) <= 20
    assert any(entry.counter() for entry in mapping.values())
    assert any(entry.conversion is None for entry in mapping.values())
    assert any(entry.specialisation() for entry in mapping.values())
    sources = [e.expression.source for e in mapping.values() if e.expression is not None]
    assert any(" if " in source for source in sources)
    assert any("CASE" in source and "NULL" in source for source in sources)


def test_every_example_sample_converts() -> None:
    mapping = load_metric_mapping(EXAMPLES / "mapping.yaml")
    rows = samples()
    assert 40 <= len(rows) <= 80
    assert {row["metric"] for row in rows} == set(mapping)
    for row in rows:
        entry = mapping[row["metric"]]
        result = entry.value(**variables(row))
        if entry.conversion is None:
            assert result == row["value"]
        else:
            assert result is None or (isinstance(result, float) and math.isfinite(result))


def test_example_conversions_give_the_documented_units() -> None:
    mapping = load_metric_mapping(EXAMPLES / "mapping.yaml")
    assert mapping["cpu_usage"].value(value=0.25) == 25.0
    assert mapping["memory_used"].value(value=3 * 1024 * 1024) == 3.0
    assert mapping["disk_used"].value(value=2 * 1024**3) == 2.0
    assert mapping["network_tx_bits"].value(value=10) == 80.0
    assert mapping["uptime"].value(start=0, end=7200) == 2.0
    assert mapping["host_temperature"].value(value=273.15) == pytest.approx(0.0)


def test_example_samples_include_a_null_producing_case_row() -> None:
    mapping = load_metric_mapping(EXAMPLES / "mapping.yaml")
    results = [
        mapping[row["metric"]].value(**variables(row))
        for row in samples()
        if row["metric"] == "disk_usage"
    ]
    assert None in results and any(isinstance(r, float) for r in results)
