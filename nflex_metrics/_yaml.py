"""YAML for the mapping loader: PyYAML's node tree, the values of its nodes, and positions.

PyYAML's ``safe_load`` forgets where things were and silently keeps the last of two equal
keys. The mapping loader needs both, so it has PyYAML compose the node tree (libyaml's C
composer when PyYAML has it, else PyYAML's own) and walks the tree itself. A
:class:`Document` gives the safe-schema value of any node, as ``safe_load`` would, but
reports what ``safe_load`` raises a bare exception for (``!!int ''``, an int of 5,000
digits). Loading stays bounded on hostile input: see :data:`MAX_DEPTH` and
:data:`MERGE_COPIES_PER_CHARACTER`.

:class:`SourceText` and :func:`scalar_position` turn node marks and offsets inside a
scalar's *value* into 1-based line and column numbers of the *file*.

PyYAML is imported on first use only.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import gc
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Callable, Optional

if TYPE_CHECKING:
    import yaml

__all__ = [
    "MAX_DEPTH",
    "MERGE_COPIES_PER_CHARACTER",
    "MIN_MERGE_COPIES",
    "STR_TAG",
    "Document",
    "DocumentError",
    "SourceText",
    "ValueProblem",
    "collector_paused",
    "compose",
    "describe",
    "scalar_position",
]

#: How deeply a mapping file may nest: the top-level mapping is level 1, an entry level 2,
#: a field's value level 3. Deeper YAML is refused as a whole, and a value that an alias
#: makes deeper is reported at its field, because PyYAML's pure-Python composer, the
#: value walk here and Python's own ``repr``/``pickle``/``==`` recurse once per level.
MAX_DEPTH = 100

#: How many key/value pairs merge keys (``<<``) may copy into the mappings of one file:
#: ten per character of the file, and :data:`MIN_MERGE_COPIES` in any case. Each mapping
#: that merges another gets its own copy of that mapping's pairs, so a few lines of merge
#: keys can ask for millions of copies; past the budget the file is refused, which keeps
#: loading linear in the file's size.
MERGE_COPIES_PER_CHARACTER = 10

#: The merge budget of a small file (see :data:`MERGE_COPIES_PER_CHARACTER`).
MIN_MERGE_COPIES = 100_000

#: The line breaks YAML recognises (``\r\n`` counts as one).
_BREAKS = "\r\n\x85\u2028\u2029"

#: One line break (``\r\n`` is one break, a lone ``\r`` another).
_BREAK_PATTERN = "\r\n?|[\n\x85\u2028\u2029]"

#: The tags the safe schema gives nodes, as PyYAML spells them.
STR_TAG = "tag:yaml.org,2002:str"
_INT_TAG = "tag:yaml.org,2002:int"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_NULL_TAG = "tag:yaml.org,2002:null"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_SET_TAG = "tag:yaml.org,2002:set"
_OMAP_TAG = "tag:yaml.org,2002:omap"
_PAIRS_TAG = "tag:yaml.org,2002:pairs"
_MERGE_TAG = "tag:yaml.org,2002:merge"

#: The YAML 1.1 boolean words, lower-cased, as the safe schema reads them.
_BOOLS = {"yes": True, "true": True, "on": True, "no": False, "false": False, "off": False}

#: An int the safe schema reads as plain decimal (a leading 0 would make it octal).
_DECIMAL_RE = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")

#: What PyYAML's scalar constructors raise, besides YAMLError, on a value their tag cannot
#: hold: ``!!bool maybe`` (KeyError), ``!!int ''`` (IndexError), ``!!timestamp x``
#: (AttributeError), ``2001-02-30`` or an int of more digits than Python converts
#: (ValueError).
_SCALAR_ERRORS = (ValueError, KeyError, IndexError, AttributeError, TypeError, OverflowError)

#: Characters a scalar's *value* may hold where its source text holds other whitespace.
_SPACE = " \t" + _BREAKS


class SourceText:
    """A document's text with a table of line starts, for converting marks and offsets.

    Lines end at the line breaks YAML recognises (``\\n``, ``\\r\\n``, a lone ``\\r``,
    ``\\x85``, ``\\u2028``, ``\\u2029``), as PyYAML counts them in its marks.

    >>> src = SourceText("a: 1\\rb: 2\\n")
    >>> src.position(src.index(1, 3))
    (2, 4)
    >>> src.line(2)
    'b: 2'
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._line_starts: Optional[list[int]] = None

    @property
    def _starts(self) -> list[int]:
        """The index of each line's first character, computed on first use: only a
        problem report needs it, so a file without problems never pays for it."""
        if self._line_starts is None:
            breaks = re.finditer(_BREAK_PATTERN, self.text)
            self._line_starts = [0, *(m.end() for m in breaks)]
        return self._line_starts

    def index(self, line0: int, column0: int) -> int:
        """The text index of a 0-based (line, column) pair, as found in YAML marks."""
        line0 = min(max(line0, 0), len(self._starts) - 1)
        return min(self._starts[line0] + column0, len(self.text))

    def position(self, index: int) -> tuple[int, int]:
        """The 1-based (line, column) of a text index."""
        line0 = bisect.bisect_right(self._starts, index) - 1
        return line0 + 1, index - self._starts[line0] + 1

    def line(self, line: int) -> str:
        """The text of a 1-based line, without its line break ('' when out of range)."""
        if not 1 <= line <= len(self._starts):
            return ""
        start = self._starts[line - 1]
        end = self._starts[line] if line < len(self._starts) else len(self.text)
        return self.text[start:end].rstrip(_BREAKS)

    def excerpt(self, line: int, column: int, width: int) -> tuple[str, int]:
        """At most ``width`` characters of a 1-based line around a 1-based column, with
        ``...`` where the line is cut, and that column's place in the excerpt.

        >>> SourceText("a" * 50 + "^" + "b" * 50).excerpt(1, 51, 10)
        ('...aaaaa^bbbb...', 9)
        """
        if not 1 <= line <= len(self._starts):
            return "", column
        start = self._starts[line - 1]
        end = self._starts[line] if line < len(self._starts) else len(self.text)
        while end > start and self.text[end - 1] in _BREAKS:  # the line break ("\r\n")
            end -= 1
        if end - start <= width:
            return self.text[start:end], column
        first = max(start, min(start + column - 1 - width // 2, end - width))
        last = first + width
        text = self.text[first:last]
        column -= first - start
        if first > start:
            text = "..." + text
            column += 3
        if last < end:
            text += "..."
        return text, column


class DocumentError(Exception):
    """A document that cannot be loaded at all (not YAML, too deep, too many merge copies),
    with the 1-based position of the problem."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class ValueProblem(Exception):
    """A node whose value cannot be built, and why (``message`` has no position: the
    node's ``start_mark`` is the place). A value ``too_deep`` is too deep where it is
    used, which its node (shared by the aliases) cannot tell."""

    def __init__(self, node: yaml.Node, message: str, *, too_deep: bool = False) -> None:
        super().__init__(message)
        self.node = node
        self.message = message
        self.too_deep = too_deep


def _too_deep_message(what: str = "the YAML is") -> str:
    return f"{what} nested more than {MAX_DEPTH} levels deep"


def _too_deep(node: yaml.Node) -> ValueProblem:
    return ValueProblem(
        node, _too_deep_message("the value is") + " (through aliases)", too_deep=True
    )


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a document's node tree is alive.

    PyYAML makes a few GC-tracked objects per node (42,000 for a file of 1,000 entries).
    They hold no reference cycles and are freed by reference counting when the tree
    goes, so a collection would only traverse them, and their number is what triggers
    the process's first full collection: 20 ms of a 70 ms load of 1,000 entries. The
    collector is left as it was found (a process that disabled it keeps it disabled).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@functools.lru_cache(maxsize=None)  # noqa: UP033 (Python 3.9 has no functools.cache)
def _depth_limited_safe_loader() -> Any:
    """PyYAML's own SafeLoader, refusing a node nested more than :data:`MAX_DEPTH` levels
    (its composer recurses once per level: deeper YAML would raise RecursionError)."""
    import yaml

    class DepthLimitedSafeLoader(yaml.SafeLoader):
        depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):  # an alias nests nothing new
                return super().compose_node(parent, index)
            if self.depth >= MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise yaml.composer.ComposerError(None, None, _too_deep_message(), mark)
            self.depth += 1
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    return DepthLimitedSafeLoader


def _first_too_deep(root: yaml.Node) -> Optional[yaml.Node]:
    """The first node, in document order, nested deeper than :data:`MAX_DEPTH`, or None.

    Counts as PyYAML's composer does: an alias nests nothing (its anchor's node counts
    where it first appears). Iterative, as libyaml composes up to 1,000 levels.
    """
    import yaml

    scalar = yaml.ScalarNode
    if type(root) is scalar:
        return None
    seen: set[int] = set()
    # Depth-first in document order: (node, its level, where its parent starts).
    stack: list[tuple[yaml.Node, int, int]] = [(root, 1, -1)]
    while stack:
        node, level, parent_start = stack.pop()
        if type(node) is scalar:  # only pushed past the limit
            if node.start_mark.index >= parent_start:  # not an alias of an earlier scalar
                return node
            continue
        if id(node) in seen:  # an alias: its node was visited where the anchor is
            continue
        seen.add(id(node))
        if level > MAX_DEPTH:
            return node
        items = node.value
        if isinstance(node, yaml.MappingNode):  # keys and values, in order
            items = [child for pair in items for child in pair]
        if level < MAX_DEPTH:  # a scalar here cannot be too deep: leave scalars out
            items = [child for child in items if type(child) is not scalar]
            if not items:  # as for most entries of a mapping file
                continue
        start = node.start_mark.index
        stack.extend([(child, level + 1, start) for child in reversed(items)])
    return None


def compose(source: SourceText) -> Document:
    """Compose the single YAML document in ``source``: with libyaml when PyYAML has it
    (``yaml.__with_libyaml__``), else with PyYAML's own loader.

    Raises :class:`DocumentError` for text that is not one YAML document and for a
    document nested more than :data:`MAX_DEPTH` levels deep.
    """
    import yaml

    libyaml = getattr(yaml, "__with_libyaml__", False)
    loader: Any = None
    try:
        # PyYAML's own reader checks the characters of the text when it is made.
        loader = (
            yaml.CSafeLoader(source.text) if libyaml else _depth_limited_safe_loader()(source.text)
        )
        root = loader.get_single_node()
        deep = _first_too_deep(root) if libyaml and root is not None else None
    except yaml.YAMLError as err:
        if loader is not None:
            loader.dispose()
        raise _document_error(source, err) from None
    if deep is not None:
        loader.dispose()
        mark = deep.start_mark
        raise DocumentError(_too_deep_message(), mark.line + 1, mark.column + 1)
    budget = max(MIN_MERGE_COPIES, MERGE_COPIES_PER_CHARACTER * len(source.text))
    return Document(root, loader, budget)


def _document_error(source: SourceText, err: yaml.YAMLError) -> DocumentError:
    """The problem PyYAML found composing a document, with its position."""
    import yaml

    if isinstance(err, yaml.reader.ReaderError):
        line, column = source.position(err.position)
        if isinstance(err.character, int):
            what = f"unacceptable character #x{err.character:04x}: {err.reason}"
        else:
            what = str(err.reason)
        return DocumentError(f"YAML syntax error: {what}", line, column)
    if isinstance(err, yaml.MarkedYAMLError):
        mark = err.problem_mark or err.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        if err.problem == _too_deep_message():
            return DocumentError(_too_deep_message(), line, column)
        what = "; ".join(str(part) for part in (err.context, err.problem) if part)
        return DocumentError(f"YAML syntax error: {what}", line, column)
    return DocumentError(f"YAML syntax error: {err}", 1, 1)  # pragma: no cover


#: A mapping's (key node, value node, explicit) triples: see :meth:`Document.pairs`.
Pair = tuple["yaml.Node", "yaml.Node", bool]

#: Called with a merge key's value node that is not a mapping or a list of mappings.
MergeReport = Callable[["yaml.Node"], None]

#: Merged pairs of a mapping: key identity (see :func:`_identity`) -> (key, value) nodes.
_Merged = dict[Any, "tuple[yaml.Node, yaml.Node]"]


class Document:
    """A composed YAML document: its root node, and the safe-schema value of any node.

    Values are built once per node and shared, as ``safe_load`` shares the value of an
    anchor among its aliases: an alias bomb (aliases of aliases of ...) costs what its
    text costs. Lists are lists, mappings dicts, ``!!set`` a set, ``!!omap``/``!!pairs``
    lists of pairs, scalars what PyYAML's safe constructors make of them.
    """

    def __init__(self, root: Optional[yaml.Node], loader: Any, merge_copies: int) -> None:
        self.root = root
        self._loader = loader
        #: How many more key/value pairs merge keys may copy.
        self._merge_budget = merge_copies
        #: Built values and the levels each nests (a scalar 1), by node id.
        self._values: dict[int, tuple[Any, int]] = {}
        #: Nodes whose value cannot be built at any depth, and why.
        self._failed: dict[int, ValueProblem] = {}
        #: Nodes too deep at a nesting level: they are at any deeper level too.
        self._too_deep_from: dict[int, int] = {}
        self._building: set[int] = set()
        self._merged: dict[int, _Merged] = {}
        self._merging: set[int] = set()

    def dispose(self) -> None:
        """Release the loader (libyaml's parser holds C memory)."""
        self._loader.dispose()

    # Scalars -------------------------------------------------------------------------
    def scalar(self, node: yaml.ScalarNode) -> Any:
        """The value of a scalar node (raises :class:`ValueProblem`).

        Strings, decimal ints, booleans and nulls (what a mapping file holds) are built
        here from the node's text and tag; the rest (floats, other int spellings,
        timestamps, binary, unknown tags, ints too long for Python) goes through PyYAML's
        much slower generic constructor, which gives the same values or the problem.
        """
        tag = node.tag
        value = node.value
        if tag == STR_TAG:
            return value
        if tag == _BOOL_TAG:
            flag = _BOOLS.get(value.lower())
            if flag is not None:
                return flag
        elif tag == _INT_TAG:
            if _DECIMAL_RE.fullmatch(value):
                try:
                    return int(value)
                except ValueError:  # more digits than Python converts: reported below
                    pass
        elif tag == _NULL_TAG:
            return None
        return self._construct(node)

    def _construct(self, node: yaml.Node) -> Any:
        """A node's value from PyYAML's safe constructor, for the nodes it builds without
        recursing: scalars, and collections whose tag does not fit them (it raises)."""
        import yaml

        known = self._values.get(id(node))
        if known is not None:
            return known[0]
        failed = self._failed.get(id(node))
        if failed is not None:
            raise failed
        try:
            data = self._loader.construct_object(node, deep=True)
        except yaml.YAMLError as err:
            problem = ValueProblem(node, str(getattr(err, "problem", None) or err))
        except _SCALAR_ERRORS as err:
            problem = ValueProblem(node, _scalar_error(node, err))
        else:
            self._values[id(node)] = (data, 1)
            return data
        self._failed[id(node)] = problem
        raise problem

    # Any node ------------------------------------------------------------------------
    def value(self, node: yaml.Node, level: int) -> Any:
        """The value of a node at nesting ``level`` (the root is 1); raises
        :class:`ValueProblem`, also for a value that an alias makes nest deeper than
        :data:`MAX_DEPTH` or that contains itself (``safe_load`` would build a recursive
        structure, which nothing downstream can print, compare or copy)."""
        return self._value(node, level)[0]

    def _value(self, node: yaml.Node, level: int) -> tuple[Any, int]:
        """A node's value and the levels it nests, at nesting ``level``."""
        import yaml

        key = id(node)
        if level > MAX_DEPTH or level >= self._too_deep_from.get(key, MAX_DEPTH + 1):
            raise _too_deep(node)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node), 1
        known = self._values.get(key)
        if known is not None:
            if level + known[1] - 1 > MAX_DEPTH:
                raise _too_deep(node)
            return known
        failed = self._failed.get(key)
        if failed is not None:
            raise failed
        if key in self._building:
            problem = ValueProblem(node, "the value contains itself (an alias of its anchor)")
            self._failed[key] = problem
            raise problem
        self._building.add(key)
        try:
            built = self._collection(node, level)
        except ValueProblem as problem:
            if problem.too_deep:
                self._too_deep_from[key] = level
            else:
                self._failed[key] = problem
            raise
        finally:
            self._building.discard(key)
        self._values[key] = built
        return built

    def _collection(self, node: yaml.Node, level: int) -> tuple[Any, int]:
        """The value of a sequence or mapping node and the levels it nests."""
        import yaml

        tag = node.tag
        deepest = 0

        def child(item: yaml.Node) -> Any:
            nonlocal deepest
            data, levels = self._value(item, level + 1)
            deepest = max(deepest, levels)
            return data

        if isinstance(node, yaml.SequenceNode) and tag == _SEQ_TAG:
            return [child(item) for item in node.value], deepest + 1
        if isinstance(node, yaml.SequenceNode) and tag in (_OMAP_TAG, _PAIRS_TAG):
            pairs = []
            for item in node.value:
                if not isinstance(item, yaml.MappingNode) or len(item.value) != 1:
                    found = (
                        f"{len(item.value)} items"
                        if isinstance(item, yaml.MappingNode)
                        else describe(item)
                    )
                    raise ValueProblem(item, f"expected a mapping of one item, found {found}")
                key_node, value_node = item.value[0]
                pairs.append((self._key(key_node), child(value_node)))
            return pairs, deepest + 2  # a list of tuples
        if isinstance(node, yaml.MappingNode) and tag in (_MAP_TAG, _SET_TAG):

            def bad_merge(value_node: yaml.Node) -> None:
                raise ValueProblem(value_node, "a merge key (<<) must refer to a mapping")

            pairs_ = self.pairs(node, bad_merge)
            if tag == _SET_TAG:
                return {self._key(k) for k, _, _ in pairs_}, 2
            return {self._key(k): child(v) for k, v, _ in pairs_}, deepest + 1
        return self._construct(node), 1  # a tag that does not fit the node: PyYAML raises

    def _key(self, node: yaml.Node) -> Any:
        """The value of a key inside a value: a scalar, as a dict key must be hashable."""
        import yaml

        if not isinstance(node, yaml.ScalarNode):
            raise ValueProblem(node, f"a key must be a scalar, got {describe(node)}")
        return self.scalar(node)

    # Merge keys ----------------------------------------------------------------------
    def pairs(self, node: yaml.MappingNode, bad_merge: MergeReport) -> list[Pair]:
        """The (key node, value node, explicit) triples of a mapping, merge keys (``<<``)
        resolved as ``safe_load`` resolves them.

        Merged pairs come first and are not ``explicit``; in the mapping a later pair wins,
        which gives YAML's merge rule (the mapping's own keys override merged ones, and
        the first mapping of a merged list overrides the later ones). A merge that leads
        back to a mapping being merged (``&a {<<: *a}``) brings that mapping's own keys.
        Each merge key's value that is not a mapping or a list of mappings goes to
        ``bad_merge`` and is skipped.
        """
        own = node.value
        for key, _ in own:
            if key.tag == _MERGE_TAG:
                break
        else:  # no merge key, as in nearly every mapping
            return [(key, value, True) for key, value in own]
        merged = [(key, value, False) for key, value in self._merge_keys(node, bad_merge, 1)]
        return merged + [(key, value, True) for key, value in own if key.tag != _MERGE_TAG]

    def _merge_keys(
        self, node: yaml.MappingNode, bad_merge: MergeReport, level: int
    ) -> Iterable[tuple[yaml.Node, yaml.Node]]:
        """The pairs that the merge keys of a mapping bring into it, one per key."""
        import yaml

        if level > MAX_DEPTH:
            raise ValueProblem(node, _too_deep_message("merge keys (<<) are"))
        merged: _Merged = {}
        self._merging.add(id(node))
        try:
            for key, value in node.value:
                if key.tag != _MERGE_TAG:
                    continue
                sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
                if not all(isinstance(source, yaml.MappingNode) for source in sources):
                    bad_merge(value)
                    continue
                for source in reversed(sources):
                    merged.update(self._count(self._merged_mapping(source, bad_merge, level), key))
        finally:
            self._merging.discard(id(node))
        return merged.values()

    def _merged_mapping(
        self, node: yaml.MappingNode, bad_merge: MergeReport, level: int
    ) -> _Merged:
        """All pairs of a mapping merged into another, its merge keys applied (shared: do
        not change). A mapping that is being merged already (a cycle) gives its own
        pairs."""
        known = self._merged.get(id(node))
        if known is not None:
            return known
        if id(node) in self._merging:
            return {_identity(k): (k, v) for k, v in node.value if k.tag != _MERGE_TAG}
        merged: _Merged = {}
        for key, value in self._merge_keys(node, bad_merge, level + 1):
            merged[_identity(key)] = (key, value)
        for key, value in node.value:
            if key.tag != _MERGE_TAG:
                merged[_identity(key)] = (key, value)
        self._merged[id(node)] = merged
        return merged

    def _count(self, pairs: _Merged, merge_key: yaml.Node) -> _Merged:
        """``pairs``, after taking their copy from the merge budget (see
        :data:`MERGE_COPIES_PER_CHARACTER`)."""
        self._merge_budget -= len(pairs)
        if self._merge_budget < 0:
            mark = merge_key.start_mark
            raise DocumentError(
                "merge keys (<<) copy too many keys for the size of this file "
                f"(more than {MERGE_COPIES_PER_CHARACTER} per character)",
                mark.line + 1,
                mark.column + 1,
            )
        return pairs


def _identity(key: yaml.Node) -> Any:
    """What makes two merged keys the same key: a scalar's tag and text (equal ones make
    equal values), any other node itself."""
    return (key.tag, key.value) if isinstance(key.value, str) else id(key)


def _scalar_error(node: yaml.Node, err: Exception) -> str:
    """A message for what a PyYAML constructor raised on a scalar it cannot read."""
    text = node.value if isinstance(node.value, str) else ""
    tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
    if isinstance(err, ValueError) and "integer string conversion" in str(err):
        return (
            f"an integer of {len(text):,} characters is longer than Python reads "
            "(quote it to keep it as text)"
        )
    shown = text if len(text) <= 40 else text[:37] + "..."
    why = f": {err}" if isinstance(err, ValueError) else ""  # others name PyYAML's internals
    return f"cannot read {shown!r} as {tag}{why}"


def describe(node: yaml.Node) -> str:
    """A short phrase naming what a node is, for messages: 'a list', 'a mapping', 'null'."""
    import yaml

    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    tag = str(node.tag).rsplit(":", 1)[-1]
    if tag == "null":
        return "null"
    if tag == "str":
        return "a string"
    return f"{'an' if tag[:1] in 'aeiou' else 'a'} {tag}"


def _raw_span(source: SourceText, node: yaml.ScalarNode) -> tuple[int, int]:
    """The text indexes of the characters that spell a scalar's value (indicators excluded)."""
    start = source.index(node.start_mark.line, node.start_mark.column)
    end = source.index(node.end_mark.line, node.end_mark.column)
    style = node.style or ""
    if style in "|>" and style:
        # Block scalar: the content starts on the line after the header (`|-`, `>2 # c`).
        header_end = start
        while header_end < end and source.text[header_end] not in _BREAKS:
            header_end += 1
        return min(header_end + 1, end), end
    if style in ("'", '"'):
        return start + 1, max(start + 1, end - 1)
    return start, end


def scalar_position(
    source: SourceText, node: yaml.ScalarNode, value: str, line: int, column: int
) -> tuple[int, int]:
    """Map a 1-based (line, column) inside a scalar's ``value`` to the file's (line, column).

    Lines of the value end at ``\\n``, as the expression parser counts them. Exact for
    plain and block scalars, whose source differs from the value only in whitespace
    (indentation, folded line breaks, chomping); best effort for quoted scalars with
    escapes. A position at or past the end of the value points just after its last
    non-blank character.
    """
    lines = value.split("\n")
    line = min(max(line, 1), len(lines))
    offset = sum(len(text) + 1 for text in lines[: line - 1]) + max(column, 1) - 1
    offset = min(offset, len(value))
    raw_start, raw_end = _raw_span(source, node)
    raw = source.text[raw_start:raw_end]

    stripped = value.rstrip(_SPACE)
    past_end = offset >= len(stripped)
    target = len(stripped) - 1 if past_end else offset
    if target < 0:  # a blank value: point at the scalar itself
        return source.position(raw_start)

    # Walk value and source together: a non-blank character is the next equal character
    # of the source; whitespace of the value takes one whitespace character of the source.
    p = 0
    index = 0
    for ch in value[: target + 1]:
        if ch in _SPACE:
            if p < len(raw) and raw[p] in _SPACE:
                index = p
                p += 1
            else:
                index = p
        else:
            found = raw.find(ch, p)
            if found < 0:
                index = p
            else:
                index = found
                p = found + 1
    line_no, col_no = source.position(raw_start + min(index, max(len(raw) - 1, 0)))
    return (line_no, col_no + 1) if past_end else (line_no, col_no)
