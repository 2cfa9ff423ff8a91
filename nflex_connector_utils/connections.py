"""Associations between resources (a server's volumes, networks, ...)."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any, Optional, Union

Ids = Union[str, Iterable[Any], None]
"""One id as a string, or an iterable of ids (or, under type ``any``, of dicts)."""


class Connections:
    """The resources a resource is connected to, by type.

    ``type`` with ``connections`` adds ids under that type; ``appliances``, ``servers``,
    ``networks`` and ``volumes`` add under ``appliance``, ``server``, ``network`` and
    ``volume``. A single string is one id (0.2.0 split it into characters).

    >>> Connections(networks=['network-1'], volumes='volume-1').serialize()
    {'network': [{'id': 'network-1'}], 'volume': [{'id': 'volume-1'}]}
    """

    def __init__(
        self,
        type: Optional[str] = None,
        connections: Ids = None,
        appliances: Ids = None,
        servers: Ids = None,
        networks: Ids = None,
        volumes: Ids = None,
    ) -> None:
        self._data: dict[str, list[Any]] = {}
        self._add(type, connections, appliances, servers, networks, volumes)

    def add(
        self,
        type: Optional[str] = None,
        connections: Ids = None,
        appliances: Ids = None,
        servers: Ids = None,
        networks: Ids = None,
        volumes: Ids = None,
    ) -> Connections:
        """Add more connections (the same arguments as the constructor); returns self."""
        self._add(type, connections, appliances, servers, networks, volumes)
        return self

    def _add(
        self,
        type: Optional[str],
        connections: Ids,
        appliances: Ids,
        servers: Ids,
        networks: Ids,
        volumes: Ids,
    ) -> None:
        if type is not None:
            self._extend(type, connections)
        elif connections:
            warnings.warn(
                f"Connections: connections {connections!r} were given without a type; skipped",
                stacklevel=3,  # the caller of __init__ or add
            )
        self._extend("appliance", appliances)
        self._extend("server", servers)
        self._extend("network", networks)
        self._extend("volume", volumes)

    def _extend(self, type: str, ids: Ids) -> None:
        if not ids:
            return
        items: list[Any] = [ids] if isinstance(ids, str) else list(ids)
        if not items:
            return
        if type != "any":
            items = [{"id": item} for item in items]
        self._data.setdefault(type, []).extend(items)

    def serialize(self) -> dict[str, list[Any]]:
        """``{type: [{'id': id}, ...]}`` (ids as given under ``any``); {} when empty."""
        return {type: list(items) for type, items in self._data.items()}
