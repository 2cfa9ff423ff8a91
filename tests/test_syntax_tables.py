"""The parser against its grammar.

The committed tables are the ones the grammar gives today; the parser accepts exactly
what Lark's own LALR parser accepts, with the same trees and spans; and parsing needs
neither Lark nor any file.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.util
import logging
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lark import Lark, Token, Tree
from lark.exceptions import LarkError

from nflex_metrics.errors import ExpressionSyntaxError
from nflex_metrics.limits import MAX_DEPTH_CEILING, Limits
from nflex_metrics.nodes import (
    Binary,
    BoolOp,
    Case,
    Compare,
    IsNull,
    Name,
    Node,
    Not,
    Null,
    Number,
    Span,
    Ternary,
    Unary,
    When,
    walk,
)
from nflex_metrics.strategies import expressions
from nflex_metrics.syntax import DIALECTS, grammar_path, lark_parser, parse

REPO = Path(__file__).resolve().parent.parent
TABLES = REPO / "nflex_metrics" / "_tables.py"
ROOMY = Limits(max_depth=MAX_DEPTH_CEILING)


@functools.cache
def generator() -> ModuleType:
    """``scripts/generate_tables.py``, the maintainer's script, as a module."""
    spec = importlib.util.spec_from_file_location(
        "generate_tables", REPO / "scripts/generate_tables.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@functools.cache
def reference() -> Lark:
    return lark_parser()


# ------------------------------------------------------------ the committed tables


def test_committed_tables_are_those_of_the_committed_grammar() -> None:
    fresh = generator().render(grammar_path().read_text(encoding="utf-8"))
    if TABLES.read_text(encoding="utf-8") != fresh:
        pytest.fail("nflex_metrics/_tables.py is stale: run `python scripts/generate_tables.py`")


def test_the_generator_check_names_the_command_when_the_tables_are_stale(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / "_tables.py"
    stale.write_text("# tables of an older grammar\n", encoding="utf-8")
    assert generator().main(["--check", "--output", str(stale)]) == 1
    assert "run `python scripts/generate_tables.py`" in capsys.readouterr().err


def test_the_generator_writes_the_same_tables_whatever_the_hash_seed() -> None:
    # Lark numbers its states in an order that depends on set iteration; the script
    # renumbers them, so another hash seed must give the committed file byte for byte.
    for seed in ("0", "12345"):
        done = subprocess.run(
            [sys.executable, "scripts/generate_tables.py", "--check"],
            cwd=REPO,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr


def test_grammar_builds_without_lalr_conflicts(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="lark"):
        lark_parser()
    assert not [r for r in caplog.records if "conflict" in r.getMessage().lower()]


# ------------------------------------------------------------ what a parse needs


def test_parsing_imports_no_lark_and_writes_no_file(tmp_path: Path) -> None:
    home, cache, cwd = tmp_path / "home", tmp_path / "cache", tmp_path / "cwd"
    for directory in (home, cache, cwd):
        directory.mkdir()
    code = (
        "import sys\n"
        "from nflex_metrics import ExpressionSyntaxError, parse\n"
        "texts = {'full': 'a * 2', 'arithmetic': 'a * 2', 'simple': 'a * 2',\n"
        "         'ternary': '1 if a > 0 else 2', 'case': 'CASE WHEN a = 1 THEN 2 END'}\n"
        "for dialect, text in texts.items():\n"
        "    parse(text, dialect)\n"
        "    try:\n"
        "        parse('a * / 2', dialect)\n"
        "    except ExpressionSyntaxError:\n"
        "        pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'lark'))\n"
    )
    env = {**os.environ, "HOME": str(home), "XDG_CACHE_HOME": str(cache)}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # bytecode would go next to the modules anyway
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert [list(d.rglob("*")) for d in (home, cache, cwd)] == [[], [], []]


def test_the_reference_parser_says_it_needs_lark(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "lark", None)  # as if Lark were not installed
    with pytest.raises(ImportError, match=r"needs Lark: pip install .*\[testing\]"):
        lark_parser()
    assert parse("a * 2") == Binary("*", Name("a"), Number(2.0))


def test_a_fifty_arm_case_parses_into_fifty_arms() -> None:
    body = " ".join(f"WHEN a = {i} AND NOT b > {i} THEN {i}" for i in range(50))
    tree = parse(f"CASE {body} ELSE 0 END")
    assert isinstance(tree, Case) and len(tree.whens) == 50
    assert tree.whens[49] == When(
        BoolOp(
            "and",
            Compare("=", Name("a"), Number(49.0)),
            Not(Compare(">", Name("b"), Number(49.0))),
        ),
        Number(49.0),
    )


# ------------------------------------------------------- the same as Lark's parser


def from_lark(tree: Tree[Token]) -> Any:
    """Our node for a tree of Lark's own parser, its span from the tree's first and
    last token: an oracle for the trees and spans :func:`parse` builds."""
    tokens = list(tree.scan_values(lambda value: isinstance(value, Token)))
    first, last = tokens[0], tokens[-1]
    assert None not in (first.line, first.column, first.start_pos, last.end_pos)
    span = Span(first.line, first.column, first.start_pos, last.end_pos)  # type: ignore[arg-type]
    kids = [from_lark(child) for child in tree.children if isinstance(child, Tree)]
    words = [str(child) for child in tree.children if isinstance(child, Token)]
    kind = str(tree.data)
    if kind in DIALECTS:  # a start rule around the expression
        return kids[0]
    if kind == "number":
        return Number(float(words[0]), span)
    if kind == "name":
        return Name(words[0], span)
    if kind == "null":
        return Null(span)
    if kind == "parenthesised":  # the same node, spanning the parentheses
        return dataclasses.replace(kids[0], span=span)
    if kind == "unary":
        return Unary(words[0], kids[0], span)
    if kind == "binary":
        return Binary(words[0], kids[0], kids[1], span)
    if kind == "comparison":
        return Compare({"==": "=", "<>": "!="}.get(words[0], words[0]), kids[0], kids[1], span)
    if kind == "bool_op":
        return BoolOp(words[0].lower(), kids[0], kids[1], span)
    if kind == "negation":
        return Not(kids[0], span)
    if kind in ("is_null", "is_not_null"):
        return IsNull(kids[0], kind == "is_not_null", span)
    if kind == "if_else":
        return Ternary(kids[0], kids[1], kids[2], span)
    if kind == "when":
        return When(kids[0], kids[1], span)
    if kind == "case_when":
        whens = tuple(kid for kid in kids if isinstance(kid, When))
        orelse = kids[-1] if len(kids) > len(whens) else None
        return Case(whens, orelse, span)
    raise AssertionError(f"a Lark tree the test does not know: {kind}")


def spans(tree: Node) -> list[Span]:
    return [node.span for node in walk(tree)]


def assert_parses_as_lark_does(text: str) -> None:
    for dialect in DIALECTS:
        try:
            expected = from_lark(reference().parse(text, start=dialect))
        except LarkError:
            with pytest.raises(ExpressionSyntaxError):
                parse(text, dialect, ROOMY)
            continue
        tree = parse(text, dialect, ROOMY)
        assert tree == expected, (dialect, text)
        assert spans(tree) == spans(expected), (dialect, text)


WORDS = ["a", "b", "end", "case", "CASE", "when", "then", "else", "END", "if", "and", "or"]
WORDS += ["not", "is", "null", "NULL", "Null", "1", "2.5", "1e3", "2ELSE", "(", ")", "+"]
WORDS += ["-", "*", "/", "^", "=", "==", "<>", "<", ">=", "WHEN a = 1 THEN", "a > 1", "$"]


@given(
    st.lists(st.sampled_from(WORDS), max_size=14),
    st.lists(st.sampled_from([" ", "", "\n", "\t "]), min_size=14, max_size=14),
)
def test_random_word_salad_parses_as_lark_parses_it(words: list[str], gaps: list[str]) -> None:
    """Accepted by both or rejected by both, in every dialect; when accepted, the same
    tree with the same spans. Keyword-or-name decisions are what this mostly probes."""
    assert_parses_as_lark_does("".join(gap + word for gap, word in zip(gaps, words)))


@given(st.sampled_from(DIALECTS).flatmap(expressions))
def test_generated_expressions_parse_as_lark_parses_them(text: str) -> None:
    assert_parses_as_lark_does(text)


@pytest.mark.parametrize(
    "text",
    [
        "CASE WHEN a IS NOT NULL AND NOT b = 1 THEN -a ^ 2 ELSE NULL END * (c + 1)",
        "1 if end > 0 else null",
        "(end - start) / 1000",
        "CASE WHEN a = 1 THEN\n  (b + 1) * 2\nELSE\n  CASE WHEN b IS NULL THEN 0 END\nEND",
        "x if (a = 1 or not (b < 2)) and c <> 3 else -(-y)",
    ],
)
def test_examples_parse_as_lark_parses_them(text: str) -> None:
    assert_parses_as_lark_does(text)
