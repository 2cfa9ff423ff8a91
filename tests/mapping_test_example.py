"""The mapping and the mapping test file of the ``nflex-metrics test`` format's own
example, shared by the tests of the loader, the CLI and the pytest plugin."""

MAPPING = """\
disk_usage:
  conversion_expr: >
    CASE WHEN disk_avail = 0 THEN NULL
         ELSE disk_used / disk_avail * 100 END
cpu_usage:
  conversion_expr: value * 100
"""

TESTS = """\
mapping: mapping.yaml            # relative to the test file
tests:
  - metric: disk_usage
    cases:
      - {input: {disk_used: 30, disk_avail: 120}, expect: 25.0}
      - {input: {disk_used: 30, disk_avail: 0}, expect: null}
      - {input: {disk_used: 30}, error: VariableLookupError}
  - metric: cpu_usage
    cases:
      - {input: {value: 0.421}, expect: 42.1, tolerance: 1e-9}
"""
