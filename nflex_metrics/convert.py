"""Convert metric samples with a mapping: the library behind ``nflex-metrics convert``.

A sample is a JSON object ``{"metric": "KEY", "value": ..., other variables...}``. Its
output object keeps every input field in order, replaces ``value`` with the converted
value, and adds ``raw_value`` (the input ``value``, null when absent), ``name``,
``unit`` and ``counter`` from the metric's entry. A sample that cannot be converted is
never dropped silently: ``on_error`` says whether it stops the run (``"fail"``), is left
out (``"skip"``) or is written with ``"value": null`` and an ``"error"`` field
(``"null"``), and a ``rejects`` sink receives every rejected line either way.

>>> import io
>>> from nflex_metrics import parse_metric_mapping
>>> mapping = parse_metric_mapping(
...     "cpu_usage: {name: cpu-usage, unit: '%', conversion_expr: value * 100}"
... )
>>> out = io.BytesIO()
>>> convert_json_lines(mapping, io.BytesIO(b'{"metric": "cpu_usage", "value": 0.5}\\n'), out)
ConvertResult(lines=1, converted=1, rejected=0)
>>> out.getvalue()
b'{"metric":"cpu_usage","value":50.0,"raw_value":0.5,"name":"cpu-usage","unit":"%","counter":false}\\n'

The work is split in two layers so that another file format can reuse the first: the
sample layer (:class:`_SampleConverter`) groups parsed samples by metric, converts each
group with the engine's columnar batch path (:meth:`ParsedEntry.convert_columns`) and
records why a sample is rejected; the JSON Lines layer (:class:`_JsonLinesConverter`,
:func:`convert_json_lines`) reads blocks of whole lines, parses and writes them, and
keeps the output in input order. JSON goes through the standard library, or through
``orjson`` when it is installed; both give the same data.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import math
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, Callable, Literal, NamedTuple, NoReturn, Optional, Union

from . import _io
from .errors import NflexMetricsError

if TYPE_CHECKING:
    from .expression import Expression
    from .mapping import ParsedEntry

#: What to do with a sample that cannot be converted (see :func:`convert_json_lines`).
OnError = Literal["fail", "skip", "null"]

__all__ = [
    "DEFAULT_BLOCK_SIZE",
    "ERROR_FIELD",
    "MAX_BLOCK_SIZE",
    "ON_ERROR_CHOICES",
    "OUTPUT_FIELDS",
    "STDLIB_CODEC",
    "ConvertError",
    "ConvertIOError",
    "ConvertResult",
    "FileClashError",
    "JsonCodec",
    "OnError",
    "Rejected",
    "SampleRejected",
    "convert_json_lines",
    "json_codec",
]

#: Bytes read per block: the unit of grouping, and what bounds memory.
DEFAULT_BLOCK_SIZE = 1 << 20

#: The largest block: memory grows with it (the parsed samples of a block take about
#: ten times its size), and past a few MiB a larger block is no faster.
MAX_BLOCK_SIZE = 64 << 20

#: Fields added to every output object. A sample that already has one of them is
#: rejected rather than silently losing it (``value`` itself is kept as ``raw_value``).
OUTPUT_FIELDS = ("raw_value", "name", "unit", "counter")

#: The extra field of the output object written for a rejected sample under
#: ``on_error="null"``: why it was rejected.
ERROR_FIELD = "error"

#: What to do with a sample that cannot be converted.
ON_ERROR_CHOICES = ("fail", "skip", "null")

#: Why a line nested deeper than the JSON libraries go is rejected (``[[[[...]]]]``:
#: about 1,000 levels for the standard library, Python's recursion limit).
_TOO_DEEP = "nested too deeply"

#: A file to read or write: a path, or a binary stream.
Target = Union[str, "os.PathLike[str]", IO[bytes]]


# --------------------------------------------------------------------------------------
# JSON codecs


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not valid JSON")


# Strict JSON both ways: NaN/Infinity are neither read nor written, so that the two
# codecs accept and produce the same documents.
_STD_DECODER = json.JSONDecoder(parse_constant=_reject_constant)
_STD_ENCODER = json.JSONEncoder(ensure_ascii=True, allow_nan=False, separators=(",", ":"))


def _std_loads(data: bytes) -> Any:
    return _STD_DECODER.decode(data.decode("utf-8"))


def _std_dumps(obj: Any) -> bytes:
    return _STD_ENCODER.encode(obj).encode("ascii")


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
STDLIB_CODEC = JsonCodec("stdlib", _std_loads, _std_dumps, exact=True)


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
# Results and errors


class ConvertError(NflexMetricsError):
    """The conversion cannot run or could not finish (the message says what and why)."""


class ConvertIOError(ConvertError, OSError):
    """Reading the input or writing an output failed. The message names the file and
    the operating system's reason (``cannot write the output out.jsonl: File too
    large``); ``errno``, ``strerror`` and ``filename`` are those of the OS error."""

    def __init__(self, doing: str, err: OSError) -> None:
        super().__init__(err.errno, err.strerror or str(err))
        self.errno, self.strerror, self.filename = err.errno, err.strerror, err.filename
        self.message = f"{doing}: {err.strerror or err}"

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_io_error, (self.message, self.errno, self.strerror, self.filename))


def _rebuild_io_error(
    message: str, errno: Optional[int], strerror: Optional[str], filename: Any
) -> ConvertIOError:
    error = ConvertIOError("", OSError(errno, strerror, filename))
    error.message = message
    return error


class FileClashError(ConvertError, ValueError):
    """Two of the files a conversion reads and writes are the same file, and writing one
    would overwrite the other: refused before anything is read or written."""


class Rejected(NamedTuple):
    """A line that could not be converted: its number (from 1), why, and its bytes."""

    line: int
    reason: str
    raw: bytes

    def to_json(self) -> bytes:
        """The rejects-file record: ``{"line": N, "reason": "...", "input": "..."}``.

        >>> Rejected(3, "invalid JSON", b"{oops\\r").to_json()
        b'{"line":3,"reason":"invalid JSON","input":"{oops"}'
        """
        text = self.raw.rstrip(b"\r").decode("utf-8", "surrogateescape")
        return _std_dumps({"line": self.line, "reason": self.reason, "input": text})


@dataclass
class ConvertResult:
    """What a conversion did: input lines read (blank ones included), samples
    converted, samples rejected."""

    lines: int = 0
    converted: int = 0
    rejected: int = 0


class SampleRejected(ConvertError, ValueError):
    """A sample stopped the run under ``on_error="fail"``.

    ``rejected`` is the line; ``result`` counts what was done up to it (the lines before
    it were written to an output stream; an output file is left untouched).
    """

    def __init__(self, source: str, rejected: Rejected, result: ConvertResult) -> None:
        super().__init__(f"{source}:{rejected.line}: {rejected.reason}")
        self.source = source
        self.rejected = rejected
        self.result = result

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.source, self.rejected, self.result))


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

    def null_record(self, obj: Any, reason: str, converted: bool) -> dict[str, Any]:
        """The output object of a rejected sample under ``on_error="null"``: its fields,
        ``"value": null``, ``raw_value``, the entry's fields (null for an unknown metric)
        and the reason. ``converted``: it was converted (in place) before being rejected.
        """
        record = dict(obj) if isinstance(obj, dict) else {}
        raw = record.get("raw_value") if converted else record.get("value")
        record.update({"value": None, "raw_value": raw})
        metric = record.get("metric")
        prepared = self._prepared.get(metric) if isinstance(metric, str) else None
        record.update(prepared.fields if prepared is not None else _NO_FIELDS)
        record[ERROR_FIELD] = reason
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


class _JsonLinesConverter:
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
        objs, by_stdlib, rejects = self._parse(block.split(b"\n"), block)
        self.samples.convert(objs, rejects)
        outputs = self._serialize(objs, by_stdlib, rejects, first_line)
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
        self, objs: list[Any], by_stdlib: set[int], rejects: dict[int, str], first_line: int
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
                    line = _std_dumps(obj) if index in by_stdlib else _dumps_fallback(dumps, obj)
                except (TypeError, ValueError) as err:
                    rejects[index] = f"cannot write the sample as JSON: {err}"
                except RecursionError:
                    rejects[index] = f"cannot write the sample as JSON: {_TOO_DEEP}"
            if index in rejects and self.on_error == "null":
                reason = f"line {first_line + index}: {rejects[index]}"
                line = _null_line(self.samples.null_record(obj, reason, converted))
            outputs.append(line)
        return outputs


def _null_line(record: dict[str, Any]) -> bytes:
    """A null record as a line; fields JSON cannot hold (``1e999`` is read as inf) are
    written as null and named in the error, so that the others are kept."""
    try:
        return _std_dumps(record)
    except (TypeError, ValueError, RecursionError):
        pass
    lost = [key for key, value in record.items() if not _writable(value)]
    record.update(dict.fromkeys(lost))
    names = ", ".join(map(repr, lost))
    record[ERROR_FIELD] = f"{record[ERROR_FIELD]} (not valid JSON, written as null: {names})"
    return _std_dumps(record)


def _writable(value: Any) -> bool:
    try:
        _std_dumps(value)
    except (TypeError, ValueError, RecursionError):
        return False
    return True


def _dumps_fallback(dumps: Callable[[Any], bytes], obj: Any) -> bytes:
    try:
        return dumps(obj)
    except (TypeError, ValueError, RecursionError):
        return _std_dumps(obj)


# --------------------------------------------------------------------------------------
# Files and streams


class _Output:
    """Where output lines go: an output path (see :class:`_io.OutputFile`), or a
    caller's stream; every OS error becomes a :class:`ConvertIOError` naming it."""

    def __init__(self, target: Target, what: str) -> None:
        self.label = _label(target, what)
        self.file: Optional[_io.OutputFile] = None
        if isinstance(target, (str, os.PathLike)):
            with self._errors():
                self.file = _io.OutputFile(os.fspath(target))
            self.stream: IO[bytes] = self.file.stream
        else:
            self.stream = target
        # Someone may be reading as it comes (a pipe, a terminal, a FIFO): flush each block.
        self.live = self.file is None or self.file.in_place

    def write(self, data: bytes) -> None:
        with self._errors():
            # A buffered stream returns a short count instead of raising when the error
            # (a reader gone, a full disk) comes after part of the data: write the rest,
            # which raises.
            view = memoryview(data)
            while view:
                count = self.stream.write(view)
                view = view[count:] if count is not None else view[:0]
            if self.live:
                self.stream.flush()

    def commit(self) -> None:
        with self._errors():
            if self.file is not None:
                self.file.commit()
            else:
                self.stream.flush()

    def discard(self) -> None:
        if self.file is not None:
            self.file.discard()

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except OSError as err:
            raise ConvertIOError(f"cannot write {self.label}", err) from None


@contextlib.contextmanager
def _opened_source(source: Target) -> Iterator[tuple[IO[bytes], str]]:
    """The input as a binary stream and the name messages give it."""
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        try:
            stream = open(path, "rb")  # noqa: SIM115 (closed by the ``with`` below)
        except OSError as err:
            raise ConvertIOError(f"cannot read {path}", err) from None
        with stream:
            yield stream, path
    else:
        yield source, _name(source)


def _blocks(stream: IO[bytes], size: int, name: str) -> Iterator[bytes]:
    """:func:`_io.read_blocks`, with read errors as :class:`ConvertIOError`."""
    try:
        yield from _io.read_blocks(stream, size)
    except OSError as err:
        raise ConvertIOError(f"cannot read {name}", err) from None


def _name(target: Target) -> str:
    """A path as given, or a stream's name (``<stdin>``), for messages."""
    if isinstance(target, (str, os.PathLike)):
        return os.fspath(target)
    return str(getattr(target, "name", "<input>"))


def _label(target: Target, what: str) -> str:
    """How messages name an output: ``the output out.jsonl``, or ``stdout``."""
    name = _name(target) if isinstance(target, (str, os.PathLike)) else None
    if name is None:
        stream_name = getattr(target, "name", None)
        if isinstance(stream_name, str) and stream_name.startswith("<"):
            return stream_name.strip("<>")  # sys.stdout.buffer: "stdout"
        name = str(stream_name) if stream_name is not None else "<stream>"
    return f"{what} {name}"


# --------------------------------------------------------------------------------------
# The API


def convert_json_lines(
    mapping: Union[Mapping[Any, ParsedEntry], str, os.PathLike[str]],
    source: Target,
    output: Target,
    *,
    on_error: OnError = "fail",
    rejects: Union[Target, Callable[[Rejected], None], None] = None,
    codec: Optional[JsonCodec] = None,
    block_size: int = DEFAULT_BLOCK_SIZE,
    progress: Optional[Callable[[int, int], None]] = None,
) -> ConvertResult:
    """Convert the JSON Lines samples of ``source`` into ``output``, in input order.

    ``mapping`` is a loaded mapping (metric key -> :class:`ParsedEntry`) or the path of
    a mapping file, loaded with :func:`~nflex_metrics.load_metric_mapping` (which raises
    :class:`~nflex_metrics.errors.MappingError`).
    ``source`` and ``output`` are paths or binary streams. An output path that is a
    regular file (or nothing yet) is written atomically (a temporary file in the same
    directory, renamed at the end): a failed or interrupted run leaves the previous file
    untouched and no partial file behind; a symbolic link is written through, a device
    or FIFO in place, a directory refused (see :class:`_io.OutputFile`). On a stream,
    the lines before a failing sample are written. Blank input lines are ignored but
    counted in line numbers. When two of the files read and written are the same file
    (``output`` is the input or the mapping file, or the rejects file, also through
    another path or a link) :class:`FileClashError` is raised before any work.

    ``on_error``: ``"fail"`` raises :class:`SampleRejected` at the first sample that
    cannot be converted, ``"skip"`` leaves it out, ``"null"`` writes it with
    ``"value": null`` and an ``"error"`` field. ``rejects`` receives each rejected line:
    a path or binary stream gets one :meth:`Rejected.to_json` record per line, a
    callable is called with the :class:`Rejected`. ``codec`` is the JSON library
    (default: :func:`json_codec` ``("auto")``). ``block_size`` bytes of whole lines are
    read and converted at a time, which bounds memory. ``progress`` is called after each
    block with the lines and bytes read so far.
    """
    if on_error not in ON_ERROR_CHOICES:
        raise ValueError(f"on_error must be one of {', '.join(ON_ERROR_CHOICES)}: {on_error!r}")
    if not 1 <= block_size <= MAX_BLOCK_SIZE:
        raise ValueError(f"block_size must be between 1 and {MAX_BLOCK_SIZE:,}: {block_size}")
    writes_rejects = rejects is not None and not callable(rejects)
    _refuse_clashes(
        [
            ("the input", source, False),
            (
                "the mapping file",
                mapping if isinstance(mapping, (str, os.PathLike)) else None,
                False,
            ),
            ("the output", output, True),
            ("the rejects file", rejects if writes_rejects else None, True),
        ]
    )
    if isinstance(mapping, (str, os.PathLike)):
        from .mapping import load_metric_mapping

        mapping = load_metric_mapping(mapping)
    converter = _JsonLinesConverter(mapping, codec or json_codec("auto"), on_error)
    with _opened_source(source) as (stream, name):
        opened: list[_Output] = []
        try:
            out = _Output(output, "the output")
            opened.append(out)
            report: Optional[Callable[[Rejected], None]] = None
            rejects_out: Optional[_Output] = None
            if callable(rejects):
                report = rejects
            elif rejects is not None:
                rejects_out = _Output(rejects, "the rejects file")
                opened.append(rejects_out)
                report = _record_writer(rejects_out)
            blocks = _blocks(stream, block_size, name)
            result, failure = _run(converter, blocks, out, report, progress)
            if failure is None:
                out.commit()
            else:
                out.discard()
            opened.remove(out)
            if rejects_out is not None:  # kept even after a failure: it says why
                rejects_out.commit()
                opened.remove(rejects_out)
        finally:
            for target in opened:
                target.discard()
    if failure is not None:
        raise SampleRejected(name, failure, result)
    return result


def _refuse_clashes(files: list[tuple[str, Any, bool]]) -> None:
    """Raise :class:`FileClashError` when a file written is also another file read or
    written (what, path or stream or None, written?)."""
    # Writers first, so that a message names the file written before the one it hits.
    keyed = sorted(
        (
            (not writes, what, _name(target), _io.file_key(_fspath(target)))
            for what, target, writes in files
            if target is not None
        ),
        key=lambda item: item[0],
    )
    for index, (reads, what, name, key) in enumerate(keyed):
        for _, other, other_name, other_key in keyed[index + 1 :]:
            if not reads and key is not None and key == other_key:
                raise FileClashError(
                    f"{what} ({name}) and {other} ({other_name}) are the same file: "
                    "writing one would destroy the other"
                )


def _fspath(target: Any) -> Any:
    return os.fspath(target) if isinstance(target, os.PathLike) else target


def _record_writer(out: _Output) -> Callable[[Rejected], None]:
    def write(rejected: Rejected) -> None:
        out.write(rejected.to_json() + b"\n")

    return write


def _run(
    converter: _JsonLinesConverter,
    blocks: Iterator[bytes],
    out: _Output,
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
