"""Shared test configuration: hypothesis profiles and the opt-in markers.

Profiles (``HYPOTHESIS_PROFILE``):

- ``default``: few examples per property, so the whole default suite stays quick;
- ``deep``: many more examples (2,000, or ``HYPOTHESIS_MAX_EXAMPLES``), for the
  comparison properties (compiled vs interpreter, parser vs Lark, unparse round trips);
  CI runs it with a smaller count to stay within its time box.

Markers (deselected by default through ``addopts``; select with ``-m``):

- ``slow``: benchmark smoke tests and other long runs;
- ``spark`` / ``dask``: tests on a real Spark session or Dask cluster.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "deep",
    deadline=None,
    max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "2000")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
