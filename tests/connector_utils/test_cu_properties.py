"""Property tests: for generated arguments, every resource serializes to plain JSON data
whose details follow the wire-format table, and timestamps come out in UTC."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

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
    convert_datetime,
)

text = st.text(max_size=12)
maybe_text = st.none() | text
scalar = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text
json_value = st.recursive(
    scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=6,
)

# What the wire-format table says about each own argument; everything else passes through.
DEFAULT = {"state": "unknown", "provider_state": "unknown"}
ONLY_WHEN_SET = {"is_virtual", "zone_name", "billing_tag"}
# type -> (constructor, own args in constructor order, detail keys in wire order)
TYPES: dict[str, tuple[type[Resource], list[str], list[str]]] = {
    "server": (
        Server,
        ["cpu_hz", "cpu_cores", "ram_b", "volumes_b", "state", "provider_state",
         "instance_type", "is_virtual"],
        ["cpu_cores", "cpu_hz", "ram_b", "volumes_b", "instance_type", "state",
         "provider_state", "ip_addresses", "image_detail", "is_virtual"],
    ),
    "volume": (Volume, ["size_b", "encrypted", "zone_name"],
               ["encrypted", "iops", "size_b", "zone_name"]),
    "network": (Network, [], []),
    "appliance": (Appliance, ["size_b", "type_id"], ["type_id"]),
    "service_offering": (ServiceOffering, ["type_id"], ["type_id"]),
    "compute_pool": (ComputePool, ["cpu_hz", "memory_b", "storage_b", "billing_tag"],
                     ["cpu_hz", "memory_b", "storage_b", "billing_tag"]),
    "saas_user": (
        SaasUser,
        ["avatar_url", "phone", "address", "language", "is_active", "disk_quota_b",
         "disk_used_b", "email", "country"],
        ["avatar_url", "phone", "address", "is_active", "disk_quota_b", "disk_used_b",
         "email", "country", "language"],
    ),
    "colo_space": (
        ColoSpace,
        ["power_allocation_w", "type_id", "colo_space_location", "customer_name",
         "customer_label", "customer_description", "combination"],
        ["power_allocation_w", "type_id", "colo_space_location", "customer_name",
         "customer_label", "customer_description", "combination"],
    ),
    "circuit": (Circuit, ["type_id", "carrier", "reference", "endpoint_a", "endpoint_b"],
                ["type_id", "carrier", "reference", "endpoint_a", "endpoint_b"]),
}  # fmt: skip

ip_addresses = st.lists(
    st.builds(IpAddress, maybe_text, maybe_text, maybe_text, maybe_text), max_size=3
)
image_details = st.builds(ImageDetail, text, maybe_text, maybe_text, maybe_text, maybe_text)
place = st.fixed_dictionaries(
    {"name": text},
    optional={
        "id": text,
        "latitude": st.floats(-90, 90),
        "longitude": st.floats(-180, 180),
    },
)
location = st.fixed_dictionaries(
    {},
    optional={
        "location": place,
        "city": place,
        "country": place,
        "type": st.sampled_from(["customer", "provider"]),
        "notes": json_value,
    },
)
metadata_items = st.lists(
    st.tuples(text, json_value) | st.tuples(text, text, json_value), max_size=4
)
id_lists = st.lists(text, max_size=3)


@st.composite
def resources(draw: st.DrawFn) -> tuple[Resource, dict[str, Any], dict[str, Any]]:
    """A resource of any type, its own arguments, and its base arguments."""
    type_name = draw(st.sampled_from(sorted(TYPES)))
    cls, own_names, _ = TYPES[type_name]
    own: dict[str, Any] = {name: draw(json_value) for name in own_names}
    if type_name == "server":
        own["ip_addresses"] = draw(st.none() | ip_addresses)
        own["image_detail"] = draw(st.none() | image_details)
    if type_name == "volume":
        own["iops"] = draw(
            st.none() | st.integers() | st.integers().map(str) | st.floats(-1e15, 1e15)
        )
    base: dict[str, Any] = {
        "id": draw(text),
        "name": draw(text),
        "region": draw(st.none() | st.builds(Region, text)),
        "locations": draw(st.none() | st.lists(location, max_size=2).map(Locations)),
        "provider_created_at": draw(st.none() | st.datetimes(min_value=dt.datetime(1000, 1, 2))),
        "metadata": draw(st.none() | metadata_items.map(Metadata)),
        "native_portal_link": draw(maybe_text),
        "connections": draw(
            st.none() | st.builds(Connections, servers=id_lists, volumes=id_lists | text)
        ),
    }
    return cls(**own, **base), own, base


def expected_details(type_name: str, own: dict[str, Any]) -> dict[str, Any]:
    """details[type] written from the wire-format table."""
    details: dict[str, Any] = {}
    for key in TYPES[type_name][2]:
        value = own.get(key)
        if key in ONLY_WHEN_SET and value is None:
            continue
        if key == "ip_addresses":
            value = [ip.serialize() for ip in value or []]
        elif key == "image_detail":
            value = None if value is None else value.serialize()
        elif key == "iops":
            value = None if value is None else int(value)
        elif value is None:
            value = DEFAULT.get(key)
        details[key] = value
    return details


@given(resources())
def test_serialize_round_trips_through_json(
    generated: tuple[Resource, dict[str, Any], dict[str, Any]],
) -> None:
    resource, _own, _base = generated
    data = resource.serialize()
    assert json.loads(json.dumps(data)) == data
    again = resource.serialize()
    data["base"].pop("last_seen_at")
    again["base"].pop("last_seen_at")
    assert again == data  # deterministic apart from last_seen_at


@given(resources())
def test_serialize_follows_the_spec_table(
    generated: tuple[Resource, dict[str, Any], dict[str, Any]],
) -> None:
    resource, own, base = generated
    data = resource.serialize()
    assert data["id"] == base["id"] and data["type"] == resource.resource_type
    assert data["details"] == {resource.type: expected_details(resource.type, own)}
    locations = base["locations"].serialize() if base["locations"] is not None else []
    assert ("locations" in data["base"]) is bool(locations)
    assert ("regions" in data["base"]) is not bool(locations)
    assert ("native_portal_link" in data["base"]) is (base["native_portal_link"] is not None)
    assert data["metadata"] == (base["metadata"].serialize() if base["metadata"] else {})


offsets = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(
    lambda minutes: dt.timezone(dt.timedelta(minutes=minutes))
)


@given(
    st.datetimes(min_value=dt.datetime(1000, 1, 2), max_value=dt.datetime(9998, 12, 30)),
    offsets,
    st.sampled_from(["T", " "]),
)
def test_provider_created_at_in_any_timezone_comes_out_in_utc(
    local: dt.datetime, tz: dt.timezone, separator: str
) -> None:
    aware = local.replace(tzinfo=tz)
    utc = aware.astimezone(dt.timezone.utc)
    expected = utc.strftime("%Y-%m-%dT%H:%M:%S")
    expected += f".{utc.microsecond:06d}Z" if utc.microsecond else "Z"
    created = Network(id="n", name="n", provider_created_at=aware.isoformat(separator))
    assert created.serialize()["base"]["provider_created_at"] == expected
    assert convert_datetime(aware) == expected


# Text that dateutil reads as numbers: long digit runs and "h:m" shapes make it raise
# OverflowError or decimal.InvalidOperation rather than ValueError.
date_like_text = (
    st.text()
    | st.text(alphabet="0123456789:.,-+/ TZ", max_size=60)
    | st.builds("{}:{}".format, st.integers(0, 99), st.integers(0, 10**40))
)
RFC3339_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z")


@pytest.mark.filterwarnings("ignore::dateutil.parser.UnknownTimezoneWarning")
@given(date_like_text)
def test_any_provider_created_at_text_is_a_timestamp_or_a_value_error_naming_the_resource(
    text: str,
) -> None:
    resource = Network(id="net-1", name="n", provider_created_at=text)
    try:
        created = resource.serialize()["base"]["provider_created_at"]
    except ValueError as err:
        assert str(err).startswith("provider_created_at of network 'net-1': ")
    else:
        assert created is None if text == "" else RFC3339_UTC.fullmatch(created)
