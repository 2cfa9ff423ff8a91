"""Text -> syntax tree, by the LALR(1) grammar in ``grammars/conversion.lark``.

Lark reads the grammar, checks it has no conflicts and computes the LALR tables
(once per process, lazily, with Lark's on-disk cache). A small loop here then drives
those tables: it lexes with one regular expression built from the grammar's own
terminals, decides keyword-or-name by what the current parser state can take (the
rule Lark's contextual lexer applies), and builds the nodes bottom-up as rules reduce.
Nothing recurses, so 10,000 nested parentheses cost a list, not the Python stack, and
each new node is checked against :class:`~nflex_metrics.limits.Limits` as it is made.
Driving the tables directly is about four times faster than ``Lark.parse`` for the
short texts of a mapping file.

>>> parse("-2 ^ 2")
Binary(op='^', left=Unary(op='-', operand=Number(value=2.0)), right=Number(value=2.0))
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Literal, NamedTuple, Optional, Union

from . import nodes
from .errors import ExpressionSyntaxError, ExpressionTooComplex
from .limits import DEFAULT_LIMITS, Limits

if TYPE_CHECKING:
    from lark import Lark

__all__ = ["DIALECTS", "Dialect", "grammar_path", "parse"]

#: The languages :func:`parse` knows: the full language and the four 0.2.0 dialects.
Dialect = Literal["full", "arithmetic", "ternary", "case", "simple"]

#: Every :data:`Dialect`, in a fixed order (they are also the grammar's start rules).
DIALECTS: tuple[Dialect, ...] = ("full", "arithmetic", "ternary", "case", "simple")

GRAMMAR_FILE = "conversion.lark"

# What a node-building callback returns: the node, its subtree's depth and node count.
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


class _Tok:
    """A token: terminal name, text, 1-based line/column, 0-based [start, end)."""

    __slots__ = ("column", "end", "line", "start", "text", "type")

    def __init__(self, type: str, text: str, line: int, column: int, start: int, end: int):
        self.type, self.text, self.line, self.column = type, text, line, column
        self.start, self.end = start, end

    def __repr__(self) -> str:
        return f"_Tok({self.type}, {self.text!r})"


# ----------------------------------------------------------------- tree building


def _span(token: _Tok) -> nodes.Span:
    return nodes.Span(token.line, token.column, token.start, token.end)


def _from(first: nodes.Span, end: int) -> nodes.Span:
    return nodes.Span(first.line, first.column, first.start, end)


# Spelling of each relation -> canonical operator of nodes.COMPARE_OPS.
_RELATIONS = {
    **{"=": "=", "==": "=", "!=": "!=", "<>": "!="},
    **{"<": "<", "<=": "<=", ">": ">", ">=": ">="},
}


class _Builder:
    """One callback per ``-> alias`` of the grammar. Each gets the children of the
    reduced rule (tokens and ``(node, depth, size)`` triples) and returns a triple."""

    @staticmethod
    def number(children: list[_Tok]) -> _Built:
        token = children[0]
        return nodes.Number(float(token.text), _span(token)), 1, 1

    @staticmethod
    def name(children: list[_Tok]) -> _Built:
        token = children[0]
        return nodes.Name(token.text, _span(token)), 1, 1

    @staticmethod
    def null(children: list[_Tok]) -> _Built:
        return nodes.Null(_span(children[0])), 1, 1

    @staticmethod
    def parenthesised(children: list[Any]) -> _Built:
        # The span grows to cover the parentheses; depth and size do not change.
        lpar, (node, depth, size), rpar = children
        span = nodes.Span(lpar.line, lpar.column, lpar.start, rpar.end)
        return replace(node, span=span), depth, size

    @staticmethod
    def unary(children: list[Any]) -> _Built:
        op, (operand, depth, size) = children
        return (
            nodes.Unary(op.text, operand, _from(_span(op), operand.span.end)),
            depth + 1,
            size + 1,
        )

    @staticmethod
    def binary(children: list[Any]) -> _Built:
        (left, ldepth, lsize), op, (right, rdepth, rsize) = children
        node = nodes.Binary(op.text, left, right, _from(left.span, right.span.end))
        return node, (ldepth if ldepth > rdepth else rdepth) + 1, lsize + rsize + 1

    @staticmethod
    def if_else(children: list[Any]) -> _Built:
        (body, bdepth, bsize), _if, (cond, cdepth, csize), _else, (orelse, odepth, osize) = children
        node = nodes.Ternary(body, cond, orelse, _from(body.span, orelse.span.end))
        return node, max(bdepth, cdepth, odepth) + 1, bsize + csize + osize + 1

    @staticmethod
    def when(children: list[Any]) -> _Built:
        when, (cond, cdepth, csize), _then, (result, rdepth, rsize) = children
        node = nodes.When(cond, result, _from(_span(when), result.span.end))
        return node, max(cdepth, rdepth) + 1, csize + rsize + 1

    @staticmethod
    def case_when(children: list[Any]) -> _Built:
        # CASE arms [ELSE result] END, where arms is the list built by the `+` helper rule.
        case, arms, *rest = children
        depth, size = 0, 1
        for _arm, arm_depth, arm_size in arms:
            depth, size = max(depth, arm_depth), size + arm_size
        orelse = None
        if len(rest) == 3:
            orelse, else_depth, else_size = rest[1]
            depth, size = max(depth, else_depth), size + else_size
        node = nodes.Case(tuple(arm[0] for arm in arms), orelse, _from(_span(case), rest[-1].end))
        return node, depth + 1, size

    @staticmethod
    def comparison(children: list[Any]) -> _Built:
        (left, ldepth, lsize), op, (right, rdepth, rsize) = children
        node = nodes.Compare(_RELATIONS[op.text], left, right, _from(left.span, right.span.end))
        return node, max(ldepth, rdepth) + 1, lsize + rsize + 1

    @staticmethod
    def bool_op(children: list[Any]) -> _Built:
        (left, ldepth, lsize), op, (right, rdepth, rsize) = children
        node = nodes.BoolOp(op.text.lower(), left, right, _from(left.span, right.span.end))
        return node, max(ldepth, rdepth) + 1, lsize + rsize + 1

    @staticmethod
    def negation(children: list[Any]) -> _Built:
        op, (operand, depth, size) = children
        return nodes.Not(operand, _from(_span(op), operand.span.end)), depth + 1, size + 1

    @staticmethod
    def is_null(children: list[Any]) -> _Built:
        (operand, depth, size), *_is, null = children
        node = nodes.IsNull(operand, len(children) == 4, _from(operand.span, null.end))
        return node, depth + 1, size + 1

    is_not_null = is_null


def _repeat(children: list[Any]) -> Any:
    # The helper rule of `x+`: `helper: x | helper x`, collected into one list.
    if len(children) == 1:
        return [children[0]]
    children[0].append(children[1])
    return children[0]


# ------------------------------------------------------------------ the tables


class _Rule(NamedTuple):
    size: int  # symbols to pop
    origin: str  # the nonterminal to go to
    build: Optional[Callable[[list[Any]], Any]]  # None: pass the single child through
    makes_node: bool  # whether the result is a new (node, depth, size) to check


class _Tables(NamedTuple):
    actions: list[dict[str, int]]  # state -> terminal -> shift target (>= 0) or ~rule
    gotos: list[dict[str, int]]  # state -> nonterminal -> state
    rules: list[_Rule]
    start: dict[str, int]
    end: dict[str, int]
    token: re.Pattern[str]  # blanks, then one alternation of the grammar's terminals
    blanks: re.Pattern[str]  # what the grammar ignores between tokens
    keywords: dict[str, list[tuple[str, Optional[str]]]]  # word -> (terminal, exact case)


def _cache_file() -> Union[str, bool]:
    """Where Lark may cache its grammar analysis: a private per-user directory, never
    the shared temporary directory (the cache is a pickle). ``False`` disables it."""
    import tempfile

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    directory = os.path.join(base, "nflex_metrics")
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        if not os.access(directory, os.W_OK) or os.path.samefile(base, tempfile.gettempdir()):
            return False
    except OSError:
        return False
    return os.path.join(directory, "lark-conversion.cache")


def lark_parser(*, cache: bool = True) -> Lark:
    """Lark's own parser for the grammar (one start rule per dialect); it checks the
    grammar and computes the tables. Tests use it as the reference parser."""
    from lark import Lark

    return Lark(
        grammar_path().read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        start=list(DIALECTS),
        maybe_placeholders=False,
        cache=_cache_file() if cache else False,
    )


@functools.cache
def _tables() -> _Tables:
    """The LALR tables of the grammar, in plain lists and dicts, built on first use."""
    from lark.lexer import PatternStr
    from lark.parsers.lalr_analysis import Shift

    lark = lark_parser()
    table = lark.parser.parser._parse_table  # the LALR(1) table Lark computed
    rules: list[_Rule] = []
    rule_index: dict[object, int] = {}
    actions: list[dict[str, int]] = [{} for _ in range(len(table.states))]
    gotos: list[dict[str, int]] = [{} for _ in range(len(table.states))]
    for state, row in table.states.items():
        for lark_symbol, (action, arg) in row.items():
            symbol = _plain(lark_symbol)
            if action is Shift:
                (actions if symbol.isupper() else gotos)[state][symbol] = arg
                continue
            if arg not in rule_index:
                rule_index[arg] = len(rules)
                rules.append(_rule(arg))
            actions[state][symbol] = ~rule_index[arg]
    terminals = sorted(
        lark.lexer_conf.terminals,
        key=lambda t: (-t.priority, -t.pattern.max_width, -len(t.pattern.value), t.name),
    )
    keywords: dict[str, list[tuple[str, Optional[str]]]] = {}
    alternatives, ignored = [], []
    for terminal in terminals:
        pattern = terminal.pattern
        if terminal.name in lark.lexer_conf.ignore:
            ignored.append(pattern.to_regexp())
        elif isinstance(pattern, PatternStr) and pattern.value.isalpha():
            exact = None if "i" in pattern.flags else pattern.value
            keywords.setdefault(pattern.value.lower(), []).append((terminal.name, exact))
        else:
            alternatives.append(f"(?P<{terminal.name}>{pattern.to_regexp()})")
    return _Tables(
        actions,
        gotos,
        rules,
        {_plain(k): v for k, v in table.start_states.items()},
        {_plain(k): v for k, v in table.end_states.items()},
        re.compile(f"(?:{'|'.join(ignored)})*(?:{'|'.join(alternatives)})"),
        re.compile(f"(?:{'|'.join(ignored)})*"),
        keywords,
    )


def _plain(name: str) -> str:
    """Lark names symbols with ``Token`` objects, whose Python-level ``__eq__`` would
    slow every table lookup; the tables use plain interned strings."""
    return sys.intern(str.__str__(name))


def _rule(rule: Any) -> _Rule:
    """How to reduce one grammar rule: an aliased rule builds a node, the helper of
    ``x+`` builds a list, and any other rule has one child and passes it through."""
    size, origin = len(rule.expansion), _plain(rule.origin.name)
    if rule.alias:
        return _Rule(size, origin, getattr(_Builder, rule.alias), rule.alias != "parenthesised")
    if "_plus_" in origin:
        return _Rule(size, origin, _repeat, False)
    if size == 1:
        return _Rule(size, origin, None, False)
    raise AssertionError(f"grammar rule {rule} needs an alias")


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


def _token_message(
    token: _Tok, expected: set[str], stack: list[object], text: str, dialect: Dialect
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
        return f"a condition is not a number: '{token.text}' cannot be applied to it"
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


def _acceptable(tables: _Tables, stack: Sequence[int]) -> set[str]:
    """The terminals the parser can really take next with this state stack.

    An LALR state lists lookaheads merged from several contexts; replaying the
    reductions for each candidate on a copy of the stack keeps only the real ones.
    """
    accepted: set[str] = set()
    for terminal in tables.actions[stack[-1]]:
        states = list(stack)
        while True:
            action = tables.actions[states[-1]].get(terminal)
            if action is None:
                break
            if action >= 0:
                accepted.add(terminal)
                break
            rule = tables.rules[~action]
            del states[-rule.size :]
            states.append(tables.gotos[states[-1]][rule.origin])
            if states[-1] in tables.end.values():
                accepted.add(terminal)
                break
    return accepted


def _token_text(token: _Tok) -> str:
    if token.type == "NAME":
        return f"the name '{token.text}'"
    if token.type == "NUMBER":
        return f"the number {token.text}"
    if token.type in _KEYWORDS or token.type == "LEGACY_NULL":
        return token.type.replace("LEGACY_", "")
    return f"'{token.text}'"


def _is_condition(value: object) -> bool:
    return isinstance(value, tuple) and isinstance(
        value[0], (nodes.Compare, nodes.BoolOp, nodes.Not, nodes.IsNull)
    )


def _misread_keyword(last: Optional[_Tok], dialect: Dialect) -> Optional[str]:
    """The keyword spelled by ``last`` when it was read as a name: no keyword fits
    where it stands (``CASE WHEN THEN 1 END``), so that keyword is the likely mistake."""
    if last is not None and last.type == "NAME":
        word = last.text.upper()
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


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of a character offset; lines end at LF."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _syntax_error(
    tables: _Tables,
    stack: list[int],
    values: list[Any],
    token: Union[_Tok, int],
    recent: tuple[Optional[_Tok], Optional[_Tok]],
    text: str,
    dialect: Dialect,
) -> ExpressionSyntaxError:
    """The error for ``token`` (or, given an offset, an unknown character there)
    arriving at a parser in state ``stack`` after the ``recent`` two tokens."""
    expected = _acceptable(tables, stack)
    words = _expected_words(expected)
    before, last = recent
    keyword = _misread_keyword(last, dialect)
    if isinstance(token, int):
        offset = token
        message = _character_message(text[offset])
    elif keyword is not None and last is not None:
        # Point at the keyword itself, where an operand or a condition was wanted.
        if before is not None and before.type in ("WHEN", "NOT"):
            wanted = "a condition"
        elif "CASE" in _DIALECT_KEYWORDS[dialect]:
            wanted = "a number, a name, '(' or CASE"
        else:
            wanted = "a number, a name or '('"
        offset = last.start
        message, words = f"expected {wanted} before {keyword}", [wanted]
    else:
        offset = token.start
        if token.type == "$END":
            offset = len(text.rstrip(" \t\r\n"))
        message = _token_message(token, expected, values, text, dialect)
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

    >>> parse("CASE WHEN a > 0 THEN a END").whens[0].condition
    Compare(op='>', left=Name(name='a'), right=Number(value=0.0))
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
    tables = _tables()
    actions, gotos, rules = tables.actions, tables.gotos, tables.rules
    match, blanks, keywords = tables.token.match, tables.blanks.match, tables.keywords
    multiline = "\n" in text
    end_state = tables.end[dialect]
    max_depth, max_nodes = limits.max_depth, limits.max_nodes
    stack: list[int] = [tables.start[dialect]]
    values: list[Any] = []
    pos, length, line, line_start = 0, len(text), 1, 0
    recent: tuple[Optional[_Tok], Optional[_Tok]] = (None, None)
    while True:
        # ---- the next token (with the blanks before it)
        found = match(text, pos)
        if found is not None:
            kind = found.lastgroup or ""
            start, end = found.span(kind)
            if multiline and "\n" in text[pos:start]:
                line += text.count("\n", pos, start)
                line_start = text.rfind("\n", pos, start) + 1
            word = found.group(kind)
            if kind == "NAME" and word.lower() in keywords:
                kind = _keyword_or_name(keywords[word.lower()], word, actions[stack[-1]])
            token = _Tok(kind, word, line, start - line_start + 1, start, end)
            pos = end
        else:
            skipped = blanks(text, pos)
            start = skipped.end() if skipped else pos
            if start < length:
                raise _syntax_error(tables, stack, values, start, recent, text, dialect)
            line_start = text.rfind("\n", 0, start) + 1
            line, pos = text.count("\n", 0, start) + 1, start
            token = _Tok("$END", "", line, start - line_start + 1, start, start)
        # ---- shift it, after every reduction it calls for
        while True:
            action = actions[stack[-1]].get(token.type)
            if action is None:
                raise _syntax_error(tables, stack, values, token, recent, text, dialect)
            if action >= 0:
                stack.append(action)
                values.append(token)
                recent = recent[1], token
                break
            size, origin, build, makes_node = rules[~action]
            if build is None:  # a one-child rule: the value stays, only the state moves
                state = gotos[stack[-2]][origin]
                if state == end_state:
                    return values[-1][0]  # type: ignore[no-any-return]
                stack[-1] = state
                continue
            children = values[-size:]
            del values[-size:]
            del stack[-size:]
            value = build(children)
            if makes_node and (value[1] > max_depth or value[2] > max_nodes):
                raise _too_complex(value, limits, text)
            state = gotos[stack[-1]][origin]
            if state == end_state:
                node: nodes.Expr = value[0]
                return node
            stack.append(state)
            values.append(value)


def _keyword_or_name(
    candidates: list[tuple[str, Optional[str]]], word: str, actions: dict[str, int]
) -> str:
    """A word that spells a keyword is that keyword where the parser can take it, and
    a name elsewhere (the contextual lexer's rule). ``NULL`` spelled in capitals and
    ``null`` in any case are two terminals (see the grammar)."""
    fitting = [name for name, exact in candidates if exact is None or exact == word]
    for name in fitting:
        if name in actions:
            return name
    if "NAME" in actions or not fitting:
        return "NAME"
    return fitting[0]


def _too_complex(value: _Built, limits: Limits, text: str) -> ExpressionTooComplex:
    node, depth, _size = value
    if depth > limits.max_depth:
        message = f"the expression is nested too deeply (the limit is {limits.max_depth} levels)"
    else:
        message = f"the expression has too many parts (the limit is {limits.max_nodes} nodes)"
    return ExpressionTooComplex(message, text, node.span.line, node.span.column)
