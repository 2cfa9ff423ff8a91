"""Calls to CMP through a module context, shared by the task and account helpers.

A context is flexer's context object in production and a dict in some connector code
(and in the 0.2.0 docs), so attributes are looked up both ways.
"""

from __future__ import annotations

from typing import Any, Protocol


class Response(Protocol):
    """What the helpers read from a CMP response (a ``requests.Response`` in practice)."""

    @property
    def status_code(self) -> int: ...

    @property
    def content(self) -> bytes: ...


class CmpConnectionError(ConnectionError):
    """CMP could not be reached: the message names the endpoint and the cause."""


def context_value(context: Any, name: str) -> Any:
    """``context.<name>``, or ``context[name]`` for a dict context; None when absent."""
    if isinstance(context, dict):
        return context.get(name)
    return getattr(context, name, None)


def call_cmp(context: Any, method: str, path: str, data: Any, api_name: str) -> Response:
    """Send ``data`` to ``path`` with ``context.api.<method>`` and insist on a 200.

    A status other than 200 raises ``Exception('Got bad response from <api_name> API:
    <status>, <content>')`` (the 0.2.0 text); a network failure raises
    :class:`CmpConnectionError` naming the endpoint.
    """
    api = context_value(context, "api")
    if api is None:
        raise TypeError(
            f"cannot call the CMP {api_name} API ({method.upper()} {path}): "
            "the context has no 'api' client"
        )
    try:
        response: Response = getattr(api, method)(path=path, data=data)
    except CmpConnectionError:
        raise
    except OSError as err:  # requests' exceptions are OSErrors too
        raise CmpConnectionError(
            f"could not reach the CMP {api_name} API at {method.upper()} {path}: {err}"
        ) from err
    if response.status_code != 200:
        raise Exception(
            f"Got bad response from {api_name} API: {response.status_code}, {response.content!r}"
        )
    return response
