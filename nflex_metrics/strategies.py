"""Hypothesis strategies for the expression language, for fuzzing your own mappings.

``trees`` generates syntax trees the parser can produce, ``expressions`` their
canonical text, and ``variables_for`` variable dicts with the awkward values real
metric samples contain (NULLs, zeros, huge and tiny numbers, ints, bools, strings)::

    from hypothesis import given
    from nflex_metrics import strategies as nst
    from nflex_metrics.interpreter import evaluate

    @given(nst.trees(), nst.variables_for(["value", "total"]))
    def test_never_crashes(tree, variables):
        try:
            evaluate(tree, variables)
        except nflex_metrics.NflexMetricsError:
            pass

Requires ``hypothesis`` (a test dependency, not a runtime one).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Callable, Union

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

__all__ = ["KEYWORDS", "expressions", "names", "numbers", "trees", "variables_for", "values"]

#: Words that are keywords somewhere in the language; generated names avoid them in
#: any letter case so that generated text never depends on keyword context.
KEYWORDS = frozenset(
    {"case", "when", "then", "else", "end", "if", "and", "or", "not", "null", "is"}
)

#: Dialects, as in :mod:`nflex_metrics.syntax`.
DIALECTS = ("full", "arithmetic", "ternary", "case", "simple")

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


def _leaves() -> st.SearchStrategy[Expr]:
    return st.one_of(
        numbers().map(Number),
        names().map(Name),
        st.just(Null()),
    )


def _conditions(value: st.SearchStrategy[Expr], *, is_null: bool) -> st.SearchStrategy[Cond]:
    """Comparisons (and IS [NOT] NULL) under up to two levels of NOT/AND/OR.

    Built without ``st.recursive``: a recursive strategy nested in another one makes
    hypothesis render enormous reprs while validating.
    """
    compare = st.builds(Compare, st.sampled_from(COMPARE_OPS), value, value)
    base: st.SearchStrategy[Cond] = compare
    if is_null:
        base = st.one_of(compare, st.builds(IsNull, value, st.booleans()))

    def combine(inner: st.SearchStrategy[Cond]) -> st.SearchStrategy[Cond]:
        return st.one_of(
            inner,
            st.builds(Not, inner),
            st.builds(BoolOp, st.sampled_from(BOOL_OPS), inner, inner),
        )

    return combine(combine(base))


def _case(
    value: st.SearchStrategy[Expr], condition: st.SearchStrategy[Cond]
) -> st.SearchStrategy[Case]:
    whens = st.lists(st.builds(When, condition, value), min_size=1, max_size=3).map(tuple)
    return st.builds(Case, whens, st.one_of(st.none(), value))


def _arithmetic(
    children: st.SearchStrategy[Expr],
) -> st.SearchStrategy[Expr]:
    return st.one_of(
        st.builds(Unary, st.sampled_from(UNARY_OPS), children),
        st.builds(Binary, st.sampled_from(ARITHMETIC_OPS), children, children),
    )


def _deferred(
    extend: Callable[[st.SearchStrategy[Expr]], st.SearchStrategy[Expr]],
) -> Callable[[st.SearchStrategy[Expr]], st.SearchStrategy[Expr]]:
    """Wrap an ``extend`` step so that the strategy's repr stays short (nested reprs of
    recursive strategies otherwise grow exponentially)."""
    return lambda children: st.deferred(lambda: extend(children))


def trees(dialect: str = "full", max_leaves: int = 12) -> st.SearchStrategy[Expr]:
    """Syntax trees the parser produces for ``dialect``, up to ``max_leaves``.

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
    arith = st.recursive(_leaves(), _deferred(_arithmetic), max_leaves=max_leaves)
    if dialect == "arithmetic":
        return arith
    ternary = st.builds(
        Ternary, arith, st.builds(Compare, st.sampled_from(COMPARE_OPS), arith, arith), arith
    )
    if dialect == "ternary":
        return ternary
    if dialect == "simple":
        return st.one_of(arith, ternary)
    if dialect == "case":

        def extend_case(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
            condition = _conditions(children, is_null=True)
            return st.one_of(_arithmetic(children), _case(children, condition))

        operand = st.recursive(_leaves(), _deferred(extend_case), max_leaves=max_leaves)
        return _case(operand, _conditions(operand, is_null=True))

    def extend_full(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
        condition = _conditions(children, is_null=True)
        return st.one_of(
            _arithmetic(children),
            _case(children, condition),
            st.builds(Ternary, children, condition, children),
        )

    return st.recursive(_leaves(), _deferred(extend_full), max_leaves=max_leaves)


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
