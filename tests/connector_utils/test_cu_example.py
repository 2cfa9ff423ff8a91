"""The 0.2.0 documentation's full example (examples/get_resources.py) runs and serializes
in the documented wire format."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from nflex_connector_utils import LocalContext

from .conftest import FROZEN_NOW_RFC3339
from .test_cu_resources import SERVER_DEFAULTS

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "get_resources.py"


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("get_resources_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def plain(id: str, name: str, type: str, details: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": id,
        "type": type,
        "base": {
            "name": name,
            "provider_created_at": None,
            "last_seen_at": FROZEN_NOW_RFC3339,
            "regions": [],
        },
        "connections": {},
        "metadata": {},
        "details": {type: details},
    }


TB = 1024**4

EXPECTED = [
    plain("appliance-1", "Network 1", "appliance", {"type_id": "firewall"}),
    plain("network-1", "Network 1", "network", {}),
    plain("server-1", "Server 1", "server", SERVER_DEFAULTS),
    plain("volume-1", "Volume 1", "volume", {"encrypted": None, "iops": None, "size_b": None}),
    plain(
        "volume-2",
        "Volume 2",
        "volume",
        {"encrypted": False, "iops": None, "size_b": TB, "zone_name": "eu-west-1"},
    ),
    {
        "id": "server-2",
        "type": "server",
        "base": {
            "name": "Server with lots of details",
            "provider_created_at": "2017-02-04T00:00:00Z",
            "last_seen_at": FROZEN_NOW_RFC3339,
            "native_portal_link": "http://www.example.com/servers/server-2",
            # Non-empty locations replace the region.
            "locations": [
                {
                    "country": {"name": "France"},
                    "city": {"name": "Paris"},
                    "location": {
                        "name": "Legendary Paris Place",
                        "latitude": 48.860764,
                        "longitude": 2.393646,
                    },
                }
            ],
        },
        "connections": {"network": [{"id": "network-1"}], "volume": [{"id": "volume-2"}]},
        "metadata": {"provider_specific": {"key1": "value1", "key2": "value2"}},
        "details": {
            "server": {
                "cpu_cores": 2,
                "cpu_hz": 2500000,
                "ram_b": 32 * 1024**2,
                "volumes_b": TB,
                "instance_type": None,
                "state": "stopped",
                "provider_state": "powered off",
                "ip_addresses": [
                    {
                        "ip_address": "192.168.0.1",
                        "network": {"id": "network-1", "name": "Network 1"},
                    }
                ],
                "image_detail": {
                    "id": "image-1",
                    "name": "ubuntu 16.04",
                    "architecture": "64",
                    "distribution": "Ubuntu",
                    "type": "Linux",
                    "version": "16.04",
                },
            }
        },
    },
]


@pytest.mark.usefixtures("frozen_clock")
def test_full_example_serializes_to_the_spec_wire_format() -> None:
    result = load_example().get({}, LocalContext())
    assert result == EXPECTED
    assert json.loads(json.dumps(result)) == EXPECTED
    # Key order is part of the bytes CMP receives.
    assert list(result[5]["base"]) == [
        "name",
        "provider_created_at",
        "last_seen_at",
        "native_portal_link",
        "locations",
    ]
    assert list(result[5]["connections"]) == ["network", "volume"]
