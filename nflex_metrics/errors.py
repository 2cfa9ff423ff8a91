"""The engine's one exception hierarchy.

Every error the engine raises on bad input derives from :class:`NflexMetricsError`::

    NflexMetricsError
    +-- ExpressionSyntaxError (also a ValueError)   text that is not in the language
    |   +-- ExpressionTooComplex                     text past a configured limit
    +-- EvaluationError (also an ArithmeticError)    a value that cannot be computed
    |   +-- VariableLookupError (also a KeyError)    a referenced variable is absent
    +-- MappingError (also a ValueError)             a mapping file with problems

:class:`VariableLookupError` is the class 0.2.0 exported from
``nflex_connector_utils.parser``; it is one class object wherever it is imported from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Optional

__all__ = [
    "EvaluationError",
    "ExpressionSyntaxError",
    "ExpressionTooComplex",
    "MappingError",
    "MappingProblem",
    "NflexMetricsError",
    "VariableLookupError",
    "caret_lines",
]


class NflexMetricsError(Exception):
    """Base class of every error raised by the engine."""


#: How a source line is shown above its caret. Characters that would move a terminal's
#: cursor (or, for ``str.splitlines``, end a line) are shown as spaces, and every other
#: control character but the tab as ``?``: one column each, so that the caret stays under
#: its column, and an escape sequence in a hostile text never acts on the terminal.
_SHOWN = str.maketrans(
    {
        **dict.fromkeys(map(chr, [*range(0x20), 0x7F, *range(0x80, 0xA0)]), "?"),
        **dict.fromkeys("\r\v\f\x1c\x1d\x1e\x85\u2028\u2029", " "),
        "\t": "\t",
    }
)


def caret_lines(source: str, line: int, column: int, message: str) -> str:
    """Render the source line at ``line`` (1-based) with a caret under ``column`` (1-based).

    Lines end at ``\\n`` only, as the expression parser counts them: a ``\\r`` is
    whitespace inside a line, shown as a space like the other characters a terminal
    would move the cursor for; other control characters are shown as ``?``.

    >>> print(caret_lines("value * / 10", 1, 9, "expected a number"))
    value * / 10
            ^ expected a number
    >>> print(caret_lines("value *\\r/ 10", 1, 9, "expected a number"))
    value * / 10
            ^ expected a number
    """
    lines = source.split("\n")
    text = lines[line - 1] if 1 <= line <= len(lines) else ""
    text = text.translate(_SHOWN)
    # Tabs are kept so that the caret lines up in a terminal.
    pad = "".join("\t" if ch == "\t" else " " for ch in text[: max(column - 1, 0)])
    return f"{text}\n{pad}^ {message}"


class ExpressionSyntaxError(NflexMetricsError, ValueError):
    """Text that is not a valid expression.

    Carries the ``source``, the 1-based ``line`` and ``column`` of the problem,
    the ``expected`` token descriptions (possibly empty) and a short ``message``.
    ``str(err)`` is the message followed by a caret rendering of the line.
    """

    def __init__(
        self,
        message: str,
        source: str,
        line: int,
        column: int,
        expected: Sequence[str] = (),
    ) -> None:
        self.message = message
        self.source = source
        self.line = line
        self.column = column
        self.expected: tuple[str, ...] = tuple(expected)
        super().__init__(self.render())

    def render(self) -> str:
        """The caret rendering: the offending source line and a caret under the column."""
        return caret_lines(self.source, self.line, self.column, self.message)

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.message, self.source, self.line, self.column, self.expected))


class ExpressionTooComplex(ExpressionSyntaxError):
    """Text past one of the configured :class:`~nflex_metrics.limits.Limits`."""


class EvaluationError(NflexMetricsError, ArithmeticError):
    """A value that cannot be computed: a variable of the wrong type, an overflow,
    a result that is not a real number."""


class VariableLookupError(EvaluationError, KeyError):
    """A variable on the evaluated path is absent from the variables given.

    ``name`` is the missing variable. Kept as the 0.2.0 name so that
    ``except VariableLookupError`` in deployed connectors keeps working.
    """

    def __init__(self, name: str, message: Optional[str] = None) -> None:
        self.name = name
        super().__init__(message or f"variable {name!r} is not defined")

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.name, self.args[0]))


@dataclass(frozen=True)
class MappingProblem:
    """One problem in a metric mapping file: what, where (file, line, column) and which key."""

    file: str
    line: int
    column: int
    key: Optional[str]
    message: str
    #: Caret rendering of the offending line, when the source text is known.
    snippet: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}: "
        key = f"{self.key}: " if self.key is not None else ""
        text = f"{where}{key}{self.message}"
        return f"{text}\n{self.snippet}" if self.snippet else text


class MappingError(NflexMetricsError, ValueError):
    """Every problem found in one mapping file, reported together."""

    def __init__(self, problems: Sequence[MappingProblem]) -> None:
        self.problems: tuple[MappingProblem, ...] = tuple(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in metric mapping"
        super().__init__("\n".join([head, *(str(p) for p in self.problems)]))

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.problems,))
