"""Text -> syntax tree, by the LALR(1) grammar in ``grammars/conversion.lark``.

Lark reads the grammar, checks it has no conflicts and computes the LALR tables; they
are kept as plain data in a per-user cache file named after the grammar, so a process
normally never imports Lark (see :func:`_load_tables`). A small loop here drives those
tables: it lexes with one regular expression built from the grammar's own terminals,
decides keyword-or-name by what the current parser state can take (the rule Lark's
contextual lexer applies, precomputed per state), and builds the nodes bottom-up as
rules reduce. Nothing recurses, so 10,000 nested parentheses cost a list, not the
Python stack, and each new node is checked against :class:`~nflex_metrics.limits.Limits`
as it is made. The work per token is fixed: one table lookup to shift it, one per node
built (chains of one-child rules such as ``sum: product`` are folded into the gotos).

>>> parse("-2 ^ 2")
Binary(op='^', left=Unary(op='-', operand=Number(value=2.0)), right=Number(value=2.0))
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Callable, Final, Literal, NamedTuple, Optional, Union

from . import nodes
from .errors import ExpressionSyntaxError, ExpressionTooComplex
from .limits import DEFAULT_LIMITS, Limits

if TYPE_CHECKING:
    from pathlib import Path

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
    from pathlib import Path

    return Path(_grammar_file())


# A token is a plain tuple (cheaper to make than an object, and the parser makes one per
# word): (terminal name, text, 1-based line, 1-based column, 0-based start, end).
_Token = tuple[str, str, int, int, int, int]
_KIND: Final = 0
_TEXT: Final = 1
_START: Final = 4


# ----------------------------------------------------------------- tree building


def _maker(cls: type) -> Callable[..., Any]:
    """A function making a ``cls`` from its fields in order, like ``cls(...)`` but about
    three times faster: a frozen dataclass's ``__init__`` sets each field through
    ``object.__setattr__``, and this fills the new instance's ``__dict__`` directly (the
    result is the same object state). Where that would skip behaviour (``__slots__``,
    ``__post_init__``, a field outside ``__init__``) it is the class itself."""
    import dataclasses

    fields = dataclasses.fields(cls)
    if "__slots__" in vars(cls) or hasattr(cls, "__post_init__") or not all(f.init for f in fields):
        return cls
    names = [f.name for f in fields]  # identifiers, so safe to put in generated code
    lines = [f"def make({', '.join(names)}):", "    obj = new(cls)", "    state = obj.__dict__"]
    lines += [f"    state[{name!r}] = {name}" for name in names]
    lines.append("    return obj")
    namespace: dict[str, Any] = {"new": object.__new__, "cls": cls}
    exec("\n".join(lines), namespace)  # how dataclasses itself writes __init__
    make: Callable[..., Any] = namespace["make"]
    return make


_MAKERS = {
    cls: _maker(cls)
    for cls in (
        *(nodes.Span, nodes.Number, nodes.Name, nodes.Null, nodes.Unary, nodes.Binary),
        *(nodes.Ternary, nodes.When, nodes.Case, nodes.Compare, nodes.BoolOp, nodes.Not),
        nodes.IsNull,
    )
}
_span_of, _number, _name, _null, _unary, _binary = list(_MAKERS.values())[:6]
_ternary, _when, _case, _compare, _bool_op, _not, _is_null = list(_MAKERS.values())[6:]


def _span(token: _Token) -> nodes.Span:
    return _span_of(token[2], token[3], token[4], token[5])  # type: ignore[no-any-return]


def _from(first: nodes.Span, end: int) -> nodes.Span:
    return _span_of(first.line, first.column, first.start, end)  # type: ignore[no-any-return]


def _with_span(node: Any, span: nodes.Span) -> Any:
    """``node`` with another span (a copy: nodes are immutable)."""
    cls = type(node)
    if _MAKERS.get(cls, cls) is cls:
        return replace(node, span=span)
    copy = object.__new__(cls)
    copy.__dict__.update(node.__dict__)
    copy.__dict__["span"] = span
    return copy


# Spelling of each relation -> canonical operator of nodes.COMPARE_OPS.
_RELATIONS = {
    **{"=": "=", "==": "=", "!=": "!=", "<>": "!="},
    **{"<": "<", "<=": "<=", ">": ">", ">=": ">="},
}


class _Builder:
    """One callback per ``-> alias`` of the grammar. A one-symbol rule's callback gets
    that symbol (a token); a longer rule's gets the list of its children (tokens and
    ``(node, depth, size)`` triples). Each returns a triple. Spans are made inline:
    these run once per node, so a helper call each would be a noticeable share."""

    @staticmethod
    def number(token: _Token) -> _Built:
        span = _span_of(token[2], token[3], token[4], token[5])
        return _number(float(token[1]), span), 1, 1

    @staticmethod
    def name(token: _Token) -> _Built:
        return _name(token[1], _span_of(token[2], token[3], token[4], token[5])), 1, 1

    @staticmethod
    def null(token: _Token) -> _Built:
        return _null(_span_of(token[2], token[3], token[4], token[5])), 1, 1

    @staticmethod
    def parenthesised(children: list[Any]) -> _Built:
        # The span grows to cover the parentheses; depth and size do not change.
        lpar, (node, depth, size), rpar = children
        return _with_span(node, _span_of(lpar[2], lpar[3], lpar[4], rpar[5])), depth, size

    @staticmethod
    def unary(children: list[Any]) -> _Built:
        op, (operand, depth, size) = children
        return (
            _unary(op[1], operand, _span_of(op[2], op[3], op[4], operand.span.end)),
            depth + 1,
            size + 1,
        )

    @staticmethod
    def binary(children: list[Any]) -> _Built:
        (left, ldepth, lsize), op, (right, rdepth, rsize) = children
        first = left.span
        span = _span_of(first.line, first.column, first.start, right.span.end)
        node = _binary(op[1], left, right, span)
        return node, (ldepth if ldepth > rdepth else rdepth) + 1, lsize + rsize + 1

    @staticmethod
    def if_else(children: list[Any]) -> _Built:
        (body, bdepth, bsize), _if, (cond, cdepth, csize), _else, (orelse, odepth, osize) = children
        node = _ternary(body, cond, orelse, _from(body.span, orelse.span.end))
        return node, max(bdepth, cdepth, odepth) + 1, bsize + csize + osize + 1

    @staticmethod
    def when(children: list[Any]) -> _Built:
        when, (cond, cdepth, csize), _then, (result, rdepth, rsize) = children
        node = _when(cond, result, _span_of(when[2], when[3], when[4], result.span.end))
        return node, (cdepth if cdepth > rdepth else rdepth) + 1, csize + rsize + 1

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
        span = _span_of(case[2], case[3], case[4], rest[-1][5])
        return _case(tuple([arm[0] for arm in arms]), orelse, span), depth + 1, size

    @staticmethod
    def comparison(children: list[Any]) -> _Built:
        (left, ldepth, lsize), op, (right, rdepth, rsize) = children
        first = left.span
        span = _span_of(first.line, first.column, first.start, right.span.end)
        node = _compare(_RELATIONS[op[1]], left, right, span)
        return node, (ldepth if ldepth > rdepth else rdepth) + 1, lsize + rsize + 1

    @staticmethod
    def bool_op(children: list[Any]) -> _Built:
        (left, ldepth, lsize), op, (right, rdepth, rsize) = children
        first = left.span
        span = _span_of(first.line, first.column, first.start, right.span.end)
        node = _bool_op(op[1].lower(), left, right, span)
        return node, (ldepth if ldepth > rdepth else rdepth) + 1, lsize + rsize + 1

    @staticmethod
    def negation(children: list[Any]) -> _Built:
        op, (operand, depth, size) = children
        span = _span_of(op[2], op[3], op[4], operand.span.end)
        return _not(operand, span), depth + 1, size + 1

    @staticmethod
    def is_null(children: list[Any]) -> _Built:
        (operand, depth, size), *_is, null = children
        node = _is_null(operand, len(children) == 4, _from(operand.span, null[5]))
        return node, depth + 1, size + 1

    is_not_null = is_null


#: The callbacks of one-symbol rules: each makes a leaf from a token.
_LEAVES = frozenset({"number", "name", "null"})


def _repeat_first(child: Any) -> list[Any]:
    # The helper rule of `x+` is `helper: x | helper x`; its items go into one list.
    return [child]


def _repeat(children: list[Any]) -> Any:
    children[0].append(children[1])
    return children[0]


# ------------------------------------------------------------------ the tables


class _Rule(NamedTuple):
    size: int  # symbols to pop
    origin: str  # the nonterminal to go to
    build: Optional[Callable[[list[Any]], Any]]  # None: pass the single child through
    makes_node: bool  # whether the result is a new (node, depth, size) to check


class _Tables(NamedTuple):
    """The grammar's LALR(1) tables and lexer, in plain lists, dicts and strings."""

    actions: list[dict[str, int]]  # state -> terminal -> shift target (>= 0) or ~rule
    gotos: list[dict[str, int]]  # state -> nonterminal -> state
    # state -> nonterminal -> (goto target, {lookahead: the state after the chain of
    # one-child reductions that lookahead then calls for}): one step instead of several.
    folds: list[dict[str, tuple[int, dict[str, int]]]]
    rules: list[_Rule]
    start: dict[str, int]
    end: dict[str, int]
    # Blanks, then one alternation of the grammar's terminals, `_END` (the end of the
    # text) and `_OTHER` (an unknown character): each match starts where the last ended.
    token: re.Pattern[str]
    keywords: frozenset[str]  # every keyword, in lower case
    # state -> keyword spelling -> terminal: what a NAME-shaped keyword is in that state,
    # looked up by its exact spelling (case-sensitive terminals) and then in lower case.
    exact_kinds: list[dict[str, str]]
    folded_kinds: list[dict[str, str]]


# ------------------------------------------------------------- the table cache
#
# Computing the tables takes Lark (about 50 ms to import) and its grammar analysis
# (about 100 ms). The plain tables are therefore cached per user, in a marshal file
# named after everything they depend on, so two checkouts with different grammars do
# not overwrite each other's file, and a hit never imports Lark.

#: Bump when the layout of the cached tables changes.
_CACHE_FORMAT = 2

# The token pattern's last two alternatives: the end of the text (after any blanks) and,
# failing every terminal, the unknown character that starts there.
_LEX_END = r"(?P<_END>\Z)"
_LEX_OTHER = r"(?P<_OTHER>(?s:.))"


def _grammar_file() -> str:
    here = os.path.dirname(os.path.abspath(__file__))
    for directory in (
        os.path.join(here, "grammars"),
        os.path.join(os.path.dirname(here), "grammars"),
    ):
        path = os.path.join(directory, GRAMMAR_FILE)
        if os.path.isfile(path):
            return path
    raise FileNotFoundError(f"grammar {GRAMMAR_FILE!r} not found next to {here}")


def _lark_version() -> str:
    """Lark's version, read from its source when Lark is not imported yet (importing it,
    or ``importlib.metadata``, would cost more than the cache saves)."""
    lark = sys.modules.get("lark")
    if lark is not None:
        return str(getattr(lark, "__version__", "unknown"))
    import importlib.util

    try:
        spec = importlib.util.find_spec("lark")
        if spec is None or spec.origin is None:
            return "missing"
        with open(spec.origin, encoding="utf-8") as source:
            found = re.search(
                r"^__version__\s*(?::\s*str\s*)?=\s*[\"']([^\"']+)", source.read(), re.M
            )
    except (OSError, ImportError, ValueError, UnicodeDecodeError):
        return "unknown"
    return found.group(1) if found else "unknown"


def _cache_key(grammar: str, lark_version: str) -> tuple[object, ...]:
    """Everything the cached tables depend on; stored in the file and compared on load."""
    return (_CACHE_FORMAT, sys.version_info[:2], lark_version, grammar)


def _cache_name(grammar: str, lark_version: str, prefix: str = "lalr-tables") -> str:
    """The cache file name for these tables: a hash of :func:`_cache_key` (CRC-32 is
    enough to tell versions apart; the file itself holds the whole key)."""
    import zlib

    digest = zlib.crc32(repr(_cache_key(grammar, lark_version)).encode("utf-8"))
    major, minor = sys.version_info[:2]
    return f"{prefix}-{digest:08x}-py{major}{minor}.cache"


def _cache_dir() -> Optional[str]:
    """A private per-user cache directory, or None where there is none to be had: the
    cache is trusted on load, so it must not be a directory others can write to."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    directory = os.path.join(base, "nflex_metrics")
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        info = os.stat(directory)
    except OSError:
        return None
    getuid = getattr(os, "getuid", None)
    if getuid is not None and (info.st_uid != getuid() or info.st_mode & 0o022):
        return None
    if not os.access(directory, os.W_OK | os.X_OK):
        return None
    return directory


def _read_cache(path: str, key: tuple[object, ...]) -> Optional[dict[str, Any]]:
    """The plain tables stored at ``path`` for ``key``, or None if the file is missing,
    truncated, corrupt or for another key."""
    import marshal
    import zlib

    try:
        with open(path, "rb") as file:
            blob = file.read()
    except OSError:
        return None
    payload = blob[4:]
    if len(blob) < 4 or zlib.crc32(payload) != int.from_bytes(blob[:4], "big"):
        return None
    try:
        plain = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None
    if not isinstance(plain, dict) or plain.get("key") != key:
        return None
    return plain


def _write_cache(path: str, plain: dict[str, Any]) -> None:
    """Store ``plain`` at ``path`` atomically (a reader sees the old file or the whole
    new one); any failure leaves the cache as it was, silently."""
    import marshal
    import zlib

    payload = marshal.dumps(plain)
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(zlib.crc32(payload).to_bytes(4, "big") + payload)
        os.replace(temporary, path)
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            os.remove(temporary)


def _lark(grammar: str, cache_dir: Optional[str]) -> Lark:
    from lark import Lark

    cache: Union[str, bool] = False
    if cache_dir is not None:
        cache = os.path.join(cache_dir, _cache_name(grammar, _lark_version(), "lark"))
    return Lark(
        grammar,
        parser="lalr",
        lexer="contextual",
        start=list(DIALECTS),
        maybe_placeholders=False,
        cache=cache,
    )


def lark_parser(*, cache: bool = True) -> Lark:
    """Lark's own parser for the grammar (one start rule per dialect); it checks the
    grammar and computes the tables. Tests use it as the reference parser."""
    with open(_grammar_file(), encoding="utf-8") as file:
        grammar = file.read()
    return _lark(grammar, _cache_dir() if cache else None)


@functools.cache
def _tables() -> _Tables:
    """The tables of the grammar, built on first use (from the cache when it can)."""
    with open(_grammar_file(), encoding="utf-8") as file:
        grammar = file.read()
    return _load_tables(grammar, _cache_dir())


def _load_tables(grammar: str, cache_dir: Optional[str]) -> _Tables:
    """The tables of ``grammar``: read from ``cache_dir``, or computed with Lark and
    written there. The cache can only save time; it never makes this fail."""
    version = _lark_version()
    key = _cache_key(grammar, version)
    path = None if cache_dir is None else os.path.join(cache_dir, _cache_name(grammar, version))
    if path is not None:
        plain = _read_cache(path, key)
        if plain is not None:
            try:
                return _from_plain(plain)
            except (KeyError, IndexError, TypeError, ValueError, AttributeError, re.error):
                pass  # a file that passed its checksum yet does not fit: rebuild it
    plain = _plain_tables(_lark(grammar, cache_dir), key)
    if path is not None:
        _write_cache(path, plain)
    return _from_plain(plain)


def _plain_tables(lark: Lark, key: tuple[object, ...]) -> dict[str, Any]:
    """Everything the parser needs from Lark's analysis, as plain data (what is cached)."""
    from lark.lexer import PatternStr
    from lark.parsers.lalr_analysis import Shift

    table = lark.parser.parser._parse_table  # the LALR(1) table Lark computed
    rules: list[tuple[int, str, str]] = []
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
    end = {_plain(k): v for k, v in table.end_states.items()}
    exact_kinds, folded_kinds = _keyword_kinds(keywords, actions)
    return {
        "key": key,
        "actions": actions,
        "gotos": gotos,
        "folds": _folds(actions, gotos, rules, set(end.values())),
        "rules": rules,
        "start": {_plain(k): v for k, v in table.start_states.items()},
        "end": end,
        # Ending in a match for the end of the text and one for any other character,
        # it matches wherever the last match ended: blanks can never be backtracked
        # into (`(?:[ \t]+)*` failing at trailing blanks took exponential time).
        "token": f"(?:{'|'.join(ignored)})*(?:{'|'.join(alternatives)}|{_LEX_END}|{_LEX_OTHER})",
        "keywords": sorted(keywords),
        "exact_kinds": exact_kinds,
        "folded_kinds": folded_kinds,
    }


def _from_plain(plain: dict[str, Any]) -> _Tables:
    """The tables from their plain form: compile the patterns, find the callbacks."""
    rules = []
    for size, origin, alias in plain["rules"]:
        if alias == "+":
            rules.append(_Rule(size, origin, _repeat_first if size == 1 else _repeat, False))
        elif alias:
            rules.append(_Rule(size, origin, getattr(_Builder, alias), alias != "parenthesised"))
        else:
            rules.append(_Rule(size, origin, None, False))
    return _Tables(
        plain["actions"],
        plain["gotos"],
        plain["folds"],
        rules,
        plain["start"],
        plain["end"],
        re.compile(plain["token"]),
        frozenset(plain["keywords"]),
        plain["exact_kinds"],
        plain["folded_kinds"],
    )


def _plain(name: str) -> str:
    """Lark names symbols with ``Token`` objects, whose Python-level ``__eq__`` would
    slow every table lookup; the tables use plain interned strings."""
    return sys.intern(str.__str__(name))


def _rule(rule: Any) -> tuple[int, str, str]:
    """How to reduce one grammar rule: (symbols to pop, nonterminal, kind), where the
    kind is the alias of a rule that builds a node, ``+`` for the helper of ``x+``
    (builds a list) and empty for a one-child rule that passes its child through."""
    size, origin = len(rule.expansion), _plain(rule.origin.name)
    if rule.alias:
        if not hasattr(_Builder, rule.alias):
            raise AssertionError(f"grammar alias {rule.alias!r} has no _Builder method")
        if size == 1 and rule.alias not in _LEAVES:  # the parse loop relies on this
            raise AssertionError(f"one-symbol rule {rule} must build a leaf, not {rule.alias!r}")
        return size, origin, str(rule.alias)
    if "_plus_" in origin:
        return size, origin, "+"
    if size == 1:
        return size, origin, ""
    raise AssertionError(f"grammar rule {rule} needs an alias")


def _folds(
    actions: list[dict[str, int]],
    gotos: list[dict[str, int]],
    rules: list[tuple[int, str, str]],
    end_states: set[int],
) -> list[dict[str, tuple[int, dict[str, int]]]]:
    """For each goto ``p --A--> q`` and lookahead: the state the parser reaches after
    the one-child reductions (``sum: product``, ...) that lookahead calls for in ``q``.
    Each of them replaces only the top state, always by a goto from ``p``, so the whole
    chain is known in advance; stopping where an action is missing keeps the state
    stack of a syntax error exactly what it would have been."""
    folds: list[dict[str, tuple[int, dict[str, int]]]] = []
    for p, row in enumerate(gotos):
        folded: dict[str, tuple[int, dict[str, int]]] = {}
        for nonterminal, q in row.items():
            chains: dict[str, int] = {}
            for terminal in actions[q]:
                state = q
                for _ in range(len(rules)):  # a chain never repeats a rule
                    action = actions[state].get(terminal)
                    if state in end_states or action is None or action >= 0:
                        break
                    size, origin, kind = rules[~action]
                    if kind or size != 1:
                        break
                    state = gotos[p][origin]
                if state != q:
                    chains[terminal] = state
            folded[nonterminal] = (q, chains)
        folds.append(folded)
    return folds


def _keyword_kinds(
    keywords: dict[str, list[tuple[str, Optional[str]]]], actions: list[dict[str, int]]
) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Per state, what each keyword-shaped word is there (see :func:`_keyword_or_name`):
    by exact spelling for the case-sensitive terminals, else by lower-case spelling."""
    exact_kinds: list[dict[str, str]] = []
    folded_kinds: list[dict[str, str]] = []
    for row in actions:
        exact: dict[str, str] = {}
        folded: dict[str, str] = {}
        for word, candidates in keywords.items():
            folded[word] = _keyword_or_name(candidates, None, row)
            for _name, spelling in candidates:
                if spelling is not None:
                    exact[spelling] = _keyword_or_name(candidates, spelling, row)
        exact_kinds.append(exact)
        folded_kinds.append(folded)
    return exact_kinds, folded_kinds


def _keyword_or_name(
    candidates: list[tuple[str, Optional[str]]], word: Optional[str], actions: dict[str, int]
) -> str:
    """A word that spells a keyword is that keyword where the parser can take it, and
    a name elsewhere (the contextual lexer's rule). ``NULL`` spelled in capitals and
    ``null`` in any case are two terminals (see the grammar). ``word`` None stands for
    a spelling that matches no case-sensitive candidate."""
    fitting = [name for name, exact in candidates if exact is None or exact == word]
    for name in fitting:
        if name in actions:
            return sys.intern(name)
    if "NAME" in actions or not fitting:
        return "NAME"
    return sys.intern(fitting[0])


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
    token: _Token, expected: set[str], stack: list[object], text: str, dialect: Dialect
) -> str:
    """Say what went wrong at an unexpected token, as a connector author would put it."""
    kind = token[_KIND]
    words = _join(_expected_words(expected) or ["something else"])
    top = stack[-1] if stack else None
    below = stack[-2] if len(stack) > 1 else None
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
        return f"a condition is not a number: '{token[_TEXT]}' cannot be applied to it"
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


def _token_text(token: _Token) -> str:
    kind, text = token[_KIND], token[_TEXT]
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
        kind = value[_KIND]
        if isinstance(kind, str):
            return kind
    return None


def _is_condition(value: object) -> bool:
    return isinstance(value, tuple) and isinstance(
        value[0], (nodes.Compare, nodes.BoolOp, nodes.Not, nodes.IsNull)
    )


def _misread_keyword(last: Optional[_Token], dialect: Dialect) -> Optional[str]:
    """The keyword spelled by ``last`` when it was read as a name: no keyword fits
    where it stands (``CASE WHEN THEN 1 END``), so that keyword is the likely mistake."""
    if last is not None and last[_KIND] == "NAME":
        word = last[_TEXT].upper()
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
    token: Union[_Token, int],
    recent: tuple[Optional[_Token], Optional[_Token]],
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
        if before is not None and before[_KIND] in ("WHEN", "NOT"):
            wanted = "a condition"
        elif "CASE" in _DIALECT_KEYWORDS[dialect]:
            wanted = "a number, a name, '(' or CASE"
        else:
            wanted = "a number, a name or '('"
        offset = last[_START]
        message, words = f"expected {wanted} before {keyword}", [wanted]
    else:
        offset = token[_START]
        if token[_KIND] == "$END":
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
    actions, folds, rules = tables.actions, tables.folds, tables.rules
    keywords = tables.keywords
    exact_kinds, folded_kinds = tables.exact_kinds, tables.folded_kinds
    multiline = "\n" in text
    end_state = tables.end[dialect]
    max_depth, max_nodes = limits.max_depth, limits.max_nodes
    state = tables.start[dialect]  # always the top of the state stack
    stack: list[int] = [state]
    values: list[Any] = []
    pos, line, line_start = 0, 1, 0
    before: Optional[_Token] = None  # the two tokens shifted last, for error messages
    last: Optional[_Token] = None
    for found in tables.token.finditer(text):
        # ---- the next token (with the blanks before it)
        kind: str = found.lastgroup  # type: ignore[assignment]
        start, end = found.span(kind)
        if multiline and "\n" in text[pos:start]:
            line += text.count("\n", pos, start)
            line_start = text.rfind("\n", pos, start) + 1
        word = text[start:end]
        pos = end
        if kind == "NAME":
            folded = word.lower()
            if folded in keywords:  # a keyword where this state can take it
                kind = exact_kinds[state].get(word) or folded_kinds[state][folded]
        token: _Token = (kind, word, line, start - line_start + 1, start, end)
        # ---- shift it, after every reduction it calls for
        while True:
            action = actions[state].get(kind)
            if action is None:
                if kind == "_END":  # the end of the text: its terminal is "$END"
                    kind = "$END"
                    token = ("$END", "", *_position(text, start), start, start)
                    continue
                recent = (before, last)
                if kind == "_OTHER":
                    raise _syntax_error(tables, stack, values, start, recent, text, dialect)
                raise _syntax_error(tables, stack, values, token, recent, text, dialect)
            if action >= 0:
                stack.append(action)
                state = action
                values.append(token)
                before, last = last, token
                break
            size, origin, build, makes_node = rules[~action]
            if build is None:  # a one-child rule: the value stays, only the state moves
                del stack[-1]
            elif size == 1:  # a leaf (or the first item of `x+`): no children to take
                # Nothing to check: a leaf's depth and size are 1, and every Limits is >= 1.
                del stack[-1]
                values[-1] = build(values[-1])
            else:
                children = values[-size:]
                del values[-size:]
                del stack[-size:]
                value = build(children)
                if makes_node and (value[1] > max_depth or value[2] > max_nodes):
                    raise _too_complex(value, limits, text)
                values.append(value)
            goto, chains = folds[stack[-1]][origin]
            state = chains.get(kind, goto)  # past any one-child reductions that follow
            if state == end_state:
                node: nodes.Expr = values[-1][0]
                return node
            stack.append(state)
    raise AssertionError("unreachable: the token pattern always matches the end of the text")


def _too_complex(value: _Built, limits: Limits, text: str) -> ExpressionTooComplex:
    node, depth, _size = value
    if depth > limits.max_depth:
        message = f"the expression is nested too deeply (the limit is {limits.max_depth} levels)"
    else:
        message = f"the expression has too many parts (the limit is {limits.max_nodes} nodes)"
    return ExpressionTooComplex(message, text, node.span.line, node.span.column)
