"""Smoke tests of ``benchmarks/compare`` on our package alone, so its code paths cannot rot.

CI has no package index, so the peers (0.2.0, simpleeval) are never built here; these
tests run the worker and the driver against the working tree with this interpreter and
check what they report, never how fast anything was.
"""

from __future__ import annotations

import doctest
import math
from pathlib import Path

import pytest

from benchmarks import workloads
from benchmarks.compare import mappings, results, run, worker
from benchmarks.compare.results import Cell, Row, Target
from benchmarks.compare.venvs import Side, venv_dir
from benchmarks.workloads import WORKLOADS, Workload
from nflex_metrics import compile as compile_expression
from nflex_metrics import load_metric_mapping, parse

pytestmark = pytest.mark.slow


def test_docstring_examples_of_the_benchmark_modules_hold() -> None:
    for module in (worker, results, workloads):
        assert doctest.testmod(module).failed == 0


@pytest.mark.parametrize("workload", WORKLOADS, ids=lambda w: w.label)
def test_variants_are_distinct_same_length_texts_with_nearly_the_same_value(
    workload: Workload,
) -> None:
    texts = worker.fresh_variants(workload.text, 20)
    assert len(set(texts)) == 20 and workload.text not in texts
    assert len({len(t) for t in texts}) == 1
    expected = workload.by_hand(workload.row)
    assert expected is not None
    for text in texts[:3]:
        got = compile_expression(text).evaluate(workload.row)
        assert got is not None and math.isclose(got, expected, rel_tol=1e-6, abs_tol=1e-6)


def test_variant_refuses_a_text_without_a_constant() -> None:
    with pytest.raises(ValueError, match="no numeric constant"):
        worker.variant("a + b", 1)


def test_generated_mapping_uses_only_the_language_0_2_0_can_load(tmp_path: Path) -> None:
    path = mappings.write_mapping(tmp_path, 50)
    mapping = load_metric_mapping(str(path))
    assert len(mapping) == 50
    assert next(iter(mapping)) == mappings.CONVERT_KEY
    with_conversion = [e for e in mapping.values() if e.expression is not None]
    assert 40 <= len(with_conversion) < 50  # about one entry in ten has none
    for entry in with_conversion:
        assert entry.expression is not None
        parse(entry.expression.source, dialect="simple")  # 0.2.0's loader: no CASE


def test_worker_times_every_workload_on_our_side() -> None:
    w = worker.Worker()
    assert w.handle({"op": "setup", "adapter": "ours"})["versions"]
    for workload in WORKLOADS:
        for op, new_shape in [
            ("parse", 0),
            ("first_value", 0),
            ("first_value", 1),
            ("evaluate", 0),
        ]:
            answer = w.handle(
                {
                    "op": op,
                    "new_shape": new_shape,
                    "label": workload.label,
                    "text": workload.text,
                    "python_text": workload.python_text,
                    "row": dict(workload.row),
                    "expected": workload.by_hand(workload.row),
                    "target": 0.001,
                }
            )
            assert answer["seconds"] > 0 and answer["n"] >= 1, (op, workload.label)
        for form in ("evaluate", "keywords"):
            answer = w.handle(
                {
                    "op": "versus_hand",
                    "form": form,
                    "label": workload.label,
                    "text": workload.text,
                    "python_text": workload.python_text,
                    "row": dict(workload.row),
                    "expected": workload.by_hand(workload.row),
                    "target": 0.001,
                }
            )
            assert answer["seconds"] > 0 and answer["reference_seconds"] > 0, workload.label


def test_worker_converts_a_batch_and_checks_its_sum(tmp_path: Path) -> None:
    path = str(mappings.write_mapping(tmp_path, 5))
    w = worker.Worker()
    w.handle({"op": "setup", "adapter": "ours"})
    for mode in ("columnar", "per_sample"):
        request = {
            "op": "convert",
            "mapping": path,
            "key": mappings.CONVERT_KEY,
            "samples": 1000,
            "mode": mode,
            "expected_checksum": run.expected_checksum(1000),
        }
        assert w.handle(request)["n"] == 1000
        with pytest.raises(RuntimeError, match="expected"):
            w.handle({**request, "expected_checksum": run.expected_checksum(1000) + 1})


def test_worker_refuses_to_time_a_wrong_value() -> None:
    workload = WORKLOADS[0]
    right = workload.by_hand(workload.row)
    assert right is not None
    w = worker.Worker()
    w.handle({"op": "setup", "adapter": "ours"})
    request = {
        "op": "evaluate",
        "label": workload.label,
        "text": workload.text,
        "python_text": workload.python_text,
        "row": dict(workload.row),
        "expected": right + 1,
        "target": 0.001,
    }
    with pytest.raises(RuntimeError, match="wrong value"):
        w.handle(request)


def _row(ours: float, peers: dict[str, float | str], target: Target) -> Row:
    row = Row("evaluate", "scale", "µs", targets=(target,))
    row.cells["ours"] = Cell([ours])
    for peer, value in peers.items():
        row.cells[peer] = Cell(error=value) if isinstance(value, str) else Cell([value])
    return row


def test_a_target_is_met_only_when_every_peer_is_that_much_slower() -> None:
    target = Target(("a", "b"), 5.0, "both")
    assert _row(1.0, {"a": 6.0, "b": 5.0}, target).verdict() == "yes"
    assert _row(1.0, {"a": 6.0, "b": 4.0}, target).verdict() == "NO (b 4x)"


def test_a_failed_peer_is_not_counted_as_met_or_missed() -> None:
    verdict = _row(1.0, {"a": 6.0, "b": "TypeError"}, Target(("a", "b"), 5.0, "both")).verdict()
    assert verdict == "yes; n/a: b failed"


def test_strictly_faster_target_is_missed_on_a_tie() -> None:
    assert _row(2.0, {"a": 2.0}, Target(("a",), 1.0, "a", strict=True)).verdict().startswith("NO")


def test_peer_cell_shows_ours_over_theirs_and_the_speed_up() -> None:
    row = _row(1e-6, {"a": 4e-6}, Target(("a",), 1.0, "a"))
    assert results.format_cell(row, "a") == "4 µs (0.25; 4x faster)"


def test_venv_cache_directory_changes_with_the_requirements(tmp_path: Path) -> None:
    a = Side("x", "x", "nflex020", ("pyparsing<3",))
    b = Side("x", "x", "nflex020", ("pyparsing>=3",))
    assert venv_dir(tmp_path, a, "python3") != venv_dir(tmp_path, b, "python3")
    assert venv_dir(tmp_path, a, "python3") == venv_dir(tmp_path, a, "python3")


def test_results_keep_the_hand_written_notes(tmp_path: Path) -> None:
    path = tmp_path / "RESULTS.md"
    path.write_text(f"old\n{results.NOTES_START}\nwhy it is slow\n{results.NOTES_END}\n")
    notes = results.existing_notes(path)
    text = results.render_results(
        command="c", when="w", machine=[], versions=[], method=[], table="t", notes=notes
    )
    assert "why it is slow" in text and "old" not in text


def test_comparison_runs_end_to_end_on_our_side_alone(tmp_path: Path) -> None:
    output = tmp_path / "RESULTS.md"
    argv = ["--only-ours", "--rounds", "1", "--samples", "2000", "--target-seconds", "0.002"]
    argv += ["--mapping-sizes", "5,20", "--output", str(output)]
    assert run.main(argv) == 0
    text = output.read_text()
    for workload in WORKLOADS:
        assert f"| {workload.label} |" in text
    benches = ["parse", "new shape -> first value", "evaluate", "cold start", "convert"]
    benches += ["evaluate vs by hand", "entry.value(**5 kw) vs by hand"]
    for bench in benches:
        assert f"| {bench} |" in text
    assert "load_metric_mapping, 20 entries" in text
    assert "failed:" not in text


def test_a_row_where_ours_failed_misses_its_target_whatever_the_peers_did() -> None:
    row = _row(1.0, {"a": 6.0}, Target(("a",), 5.0, "a"))
    row.cells["ours"] = Cell(error="ExpressionSyntaxError")
    assert row.verdict() == "NO (ours failed)"


def test_a_budget_row_is_met_when_ours_stays_within_it_of_the_reference() -> None:
    row = Row("evaluate vs by hand", "scale", "µs", budget=results.Budget(1.15, "the lambda"))
    row.cells["ours"] = Cell([1.1e-6])
    row.reference.samples.append(1e-6)
    assert row.verdict() == "yes (1.10x)"
    assert results.format_cell(row, "ours") == "1.1 µs (by hand 1 µs)"
    row.cells["ours"] = Cell([1.2e-6])
    assert row.verdict() == "NO (1.20x)"


def test_a_row_without_any_peer_claims_nothing() -> None:
    assert _row(1.0, {}, Target(("a",), 5.0, "a")).verdict().startswith("n/a")


def test_a_slower_ours_is_reported_as_how_many_times_slower() -> None:
    row = _row(4e-6, {"a": 1e-6}, Target(("a",), 1.0, "a"))
    assert results.format_cell(row, "a") == "1 µs (4; 4x slower)"
