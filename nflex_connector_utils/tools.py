"""Small helpers for connector handlers: serializing lists, recording HTTP with vcrpy."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from typing import Any, Callable, Optional, Protocol, TypeVar, Union, overload

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


@overload
def vcr_cassette_context(
    function: Callable[..., _T],
    cassette: str = VCR_CASSETTE,
    *,
    secret_names: Iterable[str] = (),
) -> Callable[..., _T]: ...


@overload
def vcr_cassette_context(
    function: None = None,
    cassette: str = VCR_CASSETTE,
    *,
    secret_names: Iterable[str] = (),
) -> Callable[[Callable[..., _T]], Callable[..., _T]]: ...


def vcr_cassette_context(
    function: Optional[Callable[..., _T]] = None,
    cassette: str = VCR_CASSETTE,
    *,
    secret_names: Iterable[str] = (),
) -> Union[Callable[..., _T], Callable[[Callable[..., _T]], Callable[..., _T]]]:
    """Run ``function`` inside ``vcr.use_cassette(cassette, record_mode='new_episodes')``
    when ``DEBUG_VCR`` is set in the environment; call it directly otherwise.

    Use it to record a module's HTTP traffic once and replay it while developing.
    vcrpy and the redaction hooks are imported only when recording is on.

    Credentials never reach the cassette: the value of every header, query parameter,
    form field and JSON key (in requests and responses, at any depth) named like one
    of :data:`~nflex_connector_utils.redact.SECRET_NAMES` (``Authorization``,
    ``Cookie``, ``Set-Cookie``, ``X-Api-Key``, ``api_key``, ``access_token``,
    ``password``, ``signature``...) is recorded as ``<redacted>``; names compare
    ignoring case, ``-`` and ``_``. Replay still matches, since vcrpy redacts each
    live request the same way before looking it up. Compressed responses are recorded
    decompressed so that their JSON can be redacted. ``secret_names`` adds a
    connector's own names (a single string is one name)::

        @vcr_cassette_context                       # as in 0.2.0
        def get(event, context): ...

        @vcr_cassette_context(secret_names=['X-Tenant-Key', 'sessionId'])
        def get(event, context): ...
    """
    if function is not None and not callable(function):
        raise TypeError(f"vcr_cassette_context decorates a function, got {function!r}")
    names = [secret_names] if isinstance(secret_names, str) else list(secret_names)
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"secret_names must be strings, got {name!r}")

    def decorate(function: Callable[..., _T]) -> Callable[..., _T]:
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
            from .redact import Redactor

            redactor = Redactor.with_extra_names(names)
            with vcr.use_cassette(
                cassette,
                record_mode="new_episodes",
                before_record_request=redactor.before_record_request,
                before_record_response=redactor.before_record_response,
                decode_compressed_response=True,
            ):
                return function(*args, **kwargs)

        return wrapper

    return decorate if function is None else decorate(function)
