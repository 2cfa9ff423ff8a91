"""Networks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .resource import Resource, ResourceArgs

if TYPE_CHECKING:
    from typing_extensions import Unpack


class Network(Resource):
    """A network; it has no details of its own (``details['network']`` is ``{}``)."""

    resource_type = "network"

    def __init__(self, **base: Unpack[ResourceArgs]) -> None:
        super().__init__(type=self.resource_type, **base)
