"""Line and column numbers in a YAML text: :class:`SourceText` turns PyYAML's marks and
text offsets into 1-based line and column numbers, and :func:`scalar_position` a
position inside a scalar's *value* into one in the file."""

from __future__ import annotations

import bisect
import re
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    import yaml

__all__ = ["SourceText", "scalar_position"]

#: The line breaks YAML recognises (``\r\n`` counts as one).
_BREAKS = "\r\n\x85\u2028\u2029"

#: One line break (``\r\n`` is one break, a lone ``\r`` another).
_BREAK_PATTERN = "\r\n?|[\n\x85\u2028\u2029]"

#: Characters a scalar's *value* may hold where its source text holds other whitespace.
_SPACE = " \t" + _BREAKS


class SourceText:
    """A document's text with a table of line starts, for converting marks and offsets.

    Lines end at the line breaks YAML recognises (``\\n``, ``\\r\\n``, a lone ``\\r``,
    ``\\x85``, ``\\u2028``, ``\\u2029``), as PyYAML counts them in its marks.

    >>> src = SourceText("a: 1\\rb: 2\\n")
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

    def excerpt(self, line: int, column: int, width: int) -> tuple[str, int]:
        """At most ``width`` characters of a 1-based line around a 1-based column, with
        ``...`` where the line is cut, and that column's place in the excerpt.

        >>> SourceText("a" * 50 + "^" + "b" * 50).excerpt(1, 51, 10)
        ('...aaaaa^bbbb...', 9)
        """
        if not 1 <= line <= len(self._starts):
            return "", column
        start = self._starts[line - 1]
        end = self._starts[line] if line < len(self._starts) else len(self.text)
        while end > start and self.text[end - 1] in _BREAKS:  # the line break ("\r\n")
            end -= 1
        if end - start <= width:
            return self.text[start:end], column
        first = max(start, min(start + column - 1 - width // 2, end - width))
        last = first + width
        text = self.text[first:last]
        column -= first - start
        if first > start:
            text = "..." + text
            column += 3
        if last < end:
            text += "..."
        return text, column


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

    Lines of the value end at ``\\n``, as the expression parser counts them. Exact for
    plain and block scalars, whose source differs from the value only in whitespace
    (indentation, folded line breaks, chomping); best effort for quoted scalars with
    escapes. A position at or past the end of the value points just after its last
    non-blank character.
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
