"""Benchmarks for nflex-connector-utils (not run by CI; see README.md here)."""
