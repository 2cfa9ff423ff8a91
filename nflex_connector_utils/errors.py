"""Exceptions a spend collector understands; raise them from a spend connector."""

from __future__ import annotations


class SpendError(Exception):
    """Any other kind of spend error."""


class InvalidCredentials(Exception):
    """The account credentials were rejected."""

    def __init__(self, msg: str | None = None) -> None:
        super().__init__(msg or "Invalid Credentials")


class InsufficientPermission(Exception):
    """The account may not read billing data."""

    def __init__(self, msg: str | None = None) -> None:
        super().__init__(msg or "Insufficient permission")


class NoBillingReport(Exception):
    """No billing report file was found."""

    def __init__(self, msg: str | None = None) -> None:
        super().__init__(msg or "No billing report found")
