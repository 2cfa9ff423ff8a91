"""Log lines tagged with the customer, account and resource a module runs for."""

from __future__ import annotations

from typing import Any, Optional

from ._api import context_value


class Logger:
    """Log through ``context.log`` in production (``context.module_id`` set), else print.

    Every line is ``Target(customer: <c>,account: <a>, resource: <r>): <body>`` exactly
    (CMP log searches match that text). ``context`` may be flexer's context object or a
    dict with ``module_id`` and ``log`` keys.

    >>> Logger({}, customer_id='c', account_id='a').info('hello')  # doctest: +NORMALIZE_WHITESPACE
    info    Target(customer: c,account: a, resource: None): hello
    """

    def __init__(
        self,
        context: Any,
        customer_id: Optional[str],
        account_id: Optional[str],
        resource_id: Optional[str] = None,
    ) -> None:
        self.context = context
        self.customer_id = customer_id
        self.account_id = account_id
        self.resource_id = resource_id

    def info(self, body: str) -> None:
        """Log ``body`` with severity ``info``."""
        self._log("info", body)

    def warn(self, body: str) -> None:
        """Log ``body`` with severity ``warn``."""
        self._log("warn", body)

    def error(self, body: str) -> None:
        """Log ``body`` with severity ``error``."""
        self._log("error", body)

    def exception(self, body: str) -> None:
        """Log ``body`` with severity ``exception``."""
        self._log("exception", body)

    def _log(self, severity: str, body: str) -> None:
        line = (
            f"Target(customer: {self.customer_id},account: {self.account_id}, "
            f"resource: {self.resource_id}): {body}"
        )
        if context_value(self.context, "module_id") is None:
            print(severity + "\t" + line)
            return
        log = context_value(self.context, "log")
        if not callable(log):
            raise TypeError(
                "Logger: the context has a module_id but no callable 'log' to send "
                f"this line to: {line}"
            )
        log(line, severity)
