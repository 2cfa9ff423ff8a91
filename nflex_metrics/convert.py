"""Convert metric samples with a mapping: the library behind ``nflex-metrics convert``.

Two input formats, one set of rules:

- :func:`convert_json_lines`: JSON Lines in, JSON Lines out. A sample is a JSON object
  ``{"metric": "KEY", "value": ..., other variables...}``. Its output object keeps
  every input field in order, replaces ``value`` with the converted value, and adds
  ``raw_value`` (the input ``value``, null when absent), ``name``, ``unit`` and
  ``counter`` from the metric's entry.
- :func:`convert_parquet`: a Parquet file in (one row per sample, a column per field),
  Parquet or JSON Lines out, with the same added columns. It needs the ``columnar``
  extra (pyarrow and NumPy).

A sample that cannot be converted is never dropped silently: ``on_error`` says whether
it stops the run (``"fail"``), is left out (``"skip"``) or is written with a null
``value`` and an ``error`` field (``"null"``), and a ``rejects`` sink receives every
rejected sample either way.

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

The work is split by job: this module is the API; ``_jsonlines`` reads, converts and
writes JSON Lines (with the engine's batch path, :meth:`ParsedEntry.convert_columns`);
``_parquet`` streams Parquet record batches through
:class:`nflex_metrics.columnar.TableConverter`; ``_io`` holds the output-file rules
both share.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Callable, Literal, Optional, Union

from . import _io, _jsonlines
from ._io import Target
from ._jsonlines import ERROR_FIELD, OUTPUT_FIELDS, STDLIB_CODEC, JsonCodec, json_codec
from ._results import (
    ON_ERROR_CHOICES,
    ConvertError,
    ConvertIOError,
    ConvertResult,
    FileClashError,
    OnError,
    Rejected,
    RejectedRow,
    SampleRejected,
)

if TYPE_CHECKING:
    from .mapping import ParsedEntry

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_BLOCK_SIZE",
    "ERROR_FIELD",
    "MAX_BATCH_SIZE",
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
    "RejectedRow",
    "SampleRejected",
    "convert_json_lines",
    "convert_parquet",
    "json_codec",
]

#: JSON Lines: bytes read per block, the unit of grouping, and what bounds memory.
DEFAULT_BLOCK_SIZE = 1 << 20

#: The largest block: memory grows with it (the parsed samples of a block take about
#: ten times its size), and past a few MiB a larger block is no faster.
MAX_BLOCK_SIZE = 64 << 20

#: Parquet: rows read, converted and written at a time (each batch is one row group of
#: a Parquet output), which bounds memory.
DEFAULT_BATCH_SIZE = 1 << 16

#: The largest batch: a batch of about ten columns takes some 100 bytes a row, in and
#: out, and past a few hundred thousand rows a larger batch is no faster.
MAX_BATCH_SIZE = 1 << 22


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
    _check_arguments(on_error, codec, ("block_size", block_size, MAX_BLOCK_SIZE))
    loaded = _prepare(mapping, source, output, rejects)
    converter = _jsonlines.JsonLinesConverter(loaded, codec or json_codec("auto"), on_error)
    with _io.opened_source(source) as (stream, name):
        blocks = _jsonlines.blocks(stream, block_size, name)
        return _write_outputs(
            name,
            output,
            rejects,
            lambda out, report: _jsonlines.run(converter, blocks, out, report, progress),
        )


def convert_parquet(
    mapping: Union[Mapping[Any, ParsedEntry], str, os.PathLike[str]],
    source: Target,
    output: Target,
    *,
    on_error: OnError = "fail",
    rejects: Union[Target, Callable[[RejectedRow], None], None] = None,
    output_format: Literal["parquet", "jsonl"] = "parquet",
    codec: Optional[JsonCodec] = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Optional[Callable[[int, int], None]] = None,
) -> ConvertResult:
    """Convert the samples of the Parquet file ``source`` into ``output``, in row order.

    Needs pyarrow and NumPy (the ``columnar`` extra); without them, ``ImportError``
    names it. ``source`` is a path or a seekable binary stream (a Parquet reader starts
    at the file's end), read one row group at a time in batches of ``batch_size`` rows,
    which bounds memory. Each batch is converted by
    :class:`~nflex_metrics.columnar.TableConverter`, so the rules are those of
    :func:`~nflex_metrics.columnar.convert_table`: a null cell is NULL, a column the
    file lacks fails only the rows whose path reads it, and a file without a ``metric``
    column of strings, with two columns of one name, or with a column the output would
    overwrite is refused (:class:`ConvertError`) before any row is converted.

    ``output_format="parquet"`` writes every input column unchanged, then ``value``
    (float64, replaced in place when the input has it), ``raw_value`` (the input
    ``value`` column, of its type), ``name`` and ``unit`` (string), ``counter`` (bool)
    and, with ``on_error="null"``, ``error`` (string), one row group per batch.
    ``output_format="jsonl"`` writes each row as a JSON object with the same fields, as
    :func:`convert_json_lines` writes its samples (``codec`` is the JSON library):
    timestamps, dates and times become ISO 8601 strings, decimals strings, binary
    base64, and a row holding what JSON cannot (NaN or infinity) is rejected.

    ``mapping``, ``output`` and the file rules are those of :func:`convert_json_lines`,
    and so are ``on_error`` and ``rejects``, row by row: rows are numbered from 1; the
    ``error`` of a rejected row is ``"row N: reason"``; a rejects path or stream gets
    one :meth:`RejectedRow.to_json` record per row, ``{"row": N, "reason": "...",
    "input": {the row's cells}}`` (in ``input``, a NaN or infinite cell is written as the
    string ``"NaN"``, ``"Infinity"`` or ``"-Infinity"``); a callable gets the
    :class:`RejectedRow`. On an output stream, ``"fail"`` writes the rows before the
    failing one (a whole Parquet file of them). ``progress`` is called after each batch
    with the rows read and the part of the file's bytes they stand for.
    """
    _check_arguments(on_error, codec, ("batch_size", batch_size, MAX_BATCH_SIZE))
    if output_format not in ("parquet", "jsonl"):
        raise ValueError(f"output_format must be 'parquet' or 'jsonl': {output_format!r}")
    from . import _parquet  # pyarrow: only now (ImportError naming the extra without it)

    loaded = _prepare(mapping, source, output, rejects)
    json = (codec or json_codec("auto")) if output_format == "jsonl" else None
    with _parquet.opened(loaded, source, on_error, batch_size) as reader:

        def run(out: _io.Output, report: Optional[Callable[[RejectedRow], None]]) -> Any:
            if json is None:
                return reader.to_parquet(out, report, progress)
            return reader.to_json_lines(json, out, report, progress)

        return _write_outputs(reader.name, output, rejects, run)


def _check_arguments(on_error: str, codec: Optional[JsonCodec], size: tuple[str, int, int]) -> None:
    """ValueError or TypeError, saying what is expected, for the plain arguments."""
    if on_error not in ON_ERROR_CHOICES:
        raise ValueError(f"on_error must be one of {', '.join(ON_ERROR_CHOICES)}: {on_error!r}")
    if codec is not None and not isinstance(codec, JsonCodec):
        raise TypeError(f"codec must be a JsonCodec such as json_codec('orjson'), got {codec!r}")
    name, value, largest = size
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if not 1 <= value <= largest:
        raise ValueError(f"{name} must be between 1 and {largest:,}: {value}")


def _check_file(what: str, target: object, *, writes: bool) -> None:
    """TypeError unless ``target`` is a path or a binary stream (a text stream would
    fail on the first bytes, half-way through)."""
    if isinstance(target, (str, os.PathLike)):
        if not os.fspath(target):
            raise ValueError(f"the path of {what} is empty")
        return
    if isinstance(target, io.TextIOBase):
        hint = "sys.stdout.buffer" if writes else "sys.stdin.buffer"
        raise TypeError(f"{what} is a text stream: give a binary one (such as {hint})")
    if not callable(getattr(target, "write" if writes else "read", None)):
        kind = "writable" if writes else "readable"
        raise TypeError(f"{what} must be a path or a {kind} binary stream, got {target!r}")


def _prepare(
    mapping: Union[Mapping[Any, ParsedEntry], str, os.PathLike[str]],
    source: Target,
    output: Target,
    rejects: Any,
) -> Mapping[Any, ParsedEntry]:
    """Refuse files that would overwrite each other, then load the mapping if it is a
    path (both before anything is read or written)."""
    writes_rejects = rejects is not None and not callable(rejects)
    _check_file("the input", source, writes=False)
    _check_file("the output", output, writes=True)
    if writes_rejects:
        _check_file("the rejects file", rejects, writes=True)
    if not isinstance(mapping, (Mapping, str, os.PathLike)):
        raise TypeError(f"mapping must be a loaded mapping or a path, got {mapping!r}")
    _io.refuse_clashes(
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

        loaded: Mapping[Any, ParsedEntry] = load_metric_mapping(mapping)
        return loaded
    from .entry import ParsedEntry

    for key, entry in mapping.items():
        if not isinstance(entry, ParsedEntry):
            raise TypeError(f"mapping[{key!r}] must be a ParsedEntry, got {entry!r}")
    return mapping


#: What converts an opened input into an opened output, reporting each rejected sample:
#: the counts, and the rejected sample that stopped the run under ``on_error="fail"``.
_Run = Callable[
    [_io.Output, Optional[Callable[[Any], None]]],
    "tuple[ConvertResult, Optional[Union[Rejected, RejectedRow]]]",
]


def _write_outputs(name: str, output: Target, rejects: Any, run: _Run) -> ConvertResult:
    """Open the output and the rejects sink, ``run``, then keep the output (or, after a
    failing sample, discard it) and always keep the rejects file, which says why."""
    opened: list[_io.Output] = []
    try:
        out = _io.Output(output, "the output")
        opened.append(out)
        report: Optional[Callable[[Any], None]] = None
        rejects_out: Optional[_io.Output] = None
        if callable(rejects):
            report = rejects
        elif rejects is not None:
            rejects_out = _io.Output(rejects, "the rejects file")
            opened.append(rejects_out)
            report = _record_writer(rejects_out)
        result, failure = run(out, report)
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


def _record_writer(out: _io.Output) -> Callable[[Union[Rejected, RejectedRow]], None]:
    def write(rejected: Union[Rejected, RejectedRow]) -> None:
        out.write(rejected.to_json() + b"\n")

    return write
