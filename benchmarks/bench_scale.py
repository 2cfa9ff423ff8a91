"""Scale benchmark: one Parquet dataset converted by ``convert_table`` in one process, by
Spark on one and two local cores and by Dask on one and two worker processes.

Run from the checkout root with the ``spark`` and ``dask`` extras and Java (an engine
that is not installed is skipped)::

    python -m benchmarks.bench_scale                      # 10,000,000 samples, 3 rounds
    python -m benchmarks.bench_scale --rows 1000000 --rounds 2
    python -m benchmarks.bench_scale --quick              # tiny: a smoke run, numbers are noise

The samples (the 20 metrics of ``bench_convert``) are written once as Parquet files
under ``--data`` (default: a directory in the system's temporary directory) and reused.
Each side runs in a worker process of its own that starts its engine once (the time is
reported as *start-up*) and then, when told, runs the whole pipeline — read the
Parquet files, convert, write Parquet — and, as its floor, the same pipeline with a
pass-through in place of the conversion (for Spark a ``mapInArrow`` that returns its
batches, so the JVM-to-Python Arrow transfer is in it; for Dask a ``map_partitions``
that returns its partition). In each round every side runs once, in a rotating order;
the first round warms up (Python workers start, expressions compile) and is reported
apart; the table shows medians of the other rounds.

Columns: *parts* (the input's partitions on that side), *start-up* (the engine: a JVM
and a session, or a scheduler and its worker processes), *warm-up* (the first run),
*convert* and *floor* (the pipeline with and without the conversion), *cores busy* (the
whole machine's busy cores during a conversion: a side with one worker may still keep
two cores busy, with Arrow's Parquet threads or the JVM beside its Python worker).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from benchmarks.bench_convert import METRICS, write_mapping

#: The sides, each a worker process: (label, engine, parallelism).
SIDES = [
    ("convert_table", "arrow", 1),
    ("spark local[1]", "spark", 1),
    ("spark local[2]", "spark", 2),
    ("dask 1 worker", "dask", 1),
    ("dask 2 workers", "dask", 2),
]

#: The variables the samples carry; each metric reads some of them.
VARIABLES = ("value", "total", "disk_used", "disk_avail", "state", "load")


# ---------------------------------------------------------------------- the input


def write_dataset(directory: Path, rows: int, files: int, seed: int = 1) -> None:
    """``rows`` samples of the 20 metrics in ``files`` Parquet files, and the mapping."""
    directory.mkdir(parents=True, exist_ok=True)
    write_mapping(directory / "mapping.yaml")
    samples = directory / "samples"
    shutil.rmtree(samples, ignore_errors=True)
    samples.mkdir()
    rng = np.random.default_rng(seed)
    keys = pa.array(list(METRICS), pa.string())
    bounds = np.linspace(0, rows, files + 1).astype(np.int64)
    for number, (start, stop) in enumerate(zip(bounds[:-1], bounds[1:])):
        size = int(stop - start)
        codes = rng.integers(0, len(keys), size)
        columns: dict[str, Any] = {
            "metric": keys.take(pa.array(codes)),
            "resource_id": pa.array(np.char.add("server-", (codes * 7 % 500).astype(str))),
            "timestamp": pa.array(np.arange(start, stop, dtype=np.int64) + 1_700_000_000),
        }
        for name in VARIABLES:
            values = rng.uniform(0.0, 4.0, size).round(4)
            columns[name] = pa.array(np.ones(size) if name == "state" else values)
        pq.write_table(pa.table(columns), samples / f"part-{number:03d}.parquet")
    (directory / "rows").write_text(str(rows))


def dataset(directory: Path, rows: int, files: int) -> Path:
    """The dataset under ``directory``, written first unless it has ``rows`` rows."""
    marker = directory / "rows"
    if not (marker.exists() and marker.read_text() == str(rows)):
        print(f"writing {rows:,} samples to {directory} ...", file=sys.stderr)
        write_dataset(directory, rows, files)
    return directory


# ---------------------------------------------------------------------- the workers


class Worker:
    """A side's engine, started once; :meth:`run` times one pipeline."""

    def __init__(self, engine: str, parallelism: int, data: Path, output: Path) -> None:
        self.data, self.output = data, output
        self.mapping = str(data / "mapping.yaml")
        started = time.perf_counter()
        self._stop: Callable[[], None] = lambda: None
        if engine == "spark":
            self._run = self._spark(parallelism)
        elif engine == "dask":
            self._run = self._dask(parallelism)
        else:
            self._run = self._arrow
        self.startup = time.perf_counter() - started

    def run(self, convert: bool) -> dict[str, float]:
        shutil.rmtree(self.output, ignore_errors=True)
        started = time.perf_counter()
        extra = self._run(convert)
        return {"seconds": time.perf_counter() - started, **extra}

    def stop(self) -> None:
        self._stop()

    def _arrow(self, convert: bool) -> dict[str, float]:
        from nflex_metrics import load_metric_mapping
        from nflex_metrics.columnar import convert_table

        table = pq.read_table(self.data / "samples")
        started = time.perf_counter()
        if convert:
            table = convert_table(table, load_metric_mapping(self.mapping))
        compute = time.perf_counter() - started
        self.output.mkdir(parents=True)
        pq.write_table(table, self.output / "part-0.parquet")
        return {"compute": compute, "partitions": 1.0}

    def _spark(self, parallelism: int) -> Callable[[bool], dict[str, float]]:
        from pyspark.sql import SparkSession

        from nflex_metrics import spark as nflex_spark

        os.environ["PYSPARK_PYTHON"] = sys.executable
        spark = (
            SparkSession.builder.master(f"local[{parallelism}]")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.memory", "4g")
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
        self._stop = spark.stop

        def passthrough(batches: Iterator[Any]) -> Iterator[Any]:
            yield from batches

        def run(convert: bool) -> dict[str, float]:
            samples = spark.read.parquet(str(self.data / "samples"))
            if convert:
                out = nflex_spark.convert(samples, self.mapping)
            else:
                out = samples.mapInArrow(passthrough, samples.schema)
            out.write.parquet(str(self.output))
            return {"partitions": float(samples.rdd.getNumPartitions())}

        return run

    def _dask(self, parallelism: int) -> Callable[[bool], dict[str, float]]:
        import dask.dataframe as dd
        from distributed import Client, LocalCluster

        from nflex_metrics import dask as nflex_dask

        cluster = LocalCluster(
            n_workers=parallelism,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            memory_limit="8GiB",
        )
        client = Client(cluster)

        def stop() -> None:
            client.close()
            cluster.close()

        self._stop = stop

        def run(convert: bool) -> dict[str, float]:
            samples = dd.read_parquet(str(self.data / "samples"))
            if convert:
                out = nflex_dask.convert(samples, self.mapping)
            else:
                out = samples.map_partitions(lambda frame: frame, meta=samples._meta)
            out.to_parquet(str(self.output), write_index=False)
            return {"partitions": float(samples.npartitions)}

        return run


def worker_main(engine: str, parallelism: int, data: Path, output: Path) -> int:
    """Serve one side: print the start-up time, then one JSON line per command read
    from stdin (``convert`` or ``passthrough``) until ``quit``."""
    worker = Worker(engine, parallelism, data, output)
    print(json.dumps({"startup": worker.startup}), flush=True)
    for line in sys.stdin:
        command = line.strip()
        if command == "quit":
            break
        print(json.dumps(worker.run(convert=command == "convert")), flush=True)
    worker.stop()
    shutil.rmtree(output, ignore_errors=True)
    return 0


# ---------------------------------------------------------------------- the driver


def _busy_seconds() -> float:
    """CPU seconds the machine has spent busy (all cores, every process) since boot; NaN
    without psutil (which comes with distributed)."""
    try:
        import psutil
    except ImportError:
        return float("nan")
    times = psutil.cpu_times()
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))


def _spin(_: object = None) -> float:
    """The time of a fixed pure-Python loop."""
    started = time.perf_counter()
    total = 0
    for i in range(5_000_000):
        total += i
    return time.perf_counter() - started


def cores_free() -> float:
    """How many cores this machine gives two busy processes right now: 2.0 when both
    run as fast as one alone, 1.0 when they share one core (other jobs on the machine
    take the rest). Scaling from 1 to 2 cannot beat it."""
    import multiprocessing

    alone = statistics.median(_spin() for _ in range(3))
    with multiprocessing.Pool(2) as pool:
        together = max(pool.map(_spin, range(2)))
    return min(2.0, 2 * alone / together)


@dataclass
class Side:
    """A side's worker process and its measurements."""

    label: str
    engine: str
    parallelism: int
    process: subprocess.Popen[str]
    startup: float = 0.0
    runs: dict[str, list[float]] = field(default_factory=lambda: {"convert": [], "passthrough": []})
    compute: list[float] = field(default_factory=list)
    busy: list[float] = field(default_factory=list)
    warmup: dict[str, float] = field(default_factory=dict)
    partitions: int = 0

    def ask(self, command: str) -> dict[str, float]:
        """Run ``command`` in the worker: its answer, with ``busy``, the cores the whole
        machine kept busy meanwhile (this side, and any other job on the machine)."""
        assert self.process.stdin is not None and self.process.stdout is not None
        before, started = _busy_seconds(), time.perf_counter()
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the {self.label} worker stopped (see its log)")
        answer: dict[str, float] = json.loads(line)
        answer["busy"] = (_busy_seconds() - before) / (time.perf_counter() - started)
        return answer

    def median(self, kind: str) -> float:
        return statistics.median(self.runs[kind])

    def conversion(self) -> float:
        """What the conversion adds to the pipeline: convert - floor."""
        return self.median("convert") - self.median("passthrough")


def available(engine: str) -> bool:
    modules = {"arrow": "pyarrow", "spark": "pyspark", "dask": "distributed"}
    try:
        __import__(modules[engine])
    except ImportError:
        return False
    return engine != "spark" or shutil.which("java") is not None


def start(label: str, engine: str, parallelism: int, data: Path, scratch: Path) -> Side:
    output = scratch / label.replace(" ", "-").replace("[", "").replace("]", "")
    log = (scratch / f"{output.name}.log").open("w")
    root = Path(__file__).resolve().parent.parent
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "benchmarks.bench_scale",
            "--worker",
            engine,
            str(parallelism),
            "--data",
            str(data),
            "--output",
            str(output),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        cwd=root,
        env=env,
    )
    side = Side(label, engine, parallelism, process)
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        raise RuntimeError(f"the {label} worker did not start: see {log.name}")
    side.startup = json.loads(line)["startup"]
    return side


def run(data: Path, rounds: int, sides: Sequence[tuple[str, str, int]]) -> list[Side]:
    """Start every side, then ``rounds`` + 1 rounds (the first one a warm-up)."""
    scratch = Path(tempfile.mkdtemp(prefix="nflex-bench-scale-"))
    started: list[Side] = []
    try:
        for label, engine, parallelism in sides:
            started.append(start(label, engine, parallelism, data, scratch))
        for number in range(rounds + 1):
            order = started[number % len(started) :] + started[: number % len(started)]
            for side in order:
                for kind in ("convert", "passthrough"):
                    answer = side.ask(kind)
                    side.partitions = int(answer["partitions"])
                    if number == 0:
                        side.warmup[kind] = answer["seconds"]
                        continue
                    side.runs[kind].append(answer["seconds"])
                    if kind == "convert":
                        side.busy.append(answer["busy"])
                        if "compute" in answer:
                            side.compute.append(answer["compute"])
            print(f"round {number} done", file=sys.stderr)
    finally:
        for side in started:
            if side.process.poll() is None:
                assert side.process.stdin is not None
                side.process.stdin.write("quit\n")
                side.process.stdin.close()
                side.process.wait(timeout=120)
        shutil.rmtree(scratch, ignore_errors=True)
    return started


def report(sides: Sequence[Side], rows: int, rounds: int) -> str:
    reference = next((s for s in sides if s.engine == "arrow"), None)
    lines = [
        f"{rows:,} samples of {len(METRICS)} metrics, Parquet in and out; "
        f"medians of {rounds} round(s) after a warm-up; seconds",
        "",
        f"{'side':<16}{'parts':>6}{'start-up':>9}{'warm-up':>9}{'convert':>9}{'floor':>9}"
        f"{'convert-floor':>15}{'cores busy':>11}{'samples/s':>12}{'vs convert_table':>18}",
    ]
    for side in sides:
        convert, floor = side.median("convert"), side.median("passthrough")
        versus = f"{convert / reference.median('convert'):.2f}x" if reference else "-"
        lines.append(
            f"{side.label:<16}{side.partitions:>6}{side.startup:>9.1f}{side.warmup['convert']:>9.1f}{convert:>9.2f}"
            f"{floor:>9.2f}{side.conversion():>15.2f}{statistics.median(side.busy):>11.2f}"
            f"{rows / convert:>12,.0f}{versus:>18}"
        )
    if reference and reference.compute:
        lines.append("")
        lines.append(
            f"convert_table alone (no Parquet): {statistics.median(reference.compute):.2f} s"
        )
    for engine in ("spark", "dask"):
        one = next((s for s in sides if s.engine == engine and s.parallelism == 1), None)
        two = next((s for s in sides if s.engine == engine and s.parallelism == 2), None)
        if one and two:
            whole = one.median("convert") / two.median("convert")
            alone = one.conversion() / max(two.conversion(), 1e-9)
            lines.append(
                f"{engine} scaling, 1 -> 2: {whole:.2f}x (the conversion alone, "
                f"convert - floor: {alone:.2f}x)"
            )
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--files", type=int, default=10, help="Parquet files of the input")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="20,000 rows, 1 round")
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(tempfile.gettempdir()) / "nflex-bench-scale",
        help="where the input is written once and reused (default: %(default)s)",
    )
    parser.add_argument("--worker", nargs=2, metavar=("ENGINE", "N"), help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker_main(args.worker[0], int(args.worker[1]), args.data, args.output)
    rows, rounds = (20_000, 1) if args.quick else (args.rows, args.rounds)
    data = dataset(args.data / f"rows-{rows}", rows, args.files)
    sides = [side for side in SIDES if available(side[1])]
    skipped = [label for label, engine, _ in SIDES if not available(engine)]
    free_before = cores_free()
    results = run(data, rounds, sides)
    print(report(results, rows, rounds))
    print(f"cores free for two busy processes: {free_before:.2f} before, {cores_free():.2f} after")
    if skipped:
        print(f"skipped (not installed): {', '.join(skipped)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
