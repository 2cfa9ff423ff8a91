"""Converting a frame that lives in partitions, as Spark and Dask hold it.

:mod:`nflex_metrics.spark` and :mod:`nflex_metrics.dask` hand each partition (Arrow
record batches, pandas DataFrames) to a :class:`PartitionConverter`, which applies the
rules of :func:`~nflex_metrics.columnar.convert_table` to it and, with
``on_error="fail"``, names a failing row by where it is in the distributed frame: its
partition, its position in that partition and, when the caller names an id column,
its id.

>>> import pyarrow as pa
>>> from nflex_metrics import parse_metric_mapping
>>> mapping = parse_metric_mapping("cpu: {conversion_expr: value * 100}")
>>> converter = PartitionConverter(mapping, row_id="sample")
>>> batch = pa.table({"sample": ["s-7", "s-8"], "metric": ["cpu", "gpu"], "value": [0.5, 1.0]})
>>> try:
...     converter.convert(batch, partition=3, first_row=100)
... except PartitionConversionError as err:
...     print(err)
partition 3, row 101 (sample='s-8'): unknown metric 'gpu'

A converter pickles as its mapping and settings, and the mapping as the source of its
expressions: a worker that unpickles it compiles each expression once per process (the
:func:`~nflex_metrics.compile` cache) and prepares the converter again.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Optional, TypeVar, Union

from ._results import OnError
from .columnar import ConversionError, TableConverter
from .mapping import ParsedEntry, load_metric_mapping
from .vectorized import INSTALL_HINT

try:
    import numpy as np
    import pyarrow as pa
except ImportError as err:  # pragma: no cover - columnar has raised already
    raise ImportError(f"partitioned conversion needs NumPy and pyarrow: {INSTALL_HINT}") from err

__all__ = ["MappingLike", "PartitionConversionError", "PartitionConverter", "load_mapping"]

TableT = TypeVar("TableT")

#: A loaded metric mapping, or the path of a mapping file.
MappingLike = Union[Mapping[Any, ParsedEntry], str, "os.PathLike[str]"]


def load_mapping(mapping: MappingLike) -> Mapping[Any, ParsedEntry]:
    """``mapping`` itself, or the mapping file at that path, loaded strictly (a file
    with problems raises its :class:`~nflex_metrics.MappingError` here)."""
    if isinstance(mapping, (str, os.PathLike)):
        return load_metric_mapping(mapping)
    return mapping


class PartitionConversionError(ConversionError):
    """A row of a partitioned frame that cannot be converted, with ``on_error="fail"``.

    ``partition`` is the partition's number, ``row`` the row's 0-based position in the
    partition, ``reason`` why it failed; ``row_id`` is the row's value in the id column
    ``row_id_column`` when the caller named one (else both are None).
    """

    def __init__(
        self,
        partition: int,
        row: int,
        reason: str,
        row_id_column: Optional[str] = None,
        row_id: Any = None,
    ) -> None:
        super().__init__(row, reason)
        self.partition = partition
        self.row_id_column = row_id_column
        self.row_id = row_id
        where = f"partition {partition}, row {row}"
        if row_id_column is not None:
            where += f" ({row_id_column}={row_id!r})"
        self.args = (f"{where}: {reason}",)

    def __reduce__(self) -> tuple[object, ...]:
        arguments = (self.partition, self.row, self.reason, self.row_id_column, self.row_id)
        return (type(self), arguments)


class PartitionConverter:
    """A mapping prepared for the partitions of one frame, with the rules of
    :func:`~nflex_metrics.columnar.convert_table`; ``row_id`` names the column that
    identifies a row in errors (None: partition and position only)."""

    def __init__(
        self,
        mapping: Mapping[Any, ParsedEntry],
        *,
        metric_column: str = "metric",
        on_error: OnError = "fail",
        row_id: Optional[str] = None,
    ) -> None:
        self.mapping = mapping
        self.metric_column = metric_column
        self.on_error: OnError = on_error
        self.row_id = row_id
        self._converter = TableConverter(mapping, metric_column=metric_column, on_error=on_error)

    def convert_empty(self, table: TableT) -> TableT:
        """Convert an input without rows (the input's schema, as it were): the output's
        columns and types. Raises ValueError for the inputs
        :func:`~nflex_metrics.columnar.convert_table` refuses, and when the id column is
        missing."""
        columns = _column_names(table)
        if self.row_id is not None and self.row_id not in columns:
            shown = ", ".join(map(repr, columns)) or "none"
            raise ValueError(f"the row id column {self.row_id!r} is missing (columns: {shown})")
        return self._converter.convert(table).table

    def convert(self, table: TableT, *, partition: int, first_row: int = 0) -> TableT:
        """Convert one piece of partition ``partition`` whose first row is row
        ``first_row`` of the partition (a partition may come in several pieces)."""
        try:
            return self._converter.convert(table, first_row=first_row).table
        except ConversionError as err:
            row_id = None
            if self.row_id is not None:
                row_id = _cell(table, self.row_id, err.row - first_row)
            raise PartitionConversionError(
                partition, err.row, err.reason, self.row_id, row_id
            ) from None

    def __reduce__(self) -> tuple[object, ...]:
        # The settings and the mapping (which pickles as its expressions' sources): the
        # receiving process prepares the converter again.
        return (_rebuild, (self.mapping, self.metric_column, self.on_error, self.row_id))


def _rebuild(
    mapping: Mapping[Any, ParsedEntry], metric_column: str, on_error: OnError, row_id: Any
) -> PartitionConverter:
    return PartitionConverter(
        mapping, metric_column=metric_column, on_error=on_error, row_id=row_id
    )


def _column_names(table: Any) -> list[Any]:
    if isinstance(table, (pa.Table, pa.RecordBatch)):
        return list(table.schema.names)
    return list(table.columns)


def _cell(table: Any, column: str, row: int) -> Any:
    """A cell of an Arrow table or pandas DataFrame as a Python value (None if missing)."""
    if isinstance(table, (pa.Table, pa.RecordBatch)):
        return table.column(column)[row].as_py()
    import pandas as pd  # a DataFrame implies pandas

    value = table[column].iloc[row]
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    return value.item() if isinstance(value, np.generic) else value
