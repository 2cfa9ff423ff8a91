"""``nflex-metrics convert``: its options, and the call into the converter library
(:func:`~nflex_metrics.convert.convert_json_lines`,
:func:`~nflex_metrics.convert.convert_parquet`) with what it prints."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from typing import Callable, Literal, Union

from ._console import EXIT_OK, EXIT_PROBLEMS, error, report_problems
from ._io import Progress
from .convert import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_BLOCK_SIZE,
    MAX_BATCH_SIZE,
    MAX_BLOCK_SIZE,
    ON_ERROR_CHOICES,
    FileClashError,
    Rejected,
    RejectedRow,
    SampleRejected,
    convert_json_lines,
    convert_parquet,
    json_codec,
)
from .errors import MappingError

__all__ = ["FORMATS", "MAX_WARNINGS", "PARQUET_EXTENSIONS", "add_command", "run_convert"]

#: With ``--on-error skip`` and no ``--rejects`` file, at most this many reasons are
#: printed on stderr (the summary line counts them all).
MAX_WARNINGS = 10


def run_convert(args: argparse.Namespace) -> int:
    """Run ``convert`` with its parsed arguments; the exit code."""
    parser: argparse.ArgumentParser = args.subparser
    for option, path in (("INPUT", args.input), ("-o", args.output), ("--rejects", args.rejects)):
        if path == "":
            parser.error(f"{option}: the path is empty")
    if args.rejects == "-":
        parser.error("--rejects needs a file: '-' would mean stdout, where the samples go")
    input_format = args.input_format or _format_of(args.input)
    output_format = args.output_format or _format_of(args.output)
    _check_formats(parser, args, input_format, output_format)
    source = sys.stdin.buffer if args.input == "-" else args.input
    output = sys.stdout.buffer if args.output == "-" else args.output
    name = "<stdin>" if args.input == "-" else args.input
    warnings = _Warnings(
        name,
        silent=args.on_error == "fail" or args.rejects is not None or args.quiet,
    )
    rejects = args.rejects if args.rejects is not None else warnings
    codec = json_codec(args.json) if output_format == "jsonl" else None
    stderr = sys.stderr
    show = args.progress if args.progress is not None else stderr is not None and stderr.isatty()
    progress = None
    if show and stderr is not None and not args.quiet:
        size = os.path.getsize(args.input) if os.path.isfile(args.input) else None
        progress = Progress(stderr, size, unit="rows" if input_format == "parquet" else "lines")
    started = time.perf_counter()
    status = EXIT_OK
    try:
        if input_format == "parquet":
            result = convert_parquet(
                args.mapping,
                source,
                output,
                on_error=args.on_error,
                rejects=rejects,
                output_format=output_format,
                codec=codec,
                batch_size=args.batch_size or DEFAULT_BATCH_SIZE,
                progress=progress,
            )
        else:
            result = convert_json_lines(
                args.mapping,
                source,
                output,
                on_error=args.on_error,
                rejects=rejects,
                codec=codec,
                block_size=args.block_size or DEFAULT_BLOCK_SIZE,
                progress=progress,
            )
    except FileClashError as err:
        parser.error(str(err))  # a usage error: exit 2
    except MappingError as err:
        report_problems(args.mapping, err.problems)
        return EXIT_PROBLEMS
    except SampleRejected as stop:
        error(f"{name}:{stop.rejected[0]}: {stop.rejected.reason}")
        result, status = stop.result, EXIT_PROBLEMS
    finally:
        if progress is not None:
            progress.close()
    warnings.close()
    if not args.quiet:
        seconds = time.perf_counter() - started
        json_name = f"{codec.name} JSON" if codec is not None else ""
        formats = {
            ("jsonl", "jsonl"): json_name,
            ("parquet", "parquet"): "Parquet",
            ("parquet", "jsonl"): f"Parquet to {json_name}",
        }
        error(
            f"converted {result.converted:,}, rejected {result.rejected:,}, "
            f"{seconds:.2f} s ({formats[input_format, output_format]})"
        )
    return status


#: File name extensions read and written as Parquet (without ``--input-format`` or
#: ``--output-format``); any other is JSON Lines.
PARQUET_EXTENSIONS = (".parquet", ".pq")


def _format_of(path: str) -> Literal["jsonl", "parquet"]:
    """The format a file's name implies: ``parquet`` for ``.parquet`` and ``.pq``,
    else ``jsonl`` (stdin and stdout, ``-``, included).

    >>> _format_of("samples.PQ"), _format_of("samples.jsonl"), _format_of("-")
    ('parquet', 'jsonl', 'jsonl')
    """
    return "parquet" if os.path.splitext(path)[1].lower() in PARQUET_EXTENSIONS else "jsonl"


def _check_formats(
    parser: argparse.ArgumentParser,
    args: argparse.Namespace,
    input_format: str,
    output_format: str,
) -> None:
    """Usage errors for what the formats cannot do; pyarrow for Parquet."""
    if input_format == "jsonl" and output_format == "parquet":
        parser.error(
            "JSON Lines input cannot be written as Parquet: a Parquet file declares each "
            "column's type before its first row, and JSON samples declare none (write "
            "JSON Lines, or convert a Parquet file of the samples)"
        )
    if input_format == "parquet":
        if args.input == "-":
            parser.error(
                "Parquet input cannot be read from stdin (a Parquet reader starts at the "
                "end of the file): give the file as INPUT"
            )
        if args.block_size is not None:
            parser.error("--block-size is for JSON Lines input; Parquet is read in --batch-size")
    elif args.batch_size is not None:
        parser.error("--batch-size is for Parquet input; JSON Lines is read in --block-size")
    to_terminal = sys.stdout is not None and sys.stdout.isatty()
    if output_format == "parquet" and args.output == "-" and to_terminal:
        parser.error("Parquet output is not written to a terminal: give -o FILE or redirect")
    if "parquet" in (input_format, output_format):
        try:
            importlib.import_module("nflex_metrics._parquet")
        except ImportError as err:
            parser.error(str(err))


class _Warnings:
    """Prints the first few rejected lines on stderr as warnings, then counts the rest."""

    def __init__(self, source: str, silent: bool) -> None:
        self.source = source
        self.silent = silent
        self.shown = 0
        self.hidden = 0

    def __call__(self, rejected: Union[Rejected, RejectedRow]) -> None:
        if self.silent:
            return
        if self.shown < MAX_WARNINGS:
            self.shown += 1
            error(f"warning: {self.source}:{rejected[0]}: {rejected.reason}")
        else:
            self.hidden += 1

    def close(self) -> None:
        if self.hidden:
            error(
                f"warning: {self.hidden:,} more rejected samples not shown "
                "(--rejects FILE keeps them all)"
            )


_OUTPUT_HELP = "write here (stdout); a file is replaced atomically, all or nothing"

_CONVERT_EPILOG = """\
Each input line is a sample: {"metric": KEY, "value": ..., other variables...}.
Each output line keeps the sample's fields, replaces "value" with the converted value
and adds "raw_value" (the input value), "name", "unit" and "counter" from the mapping.
Output is in input order; blank input lines are ignored. A sample that cannot be
converted stops the run (--on-error fail, the default), is left out (skip) or is
written with "value": null and an "error" field (null); --rejects FILE keeps each
rejected line with its line number and reason either way.

A Parquet file (needs the columnar extra) holds a sample per row and a column per
field; it is converted to Parquet or JSON Lines with the same columns added, rows
numbered from 1. JSON Lines input is written as JSON Lines only."""

#: The formats ``convert`` reads and writes.
FORMATS = ("jsonl", "parquet")


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Put ``convert`` on the command line."""
    convert = commands.add_parser(
        "convert",
        help="convert samples (JSON Lines or Parquet) with a mapping",
        description="Convert JSON Lines or Parquet samples with a mapping file.",
        epilog=_CONVERT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    convert.set_defaults(subparser=convert, run=run_convert)
    convert.add_argument("mapping", metavar="MAPPING", help="the mapping.yaml file")
    convert.add_argument(
        "input",
        nargs="?",
        default="-",
        metavar="INPUT",
        help="JSON Lines (stdin) or Parquet file of samples",
    )
    convert.add_argument("-o", "--output", default="-", metavar="FILE", help=_OUTPUT_HELP)
    convert.add_argument(
        "--input-format",
        choices=FORMATS,
        help="the input's format (from its extension: .parquet or .pq is Parquet, any "
        "other JSON Lines)",
    )
    convert.add_argument(
        "--output-format",
        choices=FORMATS,
        help="the output's format (from -o FILE's extension, as for the input)",
    )
    convert.add_argument(
        "--on-error",
        choices=ON_ERROR_CHOICES,
        default="fail",
        help="what to do with a sample that cannot be converted (fail)",
    )
    convert.add_argument(
        "--rejects", metavar="FILE", help="write each rejected sample with its reason here"
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
        "-q", "--quiet", action="store_true", help="no progress, warnings, summary"
    )
    convert.add_argument(
        "--block-size",
        type=_size_type("1 and 67,108,864 (64 MiB)", MAX_BLOCK_SIZE),
        metavar="BYTES",
        help=f"JSON Lines input: read this much at a time; bounds memory "
        f"({DEFAULT_BLOCK_SIZE}, at most {MAX_BLOCK_SIZE})",
    )
    convert.add_argument(
        "--batch-size",
        type=_size_type(f"1 and {MAX_BATCH_SIZE:,}", MAX_BATCH_SIZE),
        metavar="ROWS",
        help=f"Parquet input: convert this many rows at a time; bounds memory "
        f"({DEFAULT_BATCH_SIZE}, at most {MAX_BATCH_SIZE})",
    )


def _size_type(bounds: str, largest: int) -> Callable[[str], int]:
    """An argparse type for a whole number between 1 and ``largest``."""

    def size(text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if not 1 <= number <= largest:
            raise argparse.ArgumentTypeError(f"must be between {bounds}: {number:,}")
        return number

    return size
