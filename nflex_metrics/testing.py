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

``nflex-metrics test`` and the pytest plugin run the cases; ``nflex-metrics fuzz``
(:mod:`nflex_metrics.fuzzing`, which needs hypothesis) reads the ``fuzz`` settings.
This module needs PyYAML only.

>>> from nflex_metrics import parse_metric_mapping
>>> tests = parse_mapping_tests(
...     "mapping: m.yaml\\ntests:\\n- metric: cpu\\n  cases:\\n"
...     "  - {input: {value: 0.5}, expect: 50}\\n  - {input: {value: 0.5}, expect: 5}\\n",
...     source="cpu.mapping-test.yaml",
... )
>>> report = run_mapping_tests(tests, parse_metric_mapping("cpu: {conversion_expr: value * 100}"))
>>> [str(result) for result in report.failures]
['cpu.mapping-test.yaml:6: cpu: {"value": 0.5} → got 50.0, expected 5.0']
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
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
    import yaml

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

_TOP_KEYS = ("mapping", "tests")
_METRIC_KEYS = ("metric", "cases", "tolerance", "rel_tolerance", "fuzz")
_CASE_KEYS = ("input", "expect", "error", "tolerance", "rel_tolerance")
_FUZZ_KEYS = ("ranges", "nullable", "expect_range")

#: A number YAML 1.1 reads as text: ``1e-9``, ``2E+5`` (its floats need a dot).
_NUMBER_TEXT = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
#: A variable name of the expression language.
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")

_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


# ---------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class ConversionCase:
    """One case: input variables and what converting them must give — a number (exact,
    or within ``tolerance`` absolute or ``rel_tolerance`` relative), NULL (``expect`` and
    ``error`` both None), or an error of the class named by ``error``."""

    inputs: Mapping[str, Any]
    expect: Optional[float] = None
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
    shown = os.fspath(path)
    try:
        with open(shown, "rb") as handle:
            data = handle.read()
    except OSError as err:
        message = f"cannot read the test file: {err.strerror or err}"
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
    reader = _Reader(source, text)
    tests = reader.read(directory)
    if reader.problems or tests is None:
        raise MappingTestError(sorted(reader.problems, key=lambda p: (p.line, p.column)))
    return tests


class _Reader:
    """Walks a test file's YAML nodes, building the model and collecting problems."""

    def __init__(self, file: str, text: str) -> None:
        import yaml

        self.file = file
        self.text = text
        self.problems: list[MappingProblem] = []
        self.loader = yaml.SafeLoader(text)

    def add(self, line: int, column: int, key: Optional[str], message: str) -> None:
        self.problems.append(_problem(self.file, self.text, line, column, key, message))

    def problem(self, node: yaml.Node, key: Optional[str], message: str) -> None:
        self.add(*_position(node), key, message)

    def read(self, directory: str) -> Optional[MappingTests]:
        try:
            return self._read(directory)
        finally:
            self.loader.dispose()

    def _read(self, directory: str) -> Optional[MappingTests]:
        import yaml

        try:
            root = self.loader.get_single_node()
        except yaml.MarkedYAMLError as err:
            mark = err.problem_mark or err.context_mark
            line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            what = "; ".join(str(part) for part in (err.context, err.problem) if part)
            self.add(line, column, None, f"YAML syntax error: {what}")
            return None
        except yaml.reader.ReaderError as err:  # a character YAML does not allow
            from ._yaml import SourceText

            line, column = SourceText(self.text).position(err.position)
            self.add(line, column, None, f"YAML syntax error: {err.reason}")
            return None
        hint = "expected a mapping with `mapping: FILE` and `tests: [...]`"
        if root is None:
            self.add(1, 1, None, f"the file is empty; {hint}")
            return None
        fields = self.fields(root, None, "the test file", _TOP_KEYS)
        if fields is None:
            return None
        mapping_node, tests_node = fields.get("mapping"), fields.get("tests")
        if mapping_node is None:
            self.problem(root, None, "no `mapping:` (the mapping file to test)")
        if tests_node is None:
            self.problem(root, None, "no `tests:` (a list of metrics and their cases)")
        mapping = self.string(mapping_node, None, "mapping") if mapping_node else None
        metrics = self.metrics(tests_node) if tests_node is not None else ()
        if mapping is None or mapping_node is None:
            return None
        return MappingTests(
            self.file,
            os.path.join(directory, mapping),
            metrics,
            *_position(mapping_node),
            text=self.text,
        )

    # -- the parts

    def metrics(self, node: yaml.Node) -> tuple[MetricTests, ...]:
        import yaml

        if not isinstance(node, yaml.SequenceNode) or not node.value:
            what = "empty" if isinstance(node, yaml.SequenceNode) else _describe(node)
            self.problem(node, None, f"tests is {what}; expected a list of `- metric: KEY` items")
            return ()
        metrics: list[MetricTests] = []
        first: dict[str, int] = {}
        for item in node.value:
            fields = self.fields(item, None, "a tests item", _METRIC_KEYS)
            if fields is None:
                continue
            metric_node = fields.get("metric")
            if metric_node is None:
                self.problem(item, None, "a tests item without `metric:` (the metric key to test)")
                continue
            metric = self.string(metric_node, None, "metric")
            if metric is None:
                continue
            line, column = _position(metric_node)
            if metric in first:
                self.problem(
                    metric_node,
                    metric,
                    f"metric {metric!r} is already tested on line {first[metric]}; "
                    "put its cases together",
                )
            first.setdefault(metric, line)
            defaults = {
                name: self.tolerance(fields[name], metric, name)
                for name in ("tolerance", "rel_tolerance")
                if name in fields
            }
            cases = self.cases(fields["cases"], metric, defaults) if "cases" in fields else ()
            fuzz = self.fuzz(fields["fuzz"], metric) if "fuzz" in fields else None
            if "cases" not in fields and "fuzz" not in fields:
                self.problem(item, metric, "nothing to test: give `cases:`, `fuzz:` or both")
            metrics.append(MetricTests(metric, cases, fuzz, line, column))
        return tuple(metrics)

    def cases(
        self, node: yaml.Node, metric: str, defaults: Mapping[str, float]
    ) -> tuple[ConversionCase, ...]:
        import yaml

        if not isinstance(node, yaml.SequenceNode) or not node.value:
            what = "empty" if isinstance(node, yaml.SequenceNode) else _describe(node)
            self.problem(node, metric, f"cases is {what}; expected a list of `{{input: ...}}`")
            return ()
        cases = (self.case(item, metric, defaults) for item in node.value)
        return tuple(case for case in cases if case is not None)

    def case(
        self, node: yaml.Node, metric: str, defaults: Mapping[str, float]
    ) -> Optional[ConversionCase]:
        fields = self.fields(node, metric, "a case", _CASE_KEYS)
        if fields is None:
            return None
        ok = True
        inputs = self.inputs(fields["input"], metric) if "input" in fields else None
        if "input" not in fields:
            self.problem(node, metric, "a case without `input:` (the variables, `{}` for none)")
        expect, error = None, None
        if ("expect" in fields) == ("error" in fields):
            self.problem(
                node, metric, "a case needs one of `expect:` (a number or null) or `error:`"
            )
            ok = False
        elif "expect" in fields:
            ok, expect = self.expected(fields["expect"], metric)
        else:
            error = self.error(fields["error"], metric)
            ok = error is not None
        tolerances = dict(defaults)
        for name in ("tolerance", "rel_tolerance"):
            if name in fields:
                tolerances[name] = self.tolerance(fields[name], metric, name)
                if expect is None and ok:
                    self.problem(fields[name], metric, f"{name} needs a number to `expect:`")
                    ok = False
        if inputs is None or not ok:
            return None
        line, column = _position(node)
        return ConversionCase(inputs, expect, error, line=line, column=column, **tolerances)

    def inputs(self, node: yaml.Node, metric: str) -> Optional[dict[str, Any]]:
        fields = self.fields(node, metric, "input", None)
        if fields is None:
            return None
        inputs: dict[str, Any] = {}
        for name, value_node in fields.items():
            if not _NAME.fullmatch(name):
                self.problem(
                    value_node,
                    metric,
                    f"input {name!r} is not a variable name (a letter, then letters, digits or _)",
                )
                continue
            value = self.construct(value_node, metric)
            if value is not _INVALID:
                inputs[name] = value
        return inputs

    def expected(self, node: yaml.Node, metric: str) -> tuple[bool, Optional[float]]:
        if _is_null(node):
            return True, None
        value = self.number(
            node, metric, "expect", hint=" (for an error, write `error: ClassName`)"
        )
        if value is None:
            return False, None
        if math.isnan(value):
            self.problem(node, metric, "expect is NaN, which equals nothing")
            return False, None
        return True, value

    def error(self, node: yaml.Node, metric: str) -> Optional[str]:
        name = self.string(node, metric, "error")
        if name is not None and name not in ERRORS:
            self.problem(
                node, metric, f"unknown error class {name!r}; expected one of {', '.join(ERRORS)}"
            )
            return None
        return name

    def tolerance(self, node: yaml.Node, metric: str, name: str) -> float:
        value = self.number(node, metric, name)
        if value is None:
            return 0.0
        if not value >= 0:  # NaN too
            self.problem(node, metric, f"{name} must be a number >= 0, got {value!r}")
            return 0.0
        return value

    def fuzz(self, node: yaml.Node, metric: str) -> Optional[FuzzSettings]:
        import yaml

        fields = self.fields(node, metric, "fuzz", _FUZZ_KEYS)
        if fields is None:
            return None
        ranges: dict[str, tuple[float, float]] = {}
        if "ranges" in fields:
            for name, range_node in (
                self.fields(fields["ranges"], metric, "ranges", None) or {}
            ).items():
                bounds = self.range(range_node, metric, f"the range of {name}", finite=True)
                if bounds is not None:
                    ranges[name] = bounds
        nullable: Union[bool, frozenset[str]] = True
        if "nullable" in fields:
            value_node = fields["nullable"]
            if isinstance(value_node, yaml.SequenceNode):
                names = [self.string(item, metric, "a nullable name") for item in value_node.value]
                nullable = frozenset(name for name in names if name is not None)
            else:
                value = self.construct(value_node, metric)
                if isinstance(value, bool):
                    nullable = value
                elif value is not _INVALID:
                    self.problem(
                        value_node,
                        metric,
                        f"nullable must be true, false or a list of variable names, "
                        f"got {_describe(value_node)}",
                    )
        expect_range = None
        if "expect_range" in fields:
            expect_range = self.range(fields["expect_range"], metric, "expect_range", finite=False)
        return FuzzSettings(ranges, nullable, expect_range, *_position(node))

    def range(
        self, node: yaml.Node, metric: str, what: str, *, finite: bool
    ) -> Optional[tuple[float, float]]:
        import yaml

        if not isinstance(node, yaml.SequenceNode) or len(node.value) != 2:
            self.problem(node, metric, f"{what} must be a list [LOW, HIGH], got {_describe(node)}")
            return None
        low, high = (self.number(item, metric, what) for item in node.value)
        if low is None or high is None:
            return None
        if not low <= high or (finite and not (math.isfinite(low) and math.isfinite(high))):
            kind = "finite numbers " if finite else "numbers "
            self.problem(
                node, metric, f"{what} must be {kind}with LOW <= HIGH, got [{low}, {high}]"
            )
            return None
        return low, high

    # -- scalars and mappings

    def fields(
        self, node: yaml.Node, metric: Optional[str], what: str, known: Optional[Sequence[str]]
    ) -> Optional[dict[str, yaml.Node]]:
        """The pairs of a mapping node by key; reports a node that is not a mapping, keys
        that are not strings, duplicate keys, and keys not in ``known``."""
        import yaml

        if not isinstance(node, yaml.MappingNode):
            self.problem(node, metric, f"{what} must be a mapping, got {_describe(node)}")
            return None
        fields: dict[str, yaml.Node] = {}
        lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key_node.tag == _MERGE_TAG:
                self.problem(
                    key_node,
                    metric,
                    "merge keys (<<) are not supported in test files; "
                    "use an alias (*name) for a whole value",
                )
            elif key_node.tag != _STR_TAG:
                self.problem(
                    key_node, metric, f"a key of {what} must be a string, got {_describe(key_node)}"
                )
            elif key in fields:
                self.problem(
                    key_node, metric, f"duplicate key {key!r} (first on line {lines[key]})"
                )
            elif known is not None and key not in known:
                self.problem(
                    key_node, metric, f"unknown key {key!r} in {what} (expected {', '.join(known)})"
                )
            else:
                fields[key] = value_node
                lines[key] = _position(key_node)[0]
        return fields

    def construct(self, node: yaml.Node, metric: str) -> Any:
        """The Python value of a node; a plain scalar such as ``1e-9`` is a number."""
        import yaml

        if _is_plain_number(node):
            return float(node.value)
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.YAMLError as err:
            self.problem(node, metric, f"{getattr(err, 'problem', None) or err}")
            return _INVALID

    def string(self, node: yaml.Node, metric: Optional[str], what: str) -> Optional[str]:
        import yaml

        if isinstance(node, yaml.ScalarNode) and node.tag == _STR_TAG:
            value: str = node.value
            if value:
                return value
        self.problem(node, metric, f"{what} must be a non-empty string, got {_describe(node)}")
        return None

    def number(self, node: yaml.Node, metric: str, what: str, hint: str = "") -> Optional[float]:
        import yaml

        if _is_plain_number(node):
            return float(node.value)
        if isinstance(node, yaml.ScalarNode) and node.tag in _NUMBER_TAGS:
            value = self.construct(node, metric)
            if value is not _INVALID:
                return float(value)
            return None
        self.problem(node, metric, f"{what} must be a number, got {_describe(node)}{hint}")
        return None


#: What :meth:`_Reader.construct` returns for a node it could not construct.
_INVALID = object()


def _position(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _is_null(node: yaml.Node) -> bool:
    return str(node.tag).endswith(":null")


def _is_plain_number(node: yaml.Node) -> bool:
    """A plain (unquoted) scalar that reads as a number though YAML 1.1 calls it text."""
    return (
        node.tag == _STR_TAG
        and getattr(node, "style", "") is None
        and _NUMBER_TEXT.fullmatch(node.value) is not None
    )


def _describe(node: yaml.Node) -> str:
    import yaml

    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    tag = str(node.tag).rsplit(":", 1)[-1]
    if tag == "null":
        return "null"
    if tag == "str":
        return f"the string {node.value!r}"
    return f"{tag} {node.value}"


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
