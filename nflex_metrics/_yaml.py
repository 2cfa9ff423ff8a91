"""YAML with positions: the node tree of a document and the way back from a value to its text.

PyYAML's ``safe_load`` forgets where things were and silently keeps the last of two equal
keys. The mapping loader needs both, so it composes the node tree (C loader when
available), walks it itself, and uses the helpers here to turn node marks and offsets
inside a scalar's *value* into 1-based line and column numbers of the *file*.

PyYAML is imported on first use only.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional, Union

if TYPE_CHECKING:
    import yaml

__all__ = [
    "STR_TAG",
    "Composed",
    "SimpleEntry",
    "SourceText",
    "YamlSyntaxError",
    "compose",
    "describe",
    "has_merge_keys",
    "mapping_pairs",
    "read_simple",
    "scalar_position",
]

#: The line breaks YAML recognises (``\r\n`` counts as one).
_BREAKS = "\r\n\x85\u2028\u2029"

#: One line break (``\r\n`` is one break, a lone ``\r`` another).
_BREAK_PATTERN = "\r\n?|[\n\x85\u2028\u2029]"

#: The tag of a string scalar (plain or quoted).
STR_TAG = "tag:yaml.org,2002:str"
_INT_TAG = "tag:yaml.org,2002:int"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_NULL_TAG = "tag:yaml.org,2002:null"

#: The YAML 1.1 boolean words, lower-cased, as the safe schema reads them.
_BOOLS = {"yes": True, "true": True, "on": True, "no": False, "false": False, "off": False}

#: An int the safe schema reads as plain decimal (a leading 0 would make it octal).
_DECIMAL_RE = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")

#: Tags whose merge semantics :func:`mapping_pairs` applies.
_MERGE_TAG = "tag:yaml.org,2002:merge"

#: Characters a scalar's *value* may hold where its source text holds other whitespace.
_SPACE = " \t" + _BREAKS


class SourceText:
    """A document's text with a table of line starts, for converting marks and offsets.

    >>> src = SourceText("a: 1\\r\\nb: 2\\n")
    >>> src.position(src.index(1, 3))
    (2, 4)
    >>> src.line(2)
    'b: 2'
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._line_starts: Optional[list[int]] = None

    @property
    def _starts(self) -> list[int]:
        """The index of each line's first character, computed on first use: only a
        problem report needs it, so a file without problems never pays for it."""
        if self._line_starts is None:
            breaks = re.finditer(_BREAK_PATTERN, self.text)
            self._line_starts = [0, *(m.end() for m in breaks)]
        return self._line_starts

    def index(self, line0: int, column0: int) -> int:
        """The text index of a 0-based (line, column) pair, as found in YAML marks."""
        line0 = min(max(line0, 0), len(self._starts) - 1)
        return min(self._starts[line0] + column0, len(self.text))

    def position(self, index: int) -> tuple[int, int]:
        """The 1-based (line, column) of a text index."""
        line0 = bisect.bisect_right(self._starts, index) - 1
        return line0 + 1, index - self._starts[line0] + 1

    def line(self, line: int) -> str:
        """The text of a 1-based line, without its line break ('' when out of range)."""
        if not 1 <= line <= len(self._starts):
            return ""
        start = self._starts[line - 1]
        end = self._starts[line] if line < len(self._starts) else len(self.text)
        return self.text[start:end].rstrip(_BREAKS)


class YamlSyntaxError(Exception):
    """Text that is not YAML, with the 1-based position PyYAML reported."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass
class Composed:
    """The root node of a single-document stream and the loader that constructs values."""

    root: Optional[yaml.Node]
    loader: Any

    def construct(self, node: yaml.Node) -> Any:
        """The Python value of ``node`` under the safe schema (raises yaml.YAMLError).

        The scalars of a mapping file (strings, decimal ints, booleans, nulls) are built
        here from the node's text and tag; only the rest (floats, other int spellings,
        timestamps, binary, collections, unknown tags) goes through PyYAML's much
        slower generic constructor, which gives the same values.
        """
        import yaml

        if isinstance(node, yaml.ScalarNode):
            tag = node.tag
            value = node.value
            if tag == STR_TAG:
                return value
            if tag == _BOOL_TAG:
                flag = _BOOLS.get(value.lower())
                if flag is not None:
                    return flag
            elif tag == _INT_TAG:
                if _DECIMAL_RE.fullmatch(value):
                    return int(value)
            elif tag == _NULL_TAG:
                return None
        return self.loader.construct_object(node, deep=True)


def compose(source: SourceText) -> Composed:
    """Compose the single YAML document in ``source`` (the C loader when PyYAML has one).

    Raises :class:`YamlSyntaxError` for text that is not one YAML document.
    """
    import yaml

    loader_class: Any = (
        yaml.CSafeLoader if getattr(yaml, "__with_libyaml__", False) else yaml.SafeLoader
    )
    loader = loader_class(source.text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        what = "; ".join(str(part) for part in (err.context, err.problem) if part)
        raise YamlSyntaxError(f"YAML syntax error: {what}", line, column) from None
    except yaml.reader.ReaderError as err:
        line, column = source.position(err.position)
        raise YamlSyntaxError(
            f"YAML syntax error: unacceptable character #x{err.character:04x}: {err.reason}"
            if isinstance(err.character, int)
            else f"YAML syntax error: {err.reason}",
            line,
            column,
        ) from None
    except yaml.YAMLError as err:  # pragma: no cover - PyYAML raises marked errors above
        raise YamlSyntaxError(f"YAML syntax error: {err}", 1, 1) from None
    return Composed(root, loader)


def describe(node: yaml.Node) -> str:
    """A short phrase naming what a node is, for messages: 'a list', 'a mapping', 'null'."""
    import yaml

    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    tag = str(node.tag).rsplit(":", 1)[-1]
    if tag == "null":
        return "null"
    if tag == "str":
        return "a string"
    return f"{'an' if tag[:1] in 'aeiou' else 'a'} {tag}"


def mapping_pairs(node: yaml.MappingNode) -> Iterator[tuple[yaml.Node, yaml.Node, bool]]:
    """The (key node, value node, explicit) pairs of a mapping, merge keys (``<<``) expanded.

    Merged pairs come first and are not ``explicit``; a later pair for the same key
    wins, which gives YAML's merge rule (explicit keys override merged ones, and the
    first mapping of a merged list overrides the later ones). Nodes are not modified:
    aliases share them.
    """
    import yaml

    for key, value in node.value:
        if key.tag != _MERGE_TAG:
            continue
        sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
        for source in reversed(sources):
            if isinstance(source, yaml.MappingNode):
                for merged_key, merged_value, _ in mapping_pairs(source):
                    yield merged_key, merged_value, False
    for key, value in node.value:
        if key.tag != _MERGE_TAG:
            yield key, value, True


def has_merge_keys(node: yaml.MappingNode) -> bool:
    """Whether a mapping has a merge key (``<<``): most do not, and skip the merge rules."""
    return any(key.tag == _MERGE_TAG for key, _ in node.value)


def merge_problems(node: yaml.MappingNode) -> Iterator[yaml.Node]:
    """The value nodes of merge keys (``<<``) that are not a mapping or a list of mappings."""
    import yaml

    for key, value in node.value:
        if key.tag != _MERGE_TAG:
            continue
        sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
        if not all(isinstance(source, yaml.MappingNode) for source in sources):
            yield value


def _raw_span(source: SourceText, node: yaml.ScalarNode) -> tuple[int, int]:
    """The text indexes of the characters that spell a scalar's value (indicators excluded)."""
    start = source.index(node.start_mark.line, node.start_mark.column)
    end = source.index(node.end_mark.line, node.end_mark.column)
    style = node.style or ""
    if style in "|>" and style:
        # Block scalar: the content starts on the line after the header (`|-`, `>2 # c`).
        header_end = start
        while header_end < end and source.text[header_end] not in _BREAKS:
            header_end += 1
        return min(header_end + 1, end), end
    if style in ("'", '"'):
        return start + 1, max(start + 1, end - 1)
    return start, end


def scalar_position(
    source: SourceText, node: yaml.ScalarNode, value: str, line: int, column: int
) -> tuple[int, int]:
    """Map a 1-based (line, column) inside a scalar's ``value`` to the file's (line, column).

    Exact for plain and block scalars, whose source differs from the value only in
    whitespace (indentation, folded line breaks, chomping); best effort for quoted
    scalars with escapes. A position at or past the end of the value points just after
    its last non-blank character.
    """
    lines = value.split("\n")
    line = min(max(line, 1), len(lines))
    offset = sum(len(text) + 1 for text in lines[: line - 1]) + max(column, 1) - 1
    offset = min(offset, len(value))
    raw_start, raw_end = _raw_span(source, node)
    raw = source.text[raw_start:raw_end]

    stripped = value.rstrip(_SPACE)
    past_end = offset >= len(stripped)
    target = len(stripped) - 1 if past_end else offset
    if target < 0:  # a blank value: point at the scalar itself
        return source.position(raw_start)

    # Walk value and source together: a non-blank character is the next equal character
    # of the source; whitespace of the value takes one whitespace character of the source.
    p = 0
    index = 0
    for ch in value[: target + 1]:
        if ch in _SPACE:
            if p < len(raw) and raw[p] in _SPACE:
                index = p
                p += 1
            else:
                index = p
        else:
            found = raw.find(ch, p)
            if found < 0:
                index = p
            else:
                index = found
                p = found + 1
    line_no, col_no = source.position(raw_start + min(index, max(len(raw) - 1, 0)))
    return (line_no, col_no + 1) if past_end else (line_no, col_no)


# ---------------------------------------------------------------------------------------
# The fast path: the plain layout nearly every mapping file has, read without PyYAML.

#: A metric key or field name (what ``read_simple`` accepts) followed by ``:``.
_NAME = r"[A-Za-z_][A-Za-z0-9_.\-/]{0,200}"

#: ``key:`` at column 0, optionally followed by a comment.
_KEY_LINE = re.compile(rf"({_NAME}):(?: +(?:#.*)?)?")

#: ``<indent>field: value``: the value single-quoted (``''`` is a quote), double-quoted
#: without escapes, plain (certainly one line: no ``: `` or ``#``), or empty; then an
#: optional comment. Group 1 is the indentation, 2 the name, 3-5 the value's forms.
_FIELD_LINE = re.compile(
    rf"( +)({_NAME}):(?: +(?:"
    r"(?:'((?:[^']|'')*)'|\"([^\"\\]*)\"|([A-Za-z0-9_(][^#:]*?))(?: *| +#.*)"
    r"|#.*|))?"
)

#: A blank or comment-only line.
_SKIP_LINE = re.compile(r" *(?:#.*)?")

#: What the fast path accepts in ASCII text: printable characters and ``\n`` (tabs and
#: a ``\r`` not followed by ``\n`` are valid YAML but kept off the fast path).
_ASCII_NOT_SIMPLE = re.compile("[^\n\x20-\x7e]")

#: The same for other text; compiled on first use (the Unicode ranges take milliseconds).
#: Line breaks other than ``\n`` (``\x85``, ``\u2028``, ``\u2029``) and the BOM are kept off
#: it too: the fast path splits lines on ``\n`` only.
_UNICODE_NOT_SIMPLE = (
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)

#: Plain words the safe schema reads as booleans or null (exact spellings only).
_PLAIN_WORDS: dict[str, Any] = {
    **{word: True for word in ("yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON")},
    **{word: False for word in ("no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF")},
    **{word: None for word in ("null", "Null", "NULL")},
}

#: Plain scalars starting with a digit that are certainly a decimal int or a float.
_PLAIN_INT = re.compile(r"0|[1-9][0-9]*")
_PLAIN_FLOAT = re.compile(r"[0-9]+\.[0-9]*(?:[eE][-+][0-9]+)?")

#: Characters no int, float or timestamp spelling contains: a plain scalar starting with
#: a digit that holds one is a string (``2 * value``).
_OPERATOR = re.compile(r"[*/()^]")

#: A marker for "not on the fast path" (None is a value).
_NO = object()

#: One entry as :func:`read_simple` returns it: (metric key, {field name: value}).
SimpleEntry = tuple[str, dict[str, Any]]


def _number_or_text(text: str) -> Any:
    """The safe-schema value of a one-line plain scalar starting with a digit, or ``_NO``
    when unsure (octal, hex, sexagesimal, timestamps, ``1e3``, ...)."""
    if _PLAIN_INT.fullmatch(text):
        return int(text)
    if _PLAIN_FLOAT.fullmatch(text):
        return float(text)
    return text if _OPERATOR.search(text) else _NO


def read_simple(text: str) -> Optional[list[SimpleEntry]]:
    """Read a mapping file written in the plain layout, without PyYAML; None if it is not.

    The layout: top-level ``key:`` lines, each followed by ``field: value`` lines at one
    indentation, with blank and comment lines anywhere. Values are single-line plain
    scalars whose type is certain (strings, decimal ints, simple floats, the boolean and
    null words), quoted strings without escapes, or nothing (null). Anything else, and
    anything a problem report would be about (a repeated key or field, a key that is not
    a string, an entry without fields), returns None: the caller then composes the
    document with PyYAML, which reads it exactly and knows where everything is.

    >>> read_simple("cpu:\\n  unit: '%'  # percent\\n  counter: no\\n")
    [('cpu', {'unit': '%', 'counter': False})]
    >>> read_simple("cpu:\\n  unit: [a, b]\\n") is None
    True
    """
    if "\r" in text:  # Windows line ends are common; other uses of \r are left to PyYAML
        text = text.replace("\r\n", "\n")
    if text.isascii():
        if _ASCII_NOT_SIMPLE.search(text):
            return None
    elif re.search(_UNICODE_NOT_SIMPLE, text):
        return None
    entries: list[SimpleEntry] = []
    keys: set[str] = set()
    fields: dict[str, Any] = {}
    indent = ""
    key_line = _KEY_LINE.fullmatch
    field_line = _FIELD_LINE.fullmatch
    skip_line = _SKIP_LINE.fullmatch
    word = _PLAIN_WORDS.get
    for line in text.split("\n"):
        match: Union[re.Match[str], None] = field_line(line)
        if match is not None:
            spaces, name, single, double, plain = match.groups()
            if not entries or name in fields or name in _PLAIN_WORDS:
                return None
            if not fields:
                indent = spaces
            elif spaces != indent:
                return None
            if plain is not None:
                if plain[0].isdigit():
                    value = _number_or_text(plain)
                    if value is _NO:
                        return None
                else:  # a letter, '_' or '('
                    value = word(plain, plain)
            elif single is not None:
                value = single.replace("''", "'")
            else:
                value = double  # None when the value is empty: null
            fields[name] = value
            continue
        match = key_line(line)
        if match is not None:
            key = match.group(1)
            if (entries and not fields) or key in keys or key in _PLAIN_WORDS:
                return None
            keys.add(key)
            fields = {}
            entries.append((key, fields))
            continue
        if skip_line(line) is None:
            return None
    if not entries or not fields:
        return None
    return entries
