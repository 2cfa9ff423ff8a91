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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--lines", type=int, default=1_000_000, help="samples (1,000,000)")
    parser.add_argument(
        "--json",
        choices=("all", "stdlib", "orjson"),
        default="all",
        help="JSON libraries to measure (all installed)",
    )
    args = parser.parse_args(argv)
    libraries = available_libraries() if args.json == "all" else [args.json]
    with tempfile.TemporaryDirectory(prefix="bench-convert-") as tmp:
        results = run(args.lines, libraries, Path(tmp))
    print(report(args.lines, results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
