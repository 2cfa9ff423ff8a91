"""``nflex_metrics.convert``: JSON Lines samples in, converted JSON Lines out, nothing lost.

These call the library directly; ``test_cli_convert.py`` checks the command line."""

from __future__ import annotations

import contextlib
import errno
import importlib
import importlib.util
import io
import json
import os
import pickle
import stat
import threading
from pathlib import Path
from typing import Any, Optional

import pytest
from convert_mapping import MAPPING_TEXT
from hypothesis import given
from hypothesis import strategies as st

from nflex_metrics.convert import (
    MAX_BLOCK_SIZE,
    ConvertError,
    ConvertIOError,
    ConvertResult,
    FileClashError,
    Rejected,
    SampleRejected,
    convert_json_lines,
    json_codec,
)
from nflex_metrics.mapping import parse_metric_mapping

MAPPING = parse_metric_mapping(MAPPING_TEXT, source="<test>")

HAS_ORJSON = importlib.util.find_spec("orjson") is not None
CODECS = [
    "stdlib",
    pytest.param("orjson", marks=pytest.mark.skipif(not HAS_ORJSON, reason="no orjson")),
]


def jsonl(*samples: Any) -> bytes:
    return "".join(json.dumps(sample) + "\n" for sample in samples).encode()


def parse_lines(data: bytes) -> list[Any]:
    return [json.loads(line) for line in data.splitlines()]


def convert(data: bytes, **options: Any) -> tuple[list[Any], ConvertResult]:
    """Convert ``data`` in memory; the output objects and the result."""
    out = io.BytesIO()
    result = convert_json_lines(MAPPING, io.BytesIO(data), out, **options)
    return parse_lines(out.getvalue()), result


def expected(sample: dict[str, Any], value: Any, name: str, unit: str, counter: bool) -> Any:
    """The documented output object: input fields in order, ``value`` replaced, then
    ``raw_value``, ``name``, ``unit``, ``counter``."""
    out = dict(sample)
    out["value"] = value
    out["raw_value"] = sample.get("value")
    out.update(name=name, unit=unit, counter=counter)
    return out


# -- the output ---------------------------------------------------------------------------


@pytest.mark.parametrize("codec", CODECS)
def test_output_keeps_input_fields_replaces_value_and_adds_the_entry(codec: str) -> None:
    samples = [
        {"metric": "cpu_usage", "value": 0.42, "host": "web-1", "ts": 1700000000},
        {"metric": "ratio", "value": 0.5, "total": 0},
        {"metric": "bytes_in", "value": 123, "tags": {"a": [1, 2]}},
    ]
    outputs, result = convert(jsonl(*samples), codec=json_codec(codec))
    assert outputs == [
        expected(samples[0], 0.42 * 100, "cpu-usage", "%", False),
        expected(samples[1], 0.0, "ratio", "%", False),  # total > 0 is false
        expected(samples[2], 123, "bytes-in", "B", True),  # no conversion: unchanged
    ]
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
    assert result == ConvertResult(lines=3, converted=3, rejected=0)


def test_output_follows_input_order_across_metrics_and_blocks() -> None:
    samples: list[dict[str, Any]] = [
        {"metric": ["cpu_usage", "ratio", "bytes_in"][i % 3], "value": i, "total": i % 2, "i": i}
        for i in range(500)
    ]
    outputs, _ = convert(jsonl(*samples), block_size=100)
    assert [o["i"] for o in outputs] == list(range(500))
    for sample, out in zip(samples, outputs):
        want = {
            "cpu_usage": sample["value"] * 100.0,
            "ratio": sample["value"] * 100.0 if sample["total"] > 0 else 0.0,
            "bytes_in": sample["value"],
        }[sample["metric"]]
        assert out["value"] == want


def test_blank_lines_are_ignored_but_counted_in_line_numbers() -> None:
    data = b'{"metric": "cpu_usage", "value": 1}\n\n   \r\n{"metric": "nope"}\n'
    with pytest.raises(SampleRejected) as caught:
        convert(data)
    assert (caught.value.rejected.line, caught.value.rejected.reason) == (
        4,
        "unknown metric 'nope'",
    )
    assert caught.value.result.converted == 1


@pytest.mark.parametrize("codec", CODECS)
def test_a_byte_order_mark_at_the_start_of_the_input_is_ignored(codec: str) -> None:
    """Windows tools start UTF-8 files with one; elsewhere it is not JSON."""
    data = b"\xef\xbb\xbf" + jsonl({"metric": "cpu_usage", "value": 1}) + b"\xef\xbb\xbf{}\n"
    seen: list[Rejected] = []
    outputs, _ = convert(data, codec=json_codec(codec), on_error="skip", rejects=seen.append)
    assert [o["value"] for o in outputs] == [100.0]
    assert [(r.line, r.reason[:12]) for r in seen] == [(2, "invalid JSON")]


def test_a_last_line_without_a_newline_is_converted() -> None:
    outputs, result = convert(b'{"metric": "cpu_usage", "value": 1}')
    assert [o["value"] for o in outputs] == [100.0]
    assert result.lines == 1


def test_progress_is_called_after_each_block_with_lines_and_bytes_so_far() -> None:
    data = jsonl(*({"metric": "cpu_usage", "value": i} for i in range(100)))
    calls: list[tuple[int, int]] = []
    convert(data, block_size=300, progress=lambda lines, done: calls.append((lines, done)))
    assert len(calls) > 5
    assert calls == sorted(calls)
    assert calls[-1] == (100, len(data))


# -- samples that cannot be converted ------------------------------------------------------

BAD_SAMPLES = [
    ("not json", "invalid JSON"),
    ("[1, 2]", "not a JSON object"),
    ('{"value": 1}', 'no "metric" field'),
    ('{"metric": ["a"], "value": 1}', '"metric" is a'),
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
def test_fail_stops_at_the_bad_sample_after_writing_the_lines_before_it(
    line: str, reason: str
) -> None:
    data = jsonl({"metric": "cpu_usage", "value": 1}) + line.encode() + b"\n"
    data += jsonl({"metric": "cpu_usage", "value": 2})
    out = io.BytesIO()
    with pytest.raises(SampleRejected) as caught:
        convert_json_lines(MAPPING, io.BytesIO(data), out)
    assert [o["value"] for o in parse_lines(out.getvalue())] == [100.0]
    stop = caught.value
    assert stop.rejected.line == 2 and reason in stop.rejected.reason
    assert stop.rejected.raw == line.encode()
    assert (stop.result.converted, stop.result.rejected) == (1, 1)


@pytest.mark.parametrize(("line", "reason"), BAD_SAMPLES, ids=BAD_IDS)
def test_rejects_stream_keeps_each_line_number_reason_and_text(line: str, reason: str) -> None:
    rejects = io.BytesIO()
    data = jsonl({"metric": "cpu_usage", "value": 1}) + line.encode() + b"\n"
    outputs, result = convert(data, on_error="skip", rejects=rejects)
    assert [o["value"] for o in outputs] == [100.0]
    (record,) = parse_lines(rejects.getvalue())
    assert record["line"] == 2
    assert record["input"] == line
    assert reason in record["reason"]
    assert (result.converted, result.rejected) == (1, 1)


def test_rejects_callable_gets_each_rejected_line() -> None:
    seen: list[Rejected] = []
    data = jsonl({"metric": "x"}, {"metric": "cpu_usage", "value": 1}, {"metric": "y"})
    outputs, _ = convert(data, on_error="skip", rejects=seen.append)
    assert len(outputs) == 1
    assert [(r.line, r.reason) for r in seen] == [
        (1, "unknown metric 'x'"),
        (3, "unknown metric 'y'"),
    ]


def test_rejects_path_is_written_even_when_the_run_fails(tmp_path: Path) -> None:
    rejects = tmp_path / "rejects.jsonl"
    with pytest.raises(SampleRejected):
        convert(b"{}\n", rejects=rejects)
    (record,) = parse_lines(rejects.read_bytes())
    assert (record["line"], record["input"]) == (1, "{}")


def test_null_writes_every_line_with_a_null_value_and_the_error() -> None:
    data = jsonl({"metric": "ratio", "value": 3, "host": "a"}, {"metric": "cpu_usage", "value": 1})
    outputs, result = convert(data + b"oops\n", on_error="null")
    first, second, third = outputs
    assert first["value"] is None and first["raw_value"] == 3 and first["host"] == "a"
    assert (first["name"], first["unit"]) == ("ratio", "%")
    assert "'total'" in first["error"]
    assert second == expected({"metric": "cpu_usage", "value": 1}, 100.0, "cpu-usage", "%", False)
    assert third["value"] is None and "invalid JSON" in third["error"]
    assert (result.converted, result.rejected) == (1, 2)


def test_null_mode_reserves_the_error_field() -> None:
    data = jsonl({"metric": "cpu_usage", "value": 1, "error": "kept"})
    (out,), _ = convert(data)
    assert out["error"] == "kept"
    (out,), _ = convert(data, on_error="null")
    assert "'error' would be overwritten" in out["error"]
    assert json.loads(out["input"])["error"] == "kept"


@pytest.mark.parametrize(
    ("option", "value"),
    [("on_error", "ignore"), ("block_size", 0), ("block_size", MAX_BLOCK_SIZE + 1)],
    ids=["on-error", "block-0", "block-huge"],
)
def test_bad_options_are_a_value_error(option: str, value: Any) -> None:
    with pytest.raises(ValueError, match=option):
        convert(b"", **{option: value})


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"codec": "orjson"}, r"codec must be a JsonCodec such as json_codec\('orjson'\)"),
        ({"block_size": "10"}, "block_size must be an int, got str"),
        ({"block_size": 1.5}, "block_size must be an int, got float"),
        ({"source": io.StringIO("{}")}, "the input is a text stream: .*sys.stdin.buffer"),
        ({"output": io.StringIO()}, "the output is a text stream: .*sys.stdout.buffer"),
        ({"rejects": io.StringIO()}, "the rejects file is a text stream"),
        ({"output": 42}, "the output must be a path or a writable binary stream, got 42"),
        ({"mapping": None}, "mapping must be a loaded mapping or a path, got None"),
        ({"mapping": {"cpu": "value * 2"}}, r"mapping\['cpu'\] must be a ParsedEntry"),
    ],
    ids=lambda value: str(value)[:30],
)
def test_arguments_of_the_wrong_type_are_a_type_error_before_any_work(
    arguments: dict[str, Any], message: str
) -> None:
    given_arguments: dict[str, Any] = {
        "mapping": MAPPING,
        "source": io.BytesIO(b'{"metric": "cpu_usage", "value": 1}\n'),
        "output": io.BytesIO(),
        **arguments,
    }
    positional = [given_arguments.pop(name) for name in ("mapping", "source", "output")]
    with pytest.raises(TypeError, match=message):
        convert_json_lines(*positional, **given_arguments)


# -- files --------------------------------------------------------------------------------


def test_paths_are_read_and_the_output_written_whole(tmp_path: Path) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_bytes(jsonl(*({"metric": "cpu_usage", "value": i} for i in range(1000))))
    result = convert_json_lines(MAPPING, source, out, block_size=512)
    assert result.converted == 1000
    assert [o["raw_value"] for o in parse_lines(out.read_bytes())] == list(range(1000))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]


def test_a_failed_run_leaves_the_old_output_untouched_and_no_file_behind(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("previous run\n")
    good = jsonl(*({"metric": "cpu_usage", "value": i} for i in range(5000)))
    with pytest.raises(SampleRejected, match="<input>:5001: invalid JSON"):
        convert_json_lines(MAPPING, io.BytesIO(good + b"{bad\n"), out, block_size=4096)
    assert out.read_text() == "previous run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]


def test_a_missing_input_is_a_convert_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope.jsonl"
    with pytest.raises(ConvertError, match=f"cannot read {missing}: No such file"):
        convert_json_lines(MAPPING, missing, io.BytesIO())


def test_an_output_in_a_missing_directory_is_a_convert_error(tmp_path: Path) -> None:
    with pytest.raises(ConvertError, match="cannot write the output"):
        convert_json_lines(MAPPING, io.BytesIO(b""), tmp_path / "no" / "out.jsonl")


# -- JSON libraries ---------------------------------------------------------------------

TRICKY: list[dict[str, Any]] = [
    {"metric": "cpu_usage", "value": 0.1, "id": 123456789012345678901234567890},
    {"metric": "cpu_usage", "value": -1, "neg": -98765432109876543210, "ns": 1700000000123456789},
    {"metric": "bytes_in", "value": "12", "text": 'h\u00e9llo \u2603 "q" \\ \U0001f600'},
    {"metric": "bytes_in", "value": {"nested": [1, 2.5, None, True]}},
    {"metric": "ratio", "value": 1e-300, "total": 1e300},
]


@pytest.mark.parametrize("codec", CODECS)
def test_json_libraries_give_the_same_data(codec: str) -> None:
    outputs, _ = convert(jsonl(*TRICKY), codec=json_codec(codec))
    assert [o["raw_value"] for o in outputs] == [s["value"] for s in TRICKY]
    assert outputs[0]["id"] == TRICKY[0]["id"]  # exact, past 64 bits
    assert outputs[1]["neg"] == TRICKY[1]["neg"]
    assert outputs[1]["ns"] == TRICKY[1]["ns"]
    assert outputs[2]["text"] == TRICKY[2]["text"]
    assert outputs[3]["value"] == TRICKY[3]["value"]


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize(
    "line", ['{"metric": "cpu_usage", "value": NaN}', '{"metric": "bytes_in", "value": 1e400}']
)
def test_non_finite_json_input_is_rejected_by_both_libraries(codec: str, line: str) -> None:
    with pytest.raises(SampleRejected):
        convert(line.encode() + b"\n", codec=json_codec(codec))


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
    with pytest.raises(ConvertError, match="orjson is not installed"):
        json_codec("orjson")


# -- batches grouped by metric vs one sample at a time -------------------------------------

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


def _one_row(sample: dict[str, Any]) -> Optional[Any]:
    """The oracle: convert one sample on its own, as a connector would (None: rejected)."""
    entry = MAPPING.get(sample["metric"])
    if entry is None:
        return None
    try:
        expression = entry.expression
        value = sample["value"] if expression is None else expression.evaluate(sample)
    except (KeyError, ArithmeticError, ValueError):
        return None
    return expected(sample, value, entry.name(), entry.unit(), entry.counter())


@pytest.mark.parametrize("codec", CODECS)
@given(samples=samples_strategy, block_size=st.integers(1, 2000))
def test_batches_grouped_by_metric_give_the_row_by_row_results_in_order(
    codec: str, samples: list[dict[str, Any]], block_size: int
) -> None:
    data = jsonl(*samples)
    outputs, result = convert(data, codec=json_codec(codec), on_error="null", block_size=block_size)
    got = [None if "error" in out else out for out in outputs]
    assert got == [_one_row(sample) for sample in samples]
    assert result.rejected == got.count(None)


# -- lines nested too deeply -------------------------------------------------------------


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize("on_error", ["skip", "null"])
@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_a_deeply_nested_line_is_rejected_like_any_invalid_line(
    codec: str, on_error: str, depth: int
) -> None:
    """Read (a bare array) or write (a sample whose value is nested; the fast codecs write
    less deeply than they read): each deep line is converted whole or rejected with a
    reason, and the run goes on."""
    passed = f'{{"metric": "bytes_in", "value": {_nested(depth)}}}'
    computed = f'{{"metric": "cpu_usage", "value": {_nested(depth)}}}'
    data = f"{_nested(depth)}\n{passed}\n{computed}\n".encode() + jsonl(
        {"metric": "cpu_usage", "value": 1}
    )
    seen: list[Rejected] = []
    outputs, result = convert(data, codec=json_codec(codec), on_error=on_error, rejects=seen.append)
    assert result.lines == 4
    assert outputs[-1]["value"] == 100.0
    assert [r.line for r in seen][:1] == [1]  # the bare array is not a sample
    assert 3 in [r.line for r in seen]  # a list is not a number
    reasons = ("nested too deeply", "not a JSON object", "not a number")
    for rejected in seen:
        assert any(reason in rejected.reason for reason in reasons), rejected.reason
    if 2 not in [r.line for r in seen]:  # converted whole: the same value came out
        converted = [o for o in outputs if o.get("metric") == "bytes_in"]
        assert json.dumps(converted[0]["value"]) == json.dumps(json.loads(_nested(depth)))


@pytest.mark.parametrize("codec", CODECS)
def test_a_deeply_nested_line_stops_a_fail_run_with_a_reason(codec: str) -> None:
    with pytest.raises(SampleRejected, match="nested too deeply") as caught:
        convert(_nested(100_000).encode() + b"\n", codec=json_codec(codec))
    assert caught.value.rejected.line == 1


# -- records of rejected samples ----------------------------------------------------------


@pytest.mark.parametrize("codec", CODECS)
@pytest.mark.parametrize(
    "line",
    [
        '{"metric": "cpu_usage", "value": 0.5, "x": 1e999, "host": "a"}',  # converted
        '{"metric": "ratio", "value": 0.5, "x": 1e999, "host": "a"}',  # no "total"
    ],
    ids=["after-conversion", "before-conversion"],
)
def test_records_keep_metric_line_and_raw_value_when_another_field_cannot_be_written(
    codec: str, line: str
) -> None:
    data = b"\n" + line.encode() + b"\n"
    rejects = io.BytesIO()
    outputs, result = convert(data, codec=json_codec(codec), on_error="null", rejects=rejects)
    (out,) = outputs
    assert (out["metric"], out["raw_value"], out["host"]) == (json.loads(line)["metric"], 0.5, "a")
    assert out["value"] is None and out["x"] is None
    assert out["error"].startswith("line 2: ") and "'x'" in out["error"]
    (record,) = parse_lines(rejects.getvalue())
    assert (record["line"], record["input"]) == (2, line)
    assert result.rejected == 1


def test_a_null_record_for_a_line_that_is_not_a_sample_keeps_the_line_as_read() -> None:
    (text, bad), _ = convert(b'\n\n"text"\n{"metric": oops}\n', on_error="null")
    assert text == {
        "value": None,
        "raw_value": None,
        "name": None,
        "unit": None,
        "counter": None,
        "error": "line 3: not a JSON object (a string)",
        "input": '"text"',
    }
    assert bad["input"] == '{"metric": oops}' and bad["error"].startswith("line 4: invalid JSON")


@pytest.mark.parametrize("field", ["raw_value", "name", "unit", "counter", "error"])
def test_a_null_record_never_overwrites_a_field_of_the_sample(field: str) -> None:
    sample = {"metric": "cpu_usage", "value": "x", field: "mine", "note": "kept"}
    (out,), _ = convert(jsonl(sample), on_error="null")
    assert json.loads(out["input"]) == sample  # every field of the sample, as given
    assert out["value"] is None and f"'{field}' would be overwritten" in out["error"]
    assert (out["name"], out["unit"]) == ("cpu-usage", "%")


# -- the reason of a rejected line depends on that line alone --------------------------------


def test_a_metric_that_is_not_a_string_is_rejected_as_such_whatever_else_is_in_the_block() -> None:
    """``True == 1 == 1.0`` as dict keys: grouping must not mix them up."""
    data = b'{"metric": 1, "value": 1}\n{"metric": true, "value": 1}\n{"metric": 1.0}\n'
    for block_size in (1, 1000):
        seen: list[Rejected] = []
        convert(data, on_error="skip", rejects=seen.append, block_size=block_size)
        assert [r.reason for r in seen] == [
            '"metric" is a number, not a string',
            '"metric" is a boolean, not a string',
            '"metric" is a number, not a string',
        ]


json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-2, 2), st.sampled_from([0.0, 1.0, -0.0]), st.text()
)
any_line = st.one_of(
    st.fixed_dictionaries(
        {"metric": st.one_of(json_scalars, st.sampled_from(["cpu_usage", "ratio", "bytes_in"]))},
        optional={"value": json_scalars, "total": json_scalars},
    ),
    json_scalars,
    st.lists(json_scalars, max_size=2),
)


@pytest.mark.parametrize("codec", CODECS)
@given(lines=st.lists(any_line, max_size=20), block_size=st.integers(1, 400))
def test_reasons_do_not_depend_on_the_block_size(
    codec: str, lines: list[Any], block_size: int
) -> None:
    data = jsonl(*lines)
    by_line: list[list[tuple[int, str]]] = []
    for size in (block_size, len(data) + 1):
        seen: list[Rejected] = []
        convert(
            data, codec=json_codec(codec), on_error="skip", rejects=seen.append, block_size=size
        )
        by_line.append([(r.line, r.reason) for r in seen])
    assert by_line[0] == by_line[1]


# -- long lines --------------------------------------------------------------------------


class Trickle(io.RawIOBase):
    """A stream that hands out at most ``chunk`` bytes per read, as a pipe does."""

    def __init__(self, data: bytes, chunk: int) -> None:
        self.data = memoryview(data)
        self.chunk = chunk
        self.at = 0

    def readable(self) -> bool:
        return True

    def read1(self, size: int = -1) -> bytes:
        piece = bytes(self.data[self.at : self.at + min(self.chunk, size)])
        self.at += len(piece)
        return piece


@pytest.mark.slow
@pytest.mark.timeout(30)
def test_a_line_longer_than_the_block_read_in_small_pieces_is_joined_once() -> None:
    """An 8 MB line arriving 64 bytes at a time (a pipe hands out 64 KiB at a time: the
    same shape for a line of gigabytes) is joined once, in about two seconds here.
    Re-joining it at every piece copied 4 MB on average 125,000 times per line, a
    terabyte of memcpy: the timeout stops that, it does not measure speed."""
    line = json.dumps({"metric": "cpu_usage", "value": 1, "pad": "x" * 8_000_000}).encode()
    out = io.BytesIO()
    result = convert_json_lines(MAPPING, Trickle(line + b"\n" + line, 64), out)
    assert result.converted == 2
    assert [o["value"] for o in parse_lines(out.getvalue())] == [100.0, 100.0]


def test_a_line_longer_than_the_block_comes_out_whole() -> None:
    line = json.dumps({"metric": "cpu_usage", "value": 1, "pad": "x" * 100_000}).encode()
    data = b"\n".join([line, b"", line[:-1] + b', "b": 2}', line])
    out = io.BytesIO()
    result = convert_json_lines(MAPPING, Trickle(data, 1000), out, block_size=777)
    assert (result.lines, result.converted) == (4, 3)
    outputs = parse_lines(out.getvalue())
    assert [len(o["pad"]) for o in outputs] == [100_000] * 3
    assert outputs[1]["b"] == 2


@pytest.mark.skipif(not hasattr(os, "set_blocking"), reason="no non-blocking pipes")
def test_a_non_blocking_input_pipe_is_read_to_its_end_not_to_its_first_pause() -> None:
    """A pipe inherited in non-blocking mode reads as empty while the writer is still
    at work: that must mean "wait", not the end of the input (which lost the rest)."""
    read_end, write_end = os.pipe()
    os.set_blocking(read_end, False)

    def write_later() -> None:
        with open(write_end, "wb") as writer:
            for value in (1, 2):
                threading.Event().wait(0.1)  # the reader finds the pipe empty first
                writer.write(jsonl({"metric": "cpu_usage", "value": value}))
                writer.flush()

    writer = threading.Thread(target=write_later)
    writer.start()
    out = io.BytesIO()
    with open(read_end, "rb") as source:
        result = convert_json_lines(MAPPING, source, out)
    writer.join()
    assert [o["value"] for o in parse_lines(out.getvalue())] == [100.0, 200.0]
    assert result.converted == 2


# -- an output path respects what is already there ------------------------------------------

ONE = jsonl({"metric": "cpu_usage", "value": 1})
ONE_OUT = (
    b'{"metric":"cpu_usage","value":100.0,"raw_value":1,'
    b'"name":"cpu-usage","unit":"%","counter":false}\n'
)


def test_an_output_symlink_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    real = tmp_path / "data" / "out.jsonl"
    real.write_text("previous run\n")
    link = tmp_path / "link.jsonl"
    link.symlink_to(Path("data") / "out.jsonl")
    convert_json_lines(MAPPING, io.BytesIO(ONE), link)
    assert link.is_symlink() and os.readlink(link) == str(Path("data") / "out.jsonl")
    assert real.read_bytes() == ONE_OUT
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["data", "link.jsonl", "out.jsonl"]


def test_a_dangling_output_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "link.jsonl"
    link.symlink_to(tmp_path / "new.jsonl")
    convert_json_lines(MAPPING, io.BytesIO(ONE), link)
    assert link.is_symlink() and (tmp_path / "new.jsonl").read_bytes() == ONE_OUT


@pytest.mark.parametrize("mode", [0o600, 0o660, 0o604])
def test_an_existing_output_file_keeps_its_permission_bits(tmp_path: Path, mode: int) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("previous run\n")
    out.chmod(mode)
    convert_json_lines(MAPPING, io.BytesIO(ONE), out)
    assert stat.S_IMODE(out.stat().st_mode) == mode
    assert out.read_bytes() == ONE_OUT


def test_a_new_output_file_gets_the_umask_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o027)
    try:
        convert_json_lines(MAPPING, io.BytesIO(ONE), tmp_path / "out.jsonl")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "out.jsonl").stat().st_mode) == 0o640


def test_an_output_fifo_is_written_in_place(tmp_path: Path) -> None:
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    try:
        convert_json_lines(MAPPING, io.BytesIO(ONE), fifo)
    finally:
        if reader.is_alive():  # the converter never opened the FIFO: let the reader go
            # Without blocking: the reader may be past its open, finishing (ENXIO then).
            with contextlib.suppress(OSError):
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(timeout=60)
    assert received == [ONE_OUT]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["out.fifo"]


def test_an_output_character_device_is_written_in_place_not_replaced(tmp_path: Path) -> None:
    null = tmp_path / "null"
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # what /dev/null is
    except (PermissionError, OSError) as err:
        pytest.skip(f"cannot make a device node here: {err}")
    convert_json_lines(MAPPING, io.BytesIO(ONE), null)
    assert stat.S_ISCHR(null.lstat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["null"]


def test_an_output_directory_is_refused_before_any_input_is_read(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()

    class Unread(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            raise AssertionError("the input was read")

    with pytest.raises(
        ConvertError, match=f"cannot write the output {tmp_path / 'out'}: Is a directory"
    ):
        convert_json_lines(MAPPING, Unread(), tmp_path / "out")
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


# -- files that would overwrite each other are refused before any work -----------------------


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """An input, a mapping file and the directory's snapshot to compare after a refusal."""
    source = tmp_path / "in.jsonl"
    source.write_bytes(ONE)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(MAPPING_TEXT)
    return {"in": source, "mapping": mapping, "dir": tmp_path}


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(
    ("output", "rejects"),
    [
        ("out.jsonl", "out.jsonl"),  # the same new file twice
        ("link.jsonl", "out.jsonl"),  # through a dangling link to it
        ("in.jsonl", None),  # the output over the input
        (None, "in.jsonl"),  # the rejects file over the input
        (None, "hard.jsonl"),  # ... through a hard link
        ("sub/../in.jsonl", None),  # ... through another path
        ("mapping.yaml", None),  # the output over the mapping file
    ],
)
def test_outputs_that_would_overwrite_an_input_or_each_other_are_refused(
    files: dict[str, Path], output: Optional[str], rejects: Optional[str]
) -> None:
    directory = files["dir"]
    (directory / "sub").mkdir()
    (directory / "link.jsonl").symlink_to(directory / "out.jsonl")
    os.link(files["in"], directory / "hard.jsonl")
    before = _snapshot(directory)
    with pytest.raises(FileClashError, match="are the same file"):
        convert_json_lines(
            files["mapping"],
            files["in"],
            directory / output if output else io.BytesIO(),
            rejects=directory / rejects if rejects else None,
            on_error="skip",
        )
    assert _snapshot(directory) == before


def test_an_output_stream_on_the_input_file_is_refused(files: dict[str, Path]) -> None:
    # `convert m.yaml in.jsonl >> in.jsonl`
    with open(files["in"], "ab") as appending, pytest.raises(FileClashError, match="same"):
        convert_json_lines(MAPPING, files["in"], appending)
    assert files["in"].read_bytes() == ONE


def test_an_input_stream_on_the_output_file_is_refused(files: dict[str, Path]) -> None:
    # `convert m.yaml -o in.jsonl < in.jsonl`
    with open(files["in"], "rb") as reading, pytest.raises(FileClashError, match="same"):
        convert_json_lines(MAPPING, reading, files["in"])
    assert files["in"].read_bytes() == ONE


def test_a_device_may_take_both_the_output_and_the_rejects(files: dict[str, Path]) -> None:
    data = ONE + b"oops\n"
    result = convert_json_lines(
        MAPPING, io.BytesIO(data), "/dev/null", rejects="/dev/null", on_error="skip"
    )
    assert (result.converted, result.rejected) == (1, 1)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_mapping_path_is_loaded(files: dict[str, Path]) -> None:
    out = io.BytesIO()
    convert_json_lines(files["mapping"], files["in"], out)
    assert out.getvalue() == ONE_OUT


# -- I/O errors ----------------------------------------------------------------------------


class Failing(io.RawIOBase):
    """A stream whose reads or writes fail with ``errno`` after ``after`` bytes."""

    def __init__(self, error: int, after: int = 0, data: bytes = b"") -> None:
        self.error, self.after, self.data = error, after, data
        self.name = "failing"

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self.data:
            raise OSError(self.error, os.strerror(self.error))
        size = min(len(buffer), len(self.data))
        buffer[:size], self.data = self.data[:size], self.data[size:]
        return size

    def write(self, data: Any) -> int:
        if self.after <= 0:
            raise OSError(self.error, os.strerror(self.error))
        count = min(len(data), self.after)
        self.after -= count
        return count


def test_a_write_error_names_the_output_and_the_reason(tmp_path: Path) -> None:
    with pytest.raises(ConvertIOError) as caught:
        convert_json_lines(MAPPING, io.BytesIO(ONE * 3), Failing(errno.ENOSPC, after=10))
    assert str(caught.value) == "cannot write the output failing: No space left on device"
    assert caught.value.errno == errno.ENOSPC and isinstance(caught.value, OSError)


class WouldBlock(io.RawIOBase):
    """A raw stream in non-blocking mode whose reader is behind: writes take nothing."""

    name = "busy"

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> None:
        return None


def test_an_output_stream_that_would_block_is_an_error_not_lost_lines() -> None:
    with pytest.raises(ConvertIOError, match="cannot write the output busy: "):
        convert_json_lines(MAPPING, io.BytesIO(ONE * 3), WouldBlock())


def test_an_output_object_whose_write_returns_nothing_gets_every_line() -> None:
    class Collector:
        def __init__(self) -> None:
            self.parts: list[bytes] = []

        def write(self, data: Any) -> None:
            self.parts.append(bytes(data))

        def flush(self) -> None:
            pass

    out = Collector()
    convert_json_lines(MAPPING, io.BytesIO(ONE * 3), out)  # type: ignore[arg-type]
    assert b"".join(out.parts) == ONE_OUT * 3


def test_a_rejects_write_error_leaves_no_file_behind(tmp_path: Path) -> None:
    with pytest.raises(ConvertIOError, match="cannot write the rejects file failing: Bad"):
        convert_json_lines(
            MAPPING,
            io.BytesIO(b"oops\n"),
            tmp_path / "out.jsonl",
            on_error="skip",
            rejects=Failing(errno.EBADF),
        )
    assert list(tmp_path.iterdir()) == []


def test_a_read_error_names_the_input_and_the_reason(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("previous run\n")
    with pytest.raises(ConvertIOError, match=r"^cannot read failing: Input/output error$"):
        convert_json_lines(MAPPING, Failing(errno.EIO, data=ONE), out)
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]
    assert out.read_text() == "previous run\n"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("[1, 2]", "not a JSON object (an array)"),
        ('"text"', "not a JSON object (a string)"),
        ("null", "not a JSON object (null)"),
        ('{"metric": ["a"]}', '"metric" is an array, not a string'),
        ('{"metric": {"a": 1}}', '"metric" is an object, not a string'),
        ('{"metric": null}', '"metric" is null, not a string'),
        ('{"metric": false}', '"metric" is a boolean, not a string'),
    ],
)
def test_reasons_name_json_types_with_the_right_article(line: str, reason: str) -> None:
    seen: list[Rejected] = []
    convert(line.encode(), on_error="skip", rejects=seen.append)
    assert [r.reason for r in seen] == [reason]


def test_errors_survive_pickling_for_process_pools(tmp_path: Path) -> None:
    with pytest.raises(SampleRejected) as stopped:
        convert(b"oops\n")
    with pytest.raises(ConvertIOError) as failed:
        convert_json_lines(MAPPING, io.BytesIO(ONE), Failing(errno.ENOSPC))
    for error in (stopped.value, failed.value):
        copy = pickle.loads(pickle.dumps(error))
        assert (type(copy), str(copy)) == (type(error), str(error))
    assert pickle.loads(pickle.dumps(failed.value)).errno == errno.ENOSPC


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write any file")
def test_a_read_only_output_file_is_not_replaced(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("keep me\n")
    out.chmod(0o444)
    with pytest.raises(ConvertIOError, match="Permission denied"):
        convert_json_lines(MAPPING, io.BytesIO(ONE), out)
    assert out.read_text() == "keep me\n"
