"""What a conversion reports, whatever the file format: the counts, the rejected samples
and the errors, and the strict JSON their records are written in.

Public through :mod:`nflex_metrics.convert`; a module of its own so that the JSON Lines
and the Parquet sides share it without importing each other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple, Optional, Union

from .errors import NflexMetricsError

#: What to do with a sample that cannot be converted.
OnError = Literal["fail", "skip", "null"]

#: The choices of ``on_error``.
ON_ERROR_CHOICES = ("fail", "skip", "null")

# Strict JSON: NaN and Infinity are never written, so that every record is standard JSON.
_STRICT_ENCODER = json.JSONEncoder(ensure_ascii=True, allow_nan=False, separators=(",", ":"))


def std_dumps(obj: Any) -> bytes:
    """``obj`` as compact, strict JSON with the standard library (ValueError for NaN or
    Infinity, TypeError for what JSON has no type for)."""
    return _STRICT_ENCODER.encode(obj).encode("ascii")


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
    """A JSON Lines line that could not be converted: its number (from 1), why, and its
    bytes."""

    line: int
    reason: str
    raw: bytes

    def to_json(self) -> bytes:
        """The rejects-file record: ``{"line": N, "reason": "...", "input": "..."}``.

        >>> Rejected(3, "invalid JSON", b"{oops\\r").to_json()
        b'{"line":3,"reason":"invalid JSON","input":"{oops"}'
        """
        text = self.raw.rstrip(b"\r").decode("utf-8", "surrogateescape")
        return std_dumps({"line": self.line, "reason": self.reason, "input": text})


class RejectedRow(NamedTuple):
    """A Parquet row that could not be converted: its number (from 1), why, and its cells
    as JSON data (column name -> value, see :func:`nflex_metrics.convert.convert_parquet`)."""

    row: int
    reason: str
    input: dict[str, Any]

    def to_json(self) -> bytes:
        """The rejects-file record: ``{"row": N, "reason": "...", "input": {...}}``.

        >>> RejectedRow(7, "unknown metric 'gpu'", {"metric": "gpu", "value": 1.5}).to_json()
        b'{"row":7,"reason":"unknown metric \\'gpu\\'","input":{"metric":"gpu","value":1.5}}'
        """
        return std_dumps({"row": self.row, "reason": self.reason, "input": self.input})


@dataclass
class ConvertResult:
    """What a conversion did: input records read (JSON Lines lines, blank ones included,
    or Parquet rows), samples converted, samples rejected."""

    lines: int = 0
    converted: int = 0
    rejected: int = 0


class SampleRejected(ConvertError, ValueError):
    """A sample stopped the run under ``on_error="fail"``.

    ``rejected`` is the line (:class:`Rejected`) or row (:class:`RejectedRow`); ``result``
    counts what was done up to it (the samples before it were written to an output
    stream; an output file is left untouched).
    """

    def __init__(
        self, source: str, rejected: Union[Rejected, RejectedRow], result: ConvertResult
    ) -> None:
        super().__init__(f"{source}:{rejected[0]}: {rejected.reason}")
        self.source = source
        self.rejected = rejected
        self.result = result

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.source, self.rejected, self.result))
