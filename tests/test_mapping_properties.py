"""Property tests of the mapping loader against the engine as oracle."""

from __future__ import annotations

import math
from typing import Any

import pytest
import yaml
from hypothesis import assume, given, reject
from hypothesis import strategies as st

from nflex_metrics import ExpressionSyntaxError, MappingError, compile, parse_metric_mapping

NAMES = ["value", "total", "used", "x1"]

#: Simple arithmetic texts over a few variables (the shape of real conversion_expr).
atoms = st.one_of(
    st.sampled_from(NAMES),
    st.integers(min_value=0, max_value=10_000).map(str),
    st.sampled_from(["0.5", "1024", "1e3", "2.5E-1"]),
)
expressions = st.recursive(
    atoms,
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/"]), inner).map(" ".join),
        inner.map(lambda text: f"({text})"),
        inner.map(lambda text: f"-{text}"),
    ),
    max_leaves=8,
)
entries = st.fixed_dictionaries(
    {"conversion_expr": expressions},
    optional={
        "name": st.text(min_size=1, max_size=10),
        "unit": st.sampled_from(["%", "MiB", "bytes/s", ""]),
        "counter": st.booleans(),
        "specialisation": st.sampled_from(["", "guest", "host"]),
    },
)
keys = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True)
variables = st.fixed_dictionaries(
    {name: st.floats(min_value=-1e6, max_value=1e6, allow_nan=False) for name in NAMES}
)


def same(a: Any, b: Any) -> bool:
    return a == b or (
        isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)
    )


@given(st.dictionaries(keys, entries, max_size=6), variables, st.sampled_from([None, '"', "'"]))
def test_a_dumped_mapping_loads_to_entries_that_evaluate_like_the_engine(
    data: dict[str, dict[str, Any]], env: dict[str, float], style: str | None
) -> None:
    text = yaml.safe_dump(data, default_style=style, sort_keys=False, allow_unicode=True)
    mapping = parse_metric_mapping(text)
    assert list(mapping) == list(data)
    # PyYAML's own loader is the oracle for the fields (it does not round-trip every
    # control character, e.g. NEL); the expression texts are plain ASCII.
    oracle = yaml.safe_load(text)
    for key, entry in oracle.items():
        loaded = mapping[key]
        assert entry["conversion_expr"] == data[key]["conversion_expr"]
        assert loaded.name() == entry.get("name", "")
        assert loaded.unit() == entry.get("unit", "")
        assert loaded.counter() is entry.get("counter", False)
        assert loaded.specialisation() == entry.get("specialisation", "")
        assert same(loaded.value(**env), compile(entry["conversion_expr"]).evaluate(env))


TOKENS = [
    "value",
    "x1",
    "2",
    "3.5",
    "+",
    "-",
    "*",
    "/",
    "(",
    ")",
    "^",
    "CASE",
    "WHEN",
    "THEN",
    "END",
    "ELSE",
    "=",
    ">",
    "if",
    "else",
    "NULL",
    "AND",
]
SPACES = st.sampled_from([" ", " ", "  ", "\n", "\n  ", "\t"])


def _join(parts: list[tuple[str, str]]) -> str:
    return "".join(token + space for token, space in parts).rstrip()


broken = st.lists(st.tuples(st.sampled_from(TOKENS), SPACES), min_size=1, max_size=12).map(_join)


def _render(expression: str, style: str) -> str:
    if style == "literal":
        body = "".join(f"    {line}\n" for line in expression.split("\n"))
        return f"m:\n  conversion_expr: |\n{body}"
    if style == "folded":
        body = "".join(f"    {line}\n" for line in expression.split("\n"))
        return f"m:\n  conversion_expr: >-\n{body}"
    if style == "plain":
        body = expression.replace("\n", "\n    ")
        return f"m:\n  conversion_expr: {body}\n"
    dumped = yaml.safe_dump({"m": {"conversion_expr": expression}}, default_style=style, width=30)
    return str(dumped)


@given(broken, st.sampled_from(["literal", "folded", "plain", '"', "'"]))
def test_an_expression_error_points_at_the_same_character_in_the_file(
    expression: str, style: str
) -> None:
    text = _render(expression, style)
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError:
        reject()
    assume(isinstance(loaded, dict) and isinstance(loaded.get("m"), dict))
    value = loaded["m"].get("conversion_expr")
    assume(isinstance(value, str) and value.strip())
    try:
        compile(value)
    except ExpressionSyntaxError as err:
        lines = value.split("\n")
        offset = sum(len(line) + 1 for line in lines[: err.line - 1]) + err.column - 1
    else:
        reject()
    assume(offset < len(value.rstrip()) and not value[offset].isspace())
    with pytest.raises(MappingError) as info:
        parse_metric_mapping(text)
    (problem,) = info.value.problems
    file_line = text.splitlines()[problem.line - 1]
    if style in ("literal", "folded", "plain"):
        assert file_line[problem.column - 1] == value[offset]
    else:  # quoted: best effort, but on the right line and near the character
        assert value[offset] in file_line
