"""The resource base class and the one mechanism every resource type uses.

A resource type is a subclass that sets ``resource_type`` and lists its ``details``:
one :class:`Detail` per key of ``details[<type>]``, in wire order, each saying what
happens to a None value and how a value is converted. :meth:`Resource.serialize`
does the rest, so a new type is a constructor plus a few declarative lines.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Optional, TypedDict

from .connections import Connections
from .locations import Locations, Region
from .metadata import Metadata
from .rfc3339 import DateLike, convert_datetime


class ResourceArgs(TypedDict, total=False):
    """The :class:`Resource` keywords every resource type accepts (all but ``type``)."""

    id: Optional[str]
    name: Optional[str]
    region: Optional[Region]
    locations: Optional[Locations]
    provider_created_at: DateLike
    metadata: Optional[Metadata]
    native_portal_link: Optional[str]
    connections: Optional[Connections]


@dataclass(frozen=True)
class Detail:
    """One key of a resource type's ``details``: the attribute of the same name, on the wire.

    ``default`` replaces a None value; ``omit_if_none`` leaves the key out instead;
    ``convert`` is applied last (to the value or the default, None included).
    """

    name: str
    default: Any = None
    omit_if_none: bool = False
    convert: Optional[Callable[[Any], Any]] = None

    def render(self, resource: Resource, out: dict[str, Any]) -> None:
        """Write this detail of ``resource`` into ``out`` (or nothing, per the rules)."""
        value = getattr(resource, self.name)
        if value is None:
            if self.omit_if_none:
                return
            value = self.default
        out[self.name] = value if self.convert is None else self.convert(value)


def serialize_each(items: Any) -> list[Any]:
    """``[item.serialize() for item in items]``, ``[]`` for None (a :class:`Detail` converter)."""
    return [] if items is None else [item.serialize() for item in items]


def serialize_or_none(item: Any) -> Any:
    """``item.serialize()``, None for None (a :class:`Detail` converter)."""
    return None if item is None else item.serialize()


def to_int(value: Any) -> Optional[int]:
    """``int(value)``, None for None: ``1.5`` gives 1 and ``'5'`` gives 5 (a converter)."""
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"expected a whole number, got {value!r}") from None


class Resource:
    """A CMP resource: what every resource type shares (id, name, place, links).

    ``id``, ``name`` and ``type`` must be strings (empty ones are allowed).

    >>> data = Resource(id='r-1', name='R 1', type='thing').serialize()
    >>> data['id'], data['type'], data['base']['regions'], 'details' in data
    ('r-1', 'thing', [], False)
    """

    resource_type: ClassVar[Optional[str]] = None
    """The fixed ``type`` of a subclass; None for the plain base class."""

    details: ClassVar[tuple[Detail, ...]] = ()
    """The keys of ``details[<type>]``, in wire order."""

    def __init__(
        self,
        id: Optional[str] = None,
        name: Optional[str] = None,
        type: Optional[str] = None,
        region: Optional[Region] = None,
        locations: Optional[Locations] = None,
        provider_created_at: DateLike = None,
        metadata: Optional[Metadata] = None,
        native_portal_link: Optional[str] = None,
        connections: Optional[Connections] = None,
    ) -> None:
        self.id = _required_str("id", id)
        self.name = _required_str("name", name)
        self.type = _required_str("type", type)
        self.region = region
        self.locations = locations
        self.provider_created_at = provider_created_at
        # An empty Metadata rather than None, as in 0.2.0, so that ``.metadata.add()`` works.
        self.metadata = Metadata() if metadata is None else metadata
        self.native_portal_link = native_portal_link
        self.connections = connections

    def serialize(self) -> dict[str, Any]:
        """The resource in CMP's wire format (plain JSON data); ``last_seen_at`` is now."""
        try:
            created = convert_datetime(self.provider_created_at)
        except (TypeError, ValueError) as err:
            raise type(err)(f"provider_created_at of {self.type} {self.id!r}: {err}") from None
        base: dict[str, Any] = {
            "name": self.name,
            "provider_created_at": created,
            "last_seen_at": convert_datetime(_dt.datetime.now(_dt.timezone.utc)),
        }
        if self.native_portal_link is not None:
            base["native_portal_link"] = self.native_portal_link
        locations = self.locations.serialize() if self.locations is not None else None
        if locations:
            base["locations"] = locations
        else:
            base["regions"] = [self.region.serialize()] if self.region is not None else []
        data: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "base": base,
            "connections": self.connections.serialize() if self.connections is not None else {},
            "metadata": self.metadata.serialize() if self.metadata is not None else {},
        }
        if self.resource_type is not None:
            details: dict[str, Any] = {}
            for detail in self.details:
                detail.render(self, details)
            data["details"] = {self.type: details}
        return data


def _required_str(field: str, value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{field} must be a string and have a value")
    return value
