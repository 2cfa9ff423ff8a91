"""Appliances: firewalls, load balancers, routers, switches, ..."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from .resource import Detail, Resource, ResourceArgs

if TYPE_CHECKING:
    from typing_extensions import Unpack


class Appliance(Resource):
    """An appliance. ``type_id`` is one of firewall, load_balancer, router, switch,
    storage, kvm, unknown. ``size_b`` is accepted for 0.2.0 compatibility and not sent.
    """

    resource_type = "appliance"
    details = (Detail("type_id"),)

    def __init__(
        self,
        size_b: Optional[int] = None,
        type_id: Optional[str] = None,
        **base: Unpack[ResourceArgs],
    ) -> None:
        super().__init__(type=self.resource_type, **base)
        self.size_b = size_b
        self.type_id = type_id
