"""Side-by-side benchmarks of nflex_metrics against nflex-connector-utils 0.2.0 and simpleeval.

One command builds (and caches) a venv per side, runs the same workloads in each,
alternating the sides round by round, and prints and writes ``benchmarks/RESULTS.md``::

    python -m benchmarks.compare

See ``benchmarks/README.md`` for the options and what each workload measures.
"""
