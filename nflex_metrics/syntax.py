"""Text -> syntax tree: the Lark grammar in ``grammars/conversion.lark``, run as LALR(1).

The tree is built *during* the parse: Lark calls one small callback per grammar rule
as it reduces, bottom-up, so no step recurses over the input and 10,000 nested
parentheses cost a list, not the Python stack. Each callback returns
``(node, depth, size)`` so that the limits of :class:`~nflex_metrics.limits.Limits`
are enforced as the tree grows, before anything large exists.

>>> parse("-2 ^ 2")
Binary(op='^', left=Unary(op='-', operand=Number(value=2.0)), right=Number(value=2.0))
"""

from __future__ import annotations

import functools
import os
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Optional, Union

from . import nodes
from .errors import ExpressionSyntaxError, ExpressionTooComplex
from .limits import DEFAULT_LIMITS, Limits

if TYPE_CHECKING:
    from lark import Lark, Token
    from lark.exceptions import UnexpectedCharacters, UnexpectedToken

__all__ = ["DIALECTS", "Dialect", "grammar_path", "parse"]

#: The languages :func:`parse` knows: the full language and the four 0.2.0 dialects.
Dialect = Literal["full", "arithmetic", "ternary", "case", "simple"]

#: Every :data:`Dialect`, in a fixed order (they are also the grammar's start rules).
DIALECTS: tuple[Dialect, ...] = ("full", "arithmetic", "ternary", "case", "simple")

GRAMMAR_FILE = "conversion.lark"

# What a callback returns: the node, the depth of its subtree and its node count.
_Built = tuple[Any, int, int]


def grammar_path() -> Path:
    """The grammar file: inside an installed wheel (``nflex_metrics/grammars/``) or,
    in a source checkout, ``<repo>/grammars/``."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "grammars", here.parent / "grammars"):
        path = candidate / GRAMMAR_FILE
        if path.is_file():
            return path
    raise FileNotFoundError(f"grammar {GRAMMAR_FILE!r} not found next to {here}")


# ----------------------------------------------------------------- tree building

# The limits of the parse running on this thread (set by ``parse``, read by callbacks).
_current = threading.local()


def _token_span(token: Token) -> nodes.Span:
    return nodes.Span(token.line or 0, token.column or 0, token.start_pos or 0, token.end_pos or 0)


def _joined(first: nodes.Span, last: nodes.Span) -> nodes.Span:
    return nodes.Span(first.line, first.column, first.start, last.end)


def _built(node: Any, depth: int, size: int) -> _Built:
    """Check a new node against the limits of the current parse."""
    limits: Limits = _current.limits
    if depth > limits.max_depth:
        raise _too_complex(
            f"the expression is nested too deeply (the limit is {limits.max_depth} levels)",
            node.span,
        )
    if size > limits.max_nodes:
        raise _too_complex(
            f"the expression has too many parts (the limit is {limits.max_nodes} nodes)",
            node.span,
        )
    return node, depth, size


def _too_complex(message: str, span: nodes.Span) -> ExpressionTooComplex:
    return ExpressionTooComplex(message, _current.source, span.line, span.column)


class _Builder:
    """Lark callbacks, one per ``-> alias`` of the grammar; each gets the children of
    the reduced rule (tokens and already built ``(node, depth, size)`` triples)."""

    # --- dialect start rules without an alias: pass the single child through
    def full(self, children: list[Any]) -> _Built:
        return children[0]  # type: ignore[no-any-return]

    arithmetic = simple = case = full

    # --- values
    def number(self, children: list[Token]) -> _Built:
        (token,) = children
        return nodes.Number(float(token), _token_span(token)), 1, 1

    def name(self, children: list[Token]) -> _Built:
        (token,) = children
        return nodes.Name(str(token), _token_span(token)), 1, 1

    def null(self, children: list[Token]) -> _Built:
        return nodes.Null(_token_span(children[0])), 1, 1

    def parenthesised(self, children: list[Any]) -> _Built:
        # The node's span grows to cover its parentheses; depth and size do not change.
        lpar, (node, depth, size), rpar = children
        span = nodes.Span(lpar.line, lpar.column, lpar.start_pos, rpar.end_pos)
        return replace(node, span=span), depth, size

    def unary(self, children: list[Any]) -> _Built:
        op, (operand, depth, size) = children
        span = nodes.Span(op.line, op.column, op.start_pos, operand.span.end)
        return _built(nodes.Unary(str(op), operand, span), depth + 1, size + 1)

    def binary(self, children: list[Any]) -> _Built:
        (left, ldepth, lsize), op, (right, rdepth, rsize) = children
        node = nodes.Binary(str(op), left, right, _joined(left.span, right.span))
        return _built(node, max(ldepth, rdepth) + 1, lsize + rsize + 1)

    def if_else(self, children: list[Any]) -> _Built:
        (body, bdepth, bsize), _if, (cond, cdepth, csize), _else, (orelse, odepth, osize) = children
        node = nodes.Ternary(body, cond, orelse, _joined(body.span, orelse.span))
        return _built(node, max(bdepth, cdepth, odepth) + 1, bsize + csize + osize + 1)

    def when(self, children: list[Any]) -> _Built:
        when, (cond, cdepth, csize), _then, (result, rdepth, rsize) = children
        span = nodes.Span(when.line, when.column, when.start_pos, result.span.end)
        return _built(nodes.When(cond, result, span), max(cdepth, rdepth) + 1, csize + rsize + 1)

    def case_when(self, children: list[Any]) -> _Built:
        # CASE when+ [ELSE result] END: the optional part arrives as None, None.
        case, *arms, _else, orelse_built, end = children
        depth, size = 0, 1
        for _node, arm_depth, arm_size in arms:
            depth, size = max(depth, arm_depth), size + arm_size
        orelse = None
        if orelse_built is not None:
            orelse, else_depth, else_size = orelse_built
            depth, size = max(depth, else_depth), size + else_size
        span = nodes.Span(case.line, case.column, case.start_pos, end.end_pos)
        node = nodes.Case(tuple(arm[0] for arm in arms), orelse, span)
        return _built(node, depth + 1, size)

    # --- conditions
    def comparison(self, children: list[Any]) -> _Built:
        (left, ldepth, lsize), op, (right, rdepth, rsize) = children
        node = nodes.Compare(_RELATIONS[str(op)], left, right, _joined(left.span, right.span))
        return _built(node, max(ldepth, rdepth) + 1, lsize + rsize + 1)

    def bool_op(self, children: list[Any]) -> _Built:
        (left, ldepth, lsize), op, (right, rdepth, rsize) = children
        node = nodes.BoolOp(str(op).lower(), left, right, _joined(left.span, right.span))
        return _built(node, max(ldepth, rdepth) + 1, lsize + rsize + 1)

    def negation(self, children: list[Any]) -> _Built:
        op, (operand, depth, size) = children
        span = nodes.Span(op.line, op.column, op.start_pos, operand.span.end)
        return _built(nodes.Not(operand, span), depth + 1, size + 1)

    def is_null(self, children: list[Any]) -> _Built:
        (operand, depth, size), _is, null = children
        span = nodes.Span(operand.span.line, operand.span.column, operand.span.start, null.end_pos)
        return _built(nodes.IsNull(operand, False, span), depth + 1, size + 1)

    def is_not_null(self, children: list[Any]) -> _Built:
        (operand, depth, size), _is, _not, null = children
        span = nodes.Span(operand.span.line, operand.span.column, operand.span.start, null.end_pos)
        return _built(nodes.IsNull(operand, True, span), depth + 1, size + 1)


# Spelling of each relation -> canonical operator of nodes.COMPARE_OPS.
_RELATIONS = {
    "=": "=",
    "==": "=",
    "!=": "!=",
    "<>": "!=",
    "<": "<",
    "<=": "<=",
    ">": ">",
    ">=": ">=",
}


def _cache_file() -> Union[str, bool]:
    """Where Lark may cache its grammar analysis: a private per-user directory, never
    the shared temporary directory (the cache is a pickle). ``False`` disables it."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    directory = os.path.join(base, "nflex_metrics")
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        if not os.access(directory, os.W_OK) or os.path.samefile(base, tempfile.gettempdir()):
            return False
    except OSError:
        return False
    return os.path.join(directory, "lark-conversion.cache")


@functools.cache
def _parser() -> Lark:
    """The one Lark parser for every dialect, built on first use."""
    from lark import Lark

    return Lark(
        grammar_path().read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        start=list(DIALECTS),
        transformer=_Builder(),
        maybe_placeholders=True,
        cache=_cache_file(),
    )


# ---------------------------------------------------------------------- errors

_OPERAND_START = {"NUMBER", "NAME", "LPAR", "CASE", "NULL", "LEGACY_NULL"}
_CONDITION_TOKENS = {"RELATION", "AND", "OR", "NOT", "IS"}
_ARITHMETIC_OPS = {"ADD_OP", "MUL_OP", "POW_OP"}
_COMPARE_TEXT = "a comparison (=, !=, <, <=, >, >=)"

# Expected terminal -> description, in the order descriptions are listed.
_EXPECTED_TEXT = {
    "ADD_OP": "an operator",
    "MUL_OP": "an operator",
    "POW_OP": "an operator",
    "RELATION": _COMPARE_TEXT,
    "IS": "IS",
    "AND": "AND",
    "OR": "OR",
    "IF": "IF",
    "WHEN": "WHEN",
    "THEN": "THEN",
    "ELSE": "ELSE",
    "END": "END",
    "RPAR": "')'",
    "$END": "the end of the expression",
}

_KEYWORDS = {"CASE", "WHEN", "THEN", "ELSE", "END", "IF", "AND", "OR", "NOT", "NULL", "IS"}
_DIALECT_KEYWORDS: dict[str, frozenset[str]] = {
    "full": frozenset(_KEYWORDS),
    "arithmetic": frozenset({"NULL"}),
    "ternary": frozenset({"IF", "ELSE", "NULL"}),
    "simple": frozenset({"IF", "ELSE", "NULL"}),
    "case": frozenset(_KEYWORDS - {"IF"}),
}

# Where each dialect can take a condition (for the "a condition is not a value" error).
_CONDITIONS_GO = {
    "full": "only after WHEN or IF",
    "arithmetic": "nowhere in this dialect, which is arithmetic only",
    "ternary": "only after IF",
    "case": "only after WHEN",
    "simple": "only after IF",
}


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _expected_words(expected: Iterable[str]) -> list[str]:
    """Friendly descriptions of a set of expected terminal names, in a fixed order."""
    wanted = set(expected)
    words: list[str] = []
    if wanted & _OPERAND_START:
        if "NOT" in wanted:
            words.append("a condition")
        else:
            words += ["a number", "a name", "'('"] + (["CASE"] if "CASE" in wanted else [])
        wanted -= _ARITHMETIC_OPS  # a sign before an operand goes without saying
    for terminal, text in _EXPECTED_TEXT.items():
        if terminal in wanted and text not in words:
            words.append(text)
    return words


def _acceptable(state: Any) -> set[str]:
    """The terminals the parser in ``state`` can really take next.

    Lark reports the lookaheads of one (LALR-merged) state, which may include tokens
    that a reduction would then reject; this replays the reductions on a copy of the
    state stack, without values or callbacks.
    """
    from lark.parsers.lalr_analysis import Shift

    states, end_state = state.parse_conf.states, state.parse_conf.end_state
    accepted: set[str] = set()
    for terminal in [name for name in states[state.position] if name.isupper()]:
        stack = list(state.state_stack)
        while True:
            action, arg = states[stack[-1]].get(terminal, (None, None))
            if action is None:
                break
            if action is Shift:
                accepted.add(terminal)
                break
            if arg.expansion:
                del stack[-len(arg.expansion) :]
            stack.append(states[stack[-1]][arg.origin.name][1])
            if stack[-1] == end_state:
                accepted.add(terminal)
                break
    return accepted


def _token_text(token: Token) -> str:
    if token.type == "NAME":
        return f"the name '{token}'"
    if token.type == "NUMBER":
        return f"the number {token}"
    if token.type in _KEYWORDS:
        return token.type
    return f"'{token}'"


def _is_condition(value: object) -> bool:
    return isinstance(value, tuple) and isinstance(
        value[0], (nodes.Compare, nodes.BoolOp, nodes.Not, nodes.IsNull)
    )


def _misread_keyword(stack: list[object], dialect: Dialect) -> Optional[tuple[str, int]]:
    """``(keyword, offset)`` when the top of the stack is a name spelled like one of the
    dialect's keywords: the contextual lexer read it as a name because no keyword fits
    there (``CASE WHEN THEN 1 END``), so the keyword itself is the mistake."""
    top = stack[-1] if stack else None
    if isinstance(top, tuple) and isinstance(top[0], nodes.Name):
        word, offset = top[0].name, top[0].span.start
    elif getattr(top, "type", None) == "NAME":
        word, offset = str(top), getattr(top, "start_pos", 0) or 0
    else:
        return None
    return (word.upper(), offset) if word.upper() in _DIALECT_KEYWORDS[dialect] else None


def _token_message(
    token: Token, expected: set[str], stack: list[object], text: str, dialect: Dialect
) -> str:
    """Say what went wrong at an unexpected token, as a connector author would put it."""
    kind = token.type
    words = _join(_expected_words(expected) or ["something else"])
    top = stack[-1] if stack else None
    below = stack[-2] if len(stack) > 1 else None
    if kind == "$END":
        if not text.strip():
            return f"the expression is empty: expected {words}"
        return f"the expression ends too early: expected {words}"
    if kind == "RELATION" and getattr(below, "type", None) == "RELATION":
        return "comparisons do not chain: write 'a < b AND b < c' instead of 'a < b < c'"
    if kind in _CONDITION_TOKENS - {"RELATION"} and dialect in ("ternary", "simple"):
        return (
            f"unexpected {kind}: in this dialect the condition after IF is a single "
            "comparison (no AND, OR, NOT or IS)"
        )
    if kind in _CONDITION_TOKENS and not expected & _CONDITION_TOKENS:
        return (
            f"unexpected {_token_text(token)}: a condition is not a number; "
            f"conditions can be used {_CONDITIONS_GO[dialect]}"
        )
    if kind in _ARITHMETIC_OPS and (
        _is_condition(top) or (getattr(top, "type", None) == "RPAR" and _is_condition(below))
    ):
        return f"a condition is not a number: '{token}' cannot be applied to it"
    if expected == {"WHEN"}:
        return (
            "expected WHEN: CASE begins a CASE WHEN ... THEN ... END expression "
            "(it cannot be a variable name)"
        )
    if "RELATION" in expected and not expected & _OPERAND_START:
        return (
            f"expected {_COMPARE_TEXT} or IS [NOT] NULL before {_token_text(token)}: "
            "a value alone is not a condition"
        )
    if kind == "END" and "END" not in expected:
        return "END without a matching CASE"
    if kind in _KEYWORDS and kind not in _DIALECT_KEYWORDS[dialect]:
        return f"expected {words}: this dialect has no {kind}"
    return f"expected {words}"


def _character_message(char: str) -> str:
    if char == "_":
        return "unexpected character '_': a name must start with a letter (A-Z, a-z)"
    if char == ".":
        return "unexpected character '.': a number must start with a digit (write 0.5, not .5)"
    if char in "\"'":
        return f"unexpected character {char!r}: the language has no strings"
    return f"unexpected character {char!r}"


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of a character offset; lines end at LF."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _syntax_error(
    err: Union[UnexpectedToken, UnexpectedCharacters], text: str, dialect: Dialect
) -> ExpressionSyntaxError:
    from lark.exceptions import UnexpectedToken

    state = getattr(err, "state", None)
    stack: list[object] = list(getattr(state, "value_stack", None) or [])
    if state is not None and getattr(state, "state_stack", None):
        expected = _acceptable(state)
    else:  # pragma: no cover - Lark always gives the state for LALR errors
        expected = set(getattr(err, "expected", None) or getattr(err, "allowed", None) or ())
    if isinstance(err, UnexpectedToken):
        misread = _misread_keyword(stack, dialect)
        if misread is not None:
            # Point at the keyword itself, where an operand or condition was wanted.
            before = stack[-2] if len(stack) > 1 else None
            wanted = (
                "a condition"
                if getattr(before, "type", None) in ("WHEN", "NOT")
                else (
                    "a number, a name, '(' or CASE"
                    if "CASE" in _DIALECT_KEYWORDS[dialect]
                    else "a number, a name or '('"
                )
            )
            keyword, offset = misread
            message = f"expected {wanted}, found the keyword {keyword}"
            words = [wanted]
        else:
            if err.token.type == "$END":
                offset = len(text.rstrip(" \t\r\n"))
            else:
                offset = err.token.start_pos or 0
            message = _token_message(err.token, expected, stack, text, dialect)
            words = _expected_words(expected)
    else:
        offset = err.pos_in_stream or 0
        message = _character_message(text[offset] if offset < len(text) else "")
        words = _expected_words(expected)
    line, column = _position(text, offset)
    return ExpressionSyntaxError(message, text, line, column, words)


def _check_parentheses(text: str, limits: Limits) -> None:
    """Parentheses count as nesting: reject ``(((...)))`` deeper than ``max_depth``."""
    if text.count("(") <= limits.max_depth:
        return
    depth = 0
    for offset, char in enumerate(text):
        if char == "(":
            depth += 1
            if depth > limits.max_depth:
                line, column = _position(text, offset)
                raise ExpressionTooComplex(
                    "the expression is nested too deeply "
                    f"(the limit is {limits.max_depth} levels of parentheses)",
                    text,
                    line,
                    column,
                )
        elif char == ")":
            depth = max(depth - 1, 0)


# ----------------------------------------------------------------------- parse


def parse(text: str, dialect: Dialect = "full", limits: Limits = DEFAULT_LIMITS) -> nodes.Expr:
    """Parse ``text`` in ``dialect`` into a syntax tree whose nodes carry their spans.

    Raises :class:`ExpressionSyntaxError` for text outside the language and
    :class:`ExpressionTooComplex` for text past ``limits``.

    >>> parse("CASE WHEN a > 0 THEN a END")
    Case(whens=(When(condition=Compare(op='>', left=Name(name='a'), right=Number(value=0.0)), \
result=Name(name='a')),), orelse=None)
    """
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}; expected one of {', '.join(DIALECTS)}")
    if len(text) > limits.max_length:
        line, column = _position(text, limits.max_length)
        raise ExpressionTooComplex(
            f"the expression is too long: {len(text):,} characters "
            f"(the limit is {limits.max_length:,})",
            text,
            line,
            column,
        )
    _check_parentheses(text, limits)
    from lark.exceptions import UnexpectedCharacters, UnexpectedToken

    parser = _parser()
    _current.limits, _current.source = limits, text
    try:
        built: _Built = parser.parse(text, start=dialect)  # type: ignore[assignment]
    except (UnexpectedToken, UnexpectedCharacters) as err:
        raise _syntax_error(err, text, dialect) from None
    finally:
        _current.limits = _current.source = None
    node: nodes.Expr = built[0]
    return node
