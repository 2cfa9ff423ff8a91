"""Syntax tree -> Python source -> functions, with the interpreter's exact semantics.

Each tree gets three generated parts, each built only when first needed:

``row``: ``_evaluate(m)`` (the *fast* path)
    assumes no NULL and no division by zero: every variable is read as
    ``_float(m[key])``, so the arithmetic is plain float arithmetic and conditions
    plain two-valued logic. Any exception (a NULL met by an operator, ``x / 0``, a
    missing variable, a bad value, an overflow) sends the row to ``_exact``. A
    result it returns without an exception equals the exact one, ``None`` included
    (it can only come from a ``NULL`` literal or a CASE with no arm taken).
    A shape seen for the first time is *not* compiled at once: ``evaluate`` starts
    as a stub that runs the interpreter, and after :data:`HOT_CALLS` calls of the
    shape the stub's ``__code__`` is replaced by the generated code, so a function
    object handed out earlier becomes fast in place.
``exact``: ``_exact(m)``
    the full SPEC 1.5 semantics (NULL propagation, Kleene logic, laziness), calling
    the interpreter's own helpers, so errors carry the same messages; built on the
    first fallback.
``batch``: ``_batch_fast(c0, ...)`` and ``_batch_row(x0, ...)``
    built on the first :meth:`CompiledCode.evaluate_columns`. The first is one list
    comprehension over the columns converted with ``float()``, abandoned as a whole
    on any exception; the second is the fast path of one row falling back to the
    exact one, mapped over the columns when the first fails.

The code depends only on the *shape* of the tree: variable names and numbers never
reach the source. The source refers to them as ``_k0``, ``_c0``, ...; before
``compile()`` each such name becomes a placeholder string constant, and each tree's
functions get their own copy of the compiled code with the placeholders replaced by
its names and numbers (``code.replace(co_consts=...)``), so that reading a key or a
number is a ``LOAD_CONST``, as in hand-written code. Compiled code is shared by every
tree of the same shape (``value * 100`` and ``load * 8`` compile once). Deep trees
and long CASE chains are cut into helper functions so that CPython's parser limits
are never reached; if ``compile()`` fails anyway, the interpreter is used.
"""

from __future__ import annotations

import builtins
import itertools
import re
import threading
import types
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

__all__ = ["HOT_CALLS", "CompiledCode", "clear_code_cache", "compile_tree"]

Value = Optional[float]
RowFunction = Callable[[Mapping[str, object]], Value]
BatchFunctions = tuple[Callable[..., list[Value]], Callable[..., Value]]

#: Deepest nesting of tree levels emitted into one generated function; deeper
#: subtrees go into helper functions (each level is at most ~4 Python nesting levels,
#: far below CPython's 200 nested parentheses).
SPLIT_DEPTH = 24

#: Most shapes whose generated code is kept for reuse.
CODE_CACHE_SIZE = 1024

#: Calls of a new shape's ``evaluate`` answered by the interpreter before its Python
#: code is generated and compiled (a few interpreted calls cost less than compiling
#: code that may never be used again; a hot shape then runs the generated code).
HOT_CALLS = 16


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


#: The code of the stub a new shape's ``evaluate`` starts as (compiled once).
_STUB_CODE: types.CodeType = next(
    const
    for const in builtins.compile(
        "def _evaluate(m):\n    return _warm(m)\n", "<stub>", "exec"
    ).co_consts
    if isinstance(const, types.CodeType)
)


# ------------------------------------------------------------ placeholders

_BOUND_NAME = re.compile(r"\b_([kc])(\d+)\b")
_CONSTANT = re.compile(r"_c\d+")


def _with_placeholders(source: str) -> tuple[str, dict[str, tuple[str, int]]]:
    """Replace every ``_k<i>``/``_c<i>`` of ``source`` by a unique string constant.

    Returns the new source and placeholder -> (``"k"`` or ``"c"``, index). Each
    occurrence gets its own placeholder, so that one lost to constant folding
    (``'a' + 'b'`` is folded) is detected by :func:`_placeholders_intact`.
    """
    slots: dict[str, tuple[str, int]] = {}

    def replace(match: re.Match[str]) -> str:
        placeholder = f"\0{len(slots)}\0"
        slots[placeholder] = (match[1], int(match[2]))
        return repr(placeholder)

    return _BOUND_NAME.sub(replace, source), slots


def _constants(code: types.CodeType) -> list[object]:
    """Every constant of ``code`` and of the code objects nested in it."""
    found: list[object] = []
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            found.extend(_constants(const))
        else:
            found.append(const)
    return found


def _placeholders_intact(code: types.CodeType, slots: Mapping[str, object]) -> bool:
    present = {const for const in _constants(code) if type(const) is str and const in slots}
    return len(present) == len(slots)


@dataclass(frozen=True)
class _Binding:
    """Where a code object's placeholder constants are, worked out once per shape, so that
    each tree's copy of the code is one ``code.replace`` with its names and numbers."""

    code: types.CodeType
    #: (position in ``co_consts``, True for a name ``_k`` or False for a number ``_c``, index)
    slots: tuple[tuple[int, bool, int], ...]
    #: (position in ``co_consts``, binding of the nested code object there)
    nested: tuple[tuple[int, _Binding], ...]

    @classmethod
    def of(cls, code: types.CodeType, slots: Mapping[str, tuple[str, int]]) -> _Binding:
        found: list[tuple[int, bool, int]] = []
        nested: list[tuple[int, _Binding]] = []
        for position, const in enumerate(code.co_consts):
            if isinstance(const, types.CodeType):
                binding = cls.of(const, slots)
                if binding.slots or binding.nested:
                    nested.append((position, binding))
            elif type(const) is str and const in slots:
                kind, index = slots[const]
                found.append((position, kind == "k", index))
        return cls(code, tuple(found), tuple(nested))

    def bind(self, names: Sequence[str], numbers: Sequence[float]) -> types.CodeType:
        """A copy of the code (and nested code) with the placeholders replaced."""
        if not self.slots and not self.nested:
            return self.code
        consts = list(self.code.co_consts)
        for position, is_name, index in self.slots:
            consts[position] = names[index] if is_name else numbers[index]
        for position, binding in self.nested:
            consts[position] = binding.bind(names, numbers)
        return self.code.replace(co_consts=tuple(consts))


# ------------------------------------------------------------------- shapes


@dataclass
class _Part:
    """One compiled part of a shape: a module code object defining its functions."""

    code: types.CodeType
    #: placeholder -> ("k" or "c", index); empty when the part reads ``_k*``/``_c*``
    #: as globals (the placeholders did not survive compilation).
    slots: dict[str, tuple[str, int]]
    #: (name, binding) of each function the part defines, in definition order.
    functions: tuple[tuple[str, _Binding], ...] = field(init=False)

    def __post_init__(self) -> None:
        self.functions = tuple(
            (const.co_name, _Binding.of(const, self.slots))
            for const in self.code.co_consts
            if isinstance(const, types.CodeType)
        )


@dataclass
class _Shape:
    """What every tree of one shape shares: generated sources and compiled parts."""

    key: str
    #: A tree of this shape, to generate the parts from.
    tree: Expr
    sources: dict[str, str] = field(default_factory=dict)
    #: Compiled parts; None when compile() failed (the interpreter stands in).
    parts: dict[str, Optional[_Part]] = field(default_factory=dict)
    #: Calls of ``evaluate`` answered by the interpreter so far (racy; a hint only).
    calls: int = 0

    def source(self, part: str) -> str:
        text = self.sources.get(part)
        if text is None:
            text = self.sources[part] = _generate(part, self.tree)
        return text

    def part(self, part: str) -> Optional[_Part]:
        """The compiled ``part``, compiling it on first use (once, under a lock)."""
        if part in self.parts:
            return self.parts[part]
        with _compile_lock:
            if part not in self.parts:
                self.parts[part] = self._compile(part)
        return self.parts[part]

    def _compile(self, part: str) -> Optional[_Part]:
        try:
            source = self.source(part)
            inlined, slots = _with_placeholders(source)
            code = _compile_source(inlined, part)
            if _placeholders_intact(code, slots):
                return _Part(code, slots)
            return _Part(_compile_source(source, part), {})
        except Exception:  # a generated-code failure must never reach the user
            return None


_Leaf = (Number, Name, Null)
_PREFIX: dict[type, str] = {Binary: "B", Compare: "C", BoolOp: "B"}


def _analyse(tree: Expr) -> tuple[str, tuple[str, ...], tuple[float, ...], dict[int, int]]:
    """The shape key, variable names (first-use order), constants, and id(Number) -> index.

    One iterative pre-order walk. A name or number seen for the first time is the token
    ``n``/``c`` (its index is the next one), a repeat is ``n<i>``/``c<i>``, so the key
    still fixes every index. The depth is checked against :data:`MAX_DEPTH_CEILING` (so
    that no later recursion can run out of stack) only when the tree has more nodes than
    that, since no smaller tree can be deeper.
    """
    tokens: list[str] = []
    token = tokens.append
    names: dict[str, int] = {}
    consts: list[float] = []
    const_index: dict[int, int] = {}
    stack: list[Any] = [tree]
    pop = stack.pop
    push = stack.append
    while stack:
        node = pop()
        kind = type(node)
        # Exact node types (what the parser makes), most frequent first, without isinstance.
        if kind is Name:
            index = names.get(node.name)
            if index is None:
                names[node.name] = len(names)
                token("n")
            else:
                token(f"n{index}")
        elif kind is Number:
            index = const_index.get(id(node))
            if index is None:
                const_index[id(node)] = len(consts)
                consts.append(float(node.value))
                token("c")
            else:
                token(f"c{index}")
        elif kind is Binary or kind is Compare or kind is BoolOp:
            token(_PREFIX[kind] + node.op)
            push(node.right)
            push(node.left)
        elif kind is When:
            token("Wh")
            push(node.result)
            push(node.condition)
        elif kind is Case:
            if node.orelse is None:
                token(f"C{len(node.whens)}")
            else:
                token(f"C{len(node.whens)}e")
                push(node.orelse)
            stack.extend(reversed(node.whens))
        elif kind is Null:
            token("0")
        elif kind is Unary:
            token(f"U{node.op}")
            push(node.operand)
        elif kind is IsNull:
            token("I!" if node.negated else "I")
            push(node.operand)
        elif kind is Ternary or kind is Not:
            token(kind.__name__[0:2])
            stack.extend(reversed(children(node)))
        else:
            # Only the parser's own node classes: Expression.from_tree rejects anything
            # else (subclasses included) before it gets here.
            raise TypeError(f"not a syntax node: {node!r}")
    if len(tokens) > MAX_DEPTH_CEILING:
        _check_depth(tree)
    return " ".join(tokens), tuple(names), tuple(consts), const_index


def _check_depth(tree: Expr) -> None:
    """Raise ExpressionTooComplex if ``tree`` nests deeper than :data:`MAX_DEPTH_CEILING`."""
    stack: list[tuple[Node, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH_CEILING:
            raise ExpressionTooComplex(
                f"expression nesting deeper than {MAX_DEPTH_CEILING}", "", 1, 1
            )
        stack.extend((child, depth + 1) for child in children(node))


_shapes: dict[str, _Shape] = {}
_shapes_lock = threading.Lock()
_compile_lock = threading.RLock()


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
    """Writes one function body's Python source for one tree (in terms of ``_k*``, ``_c*``).

    ``exact`` selects full NULL semantics. ``read`` says where variable ``i`` comes
    from: ``"mapping"`` (``m[_k<i>]``), ``"cells"`` (the raw parameter ``x<i>``) or
    ``"floats"`` (the parameter ``x<i>``, already converted with ``float()``).
    """

    def __init__(
        self,
        names: dict[str, int],
        const_index: dict[int, int],
        *,
        exact: bool,
        read: str,
        prefix: str,
    ) -> None:
        self.names = names
        self.const_index = const_index
        self.exact = exact
        self.read = read
        self.prefix = prefix
        self.params = "m" if read == "mapping" else ", ".join(f"x{i}" for i in range(len(names)))
        self.helpers: list[str] = []
        self.temps = 0
        # Variables read more than once are cached in locals on the fast path.
        self.reuse: set[int] = set()

    # -- helper functions for deep trees

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
        if depth >= SPLIT_DEPTH and not isinstance(node, _Leaf):
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
            if node.op == "+" and _CONSTANT.fullmatch(left) and _CONSTANT.fullmatch(right):
                # compile() would fold two placeholder strings into one; +x is x for a float.
                right = f"(+{right})"
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
        if self.read == "floats":
            return f"x{index}", loaded, False
        if self.exact:
            if self.read == "cells":
                return f"_coerce(_k{index}, x{index})", loaded, True
            return f"_load(m, _k{index})", loaded, True
        raw = f"x{index}" if self.read == "cells" else f"m[_k{index}]"
        if index in loaded:
            return f"_v{index}", loaded, False
        if index in self.reuse:
            return f"(_v{index} := _float({raw}))", loaded | {index}, False
        return f"_float({raw})", loaded, False

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
            if _CONSTANT.fullmatch(code):  # never NULL (and ``is`` with a literal warns)
                return ("True" if node.negated else "False"), loaded
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


def _fast_with_fallback(name: str, params: str, fast: str, exact: str) -> str:
    return (
        f"def {name}({params}):\n"
        "    try:\n"
        f"        return {fast}\n"
        "    except _Exception:\n"
        "        pass\n"
        f"    return {exact}\n"
    )


def _generate(part: str, tree: Expr) -> str:
    """The Python source of one part (``row``, ``exact`` or ``batch``) for ``tree``'s shape."""
    _, names_tuple, _, const_index = _analyse(tree)
    names = {name: index for index, name in enumerate(names_tuple)}
    if part == "row":
        gen = _Codegen(names, const_index, exact=False, read="mapping", prefix="fr")
        gen.reuse = _reused_names(tree, names)
        code = gen.value(tree, 0, frozenset())[0]
        return "\n".join([_fast_with_fallback("_evaluate", "m", code, "_exact(m)"), *gen.helpers])
    if part == "exact":
        gen = _Codegen(names, const_index, exact=True, read="mapping", prefix="er")
        code = gen.value(tree, 0, frozenset())[0]
        return "\n".join([f"def _exact(m):\n    return {code}\n", *gen.helpers])
    if part == "batch":
        if not names:
            return "# No variables: every row of a batch has the single value of _evaluate.\n"
        params = ", ".join(f"c{i}" for i in range(len(names)))
        targets = ", ".join(f"x{i}" for i in range(len(names)))
        floats = ", ".join(f"_map(_float, c{i})" for i in range(len(names)))
        rows = floats if len(names) == 1 else f"_zip({floats})"
        columns = _Codegen(names, const_index, exact=False, read="floats", prefix="fc")
        columns_code = columns.value(tree, 0, frozenset())[0]
        fast = _Codegen(names, const_index, exact=False, read="cells", prefix="rc")
        fast.reuse = _reused_names(tree, names)
        fast_code = fast.value(tree, 0, frozenset())[0]
        exact = _Codegen(names, const_index, exact=True, read="cells", prefix="ec")
        exact_code = exact.value(tree, 0, frozenset())[0]
        return "\n".join(
            [
                f"def _batch_fast({params}):\n"
                f"    return [{columns_code} for {targets} in {rows}]\n",
                _fast_with_fallback("_batch_row", targets, fast_code, exact_code),
                *columns.helpers,
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
        namespace["_exact"] = self._install_exact
        namespace["_warm"] = self._warm
        self._namespace = namespace
        self._batch: Optional[BatchFunctions] = None
        #: ``evaluate(mapping) -> float | None``: the fast path, falling back to the exact
        #: one (until the shape is hot: the interpreter, through the same function object).
        self._function = types.FunctionType(_STUB_CODE, namespace)
        self.evaluate: RowFunction = self._function
        if "row" in self._shape.parts:
            self.warm_up()

    # -- installing parts

    def _install(self, part: str) -> Optional[dict[str, types.CodeType]]:
        """The bound code of each function of ``part``; None if it cannot be compiled."""
        compiled = self._shape.part(part)
        if compiled is None:
            return None
        namespace = self._namespace
        if not compiled.slots:  # the code reads ``_k*`` and ``_c*`` as globals
            namespace.update({f"_k{i}": name for i, name in enumerate(self.names)})
            namespace.update({f"_c{i}": value for i, value in enumerate(self._consts)})
        names, numbers = self.names, self._consts
        functions = {name: binding.bind(names, numbers) for name, binding in compiled.functions}
        for name, code in functions.items():
            if name != "_evaluate":
                namespace[name] = types.FunctionType(code, namespace)
        return functions

    def warm_up(self) -> None:
        """Generate and compile the fast path now instead of after :data:`HOT_CALLS` calls."""
        functions = self._install("row")
        if functions is None:
            self._namespace["_warm"] = self._interpret
        else:
            self._function.__code__ = functions["_evaluate"]

    def _warm(self, variables: Mapping[str, object]) -> Value:
        """The stub's work while the shape is new: interpret, and compile once hot."""
        shape = self._shape
        shape.calls += 1
        if shape.calls >= HOT_CALLS or "row" in shape.parts:
            self.warm_up()
            return self.evaluate(variables)
        return interpreter.evaluate(self.tree, variables)

    def _interpret(self, variables: Mapping[str, object]) -> Value:
        return interpreter.evaluate(self.tree, variables)

    def _install_exact(self, variables: Mapping[str, object]) -> Value:
        """The first fallback: compile the exact path, then use it from then on."""
        if self._install("exact") is None:
            self._namespace["_exact"] = self._interpret
        exact: RowFunction = self._namespace["_exact"]
        return exact(variables)

    def exact(self, variables: Mapping[str, object]) -> Value:
        """Evaluate with the exact path only (for tests and for comparison)."""
        function: RowFunction = self._namespace["_exact"]
        return function(variables)

    @property
    def python_source(self) -> str:
        """All the generated source, with the values of ``_k*`` and ``_c*`` it runs with.

        (Compiled, each ``_k<i>``/``_c<i>`` is a constant of the code object.)
        """
        bindings = [f"# _k{i} = {name!r}" for i, name in enumerate(self.names)]
        bindings += [f"# _c{i} = {value!r}" for i, value in enumerate(self._consts)]
        parts = [self._shape.source(part) for part in ("row", "exact", "batch")]
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
        fast, row = self._batch_functions()
        if complete:
            try:
                return fast(*cells)
            except Exception:  # any failure: redo row by row, each falling back alone
                pass
        return list(map(row, *cells))

    def _batch_functions(self) -> BatchFunctions:
        batch = self._batch
        if batch is None:
            functions = self._install("batch")
            if functions is None:
                batch = (self._interpret_columns, self._interpret_row)
            else:
                namespace = self._namespace
                batch = (namespace["_batch_fast"], namespace["_batch_row"])
            self._batch = batch
        return batch

    def _interpret_row(self, *row: object) -> Value:
        variables = {name: v for name, v in zip(self.names, row) if v is not _MISSING}
        return interpreter.evaluate(self.tree, variables)

    def _interpret_columns(self, *cells: Sequence[object]) -> list[Value]:
        return list(map(self._interpret_row, *cells))


def compile_tree(node: Expr) -> CompiledCode:
    """Compile a value tree into :class:`CompiledCode` (raises ExpressionTooComplex past
    :data:`~nflex_metrics.limits.MAX_DEPTH_CEILING`)."""
    return CompiledCode(node)
