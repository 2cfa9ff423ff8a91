"""The comparison driver: builds the venvs, alternates the sides, writes the table.

Run from the repository root with any Python >= 3.9 (it imports nothing of ours; every
measurement happens in a worker process inside a side's venv)::

    python -m benchmarks.compare            # full run, writes benchmarks/RESULTS.md
    python -m benchmarks.compare --quick    # fewer rounds and samples
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import functools
import json
import math
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional, TextIO

from benchmarks.workloads import WORKLOADS, Workload

from . import mappings, results
from .results import Budget, Row, Target
from .venvs import DEFAULT_CACHE_DIR, Env, Side, current_python_env, ensure_venv
from .venvs import project_dependencies as _project_dependencies

ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("worker.py")
RESULTS_MD = ROOT / "benchmarks" / "RESULTS.md"

REF_020 = "nflex-connector-utils==0.2.0"


def all_sides() -> list[Side]:
    """Our working tree and the three peers, in table order."""
    return [
        Side("ours", "ours", "ours", _project_dependencies(ROOT / "pyproject.toml"), True),
        Side("v020_pp2", "0.2.0 + pyparsing<3", "nflex020", (REF_020, "pyparsing<3")),
        Side("v020_pp3", "0.2.0 + pyparsing>=3", "nflex020", (REF_020, "pyparsing>=3")),
        Side("simpleeval", "simpleeval", "simpleeval", ("simpleeval",), has_mapping=False),
    ]


V020 = ("v020_pp2", "v020_pp3")


@dataclass
class Settings:
    rounds: int
    target_seconds: float
    samples: int
    mapping_sizes: tuple[int, ...]


class WorkerProcess:
    """A worker running in one side's venv, spoken to in JSON lines."""

    def __init__(self, env: Env, cwd: Path) -> None:
        self.env = env
        self._stderr = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed in close())
        self._proc = subprocess.Popen(
            [env.python, "-I", str(WORKER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            cwd=cwd,
        )

    def request(self, **request: Any) -> dict[str, Any]:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        try:
            self._proc.stdin.write(json.dumps(request) + "\n")
            self._proc.stdin.flush()
            line = self._proc.stdout.readline()
        except BrokenPipeError:
            line = ""
        if not line:
            self._stderr.seek(0)
            tail = self._stderr.read()[-2000:]
            raise RuntimeError(f"worker for {self.env.side.key} died: {tail}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def close(self) -> None:
        if self._proc.poll() is None:
            with contextlib.suppress(RuntimeError, ValueError):
                self.request(op="quit")
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
        self._stderr.close()


def rotated(items: Sequence[str], k: int) -> list[str]:
    """``items`` starting at position ``k`` (mod len): A/B/C, B/C/A, ... across rounds."""
    k %= max(len(items), 1)
    return [*items[k:], *items[:k]]


def cold_code(side: Side, body: str) -> str:
    """A ``python -c`` program for a fresh process; ours puts the working tree on sys.path."""
    prefix = f"import sys; sys.path.insert(0, {str(ROOT)!r}); " if side.from_tree else ""
    return prefix + body


def cold_programs(side: Side, mapping_files: dict[int, Path]) -> dict[str, str]:
    """Cold-start workload name -> program, for one side."""
    if not side.has_mapping:
        return {}
    if side.from_tree:
        imp, loader = "import nflex_metrics", "nflex_metrics.mapping"
    else:
        imp, loader = "import nflex_connector_utils", "nflex_connector_utils.parser"
    programs = {"python -c pass": "pass", "import": imp}
    if side.from_tree:
        programs["import (drop-in nflex_connector_utils)"] = "import nflex_connector_utils.parser"
    for size, path in mapping_files.items():
        programs[f"load_metric_mapping, {size} entries"] = (
            f"from {loader} import load_metric_mapping as load; "
            f"assert len(load({str(path)!r})) == {size}"
        )
    return {name: cold_code(side, body) for name, body in programs.items()}


def time_process(python: str, code: str, cwd: Path) -> float:
    """Wall-clock seconds of a whole fresh ``python -I -c code`` process."""
    start = time.perf_counter()
    proc = subprocess.run(
        [python, "-I", "-c", code], cwd=cwd, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip().splitlines()[-1] if proc.stderr else "failed")
    return seconds


class Comparison:
    """Runs every workload on every side, alternating, and collects the rows."""

    def __init__(
        self,
        sides: list[Side],
        envs: dict[str, Env],
        broken: dict[str, str],
        settings: Settings,
        workdir: Path,
        log: Callable[[str], None],
    ) -> None:
        self.sides = sides
        self.envs = envs
        self.broken = broken
        self.settings = settings
        self.workdir = workdir
        self.log = log
        self.workers: dict[str, WorkerProcess] = {}
        self.versions: dict[str, dict[str, str]] = {}
        self.rows: dict[tuple[str, str], Row] = {}
        self.mapping_files = {
            size: mappings.write_mapping(workdir, size) for size in settings.mapping_sizes
        }

    # -- bookkeeping -------------------------------------------------------------------
    def row(self, bench: str, workload: str, unit: str, targets: tuple[Target, ...]) -> Row:
        key = (bench, workload)
        if key not in self.rows:
            self.rows[key] = Row(bench, workload, unit, targets=targets)
        return self.rows[key]

    def record(self, row: Row, side: str, keep: bool, measure: Callable[[], float]) -> None:
        cell = row.cell(side)
        if cell.error is not None:
            return
        if side in self.broken:
            cell.error = self.broken[side]
            return
        try:
            seconds = measure()
        except Exception as exc:  # one failing side must not stop the comparison
            cell.error = str(exc)
            return
        if keep:
            cell.samples.append(seconds)

    def ask(self, side: str, **request: Any) -> float:
        answer = self.workers[side].request(**request)
        if not answer.get("ok"):
            raise RuntimeError(answer.get("error", "worker error"))
        seconds: float = answer["seconds"]
        return seconds

    # -- the run -----------------------------------------------------------------------
    def start(self) -> None:
        for side in self.sides:
            if side.key in self.broken:
                continue
            worker = WorkerProcess(self.envs[side.key], self.workdir)
            self.workers[side.key] = worker
            try:
                answer = worker.request(
                    op="setup",
                    adapter=side.adapter,
                    sys_path=[str(ROOT)] if side.from_tree else [],
                )
            except RuntimeError as exc:
                answer = {"ok": False, "error": str(exc)}
            if not answer.get("ok"):
                self.broken[side.key] = f"setup: {answer.get('error')}"
                continue
            self.versions[side.key] = {"python": answer["python"], **answer["versions"]}

    def stop(self) -> None:
        for worker in self.workers.values():
            worker.close()

    def run(self) -> list[Row]:
        rounds = self.settings.rounds
        for r in range(rounds + 1):
            keep = r > 0  # round 0 warms up, calibrates and writes bytecode; discarded
            self.log(f"round {r}/{rounds}{'' if keep else ' (warm-up, discarded)'}")
            self.expression_round(r, keep)
            self.cold_round(r, keep)
            self.conversion_round(r, keep)
        return list(self.rows.values())

    def expression_round(self, r: int, keep: bool) -> None:
        eval_targets = (
            Target(V020, 5.0, "0.2.0"),
            Target(("simpleeval",), 1.0, "simpleeval", strict=True),
        )
        parse_targets = (Target(("v020_pp3",), 3.0, "0.2.0 on pyparsing 3"),)
        benches = (
            ("parse", "parse", "µs", parse_targets),
            ("first_value", "new text -> first value", "µs", parse_targets),
            ("evaluate", "evaluate", "µs", eval_targets),
        )
        keys = [s.key for s in self.sides]
        for w in WORKLOADS:
            for op, bench, unit, targets in benches:
                row = self.row(bench, w.label, unit, targets)
                for side in rotated(keys, r):
                    self.record(
                        row, side, keep, functools.partial(self.ask, side, **self._job(op, w))
                    )
                if op == "first_value":
                    self.new_shape(w, row, keep, targets)
            if "ours" not in self.broken:
                self.versus_hand(w, keep)

    def versus_hand(self, w: Workload, keep: bool) -> None:
        """Ours against the same formula written by hand, in our worker (the budgets)."""
        forms = (
            ("evaluate", "evaluate vs by hand", "the float() lambda"),
            ("keywords", "entry.value(**5 kw) vs by hand", "a **kw function"),
        )
        for form, bench, label in forms:
            row = self.row(bench, w.label, "µs", ())
            row.budget = Budget(1.15, label)
            job = {**self._job("versus_hand", w), "form": form}
            try:
                answer = self.workers["ours"].request(**job)
            except RuntimeError as exc:
                answer = {"ok": False, "error": str(exc)}
            if not answer.get("ok"):
                row.cell("ours").error = answer.get("error", "worker error")
            elif keep:
                row.cell("ours").samples.append(answer["seconds"])
                row.reference.samples.append(answer["reference_seconds"])

    def new_shape(self, w: Workload, first: Row, keep: bool, targets: tuple[Target, ...]) -> None:
        """Ours again with its generated-code cache emptied before every call; the peers
        have no such cache, so their cells are those of the first-value row."""
        row = self.row("new shape -> first value", w.label, first.unit, targets)
        job = {**self._job("first_value", w), "new_shape": True}
        self.record(row, "ours", keep, functools.partial(self.ask, "ours", **job))
        for side in first.cells:
            if side != "ours":
                row.cells[side] = first.cells[side]

    def _job(self, op: str, w: Workload) -> dict[str, Any]:
        return {
            "op": op,
            "label": w.label,
            "text": w.text,
            "python_text": w.python_text,
            "row": dict(w.row),
            "expected": w.by_hand(w.row),
            "target": self.settings.target_seconds,
        }

    def cold_round(self, r: int, keep: bool) -> None:
        programs = {s.key: cold_programs(s, self.mapping_files) for s in self.sides}
        names = dict.fromkeys(name for p in programs.values() for name in p)
        for name in names:
            targets: tuple[Target, ...] = ()
            if name == "import":
                targets = (Target(V020, 1.0, "0.2.0", strict=True),)
            elif name.startswith("load_metric_mapping"):
                size = int(name.split(", ")[1].split()[0])
                targets = (Target(V020, 5.0 if size >= 1000 else 2.0, "0.2.0"),)
            row = self.row("cold start", name, "ms", targets)
            for side in rotated(list(programs), r):
                code = programs[side].get(name)
                if code is None:
                    continue
                python = self.envs[side].python if side in self.envs else sys.executable
                self.record(
                    row, side, keep, functools.partial(time_process, python, code, self.workdir)
                )

    def conversion_round(self, r: int, keep: bool) -> None:
        n = self.settings.samples
        label = f"{n:,} samples of `{mappings.CONVERT_EXPR}`"
        path = str(self.mapping_files[min(self.mapping_files)])
        columnar = self.row("convert", label, "ms", (Target(V020, 20.0, "0.2.0"),))
        # Ours calling value() per sample, against the same peer cells (measured once).
        per_sample = self.row("convert, ours per-sample value()", label, "ms", ())
        expected = expected_checksum(n)
        for side in rotated([s.key for s in self.sides if s.has_mapping], r):
            modes = [("columnar", columnar), ("per_sample", per_sample)]
            for mode, row in modes if side == "ours" else [("per_sample", columnar)]:
                job = {
                    "op": "convert",
                    "mapping": path,
                    "key": mappings.CONVERT_KEY,
                    "samples": n,
                    "mode": mode,
                    "expected_checksum": expected,
                }
                self.record(row, side, keep, functools.partial(self.ask, side, **job))
            if side != "ours":
                per_sample.cells[side] = columnar.cell(side)


@functools.lru_cache(maxsize=None)  # noqa: UP033 (Python 3.9 has no functools.cache)
def expected_checksum(n: int) -> float:
    """The exact sum of the converted samples, worked out here as the oracle."""
    return math.fsum(float(i % 9973) * 1024.5 / 1024.0 / 1024.0 for i in range(n))


def side_title(side: Side, versions: dict[str, str]) -> str:
    """The column header: the side with the versions its worker reported."""
    if side.adapter == "nflex020" and "pyparsing" in versions:
        return f"0.2.0 + pyparsing {versions['pyparsing']}"
    if side.adapter == "simpleeval" and "simpleeval" in versions:
        return f"simpleeval {versions['simpleeval']}"
    return side.title


def machine_description() -> list[str]:
    """What the numbers were taken on."""
    cpu = platform.processor() or platform.machine()
    memory = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            names = [ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")]
        cpu = names[0] if names else cpu
        with open("/proc/meminfo", encoding="utf-8") as f:
            kb = next(int(ln.split()[1]) for ln in f if ln.startswith("MemTotal"))
        memory = f", {kb / 1024 / 1024:.1f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    return [
        f"{platform.system()} {platform.release()} ({platform.machine()}), {platform.platform()}",
        f"CPU: {cpu}, {os.cpu_count()} logical cores{memory}",
        f"Python {platform.python_version()} ({platform.python_implementation()})",
    ]


def load_average() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg()) + " (1 / 5 / 15 min)"
    except (OSError, AttributeError):
        return "unknown"


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.compare",
        description="Benchmark nflex_metrics (working tree) against nflex-connector-utils "
        "0.2.0 and simpleeval, side by side, and write benchmarks/RESULTS.md.",
    )
    p.add_argument("--quick", action="store_true", help="3 rounds, 100,000 samples, short timings")
    p.add_argument("--rounds", type=int, help="measured rounds per workload (default 5)")
    p.add_argument("--samples", type=int, help="samples converted (default 1,000,000)")
    p.add_argument("--target-seconds", type=float, help="length of one timing (default 0.2)")
    p.add_argument(
        "--mapping-sizes", default="50,1000", help="entries of the generated mapping files"
    )
    p.add_argument("--sides", help="comma-separated subset of: ours,v020_pp2,v020_pp3,simpleeval")
    p.add_argument(
        "--only-ours",
        action="store_true",
        help="run our side alone with this interpreter, no venvs (the CI smoke test)",
    )
    p.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR, help="venv cache")
    p.add_argument("--refresh", action="store_true", help="rebuild the cached venvs")
    p.add_argument("--python", default=sys.executable, help="base interpreter of the venvs")
    p.add_argument("--output", type=Path, default=RESULTS_MD, help="where to write RESULTS.md")
    p.add_argument("--no-write", action="store_true", help="print the table only")
    return p.parse_args(argv)


def settings_from(args: argparse.Namespace) -> Settings:
    quick = bool(args.quick)
    return Settings(
        rounds=args.rounds or (3 if quick else 5),
        target_seconds=args.target_seconds or (0.05 if quick else 0.2),
        samples=args.samples or (100_000 if quick else 1_000_000),
        mapping_sizes=tuple(int(x) for x in args.mapping_sizes.split(",")),
    )


def method_notes(settings: Settings, sides: list[Side]) -> list[str]:
    titles = ", ".join(f"{s.title} ({' '.join(s.requirements) or '-'})" for s in sides)
    return [
        f"Sides and their venv requirements: {titles}. Ours runs from the working tree "
        "(its venv has only the project's runtime dependencies).",
        f"{settings.rounds} measured rounds after one discarded warm-up round; within a "
        "round every workload runs on each side in turn, the order rotating every round "
        "(A/B/C, B/C/A, ...). Cells are medians over the rounds.",
        f"parse / evaluate: one timing runs about {settings.target_seconds:g} s of calls "
        "(count calibrated in the warm-up round, then fixed); the garbage collector is on "
        "and collected before each timing; loop overhead is included on every side.",
        "parse is text -> tree (ours: `nflex_metrics.syntax.parse`; 0.2.0: `.parse()` of "
        "the narrowest parser class holding the text, built once outside the timing; "
        "simpleeval: `SimpleEval().parse` of the Python equivalent). 'new text -> first "
        "value' adds what a user needs before the first number (ours: `compile(text)."
        "evaluate(row)`; a new expression's first evaluations are interpreted, and its "
        "Python code is generated once it is hot). 'new shape -> first value' also empties "
        "our cache of generated code before every call (`clear_cache(generated_code=True)`) "
        "(the peers have no such cache: their cells repeat the first-value ones).",
        "Every parse sees a text no cache has seen: the last numeric constant of the "
        "expression gets a 10-digit counter as extra fraction digits (`value * 10` -> "
        "`value * 10.0000000123`), so text length and tokens are the same for every "
        "call, and neither our LRU nor any other cache can answer it.",
        "evaluate: one parsed expression called with the workload's row; simpleeval's "
        "names are set once and the parsed tree reused (`eval(text, previously_parsed=)`).",
        "evaluate vs by hand / entry.value(**5 kw) vs by hand: in our worker, alternating "
        "with the same formula written by hand in `benchmarks/workloads.py`: "
        "`expr.evaluate(row)` against the formula reading each variable with `float()` "
        "(`lambda m: float(m['value']) * 10.0`), and `entry.value(**kw)` with five keyword "
        "arguments against that formula as a `**kw` function called the same way; the "
        "cell adds the reference's median, the last column our median over it.",
        "Every side's value is checked against the hand-written formula in "
        "`benchmarks/workloads.py`; a side that cannot parse or gives a wrong value shows "
        "`failed`.",
        "cold start: wall-clock time of a whole fresh `python -I -c ...` process "
        "(interpreter start, imports, loading the file), from the driver; bytecode is "
        "warm (written in the warm-up round). The mapping files are generated with "
        "arithmetic and ternary expressions only, because 0.2.0's loader "
        "(SimpleExpressionParser) has no CASE; constants differ per entry.",
        f"convert: {settings.samples:,} float samples of one metric; 0.2.0 calls "
        "`entry.value(value=x)` per sample in a list comprehension, ours calls "
        "`entry.convert_columns({'value': samples})`; the checksum of the results must "
        "match ours.",
    ]


def main(argv: Optional[Sequence[str]] = None, out: TextIO = sys.stdout) -> int:
    args = parse_args(argv)
    settings = settings_from(args)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    sides = all_sides()
    if args.only_ours:
        sides = sides[:1]
    elif args.sides:
        wanted = set(args.sides.split(","))
        sides = [s for s in sides if s.key in wanted or s.key == "ours"]

    envs: dict[str, Env] = {}
    broken: dict[str, str] = {}
    for side in sides:
        if args.only_ours:
            envs[side.key] = current_python_env(side)
            continue
        try:
            envs[side.key] = ensure_venv(
                side, args.cache_dir, args.python, refresh=args.refresh, log=log
            )
        except RuntimeError as exc:
            log(f"  {side.title}: {exc}")
            broken[side.key] = f"venv: {str(exc).splitlines()[-1]}"

    load_before = load_average()
    started = _dt.datetime.now(_dt.timezone.utc)
    with tempfile.TemporaryDirectory(prefix="nflex-bench-") as tmp:
        comparison = Comparison(sides, envs, broken, settings, Path(tmp), log)
        try:
            comparison.start()
            rows = comparison.run()
        finally:
            comparison.stop()
    elapsed = _dt.datetime.now(_dt.timezone.utc) - started
    load_after = load_average()

    titles = {s.key: side_title(s, comparison.versions.get(s.key, {})) for s in sides}
    table = results.render_table(rows, [s.key for s in sides], titles)
    print(table, file=out)

    if not args.no_write:
        versions = []
        for s in sides:
            got = comparison.versions.get(s.key)
            what = ", ".join(f"{k} {v}" for k, v in got.items()) if got else broken.get(s.key)
            versions.append(f"{s.title}: {what}")
        command = "python -m benchmarks.compare " + shlex.join(list(argv or sys.argv[1:]))
        text = results.render_results(
            command=command.strip(),
            when=f"{started:%Y-%m-%d %H:%M} UTC, took {elapsed.total_seconds():.0f} s",
            machine=[
                *machine_description(),
                f"Load average before: {load_before}; after: {load_after}",
            ],
            versions=versions,
            method=method_notes(settings, sides),
            table=table,
            notes=results.existing_notes(args.output),
        )
        args.output.write_text(text, encoding="utf-8")
        log(f"wrote {args.output}")
    return 0
