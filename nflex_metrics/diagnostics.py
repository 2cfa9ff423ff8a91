"""Syntax error messages: what went wrong at a token, said as a connector author would.

The parser (:mod:`nflex_metrics.syntax`) stops at the first token its tables cannot
take; :func:`syntax_error` turns that moment (the parser's state stack, its value stack
and the last tokens it read) into an :class:`~nflex_metrics.errors.ExpressionSyntaxError`
with a message, a position and the expected tokens, described in words.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Optional, Union

from . import _tables, nodes
from .errors import ExpressionSyntaxError

__all__ = ["Token", "position", "syntax_error"]

# A token as the parser keeps it: (terminal name, text, 1-based line, 1-based column,
# 0-based start offset, end offset).
Token = tuple[str, str, int, int, int, int]

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

# Where each dialect can take a condition (for the "a condition is not a number" error).
_CONDITIONS_GO = {
    "full": "only after WHEN or IF",
    "arithmetic": "nowhere in this dialect, which is arithmetic only",
    "ternary": "only after IF",
    "case": "only after WHEN",
    "simple": "only after IF",
}

_END_STATES = frozenset(_tables.END_STATES.values())


def syntax_error(
    states: Sequence[int],
    values: Sequence[Any],
    token: Union[Token, int],
    recent: tuple[Optional[Token], Optional[Token]],
    text: str,
    dialect: str,
) -> ExpressionSyntaxError:
    """The error for ``token`` arriving at a parser whose state stack is ``states`` and
    value stack ``values``, after the ``recent`` two tokens it shifted; ``token`` is a
    character offset when the text there is no token at all (an unknown character)."""
    expected = _acceptable(states)
    words = _expected_words(expected)
    before, last = recent
    keyword = _misread_keyword(last, dialect)
    if isinstance(token, int):
        offset = token
        message = _character_message(text[offset])
    elif keyword is not None and last is not None:
        # Point at the keyword itself, where an operand or a condition was wanted.
        if before is not None and before[0] in ("WHEN", "NOT"):
            wanted = "a condition"
        elif "CASE" in _DIALECT_KEYWORDS[dialect]:
            wanted = "a number, a name, '(' or CASE"
        else:
            wanted = "a number, a name or '('"
        offset = last[4]
        message, words = f"expected {wanted} before {keyword}", [wanted]
    else:
        offset = token[4]
        if token[0] == "$END":
            offset = len(text.rstrip(" \t\r\n"))
        message = _token_message(token, expected, values, text, dialect)
    line, column = position(text, offset)
    return ExpressionSyntaxError(message, text, line, column, words)


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of a character offset; lines end at LF."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _acceptable(states: Sequence[int]) -> set[str]:
    """The terminals the parser can really take next with this state stack.

    An LALR state lists lookaheads merged from several contexts; replaying the
    reductions for each candidate on a copy of the stack keeps only the real ones.
    """
    accepted: set[str] = set()
    for terminal in _tables.ACTIONS[states[-1]]:
        replay = list(states)
        while True:
            action = _tables.ACTIONS[replay[-1]].get(terminal)
            if action is None:
                break
            if action >= 0:
                accepted.add(terminal)
                break
            size, origin, _build = _tables.RULES[~action]
            del replay[-size:]
            replay.append(_tables.GOTOS[replay[-1]][origin][0])
            if replay[-1] in _END_STATES:
                accepted.add(terminal)
                break
    return accepted


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


def _token_message(
    token: Token, expected: set[str], values: Sequence[Any], text: str, dialect: str
) -> str:
    """Say what went wrong at an unexpected token, as a connector author would put it."""
    kind = token[0]
    words = _join(_expected_words(expected) or ["something else"])
    top = values[-1] if values else None
    below = values[-2] if len(values) > 1 else None
    if kind == "$END":
        if not text.strip():
            return f"the expression is empty: expected {words}"
        return f"the expression ends too early: expected {words}"
    if kind == "RELATION" and _kind_of(below) == "RELATION":
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
        _is_condition(top) or (_kind_of(top) == "RPAR" and _is_condition(below))
    ):
        return f"a condition is not a number: '{token[1]}' cannot be applied to it"
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


def _token_text(token: Token) -> str:
    kind, text = token[0], token[1]
    if kind == "NAME":
        return f"the name '{text}'"
    if kind == "NUMBER":
        return f"the number {text}"
    if kind in _KEYWORDS or kind == "LEGACY_NULL":
        return kind.replace("LEGACY_", "")
    return f"'{text}'"


def _kind_of(value: object) -> Optional[str]:
    """The terminal name of a token on the value stack; None for anything else."""
    if isinstance(value, tuple) and len(value) == 6:
        kind = value[0]
        if isinstance(kind, str):
            return kind
    return None


def _is_condition(value: object) -> bool:
    """Whether a value-stack entry is a built condition, a ``(node, depth, size)``."""
    return isinstance(value, tuple) and isinstance(
        value[0], (nodes.Compare, nodes.BoolOp, nodes.Not, nodes.IsNull)
    )


def _misread_keyword(last: Optional[Token], dialect: str) -> Optional[str]:
    """The keyword spelled by ``last`` when it was read as a name: no keyword fits
    where it stands (``CASE WHEN THEN 1 END``), so that keyword is the likely mistake."""
    if last is not None and last[0] == "NAME":
        word = last[1].upper()
        if word in _DIALECT_KEYWORDS[dialect] and word not in ("CASE", "NULL", "NOT"):
            return word
    return None


def _character_message(char: str) -> str:
    if char == "_":
        return "unexpected character '_': a name must start with a letter (A-Z, a-z)"
    if char == ".":
        return "unexpected character '.': a number must start with a digit (write 0.5, not .5)"
    if char in "\"'":
        return f"unexpected character {char!r}: the language has no strings"
    return f"unexpected character {char!r}"
