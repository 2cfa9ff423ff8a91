"""``nflex-metrics convert`` as a command: arguments, streams, messages, exit codes, signals.

What the conversion computes is pinned in ``test_convert.py`` through the library."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from convert_mapping import MAPPING_TEXT
from test_cli import Cli, in_process, run_cli

from nflex_metrics.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE
from nflex_metrics.convert_cli import MAX_WARNINGS

ROOT = Path(__file__).resolve().parent.parent

MAPPING = MAPPING_TEXT


def jsonl(*samples: Any) -> str:
    return "".join(json.dumps(sample) + "\n" for sample in samples)


def parse_lines(text: str) -> list[Any]:
    return [json.loads(line) for line in text.splitlines()]


@pytest.fixture
def cli(capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch) -> Cli:
    return in_process(capsysbinary, monkeypatch)


@pytest.fixture
def mapping(tmp_path: Path) -> Path:
    path = tmp_path / "mapping.yaml"
    path.write_text(MAPPING)
    return path


#: Lines in the ``samples`` file: more than a pipe holds (64 KiB), as one 1 MiB block.
SAMPLES = 20_000


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    path = tmp_path / "samples.jsonl"
    path.write_text(jsonl(*({"metric": "cpu_usage", "value": i} for i in range(SAMPLES))))
    return path


# -- the output ---------------------------------------------------------------------------


def test_convert_writes_the_readme_example_line_for_line() -> None:
    sample = '{"metric": "cpu_usage", "value": 0.42, "resource_id": "vm-101"}\n'
    result = run_cli("convert", str(ROOT / "examples" / "mapping.yaml"), stdin=sample)
    assert result.returncode == EXIT_OK, result.stderr
    assert result.stdout == (
        '{"metric":"cpu_usage","value":42.0,"resource_id":"vm-101","raw_value":0.42,'
        '"name":"cpu-usage","unit":"%","counter":false}\n'
    )


def test_convert_reads_stdin_without_input_or_with_a_dash(mapping: Path, cli: Cli) -> None:
    text = jsonl({"metric": "cpu_usage", "value": 2})
    for args in (("convert", str(mapping)), ("convert", str(mapping), "-")):
        result = cli(*args, stdin=text)
        assert result.returncode == EXIT_OK, result.stderr
        assert [o["value"] for o in parse_lines(result.stdout)] == [200.0]


def test_convert_ignores_blank_lines_but_counts_them_in_line_numbers(
    mapping: Path, tmp_path: Path, cli: Cli
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"metric": "cpu_usage", "value": 1}\n\n   \n{"metric": "nope"}\n')
    result = cli("convert", str(mapping), str(source))
    assert result.returncode == EXIT_PROBLEMS
    assert len(parse_lines(result.stdout)) == 1
    assert f"{source}:4: unknown metric 'nope'" in result.stderr


def test_convert_summary_line_counts_converted_and_rejected(mapping: Path, cli: Cli) -> None:
    text = jsonl({"metric": "cpu_usage", "value": 1}, {"metric": "x"}, {"metric": "ratio"})
    result = cli("convert", str(mapping), "--on-error", "skip", stdin=text)
    assert result.returncode == EXIT_OK
    summary = result.stderr.splitlines()[-1]
    assert summary.startswith("nflex-metrics: converted 1, rejected 2, ")
    assert " s (" in summary


def test_convert_quiet_prints_no_summary(mapping: Path, cli: Cli) -> None:
    result = cli("convert", "-q", str(mapping), stdin=jsonl({"metric": "cpu_usage", "value": 1}))
    assert (result.returncode, result.stderr) == (EXIT_OK, "")


def test_convert_skip_leaves_rejected_samples_out_and_warns_on_stderr(
    mapping: Path, cli: Cli
) -> None:
    text = jsonl({"metric": "x", "value": 1}, {"metric": "cpu_usage", "value": 1})
    result = cli("convert", str(mapping), "--on-error", "skip", stdin=text)
    assert result.returncode == EXIT_OK
    assert [o["value"] for o in parse_lines(result.stdout)] == [100.0]
    assert "nflex-metrics: warning: <stdin>:1: unknown metric 'x'" in result.stderr.splitlines()


def test_convert_skip_warns_about_the_first_ten_and_counts_the_rest(
    mapping: Path, cli: Cli
) -> None:
    text = jsonl(*({"metric": "x"} for _ in range(25)))
    result = cli("convert", str(mapping), "--on-error", "skip", stdin=text)
    warnings = [line for line in result.stderr.splitlines() if "unknown metric" in line]
    assert len(warnings) == MAX_WARNINGS
    assert "15 more rejected samples not shown" in result.stderr


def test_convert_a_deeply_nested_line_is_a_warning_not_a_traceback(mapping: Path, cli: Cli) -> None:
    text = "[" * 100_000 + "]" * 100_000 + "\n" + jsonl({"metric": "cpu_usage", "value": 1})
    result = cli("convert", str(mapping), "--on-error", "skip", stdin=text)
    assert result.returncode == EXIT_OK, result.stderr
    assert [o["value"] for o in parse_lines(result.stdout)] == [100.0]
    assert "<stdin>:1: invalid JSON: nested too deeply" in result.stderr


def test_convert_fail_mode_still_writes_the_rejects_file(
    mapping: Path, tmp_path: Path, cli: Cli
) -> None:
    rejects = tmp_path / "rejects.jsonl"
    result = cli("convert", str(mapping), "--rejects", str(rejects), stdin="{}\n")
    assert result.returncode == EXIT_PROBLEMS
    (record,) = parse_lines(rejects.read_text())
    assert (record["line"], record["input"]) == (1, "{}")


# -- atomic output ----------------------------------------------------------------------


def test_convert_output_file_is_written_whole(mapping: Path, tmp_path: Path, cli: Cli) -> None:
    out = tmp_path / "out.jsonl"
    text = jsonl(*({"metric": "cpu_usage", "value": i} for i in range(1000)))
    result = cli("convert", str(mapping), "-o", str(out), "--block-size", "512", stdin=text)
    assert result.returncode == EXIT_OK
    assert result.stdout == ""
    assert [o["raw_value"] for o in parse_lines(out.read_text())] == list(range(1000))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mapping.yaml", "out.jsonl"]


def test_convert_failure_leaves_no_output_file_and_the_old_one_untouched(
    mapping: Path, tmp_path: Path, cli: Cli
) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("previous run\n")
    good = jsonl(*({"metric": "cpu_usage", "value": i} for i in range(5000)))
    result = cli(
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


def test_convert_invalid_mapping_exits_1_with_its_problems(tmp_path: Path, cli: Cli) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("a:\n  conversion_expr: value * / 1\n")
    result = cli("convert", str(bad), stdin="")
    assert result.returncode == EXIT_PROBLEMS
    assert f"{bad}:2:" in result.stderr


def test_convert_missing_input_exits_1(mapping: Path, tmp_path: Path, cli: Cli) -> None:
    result = cli("convert", str(mapping), str(tmp_path / "nope.jsonl"))
    assert result.returncode == EXIT_PROBLEMS
    assert "cannot read" in result.stderr and "Traceback" not in result.stderr


def test_convert_unwritable_output_exits_1(mapping: Path, tmp_path: Path, cli: Cli) -> None:
    result = cli("convert", str(mapping), "-o", str(tmp_path / "no" / "dir.jsonl"), stdin="")
    assert result.returncode == EXIT_PROBLEMS
    assert "cannot write" in result.stderr


@pytest.mark.parametrize(
    "args",
    [(), ("--on-error", "ignore"), ("--block-size", "0"), ("--json", "yaml"), ("a", "b", "c")],
)
def test_convert_usage_errors_exit_2(mapping: Path, args: tuple[str, ...], cli: Cli) -> None:
    result = cli("convert", *((str(mapping), *args) if args else ()), stdin="")
    assert result.returncode == EXIT_USAGE
    assert "usage:" in result.stderr


# -- JSON libraries ---------------------------------------------------------------------


@pytest.mark.parametrize("library", ["stdlib", "orjson"])
def test_json_option_chooses_the_library_named_in_the_summary(
    mapping: Path, library: str, cli: Cli
) -> None:
    if library == "orjson":
        pytest.importorskip("orjson")
    text = jsonl({"metric": "cpu_usage", "value": 1, "id": 123456789012345678901234567890})
    result = cli("convert", str(mapping), "--json", library, stdin=text)
    assert result.returncode == EXIT_OK, result.stderr
    (out,) = parse_lines(result.stdout)
    assert out["id"] == 123456789012345678901234567890
    assert f"({library} JSON)" in result.stderr


def test_progress_is_drawn_then_erased_before_the_summary(mapping: Path) -> None:
    """--progress forces the progress line on a stderr that is not a terminal; it appears
    once the run is a second old and is erased before the summary line."""
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    proc = subprocess.Popen(
        [sys.executable, "-m", "nflex_metrics", "convert", str(mapping), "--progress"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": path},
    )
    assert proc.stdin is not None and proc.stderr is not None
    fd = proc.stderr.fileno()
    chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: chunks.extend(iter(lambda: os.read(fd, 4096), b"")))
    reader.start()
    line = jsonl({"metric": "cpu_usage", "value": 1}).encode()
    deadline = time.monotonic() + 60
    while b"\r" not in b"".join(chunks):  # a slow producer until the progress line shows
        assert time.monotonic() < deadline, "no progress line"
        proc.stdin.write(line)
        proc.stdin.flush()
        time.sleep(0.05)
    proc.stdin.close()
    assert proc.wait(timeout=60) == EXIT_OK
    reader.join(timeout=60)
    proc.stderr.close()
    progress, summary = b"".join(chunks).decode().rsplit("\r\x1b[K", 1)
    assert progress.startswith("\r") and " lines, " in progress and "lines/s" in progress
    assert summary.startswith("nflex-metrics: converted ")


# -- files that would overwrite each other ------------------------------------------------


def test_convert_the_same_file_for_output_and_rejects_is_a_usage_error(
    mapping: Path, tmp_path: Path, cli: Cli
) -> None:
    out = tmp_path / "out.jsonl"
    text = jsonl({"metric": "cpu_usage", "value": 1})
    result = cli("convert", str(mapping), "-o", str(out), "--rejects", str(out), stdin=text)
    assert result.returncode == EXIT_USAGE
    assert "usage:" in result.stderr and "are the same file" in result.stderr
    assert not out.exists()


def test_convert_an_output_over_the_input_is_a_usage_error(
    mapping: Path, tmp_path: Path, cli: Cli
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(jsonl({"metric": "cpu_usage", "value": 1}))
    result = cli("convert", str(mapping), str(source), "-o", str(source))
    assert result.returncode == EXIT_USAGE
    assert f"the output ({source}) and the input ({source}) are the same file" in result.stderr
    assert source.read_text() == jsonl({"metric": "cpu_usage", "value": 1})


def test_convert_stdout_appended_to_the_input_is_a_usage_error(
    mapping: Path, tmp_path: Path
) -> None:
    """``convert m.yaml in.jsonl >> in.jsonl`` would read its own output forever."""
    source = tmp_path / "in.jsonl"
    source.write_text(jsonl({"metric": "cpu_usage", "value": 1}))
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    with open(source, "ab") as appending:
        result = subprocess.run(
            [sys.executable, "-m", "nflex_metrics", "convert", str(mapping), str(source)],
            stdout=appending,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": path},
            timeout=60,
        )
    assert result.returncode == EXIT_USAGE
    assert b"are the same file" in result.stderr
    assert source.read_text() == jsonl({"metric": "cpu_usage", "value": 1})


# -- closed or broken standard streams ---------------------------------------------------


def run_shell(script: str, **paths: Path) -> subprocess.CompletedProcess[bytes]:
    """``script`` in bash, with ``$NFLEX`` the command and ``$NAME`` each of ``paths``."""
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path, "NFLEX": f"{sys.executable} -m nflex_metrics"}
    env.update({name.upper(): str(value) for name, value in paths.items()})
    return subprocess.run(["bash", "-c", script], capture_output=True, env=env, timeout=120)


@pytest.mark.parametrize(
    "command",
    [
        '$NFLEX convert "$MAPPING" "$SAMPLES"',
        '$NFLEX check "$MAPPING"',
        "$NFLEX eval 'value * 2' value=3",
    ],
    ids=["convert", "check", "eval"],
)
def test_a_closed_stdout_is_one_clear_error(mapping: Path, samples: Path, command: str) -> None:
    result = run_shell(f"{command} >&-", mapping=mapping, samples=samples)
    assert result.returncode == EXIT_PROBLEMS
    assert result.stderr.decode().splitlines()[-1] == (
        "nflex-metrics: cannot write stdout: Bad file descriptor"
    )


def test_a_closed_stderr_keeps_messages_out_of_the_data(mapping: Path, samples: Path) -> None:
    result = run_shell(
        '(cat "$SAMPLES"; echo oops) | $NFLEX convert "$MAPPING" --on-error skip 2>&-',
        mapping=mapping,
        samples=samples,
    )
    assert result.returncode == EXIT_OK
    assert len(parse_lines(result.stdout.decode())) == SAMPLES
    result = run_shell("$NFLEX eval 'value * / 2' 2>&-")
    assert (result.returncode, result.stdout) == (EXIT_PROBLEMS, b"")


def test_a_closed_stderr_is_not_taken_by_the_output_file(
    mapping: Path, samples: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    result = run_shell(
        '(cat "$SAMPLES"; echo oops) | $NFLEX convert "$MAPPING" -o "$OUT" --on-error skip 2>&-',
        mapping=mapping,
        samples=samples,
        out=out,
    )
    assert result.returncode == EXIT_OK
    assert len(parse_lines(out.read_text())) == SAMPLES


def test_a_reader_that_goes_away_is_no_traceback(mapping: Path, samples: Path) -> None:
    result = run_shell(
        '$NFLEX convert "$MAPPING" "$SAMPLES" | head -1; echo "exit ${PIPESTATUS[0]}" >&2',
        mapping=mapping,
        samples=samples,
    )
    lines = result.stdout.decode().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["raw_value"] == 0
    assert result.stderr.decode().splitlines() == [f"exit {EXIT_PROBLEMS}"]


def test_a_broken_stderr_does_not_stop_the_conversion(mapping: Path, samples: Path) -> None:
    """Warnings and the summary have nowhere to go; the data still comes out whole."""
    result = run_shell(
        '(echo oops; cat "$SAMPLES") | $NFLEX convert "$MAPPING" --on-error skip --progress'
        ' 2> >(exec head -c 0); echo "exit $?" >&2',
        mapping=mapping,
        samples=samples,
    )
    assert result.stderr.decode().splitlines() == [f"exit {EXIT_OK}"]
    assert len(parse_lines(result.stdout.decode())) == SAMPLES


def test_a_closed_stdout_does_not_matter_with_an_output_file(
    mapping: Path, samples: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    result = run_shell(
        '$NFLEX convert "$MAPPING" "$SAMPLES" -o "$OUT" >&-',
        mapping=mapping,
        samples=samples,
        out=out,
    )
    assert result.returncode == EXIT_OK, result.stderr
    assert len(parse_lines(out.read_text())) == SAMPLES


# -- write failures -----------------------------------------------------------------------


def test_a_full_device_on_stdout_is_one_clear_error(mapping: Path, samples: Path) -> None:
    result = run_shell('$NFLEX convert "$MAPPING" "$SAMPLES" > /dev/full', **_paths(locals()))
    assert result.returncode == EXIT_PROBLEMS
    assert result.stderr.decode().splitlines() == [
        "nflex-metrics: cannot write stdout: No space left on device"
    ]


def test_a_full_device_as_output_is_one_clear_error(mapping: Path, samples: Path) -> None:
    result = run_shell('$NFLEX convert "$MAPPING" "$SAMPLES" -o /dev/full', **_paths(locals()))
    assert result.returncode == EXIT_PROBLEMS
    assert result.stderr.decode().splitlines() == [
        "nflex-metrics: cannot write the output /dev/full: No space left on device"
    ]


@pytest.mark.parametrize("command", ["check", "eval"])
def test_check_and_eval_on_a_full_device_are_one_clear_error(mapping: Path, command: str) -> None:
    args = '"$MAPPING"' if command == "check" else "'1 + 1'"
    result = run_shell(f"$NFLEX {command} {args} > /dev/full", mapping=mapping)
    assert result.returncode == EXIT_PROBLEMS
    assert result.stderr.decode().splitlines() == [
        "nflex-metrics: cannot write stdout: No space left on device"
    ]


def test_the_file_size_limit_leaves_the_previous_output_and_no_temporary_file(
    mapping: Path, samples: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("previous run\n")
    result = run_shell(
        'ulimit -f 100; $NFLEX convert "$MAPPING" "$SAMPLES" -o "$OUT"', **_paths(locals())
    )
    assert result.returncode == EXIT_PROBLEMS
    assert result.stderr.decode().splitlines() == [
        f"nflex-metrics: cannot write the output {out}: File too large"
    ]
    assert out.read_text() == "previous run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "mapping.yaml",
        "out.jsonl",
        "samples.jsonl",
    ]


def test_running_out_of_memory_is_one_clear_error_and_leaves_the_previous_output(
    mapping: Path, tmp_path: Path
) -> None:
    """/dev/zero is one endless line: it is held whole until memory runs out."""
    out = tmp_path / "out.jsonl"
    out.write_text("previous run\n")
    result = run_shell(
        'ulimit -v 1000000; $NFLEX convert "$MAPPING" /dev/zero -o "$OUT"', **_paths(locals())
    )
    assert result.returncode == EXIT_PROBLEMS
    assert result.stderr.decode().splitlines() == ["nflex-metrics: out of memory"]
    assert out.read_text() == "previous run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mapping.yaml", "out.jsonl"]


def test_an_output_directory_is_refused_before_converting(mapping: Path, tmp_path: Path) -> None:
    """The input stays open and empty: the refusal comes before any of it is read."""
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    proc = subprocess.Popen(
        [sys.executable, "-m", "nflex_metrics", "convert", str(mapping), "-o", str(tmp_path)],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": path},
    )
    assert proc.stdin is not None and proc.stderr is not None
    try:
        assert proc.wait(timeout=60) == EXIT_PROBLEMS
        stderr = proc.stderr.read()
    finally:
        proc.kill()
        proc.stdin.close()
        proc.stderr.close()
        proc.wait()
    assert stderr.decode().splitlines() == [
        f"nflex-metrics: cannot write the output {tmp_path}: Is a directory"
    ]


def test_a_rejects_file_under_proc_is_one_clear_error(mapping: Path, samples: Path) -> None:
    result = run_shell(
        '$NFLEX convert "$MAPPING" "$SAMPLES" --rejects /proc/self/rejects.jsonl',
        **_paths(locals()),
    )
    assert result.returncode == EXIT_PROBLEMS
    (line,) = result.stderr.decode().splitlines()
    assert line.startswith(
        "nflex-metrics: cannot write the rejects file /proc/self/rejects.jsonl: "
    )
    assert result.stdout == b""


@pytest.mark.parametrize("size", ["1e99", str(1 << 40), "-1"])
def test_an_absurd_block_size_is_a_usage_error(mapping: Path, size: str, cli: Cli) -> None:
    result = cli("convert", str(mapping), "--block-size", size, stdin="")
    assert result.returncode == EXIT_USAGE
    assert "--block-size" in result.stderr and "MemoryError" not in result.stderr


def _paths(names: dict[str, Any]) -> dict[str, Path]:
    return {name: value for name, value in names.items() if isinstance(value, Path)}


# -- messages -----------------------------------------------------------------------------


def test_convert_with_a_rejects_file_prints_no_warnings(
    mapping: Path, tmp_path: Path, cli: Cli
) -> None:
    rejects = tmp_path / "rejects.jsonl"
    text = jsonl(*({"metric": "x"} for _ in range(25)))
    result = cli(
        "convert", str(mapping), "--on-error", "skip", "--rejects", str(rejects), stdin=text
    )
    assert result.returncode == EXIT_OK
    (summary,) = result.stderr.splitlines()
    assert summary.startswith("nflex-metrics: converted 0, rejected 25, ")
    assert len(rejects.read_text().splitlines()) == 25


@pytest.mark.parametrize("on_error", ["skip", "null"])
def test_convert_quiet_prints_no_warnings(mapping: Path, on_error: str, cli: Cli) -> None:
    text = jsonl(*({"metric": "x"} for _ in range(25)))
    result = cli("convert", str(mapping), "-q", "--on-error", on_error, stdin=text)
    assert (result.returncode, result.stderr) == (EXIT_OK, "")


@pytest.mark.parametrize(
    "args",
    [
        ("convert", "nonexist.yaml"),
        ("eval", "--mapping", "nonexist.yaml", "--metric", "cpu", "value=1"),
    ],
    ids=["convert", "eval"],
)
def test_a_missing_mapping_file_is_reported_once(
    tmp_path: Path, args: tuple[str, ...], cli: Cli
) -> None:
    result = cli(*args, stdin="", cwd=tmp_path)
    assert result.returncode == EXIT_PROBLEMS
    assert result.stderr.splitlines() == [
        "nflex-metrics: nonexist.yaml: cannot read the mapping file: No such file or directory"
    ]


def test_check_reports_a_missing_mapping_file_once(tmp_path: Path, cli: Cli) -> None:
    result = cli("check", "nonexist.yaml", cwd=tmp_path)
    assert result.returncode == EXIT_PROBLEMS
    assert result.stdout.splitlines() == [
        "nonexist.yaml: cannot read the mapping file: No such file or directory",
        "nonexist.yaml: 1 problem",
    ]


@pytest.mark.parametrize("option", ["-o", "--rejects"])
def test_an_empty_output_path_is_a_usage_error(option: str, mapping: Path, cli: Cli) -> None:
    result = cli("convert", str(mapping), "-", option, "", stdin=jsonl({"metric": "m"}))
    assert result.returncode == EXIT_USAGE
    assert f"{option}: the path is empty" in result.stderr


def test_rejects_to_stdout_is_a_usage_error_and_writes_no_file_named_dash(
    mapping: Path, cli: Cli, tmp_path: Path
) -> None:
    result = cli(
        "convert", str(mapping), "-", "--rejects", "-", stdin=jsonl({"metric": "m"}), cwd=tmp_path
    )
    assert result.returncode == EXIT_USAGE
    assert "--rejects needs a file" in result.stderr
    assert not (tmp_path / "-").exists()
