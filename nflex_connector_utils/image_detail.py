"""Server image details (OS, distribution, version, architecture) and a lookup table of them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Optional

ImageTuple = tuple[Optional[str], Optional[str], Optional[str], Optional[str], Optional[str]]
"""``(name, type, distribution, version, architecture)``, as an :class:`ImageDetailMap` holds."""


class ImageDetail:
    """The image or template a server was built from.

    >>> ImageDetail(id='ami-1', name='Ubuntu 16.04', type='Linux').serialize()['name']
    'Ubuntu 16.04'
    """

    def __init__(
        self,
        id: Optional[str] = None,
        name: Optional[str] = None,
        type: Optional[str] = None,
        distribution: Optional[str] = None,
        version: Optional[str] = None,
        architecture: Optional[str] = None,
    ) -> None:
        if not isinstance(id, str):
            raise ValueError("id must be a string and have a value")
        self.id = id
        self.name = name
        self.type = type
        self.distribution = distribution
        self.version = version
        self.architecture = architecture

    def serialize(self) -> dict[str, Optional[str]]:
        """The six fields under their own names."""
        return {
            "id": self.id,
            "name": self.name,
            "architecture": self.architecture,
            "distribution": self.distribution,
            "type": self.type,
            "version": self.version,
        }


class ImageDetailMap:
    """Image details shared by many servers, looked up by image id.

    Keywords given to :meth:`get` override the mapped values.

    >>> images = ImageDetailMap({'ubuntu16': ('Ubuntu 16.04', 'Linux', 'Ubuntu', '16.04', 'x64')})
    >>> images.get('ubuntu16', architecture='i386').serialize()['architecture']
    'i386'
    >>> images.get('no-match').serialize()['name'] is None
    True
    """

    def __init__(self, mapping: Optional[Mapping[str, ImageTuple]] = None) -> None:
        self._mapping: dict[str, ImageTuple] = {}
        for key, value in (mapping or {}).items():
            if not isinstance(value, (tuple, list)) or len(value) != 5:
                raise ValueError(
                    f"ImageDetailMap: the value for {key!r} must be a 5-tuple "
                    f"(name, type, distribution, version, architecture), got {value!r}"
                )
            self._mapping[key] = (value[0], value[1], value[2], value[3], value[4])

    def get(
        self,
        id: Optional[str] = None,
        name: Optional[str] = None,
        version: Optional[str] = None,
        type: Optional[str] = None,
        architecture: Optional[str] = None,
        distribution: Optional[str] = None,
    ) -> ImageDetail:
        """The image with this id; the keywords that are not None override mapped values."""
        if not isinstance(id, str):
            raise ValueError("id must be a string and have a value")
        mapped = self._mapping.get(id, (None, None, None, None, None))
        m_name, m_type, m_distribution, m_version, m_architecture = mapped
        return ImageDetail(
            id=id,
            name=m_name if name is None else name,
            type=m_type if type is None else type,
            distribution=m_distribution if distribution is None else distribution,
            version=m_version if version is None else version,
            architecture=m_architecture if architecture is None else architecture,
        )
