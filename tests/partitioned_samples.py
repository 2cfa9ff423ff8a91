"""For the Spark and Dask tests: a mapping and a table of samples that touch every rule.

The table mixes converted rows with NULLs, NaN, infinities and -0.0, numbers given as
strings, divisions by zero, rows that fail (an unknown or null metric, a cell that is
not a number, a column the table lacks, an overflow) and an entry without a
conversion. Its ``rid`` column numbers the rows, so that results can be compared
whatever order an engine returns them in.
"""

from __future__ import annotations

import math
import random
from typing import Any

import pyarrow as pa

from nflex_metrics import parse_metric_mapping
from nflex_metrics.columnar import convert_table

MAPPING_YAML = """\
cpu_usage: {name: cpu-usage, unit: "%", conversion_expr: value * 100}
memory_usage:
  name: memory-usage
  unit: "%"
  conversion_expr: value / total * 100 if total > 0 else 0
ratio: {name: ratio, conversion_expr: value / total}
disk_usage:
  name: disk-usage
  unit: "%"
  conversion_expr: >
    CASE WHEN disk_avail = 0 OR disk_avail IS NULL THEN NULL
         ELSE disk_used / disk_avail * 100 END
rx_bytes: {name: network-rx, unit: bytes, counter: true}
uptime: {name: uptime, unit: h, conversion_expr: (end - start) / 3600}
growth: {name: growth, conversion_expr: value ^ start}
"""

MAPPING = parse_metric_mapping(MAPPING_YAML, source="partitioned_samples")

#: The input's Arrow schema: ``end``, which ``uptime`` reads, is missing on purpose.
SCHEMA = pa.schema(
    [
        ("rid", pa.int64()),
        ("metric", pa.string()),
        ("value", pa.float64()),
        ("total", pa.string()),
        ("disk_used", pa.float64()),
        ("disk_avail", pa.int64()),
        ("start", pa.float64()),
    ]
)

_METRICS = [*MAPPING, "gpu_usage", None]
_FLOATS = [0.0, -0.0, 0.25, 1.0, 3.5, 1e300, -7.0, math.inf, -math.inf, math.nan, None]
_TOTALS = ["0", "4", " 2.5 ", "1e3", "-1", "abc", "", None]


def samples(rows: int, seed: int = 13) -> pa.Table:
    """``rows`` samples drawn with a fixed seed."""
    draw = random.Random(seed)
    columns: dict[str, list[Any]] = {name: [] for name in SCHEMA.names}
    for rid in range(rows):
        columns["rid"].append(rid)
        columns["metric"].append(draw.choice(_METRICS))
        columns["value"].append(draw.choice(_FLOATS))
        columns["total"].append(draw.choice(_TOTALS))
        columns["disk_used"].append(draw.choice(_FLOATS))
        columns["disk_avail"].append(draw.choice([0, 2, 50, None]))
        columns["start"].append(draw.choice([0.0, 2.0, 400.0, None]))
    return pa.table(columns, schema=SCHEMA)


def clean(table: pa.Table) -> pa.Table:
    """The rows of ``table`` that convert (``on_error="fail"`` takes all of them)."""
    errors = convert_table(table, MAPPING, on_error="null").column("error")
    return table.filter(errors.is_null())


def comparable(value: Any) -> Any:
    """A cell in a form that compares exactly: floats by their repr, so that NaN equals
    NaN and -0.0 differs from 0.0."""
    return ("float", repr(value)) if isinstance(value, float) else value


def by_rid(rows: list[dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    """Rows (as dicts) keyed by their ``rid``, each cell made :func:`comparable`."""
    return {row["rid"]: {k: comparable(v) for k, v in row.items()} for row in rows}


def by_resource_and_metric(rows: list[dict[str, Any]]) -> dict[Any, dict[str, Any]]:
    """Rows of :func:`example_input`'s conversion keyed by resource and metric (unique
    there), each cell made :func:`comparable`."""
    return {
        (row["resource_id"], row["metric"]): {k: comparable(v) for k, v in row.items()}
        for row in rows
    }


def example_input() -> pa.Table:
    """What the examples (``examples/spark_convert.py``, ``examples/dask_convert.py``)
    convert in their tests: a few samples of ``examples/mapping.yaml``, one unknown, one
    NaN (a value, not NULL)."""
    return pa.table(
        {
            "metric": ["cpu_usage", "memory_usage", "disk_usage", "gpu_usage", "cpu_usage"],
            "value": [0.5, 1024.0, None, 1.0, math.nan],
            "total": [None, 4096.0, None, None, None],
            "disk_used": [None, None, 30.0, None, None],
            "disk_avail": [None, None, 0.0, None, None],
            "resource_id": ["vm-1", "vm-1", "vm-2", "vm-2", "vm-3"],
        }
    )
