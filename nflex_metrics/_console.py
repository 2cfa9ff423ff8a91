"""What every ``nflex-metrics`` command shares: the program's name, its exit codes, and
how messages and mapping problems are printed (on stderr, never on stdout)."""

from __future__ import annotations

from collections.abc import Sequence

from ._io import say
from .errors import MappingProblem

__all__ = ["EXIT_OK", "EXIT_PROBLEMS", "EXIT_USAGE", "PROG", "error", "plural", "report_problems"]

PROG = "nflex-metrics"

#: Everything was valid / converted.
EXIT_OK = 0
#: A problem with the input: an invalid mapping, expression or sample.
EXIT_PROBLEMS = 1
#: A command line that cannot be understood (argparse uses the same code).
EXIT_USAGE = 2


def error(message: str) -> None:
    """``nflex-metrics: message`` on stderr (never on stdout; nowhere if stderr is gone)."""
    say(f"{PROG}: {message}")


def plural(count: int, word: str) -> str:
    """``count word`` or ``count words``, the count with thousands separators.

    >>> plural(1, "metric"), plural(1500, "case")
    ('1 metric', '1,500 cases')
    """
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def problem_text(problem: MappingProblem) -> str:
    """A problem as ``file:line:column: key: message`` and its caret lines, or as
    ``file: message`` for one about the whole file (line 0: it cannot be read)."""
    if problem.line:
        return str(problem)
    key = f"{problem.key}: " if problem.key is not None else ""
    return f"{problem.file}: {key}{problem.message}"


def report_problems(path: str, problems: Sequence[MappingProblem]) -> None:
    """A mapping's problems on stderr, and how many; a file that cannot be read is one
    line."""
    if len(problems) == 1 and not problems[0].line:
        error(problem_text(problems[0]))
        return
    for problem in problems:
        say(problem_text(problem))
    error(f"{path}: {plural(len(problems), 'problem')}")
