"""The parts resources are built from, asserted as whole serialized values."""

from __future__ import annotations

import datetime as dt
import json
import warnings
from typing import Any

import pytest

from nflex_connector_utils import (
    Account,
    Connections,
    ImageDetail,
    ImageDetailMap,
    InsufficientPermission,
    InvalidCredentials,
    IpAddress,
    Locations,
    Metadata,
    MetadataWarning,
    NoBillingReport,
    Region,
    SpendError,
    convert_datetime,
    serialize_list,
)


def as_json(value: Any) -> Any:
    """Round-trip through JSON, asserting nothing changes (the output is plain JSON data)."""
    assert json.loads(json.dumps(value)) == value
    return value


# --- Metadata -----------------------------------------------------------------------


def test_metadata_namespace_constants() -> None:
    assert Metadata.DEFAULT_NAMESPACE_ID == "default"
    assert Metadata.PROVIDER_SPECIFIC_NAMESPACE_ID == "provider_specific"
    assert Metadata.PROVIDER_SPECIFIC_EDITABLE_NAMESPACE_ID == "provider_specific_editable"
    assert Metadata.PROVIDER_METADATA_NAMESPACE_ID == "provider_metadata"


def test_metadata_empty_serializes_to_empty_dict() -> None:
    assert as_json(Metadata().serialize()) == {}


def test_metadata_two_and_three_tuples() -> None:
    metadata = Metadata([("k1", "v1"), ("ns", "k2", 2), ("k3", None)])
    assert as_json(metadata.serialize()) == {
        "provider_specific": {"k1": "v1", "k3": None},
        "ns": {"k2": 2},
    }


def test_metadata_default_namespace_is_configurable() -> None:
    metadata = Metadata([("k", "v")], default_namespace="mine")
    assert metadata.add("k2", "v2").serialize() == {"mine": {"k": "v", "k2": "v2"}}


def test_metadata_empty_namespace_is_a_namespace_not_a_default() -> None:
    assert Metadata(default_namespace="").add("k", 1).serialize() == {"": {"k": 1}}
    assert Metadata().add("k", 1, namespace="").serialize() == {"": {"k": 1}}


def test_metadata_add_chains_and_later_values_win() -> None:
    metadata = Metadata()
    assert metadata.add("k", 1).add("k", 2).add("k", 3, namespace="ns") is metadata
    assert metadata.serialize() == {"provider_specific": {"k": 2}, "ns": {"k": 3}}


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ("foo", "'foo'"),
        ([("ns",)], "('ns',)"),
        ([("a", "b", "c", "d")], "('a', 'b', 'c', 'd')"),
        ([["k", "v"]], "['k', 'v']"),
        ([42], "42"),
    ],
)
def test_metadata_skipped_items_warn_and_name_the_item(values: Any, named: str) -> None:
    with pytest.warns(MetadataWarning) as record:
        metadata = Metadata(values)
    assert metadata.serialize() == {}
    assert len(record) == 1
    assert str(record[0].message).endswith(f"skipped: {named}")
    assert record[0].filename == __file__  # points at the caller


def test_metadata_skips_only_the_bad_items() -> None:
    with pytest.warns(MetadataWarning, match="Metadata item 1 is not a"):
        metadata = Metadata([("k", "v"), ("bad",), ("ns", "k", "v")])
    assert metadata.serialize() == {"provider_specific": {"k": "v"}, "ns": {"k": "v"}}


def test_metadata_good_items_do_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Metadata([("k", "v")])


def test_metadata_serialize_returns_a_copy() -> None:
    metadata = Metadata([("k", "v")])
    metadata.serialize()["provider_specific"]["x"] = 1
    assert metadata.serialize() == {"provider_specific": {"k": "v"}}


# --- Connections --------------------------------------------------------------------


def test_connections_empty() -> None:
    assert Connections().serialize() == {}


def test_connections_all_arguments_in_0_2_0_key_order() -> None:
    connections = Connections(
        type="server",
        connections=["s1", "s2"],
        appliances=["a1"],
        servers=["s3"],
        networks=["n1"],
        volumes=["v1", "v2"],
    )
    data = as_json(connections.serialize())
    assert data == {
        "server": [{"id": "s1"}, {"id": "s2"}, {"id": "s3"}],
        "appliance": [{"id": "a1"}],
        "network": [{"id": "n1"}],
        "volume": [{"id": "v1"}, {"id": "v2"}],
    }
    assert list(data) == ["server", "appliance", "network", "volume"]


def test_connections_type_any_keeps_ids_as_given() -> None:
    connections = Connections(type="any", connections=["a", {"id": "b", "type": "server"}])
    assert connections.serialize() == {"any": ["a", {"id": "b", "type": "server"}]}


def test_connections_a_single_string_is_one_id() -> None:  # Change from 0.2.0
    assert Connections(type="server", connections="server-1").serialize() == {
        "server": [{"id": "server-1"}]
    }
    assert Connections(volumes="vol-1").serialize() == {"volume": [{"id": "vol-1"}]}
    assert Connections(type="any", connections="x-1").serialize() == {"any": ["x-1"]}


def test_connections_none_or_empty_adds_nothing() -> None:
    assert Connections(type="server", connections=[]).serialize() == {}
    assert Connections(type="server", connections="").serialize() == {}
    assert Connections(type="server").serialize() == {}
    assert Connections(servers=[], volumes=None).serialize() == {}


def test_connections_without_a_type_are_skipped_with_a_warning() -> None:
    with pytest.warns(UserWarning, match=r"connections \['s1'\] were given without a type"):
        connections = Connections(connections=["s1"])
    assert connections.serialize() == {}
    with pytest.warns(UserWarning) as record:
        connections.add(connections="s2")
    assert connections.serialize() == {}
    assert record[0].filename == __file__  # points at the caller


def test_connections_add_chains_and_appends() -> None:
    connections = Connections(servers=["s1"])
    result = connections.add(type="appliances", connections="appliance-1").add(servers=("s2",))
    assert result is connections
    assert connections.serialize() == {
        "server": [{"id": "s1"}, {"id": "s2"}],
        "appliances": [{"id": "appliance-1"}],
    }


# --- ImageDetail and ImageDetailMap -------------------------------------------------

IMAGE_KEYS = ["id", "name", "architecture", "distribution", "type", "version"]


def test_image_detail_full_and_defaults() -> None:
    image = ImageDetail("img", "Ubuntu 16.04", "Linux", "Ubuntu", "16.04", "x64")
    assert as_json(image.serialize()) == {
        "id": "img",
        "name": "Ubuntu 16.04",
        "architecture": "x64",
        "distribution": "Ubuntu",
        "type": "Linux",
        "version": "16.04",
    }
    assert ImageDetail(id="").serialize() == {"id": "", **dict.fromkeys(IMAGE_KEYS[1:])}
    assert list(image.serialize()) == IMAGE_KEYS


@pytest.mark.parametrize("bad", [None, 7])
def test_image_detail_id_must_be_a_string(bad: Any) -> None:
    with pytest.raises(ValueError, match=r"^id must be a string and have a value$"):
        ImageDetail(id=bad)


IMAGES = ImageDetailMap(
    {
        "ubuntu16": ("Ubuntu Linux 16.04 LTS 64 bit", "Linux", "Ubuntu", "16.04", "x64"),
        "w2012R2": ("Windows Server 2012R2 Standard", "Windows", "Server 2012", "R2", "x64"),
    }
)


def test_image_map_lookup() -> None:
    assert IMAGES.get("w2012R2").serialize() == {
        "id": "w2012R2",
        "name": "Windows Server 2012R2 Standard",
        "architecture": "x64",
        "distribution": "Server 2012",
        "type": "Windows",
        "version": "R2",
    }


def test_image_map_keywords_override_mapped_values() -> None:  # Change from 0.2.0
    image = IMAGES.get("ubuntu16", architecture="i386", name="Ubuntu 32")
    assert image.serialize() == {
        "id": "ubuntu16",
        "name": "Ubuntu 32",
        "architecture": "i386",
        "distribution": "Ubuntu",
        "type": "Linux",
        "version": "16.04",
    }


def test_image_map_unknown_id_has_only_the_id_and_given_keywords() -> None:
    assert IMAGES.get("no-match").serialize() == {"id": "no-match", **dict.fromkeys(IMAGE_KEYS[1:])}
    assert IMAGES.get("no-match", version="9").serialize() == {
        **dict.fromkeys(IMAGE_KEYS),
        "id": "no-match",
        "version": "9",
    }


def test_image_map_id_none_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=r"^id must be a string and have a value$"):
        IMAGES.get()


def test_image_map_without_a_mapping_is_empty() -> None:
    assert ImageDetailMap().get("x").serialize()["name"] is None


def test_image_map_rejects_tuples_of_the_wrong_length() -> None:
    with pytest.raises(ValueError, match=r"the value for 'u' must be a 5-tuple"):
        ImageDetailMap({"u": ("Ubuntu", "Linux")})  # type: ignore[dict-item]


# --- IpAddress and Region -----------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({}, {}),
        ({"ip_address": "10.0.0.1"}, {"ip_address": "10.0.0.1"}),
        ({"ip_address": "10.0.0.1", "network_id": "n1"}, {"ip_address": "10.0.0.1"}),
        ({"network_name": "Net"}, {}),
        ({"network_id": "n1", "network_name": "Net"}, {"network": {"id": "n1", "name": "Net"}}),
        ({"description": ""}, {"description": ""}),
        (
            {"ip_address": "::1", "network_id": "", "network_name": "", "description": "lo"},
            {"ip_address": "::1", "network": {"id": "", "name": ""}, "description": "lo"},
        ),
    ],
)
def test_ip_address_keys_appear_only_when_set(args: Any, expected: Any) -> None:
    assert as_json(IpAddress(**args).serialize()) == expected


def test_region() -> None:
    assert Region("region-1").serialize() == {"id": "region-1"}
    assert Region("").serialize() == {"id": ""}
    with pytest.raises(ValueError, match=r"^id must be a string and have a value$"):
        Region()
    with pytest.raises(ValueError, match=r"^id must be a string and have a value$"):
        Region(5)  # type: ignore[arg-type]


# --- Locations ----------------------------------------------------------------------

PARIS: dict[str, Any] = {
    "country": {"name": "France", "id": "FR"},
    "city": {"name": "Paris"},
    "location": {"name": "Legendary Paris Place", "latitude": 48.860764, "longitude": 2.393646},
    "type": "customer",
    "extra": {"anything": [1, 2]},
}


def test_locations_serialize_as_given() -> None:
    places: list[dict[str, Any]] = [PARIS, {"region": {"id": "eu"}, "type": "provider"}, {}]
    assert Locations(places).serialize() is places
    assert Locations([]).serialize() == []


def test_locations_tuple_becomes_a_list() -> None:
    assert Locations((PARIS,)).serialize() == [PARIS]


@pytest.mark.parametrize("bad", [None, "abc", {"city": {"name": "x"}}, 3])
def test_locations_must_be_a_list(bad: Any) -> None:
    with pytest.raises(ValueError, match=r"^locations must be a list of location hashes"):
        Locations(bad)


@pytest.mark.parametrize(
    ("place", "message"),
    [
        ({"city": "Paris"}, "one of id or name must be specified: locations[0]['city'] is 'Paris'"),
        ({"state": {}}, "one of id or name must be specified: locations[0]['state'] is {}"),
        ({"region": {"latitude": 1.0}}, "one of id or name must be specified"),
        ({"country": {"id": 33}}, "id must be a string: locations[0]['country']['id'] is 33"),
        ({"location": {"name": None}}, "name must be a string: locations[0]['location']['name']"),
        ({"city": {"name": "x", "latitude": 90.5}}, "latitude must be a number in [-90, 90]"),
        ({"city": {"name": "x", "latitude": -91}}, "latitude must be a number in [-90, 90]"),
        ({"city": {"name": "x", "latitude": "48.8"}}, "latitude must be a number in [-90, 90]"),
        ({"city": {"name": "x", "latitude": True}}, "latitude must be a number in [-90, 90]"),
        ({"city": {"name": "x", "latitude": float("nan")}}, "latitude must be a number"),
        ({"city": {"name": "x", "longitude": 180.01}}, "longitude must be a number in [-180, 180]"),
        ({"city": {"name": "x", "longitude": None}}, "longitude must be a number in [-180, 180]"),
        (
            {"type": "partner"},
            "locations[0]['type'] must be 'customer' or 'provider', got 'partner'",
        ),
        ({"type": None}, "locations[0]['type'] must be 'customer' or 'provider', got None"),
    ],
)
def test_locations_validation_errors_say_what_and_where(place: Any, message: str) -> None:
    with pytest.raises(ValueError) as info:
        Locations([place])
    assert str(info.value).startswith(message)


def test_locations_error_names_the_index_of_the_bad_location() -> None:
    with pytest.raises(ValueError, match=r"locations\[2\] must be a location hash"):
        Locations([PARIS, PARIS, "Paris"])  # type: ignore[list-item]


@pytest.mark.parametrize(("latitude", "longitude"), [(90, 180), (-90, -180), (0, 0), (45.5, -1)])
def test_locations_coordinate_bounds_are_inclusive(latitude: float, longitude: float) -> None:
    place = {"location": {"id": "x", "latitude": latitude, "longitude": longitude}}
    assert Locations([place]).serialize() == [place]


# --- Account ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("account", "expected"),
    [
        (Account(), {}),
        (Account(id=""), {}),
        (Account(id="acc"), {"id": "acc"}),
        (Account(id="acc", metadata=Metadata()), {"id": "acc", "metadata": {}}),
        (Account(metadata=Metadata([("k", "v")])), {"metadata": {"provider_specific": {"k": "v"}}}),
    ],
)
def test_account_serialize(account: Account, expected: Any) -> None:
    assert as_json(account.serialize()) == expected


# --- convert_datetime and serialize_list ---------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("2017-01-01T00:00:00+10", "2016-12-31T14:00:00Z"),
        ("1970-01-01T00:00:00.10Z", "1970-01-01T00:00:00.100000Z"),
        ("2017-01-01", "2017-01-01T00:00:00Z"),
        ("2017-06-01T12:00:00-05:30", "2017-06-01T17:30:00Z"),
        (dt.datetime(2017, 2, 4), "2017-02-04T00:00:00Z"),
        (dt.datetime(2017, 2, 4, 1, 2, 3, 4), "2017-02-04T01:02:03.000004Z"),
        (
            dt.datetime(2017, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=-3))),
            "2017-01-01T03:00:00Z",
        ),
        (dt.datetime(999, 1, 1), "0999-01-01T00:00:00Z"),
    ],
)
def test_convert_datetime(value: Any, expected: str | None) -> None:
    assert convert_datetime(value) == expected


def test_convert_datetime_unreadable_string_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=r"^cannot read 'garbage' as a date and time"):
        convert_datetime("garbage")


def test_convert_datetime_other_types_are_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"^expected a str, a datetime or None, got int: 5$"):
        convert_datetime(5)  # type: ignore[arg-type]


def test_serialize_list_calls_serialize_on_each() -> None:
    assert serialize_list([Region("a"), IpAddress("1.1.1.1")]) == [
        {"id": "a"},
        {"ip_address": "1.1.1.1"},
    ]
    assert serialize_list([]) == []


# --- errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "default"),
    [
        (InvalidCredentials, "Invalid Credentials"),
        (InsufficientPermission, "Insufficient permission"),
        (NoBillingReport, "No billing report found"),
    ],
)
def test_spend_errors_have_default_messages(error: type[Exception], default: str) -> None:
    assert str(error()) == default
    assert str(error(None)) == default
    assert str(error("custom")) == "custom"
    assert error().args == (default,)
    assert issubclass(error, Exception)


def test_spend_error_is_a_plain_exception() -> None:
    assert str(SpendError("x")) == "x"
    assert SpendError().args == ()


def test_convert_datetime_error_quotes_a_long_value_cut_short() -> None:
    with pytest.raises(ValueError, match=r"^cannot read '9{76}\.\.\. as a date and time: "):
        convert_datetime("9" * 10_000)


@pytest.mark.parametrize("text", ["9" * 10_000, "x" * 100_000, "2020-01-01 " + "y" * 100_000])
def test_convert_datetime_error_stays_short_whatever_dateutil_says(text: str) -> None:
    """dateutil's own reason quotes the whole text: a log line, not a megabyte."""
    with pytest.raises(ValueError, match=r"^cannot read ") as err:
        convert_datetime(text)
    assert len(str(err.value)) < 300
