"""The JSON Schema of mapping files, for editors and other tools.

Editors with the YAML language server validate and complete a ``mapping.yaml`` that
starts with this line (a path relative to the file, or the schema's URL)::

    # yaml-language-server: $schema=./mapping.schema.json

Write the schema next to your mapping with ``nflex-metrics check --print-schema >
mapping.schema.json``. The schema checks the shape of the file (fields and their
types); only ``nflex-metrics check`` also parses every ``conversion_expr`` and finds
duplicate keys.

>>> mapping_schema()["type"]
'object'
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

__all__ = ["SCHEMA_FILE", "mapping_schema", "mapping_schema_text"]

#: The schema's file name inside the package.
SCHEMA_FILE = "mapping.schema.json"


def mapping_schema_text() -> str:
    """The schema as JSON text, exactly as shipped."""
    return resources.files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")


def mapping_schema() -> dict[str, Any]:
    """The schema as a dict."""
    schema: dict[str, Any] = json.loads(mapping_schema_text())
    return schema
