"""The ``nflex-metrics`` command line: check, test and fuzz mapping files, try
expressions, convert samples. Five subcommands, in the spirit of ``promtool``::

    nflex-metrics check MAPPING...                      # exit 0 valid, 1 problems, 2 usage
    nflex-metrics eval EXPRESSION [NAME=VALUE ...]       # or --mapping FILE --metric KEY
    nflex-metrics convert MAPPING [INPUT] [-o OUTPUT]   # JSON Lines or Parquet
    nflex-metrics test TESTFILE...                      # mapping test files
    nflex-metrics fuzz MAPPING [--tests TESTFILE]       # search for failing inputs

Exit codes are the same for every subcommand: 0 success, 1 a problem with the input
(an invalid mapping, an expression that does not parse or evaluate, a sample that cannot
be converted, a failing test), 2 a command line that cannot be understood, 128+N when
stopped by signal N.

This module parses the arguments, runs ``check`` and ``eval`` and dispatches the others
to their modules (:mod:`~nflex_metrics.convert_cli`, :mod:`~nflex_metrics.testing_cli`),
which only call the library and print.
"""

from __future__ import annotations

import argparse
import dataclasses
import errno
import json
import os
import re
import signal
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Callable, NoReturn, Optional

from ._console import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    PROG,
    error,
    plural,
    problem_text,
    report_problems,
)
from ._io import Terminated, claim_standard_fds, say, signals_as_exceptions, to_devnull
from .convert import (
    ConvertError,
    ConvertIOError,
)
from .errors import ExpressionSyntaxError, MappingError, NflexMetricsError

if TYPE_CHECKING:
    from .expression import Expression
    from .mapping import ParsedEntry

__all__ = ["EXIT_OK", "EXIT_PROBLEMS", "EXIT_USAGE", "build_parser", "main"]


# --------------------------------------------------------------------------------------
# Output helpers


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
                print(problem_text(problem))
            if report["ok"]:
                summary = f"ok: {plural(report['metrics'], 'metric')}"
            else:
                summary = plural(len(report["problems"]), "problem")
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
        error(f"invalid expression (line {err.line}, column {err.column}):")
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
        report_problems(path, err.problems)
        return EXIT_PROBLEMS
    entry = mapping.get(metric)
    if entry is None:
        known = ", ".join(map(str, list(mapping)[:10])) + (", ..." if len(mapping) > 10 else "")
        error(f"metric {metric!r} is not in {path} (it has: {known or 'nothing'})")
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
        error(f"cannot evaluate: {err}")
        return EXIT_PROBLEMS
    print(f"result:     {_format_value(result)}" if labelled else _format_value(result))
    return EXIT_OK


# --------------------------------------------------------------------------------------
# The command line


_DESCRIPTION = "Check metric mapping files, try conversion expressions, convert samples."

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

    from .convert_cli import add_command

    add_command(commands)  # convert
    from .testing_cli import add_commands

    add_commands(commands)  # test, fuzz
    return parser


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
        error(message)
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
        error(f"cannot write stdout: {ebadf}")
        return EXIT_PROBLEMS
    if 0 in closed and args.command == "convert" and args.input == "-":
        error(f"cannot read stdin: {ebadf}")
        return EXIT_PROBLEMS
    try:
        with signals_as_exceptions():
            return _run_command(args)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    except ConvertIOError as err:
        return _write_failed(str(err), err)
    except ConvertError as err:
        error(str(err))
        return EXIT_PROBLEMS
    except OSError as err:  # what check and eval print, or its flush
        return _write_failed(f"cannot write stdout: {err.strerror or err}", err)
    except MemoryError:  # a huge input line (one is held whole), under a memory limit
        error("out of memory")
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        return 128 + signal.SIGINT
    except Terminated as stop:
        return 128 + stop.signum


def _run_command(args: argparse.Namespace) -> int:
    if args.command == "check":
        status = _cmd_check(args, args.subparser)
    elif args.command == "eval":
        status = _cmd_eval(args, args.subparser)
    else:  # convert, test, fuzz: each command's module set its function
        status = int(args.run(args))
    if sys.stdout is not None:
        sys.stdout.flush()  # a write error shows here, not in the flush at exit
    return status
