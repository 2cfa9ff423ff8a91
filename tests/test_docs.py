"""Every code example on the documentation pages (``docs/**/*.md``) runs as written.

One test per page runs the page's fenced blocks in order:

- ``pycon`` blocks, and ``python`` blocks whose first line starts with ``>>>``, are
  doctests; the doctests of one page share a namespace, like one interpreter session
  read from top to bottom;
- other ``python`` blocks are executed, each in a fresh namespace;
- ``console`` blocks are shell sessions: each ``$ command`` runs in one ``bash`` per
  block and what it prints (stdout and stderr together) must be the lines that follow
  it; ``...`` in the expected text matches anything (a time, a path);
- ``yaml`` blocks are mapping files and must load with the strict loader (or, marked
  ``mapping test``, mapping test files that must parse);
- ``json`` blocks must parse.

Other blocks (``sh`` for commands that install or take minutes, ``text``, ``toml``) are
not run. Everything runs in a scratch directory holding a copy of ``examples/``, so
``examples/mapping.yaml`` means what it means at the repository root and nothing a page
writes lands in the checkout.

An HTML comment on the line before a block changes what happens to it, with
directives separated by ``;``:

- ``<!-- test: skip (why) -->``: not run (keep these rare, and say why);
- ``<!-- test: slow (why) -->``: a block that takes long (a fuzzer run, a pytest run)
  and shows what the pages' other examples already cover: run only by the page's slow
  test (``pytest -m slow``, as CI does), which runs the whole page with it. Later blocks
  must not need what it leaves behind;
- ``<!-- test: file NAME -->``: also write the block to ``NAME`` in the scratch
  directory, for the blocks after it;
- ``<!-- test: broken -->``: a mapping file the strict loader must reject (with
  ``mapping test``: a test file that must be refused);
- ``<!-- test: mapping test -->``: a mapping test file (``*.mapping-test.yaml``);
- ``<!-- test: not a mapping -->``: YAML that is only parsed (a pre-commit config).

Other one-line comments may stand between, such as ``<!-- fmt: off -->`` around a block
that ruff must not format (a snippet include).

A line ``--8<-- "path"`` (pymdownx.snippets) inside a block stands for that file of the
repository, as the site includes it. This test needs neither MkDocs nor a network.
"""

from __future__ import annotations

import doctest
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import pytest
import yaml

from nflex_metrics import MappingError, parse_metric_mapping

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`]*)$")
_DIRECTIVES = re.compile(r"^\s*<!--\s*test:\s*(?P<body>.*?)\s*-->\s*$")
_COMMENT = re.compile(r"^\s*<!--.*-->\s*$")
_SNIPPET = re.compile(r"^[ \t]*--8<--[ \t]+\"(?P<path>[^\"]+)\"[ \t]*$")
_SENTINEL = "<<docs-test: end of command>>"


@dataclass
class Block:
    """One fenced code block of a page."""

    page: Path
    line: int  # 1-based line of the opening fence
    language: str
    text: str
    directives: list[str] = field(default_factory=list)
    included: Optional[Path] = None  # the file when the block is one snippet include

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    def has(self, directive: str) -> bool:
        return any(d == directive or d.startswith(directive + " ") for d in self.directives)

    def argument(self, directive: str) -> Optional[str]:
        for d in self.directives:
            if d.startswith(directive + " "):
                return d[len(directive) + 1 :].strip()
        return None


def _expand_snippets(text: str, where: str) -> tuple[str, Optional[Path]]:
    lines = text.splitlines()
    included: Optional[Path] = None
    out: list[str] = []
    for line in lines:
        match = _SNIPPET.match(line)
        if match is None:
            out.append(line)
            continue
        path = ROOT / match.group("path")
        assert path.is_file(), f"{where}: the snippet {match.group('path')!r} does not exist"
        out.extend(path.read_text(encoding="utf-8").splitlines())
        included = path if len(lines) == 1 else None
    return "\n".join(out) + "\n", included


def blocks_of(page: Path) -> list[Block]:
    """The fenced blocks of a page, with the directives of the comment before each."""
    lines = page.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if match is None:
            i += 1
            continue
        indent, fence = match.group("indent"), match.group("fence")
        language = (match.group("info").split() or [""])[0].lstrip(".").lower()
        start = i
        body: list[str] = []
        i += 1
        while i < len(lines) and lines[i].strip() != fence:
            line = lines[i]
            body.append(line[len(indent) :] if line.startswith(indent) else line.lstrip())
            i += 1
        assert i < len(lines), f"{page.relative_to(ROOT)}:{start + 1}: unclosed code block"
        i += 1
        # The one-line HTML comments right above the fence (blank lines allowed): test
        # directives, and others such as ruff's <!-- fmt: off -->.
        directives: list[str] = []
        previous = start - 1
        while previous >= 0 and (not lines[previous].strip() or _COMMENT.match(lines[previous])):
            comment = _DIRECTIVES.match(lines[previous])
            if comment is not None:
                directives += [d.strip() for d in comment.group("body").split(";") if d.strip()]
            previous -= 1
        block = Block(page, start + 1, language, "", directives)
        block.text, block.included = _expand_snippets("\n".join(body), block.where)
        blocks.append(block)
    return blocks


# ------------------------------------------------------------------ running a block


def _check_directives(block: Block) -> None:
    for directive in block.directives:
        if directive.split(" ")[0] in ("skip", "slow"):
            word = directive.split(" ")[0]
            assert re.fullmatch(word + r" \(.+\)", directive), (
                f"{block.where}: say why a block is {word}: <!-- test: {word} (reason) -->"
            )
        elif directive.startswith("file "):
            assert re.fullmatch(r"file [\w.-]+", directive), f"{block.where}: {directive!r}"
        elif directive not in ("broken", "not a mapping", "mapping test"):
            raise AssertionError(f"{block.where}: unknown test directive {directive!r}")


def _is_doctest(block: Block) -> bool:
    first = block.text.lstrip().splitlines()[0] if block.text.strip() else ""
    return block.language == "pycon" or (block.language == "python" and first.startswith(">>>"))


def run_doctest(block: Block, globs: dict[str, Any]) -> None:
    test = doctest.DocTestParser().get_doctest(
        block.text, globs, block.where, str(block.page), block.line
    )
    assert test.examples, f"{block.where}: a pycon block without a >>> prompt"
    output: list[str] = []
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test, out=output.append, clear_globs=False)
    globs.update(test.globs)  # DocTest works on a copy: carry the names to the next block
    assert runner.failures == 0, f"{block.where}: the example does not run as shown\n" + "".join(
        output
    )


def run_python(block: Block) -> None:
    filename = str(block.included or block.page)
    namespace: dict[str, Any] = {"__name__": "__docs__", "__file__": filename}
    code = compile(block.text, f"{block.where} ({filename})", "exec")
    exec(code, namespace)


def run_yaml(block: Block) -> None:
    if block.has("not a mapping"):
        yaml.safe_load(block.text)
        return
    if block.has("mapping test"):
        from nflex_metrics.testing import MappingTestError, parse_mapping_tests

        if block.has("broken"):
            with pytest.raises(MappingTestError):
                parse_mapping_tests(block.text, source=block.where)
            return
        parse_mapping_tests(block.text, source=block.where)
        return
    if block.has("broken"):
        with pytest.raises(MappingError):
            parse_metric_mapping(block.text, source=block.where)
        return
    parse_metric_mapping(block.text, source=block.where)


def _commands(block: Block) -> list[tuple[str, list[str]]]:
    """(command, expected output lines) pairs of a console block."""
    pairs: list[tuple[str, list[str]]] = []
    lines = block.text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        assert line.startswith("$ "), f"{block.where}: output before the first '$ ' command"
        command = line[2:]
        while command.endswith("\\") and i + 1 < len(lines):
            i += 1
            command = command[:-1] + "\n" + lines[i]
        i += 1
        expected: list[str] = []
        while i < len(lines) and not lines[i].startswith("$ "):
            expected.append(lines[i])
            i += 1
        pairs.append((command, expected))
    return pairs


def _matches(expected: str, actual: str) -> bool:
    pattern = ".*?".join(re.escape(part) for part in expected.split("..."))
    return re.fullmatch(pattern, actual, flags=re.DOTALL) is not None


def _tidy(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def run_console(block: Block, cwd: Path) -> None:
    pairs = _commands(block)
    python = sys.executable
    script = [
        # The commands run with the interpreter under test, installed or not.
        f'nflex-metrics() {{ "{python}" -m nflex_metrics "$@"; }}',
        f'python() {{ "{python}" "$@"; }}',
    ]
    for command, _ in pairs:
        script += [command, "__status=$?", f"printf '\\n%s\\n' '{_SENTINEL}'", "(exit $__status)"]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "COLUMNS": "80",
        "NO_COLOR": "1",
        "PYTHONIOENCODING": "utf-8",
        # Unbuffered, so that stdout and stderr interleave as they do in a terminal.
        "PYTHONUNBUFFERED": "1",
    }
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-c", "\n".join(script)],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=120,
    )
    outputs = result.stdout.split(f"\n{_SENTINEL}\n")
    assert len(outputs) == len(pairs) + 1, f"{block.where}: the session stopped early"
    for (command, expected), actual in zip(pairs, outputs):
        # argparse says "optional arguments:" before Python 3.10 and "options:" since.
        actual = actual.replace("\noptional arguments:\n", "\noptions:\n")
        want, got = _tidy("\n".join(expected)), _tidy(actual)
        assert _matches(want, got), (
            f"{block.where}: `{command}` printed\n{got}\n--- but the page shows\n{want}"
        )


def run_page(page: Path, scratch: Path, *, slow: bool = False) -> int:
    """Run every block of ``page`` (those marked slow only when ``slow``); the number of
    blocks run."""
    shutil.copytree(ROOT / "examples", scratch / "examples")
    saved_path = list(sys.path)
    try:
        return _run_blocks(page, scratch, slow)
    finally:
        # Undo what the examples did to the import system: sys.path entries, and
        # modules imported from the scratch directory (never the packages themselves).
        sys.path[:] = saved_path
        for name, module in list(sys.modules.items()):
            if str(getattr(module, "__file__", None) or "").startswith(str(scratch)):
                del sys.modules[name]


def _run_blocks(page: Path, scratch: Path, slow: bool) -> int:
    globs: dict[str, Any] = {"__name__": "__docs__"}
    ran = 0
    for block in blocks_of(page):
        _check_directives(block)
        if block.has("skip") or (block.has("slow") and not slow):
            continue
        name = block.argument("file")
        if name is not None:
            (scratch / name).write_text(block.text, encoding="utf-8")
        if _is_doctest(block):
            run_doctest(block, globs)
        elif block.language in ("python", "py"):
            run_python(block)
        elif block.language in ("yaml", "yml"):
            run_yaml(block)
        elif block.language == "console":
            run_console(block, scratch)
        elif block.language == "json":
            json.loads(block.text)
        else:
            continue
        ran += 1
    return ran


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_the_examples_of_the_page_run_as_shown(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    run_page(page, tmp_path)


SLOW_PAGES = [page for page in PAGES if any(block.has("slow") for block in blocks_of(page))]


@pytest.mark.slow
@pytest.mark.parametrize("page", SLOW_PAGES, ids=[str(p.relative_to(DOCS)) for p in SLOW_PAGES])
def test_every_example_of_the_page_runs_as_shown_slow_ones_included(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    run_page(page, tmp_path, slow=True)


# ------------------------------------------------------------------ the runner itself


def _page(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "page.md"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _run(tmp_path: Path, text: str, *, slow: bool = False) -> int:
    page = _page(tmp_path, text)
    return run_page(page, Path(tempfile.mkdtemp(dir=tmp_path)), slow=slow)


@pytest.fixture
def runner_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Lets pages outside docs/ name their position relative to a fake root."""
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    shutil.copytree(Path(__file__).resolve().parent.parent / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_wrong_doctest_output_fails_the_page(runner_root: Path) -> None:
    with pytest.raises(AssertionError, match="does not run as shown"):
        _run(runner_root, "```pycon\n>>> 1 + 1\n3\n```\n")


def test_a_broken_mapping_must_be_rejected_and_a_good_one_accepted(runner_root: Path) -> None:
    good = "```yaml\ncpu:\n  conversion_expr: value * 100\n```\n"
    assert _run(runner_root, good) == 1
    with pytest.raises(MappingError):
        _run(runner_root, "```yaml\ncpu:\n  conversion_expr: value * / 100\n```\n")
    marked = "<!-- test: broken -->\n```yaml\ncpu:\n  conversion_expr: value * 100\n```\n"
    with pytest.raises(pytest.fail.Exception):
        _run(runner_root, marked)


def test_a_console_block_compares_what_the_command_prints(runner_root: Path) -> None:
    assert _run(runner_root, "```console\n$ echo one; echo two\none\ntwo\n$ false\n```\n") == 1
    with pytest.raises(AssertionError, match="printed"):
        _run(runner_root, "```console\n$ echo one\ntwo\n```\n")


def test_a_skip_must_say_why_and_unknown_directives_fail(runner_root: Path) -> None:
    skipped = "<!-- test: skip (needs a CMP API) -->\n```python\nraise SystemExit(1)\n```\n"
    assert _run(runner_root, skipped) == 0
    with pytest.raises(AssertionError, match="say why"):
        _run(runner_root, "<!-- test: skip -->\n```python\npass\n```\n")
    with pytest.raises(AssertionError, match="unknown test directive"):
        _run(runner_root, "<!-- test: skipped (typo) -->\n```python\npass\n```\n")


def test_a_slow_block_runs_only_in_the_slow_run_and_must_say_why(runner_root: Path) -> None:
    slow = "<!-- test: slow (a long run) -->\n```console\n$ echo one\ntwo\n```\n"
    assert _run(runner_root, slow) == 0
    with pytest.raises(AssertionError, match="printed"):
        _run(runner_root, slow, slow=True)
    with pytest.raises(AssertionError, match="say why"):
        _run(runner_root, "<!-- test: slow -->\n```python\npass\n```\n")


def test_a_mapping_test_file_must_parse_or_be_marked_broken(runner_root: Path) -> None:
    good = "mapping: m.yaml\ntests:\n  - metric: cpu\n    cases:\n      - {input: {}, expect: 1}\n"
    bad = good.replace("expect", "expcet")
    assert _run(runner_root, f"<!-- test: mapping test -->\n```yaml\n{good}```\n") == 1
    from nflex_metrics.testing import MappingTestError

    with pytest.raises(MappingTestError):
        _run(runner_root, f"<!-- test: mapping test -->\n```yaml\n{bad}```\n")
    assert _run(runner_root, f"<!-- test: mapping test; broken -->\n```yaml\n{bad}```\n") == 1
    with pytest.raises(pytest.fail.Exception):
        _run(runner_root, f"<!-- test: mapping test; broken -->\n```yaml\n{good}```\n")


# ------------------------------------------------------------------ what the site shows


def _reference_modules() -> list[str]:
    """The modules the API reference pages render (their ``::: module`` lines)."""
    names: list[str] = []
    for page in sorted((DOCS / "reference").glob("*.md")):
        names += re.findall(r"^:::\s+([\w.]+)", page.read_text(encoding="utf-8"), re.M)
    return names


def _module_file(name: str) -> Path:
    path = ROOT.joinpath(*name.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def _docstrings(path: Path) -> list[tuple[int, str]]:
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            text = ast.get_docstring(node, clean=False)
            if text is not None:
                found.append((getattr(node, "lineno", 1), text))
    return found


def test_the_api_reference_renders_modules_that_exist() -> None:
    names = _reference_modules()
    assert "nflex_metrics" in names and "nflex_connector_utils" in names
    for name in names:
        assert _module_file(name).is_file(), f"the API reference names {name}, which is not there"


def test_the_site_cites_no_document_outside_the_repository() -> None:
    """Pages and the docstrings the API reference renders state rules themselves."""
    cited = re.compile(r"\bSPEC\b")
    for page in PAGES:
        where = str(page.relative_to(ROOT))
        text, _ = _expand_snippets(page.read_text(encoding="utf-8"), where)  # the changelog
        for number, line in enumerate(text.splitlines(), 1):
            assert not cited.search(line), f"{where} (as included):{number}: {line}"
    for name in _reference_modules():
        path = _module_file(name)
        for number, text in _docstrings(path):
            where = f"{path.relative_to(ROOT)}:{number}"
            assert not cited.search(text), f"{where}: a docstring cites SPEC"
    for path in [ROOT / "README.md", ROOT / "CHANGELOG.md", *ROOT.glob("grammars/*.lark")]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert not cited.search(line), f"{path.relative_to(ROOT)}:{number}: {line}"
