"""The YAML layer of the mapping loader: every file goes through PyYAML, composed by
libyaml when PyYAML has it and by PyYAML's own Python loader otherwise. Both give the
values ``yaml.safe_load`` gives, and the same entries and problems."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import example, given, note
from hypothesis import strategies as st
from mapping_loaders import LOADERS, libyaml

from benchmarks.compare.mappings import mapping_yaml
from nflex_metrics import MappingError, MetricMapping, load_metric_mapping, parse_metric_mapping


@pytest.fixture(params=LOADERS)
def loader(request: pytest.FixtureRequest) -> Iterator[bool]:
    """Each test using it runs with libyaml and with PyYAML's Python loader."""
    with libyaml(request.param):
        yield request.param


def frozen(value: Any) -> Any:
    """What ``entry.extra`` holds for a ``safe_load`` value: lists become tuples."""
    if isinstance(value, dict):
        return {key: frozen(item) for key, item in value.items()}
    if isinstance(value, list):
        return tuple(frozen(item) for item in value)
    return value


def assert_fields_are_safe_load_values(
    mapping: MetricMapping, text: str, oracle: Any = yaml.SafeLoader
) -> None:
    data = yaml.load(text, Loader=oracle)
    assert list(mapping) == list(data)
    for key, fields in data.items():
        entry = mapping[key]
        assert entry.name() == fields.get("name", "")
        assert entry.unit() == fields.get("unit", "")
        assert entry.counter() is fields.get("counter", False)
        assert entry.specialisation() == fields.get("specialisation", "")
        source = fields.get("conversion_expr")
        if source is None or isinstance(source, str):
            assert (entry.expression and entry.expression.source) == source
        else:  # a number is the constant
            assert entry.value() == float(source)
        known = ("name", "unit", "counter", "specialisation", "conversion_expr")
        assert dict(entry.extra) == frozen({k: v for k, v in fields.items() if k not in known})


def outcome(text: str) -> Any:
    """The entries of a strict load, or the problems it raises (libyaml and PyYAML word
    syntax errors differently: only that there is one counts)."""
    try:
        return parse_metric_mapping(text, source="m.yaml")
    except MappingError as err:
        return [
            "YAML syntax error" if p.message.startswith("YAML syntax error") else p
            for p in err.problems
        ]


# --- random mapping-shaped texts ---------------------------------------------------------

#: Keys and field names, including words YAML reads as booleans or null.
NAMES = [
    *("cpu", "bytes_in", "disk.read-ops/s", "name", "unit", "counter", "specialisation"),
    *("conversion_expr", "description", "yes", "On", "NULL", "null_ish", "5xx", "<<", "~"),
    *("'quoted'", "two words", "a:b"),
]

#: Field values: expressions, YAML 1.1 spellings of other types, quoting, comments.
PLAIN_VALUES = [
    *("value * 100", "value * 100 if total > 5 else 3", "(a + b) * 2 - c / 3", "2 * value"),
    *("42 - value * -1", "value ^ 2 / 7", "_private", "(", "2 * (", "a ,b", "x y  z"),
    *("yes", "Yes", "YES", "yEs", "no", "NO", "true", "True", "TRUE", "tRUE", "false"),
    *("on", "On", "oN", "off", "OFF", "null", "Null", "nULL", "~", ""),
    *("0", "00", "010", "12", "-3", "+3", "1_000", "0x1F", "0b101", "0o17", "1:30", "190:20:30"),
    *("1.5", "1.", ".5", "1e3", "1.0e+3", "1.0e3", "12e3", "1.5e-3", ".inf", "-.inf", ".NaN"),
    *("2024-01-01", "2001-12-14 21:59:43.10 -5", "2001-12-14t21:59:43.10-05:00", "2 - 1"),
    *("'it''s'", "''", "'a' # c", "'a'# c", "'a' 'b'", "'unterminated", "' x '"),
    *('"%"', '"MiB"', '"a\\"b"', '"x" # c', '"\\u00b5s"', '"a" x', '"'),
    *("value # comment", "value #comment", "value#x", "value *# c", "value  ", "value\t"),
    *("µs", "°C", "x µ", "a\u00a0", "a\u3000b"),
]

#: Values that need more of YAML: collections, block scalars, anchors, tags, indicators.
OTHER_VALUES = [
    *("a: b", "a:b", "[1, 2]", "{a: 1}", "- x", "-x", "|", ">", "|-", "&a x", "*a", "!x y"),
    *("!!str 12", "!!int '7'", "% x", "@x", "`x`", "? x", ": x", "=", "<<", "x\ty"),
    *("a\u2028b", "a\x85b", "\ufeffx", "a\x00", "a\x7f", "!!set {a, b}", "!!omap [{a: 1}]"),
    *("!!binary aGk=", "!!float 1", "!!int 0x10", "!!timestamp 2001-12-14", "&b [*b]"),
]

_simple_name = st.from_regex(r"[a-z_][a-z0-9_]{0,5}", fullmatch=True)


def _mostly(usual: st.SearchStrategy[Any], rare: st.SearchStrategy[Any]) -> Any:
    """``usual`` seven times in eight, ``rare`` otherwise."""
    return st.integers(0, 7).flatmap(lambda n: rare if n == 0 else usual)


_name = _mostly(_simple_name, st.sampled_from(NAMES))
_value = _mostly(
    st.sampled_from(PLAIN_VALUES),
    st.one_of(
        st.sampled_from(OTHER_VALUES),
        st.text(alphabet=" abyYesnNoOfFtTlu0123456789.:#'\"-+_()*/~^ex\t[]{}&*!<", max_size=12),
    ),
)


@st.composite
def mapping_texts(draw: st.DrawFn) -> str:
    """Texts shaped like mapping files, with mistakes and the odd piece of other YAML."""
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        if draw(st.integers(0, 9)) == 0:
            lines.append(draw(st.sampled_from(["", "# note", "---", "  # indented", "   "])))
        key = draw(_name)
        lines.append(
            draw(_mostly(st.just(f"{key}:"), st.sampled_from([f"{key}: # c", f"{key}:x"])))
        )
        indent = draw(st.sampled_from([1, 2, 4]))
        for _ in range(draw(_mostly(st.integers(1, 3), st.just(0)))):
            width = indent if draw(st.integers(0, 30)) else draw(st.integers(0, 6))
            if draw(st.integers(0, 15)) == 0:
                lines.append(draw(st.sampled_from(["", "  # c", "#", " " * width + "- x"])))
            separator = draw(_mostly(st.just(": "), st.sampled_from([":  ", ":"])))
            lines.append(f"{' ' * width}{draw(_name)}{separator}{draw(_value)}")
    end = draw(st.sampled_from(["\n", "", "\n\n", "\n# end\n"]))
    eol: str = draw(_mostly(st.just("\n"), st.sampled_from(["\r\n", "\r"])))
    return eol.join(lines) + end


def scalar_tags(text: str, loader: Any) -> list[str]:
    """The tags a composer gives the scalars of a document, in document order."""
    tags, seen, stack = [], set(), [yaml.compose(text, Loader=loader)]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            tags.append(node.tag)
        else:
            items = (
                [part for pair in node.value for part in pair]
                if node.id == "mapping"
                else node.value
            )
            stack.extend(reversed(items))
    return tags


@given(mapping_texts())
@example("cpu:\n  unit: x\ncpu:\n  unit: y\n")
@example("cpu:\n  unit: x\n  unit: y\n")
@example("cpu:\n  conversion_expr: value *\n    100\n")
@example("a: &a {name: x, <<: *a}\nb:\n  <<: [*a, {unit: u}]\n  name: [*a]\n")
@example("cpu:\r\ncpu: !\n")
def test_libyaml_and_pyyaml_s_own_loader_give_the_same_entries_and_problems(text: str) -> None:
    with libyaml(True):
        expected = outcome(text)
    with libyaml(False):
        got = outcome(text)
    if "YAML syntax error" in (*got, *expected):  # they differ on what is YAML (tabs)
        return
    if scalar_tags(text, yaml.CSafeLoader) != scalar_tags(text, yaml.SafeLoader):
        return  # they differ on what `!` before nothing is: a string or null
    assert got == expected


@given(mapping_texts())
@example("cpu:\n  unit: '%'\n  conversion_expr: value * 100 # percent\n  counter: yes\n")
@example("a:\r\n  unit: x\r\n  tags: [1, {k: v}]\r\n")
def test_a_file_without_problems_has_the_values_safe_load_gives(text: str) -> None:
    for enabled in (True, False):
        with libyaml(enabled):
            try:
                mapping = parse_metric_mapping(text)
            except MappingError as err:
                note(str(err))
                continue
            oracle = yaml.CSafeLoader if enabled else yaml.SafeLoader  # they differ on tabs
            assert_fields_are_safe_load_values(mapping, text, oracle)


@pytest.mark.parametrize("value", [*PLAIN_VALUES, *OTHER_VALUES])
def test_every_value_spelling_is_read_as_safe_load_reads_it(loader: bool, value: str) -> None:
    text = f"metric:\n  field: {value}\n"
    try:  # the oracle: PyYAML's safe loading with the same composer (they differ on tabs)
        expected = yaml.load(text, Loader=yaml.CSafeLoader if loader else yaml.SafeLoader)
    except Exception:
        with pytest.raises(MappingError):
            parse_metric_mapping(text)
        return
    if isinstance(expected, dict) and isinstance(expected.get("metric"), dict):
        field = expected["metric"].get("field")
        if field is not None and "&b" not in value:  # a recursive value is a problem
            loaded = parse_metric_mapping(text)["metric"].get("field")
            assert loaded == frozen(field) or (loaded != loaded and field != field)  # NaN


def test_the_generated_benchmark_file_has_the_values_safe_load_gives(
    loader: bool, tmp_path: Path
) -> None:
    path = tmp_path / "mapping.yaml"
    path.write_text(mapping_yaml(200), encoding="utf-8")
    assert_fields_are_safe_load_values(load_metric_mapping(path), path.read_text("utf-8"))


def test_a_problem_is_reported_at_its_position_by_both_loaders(loader: bool) -> None:
    with pytest.raises(MappingError) as info:
        parse_metric_mapping("a:\n  unit: x\n  counter: 1\n")
    (problem,) = info.value.problems
    assert (problem.line, problem.column, problem.key) == (3, 12, "a")


# --- merge keys --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "cpu: &a {name: x, <<: *a}\n",
        "cpu: &a {name: x, <<: [*a]}\n",
        "cpu: &a {<<: *a, name: x}\n",
        "cpu: &a {name: x, <<: [*a, {unit: u}]}\n",
        "cpu: &a {name: x, <<: &b {unit: u, <<: *a}}\n",
        "cpu: &a {name: x, <<: {unit: u, <<: [*a, {specialisation: s}]}}\nmem: *a\n",
        "d: &d {unit: u}\ncpu: &a {name: x, <<: [*d, *a]}\nmem: {<<: *a, name: y}\n",
    ],
)
def test_a_merge_key_that_refers_back_to_its_mapping_loads_as_safe_load_loads_it(
    loader: bool, text: str
) -> None:
    assert_fields_are_safe_load_values(parse_metric_mapping(text), text)


@st.composite
def merging_texts(draw: st.DrawFn) -> str:
    """Entries with anchors and merge keys (of one mapping, of a list, of an inline
    mapping), nested, each referring to any mapping begun before it: the mappings it is
    in too, which makes merge cycles."""
    anchors: list[str] = []

    def mapping(depth: int) -> str:
        anchor = f"a{len(anchors)}"
        anchors.append(anchor)
        items: list[str] = []
        for _ in range(draw(st.integers(0, 2))):
            kind = draw(st.integers(0, 2 if depth < 2 else 1))
            if kind == 2:
                items.append(f"<<: {mapping(depth + 1)}")
                continue
            refs = draw(st.lists(st.sampled_from(anchors), min_size=1, max_size=3))
            if kind == 0 and len(refs) == 1:
                items.append(f"<<: *{refs[0]}")
            else:
                items.append(f"<<: [{', '.join('*' + ref for ref in refs)}]")
        for _ in range(draw(st.integers(1, 2))):
            pair = f"{draw(st.sampled_from(['kk', 'll', 'mm']))}: {draw(st.integers(0, 9))}"
            items.insert(draw(st.integers(0, len(items))), pair)
        return f"&{anchor} {{{', '.join(items)}}}"

    return "".join(f"e{i}: {mapping(0)}\n" for i in range(draw(st.integers(1, 5))))


@given(merging_texts())
@example("e0: &a0 {<<: &a1 {kk: 1, <<: &a2 {mm: 8}, <<: *a0, kk: 8}, <<: *a1, kk: 1}\n")
def test_merge_keys_give_the_values_safe_load_gives(text: str) -> None:
    mapping = parse_metric_mapping(text, strict=False)  # a repeated own key is a problem
    extras = {key: dict(entry.extra) for key, entry in mapping.items()}
    assert extras == yaml.safe_load(text)


@pytest.mark.parametrize(
    "text",
    [
        # Which mapping of a merged list wins depends on the PyYAML version: 6.0.3 and
        # later let the last one win for most keys.
        "a: &a {kk: from-a}\nb: &b {<<: *a, ll: from-b}\nc: &c {<<: *a, kk: from-c}\n"
        "d: {<<: [*b, *c]}\n",
        "base: &base {unit: '%', description: base, owner: ops}\n"
        "more: &more {unit: MiB, description: more, tier: 2}\n"
        "cpu:\n  <<: [*base, *more]\n  description: cpu\n",
    ],
)
def test_a_merged_list_gives_the_fields_safe_load_gives(loader: bool, text: str) -> None:
    assert_fields_are_safe_load_values(parse_metric_mapping(text), text)


def test_explicit_fields_override_merged_ones() -> None:
    text = textwrap.dedent(
        """\
        base: &base {unit: "%", description: base, owner: ops}
        cpu:
          description: cpu
          <<: *base
        """
    )
    entry = parse_metric_mapping(text)["cpu"]
    assert entry.unit() == "%"
    assert dict(entry.extra) == {"description": "cpu", "owner": "ops"}
