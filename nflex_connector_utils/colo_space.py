"""Colocation spaces (racks, cages, suites)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from .resource import Detail, Resource, ResourceArgs

if TYPE_CHECKING:
    from typing_extensions import Unpack


class ColoSpace(Resource):
    """A colocation space."""

    resource_type = "colo_space"
    details = (
        Detail("power_allocation_w"),
        Detail("type_id"),
        Detail("colo_space_location"),
        Detail("customer_name"),
        Detail("customer_label"),
        Detail("customer_description"),
        Detail("combination"),
    )

    def __init__(
        self,
        power_allocation_w: Optional[float] = None,
        type_id: Optional[str] = None,
        colo_space_location: Optional[str] = None,
        customer_name: Optional[str] = None,
        customer_label: Optional[str] = None,
        customer_description: Optional[str] = None,
        combination: Optional[str] = None,
        **base: Unpack[ResourceArgs],
    ) -> None:
        super().__init__(type=self.resource_type, **base)
        self.power_allocation_w = power_allocation_w
        self.type_id = type_id
        self.colo_space_location = colo_space_location
        self.customer_name = customer_name
        self.customer_label = customer_label
        self.customer_description = customer_description
        self.combination = combination
