"""Volumes: block storage."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Union

from .resource import Detail, Resource, ResourceArgs, to_int

if TYPE_CHECKING:
    from typing_extensions import Unpack


class Volume(Resource):
    """A volume; ``iops`` goes on the wire as ``int(iops)``.

    >>> Volume(id='volume-1', name='V', iops='5').serialize()['details']['volume']['iops']
    5
    """

    resource_type = "volume"
    details = (
        Detail("encrypted"),
        Detail("iops", convert=to_int),
        Detail("size_b"),
        Detail("zone_name", omit_if_none=True),
    )

    def __init__(
        self,
        size_b: Optional[int] = None,
        encrypted: Optional[bool] = None,
        iops: Union[int, float, str, None] = None,
        zone_name: Optional[str] = None,
        **base: Unpack[ResourceArgs],
    ) -> None:
        super().__init__(type=self.resource_type, **base)
        self.size_b = size_b
        self.encrypted = encrypted
        self.iops = iops
        self.zone_name = zone_name
