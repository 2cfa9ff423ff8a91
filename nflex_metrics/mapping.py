"""Metric mapping files: ``mapping.yaml`` -> :class:`MetricMapping` of :class:`ParsedEntry`.

A mapping file maps each metric key of a connector to the CMP metric it becomes::

    cpu_usage:
      name: cpu-usage
      unit: "%"
      conversion_expr: value * 100

Every ``conversion_expr`` is compiled once with the full language.
Problems (bad YAML, wrong types, duplicate keys, expression syntax errors) are collected
with their file, line, column and metric key and raised together as one
:class:`~nflex_metrics.errors.MappingError`; ``strict=False`` logs them instead and keeps
0.2.0's lenient behaviour. Loading an unchanged file again reuses the compiled result.

>>> mapping = parse_metric_mapping("cpu:\\n  unit: '%'\\n  conversion_expr: value * 100\\n")
>>> mapping["cpu"].value(value=0.25), mapping["cpu"].unit()
(25.0, '%')
"""

from __future__ import annotations

import _thread
import math
import os
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from stat import S_ISDIR, S_ISREG
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Optional, Union

from . import _yaml
from ._positions import scalar_position
from ._yaml import EXPANSION_PER_CHARACTER, MAX_DEPTH, MIN_EXPANSION
from .entry import Conversion, MetricMapping, ParsedEntry, sharing_frozen_values
from .errors import (
    ExpressionSyntaxError,
    ExpressionTooComplex,
    MappingError,
    MappingProblem,
    caret_lines,
)

if TYPE_CHECKING:
    import yaml

    from .expression import Expression

__all__ = [
    "EXPANSION_PER_CHARACTER",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MIN_EXPANSION",
    "SNIPPET_WIDTH",
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

#: The largest mapping file :func:`load_metric_mapping` reads: 16 MiB, some thousand times
#: a large real one. A larger file (or a path to ``/dev/zero``) is refused unread rather
#: than read into memory whole.
MAX_FILE_BYTES = 16 * 1024 * 1024

_TOP_LEVEL_HINT = "expected a mapping of metric keys to entries"
_ENTRY_HINT = "expected a mapping with name, unit, counter, specialisation, conversion_expr"


class MappingFileNotFoundError(MappingError, FileNotFoundError):
    """The mapping file does not exist.

    Also a :class:`FileNotFoundError`, which is what 0.2.0 raised, so that existing
    ``except FileNotFoundError`` / ``except IOError`` handlers keep working.
    """


# ---------------------------------------------------------------------------------------
# Building entries: shared by the YAML and the dict front ends


class _Value:
    """A field value of an entry and, when it comes from a YAML file, its node and its
    key's node, from which its position is worked out when a problem needs it.

    A plain slotted class, not a dataclass: one is made per field of every entry.
    """

    __slots__ = ("key_node", "node", "source", "value")

    def __init__(
        self,
        value: Any,
        node: Optional[yaml.Node] = None,
        key_node: Optional[yaml.Node] = None,
        source: Optional[_yaml.SourceText] = None,
    ) -> None:
        self.value = value
        self.node = node
        self.key_node = key_node
        self.source = source

    @property
    def position(self) -> tuple[int, int]:
        """The 1-based (line, column) of the value ((0, 0) without a file); an empty
        value's is its key's."""
        node = self.node
        if node is None:
            return 0, 0
        if self.key_node is not None and _is_empty_scalar(node):
            node = self.key_node
        return _node_position(node)

    def locate(self, line: int, column: int) -> Optional[tuple[int, int]]:
        """The file's (line, column) of a 1-based (line, column) inside the value's text,
        or None when the value is not a scalar of a file."""
        import yaml

        node = self.node
        if self.source is None or not isinstance(node, yaml.ScalarNode):
            return None
        if not isinstance(self.value, str):
            return None
        return scalar_position(self.source, node, self.value, line, column)


#: How many characters of a long line a problem's caret snippet shows, around the
#: problem's column: the report of a file with many problems on one long line stays
#: linear in the file's size.
SNIPPET_WIDTH = 100


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
                text, at = self.source.excerpt(line, column, SNIPPET_WIDTH)
                snippet = caret_lines(text, 1, at, "").rstrip()
        shown_key = None if key is None else _shown(key)
        self.items.append(MappingProblem(self.file, line, column, shown_key, message, snippet))


def _too_long(value: Any) -> Optional[str]:
    """A description of an int too long for Python to convert to text
    (``sys.get_int_max_str_digits()``, 4,300 digits by default), or None."""
    if not isinstance(value, int):
        return None
    try:
        str(value)
    except ValueError:
        return f"an int of about {int(abs(value).bit_length() * 0.30103) + 1:,} digits"
    return None


def _shown(value: Any) -> str:
    """``str(value)``, for a key or a field name in a message (even a very long int)."""
    too_long = _too_long(value)
    return f"<{too_long}>" if too_long else str(value)


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"bool {str(value).lower()}"
    if isinstance(value, (Mapping, MappingProxyType)):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    return _too_long(value) or f"{type(value).__name__} {value!r}"


def _compile_conversion(key: Any, field: _Value, problems: _Problems) -> Optional[Expression]:
    """Compile a ``conversion_expr`` value, reporting what is wrong with it."""
    from .expression import compile

    text = field.value
    if text is None:
        return None
    if isinstance(text, bool) or not isinstance(text, (str, int, float)) or _too_long(text):
        hint = ""
        if isinstance(text, (list, tuple)):
            hint = " (a leading '- ' starts a YAML list: quote the expression)"
        elif isinstance(text, Mapping):
            hint = " (a ': ' inside a plain scalar starts a YAML mapping: quote the expression)"
        problems.add(
            *field.position,
            key,
            f"conversion_expr must be an expression string or a number, "
            f"got {_type_name(text)}{hint}",
        )
        return None
    if not isinstance(text, str):  # a number is the constant
        if isinstance(text, float) and math.isnan(text):
            problems.add(*field.position, key, "conversion_expr is NaN, not a number")
            return None
        if isinstance(text, float) and math.isinf(text):
            text = "1e400" if text > 0 else "-1e400"
        else:
            text = repr(text)
    if not text.strip():
        problems.add(
            *field.position,
            key,
            "conversion_expr is empty (leave it out, or write null, for no conversion)",
        )
        return None
    try:
        return compile(text)
    except ExpressionSyntaxError as err:
        what = "too complex" if isinstance(err, ExpressionTooComplex) else "invalid"
        message = f"conversion_expr is {what}: {err.message}"
        located = field.locate(err.line, err.column)
        if located is not None:
            problems.add(*located, key, message)
        else:
            where = f" (expression line {err.line}, column {err.column})"
            snippet = caret_lines(err.source, err.line, err.column, "").rstrip()
            problems.add(*field.position, key, message + where, snippet)
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
            number = isinstance(field.value, (int, float)) and not isinstance(field.value, bool)
            if number and not _too_long(field.value):
                hint = f" (quote it: '{field.value}')"
            problems.add(
                *field.position,
                key,
                f"{field_name} must be a string, got {_type_name(field.value)}{hint}",
            )
    field = fields.get("counter")
    if field is not None:
        values["counter"] = field.value
        if not isinstance(field.value, bool):
            problems.add(
                *field.position,
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
    mark = node.start_mark
    return mark.line + 1, mark.column + 1


def _is_empty_scalar(node: yaml.Node) -> bool:
    import yaml

    return isinstance(node, yaml.ScalarNode) and node.value == "" and not node.style


class _YamlBuilder:
    """Reads the entries of one composed document, collecting every problem with its
    exact position."""

    def __init__(
        self, document: _yaml.Document, source: _yaml.SourceText, problems: _Problems
    ) -> None:
        self.document = document
        self.source = source
        self.problems = problems

    def problem(self, node: yaml.Node, key: Any, message: str) -> None:
        line, column = _node_position(node)
        self.problems.add(line, column, key, message)

    def value_problem(self, err: _yaml.ValueProblem, key: Any, prefix: str = "") -> None:
        self.problems.add(err.line, err.column, key, prefix + err.message)

    def pairs(self, node: yaml.MappingNode, key: Any) -> list[_yaml.Pair]:
        """A mapping's pairs, merge keys resolved; a merge key that cannot be is reported."""
        pairs, problems = self.document.pairs(node)
        for problem in problems:
            self.value_problem(problem, key)
        return pairs

    def key(self, node: yaml.Node, key: Any, what: str) -> tuple[bool, Any]:
        """Construct a mapping key; (False, None) after reporting one that cannot be a key."""
        import yaml

        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, key, f"{what} must be a string, got {_yaml.describe(node)}")
            return False, None
        try:
            return True, self.document.value(node)
        except _yaml.ValueProblem as err:
            self.value_problem(err, key, f"{what}: ")
            return False, None

    def entries(self, root: yaml.MappingNode) -> dict[Any, ParsedEntry]:
        """The entries of the top-level mapping, duplicates reported.

        Every entry's merge keys are resolved before any field's value is built, as
        ``safe_load`` does.
        """
        import yaml

        found: list[tuple[Any, list[_yaml.Pair]]] = []
        first_line: dict[Any, int] = {}
        for key_node, value_node, explicit in self.pairs(root, None):
            if key_node.tag == _yaml.STR_TAG and type(key_node) is yaml.ScalarNode:
                key = key_node.value  # the usual metric key, without a call
            else:
                ok, key = self.key(key_node, None, "a metric key")
                if not ok:
                    continue
            line, column = _node_position(key_node)
            if not isinstance(key, str):
                self.problems.add(
                    line,
                    column,
                    key,
                    f"a metric key must be a string, got {_type_name(key)} (quote it)",
                )
            if explicit:
                if key in first_line:
                    self.problems.add(
                        line,
                        column,
                        key,
                        f"duplicate metric key (first defined on line {first_line[key]}); "
                        "YAML would keep only this definition",
                    )
                else:
                    first_line[key] = line
            if isinstance(value_node, yaml.MappingNode) and value_node.tag == _yaml.MAP_TAG:
                found.append((key, self.pairs(value_node, key)))
            else:
                where = key_node if _is_empty_scalar(value_node) else value_node
                self.problem(
                    where, key, f"the entry is {_yaml.describe(value_node)}; {_ENTRY_HINT}"
                )
                found.append((key, []))
        return {
            key: _build_entry(key, self.fields(key, pairs), self.problems) for key, pairs in found
        }

    def fields(self, key: Any, pairs: list[_yaml.Pair]) -> dict[Any, _Value]:
        """The fields of one entry, duplicates reported."""
        import yaml

        scalar_node = yaml.ScalarNode
        str_tag = _yaml.STR_TAG
        document = self.document
        source = self.source
        fields: dict[Any, _Value] = {}
        first: dict[Any, yaml.Node] = {}  # the key node of each field written in the entry
        for key_node, value_node, explicit in pairs:
            if key_node.tag == str_tag and type(key_node) is scalar_node:
                name = key_node.value  # the usual field name, without a call
            else:
                ok, name = self.key(key_node, key, "a field name")
                if not ok:
                    continue
            if explicit:
                if name in first:
                    self.problem(
                        key_node,
                        key,
                        f"duplicate field {_shown(name)!r} (first defined on line "
                        f"{_node_position(first[name])[0]}); YAML would keep only this one",
                    )
                else:
                    first[name] = key_node
            try:
                value = document.value(value_node)  # the entry is level 2, its fields 3
            except _yaml.ValueProblem as err:
                self.value_problem(err, key, f"{_shown(name)}: ")
                continue
            fields[name] = _Value(value, value_node, key_node, source)
        return fields


def _build_from_text(text: str, file: str) -> _Built:
    """Read a whole mapping document through PyYAML's node tree, collecting every problem
    with its exact position."""
    with _yaml.collector_paused():  # the tree is freed before the collector resumes
        return _build_from_document(text, file)


def _build_from_document(text: str, file: str) -> _Built:
    import yaml

    text = text[1:] if text.startswith("\ufeff") else text
    source = _yaml.SourceText(text)
    problems = _Problems(file, source)
    try:
        document = _yaml.compose(source)
    except _yaml.DocumentError as err:
        return _refused(file, source, err)
    try:
        root = document.root
        if root is None:
            problems.add(1, 1, None, f"the file is empty; {_TOP_LEVEL_HINT}")
            problems.fatal = True
            return _built({}, problems)
        if not isinstance(root, yaml.MappingNode) or root.tag != _yaml.MAP_TAG:
            line, column = _node_position(root)
            problems.add(
                line, column, None, f"the top level is {_yaml.describe(root)}; {_TOP_LEVEL_HINT}"
            )
            problems.fatal = True
            return _built({}, problems)
        with sharing_frozen_values():
            entries = _YamlBuilder(document, source, problems).entries(root)
        return _built(entries, problems)
    except _yaml.DocumentError as err:
        return _refused(file, source, err)
    finally:
        document.dispose()


def _refused(file: str, source: _yaml.SourceText, err: _yaml.DocumentError) -> _Built:
    """The outcome of a document that cannot be loaded at all: this one problem, fatal."""
    problems = _Problems(file, source)
    problems.add(err.line, err.column, _enclosing_key(source, err.line), err.message)
    problems.fatal = True
    return _built({}, problems)


def _enclosing_key(source: _yaml.SourceText, line: int) -> Optional[str]:
    """Best guess at the top-level key a line belongs to: the last unindented ``key:`` above."""
    for number in range(line, 0, -1):
        text = source.line(number)
        if text[:1].isspace() or text[:1] in ("#", "-", "", "{", "[", "?", "%"):
            continue
        head, sep, _ = text.partition(":")
        if sep:
            key = head.strip().strip("'\"")
            # (Not a key of the text that was refused for a control character in it.)
            return key if key and key.isprintable() else None
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

#: What identifies a loaded file: its absolute path, the identity of the file at that
#: path (device, inode, change time) and its modification time and size, and ``strict``.
#: The inode and change time notice a file replaced with the same size and modification
#: time (``cp -p``, ``rsync -a``, ``tar x``, ``os.replace``).
_CacheKey = tuple[str, int, int, int, int, int, bool]
_cache: OrderedDict[_CacheKey, _Built] = OrderedDict()
_cache_lock = _thread.allocate_lock()  # threading's Lock; importing threading costs 0.5 ms


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
    conversion (the raw value passes through), as in 0.2.0. A missing file, one that is
    not a regular file or is larger than :data:`MAX_FILE_BYTES` (refused unread), YAML
    that does not parse and a top level that is not a mapping raise in both modes.

    An unchanged file (same path, inode, change and modification times, size) is not
    read again: its compiled entries are reused, and each call gets a fresh
    :class:`MetricMapping`.
    """
    shown = os.fspath(file_path)
    path = os.path.abspath(shown)
    try:
        stat = os.stat(path)
    except OSError as err:
        error_class = (
            MappingFileNotFoundError if isinstance(err, FileNotFoundError) else MappingError
        )
        return _finish(
            _unreadable(shown, err.strerror or str(err)),
            strict=strict,
            source=shown,
            error_class=error_class,
        )
    if not S_ISREG(stat.st_mode):  # a directory, a FIFO, /dev/zero: never read
        what = "a directory" if S_ISDIR(stat.st_mode) else "not a regular file"
        return _finish(_unreadable(shown, f"it is {what}"), strict=strict, source=shown)
    cache_key = (
        path,
        stat.st_dev,
        stat.st_ino,
        stat.st_ctime_ns,
        stat.st_mtime_ns,
        stat.st_size,
        strict,
    )
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


def _unreadable(shown: str, why: str) -> _Built:
    """The outcome of a mapping file that cannot be read: this one problem, fatal."""
    problems = _Problems(shown, None)
    problems.add(0, 0, None, f"cannot read the mapping file: {why}")
    problems.fatal = True
    return _built({}, problems)


def read_regular_file(path: str, limit: int) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them. Anything
    else is never read: ``ValueError`` says why (a directory, a FIFO or device, a larger
    file); ``OSError`` is what opening or reading raised.
    """
    # Opened non-blocking: a plain open of a FIFO waits for a writer before the fstat
    # below can refuse it. (A regular file reads the same either way.)
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        mode = os.fstat(descriptor).st_mode
    except OSError:
        os.close(descriptor)
        raise
    if not S_ISREG(mode):
        os.close(descriptor)
        raise ValueError(f"it is {'a directory' if S_ISDIR(mode) else 'not a regular file'}")
    with open(descriptor, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"it is larger than {limit // 2**20} MiB")
    return data


def _read_file(path: str, shown: str) -> _Built:
    problems = _Problems(shown, None)
    try:
        data = read_regular_file(path, MAX_FILE_BYTES)
    except OSError as err:
        return _unreadable(shown, err.strerror or str(err))
    except ValueError as err:  # not a regular file (replaced since the stat), too large
        return _unreadable(shown, str(err))
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
    with sharing_frozen_values():
        for key, entry in data.items():
            if not isinstance(key, str):
                problems.add(0, 0, key, f"a metric key must be a string, got {_type_name(key)}")
            fields: dict[Any, _Value] = {}
            if isinstance(entry, Mapping):
                for name, value in entry.items():
                    problem = _nesting_problem(value)
                    if problem is None:
                        fields[name] = _Value(value)
                    else:
                        problems.add(0, 0, key, f"{_shown(name)}: {problem}")
            else:
                problems.add(0, 0, key, f"the entry is {_type_name(entry)}; {_ENTRY_HINT}")
            entries[key] = _build_entry(key, fields, problems)
    return _finish(_built(entries, problems), strict=strict, source=source)


class _CannotKeep(Exception):
    """A value that contains itself or nests too deeply (see :func:`_nesting_problem`)."""


def _nesting_problem(value: Any) -> Optional[str]:
    """Why a field's value given as data cannot be kept, or None: it contains itself, or
    it nests deeper than a file may (:data:`MAX_DEPTH`, the field's value being level 3).
    Freezing it would recurse without end, or past Python's recursion limit."""
    levels: dict[int, int] = {}  # how many levels each container already checked nests
    open_: set[int] = set()  # the containers being checked: met again, a value contains itself

    def nesting(item: Any, level: int) -> int:
        if not isinstance(item, (Mapping, list, tuple, set)):
            return 0
        known = levels.get(id(item))
        if known is None:
            if id(item) in open_:
                raise _CannotKeep("the value contains itself")
            if level > MAX_DEPTH:
                raise _CannotKeep(f"the value is nested more than {MAX_DEPTH} levels deep")
            open_.add(id(item))
            children = item.values() if isinstance(item, Mapping) else item
            known = 1 + max((nesting(child, level + 1) for child in children), default=0)
            open_.discard(id(item))
            levels[id(item)] = known
        if level + known - 1 > MAX_DEPTH:
            raise _CannotKeep(f"the value is nested more than {MAX_DEPTH} levels deep")
        return known

    try:
        nesting(value, 3)
    except _CannotKeep as err:
        return str(err)
    return None
