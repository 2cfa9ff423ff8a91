"""Columnar conversion: a metric mapping applied to a whole table of samples at once.

:func:`convert_table` takes a long-format table — one row per sample: the metric key,
its ``value`` and any other variables — as a pyarrow ``Table`` or ``RecordBatch`` or a
pandas ``DataFrame``, and returns the same kind of table with the columns that
``nflex-metrics convert`` adds to each JSON sample. Rows are grouped by metric and each
group is evaluated with :func:`~nflex_metrics.vectorized.evaluate_arrays`, so a row's
value is exactly what ``entry.value(**row)`` gives.

>>> import pyarrow as pa
>>> from nflex_metrics import parse_metric_mapping
>>> mapping = parse_metric_mapping('''
... cpu_usage: {name: cpu-usage, unit: "%", conversion_expr: value * 100}
... disk_free: {name: disk-free, conversion_expr: "CASE WHEN size > 0 THEN value / size END"}
... ''')
>>> table = pa.table({
...     "metric": ["cpu_usage", "disk_free", "disk_free", "gpu_usage"],
...     "value": [0.5, 30.0, 1.0, 7.0],
...     "size": [None, 120.0, 0.0, None],
... })
>>> out = convert_table(table, mapping, on_error="null")
>>> out.column_names
['metric', 'value', 'size', 'raw_value', 'name', 'unit', 'counter', 'error']
>>> out.column("value").to_pylist(), out.column("name").to_pylist()
([50.0, 0.25, None, None], ['cpu-usage', 'disk-free', 'disk-free', None])
>>> out.column("error").to_pylist()
[None, None, None, "unknown metric 'gpu_usage'"]

The rules:

- **Output columns**: every input column in its place, with ``value`` replaced by the
  converted value (float64; NULL is a null, while NaN and ±inf are values, which Arrow
  and pandas hold although JSON cannot); then ``raw_value`` (the input ``value`` column
  unchanged, all null when the table has none), ``name`` and ``unit`` (strings) and
  ``counter`` (bool) from the row's mapping entry; with ``on_error="null"`` also
  ``error`` (a string, null on the rows that converted). Rows keep their order.
- **Variables**: a row's variables are its cells. A null cell is NULL; in a DataFrame,
  whatever pandas calls missing (``None``, NaN in a float64 column, ``NaT``,
  ``pd.NA``) is NULL, since that is how pandas writes a null. A cell is read like a
  variable of :meth:`~nflex_metrics.Expression.evaluate`: ``float(cell)``, so numeric
  strings are numbers.
- **An entry without a conversion** passes the raw value through as the expression
  ``value`` would: numbers become float64, numeric strings are read, and any other
  value fails the row; ``raw_value`` keeps the original.
- **A row fails** when its metric is not in the mapping (``unknown metric 'x'``; a null
  key is ``unknown metric None``), when its path through the expression reads a column
  the table lacks, reads a cell that is not a number, or overflows
  (``metric 'x': <the engine's message>``). A column no row's path reads may be absent.
- **on_error**: ``"fail"`` (the default) raises :class:`ConversionError` naming the
  first failing row (its 0-based position in the table) and its reason; ``"skip"``
  leaves failing rows out; ``"null"`` keeps them with a null ``value``, the reason in
  ``error``, and null ``name``/``unit``/``counter`` when the metric is unknown.
- **Refused tables** (ValueError, before any row is converted): no metric column,
  two columns of one name, or a column named ``raw_value``, ``name``, ``unit`` or
  ``counter`` (and ``error`` with ``on_error="null"``) that the output would overwrite:
  rename it first. The command line rejects such samples one by one; in a table the
  column is on every row.
- **An empty table** gives the same columns and no rows.
- **pandas**: the index is kept (``skip`` drops the failing rows' labels). ``value`` is
  ``Float64``, ``name``/``unit``/``error`` are ``string`` and ``counter`` is ``boolean``:
  nullable dtypes, so NULL stays distinct from NaN. pandas is not part of the
  ``columnar`` extra; DataFrames work when it is installed.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Callable, Generic, NamedTuple, Optional, TypeVar

from ._jsonlines import ERROR_FIELD, OUTPUT_FIELDS
from ._results import ON_ERROR_CHOICES, OnError
from .errors import NflexMetricsError
from .expression import Expression
from .mapping import ParsedEntry
from .nodes import Expr, Name, walk
from .vectorized import INSTALL_HINT, column_cells, evaluate_arrays

try:
    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa
except ImportError as err:  # pragma: no cover - tested in a subprocess without numpy
    raise ImportError(f"convert_table needs NumPy and pyarrow: {INSTALL_HINT}") from err

__all__ = [
    "ERROR_COLUMN",
    "OUTPUT_COLUMNS",
    "ConversionError",
    "Converted",
    "Rejected",
    "TableConverter",
    "convert_table",
]

#: Columns the output adds after the input's (the fields ``nflex-metrics convert`` adds
#: to a JSON sample); an input column of one of these names is refused rather than
#: overwritten (``value`` itself is kept as ``raw_value``).
OUTPUT_COLUMNS = OUTPUT_FIELDS

#: The column of failure reasons, added with ``on_error="null"``.
ERROR_COLUMN = ERROR_FIELD

TableT = TypeVar("TableT")

#: What an entry without a conversion computes: the raw value, read as a number.
_PASS_THROUGH: Expr = Name("value")


class ConversionError(NflexMetricsError, ValueError):
    """A row that cannot be converted, with ``on_error="fail"``: ``row`` is its 0-based
    position in the table and ``reason`` says why."""

    def __init__(self, row: int, reason: str) -> None:
        self.row = row
        self.reason = reason
        super().__init__(f"row {row}: {reason}")

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.row, self.reason))


class Rejected(NamedTuple):
    """A row that failed: its position and the reason."""

    row: int
    reason: str


@dataclass(frozen=True)
class Converted(Generic[TableT]):
    """What :meth:`TableConverter.convert` returns: the output table and the rows that
    failed (left out with ``skip``, kept with their reason with ``null``)."""

    table: TableT
    rejected: tuple[Rejected, ...]


def convert_table(
    table: TableT,
    mapping: Mapping[Any, ParsedEntry],
    *,
    metric_column: str = "metric",
    on_error: OnError = "fail",
) -> TableT:
    """Convert a long-format table of samples with ``mapping`` (a loaded metric mapping).

    ``table`` is a pyarrow ``Table`` or ``RecordBatch`` or a pandas ``DataFrame``; the
    result is of the same kind, with the converted ``value`` and the added columns
    (the module's documentation has every rule). Raises :class:`ConversionError` for the
    first failing row with ``on_error="fail"``.

    >>> import pyarrow as pa
    >>> from nflex_metrics import parse_metric_mapping
    >>> mapping = parse_metric_mapping("mem: {unit: MiB, conversion_expr: value / 1024}")
    >>> table = pa.table({"metric": ["mem", "mem"], "value": ["2048", "lots"]})
    >>> convert_table(table, mapping)
    Traceback (most recent call last):
    ...
    nflex_metrics.columnar.ConversionError: row 1: metric 'mem': variable 'value' has type str ...
    >>> convert_table(table, mapping, on_error="skip").column("value").to_pylist()
    [2.0]
    """
    converter = TableConverter(mapping, metric_column=metric_column, on_error=on_error)
    return converter.convert(table).table


class _Entry(NamedTuple):
    """A mapping entry ready for tables."""

    position: int
    tree: Expr
    #: The variables the tree may read.
    variables: tuple[str, ...]


class TableConverter:
    """A mapping prepared for converting tables, or a stream of record batches, with the
    rules of :func:`convert_table`.

    :meth:`convert` also returns the failed rows, numbered from ``first_row``, so that a
    stream of batches can number rows across batches and report the ones it skipped.
    """

    def __init__(
        self,
        mapping: Mapping[Any, ParsedEntry],
        *,
        metric_column: str = "metric",
        on_error: OnError = "fail",
    ) -> None:
        if on_error not in ON_ERROR_CHOICES:
            raise ValueError(f"on_error must be 'fail', 'skip' or 'null', got {on_error!r}")
        self.metric_column = metric_column
        self.on_error = on_error
        self._entries: dict[Any, _Entry] = {}
        names: list[Optional[str]] = []
        units: list[Optional[str]] = []
        counters: list[Optional[bool]] = []
        for key, entry in mapping.items():
            self._entries[key] = _Entry(len(names), *_tree_of(key, entry))
            names.append(_checked(key, "name", entry.name(), str))
            units.append(_checked(key, "unit", entry.unit(), str))
            counters.append(_checked(key, "counter", entry.counter(), bool))
        # One more slot for rows without an entry: index -1 reads it.
        self._names = np.array([*names, None], dtype=object)
        self._units = np.array([*units, None], dtype=object)
        self._counters = np.array([*counters, None], dtype=object)

    @property
    def reserved(self) -> tuple[str, ...]:
        """The column names the output adds, which the input must not have."""
        return OUTPUT_COLUMNS + ((ERROR_COLUMN,) if self.on_error == "null" else ())

    def convert(self, table: TableT, *, first_row: int = 0) -> Converted[TableT]:
        """Convert one table (or record batch, or DataFrame); rows are numbered from
        ``first_row`` in errors and in :attr:`Converted.rejected`."""
        if _is_dataframe(table):
            return self._convert_frame(table, first_row)
        if isinstance(table, (pa.Table, pa.RecordBatch)):
            return self._convert_arrow(table, first_row)
        raise TypeError(
            "convert_table takes a pyarrow Table or RecordBatch or a pandas DataFrame, "
            f"got {type(table).__name__}"
        )

    # -- the rows, whatever the table ---------------------------------------------------

    def _check_columns(self, columns: list[Any]) -> None:
        if len(set(columns)) != len(columns):
            twice = sorted({repr(c) for c in columns if columns.count(c) > 1})
            raise ValueError(f"the table has two columns named {', '.join(twice)}")
        if self.metric_column not in columns:
            shown = ", ".join(map(repr, columns)) or "none"
            raise ValueError(f"the table has no {self.metric_column!r} column (columns: {shown})")
        clashes = [column for column in self.reserved if column in columns]
        if clashes:
            raise ValueError(
                f"input column {', '.join(map(repr, clashes))} would be overwritten by the "
                f"output (reserved: {', '.join(self.reserved)}); rename it first"
            )

    def _convert_rows(
        self,
        codes: npt.NDArray[np.intp],
        keys: list[Any],
        read: Callable[[str], Optional[Any]],
    ) -> _Rows:
        """Evaluate every row: ``codes[i]`` is the index of row ``i``'s metric key in
        ``keys`` (-1 for a null key) and ``read(name)`` a column as a (masked) NumPy
        array, or None when the table lacks it."""
        rows = len(codes)
        result = _Rows(
            values=np.full(rows, np.nan),
            null=np.ones(rows, dtype=np.bool_),
            entry=np.full(rows, -1, dtype=np.intp),
            failed=np.zeros(rows, dtype=np.bool_),
            reasons=np.full(rows, None, dtype=object),
        )
        columns: dict[str, Optional[Any]] = {}
        for code, where in _groups(codes, len(keys)):
            key = keys[code] if code >= 0 else None
            entry = _lookup(self._entries, key)
            if entry is None:
                result.failed[where] = True
                result.reasons[where] = f"unknown metric {key!r}"
                continue
            arrays = {}
            for name in entry.variables:
                if name not in columns:
                    columns[name] = read(name)
                column = columns[name]
                if column is not None:
                    arrays[name] = column[where]
            size = rows if isinstance(where, slice) else len(where)
            values, reasons = evaluate_arrays(entry.tree, arrays, errors="null", rows=size)
            result.entry[where] = entry.position
            result.values[where] = values.data
            result.null[where] = values.mask
            nulls = np.flatnonzero(values.mask)  # failed rows are among the NULLs
            failed = nulls[reasons[nulls] != None]  # noqa: E711 (elementwise)
            if failed.size:
                rows_failed = np.arange(rows)[where][failed]
                result.failed[rows_failed] = True
                result.reasons[rows_failed] = [f"metric {key!r}: {r}" for r in reasons[failed]]
        return result

    def _finish(self, result: _Rows, first_row: int) -> tuple[Rejected, ...]:
        """The failed rows, after raising for the first one with ``on_error="fail"``."""
        failing = np.flatnonzero(result.failed)
        if failing.size and self.on_error == "fail":
            row = int(failing[0])
            raise ConversionError(first_row + row, str(result.reasons[row]))
        return tuple(Rejected(first_row + int(r), str(result.reasons[r])) for r in failing)

    # -- Arrow --------------------------------------------------------------------------

    def _convert_arrow(self, table: Any, first_row: int) -> Converted[Any]:
        names = list(table.schema.names)
        self._check_columns(names)
        codes, keys = _arrow_keys(table.column(self.metric_column))

        def read(name: str) -> Optional[Any]:
            if name not in names:
                return None
            data, null = column_cells(table.column(name))
            return data if null is None else np.ma.MaskedArray(data, mask=null)

        result = self._convert_rows(codes, keys, read)
        rejected = self._finish(result, first_row)
        value = pa.array(result.values, type=pa.float64(), mask=result.null)
        entry = pa.array(result.entry, type=pa.int32(), mask=result.entry < 0)
        fields = [table.schema.field(i) for i in range(len(names))]
        arrays = [table.column(i) for i in range(len(names))]
        if "value" in names:
            at = names.index("value")
            raw_field, raw = fields[at], arrays[at]
            fields[at], arrays[at] = pa.field("value", pa.float64()), value
        else:
            raw_field, raw = pa.field("value", pa.null()), pa.nulls(len(result.values))
            fields.append(pa.field("value", pa.float64()))
            arrays.append(value)
        fields += [
            raw_field.with_name("raw_value"),
            pa.field("name", pa.string()),
            pa.field("unit", pa.string()),
            pa.field("counter", pa.bool_()),
        ]
        arrays += [
            raw,
            pa.array(self._names[:-1], type=pa.string()).take(entry),
            pa.array(self._units[:-1], type=pa.string()).take(entry),
            pa.array(self._counters[:-1], type=pa.bool_()).take(entry),
        ]
        if self.on_error == "null":
            fields.append(pa.field(ERROR_COLUMN, pa.string()))
            arrays.append(pa.array(result.reasons, type=pa.string()))
        schema = pa.schema(fields, metadata=table.schema.metadata)
        output = type(table).from_arrays(arrays, schema=schema)
        if self.on_error == "skip" and rejected:
            output = output.filter(pa.array(~result.failed))
        return Converted(output, rejected)

    # -- pandas -------------------------------------------------------------------------

    def _convert_frame(self, frame: Any, first_row: int) -> Converted[Any]:
        import pandas as pd

        names = list(frame.columns)
        self._check_columns(names)
        codes, uniques = pd.factorize(frame[self.metric_column], use_na_sentinel=True)

        def read(name: str) -> Optional[Any]:
            return _frame_column(frame[name]) if name in names else None

        result = self._convert_rows(codes.astype(np.intp), list(uniques.tolist()), read)
        rejected = self._finish(result, first_row)
        output = frame.copy(deep=False)
        raw = (
            frame["value"] if "value" in names else pd.Series(None, index=frame.index, dtype=object)
        )
        output["value"] = pd.arrays.FloatingArray(result.values, result.null)
        output["raw_value"] = raw
        output["name"] = pd.array(self._names[result.entry], dtype="string")
        output["unit"] = pd.array(self._units[result.entry], dtype="string")
        output["counter"] = pd.array(self._counters[result.entry], dtype="boolean")
        if self.on_error == "null":
            output[ERROR_COLUMN] = pd.array(result.reasons, dtype="string")
        if self.on_error == "skip" and rejected:
            output = output[~result.failed]
        return Converted(output, rejected)


@dataclass
class _Rows:
    """The outcome of every row of a table."""

    values: npt.NDArray[np.float64]
    null: npt.NDArray[np.bool_]
    #: The row's entry (its index in the mapping), -1 for an unknown metric.
    entry: npt.NDArray[np.intp]
    failed: npt.NDArray[np.bool_]
    reasons: npt.NDArray[np.object_]


def _tree_of(key: Any, entry: ParsedEntry) -> tuple[Expr, tuple[str, ...]]:
    if entry.conversion is None:
        tree = _PASS_THROUGH
    elif isinstance(entry.conversion, Expression):
        tree = entry.conversion.tree
    else:
        raise TypeError(
            f"metric {key!r}: convert_table needs a conversion_expr compiled by this "
            f"package (as load_metric_mapping gives), got {type(entry.conversion).__name__}"
        )
    names = sorted({node.name for node in walk(tree) if isinstance(node, Name)})
    return tree, tuple(names)


FieldT = TypeVar("FieldT")


def _checked(key: Any, field: str, value: Any, kind: type[FieldT]) -> FieldT:
    if not isinstance(value, kind):
        raise TypeError(
            f"metric {key!r}: {field} must be a {kind.__name__} for a table column, "
            f"got {type(value).__name__}"
        )
    return value


def _lookup(entries: dict[Any, _Entry], key: Any) -> Optional[_Entry]:
    try:
        return entries.get(key)
    except TypeError:  # an unhashable key (an Arrow list, say) is no metric
        return None


def _groups(codes: npt.NDArray[np.intp], count: int) -> Iterator[tuple[int, Any]]:
    """Each key code (-1 for null) with the rows that have it: a slice of every row when
    one code covers the table, else an array of row indices in ascending order."""
    if count == 1 and (codes == 0).all():
        yield 0, slice(None)
        return
    # Stable, so each group's rows stay ascending; 16-bit keys sort by radix, 4x faster.
    keys = codes.astype(np.int16) if count < 2**15 else codes
    order = np.argsort(keys, kind="stable")
    ends = np.cumsum(np.bincount(codes + 1, minlength=count + 1))
    start = 0
    for code, end in enumerate(ends.tolist(), start=-1):
        if end > start:
            yield code, order[start:end]
        start = end


def _arrow_keys(column: Any) -> tuple[npt.NDArray[np.intp], list[Any]]:
    """The metric column as key codes (-1 for null) and the distinct keys."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if not pa.types.is_dictionary(column.type):
        column = column.dictionary_encode()
    codes = column.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.intp)
    return codes, column.dictionary.to_pylist()


def _is_dataframe(table: object) -> bool:
    pandas = sys.modules.get("pandas")  # a DataFrame implies pandas is imported
    return pandas is not None and isinstance(table, pandas.DataFrame)


def _frame_column(series: Any) -> Any:
    """A DataFrame column as a masked NumPy array: missing cells (``isna``) are masked;
    numbers and bools stay numeric, anything else becomes Python objects."""
    missing = series.isna().to_numpy(dtype=np.bool_)
    dtype = series.dtype
    numeric = dtype if isinstance(dtype, np.dtype) else getattr(dtype, "numpy_dtype", None)
    if numeric is not None and numeric.kind in "biuf":
        data = series.to_numpy(dtype=numeric, na_value=numeric.type(0))
    else:
        data = series.to_numpy(dtype=object, na_value=None)
    return np.ma.MaskedArray(data, mask=missing)
