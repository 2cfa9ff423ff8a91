"""The shipped JSON Schema of mapping files agrees with the loader on the file's shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from nflex_metrics import ExpressionSyntaxError, MappingError, metric_mapping_from_dict, parse
from nflex_metrics.schema import mapping_schema, mapping_schema_text

jsonschema = pytest.importorskip("jsonschema")

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _valid(document: Any) -> bool:
    validator = jsonschema.Draft202012Validator(mapping_schema())
    return validator.is_valid(document)


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(mapping_schema())
    assert json.loads(mapping_schema_text()) == mapping_schema()


def test_the_example_mapping_validates() -> None:
    document = yaml.safe_load((EXAMPLES / "mapping.yaml").read_text(encoding="utf-8"))
    assert _valid(document)


@pytest.mark.parametrize(
    "text",
    [
        "cpu:\n  unit: 100\n",  # a unit that is not a string
        "cpu:\n  counter: 'yes'\n",  # a counter that is not a boolean
        "cpu:\n  conversion_expr: [value, 100]\n",  # a list where an expression belongs
        "cpu:\n  conversion_expr: '   '\n",  # an empty expression
        "cpu:\n",  # an entry that is not a mapping
        "- cpu\n- mem\n",  # a top level that is not a mapping
    ],
)
def test_a_broken_mapping_does_not_validate(text: str) -> None:
    assert not _valid(yaml.safe_load(text))


_FIELD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.sampled_from(["", "cpu-usage", "%", "value * 100", " "]),
    st.lists(st.integers(0, 3), max_size=2),
    st.dictionaries(st.sampled_from(["a", "b"]), st.integers(0, 3), max_size=2),
)
_ENTRIES = st.one_of(
    st.dictionaries(
        st.sampled_from(["name", "unit", "counter", "specialisation", "conversion_expr", "note"]),
        _FIELD_VALUES,
        max_size=5,
    ),
    _FIELD_VALUES,
)


def _expressions_parse(document: dict[str, Any]) -> bool:
    """Whether every non-blank ``conversion_expr`` string in the document parses."""
    for entry in document.values():
        expression = entry.get("conversion_expr") if isinstance(entry, dict) else None
        if isinstance(expression, str) and expression.strip():
            try:
                parse(expression)
            except ExpressionSyntaxError:
                return False
    return True


@given(st.dictionaries(st.sampled_from(["cpu", "mem", "disk"]), _ENTRIES, max_size=3))
def test_the_schema_accepts_exactly_the_shapes_the_strict_loader_accepts(
    document: dict[str, Any],
) -> None:
    try:
        metric_mapping_from_dict(document)
        loads = True
    except MappingError:
        loads = False
    if not _expressions_parse(document):
        # The schema checks the file's shape; the syntax of an expression is the loader's job.
        assert not loads
        return
    assert _valid(document) == loads
