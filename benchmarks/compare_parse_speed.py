"""Parse time of two checkouts side by side: ``python -m benchmarks.compare_parse_speed OLD NEW``.

OLD and NEW are checkout directories, each with its own ``.venv``. A worker process runs
in each; the rounds alternate between them and each workload's time is the median over
the rounds of the median parse time of a round (never-seen text: parse keeps no cache).
Prints the table of the commit message: per workload, old and new microseconds and
their ratio.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

WORKER = r"""
import json, statistics, sys, time
sys.path.insert(0, ".")
from benchmarks.workloads import WORKLOADS
from nflex_metrics.syntax import parse
for line in sys.stdin:
    samples = int(line)
    out = {}
    for workload in WORKLOADS:
        text = workload.text
        times = []
        for _ in range(samples):
            start = time.perf_counter()
            parse(text)
            times.append(time.perf_counter() - start)
        out[workload.label] = statistics.median(times) * 1e6
    print(json.dumps(out), flush=True)
"""


def main(argv: list[str]) -> None:
    old, new = (Path(a).resolve() for a in argv[1:3])
    rounds = int(argv[3]) if len(argv) > 3 else 15
    samples = int(argv[4]) if len(argv) > 4 else 300
    workers = {}
    for side, root in (("old", old), ("new", new)):
        workers[side] = subprocess.Popen(
            [str(root / ".venv/bin/python"), "-c", WORKER],
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
    results: dict[str, dict[str, list[float]]] = {"old": {}, "new": {}}
    for round_ in range(rounds):
        order = ("old", "new") if round_ % 2 == 0 else ("new", "old")
        for side in order:
            worker = workers[side]
            assert worker.stdin is not None and worker.stdout is not None
            worker.stdin.write(f"{samples}\n")
            worker.stdin.flush()
            for label, us in json.loads(worker.stdout.readline()).items():
                results[side].setdefault(label, []).append(us)
    for worker in workers.values():
        assert worker.stdin is not None
        worker.stdin.close()
        worker.wait()
    print(f"| workload | old µs | new µs | new/old |  ({rounds} rounds x {samples} parses)")
    print("|---|---:|---:|---:|")
    for label in results["old"]:
        before = statistics.median(results["old"][label])
        after = statistics.median(results["new"][label])
        print(f"| {label} | {before:.1f} | {after:.1f} | {after / before:.2f} |")


if __name__ == "__main__":
    main(sys.argv)
