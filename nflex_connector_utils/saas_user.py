"""Users of a SaaS product."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from .resource import Detail, Resource, ResourceArgs

if TYPE_CHECKING:
    from typing_extensions import Unpack


class SaasUser(Resource):
    """A SaaS user account (0.2.0's class name; ``SaaSUser`` is the same class)."""

    resource_type = "saas_user"
    details = (
        Detail("avatar_url"),
        Detail("phone"),
        Detail("address"),
        Detail("is_active"),
        Detail("disk_quota_b"),
        Detail("disk_used_b"),
        Detail("email"),
        Detail("country"),
        Detail("language"),
    )

    def __init__(
        self,
        avatar_url: Optional[str] = None,
        phone: Optional[str] = None,
        address: Optional[str] = None,
        language: Optional[str] = None,
        is_active: Optional[bool] = None,
        disk_quota_b: Optional[int] = None,
        disk_used_b: Optional[int] = None,
        email: Optional[str] = None,
        country: Optional[str] = None,
        **base: Unpack[ResourceArgs],
    ) -> None:
        super().__init__(type=self.resource_type, **base)
        self.avatar_url = avatar_url
        self.phone = phone
        self.address = address
        self.language = language
        self.is_active = is_active
        self.disk_quota_b = disk_quota_b
        self.disk_used_b = disk_used_b
        self.email = email
        self.country = country


SaaSUser = SaasUser
"""The spelling the 0.2.0 docs use."""
