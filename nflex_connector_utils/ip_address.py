"""An IP address of a server, optionally on a named network."""

from __future__ import annotations

from typing import Any, Optional


class IpAddress:
    """An IPv4 or IPv6 address with an optional network and description.

    >>> IpAddress('10.0.0.1', network_id='net-1', network_name='Net 1').serialize()
    {'ip_address': '10.0.0.1', 'network': {'id': 'net-1', 'name': 'Net 1'}}
    """

    def __init__(
        self,
        ip_address: Optional[str] = None,
        network_id: Optional[str] = None,
        network_name: Optional[str] = None,
        description: Optional[str] = None,
    ) -> None:
        self.ip_address = ip_address
        self.network_id = network_id
        self.network_name = network_name
        self.description = description

    def serialize(self) -> dict[str, Any]:
        """Only the parts that are set; ``network`` needs both its id and its name."""
        data: dict[str, Any] = {}
        if self.ip_address is not None:
            data["ip_address"] = self.ip_address
        if self.network_id is not None and self.network_name is not None:
            data["network"] = {"id": self.network_id, "name": self.network_name}
        if self.description is not None:
            data["description"] = self.description
        return data
