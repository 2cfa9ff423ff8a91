"""For the mapping tests: load as if PyYAML had (or had not) been built with libyaml.

The loader composes with libyaml when ``yaml.__with_libyaml__`` says PyYAML has it, and
with PyYAML's own Python loader otherwise; both must give the same results.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
import yaml

#: How PyYAML composes: libyaml (when this PyYAML has it) or PyYAML's Python loader.
LOADERS = [
    pytest.param(
        True,
        id="libyaml",
        marks=pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML without libyaml"),
    ),
    pytest.param(False, id="pyyaml"),
]


@contextlib.contextmanager
def libyaml(enabled: bool) -> Iterator[None]:
    """Load as if PyYAML had (or had not) been built with libyaml."""
    saved = yaml.__with_libyaml__
    yaml.__with_libyaml__ = enabled and saved
    try:
        yield
    finally:
        yaml.__with_libyaml__ = saved
