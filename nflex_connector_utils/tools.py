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

VCR_IGNORED_HOSTS = ("192.168.42.24",)
"""Hosts whose requests :func:`vcr_cassette_context` neither records nor replays (they
go to the network each time): the one 0.2.0 left out, kept so that a cassette records
the same requests as before. ``ignore_hosts=`` replaces it."""


@overload
def vcr_cassette_context(
    function: Callable[..., _T],
    cassette: str = VCR_CASSETTE,
    *,
    secret_names: Iterable[str] = (),
    ignore_hosts: Iterable[str] = VCR_IGNORED_HOSTS,
) -> Callable[..., _T]: ...


@overload
def vcr_cassette_context(
    function: None = None,
    cassette: str = VCR_CASSETTE,
    *,
    secret_names: Iterable[str] = (),
    ignore_hosts: Iterable[str] = VCR_IGNORED_HOSTS,
) -> Callable[[Callable[..., _T]], Callable[..., _T]]: ...


def vcr_cassette_context(
    function: Optional[Callable[..., _T]] = None,
    cassette: str = VCR_CASSETTE,
    *,
    secret_names: Iterable[str] = (),
    ignore_hosts: Iterable[str] = VCR_IGNORED_HOSTS,
) -> Union[Callable[..., _T], Callable[[Callable[..., _T]], Callable[..., _T]]]:
    """Run ``function`` inside ``vcr.use_cassette(cassette, record_mode='new_episodes')``
    when ``DEBUG_VCR`` is set in the environment; call it directly otherwise.

    Use it to record a module's HTTP traffic once and replay it while developing.
    vcrpy and the redaction hooks are imported only when recording is on.

    Credentials never reach the cassette: the value of every header, query parameter
    (also in a URL inside a header value, such as ``Location``), form field and JSON key
    (in requests and responses, at any depth) named like one
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

    Requests to the hosts of ``ignore_hosts`` (default :data:`VCR_IGNORED_HOSTS`, as in
    0.2.0) are not recorded: they reach the network on every run.
    """
    if function is not None and not callable(function):
        raise TypeError(f"vcr_cassette_context decorates a function, got {function!r}")
    names = _strings("secret_names", secret_names)
    hosts = _strings("ignore_hosts", ignore_hosts)

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
                ignore_hosts=hosts,
            ):
                return function(*args, **kwargs)

        return wrapper

    return decorate if function is None else decorate(function)


def _strings(what: str, given: Iterable[str]) -> list[str]:
    """``given`` as a list of strings (a single string is one); TypeError otherwise."""
    items = [given] if isinstance(given, str) else list(given)
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"{what} must be strings, got {item!r}")
    return items
