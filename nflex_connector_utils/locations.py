"""Where a resource is: a legacy CMP region id, or extended location data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Optional

LOCATION_PARTS = ("location", "city", "state", "country", "region")
"""The keys of a location dict that hold a place (a dict with an id or a name)."""

LOCATION_TYPES = ("customer", "provider")
"""The allowed values of a location dict's own ``type``."""

_COORDINATE_RANGES = {"latitude": 90.0, "longitude": 180.0}


class Region:
    """A CMP region, looked up by id in the CMP database.

    >>> Region('region-1').serialize()
    {'id': 'region-1'}
    """

    def __init__(self, id: Optional[str] = None) -> None:
        if not isinstance(id, str):
            raise ValueError("id must be a string and have a value")
        self.id = id

    def serialize(self) -> dict[str, str]:
        """``{'id': id}``."""
        return {"id": self.id}


class Locations:
    """A list of location dicts, checked at construction and serialized as given.

    Each dict may hold ``location``, ``city``, ``state``, ``country`` and ``region``
    places (dicts with a str ``id`` or ``name`` and optional ``latitude`` in [-90, 90]
    and ``longitude`` in [-180, 180]) and a ``type`` of ``customer`` or ``provider``.
    Other keys pass through untouched.

    >>> Locations([{'country': {'name': 'France'}, 'city': {'name': 'Paris'}}]).serialize()
    [{'country': {'name': 'France'}, 'city': {'name': 'Paris'}}]
    """

    def __init__(self, locations: Optional[Sequence[dict[str, Any]]] = None) -> None:
        if not isinstance(locations, (list, tuple)):
            raise ValueError(
                f"locations must be a list of location hashes, got {type(locations).__name__}"
            )
        for index, location in enumerate(locations):
            _check_location(location, f"locations[{index}]")
        self.locations: list[dict[str, Any]] = (
            locations if isinstance(locations, list) else list(locations)
        )

    def serialize(self) -> list[dict[str, Any]]:
        """The list of location dicts as given."""
        return self.locations


def _check_location(location: object, where: str) -> None:
    if not isinstance(location, dict):
        raise ValueError(f"{where} must be a location hash (a dict), got {location!r}")
    for part in LOCATION_PARTS:
        if part in location:
            _check_place(location[part], f"{where}[{part!r}]")
    if "type" in location and location["type"] not in LOCATION_TYPES:
        raise ValueError(
            f"{where}['type'] must be 'customer' or 'provider', got {location['type']!r}"
        )


def _check_place(place: object, where: str) -> None:
    if not isinstance(place, dict) or ("id" not in place and "name" not in place):
        raise ValueError(f"one of id or name must be specified: {where} is {place!r}")
    for key in ("id", "name"):
        if key in place and not isinstance(place[key], str):
            raise ValueError(f"{key} must be a string: {where}[{key!r}] is {place[key]!r}")
    for key, limit in _COORDINATE_RANGES.items():
        if key in place:
            value = place[key]
            in_range = isinstance(value, (int, float)) and -limit <= value <= limit  # NaN fails
            if isinstance(value, bool) or not in_range:
                raise ValueError(
                    f"{key} must be a number in [{-limit:g}, {limit:g}]: "
                    f"{where}[{key!r}] is {value!r}"
                )
