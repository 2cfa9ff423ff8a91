"""``nflex-metrics convert``: JSON Lines in, converted JSON Lines out, nothing lost."""

from __future__ import annotations

import importlib
import importlib.util
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_cli import run_cli

from nflex_metrics import cli
from nflex_metrics.cli import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    Converter,
    Progress,
    json_codec,
    read_blocks,
)
from nflex_metrics.mapping import parse_metric_mapping

ROOT = Path(__file__).resolve().parent.parent

MAPPING = """\
cpu_usage:
  name: cpu-usage
  unit: "%"
  conversion_expr: value * 100
ratio:
  name: ratio
  unit: "%"
  conversion_expr: value * 100 if total > 0 else 0
square:
  name: square
  conversion_expr: value * value
bytes_in:
  name: bytes-in
  unit: B
  counter: true
"""


def jsonl(*samples: Any) -> str:
    return "".join(json.dumps(sample) + "\n" for sample in samples)


def parse_lines(text: str) -> list[Any]:
    return [json.loads(line) for line in text.splitlines()]


@pytest.fixture
def mapping(tmp_path: Path) -> Path:
    path = tmp_path / "mapping.yaml"
    path.write_text(MAPPING)
    return path


def expected(sample: dict[str, Any], value: Any, name: str, unit: str, counter: bool) -> Any:
    """The documented output object: input fields in order, ``value`` replaced, then
    ``raw_value``, ``name``, ``unit``, ``counter``."""
    out = dict(sample)
    out["value"] = value
    out["raw_value"] = sample.get("value")
    out.update(name=name, unit=unit, counter=counter)
    return out


# -- the output ---------------------------------------------------------------------------


def test_convert_keeps_input_fields_replaces_value_and_adds_the_entry(
    mapping: Path, tmp_path: Path
) -> None:
    samples = [
        {"metric": "cpu_usage", "value": 0.42, "host": "web-1", "ts": 1700000000},
        {"metric": "ratio", "value": 0.5, "total": 0},
        {"metric": "bytes_in", "value": 123, "tags": {"a": [1, 2]}},
    ]
    source = tmp_path / "in.jsonl"
    source.write_text(jsonl(*samples))
    result = run_cli("convert", str(mapping), str(source))
    assert result.returncode == EXIT_OK, result.stderr
    outputs = parse_lines(result.stdout)
    assert outputs == [
        expected(samples[0], 0.42 * 100, "cpu-usage", "%", False),
        expected(samples[1], 0.0, "ratio", "%", False),  # total > 0 is false
        expected(samples[2], 123, "bytes-in", "B", True),  # no conversion: unchanged
    ]
    assert [list(o) for o in outputs] == [list(e) for e in map(dict, outputs)]
    assert list(outputs[0]) == [
        "metric",
        "value",
        "host",
        "ts",
        "raw_value",
        "name",
        "unit",
        "counter",
    ]


def test_convert_reads_stdin_without_input_or_with_a_dash(mapping: Path) -> None:
    text = jsonl({"metric": "cpu_usage", "value": 2})
    for args in (("convert", str(mapping)), ("convert", str(mapping), "-")):
        result = run_cli(*args, stdin=text)
        assert result.returncode == EXIT_OK, result.stderr
        assert [o["value"] for o in parse_lines(result.stdout)] == [200.0]


def test_convert_output_follows_input_order_across_metrics_and_blocks(
    mapping: Path, tmp_path: Path
) -> None:
    samples: list[dict[str, Any]] = [
        {"metric": ["cpu_usage", "ratio", "bytes_in"][i % 3], "value": i, "total": i % 2, "i": i}
        for i in range(500)
    ]
    source = tmp_path / "in.jsonl"
    source.write_text(jsonl(*samples))
    result = run_cli("convert", str(mapping), str(source), "--block-size", "100")
    assert result.returncode == EXIT_OK, result.stderr
    outputs = parse_lines(result.stdout)
    assert [o["i"] for o in outputs] == list(range(500))
    for sample, out in zip(samples, outputs):
        want = {
            "cpu_usage": sample["value"] * 100.0,
            "ratio": sample["value"] * 100.0 if sample["total"] > 0 else 0.0,
            "bytes_in": sample["value"],
        }[sample["metric"]]
        assert out["value"] == want


def test_convert_ignores_blank_lines_but_counts_them_in_line_numbers(
    mapping: Path, tmp_path: Path
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"metric": "cpu_usage", "value": 1}\n\n   \n{"metric": "nope"}\n')
    result = run_cli("convert", str(mapping), str(source))
    assert result.returncode == EXIT_PROBLEMS
    assert len(parse_lines(result.stdout)) == 1
    assert f"{source}:4: unknown metric 'nope'" in result.stderr


def test_convert_summary_line_counts_converted_and_rejected(mapping: Path) -> None:
    text = jsonl({"metric": "cpu_usage", "value": 1}, {"metric": "x"}, {"metric": "ratio"})
    result = run_cli("convert", str(mapping), "--on-error", "skip", stdin=text)
    assert result.returncode == EXIT_OK
    summary = result.stderr.splitlines()[-1]
    assert summary.startswith("nflex-metrics: converted 1, rejected 2, ")
    assert " s (" in summary


def test_convert_quiet_prints_no_summary(mapping: Path) -> None:
    result = run_cli(
        "convert", "-q", str(mapping), stdin=jsonl({"metric": "cpu_usage", "value": 1})
    )
    assert (result.returncode, result.stderr) == (EXIT_OK, "")


# -- samples that cannot be converted ------------------------------------------------------

BAD_SAMPLES = [
    ("not json", "invalid JSON"),
    ("[1, 2]", "not a JSON object"),
    ('{"value": 1}', 'no "metric" field'),
    ('{"metric": ["a"], "value": 1}', '"metric" is a array'),
    ('{"metric": "disk", "value": 1}', "unknown metric 'disk'"),
    ('{"metric": "ratio", "value": 1}', "'total'"),
    ('{"metric": "bytes_in"}', "'value'"),
    ('{"metric": "cpu_usage", "value": "abc"}', "metric 'cpu_usage': "),
    ('{"metric": "square", "value": 1e200}', "cannot be written as JSON"),
    ('{"metric": "cpu_usage", "value": 1, "unit": "s"}', "'unit' would be overwritten"),
]
BAD_IDS = [
    "bad-json",
    "array",
    "no-metric",
    "metric-not-string",
    "unknown-metric",
    "missing-variable",
    "missing-value",
    "not-a-number",
    "infinite-result",
    "reserved-field",
]


@pytest.mark.parametrize(("line", "reason"), BAD_SAMPLES, ids=BAD_IDS)
def test_convert_fails_by_default_naming_the_line_and_the_reason(
    mapping: Path, tmp_path: Path, line: str, reason: str
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        jsonl({"metric": "cpu_usage", "value": 1})
        + line
        + "\n"
        + jsonl({"metric": "cpu_usage", "value": 2})
    )
    result = run_cli("convert", str(mapping), str(source))
    assert result.returncode == EXIT_PROBLEMS
    # The lines before the bad one are written; the run stops at it.
    assert [o["value"] for o in parse_lines(result.stdout)] == [100.0]
    message = next(
        m for m in result.stderr.splitlines() if m.startswith(f"nflex-metrics: {source}:2: ")
    )
    assert reason in message
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("line", "reason"), BAD_SAMPLES, ids=BAD_IDS)
def test_convert_rejects_file_keeps_each_line_number_reason_and_text(
    mapping: Path, tmp_path: Path, line: str, reason: str
) -> None:
    rejects = tmp_path / "rejects.jsonl"
    text = jsonl({"metric": "cpu_usage", "value": 1}) + line + "\n"
    result = run_cli(
        "convert", str(mapping), "--on-error", "skip", "--rejects", str(rejects), stdin=text
    )
    assert result.returncode == EXIT_OK, result.stderr
    assert [o["value"] for o in parse_lines(result.stdout)] == [100.0]
    (record,) = parse_lines(rejects.read_text())
    assert record["line"] == 2
    assert record["input"] == line
    assert reason in record["reason"]


def test_convert_skip_leaves_rejected_samples_out_and_warns_on_stderr(mapping: Path) -> None:
    text = jsonl({"metric": "x", "value": 1}, {"metric": "cpu_usage", "value": 1})
    result = run_cli("convert", str(mapping), "--on-error", "skip", stdin=text)
    assert result.returncode == EXIT_OK
    assert [o["value"] for o in parse_lines(result.stdout)] == [100.0]
    assert "nflex-metrics: warning: <stdin>:1: unknown metric 'x'" in result.stderr.splitlines()


def test_convert_skip_warns_about_the_first_ten_and_counts_the_rest(mapping: Path) -> None:
    text = jsonl(*({"metric": "x"} for _ in range(25)))
    result = run_cli("convert", str(mapping), "--on-error", "skip", stdin=text)
    warnings = [line for line in result.stderr.splitlines() if "unknown metric" in line]
    assert len(warnings) == cli.MAX_WARNINGS
    assert "15 more rejected samples not shown" in result.stderr


def test_convert_null_writes_every_line_with_a_null_value_and_the_error(mapping: Path) -> None:
    text = (
        jsonl({"metric": "ratio", "value": 3, "host": "a"}, {"metric": "cpu_usage", "value": 1})
        + "oops\n"
    )
    result = run_cli("convert", str(mapping), "--on-error", "null", stdin=text)
    assert result.returncode == EXIT_OK
    first, second, third = parse_lines(result.stdout)
    assert first["value"] is None and first["raw_value"] == 3 and first["host"] == "a"
    assert (first["name"], first["unit"]) == ("ratio", "%")
    assert "'total'" in first["error"]
    assert second == expected({"metric": "cpu_usage", "value": 1}, 100.0, "cpu-usage", "%", False)
    assert third["value"] is None and "invalid JSON" in third["error"]
    assert "converted 1, rejected 2" in result.stderr


def test_convert_null_mode_reserves_the_error_field(mapping: Path) -> None:
    text = jsonl({"metric": "cpu_usage", "value": 1, "error": "kept"})
    assert run_cli("convert", str(mapping), stdin=text).returncode == EXIT_OK
    result = run_cli("convert", str(mapping), "--on-error", "null", stdin=text)
    (out,) = parse_lines(result.stdout)
    assert "'error' would be overwritten" in out["error"]


def test_convert_fail_mode_still_writes_the_rejects_file(mapping: Path, tmp_path: Path) -> None:
    rejects = tmp_path / "rejects.jsonl"
    result = run_cli("convert", str(mapping), "--rejects", str(rejects), stdin="{}\n")
    assert result.returncode == EXIT_PROBLEMS
    (record,) = parse_lines(rejects.read_text())
    assert (record["line"], record["input"]) == (1, "{}")


# -- atomic output ----------------------------------------------------------------------


def test_convert_output_file_is_written_whole(mapping: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    text = jsonl(*({"metric": "cpu_usage", "value": i} for i in range(1000)))
    result = run_cli("convert", str(mapping), "-o", str(out), "--block-size", "512", stdin=text)
    assert result.returncode == EXIT_OK
    assert result.stdout == ""
    assert [o["raw_value"] for o in parse_lines(out.read_text())] == list(range(1000))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mapping.yaml", "out.jsonl"]


def test_convert_failure_leaves_no_output_file_and_the_old_one_untouched(
    mapping: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("previous run\n")
    good = jsonl(*({"metric": "cpu_usage", "value": i} for i in range(5000)))
    result = run_cli(
        "convert", str(mapping), "-o", str(out), "--block-size", "4096", stdin=good + "{bad\n"
    )
    assert result.returncode == EXIT_PROBLEMS
    assert "<stdin>:5001: invalid JSON" in result.stderr
    assert out.read_text() == "previous run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mapping.yaml", "out.jsonl"]


def test_convert_stopped_by_sigterm_leaves_no_file_behind(mapping: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    proc = subprocess.Popen(
        [sys.executable, "-m", "nflex_metrics", "convert", str(mapping), "-o", str(out)],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": path},
    )
    assert proc.stdin is not None
    try:
        proc.stdin.write(jsonl(*({"metric": "cpu_usage", "value": i} for i in range(100))).encode())
        proc.stdin.flush()
        # The temporary file appears once the output is open; the process then waits
        # for more input, mid-run.
        deadline = time.monotonic() + 60
        while not any(p.name.endswith(".part") for p in tmp_path.iterdir()):
            assert time.monotonic() < deadline, "convert never opened its output"
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 128 + signal.SIGTERM
    finally:
        proc.kill()
        proc.stdin.close()
        if proc.stderr:
            proc.stderr.close()
        proc.wait()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mapping.yaml"]


# -- errors before any sample -------------------------------------------------------------


def test_convert_invalid_mapping_exits_1_with_its_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("a:\n  conversion_expr: value * / 1\n")
    result = run_cli("convert", str(bad), stdin="")
    assert result.returncode == EXIT_PROBLEMS
    assert f"{bad}:2:" in result.stderr


def test_convert_missing_input_exits_1(mapping: Path, tmp_path: Path) -> None:
    result = run_cli("convert", str(mapping), str(tmp_path / "nope.jsonl"))
    assert result.returncode == EXIT_PROBLEMS
    assert "cannot read" in result.stderr and "Traceback" not in result.stderr


def test_convert_unwritable_output_exits_1(mapping: Path, tmp_path: Path) -> None:
    result = run_cli("convert", str(mapping), "-o", str(tmp_path / "no" / "dir.jsonl"), stdin="")
    assert result.returncode == EXIT_PROBLEMS
    assert "cannot write" in result.stderr


@pytest.mark.parametrize(
    "args",
    [(), ("--on-error", "ignore"), ("--block-size", "0"), ("--json", "yaml"), ("a", "b", "c")],
)
def test_convert_usage_errors_exit_2(mapping: Path, args: tuple[str, ...]) -> None:
    result = run_cli("convert", *((str(mapping), *args) if args else ()), stdin="")
    assert result.returncode == EXIT_USAGE
    assert "usage:" in result.stderr


# -- JSON libraries ---------------------------------------------------------------------

TRICKY: list[dict[str, Any]] = [
    {"metric": "cpu_usage", "value": 0.1, "id": 123456789012345678901234567890},
    {"metric": "cpu_usage", "value": -1, "neg": -98765432109876543210, "ns": 1700000000123456789},
    {"metric": "bytes_in", "value": "12", "text": 'h\u00e9llo \u2603 "q" \\ \U0001f600'},
    {"metric": "bytes_in", "value": {"nested": [1, 2.5, None, True]}},
    {"metric": "ratio", "value": 1e-300, "total": 1e300},
]


@pytest.mark.parametrize("library", ["stdlib", "orjson"])
def test_json_libraries_give_the_same_data(mapping: Path, library: str) -> None:
    if library == "orjson":
        pytest.importorskip("orjson")
    result = run_cli("convert", str(mapping), "--json", library, stdin=jsonl(*TRICKY))
    assert result.returncode == EXIT_OK, result.stderr
    outputs = parse_lines(result.stdout)
    assert [o["raw_value"] for o in outputs] == [s["value"] for s in TRICKY]
    assert outputs[0]["id"] == TRICKY[0]["id"]  # exact, past 64 bits
    assert outputs[1]["neg"] == TRICKY[1]["neg"]
    assert outputs[1]["ns"] == TRICKY[1]["ns"]
    assert outputs[2]["text"] == TRICKY[2]["text"]
    assert outputs[3]["value"] == TRICKY[3]["value"]
    assert f"({library} JSON)" in result.stderr


def test_non_finite_json_input_is_rejected_by_both_libraries(mapping: Path) -> None:
    for library in ["stdlib"] + (["orjson"] if _has_orjson() else []):
        for text in (
            '{"metric": "cpu_usage", "value": NaN}',
            '{"metric": "cpu_usage", "value": 1e400}',
        ):
            result = run_cli("convert", str(mapping), "--json", library, stdin=text + "\n")
            assert result.returncode == EXIT_PROBLEMS, (library, text)


def _has_orjson() -> bool:
    return importlib.util.find_spec("orjson") is not None


def test_auto_falls_back_to_stdlib_and_orjson_asked_for_but_missing_is_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = importlib.import_module

    def no_orjson(name: str, *args: Any) -> Any:
        if name == "orjson":
            raise ImportError(name)
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", no_orjson)
    assert json_codec("auto").name == "stdlib"
    with pytest.raises(cli._CliError, match="orjson is not installed"):
        json_codec("orjson")


# -- the converter in process: batch path vs row by row ----------------------------------

ENTRY_MAPPING = parse_metric_mapping(MAPPING, source="<test>")
row_values = st.one_of(
    st.none(),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.integers(-1000, 1000),
    st.just("x"),
)
samples_strategy = st.lists(
    st.fixed_dictionaries(
        {"metric": st.sampled_from(["cpu_usage", "ratio", "square", "bytes_in", "other"])},
        optional={"value": row_values, "total": row_values},
    ),
    max_size=40,
)


def _one_row(sample: dict[str, Any]) -> tuple[str, Any]:
    """The oracle: convert one sample on its own, as a connector would."""
    entry = ENTRY_MAPPING.get(sample["metric"])
    if entry is None:
        return ("rejected", None)
    try:
        expression = entry.expression
        value = sample["value"] if expression is None else expression.evaluate(sample)
    except (KeyError, ArithmeticError, ValueError):
        return ("rejected", None)
    return ("ok", value)


@pytest.mark.parametrize("library", ["stdlib", "orjson"])
@given(samples=samples_strategy, cut=st.integers(1, 40))
def test_batches_grouped_by_metric_give_the_row_by_row_results_in_order(
    library: str, samples: list[dict[str, Any]], cut: int
) -> None:
    if library == "orjson" and not _has_orjson():
        pytest.skip("orjson is not installed")
    converter = Converter(ENTRY_MAPPING, json_codec(library), "skip")
    lines = [json.dumps(sample).encode() for sample in samples]
    results: list[tuple[str, Any]] = []
    for start in range(0, len(lines), cut):  # any block boundaries
        chunk = converter.convert(b"\n".join(lines[start : start + cut]))
        for index, line in enumerate(chunk.outputs):
            if index in chunk.rejects:
                results.append(("rejected", None))
            elif line is not None:
                results.append(("ok", json.loads(line)["value"]))
    if not lines:
        results = []
    assert results == [_one_row(sample) for sample in samples]


def test_read_blocks_yields_whole_lines_whatever_the_block_size() -> None:
    data = b"a\nbb\n\nccc\ndddd"
    for size in range(1, 16):
        blocks = list(read_blocks(io.BytesIO(data), size))
        assert [line for block in blocks for line in block.split(b"\n")] == data.split(b"\n")


def test_progress_waits_a_second_then_refreshes_and_erases_itself() -> None:
    now = [0.0]
    stream = io.StringIO()
    progress = Progress(stream, True, total_bytes=1000, clock=lambda: now[0])
    progress.update(10, 100)
    assert stream.getvalue() == ""  # a short run shows nothing
    now[0] = 2.0
    progress.update(600_000, 500)
    assert stream.getvalue() == "\r 50.0%  600,000 lines, 300,000 lines/s\x1b[K"
    progress.close()
    assert stream.getvalue().endswith("\r\x1b[K")


def test_progress_is_silent_when_disabled() -> None:
    stream = io.StringIO()
    progress = Progress(stream, False, clock=lambda: 100.0)
    progress.update(1, 1)
    progress.close()
    assert stream.getvalue() == ""
