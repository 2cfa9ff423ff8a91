"""``python -m nflex_metrics``: the ``nflex-metrics`` command line."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
