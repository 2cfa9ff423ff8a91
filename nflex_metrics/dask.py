"""Dask: a metric mapping applied to a Dask DataFrame, partition by partition.

:func:`convert` takes a ``dask.dataframe.DataFrame`` in the long format of
:func:`~nflex_metrics.columnar.convert_table` — one row per sample: the metric key, its
``value`` and any other variables — and returns a Dask DataFrame whose partitions are
what ``convert_table`` gives for the input's partitions (``map_partitions``): the same
added columns and pandas dtypes, the index kept. The mapping travels to the workers as
the source of its expressions, compiled once per worker process.

The rules, beyond those of ``convert_table`` on a pandas DataFrame:

- **Lazy, with explicit metadata**: ``convert`` computes nothing. It checks the columns
  and builds the output's ``meta`` from the input's: the empty input converted, so
  ``value`` is ``Float64``, ``name``/``unit`` (and ``error``) ``string`` and ``counter``
  ``boolean`` — nullable dtypes, so NULL stays distinct from NaN.
- **The mapping** may be a loaded mapping or the path of a mapping file, which is
  loaded where ``convert`` is called: a file with problems raises its ``MappingError``
  from ``convert``, before anything is computed.
- **Which row failed**: a row is named by its partition's number, its 0-based position
  in that partition and, when ``row_id`` names a column, its value there (to use the
  index, ``reset_index()`` first).
- **on_error**: ``"fail"`` (the default) makes ``compute()`` (or ``to_parquet``, ...)
  raise :class:`~nflex_metrics.partitions.PartitionConversionError` (a
  ``ConversionError``), which Dask brings back from the worker; ``"skip"`` leaves
  failing rows out; ``"null"`` keeps them with a null ``value`` and the reason in
  ``error``.

Needs the ``dask`` extra (``dask[dataframe]`` and ``distributed``) where ``convert`` is
called and on the workers, which must also have this package installed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from ._results import OnError
from .partitions import MappingLike, PartitionConversionError, PartitionConverter, load_mapping

#: How to get the optional dependencies of this module.
INSTALL_HINT = "install the 'dask' extra: pip install 'nflex-connector-utils[dask]'"

try:
    # Absolute imports: this module's own name is nflex_metrics.dask, not dask.
    import dask.dataframe
    from dask.dataframe.utils import make_meta
except ImportError as err:
    raise ImportError(f"nflex_metrics.dask needs dask.dataframe: {INSTALL_HINT}") from err

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["INSTALL_HINT", "PartitionConversionError", "convert"]


def convert(
    ddf: dask.dataframe.DataFrame,
    mapping: MappingLike,
    *,
    metric_column: str = "metric",
    on_error: OnError = "fail",
    row_id: Optional[str] = None,
) -> dask.dataframe.DataFrame:
    """Convert a long-format Dask DataFrame of samples with ``mapping`` (a loaded metric
    mapping or a mapping file's path); ``row_id`` names a column that identifies a
    failing row in errors. Lazy: the module's documentation has every rule."""
    converter = PartitionConverter(
        load_mapping(mapping), metric_column=metric_column, on_error=on_error, row_id=row_id
    )
    meta = converter.convert_empty(make_meta(ddf))
    return ddf.map_partitions(_ConvertPartition(converter), meta=meta)


class _ConvertPartition:
    """What each Dask task runs: one partition (a pandas DataFrame) in, converted out."""

    def __init__(self, converter: PartitionConverter) -> None:
        self.converter = converter
        self.__name__ = "convert_metrics"  # Dask names the tasks after it

    def __call__(self, frame: pd.DataFrame, partition_info: Optional[dict[str, Any]] = None) -> Any:
        partition = partition_info["number"] if partition_info is not None else 0
        return self.converter.convert(frame, partition=partition)
