"""``Expression``: a parsed, compiled conversion expression, and the cached ``compile``.

>>> expr = compile("value * 100 if total > 0 else 0")
>>> expr.evaluate({"value": 0.25, "total": 4}), expr(value=1, total=0)
(25.0, 0.0)
>>> expr.evaluate_columns({"value": [0.5, None], "total": [1, 1]})
[50.0, None]
>>> compile("value * 100 if total > 0 else 0") is expr
True
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Optional, overload

from . import interpreter
from .compiler import Compiled, clear_code_cache, compile_tree
from .limits import DEFAULT_LIMITS, MAX_DEPTH, MAX_DEPTH_CEILING, MAX_LENGTH, MAX_NODES, Limits
from .nodes import Expr, Name, walk

if TYPE_CHECKING:
    from .syntax import Dialect
    from .vectorized import MaskedFloats, Reasons

__all__ = ["CACHE_SIZE", "Expression", "cache_info", "clear_cache", "compile"]

#: How many compiled expressions :func:`compile` keeps (least recently used go first).
CACHE_SIZE = 4096

#: Evaluations of one expression that the reference interpreter answers before Python
#: code is generated for it. An interpreted row costs 1-3 µs, generating and compiling
#: an expression's code 100-300 µs, so an expression evaluated only a few times in a
#: process (a mapping entry in a short run, ``nflex-metrics eval``) is cheaper
#: interpreted; one evaluated more often gets its code. Batches compile at once.
INTERPRETED_CALLS = 16


class Expression:
    """A conversion expression: its source, syntax tree and compiled functions.

    Equal (and hashing equal) when the dialect and the tree are equal, i.e. when the
    canonical texts are: ``compile("a*2") == compile("a * 2.0")``. Pickles as its
    source, dialect and limits, so it ships to multiprocessing, Dask or Spark workers,
    which compile it again (once per process, thanks to the cache).

    The first :data:`INTERPRETED_CALLS` evaluations are answered by the interpreter;
    then Python code is generated and compiled, and from then on ``expr.evaluate`` is
    the generated function itself: one call per row (a reference taken before that
    stays the method, which costs a call more). Batches compile at once.
    """

    source: str
    dialect: Dialect
    limits: Limits
    tree: Expr
    #: The text that parses to :attr:`tree` under :attr:`limits`: the source, or for
    #: :meth:`from_tree` the canonical text (the source given there may be any label).
    _text: str
    _hash: Optional[int]

    def __init__(
        self, source: str, dialect: Dialect = "full", limits: Limits = DEFAULT_LIMITS
    ) -> None:
        """Parse ``source``; raises ExpressionSyntaxError or ExpressionTooComplex.

        Prefer :func:`compile`, which caches.
        """
        if not isinstance(source, str):
            raise TypeError(f"an expression must be a str, got {type(source).__name__}")
        from .syntax import parse  # lazy: the parser's tables load on first use

        self._setup(source, dialect, limits, parse(source, dialect, limits), source)

    @classmethod
    def from_tree(
        cls, tree: Expr, dialect: Dialect = "full", source: Optional[str] = None
    ) -> Expression:
        """An Expression for a syntax tree (its source defaults to the canonical text).

        The tree must be one that :func:`~nflex_metrics.syntax.parse` can produce for
        ``dialect``: a hand-built tree with an unknown operator, a negative literal or a
        condition where a value belongs raises ``ValueError`` instead of compiling. Its
        :attr:`limits` are the defaults, raised where the tree needs more (a longer
        canonical text, a depth up to ``MAX_DEPTH_CEILING``), so that it pickles.
        """
        text, limits = _check_tree(tree, dialect)
        expr = cls.__new__(cls)
        expr._setup(text if source is None else source, dialect, limits, tree, text)
        return expr

    def _setup(self, source: str, dialect: Dialect, limits: Limits, tree: Expr, text: str) -> None:
        fields = self.__dict__
        fields["source"] = source
        fields["dialect"] = dialect
        fields["limits"] = limits
        fields["tree"] = tree
        fields["_text"] = text
        fields["_hash"] = None
        fields["_calls"] = 0  # evaluations so far, up to INTERPRETED_CALLS (racy: a hint)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Expression is immutable (cannot set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Expression is immutable (cannot delete {name!r})")

    # -- evaluation

    def _compiled(self) -> Compiled:
        """The generated functions, compiled on the first call and kept on the instance.

        Also stores the generated ``evaluate`` as this instance's ``evaluate`` attribute,
        which then shadows the method below: later ``expr.evaluate(row)`` is one call.
        """
        compiled: Optional[Compiled] = self.__dict__.get("_code")
        if compiled is None:
            # Two threads may both compile; either result is right, the first is kept.
            compiled = self.__dict__.setdefault("_code", compile_tree(self.tree))
            self.__dict__["evaluate"] = compiled.evaluate
        return compiled

    def _compiled_if_hot(self) -> Optional[Compiled]:
        """The generated functions if they exist yet (after :data:`INTERPRETED_CALLS`
        evaluations, a batch or a look at :attr:`python_source`), else None."""
        compiled: Optional[Compiled] = self.__dict__.get("_code")
        return compiled

    def evaluate(self, variables: Mapping[str, object]) -> Optional[float]:
        """The value for ``variables`` (name -> number, numeric string or None): a float,
        or None for NULL. Raises EvaluationError (a value that is not a number, an
        overflow) or VariableLookupError (a variable the evaluation needs is missing)."""
        calls = self.__dict__["_calls"]
        if calls < INTERPRETED_CALLS:
            self.__dict__["_calls"] = calls + 1
            return interpreter.evaluate(self.tree, variables)
        return self._compiled().evaluate(variables)

    def __call__(self, **variables: object) -> Optional[float]:
        """``expr(value=1, total=2)`` is ``expr.evaluate({"value": 1, "total": 2})``."""
        return self.evaluate(variables)

    def evaluate_many(self, rows: Iterable[Mapping[str, object]]) -> list[Optional[float]]:
        """``[expr.evaluate(row) for row in rows]``."""
        function = self._compiled().evaluate
        return [function(row) for row in rows]

    def evaluate_columns(self, columns: Mapping[str, Sequence[Any]]) -> list[Optional[float]]:
        """Evaluate a batch given as columns (name -> sequence, all of one length) in one
        generated loop. Row ``i`` gives what ``evaluate({name: column[i], ...})`` gives; a
        column no row reaches may be absent. Unequal lengths raise ValueError."""
        return self._compiled().evaluate_columns(columns)

    # -- views

    @functools.cached_property
    def variables(self) -> frozenset[str]:
        """The names of the variables the expression references."""
        return frozenset(node.name for node in walk(self.tree) if type(node) is Name)

    @functools.cached_property
    def canonical(self) -> str:
        """The canonical text of the expression (``unparse`` of the tree)."""
        from .unparse import unparse

        return unparse(self.tree)

    @property
    def python_source(self) -> str:
        """The generated Python source behind :meth:`evaluate` and :meth:`evaluate_columns`,
        with the names and numbers it is called with (or why the interpreter runs instead)."""
        return self._compiled().python_source

    # -- identity

    def __repr__(self) -> str:
        return f"Expression({self.source!r}, dialect={self.dialect!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Expression):
            return NotImplemented
        return self.dialect == other.dialect and self.tree == other.tree

    def __hash__(self) -> int:
        value: Optional[int] = self._hash
        if value is None:
            value = self.__dict__["_hash"] = hash((self.dialect, self.tree))
        return value

    def __reduce__(self) -> tuple[Any, ...]:
        if self._text != self.source:  # from_tree with a source of its own
            return (_from_text, (self._text, self.dialect, self.limits, self.source))
        if self.limits == DEFAULT_LIMITS:
            return (compile, (self.source, self.dialect))
        return (compile, (self.source, self.dialect, self.limits))

    # -- columnar evaluation (NumPy: the 'columnar' extra)

    @overload
    def evaluate_arrays(
        self, columns: Mapping[str, Any], *, errors: Literal["raise"] = "raise"
    ) -> MaskedFloats: ...

    @overload
    def evaluate_arrays(
        self, columns: Mapping[str, Any], *, errors: Literal["null"]
    ) -> tuple[MaskedFloats, Reasons]: ...

    def evaluate_arrays(
        self, columns: Mapping[str, Any], *, errors: Literal["raise", "null"] = "raise"
    ) -> Any:
        """Evaluate every row of ``columns`` (name -> NumPy or pyarrow array) with array
        operations: a masked float64 array, masked where the value is NULL. Row ``i`` is
        exactly what :meth:`evaluate` gives for row ``i``. With ``errors="null"``, failing
        rows are NULL and come back with their messages: ``(values, reasons)``. Details:
        :func:`nflex_metrics.vectorized.evaluate_arrays`; needs the 'columnar' extra.

        >>> import numpy as np
        >>> compile("value / 1024").evaluate_arrays({"value": np.array([2048, None])})
        masked_array(data=[2.0, --],
                     mask=[False,  True],
               fill_value=1e+20)
        """
        from .vectorized import evaluate_arrays

        return evaluate_arrays(self.tree, columns, errors=errors)


def _from_text(text: str, dialect: Dialect, limits: Limits, source: str) -> Expression:
    """Unpickle an Expression made by :meth:`Expression.from_tree` with its own source."""
    expr = compile(text, dialect, limits)
    if expr.source == source:
        return expr
    copy = Expression.__new__(Expression)
    copy._setup(source, dialect, limits, expr.tree, text)
    return copy


@functools.lru_cache(maxsize=CACHE_SIZE)
def _compile_cached(text: str, dialect: Dialect, limits: Limits) -> Expression:
    return Expression(text, dialect, limits)


def compile(text: str, dialect: Dialect = "full", limits: Limits = DEFAULT_LIMITS) -> Expression:
    """Parse and compile ``text`` once; later calls with the same arguments return the
    same :class:`Expression` (an LRU cache of :data:`CACHE_SIZE` entries).

    Raises ExpressionSyntaxError (a ValueError) or ExpressionTooComplex.
    """
    if not isinstance(text, str):
        raise TypeError(f"an expression must be a str, got {type(text).__name__}")
    try:
        return _compile_cached(text, dialect, limits)
    except TypeError:  # an unhashable dialect or limits: say which argument is wrong
        from .syntax import check_arguments

        check_arguments(text, dialect, limits)
        raise


def cache_info() -> Any:
    """Statistics of the :func:`compile` cache (``functools.lru_cache`` style)."""
    return _compile_cached.cache_info()


def clear_cache(*, generated_code: bool = False) -> None:
    """Empty the :func:`compile` cache; with ``generated_code``, also forget the compiled
    Python code (kept by source text, so that equal expressions share it)."""
    _compile_cached.cache_clear()
    if generated_code:
        clear_code_cache()


def _check_tree(tree: Expr, dialect: Dialect) -> tuple[str, Limits]:
    """The canonical text of ``tree`` and limits under which it parses back to ``tree``
    (the defaults where they suffice); ValueError unless the parser makes ``tree`` of it."""
    from .errors import ExpressionSyntaxError, ExpressionTooComplex
    from .syntax import parse
    from .unparse import unparse

    try:
        text = unparse(tree)
    except Exception as err:  # unparse of something that is not a node at all
        raise ValueError(f"not a syntax tree: {tree!r} ({err})") from None
    # Every node takes at least one character of the text, so these admit the tree.
    length, nodes = max(MAX_LENGTH, len(text)), max(MAX_NODES, len(text))
    limits = Limits(max_length=length, max_depth=MAX_DEPTH, max_nodes=nodes)
    try:
        try:
            again = parse(text, dialect, limits)
        except ExpressionTooComplex:  # deeper than the default: up to the ceiling
            limits = Limits(max_length=length, max_depth=MAX_DEPTH_CEILING, max_nodes=nodes)
            again = parse(text, dialect, limits)
    except ExpressionTooComplex:
        raise
    except ExpressionSyntaxError as err:
        raise ValueError(f"not a valid {dialect} syntax tree: {err.message}") from None
    if again != tree:
        raise ValueError(f"not a syntax tree the parser can produce: {tree!r} reads as {again!r}")
    return text, limits
