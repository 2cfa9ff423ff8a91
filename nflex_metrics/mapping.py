"""Metric mapping files: ``mapping.yaml`` -> :class:`MetricMapping` of :class:`ParsedEntry`.

A mapping file maps each metric key of a connector to the CMP metric it becomes::

    cpu_usage:
      name: cpu-usage
      unit: "%"
      conversion_expr: value * 100

Every ``conversion_expr`` is compiled once with the full language (SPEC section 2).
Problems (bad YAML, wrong types, duplicate keys, expression syntax errors) are collected
with their file, line, column and metric key and raised together as one
:class:`~nflex_metrics.errors.MappingError`; ``strict=False`` logs them instead and keeps
0.2.0's lenient behaviour. Loading an unchanged file again reuses the compiled result.

>>> mapping = parse_metric_mapping("cpu:\\n  unit: '%'\\n  conversion_expr: value * 100\\n")
>>> mapping["cpu"].value(value=0.25), mapping["cpu"].unit()
(25.0, '%')
"""

from __future__ import annotations

import math
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Callable, Optional, Protocol, Union

from . import _yaml
from .errors import (
    ExpressionSyntaxError,
    ExpressionTooComplex,
    MappingError,
    MappingProblem,
    VariableLookupError,
    caret_lines,
)

if TYPE_CHECKING:
    import yaml

    from .expression import Expression

__all__ = [
    "Conversion",
    "MappingFileNotFoundError",
    "MetricMapping",
    "ParsedEntry",
    "clear_cache",
    "load_metric_mapping",
    "metric_mapping_from_dict",
    "parse_metric_mapping",
]


#: The fields of an entry with a meaning; any other key is kept in ``ParsedEntry.extra``.
KNOWN_FIELDS = ("name", "unit", "counter", "specialisation", "conversion_expr")

#: How many loaded files :func:`load_metric_mapping` keeps compiled.
CACHE_SIZE = 64

_TOP_LEVEL_HINT = "expected a mapping of metric keys to entries"
_ENTRY_HINT = "expected a mapping with name, unit, counter, specialisation, conversion_expr"


class Conversion(Protocol):
    """Anything :class:`ParsedEntry` can convert with: an object with ``evaluate(dict)``."""

    def evaluate(self, variables: Mapping[str, Any], /) -> Any: ...


class MappingFileNotFoundError(MappingError, FileNotFoundError):
    """The mapping file does not exist.

    Also a :class:`FileNotFoundError`, which is what 0.2.0 raised, so that existing
    ``except FileNotFoundError`` / ``except IOError`` handlers keep working.
    """


# ---------------------------------------------------------------------------------------
# ParsedEntry


def _freeze(value: Any) -> Any:
    """A read-only deep copy of a YAML value: dicts -> mapping proxies, lists -> tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: _freeze(item) for key, item in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(item) for item in value)
    if isinstance(value, set):
        return frozenset(value)
    return value


#: The ``extra`` of an entry with only known fields (shared: it is read-only).
_NO_EXTRA: Mapping[Any, Any] = MappingProxyType({})


def _thaw(value: Any) -> Any:
    """The inverse of :func:`_freeze` for pickling (mapping proxies cannot be pickled)."""
    if isinstance(value, MappingProxyType):
        return {key: _thaw(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return [_thaw(item) for item in value]
    return value


class ParsedEntry:
    """One metric of a mapping file: its CMP name, unit, counter flag, specialisation and
    conversion, with the 0.2.0 accessor methods.

    Entries are immutable (a loaded file's entries are shared through the load cache).
    Keys of the YAML entry beyond the known fields are kept, read-only, in :attr:`extra`.

    >>> entry = ParsedEntry("cpu-usage", "%", False, "")
    >>> entry.value(value="0.5")  # no conversion: the raw value, unchanged
    '0.5'
    """

    # No __slots__: the first value()/convert() of an entry whose conversion is an
    # Expression stores the expression's generated keyword function in the instance
    # dict, where it shadows the methods, so later calls are one call into that code.

    _name: str
    _unit: str
    _counter: bool
    _specialisation: str
    _conversion: Optional[Conversion]
    _extra: Mapping[Any, Any]

    def __init__(
        self,
        name: str,
        unit: str,
        counter: bool,
        specialisation: str,
        conversion: Optional[Conversion] = None,
        extra: Optional[Mapping[Any, Any]] = None,
    ) -> None:
        fields = self.__dict__
        fields["_name"] = name
        fields["_unit"] = unit
        fields["_counter"] = counter
        fields["_specialisation"] = specialisation
        fields["_conversion"] = conversion
        fields["_extra"] = _freeze(dict(extra)) if extra else _NO_EXTRA

    # The 0.2.0 accessors -------------------------------------------------------------
    def name(self) -> str:
        """The CMP metric name ('' when the file gives none)."""
        return self._name

    def unit(self) -> str:
        """The unit ('' when the file gives none)."""
        return self._unit

    def counter(self) -> bool:
        """Whether the metric is a counter (False when the file gives none)."""
        return self._counter

    def specialisation(self) -> str:
        """The specialisation ('' when the file gives none)."""
        return self._specialisation

    def value(self, **variables: Any) -> Any:
        """Convert one sample: ``entry.value(value=0.42, total=3)``.

        With a conversion, its result (a float, or None for NULL); without one,
        ``variables['value']`` exactly as given. A missing variable raises
        :class:`~nflex_metrics.errors.VariableLookupError`.
        """
        conversion = self._conversion
        if conversion is None:
            try:
                return variables["value"]
            except KeyError:
                raise VariableLookupError("value") from None
        expression = self.expression
        if expression is None:  # a foreign conversion object
            return conversion.evaluate(variables)
        # From now on entry.value and entry.convert are the generated function itself.
        function = expression._compiled().evaluate_keywords
        self.__dict__["value"] = self.__dict__["convert"] = function
        return function(**variables)

    def convert(self, **variables: Any) -> Any:
        """The same as :meth:`value` (the other 0.2.0 spelling)."""
        return self.value(**variables)

    # 1.x additions -------------------------------------------------------------------
    @property
    def conversion(self) -> Optional[Conversion]:
        """The conversion object given (an Expression when loaded from a file), or None."""
        return self._conversion

    @property
    def expression(self) -> Optional[Expression]:
        """The compiled :class:`~nflex_metrics.expression.Expression`, or None."""
        if self._conversion is None:
            return None
        from .expression import Expression

        return self._conversion if isinstance(self._conversion, Expression) else None

    @property
    def extra(self) -> Mapping[Any, Any]:
        """The entry's other keys, read-only (nested lists are tuples, dicts proxies)."""
        return self._extra

    def get(self, key: Any, default: Any = None) -> Any:
        """One of the entry's other keys, or ``default``: ``entry.get('description')``."""
        return self._extra.get(key, default)

    def convert_columns(self, columns: Mapping[str, Sequence[Any]]) -> list[Any]:
        """Convert a batch given as columns (variable name -> equal-length sequences).

        Uses the expression's generated batch loop; without a conversion, returns
        ``columns['value']`` unchanged (as a list).
        """
        if self._conversion is None:
            try:
                return list(columns["value"])
            except KeyError:
                raise VariableLookupError("value") from None
        expression = self.expression
        if expression is not None:
            return expression.evaluate_columns(columns)
        # A foreign conversion object: row by row.
        names = list(columns)
        size = len(columns[names[0]]) if names else 0
        conversion = self._conversion
        return [conversion.evaluate({n: columns[n][i] for n in names}) for i in range(size)]

    # Object protocol -----------------------------------------------------------------
    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def _fields(self) -> tuple[Any, ...]:
        return (
            self._name,
            self._unit,
            self._counter,
            self._specialisation,
            self._conversion,
            self._extra,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ParsedEntry):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        # Equal entries have equal names; lenient loads may keep a non-str name.
        return hash(self._name) if isinstance(self._name, str) else 0

    def __repr__(self) -> str:
        conversion = self._conversion
        shown = repr(getattr(conversion, "source", conversion))
        extra = f", extra={dict(self._extra)!r}" if self._extra else ""
        return (
            f"ParsedEntry(name={self._name!r}, unit={self._unit!r}, counter={self._counter!r}, "
            f"specialisation={self._specialisation!r}, conversion={shown}{extra})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (*self._fields()[:5], _thaw(self._extra)))


class MetricMapping(dict[str, ParsedEntry]):
    """Metric key -> :class:`ParsedEntry`, in file order; ``source`` names where it came from.

    A plain ``dict`` subclass, so code written for 0.2.0's dict keeps working. Each load
    returns a fresh one; the entries themselves are immutable and may be shared.
    """

    source: Optional[str]

    def __init__(
        self,
        entries: Union[Mapping[str, ParsedEntry], Iterable[tuple[str, ParsedEntry]]] = (),
        *,
        source: Optional[str] = None,
    ) -> None:
        super().__init__(entries)
        self.source = source

    def copy(self) -> MetricMapping:
        """A shallow copy that keeps the ``source``."""
        return MetricMapping(self, source=self.source)

    def __repr__(self) -> str:
        return f"MetricMapping({dict.__repr__(self)}, source={self.source!r})"


# ---------------------------------------------------------------------------------------
# Building entries: shared by the YAML and the dict front ends

#: Maps a 1-based (line, column) inside an expression text to a (line, column) of the file.
_ExprLocator = Callable[[int, int], "tuple[int, int]"]


class _Value:
    """A field value of an entry and where it is (line/column 0 when there is no file).

    A plain slotted class, not a dataclass: one is made per field of every entry.
    """

    __slots__ = ("column", "line", "locate", "value")

    def __init__(
        self, value: Any, line: int = 0, column: int = 0, locate: Optional[_ExprLocator] = None
    ) -> None:
        self.value = value
        self.line = line
        self.column = column
        self.locate = locate


class _Problems:
    """Collects the problems of one source, with caret snippets when the text is known."""

    def __init__(self, file: str, source: Optional[_yaml.SourceText]) -> None:
        self.file = file
        self.source = source
        self.items: list[MappingProblem] = []
        self.fatal = False

    def add(
        self, line: int, column: int, key: Any, message: str, snippet: Optional[str] = None
    ) -> None:
        if snippet is None:
            snippet = ""
            if self.source is not None and line > 0:
                snippet = caret_lines(self.source.line(line), 1, column, "").rstrip()
        shown_key = None if key is None else str(key)
        self.items.append(MappingProblem(self.file, line, column, shown_key, message, snippet))


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"bool {str(value).lower()}"
    if isinstance(value, (Mapping, MappingProxyType)):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    return f"{type(value).__name__} {value!r}"


def _compile_conversion(key: Any, field: _Value, problems: _Problems) -> Optional[Expression]:
    """Compile a ``conversion_expr`` value, reporting what is wrong with it."""
    from .expression import compile

    text = field.value
    if text is None:
        return None
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        hint = ""
        if isinstance(text, (list, tuple)):
            hint = " (a leading '- ' starts a YAML list: quote the expression)"
        elif isinstance(text, Mapping):
            hint = " (a ': ' inside a plain scalar starts a YAML mapping: quote the expression)"
        problems.add(
            field.line,
            field.column,
            key,
            f"conversion_expr must be an expression string or a number, "
            f"got {_type_name(text)}{hint}",
        )
        return None
    if not isinstance(text, str):  # a number is the constant
        if isinstance(text, float) and math.isnan(text):
            problems.add(field.line, field.column, key, "conversion_expr is NaN, not a number")
            return None
        if isinstance(text, float) and math.isinf(text):
            text = "1e400" if text > 0 else "-1e400"
        else:
            text = repr(text)
    if not text.strip():
        problems.add(
            field.line,
            field.column,
            key,
            "conversion_expr is empty (leave it out, or write null, for no conversion)",
        )
        return None
    try:
        return compile(text)
    except ExpressionSyntaxError as err:
        what = "too complex" if isinstance(err, ExpressionTooComplex) else "invalid"
        message = f"conversion_expr is {what}: {err.message}"
        if field.locate is not None:
            line, column = field.locate(err.line, err.column)
            problems.add(line, column, key, message)
        else:
            where = f" (expression line {err.line}, column {err.column})"
            snippet = caret_lines(err.source, err.line, err.column, "").rstrip()
            problems.add(field.line, field.column, key, message + where, snippet)
        return None


def _build_entry(key: Any, fields: Mapping[Any, _Value], problems: _Problems) -> ParsedEntry:
    """A :class:`ParsedEntry` from an entry's fields; every problem goes to ``problems``.

    What is wrong is reported and replaced by what 0.2.0 would have used: a bad
    conversion becomes no conversion, a wrongly typed field keeps its raw value.
    """
    values: dict[str, Any] = {"name": "", "unit": "", "specialisation": "", "counter": False}
    for field_name in ("name", "unit", "specialisation"):
        field = fields.get(field_name)
        if field is None:
            continue
        values[field_name] = field.value
        if not isinstance(field.value, str):
            hint = " (write '' for none, or leave it out)" if field.value is None else ""
            if isinstance(field.value, (int, float)) and not isinstance(field.value, bool):
                hint = f" (quote it: '{field.value}')"
            problems.add(
                field.line,
                field.column,
                key,
                f"{field_name} must be a string, got {_type_name(field.value)}{hint}",
            )
    field = fields.get("counter")
    if field is not None:
        values["counter"] = field.value
        if not isinstance(field.value, bool):
            problems.add(
                field.line,
                field.column,
                key,
                f"counter must be true or false, got {_type_name(field.value)}",
            )
    conversion = None
    field = fields.get("conversion_expr")
    if field is not None:
        conversion = _compile_conversion(key, field, problems)
    extra = {k: v.value for k, v in fields.items() if k not in KNOWN_FIELDS}
    return ParsedEntry(
        values["name"],
        values["unit"],
        values["counter"],
        values["specialisation"],
        conversion,
        extra,
    )


@dataclass(frozen=True)
class _Built:
    """The outcome of reading one source: entries in order, problems, and whether a
    problem is fatal (nothing usable, so even ``strict=False`` raises)."""

    entries: tuple[tuple[Any, ParsedEntry], ...]
    problems: tuple[MappingProblem, ...]
    fatal: bool


def _built(entries: Mapping[Any, ParsedEntry], problems: _Problems) -> _Built:
    ordered = sorted(problems.items, key=lambda p: (p.line, p.column))
    return _Built(tuple(entries.items()), tuple(ordered), problems.fatal)


def _finish(
    built: _Built,
    *,
    strict: bool,
    source: str,
    error_class: type[MappingError] = MappingError,
) -> MetricMapping:
    """Raise (strict, or a fatal problem) or log the problems; return a fresh mapping."""
    problems = [replace(p, file=source) if p.file != source else p for p in built.problems]
    if problems and (strict or built.fatal):
        raise error_class(problems)
    if problems:
        import logging  # only a lenient load with problems logs: keep it off the cold start

        logger = logging.getLogger(__name__)
        for problem in problems:
            logger.warning("%s", problem)
    return MetricMapping(built.entries, source=source)


# ---------------------------------------------------------------------------------------
# The YAML front end


def _node_position(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _is_empty_scalar(node: yaml.Node) -> bool:
    import yaml

    return isinstance(node, yaml.ScalarNode) and node.value == "" and not node.style


def _expression_locator(
    source: _yaml.SourceText, node: yaml.Node, value: Any
) -> Optional[_ExprLocator]:
    import yaml

    if not isinstance(node, yaml.ScalarNode) or not isinstance(value, str):
        return None

    def locate(line: int, column: int) -> tuple[int, int]:
        return _yaml.scalar_position(source, node, value, line, column)

    return locate


def _construct_key(
    composed: _yaml.Composed, node: yaml.Node, problems: _Problems, key: Any, what: str
) -> tuple[bool, Any]:
    """Construct a mapping key; (False, None) after reporting one that cannot be a key."""
    import yaml

    if node.tag == _yaml.STR_TAG and isinstance(node, yaml.ScalarNode):
        return True, node.value  # the usual key, without PyYAML's generic constructor
    line, column = _node_position(node)
    if not isinstance(node, yaml.ScalarNode):
        problems.add(line, column, key, f"{what} must be a string, got {_yaml.describe(node)}")
        return False, None
    try:
        return True, composed.construct(node)
    except yaml.YAMLError as err:
        problems.add(line, column, key, f"{what}: {getattr(err, 'problem', None) or err}")
        return False, None


def _pairs(
    node: yaml.MappingNode, problems: _Problems, key: Any
) -> Iterable[tuple[yaml.Node, yaml.Node, bool]]:
    """(key node, value node, explicit) of a mapping node; merge keys (``<<``) resolved,
    and the ones that do not refer to a mapping reported."""
    if not _yaml.has_merge_keys(node):
        return [(key_node, value_node, True) for key_node, value_node in node.value]
    for bad in _yaml.merge_problems(node):
        line, column = _node_position(bad)
        problems.add(line, column, key, "a merge key (<<) must refer to a mapping")
    return _yaml.mapping_pairs(node)


def _entry_fields(
    composed: _yaml.Composed,
    source: _yaml.SourceText,
    key: Any,
    node: yaml.MappingNode,
    problems: _Problems,
) -> dict[Any, _Value]:
    """The fields of one entry node, duplicates and bad merge keys reported."""
    import yaml

    fields: dict[Any, _Value] = {}
    first_line: dict[Any, int] = {}
    construct = composed.construct
    for key_node, value_node, explicit in _pairs(node, problems, key):
        ok, name = _construct_key(composed, key_node, problems, key, "a field name")
        if not ok:
            continue
        mark = key_node.start_mark
        line, column = mark.line + 1, mark.column + 1
        if explicit:
            if name in first_line:
                problems.add(
                    line,
                    column,
                    key,
                    f"duplicate field {name!r} (first defined on line {first_line[name]}); "
                    "YAML would keep only this one",
                )
            else:
                first_line[name] = line
        mark = value_node.start_mark
        vline, vcolumn = mark.line + 1, mark.column + 1
        try:
            value = construct(value_node)
        except yaml.YAMLError as err:
            problems.add(vline, vcolumn, key, f"{name}: {getattr(err, 'problem', None) or err}")
            continue
        if (
            isinstance(value_node, yaml.ScalarNode)
            and not value_node.value
            and not value_node.style
        ):  # an empty value: point at its key
            vline, vcolumn = line, column
        locate = (
            _expression_locator(source, value_node, value) if name == "conversion_expr" else None
        )
        fields[name] = _Value(value, vline, vcolumn, locate)
    return fields


def _build_simple(entries: list[_yaml.SimpleEntry], file: str) -> Optional[_Built]:
    """Entries read by :func:`_yaml.read_simple`, or None if any has a problem: the
    caller then reads the file again through PyYAML, which knows where things are."""
    problems = _Problems(file, None)
    built = {
        key: _build_entry(key, {name: _Value(value) for name, value in fields.items()}, problems)
        for key, fields in entries
    }
    return None if problems.items else _built(built, problems)


def _build_from_text(text: str, file: str) -> _Built:
    """Read a whole mapping document, collecting every problem."""
    text = text[1:] if text.startswith("\ufeff") else text
    simple = _yaml.read_simple(text)
    if simple is not None:
        built = _build_simple(simple, file)
        if built is not None:
            return built
    return _build_from_yaml(text, file)


def _build_from_yaml(text: str, file: str) -> _Built:
    """Read a whole mapping document through PyYAML's node tree, collecting every problem
    with its exact position."""
    import yaml

    source = _yaml.SourceText(text)
    problems = _Problems(file, source)
    entries: dict[Any, ParsedEntry] = {}
    try:
        composed = _yaml.compose(source)
    except _yaml.YamlSyntaxError as err:
        problems.add(err.line, err.column, _enclosing_key(source, err.line), err.message)
        problems.fatal = True
        return _built(entries, problems)
    try:
        root = composed.root
        if root is None:
            problems.add(1, 1, None, f"the file is empty; {_TOP_LEVEL_HINT}")
            problems.fatal = True
            return _built(entries, problems)
        if not isinstance(root, yaml.MappingNode):
            line, column = _node_position(root)
            problems.add(
                line, column, None, f"the top level is {_yaml.describe(root)}; {_TOP_LEVEL_HINT}"
            )
            problems.fatal = True
            return _built(entries, problems)
        first_line: dict[Any, int] = {}
        for key_node, value_node, explicit in _pairs(root, problems, None):
            ok, key = _construct_key(composed, key_node, problems, None, "a metric key")
            if not ok:
                continue
            line, column = _node_position(key_node)  # a scalar: hashable
            if not isinstance(key, str):
                problems.add(
                    line,
                    column,
                    key,
                    f"a metric key must be a string, got {_type_name(key)} (quote it)",
                )
            if explicit and key in first_line:
                problems.add(
                    line,
                    column,
                    key,
                    f"duplicate metric key (first defined on line {first_line[key]}); "
                    "YAML would keep only this definition",
                )
            if explicit:
                first_line.setdefault(key, line)
            if isinstance(value_node, yaml.MappingNode):
                fields = _entry_fields(composed, source, key, value_node, problems)
            else:
                vline, vcolumn = _node_position(value_node)
                if _is_empty_scalar(value_node):
                    vline, vcolumn = line, column
                problems.add(
                    vline,
                    vcolumn,
                    key,
                    f"the entry is {_yaml.describe(value_node)}; {_ENTRY_HINT}",
                )
                fields = {}
            entries[key] = _build_entry(key, fields, problems)
    finally:
        composed.loader.dispose()
    return _built(entries, problems)


def _enclosing_key(source: _yaml.SourceText, line: int) -> Optional[str]:
    """Best guess at the top-level key a line belongs to: the last unindented ``key:`` above."""
    for number in range(line, 0, -1):
        text = source.line(number)
        if text[:1].isspace() or text[:1] in ("#", "-", "", "{", "[", "?", "%"):
            continue
        head, sep, _ = text.partition(":")
        if sep:
            return head.strip().strip("'\"") or None
    return None


def _decode(data: bytes, problems: _Problems) -> Optional[str]:
    """The text of a mapping file (UTF-8, or UTF-16 with a BOM, as YAML allows)."""
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        before = data[: err.start].decode("utf-8", errors="replace")
        source = _yaml.SourceText(before)
        line, column = source.position(len(before))
        problems.add(line, column, None, f"the file is not UTF-8 text: {err.reason}")
        problems.fatal = True
        return None


# ---------------------------------------------------------------------------------------
# Public entry points and the load cache

_CacheKey = tuple[str, int, int, bool]
_cache: OrderedDict[_CacheKey, _Built] = OrderedDict()
_cache_lock = threading.Lock()


def clear_cache() -> None:
    """Forget every compiled mapping file (the next load reads and compiles again)."""
    with _cache_lock:
        _cache.clear()


def load_metric_mapping(
    file_path: Union[str, os.PathLike[str]] = "mapping.yaml", *, strict: bool = True
) -> MetricMapping:
    """Load a metric mapping file: metric key -> :class:`ParsedEntry`, in file order.

    Relative paths are relative to the current directory. All problems of the file are
    raised together as one :class:`~nflex_metrics.errors.MappingError`; with
    ``strict=False`` they are logged as warnings and the affected entries keep no
    conversion (the raw value passes through), as in 0.2.0. A missing file, YAML that
    does not parse and a top level that is not a mapping raise in both modes.

    An unchanged file (same path, modification time and size) is not read again: its
    compiled entries are reused, and each call gets a fresh :class:`MetricMapping`.
    """
    shown = os.fspath(file_path)
    path = os.path.abspath(shown)
    try:
        stat = os.stat(path)
    except OSError as err:
        problems = _Problems(shown, None)
        problems.add(0, 0, None, f"cannot read the mapping file: {err.strerror or err}")
        problems.fatal = True
        error_class = (
            MappingFileNotFoundError if isinstance(err, FileNotFoundError) else MappingError
        )
        return _finish(_built({}, problems), strict=strict, source=shown, error_class=error_class)
    cache_key = (path, stat.st_mtime_ns, stat.st_size, strict)
    with _cache_lock:
        built = _cache.get(cache_key)
        if built is not None:
            _cache.move_to_end(cache_key)
    if built is None:
        built = _read_file(path, shown)
        with _cache_lock:
            _cache[cache_key] = built
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    return _finish(built, strict=strict, source=shown)


def _read_file(path: str, shown: str) -> _Built:
    problems = _Problems(shown, None)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as err:
        problems.add(0, 0, None, f"cannot read the mapping file: {err.strerror or err}")
        problems.fatal = True
        return _built({}, problems)
    text = _decode(data, problems)
    if text is None:
        return _built({}, problems)
    return _build_from_text(text, shown)


def parse_metric_mapping(
    text: Union[str, bytes], *, source: str = "<string>", strict: bool = True
) -> MetricMapping:
    """Read a metric mapping from YAML text; ``source`` names it in problem reports.

    >>> try:
    ...     parse_metric_mapping("a:\\n  conversion_expr: value * / 2\\n")
    ... except MappingError as err:
    ...     problem = err.problems[0]
    >>> (problem.file, problem.line, problem.column, problem.key)
    ('<string>', 2, 28, 'a')
    """
    if isinstance(text, bytes):
        problems = _Problems(source, None)
        decoded = _decode(text, problems)
        if decoded is None:
            return _finish(_built({}, problems), strict=strict, source=source)
        text = decoded
    return _finish(_build_from_text(text, source), strict=strict, source=source)


def metric_mapping_from_dict(
    data: object, *, source: str = "<dict>", strict: bool = True
) -> MetricMapping:
    """Build a metric mapping from already-loaded data (``{key: {field: value}}``).

    The same rules as a file; problems carry line and column 0 (there is no file), and
    an expression's own line and column are given in the message.
    """
    problems = _Problems(source, None)
    entries: dict[Any, ParsedEntry] = {}
    if not isinstance(data, Mapping):
        problems.add(0, 0, None, f"the top level is {_type_name(data)}; {_TOP_LEVEL_HINT}")
        problems.fatal = True
        return _finish(_built(entries, problems), strict=strict, source=source)
    for key, entry in data.items():
        if not isinstance(key, str):
            problems.add(0, 0, key, f"a metric key must be a string, got {_type_name(key)}")
        fields: dict[Any, _Value] = {}
        if isinstance(entry, Mapping):
            fields = {name: _Value(value) for name, value in entry.items()}
        else:
            problems.add(0, 0, key, f"the entry is {_type_name(entry)}; {_ENTRY_HINT}")
        entries[key] = _build_entry(key, fields, problems)
    return _finish(_built(entries, problems), strict=strict, source=source)
