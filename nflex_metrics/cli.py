"""The ``nflex-metrics`` command line: check mapping files, try expressions, convert samples.

Three subcommands, in the spirit of ``promtool check rules``::

    nflex-metrics check MAPPING...                      # exit 0 valid, 1 problems, 2 usage
    nflex-metrics eval EXPRESSION [NAME=VALUE ...]       # or --mapping FILE --metric KEY
    nflex-metrics convert MAPPING [INPUT] [-o OUTPUT]   # JSON Lines in, JSON Lines out

Exit codes are the same for every subcommand: 0 success, 1 a problem with the input
(an invalid mapping, an expression that does not parse or evaluate, a sample that cannot
be converted), 2 a command line that cannot be understood, 128+N when stopped by signal N.

``convert`` streams: it reads the input in blocks of whole lines, groups each block's
samples by metric, converts each group with the engine's columnar batch path
(:meth:`ParsedEntry.convert_columns`) and writes one output line per input sample in
input order. JSON goes through the standard library, or through ``orjson`` when it is
installed (``pip install 'nflex-connector-utils[fast]'``); both give the same data.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import math
import os
import signal
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, Callable, NoReturn, Optional

from .errors import (
    ExpressionSyntaxError,
    MappingError,
    MappingProblem,
    NflexMetricsError,
)

if TYPE_CHECKING:
    from .expression import Expression
    from .mapping import ParsedEntry

__all__ = ["EXIT_OK", "EXIT_PROBLEMS", "EXIT_USAGE", "JsonCodec", "json_codec", "main"]

PROG = "nflex-metrics"

#: Everything was valid / converted.
EXIT_OK = 0
#: A problem with the input: an invalid mapping, expression or sample.
EXIT_PROBLEMS = 1
#: A command line that cannot be understood (argparse uses the same code).
EXIT_USAGE = 2

#: Bytes read per block by ``convert``: the unit of grouping, and what bounds memory.
DEFAULT_BLOCK_SIZE = 1 << 20

#: Fields ``convert`` adds to every output object. A sample that already has one of them
#: is rejected rather than silently losing it (``value`` itself is kept as ``raw_value``).
OUTPUT_FIELDS = ("raw_value", "name", "unit", "counter")

#: The extra field of an output object written for a rejected sample under ``--on-error null``.
ERROR_FIELD = "error"

#: With ``--on-error skip`` and no ``--rejects`` file, at most this many reasons are
#: printed on stderr (the summary line counts them all).
MAX_WARNINGS = 10


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
    """How ``convert`` reads and writes one JSON document.

    ``loads`` raises ``ValueError`` on text that is not JSON; ``dumps`` raises
    ``ValueError`` or ``TypeError`` for a value that JSON cannot represent.
    ``exact`` is False for a fast codec whose rare gaps (integers past 64 bits, NaN
    results) the converter routes to the standard library.
    """

    name: str
    loads: Callable[[bytes], Any]
    dumps: Callable[[Any], bytes]
    exact: bool


STDLIB_CODEC = JsonCodec("stdlib", _std_loads, _std_dumps, exact=True)


def json_codec(choice: str = "auto") -> JsonCodec:
    """The codec for ``--json``: ``stdlib``, ``orjson``, or ``auto`` (orjson when installed).

    >>> json_codec("stdlib").name
    'stdlib'
    """
    if choice == "stdlib":
        return STDLIB_CODEC
    try:
        orjson = importlib.import_module("orjson")
    except ImportError:
        if choice == "orjson":
            raise _CliError(
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
# Errors and output helpers


class _CliError(Exception):
    """A problem reported as ``nflex-metrics: message`` with exit code 1."""


class _Terminated(BaseException):
    """Raised from a SIGTERM/SIGHUP handler so that ``finally`` clauses clean up."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _error(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr)


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _format_value(value: object) -> str:
    """A result as ``eval`` prints it: ``null`` for NULL, ``repr`` for a float.

    >>> _format_value(None), _format_value(50.0), _format_value(float("inf"))
    ('null', '50.0', 'inf')
    """
    if value is None:
        return "null"
    if isinstance(value, float):
        return repr(value)
    return json.dumps(value, default=repr)


def _load_mapping(path: str) -> Mapping[Any, ParsedEntry]:
    from .mapping import load_metric_mapping

    try:
        mapping: Mapping[Any, ParsedEntry] = load_metric_mapping(path, strict=True)
    except OSError as err:  # the loader reports a missing file itself; this is a backstop
        raise MappingError([_io_problem(path, err)]) from None
    return mapping


def _io_problem(path: str, err: OSError) -> MappingProblem:
    return MappingProblem(path, 0, 0, None, f"cannot read the file: {err.strerror or err}")


def _print_problems(problems: Sequence[MappingProblem], stream: IO[str]) -> None:
    for problem in problems:
        print(problem, file=stream)


# --------------------------------------------------------------------------------------
# check


def _cmd_check(args: argparse.Namespace) -> int:
    reports: list[dict[str, Any]] = []
    for path in args.mapping:
        try:
            mapping = _load_mapping(path)
        except MappingError as err:
            reports.append({"file": path, "ok": False, "metrics": None, "problems": err.problems})
        else:
            reports.append({"file": path, "ok": True, "metrics": len(mapping), "problems": ()})
    all_ok = all(report["ok"] for report in reports)
    if args.format == "json":
        document = {
            "ok": all_ok,
            "files": [
                {**report, "problems": [_problem_dict(p) for p in report["problems"]]}
                for report in reports
            ],
        }
        print(json.dumps(document, indent=2))
    else:
        for report in reports:
            _print_problems(report["problems"], sys.stdout)
            if report["ok"]:
                summary = f"ok: {_plural(report['metrics'], 'metric')}"
            else:
                summary = _plural(len(report["problems"]), "problem")
            print(f"{report['file']}: {summary}")
    return EXIT_OK if all_ok else EXIT_PROBLEMS


def _problem_dict(problem: MappingProblem) -> dict[str, Any]:
    return {
        "file": problem.file,
        "line": problem.line,
        "column": problem.column,
        "key": problem.key,
        "message": problem.message,
        "snippet": problem.snippet,
    }


# --------------------------------------------------------------------------------------
# eval


def _parse_assignments(parser: argparse.ArgumentParser, items: Sequence[str]) -> dict[str, Any]:
    """``NAME=VALUE`` arguments as variables. VALUE is read as JSON when it is JSON
    (``3``, ``null``, ``true``, ``"text"``) and taken as a string otherwise."""
    variables: dict[str, Any] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            parser.error(f"expected NAME=VALUE, got {item!r}")
        if name in variables:
            parser.error(f"variable {name!r} is given twice")
        try:
            variables[name] = json.loads(text)
        except ValueError:
            variables[name] = text
    return variables


def _cmd_eval(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    positional: list[str] = list(args.args)
    if args.mapping is not None or args.metric is not None:
        if args.mapping is None or args.metric is None:
            parser.error("--mapping and --metric go together")
        variables = _parse_assignments(parser, positional)
        return _eval_entry(args, variables)
    if not positional:
        parser.error("give an EXPRESSION, or --mapping FILE --metric KEY")
    text, rest = positional[0], positional[1:]
    variables = _parse_assignments(parser, rest)
    from .expression import compile as compile_expression

    try:
        expression = compile_expression(text)
    except ExpressionSyntaxError as err:
        _error(f"invalid expression (line {err.line}, column {err.column}):")
        print(err.render(), file=sys.stderr)
        return EXIT_PROBLEMS
    if args.explain:
        _explain(expression)
        if not variables and expression.variables:
            return EXIT_OK
    return _print_result(lambda: expression.evaluate(variables), args.explain)


def _eval_entry(args: argparse.Namespace, variables: dict[str, Any]) -> int:
    try:
        mapping = _load_mapping(args.mapping)
    except MappingError as err:
        _print_problems(err.problems, sys.stderr)
        _error(f"{args.mapping}: {_plural(len(err.problems), 'problem')}")
        return EXIT_PROBLEMS
    entry = mapping.get(args.metric)
    if entry is None:
        known = ", ".join(map(str, list(mapping)[:10])) + (", ..." if len(mapping) > 10 else "")
        _error(f"metric {args.metric!r} is not in {args.mapping} (it has: {known or 'nothing'})")
        return EXIT_PROBLEMS
    expression: Optional[Expression] = entry.expression
    if args.explain:
        print(
            f"metric:     {args.metric} (name {entry.name()!r}, unit {entry.unit()!r}, "
            f"counter {json.dumps(bool(entry.counter()))})"
        )
        if expression is None:
            print("conversion: none (the value passes through unchanged)")
        else:
            _explain(expression)
        needed = expression.variables if expression is not None else {"value"}
        if not variables and needed:
            return EXIT_OK

    def convert() -> object:
        if expression is None:
            return entry.value(**variables)
        return expression.evaluate(variables)

    return _print_result(convert, args.explain)


def _explain(expression: Expression) -> None:
    print(f"source:     {expression.source}")
    print(f"canonical:  {expression.canonical}")
    print(f"variables:  {', '.join(sorted(expression.variables)) or '(none)'}")
    print("python:")
    for line in expression.python_source.rstrip("\n").splitlines():
        print(f"    {line}" if line.strip() else "")


def _print_result(compute: Callable[[], object], labelled: bool) -> int:
    try:
        result = compute()
    except NflexMetricsError as err:
        _error(f"cannot evaluate: {err}")
        return EXIT_PROBLEMS
    print(f"result:     {_format_value(result)}" if labelled else _format_value(result))
    return EXIT_OK


# --------------------------------------------------------------------------------------
# convert: the pure part (bytes in, bytes out)


@dataclass
class _Prepared:
    """One mapping entry, ready for the hot loop."""

    key: Any
    entry: ParsedEntry
    expression: Optional[Expression]
    variables: tuple[str, ...]
    fields: dict[str, Any]


@dataclass
class ChunkResult:
    """What one block of input lines became.

    ``outputs`` has one item per input line: the output line (bytes, no newline) or None
    (a blank line, or a rejected sample under fail/skip). ``rejects`` maps the index of
    each rejected line to its reason, in line order.
    """

    outputs: list[Optional[bytes]]
    rejects: dict[int, str] = field(default_factory=dict)


_BLANK = object()


class Converter:
    """Converts blocks of JSON Lines samples with a loaded mapping.

    A sample is ``{"metric": KEY, "value": ..., other variables...}``. Its output object
    keeps every input field, replaces ``value`` with the converted value, and adds
    ``raw_value`` (the input ``value``, null when absent), ``name``, ``unit`` and
    ``counter`` from the mapping entry.
    """

    def __init__(self, mapping: Mapping[Any, ParsedEntry], codec: JsonCodec, on_error: str):
        self.codec = codec
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

    # -- the whole block ----------------------------------------------------------

    def convert(self, block: bytes) -> ChunkResult:
        """Convert a block of complete lines (separated by ``\\n``), keeping their order.

        Each metric's samples are converted together by the columnar batch path and
        changed in place, so writing the parsed objects in line order keeps the order.
        """
        lines = block.split(b"\n")
        objs, by_stdlib, rejects = self._parse(lines, block)
        failed: list[tuple[Any, str]] = []
        for key, group in self._group(objs, rejects).items():
            self._convert_group(key, group, failed)
        if failed:
            where = {id(obj): index for index, obj in enumerate(objs)}
            for obj, reason in failed:
                rejects[where[id(obj)]] = reason
        outputs = self._serialize(objs, by_stdlib, rejects)
        return ChunkResult(outputs, dict(sorted(rejects.items())) if rejects else rejects)

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
            except ValueError:  # a blank or bad line: look at each one
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
            except ValueError:
                try:
                    obj = _std_loads(line)
                    by_stdlib.add(index)
                except ValueError as err:
                    errors[index] = f"invalid JSON: {err}"
            objs.append(obj)
        return objs, by_stdlib, errors

    def _group(self, objs: list[Any], rejects: dict[int, str]) -> dict[Any, list[Any]]:
        """The sample objects by metric key; lines that are not samples go to ``rejects``."""
        groups: dict[Any, list[Any]] = {}
        if not rejects:
            try:
                for obj, key in zip(objs, [obj["metric"] for obj in objs]):
                    group = groups.get(key)
                    if group is None:
                        groups[key] = [obj]
                    else:
                        group.append(obj)
                return groups
            except (TypeError, KeyError):  # not all objects with a hashable metric
                groups = {}
        for index, obj in enumerate(objs):
            if obj is _BLANK or index in rejects:
                continue
            if not isinstance(obj, dict):
                rejects[index] = f"not a JSON object (a {_json_type(obj)})"
                continue
            if "metric" not in obj:
                rejects[index] = 'no "metric" field'
                continue
            key = obj["metric"]
            try:
                groups.setdefault(key, []).append(obj)
            except TypeError:
                rejects[index] = f'"metric" is a {_json_type(key)}, not a string'
        return groups

    def _convert_group(self, key: Any, group: list[Any], failed: list[tuple[Any, str]]) -> None:
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
            except Exception as err:  # an engine bug must not stop a long conversion
                failed.append((obj, f"metric {prepared.key!r}: {type(err).__name__}: {err}"))
            else:
                good.append(obj)
                results.append(result)
        return good, results

    def _serialize(
        self, objs: list[Any], by_stdlib: set[int], rejects: dict[int, str]
    ) -> list[Optional[bytes]]:
        dumps = self.codec.dumps
        if not rejects and not by_stdlib:
            try:
                return [dumps(obj) for obj in objs]
            except (TypeError, ValueError):  # a blank line, or a value only stdlib writes
                pass
        outputs: list[Optional[bytes]] = []
        for index, obj in enumerate(objs):
            line: Optional[bytes] = None
            if obj is not _BLANK and index not in rejects:
                try:
                    line = _std_dumps(obj) if index in by_stdlib else _dumps_fallback(dumps, obj)
                except (TypeError, ValueError) as err:
                    rejects[index] = f"cannot write the sample as JSON: {err}"
            if index in rejects and self.on_error == "null":
                line = self._null_record(obj, rejects[index])
            outputs.append(line)
        return outputs

    def _null_record(self, obj: Any, reason: str) -> bytes:
        """The output line for a rejected sample under ``--on-error null``."""
        prepared = None
        if isinstance(obj, dict):
            try:
                prepared = self._prepared.get(obj.get("metric"))
            except TypeError:  # an unhashable "metric"
                prepared = None
        fields = prepared.fields if prepared is not None else _NO_FIELDS
        record = dict(obj) if isinstance(obj, dict) else {}
        record.update({"value": None, "raw_value": record.get("value")})
        record.update(fields)
        record[ERROR_FIELD] = reason
        try:
            return _std_dumps(record)
        except (TypeError, ValueError):
            return _std_dumps({"value": None, "raw_value": None, **fields, ERROR_FIELD: reason})


_NO_FIELDS: dict[str, Any] = {"name": None, "unit": None, "counter": None}


class _RowError(Exception):
    pass


def _dumps_fallback(dumps: Callable[[Any], bytes], obj: Any) -> bytes:
    try:
        return dumps(obj)
    except (TypeError, ValueError):
        return _std_dumps(obj)


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
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")


# --------------------------------------------------------------------------------------
# convert: files, streams, progress


def read_blocks(stream: IO[bytes], size: int = DEFAULT_BLOCK_SIZE) -> Iterator[bytes]:
    """Blocks of whole lines from a binary stream (no trailing newline), about ``size``
    bytes each; ``read1`` so that a slow pipe's lines come through as they arrive."""
    rest = b""
    read = getattr(stream, "read1", stream.read)
    while True:
        data = read(size)
        if not data:
            break
        if rest:
            data = rest + data
        cut = data.rfind(b"\n")
        if cut < 0:
            rest = data
            continue
        rest = data[cut + 1 :]
        yield data[:cut]
    if rest:
        yield rest


class AtomicOutput:
    """A file written under a temporary name and renamed into place on :meth:`commit`;
    :meth:`discard` (or leaving without commit) removes the temporary file."""

    def __init__(self, path: str) -> None:
        self.path = path
        directory = os.path.dirname(os.path.abspath(path))
        fd, self.temp_path = tempfile.mkstemp(
            dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".part"
        )
        self.stream: IO[bytes] = os.fdopen(fd, "wb")

    def commit(self) -> None:
        self.stream.close()
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(self.temp_path, 0o666 & ~umask)
        os.replace(self.temp_path, self.path)

    def discard(self) -> None:
        self.stream.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.temp_path)


class Progress:
    """A progress line on a terminal: lines read, percent of a regular file, rate.

    Silent during the first second, then refreshed at most every ``interval`` seconds;
    :meth:`close` erases it so that the summary line starts clean.
    """

    def __init__(
        self,
        stream: IO[str],
        enabled: bool,
        total_bytes: Optional[int] = None,
        clock: Callable[[], float] = time.monotonic,
        delay: float = 1.0,
        interval: float = 0.25,
    ) -> None:
        self.stream = stream
        self.enabled = enabled
        self.total_bytes = total_bytes
        self.clock = clock
        self.start = clock()
        self.next_at = self.start + delay
        self.interval = interval
        self.shown = False

    def update(self, lines: int, done_bytes: int) -> None:
        if not self.enabled:
            return
        now = self.clock()
        if now < self.next_at:
            return
        self.next_at = now + self.interval
        rate = lines / max(now - self.start, 1e-9)
        text = f"{lines:,} lines, {rate:,.0f} lines/s"
        if self.total_bytes:
            text = f"{min(done_bytes / self.total_bytes, 1.0):6.1%}  {text}"
        self.stream.write(f"\r{text}\x1b[K")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False


@dataclass
class ConvertStats:
    """Counts for the summary line."""

    converted: int = 0
    rejected: int = 0
    lines: int = 0
    warned: int = 0


def _open_input(path: str) -> IO[bytes]:
    if path == "-":
        return sys.stdin.buffer
    try:
        return open(path, "rb")
    except OSError as err:
        raise _CliError(f"cannot read {path}: {err.strerror or err}") from None


def _open_output(path: str, what: str) -> AtomicOutput:
    try:
        return AtomicOutput(path)
    except OSError as err:
        raise _CliError(f"cannot write {what} {path}: {err.strerror or err}") from None


def _reject_record(line_number: int, reason: str, raw: bytes) -> bytes:
    text = raw.rstrip(b"\r").decode("utf-8", "surrogateescape")
    return _std_dumps({"line": line_number, "reason": reason, "input": text})


def _cmd_convert(args: argparse.Namespace) -> int:
    codec = json_codec(args.json)
    try:
        mapping = _load_mapping(args.mapping)
    except MappingError as err:
        _print_problems(err.problems, sys.stderr)
        _error(f"{args.mapping}: {_plural(len(err.problems), 'problem')}")
        return EXIT_PROBLEMS
    converter = Converter(mapping, codec, args.on_error)
    source = _open_input(args.input)
    output: Optional[AtomicOutput] = None
    rejects: Optional[AtomicOutput] = None
    try:
        if args.output != "-":
            output = _open_output(args.output, "the output")
        if args.rejects is not None:
            rejects = _open_output(args.rejects, "the rejects file")
        size = os.path.getsize(args.input) if os.path.isfile(args.input) else None
        show = args.progress if args.progress is not None else sys.stderr.isatty()
        progress = Progress(sys.stderr, show and not args.quiet, size)
        started = time.perf_counter()
        stats = ConvertStats()
        try:
            status = _convert_stream(
                converter,
                source,
                output.stream if output is not None else sys.stdout.buffer,
                rejects.stream if rejects is not None else None,
                args,
                stats,
                progress,
            )
        finally:
            progress.close()
        if output is not None and status == EXIT_OK:
            output.commit()
            output = None
        if rejects is not None:  # kept even after --on-error fail: it says why
            rejects.commit()
            rejects = None
        if not args.quiet:
            seconds = time.perf_counter() - started
            print(
                f"{PROG}: converted {stats.converted:,}, rejected {stats.rejected:,}, "
                f"{seconds:.2f} s ({codec.name} JSON)",
                file=sys.stderr,
            )
        return status
    finally:
        for target in (output, rejects):
            if target is not None:
                target.discard()
        if source is not sys.stdin.buffer:
            source.close()


def _convert_stream(
    converter: Converter,
    source: IO[bytes],
    sink: IO[bytes],
    rejects: Optional[IO[bytes]],
    args: argparse.Namespace,
    stats: ConvertStats,
    progress: Progress,
) -> int:
    """Convert ``source`` block by block into ``sink``; EXIT_PROBLEMS when a sample stops
    the run under ``--on-error fail`` (the lines before it are written)."""
    input_name = "<stdin>" if args.input == "-" else args.input
    fail = args.on_error == "fail"
    done_bytes = 0
    for block in read_blocks(source, args.block_size):
        done_bytes += len(block) + 1
        base = stats.lines
        result = converter.convert(block)
        outputs, rejected = result.outputs, result.rejects
        stats.lines += len(outputs)
        if rejected and fail:
            first = next(iter(rejected))
            outputs, rejected = outputs[:first], {first: rejected[first]}
        written = [line for line in outputs if line is not None]
        stats.converted += len(written) - (len(rejected) if args.on_error == "null" else 0)
        if written:
            sink.write(b"\n".join(written) + b"\n")
            if sink is sys.stdout.buffer:
                sink.flush()
        if rejected:
            raw_lines = block.split(b"\n")
            for index, reason in rejected.items():
                number = base + index + 1
                stats.rejected += 1
                if rejects is not None:
                    rejects.write(_reject_record(number, reason, raw_lines[index]) + b"\n")
                if fail:
                    _error(f"{input_name}:{number}: {reason}")
                    return EXIT_PROBLEMS
                if rejects is None and stats.warned < MAX_WARNINGS:
                    stats.warned += 1
                    _error(f"warning: {input_name}:{number}: {reason}")
        progress.update(stats.lines, done_bytes)
    if stats.warned < stats.rejected:
        _error(
            f"warning: {stats.rejected - stats.warned:,} more rejected samples not shown "
            "(--rejects FILE keeps them all)"
        )
    return EXIT_OK


# --------------------------------------------------------------------------------------
# The command line


_DESCRIPTION = "Check metric mapping files, try conversion expressions, convert samples."

_CONVERT_EPILOG = """\
Each input line is a sample: {"metric": KEY, "value": ..., other variables...}.
Each output line keeps the sample's fields, replaces "value" with the converted value
and adds "raw_value" (the input value), "name", "unit" and "counter" from the mapping.
Output is in input order; blank input lines are ignored. A sample that cannot be
converted stops the run (--on-error fail, the default), is left out (skip) or is
written with "value": null and an "error" field (null); --rejects FILE keeps each
rejected line with its line number and reason either way."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``nflex-metrics`` (one subparser per subcommand)."""
    parser = argparse.ArgumentParser(prog=PROG, description=_DESCRIPTION)
    from . import __version__

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    check = commands.add_parser(
        "check",
        help="validate mapping files (exit 1 on any problem)",
        description="Validate metric mapping files with the strict loader.",
    )
    check.add_argument("mapping", nargs="+", metavar="MAPPING", help="mapping.yaml files")
    check.add_argument(
        "--format", choices=("text", "json"), default="text", help="report format (text)"
    )

    evaluate = commands.add_parser(
        "eval",
        help="evaluate an expression or a mapping entry",
        description=(
            "Evaluate EXPRESSION, or the conversion of --metric KEY in --mapping FILE, "
            "with NAME=VALUE variables (VALUE is JSON, e.g. 3, null, true, or else text). "
            "Put -- before an expression that starts with '-'."
        ),
        usage=(
            "%(prog)s [--explain] EXPRESSION [NAME=VALUE ...]\n"
            "       %(prog)s [--explain] --mapping FILE --metric KEY [NAME=VALUE ...]"
        ),
    )
    evaluate.add_argument("args", nargs="*", metavar="ARG", help=argparse.SUPPRESS)
    evaluate.add_argument("--mapping", metavar="FILE", help="a mapping.yaml file")
    evaluate.add_argument("--metric", metavar="KEY", help="the metric key in --mapping")
    evaluate.add_argument(
        "--explain",
        action="store_true",
        help="print the canonical form, the variables and the generated Python",
    )

    convert = commands.add_parser(
        "convert",
        help="convert JSON Lines samples with a mapping",
        description="Convert JSON Lines samples with a mapping file.",
        epilog=_CONVERT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    convert.add_argument("mapping", metavar="MAPPING", help="the mapping.yaml file")
    convert.add_argument(
        "input", nargs="?", default="-", metavar="INPUT", help="JSON Lines file (stdin)"
    )
    convert.add_argument(
        "-o",
        "--output",
        default="-",
        metavar="FILE",
        help="write here, atomically: all or nothing (stdout)",
    )
    convert.add_argument(
        "--on-error",
        choices=("fail", "skip", "null"),
        default="fail",
        help="what to do with a sample that cannot be converted (fail)",
    )
    convert.add_argument(
        "--rejects", metavar="FILE", help="write each rejected line with its reason here"
    )
    convert.add_argument(
        "--json",
        choices=("auto", "stdlib", "orjson"),
        default="auto",
        help="JSON library: orjson when installed, else the standard library (auto)",
    )
    convert.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress on stderr (default: when stderr is a terminal)",
    )
    convert.add_argument(
        "-q", "--quiet", action="store_true", help="no progress and no summary line"
    )
    convert.add_argument(
        "--block-size",
        type=_positive_int,
        default=DEFAULT_BLOCK_SIZE,
        metavar="BYTES",
        help=f"read this much input at a time; bounds memory ({DEFAULT_BLOCK_SIZE})",
    )
    from .testing_cli import add_commands

    add_commands(commands)  # test, fuzz
    return parser


def _positive_int(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {number}")
    return number


def _on_signal(signum: int, frame: object) -> None:
    raise _Terminated(signum)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run ``nflex-metrics`` with ``argv`` (default ``sys.argv[1:]``); the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # usage errors (2), --help and --version (0)
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    previous = {}
    for signum in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if signum is not None:
            with contextlib.suppress(ValueError):  # not the main thread: leave signals be
                previous[signum] = signal.signal(signum, _on_signal)
    try:
        if args.command == "check":
            return _cmd_check(args)
        if args.command == "eval":
            return _cmd_eval(args, _subparser(parser, "eval"))
        if args.command in ("test", "fuzz"):
            return int(args.run(args))
        return _cmd_convert(args)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    except _CliError as err:
        _error(str(err))
        return EXIT_PROBLEMS
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): not an error worth a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        return 128 + signal.SIGINT
    except _Terminated as stop:
        return 128 + stop.signum
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    for action in parser._subparsers._group_actions if parser._subparsers else ():
        if isinstance(action, argparse._SubParsersAction):
            sub: argparse.ArgumentParser = action.choices[name]
            return sub
    return parser
