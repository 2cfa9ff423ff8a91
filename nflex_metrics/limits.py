"""Named, configurable limits on expressions.

Past any of them the parser raises :class:`~nflex_metrics.errors.ExpressionTooComplex`
instead of running out of stack or memory.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_LIMITS", "MAX_DEPTH", "MAX_DEPTH_CEILING", "MAX_LENGTH", "MAX_NODES", "Limits"]

#: Longest accepted source text, in characters.
MAX_LENGTH = 10_000

#: Deepest accepted syntax tree (a number is depth 1, ``-x`` depth 2, ``a + b + c`` depth 3).
MAX_DEPTH = 100

#: Largest accepted syntax tree, in nodes.
MAX_NODES = 5_000

#: Hard ceiling for a configured ``max_depth``: deeper trees would exhaust Python's own
#: recursion and parser limits when compiled, so no configuration may allow them.
MAX_DEPTH_CEILING = 180


@dataclass(frozen=True)
class Limits:
    """The limits one parse runs under. The defaults are the module constants."""

    max_length: int = MAX_LENGTH
    max_depth: int = MAX_DEPTH
    max_nodes: int = MAX_NODES

    def __post_init__(self) -> None:
        for name in ("max_length", "max_depth", "max_nodes"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"Limits.{name} must be a positive int, got {value!r}")
        if self.max_depth > MAX_DEPTH_CEILING:
            raise ValueError(
                f"Limits.max_depth must be at most {MAX_DEPTH_CEILING}, got {self.max_depth}"
            )


DEFAULT_LIMITS = Limits()
