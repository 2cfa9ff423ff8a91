"""The JSON Lines side of :mod:`nflex_metrics.convert`: the JSON codecs, the sample
layer and the line layer.

The sample layer (:class:`_SampleConverter`) groups parsed samples by metric, converts
each group with the engine's columnar batch path (:meth:`ParsedEntry.convert_columns`)
and records why a sample is rejected; the line layer (:class:`JsonLinesConverter`,
:func:`run`) reads blocks of whole lines, parses and writes them, and keeps the output
in input order. JSON goes through the standard library, or through ``orjson`` when it
is installed; both give the same data.
"""

from __future__ import annotations

import importlib
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, Callable, NoReturn, Optional

from . import _io
from ._results import ConvertError, ConvertIOError, ConvertResult, OnError, Rejected, std_dumps
from .errors import NflexMetricsError

if TYPE_CHECKING:
    from .expression import Expression
    from .mapping import ParsedEntry

#: Fields added to every output object. A sample that already has one of them is
#: rejected rather than silently losing it (``value`` itself is kept as ``raw_value``).
OUTPUT_FIELDS = ("raw_value", "name", "unit", "counter")

#: The extra field of the output object written for a rejected sample under
#: ``on_error="null"``: why it was rejected.
ERROR_FIELD = "error"

#: The field of a null record that holds the line as read, when the sample cannot be
#: kept field by field (not a JSON object, or it has a field named like an added one).
INPUT_FIELD = "input"

#: Why a line nested deeper than the JSON libraries go is rejected (``[[[[...]]]]``:
#: about 1,000 levels for the standard library, Python's recursion limit).
_TOO_DEEP = "nested too deeply"

# --------------------------------------------------------------------------------------
# JSON codecs


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not valid JSON")


# Strict JSON both ways: NaN/Infinity are neither read nor written (``std_dumps``), so
# that the two codecs accept and produce the same documents.
_STD_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def _std_loads(data: bytes) -> Any:
    return _STD_DECODER.decode(data.decode("utf-8"))


@dataclass(frozen=True)
class JsonCodec:
    """How the converter reads and writes one JSON document.

    ``loads`` raises ``ValueError`` on text that is not JSON; ``dumps`` raises
    ``ValueError`` or ``TypeError`` for a value that JSON cannot represent.
    ``exact`` is False for a fast codec whose rare gaps (integers past 64 bits, NaN
    results) the converter routes to the standard library.
    """

    name: str
    loads: Callable[[bytes], Any]
    dumps: Callable[[Any], bytes]
    exact: bool


#: The standard library's ``json`` module, strict (no NaN or Infinity).
STDLIB_CODEC = JsonCodec("stdlib", _std_loads, std_dumps, exact=True)


def json_codec(choice: str = "auto") -> JsonCodec:
    """The codec named ``stdlib`` or ``orjson``, or for ``auto`` orjson when installed.

    >>> json_codec("stdlib").name
    'stdlib'
    """
    if choice == "stdlib":
        return STDLIB_CODEC
    if choice not in ("auto", "orjson"):
        raise ValueError(f"unknown JSON codec {choice!r}: auto, stdlib or orjson")
    try:
        orjson = importlib.import_module("orjson")
    except ImportError:
        if choice == "orjson":
            raise ConvertError(
                "orjson is not installed (pip install 'nflex-connector-utils[fast]')"
            ) from None
        return STDLIB_CODEC
    return JsonCodec("orjson", orjson.loads, orjson.dumps, exact=False)


# Integers orjson would read as a float (past the 64-bit range: 20 digits, or a minus and
# 19). A line with such a digit run anywhere (even inside a string) is read by the
# standard library instead. Found with translate + substring search, at memchr speed.
_DIGIT_MASK = bytes(48 if 48 <= i <= 57 else 45 if i == 45 else 32 for i in range(256))
_WIDE_POSITIVE = b"0" * 20
_WIDE_NEGATIVE = b"-" + b"0" * 19


def _has_wide_int(data: bytes) -> bool:
    """Whether ``data`` has a digit run that could be an integer past 64 bits.

    >>> _has_wide_int(b'{"a": 18446744073709551616}'), _has_wide_int(b'{"a": 1700000000}')
    (True, False)
    """
    masked = data.translate(_DIGIT_MASK)
    return _WIDE_POSITIVE in masked or _WIDE_NEGATIVE in masked


# --------------------------------------------------------------------------------------
# The sample layer: parsed samples in, converted in place, reasons for the rest


@dataclass
class _Prepared:
    """One mapping entry, ready for the hot loop."""

    key: Any
    entry: ParsedEntry
    expression: Optional[Expression]
    variables: tuple[str, ...]
    fields: dict[str, Any]


#: What a line that is not a sample is parsed to (a blank line).
_BLANK = object()

_NO_FIELDS: dict[str, Any] = {"name": None, "unit": None, "counter": None}


class _RowError(Exception):
    pass


class _SampleConverter:
    """Converts parsed samples in place with a loaded mapping; knows nothing of files."""

    def __init__(self, mapping: Mapping[Any, ParsedEntry], on_error: OnError) -> None:
        self.on_error = on_error
        self.reserved = frozenset(OUTPUT_FIELDS) | (
            {ERROR_FIELD} if on_error == "null" else frozenset()
        )
        self._prepared: dict[Any, _Prepared] = {}
        for key, entry in mapping.items():
            expression = entry.expression
            variables = tuple(sorted(expression.variables)) if expression is not None else ()
            fields = {"name": entry.name(), "unit": entry.unit(), "counter": entry.counter()}
            self._prepared[key] = _Prepared(key, entry, expression, variables, fields)

    def convert(self, objs: list[Any], rejects: dict[int, str]) -> None:
        """Convert ``objs`` (parsed lines; ``_BLANK`` and the indices already in
        ``rejects`` are left alone) in place, adding the index and reason of each sample
        that cannot be converted to ``rejects``."""
        failed: list[tuple[Any, str]] = []
        for key, group in self._group(objs, rejects).items():
            self._convert_group(key, group, failed)
        if failed:
            where = {id(obj): index for index, obj in enumerate(objs)}
            for obj, reason in failed:
                rejects[where[id(obj)]] = reason

    def _group(self, objs: list[Any], rejects: dict[int, str]) -> dict[str, list[Any]]:
        """The sample objects by metric key; lines that are not samples go to ``rejects``.

        A metric is a string: other keys would share groups (``True == 1 == 1.0`` as dict
        keys), and a line's reason would depend on what else is in its block.
        """
        groups: dict[Any, list[Any]] = {}
        if not rejects:
            try:
                for obj, key in zip(objs, [obj["metric"] for obj in objs]):
                    group = groups.get(key)
                    if group is None:
                        groups[key] = [obj]
                    else:
                        group.append(obj)
            except (TypeError, KeyError):  # not all objects with a hashable metric
                pass
            else:
                if all(type(key) is str for key in groups):
                    return groups
            groups = {}
        for index, obj in enumerate(objs):
            if obj is _BLANK or index in rejects:
                continue
            if not isinstance(obj, dict):
                rejects[index] = f"not a JSON object ({_json_type(obj)})"
                continue
            if "metric" not in obj:
                rejects[index] = 'no "metric" field'
                continue
            key = obj["metric"]
            if isinstance(key, str):
                groups.setdefault(key, []).append(obj)
            else:
                rejects[index] = f'"metric" is {_json_type(key)}, not a string'
        return groups

    def _convert_group(self, key: str, group: list[Any], failed: list[tuple[Any, str]]) -> None:
        """Convert the samples of one metric in place: batch first, row by row on trouble."""
        prepared = self._prepared.get(key)
        if prepared is None:
            reason = f"unknown metric {key!r}"
            failed.extend((obj, reason) for obj in group)
            return
        reserved = self.reserved
        clashes = [obj for obj in group if not reserved.isdisjoint(obj)]
        if clashes:
            for obj in clashes:
                taken = ", ".join(map(repr, sorted(reserved.intersection(obj))))
                reason = (
                    f"input field {taken} would be overwritten by the output "
                    f"(reserved: {', '.join(sorted(reserved))})"
                )
                failed.append((obj, reason))
            clash_ids = {id(obj) for obj in clashes}
            group = [obj for obj in group if id(obj) not in clash_ids]
        results = self._batch(prepared, group)
        if results is None:
            group, results = self._one_by_one(prepared, group, failed)
        fields = prepared.fields
        for obj, result in zip(group, results):
            raw = obj.get("value")
            obj["value"] = result
            obj["raw_value"] = raw
            obj.update(fields)

    def _batch(self, prepared: _Prepared, group: list[Any]) -> Optional[list[Any]]:
        """The columnar path; None when some row needs a closer look (a missing variable,
        an evaluation error, a result that JSON cannot hold)."""
        expression = prepared.expression
        try:
            if expression is None:
                column = [obj["value"] for obj in group]
                return list(prepared.entry.convert_columns({"value": column}))
            if not prepared.variables:
                results = [expression.evaluate({})] * len(group)
            else:
                columns = {name: [obj[name] for obj in group] for name in prepared.variables}
                results = list(prepared.entry.convert_columns(columns))
        except Exception:  # a missing variable, a bad value: row by row says which
            return None
        if len(results) != len(group) or not _all_finite(results):
            return None
        return results

    def _one_by_one(
        self, prepared: _Prepared, group: list[Any], failed: list[tuple[Any, str]]
    ) -> tuple[list[Any], list[Any]]:
        """Convert row by row, failing the rows that cannot be; the good rows and results."""
        expression = prepared.expression
        good: list[Any] = []
        results: list[Any] = []
        for obj in group:
            try:
                if expression is None:
                    if "value" not in obj:
                        raise _RowError("variable 'value' is not defined")
                    result = obj["value"]
                else:
                    result = expression.evaluate(obj)
                    if result is not None and not math.isfinite(result):
                        raise _RowError(f"the result {result!r} cannot be written as JSON")
            except (_RowError, NflexMetricsError) as err:
                failed.append((obj, f"metric {prepared.key!r}: {err}"))
            except RecursionError:  # a variable's value too deep to describe
                failed.append((obj, f"metric {prepared.key!r}: a value is {_TOO_DEEP}"))
            except Exception as err:  # an engine bug must not stop a long conversion
                failed.append((obj, f"metric {prepared.key!r}: {type(err).__name__}: {err}"))
            else:
                good.append(obj)
                results.append(result)
        return good, results

    def null_record(self, obj: Any, reason: str, converted: bool, raw: bytes) -> dict[str, Any]:
        """The output object of a rejected sample under ``on_error="null"``: its fields,
        ``"value": null``, ``raw_value``, the entry's fields (null for an unknown metric)
        and the reason. ``converted``: it was converted (in place) before being rejected.

        The record never overwrites what the input holds: a line that is not a JSON
        object, or a sample with a field of its own named like an added one, keeps its
        text, as read, in ``input`` instead of its fields (``raw``: the line).
        """
        kept = isinstance(obj, dict) and (converted or self.reserved.isdisjoint(obj))
        record = dict(obj) if kept else {}
        value = record.get("raw_value") if converted else record.get("value")
        record.update({"value": None, "raw_value": value})
        metric = obj.get("metric") if isinstance(obj, dict) else None
        prepared = self._prepared.get(metric) if isinstance(metric, str) else None
        record.update(prepared.fields if prepared is not None else _NO_FIELDS)
        record[ERROR_FIELD] = reason
        if not kept:
            record[INPUT_FIELD] = raw.rstrip(b"\r").decode("utf-8", "surrogateescape")
        return record


def _all_finite(values: list[Any]) -> bool:
    """True when no value is an inf or NaN (which strict JSON cannot hold).

    A sum of finite floats can only be non-finite by overflow, so one C-speed ``sum``
    answers the common case; the slow check runs only when it cannot.
    """
    try:
        total = sum(values)
    except TypeError:
        total = sum(v for v in values if isinstance(v, float))
    if math.isfinite(total):
        return True
    return all(math.isfinite(v) for v in values if isinstance(v, float))


def _json_type(value: object) -> str:
    """The JSON type of a parsed value, with its article.

    >>> _json_type([]), _json_type({}), _json_type(None), _json_type(1.5)
    ('an array', 'an object', 'null', 'a number')
    """
    names = {
        dict: "an object",
        list: "an array",
        str: "a string",
        bool: "a boolean",
        type(None): "null",
    }
    return names.get(type(value), "a number")


# --------------------------------------------------------------------------------------
# The JSON Lines layer: a block of lines in, output lines and reasons out


class JsonLinesConverter:
    """Converts blocks of JSON Lines, one output line (or None) per input line."""

    def __init__(
        self, mapping: Mapping[Any, ParsedEntry], codec: JsonCodec, on_error: OnError
    ) -> None:
        self.codec = codec
        self.on_error = on_error
        self.samples = _SampleConverter(mapping, on_error)

    def convert(
        self, block: bytes, first_line: int
    ) -> tuple[list[Optional[bytes]], dict[int, str]]:
        """Convert the lines of ``block`` (numbered from ``first_line``): the output line
        of each (None for a blank line, or a rejected sample under fail/skip) and the
        reasons of the rejected ones by index, in line order.

        Each metric's samples are converted together and changed in place, so writing the
        parsed objects in line order keeps the order.
        """
        lines = block.split(b"\n")
        objs, by_stdlib, rejects = self._parse(lines, block)
        self.samples.convert(objs, rejects)
        outputs = self._serialize(lines, objs, by_stdlib, rejects, first_line)
        return outputs, dict(sorted(rejects.items())) if rejects else rejects

    def _parse(
        self, lines: list[bytes], block: bytes
    ) -> tuple[list[Any], set[int], dict[int, str]]:
        """Each line's JSON value (``_BLANK`` for a blank line), the indices of the lines
        read by the standard library, and the reasons for lines that are not JSON."""
        loads = self.codec.loads
        exact = self.codec.exact
        if exact or not _has_wide_int(block):
            try:
                return [loads(line) for line in lines], set(), {}
            except (ValueError, RecursionError):  # a blank or bad line: look at each one
                pass
        objs: list[Any] = []
        by_stdlib: set[int] = set()
        errors: dict[int, str] = {}
        for index, line in enumerate(lines):
            if not line.strip():
                objs.append(_BLANK)
                continue
            obj: Any = None
            try:
                if not exact and _has_wide_int(line):
                    raise ValueError("read by the standard library")
                obj = loads(line)
            except (ValueError, RecursionError):
                try:
                    obj = _std_loads(line)
                    by_stdlib.add(index)
                except ValueError as err:
                    errors[index] = f"invalid JSON: {err}"
                except RecursionError:
                    errors[index] = f"invalid JSON: {_TOO_DEEP}"
            objs.append(obj)
        return objs, by_stdlib, errors

    def _serialize(
        self,
        lines: list[bytes],
        objs: list[Any],
        by_stdlib: set[int],
        rejects: dict[int, str],
        first_line: int,
    ) -> list[Optional[bytes]]:
        dumps = self.codec.dumps
        if not rejects and not by_stdlib:
            try:
                return [dumps(obj) for obj in objs]
            except (TypeError, ValueError, RecursionError):  # a blank line, or a value
                pass  # only the standard library writes
        outputs: list[Optional[bytes]] = []
        for index, obj in enumerate(objs):
            line: Optional[bytes] = None
            converted = obj is not _BLANK and index not in rejects
            if converted:
                try:
                    line = std_dumps(obj) if index in by_stdlib else _dumps_fallback(dumps, obj)
                except (TypeError, ValueError) as err:
                    rejects[index] = f"cannot write the sample as JSON: {err}"
                except RecursionError:
                    rejects[index] = f"cannot write the sample as JSON: {_TOO_DEEP}"
            if index in rejects and self.on_error == "null":
                reason = f"line {first_line + index}: {rejects[index]}"
                record = self.samples.null_record(obj, reason, converted, lines[index])
                line = null_line(record)
            outputs.append(line)
        return outputs


def null_line(record: dict[str, Any]) -> bytes:
    """A null record as a line; fields JSON cannot hold (``1e999`` is read as inf) are
    written as null and named in the error, so that the others are kept."""
    try:
        return std_dumps(record)
    except (TypeError, ValueError, RecursionError):
        pass
    lost = [key for key, value in record.items() if not _writable(value)]
    record.update(dict.fromkeys(lost))
    names = ", ".join(map(repr, lost))
    fields, their = ("field", "its") if len(lost) == 1 else ("fields", "their")
    record[ERROR_FIELD] = (
        f"{record[ERROR_FIELD]}; {fields} {names} written as null: JSON cannot hold {their} value"
    )
    return std_dumps(record)


def _writable(value: Any) -> bool:
    try:
        std_dumps(value)
    except (TypeError, ValueError, RecursionError):
        return False
    return True


def _dumps_fallback(dumps: Callable[[Any], bytes], obj: Any) -> bytes:
    try:
        return dumps(obj)
    except (TypeError, ValueError, RecursionError):
        return std_dumps(obj)


#: The UTF-8 byte order mark that Windows tools put at the start of a text file.
_BOM = b"\xef\xbb\xbf"


def blocks(stream: IO[bytes], size: int, name: str) -> Iterator[bytes]:
    """:func:`_io.read_blocks`, with read errors as :class:`ConvertIOError` and a byte
    order mark at the start of the input left out (anywhere else it is not JSON)."""
    try:
        first = True
        for block in _io.read_blocks(stream, size):
            if first and block.startswith(_BOM):
                block = block[len(_BOM) :]
            first = False
            yield block
    except OSError as err:
        raise ConvertIOError(f"cannot read {name}", err) from None


def run(
    converter: JsonLinesConverter,
    blocks: Iterator[bytes],
    out: _io.Output,
    report: Optional[Callable[[Rejected], None]],
    progress: Optional[Callable[[int, int], None]],
) -> tuple[ConvertResult, Optional[Rejected]]:
    """Convert the input, block by block, into ``out``; the counts, and the rejected line
    that stopped the run under ``on_error="fail"`` (the lines before it are written)."""
    fail = converter.on_error == "fail"
    null = converter.on_error == "null"
    result = ConvertResult()
    done_bytes = 0
    for block in blocks:
        done_bytes += len(block) + 1
        base = result.lines
        outputs, rejected = converter.convert(block, base + 1)
        result.lines += len(outputs)
        if rejected and fail:
            first = next(iter(rejected))
            outputs, rejected = outputs[:first], {first: rejected[first]}
        written = [line for line in outputs if line is not None]
        result.converted += len(written) - (len(rejected) if null else 0)
        if written:
            out.write(b"\n".join(written) + b"\n")
        lines = block.split(b"\n") if rejected else []  # split again: rejects are rare
        for index, reason in rejected.items():
            record = Rejected(base + index + 1, reason, lines[index])
            result.rejected += 1
            if report is not None:
                report(record)
            if fail:
                result.lines = record.line
                return result, record
        if progress is not None:
            progress(result.lines, done_bytes)
    return result, None
