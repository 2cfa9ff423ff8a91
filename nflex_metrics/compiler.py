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

Variable names and numbers never reach the source: it refers to them as ``k0, k1,
...`` and ``c0, c1, ...``, the parameters of a factory that returns the functions as
closures, e.g. for ``value * 10``::

    def _make(_interpret, k0, c0):
        def evaluate(m):                      # evaluate(mapping)
            try:
                return (float(m[k0]) * c0)
            except Exception:
                pass
            return _interpret(m)              # the interpreter, for this tree
        def evaluate_keywords(**m): ...       # the same body, keyword arguments
        def evaluate_columns(col0):           # a batch: one list comprehension
            return [(x0 * c0) for x0 in map(float, col0)]
        return evaluate, evaluate_keywords, evaluate_columns

Trees of one *shape* (``value * 100`` and ``load * 8``) have the same source, which is
compiled once (the last :data:`CODE_CACHE_SIZE` shapes are kept); each tree calls the
factory with its own names and numbers. A variable used once is read where it is used
(so a branch not taken never reads it); one used more than once is read once, first.

A tree is evaluated by the interpreter instead of compiled code for two reasons only,
both about what CPython's compiler accepts: brackets nested deeper than
:data:`MAX_BRACKETS`, or expressions nested deeper than :data:`MAX_NESTING`.
"""

from __future__ import annotations

import builtins
import functools
import itertools
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

#: How many shapes' compiled factories are kept (least recently used go first).
CODE_CACHE_SIZE = 1024

_ARITHMETIC = {"+": "+", "-": "-", "*": "*", "/": "/"}
_COMPARE = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_BOOL = {"and": "and", "or": "or"}


def _not_null(operand: Value) -> float:
    """An operand of ``=`` or ``!=`` on the fast path: NULL leaves it (Python's
    ``None == x`` would be False where the language says UNKNOWN)."""
    if operand is None:
        raise TypeError("NULL operand of = or !=")
    return operand


#: The globals of generated code: only what it uses (no other builtins).
_NAMESPACE: dict[str, Any] = {
    "__builtins__": {},
    "Exception": Exception,
    "float": float,
    "map": map,
    "zip": zip,
    "_power": interpreter.power,
    "_not_null": _not_null,
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

    __slots__ = ("_columns", "evaluate", "evaluate_keywords", "names", "python_source")

    #: ``evaluate(mapping)``: the value for one row of variables.
    evaluate: RowFunction
    #: ``evaluate_keywords(**variables)``: the same, given keyword arguments.
    evaluate_keywords: KeywordFunction
    #: The variables the tree references, in first-use order.
    names: tuple[str, ...]
    #: The generated source (with the names and numbers it is called with), or why
    #: the interpreter is used instead.
    python_source: str

    def __init__(
        self,
        evaluate: RowFunction,
        evaluate_keywords: KeywordFunction,
        columns: Optional[ColumnsFunction],
        names: tuple[str, ...],
        python_source: str,
    ) -> None:
        self.evaluate = evaluate
        self.evaluate_keywords = evaluate_keywords
        #: One list comprehension over the columns of ``names`` (None: row by row).
        self._columns = columns
        self.names = names
        self.python_source = python_source

    def evaluate_columns(self, columns: Mapping[str, Sequence[Any]]) -> list[Value]:
        """Evaluate every row of ``columns`` (name -> sequence of cells, all of one length).

        Row ``i`` gives what ``evaluate({name: column[i], ...})`` gives, errors included
        (the first failing row's); a column no row reaches may be absent.
        """
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
            try:
                return self._columns(*[columns[name] for name in present])
            except Exception:  # a row the fast path cannot finish: every row on its own
                pass
        cells = zip(*[columns[name] for name in present]) if present else [()] * rows
        return [evaluate(dict(zip(present, row))) for row in cells]


# ------------------------------------------------------------ compiling a tree


def compile_tree(tree: Expr) -> Compiled:
    """The functions for a value tree (the parser's node classes only).

    Raises ExpressionTooComplex for a tree deeper than
    :data:`~nflex_metrics.limits.MAX_DEPTH_CEILING`, TypeError for anything that is not
    a tree of the parser's node classes, ValueError for an unknown operator.
    """
    found = _Found.of(tree)
    names = tuple(found.names)
    interpret = functools.partial(interpreter.evaluate, tree)
    row = _Writer(found, found.read_in_row)
    row_code = row.value(tree, 1)[0]
    if row.nesting > MAX_NESTING:
        why = f"its expressions nest {row.nesting} deep, more than MAX_NESTING ({MAX_NESTING})"
        return _interpreted(interpret, names, why)
    batch_code = _Writer(found, found.read_in_batch).value(tree, 1)[0] if names else ""
    source = _factory_source(found, row_code, batch_code)
    make = _factory(source)
    if make is None:
        why = (
            f"its code nests brackets {_deepest_brackets(source)} deep, more than "
            f"MAX_BRACKETS ({MAX_BRACKETS})"
        )
        return _interpreted(interpret, names, why)
    evaluate, evaluate_keywords, columns = make(interpret, *names, *found.numbers)
    bound = [f"# k{i} = {name!r}" for i, name in enumerate(names)]
    bound += [f"# c{i} = {number!r}" for i, number in enumerate(found.numbers)]
    return Compiled(evaluate, evaluate_keywords, columns, names, "\n".join([*bound, source]))


def _interpreted(interpret: RowFunction, names: tuple[str, ...], why: str) -> Compiled:
    def evaluate_keywords(**variables: Any) -> Value:
        return interpret(variables)

    source = (
        f"# Not compiled: {why}.\n# Every row is evaluated by nflex_metrics.interpreter.evaluate.\n"
    )
    return Compiled(interpret, evaluate_keywords, None, names, source)


@functools.lru_cache(maxsize=CODE_CACHE_SIZE)
def _factory(source: str) -> Optional[Callable[..., tuple[Any, Any, Any]]]:
    """The compiled factory ``_make`` of one shape's source; None when its brackets nest
    past :data:`MAX_BRACKETS` (CPython would refuse it)."""
    if _deepest_brackets(source) > MAX_BRACKETS:
        return None
    namespace = dict(_NAMESPACE)
    exec(builtins.compile(source, "<nflex_metrics generated>", "exec"), namespace)
    make: Callable[..., tuple[Any, Any, Any]] = namespace["_make"]
    return make


def clear_code_cache() -> None:
    """Forget every compiled shape (benchmarks use it to measure a never-seen shape)."""
    _factory.cache_clear()


def _deepest_brackets(source: str) -> int:
    """How deep ``(`` and ``[`` nest in ``source`` (generated code holds no strings)."""
    steps = {"(": 1, "[": 1, ")": -1, "]": -1}
    return max(itertools.accumulate(steps.get(char, 0) for char in source))


def _factory_source(found: _Found, row_code: str, batch_code: str) -> str:
    """The factory of one shape: ``row_code`` reads variables from ``m``, ``batch_code``
    uses ``x0, x1, ...`` (already converted with ``float()``)."""
    params = ", ".join(
        ["_interpret", *(f"k{i}" for i in range(len(found.names)))]
        + [f"c{i}" for i in range(len(found.numbers))]
    )
    first = "".join(f"            x{i} = float(m[k{i}])\n" for i in sorted(found.repeated))
    body = (
        "        try:\n"
        f"{first}"
        f"            return {row_code}\n"
        "        except Exception:\n"
        "            pass\n"
        "        return _interpret(m)\n"
    )
    parts = [
        f"def _make({params}):\n",
        "    def evaluate(m):\n",
        body,
        "\n    def evaluate_keywords(**m):\n",
        body,
    ]
    if found.names:
        count = len(found.names)
        columns = ", ".join(f"col{i}" for i in range(count))
        targets = ", ".join(f"x{i}" for i in range(count))
        floats = ", ".join(f"map(float, col{i})" for i in range(count))
        rows = floats if count == 1 else f"zip({floats})"
        parts += [
            f"\n    def evaluate_columns({columns}):\n",
            f"        return [{batch_code} for {targets} in {rows}]\n",
            "\n    return evaluate, evaluate_keywords, evaluate_columns\n",
        ]
    else:
        parts.append("\n    return evaluate, evaluate_keywords, None\n")
    return "".join(parts)


# ------------------------------------------------------------ names and numbers


class _Found:
    """What one walk over a tree finds: its variables and numbers, each numbered in
    first-use order (``k<i>``, ``c<i>``), and the variables used more than once."""

    __slots__ = ("names", "number_index", "numbers", "repeated")

    def __init__(self) -> None:
        self.names: dict[str, int] = {}
        self.repeated: set[int] = set()
        #: ``repr`` of a number -> its index (``-0.0`` and ``0.0`` stay apart).
        self.number_index: dict[str, int] = {}
        self.numbers: list[float] = []

    @classmethod
    def of(cls, tree: Expr) -> _Found:
        """Walk ``tree`` (without recursion), checking its node classes and depth."""
        found = cls()
        stack: list[tuple[Any, int]] = [(tree, 1)]
        while stack:
            node, depth = stack.pop()
            if depth > MAX_DEPTH_CEILING:
                raise ExpressionTooComplex(
                    f"expression nesting deeper than {MAX_DEPTH_CEILING}", "", 1, 1
                )
            kind = type(node)
            if kind is Name:
                index = found.names.get(node.name)
                if index is None:
                    found.names[node.name] = len(found.names)
                else:
                    found.repeated.add(index)
            elif kind is Number:
                value = float(node.value)
                if repr(value) not in found.number_index:
                    found.number_index[repr(value)] = len(found.numbers)
                    found.numbers.append(value)
            else:
                stack.extend((child, depth + 1) for child in reversed(_children(node)))
        return found

    def read_in_row(self, index: int) -> str:
        """The code reading variable ``index`` in ``evaluate(m)``."""
        return f"x{index}" if index in self.repeated else f"float(m[k{index}])"

    def read_in_batch(self, index: int) -> str:
        """The code reading variable ``index`` in ``evaluate_columns``."""
        return f"x{index}"


def _children(node: Any) -> tuple[Any, ...]:
    """The children of a node of the parser's classes (exactly those: no subclasses)."""
    kind = type(node)
    if kind is Binary or kind is Compare or kind is BoolOp:
        return (node.left, node.right)
    if kind is Unary or kind is Not or kind is IsNull:
        return (node.operand,)
    if kind is Ternary:
        return (node.body, node.condition, node.orelse)
    if kind is Case:
        for when in node.whens:
            if type(when) is not When:
                raise TypeError(f"not a WHEN arm: {when!r}")
        arms = [part for when in node.whens for part in (when.condition, when.result)]
        return (*arms, node.orelse) if node.orelse is not None else tuple(arms)
    if kind is Null:
        return ()
    raise TypeError(f"not a syntax node: {node!r}")


# ------------------------------------------------------------------ the writer


class _Writer:
    """Writes the fast path of a tree as one Python expression.

    ``read(i)`` is the code reading variable ``i``. Every compound node is written in
    parentheses, so Python's precedence never matters. :attr:`nesting` is the deepest
    expression nesting written, counting each CASE arm one level below the one before.
    """

    def __init__(self, found: _Found, read: Callable[[int], str]) -> None:
        self.names = found.names
        self.number_index = found.number_index
        self.read = read
        self.nesting = 0

    def value(self, node: Any, depth: int) -> tuple[str, bool]:
        """Code for a value node, and whether it may be None (NULL) on the fast path
        (only a NULL literal can be: operators raise on None, variables on ``float()``)."""
        self.nesting = max(self.nesting, depth)
        kind = type(node)
        if kind is Name:
            return self.read(self.names[node.name]), False
        if kind is Number:
            return f"c{self.number_index[repr(float(node.value))]}", False
        if kind is Null:
            return "None", True
        if kind is Unary:
            operand, may_be_null = self.value(node.operand, depth + 1)
            if node.op == "+":
                return operand, may_be_null
            if node.op == "-":
                return f"(-{operand})", False
            raise ValueError(f"unknown unary operator {node.op!r}")
        if kind is Binary:
            left = self.value(node.left, depth + 1)[0]
            right = self.value(node.right, depth + 1)[0]
            if node.op == "^":
                return f"_power({left}, {right})", False
            return f"({left} {_operator(_ARITHMETIC, node.op)} {right})", False
        if kind is Ternary:
            body, body_null = self.value(node.body, depth + 1)
            condition = self.condition(node.condition, depth + 1)
            orelse, orelse_null = self.value(node.orelse, depth + 1)
            return f"({body} if {condition} else {orelse})", body_null or orelse_null
        if kind is Case:
            arms: list[str] = []
            may_be_null = node.orelse is None
            for arm, when in enumerate(node.whens):
                condition = self.condition(when.condition, depth + 1 + arm)
                result, result_null = self.value(when.result, depth + 1 + arm)
                arms.append(f"{result} if {condition} else ")
                may_be_null = may_be_null or result_null
            orelse = "None"
            if node.orelse is not None:
                orelse, orelse_null = self.value(node.orelse, depth + len(node.whens))
                may_be_null = may_be_null or orelse_null
            return f"({''.join(arms)}{orelse})", may_be_null
        raise TypeError(f"not a value node: {node!r}")

    def condition(self, node: Any, depth: int) -> str:
        """Code for a condition node: always a bool on the fast path."""
        self.nesting = max(self.nesting, depth)
        kind = type(node)
        if kind is Compare:
            op = _operator(_COMPARE, node.op)
            left, left_null = self.value(node.left, depth + 1)
            right, right_null = self.value(node.right, depth + 1)
            if op in ("==", "!="):
                left = f"_not_null({left})" if left_null else left
                right = f"_not_null({right})" if right_null else right
            return f"({left} {op} {right})"
        if kind is IsNull:
            operand = self.value(node.operand, depth + 1)[0]
            return f"({operand} is {'not ' if node.negated else ''}None)"
        if kind is Not:
            return f"(not {self.condition(node.operand, depth + 1)})"
        if kind is BoolOp:
            op = _operator(_BOOL, node.op)
            left = self.condition(node.left, depth + 1)
            right = self.condition(node.right, depth + 1)
            return f"({left} {op} {right})"
        raise TypeError(f"not a condition node: {node!r}")


def _operator(table: Mapping[str, str], op: str) -> str:
    """The Python spelling of a language operator (never the node's text itself)."""
    try:
        return table[op]
    except (KeyError, TypeError):
        raise ValueError(f"unknown operator {op!r}") from None
