"""The grammar as a second, independent source of texts: ``hypothesis.extra.lark``
generates texts from ``grammars/conversion.lark`` itself, and Lark's own LALR parser,
built here from the same file, is the reference that ``nflex_metrics.parse`` must agree
with — on which texts are in each dialect, and on the tree of those that are.

Limitations of grammar-driven generation, and how the strategies below cope:

- ``from_lark`` ignores the contextual lexer: it writes a NAME wherever the grammar has
  one, so a NAME drawn as a keyword (``end``) may be read as the keyword, and two words
  drawn side by side without a blank (``a`` then ``IF``) run together into one NAME. Both
  make texts that are not what the generator meant. Words are therefore drawn with a
  blank on each side (``explicit`` strategies for the word terminals); with names that
  are not keywords every text is then in the language, which
  :func:`test_grammar_generated_texts_are_in_their_dialect` checks.
- Uniform choices among a rule's expansions make this grammar's texts grow without
  bound; :func:`_prefer_short_expansions` weights each rule toward its shortest expansions.
- Keyword-like names are drawn too, in the comparison test only: there a text may be
  outside the language, and the two parsers must still agree.
- The canonical-text and surface-text strategies (``nflex_metrics.strategies``) are the
  first source; :func:`test_lark_reads_surface_texts_as_the_tree_drawn_with_them` feeds
  them to Lark too.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import lark
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark
from lark import Token, Transformer

from nflex_metrics import ExpressionSyntaxError, ExpressionTooComplex, Limits, parse
from nflex_metrics import strategies as nst
from nflex_metrics.limits import MAX_DEPTH_CEILING
from nflex_metrics.nodes import (
    Binary,
    BoolOp,
    Case,
    Compare,
    Expr,
    IsNull,
    Name,
    Not,
    Null,
    Number,
    Ternary,
    Unary,
    When,
)

GRAMMAR = Path(__file__).resolve().parent.parent / "grammars" / "conversion.lark"
DIALECTS = ("full", "arithmetic", "ternary", "case", "simple")
#: Deep enough for anything the generators draw; texts past it are skipped.
LIMITS = Limits(max_depth=MAX_DEPTH_CEILING)


@functools.cache
def reference() -> lark.Lark:
    """Lark's own LALR parser for the grammar, one start rule per dialect."""
    return lark.Lark(
        GRAMMAR.read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        start=list(DIALECTS),
        maybe_placeholders=False,
    )


class ToNodes(Transformer[Token, Any]):
    """Lark's parse tree -> our nodes, one short method per alias of the grammar."""

    def number(self, children: list[Any]) -> Number:
        return Number(float(children[0]))

    def name(self, children: list[Any]) -> Name:
        return Name(str(children[0]))

    def null(self, children: list[Any]) -> Null:
        return Null()

    def parenthesised(self, children: list[Any]) -> Any:
        return children[1]  # ( inner )

    def unary(self, children: list[Any]) -> Unary:
        return Unary(str(children[0]), children[1])

    def binary(self, children: list[Any]) -> Binary:
        return Binary(str(children[1]), children[0], children[2])

    def comparison(self, children: list[Any]) -> Compare:
        spelled = str(children[1])
        return Compare({"==": "=", "<>": "!="}.get(spelled, spelled), children[0], children[2])

    def is_null(self, children: list[Any]) -> IsNull:
        return IsNull(children[0], False)

    def is_not_null(self, children: list[Any]) -> IsNull:
        return IsNull(children[0], True)

    def negation(self, children: list[Any]) -> Not:
        return Not(children[1])

    def bool_op(self, children: list[Any]) -> BoolOp:
        return BoolOp(str(children[1]).lower(), children[0], children[2])

    def when(self, children: list[Any]) -> When:
        return When(children[1], children[3])  # WHEN condition THEN result

    def case_when(self, children: list[Any]) -> Case:
        whens = tuple(child for child in children if isinstance(child, When))
        values = [child for child in children[1:] if not isinstance(child, (Token, When))]
        return Case(whens, values[0] if values else None)  # values: the ELSE result

    def if_else(self, children: list[Any]) -> Ternary:
        return Ternary(children[0], children[2], children[4])  # body IF condition ELSE orelse

    def full(self, children: list[Any]) -> Any:
        return children[0]

    arithmetic = case = simple = full


def lark_tree(text: str, dialect: str) -> Expr | None:
    """Lark's tree for ``text`` as our nodes, or None when Lark rejects it."""
    try:
        tree = reference().parse(text, start=dialect)
    except lark.exceptions.LarkError:
        return None
    result: Expr = ToNodes().transform(tree)
    return result


def our_tree(text: str, dialect: str) -> Expr | None:
    try:
        return parse(text, dialect, LIMITS)  # type: ignore[arg-type]
    except ExpressionTooComplex:
        pytest.skip("past the parser's limits")  # pragma: no cover - generators stay small
    except ExpressionSyntaxError:
        return None


def _padded(words: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return words.map(lambda word: f" {word} ")


def _keyword(word: str) -> st.SearchStrategy[str]:
    return _padded(st.sampled_from([word.lower(), word.upper(), word.title()]))


#: Keyword terminals of the grammar, drawn in any of three letter cases, with blanks.
KEYWORDS = {
    terminal: _keyword(terminal)
    for terminal in ("CASE", "WHEN", "THEN", "ELSE", "END", "IF", "AND", "OR", "NOT", "IS", "NULL")
}
NUMBERS = _padded(nst.numbers().flatmap(nst.number_spellings))
SURFACE_TEXTS = {dialect: nst.surface_texts(dialect) for dialect in DIALECTS}


@functools.cache  # building the strategy compiles the grammar: once per dialect
def grammar_texts(dialect: str, *, keyword_names: bool) -> st.SearchStrategy[str]:
    """Texts generated from the grammar's ``dialect`` start rule."""
    names = nst.names()
    if keyword_names:
        names = st.one_of(names, st.sampled_from(sorted(nst.KEYWORDS)), st.just("NULL"))
    explicit = {
        **KEYWORDS,
        "LEGACY_NULL": _padded(st.just("NULL")),
        "NAME": _padded(names),
        "NUMBER": NUMBERS,
    }
    strategy = from_lark(reference(), start=dialect, explicit=explicit)
    _prefer_short_expansions(strategy.wrapped_strategy)  # type: ignore[attr-defined]
    return strategy


#: How much likelier a rule's shortest expansions are than each of the others.
SHORTEST_WEIGHT = 8


def _prefer_short_expansions(lark_strategy: Any) -> None:
    """Make each rule pick its shortest expansions ``SHORTEST_WEIGHT`` times as often.

    ``from_lark`` picks among a rule's expansions uniformly. This grammar then grows
    without bound (an operand is a parenthesised expression or a CASE one time in five,
    and an expression has about eight operands), so most draws overrun hypothesis'
    size limit and are thrown away: seconds per example. A rule's shortest expansions
    are its ways out of the recursion (``sum: product``, ``operand: NUMBER | NAME``,
    one WHEN), so favouring them keeps texts finite while every expansion stays possible.
    ``nonterminal_strategies`` (rule name -> choice of expansions, sorted by length) is
    an attribute of hypothesis' strategy object rather than documented API; if it goes
    away, this fails loudly rather than silently testing less.
    """
    choices = lark_strategy.nonterminal_strategies
    for rule, choice in list(choices.items()):
        expansions = list(choice.elements)
        shortest = [e for e in expansions if len(e) == len(expansions[0])]
        choices[rule] = st.sampled_from(shortest * SHORTEST_WEIGHT + expansions)


@given(data=st.data())
def test_parse_and_lark_agree_on_texts_generated_from_the_grammar(data: st.DataObject) -> None:
    dialect = data.draw(st.sampled_from(DIALECTS), label="dialect")
    keyword_names = data.draw(st.booleans(), label="keyword-like names")
    text = data.draw(grammar_texts(dialect, keyword_names=keyword_names), label="text")
    expected = lark_tree(text, dialect)
    if not keyword_names:  # then the text is what the generator meant: in the language
        assert expected is not None, "Lark rejects a text generated from its own grammar"
    assert our_tree(text, dialect) == expected


@pytest.mark.slow
@pytest.mark.parametrize("dialect", DIALECTS)
@given(data=st.data())
def test_lark_reads_surface_texts_as_the_tree_drawn_with_them(
    dialect: str, data: st.DataObject
) -> None:
    text, tree = data.draw(SURFACE_TEXTS[dialect], label="text, tree")
    assert lark_tree(text, dialect) == tree


def test_the_tree_mapping_knows_every_rule_that_reaches_a_parse_tree() -> None:
    """A rule the transformer does not know would come through as a lark Tree."""
    reaching = set()
    for rule in reference().rules:
        if rule.alias:
            reaching.add(str(rule.alias))
        elif not (rule.options.expand1 and len(rule.expansion) == 1):  # `?rule` inlined
            reaching.add(str(rule.origin.name))
    reaching = {name for name in reaching if not name.startswith("_")}  # `_x`: inlined
    assert reaching >= {"binary", "case_when", "comparison", "full"}
    assert {name for name in reaching if not hasattr(ToNodes, name)} == set()
