"""Service offerings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from .resource import Detail, Resource, ResourceArgs

if TYPE_CHECKING:
    from typing_extensions import Unpack


class ServiceOffering(Resource):
    """A service offering; ``type_id`` is free text."""

    resource_type = "service_offering"
    details = (Detail("type_id"),)

    def __init__(self, type_id: Optional[str] = None, **base: Unpack[ResourceArgs]) -> None:
        super().__init__(type=self.resource_type, **base)
        self.type_id = type_id
