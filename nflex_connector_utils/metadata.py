"""Resource metadata: key/value pairs grouped by namespace."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any, Optional


class MetadataWarning(UserWarning):
    """A ``Metadata`` item was skipped because it is not a 2- or 3-tuple."""


class Metadata:
    """Key/value metadata of a resource, grouped by namespace.

    ``values`` holds ``(key, value)`` tuples, filed under ``default_namespace``
    (``provider_specific`` unless given), or ``(namespace, key, value)`` tuples.
    Anything else is skipped, as 0.2.0 did, but with a :class:`MetadataWarning`.

    >>> Metadata([('key1', 'value1'), ('alt-ns', 'key2', 'value2')]).serialize()
    {'provider_specific': {'key1': 'value1'}, 'alt-ns': {'key2': 'value2'}}
    """

    DEFAULT_NAMESPACE_ID = "default"
    PROVIDER_SPECIFIC_NAMESPACE_ID = "provider_specific"
    PROVIDER_SPECIFIC_EDITABLE_NAMESPACE_ID = "provider_specific_editable"
    PROVIDER_METADATA_NAMESPACE_ID = "provider_metadata"

    def __init__(
        self,
        values: Optional[Iterable[tuple[Any, ...]]] = None,
        default_namespace: Optional[str] = None,
    ) -> None:
        self.default_namespace: str = (
            self.PROVIDER_SPECIFIC_NAMESPACE_ID if default_namespace is None else default_namespace
        )
        self._data: dict[str, dict[str, Any]] = {}
        if values is None:
            return
        if isinstance(values, (str, bytes, dict)):
            _skip(f"Metadata values must be a list of tuples, not {type(values).__name__}", values)
            return
        for index, item in enumerate(values):
            if isinstance(item, tuple) and len(item) == 2:
                self.add(item[0], item[1])
            elif isinstance(item, tuple) and len(item) == 3:
                self.add(item[1], item[2], namespace=item[0])
            else:
                _skip(
                    f"Metadata item {index} is not a (key, value) or (namespace, key, value) tuple",
                    item,
                )

    def add(self, key: str, value: Any, namespace: Optional[str] = None) -> Metadata:
        """Set ``key`` to ``value`` in ``namespace`` (the default one if None); returns self."""
        if namespace is None:
            namespace = self.default_namespace
        self._data.setdefault(namespace, {})[key] = value
        return self

    def serialize(self) -> dict[str, dict[str, Any]]:
        """``{namespace: {key: value}}``; an empty dict when nothing was added."""
        return {namespace: dict(items) for namespace, items in self._data.items()}


def _skip(reason: str, value: object) -> None:
    warnings.warn(f"{reason}; skipped: {value!r}", MetadataWarning, stacklevel=3)
