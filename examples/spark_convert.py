"""Convert a Parquet dataset of metric samples with Apache Spark.

The input is in the long format (a ``metric`` column, a ``value`` column and any other
variables the mapping's expressions read); the output is the same rows with the
converted ``value`` and the added ``raw_value``, ``name``, ``unit`` and ``counter``
columns (and ``error`` with ``--on-error null``). On a cluster::

    spark-submit examples/spark_convert.py samples.parquet converted.parquet

or locally, on every core of this machine, with plain Python::

    python examples/spark_convert.py samples.parquet converted.parquet

The mapping file (``--mapping``, by default ``mapping.yaml`` beside this script) is
loaded on the driver first: a file with problems stops the run before any Spark job.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import Optional

from pyspark.errors import PythonException
from pyspark.sql import SparkSession

from nflex_metrics import MappingError, load_metric_mapping
from nflex_metrics import spark as nflex_spark


def parse_args(argv: Optional[list[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", help="the samples: a Parquet file or directory")
    parser.add_argument("output", help="where to write the converted samples (Parquet)")
    parser.add_argument(
        "--mapping",
        default=str(Path(__file__).with_name("mapping.yaml")),
        help="the metric mapping file (default: %(default)s)",
    )
    parser.add_argument("--on-error", choices=["fail", "skip", "null"], default="fail")
    parser.add_argument("--row-id", help="a column that names a failing row in errors")
    return parser.parse_args(argv)


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    try:
        mapping = load_metric_mapping(args.mapping)  # before Spark starts: problems first
    except MappingError as err:
        print(err, file=sys.stderr)
        return 1
    if "PYSPARK_GATEWAY_PORT" not in os.environ:
        # Plain `python`, not spark-submit: a local Spark whose Python workers run this
        # interpreter (it has the packages), unless PYSPARK_PYTHON says otherwise.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = SparkSession.builder.appName("nflex-metrics convert").getOrCreate()
    try:
        samples = spark.read.parquet(args.input)
        converted = nflex_spark.convert(
            samples, mapping, on_error=args.on_error, row_id=args.row_id
        )
        converted.write.parquet(args.output)
    except PythonException as err:
        # Spark wraps a failing row's PartitionConversionError, with the worker's
        # traceback, in its own exception: say just which row failed and why.
        failed = re.search(r"PartitionConversionError: (.*)", str(err))
        if failed is None:
            raise
        print(f"{Path(__file__).name}: {failed.group(1)}", file=sys.stderr)
        return 1
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
