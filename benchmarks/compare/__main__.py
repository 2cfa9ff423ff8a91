"""``python -m benchmarks.compare``: run the comparison (see :mod:`benchmarks.compare.run`)."""

from __future__ import annotations

from .run import main

raise SystemExit(main())
