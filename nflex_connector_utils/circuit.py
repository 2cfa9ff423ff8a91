"""Circuits: carrier links between two endpoints."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from .resource import Detail, Resource, ResourceArgs

if TYPE_CHECKING:
    from typing_extensions import Unpack


class Circuit(Resource):
    """A circuit between ``endpoint_a`` and ``endpoint_b``."""

    resource_type = "circuit"
    details = (
        Detail("type_id"),
        Detail("carrier"),
        Detail("reference"),
        Detail("endpoint_a"),
        Detail("endpoint_b"),
    )

    def __init__(
        self,
        type_id: Optional[str] = None,
        carrier: Optional[str] = None,
        reference: Optional[str] = None,
        endpoint_a: Optional[str] = None,
        endpoint_b: Optional[str] = None,
        **base: Unpack[ResourceArgs],
    ) -> None:
        super().__init__(type=self.resource_type, **base)
        self.type_id = type_id
        self.carrier = carrier
        self.reference = reference
        self.endpoint_a = endpoint_a
        self.endpoint_b = endpoint_b
