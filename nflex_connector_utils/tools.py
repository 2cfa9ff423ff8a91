"""Small helpers for connector handlers: serializing lists, recording HTTP with vcrpy."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from typing import Any, Callable, Protocol, TypeVar

_T = TypeVar("_T")


class Serializable(Protocol):
    """Anything with a ``serialize()`` method (every class in this package)."""

    def serialize(self) -> Any: ...


def serialize_list(data: Iterable[Serializable]) -> list[Any]:
    """``[item.serialize() for item in data]``.

    >>> from nflex_connector_utils import Region
    >>> serialize_list([Region('r1'), Region('r2')])
    [{'id': 'r1'}, {'id': 'r2'}]
    """
    return [item.serialize() for item in data]


VCR_CASSETTE = "vcr.yaml"
"""The cassette file :func:`vcr_cassette_context` uses by default, relative to the cwd."""


def vcr_cassette_context(
    function: Callable[..., _T], cassette: str = VCR_CASSETTE
) -> Callable[..., _T]:
    """Run ``function`` inside ``vcr.use_cassette(cassette, record_mode='new_episodes')``
    when ``DEBUG_VCR`` is set in the environment; call it directly otherwise.

    Use it to record a module's HTTP traffic once and replay it while developing.
    vcrpy is imported only when recording is on.
    """

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> _T:
        if "DEBUG_VCR" not in os.environ:
            return function(*args, **kwargs)
        try:
            import vcr
        except ImportError as err:
            raise ImportError(
                "DEBUG_VCR is set but vcrpy is not installed: pip install vcrpy"
            ) from err
        with vcr.use_cassette(cassette, record_mode="new_episodes"):
            return function(*args, **kwargs)

    return wrapper
