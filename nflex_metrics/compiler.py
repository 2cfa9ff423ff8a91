"""Syntax tree -> Python source -> functions, with the interpreter's exact semantics.

The generated code is a *fast path*: it reads each variable with ``float()`` and
computes in plain floats and two-valued logic, as a formula written by hand in Python
would. Whatever it returns is exact. A row it cannot finish -- a NULL met by an
operator, a division by zero, a missing variable, a value ``float()`` refuses, an
overflow -- makes Python raise, and that row is evaluated again by the reference
interpreter (:func:`nflex_metrics.interpreter.evaluate`), which gives the exact value
or the exact error. The places where Python would silently differ instead of raising
are guarded: an operand of ``=`` or ``!=`` that may be NULL goes through
``_not_null`` (``None == x`` is False in Python), and ``^`` is
:func:`~nflex_metrics.interpreter.power` (``(-8.0) ** 0.5`` is a complex in Python).
Comparisons with NaN need no guard: Python and the interpreter compare floats alike.

The source is written for one tree, with its numbers as float literals and its variable
names as string literals (``repr`` of the name: a name is data, never an identifier),
so that the code reads them as constants, as code written by hand does. For
``value * 10``::

    def _make(_interpret):
        def evaluate(m):                      # evaluate(mapping)
            try:
                return (float(m['value']) * 10.0)
            except Exception:
                pass
            return _interpret(m)              # the interpreter, for this tree
        def evaluate_keywords(**m): ...       # the same body, keyword arguments
        def evaluate_columns(col0):           # a batch: one loop over the columns
            values = []
            for cell0 in col0:
                try:
                    values.append((float(cell0) * 10.0))
                    continue
                except Exception:
                    pass
                values.append(_interpret({'value': cell0}))   # this row only
            return values
        return evaluate, evaluate_keywords, evaluate_columns

Equal sources are compiled once (the last :data:`CODE_CACHE_SIZE` are kept). A variable
used once is read where it is used (so a branch not taken never reads it); one used
more than once is read once, first.

A tree is evaluated by the interpreter instead of compiled code for two reasons only,
both about what CPython's compiler accepts: brackets nested deeper than
:data:`MAX_BRACKETS`, or expressions nested deeper than :data:`MAX_NESTING`.
"""

from __future__ import annotations

import builtins
import functools
import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any, Callable, Optional

from . import interpreter
from .errors import ExpressionTooComplex
from .limits import MAX_DEPTH_CEILING
from .nodes import (
    Binary,
    BoolOp,
    Case,
    Compare,
    Expr,
    IsNull,
    Name,
    Not,
    Null,
    Number,
    Ternary,
    Unary,
    When,
)

__all__ = [
    "CODE_CACHE_SIZE",
    "MAX_BRACKETS",
    "MAX_NESTING",
    "Compiled",
    "clear_code_cache",
    "compile_tree",
]

Value = Optional[float]
RowFunction = Callable[[Mapping[str, Any]], Value]
KeywordFunction = Callable[..., Value]
ColumnsFunction = Callable[..., "list[Value]"]

#: Deepest bracket nesting (``(``, ``[``) of generated code. CPython's tokenizer refuses
#: more than 200 ("too many nested parentheses"); a tree whose code would nest deeper is
#: evaluated by the interpreter. The default limits never get near it (every tree of
#: depth 100 or less compiles); only trees near ``MAX_DEPTH_CEILING`` can pass it.
MAX_BRACKETS = 190

#: Deepest nesting of Python expressions in generated code, where each arm of a CASE
#: counts one level deeper than the arm before it (``a if p else b if q else c``).
#: CPython's compiler recurses once per level and gives up near three times
#: ``sys.getrecursionlimit()`` less what the calling code already uses (3.9 to 3.12);
#: past this, the tree is evaluated by the interpreter (a CASE of about 500 arms).
MAX_NESTING = 500

#: How many compiled sources are kept (least recently used go first).
CODE_CACHE_SIZE = 1024

_ARITHMETIC = {"+": "+", "-": "-", "*": "*", "/": "/", "^": "_power"}
_COMPARE = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_BOOL = {"and": "and", "or": "or"}


def _not_null(operand: Value) -> float:
    """An operand of ``=`` or ``!=`` on the fast path: NULL leaves it (Python's
    ``None == x`` would be False where the language says UNKNOWN)."""
    if operand is None:
        raise TypeError("NULL operand of = or !=")
    return operand


def _never_null(operand: float, negated: bool) -> bool:
    """``operand IS [NOT] NULL`` for an operand of numbers only, which is never NULL."""
    return negated


#: The globals of generated code: only what it uses (no other builtins).
_NAMESPACE: dict[str, Any] = {
    "__builtins__": {},
    "Exception": Exception,
    "float": float,
    "zip": zip,
    "_power": interpreter.power,
    "_not_null": _not_null,
    "_never_null": _never_null,
}


# --------------------------------------------------------------- the result


class Compiled:
    """The functions for one tree: generated code, or the interpreter standing in.

    >>> from nflex_metrics.nodes import Binary, Name, Number
    >>> code = compile_tree(Binary("*", Name("value"), Number(10.0)))
    >>> code.evaluate({"value": 1.5}), code.evaluate_keywords(value=2)
    (15.0, 20.0)
    >>> code.evaluate_columns({"value": [1, None]})
    [10.0, None]
    """

    __slots__ = (
        "_columns",
        "_source",
        "evaluate",
        "evaluate_keywords",
        "generated",
        "names",
    )

    #: ``evaluate(mapping)``: the value for one row of variables.
    evaluate: RowFunction
    #: ``evaluate_keywords(**variables)``: the same, given keyword arguments.
    evaluate_keywords: KeywordFunction
    #: The variables the tree references, in first-use order.
    names: tuple[str, ...]
    #: False when the interpreter evaluates every row instead (past a named limit).
    generated: bool

    def __init__(
        self,
        evaluate: RowFunction,
        evaluate_keywords: KeywordFunction,
        columns: Optional[ColumnsFunction],
        names: tuple[str, ...],
        source: str,
        *,
        generated: bool = True,
    ) -> None:
        self.generated = generated
        self.evaluate = evaluate
        self.evaluate_keywords = evaluate_keywords
        #: One loop over the columns of ``names``, each row falling back on its own.
        self._columns = columns
        self.names = names
        #: The generated source, or why the interpreter is used instead.
        self._source = source

    @property
    def python_source(self) -> str:
        """The generated source (or why the interpreter evaluates this tree instead)."""
        return self._source

    def evaluate_columns(self, columns: Mapping[str, Sequence[Any]]) -> list[Value]:
        """Evaluate every row of ``columns`` (name -> sequence of cells, all of one length).

        Row ``i`` gives what ``evaluate({name: column[i], ...})`` gives, errors included
        (the first failing row's); a column no row reaches may be absent.
        """
        if not isinstance(columns, Mapping):
            raise TypeError(
                f"columns must be a mapping of names to sequences, got {type(columns).__name__}"
            )
        lengths: dict[str, int] = {}
        for name, column in columns.items():
            try:
                lengths[name] = len(column)
            except TypeError:
                raise TypeError(
                    f"column {name!r} must be a sequence, got {type(column).__name__}"
                ) from None
        if len(set(lengths.values())) > 1:
            detail = ", ".join(f"{name!r} has {count}" for name, count in lengths.items())
            raise ValueError(f"columns must all have the same length: {detail}")
        rows = next(iter(lengths.values()), 0)
        if rows == 0:
            return []
        evaluate = self.evaluate
        if not self.names:
            return [evaluate({})] * rows
        present = [name for name in self.names if name in columns]
        if self._columns is not None and len(present) == len(self.names):
            return self._columns(*[columns[name] for name in present])
        # Some column is absent (an error only for a row that reaches it): row by row.
        cells = zip(*[columns[name] for name in present]) if present else [()] * rows
        return [evaluate(dict(zip(present, row))) for row in cells]


# ------------------------------------------------------------ compiling a tree


def compile_tree(tree: Expr) -> Compiled:
    """The functions for a value tree (the parser's node classes only).

    Raises ExpressionTooComplex for a tree deeper than
    :data:`~nflex_metrics.limits.MAX_DEPTH_CEILING`, TypeError for anything that is not
    a tree of the parser's node classes, ValueError for an unknown operator.
    """
    writer = _Writer()
    template = writer.value(tree, 1, 1)[0]
    names = tuple(writer.names)
    interpret = functools.partial(interpreter.evaluate, tree)
    if writer.nesting > MAX_NESTING:
        why = f"its expressions nest {writer.nesting} deep, more than MAX_NESTING ({MAX_NESTING})"
        return _interpreted(interpret, names, why)
    repeated = tuple(i for i, uses in enumerate(writer.uses) if uses > 1)
    source = _source(template, names, repeated)
    if _deepest_brackets(source) > MAX_BRACKETS:
        why = (
            f"its code nests brackets {_deepest_brackets(source)} deep, more than "
            f"MAX_BRACKETS ({MAX_BRACKETS})"
        )
        return _interpreted(interpret, names, why)
    evaluate, evaluate_keywords, columns = _factory(source)(interpret)
    return Compiled(evaluate, evaluate_keywords, columns, names, source)


def _interpreted(interpret: RowFunction, names: tuple[str, ...], why: str) -> Compiled:
    def evaluate_keywords(**variables: Any) -> Value:
        return interpret(variables)

    source = f"# Not compiled: {why}.\n# Every row is evaluated by nflex_metrics.interpreter.\n"
    return Compiled(interpret, evaluate_keywords, None, names, source, generated=False)


Factory = Callable[..., "tuple[RowFunction, KeywordFunction, Optional[ColumnsFunction]]"]


def _source(template: str, names: tuple[str, ...], repeated: tuple[int, ...]) -> str:
    """The source of a tree's functions (see the module docstring).

    ``template`` is the code of :class:`_Writer`, with a field ``{i}`` for each use of
    variable ``i``. A variable used once is read where it is used (so a branch not taken
    never reads it); one in ``repeated`` is read once, first, into ``x<i>``.
    """
    keys = [repr(name) for name in names]  # a string literal: data, never an identifier

    def fast_path(given: Callable[[int], str], indent: str) -> tuple[str, str]:
        """The lines reading the repeated variables, and the value's code (``given(i)``:
        variable ``i`` as the caller gave it)."""
        reads = "".join(f"{indent}x{i} = float({given(i)})\n" for i in repeated)
        uses = (f"x{i}" if i in repeated else f"float({given(i)})" for i in range(len(names)))
        return reads, template.format(*uses)

    reads, code = fast_path(lambda i: f"m[{keys[i]}]", " " * 12)
    row = (
        "        try:\n"
        f"{reads}"
        f"            return {code}\n"
        "        except Exception:\n"
        "            pass\n"
        "        return _interpret(m)\n"
    )
    parts = [
        "def _make(_interpret):\n",
        f"    def evaluate(m):\n{row}\n",
        f"    def evaluate_keywords(**m):\n{row}\n",
    ]
    if names:
        columns = ", ".join(f"col{i}" for i in range(len(names)))
        cells = ", ".join(f"cell{i}" for i in range(len(names)))
        variables = ", ".join(f"{key}: cell{i}" for i, key in enumerate(keys))
        reads, code = fast_path(lambda i: f"cell{i}", " " * 16)
        parts.append(
            f"    def evaluate_columns({columns}):\n"
            "        values = []\n"
            f"        for {cells} in {'col0' if len(names) == 1 else f'zip({columns})'}:\n"
            "            try:\n"
            f"{reads}"
            f"                values.append({code})\n"
            "                continue\n"
            "            except Exception:\n"
            "                pass\n"
            f"            values.append(_interpret({{{variables}}}))\n"
            "        return values\n\n"
            "    return evaluate, evaluate_keywords, evaluate_columns\n"
        )
    else:
        parts.append("    return evaluate, evaluate_keywords, None\n")
    return "".join(parts)


@functools.lru_cache(maxsize=CODE_CACHE_SIZE)
def _factory(source: str) -> Factory:
    """The ``_make`` function of ``source``, compiled (once for equal sources)."""
    namespace = dict(_NAMESPACE)
    exec(builtins.compile(source, "<nflex_metrics generated>", "exec"), namespace)
    make: Factory = namespace["_make"]
    return make


def _literal(value: float) -> str:
    """A Python literal of exactly ``value`` (``repr`` round-trips a float; infinity is
    ``1e999``, past the float range); a negative value in parentheses."""
    if math.isnan(value):
        raise ValueError("a number of a syntax tree cannot be NaN")
    text = "1e999" if math.isinf(value) else repr(abs(value))
    return f"(-{text})" if math.copysign(1.0, value) < 0 else text


def clear_code_cache() -> None:
    """Forget every compiled source (benchmarks use it to measure a compile)."""
    _factory.cache_clear()


def _deepest_brackets(source: str) -> int:
    """How deep ``(`` and ``[`` nest in ``source``, counting those of its string literals
    too: they are variable names, which hold no brackets when parsed."""
    steps = {"(": 1, "[": 1, ")": -1, "]": -1}
    return max(itertools.accumulate(steps.get(char, 0) for char in source))


# ------------------------------------------------------------------ the writer


class _Writer:
    """Writes the fast path of a tree as one Python expression, in which a number is a
    float literal and each use of variable ``i`` a format field ``{i}`` (how it is read
    differs between the row and the batch functions, see :func:`_source`).

    Variables are numbered in first-use order.
    Every compound node is written in parentheses, so Python's precedence never matters.
    :attr:`nesting` is the deepest expression nesting written, counting each CASE arm
    one level below the arm before it.
    """

    def __init__(self) -> None:
        self.names: dict[str, int] = {}
        #: How many times each variable is used.
        self.uses: list[int] = []
        self.nesting = 0

    def value(self, node: Any, depth: int, nesting: int) -> tuple[str, bool]:
        """Code for a value node, and whether it may be None (NULL) on the fast path
        (only a NULL literal can be: operators raise on None, variables on ``float()``).

        ``depth`` is the node's depth in the tree, ``nesting`` in the generated code.
        """
        if nesting > self.nesting:
            self.nesting = nesting
        kind = type(node)
        if kind is Name:
            index = self.names.get(node.name)
            if index is None:
                index = self.names[node.name] = len(self.uses)
                self.uses.append(0)
            self.uses[index] += 1
            return f"{{{index}}}", False
        if kind is Number:
            return _literal(float(node.value)), False
        if kind is Null:
            return "None", True
        if depth >= MAX_DEPTH_CEILING:
            raise ExpressionTooComplex(
                f"expression nesting deeper than {MAX_DEPTH_CEILING}", "", 1, 1
            )
        depth, inner = depth + 1, nesting + 1
        if kind is Unary:
            operand, may_be_null = self.value(node.operand, depth, inner)
            if node.op == "+":
                return operand, may_be_null
            if node.op == "-":
                return f"(-{operand})", False
            raise ValueError(f"unknown unary operator {node.op!r}")
        if kind is Binary:
            op = _ARITHMETIC.get(node.op)
            if op is None:
                raise ValueError(f"unknown arithmetic operator {node.op!r}")
            left = self.value(node.left, depth, inner)[0]
            right = self.value(node.right, depth, inner)[0]
            if op == "_power":
                return f"_power({left}, {right})", False
            return f"({left} {op} {right})", False
        if kind is Ternary:
            body, body_null = self.value(node.body, depth, inner)
            condition = self.condition(node.condition, depth, inner)
            orelse, orelse_null = self.value(node.orelse, depth, inner)
            return f"({body} if {condition} else {orelse})", body_null or orelse_null
        if kind is Case:
            arms: list[str] = []
            may_be_null = node.orelse is None
            for arm, when in enumerate(node.whens):
                if type(when) is not When:
                    raise TypeError(f"not a WHEN arm: {when!r}")
                condition = self.condition(when.condition, depth, inner + arm)
                result, result_null = self.value(when.result, depth, inner + arm)
                arms.append(f"{result} if {condition} else ")
                may_be_null = may_be_null or result_null
            orelse = "None"
            if node.orelse is not None:
                orelse, orelse_null = self.value(node.orelse, depth, inner + len(arms))
                may_be_null = may_be_null or orelse_null
            return f"({''.join(arms)}{orelse})", may_be_null
        raise TypeError(f"not a syntax node: {node!r}")

    def condition(self, node: Any, depth: int, nesting: int) -> str:
        """Code for a condition node: always a bool on the fast path."""
        if nesting > self.nesting:
            self.nesting = nesting
        if depth >= MAX_DEPTH_CEILING:
            raise ExpressionTooComplex(
                f"expression nesting deeper than {MAX_DEPTH_CEILING}", "", 1, 1
            )
        kind = type(node)
        depth, inner = depth + 1, nesting + 1
        if kind is Compare:
            op = _COMPARE.get(node.op)
            if op is None:
                raise ValueError(f"unknown comparison operator {node.op!r}")
            left, left_null = self.value(node.left, depth, inner)
            right, right_null = self.value(node.right, depth, inner)
            if op in ("==", "!="):
                left = f"_not_null({left})" if left_null else left
                right = f"_not_null({right})" if right_null else right
            return f"({left} {op} {right})"
        if kind is IsNull:
            operand = self.value(node.operand, depth, inner)[0]
            if "{" not in operand and "None" not in operand:
                # Numbers only (no variable field, no NULL): never NULL, and Python folds
                # them into a constant, which `is` warns about. Still computed: 1 / 0
                # must raise as it would anywhere else.
                return f"_never_null({operand}, {node.negated})"
            return f"({operand} is {'not ' if node.negated else ''}None)"
        if kind is Not:
            return f"(not {self.condition(node.operand, depth, inner)})"
        if kind is BoolOp:
            op = _BOOL.get(node.op)
            if op is None:
                raise ValueError(f"unknown logical operator {node.op!r}")
            left = self.condition(node.left, depth, inner)
            right = self.condition(node.right, depth, inner)
            return f"({left} {op} {right})"
        raise TypeError(f"not a syntax node: {node!r}")
