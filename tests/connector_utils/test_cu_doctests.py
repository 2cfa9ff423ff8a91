"""The examples in the connector utilities' docstrings run."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "nflex_connector_utils",
    "nflex_connector_utils.account",
    "nflex_connector_utils.connections",
    "nflex_connector_utils.image_detail",
    "nflex_connector_utils.ip_address",
    "nflex_connector_utils.locations",
    "nflex_connector_utils.logger",
    "nflex_connector_utils.metadata",
    "nflex_connector_utils.redact",
    "nflex_connector_utils.resource",
    "nflex_connector_utils.rfc3339",
    "nflex_connector_utils.server",
    "nflex_connector_utils.tools",
    "nflex_connector_utils.volume",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
