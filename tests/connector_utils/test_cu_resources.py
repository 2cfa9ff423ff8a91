"""The resource types' wire format, asserted as whole dicts.

Expected values are written from the documented table, not captured from our own output.
Every test runs under a frozen clock so that ``last_seen_at`` is known.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from nflex_connector_utils import (
    Appliance,
    Circuit,
    ColoSpace,
    ComputePool,
    Connections,
    ImageDetail,
    IpAddress,
    Locations,
    Metadata,
    Network,
    Region,
    Resource,
    SaasUser,
    Server,
    ServiceOffering,
    Volume,
)

from .conftest import FROZEN_NOW_RFC3339

pytestmark = pytest.mark.usefixtures("frozen_clock")

BARE_BASE: dict[str, Any] = {
    "name": "N",
    "provider_created_at": None,
    "last_seen_at": FROZEN_NOW_RFC3339,
    "regions": [],
}


def bare(type: str, details: dict[str, Any] | None) -> dict[str, Any]:
    """The whole serialized dict of a resource built with only id='I' and name='N'."""
    data: dict[str, Any] = {
        "id": "I",
        "type": type,
        "base": BARE_BASE,
        "connections": {},
        "metadata": {},
    }
    if details is not None:
        data["details"] = {type: details}
    return data


def full_base_args() -> dict[str, Any]:
    return {
        "id": "I",
        "name": "N",
        "region": Region("region-1"),
        "provider_created_at": "2017-01-01T00:00:00+10",
        "metadata": Metadata([("k", "v")]),
        "native_portal_link": "https://portal.example.com/I",
        "connections": Connections(networks=["net-1"]),
    }


def full(type: str, details: dict[str, Any]) -> dict[str, Any]:
    """The whole serialized dict of a resource built with ``full_base_args()``."""
    return {
        "id": "I",
        "type": type,
        "base": {
            "name": "N",
            "provider_created_at": "2016-12-31T14:00:00Z",
            "last_seen_at": FROZEN_NOW_RFC3339,
            "native_portal_link": "https://portal.example.com/I",
            "regions": [{"id": "region-1"}],
        },
        "connections": {"network": [{"id": "net-1"}]},
        "metadata": {"provider_specific": {"k": "v"}},
        "details": {type: details},
    }


def serialize(resource: Resource) -> dict[str, Any]:
    """``serialize()``, also checking that the result is plain JSON data."""
    data = resource.serialize()
    assert json.loads(json.dumps(data)) == data
    return data


# --- Resource (the base class) -------------------------------------------------------


def test_resource_defaults_have_no_details_key() -> None:
    assert serialize(Resource(id="I", name="N", type="thing")) == bare("thing", None)


def test_resource_full_arguments() -> None:
    expected = full("thing", {})
    del expected["details"]
    assert serialize(Resource(type="thing", **full_base_args())) == expected


@pytest.mark.parametrize("field", ["id", "name", "type"])
@pytest.mark.parametrize("bad", [None, 1, b"x", ["x"]])
def test_resource_id_name_type_must_be_strings(field: str, bad: object) -> None:
    args: dict[str, Any] = {"id": "I", "name": "N", "type": "T", field: bad}
    with pytest.raises(ValueError) as info:
        Resource(**args)
    assert str(info.value) == f"{field} must be a string and have a value"


def test_resource_checks_id_before_name_before_type() -> None:
    with pytest.raises(ValueError, match=r"^id must"):
        Resource()
    with pytest.raises(ValueError, match=r"^name must"):
        Resource(id="I")
    with pytest.raises(ValueError, match=r"^type must"):
        Resource(id="I", name="N")


def test_resource_empty_strings_are_allowed() -> None:
    data = serialize(Resource(id="", name="", type=""))
    assert (data["id"], data["type"], data["base"]["name"]) == ("", "", "")


def test_subclass_validates_id_and_name() -> None:
    with pytest.raises(ValueError, match=r"^id must be a string and have a value$"):
        Server(name="N")
    with pytest.raises(ValueError, match=r"^name must be a string and have a value$"):
        Volume(id="I")


def test_subclass_type_is_fixed_and_not_an_argument() -> None:
    with pytest.raises(TypeError):
        Server(id="I", name="N", type="volume")  # type: ignore[call-arg]


def test_last_seen_at_is_now_in_utc() -> None:
    assert serialize(Network(id="I", name="N"))["base"]["last_seen_at"] == FROZEN_NOW_RFC3339


def test_provider_created_at_datetime_naive_is_taken_as_utc() -> None:
    data = serialize(Network(id="I", name="N", provider_created_at=dt.datetime(2017, 2, 4)))
    assert data["base"]["provider_created_at"] == "2017-02-04T00:00:00Z"


def test_provider_created_at_aware_datetime_is_converted_to_utc() -> None:
    tz = dt.timezone(dt.timedelta(hours=-3))
    created = dt.datetime(2017, 2, 4, 22, 0, 0, 500, tzinfo=tz)
    data = serialize(Network(id="I", name="N", provider_created_at=created))
    assert data["base"]["provider_created_at"] == "2017-02-05T01:00:00.000500Z"


def test_provider_created_at_garbage_names_the_field() -> None:
    volume = Volume(id="vol-9", name="N", provider_created_at="not a date")
    with pytest.raises(ValueError, match=r"^provider_created_at of volume 'vol-9': cannot read"):
        volume.serialize()


def test_native_portal_link_appears_only_when_not_none() -> None:
    assert "native_portal_link" not in serialize(Network(id="I", name="N"))["base"]
    data = serialize(Network(id="I", name="N", native_portal_link=""))
    assert data["base"]["native_portal_link"] == ""


def test_locations_replace_regions_when_non_empty() -> None:
    places = [{"country": {"name": "France"}}]
    data = serialize(
        Network(id="I", name="N", region=Region("region-1"), locations=Locations(places))
    )
    assert data["base"] == {
        "name": "N",
        "provider_created_at": None,
        "last_seen_at": FROZEN_NOW_RFC3339,
        "locations": [{"country": {"name": "France"}}],
    }


def test_empty_locations_fall_back_to_regions() -> None:
    data = serialize(Network(id="I", name="N", region=Region("region-1"), locations=Locations([])))
    assert data["base"]["regions"] == [{"id": "region-1"}]
    assert "locations" not in data["base"]
    data = serialize(Network(id="I", name="N", locations=Locations([])))
    assert data["base"]["regions"] == []


def test_empty_metadata_and_connections_serialize_to_empty_dicts() -> None:
    data = serialize(Network(id="I", name="N", metadata=Metadata(), connections=Connections()))
    assert (data["metadata"], data["connections"]) == ({}, {})


def test_metadata_defaults_to_an_empty_metadata_object_that_can_be_added_to() -> None:
    server = Server(id="I", name="N")
    assert isinstance(server.metadata, Metadata)
    server.metadata.add("k", "v")
    assert serialize(server)["metadata"] == {"provider_specific": {"k": "v"}}


def test_values_are_passed_through_as_the_same_objects() -> None:
    tags = {"team": "a"}
    data = ColoSpace(id="I", name="N", combination=tags).serialize()  # type: ignore[arg-type]
    assert data["details"]["colo_space"]["combination"] is tags


# --- Server -----------------------------------------------------------------------

SERVER_DEFAULTS: dict[str, Any] = {
    "cpu_cores": None,
    "cpu_hz": None,
    "ram_b": None,
    "volumes_b": None,
    "instance_type": None,
    "state": "unknown",
    "provider_state": "unknown",
    "ip_addresses": [],
    "image_detail": None,
}


def test_server_defaults() -> None:
    assert serialize(Server(id="I", name="N")) == bare("server", SERVER_DEFAULTS)


def test_server_full_arguments() -> None:
    server = Server(
        cpu_hz=2_500_000_000,
        cpu_cores=2,
        ram_b=32 * 2**30,
        volumes_b=2**40,
        state="stopped",
        provider_state="powered off",
        image_detail=ImageDetail(id="img-1", name="Ubuntu", type="Linux", version="16.04"),
        instance_type="m4.large",
        ip_addresses=[IpAddress("10.0.0.1", "net-1", "Net 1"), IpAddress("8.8.8.8")],
        is_virtual=True,
        **full_base_args(),
    )
    assert serialize(server) == full(
        "server",
        {
            "cpu_cores": 2,
            "cpu_hz": 2_500_000_000,
            "ram_b": 32 * 2**30,
            "volumes_b": 2**40,
            "instance_type": "m4.large",
            "state": "stopped",
            "provider_state": "powered off",
            "ip_addresses": [
                {"ip_address": "10.0.0.1", "network": {"id": "net-1", "name": "Net 1"}},
                {"ip_address": "8.8.8.8"},
            ],
            "image_detail": {
                "id": "img-1",
                "name": "Ubuntu",
                "architecture": None,
                "distribution": None,
                "type": "Linux",
                "version": "16.04",
            },
            "is_virtual": True,
        },
    )


def test_server_positional_arguments_follow_the_0_2_0_order() -> None:
    server = Server(1, 2, 3, 4, "running", "on", None, "t", None, False, id="I", name="N")
    assert serialize(server)["details"]["server"] == {
        "cpu_cores": 2,
        "cpu_hz": 1,
        "ram_b": 3,
        "volumes_b": 4,
        "instance_type": "t",
        "state": "running",
        "provider_state": "on",
        "ip_addresses": [],
        "image_detail": None,
        "is_virtual": False,
    }


def test_server_is_virtual_false_is_kept() -> None:
    details = serialize(Server(id="I", name="N", is_virtual=False))["details"]["server"]
    assert details == {**SERVER_DEFAULTS, "is_virtual": False}


def test_server_wire_key_order_matches_0_2_0() -> None:
    data = Server(id="I", name="N", is_virtual=True).serialize()
    assert list(data) == ["id", "type", "base", "connections", "metadata", "details"]
    assert list(data["details"]["server"]) == [*SERVER_DEFAULTS, "is_virtual"]


# --- Volume -----------------------------------------------------------------------


def test_volume_defaults() -> None:
    expected = bare("volume", {"encrypted": None, "iops": None, "size_b": None})
    assert serialize(Volume(id="I", name="N")) == expected


def test_volume_full_arguments() -> None:
    volume = Volume(size_b=2**40, encrypted=True, iops=3000, zone_name="eu-1", **full_base_args())
    assert serialize(volume) == full(
        "volume", {"encrypted": True, "iops": 3000, "size_b": 2**40, "zone_name": "eu-1"}
    )


@pytest.mark.parametrize(("iops", "wire"), [(1.5, 1), ("5", 5), (7, 7), (-2.9, -2), (0, 0)])
def test_volume_iops_is_sent_as_int(iops: Any, wire: int) -> None:
    details = serialize(Volume(id="I", name="N", iops=iops))["details"]["volume"]
    assert details["iops"] == wire
    assert type(details["iops"]) is int


@pytest.mark.parametrize("iops", ["fast", "1.5", float("nan"), float("inf"), [1]])
def test_volume_iops_that_is_not_a_whole_number_is_a_clear_error(iops: Any) -> None:
    with pytest.raises(ValueError, match=r"^expected a whole number, got "):
        Volume(id="I", name="N", iops=iops).serialize()


def test_volume_zone_name_only_when_not_none() -> None:
    assert "zone_name" not in serialize(Volume(id="I", name="N"))["details"]["volume"]
    assert serialize(Volume(id="I", name="N", zone_name=""))["details"]["volume"]["zone_name"] == ""


def test_volume_size_b_is_readable() -> None:
    assert Volume(id="I", name="N", size_b=1024).size_b == 1024


# --- The types with plain detail lists ----------------------------------------------


def test_network_defaults_and_full_arguments() -> None:
    assert serialize(Network(id="I", name="N")) == bare("network", {})
    assert serialize(Network(**full_base_args())) == full("network", {})


def test_appliance_defaults() -> None:
    assert serialize(Appliance(id="I", name="N")) == bare("appliance", {"type_id": None})


def test_appliance_full_arguments_size_b_is_accepted_but_not_sent() -> None:
    appliance = Appliance(size_b=10, type_id="firewall", **full_base_args())
    assert serialize(appliance) == full("appliance", {"type_id": "firewall"})
    assert serialize(Appliance(10, "router", id="I", name="N"))["details"] == {
        "appliance": {"type_id": "router"}
    }


def test_service_offering_defaults_and_full_arguments() -> None:
    assert serialize(ServiceOffering(id="I", name="N")) == bare(
        "service_offering", {"type_id": None}
    )
    offering = ServiceOffering(type_id="backup", **full_base_args())
    assert serialize(offering) == full("service_offering", {"type_id": "backup"})


def test_compute_pool_defaults() -> None:
    expected = bare("compute_pool", {"cpu_hz": None, "memory_b": None, "storage_b": None})
    assert serialize(ComputePool(id="I", name="N")) == expected


def test_compute_pool_full_arguments_with_billing_tag() -> None:
    pool = ComputePool(1e9, 2**34, 2**40, "tag-1", **full_base_args())
    assert serialize(pool) == full(
        "compute_pool",
        {"cpu_hz": 1e9, "memory_b": 2**34, "storage_b": 2**40, "billing_tag": "tag-1"},
    )


SAAS_KEYS = [
    "avatar_url",
    "phone",
    "address",
    "is_active",
    "disk_quota_b",
    "disk_used_b",
    "email",
    "country",
    "language",
]


def test_saas_user_defaults() -> None:
    data = serialize(SaasUser(id="I", name="N"))
    assert data == bare("saas_user", dict.fromkeys(SAAS_KEYS))
    assert list(data["details"]["saas_user"]) == SAAS_KEYS


def test_saas_user_full_arguments_in_0_2_0_positional_order() -> None:
    user = SaasUser(
        "https://a/img.png", "+1", "1 Road", "en", True, 100, 40, "u@x.com", "FR",
        **full_base_args(),
    )  # fmt: skip
    assert serialize(user) == full(
        "saas_user",
        {
            "avatar_url": "https://a/img.png",
            "phone": "+1",
            "address": "1 Road",
            "is_active": True,
            "disk_quota_b": 100,
            "disk_used_b": 40,
            "email": "u@x.com",
            "country": "FR",
            "language": "en",
        },
    )


COLO_KEYS = [
    "power_allocation_w",
    "type_id",
    "colo_space_location",
    "customer_name",
    "customer_label",
    "customer_description",
    "combination",
]


def test_colo_space_defaults_and_full_arguments() -> None:
    assert serialize(ColoSpace(id="I", name="N")) == bare("colo_space", dict.fromkeys(COLO_KEYS))
    values = [2000, "rack", "DC1/R4", "ACME", "acme-1", "Acme racks", "A+B"]
    colo = ColoSpace(*values, **full_base_args())  # type: ignore[arg-type]
    assert serialize(colo) == full("colo_space", dict(zip(COLO_KEYS, values)))


CIRCUIT_KEYS = ["type_id", "carrier", "reference", "endpoint_a", "endpoint_b"]


def test_circuit_defaults_and_full_arguments() -> None:
    assert serialize(Circuit(id="I", name="N")) == bare("circuit", dict.fromkeys(CIRCUIT_KEYS))
    values = ["mpls", "BT", "REF-1", "London", "Paris"]
    circuit = Circuit(*values, **full_base_args())
    assert serialize(circuit) == full("circuit", dict(zip(CIRCUIT_KEYS, values)))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("0:99999999999999999999999999999", "dateutil raised InvalidOperation"),
        ("9" * 40, "too large"),
        ("2020-01-01T00:00:00+99:99", "offset must be"),
    ],
)
def test_provider_created_at_that_dateutil_chokes_on_is_the_same_value_error(
    text: str, reason: str
) -> None:
    volume = Volume(id="vol-9", name="N", provider_created_at=text)
    expected = r"^provider_created_at of volume 'vol-9': cannot read"
    with pytest.raises(ValueError, match=expected) as err:
        volume.serialize()
    assert reason in str(err.value)
