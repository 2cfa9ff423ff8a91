"""End-to-end benchmark of ``nflex-metrics convert``: samples/s and peak memory.

``python -m benchmarks.bench_convert`` writes a JSON Lines file of 1,000,000 samples of
20 metrics (in a temporary directory), then runs, each in its own process:

- ``floor``: read each line, parse it, write it back (the JSON library's I/O floor —
  what any converter must pay before doing any work);
- ``convert``: ``python -m nflex_metrics convert mapping.yaml samples.jsonl -o out``,
  interpreter start-up, imports and mapping load included;
- ``convert`` again on a tenth of the input, to show that peak memory does not grow
  with the input (the conversion streams).

It prints samples/s, peak RSS and ratios against the floor, for the standard library
and, when installed, orjson. Timings on a shared machine are noisy: read the ratios.

``--format parquet`` does the same with Parquet in and Parquet out (10,000,000 samples
by default, in row groups of 131,072 rows; needs pyarrow): the floor is a plain pyarrow
read and write of the same file, batch by batch as ``convert`` reads it, and the runs
alternate over ``--rounds`` rounds, medians reported.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The 20 metrics: key -> (conversion_expr or None, the variables a sample carries).
METRICS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "cpu_usage": ("value * 100", ("value",)),
    "cpu_steal": ("value * 100", ("value",)),
    "memory_used": ("value / 1024 / 1024", ("value",)),
    "memory_free": ("value / 1024 / 1024", ("value",)),
    "disk_read": ("value / 1024", ("value",)),
    "disk_write": ("value / 1024", ("value",)),
    "net_in": ("value * 8", ("value",)),
    "net_out": ("value * 8", ("value",)),
    "load_1": (None, ("value",)),
    "load_5": (None, ("value",)),
    "uptime": ("value / 3600", ("value",)),
    "temperature": ("(value - 32) * 5 / 9", ("value",)),
    "ratio_used": ("value * 100 if total > 0 else 0", ("value", "total")),
    "ratio_free": ("value * 100 if total > 0 else 0", ("value", "total")),
    "disk_usage": (
        "CASE WHEN disk_avail = 0 THEN NULL ELSE disk_used / disk_avail * 100 END",
        ("disk_used", "disk_avail"),
    ),
    "swap_usage": (
        "CASE WHEN total = 0 THEN NULL ELSE value / total * 100 END",
        ("value", "total"),
    ),
    "health": (
        "CASE WHEN state = 1 AND load > 0.9 THEN 100 WHEN state = 1 THEN 75 ELSE 0 END",
        ("state", "load"),
    ),
    "iops": ("value", ("value",)),
    "latency": ("value * 1000", ("value",)),
    "errors": ("value if value >= 0 else NULL", ("value",)),
}

#: The reference: read, parse, write — nothing else. ``{lib}`` is json or orjson.
FLOOR = """
import sys
lib = sys.argv[3]
if lib == "orjson":
    import orjson
    loads, dumps = orjson.loads, orjson.dumps
else:
    import json
    encoder = json.JSONEncoder(separators=(",", ":"))
    loads = json.loads
    def dumps(obj):
        return encoder.encode(obj).encode()
with open(sys.argv[1], "rb") as src, open(sys.argv[2], "wb") as dst:
    for line in src:
        dst.write(dumps(loads(line)) + b"\\n")
"""


def write_mapping(path: Path) -> None:
    """The 20-metric mapping file (JSON is valid YAML)."""
    entries: dict[str, Any] = {}
    for key, (expr, _) in METRICS.items():
        entry: dict[str, Any] = {"name": key.replace("_", "-"), "unit": "x"}
        if expr is not None:
            entry["conversion_expr"] = expr
        entries[key] = entry
    path.write_text(json.dumps(entries, indent=2))


def write_samples(path: Path, lines: int, seed: int = 1) -> None:
    """``lines`` samples cycling over the metrics, with a host and a timestamp."""
    rng = random.Random(seed)
    keys = list(METRICS)
    with path.open("w") as out:
        for i in range(lines):
            key = keys[rng.randrange(len(keys))]
            sample: dict[str, Any] = {"metric": key, "resource_id": f"server-{i % 500}"}
            for name in METRICS[key][1]:
                sample[name] = round(rng.uniform(0, 4), 4) if name != "state" else 1
            sample["timestamp"] = 1_700_000_000 + i
            out.write(json.dumps(sample) + "\n")


@dataclass
class Run:
    """One measured process."""

    label: str
    seconds: float
    cpu_seconds: float
    peak_rss_mib: float
    samples: int

    @property
    def rate(self) -> float:
        return self.samples / self.seconds

    @property
    def cpu_rate(self) -> float:
        """Samples per CPU second: steadier than wall time on a busy machine."""
        return self.samples / max(self.cpu_seconds, 1e-9)


def measure(label: str, argv: list[str], samples: int) -> Run:
    """Run ``argv`` to completion; its wall time and its own peak RSS (``wait4``)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [_root(), _pythonpath()]))}
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.stderr is not None
    errors = proc.stderr.read().decode()
    proc.stderr.close()
    if proc.returncode != 0:
        raise RuntimeError(f"{label} failed ({proc.returncode}): {errors}")
    # ru_maxrss is KiB on Linux, bytes on macOS.
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    cpu = usage.ru_utime + usage.ru_stime
    return Run(label, seconds, cpu, usage.ru_maxrss / scale, samples)


def _root() -> str:
    return str(Path(__file__).resolve().parent.parent)


def _pythonpath() -> str:
    return os.environ.get("PYTHONPATH", "")


def count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for _ in f)


def available_libraries() -> list[str]:
    has_orjson = importlib.util.find_spec("orjson") is not None
    return ["stdlib", "orjson"] if has_orjson else ["stdlib"]


def run(lines: int, libraries: list[str], workdir: Path) -> list[tuple[str, Run, Run, Run]]:
    """Measure the floor and convert (full and a tenth) for each JSON library."""
    mapping, samples = workdir / "mapping.yaml", workdir / "samples.jsonl"
    small = workdir / "samples-small.jsonl"
    write_mapping(mapping)
    write_samples(samples, lines)
    write_samples(small, max(lines // 10, 1))
    results = []
    for lib in libraries:
        out = workdir / f"out-{lib}.jsonl"
        floor = measure(
            "floor",
            [sys.executable, "-c", FLOOR, str(samples), str(out), lib],
            lines,
        )
        convert_argv = [sys.executable, "-m", "nflex_metrics", "convert", str(mapping)]
        options = ["-o", str(out), "--json", lib, "--quiet"]
        full = measure("convert", [*convert_argv, str(samples), *options], lines)
        if count_lines(out) != lines:
            raise RuntimeError(f"convert wrote {count_lines(out)} lines for {lines}")
        tenth = measure("convert/10", [*convert_argv, str(small), *options], max(lines // 10, 1))
        results.append((lib, floor, full, tenth))
    return results


def report(lines: int, results: list[tuple[str, Run, Run, Run]]) -> str:
    rows = [
        f"nflex-metrics convert: {lines:,} samples of {len(METRICS)} metrics, "
        f"python {sys.version.split()[0]}",
        f"{'json':8} {'run':12} {'seconds':>8} {'samples/s':>11} {'cpu s':>7} "
        f"{'samples/cpu-s':>13} {'peak RSS':>10}  ratio (cpu)",
    ]
    for lib, floor, full, tenth in results:
        for item in (floor, full, tenth):
            ratio = f"{item.cpu_rate / floor.cpu_rate:5.2f}x floor" if item is not floor else ""
            rows.append(
                f"{lib:8} {item.label:12} {item.seconds:8.2f} {item.rate:11,.0f} "
                f"{item.cpu_seconds:7.2f} {item.cpu_rate:13,.0f} "
                f"{item.peak_rss_mib:7.1f} MiB  {ratio}"
            )
        growth = full.peak_rss_mib / tenth.peak_rss_mib
        rows.append(f"{lib:8} peak RSS, full input / a tenth of it: {growth:.2f}")
    return "\n".join(rows)


# --------------------------------------------------------------------------------------
# Parquet in, Parquet out

#: Rows per row group of the generated Parquet input (DuckDB writes 122,880; pyarrow's
#: default of 1,048,576 would make the tenth-size input a single row group).
ROW_GROUP_ROWS = 131_072

#: The target of issue #12: samples per CPU second, Parquet to Parquet.
PARQUET_TARGET = 10_000_000

#: The floor: pyarrow reads the file batch by batch, one row group at a time, and writes
#: each batch as a row group — what ``convert`` does, without converting — with the
#: writer options of ``convert`` (``tuned``: dictionary encoding for strings only) or
#: pyarrow's defaults.
PARQUET_FLOOR = """
import sys
import pyarrow.parquet as pq
from nflex_metrics._parquet import dictionary_columns
source = pq.ParquetFile(sys.argv[1])
writer = None
for group in range(source.num_row_groups):
    for batch in source.iter_batches(batch_size=int(sys.argv[3]), row_groups=[group]):
        if writer is None:
            options = {}
            if sys.argv[4] == "tuned":
                options["use_dictionary"] = dictionary_columns(batch.schema)
            writer = pq.ParquetWriter(sys.argv[2], batch.schema, **options)
        writer.write_batch(batch)
writer.close()
"""


def write_parquet_samples(path: Path, rows: int, seed: int = 1) -> None:
    """``rows`` samples like :func:`write_samples`'s, as a Parquet file: a column per
    field, null where a metric does not carry the variable."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    keys = list(METRICS)
    codes = rng.integers(0, len(keys), rows).astype(np.int32)
    hosts = (np.arange(rows) % 500).astype(np.int32)
    columns: dict[str, Any] = {
        "metric": pa.DictionaryArray.from_arrays(codes, keys).cast(pa.string()),
        "resource_id": pa.DictionaryArray.from_arrays(
            hosts, [f"server-{i}" for i in range(500)]
        ).cast(pa.string()),
    }
    variables = sorted({name for _, names in METRICS.values() for name in names})
    for name in variables:
        carried = np.array([name in METRICS[key][1] for key in keys])[codes]
        values = np.ones(rows) if name == "state" else np.round(rng.uniform(0, 4, rows), 4)
        columns[name] = pa.array(values, mask=~carried)
    columns["timestamp"] = pa.array(1_700_000_000 + np.arange(rows, dtype=np.int64))
    pq.write_table(pa.table(columns), path, row_group_size=ROW_GROUP_ROWS)


def in_child(code: str) -> str:
    """Run ``code`` in a fresh interpreter; what it prints. Parquet work happens there:
    a child's peak RSS (``wait4``) starts from its parent's at the fork, so the driver
    must stay small (no pyarrow, no samples in memory)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [_root(), _pythonpath()]))}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def parquet_rows(path: Path) -> int:
    code = f"import pyarrow.parquet as pq; print(pq.ParquetFile({str(path)!r}).metadata.num_rows)"
    return int(in_child(code))


def run_parquet(rows: int, rounds: int, workdir: Path) -> dict[str, list[Run]]:
    """The floor, convert, and convert on a tenth of the input, ``rounds`` times each in
    turn (the order rotating every round)."""
    from nflex_metrics.convert import DEFAULT_BATCH_SIZE

    mapping, samples = workdir / "mapping.yaml", workdir / "samples.parquet"
    small = workdir / "samples-small.parquet"
    out = workdir / "out.parquet"
    write_mapping(mapping)
    tenth = max(rows // 10, 1)
    in_child(
        "from pathlib import Path\n"
        "from benchmarks.bench_convert import write_parquet_samples\n"
        f"write_parquet_samples(Path({str(samples)!r}), {rows})\n"
        f"write_parquet_samples(Path({str(small)!r}), {tenth})\n"
    )
    convert = [sys.executable, "-m", "nflex_metrics", "convert", "--quiet", str(mapping)]
    floor = [sys.executable, "-c", PARQUET_FLOOR]
    batch = str(DEFAULT_BATCH_SIZE)
    jobs = {
        "floor": ([*floor, str(samples), str(out), batch, "tuned"], rows),
        "floor/default": ([*floor, str(samples), str(out), batch, "default"], rows),
        "convert": ([*convert, str(samples), "-o", str(out)], rows),
        "convert/10": ([*convert, str(small), "-o", str(out)], tenth),
    }
    runs: dict[str, list[Run]] = {label: [] for label in jobs}
    labels = list(jobs)
    for round_ in range(rounds):
        for label in labels[round_ % len(labels) :] + labels[: round_ % len(labels)]:
            argv, count = jobs[label]
            runs[label].append(measure(label, argv, count))
            if label == "convert" and parquet_rows(out) != rows:
                raise RuntimeError(f"convert wrote {parquet_rows(out)} rows for {rows}")
    return runs


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def report_parquet(rows: int, rounds: int, runs: dict[str, list[Run]]) -> str:
    medians = {
        label: Run(
            label,
            _median([r.seconds for r in items]),
            _median([r.cpu_seconds for r in items]),
            _median([r.peak_rss_mib for r in items]),
            items[0].samples,
        )
        for label, items in runs.items()
    }
    floor, full, tenth = medians["floor"], medians["convert"], medians["convert/10"]
    default = medians["floor/default"]
    lines = [
        f"nflex-metrics convert, Parquet to Parquet: {rows:,} samples of {len(METRICS)} "
        f"metrics in row groups of {ROW_GROUP_ROWS:,} rows, python {sys.version.split()[0]}, "
        f"medians of {rounds} rounds",
        f"{'run':12} {'seconds':>8} {'samples/s':>12} {'cpu s':>7} {'samples/cpu-s':>14} "
        f"{'peak RSS':>10}  ratio (cpu)",
    ]
    for item in (floor, default, full, tenth):
        ratio = f"{item.cpu_rate / floor.cpu_rate:5.2f}x floor" if item is not floor else ""
        lines.append(
            f"{item.label:12} {item.seconds:8.2f} {item.rate:12,.0f} {item.cpu_seconds:7.2f} "
            f"{item.cpu_rate:14,.0f} {item.peak_rss_mib:7.1f} MiB  {ratio}"
        )
    growth = full.peak_rss_mib / tenth.peak_rss_mib
    met = "met" if full.cpu_rate >= PARQUET_TARGET else "missed"
    floor_met = "met" if floor.cpu_rate >= PARQUET_TARGET else "missed"
    lines += [
        f"peak RSS, full input / a tenth of it: {growth:.2f} "
        f"({'flat' if abs(growth - 1) <= 0.10 else 'NOT flat'}: target within 10%)",
        f"target {PARQUET_TARGET:,} samples per CPU second: convert {met}, "
        f"the floor itself {floor_met}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--format",
        choices=("jsonl", "parquet"),
        default="jsonl",
        help="JSON Lines in and out (jsonl), or Parquet in and out (parquet)",
    )
    parser.add_argument(
        "--lines",
        type=int,
        default=None,
        help="samples (1,000,000 for JSON Lines, 10,000,000 for Parquet)",
    )
    parser.add_argument(
        "--json",
        choices=("all", "stdlib", "orjson"),
        default="all",
        help="JSON libraries to measure (all installed)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="Parquet: rounds (3)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-convert-") as tmp:
        if args.format == "parquet":
            rows = args.lines or 10_000_000
            print(report_parquet(rows, args.rounds, run_parquet(rows, args.rounds, Path(tmp))))
            return 0
        lines = args.lines or 1_000_000
        libraries = available_libraries() if args.json == "all" else [args.json]
        results = run(lines, libraries, Path(tmp))
    print(report(lines, results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
