"""The ``nflex-metrics test`` and ``nflex-metrics fuzz`` commands.

:func:`run_tests` and :func:`run_fuzz` take plain arguments, print through a given
stream and return the exit code (0 all passed, 1 a failure, a finding or a broken
file, 2 a command that cannot run); :func:`add_commands` puts them on the command line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict
from typing import IO, TYPE_CHECKING, Any, Optional

from ._console import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, plural, problem_text

if TYPE_CHECKING:
    from .errors import MappingProblem
    from .fuzzing import FuzzResult
    from .testing import FileReport, FuzzSettings

# The command line imports this module to add the commands: what running them needs
# is imported when they run.

__all__ = ["add_commands", "run_fuzz", "run_tests", "write_junit_xml"]


#: What to install for ``fuzz``.
_TESTING_EXTRA = "pip install 'nflex-connector-utils[testing]'"


def _arrow(stream: IO[str]) -> str:
    """``→``, or ``->`` on a stream whose encoding cannot write it."""
    try:
        "→".encode(getattr(stream, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return "->"
    return "→"


# --------------------------------------------------------------------------------- test


def run_tests(
    paths: Sequence[str],
    *,
    output_format: str = "text",
    junit_xml: Optional[str] = None,
    stream: Optional[IO[str]] = None,
) -> int:
    """Run mapping test files; print each failure and problem, then a summary per file
    (``output_format="json"``: one JSON document). 0 when every case passed, else 1."""
    from .testing import MappingTestError, load_mapping_tests, run_mapping_tests

    out = stream or sys.stdout
    loaded: list[Any] = []
    for path in paths:
        try:
            loaded.append(load_mapping_tests(path))
        except MappingTestError:
            loaded.append(path)  # run_mapping_tests reports why it cannot be read
    if junit_xml is not None:
        read = [*paths, *(tests.mapping for tests in loaded if not isinstance(tests, str))]
        clash = _clash(junit_xml, read)
        if clash is not None:
            print(
                f"nflex-metrics test: --junit-xml {junit_xml} would overwrite {clash}, "
                "an input of this run",
                file=sys.stderr,
            )
            return EXIT_USAGE
    reports = [run_mapping_tests(tests) for tests in loaded]
    if output_format == "json":
        print(json.dumps(_json_document(reports), indent=2, default=repr), file=out)
    else:
        arrow = _arrow(out)
        for report in reports:
            for problem in report.problems:
                print(problem_text(problem), file=out)
            for failure in report.failures:
                print(str(failure).replace(" → ", f" {arrow} "), file=out)
            print(report.summary(), file=out)
    if junit_xml is not None:
        try:
            write_junit_xml(reports, junit_xml)
        except OSError as err:
            print(
                f"nflex-metrics test: cannot write {junit_xml}: {err.strerror or err}",
                file=sys.stderr,
            )
            return EXIT_PROBLEMS
    return EXIT_OK if all(report.ok for report in reports) else EXIT_PROBLEMS


def _json_document(reports: Sequence[FileReport]) -> dict[str, Any]:
    return {
        "ok": all(report.ok for report in reports),
        "files": [
            {
                "file": report.file,
                "ok": report.ok,
                "cases": len(report.results),
                "failed": len(report.failures),
                "metrics": report.metrics,
                "tested": report.tested,
                "problems": [asdict(problem) for problem in report.problems],
                "failures": [
                    {
                        "file": failure.file,
                        "line": failure.case.line,
                        "metric": failure.metric,
                        "case": failure.name,
                        "input": dict(failure.case.inputs),
                        "got": failure.got_text(),
                        "expected": failure.case.expected_text(),
                        "message": str(failure),
                    }
                    for failure in report.failures
                ],
            }
            for report in reports
        ],
    }


def _clash(output: str, inputs: Sequence[str]) -> Optional[str]:
    """The input that ``output`` names (the same file, by any path or link), or None."""
    from ._io import file_key

    key = file_key(output)
    if key is None:
        return None
    return next((path for path in inputs if file_key(path) == key), None)


def write_junit_xml(reports: Sequence[FileReport], path: str) -> None:
    """Write the reports as JUnit XML: a ``testsuite`` per test file and a ``testcase``
    per case (a broken file is one ``testcase`` with an ``error``). The file is written
    like ``convert -o``: atomically, through a symbolic link, in place on a device."""
    import xml.etree.ElementTree as ET

    failures = sum(len(report.failures) for report in reports)
    errors = sum(1 for report in reports if report.problems)
    tests = sum(len(report.results) for report in reports) + errors
    root = ET.Element(
        "testsuites",
        name="nflex-metrics test",
        tests=str(tests),
        failures=str(failures),
        errors=str(errors),
    )
    for report in reports:
        classname = _classname(report.file)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=report.file,
            tests=str(len(report.results) + (1 if report.problems else 0)),
            failures=str(len(report.failures)),
            errors=str(1 if report.problems else 0),
            skipped="0",
        )
        if report.problems:
            case = ET.SubElement(
                suite, "testcase", classname=classname, name="(test file)", file=report.file
            )
            error = ET.SubElement(case, "error", message=report.summary(), type="MappingTestError")
            error.text = "\n".join(problem_text(problem) for problem in report.problems)
        for result in report.results:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=classname,
                name=result.name,
                file=report.file,
                line=str(result.case.line),
            )
            if not result.passed:
                message = f"got {result.got_text()}, expected {result.case.expected_text()}"
                failure = ET.SubElement(case, "failure", message=message)
                failure.text = str(result)
    from ._io import OutputFile

    output = OutputFile(path)
    try:
        ET.ElementTree(root).write(output.stream, encoding="utf-8", xml_declaration=True)
        output.commit()
    except BaseException:
        output.discard()
        raise


def _classname(file: str) -> str:
    """A JUnit class name for a test file: its path without the suffix, dotted."""
    from .testing import TEST_FILE_SUFFIXES

    for suffix in TEST_FILE_SUFFIXES:
        if file.endswith(suffix):
            file = file[: -len(suffix)]
    return file.replace(os.sep, ".").replace("/", ".").strip(".")


# --------------------------------------------------------------------------------- fuzz


def run_fuzz(
    mapping_path: str,
    *,
    tests: Optional[str] = None,
    seed: Optional[int] = None,
    max_examples: Optional[int] = None,
    metrics: Optional[Sequence[str]] = None,
    stream: Optional[IO[str]] = None,
) -> int:
    """Fuzz the entries of a mapping file (with the ``fuzz`` settings of the test file
    ``tests``); print each finding and a summary. 0 when nothing was found, 1 when
    something was (or a file is broken), 2 when hypothesis is missing or a metric unknown."""
    out = stream or sys.stdout
    try:
        from . import fuzzing
    except ImportError as err:
        if not (err.name or "").startswith("hypothesis"):
            raise
        print(f"nflex-metrics fuzz needs hypothesis: {_TESTING_EXTRA}", file=sys.stderr)
        return EXIT_USAGE
    from .errors import MappingError
    from .mapping import load_metric_mapping

    try:
        mapping = load_metric_mapping(mapping_path)
    except MappingError as err:
        _print_problems(
            err.problems, f"{mapping_path}: {plural(len(err.problems), 'problem')}", out
        )
        return EXIT_PROBLEMS
    unknown = [key for key in metrics or () if key not in mapping]
    if unknown:
        names = ", ".join(repr(key) for key in unknown)
        print(f"nflex-metrics fuzz: no metric {names} in {mapping_path}", file=sys.stderr)
        return EXIT_USAGE
    settings: dict[str, FuzzSettings] = {}
    if tests is not None:
        loaded = _fuzz_settings(tests, mapping, out)
        if loaded is None:
            return EXIT_PROBLEMS
        settings = loaded
    if seed is None:
        import random

        seed = random.SystemRandom().randrange(2**32)
    examples = max_examples or fuzzing.DEFAULT_MAX_EXAMPLES
    results = fuzzing.fuzz_mapping(
        mapping, settings, metrics=metrics, seed=seed, max_examples=examples
    )
    _print_findings(mapping_path, results, out)
    found = [result for result in results if not result.ok]
    fuzzed = [result for result in results if result.skipped is None]
    skipped = len(results) - len(fuzzed)
    how = f"seed {seed}, up to {examples} examples each"
    if skipped:
        how = f"{skipped} without a conversion skipped; {how}"
    if found:
        head = f"{len(found)} of {plural(len(fuzzed), 'metric')} failed"
    else:
        head = f"ok: {plural(len(fuzzed), 'metric')} fuzzed"
    print(f"{mapping_path}: {head} ({how})", file=out)
    return EXIT_PROBLEMS if found else EXIT_OK


def _fuzz_settings(path: str, mapping: Any, out: IO[str]) -> Optional[dict[str, FuzzSettings]]:
    """The fuzz settings of a test file by metric, or None after printing its problems."""
    from .testing import MappingTestError, check_mapping_tests, load_mapping_tests

    try:
        tests = load_mapping_tests(path)
        problems = check_mapping_tests(tests, mapping)
        if problems:
            raise MappingTestError(problems)
    except MappingTestError as err:
        _print_problems(err.problems, f"{path}: {plural(len(err.problems), 'problem')}", out)
        return None
    return {metric.metric: metric.fuzz for metric in tests.metrics if metric.fuzz is not None}


def _print_problems(problems: Sequence[MappingProblem], summary: str, out: IO[str]) -> None:
    for problem in problems:
        print(problem_text(problem), file=out)
    print(summary, file=out)


def _print_findings(mapping_path: str, results: Sequence[FuzzResult], out: IO[str]) -> None:
    from .testing import inputs_text

    lines = _entry_lines(mapping_path)
    arrow = _arrow(out)
    for result in results:
        finding = result.finding
        if finding is None:
            continue
        where = f"{mapping_path}:{lines[result.metric]}" if result.metric in lines else mapping_path
        what = finding.reason
        if not isinstance(finding.got, BaseException):
            what = f"got {finding.got!r}: {what}"
        print(
            f"{where}: {result.metric}: {inputs_text(finding.variables)} {arrow} {what}", file=out
        )


def _entry_lines(path: str) -> dict[str, int]:
    """The line of each top-level key of a mapping file (for reports; {} if unreadable)."""
    import yaml

    try:
        with open(path, encoding="utf-8-sig") as handle:
            root = yaml.compose(handle, Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    if not isinstance(root, yaml.MappingNode):
        return {}
    return {str(key.value): key.start_mark.line + 1 for key, _ in root.value}


# --------------------------------------------------------------------------- command line


def _positive_int(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {number}")
    return number


def add_commands(commands: Any) -> None:
    """Add ``test`` and ``fuzz`` to the subcommands of ``nflex-metrics`` (the action
    ``add_subparsers`` returned); each sets ``run``, the function that runs it."""
    test = commands.add_parser(
        "test",
        help="run mapping test files (exit 1 on any failure)",
        description=(
            "Run mapping test files (*.mapping-test.yaml): convert each case's input with "
            "its metric and compare with what the case expects."
        ),
    )
    test.add_argument("tests", nargs="+", metavar="TESTFILE", help="mapping test files")
    test.add_argument(
        "--format", choices=("text", "json"), default="text", help="report format (text)"
    )
    test.add_argument("--junit-xml", metavar="FILE", help="also write a JUnit XML report")
    test.set_defaults(
        run=lambda args: run_tests(args.tests, output_format=args.format, junit_xml=args.junit_xml)
    )

    fuzz = commands.add_parser(
        "fuzz",
        help="search each metric's inputs for values it cannot convert (needs hypothesis)",
        description=(
            "For each entry of MAPPING, search the variables its conversion reads for "
            "values that make it raise, give inf or NaN, or leave its expect_range; report "
            "the smallest example found. Exit 1 when something was found."
        ),
    )
    fuzz.add_argument("mapping", metavar="MAPPING", help="the mapping.yaml file")
    fuzz.add_argument(
        "--tests", metavar="TESTFILE", help="take ranges, nullable and expect_range from here"
    )
    fuzz.add_argument(
        "--seed",
        type=int,
        metavar="N",
        help="search with this seed, to reproduce a run (default: random)",
    )
    fuzz.add_argument(
        "--max-examples", type=_positive_int, metavar="N", help="samples per metric (100)"
    )
    fuzz.add_argument(
        "--metric", action="append", metavar="KEY", help="fuzz only this metric (repeatable)"
    )
    fuzz.set_defaults(
        run=lambda args: run_fuzz(
            args.mapping,
            tests=args.tests,
            seed=args.seed,
            max_examples=args.max_examples,
            metrics=args.metric,
        )
    )
