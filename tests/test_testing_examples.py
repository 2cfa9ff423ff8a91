"""The example test file pins ``examples/mapping.yaml``: every entry is tested, and
changing any numeric constant of any expression makes a case fail."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import yaml

from nflex_metrics import parse
from nflex_metrics.nodes import Number, walk
from nflex_metrics.testing import run_mapping_tests

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
MAPPING = EXAMPLES / "mapping.yaml"
TESTS = EXAMPLES / "mapping.mapping-test.yaml"


def constant_mutants(mapping: dict[str, dict[str, object]]) -> Iterator[tuple[str, str]]:
    """(metric, expression) for every expression with one number changed: ``c + 1`` and
    ``c * 2`` (what differs from ``c``), each written where the number stood."""
    for key, fields in mapping.items():
        source = fields.get("conversion_expr")
        if not isinstance(source, str):
            continue
        for node in walk(parse(source)):
            if isinstance(node, Number):
                start, end = node.span.start, node.span.end
                for changed in sorted({node.value + 1, node.value * 2} - {node.value}):
                    yield key, f"{source[:start]}{changed!r}{source[end:]}"


def run_against(mapping: dict[str, dict[str, object]], folder: Path) -> list[str]:
    """The metrics whose cases fail when the example tests run against ``mapping``."""
    folder.mkdir()
    (folder / "mapping.yaml").write_text(yaml.safe_dump(mapping, sort_keys=False), encoding="utf-8")
    shutil.copy(TESTS, folder / TESTS.name)
    report = run_mapping_tests(folder / TESTS.name)
    assert not report.problems, report.problems
    return sorted({failure.metric for failure in report.failures})


def test_the_example_tests_pass_and_cover_every_metric() -> None:
    report = run_mapping_tests(TESTS)
    assert report.ok, [str(failure) for failure in report.failures] or report.problems
    assert report.tested == report.metrics == 15


def test_a_changed_constant_in_any_expression_fails_the_example_tests(tmp_path: Path) -> None:
    original = yaml.safe_load(MAPPING.read_text(encoding="utf-8"))
    assert run_against(original, tmp_path / "original") == []  # the copy itself passes
    survivors = []
    mutants = list(constant_mutants(original))
    assert len(mutants) >= 25  # every entry's constants, not a vacuous loop
    for number, (key, expression) in enumerate(mutants):
        assert parse(expression) != parse(original[key]["conversion_expr"])
        mutated = {**original, key: {**original[key], "conversion_expr": expression}}
        if key not in run_against(mutated, tmp_path / f"mutant{number}"):
            survivors.append(f"{key}: {expression.strip()}")
    assert survivors == []
