"""Run and test connector modules without flexer: a CMP API client and a module context.

Flexer hands a module ``context.api`` (a requests-based CMP client with ``get``,
``post``, ``patch``, ``put``, ``delete`` taking ``path`` and ``data``),
``context.module_id`` (set only in production) and ``context.log(line, severity)``.
:class:`CmpClient` and :class:`LocalContext` provide the same interface::

    context = LocalContext(module_id='local', api=CmpClient('https://cmp.example.com/api',
                                                          auth=('key', 'secret')))
    get(event, context)

This module imports requests; the package top level imports it only on first use.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any, Optional

import requests

from ._api import CmpConnectionError

__all__ = ["CmpClient", "CmpConnectionError", "LocalContext"]

DEFAULT_TIMEOUT = 30.0
"""Seconds :class:`CmpClient` waits for CMP to connect or answer."""

USER_AGENT = "nflex-connector-utils"
"""The ``User-Agent`` :class:`CmpClient` sends unless told otherwise."""


class CmpClient:
    """A small requests-based CMP API client with flexer's ``CmpClient`` interface.

    ``url`` is the API base (``https://cmp.example.com/api``); each call appends its
    ``path``. ``auth`` is an ``(api_key, secret)`` pair for basic auth; ``access_token``
    is sent as the ``Cookie`` header instead when there is no ``auth``. Bodies are
    JSON. Methods return the ``requests.Response``; a network failure raises
    :class:`CmpConnectionError` naming the method and URL.
    """

    def __init__(
        self,
        url: str,
        auth: Optional[tuple[str, str]] = None,
        access_token: Optional[str] = None,
        verify_ssl: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
        user_agent: str = USER_AGENT,
    ) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers.update({"User-Agent": user_agent, "Content-Type": "application/json"})
        self.session.verify = verify_ssl
        if auth is not None:
            self.session.auth = auth
        elif access_token:
            self.session.headers["Cookie"] = access_token

    def get(self, path: str, params: Optional[dict[str, Any]] = None) -> requests.Response:
        """GET ``path`` with query ``params``."""
        return self._request("GET", path, params=params)

    def post(self, path: str, data: Any) -> requests.Response:
        """POST ``data`` as JSON to ``path``."""
        return self._request("POST", path, data=data)

    def patch(self, path: str, data: Any) -> requests.Response:
        """PATCH ``path`` with ``data`` as JSON."""
        return self._request("PATCH", path, data=data)

    def put(self, path: str, data: Any) -> requests.Response:
        """PUT ``data`` as JSON to ``path``."""
        return self._request("PUT", path, data=data)

    def delete(self, path: str, params: Optional[dict[str, Any]] = None) -> requests.Response:
        """DELETE ``path`` with query ``params``."""
        return self._request("DELETE", path, params=params)

    def _request(
        self,
        method: str,
        path: str,
        data: Any = None,
        params: Optional[dict[str, Any]] = None,
    ) -> requests.Response:
        url = self.url + path
        body = None if data is None else json.dumps(data)
        try:
            return self.session.request(method, url, data=body, params=params, timeout=self.timeout)
        except requests.RequestException as err:
            raise CmpConnectionError(f"could not reach CMP at {method} {url}: {err}") from err


@dataclass
class LocalContext:
    """A stand-in for flexer's module context: ``module_id``, ``api`` and ``log``.

    With ``module_id`` None (the default) the helpers behave as in a flexer test run:
    :class:`~nflex_connector_utils.logger.Logger` prints and ``Account.update`` sends
    nothing. Lines passed to :meth:`log` are kept in ``logs`` and sent to the
    ``nflex_connector_utils.local`` logger.
    """

    module_id: Optional[str] = None
    api: Any = None
    logs: list[tuple[str, str]] = field(default_factory=list)

    def log(self, message: str, severity: str = "info") -> None:
        """Record a log line as flexer's ``context.log`` would send it to CMP."""
        self.logs.append((message, severity))
        level = _LEVELS.get(severity, logging.INFO)
        logging.getLogger(__name__).log(level, "%s", message)


_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warn": logging.WARNING,
    "warning": logging.WARNING,
    "error": logging.ERROR,
    "exception": logging.ERROR,
}
