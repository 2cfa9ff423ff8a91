"""A griffe extension for the API reference pages: reST habits of our docstrings -> Markdown.

The docstrings are written for ``help()`` and doctest, in the reST-flavoured plain text
of the standard library. mkdocstrings renders docstrings as Markdown, where three of
those habits read badly, so this extension rewrites them on the loaded objects (the
source files are not touched):

- roles such as ``:class:`~nflex_metrics.limits.Limits``` become inline code (``Limits``);
- doctest sessions (``>>>`` lines and their output) become ``pycon`` code blocks;
- a literal block introduced by a paragraph ending in ``::`` becomes a code block;
- ``#:`` comment lines right above a module constant (the documentation comment of
  Sphinx's autodoc, which ``help()`` does not show either) become its docstring, so that
  limits such as ``INTERPRETED_CALLS`` or ``MAX_DEPTH`` appear in the reference.

mkdocs.yml loads it with ``extensions: [docs/_ext/griffe_docstrings.py]``.
"""

from __future__ import annotations

import re
import textwrap
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|attr|data|exc|obj|const):`~?([^`]+)`")


def _role(match: re.Match[str]) -> str:
    target = match.group(1)
    # ``~a.b.C`` shows ``C``; an explicit ``title <target>`` shows the title.
    title = re.match(r"(.*?)\s*<[^>]+>$", target)
    shown = title.group(1) if title else target
    if match.group(0).split("`", 1)[1].startswith("~"):
        shown = shown.rsplit(".", 1)[-1]
    return f"`{shown}`"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def convert(text: str) -> str:
    """The Markdown for one docstring's text."""
    text = _ROLE.sub(_role, text)
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith(">>>"):
            # A doctest session: up to the next blank line.
            start = i
            while i < len(lines) and lines[i].strip():
                i += 1
            block = textwrap.dedent("\n".join(lines[start:i]))
            out += ["```pycon", *block.splitlines(), "```"]
            continue
        if stripped.endswith("::") and not stripped.startswith(".."):
            # A literal block: the indented lines after the paragraph ending in '::'.
            head = line.rstrip()[:-1].rstrip()  # 'text::' reads 'text:'; a bare '::' vanishes
            if head.strip() and head.strip() != ":":
                out.append(head)
            i += 1
            base = _indent(line)
            body: list[str] = []
            while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > base):
                body.append(lines[i])
                i += 1
            while body and not body[-1].strip():
                body.pop()
            while body and not body[0].strip():
                body.pop(0)
            code = textwrap.dedent("\n".join(body)).splitlines()
            language = "pycon" if code and code[0].startswith(">>>") else ""
            out += ["", f"```{language}", *code, "```", ""]
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


def comment_docstring(obj: griffe.Object) -> str | None:
    """The ``#:`` comment lines right above an attribute's assignment, as text."""
    if not obj.is_attribute or obj.lineno is None or obj.filepath is None:
        return None
    lines = obj.lines_collection[obj.filepath]
    found: list[str] = []
    index = obj.lineno - 2  # the line above the assignment, 0-based
    while index >= 0 and lines[index].lstrip().startswith("#:"):
        found.insert(0, lines[index].lstrip()[2:].strip())
        index -= 1
    return "\n".join(found) or None


class ReSTToMarkdown(griffe.Extension):
    """Rewrite each docstring with :func:`convert` as its object is loaded."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is None:
            comment = comment_docstring(obj)
            if comment is not None:
                obj.docstring = griffe.Docstring(comment, lineno=obj.lineno, parent=obj)
        if obj.docstring is not None:
            obj.docstring.value = convert(obj.docstring.value)
