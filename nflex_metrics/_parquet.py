"""The Parquet side of :mod:`nflex_metrics.convert`: a Parquet file read one row group at
a time in record batches, each converted by :class:`~nflex_metrics.columnar.TableConverter`
and written as a row group of a Parquet output, or as JSON Lines.

Memory is bounded by the batch size and the input's row groups, never by the file: the
file is read row group by row group (pyarrow's reader over the whole file read ahead,
and its memory grew with the file: 26 MiB of Arrow memory for 1,000,000 rows, 104 MiB
for 10,000,000, in row groups of 1,048,576 rows).
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import decimal
import math
import os
from collections.abc import Iterator, Mapping
from typing import IO, TYPE_CHECKING, Any, Callable, Optional

from . import _io
from ._jsonlines import ERROR_FIELD, JsonCodec, null_line
from ._results import (
    ConvertError,
    ConvertIOError,
    ConvertResult,
    OnError,
    RejectedRow,
    std_dumps,
)

INSTALL_HINT = "install the 'columnar' extra: pip install 'nflex-connector-utils[columnar]'"

try:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from .columnar import ERROR_COLUMN, TableConverter
except ImportError as err:  # pragma: no cover - tested in a subprocess without pyarrow
    raise ImportError(f"Parquet needs pyarrow and NumPy: {INSTALL_HINT}") from err

if TYPE_CHECKING:
    from .mapping import ParsedEntry

#: What a run reports a rejected row to.
Report = Optional[Callable[[RejectedRow], None]]
#: What a run reports progress to: rows read, and the part of the file's bytes they are.
OnProgress = Optional[Callable[[int, int], None]]
#: What a run returns: the counts, and the row that stopped it under ``on_error="fail"``.
Outcome = tuple[ConvertResult, Optional[RejectedRow]]


@contextlib.contextmanager
def opened(
    mapping: Mapping[Any, ParsedEntry], source: _io.Target, on_error: OnError, batch_size: int
) -> Iterator[ParquetInput]:
    """The Parquet file ``source``, opened and checked, ready to convert."""
    # Under "fail" the converter skips, and the run stops at the first row it skipped:
    # the rows before it are converted, ready to be written.
    converter = TableConverter(mapping, on_error="skip" if on_error == "fail" else on_error)
    with _io.opened_source(source) as (stream, name):
        try:
            file = pq.ParquetFile(stream)
        except OSError as err:
            raise ConvertIOError(f"cannot read {name}", err) from None
        except pa.ArrowException as err:
            raise ConvertError(f"cannot read {name}: {err}") from None
        yield ParquetInput(converter, file, name, _size(stream), on_error, batch_size)


def _size(stream: IO[bytes]) -> int:
    """The input file's size in bytes, 0 when it has none (for progress only)."""
    try:
        return os.fstat(stream.fileno()).st_size
    except (OSError, AttributeError, ValueError):
        return 0


class ParquetInput:
    """A Parquet file whose columns the converter accepts: its rows, converted batch by
    batch, written as Parquet (:meth:`to_parquet`) or JSON Lines (:meth:`to_json_lines`).
    """

    def __init__(
        self,
        converter: TableConverter,
        file: Any,
        name: str,
        size: int,
        on_error: OnError,
        batch_size: int,
    ) -> None:
        self.converter = converter
        self.file = file
        self.name = name
        self.size = size
        self.on_error = on_error
        self.batch_size = batch_size
        schema = file.schema_arrow
        try:
            # An empty table of the input's columns: the checks of convert_table (a
            # metric column, no two columns of one name, no column the output would
            # overwrite) and the output's schema, before any row is read.
            self.schema = converter.convert(schema.empty_table()).table.schema
        except ValueError as err:
            raise ConvertError(f"{name}: {err}") from None
        metric = schema.field(converter.metric_column).type
        if not _holds_strings(metric):
            raise ConvertError(
                f"{name}: the {converter.metric_column!r} column holds {metric}, not strings "
                "(a metric key is a string)"
            )

    def _batches(self) -> Iterator[Any]:
        """The input's record batches, one row group at a time; read errors name it."""
        try:
            for group in range(self.file.num_row_groups):
                yield from self.file.iter_batches(batch_size=self.batch_size, row_groups=[group])
        except OSError as err:
            raise ConvertIOError(f"cannot read {self.name}", err) from None
        except pa.ArrowException as err:
            raise ConvertError(f"cannot read {self.name}: {err}") from None

    def _converted(self, progress: OnProgress) -> Iterator[tuple[Any, int, Any, dict[int, str]]]:
        """Each batch converted: the input batch, the number of its first row, the output
        batch (without the failing rows under fail and skip) and the reasons of the rows
        that failed, by index in the input batch. ``progress`` is called after each."""
        total = max(self.file.metadata.num_rows, 1)
        done = 0
        for batch in self._batches():
            first = done + 1
            converted = self.converter.convert(batch, first_row=first)
            failed = {rejected.row - first: rejected.reason for rejected in converted.rejected}
            yield batch, first, converted.table, failed
            done += batch.num_rows
            if progress is not None:
                progress(done, self.size * done // total)

    def to_parquet(self, out: _io.Output, report: Report, progress: OnProgress) -> Outcome:
        """Convert every row into a Parquet file on ``out``: one row group per batch. On
        a failing row under fail, the rows before it make a whole file (which the caller
        discards, unless ``out`` is a stream)."""
        sink = _Sink(out)
        writer = pq.ParquetWriter(sink, self.schema, use_dictionary=dictionary_columns(self.schema))
        try:
            outcome = self._run(writer.write_batch, report, progress)
            writer.close()  # the footer
        except BaseException:
            sink.abandoned = True
            with contextlib.suppress(Exception):
                writer.close()
            raise
        return outcome

    def _run(self, write: Callable[[Any], None], report: Report, progress: OnProgress) -> Outcome:
        fail = self.on_error == "fail"
        null = self.on_error == "null"
        result = ConvertResult()
        for batch, first, table, failed in self._converted(progress):
            result.lines = first - 1 + batch.num_rows
            if failed and fail:
                stop = min(failed)
                table, failed = table.slice(0, stop), {stop: failed[stop]}
            elif failed and null:
                table = _numbered_errors(table, failed, first)
            if table.num_rows:
                write(table)
            result.converted += table.num_rows - (len(failed) if null else 0)
            outcome = self._report(batch, first, failed, result, report)
            if outcome is not None:
                return outcome
        return result, None

    def _report(
        self,
        batch: Any,
        first: int,
        failed: dict[int, str],
        result: ConvertResult,
        report: Report,
    ) -> Optional[Outcome]:
        """Count and report the failed rows of a batch, in order; under fail, the outcome
        that stops the run."""
        for index in sorted(failed):
            record = RejectedRow(first + index, failed[index], _input_row(batch, index))
            result.rejected += 1
            if report is not None:
                report(record)
            if self.on_error == "fail":
                result.lines = record.row
                return result, record
        return None

    def to_json_lines(
        self, codec: JsonCodec, out: _io.Output, report: Report, progress: OnProgress
    ) -> Outcome:
        """Convert every row into JSON Lines on ``out``, one object per row. A row that
        holds what JSON cannot (NaN, infinity) is rejected, as JSON Lines input is."""
        fail = self.on_error == "fail"
        null = self.on_error == "null"
        result = ConvertResult()
        for batch, first, table, failed in self._converted(progress):
            result.lines = first - 1 + batch.num_rows
            # The input index of each output row (fail and skip leave failed rows out).
            kept = range(batch.num_rows) if null or not failed else _without(batch, failed)
            lines: list[tuple[int, bytes]] = []
            for index, row, writable in zip(kept, _rows(table), _writable_rows(table)):
                line: Optional[bytes] = None
                if index not in failed:
                    if null:
                        del row[ERROR_FIELD]  # null: as JSON Lines, only rejected rows have it
                    line = _dumps(codec, row) if writable else None
                    if line is None:
                        failed[index] = _unwritable(row)
                if index in failed and null:
                    row["value"] = None
                    row[ERROR_FIELD] = f"row {first + index}: {failed[index]}"
                    line = null_line(row)
                if line is not None:
                    lines.append((index, line))
            if failed and fail:
                stop = min(failed)
                lines = [(index, line) for index, line in lines if index < stop]
                failed = {stop: failed[stop]}
            if lines:
                out.write(b"\n".join(line for _, line in lines) + b"\n")
            result.converted += len(lines) - (len(failed) if null else 0)
            outcome = self._report(batch, first, failed, result, report)
            if outcome is not None:
                return outcome
        return result, None


class _Sink:
    """The file a ParquetWriter writes to: it counts the bytes itself (a pipe cannot tell
    its position) and hands them to the output; once abandoned, it drops them."""

    def __init__(self, out: _io.Output) -> None:
        self.out = out
        self.position = 0
        self.abandoned = False
        self.closed = False

    def write(self, data: bytes) -> int:
        if not self.abandoned:
            self.out.write(data)
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        pass

    def close(self) -> None:  # the output is committed or discarded by its owner
        self.closed = True


def dictionary_columns(schema: Any) -> list[str]:
    """The columns a Parquet output dictionary-encodes: those of strings and bytes, whose
    values repeat (metric keys, names, units, resource ids). Measured values seldom
    repeat, and for them the encoding costs hashing and gives a larger file (1,000,000
    converted samples of 20 metrics: 0.19 s and 19.5 MB against pyarrow's default of
    every column, 0.30 s and 22.0 MB)."""
    return [field.name for field in schema if _is_text(field.type)]


def _is_text(type_: Any) -> bool:
    return bool(
        pa.types.is_dictionary(type_)
        or pa.types.is_string(type_)
        or pa.types.is_large_string(type_)
        or pa.types.is_binary(type_)
        or pa.types.is_large_binary(type_)
    )


def _holds_strings(type_: Any) -> bool:
    """Whether a metric column of this Arrow type holds strings (or only nulls)."""
    if pa.types.is_dictionary(type_):
        type_ = type_.value_type
    is_string_view = getattr(pa.types, "is_string_view", lambda _: False)  # pyarrow >= 16
    return bool(
        pa.types.is_string(type_)
        or pa.types.is_large_string(type_)
        or is_string_view(type_)
        or pa.types.is_null(type_)
    )


def _numbered_errors(table: Any, failed: dict[int, str], first: int) -> Any:
    """``table`` with each failed row's ``error`` as ``"row N: reason"``."""
    reasons = np.full(table.num_rows, None, dtype=object)
    for index, reason in failed.items():
        reasons[index] = f"row {first + index}: {reason}"
    at = table.schema.get_field_index(ERROR_COLUMN)
    columns = list(table.columns)
    columns[at] = pa.array(reasons, type=pa.string())
    return type(table).from_arrays(columns, schema=table.schema)


def _without(batch: Any, failed: dict[int, str]) -> list[int]:
    return [index for index in range(batch.num_rows) if index not in failed]


# --------------------------------------------------------------------------------------
# Rows as JSON


def _rows(table: Any) -> list[dict[str, Any]]:
    """The rows of a batch as JSON objects (see :func:`_jsonable` for the cells)."""
    names = table.schema.names
    columns = [_cells(table.column(i)) for i in range(table.num_columns)]
    return [dict(zip(names, cells)) for cells in zip(*columns)] if columns else []


def _cells(column: Any) -> list[Any]:
    cells: list[Any] = column.to_pylist()
    if _is_plain(column.type):
        return cells
    return [_jsonable(cell) for cell in cells]


def _is_plain(type_: Any) -> bool:
    """Whether the cells of a column of this Arrow type are JSON values as they are."""
    if pa.types.is_dictionary(type_):
        type_ = type_.value_type
    return bool(
        pa.types.is_null(type_)
        or pa.types.is_boolean(type_)
        or pa.types.is_integer(type_)
        or pa.types.is_floating(type_)
        or pa.types.is_string(type_)
        or pa.types.is_large_string(type_)
    )


def _jsonable(value: Any) -> Any:
    """A cell as JSON data: timestamps, dates and times as ISO 8601 strings, durations
    as seconds, decimals as strings (exact), binary as base64, inside lists and
    structs too; the rest as it is.

    >>> _jsonable([datetime.date(2024, 5, 1), decimal.Decimal("1.50"), b"\\x00\\xff"])
    ['2024-05-01', '1.50', 'AP8=']
    """
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    return value


def _writable_rows(table: Any) -> list[bool]:
    """For each row, whether no float in it is NaN or infinite (which JSON cannot hold,
    and which a fast codec would write as null)."""
    good = np.ones(table.num_rows, dtype=np.bool_)
    for column in table.columns:
        if pa.types.is_dictionary(column.type):
            column = column.dictionary_decode()
        type_ = column.type
        if pa.types.is_floating(type_):
            good &= pc.fill_null(pc.is_finite(column), True).to_numpy(zero_copy_only=False)
        elif pa.types.is_nested(type_):
            good &= np.array([_finite(cell) for cell in column.to_pylist()], dtype=np.bool_)
    return list(good.tolist())


def _finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return all(_finite(item) for item in value)
    return True


def _dumps(codec: JsonCodec, row: dict[str, Any]) -> Optional[bytes]:
    """A row as a JSON line, or None when JSON cannot hold one of its values."""
    try:
        return codec.dumps(row)
    except (TypeError, ValueError, RecursionError):
        pass
    try:
        return std_dumps(row)
    except (TypeError, ValueError, RecursionError):
        return None


def _unwritable(row: dict[str, Any]) -> str:
    """Why a row cannot be written as JSON, in the words of the JSON Lines converter."""
    value = row.get("value")
    if isinstance(value, float) and not math.isfinite(value):
        return f"metric {row.get('metric')!r}: the result {value!r} cannot be written as JSON"
    try:
        std_dumps(row)
    except (TypeError, ValueError) as err:
        return f"cannot write the sample as JSON: {err}"
    except RecursionError:
        return "cannot write the sample as JSON: nested too deeply"
    return "cannot write the sample as JSON"  # pragma: no cover - only a fast codec's gap


def _input_row(batch: Any, index: int) -> dict[str, Any]:
    """Row ``index`` of the input as JSON data for a rejects record: NaN and infinities
    as the strings ``"NaN"``, ``"Infinity"`` and ``"-Infinity"``."""
    row = batch.slice(index, 1).to_pylist()[0]
    return {str(name): _recordable(_jsonable(cell)) for name, cell in row.items()}


def _recordable(value: Any) -> Any:
    """A value of :func:`_jsonable` that JSON can hold: non-finite floats as text, and
    anything else JSON has no type for as its ``str``."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {key: _recordable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_recordable(item) for item in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
