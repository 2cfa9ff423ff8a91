"""Mapping test files: pin what each metric of a mapping converts to, and run them.

A test file (named ``*.mapping-test.yaml``) names a mapping file and gives, per metric,
input variables and what they must convert to::

    mapping: mapping.yaml                # relative to this file
    tests:
      - metric: disk_usage
        cases:
          - {input: {disk_used: 30, disk_avail: 120}, expect: 25.0}
          - {input: {disk_used: 30, disk_avail: 0}, expect: null}
          - {input: {disk_used: 30}, error: VariableLookupError}
      - metric: cpu_usage
        tolerance: 1e-9                  # for every case of the metric
        cases:
          - {input: {value: 0.421}, expect: 42.1}
        fuzz: {ranges: {value: [0, 1]}, expect_range: [0, 100]}

``nflex-metrics test`` and the pytest plugin run the cases; ``nflex-metrics fuzz`` reads
the ``fuzz`` settings. The fuzzing API (``fuzz_entry``, ``fuzz_mapping``, ``FuzzResult``)
is importable from here too; it lives in :mod:`nflex_metrics.fuzzing` and needs
hypothesis, which is imported only when one of those names is. The rest needs PyYAML only.

>>> from nflex_metrics import parse_metric_mapping
>>> tests = parse_mapping_tests(
...     "mapping: m.yaml\\ntests:\\n- metric: cpu\\n  cases:\\n"
...     "  - {input: {value: 0.5}, expect: 50}\\n  - {input: {value: 0.5}, expect: 5}\\n",
...     source="cpu.mapping-test.yaml",
... )
>>> report = run_mapping_tests(tests, parse_metric_mapping("cpu: {conversion_expr: value * 100}"))
>>> [str(result) for result in report.failures]
['cpu.mapping-test.yaml:6: cpu: {"value": 0.5} → got 50.0, expected 5']
"""

from __future__ import annotations

import difflib
import json
import math
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional, Union

from .errors import (
    EvaluationError,
    MappingError,
    MappingProblem,
    NflexMetricsError,
    VariableLookupError,
    caret_lines,
)

if TYPE_CHECKING:
    from .mapping import MetricMapping, ParsedEntry

__all__ = [
    "ERRORS",
    "TEST_FILE_SUFFIXES",
    "CaseResult",
    "ConversionCase",
    "FileReport",
    "FuzzSettings",
    "MappingTestError",
    "MappingTests",
    "MetricTests",
    "check_mapping_tests",
    "inputs_text",
    "iter_cases",
    "load_mapping_tests",
    "load_tested_mapping",
    "parse_mapping_tests",
    "run_case",
    "run_mapping_tests",
]

#: How test files are named (the pytest plugin collects exactly these).
TEST_FILE_SUFFIXES = (".mapping-test.yaml", ".mapping-test.yml")

#: The error classes a case may expect, by name: what converting a sample can raise.
#: A case passes when the error raised is the class named or a subclass, as ``except``.
ERRORS: Mapping[str, type[Exception]] = {
    "NflexMetricsError": NflexMetricsError,
    "EvaluationError": EvaluationError,
    "VariableLookupError": VariableLookupError,
}

# ---------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class ConversionCase:
    """One case: input variables and what converting them must give — a number (exact,
    or within ``tolerance`` absolute or ``rel_tolerance`` relative), NULL (``expect`` and
    ``error`` both None), or an error of the class named by ``error``."""

    inputs: Mapping[str, Any]
    expect: Optional[float] = None  # an int from the file stays an int: exact past 2**53
    error: Optional[str] = None
    tolerance: float = 0.0
    rel_tolerance: float = 0.0
    #: Where the case starts in its test file (1-based; 0 when built by hand).
    line: int = 0
    column: int = 0

    def accepts(self, got: object) -> bool:
        """Whether ``got`` (a converted value, or the exception raised) is what is expected."""
        if self.error is not None:
            return isinstance(got, ERRORS[self.error])
        if isinstance(got, BaseException):
            return False
        if self.expect is None:
            return got is None
        if isinstance(got, bool) or not isinstance(got, (int, float)):
            return False
        if got == self.expect:
            return True
        tolerances = {"abs_tol": self.tolerance, "rel_tol": self.rel_tolerance}
        return any(tolerances.values()) and math.isclose(got, self.expect, **tolerances)

    def expected_text(self) -> str:
        """What is expected, as failure messages show it."""
        if self.error is not None:
            return self.error
        if self.expect is None:
            return "null"
        within = [f"± {self.tolerance!r}"] if self.tolerance else []
        within += [f"± {self.rel_tolerance!r} relative"] if self.rel_tolerance else []
        return " ".join([repr(self.expect), *within])


@dataclass(frozen=True)
class FuzzSettings:
    """How ``nflex-metrics fuzz`` searches one metric's variables.

    ``ranges`` bounds variables (default: every finite number >= 0); ``nullable`` says
    whether variables may be NULL (True, False, or the names that may be);
    ``expect_range``, when given, is where every numeric result must lie.
    """

    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    nullable: Union[bool, frozenset[str]] = True
    expect_range: Optional[tuple[float, float]] = None
    line: int = 0
    column: int = 0

    def names(self) -> set[str]:
        """The variables these settings name."""
        return set(self.ranges) | (set() if isinstance(self.nullable, bool) else self.nullable)


@dataclass(frozen=True)
class MetricTests:
    """The cases and fuzz settings of one metric; ``line``/``column`` locate its key."""

    metric: str
    cases: tuple[ConversionCase, ...] = ()
    fuzz: Optional[FuzzSettings] = None
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class MappingTests:
    """A loaded test file: ``mapping`` is the path of the mapping file it tests (relative
    paths resolved against the test file's directory)."""

    file: str
    mapping: str
    metrics: tuple[MetricTests, ...]
    mapping_line: int = 0
    mapping_column: int = 0
    #: The test file's text, for the snippets of problem reports.
    text: str = field(default="", repr=False, compare=False)

    def problem(self, line: int, column: int, key: Optional[str], message: str) -> MappingProblem:
        """A problem at ``line``:``column`` of this test file, with a caret snippet."""
        return _problem(self.file, self.text, line, column, key, message)


class MappingTestError(NflexMetricsError, ValueError):
    """A test file that cannot be run: every problem found, each with file, line and column
    (``problems`` holds :class:`~nflex_metrics.errors.MappingProblem` objects)."""

    def __init__(self, problems: Sequence[MappingProblem]) -> None:
        self.problems: tuple[MappingProblem, ...] = tuple(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in mapping test file"
        super().__init__("\n".join([head, *(str(p) for p in self.problems)]))

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.problems,))


def _problem(
    file: str, text: str, line: int, column: int, key: Optional[str], message: str
) -> MappingProblem:
    snippet = ""
    if text and line > 0:
        from ._yaml import SourceText

        snippet = caret_lines(SourceText(text).line(line), 1, column, "").rstrip()
    return MappingProblem(file, line, column, key, message, snippet)


# ---------------------------------------------------------------------------- loading


def load_mapping_tests(path: Union[str, os.PathLike[str]]) -> MappingTests:
    """Read a test file; raises :class:`MappingTestError` listing every problem in it."""
    from .mapping import MAX_FILE_BYTES, read_regular_file

    shown = os.fspath(path)
    try:
        data = read_regular_file(shown, MAX_FILE_BYTES)
    except (OSError, ValueError) as err:
        why = (err.strerror or str(err)) if isinstance(err, OSError) else str(err)
        message = f"cannot read the test file: {why}"
        raise MappingTestError([MappingProblem(shown, 0, 0, None, message)]) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        problem = MappingProblem(shown, 0, 0, None, f"the file is not UTF-8 text: {err.reason}")
        raise MappingTestError([problem]) from None
    return parse_mapping_tests(text, source=shown, directory=os.path.dirname(shown))


def parse_mapping_tests(
    text: str, *, source: str = "<string>", directory: str = ""
) -> MappingTests:
    """Read a test file's text; ``source`` names it in reports and ``directory`` is where
    a relative ``mapping`` path starts. Raises :class:`MappingTestError`."""
    from ._testfile import read_mapping_tests

    tests, problems = read_mapping_tests(text, source, directory)
    if problems or tests is None:
        raise MappingTestError(sorted(problems, key=lambda p: (p.line, p.column)))
    return tests


# ---------------------------------------------------------------------------- checking


def load_tested_mapping(tests: MappingTests) -> MetricMapping:
    """Load the mapping a test file names and check the file against it.

    Raises :class:`MappingTestError` (no such mapping file, a metric it does not have,
    fuzz settings for variables the metric does not read) or
    :class:`~nflex_metrics.errors.MappingError` (the mapping itself has problems).
    """
    from .mapping import load_metric_mapping

    if not os.path.isfile(tests.mapping):
        problem = tests.problem(
            tests.mapping_line,
            tests.mapping_column,
            None,
            f"the mapping file {tests.mapping!r} does not exist",
        )
        raise MappingTestError([problem])
    mapping = load_metric_mapping(tests.mapping)
    problems = check_mapping_tests(tests, mapping)
    if problems:
        raise MappingTestError(problems)
    return mapping


def check_mapping_tests(
    tests: MappingTests, mapping: Mapping[str, ParsedEntry]
) -> list[MappingProblem]:
    """The problems of a test file against its mapping: metrics the mapping does not have,
    fuzz settings for a metric without a conversion or for variables it does not read."""
    problems: list[MappingProblem] = []
    for metric in tests.metrics:
        entry = mapping.get(metric.metric)
        if entry is None:
            close = difflib.get_close_matches(metric.metric, [str(key) for key in mapping], 1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            message = f"metric {metric.metric!r} is not in {tests.mapping}{hint}"
            problems.append(tests.problem(metric.line, metric.column, metric.metric, message))
            continue
        fuzz = metric.fuzz
        if fuzz is None:
            continue
        expression = entry.expression
        if expression is None:
            message = "fuzz: the metric has no conversion_expr, so there is nothing to fuzz"
            problems.append(tests.problem(fuzz.line, fuzz.column, metric.metric, message))
            continue
        unknown = sorted(fuzz.names() - expression.variables)
        if unknown:
            reads = ", ".join(sorted(expression.variables)) or "no variables"
            message = (
                f"fuzz names {', '.join(unknown)}, which the conversion does not read "
                f"(it reads {reads})"
            )
            problems.append(tests.problem(fuzz.line, fuzz.column, metric.metric, message))
    return problems


# ---------------------------------------------------------------------------- running


@dataclass(frozen=True)
class CaseResult:
    """The outcome of one case: ``got`` is the converted value or the exception raised."""

    file: str
    metric: str
    #: The case's number among its metric's cases, from 1.
    index: int
    case: ConversionCase
    got: object
    passed: bool

    @property
    def name(self) -> str:
        """``metric[index]``: how the pytest plugin and JUnit reports name the case."""
        return f"{self.metric}[{self.index}]"

    def got_text(self) -> str:
        """What the conversion gave, as failure messages show it."""
        return _value_text(self.got)

    def __str__(self) -> str:
        """``file:line: metric: input → got X, expected Y``."""
        return (
            f"{self.file}:{self.case.line}: {self.metric}: {inputs_text(self.case.inputs)} "
            f"→ got {self.got_text()}, expected {self.case.expected_text()}"
        )


@dataclass(frozen=True)
class FileReport:
    """What running one test file gave: the problems that kept it from running (a broken
    test file or mapping), or the result of every case."""

    file: str
    problems: tuple[MappingProblem, ...] = ()
    results: tuple[CaseResult, ...] = ()
    #: The metrics the mapping has, and how many of them the file tests.
    metrics: int = 0
    tested: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and all(result.passed for result in self.results)

    @property
    def failures(self) -> tuple[CaseResult, ...]:
        return tuple(result for result in self.results if not result.passed)

    def summary(self) -> str:
        """One line: ``file: ok: 40 cases, 15 of 15 metrics tested`` or what failed."""
        if self.problems:
            count = len(self.problems)
            return f"{self.file}: {count} problem{'s' if count != 1 else ''}"
        failed, total = len(self.failures), len(self.results)
        cases = f"{total} case{'s' if total != 1 else ''}"
        if failed:
            return f"{self.file}: {failed} of {cases} failed"
        return f"{self.file}: ok: {cases}, {self.tested} of {self.metrics} metrics tested"


def run_case(entry: ParsedEntry, case: ConversionCase) -> tuple[bool, object]:
    """Convert the case's input with ``entry``: (passed, the value or the exception)."""
    try:
        got: object = entry.value(**case.inputs)
    except Exception as err:  # what the case may expect, or a failure to report
        got = err
    return case.accepts(got), got


def run_mapping_tests(
    tests: Union[MappingTests, str, os.PathLike[str]],
    mapping: Optional[Mapping[str, ParsedEntry]] = None,
) -> FileReport:
    """Run a test file (a path or a loaded one) against its mapping (or ``mapping``).

    Never raises for bad input: a broken test file or mapping is reported in
    :attr:`FileReport.problems`.
    """
    file = tests.file if isinstance(tests, MappingTests) else os.fspath(tests)
    try:
        if not isinstance(tests, MappingTests):
            tests = load_mapping_tests(tests)
        if mapping is None:
            mapping = load_tested_mapping(tests)
        else:
            problems = check_mapping_tests(tests, mapping)
            if problems:
                raise MappingTestError(problems)
    except (MappingTestError, MappingError) as err:
        return FileReport(file, err.problems)
    results = []
    for metric, index, case in iter_cases(tests):
        passed, got = run_case(mapping[metric.metric], case)
        results.append(CaseResult(file, metric.metric, index, case, got, passed))
    tested = sum(1 for metric in tests.metrics if metric.cases)
    return FileReport(file, (), tuple(results), len(mapping), tested)


def iter_cases(tests: MappingTests) -> Iterator[tuple[MetricTests, int, ConversionCase]]:
    """Every case of a test file with its metric and its number (from 1), in file order."""
    for metric in tests.metrics:
        for index, case in enumerate(metric.cases, 1):
            yield metric, index, case


def inputs_text(inputs: Mapping[str, Any]) -> str:
    """A case's input as reports show it: JSON (``{"value": 0.5}``)."""
    return json.dumps(dict(inputs), default=repr, ensure_ascii=False)


def _value_text(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, BaseException):
        return f"{type(value).__name__}: {value}"
    return repr(value)


#: Names of :mod:`nflex_metrics.fuzzing` this module offers too, imported on first use.
_FUZZING = ("DEFAULT_MAX_EXAMPLES", "FuzzFinding", "FuzzResult", "fuzz_entry", "fuzz_mapping")


def __getattr__(name: str) -> Any:
    if name in _FUZZING:
        from . import fuzzing

        return getattr(fuzzing, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
