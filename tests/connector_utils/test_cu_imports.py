"""Every 0.2.0 import path works, from its module and from the package top level."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import pytest

import nflex_connector_utils as ncu

# Module -> the public names the 0.2.0 documentation lists there (its module index).
MODULE_NAMES = {
    "resource": ["Resource"],
    "server": ["Server"],
    "volume": ["Volume"],
    "network": ["Network"],
    "appliance": ["Appliance"],
    "service_offering": ["ServiceOffering"],
    "compute_pool": ["ComputePool"],
    "saas_user": ["SaasUser", "SaaSUser"],
    "colo_space": ["ColoSpace"],
    "circuit": ["Circuit"],
    "account": ["Account"],
    "metadata": ["Metadata"],
    "connections": ["Connections"],
    "image_detail": ["ImageDetail", "ImageDetailMap"],
    "ip_address": ["IpAddress"],
    "locations": ["Locations", "Region"],
    "rfc3339": ["convert_datetime"],
    "tools": ["serialize_list", "vcr_cassette_context"],
    "tasks": ["set_task_percentage"],
    "logger": ["Logger"],
    "time": ["setup_time_interval"],
    "errors": ["InvalidCredentials", "InsufficientPermission", "NoBillingReport", "SpendError"],
}

PARSER_NAMES = [
    "ExpressionParser",
    "TernaryExpressionParser",
    "CaseExpressionParser",
    "SimpleExpressionParser",
    "ParsedEntry",
    "load_metric_mapping",
    "VariableLookupError",
]

RESOURCE_ARGS = [
    "id",
    "name",
    "region",
    "locations",
    "provider_created_at",
    "metadata",
    "native_portal_link",
    "connections",
]

# Class -> its own constructor arguments in 0.2.0's order (the 0.2.0 documentation).
SIGNATURES = {
    "Resource": ["id", "name", "type", *RESOURCE_ARGS[2:]],
    "Server": [
        "cpu_hz",
        "cpu_cores",
        "ram_b",
        "volumes_b",
        "state",
        "provider_state",
        "image_detail",
        "instance_type",
        "ip_addresses",
        "is_virtual",
    ],
    "Volume": ["size_b", "encrypted", "iops", "zone_name"],
    "Network": [],
    "Appliance": ["size_b", "type_id"],
    "ServiceOffering": ["type_id"],
    "ComputePool": ["cpu_hz", "memory_b", "storage_b", "billing_tag"],
    "SaasUser": [
        "avatar_url",
        "phone",
        "address",
        "language",
        "is_active",
        "disk_quota_b",
        "disk_used_b",
        "email",
        "country",
    ],
    "ColoSpace": [
        "power_allocation_w",
        "type_id",
        "colo_space_location",
        "customer_name",
        "customer_label",
        "customer_description",
        "combination",
    ],
    "Circuit": ["type_id", "carrier", "reference", "endpoint_a", "endpoint_b"],
    "Metadata": ["values", "default_namespace"],
    "Connections": ["type", "connections", "appliances", "servers", "networks", "volumes"],
    "ImageDetail": ["id", "name", "type", "distribution", "version", "architecture"],
    "ImageDetailMap": ["mapping"],
    "IpAddress": ["ip_address", "network_id", "network_name", "description"],
    "Region": ["id"],
    "Locations": ["locations"],
    "Account": ["id", "metadata"],
    "Logger": ["context", "customer_id", "account_id", "resource_id"],
}

FUNCTION_SIGNATURES = {
    "convert_datetime": ["dt"],
    "serialize_list": ["data"],
    "set_task_percentage": ["context", "task_id", "percentage"],
    "setup_time_interval": [
        "event",
        "backfill_time",
        "initial_interval",
        "skew",
        "time_format",
        "logger",
    ],
}


@pytest.mark.parametrize(("module", "names"), sorted(MODULE_NAMES.items()))
def test_module_path_and_top_level_give_the_same_object(module: str, names: list[str]) -> None:
    imported = importlib.import_module(f"nflex_connector_utils.{module}")
    assert getattr(ncu, module) is imported
    for name in names:
        assert getattr(ncu, name) is getattr(imported, name), name
        assert name in ncu.__all__


def test_saas_user_spellings_are_one_class() -> None:
    assert ncu.SaaSUser is ncu.SaasUser


@pytest.mark.parametrize(("cls", "own"), sorted(SIGNATURES.items()))
def test_constructor_keywords_match_0_2_0(cls: str, own: list[str]) -> None:
    params = list(inspect.signature(getattr(ncu, cls)).parameters.values())
    positional = [p.name for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
    assert positional == own
    required = {"Logger": ["context", "customer_id", "account_id"]}.get(cls, [])
    assert [
        p.name for p in params if p.default is p.empty and p.kind is p.POSITIONAL_OR_KEYWORD
    ] == required
    assert all(p.default is None for p in params if p.default is not p.empty)
    if issubclass(getattr(ncu, cls), ncu.Resource) and cls != "Resource":
        assert params[-1].kind is params[-1].VAR_KEYWORD
        # The Resource keywords pass through **kwargs: each one is accepted.
        resource = getattr(ncu, cls)(id="i", name="n", region=None, locations=None,
                                     provider_created_at=None, metadata=None,
                                     native_portal_link=None, connections=None)  # fmt: skip
        assert (resource.id, resource.name) == ("i", "n")


@pytest.mark.parametrize(("function", "args"), sorted(FUNCTION_SIGNATURES.items()))
def test_function_arguments_match_0_2_0(function: str, args: list[str]) -> None:
    assert list(inspect.signature(getattr(ncu, function)).parameters) == args


def test_setup_time_interval_defaults_match_0_2_0() -> None:
    params = inspect.signature(ncu.setup_time_interval).parameters
    defaults = {name: p.default for name, p in params.items() if name != "event"}
    assert defaults == {
        "backfill_time": None,
        "initial_interval": 0,
        "skew": 0,
        "time_format": "%Y-%m-%dT%H:%M:%S.%fZ",
        "logger": None,
    }


def test_image_map_get_keywords_match_0_2_0() -> None:
    params = inspect.signature(ncu.ImageDetailMap.get).parameters
    assert list(params) == ["self", "id", "name", "version", "type", "architecture", "distribution"]


def test_importing_the_package_is_cheap() -> None:
    code = (
        "import sys, nflex_connector_utils\n"
        "heavy = [m for m in ('requests', 'dateutil', 'vcr', 'yaml', 'lark', "
        "'nflex_metrics', 'nflex_connector_utils.parser') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_local_client_is_lazy_at_the_top_level() -> None:
    from nflex_connector_utils.local import CmpClient, LocalContext

    assert ncu.CmpClient is CmpClient
    assert ncu.LocalContext is LocalContext
    assert ncu.local is importlib.import_module("nflex_connector_utils.local")


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        ncu.Nope  # noqa: B018


def test_dir_lists_the_lazy_names() -> None:
    assert set(PARSER_NAMES) <= set(dir(ncu))


# --- parser re-exports: these need the engine (nflex_metrics.dialects / .mapping) ------


@pytest.mark.parametrize("name", PARSER_NAMES)
def test_parser_names_are_the_engine_objects(name: str) -> None:
    from nflex_connector_utils import parser

    engine_module = {
        "ParsedEntry": "nflex_metrics.mapping",
        "load_metric_mapping": "nflex_metrics.mapping",
        "VariableLookupError": "nflex_metrics.errors",
    }.get(name, "nflex_metrics.dialects")
    engine_object = getattr(importlib.import_module(engine_module), name)
    assert getattr(parser, name) is engine_object
    assert getattr(ncu, name) is engine_object
    assert name in parser.__all__ and name in ncu.__all__


def test_variable_lookup_error_is_one_class_everywhere() -> None:
    import nflex_metrics
    from nflex_connector_utils.parser import VariableLookupError

    assert VariableLookupError is nflex_metrics.VariableLookupError is ncu.VariableLookupError


def test_parser_classes_parse_through_the_engine() -> None:
    from nflex_connector_utils.parser import ExpressionParser, SimpleExpressionParser

    scaled = ExpressionParser().parse("value * 10")
    assert scaled is not None and scaled.evaluate({"value": 2}) == 20.0
    parsed = SimpleExpressionParser().parse("value * 100 if total > 0 else 0")
    assert parsed is not None and parsed.evaluate({"value": 0.5, "total": 3}) == 50.0
