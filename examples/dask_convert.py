"""Convert a Parquet dataset of metric samples with Dask.

The input is in the long format (a ``metric`` column, a ``value`` column and any other
variables the mapping's expressions read); the output is the same rows with the
converted ``value`` and the added ``raw_value``, ``name``, ``unit`` and ``counter``
columns (and ``error`` with ``--on-error null``). On a local cluster of worker
processes, one per core by default::

    python examples/dask_convert.py samples.parquet converted/

or on a running cluster (``--scheduler tcp://host:8786``). The mapping file
(``--mapping``, by default ``mapping.yaml`` beside this script) is loaded first: a file
with problems stops the run before anything is computed.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import Optional

import dask.dataframe as dd
from distributed import Client, LocalCluster

from nflex_metrics import MappingError, load_metric_mapping
from nflex_metrics import dask as nflex_dask
from nflex_metrics.partitions import PartitionConversionError


def parse_args(argv: Optional[list[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", help="the samples: a Parquet file or directory")
    parser.add_argument("output", help="the directory to write the converted samples to")
    parser.add_argument(
        "--mapping",
        default=str(Path(__file__).with_name("mapping.yaml")),
        help="the metric mapping file (default: %(default)s)",
    )
    parser.add_argument("--on-error", choices=["fail", "skip", "null"], default="fail")
    parser.add_argument("--row-id", help="a column that names a failing row in errors")
    parser.add_argument("--scheduler", help="the address of a running Dask scheduler")
    parser.add_argument("--workers", type=int, help="local worker processes (default: cores)")
    return parser.parse_args(argv)


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    try:
        mapping = load_metric_mapping(args.mapping)  # before the cluster: problems first
    except MappingError as err:
        print(err, file=sys.stderr)
        return 1
    with contextlib.ExitStack() as stack:
        if args.scheduler:
            stack.enter_context(Client(args.scheduler))
        else:
            cluster = LocalCluster(
                n_workers=args.workers, threads_per_worker=1, dashboard_address=None
            )
            stack.enter_context(cluster)
            stack.enter_context(Client(cluster))
        # Arrow-backed columns: a NaN cell stays NaN, distinct from a null (NULL);
        # NumPy-backed pandas columns would read both as missing.
        samples = dd.read_parquet(args.input, dtype_backend="pyarrow")
        converted = nflex_dask.convert(samples, mapping, on_error=args.on_error, row_id=args.row_id)
        try:
            # The samples are the columns: the row numbers Dask gives them are not written.
            converted.to_parquet(args.output, write_index=False)
        except PartitionConversionError as err:
            print(f"{Path(__file__).name}: {err}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
