"""The mapping the converter's tests share (JSON Lines, Parquet, the command line)."""

from __future__ import annotations

#: Metrics with a conversion, a ternary, a variable read twice, one that overflows for
#: large values, and one without a conversion.
MAPPING_TEXT = """\
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
growth:
  conversion_expr: 10 ^ value
bytes_in:
  name: bytes-in
  unit: B
  counter: true
"""
