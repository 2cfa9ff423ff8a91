"""Mapping entries: :class:`ParsedEntry` (one metric) and :class:`MetricMapping` (a file's
entries, in order), as :mod:`nflex_metrics.mapping` builds them.

>>> entry = ParsedEntry("cpu-usage", "%", False, "")
>>> entry.name(), entry.value(value=0.42)
('cpu-usage', 0.42)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Optional, Protocol, Union

from .errors import VariableLookupError
from .interpreter import _short_repr

if TYPE_CHECKING:
    from .expression import Expression

__all__ = ["Conversion", "MetricMapping", "ParsedEntry"]


class Conversion(Protocol):
    """Anything :class:`ParsedEntry` can convert with: an object with ``evaluate(dict)``."""

    def evaluate(self, variables: Mapping[str, Any], /) -> Any: ...


#: While the entries of one mapping are built (see :func:`sharing_frozen_values`): the
#: frozen copy of each container already frozen, by ``id`` of the original (kept with it,
#: so that the id stays taken).
_frozen_copies: ContextVar[Optional[dict[int, tuple[Any, Any]]]] = ContextVar(
    "_frozen_copies", default=None
)


def _freeze(value: Any) -> Any:
    """A read-only deep copy of a YAML value: dicts -> mapping proxies, lists -> tuples.

    A container met twice (YAML aliases share values) is copied once and the copy shared,
    so that an alias bomb stays linear; while a mapping file is built, all its entries
    share the copies.
    """
    memo = _frozen_copies.get()
    return _freeze_into(value, {} if memo is None else memo)


def _freeze_into(value: Any, memo: dict[int, tuple[Any, Any]]) -> Any:
    if not isinstance(value, (Mapping, list, tuple, set)):
        return value
    known = memo.get(id(value))
    if known is not None:
        return known[1]
    frozen: Any
    if isinstance(value, Mapping):
        frozen = MappingProxyType({key: _freeze_into(item, memo) for key, item in value.items()})
    elif isinstance(value, set):
        frozen = frozenset(value)
    else:
        frozen = tuple(_freeze_into(item, memo) for item in value)
    memo[id(value)] = (value, frozen)
    return frozen


@contextmanager
def sharing_frozen_values() -> Iterator[None]:
    """Let the entries built inside share their frozen values (see :func:`_freeze`)."""
    token = _frozen_copies.set({})
    try:
        yield
    finally:
        _frozen_copies.reset(token)


#: The ``extra`` of an entry with only known fields (shared: it is read-only).
_NO_EXTRA: Mapping[Any, Any] = MappingProxyType({})


def _thaw(value: Any, memo: Optional[dict[int, Any]] = None) -> Any:
    """The inverse of :func:`_freeze` for pickling (mapping proxies cannot be pickled);
    shared values stay shared, so that pickle stores each once."""
    if not isinstance(value, (MappingProxyType, tuple)):
        return value
    memo = {} if memo is None else memo
    known = memo.get(id(value))
    if known is not None:
        return known
    thawed: Any
    if isinstance(value, MappingProxyType):
        thawed = {key: _thaw(item, memo) for key, item in value.items()}
    else:
        thawed = [_thaw(item, memo) for item in value]
    memo[id(value)] = thawed
    return thawed


class ParsedEntry:
    """One metric of a mapping file: its CMP name, unit, counter flag, specialisation and
    conversion, with the 0.2.0 accessor methods.

    Entries are immutable (a loaded file's entries are shared through the load cache).
    Keys of the YAML entry beyond the known fields are kept, read-only, in :attr:`extra`.

    Once its expression runs generated code (see
    :data:`~nflex_metrics.expression.INTERPRETED_CALLS`), ``entry.value`` and
    ``entry.convert`` are that code itself, a plain function taking the variables as
    keywords: one call per sample. Behaviour is the same before and after.

    >>> entry = ParsedEntry("cpu-usage", "%", False, "")
    >>> entry.value(value="0.5")  # no conversion: the raw value, unchanged
    '0.5'
    """

    # No __slots__: once the expression is compiled, value()/convert() store its
    # generated keyword function in the instance dict, where it shadows the methods.

    _name: str
    _unit: str
    _counter: bool
    _specialisation: str
    _conversion: Optional[Conversion]
    _extra: Mapping[Any, Any]

    def __init__(
        self,
        name: str,
        unit: str,
        counter: bool,
        specialisation: str,
        conversion: Optional[Conversion] = None,
        extra: Optional[Mapping[Any, Any]] = None,
    ) -> None:
        fields = self.__dict__
        fields["_name"] = name
        fields["_unit"] = unit
        fields["_counter"] = counter
        fields["_specialisation"] = specialisation
        fields["_conversion"] = conversion
        fields["_extra"] = _freeze(dict(extra)) if extra else _NO_EXTRA

    # The 0.2.0 accessors -------------------------------------------------------------
    def name(self) -> str:
        """The CMP metric name ('' when the file gives none)."""
        return self._name

    def unit(self) -> str:
        """The unit ('' when the file gives none)."""
        return self._unit

    def counter(self) -> bool:
        """Whether the metric is a counter (False when the file gives none)."""
        return self._counter

    def specialisation(self) -> str:
        """The specialisation ('' when the file gives none)."""
        return self._specialisation

    def value(self, **variables: Any) -> Any:
        """Convert one sample: ``entry.value(value=0.42, total=3)``.

        With a conversion, its result (a float, or None for NULL); without one,
        ``variables['value']`` exactly as given. A missing variable raises
        :class:`~nflex_metrics.errors.VariableLookupError`.
        """
        conversion = self._conversion
        if conversion is None:
            try:
                return variables["value"]
            except KeyError:
                raise VariableLookupError("value") from None
        expression = self.expression
        if expression is None:  # a foreign conversion object
            return conversion.evaluate(variables)
        compiled = expression._compiled_if_hot()
        if compiled is None:  # a new expression: interpreted for its first calls
            return expression.evaluate(variables)
        # From now on entry.value and entry.convert are the generated function itself.
        function = compiled.evaluate_keywords
        self.__dict__["value"] = self.__dict__["convert"] = function
        return function(**variables)

    def convert(self, **variables: Any) -> Any:
        """The same as :meth:`value` (the other 0.2.0 spelling)."""
        return self.value(**variables)

    # 1.x additions -------------------------------------------------------------------
    @property
    def conversion(self) -> Optional[Conversion]:
        """The conversion object given (an Expression when loaded from a file), or None."""
        return self._conversion

    @property
    def expression(self) -> Optional[Expression]:
        """The compiled :class:`~nflex_metrics.expression.Expression`, or None."""
        if self._conversion is None:
            return None
        from .expression import Expression

        return self._conversion if isinstance(self._conversion, Expression) else None

    @property
    def extra(self) -> Mapping[Any, Any]:
        """The entry's other keys, read-only (nested lists are tuples, dicts proxies)."""
        return self._extra

    def get(self, key: Any, default: Any = None) -> Any:
        """One of the entry's other keys, or ``default``: ``entry.get('description')``."""
        return self._extra.get(key, default)

    def convert_columns(self, columns: Mapping[str, Sequence[Any]]) -> list[Any]:
        """Convert a batch given as columns (variable name -> equal-length sequences).

        Uses the expression's generated batch loop; without a conversion, returns
        ``columns['value']`` unchanged (as a list).
        """
        if self._conversion is None:
            try:
                return list(columns["value"])
            except KeyError:
                raise VariableLookupError("value") from None
        expression = self.expression
        if expression is not None:
            return expression.evaluate_columns(columns)
        # A foreign conversion object: row by row.
        names = list(columns)
        size = len(columns[names[0]]) if names else 0
        conversion = self._conversion
        return [conversion.evaluate({n: columns[n][i] for n in names}) for i in range(size)]

    # Object protocol -----------------------------------------------------------------
    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def _fields(self) -> tuple[Any, ...]:
        return (
            self._name,
            self._unit,
            self._counter,
            self._specialisation,
            self._conversion,
            self._extra,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ParsedEntry):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        # Equal entries have equal names; lenient loads may keep a non-str name.
        return hash(self._name) if isinstance(self._name, str) else 0

    def __repr__(self) -> str:
        conversion = self._conversion
        shown = repr(getattr(conversion, "source", conversion))
        extra = f", extra={_extra_repr(self._extra)}" if self._extra else ""
        return (
            f"ParsedEntry(name={self._name!r}, unit={self._unit!r}, counter={self._counter!r}, "
            f"specialisation={self._specialisation!r}, conversion={shown}{extra})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (*self._fields()[:5], _thaw(self._extra)))


def _extra_repr(extra: Mapping[Any, Any]) -> str:
    """The extra fields as a dict's ``repr``; each that cannot be shown (an int past
    Python's int-to-str digit limit, a failing ``__repr__``) is shown bounded instead."""
    try:
        return repr(dict(extra))
    except Exception:
        items = (f"{_short_repr(key)}: {_short_repr(value)}" for key, value in extra.items())
        return "{" + ", ".join(items) + "}"


class MetricMapping(dict[str, ParsedEntry]):
    """Metric key -> :class:`ParsedEntry`, in file order; ``source`` names where it came from.

    A plain ``dict`` subclass, so code written for 0.2.0's dict keeps working. Each load
    returns a fresh one; the entries themselves are immutable and may be shared.
    """

    source: Optional[str]

    def __init__(
        self,
        entries: Union[Mapping[str, ParsedEntry], Iterable[tuple[str, ParsedEntry]]] = (),
        *,
        source: Optional[str] = None,
    ) -> None:
        super().__init__(entries)
        self.source = source

    def copy(self) -> MetricMapping:
        """A shallow copy that keeps the ``source``."""
        return MetricMapping(self, source=self.source)

    def __repr__(self) -> str:
        return f"MetricMapping({dict.__repr__(self)}, source={self.source!r})"
