"""Write ``nflex_metrics/_tables.py``: the parser tables of ``grammars/conversion.lark``.

Run it from the checkout root whenever the grammar changes, and commit the result::

    python scripts/generate_tables.py           # rewrite nflex_metrics/_tables.py
    python scripts/generate_tables.py --check   # exit 1 if the committed file is stale

Lark reads the grammar, checks it has no conflicts and computes the LALR(1) tables, with
the options our parser mirrors (``parser="lalr"``, ``lexer="contextual"``, one start rule
per dialect). This script turns its analysis into plain data that
:mod:`nflex_metrics.syntax` drives without Lark: the action and goto tables, the rules,
one regular expression for the tokens and, per parser state, whether a keyword-shaped
word is that keyword there or a name (the rule of Lark's contextual lexer).

Lark attributes this depends on, beyond ``Lark(...)`` itself: ``Lark.terminals`` (each
with ``name``, ``priority`` and a pattern with ``value``, ``flags``, ``max_width`` and
``to_regexp()``), ``Lark.ignore_tokens``, ``lark.lexer.PatternStr``,
``lark.parsers.lalr_analysis.Shift``, what ``Lark.parse_interactive(start=...)``
exposes of its parser state (``.parser_state.parse_conf`` with ``.states``, the table
rows, ``.start_state`` and ``.end_state``), and the rules in the rows' reduce actions
(``origin.name``, ``expansion`` and its symbols' ``name``, ``alias``). Two conventions
of Lark are mirrored: its lexer tries terminals by priority, then longest possible
match; and it inlines rules whose name starts with ``_`` (the helper rules it makes
for ``x+``). No underscore attribute is used.

The output is deterministic: Lark numbers its states in an order that can change from
run to run, so states are renumbered breadth-first from the start states, and rules are
listed in sorted order.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import deque
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GRAMMAR = ROOT / "grammars" / "conversion.lark"
OUTPUT = ROOT / "nflex_metrics" / "_tables.py"
COMMAND = "python scripts/generate_tables.py"

#: The grammar's start rules, one per dialect of ``nflex_metrics.syntax.DIALECTS``.
START_RULES = ("full", "arithmetic", "ternary", "case", "simple")

# The token pattern's last two alternatives: the end of the text (after any blanks) and,
# failing every terminal, the unknown character found there.
LEX_END = r"(?P<_END>\Z)"
LEX_OTHER = r"(?P<_OTHER>(?s:.))"


def lark_parser(grammar: str) -> Any:
    """Lark's LALR parser for ``grammar``: the options of ``nflex_metrics.syntax.lark_parser``
    (not imported, so that this script runs whatever state ``_tables.py`` is in)."""
    from lark import Lark

    return Lark(
        grammar,
        parser="lalr",
        lexer="contextual",
        start=list(START_RULES),
        maybe_placeholders=False,
    )


def tables(grammar: str) -> dict[str, Any]:
    """Everything the parser needs from Lark's analysis of ``grammar``, as plain data."""
    from lark.parsers.lalr_analysis import Shift

    lark = lark_parser(grammar)
    # The parser state's configuration: the table rows, the start and the end state.
    confs = {
        start: lark.parse_interactive(start=start).parser_state.parse_conf for start in START_RULES
    }
    rows = confs[START_RULES[0]].states  # one table serves every start rule

    # Renumber the states breadth-first from the start states, edges in name order.
    number: dict[Any, int] = {}
    queue = deque(confs[start].start_state for start in START_RULES)
    while queue:
        state = queue.popleft()
        if state in number:
            continue
        number[state] = len(number)
        for symbol in sorted(rows[state]):
            action, target = rows[state][symbol]
            if action is Shift:
                queue.append(target)
    if len(number) != len(rows):
        raise AssertionError("some parser states cannot be reached from a start state")

    # Rules, in sorted order; a reduction refers to its rule by index.
    used = {rule for row in rows.values() for action, rule in row.values() if action is not Shift}
    ordered = sorted(used, key=lambda rule: (rule.origin.name, [s.name for s in rule.expansion]))
    rule_index = {rule: index for index, rule in enumerate(ordered)}
    rules = [_rule(rule) for rule in ordered]

    actions: list[dict[str, int]] = [{} for _ in number]
    gotos: list[dict[str, int]] = [{} for _ in number]
    for state, row in rows.items():
        for symbol in sorted(row):
            action, target = row[symbol]
            if action is not Shift:
                actions[number[state]][symbol] = ~rule_index[target]
            elif symbol.isupper():
                actions[number[state]][symbol] = number[target]
            else:
                gotos[number[state]][symbol] = number[target]

    end = {start: number[confs[start].end_state] for start in START_RULES}
    pattern, keywords = _lexer(lark)
    return {
        "grammar_sha256": hashlib.sha256(grammar.encode("utf-8")).hexdigest(),
        "start": {start: number[confs[start].start_state] for start in START_RULES},
        "end": end,
        "rules": rules,
        "actions": actions,
        "gotos": _fold_unit_chains(actions, gotos, rules, set(end.values())),
        "token_pattern": pattern,
        "keywords": _keyword_kinds(keywords, actions),
    }


def _rule(rule: Any) -> tuple[int, str, str]:
    """(symbols to pop, nonterminal to go to, what to build). What to build is the
    rule's ``-> alias`` (the parser has a builder for each), ``+`` for the helper rule
    Lark makes for ``x+`` (``_helper: x | _helper x``, inlined into its parent because
    its name starts with ``_``: it collects a list), or empty for a one-child rule
    that passes its child on (``?sum: product``)."""
    size, origin = len(rule.expansion), str(rule.origin.name)
    symbols = [str(symbol.name) for symbol in rule.expansion]
    if rule.alias:
        return size, origin, str(rule.alias)
    if origin.startswith("_"):
        if size == 1 or (size == 2 and symbols[0] == origin):
            return size, origin, "+"
        raise ValueError(f"inlined rule {rule}: only the helper rules of `x+` are supported")
    if size == 1:
        return size, origin, ""
    raise ValueError(f"grammar rule {rule} has more than one child: it needs an `-> alias`")


def _fold_unit_chains(
    actions: list[dict[str, int]],
    gotos: list[dict[str, int]],
    rules: list[tuple[int, str, str]],
    end_states: set[int],
) -> list[dict[str, tuple[int, dict[str, int]]]]:
    """The goto table with the one-child reductions that follow each goto done in advance.

    After a goto ``p --A--> q``, the lookahead often calls for a chain of one-child
    reductions (``power: signed``, ``product: power``, ``sum: product``): each pops only
    ``q`` and goes from ``p`` again, so the state where the chain ends depends only on
    ``p``, ``A`` and the lookahead. For each goto this gives ``(q, {lookahead: state at
    the end of the chain})``, for the lookaheads the parser can take once the chain is
    done; any other lookahead is a syntax error, reached by the driver one reduction
    at a time, so that the error sees the very stack it would see without folding.
    """
    folded: list[dict[str, tuple[int, dict[str, int]]]] = []
    for row in gotos:  # the gotos of one state p
        entries: dict[str, tuple[int, dict[str, int]]] = {}
        for nonterminal, q in row.items():
            chains: dict[str, int] = {}
            for terminal in actions[q]:
                state = q
                while state not in end_states:
                    action = actions[state].get(terminal)
                    if action is None or action >= 0 or rules[~action][2] != "":
                        break
                    state = row[rules[~action][1]]
                if state != q and (state in end_states or terminal in actions[state]):
                    chains[terminal] = state
            entries[nonterminal] = (q, chains)
        folded.append(entries)
    return folded


def _lexer(lark: Any) -> tuple[list[str], dict[str, list[tuple[str, str | None]]]]:
    """The token pattern (in pieces, one per alternative) and the keywords: lower-case
    word -> [(terminal, exact spelling, or None when case-insensitive)]. Keywords are
    lexed as NAME and decided per parser state, so they are not in the pattern."""
    from lark.lexer import PatternStr

    # The order of Lark's own lexer: priority, then the longest possible match first.
    terminals = sorted(
        lark.terminals,
        key=lambda t: (-t.priority, -t.pattern.max_width, -len(t.pattern.value), t.name),
    )
    keywords: dict[str, list[tuple[str, str | None]]] = {}
    alternatives, ignored = [], []
    for terminal in terminals:
        pattern = terminal.pattern
        if terminal.name in lark.ignore_tokens:
            ignored.append(pattern.to_regexp())
        elif isinstance(pattern, PatternStr) and pattern.value.isalpha():
            exact = None if "i" in pattern.flags else pattern.value
            keywords.setdefault(pattern.value.lower(), []).append((terminal.name, exact))
        else:
            alternatives.append(f"(?P<{terminal.name}>{pattern.to_regexp()})")
    # Blanks first, then exactly one alternative. The last two match anywhere, so each
    # match starts where the previous one ended and blanks are never backtracked into.
    alternatives += [LEX_END, LEX_OTHER]
    parts = [f"(?:{'|'.join(ignored)})*", f"(?:{alternatives[0]}"]
    parts += [f"|{alternative}" for alternative in alternatives[1:]]
    return [*parts[:-1], parts[-1] + ")"], keywords


def _keyword_kinds(
    keywords: dict[str, list[tuple[str, str | None]]], actions: list[dict[str, int]]
) -> list[dict[str, str]]:
    """Per state, the terminal each keyword-shaped word is there, keyed by its exact
    spelling for case-sensitive keywords (``NULL``) and by its lower-case spelling."""
    kinds = []
    for row in actions:
        decided: dict[str, str] = {}
        for word, candidates in sorted(keywords.items()):
            for _terminal, exact in candidates:
                if exact is not None:
                    decided[exact] = _keyword_or_name(candidates, exact, row)
            decided[word] = _keyword_or_name(candidates, None, row)
        kinds.append(decided)
    return kinds


def _keyword_or_name(
    candidates: list[tuple[str, str | None]], spelling: str | None, row: dict[str, int]
) -> str:
    """A word spelling a keyword is that keyword where the parser can take it, and a
    name elsewhere: the contextual lexer's rule. ``NULL`` in capitals and ``null`` in
    any case are two terminals. ``spelling`` None stands for any spelling that matches
    no case-sensitive candidate. Where the state can take neither the keyword nor a
    name, the word stays the keyword, so that the error names it."""
    fitting = [name for name, exact in candidates if exact is None or exact == spelling]
    for name in fitting:
        if name in row:
            return name
    if "NAME" in row or not fitting:
        return "NAME"
    return fitting[0]


# ------------------------------------------------------------------- the module text


def render(grammar: str) -> str:
    """The text of ``nflex_metrics/_tables.py`` for ``grammar``."""
    data = tables(grammar)
    distinct: list[dict[str, str]] = []
    for kinds in data["keywords"]:
        if kinds not in distinct:
            distinct.append(kinds)
    out = [
        f"# Generated from grammars/{GRAMMAR.name} by scripts/generate_tables.py: do not edit.",
        f"# After changing the grammar, run `{COMMAND}` and commit the result.",
        '"""The LALR(1) tables of the expression grammar, for :mod:`nflex_metrics.syntax`.',
        "",
        "Parser states are numbers. Terminals are UPPER-CASE names and ``$END`` (the end of",
        "the text); nonterminals are the grammar's rule names, with template arguments",
        "in braces.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "#: SHA-256 of the grammar file these tables were generated from.",
        f"GRAMMAR_SHA256 = {_py(data['grammar_sha256'])}",
        "",
        "#: Blanks, then one of: a terminal (the group named after it), the end of the text",
        "#: (``_END``) or a character no terminal matches (``_OTHER``). A keyword matches as",
        "#: NAME (see KEYWORD_KINDS).",
        "TOKEN_PATTERN = (",
        *(f"    {_regex(part)}" for part in data["token_pattern"]),
        ")",
        "",
        "#: Start rule (dialect) -> the parser's first state.",
        f"START_STATES = {_py(data['start'])}",
        "",
        "#: Start rule (dialect) -> the state reached once the whole text is that rule.",
        f"END_STATES = {_py(data['end'])}",
        "",
        "#: Rule number -> (symbols to pop, nonterminal to go to, what to build): a `-> alias`",
        '#: of the grammar, "+" (Lark\'s helper rule of `x+`, which collects a list) or ""',
        "#: (a one-child rule that passes its child on).",
        "RULES: tuple[tuple[int, str, str], ...] = (",
        *(f"    {_py(rule)},  # {index}" for index, rule in enumerate(data["rules"])),
        ")",
        "",
        "#: State -> terminal -> action: a state number (>= 0) to shift the token and go to",
        "#: that state, or ~rule (< 0) to reduce by that rule. A terminal absent is an error.",
        "ACTIONS: tuple[dict[str, int], ...] = (",
    ]
    for state, row in enumerate(data["actions"]):
        entries = [f"{_py(symbol)}: {_action(target)}" for symbol, target in row.items()]
        out += _wrapped(entries, f"# {state}")
    out += [
        ")",
        "",
        "#: State -> nonterminal -> (the state to go to after reducing to that nonterminal,",
        "#: {lookahead: the state reached after the one-child reductions such as",
        "#: `sum: product` that this lookahead then calls for}).",
        "GOTOS: tuple[dict[str, tuple[int, dict[str, int]]], ...] = (",
    ]
    for state, row in enumerate(data["gotos"]):
        out.append(f"    {{  # {state}" if row else f"    {{}},  # {state}")
        for symbol, (target, chains) in row.items():
            out += _wrapped(
                [f"{_py(key)}: {value}" for key, value in chains.items()],
                indent=8,
                prefix=f"{_py(symbol)}: ({target}, ",
                suffix="),",
            )
        if row:
            out.append("    },")
    out += [
        ")",
        "",
        "#: The distinct keyword decisions: word -> the terminal it is (see KEYWORDS_IN_STATE).",
        "KEYWORD_KINDS: tuple[dict[str, str], ...] = (",
    ]
    for index, kinds in enumerate(distinct):
        out += _wrapped([f"{_py(word)}: {_py(kind)}" for word, kind in kinds.items()], f"# {index}")
    indices = [str(distinct.index(kinds)) for kinds in data["keywords"]]
    out += [
        ")",
        "",
        "#: State -> index into KEYWORD_KINDS: in that state a word spelling a keyword is",
        "#: the terminal KEYWORD_KINDS[i] gives, looked up by its exact spelling first and",
        "#: then in lower case (keywords are case-insensitive, except NULL in capitals, a",
        "#: terminal of its own). Any other word is a NAME.",
        "KEYWORDS_IN_STATE: tuple[int, ...] = (",
        *_wrapped(indices, brackets="", suffix=""),
        ")",
        "",
    ]
    return "\n".join(out)


def _py(value: Any) -> str:
    """A literal for ``value`` (str, int, tuple or dict of them), strings in double quotes."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, tuple):
        return f"({', '.join(map(_py, value))}{',' if len(value) == 1 else ''})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_py(k)}: {_py(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _regex(part: str) -> str:
    """A regular expression as a raw string literal where one can hold it."""
    if part.isprintable() and '"' not in part and not part.endswith("\\"):
        return f'r"{part}"'
    return _py(part)


def _action(target: int) -> str:
    return str(target) if target >= 0 else f"~{~target}"


def _wrapped(
    entries: list[str],
    comment: str = "",
    *,
    indent: int = 4,
    prefix: str = "",
    brackets: str = "{}",
    suffix: str = ",",
) -> list[str]:
    """``prefix{entries}suffix`` as lines of at most 100 characters, then a comment."""
    opening, closing = brackets[:1], brackets[1:]
    tail = closing + suffix + (f"  {comment}" if comment else "")
    lines, line = [], " " * indent + prefix + opening
    for index, entry in enumerate(entries):
        last = index == len(entries) - 1
        piece = entry if last else entry + ","
        if index > 0 and len(line) + 1 + len(piece) + (len(tail) if last else 0) > 100:
            lines.append(line)
            line = " " * (indent + len(opening)) + piece
        else:
            line += (" " if index > 0 else "") + piece
    lines.append(line + tail)
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the module is stale")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="default: %(default)s")
    args = parser.parse_args(argv)
    output: Path = args.output
    text = render(GRAMMAR.read_text(encoding="utf-8"))
    if args.check:
        current = output.read_text(encoding="utf-8") if output.exists() else ""
        if current != text:
            print(f"{output} is stale: run `{COMMAND}`", file=sys.stderr)
            return 1
        return 0
    output.write_text(text, encoding="utf-8")
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
