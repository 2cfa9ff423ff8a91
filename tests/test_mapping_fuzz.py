"""Fuzzing the mapping loader: whatever the text, loading it gives entries or one
MappingError whose problems have a file, line and column; never another exception."""

from __future__ import annotations

import logging
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mapping_loaders import libyaml
from test_mapping_yaml import mapping_texts

from nflex_metrics import MappingError, parse_metric_mapping

#: Texts to start from: mapping files and the YAML that broke loaders before.
SEEDS = [
    "cpu:\n  name: cpu\n  unit: '%'\n  conversion_expr: value * 100\n  counter: false\n",
    "a: &a {name: x, <<: *a}\nb: {<<: [*a, {unit: u}], tags: &t [1, *t]}\n",
    "a:\n  x: " + "[" * 120 + "]" * 120 + "\n",
    "".join(" " * i + f"k{i}:\n" for i in range(110)),
    "m:\n  l0: &l0 [lol, lol, lol]\n  l1: &l1 [*l0, *l0, *l0]\n  l2: [*l1, *l1, *l1]\n",
    "a:\r  conversion_expr: |\r    value *\x85    / 2\u2028b: {unit: 1}\u2029",
    "a:\n  unit: " + "9" * 4_400 + "\n  counter: !!bool maybe\n  x: !!int ''\n",
    "? [a, b]\n: {conversion_expr: value}\n? 1\n: x\n",
    "a:\n  conversion_expr: >\n    CASE WHEN x = 0 THEN NULL\n    ELSE y / x END\n",
]

#: Pieces inserted at random places: YAML indicators, anchors, tags, line breaks, numbers.
PIECES = [
    *("[", "]", "{", "}", ", ", ": ", "- ", "? ", "#", "'", '"', "|", ">-", "!", "%", "@"),
    *("&a ", "&b ", "*a", "*b", "<<: ", "<<: *a", "<<: [*a, *b]", "{<<: *a}", "---\n"),
    *("!!int ", "!!bool ", "!!float ", "!!str ", "!!omap ", "!!set ", "!!binary ", "!x "),
    *("\n", "\r", "\r\n", "\x85", "\u2028", "\u2029", "\t", "  ", "    ", "\ufeff", "\x00"),
    *("1" * 4_400, "-" + "7" * 5_000, "0x" + "f" * 50, "1_000", "1:30", ".inf", "~", "2001-02-30"),
    *("conversion_expr: ", "value * / 2", "CASE WHEN", "name: ", "counter: ", "unit: "),
]


@st.composite
def hostile_texts(draw: st.DrawFn) -> str:
    """A seed or a mapping-shaped text, then a few random insertions, deletions and
    repetitions (a repeated slice makes deep nesting and long lines)."""
    text: str = draw(st.one_of(st.sampled_from(SEEDS), mapping_texts()))
    for _ in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 12)))
        operation = draw(st.sampled_from(["insert", "delete", "repeat"]))
        if operation == "insert":
            text = text[:start] + draw(st.sampled_from(PIECES)) + text[start:]
        elif operation == "delete":
            text = text[:start] + text[end:]
        else:
            text = text[:start] + text[start:end] * draw(st.integers(2, 300)) + text[end:]
    return text


def load_every_way(text: str) -> None:
    for enabled in (True, False):
        for strict in (True, False):
            with libyaml(enabled):
                try:
                    mapping = parse_metric_mapping(text, source="fuzz.yaml", strict=strict)
                except MappingError as err:
                    assert str(err) and err.problems
                    for problem in err.problems:
                        assert problem.file == "fuzz.yaml"
                        assert problem.line >= 1 and problem.column >= 1, problem
                else:
                    assert pickle.loads(pickle.dumps(mapping)) is not None


@given(hostile_texts())
def test_any_text_loads_or_raises_one_mapping_error_with_positions(text: str) -> None:
    logging.disable(logging.WARNING)  # strict=False logs every problem
    try:
        load_every_way(text)
    finally:
        logging.disable(logging.NOTSET)


@pytest.mark.parametrize("seed", SEEDS)
def test_every_seed_loads_or_raises_one_mapping_error_with_positions(seed: str) -> None:
    logging.disable(logging.WARNING)
    try:
        load_every_way(seed)
    finally:
        logging.disable(logging.NOTSET)
