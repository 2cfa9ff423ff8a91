"""Reading mapping test files: their YAML nodes become the model of
:mod:`nflex_metrics.testing`, and every problem is collected with its line and column
(PyYAML's node marks), the way the mapping loader reports mapping files."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping, Sequence
from typing import Any, Optional, Union

import yaml

from . import _yaml
from .errors import MappingProblem
from .testing import (
    ERRORS,
    ConversionCase,
    FuzzSettings,
    MappingTests,
    MetricTests,
    _problem,
)

__all__ = ["read_mapping_tests"]

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
_INT_TAG = "tag:yaml.org,2002:int"
_NUMBER_TAGS = (_INT_TAG, "tag:yaml.org,2002:float")


class _Reader:
    """Walks a test file's YAML nodes, building the model and collecting problems."""

    document: _yaml.Document

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.text = text
        self.problems: list[MappingProblem] = []

    def add(self, line: int, column: int, key: Optional[str], message: str) -> None:
        self.problems.append(_problem(self.file, self.text, line, column, key, message))

    def problem(self, node: yaml.Node, key: Optional[str], message: str) -> None:
        self.add(*_position(node), key, message)

    def read(self, directory: str) -> Optional[MappingTests]:
        try:  # composed, measured and built as a mapping file is
            self.document = _yaml.compose(_yaml.SourceText(self.text))
            try:
                return self._read(directory, self.document.root)
            finally:
                self.document.dispose()
        except _yaml.DocumentError as err:  # the file is refused as a whole
            self.problems = []
            self.add(err.line, err.column, None, err.message)
            return None

    def _read(self, directory: str, root: Optional[yaml.Node]) -> Optional[MappingTests]:
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
        if isinstance(node, yaml.ScalarNode) and node.tag == _INT_TAG:
            # An int stays exact: a value past 2**53 passes through unconverted entries.
            value = self.construct(node, metric)
            return (True, value) if value is not _INVALID else (False, None)
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
        if _is_plain_number(node):
            return float(node.value)
        try:
            return self.document.value(node)
        except _yaml.ValueProblem as err:
            self.add(err.line, err.column, metric, err.message)
            return _INVALID

    def string(self, node: yaml.Node, metric: Optional[str], what: str) -> Optional[str]:
        if isinstance(node, yaml.ScalarNode) and node.tag == _STR_TAG:
            value: str = node.value
            if value:
                return value
        self.problem(node, metric, f"{what} must be a non-empty string, got {_describe(node)}")
        return None

    def number(self, node: yaml.Node, metric: str, what: str, hint: str = "") -> Optional[float]:
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
        and isinstance(node, yaml.ScalarNode)
        and not node.style  # plain: None from PyYAML's composer, '' from libyaml's
        and _NUMBER_TEXT.fullmatch(node.value) is not None
    )


def _describe(node: yaml.Node) -> str:
    """What a node is, with a scalar's text: 'a list', "the string 'x'", 'an int 5'."""
    what = _yaml.describe(node)
    if not isinstance(node, yaml.ScalarNode) or what == "null":
        return what
    return f"the string {node.value!r}" if what == "a string" else f"{what} {node.value}"


def read_mapping_tests(
    text: str, source: str, directory: str
) -> tuple[Optional[MappingTests], list[MappingProblem]]:
    """The tests in ``text`` (None if nothing usable) and every problem found."""
    reader = _Reader(source, text)
    return reader.read(directory), reader.problems
