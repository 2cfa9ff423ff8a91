"""Servers: physical or virtual machines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Optional

from .image_detail import ImageDetail
from .ip_address import IpAddress
from .resource import Detail, Resource, ResourceArgs, serialize_each, serialize_or_none

if TYPE_CHECKING:
    from typing_extensions import Unpack


class Server(Resource):
    """A server. ``state`` is a CMP state (unknown, pending, running, shutting,
    terminated, stopping, stopped); ``provider_state`` is free text.

    >>> Server(id='server-1', name='Server 1').serialize()['details']['server']['state']
    'unknown'
    """

    resource_type = "server"
    details = (
        Detail("cpu_cores"),
        Detail("cpu_hz"),
        Detail("ram_b"),
        Detail("volumes_b"),
        Detail("instance_type"),
        Detail("state", default="unknown"),
        Detail("provider_state", default="unknown"),
        Detail("ip_addresses", convert=serialize_each),
        Detail("image_detail", convert=serialize_or_none),
        Detail("is_virtual", omit_if_none=True),
    )

    def __init__(
        self,
        cpu_hz: Optional[float] = None,
        cpu_cores: Optional[int] = None,
        ram_b: Optional[int] = None,
        volumes_b: Optional[int] = None,
        state: Optional[str] = None,
        provider_state: Optional[str] = None,
        image_detail: Optional[ImageDetail] = None,
        instance_type: Optional[str] = None,
        ip_addresses: Optional[Sequence[IpAddress]] = None,
        is_virtual: Optional[bool] = None,
        **base: Unpack[ResourceArgs],
    ) -> None:
        super().__init__(type=self.resource_type, **base)
        self.cpu_hz = cpu_hz
        self.cpu_cores = cpu_cores
        self.ram_b = ram_b
        self.volumes_b = volumes_b
        self.state = state
        self.provider_state = provider_state
        self.image_detail = image_detail
        self.instance_type = instance_type
        self.ip_addresses = ip_addresses
        self.is_virtual = is_virtual
