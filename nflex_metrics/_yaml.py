"""YAML for the mapping loader: PyYAML builds every value; this module bounds the work
and keeps the positions.

PyYAML's ``safe_load`` forgets where things were and silently keeps the last of two equal
keys, so the mapping loader has PyYAML compose the node tree (libyaml's C composer when
PyYAML has it, else PyYAML's own) and walks the top-level mapping and the entries itself.
Everything else is PyYAML's: merge keys (``<<``) are resolved by its ``flatten_mapping``
and values built by its safe constructor, aliases sharing their anchor's value, so a
value is what ``yaml.safe_load`` gives with the installed PyYAML. What its constructors
raise a bare exception for (``!!int ''``, an int of 5,000 digits) becomes a
:class:`ValueProblem` at the offending scalar.

Before any value is built, :func:`compose` measures the node tree once: how deeply each
value nests through aliases, how many values it stands for once aliases and merge keys
are expanded, and whether it contains itself. A file is refused past
:data:`MAX_DEPTH` or :data:`EXPANSION_PER_CHARACTER`, and such a value is a problem, so
what a file loads is bounded by its size and nothing downstream (``repr``, ``==``,
``pickle``, JSON) can explode. What PyYAML's merging then actually copies is counted
against the same budget (see ``flatten_mapping`` in :func:`_loader_class`).

PyYAML is imported on first use only.
"""

from __future__ import annotations

import contextlib
import functools
import gc
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Optional, TypeVar

from ._positions import SourceText

if TYPE_CHECKING:
    import yaml

__all__ = [
    "EXPANSION_PER_CHARACTER",
    "MAP_TAG",
    "MAX_DEPTH",
    "MIN_EXPANSION",
    "STR_TAG",
    "Document",
    "DocumentError",
    "SourceText",
    "ValueProblem",
    "collector_paused",
    "compose",
    "describe",
]

#: How deeply a mapping file may nest: the top-level mapping is level 1, an entry level 2,
#: a field's value level 3. Deeper YAML is refused as a whole, and a value that aliases
#: make deeper is a problem at its field, because PyYAML's composer and constructor and
#: Python's own ``repr``/``pickle``/``==`` recurse once per level.
MAX_DEPTH = 100

#: How many values a file may stand for once every alias is replaced by a copy of its
#: anchor's value and every merge key (``<<``) by copies of the pairs it merges (each
#: key, value and list item counts one): ten per character of the file, and
#: :data:`MIN_EXPANSION` in any case. Aliases share their anchor's value, but whatever
#: walks the loaded values (``repr``, ``==``, ``pickle``, JSON) walks every copy, and a
#: few hundred bytes of aliases of aliases stand for billions of values; past the budget
#: the file is refused, at the value where its expansion passes it.
EXPANSION_PER_CHARACTER = 10

#: The expansion budget of a small file (see :data:`EXPANSION_PER_CHARACTER`).
MIN_EXPANSION = 100_000

#: The tags the safe schema gives nodes, as PyYAML spells them.
STR_TAG = "tag:yaml.org,2002:str"
MAP_TAG = "tag:yaml.org,2002:map"
_SET_TAG = "tag:yaml.org,2002:set"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_VALUE_TAG = "tag:yaml.org,2002:value"  # a plain `=` key: PyYAML's flatten makes it a str

#: What PyYAML's scalar constructors raise, besides YAMLError, on a value their tag cannot
#: hold: ``!!bool maybe`` (KeyError), ``!!int ''`` (IndexError), ``!!timestamp x``
#: (AttributeError), ``2001-02-30`` or an int of more digits than Python converts
#: (ValueError).
_SCALAR_ERRORS = (ValueError, KeyError, IndexError, AttributeError, TypeError, OverflowError)

_P = TypeVar("_P", bound="_Problem")


class _Problem(Exception):
    """A problem, why (``message``, without a position) and where (1-based)."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column

    @classmethod
    def at(cls: type[_P], message: str, mark: Any) -> _P:
        """The problem at a node's or PyYAML error's mark (0-based line and column)."""
        return cls(message, mark.line + 1, mark.column + 1)


class DocumentError(_Problem):
    """A document that cannot be loaded at all (not YAML, too deep, expanding past its
    budget)."""


class ValueProblem(_Problem):
    """A value that cannot be built, at the node at fault."""


def _too_deep_message(what: str = "the YAML is") -> str:
    return f"{what} nested more than {MAX_DEPTH} levels deep"


def _past_budget_message(budget: int) -> str:
    return (
        f"aliases and merge keys (<<) make this file stand for more than {budget:,} values "
        f"({EXPANSION_PER_CHARACTER} per character of the file, {MIN_EXPANSION:,} at least)"
    )


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a document's node tree is alive.

    PyYAML makes a few GC-tracked objects per node (42,000 for a file of 1,000 entries).
    They hold no reference cycles and are freed by reference counting when the tree
    goes, so a collection would only traverse them, and their number is what triggers
    the process's first full collection: 3 ms of a 55 ms first load of 1,000 entries.
    The collector is left as it was found (a process that disabled it keeps it so).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@functools.cache
def _loader_class(libyaml: bool) -> Any:
    """PyYAML's safe loader: libyaml's composer, or PyYAML's own refusing YAML nested more
    than :data:`MAX_DEPTH` levels (it recurses once per level: deeper YAML would raise
    RecursionError); either with merge keys bounded (see ``flatten_mapping``)."""
    import yaml

    class BoundedMerges(yaml.constructor.SafeConstructor):
        merge_depth = 0  # how many flatten_mapping calls with merge keys are under way
        merged_pairs = 0  # how many pairs they left in their mappings, all told
        budget = MIN_EXPANSION

        def flatten_mapping(self, node: yaml.MappingNode) -> None:
            """PyYAML's, refusing merge keys nested more than :data:`MAX_DEPTH` deep (it
            recurses once per level) and counting the pairs that merging leaves in each
            mapping against the file's expansion budget. :func:`compose` measures what
            merge keys copy; this bounds what PyYAML actually does where its result depends
            on its order of work: merge keys that lead back into a mapping being merged
            make it merge again (exponentially often before PyYAML 6.0.3)."""
            if not any(key.tag == _MERGE_TAG for key, _ in node.value):
                super().flatten_mapping(node)  # (turns `=` keys into strings)
                return
            if self.merge_depth >= MAX_DEPTH:
                raise ValueProblem.at(_too_deep_message("merge keys (<<) are"), node.start_mark)
            self.merge_depth += 1
            try:
                super().flatten_mapping(node)
            finally:
                self.merge_depth -= 1
            self.merged_pairs += len(node.value)
            if self.merged_pairs > self.budget:
                raise DocumentError.at(_past_budget_message(self.budget), node.start_mark)

    if libyaml:
        return type("BoundedCSafeLoader", (BoundedMerges, yaml.CSafeLoader), {})

    class DepthLimitedSafeLoader(BoundedMerges, yaml.SafeLoader):
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
    """Compose and measure the single YAML document in ``source``: with libyaml when PyYAML
    has it (``yaml.__with_libyaml__``), else with PyYAML's own loader.

    Raises :class:`DocumentError` for text that is not one YAML document, for a document
    nested more than :data:`MAX_DEPTH` levels deep and for one whose expansion passes its
    budget (:data:`EXPANSION_PER_CHARACTER`).
    """
    import yaml

    return _compose(source, getattr(yaml, "__with_libyaml__", False))


def _compose(source: SourceText, libyaml: bool) -> Document:
    import yaml

    loader: Any = None
    try:
        # PyYAML's own reader checks the characters of the text when it is made.
        loader = _loader_class(libyaml)(source.text)
        root = loader.get_single_node()
        measure = _Measure(root)
        # libyaml composes 1,000 levels: refuse what PyYAML's own composer refuses. The
        # height through aliases bounds the nesting as written, unless merge keys (which
        # put the pairs they merge one level up) flatten it.
        if libyaml and (measure.height > MAX_DEPTH or measure.own_pairs):
            deep = _first_too_deep(root)
            if deep is not None:
                raise DocumentError.at(_too_deep_message(), deep.start_mark)
        loader.budget = max(MIN_EXPANSION, EXPANSION_PER_CHARACTER * len(source.text))
        if measure.size > loader.budget:
            where = measure.past(loader.budget)
            raise DocumentError.at(_past_budget_message(loader.budget), where.start_mark)
    except yaml.YAMLError as err:
        if loader is not None:
            loader.dispose()
        if libyaml and "exceeded maximum nesting depth" in str(getattr(err, "problem", "")):
            # libyaml refuses more than 1,000 levels in words of its own: PyYAML's own
            # composer stops at MAX_DEPTH, at the first node too deep, as for fewer levels.
            return _compose(source, False)
        raise _document_error(source, err) from None
    except DocumentError:
        loader.dispose()
        raise
    return Document(root, loader, measure)


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


#: What :class:`_Measure` finds for a collection node: the values it stands for once
#: aliases and merge keys are expanded (itself included), the levels it nests (a scalar
#: nests 1) and whether it contains itself.
Extent = tuple[int, int, bool]


class _Frame:
    """A collection node being measured (see :class:`_Measure`)."""

    def __init__(self, node: yaml.Node, own: list[Any], merged: list[Any], scalars: int) -> None:
        self.node = node
        self.children = own + merged  # to measure: its own collections, then merged mappings
        self.owned = len(own)
        self.index = 0  # of the next child to measure
        self.size = 1 + scalars  # so far
        self.height = 2 if scalars else 1
        self.recursive = False
        self.own = (0, 0)  # size and height before merging, set when merging starts
        self.depth = 0  # own (not merge) steps from the root: set when pushed


class _Measure:
    """One pass over a composed node graph, in which an alias is its anchor's node met
    again: depth-first in document order, each node once, iterative (libyaml composes
    1,000 levels). It finds the :data:`Extent` of every collection node, by ``id``, and
    the number of own pairs of each mapping that PyYAML's ``flatten_mapping`` rewrites
    (one with merge keys or ``=`` keys).

    A merge key counts as the pairs it copies: the merged mapping's, expanded, one level
    up. One that leads back to a mapping being merged (``&a {name: x, <<: *a}``) copies
    that mapping's own pairs, as PyYAML does; any other way back to a node being measured
    (``&l [*l]``, ``&a {sub: {<<: *a}}``) makes the values on the way contain themselves.
    """

    def __init__(self, root: Optional[yaml.Node]) -> None:
        import yaml

        self.root = root
        self.extents: dict[int, Extent] = {}
        self.own_pairs: dict[int, int] = {}
        self._scalar, self._mapping = yaml.ScalarNode, yaml.MappingNode
        collection = root is not None and not isinstance(root, yaml.ScalarNode)
        self.size, self.height = self._measure(root) if collection else (1, 1)

    def _frame(self, node: Any) -> _Frame:
        own: list[Any] = node.value
        merged: list[Any] = []
        if type(node) is self._mapping:
            own, rewritten = [], False
            for key, value in node.value:
                rewritten = rewritten or key.tag in (_MERGE_TAG, _VALUE_TAG)
                if key.tag == _MERGE_TAG and _mergeable(value):
                    merged += value.value if type(value) is not self._mapping else [value]
                else:
                    own += (key, value)
            if rewritten:
                self.own_pairs[id(node)] = sum(k.tag != _MERGE_TAG for k, _ in node.value)
        collections = [part for part in own if type(part) is not self._scalar]
        return _Frame(node, collections, merged, len(own) - len(collections))

    def _measure(self, root: Any) -> tuple[int, int]:
        extents = self.extents
        stack = [self._frame(root)]
        open_ = {id(root): stack[0]}  # the frames on the stack, by node id
        while True:
            frame = stack[-1]
            if frame.index == len(frame.children):  # measured: add it to the frame below
                stack.pop()
                del open_[id(frame.node)]
                extent = extents[id(frame.node)] = (frame.size, frame.height, frame.recursive)
                if not stack:
                    return frame.size, frame.height
                frame = stack[-1]
                merging = frame.index > frame.owned
            else:
                child = frame.children[frame.index]
                merging = frame.index >= frame.owned
                if frame.index == frame.owned:
                    frame.own = (frame.size, frame.height)
                frame.index += 1
                if id(child) in extents:
                    extent = extents[id(child)]
                elif id(child) in open_:  # a way back to a node being measured
                    ahead = open_[id(child)]
                    if not merging or ahead.depth != frame.depth:  # not merge keys only
                        frame.recursive = True
                        continue
                    extent = (*ahead.own, False)
                else:
                    new = self._frame(child)
                    if new.children:
                        new.depth = frame.depth + (not merging)
                        stack.append(new)
                        open_[id(child)] = new
                        continue
                    extent = extents[id(child)] = (new.size, new.height, False)
            size, height, recursive = extent
            if merging:  # the merged pairs, at this frame's level
                frame.size += size - 1
                frame.height = max(frame.height, height)
            else:
                frame.size += size
                frame.height = max(frame.height, height + 1)
            frame.recursive = frame.recursive or recursive

    def past(self, budget: int) -> yaml.Node:
        """Where the document's expansion, counted in document order, passes ``budget``: a
        merge key, or the collection holding the aliases that pass it, or a scalar."""
        import yaml

        node = self.root
        assert node is not None  # (a document past its budget has one)
        count = 1
        while True:
            for part, size, merge_key in self._parts(node):
                if count + size <= budget:
                    count += size
                elif merge_key is not None:
                    return merge_key
                elif isinstance(part, yaml.ScalarNode):
                    return part
                elif part.start_mark.index <= node.start_mark.index:  # an alias
                    return node
                else:
                    node, count = part, count + 1
                    break
            else:
                return node

    def _parts(self, node: Any) -> Iterator[tuple[yaml.Node, int, Optional[yaml.Node]]]:
        """The parts of a collection node in document order, with the values each stands
        for (merged mappings with their merge key, standing for their pairs)."""
        import yaml

        def size(part: yaml.Node) -> int:
            return self.extents.get(id(part), (1,))[0]

        if not isinstance(node, yaml.MappingNode):
            yield from ((item, size(item), None) for item in node.value)
            return
        for key, value in node.value:
            if key.tag == _MERGE_TAG and _mergeable(value):
                sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
                yield from ((source, size(source) - 1, key) for source in sources)
            else:
                yield key, size(key), None
                yield value, size(value), None


def _mergeable(node: yaml.Node) -> bool:
    """Whether PyYAML can merge what a merge key refers to: a mapping or a list of them."""
    import yaml

    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    return all(isinstance(item, yaml.MappingNode) for item in items)


#: A mapping's (key node, value node, explicit) triples: see :meth:`Document.pairs`.
Pair = tuple["yaml.Node", "yaml.Node", bool]


class Document:
    """A composed and measured YAML document: its root node, the pairs of its mappings and
    the values of its nodes, as PyYAML's safe constructor builds them (once per node: an
    alias shares its anchor's value, as in ``safe_load``)."""

    def __init__(self, root: Optional[yaml.Node], loader: Any, measure: _Measure) -> None:
        self.root = root
        self._loader = loader
        self._extents = measure.extents
        self._own_pairs = measure.own_pairs

    def dispose(self) -> None:
        """Release the loader (libyaml's parser holds C memory)."""
        self._loader.dispose()

    def pairs(self, node: yaml.MappingNode) -> tuple[list[Pair], list[ValueProblem]]:
        """The (key node, value node, explicit) triples of a mapping the caller walks
        itself (the top level, an entry), merge keys (``<<``) resolved by PyYAML's
        ``flatten_mapping``, and the problems found.

        Merged pairs come first and are not ``explicit``; in a dict the later pair wins. A
        merge key whose value is not a mapping or a list of mappings is a problem and left
        out; when PyYAML cannot merge the rest (a merge key further down has such a value,
        or they nest too deep), that problem is all there is.
        """
        import yaml

        own = self._own_pairs.get(id(node))
        if own is None:  # no merge key, as in nearly every mapping
            return [(key, value, True) for key, value in node.value], []
        problems: list[ValueProblem] = []
        kept = []
        for key, value in node.value:
            if key.tag == _MERGE_TAG and not _mergeable(value):
                problems.append(
                    ValueProblem.at("a merge key (<<) must refer to a mapping", value.start_mark)
                )
            else:
                kept.append((key, value))
        node.value = kept
        try:
            self._loader.flatten_mapping(node)
        except yaml.MarkedYAMLError as err:
            return [], [*problems, ValueProblem.at(str(err.problem), err.problem_mark)]
        except ValueProblem as problem:
            return [], [*problems, problem]
        merged = len(node.value) - own  # PyYAML puts them before the mapping's own pairs
        return [(k, v, index >= merged) for index, (k, v) in enumerate(node.value)], problems

    def value(self, node: yaml.Node, level: int = 3) -> Any:
        """The value of a node at nesting ``level`` (the root is 1), as PyYAML's safe
        constructor builds it; raises :class:`ValueProblem` for what it cannot build and
        for a value that aliases make nest deeper than :data:`MAX_DEPTH` or that contains
        itself (``safe_load`` would build a recursive structure, which nothing downstream
        can print, compare or copy)."""
        import yaml

        if node.tag == STR_TAG and isinstance(node, yaml.ScalarNode):
            # A string is its text: what PyYAML's constructor returns, without the
            # bookkeeping (4 ms of the 100 ms cold load of a file of 1,000 entries).
            return node.value
        extent = self._extents.get(id(node))
        if extent is not None:
            if extent[2]:
                raise ValueProblem.at(
                    "the value contains itself (an alias of its anchor)", node.start_mark
                )
            if level + extent[1] - 1 > MAX_DEPTH:
                message = _too_deep_message("the value is") + " (through aliases)"
                raise ValueProblem.at(message, node.start_mark)
        loader = self._loader
        try:
            return loader.construct_object(node, deep=True)
        except (yaml.MarkedYAMLError, ValueProblem, *_SCALAR_ERRORS) as err:
            loader.recursive_objects.clear()  # forget the construction that failed
            loader.deep_construct = False
            if isinstance(err, ValueProblem):  # merge keys nested too deep
                raise
            if isinstance(err, yaml.MarkedYAMLError):
                raise ValueProblem.at(str(err.problem), err.problem_mark) from None
            raise self._bad_scalar(node, err) from None

    def _bad_scalar(self, node: yaml.Node, err: Exception) -> ValueProblem:
        """The problem of the first scalar under ``node`` (keys too, in document order)
        that PyYAML's constructor raises a bare exception for, like ``err``."""
        import yaml

        loader = self._loader
        seen: set[int] = set()
        stack = [node]
        while stack:
            item = stack.pop()
            if id(item) in seen:
                continue
            seen.add(id(item))
            if isinstance(item, yaml.MappingNode):
                pairs = ((v,) if k.tag == _MERGE_TAG else (k, v) for k, v in item.value)
                stack.extend(reversed([child for pair in pairs for child in pair]))
            elif isinstance(item, yaml.SequenceNode):
                stack.extend(reversed(item.value))
            else:
                try:
                    loader.construct_object(item)
                except _SCALAR_ERRORS as found:
                    loader.recursive_objects.clear()
                    return ValueProblem.at(_scalar_error(item, found), item.start_mark)
                except yaml.YAMLError:
                    loader.recursive_objects.clear()
        return ValueProblem.at(_scalar_error(node, err), node.start_mark)  # pragma: no cover


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
        if node.tag in (MAP_TAG, _SET_TAG):
            return "a mapping" if node.tag == MAP_TAG else "a set"
        return f"a mapping tagged {str(node.tag).replace('tag:yaml.org,2002:', '!!')}"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    tag = str(node.tag).rsplit(":", 1)[-1]
    if tag == "null":
        return "null"
    if tag == "str":
        return "a string"
    return f"{'an' if tag[:1] in 'aeiou' else 'a'} {tag}"
