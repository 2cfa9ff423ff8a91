"""The CMP account a connector syncs, and its metadata."""

from __future__ import annotations

from typing import Any, Optional

from ._api import call_cmp, context_value
from .metadata import Metadata


class Account:
    """An account update: an optional id and optional metadata.

    >>> Account(id='acc-1', metadata=Metadata([('plan', 'gold')])).serialize()
    {'id': 'acc-1', 'metadata': {'provider_specific': {'plan': 'gold'}}}
    """

    def __init__(self, id: Optional[str] = None, metadata: Optional[Metadata] = None) -> None:
        self.id = id
        self.metadata = metadata

    def serialize(self) -> dict[str, Any]:
        """``id`` when truthy; ``metadata`` whenever a Metadata object was given."""
        data: dict[str, Any] = {}
        if self.id:
            data["id"] = self.id
        if self.metadata is not None:
            data["metadata"] = self.metadata.serialize()
        return data

    def update(self, context: Any, account_id: Optional[str]) -> None:
        """PATCH this account to ``/accounts/<account_id>/resource`` via ``context.api``.

        Nothing is sent when ``account_id`` or ``context.module_id`` is None (a local
        run); a status other than 200 raises
        ``Exception('Got bad response from account API: ...')``.
        """
        if account_id is None or context_value(context, "module_id") is None:
            return
        call_cmp(context, "patch", f"/accounts/{account_id}/resource", self.serialize(), "account")
