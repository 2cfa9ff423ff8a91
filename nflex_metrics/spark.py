"""Apache Spark: a metric mapping applied to a Spark DataFrame on the executors.

:func:`convert` takes a DataFrame in the long format of
:func:`~nflex_metrics.columnar.convert_table` — one row per sample: the metric key, its
``value`` and any other variables — and returns a DataFrame with the same added
columns, computed by ``DataFrame.mapInArrow``: each executor receives the mapping (as
the source of its expressions, compiled once per Python worker process) and converts
Arrow record batches with the columnar backend, so every row is exactly what
``convert_table`` gives for it.

The rules, beyond those of ``convert_table``:

- **Lazy, with a declared schema**: ``convert`` runs no Spark job. It checks the
  columns and builds the output schema on the driver from the input's schema: the
  input's fields in their place, ``value`` as ``double``, then ``raw_value`` (the input
  ``value``'s type; ``void`` when there is none), ``name`` and ``unit`` (``string``),
  ``counter`` (``boolean``) and, with ``on_error="null"``, ``error`` (``string``).
- **The mapping** may be a loaded mapping or the path of a mapping file, which is
  loaded on the driver: a file with problems raises its ``MappingError`` from
  ``convert``, before any job.
- **Which row failed**: a row is named by its partition (the number of the Spark
  partition that reached the conversion), its 0-based position in that partition and,
  when ``row_id`` names a column, its value there. Partitions depend on how Spark
  planned the input (file splits, shuffles), so give a ``row_id`` to find rows again.
- **on_error**: ``"fail"`` (the default) makes the action that computes the result
  (``collect``, ``write``, ``count``) raise Spark's ``PythonException``, whose message
  ends with ``PartitionConversionError: partition P, row R (id=...): reason``; ``"skip"``
  leaves failing rows out; ``"null"`` keeps them with a null ``value`` and the reason in
  ``error``.

Needs the ``spark`` extra (PySpark with its Arrow support) on the driver and the
executors, which must also have this package installed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Optional

from ._results import OnError
from .columnar import ERROR_COLUMN
from .partitions import MappingLike, PartitionConversionError, PartitionConverter, load_mapping

#: How to get the optional dependencies of this module.
INSTALL_HINT = "install the 'spark' extra: pip install 'nflex-connector-utils[spark]'"

try:
    import pyarrow as pa
    from pyspark import TaskContext
    from pyspark.sql.types import (
        BooleanType,
        DataType,
        DoubleType,
        NullType,
        StringType,
        StructField,
        StructType,
    )
except ImportError as err:
    raise ImportError(f"nflex_metrics.spark needs PySpark and pyarrow: {INSTALL_HINT}") from err

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["INSTALL_HINT", "PartitionConversionError", "convert", "output_schema"]

#: The Spark types of the columns the output adds (``raw_value`` keeps the input's).
_ADDED_TYPES: dict[str, DataType] = {
    "value": DoubleType(),
    "name": StringType(),
    "unit": StringType(),
    "counter": BooleanType(),
    ERROR_COLUMN: StringType(),
}


def convert(
    df: DataFrame,
    mapping: MappingLike,
    *,
    metric_column: str = "metric",
    on_error: OnError = "fail",
    row_id: Optional[str] = None,
) -> DataFrame:
    """Convert a long-format Spark DataFrame of samples with ``mapping`` (a loaded
    metric mapping or a mapping file's path); ``row_id`` names a column that identifies
    a failing row in errors. Lazy: the module's documentation has every rule."""
    converter = PartitionConverter(
        load_mapping(mapping), metric_column=metric_column, on_error=on_error, row_id=row_id
    )
    return df.mapInArrow(_ConvertPartition(converter), output_schema(df.schema, converter))


def output_schema(schema: StructType, converter: PartitionConverter) -> StructType:
    """The Spark schema of the conversion of a DataFrame with ``schema``; raises
    ValueError for the columns ``convert_table`` refuses."""
    fields = {field.name: field for field in schema.fields}
    value = fields.get("value")
    output = []
    empty = pa.Table.from_arrays([pa.nulls(0)] * len(schema.names), names=schema.names)
    for name in converter.convert_empty(empty).column_names:
        if name == "raw_value":
            if value is None:
                output.append(StructField(name, NullType(), True))
            else:
                output.append(StructField(name, value.dataType, value.nullable, value.metadata))
        elif name in fields and name != "value":
            output.append(fields[name])
        else:
            output.append(StructField(name, _ADDED_TYPES[name], True))
    return StructType(output)


class _ConvertPartition:
    """What each Spark task runs: the record batches of its partition in, converted
    batches out, rows numbered across the batches."""

    def __init__(self, converter: PartitionConverter) -> None:
        self.converter = converter

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        context = TaskContext.get()
        partition = context.partitionId() if context is not None else 0
        first_row = 0
        for batch in batches:
            yield self.converter.convert(batch, partition=partition, first_row=first_row)
            first_row += batch.num_rows
