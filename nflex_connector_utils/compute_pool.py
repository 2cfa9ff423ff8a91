"""Compute pools."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from .resource import Detail, Resource, ResourceArgs

if TYPE_CHECKING:
    from typing_extensions import Unpack


class ComputePool(Resource):
    """A pool of compute capacity; ``billing_tag`` is sent only when set."""

    resource_type = "compute_pool"
    details = (
        Detail("cpu_hz"),
        Detail("memory_b"),
        Detail("storage_b"),
        Detail("billing_tag", omit_if_none=True),
    )

    def __init__(
        self,
        cpu_hz: Optional[float] = None,
        memory_b: Optional[int] = None,
        storage_b: Optional[int] = None,
        billing_tag: Optional[str] = None,
        **base: Unpack[ResourceArgs],
    ) -> None:
        super().__init__(type=self.resource_type, **base)
        self.cpu_hz = cpu_hz
        self.memory_b = memory_b
        self.storage_b = storage_b
        self.billing_tag = billing_tag
