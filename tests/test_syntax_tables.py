"""The parser's tables: the on-disk cache that spares Lark at start-up, the fast node
makers, and the parse loop doing a fixed amount of table work per token."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Optional

import pytest

from nflex_metrics import nodes, syntax
from nflex_metrics.errors import ExpressionSyntaxError
from nflex_metrics.nodes import Case, Compare, Name, Number, When

GRAMMAR = Path(syntax._grammar_file()).read_text(encoding="utf-8")
OTHER_GRAMMAR = GRAMMAR + "\n// another checkout's grammar\n"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def reference() -> syntax._Tables:
    """Tables computed with Lark, no cache involved."""
    return syntax._load_tables(GRAMMAR, None)


def refuse_to_compute(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make computing the tables fail, so a test can prove they came from disk."""

    def refuse(grammar: str, cache_dir: Optional[str]) -> Any:
        raise AssertionError("the tables were computed, not read from the cache")

    monkeypatch.setattr(syntax, "_lark", refuse)


def cache_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("lalr-tables"))


def assert_same_tables(got: syntax._Tables, want: syntax._Tables) -> None:
    """The very same tables (as read back from a file that ``want`` was written to)."""
    assert got.actions == want.actions
    assert got.gotos == want.gotos
    assert got.folds == want.folds
    assert got.rules == want.rules
    assert got.token.pattern == want.token.pattern
    assert (got.exact_kinds, got.folded_kinds) == (want.exact_kinds, want.folded_kinds)


SAMPLES = ["value * 10", "(a + b) * 2 - c / 4", "1 if end > 0 else null", "a +", "x < y < z"]
SAMPLES += ["CASE WHEN a IS NOT NULL AND NOT b = 1 THEN -a ^ 2 ELSE NULL END", "case when"]


def _outcomes(tables: syntax._Tables, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    results: list[object] = []
    with monkeypatch.context() as patch:
        patch.setattr(syntax, "_tables", lambda: tables)
        for dialect in syntax.DIALECTS:
            for text in SAMPLES:
                try:
                    results.append(syntax.parse(text, dialect))
                except ExpressionSyntaxError as error:
                    results.append(str(error))
    return results


def assert_equivalent_tables(
    got: syntax._Tables, want: syntax._Tables, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tables that parse alike (Lark numbers its states differently from run to run)."""
    assert len(got.actions) == len(want.actions)
    assert _outcomes(got, monkeypatch) == _outcomes(want, monkeypatch)


# ------------------------------------------------------------------ file naming


def test_cache_file_name_changes_with_the_grammar_text() -> None:
    version = syntax._lark_version()
    assert syntax._cache_name(GRAMMAR, version) != syntax._cache_name(OTHER_GRAMMAR, version)


def test_cache_file_name_changes_with_the_lark_version() -> None:
    assert syntax._cache_name(GRAMMAR, "1.1.9") != syntax._cache_name(GRAMMAR, "1.2.2")


def test_lark_version_is_read_without_importing_lark() -> None:
    import lark

    assert syntax._lark_version() == lark.__version__
    code = "import sys; from nflex_metrics import syntax; print(syntax._lark_version());"
    code += "print('lark' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == [lark.__version__, "False"]


def test_two_grammars_keep_their_own_cache_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two checkouts with different grammars no longer overwrite each other's file.
    first = syntax._load_tables(GRAMMAR, str(tmp_path))
    second = syntax._load_tables(OTHER_GRAMMAR, str(tmp_path))
    assert len(cache_files(tmp_path)) == 2
    refuse_to_compute(monkeypatch)  # now both must come back from disk
    assert_same_tables(syntax._load_tables(GRAMMAR, str(tmp_path)), first)
    assert_same_tables(syntax._load_tables(OTHER_GRAMMAR, str(tmp_path)), second)


def test_a_cache_hit_does_not_import_lark(tmp_path: Path) -> None:
    code = (
        "import sys, nflex_metrics\n"
        "assert nflex_metrics.parse('value * 10') is not None\n"
        "print('lark' in sys.modules)\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}

    def run() -> str:
        return subprocess.run(
            [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True
        ).stdout.strip()

    assert run() == "True"  # first run: no cache yet, Lark computes the tables
    assert run() == "False"  # second run: read from the cache


# ------------------------------------------------------------ damaged or missing


def _damaged(valid: bytes) -> Iterator[tuple[str, bytes]]:
    import marshal
    import zlib

    yield "empty", b""
    yield "truncated", valid[: len(valid) // 2]
    yield "three bytes", valid[:3]
    yield "flipped byte", valid[:100] + bytes([valid[100] ^ 0xFF]) + valid[101:]
    yield "not marshal", b"\x00\x00\x00\x00" + b"garbage"
    # Checksums fine, contents wrong: another key, then the right key and no tables.
    for plain in ({"key": ("another",)}, {"key": None}, [1, 2]):
        payload = marshal.dumps(plain)
        yield f"checksummed {plain!r}", zlib.crc32(payload).to_bytes(4, "big") + payload


def test_damaged_cache_files_are_rebuilt_never_raised(
    tmp_path: Path, reference: syntax._Tables, monkeypatch: pytest.MonkeyPatch
) -> None:
    syntax._load_tables(GRAMMAR, str(tmp_path))
    (name,) = cache_files(tmp_path)
    path = tmp_path / name
    key = syntax._cache_key(GRAMMAR, syntax._lark_version())
    for label, blob in _damaged(path.read_bytes()):
        path.write_bytes(blob)
        assert syntax._read_cache(str(path), key) is None, label
        rebuilt = syntax._load_tables(GRAMMAR, str(tmp_path))
        assert_equivalent_tables(rebuilt, reference, monkeypatch)
        assert syntax._read_cache(str(path), key) is not None, label  # the file is whole again


def test_checksummed_file_with_the_right_key_but_wrong_tables_is_rebuilt(
    tmp_path: Path, reference: syntax._Tables, monkeypatch: pytest.MonkeyPatch
) -> None:
    import marshal
    import zlib

    name = syntax._cache_name(GRAMMAR, syntax._lark_version())
    key = syntax._cache_key(GRAMMAR, syntax._lark_version())
    payload = marshal.dumps({"key": key, "rules": [(1, "x", "no_such_builder")]})
    (tmp_path / name).write_bytes(zlib.crc32(payload).to_bytes(4, "big") + payload)
    assert_equivalent_tables(syntax._load_tables(GRAMMAR, str(tmp_path)), reference, monkeypatch)


def test_a_cache_dir_that_cannot_be_written_is_silently_skipped(
    tmp_path: Path, reference: syntax._Tables, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "does-not-exist"  # writing the temporary file fails
    assert_equivalent_tables(syntax._load_tables(GRAMMAR, str(missing)), reference, monkeypatch)
    assert list(tmp_path.iterdir()) == []


def test_no_cache_dir_when_the_cache_home_cannot_hold_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert syntax._cache_dir() is None


def test_no_cache_dir_where_others_could_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The cache is trusted on load, so a group- or world-writable directory is refused.
    shared = tmp_path / "nflex_metrics"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert syntax._cache_dir() is None
    shared.chmod(0o700)
    assert syntax._cache_dir() == str(shared)


def test_parse_works_without_a_cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    syntax._tables.cache_clear()
    try:
        assert syntax.parse("a * 10") == nodes.Binary("*", Name("a"), Number(10.0))
    finally:
        syntax._tables.cache_clear()


# ---------------------------------------------------------------- node makers


def _sample(field: dataclasses.Field[Any], index: int) -> Any:
    return nodes.Span(1, 2, 3, 4) if field.name == "span" else f"value{index}"


@pytest.mark.parametrize("cls", list(syntax._MAKERS), ids=lambda cls: cls.__name__)
def test_a_fast_made_node_is_the_constructed_node(cls: type) -> None:
    args = [_sample(f, i) for i, f in enumerate(dataclasses.fields(cls))]
    made, constructed = syntax._MAKERS[cls](*args), cls(*args)  # type: ignore[index]
    assert type(made) is cls
    assert vars(made) == vars(constructed)
    assert made == constructed and hash(made) == hash(constructed)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.span = None  # type: ignore[attr-defined]


def test_classes_the_fast_maker_cannot_copy_are_constructed() -> None:
    @dataclasses.dataclass(frozen=True)
    class Checked:
        value: int

        def __post_init__(self) -> None:
            if self.value < 0:
                raise ValueError("negative")

    assert syntax._maker(Checked) is Checked


# ---------------------------------------------------------- work per token


def _case(arms: int) -> str:
    body = " ".join(f"WHEN a = {i} AND NOT b > {i} THEN {i}" for i in range(arms))
    return f"CASE {body} ELSE 0 END"


class _CountingRow(dict):  # type: ignore[type-arg]
    """An action-table row that counts its lookups."""

    lookups = 0

    def get(self, key: Any, default: Any = None) -> Any:
        _CountingRow.lookups += 1
        return super().get(key, default)


def _lookups(text: str, monkeypatch: pytest.MonkeyPatch) -> int:
    tables = syntax._tables()
    counting = tables._replace(actions=[_CountingRow(row) for row in tables.actions])
    with monkeypatch.context() as patch:
        patch.setattr(syntax, "_tables", lambda: counting)
        _CountingRow.lookups = 0
        tree = syntax.parse(text)
    assert isinstance(tree, Case)
    return _CountingRow.lookups


def test_parse_does_the_same_table_work_for_every_case_arm(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Linear in the text: each further arm costs exactly as many action lookups as the
    # one before, and never more than two per token (one shift and at most one build).
    counts = [_lookups(_case(arms), monkeypatch) for arms in (25, 50, 75)]
    assert counts[2] - counts[1] == counts[1] - counts[0]
    tokens_per_arm = 11  # WHEN a = 0 AND NOT b > 0 THEN 0
    assert (counts[1] - counts[0]) / 25 <= 2 * tokens_per_arm


def test_a_fifty_arm_case_parses_into_fifty_arms() -> None:
    tree = syntax.parse(_case(50))
    assert isinstance(tree, Case) and len(tree.whens) == 50
    assert tree.whens[49] == When(
        nodes.BoolOp(
            "and",
            Compare("=", Name("a"), Number(49.0)),
            nodes.Not(Compare(">", Name("b"), Number(49.0))),
        ),
        Number(49.0),
    )
