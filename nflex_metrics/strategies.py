"""Hypothesis strategies for the expression language, for fuzzing your own mappings.

``trees`` generates syntax trees the parser can produce, ``expressions`` their
canonical text, ``surface_texts`` the many other ways to write the same tree (any
keyword case, line breaks, redundant parentheses, ``<>``, ``2.5E+2``, keywords used as
names), ``variables_for`` variable dicts with the awkward values real metric samples
contain (NULLs, zeros, huge and tiny numbers, ints, bools, strings), and
``metric_samples`` the finite values ``nflex-metrics fuzz`` searches::

    from hypothesis import given
    from nflex_metrics import NflexMetricsError, strategies as nst
    from nflex_metrics.interpreter import evaluate

    @given(nst.trees(), nst.variables_for(["value", "total"]))
    def test_never_crashes(tree, variables):
        try:
            evaluate(tree, variables)
        except NflexMetricsError:
            pass

Requires ``hypothesis`` (a test dependency, not a runtime one).
"""

from __future__ import annotations

import functools
import math
import sys
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Optional, Union

from hypothesis import strategies as st

from .nodes import (
    ARITHMETIC_OPS,
    BOOL_OPS,
    COMPARE_OPS,
    UNARY_OPS,
    Binary,
    BoolOp,
    Case,
    Compare,
    Cond,
    Expr,
    IsNull,
    Name,
    Node,
    Not,
    Null,
    Number,
    Ternary,
    Unary,
    When,
    walk,
)
from .syntax import DIALECTS

# How tightly each node binds and what binary operators need of their operands: the
# canonical text's rules, which the surface texts follow where parentheses are needed.
from .unparse import _BINARY_NEEDS, _level

__all__ = [
    "KEYWORDS",
    "expressions",
    "metric_samples",
    "metric_values",
    "names",
    "number_spellings",
    "numbers",
    "surface_texts",
    "trees",
    "values",
    "variables_for",
]

#: Words that are keywords somewhere in the language; generated names avoid them in
#: any letter case so that generated text never depends on keyword context.
KEYWORDS = frozenset(
    {"case", "when", "then", "else", "end", "if", "and", "or", "not", "null", "is"}
)

_COMMON_NAMES = ("value", "total", "a", "b", "e", "x1", "cpu_used", "Disk_Avail")


def names() -> st.SearchStrategy[str]:
    """Valid variable names: an ASCII letter, then letters, digits or ``_``; no keywords.

    >>> names().example().isidentifier()
    True
    """
    generated = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,10}", fullmatch=True)
    return st.one_of(st.sampled_from(_COMMON_NAMES), generated).filter(
        lambda name: name.lower() not in KEYWORDS
    )


def numbers() -> st.SearchStrategy[float]:
    """Number literals as the parser produces them: non-negative floats, or ``inf``."""
    return st.one_of(
        st.sampled_from([0.0, 1.0, 2.0, 0.5, 10.0, 100.0, 1024.0, 1e308, 5e-324]),
        st.integers(min_value=0, max_value=10**6).map(float),
        st.floats(min_value=0.0, allow_nan=False, allow_infinity=True),
    )


@functools.cache
def _leaves() -> st.SearchStrategy[Expr]:
    return st.one_of(numbers().map(Number), names().map(Name), st.just(Null()))


# Trees are drawn by composite strategies that call themselves with a smaller budget of
# leaves, rather than with ``st.recursive``: a composite's repr is its name and plain
# arguments, while the repr of nested ``st.builds`` over a recursive strategy doubles
# with every level, and hypothesis renders it when it reports or shrinks an example
# (gigabytes for a CASE tree). Every choice shrinks towards a leaf.

#: The operand forms of each kind of value: the 0.2.0 arithmetic (also inside the
#: ternary), the 0.2.0 CASE dialect's operands (CASE nests, no ternary), the full language.
_FORMS = {
    "arithmetic": ("leaf", "unary", "binary"),
    "case": ("leaf", "unary", "binary", "case"),
    "full": ("leaf", "unary", "binary", "case", "ternary"),
}


@st.composite
def _value(draw: st.DrawFn, kind: str, leaves: int) -> Expr:
    """A value tree of ``kind`` (see :data:`_FORMS`) with about ``leaves`` leaves."""
    form = "leaf" if leaves <= 1 else draw(st.sampled_from(_FORMS[kind]))
    if form == "leaf":
        return draw(_leaves())
    if form == "unary":
        return Unary(draw(st.sampled_from(UNARY_OPS)), draw(_value(kind, leaves - 1)))
    if form == "binary":
        left = draw(st.integers(1, leaves - 1))
        op = draw(st.sampled_from(ARITHMETIC_OPS))
        return Binary(op, draw(_value(kind, left)), draw(_value(kind, leaves - left)))
    if form == "case":
        case: Case = draw(_case(kind, leaves))
        return case
    share = max(1, leaves // 3)
    body = draw(_value(kind, share))
    condition = draw(_condition(kind, share))
    return Ternary(body, condition, draw(_value(kind, share)))


@st.composite
def _condition(
    draw: st.DrawFn, kind: str, leaves: int, levels: int = 2, *, compare_only: bool = False
) -> Cond:
    """A condition over values of ``kind``: a comparison (or, unless ``compare_only``,
    IS [NOT] NULL) under up to ``levels`` levels of NOT/AND/OR."""
    forms = ("base",) if compare_only or levels == 0 else ("base", "not", "and/or")
    form = draw(st.sampled_from(forms))
    if form == "not":
        return Not(draw(_condition(kind, leaves, levels - 1)))
    half = max(1, leaves // 2)
    if form == "and/or":
        op = draw(st.sampled_from(BOOL_OPS))
        left = draw(_condition(kind, half, levels - 1))
        return BoolOp(op, left, draw(_condition(kind, half, levels - 1)))
    if compare_only or draw(st.booleans()):
        op = draw(st.sampled_from(COMPARE_OPS))
        return Compare(op, draw(_value(kind, half)), draw(_value(kind, half)))
    return IsNull(draw(_value(kind, leaves)), draw(st.booleans()))


@st.composite
def _case(draw: st.DrawFn, kind: str, leaves: int) -> Case:
    """A CASE of one to three arms, with or without ELSE, over values of ``kind``."""
    arms = draw(st.integers(1, 3))
    share = max(1, leaves // (2 * arms + 1))
    whens = tuple(
        When(draw(_condition(kind, share)), draw(_value(kind, share))) for _ in range(arms)
    )
    orelse = draw(st.one_of(st.none(), _value(kind, share)))
    return Case(whens, orelse)


@st.composite
def _ternary(draw: st.DrawFn, leaves: int) -> Ternary:
    """The 0.2.0 ternary: ``arith if arith REL arith else arith``."""
    share = max(1, leaves // 4)
    body = draw(_value("arithmetic", share))
    condition = draw(_condition("arithmetic", 2 * share, compare_only=True))
    return Ternary(body, condition, draw(_value("arithmetic", share)))


@functools.lru_cache(maxsize=None)  # noqa: UP033 (built once per argument: building validates)
def trees(dialect: str = "full", max_leaves: int = 12) -> st.SearchStrategy[Expr]:
    """Syntax trees the parser produces for ``dialect``, with about ``max_leaves`` leaves.

    - ``full``: everything; ``arithmetic``: numbers, names, NULL, signs and operators;
    - ``ternary``: ``arith if arith REL arith else arith``;
    - ``simple``: ``arithmetic`` or ``ternary``;
    - ``case``: one top-level CASE (CASE may be an operand inside it; no IF).

    >>> from nflex_metrics.nodes import Case
    >>> isinstance(trees("case").example(), Case)
    True
    """
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}; expected one of {DIALECTS}")
    drawn: st.SearchStrategy[Expr]
    if dialect == "ternary":
        drawn = _ternary(max_leaves)
    elif dialect == "simple":
        drawn = st.one_of(_value("arithmetic", max_leaves), _ternary(max_leaves))
    elif dialect == "case":
        drawn = _case("case", max_leaves)
    else:  # full, arithmetic: the kinds of value are named after them
        drawn = _value(dialect, max_leaves)
    return drawn


def expressions(dialect: str = "full", max_leaves: int = 12) -> st.SearchStrategy[str]:
    """Expression texts of ``dialect``: the canonical text (``unparse``) of :func:`trees`.

    >>> isinstance(expressions("arithmetic").example(), str)
    True
    """
    from .unparse import unparse  # lazy: only needed when texts are drawn

    return trees(dialect, max_leaves).map(unparse)


def values(*, invalid: bool = False) -> st.SearchStrategy[object]:
    """Values a metric sample may carry: NULL, zeros, negative, huge, tiny and special
    floats, ints, bools and numeric strings. With ``invalid``, also values that make
    evaluation raise (``"abc"``, an int too large for a float, a list).

    >>> values().example() is None or True
    True
    """
    valid = st.one_of(
        st.none(),
        st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.0, 0.5, 1e308, -1e308, 5e-324, 1e-300]),
        st.sampled_from([float("inf"), float("-inf"), float("nan")]),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(min_value=-(10**6), max_value=10**6),
        st.sampled_from([0, 1, -1, 2**53 + 1]),
        st.booleans(),
        st.sampled_from(["10", " 2.5 ", "-0", "1e3", "0"]),
    )
    if not invalid:
        return valid
    return st.one_of(valid, st.sampled_from(["abc", "", 10**400, (1, 2), b"\xff", 1j]))


def _names_of(tree_or_names: Union[Node, Iterable[str]]) -> list[str]:
    if isinstance(tree_or_names, str):
        return [tree_or_names]
    if isinstance(tree_or_names, Iterable):
        return sorted(set(tree_or_names))
    return sorted({node.name for node in walk(tree_or_names) if isinstance(node, Name)})


def variables_for(
    tree_or_names: Union[Node, Iterable[str]],
    *,
    allow_missing: bool = False,
    invalid: bool = False,
) -> st.SearchStrategy[dict[str, object]]:
    """Variable dicts for the names a tree references (or the names given).

    With ``allow_missing`` some names may be absent (VariableLookupError), with
    ``invalid`` some values may be unconvertible (EvaluationError); see :func:`values`.

    >>> sorted(variables_for(["value", "total"]).example())
    ['total', 'value']
    """
    wanted = {name: values(invalid=invalid) for name in _names_of(tree_or_names)}
    if allow_missing:
        return st.fixed_dictionaries({}, optional=wanted)
    return st.fixed_dictionaries(wanted)


# ------------------------------------------------------------------ surface texts


def number_spellings(value: float) -> st.SearchStrategy[str]:
    """Number literals that parse to exactly ``value`` (a non-negative float, or ``inf``):
    ``1``, ``1.``, ``1.00``, ``001``, ``10e-1``, ``0.1E+1``, ... for 1.0.

    Every spelling writes the same decimal as ``repr(value)``, only with the point, the
    exponent and padding zeros moved, so it rounds to the same float.

    >>> float(number_spellings(2.5).example()) == 2.5
    True
    """
    if math.isnan(value) or math.copysign(1.0, value) < 0:
        raise ValueError(f"number literals are >= 0 and not NaN, got {value!r}")
    if math.isinf(value):  # any literal past the float range
        mantissas = st.sampled_from(("1", "2", "1.8", "10"))
        return st.builds(
            "{}{}{}{}".format,
            mantissas,
            st.sampled_from("eE"),
            st.sampled_from(("", "+")),
            st.integers(309, 999),
        )
    decimal = Decimal(repr(value)).normalize()
    exponent = int(decimal.as_tuple().exponent)
    digits = "".join(map(str, decimal.as_tuple().digits))
    # The exponent written after `e`: around the decimal's own, or none at all when the
    # plain form stays short.
    shown = list(range(exponent - 2, exponent + len(digits) + 2))
    if exponent >= -30 and exponent + len(digits) <= 30:
        shown.insert(0, 0)
    texts: st.SearchStrategy[str] = _number_texts(digits, exponent, st.sampled_from(shown))
    return texts


@st.composite
def _number_texts(
    draw: st.DrawFn, digits: str, exponent: int, shown_exponents: st.SearchStrategy[int]
) -> str:
    """``digits * 10**exponent`` written as ``WHOLE[.FRACTION][e[+-]SHOWN]``."""
    shown = draw(shown_exponents)
    scale = exponent - shown  # the mantissa is digits * 10**scale
    if scale >= 0:
        whole, fraction = digits + "0" * scale, ""
    else:
        padded = digits.rjust(1 - scale, "0")
        whole, fraction = padded[:scale], padded[scale:]
    whole = "0" * draw(st.integers(0, 2)) + whole
    fraction += "0" * draw(st.integers(0, 2))
    text = whole + ("." + fraction if fraction or draw(st.booleans()) else "")
    if shown != 0 or draw(st.booleans()):
        sign = "-" if shown < 0 else draw(st.sampled_from(("", "+")))
        text += draw(st.sampled_from("eE")) + sign + str(abs(shown))
    return text


#: What may stand between two tokens: nothing, or the blanks the language ignores (space,
#: tab, CR, LF) alone and mixed. Nothing comes first, so that shrinking removes blanks.
_GAPS = st.sampled_from(("", " ", "\t", "\n", "\r\n", "\r", "  ", " \n\t"))
_BLANKS = st.sampled_from((" ", "\t", "\n", "\r\n", "\r", "  ", " \n\t"))

#: How many redundant pairs of parentheses go around a node (mostly none).
_EXTRA_PARENS = st.sampled_from((0, 0, 0, 1, 2))

#: Every spelling of a relation; ``==`` is ``=`` and ``<>`` is ``!=``.
_RELATIONS = {"=": ("=", "=="), "!=": ("!=", "<>")}

#: Keywords that stay variable names wherever a name stands, per dialect. A word is a
#: keyword only where the grammar can take that keyword, and a name can only stand where
#: an operand starts: there CASE and NULL (any case) begin an operand in the full language,
#: the 0.2.0 dialects know NULL only as ``NULL`` in capitals, and ``case`` has CASE too.
#: NOT can start a condition, which :class:`_SurfaceWriter` handles where it matters.
_KEYWORD_NAMES = {
    "full": ("when", "then", "else", "end", "if", "and", "or", "is", "not"),
    "case": ("when", "then", "else", "end", "if", "and", "or", "is", "not", "null"),
    "arithmetic": tuple(sorted(KEYWORDS)),
    "ternary": tuple(sorted(KEYWORDS)),
    "simple": tuple(sorted(KEYWORDS)),
}


@functools.cache
def _spellings(word: str) -> st.SearchStrategy[str]:
    """``word`` in any letter case; shrinks to ``word`` as given."""
    return st.integers(0, 2 ** len(word) - 1).map(
        lambda mask: "".join(c.swapcase() if mask >> i & 1 else c for i, c in enumerate(word))
    )


class _SurfaceWriter:
    """Writes a tree as surface text, drawing every choice a writer of the language has,
    and rebuilds the tree the text must parse to (some names become keyword-like words).

    Tokens are collected first and joined at the end, so that the blank between two of
    them is drawn knowing both: two words (names, keywords, numbers) need one, except a
    number followed by a keyword (``2ELSE`` is ``2 ELSE``).
    """

    def __init__(self, draw: st.DrawFn, dialect: str) -> None:
        self.draw = draw
        self.dialect = dialect
        #: NOT and parenthesised conditions exist only where conditions nest.
        self.nested_conditions = dialect in ("full", "case")
        self.tokens: list[tuple[str, str]] = []  # (kind, text); kind: word, number, keyword, symbol

    def text(self) -> str:
        draw = self.draw
        parts = [draw(_GAPS)]
        previous = ""
        for kind, text in self.tokens:
            if previous:
                words = previous != "symbol" and kind != "symbol"
                glued = previous == "number" and kind == "keyword"
                parts.append(draw(_BLANKS if words and not glued else _GAPS))
            parts.append(text)
            previous = kind
        parts.append(draw(_GAPS))
        return "".join(parts)

    def _add(self, kind: str, text: str) -> None:
        self.tokens.append((kind, text))

    def _keyword(self, word: str) -> None:
        self._add("keyword", self.draw(_spellings(word)))

    def _parens(self, needed: bool, optional: bool) -> int:
        return int(needed) + (self.draw(_EXTRA_PARENS) if optional else 0)

    def value(self, node: Expr, need: int, at_condition: bool, top: bool = False) -> Expr:
        """Write a value where binding level ``need`` is required. ``at_condition``: its
        first token stands where a condition may start (NOT is a keyword there)."""
        if isinstance(node, Ternary):
            optional = self.dialect == "full"  # 0.2.0 dialects: a bare top-level ternary
        else:
            optional = not (top and self.dialect == "case")  # the text is one bare CASE
        parens = self._parens(_level(node) < need, optional)
        self.tokens.extend([("symbol", "(")] * parens)
        written = self._value(node, at_condition)
        self.tokens.extend([("symbol", ")")] * parens)
        return written

    def _value(self, node: Expr, at_condition: bool) -> Expr:
        if isinstance(node, Number):
            self._add("number", self.draw(number_spellings(node.value)))
            return node
        if isinstance(node, Name):
            name = self._name(node.name, at_condition)
            self._add("word", name)
            return Name(name)
        if isinstance(node, Null):
            if self.dialect == "full":
                self._keyword("NULL")
            else:  # the 0.2.0 dialects read only capital NULL as NULL
                self._add("keyword", "NULL")
            return node
        if isinstance(node, Unary):
            self._add("symbol", node.op)
            return Unary(node.op, self.value(node.operand, 5, False))
        if isinstance(node, Binary):
            left_need, right_need = _BINARY_NEEDS[node.op]
            left = self.value(node.left, left_need, at_condition)
            self._add("symbol", node.op)
            return Binary(node.op, left, self.value(node.right, right_need, False))
        if isinstance(node, Ternary):
            body = self.value(node.body, 2, at_condition)
            self._keyword("if")
            condition = self.condition(node.condition, 0)
            self._keyword("else")
            return Ternary(body, condition, self.value(node.orelse, 1, False))
        whens = []
        self._keyword("CASE")
        for arm in node.whens:
            self._keyword("WHEN")
            condition = self.condition(arm.condition, 0)
            self._keyword("THEN")
            whens.append(When(condition, self.value(arm.result, 0, False)))
        orelse = None
        if node.orelse is not None:
            self._keyword("ELSE")
            orelse = self.value(node.orelse, 0, False)
        self._keyword("END")
        return Case(tuple(whens), orelse)

    def _name(self, name: str, at_condition: bool) -> str:
        """``name``, or now and then a keyword-like word that is a name where it stands."""
        if self.draw(st.integers(0, 3)) < 3:
            return name
        words = [
            word
            for word in _KEYWORD_NAMES[self.dialect]
            if not (word == "not" and at_condition and self.nested_conditions)
        ]
        word = self.draw(st.sampled_from(words))
        spelled: str = self.draw(_spellings(word).filter(lambda text: text != "NULL"))
        return spelled

    def condition(self, node: Cond, need: int) -> Cond:
        """Write a condition where binding level ``need`` is required."""
        parens = self._parens(_level(node) < need, self.nested_conditions)
        self.tokens.extend([("symbol", "(")] * parens)
        written = self._condition(node)
        self.tokens.extend([("symbol", ")")] * parens)
        return written

    def _condition(self, node: Cond) -> Cond:
        if isinstance(node, Compare):
            left = self.value(node.left, 2, True)
            self._add("symbol", self.draw(st.sampled_from(_RELATIONS.get(node.op, (node.op,)))))
            return Compare(node.op, left, self.value(node.right, 2, False))
        if isinstance(node, IsNull):
            operand = self.value(node.operand, 2, True)
            self._keyword("IS")
            if node.negated:
                self._keyword("NOT")
            self._keyword("NULL")
            return IsNull(operand, node.negated)
        if isinstance(node, BoolOp):
            need = 1 if node.op == "or" else 2
            first = self.condition(node.left, need)
            self._keyword(node.op.upper())
            return BoolOp(node.op, first, self.condition(node.right, need + 1))
        self._keyword("NOT")
        return Not(self.condition(node.operand, 3))


def surface_texts(
    dialect: str = "full", max_leaves: int = 12
) -> st.SearchStrategy[tuple[str, Expr]]:
    """``(text, tree)`` pairs: a tree of :func:`trees` and one of the many texts that
    parse to it in ``dialect``, as people write them rather than as ``unparse`` does.

    Keywords in any letter case (NULL only in capitals in the 0.2.0 dialects), blanks and
    line breaks (space, tab, CR, LF) between tokens or none where the tokens stay apart,
    redundant parentheses, every relation spelling (``==``, ``<>``), every number
    spelling (``1.``, ``1.00``, ``2.5E+2``, ``0.1e1``) and keyword-like names where they
    are names (``end - start``, ``CASE WHEN when = 1 THEN end END``).

    >>> from nflex_metrics import parse
    >>> text, tree = surface_texts("case").example()
    >>> parse(text, "case") == tree
    True
    """
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}; expected one of {DIALECTS}")

    drawn_trees = trees(dialect, max_leaves)  # built once: building validates it

    @st.composite
    def pairs(draw: st.DrawFn) -> tuple[str, Expr]:
        writer = _SurfaceWriter(draw, dialect)
        tree = writer.value(draw(drawn_trees), 0, False, top=True)
        return writer.text(), tree

    strategy: st.SearchStrategy[tuple[str, Expr]] = pairs()
    return strategy


# ------------------------------------------------------------------ fuzzing samples


def metric_values(
    min_value: float = 0.0, max_value: Optional[float] = None, *, nullable: bool = True
) -> st.SearchStrategy[Optional[float]]:
    """Finite floats in ``[min_value, max_value]`` (default: every finite float >= 0) that
    lean on what breaks conversions: zero, one, the bounds, tiny and huge magnitudes;
    and NULL (``None``) when ``nullable``.

    >>> 0.0 <= metric_values(max_value=1.0, nullable=False).example() <= 1.0
    True
    """
    high = sys.float_info.max if max_value is None else float(max_value)
    low = float(min_value)
    if not (math.isfinite(low) and math.isfinite(high) and low <= high):
        raise ValueError(f"not a range of finite numbers: [{min_value}, {max_value}]")
    special = [0.0, 1.0, 5e-324, 1e-300, 1e300, low, high, high / 2]
    edges = sorted({value for value in special if low <= value <= high})
    numbers = st.one_of(
        st.sampled_from(edges),
        st.floats(low, high, allow_nan=False, allow_infinity=False),
    )
    return st.one_of(numbers, st.none()) if nullable else numbers


def metric_samples(
    names: Iterable[str],
    *,
    ranges: Optional[Mapping[str, tuple[float, float]]] = None,
    nullable: Union[bool, Iterable[str]] = True,
) -> st.SearchStrategy[dict[str, Optional[float]]]:
    """Variable dicts with every name in ``names``, each value from :func:`metric_values`:
    in its range from ``ranges`` (default: finite and >= 0), NULL-able when ``nullable``
    is true or names it.

    >>> sample = metric_samples(["used", "total"], ranges={"total": (1, 10)}).example()
    >>> sorted(sample)
    ['total', 'used']
    """
    ranges = ranges or {}
    may_be_null = (
        (lambda name: nullable) if isinstance(nullable, bool) else set(nullable).__contains__
    )
    return st.fixed_dictionaries(
        {
            name: metric_values(*ranges.get(name, (0.0, None)), nullable=may_be_null(name))
            for name in sorted(set(names))
        }
    )
