"""Text -> syntax tree, by the LALR(1) grammar in ``grammars/conversion.lark``.

The grammar's tables are computed by Lark when a maintainer runs
``scripts/generate_tables.py``, and committed as plain data (:mod:`nflex_metrics._tables`);
at run time nothing imports Lark. :func:`parse` drives those tables with the loop of
Lark's own LALR parser: one regular expression finds the tokens, a word is a keyword
only where the parser state can take that keyword (the rule of Lark's contextual lexer,
decided per state in advance), and each rule builds its node from its children as it
reduces. Nothing recurses, so 10,000 nested parentheses cost a list, not the Python
stack, and each new node is checked against :class:`~nflex_metrics.limits.Limits` as it
is made.

>>> parse("-2 ^ 2")
Binary(op='^', left=Unary(op='-', operand=Number(value=2.0)), right=Number(value=2.0))
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any, Callable, Literal, Optional

from . import _tables, nodes
from .diagnostics import Token, position, syntax_error
from .errors import ExpressionTooComplex
from .limits import DEFAULT_LIMITS, Limits

if TYPE_CHECKING:
    from pathlib import Path

    from lark import Lark

__all__ = ["DIALECTS", "Dialect", "grammar_path", "lark_parser", "parse"]

#: The languages :func:`parse` knows: the full language and the four 0.2.0 dialects.
Dialect = Literal["full", "arithmetic", "ternary", "case", "simple"]

#: Every :data:`Dialect`, in a fixed order (they are also the grammar's start rules).
DIALECTS: tuple[Dialect, ...] = ("full", "arithmetic", "ternary", "case", "simple")

GRAMMAR_FILE = "conversion.lark"


def grammar_path() -> Path:
    """The grammar file: inside an installed wheel (``nflex_metrics/grammars/``) or,
    in a source checkout, ``<repo>/grammars/``."""
    from pathlib import Path

    here = Path(__file__).resolve().parent
    for directory in (here / "grammars", here.parent / "grammars"):
        if (directory / GRAMMAR_FILE).is_file():
            return directory / GRAMMAR_FILE
    raise FileNotFoundError(f"grammar {GRAMMAR_FILE!r} not found next to {here}")


def lark_parser() -> Lark:
    """Lark's own LALR parser for the grammar, one start rule per dialect: the reference
    the tests compare :func:`parse` with. Needs Lark installed (the ``dev`` or
    ``testing`` extra); :func:`parse` itself never uses it."""
    try:
        from lark import Lark
    except ImportError as err:
        raise ImportError(
            "lark_parser() needs Lark: pip install 'nflex-connector-utils[testing]'"
        ) from err
    return Lark(
        grammar_path().read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        start=list(DIALECTS),
        maybe_placeholders=False,
    )


# ---------------------------------------------------------------------- tokens
#
# A token is a plain tuple (the parser makes one per word, see diagnostics.Token):
# (terminal name, text, 1-based line, 1-based column, 0-based start offset, end offset).
#
# Blanks, then one terminal, `_END` (the end of the text) or `_OTHER` (a character no
# terminal matches); keyword-shaped words match as NAME. Each match starts where the
# previous one ended, so the matches are the tokens.
_TOKEN = re.compile(_tables.TOKEN_PATTERN)


# ---------------------------------------------------------------- tree building
#
# One function per `-> alias` of the grammar. Each gets the list of the rule's children
# (tokens, and built values: `(node, depth, size)` triples) and returns the triple of
# the node it makes, so that the limits can be checked without walking the tree.

_Built = tuple[Any, int, int]

# Spelling of each relation -> canonical operator of nodes.COMPARE_OPS.
_RELATIONS = {
    **{"=": "=", "==": "=", "!=": "!=", "<>": "!="},
    **{"<": "<", "<=": "<=", ">": ">", ">=": ">="},
}


def _span(first: Token, end: int) -> nodes.Span:
    """The span from token ``first`` to offset ``end``."""
    return nodes.Span(first[2], first[3], first[4], end)


def _extend(span: nodes.Span, end: int) -> nodes.Span:
    """``span`` extended to offset ``end``."""
    return nodes.Span(span.line, span.column, span.start, end)


def _number(token: Token) -> _Built:
    return nodes.Number(float(token[1]), _span(token, token[5])), 1, 1


def _name(token: Token) -> _Built:
    return nodes.Name(token[1], _span(token, token[5])), 1, 1


def _null(token: Token) -> _Built:
    return nodes.Null(_span(token, token[5])), 1, 1


def _parenthesised(children: list[Any]) -> _Built:
    # The span grows to cover the parentheses; depth and size stay the same.
    lpar, (node, depth, size), rpar = children
    return dataclasses.replace(node, span=_span(lpar, rpar[5])), depth, size


def _unary(children: list[Any]) -> _Built:
    op, (operand, depth, size) = children
    return nodes.Unary(op[1], operand, _span(op, operand.span.end)), depth + 1, size + 1


def _binary(children: list[Any]) -> _Built:
    (left, ldepth, lsize), op, (right, rdepth, rsize) = children
    span = _extend(left.span, right.span.end)
    node = nodes.Binary(op[1], left, right, span)
    return node, max(ldepth, rdepth) + 1, lsize + rsize + 1


def _comparison(children: list[Any]) -> _Built:
    (left, ldepth, lsize), op, (right, rdepth, rsize) = children
    span = _extend(left.span, right.span.end)
    node = nodes.Compare(_RELATIONS[op[1]], left, right, span)
    return node, max(ldepth, rdepth) + 1, lsize + rsize + 1


def _bool_op(children: list[Any]) -> _Built:
    (left, ldepth, lsize), op, (right, rdepth, rsize) = children
    span = _extend(left.span, right.span.end)
    node = nodes.BoolOp(op[1].lower(), left, right, span)
    return node, max(ldepth, rdepth) + 1, lsize + rsize + 1


def _negation(children: list[Any]) -> _Built:
    op, (operand, depth, size) = children
    return nodes.Not(operand, _span(op, operand.span.end)), depth + 1, size + 1


def _is_null(children: list[Any]) -> _Built:
    # operand IS [NOT] NULL
    (operand, depth, size), *_is_not, null = children
    span = _extend(operand.span, null[5])
    return nodes.IsNull(operand, len(children) == 4, span), depth + 1, size + 1


def _if_else(children: list[Any]) -> _Built:
    (body, bdepth, bsize), _if, (cond, cdepth, csize), _else, (orelse, odepth, osize) = children
    span = _extend(body.span, orelse.span.end)
    node = nodes.Ternary(body, cond, orelse, span)
    return node, max(bdepth, cdepth, odepth) + 1, bsize + csize + osize + 1


def _when(children: list[Any]) -> _Built:
    when, (cond, cdepth, csize), _then, (result, rdepth, rsize) = children
    node = nodes.When(cond, result, _span(when, result.span.end))
    return node, max(cdepth, rdepth) + 1, csize + rsize + 1


def _case_when(children: list[Any]) -> _Built:
    # CASE arms [ELSE result] END, where arms is the list the `+` helper rule collected.
    case, arms, *rest = children
    whens = tuple(arm for arm, _depth, _size in arms)
    depth = max(arm_depth for _arm, arm_depth, _size in arms)
    size = 1 + sum(arm_size for _arm, _depth, arm_size in arms)
    orelse = None
    if len(rest) == 3:  # ELSE result END
        orelse, else_depth, else_size = rest[1]
        depth, size = max(depth, else_depth), size + else_size
    return nodes.Case(whens, orelse, _span(case, rest[-1][5])), depth + 1, size


def _first_item(item: Any) -> list[Any]:
    # Lark's helper rule of `x+` is `helper: x | helper x`: the items go into one list.
    return [item]


def _next_item(children: list[Any]) -> list[Any]:
    items, item = children
    items.append(item)
    return items  # type: ignore[no-any-return]


# Builders of one-child rules, which get that child (a token, or an item of `x+`).
_LEAF_BUILDERS: dict[str, Callable[[Any], Any]] = {
    "number": _number,
    "name": _name,
    "null": _null,
    "+": _first_item,
}

# Builders of longer rules, which get the list of their children.
_BUILDERS: dict[str, Callable[[list[Any]], Any]] = {
    "parenthesised": _parenthesised,
    "unary": _unary,
    "binary": _binary,
    "comparison": _comparison,
    "bool_op": _bool_op,
    "negation": _negation,
    "is_null": _is_null,
    "is_not_null": _is_null,
    "if_else": _if_else,
    "when": _when,
    "case_when": _case_when,
    "+": _next_item,
}


# The grammar's rules, ready to reduce by: (symbols to pop, nonterminal to go to, the
# builder or None for a one-child rule that passes its child on, whether the builder
# makes a node whose depth and size must be checked against the limits).
_RULES = [
    (
        size,
        origin,
        (_LEAF_BUILDERS if size == 1 else _BUILDERS)[build] if build else None,
        size > 1 and build not in ("+", "parenthesised"),
    )
    for size, origin, build in _tables.RULES
]

# State -> keyword spelling -> the terminal that word is in that state.
_KEYWORD_KINDS = [_tables.KEYWORD_KINDS[index] for index in _tables.KEYWORDS_IN_STATE]


# ----------------------------------------------------------------------- parse


def check_arguments(text: object, dialect: object, limits: object) -> None:
    """TypeError or ValueError unless ``text`` is a str, ``dialect`` one of
    :data:`DIALECTS` and ``limits`` a :class:`~nflex_metrics.limits.Limits`."""
    if not isinstance(text, str):
        raise TypeError(f"an expression must be a str, got {type(text).__name__}")
    if not isinstance(dialect, str) or dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}; expected one of {', '.join(DIALECTS)}")
    if not isinstance(limits, Limits):
        raise TypeError(f"limits must be a Limits, got {type(limits).__name__}")


def parse(text: str, dialect: Dialect = "full", limits: Limits = DEFAULT_LIMITS) -> nodes.Expr:
    """Parse ``text`` in ``dialect`` into a syntax tree whose nodes carry their spans.

    Raises :class:`~nflex_metrics.errors.ExpressionSyntaxError` for text outside the
    language and :class:`~nflex_metrics.errors.ExpressionTooComplex` for text past
    ``limits``; TypeError for a ``text`` that is not a str or ``limits`` that are not a
    :class:`~nflex_metrics.limits.Limits`.

    >>> parse("CASE WHEN a > 0 THEN a END").whens[0].condition
    Compare(op='>', left=Name(name='a'), right=Number(value=0.0))
    """
    check_arguments(text, dialect, limits)
    _check_size(text, limits)
    actions, gotos, rules, keyword_kinds = _tables.ACTIONS, _tables.GOTOS, _RULES, _KEYWORD_KINDS
    end_state = _tables.END_STATES[dialect]
    max_depth, max_nodes = limits.max_depth, limits.max_nodes
    state = _tables.START_STATES[dialect]  # always the state on top of the stack
    states = [state]
    values: list[Any] = []  # tokens shifted and values built, one per state above the first
    before: Optional[Token] = None  # the two tokens shifted last, for error messages
    last: Optional[Token] = None
    line, line_start, pos = 1, 0, 0  # where the current line starts; where lexing is
    for found in _TOKEN.finditer(text):
        # ---- the next token
        kind: str = found.lastgroup  # type: ignore[assignment]
        start, end = found.span(kind)
        if start != pos and "\n" in text[pos:start]:  # the blanks before it end a line
            line += text.count("\n", pos, start)
            line_start = text.rfind("\n", pos, start) + 1
        pos = end
        word = text[start:end]
        if kind == "NAME":  # a word spelling a keyword is that keyword where the state
            kinds = keyword_kinds[state]  # can take it (see _tables.KEYWORD_KINDS)
            kind = kinds.get(word) or kinds.get(word.lower(), "NAME")
        elif kind == "_END":
            kind = "$END"
        token: Token = (kind, word, line, start - line_start + 1, start, end)
        # ---- reduce as long as the table says so, then shift the token
        while True:
            action = actions[state].get(kind)
            if action is None:  # not a token the parser can take here
                at = start if kind == "_OTHER" else token  # no token at all: the offset
                raise syntax_error(states, values, at, (before, last), text, dialect)
            if action >= 0:  # shift: push the token and the state it leads to
                state = action
                states.append(state)
                values.append(token)
                before, last = last, token
                break
            # Reduce by a rule: pop its children, build their parent, go to the state
            # the parent's nonterminal leads to from the state now on top.
            size, origin, build, checked = rules[~action]
            if build is None:  # a one-child rule (`sum: product`): the value stays
                del states[-1]
            elif size == 1:  # a leaf (depth 1, size 1: within any limits) or `x+`'s first
                del states[-1]
                values[-1] = build(values[-1])
            else:
                children = values[-size:]
                del values[-size:]
                del states[-size:]
                value = build(children)
                if checked and (value[1] > max_depth or value[2] > max_nodes):
                    raise _too_complex(value, limits, text)
                values.append(value)
            goto, chains = gotos[states[-1]][origin]
            state = chains.get(kind, goto)  # past the one-child reductions kind calls for
            if state == end_state:  # the whole text is the dialect's start rule
                tree: nodes.Expr = values[-1][0]
                return tree
            states.append(state)
    raise AssertionError("unreachable: the parser accepts or fails at $END")


def _check_size(text: str, limits: Limits) -> None:
    """Refuse text past the length limit, or whose parentheses nest deeper than the depth
    limit, before parsing it."""
    if len(text) > limits.max_length:
        line, column = position(text, limits.max_length)
        raise ExpressionTooComplex(
            f"the expression is too long: {len(text):,} characters "
            f"(the limit is {limits.max_length:,})",
            text,
            line,
            column,
        )
    if text.count("(") <= limits.max_depth:
        return
    depth = 0
    for offset, char in enumerate(text):
        if char == "(":
            depth += 1
            if depth > limits.max_depth:
                line, column = position(text, offset)
                raise ExpressionTooComplex(
                    "the expression is nested too deeply "
                    f"(the limit is {limits.max_depth} levels of parentheses)",
                    text,
                    line,
                    column,
                )
        elif char == ")":
            depth = max(depth - 1, 0)


def _too_complex(value: _Built, limits: Limits, text: str) -> ExpressionTooComplex:
    node, depth, _size = value
    if depth > limits.max_depth:
        message = f"the expression is nested too deeply (the limit is {limits.max_depth} levels)"
    else:
        message = f"the expression has too many parts (the limit is {limits.max_nodes} nodes)"
    return ExpressionTooComplex(message, text, node.span.line, node.span.column)
