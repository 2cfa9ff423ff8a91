"""The ``nflex-metrics`` command line: check mapping files, try expressions, convert samples.

Three subcommands, in the spirit of ``promtool check rules``::

    nflex-metrics check MAPPING...                      # exit 0 valid, 1 problems, 2 usage
    nflex-metrics eval EXPRESSION [NAME=VALUE ...]       # or --mapping FILE --metric KEY
    nflex-metrics convert MAPPING [INPUT] [-o OUTPUT]   # JSON Lines or Parquet

Exit codes are the same for every subcommand: 0 success, 1 a problem with the input
(an invalid mapping, an expression that does not parse or evaluate, a sample that cannot
be converted), 2 a command line that cannot be understood, 128+N when stopped by signal N.

This module only parses arguments, calls the library and prints; ``convert`` is
:func:`nflex_metrics.convert.convert_json_lines` or
:func:`~nflex_metrics.convert.convert_parquet`.
"""

from __future__ import annotations

import argparse
import dataclasses
import errno
import importlib
import json
import os
import re
import signal
import sys
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Callable, Literal, NoReturn, Optional, Union

from ._io import Progress, Terminated, claim_standard_fds, say, signals_as_exceptions, to_devnull
from .convert import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_BLOCK_SIZE,
    MAX_BATCH_SIZE,
    MAX_BLOCK_SIZE,
    ON_ERROR_CHOICES,
    ConvertError,
    ConvertIOError,
    FileClashError,
    Rejected,
    RejectedRow,
    SampleRejected,
    convert_json_lines,
    convert_parquet,
    json_codec,
)
from .errors import ExpressionSyntaxError, MappingError, MappingProblem, NflexMetricsError

if TYPE_CHECKING:
    from .expression import Expression
    from .mapping import ParsedEntry

__all__ = ["EXIT_OK", "EXIT_PROBLEMS", "EXIT_USAGE", "build_parser", "main"]

PROG = "nflex-metrics"

#: Everything was valid / converted.
EXIT_OK = 0
#: A problem with the input: an invalid mapping, expression or sample.
EXIT_PROBLEMS = 1
#: A command line that cannot be understood (argparse uses the same code).
EXIT_USAGE = 2

#: With ``--on-error skip`` and no ``--rejects`` file, at most this many reasons are
#: printed on stderr (the summary line counts them all).
MAX_WARNINGS = 10


# --------------------------------------------------------------------------------------
# Output helpers


def _error(message: str) -> None:
    """``nflex-metrics: message`` on stderr (never on stdout; nowhere if stderr is gone)."""
    say(f"{PROG}: {message}")


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _format_value(value: object) -> str:
    """A result as ``eval`` prints it: ``null`` for NULL, ``repr`` for a float.

    >>> _format_value(None), _format_value(50.0), _format_value(float("inf"))
    ('null', '50.0', 'inf')
    """
    if value is None:
        return "null"
    if isinstance(value, float):
        return repr(value)
    return json.dumps(value, default=repr)


def _load_mapping(path: str) -> Mapping[Any, ParsedEntry]:
    from .mapping import load_metric_mapping

    mapping: Mapping[Any, ParsedEntry] = load_metric_mapping(path, strict=True)
    return mapping


def _problem_text(problem: MappingProblem) -> str:
    """A problem as ``file:line:column: key: message`` and its caret lines, or as
    ``file: message`` for one about the whole file (line 0: it cannot be read)."""
    if problem.line:
        return str(problem)
    key = f"{problem.key}: " if problem.key is not None else ""
    return f"{problem.file}: {key}{problem.message}"


def _report_problems(path: str, problems: Sequence[MappingProblem]) -> None:
    """A mapping's problems on stderr, and how many; a file that cannot be read is one
    line."""
    if len(problems) == 1 and not problems[0].line:
        _error(_problem_text(problems[0]))
        return
    for problem in problems:
        say(_problem_text(problem))
    _error(f"{path}: {_plural(len(problems), 'problem')}")


# --------------------------------------------------------------------------------------
# check


def _cmd_check(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if args.print_schema:
        if args.mapping:
            parser.error("--print-schema takes no MAPPING")
        from .schema import mapping_schema_text

        sys.stdout.write(mapping_schema_text())
        return EXIT_OK
    if not args.mapping:
        parser.error("give at least one MAPPING file (or --print-schema)")
    reports: list[dict[str, Any]] = []
    for path in args.mapping:
        try:
            mapping = _load_mapping(path)
        except MappingError as err:
            reports.append({"file": path, "ok": False, "metrics": None, "problems": err.problems})
        else:
            reports.append({"file": path, "ok": True, "metrics": len(mapping), "problems": ()})
    all_ok = all(report["ok"] for report in reports)
    if args.format == "json":
        document = {
            "ok": all_ok,
            "files": [
                {**report, "problems": [dataclasses.asdict(p) for p in report["problems"]]}
                for report in reports
            ],
        }
        print(json.dumps(document, indent=2))
    else:
        for report in reports:
            for problem in report["problems"]:
                print(_problem_text(problem))
            if report["ok"]:
                summary = f"ok: {_plural(report['metrics'], 'metric')}"
            else:
                summary = _plural(len(report["problems"]), "problem")
            print(f"{report['file']}: {summary}")
    return EXIT_OK if all_ok else EXIT_PROBLEMS


# --------------------------------------------------------------------------------------
# eval


#: A variable name in an expression: the grammar's NAME token.
_VARIABLE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def _parse_assignments(parser: argparse.ArgumentParser, items: Sequence[str]) -> dict[str, Any]:
    """``NAME=VALUE`` arguments as variables. VALUE is read as JSON when it is JSON
    (``3``, ``null``, ``true``, ``"text"``) and taken as a string otherwise."""
    variables: dict[str, Any] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            parser.error(f"expected NAME=VALUE, got {item!r}")
        if not _VARIABLE_NAME.fullmatch(name):
            parser.error(
                f"{name!r} is not a variable name: an ASCII letter, then letters, digits or _"
            )
        if name in variables:
            parser.error(f"variable {name!r} is given twice")
        try:
            variables[name] = json.loads(text)
        except ValueError:
            variables[name] = text
        except RecursionError:
            parser.error(f"the value of {name} is nested too deeply to read")
    return variables


def _cmd_eval(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    positional: list[str] = list(args.args)
    if args.mapping is not None or args.metric is not None:
        if args.mapping is None or args.metric is None:
            parser.error("--mapping and --metric go together")
        variables = _parse_assignments(parser, positional)
        return _eval_entry(args.mapping, args.metric, variables, args.explain)
    if not positional:
        parser.error("give an EXPRESSION, or --mapping FILE --metric KEY")
    text, rest = positional[0], positional[1:]
    variables = _parse_assignments(parser, rest)
    from .expression import compile as compile_expression

    try:
        expression = compile_expression(text)
    except ExpressionSyntaxError as err:
        _error(f"invalid expression (line {err.line}, column {err.column}):")
        say(err.render())
        return EXIT_PROBLEMS
    if args.explain:
        _explain(expression)
        if not variables and expression.variables:
            return EXIT_OK
    return _print_result(lambda: expression.evaluate(variables), args.explain)


def _eval_entry(path: str, metric: str, variables: dict[str, Any], explain: bool) -> int:
    try:
        mapping = _load_mapping(path)
    except MappingError as err:
        _report_problems(path, err.problems)
        return EXIT_PROBLEMS
    entry = mapping.get(metric)
    if entry is None:
        known = ", ".join(map(str, list(mapping)[:10])) + (", ..." if len(mapping) > 10 else "")
        _error(f"metric {metric!r} is not in {path} (it has: {known or 'nothing'})")
        return EXIT_PROBLEMS
    expression: Optional[Expression] = entry.expression
    if explain:
        print(
            f"metric:     {metric} (name {entry.name()!r}, unit {entry.unit()!r}, "
            f"counter {json.dumps(bool(entry.counter()))})"
        )
        if expression is None:
            print("conversion: none (the value passes through unchanged)")
        else:
            _explain(expression)
        needed = expression.variables if expression is not None else {"value"}
        if not variables and needed:
            return EXIT_OK

    def convert() -> object:
        if expression is None:
            return entry.value(**variables)
        return expression.evaluate(variables)

    return _print_result(convert, explain)


def _explain(expression: Expression) -> None:
    print(f"source:     {expression.source}")
    print(f"canonical:  {expression.canonical}")
    print(f"variables:  {', '.join(sorted(expression.variables)) or '(none)'}")
    print("python:")
    for line in expression.python_source.rstrip("\n").splitlines():
        print(f"    {line}" if line.strip() else "")


def _print_result(compute: Callable[[], object], labelled: bool) -> int:
    try:
        result = compute()
    except NflexMetricsError as err:
        _error(f"cannot evaluate: {err}")
        return EXIT_PROBLEMS
    print(f"result:     {_format_value(result)}" if labelled else _format_value(result))
    return EXIT_OK


# --------------------------------------------------------------------------------------
# convert


def _cmd_convert(args: argparse.Namespace) -> int:
    parser: argparse.ArgumentParser = args.subparser
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
        _report_problems(args.mapping, err.problems)
        return EXIT_PROBLEMS
    except SampleRejected as stop:
        _error(f"{name}:{stop.rejected[0]}: {stop.rejected.reason}")
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
        _error(
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
            _error(f"warning: {self.source}:{rejected[0]}: {rejected.reason}")
        else:
            self.hidden += 1

    def close(self) -> None:
        if self.hidden:
            _error(
                f"warning: {self.hidden:,} more rejected samples not shown "
                "(--rejects FILE keeps them all)"
            )


# --------------------------------------------------------------------------------------
# The command line


_DESCRIPTION = "Check metric mapping files, try conversion expressions, convert samples."

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


_CHECK_USAGE = """\
%(prog)s [--format {text,json}] MAPPING [MAPPING ...]
       %(prog)s --print-schema"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``nflex-metrics`` (one subparser per subcommand)."""
    parser = argparse.ArgumentParser(prog=PROG, description=_DESCRIPTION)
    from . import __version__

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    check = commands.add_parser(
        "check",
        help="validate mapping files (exit 1 on any problem)",
        description="Validate metric mapping files with the strict loader.",
        usage=_CHECK_USAGE,
    )
    check.add_argument("mapping", nargs="*", metavar="MAPPING", help="mapping.yaml files")
    check.add_argument(
        "--print-schema",
        action="store_true",
        help="print the JSON Schema of mapping files (for editors) and exit",
    )
    check.set_defaults(subparser=check)
    check.add_argument(
        "--format", choices=("text", "json"), default="text", help="report format (text)"
    )

    evaluate = commands.add_parser(
        "eval",
        help="evaluate an expression or a mapping entry",
        description=(
            "Evaluate EXPRESSION, or the conversion of --metric KEY in --mapping FILE, "
            "with NAME=VALUE variables (VALUE is JSON, e.g. 3, null, true, or else text). "
            "Put -- before an expression that starts with '-'."
        ),
        usage=(
            "%(prog)s [--explain] EXPRESSION [NAME=VALUE ...]\n"
            "       %(prog)s [--explain] --mapping FILE --metric KEY [NAME=VALUE ...]"
        ),
    )
    evaluate.set_defaults(subparser=evaluate)
    evaluate.add_argument("args", nargs="*", metavar="ARG", help=argparse.SUPPRESS)
    evaluate.add_argument("--mapping", metavar="FILE", help="a mapping.yaml file")
    evaluate.add_argument("--metric", metavar="KEY", help="the metric key in --mapping")
    evaluate.add_argument(
        "--explain",
        action="store_true",
        help="print the canonical form, the variables and the generated Python",
    )

    convert = commands.add_parser(
        "convert",
        help="convert samples (JSON Lines or Parquet) with a mapping",
        description="Convert JSON Lines or Parquet samples with a mapping file.",
        epilog=_CONVERT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    convert.set_defaults(subparser=convert)
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
    from .testing_cli import add_commands

    add_commands(commands)  # test, fuzz
    return parser


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


def _unrecognized(
    parser: argparse.ArgumentParser, args: argparse.Namespace, unknown: list[str]
) -> NoReturn:
    """The usage error for arguments argparse did not take; for ``eval``, a hint: an
    expression that starts with ``-`` is taken for an option unless ``--`` comes first."""
    message = f"unrecognized arguments: {' '.join(unknown)}"
    first = unknown[0]
    if args.command == "eval" and first.startswith("-") and not first.startswith("--"):
        sub: argparse.ArgumentParser = args.subparser
        sub.error(
            f"{message} (an expression that starts with '-' goes after --: "
            f"{PROG} eval -- {first!r} ...)"
        )
    parser.error(message)


def _write_failed(message: str, err: OSError) -> int:
    """Report a failed read or write (exit 1). A reader that went away (``| head``) is
    not worth a message; stdout is pointed at the null device so that the flush at exit
    does not fail again."""
    if err.errno != errno.EPIPE:
        _error(message)
    if message.startswith("cannot write stdout"):
        to_devnull(1)
    return EXIT_PROBLEMS


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run ``nflex-metrics`` with ``argv`` (default ``sys.argv[1:]``); the exit code."""
    closed = claim_standard_fds()
    parser = build_parser()
    try:
        args, unknown = parser.parse_known_args(argv)
        if unknown:
            _unrecognized(parser, args, unknown)
    except SystemExit as exit_:  # usage errors (2), --help and --version (0)
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    ebadf = os.strerror(errno.EBADF)
    if 1 in closed and (args.command != "convert" or args.output == "-"):
        _error(f"cannot write stdout: {ebadf}")
        return EXIT_PROBLEMS
    if 0 in closed and args.command == "convert" and args.input == "-":
        _error(f"cannot read stdin: {ebadf}")
        return EXIT_PROBLEMS
    try:
        with signals_as_exceptions():
            return _run_command(args)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    except ConvertIOError as err:
        return _write_failed(str(err), err)
    except ConvertError as err:
        _error(str(err))
        return EXIT_PROBLEMS
    except OSError as err:  # what check and eval print, or its flush
        return _write_failed(f"cannot write stdout: {err.strerror or err}", err)
    except KeyboardInterrupt:
        return 128 + signal.SIGINT
    except Terminated as stop:
        return 128 + stop.signum


def _run_command(args: argparse.Namespace) -> int:
    if args.command == "check":
        status = _cmd_check(args, args.subparser)
    elif args.command == "eval":
        status = _cmd_eval(args, args.subparser)
    elif args.command in ("test", "fuzz"):
        status = int(args.run(args))
    else:
        status = _cmd_convert(args)
    if sys.stdout is not None:
        sys.stdout.flush()  # a write error shows here, not in the flush at exit
    return status
