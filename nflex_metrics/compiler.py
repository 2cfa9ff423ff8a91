"""Syntax tree -> Python source -> functions, with the interpreter's exact semantics.

Each tree gets four generated code paths, compiled lazily, each the first time it is
needed:

``_evaluate(m)`` (the *fast* path, compiled at once)
    assumes no NULL and no division by zero: every variable is read as
    ``_float(m[_k0])``, so the arithmetic is plain float arithmetic and conditions
    plain two-valued logic. Any exception (a NULL met by an operator, ``x / 0``, a
    missing variable, a bad value, an overflow) sends the row to ``_exact``. A
    result it returns without an exception equals the exact one, ``None`` included
    (it can only come from a ``NULL`` literal or a CASE with no arm taken).
``_exact(m)``
    the full SPEC 1.5 semantics (NULL propagation, Kleene logic, laziness), calling
    the interpreter's own helpers, so errors carry the same messages.
``_batch_fast(c0, ...)`` / ``_batch_exact(c0, ...)``
    the same two paths as one list comprehension over the zipped columns; the fast
    one converts every cell with ``float()`` first and is abandoned as a whole on any
    exception.

The code depends only on the *shape* of the tree: variable names and numbers are
read from the function's globals (``_k0``, ``_c0``, ...), never written into the
source, so user text never reaches ``compile()`` and compiled code is shared by every
tree of the same shape (``value * 100`` and ``load * 8`` compile once). Deep trees
and long CASE chains are cut into helper functions so that CPython's parser limits
are never reached; if ``compile()`` fails anyway, the interpreter is used.
"""

from __future__ import annotations

import builtins
import itertools
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from . import interpreter
from .errors import ExpressionTooComplex, VariableLookupError
from .limits import MAX_DEPTH_CEILING
from .nodes import (
    Binary,
    BoolOp,
    Case,
    Compare,
    Cond,
    Expr,
    IsNull,
    Name,
    Node,
    Not,
    Null,
    Number,
    Ternary,
    Unary,
    When,
    children,
)

__all__ = ["CompiledCode", "clear_code_cache", "compile_tree"]

Value = Optional[float]
RowFunction = Callable[[Mapping[str, object]], Value]

#: Deepest nesting of tree levels emitted into one generated function; deeper
#: subtrees go into helper functions (each level is at most ~4 Python nesting levels,
#: far below CPython's 200 nested parentheses).
SPLIT_DEPTH = 24

#: Most shapes whose generated code is kept for reuse.
CODE_CACHE_SIZE = 1024


class _Missing:
    """Stands for the cell of a column that was not given."""

    def __repr__(self) -> str:
        return "<missing>"


_MISSING = _Missing()

_PY_COMPARE = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_EXACT_ARITH = {"+": "_add", "-": "_sub", "*": "_mul", "/": "_div", "^": "_pow"}
_EXACT_COMPARE = {"=": "_eq", "!=": "_ne", "<": "_lt", "<=": "_le", ">": "_gt", ">=": "_ge"}


# ----------------------------------------------------------- runtime helpers
# NULL-propagating operators of the exact path (the interpreter's rules, as functions).


def _neg(x: Value) -> Value:
    return None if x is None else -x


def _add(left: Value, right: Value) -> Value:
    return None if left is None or right is None else left + right


def _sub(left: Value, right: Value) -> Value:
    return None if left is None or right is None else left - right


def _mul(left: Value, right: Value) -> Value:
    return None if left is None or right is None else left * right


def _div(left: Value, right: Value) -> Value:
    return None if left is None or right is None else interpreter.divide(left, right)


def _pow(left: Value, right: Value) -> Value:
    return None if left is None or right is None else interpreter.power(left, right)


def _eq(left: Value, right: Value) -> Optional[bool]:
    return None if left is None or right is None else left == right


def _ne(left: Value, right: Value) -> Optional[bool]:
    return None if left is None or right is None else left != right


def _lt(left: Value, right: Value) -> Optional[bool]:
    return None if left is None or right is None else left < right


def _le(left: Value, right: Value) -> Optional[bool]:
    return None if left is None or right is None else left <= right


def _gt(left: Value, right: Value) -> Optional[bool]:
    return None if left is None or right is None else left > right


def _ge(left: Value, right: Value) -> Optional[bool]:
    return None if left is None or right is None else left >= right


def _not(truth: Optional[bool]) -> Optional[bool]:
    return None if truth is None else not truth


def _and(left: Optional[bool], right: Optional[bool]) -> Optional[bool]:
    """Kleene AND once the left side is known not to be FALSE."""
    if right is False:
        return False
    return None if left is None or right is None else True


def _or(left: Optional[bool], right: Optional[bool]) -> Optional[bool]:
    """Kleene OR once the left side is known not to be TRUE."""
    if right is True:
        return True
    return None if left is None or right is None else False


def _coerce(name: str, raw: object) -> Value:
    """A column cell, converted like :func:`interpreter.lookup` converts a mapping value."""
    if raw is _MISSING:
        raise VariableLookupError(name)
    return interpreter.coerce_variable(name, raw)


_HELPERS: dict[str, object] = {
    "__builtins__": {},
    "_Exception": Exception,
    "_float": float,
    "_map": map,
    "_zip": zip,
    "_power": interpreter.power,
    "_load": interpreter.lookup,
    "_coerce": _coerce,
    "_neg": _neg,
    "_add": _add,
    "_sub": _sub,
    "_mul": _mul,
    "_div": _div,
    "_pow": _pow,
    "_eq": _eq,
    "_ne": _ne,
    "_lt": _lt,
    "_le": _le,
    "_gt": _gt,
    "_ge": _ge,
    "_not": _not,
    "_and": _and,
    "_or": _or,
}


def _compile_source(source: str, part: str) -> Any:
    """``compile()`` the generated source of one part (a seam for tests)."""
    return builtins.compile(source, f"<nflex_metrics {part}>", "exec")


# ------------------------------------------------------------------- shapes


@dataclass
class _Shape:
    """What every tree of one shape shares: the generated source and code of each part."""

    key: str
    #: A tree of this shape, to generate the parts from.
    tree: Expr
    sources: dict[str, str] = field(default_factory=dict)
    #: Compiled parts; None when compile() failed (the interpreter stands in).
    codes: dict[str, Any] = field(default_factory=dict)


def _analyse(tree: Expr) -> tuple[str, tuple[str, ...], tuple[float, ...], dict[int, int]]:
    """The shape key, variable names (first-use order), constants, and id(Number) -> index.

    Iterative, and checks the depth against :data:`MAX_DEPTH_CEILING` so that no later
    recursion can run out of stack.
    """
    tokens: list[str] = []
    names: dict[str, int] = {}
    consts: list[float] = []
    const_index: dict[int, int] = {}
    stack: list[tuple[Node, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH_CEILING:
            raise ExpressionTooComplex(
                f"expression nesting deeper than {MAX_DEPTH_CEILING}", "", 1, 1
            )
        if isinstance(node, Number):
            index = const_index.get(id(node))
            if index is None:
                index = const_index[id(node)] = len(consts)
                consts.append(float(node.value))
            tokens.append(f"c{index}")
        elif isinstance(node, Name):
            tokens.append(f"n{names.setdefault(node.name, len(names))}")
        elif isinstance(node, Null):
            tokens.append("0")
        elif isinstance(node, (Unary, Binary, Compare, BoolOp)):
            tokens.append(f"{type(node).__name__[0]}{node.op}")
        elif isinstance(node, Case):
            tokens.append(f"C{len(node.whens)}{'e' if node.orelse is not None else ''}")
        elif isinstance(node, IsNull):
            tokens.append("I!" if node.negated else "I")
        elif isinstance(node, (When, Ternary, Not)):
            tokens.append(type(node).__name__[0:2])
        else:
            raise TypeError(f"not a syntax node: {node!r}")
        stack.extend((child, depth + 1) for child in reversed(children(node)))
    return " ".join(tokens), tuple(names), tuple(consts), const_index


_shapes: dict[str, _Shape] = {}
_shapes_lock = threading.Lock()


def clear_code_cache() -> None:
    """Forget the generated code of every shape (benchmarks use it to measure cold compiles)."""
    with _shapes_lock:
        _shapes.clear()


def _shape_for(key: str, tree: Expr) -> _Shape:
    shape = _shapes.get(key)
    if shape is None:
        with _shapes_lock:
            shape = _shapes.get(key)
            if shape is None:
                if len(_shapes) >= CODE_CACHE_SIZE:
                    del _shapes[next(iter(_shapes))]
                shape = _shapes[key] = _Shape(key, tree)
    return shape


# ----------------------------------------------------------------- codegen


class _Codegen:
    """Writes one part's Python source for one tree (in terms of ``_k*`` and ``_c*``).

    ``exact`` selects full NULL semantics; ``columns`` reads variables from the loop
    variables ``x0, x1, ...`` instead of the mapping ``m``.
    """

    def __init__(
        self,
        names: dict[str, int],
        const_index: dict[int, int],
        *,
        exact: bool,
        columns: bool,
        prefix: str,
    ) -> None:
        self.names = names
        self.const_index = const_index
        self.exact = exact
        self.columns = columns
        self.prefix = prefix
        self.params = ", ".join(f"x{i}" for i in range(len(names))) if columns else "m"
        self.helpers: list[str] = []
        self.temps = 0
        # Variables read more than once are cached in locals on the fast mapping path.
        self.reuse: set[int] = set()

    # -- helpers functions for deep trees

    def _helper(self, node: Node) -> str:
        """Emit ``node`` as a helper function of its own (fresh nesting); return the call."""
        saved = self.temps
        self.temps = 0
        if isinstance(node, (Compare, BoolOp, Not, IsNull)):
            code = self.truth(node, 0, frozenset())[0]
        elif isinstance(node, When):
            raise TypeError("a WHEN arm is not an expression")
        else:
            code = self.value(node, 0, frozenset())[0]
        self.temps = saved
        name = f"_{self.prefix}{len(self.helpers)}"
        self.helpers.append(f"def {name}({self.params}):\n    return {code}\n")
        return f"{name}({self.params})"

    # -- values

    def value(
        self, node: Expr, depth: int, loaded: frozenset[int]
    ) -> tuple[str, frozenset[int], bool]:
        """Code for a value node, the cached variables after it, and whether it may be None."""
        if depth >= SPLIT_DEPTH and not isinstance(node, (Number, Name, Null)):
            return self._helper(node), loaded, True
        if isinstance(node, Number):
            return f"_c{self.const_index[id(node)]}", loaded, False
        if isinstance(node, Null):
            return "None", loaded, True
        if isinstance(node, Name):
            return self._name(node.name, loaded)
        if isinstance(node, Unary):
            code, loaded, maybe_null = self.value(node.operand, depth + 1, loaded)
            if node.op == "+":
                return code, loaded, maybe_null
            return (f"_neg({code})" if self.exact else f"(-{code})"), loaded, self.exact
        if isinstance(node, Binary):
            left, loaded, _ = self.value(node.left, depth + 1, loaded)
            right, loaded, _ = self.value(node.right, depth + 1, loaded)
            if self.exact:
                return f"{_EXACT_ARITH[node.op]}({left}, {right})", loaded, True
            if node.op == "^":
                return f"_power({left}, {right})", loaded, False
            return f"({left} {node.op} {right})", loaded, False
        if isinstance(node, Case):
            return self._case(node.whens, node.orelse, depth, loaded)
        if isinstance(node, Ternary):
            cond, loaded = self.truth(node.condition, depth + 1, loaded)
            body, _, body_null = self.value(node.body, depth + 1, loaded)
            orelse, _, orelse_null = self.value(node.orelse, depth + 1, loaded)
            test = f"{cond} is True" if self.exact else cond
            return f"({body} if {test} else {orelse})", loaded, body_null or orelse_null
        raise TypeError(f"not a value node: {node!r}")

    def _name(self, name: str, loaded: frozenset[int]) -> tuple[str, frozenset[int], bool]:
        index = self.names[name]
        if self.columns:
            return (f"_coerce(_k{index}, x{index})" if self.exact else f"x{index}"), loaded, False
        if self.exact:
            return f"_load(m, _k{index})", loaded, True
        if index in loaded:
            return f"_v{index}", loaded, False
        if index in self.reuse:
            return f"(_v{index} := _float(m[_k{index}]))", loaded | {index}, False
        return f"_float(m[_k{index}])", loaded, False

    def _case(
        self, whens: tuple[When, ...], orelse: Optional[Expr], depth: int, loaded: frozenset[int]
    ) -> tuple[str, frozenset[int], bool]:
        parts: list[str] = []
        maybe_null = False
        after = loaded
        for position, when in enumerate(whens):
            if position and depth + position >= SPLIT_DEPTH:
                rest = Case(whens[position:], orelse)
                call = self._helper(rest)
                parts.append(call)
                return f"({' else '.join(parts)})", after, True
            cond, arm_loaded = self.truth(when.condition, depth + position + 1, loaded)
            if position == 0:
                after = arm_loaded
            result, _, result_null = self.value(when.result, depth + position + 1, arm_loaded)
            maybe_null = maybe_null or result_null
            parts.append(f"{result} if {cond} is True" if self.exact else f"{result} if {cond}")
            loaded = arm_loaded
        if orelse is None:
            parts.append("None")
            maybe_null = True
        else:
            code, _, orelse_null = self.value(orelse, depth + len(whens), loaded)
            parts.append(code)
            maybe_null = maybe_null or orelse_null
        return f"({' else '.join(parts)})", after, maybe_null

    # -- conditions

    def truth(self, node: Cond, depth: int, loaded: frozenset[int]) -> tuple[str, frozenset[int]]:
        """Code for a condition node and the cached variables after it."""
        if depth >= SPLIT_DEPTH:
            return self._helper(node), loaded
        if isinstance(node, Compare):
            left, loaded, left_null = self.value(node.left, depth + 1, loaded)
            right, loaded, right_null = self.value(node.right, depth + 1, loaded)
            if self.exact:
                return f"{_EXACT_COMPARE[node.op]}({left}, {right})", loaded
            if node.op in ("=", "!="):
                # None == x is silently False: make a NULL operand raise instead.
                left = f"({left} * 1.0)" if left_null else left
                right = f"({right} * 1.0)" if right_null else right
            return f"({left} {_PY_COMPARE[node.op]} {right})", loaded
        if isinstance(node, IsNull):
            code, loaded, _ = self.value(node.operand, depth + 1, loaded)
            return f"({code} is {'not ' if node.negated else ''}None)", loaded
        if isinstance(node, Not):
            code, loaded = self.truth(node.operand, depth + 1, loaded)
            return (f"_not({code})" if self.exact else f"(not {code})"), loaded
        if isinstance(node, BoolOp):
            left, loaded = self.truth(node.left, depth + 1, loaded)
            right, _ = self.truth(node.right, depth + 1, loaded)
            if not self.exact:
                return f"({left} {node.op} {right})", loaded
            self.temps += 1
            temp = f"_t{self.temps}"
            if node.op == "and":
                return f"(False if ({temp} := {left}) is False else _and({temp}, {right}))", loaded
            return f"(True if ({temp} := {left}) is True else _or({temp}, {right}))", loaded
        raise TypeError(f"not a condition node: {node!r}")


def _reused_names(tree: Expr, names: dict[str, int]) -> set[int]:
    counts: dict[int, int] = {}
    stack: list[Node] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Name):
            index = names[node.name]
            counts[index] = counts.get(index, 0) + 1
        stack.extend(children(node))
    return {index for index, count in counts.items() if count > 1}


def _generate(part: str, tree: Expr) -> str:
    """The Python source of one part (``row``, ``exact`` or ``batch``) for ``tree``'s shape."""
    _, names_tuple, _, const_index = _analyse(tree)
    names = {name: index for index, name in enumerate(names_tuple)}
    if part == "row":
        gen = _Codegen(names, const_index, exact=False, columns=False, prefix="fr")
        gen.reuse = _reused_names(tree, names)
        code = gen.value(tree, 0, frozenset())[0]
        main = (
            "def _evaluate(m):\n"
            "    try:\n"
            f"        return {code}\n"
            "    except _Exception:\n"
            "        pass\n"
            "    return _exact(m)\n"
        )
        return "\n".join([main, *gen.helpers])
    if part == "exact":
        gen = _Codegen(names, const_index, exact=True, columns=False, prefix="er")
        code = gen.value(tree, 0, frozenset())[0]
        return "\n".join([f"def _exact(m):\n    return {code}\n", *gen.helpers])
    if part == "batch":
        if not names:
            return "# No variables: every row of a batch has the single value of _evaluate.\n"
        params = ", ".join(f"c{i}" for i in range(len(names)))
        targets = ", ".join(f"x{i}" for i in range(len(names)))
        if len(names) == 1:
            fast_iter, exact_iter = "_map(_float, c0)", "c0"
        else:
            fast_iter = f"_zip({', '.join(f'_map(_float, c{i})' for i in range(len(names)))})"
            exact_iter = f"_zip({params})"
        fast = _Codegen(names, const_index, exact=False, columns=True, prefix="fc")
        fast_code = fast.value(tree, 0, frozenset())[0]
        exact = _Codegen(names, const_index, exact=True, columns=True, prefix="ec")
        exact_code = exact.value(tree, 0, frozenset())[0]
        return "\n".join(
            [
                f"def _batch_fast({params}):\n"
                f"    return [{fast_code} for {targets} in {fast_iter}]\n",
                f"def _batch_exact({params}):\n"
                f"    return [{exact_code} for {targets} in {exact_iter}]\n",
                *fast.helpers,
                *exact.helpers,
            ]
        )
    raise ValueError(f"unknown part {part!r}")


# --------------------------------------------------------------- the result


class CompiledCode:
    """The functions generated for one tree: :attr:`evaluate` and :meth:`evaluate_columns`.

    >>> from nflex_metrics.nodes import Binary, Name, Number
    >>> code = compile_tree(Binary("*", Name("value"), Number(10.0)))
    >>> code.evaluate({"value": 1.5}), code.evaluate_columns({"value": [1, None]})
    (15.0, [10.0, None])
    """

    def __init__(self, tree: Expr) -> None:
        key, names, consts, _ = _analyse(tree)
        self.tree = tree
        #: The referenced variable names, in the order of their ``_k`` index.
        self.names: tuple[str, ...] = names
        self._consts = consts
        self._shape = _shape_for(key, tree)
        namespace: dict[str, Any] = dict(_HELPERS)
        namespace.update({f"_k{i}": name for i, name in enumerate(names)})
        namespace.update({f"_c{i}": value for i, value in enumerate(consts)})
        namespace["_exact"] = self._install_exact
        self._namespace = namespace
        self._batch: Optional[tuple[Callable[..., list[Value]], Callable[..., list[Value]]]] = None
        if self._install("row"):
            fast: RowFunction = namespace["_evaluate"]
        else:
            fast = self._interpret
        #: ``evaluate(mapping) -> float | None``: the fast path, falling back to the exact one.
        self.evaluate: RowFunction = fast

    # -- installing parts

    def _install(self, part: str) -> bool:
        """Exec ``part``'s code into this tree's namespace; False if it cannot be compiled."""
        shape = self._shape
        if part not in shape.codes:
            try:
                source = shape.sources.get(part)
                if source is None:
                    source = shape.sources[part] = _generate(part, shape.tree)
                shape.codes[part] = _compile_source(source, part)
            except Exception:  # a generated-code failure must never reach the user
                shape.codes[part] = None
        code = shape.codes[part]
        if code is None:
            return False
        exec(code, self._namespace)
        return True

    def _interpret(self, variables: Mapping[str, object]) -> Value:
        return interpreter.evaluate(self.tree, variables)

    def _install_exact(self, variables: Mapping[str, object]) -> Value:
        """The first fallback: compile the exact path, then use it from then on."""
        if not self._install("exact"):
            self._namespace["_exact"] = self._interpret
        exact: RowFunction = self._namespace["_exact"]
        return exact(variables)

    def exact(self, variables: Mapping[str, object]) -> Value:
        """Evaluate with the exact path only (for tests and for comparison)."""
        function: RowFunction = self._namespace["_exact"]
        return function(variables)

    @property
    def python_source(self) -> str:
        """All the generated source, with the bindings of ``_k*`` and ``_c*`` it runs with."""
        bindings = [f"# _k{i} = {name!r}" for i, name in enumerate(self.names)]
        bindings += [f"# _c{i} = {value!r}" for i, value in enumerate(self._consts)]
        shape = self._shape
        parts = []
        for part in ("row", "exact", "batch"):
            if part not in shape.sources:
                shape.sources[part] = _generate(part, shape.tree)
            parts.append(shape.sources[part])
        return "\n".join(["\n".join(bindings), *parts]) if bindings else "\n".join(parts)

    # -- batches

    def evaluate_columns(self, columns: Mapping[str, Sequence[object]]) -> list[Value]:
        """Evaluate every row of ``columns`` (name -> sequence of cells, all of one length).

        Row ``i`` gives what ``evaluate({name: column[i] ...})`` gives, errors included; a
        column the expression never reaches for a row may be absent.
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
        if not self.names:
            return [self.evaluate({})] * rows
        cells: list[Any] = []
        complete = True
        for name in self.names:
            if name in lengths:
                cells.append(columns[name])
            else:
                cells.append(itertools.repeat(_MISSING, rows))
                complete = False
        fast, exact = self._batch_functions()
        if complete:
            try:
                return fast(*cells)
            except Exception:  # any failure: redo the exact way
                pass
        return exact(*cells)

    def _batch_functions(
        self,
    ) -> tuple[Callable[..., list[Value]], Callable[..., list[Value]]]:
        if self._batch is None:
            if self._install("batch"):
                self._batch = (self._namespace["_batch_fast"], self._namespace["_batch_exact"])
            else:
                self._batch = (self._interpret_columns, self._interpret_columns)
        return self._batch

    def _interpret_columns(self, *cells: Sequence[object]) -> list[Value]:
        return [
            interpreter.evaluate(
                self.tree, {name: v for name, v in zip(self.names, row) if v is not _MISSING}
            )
            for row in zip(*cells)
        ]


def compile_tree(node: Expr) -> CompiledCode:
    """Compile a value tree into :class:`CompiledCode` (raises ExpressionTooComplex past
    :data:`~nflex_metrics.limits.MAX_DEPTH_CEILING`)."""
    return CompiledCode(node)
