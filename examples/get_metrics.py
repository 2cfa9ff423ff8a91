"""A metrics connector's ``get_metrics`` handler: one provider response -> CMP data points.

The mapping is loaded once, when the module is imported: a broken ``mapping.yaml``
fails the deploy with every problem listed, instead of failing each call, and every
call reuses the compiled expressions. Run it locally without flexer::

    python examples/get_metrics.py
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from nflex_connector_utils import LocalContext
from nflex_metrics import NflexMetricsError, load_metric_mapping

MAPPING = load_metric_mapping(str(Path(__file__).with_name("mapping.yaml")))


def fetch_stats(resource_id: str) -> dict[str, Any]:
    """Stand-in for the provider API call: the latest stats of one virtual machine,
    each stat with the variables its ``conversion_expr`` reads."""
    return {
        "vm": resource_id,
        "sampled_at": "2024-05-01T12:00:00Z",
        "stats": {
            "cpu_usage": {"value": 0.42},
            "memory_usage": {"value": 1610612736, "total": 4294967296},
            "disk_usage": {"disk_used": 30.5, "disk_avail": 0},  # no capacity: NULL
            "network_tx_bits": {"value": 1200},
            "disk_read_ops": {"value": 5321},
            "gpu_usage": {"value": 0.5},  # not in the mapping
        },
    }


def get_metrics(event: Any, context: Any) -> list[dict[str, Any]]:
    """Convert the provider's stats for ``event['resource_id']`` into CMP data points.

    A stat the mapping does not know, or one that cannot be converted, is logged and
    left out; a NULL result (nothing to report) is left out too.
    """
    response = fetch_stats(event["resource_id"])
    points = []
    for key, variables in response["stats"].items():
        entry = MAPPING.get(key)
        if entry is None:
            context.log(f"no mapping for the provider metric {key!r}: skipped", "warning")
            continue
        try:
            value = entry.value(**variables)
        except NflexMetricsError as err:
            context.log(f"cannot convert {key!r}: {err}", "warning")
            continue
        if value is None:
            continue
        points.append(
            {
                "resource_id": response["vm"],
                "metric": entry.name(),
                "specialisation": entry.specialisation(),
                "unit": entry.unit(),
                "counter": entry.counter(),
                "value": value,
                "time": response["sampled_at"],
            }
        )
    return points


if __name__ == "__main__":
    print(json.dumps(get_metrics({"resource_id": "vm-101"}, LocalContext()), indent=2))
